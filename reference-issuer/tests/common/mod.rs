//! Helpers for the integration tests: the issuer's JSON API over real HTTP
//! (through the workspace's one client, `cognito_test_support::cognito_api`).

#![allow(dead_code)]

pub(crate) mod hosted;

use cognito_test_support::cognito_api::{self, ApiError};
use serde_json::{Value, json};

/// A password that satisfies the default policy.
pub(crate) const PASSWORD: &str = "Corr3ct-Horse!";

/// Calls an operation; `Err((type, message))` for AWS-shaped errors.
pub(crate) async fn call(base: &str, op: &str, body: Value) -> Result<Value, (String, String)> {
    match cognito_api::call(&reqwest::Client::new(), base, op, &body).await {
        Ok(v) => Ok(v),
        Err(ApiError::Aws { status, body: v }) => {
            assert_eq!(status, 400, "unexpected status for {op}: {v}");
            Err((
                v["__type"].as_str().unwrap_or_default().to_string(),
                v["message"].as_str().unwrap_or_default().to_string(),
            ))
        }
        Err(e) => panic!("request reaches the issuer and answers JSON: {e}"),
    }
}

/// Calls an operation that must succeed.
pub(crate) async fn ok(base: &str, op: &str, body: Value) -> Value {
    match call(base, op, body).await {
        Ok(v) => v,
        Err(e) => panic!("{op} failed: {e:?}"),
    }
}

/// Creates a confirmed user with [`PASSWORD`] through the admin API.
pub(crate) async fn create_user(base: &str, pool_id: &str, username: &str, email: &str) {
    ok(
        base,
        "AdminCreateUser",
        json!({ "UserPoolId": pool_id, "Username": username, "MessageAction": "SUPPRESS",
                "UserAttributes": [{"Name": "email", "Value": email},
                                   {"Name": "email_verified", "Value": "true"}] }),
    )
    .await;
    ok(
        base,
        "AdminSetUserPassword",
        json!({ "UserPoolId": pool_id, "Username": username, "Password": PASSWORD, "Permanent": true }),
    )
    .await;
}

/// Signs in with USER_PASSWORD_AUTH; returns the AuthenticationResult.
pub(crate) async fn sign_in(base: &str, client_id: &str, username: &str) -> Value {
    let r = ok(
        base,
        "InitiateAuth",
        json!({ "ClientId": client_id, "AuthFlow": "USER_PASSWORD_AUTH",
                "AuthParameters": { "USERNAME": username, "PASSWORD": PASSWORD } }),
    )
    .await;
    r["AuthenticationResult"].clone()
}

/// Decodes a JWT's payload without verifying it.
pub(crate) fn claims(jwt: &str) -> Value {
    use base64::Engine;
    let payload = jwt.split('.').nth(1).expect("three parts");
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .expect("base64url");
    serde_json::from_slice(&bytes).expect("JSON claims")
}

/// Decodes a JWT's header.
pub(crate) fn header(jwt: &str) -> Value {
    use base64::Engine;
    let h = jwt.split('.').next().expect("header");
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(h)
        .expect("base64url");
    serde_json::from_slice(&bytes).expect("JSON header")
}
