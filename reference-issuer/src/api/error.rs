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
        ErrorKind::RefreshTokenReuse => "RefreshTokenReuseException",
        ErrorKind::DeviceKeyExists => "DeviceKeyExistsException",
        ErrorKind::InvalidOAuthFlow => "InvalidOAuthFlowException",
        ErrorKind::UserLambdaValidation => "UserLambdaValidationException",
        ErrorKind::InvalidLambdaResponse => "InvalidLambdaResponseException",
        ErrorKind::UnexpectedLambda => "UnexpectedLambdaException",
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_map_to_cognito_exceptions_and_statuses() {
        let cases = [
            (ErrorKind::NotAuthorized, "NotAuthorizedException", 400),
            (ErrorKind::UserNotFound, "UserNotFoundException", 400),
            (ErrorKind::UsernameExists, "UsernameExistsException", 400),
            (ErrorKind::CodeMismatch, "CodeMismatchException", 400),
            (ErrorKind::ExpiredCode, "ExpiredCodeException", 400),
            (ErrorKind::InvalidPassword, "InvalidPasswordException", 400),
            (
                ErrorKind::InvalidParameter,
                "InvalidParameterException",
                400,
            ),
            (
                ErrorKind::UserNotConfirmed,
                "UserNotConfirmedException",
                400,
            ),
            (
                ErrorKind::PasswordResetRequired,
                "PasswordResetRequiredException",
                400,
            ),
            (ErrorKind::LimitExceeded, "LimitExceededException", 400),
            (ErrorKind::TooManyRequests, "TooManyRequestsException", 400),
            (
                ErrorKind::ResourceNotFound,
                "ResourceNotFoundException",
                400,
            ),
            (ErrorKind::AliasExists, "AliasExistsException", 400),
            (ErrorKind::GroupExists, "GroupExistsException", 400),
            (
                ErrorKind::UnknownOperation,
                "UnknownOperationException",
                400,
            ),
            (ErrorKind::Serialization, "SerializationException", 400),
            (
                ErrorKind::UnsupportedOperation,
                "UnsupportedOperationException",
                400,
            ),
            (
                ErrorKind::UnsupportedUserState,
                "UnsupportedUserStateException",
                400,
            ),
            (
                ErrorKind::ScopeDoesNotExist,
                "ScopeDoesNotExistException",
                400,
            ),
            (
                ErrorKind::EnableSoftwareTokenMfa,
                "EnableSoftwareTokenMFAException",
                400,
            ),
            (
                ErrorKind::RefreshTokenReuse,
                "RefreshTokenReuseException",
                400,
            ),
            (ErrorKind::DeviceKeyExists, "DeviceKeyExistsException", 400),
            (
                ErrorKind::InvalidOAuthFlow,
                "InvalidOAuthFlowException",
                400,
            ),
            (
                ErrorKind::UserLambdaValidation,
                "UserLambdaValidationException",
                400,
            ),
            (
                ErrorKind::InvalidLambdaResponse,
                "InvalidLambdaResponseException",
                400,
            ),
            (
                ErrorKind::UnexpectedLambda,
                "UnexpectedLambdaException",
                400,
            ),
            (ErrorKind::Internal, "InternalErrorException", 500),
        ];
        for (kind, name, status) in cases {
            let wire = ApiError::from(Error::new(kind, "m"));
            assert_eq!((wire.type_name, wire.status), (name, status), "{kind:?}");
            assert_eq!(
                wire.body(),
                serde_json::json!({ "__type": name, "message": "m" })
            );
        }
    }
}
