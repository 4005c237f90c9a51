//! Error types: the AWS-shaped API errors put on the wire, and the library's
//! own start-up/storage error.

use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

/// An error returned by a Cognito JSON API operation, serialized exactly as
/// AWS puts it on the wire: HTTP 400 (or the given status), a JSON body
/// `{"__type": "<Name>", "message": "..."}` and the `x-amzn-ErrorType` header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// The Cognito exception name, e.g. `NotAuthorizedException`.
    pub type_name: &'static str,
    /// The human-readable message.
    pub message: String,
    /// The HTTP status (400 for every client error, 500 for internal faults).
    pub status: u16,
}

macro_rules! api_errors {
    ($($fn_name:ident => $name:literal),* $(,)?) => {
        impl ApiError {
            $(
                #[doc = concat!("A `", $name, "` with the given message.")]
                pub fn $fn_name(message: impl Into<String>) -> Self {
                    Self { type_name: $name, message: message.into(), status: 400 }
                }
            )*
        }
    };
}

api_errors! {
    not_authorized => "NotAuthorizedException",
    user_not_found => "UserNotFoundException",
    username_exists => "UsernameExistsException",
    code_mismatch => "CodeMismatchException",
    expired_code => "ExpiredCodeException",
    invalid_password => "InvalidPasswordException",
    invalid_parameter => "InvalidParameterException",
    user_not_confirmed => "UserNotConfirmedException",
    password_reset_required => "PasswordResetRequiredException",
    limit_exceeded => "LimitExceededException",
    too_many_requests => "TooManyRequestsException",
    resource_not_found => "ResourceNotFoundException",
    alias_exists => "AliasExistsException",
    group_exists => "GroupExistsException",
    unknown_operation => "UnknownOperationException",
    serialization => "SerializationException",
    unsupported_operation => "UnsupportedOperationException",
}

impl ApiError {
    /// An internal fault (HTTP 500, `InternalErrorException`). Only used for
    /// genuine server-side failures such as an unreadable database.
    pub fn internal(message: impl Into<String>) -> Self {
        Self {
            type_name: "InternalErrorException",
            message: message.into(),
            status: 500,
        }
    }

    /// The JSON body AWS sends for this error.
    pub fn body(&self) -> serde_json::Value {
        serde_json::json!({ "__type": self.type_name, "message": self.message })
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.type_name, self.message)
    }
}

impl std::error::Error for ApiError {}

impl From<rusqlite::Error> for ApiError {
    fn from(e: rusqlite::Error) -> Self {
        tracing::error!(error = %e, "database error");
        ApiError::internal("internal storage error")
    }
}

impl From<IssuerError> for ApiError {
    fn from(e: IssuerError) -> Self {
        tracing::error!(error = %e, "internal error");
        ApiError::internal("internal error")
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::BAD_REQUEST);
        let mut resp = (status, self.body().to_string()).into_response();
        let headers = resp.headers_mut();
        headers.insert(
            "content-type",
            HeaderValue::from_static("application/x-amz-json-1.1"),
        );
        headers.insert("x-amzn-ErrorType", HeaderValue::from_static(self.type_name));
        resp
    }
}

/// Result alias for API operations.
pub type ApiResult<T> = Result<T, ApiError>;

/// Errors of the issuer itself: start-up, storage, configuration and keys.
#[derive(Debug, thiserror::Error)]
pub enum IssuerError {
    /// A filesystem or socket error.
    #[error("I/O error: {0}")]
    Io(#[from] std::io::Error),
    /// A SQLite error.
    #[error("database error: {0}")]
    Database(#[from] rusqlite::Error),
    /// The configuration file is invalid or could not be applied.
    #[error("configuration error: {0}")]
    Config(String),
    /// A cryptographic operation (key generation, signing) failed.
    #[error("crypto error: {0}")]
    Crypto(String),
    /// Stored data could not be decoded.
    #[error("corrupt stored data: {0}")]
    Corrupt(String),
    /// An operation failed while starting up (e.g. creating the default pool).
    #[error("{0}")]
    Api(#[from] ApiError),
}

impl From<serde_json::Error> for IssuerError {
    fn from(e: serde_json::Error) -> Self {
        IssuerError::Corrupt(e.to_string())
    }
}

impl IssuerError {
    /// Wraps an [`ApiError`] raised while applying configuration.
    pub fn from_api(context: &str, e: ApiError) -> Self {
        IssuerError::Config(format!("{context}: {e}"))
    }
}
