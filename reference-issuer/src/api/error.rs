//! The JSON API's wire error: Cognito's exception name, message and HTTP
//! status, made from a domain [`Error`] at the edge.

use crate::error::{Error, ErrorKind};

/// An error of a Cognito JSON API operation, as AWS puts it on the wire:
/// HTTP 400 (500 for internal faults), a JSON body
/// `{"__type": "<Name>", "message": "..."}` and the `x-amzn-ErrorType`
/// header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// The Cognito exception name, e.g. `NotAuthorizedException`.
    pub type_name: &'static str,
    /// The human-readable message.
    pub message: String,
    /// The HTTP status (400 for every client error, 500 for internal faults).
    pub status: u16,
}

/// Cognito's exception name for an error kind.
pub(crate) fn exception_name(kind: ErrorKind) -> &'static str {
    match kind {
        ErrorKind::NotAuthorized => "NotAuthorizedException",
        ErrorKind::UserNotFound => "UserNotFoundException",
        ErrorKind::UsernameExists => "UsernameExistsException",
        ErrorKind::CodeMismatch => "CodeMismatchException",
        ErrorKind::ExpiredCode => "ExpiredCodeException",
        ErrorKind::InvalidPassword => "InvalidPasswordException",
        ErrorKind::InvalidParameter => "InvalidParameterException",
        ErrorKind::UserNotConfirmed => "UserNotConfirmedException",
        ErrorKind::PasswordResetRequired => "PasswordResetRequiredException",
        ErrorKind::LimitExceeded => "LimitExceededException",
        ErrorKind::TooManyRequests => "TooManyRequestsException",
        ErrorKind::ResourceNotFound => "ResourceNotFoundException",
        ErrorKind::AliasExists => "AliasExistsException",
        ErrorKind::GroupExists => "GroupExistsException",
        ErrorKind::UnknownOperation => "UnknownOperationException",
        ErrorKind::Serialization => "SerializationException",
        ErrorKind::UnsupportedOperation => "UnsupportedOperationException",
        ErrorKind::UnsupportedUserState => "UnsupportedUserStateException",
        ErrorKind::ScopeDoesNotExist => "ScopeDoesNotExistException",
        ErrorKind::EnableSoftwareTokenMfa => "EnableSoftwareTokenMFAException",
        ErrorKind::Internal => "InternalErrorException",
    }
}

impl From<Error> for ApiError {
    fn from(e: Error) -> Self {
        Self {
            type_name: exception_name(e.kind),
            status: if e.is_internal() { 500 } else { 400 },
            message: e.message,
        }
    }
}

impl ApiError {
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
