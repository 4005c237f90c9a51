//! The issuer's errors: [`Error`] (a typed [`ErrorKind`] and a message) is
//! what the domain modules return; the HTTP edge maps the kind to a wire
//! shape (`api::ApiError` for the JSON API, RFC 6749 JSON for `/oauth2/*`).
//! [`IssuerError`] covers start-up, configuration and storage failures.

use crate::store::{StoreError, TxError};

/// What went wrong, as a kind the edges map to their wire errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// Wrong credentials, token or session (`NotAuthorizedException`).
    NotAuthorized,
    /// No such user (`UserNotFoundException`).
    UserNotFound,
    /// The username is taken (`UsernameExistsException`).
    UsernameExists,
    /// Wrong code (`CodeMismatchException`).
    CodeMismatch,
    /// Expired, used or never sent code (`ExpiredCodeException`).
    ExpiredCode,
    /// The password breaks the pool's policy (`InvalidPasswordException`).
    InvalidPassword,
    /// Bad input (`InvalidParameterException`).
    InvalidParameter,
    /// The user has not confirmed the sign-up (`UserNotConfirmedException`).
    UserNotConfirmed,
    /// An administrator required a reset (`PasswordResetRequiredException`).
    PasswordResetRequired,
    /// A per-user attempt budget is spent (`LimitExceededException`).
    LimitExceeded,
    /// A rate limit was hit (`TooManyRequestsException`).
    TooManyRequests,
    /// No such pool, client, group or resource server
    /// (`ResourceNotFoundException`).
    ResourceNotFound,
    /// A verified alias belongs to another user (`AliasExistsException`).
    AliasExists,
    /// The group exists (`GroupExistsException`).
    GroupExists,
    /// The operation is not implemented (`UnknownOperationException`).
    UnknownOperation,
    /// The request body is not the JSON object expected
    /// (`SerializationException`).
    Serialization,
    /// Not supported here (`UnsupportedOperationException`).
    UnsupportedOperation,
    /// The operation needs another user status
    /// (`UnsupportedUserStateException`).
    UnsupportedUserState,
    /// A scope names no resource server scope (`ScopeDoesNotExistException`).
    ScopeDoesNotExist,
    /// The first TOTP code did not match (`EnableSoftwareTokenMFAException`).
    EnableSoftwareTokenMfa,
    /// A refresh token that rotation replaced, used after its grace period
    /// (`RefreshTokenReuseException`).
    RefreshTokenReuse,
    /// Inconsistent OAuth settings of an app client
    /// (`InvalidOAuthFlowException`).
    InvalidOAuthFlow,
    /// The device is already confirmed (`DeviceKeyExistsException`).
    DeviceKeyExists,
    /// A Lambda trigger threw (`UserLambdaValidationException`).
    UserLambdaValidation,
    /// A Lambda trigger's answer is unusable (`InvalidLambdaResponseException`).
    InvalidLambdaResponse,
    /// A Lambda trigger could not be invoked or timed out
    /// (`UnexpectedLambdaException`).
    UnexpectedLambda,
    /// A fault of the issuer itself (storage, crypto): HTTP 500.
    Internal,
}

/// A domain error: a kind and a human-readable message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    /// The kind, mapped to a wire error at the edge.
    pub kind: ErrorKind,
    /// The message (for `Internal`, a generic text: details go to the log).
    pub message: String,
}

macro_rules! kinds {
    ($($fn_name:ident => $kind:ident),* $(,)?) => {
        impl Error {
            $(
                #[doc = concat!("An [`ErrorKind::", stringify!($kind), "`] error.")]
                pub fn $fn_name(message: impl Into<String>) -> Self {
                    Self::new(ErrorKind::$kind, message)
                }
            )*
        }
    };
}

kinds! {
    not_authorized => NotAuthorized,
    user_not_found => UserNotFound,
    username_exists => UsernameExists,
    code_mismatch => CodeMismatch,
    expired_code => ExpiredCode,
    invalid_password => InvalidPassword,
    invalid_parameter => InvalidParameter,
    user_not_confirmed => UserNotConfirmed,
    password_reset_required => PasswordResetRequired,
    limit_exceeded => LimitExceeded,
    too_many_requests => TooManyRequests,
    resource_not_found => ResourceNotFound,
    alias_exists => AliasExists,
    group_exists => GroupExists,
    unknown_operation => UnknownOperation,
    serialization => Serialization,
    unsupported_operation => UnsupportedOperation,
    unsupported_user_state => UnsupportedUserState,
    scope_does_not_exist => ScopeDoesNotExist,
    enable_software_token_mfa => EnableSoftwareTokenMfa,
    refresh_token_reuse => RefreshTokenReuse,
    device_key_exists => DeviceKeyExists,
    invalid_oauth_flow => InvalidOAuthFlow,
    internal => Internal,
}

impl Error {
    /// An error of `kind`.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
        }
    }

    /// Whether this is a fault of the issuer (HTTP 500) rather than of the
    /// request.
    pub fn is_internal(&self) -> bool {
        self.kind == ErrorKind::Internal
    }
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?}: {}", self.kind, self.message)
    }
}

impl std::error::Error for Error {}

impl From<StoreError> for Error {
    fn from(e: StoreError) -> Self {
        tracing::error!(error = %e, "storage error");
        Error::internal("internal storage error")
    }
}

impl From<IssuerError> for Error {
    fn from(e: IssuerError) -> Self {
        tracing::error!(error = %e, "internal error");
        Error::internal("internal error")
    }
}

impl TxError for Error {
    fn is_fault(&self) -> bool {
        self.is_internal()
    }
}

/// Result alias of the domain modules.
pub(crate) type Result<T, E = Error> = std::result::Result<T, E>;

/// Errors of the issuer itself: start-up, storage, configuration and keys.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum IssuerError {
    /// A filesystem or socket error.
    #[error("I/O error: {0}")]
    Io(#[from] std::io::Error),
    /// A storage error.
    #[error("database error: {0}")]
    Database(#[from] StoreError),
    /// The configuration file is invalid or could not be applied.
    #[error("configuration error: {0}")]
    Config(String),
    /// A cryptographic operation (key generation, signing) failed.
    #[error("crypto error: {0}")]
    Crypto(String),
    /// An operation failed while starting up (e.g. creating the default pool).
    #[error("{0}")]
    Domain(#[from] Error),
}

impl From<serde_json::Error> for IssuerError {
    fn from(e: serde_json::Error) -> Self {
        IssuerError::Config(e.to_string())
    }
}

/// Checks a numeric input field against the range of its AWS shape, with
/// AWS's validation wording (`field` as AWS names it, e.g. `precedence`).
pub(crate) fn check_range(field: &str, value: i64, min: i64, max: i64) -> Result<(), Error> {
    let (op, bound) = if value < min {
        ("greater", min)
    } else if value > max {
        ("less", max)
    } else {
        return Ok(());
    };
    Err(Error::invalid_parameter(format!(
        "1 validation error detected: Value '{value}' at '{field}' failed to satisfy constraint: \
         Member must have value {op} than or equal to {bound}"
    )))
}
