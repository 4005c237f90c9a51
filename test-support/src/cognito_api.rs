//! The one client of the Cognito JSON API: `POST /` with
//! `content-type: application/x-amz-json-1.1` and
//! `x-amz-target: AWSCognitoIdentityProviderService.<Operation>`, as the AWS
//! SDKs send it. The reference issuer (or real Cognito) answers with a JSON
//! body; errors carry the AWS error name in `__type`.

use std::fmt;

use serde_json::Value;

/// The prefix of every `X-Amz-Target` of the Cognito user pool API.
pub const TARGET_PREFIX: &str = "AWSCognitoIdentityProviderService.";

/// The content type of the Cognito JSON API.
pub const CONTENT_TYPE: &str = "application/x-amz-json-1.1";

/// Why a call failed.
#[derive(Debug, Clone)]
pub enum ApiError {
    /// The request was not answered, or the answer was not JSON.
    Transport {
        /// The operation called.
        operation: String,
        /// The transport or decoding error.
        message: String,
    },
    /// The service answered with a non-success status and a JSON body.
    Aws {
        /// The HTTP status (400 for Cognito's errors).
        status: u16,
        /// The error body (`{"__type": ..., "message": ...}`).
        body: Value,
    },
}

impl ApiError {
    /// The AWS error name (`__type`, e.g. `NotAuthorizedException`), if the
    /// service answered with one.
    pub fn aws_type(&self) -> Option<&str> {
        match self {
            ApiError::Aws { body, .. } => body["__type"].as_str(),
            ApiError::Transport { .. } => None,
        }
    }

    /// The service's error message, if it answered with one.
    pub fn message(&self) -> Option<&str> {
        match self {
            ApiError::Aws { body, .. } => body["message"].as_str(),
            ApiError::Transport { .. } => None,
        }
    }
}

/// The AWS error name (`error` when the body has none), or
/// `<operation>: <transport error>`.
impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ApiError::Transport { operation, message } => write!(f, "{operation}: {message}"),
            ApiError::Aws { .. } => f.write_str(self.aws_type().unwrap_or("error")),
        }
    }
}

impl std::error::Error for ApiError {}

/// Calls `operation` (e.g. `InitiateAuth`) with `body` on the service at
/// `base_url` (e.g. `http://127.0.0.1:9229`); the response body on success.
pub async fn call(
    http: &reqwest::Client,
    base_url: &str,
    operation: &str,
    body: &Value,
) -> Result<Value, ApiError> {
    let transport = |e: reqwest::Error| ApiError::Transport {
        operation: operation.to_owned(),
        message: e.to_string(),
    };
    let response = http
        .post(format!("{base_url}/"))
        .header("content-type", CONTENT_TYPE)
        .header("x-amz-target", format!("{TARGET_PREFIX}{operation}"))
        .body(body.to_string())
        .send()
        .await
        .map_err(transport)?;
    let status = response.status();
    let value: Value = response.json().await.map_err(transport)?;
    if status.is_success() {
        Ok(value)
    } else {
        Err(ApiError::Aws {
            status: status.as_u16(),
            body: value,
        })
    }
}
