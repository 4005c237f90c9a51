//! What both load generators share: the seeded users' password and one call
//! of the issuer's Cognito JSON API over HTTP (through the workspace's one
//! client, `cognito_test_support::cognito_api`).

use cognito_test_support::cognito_api::{self, ApiError};
use serde_json::Value;

/// The password every seeded load-test user gets.
pub(crate) const PASSWORD: &str = "Corr3ct-Horse!";

/// One `AWSCognitoIdentityProviderService` operation; `Err` carries the error body.
pub(crate) async fn call(
    http: &reqwest::Client,
    base: &str,
    op: &str,
    body: &Value,
) -> Result<Value, String> {
    cognito_api::call(http, base, op, body)
        .await
        .map_err(|e| match e {
            ApiError::Aws { body, .. } => body.to_string(),
            ApiError::Transport { message, .. } => message,
        })
}
