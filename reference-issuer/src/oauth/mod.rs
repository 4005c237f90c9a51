//! The pool domain's OAuth 2.0 grants and endpoints, over the same domain
//! flows as the JSON API: client authentication ([`client_auth`]), the
//! `client_credentials` grant ([`client_credentials`]), the
//! `refresh_token` grant ([`refresh_token`], calling `signin::refresh`),
//! revocation ([`revoke`]), userInfo ([`userinfo`]) and the revocation
//! list ([`revocation`], not in Cognito). Errors are typed [`OAuthError`]s,
//! rendered as RFC 6749 JSON at the HTTP edge.

pub(crate) mod authorization_code;
pub(crate) mod authorize;
pub(crate) mod client_auth;
pub(crate) mod client_credentials;
pub(crate) mod hosted_session;
pub(crate) mod refresh_token;
pub(crate) mod revocation;
pub(crate) mod revoke;
pub(crate) mod userinfo;

/// An RFC 6749 / RFC 7009 / RFC 6750 error code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub(crate) enum OAuthErrorKind {
    /// `invalid_request`.
    InvalidRequest,
    /// `invalid_client`.
    InvalidClient,
    /// `invalid_grant`.
    InvalidGrant,
    /// `unauthorized_client`.
    UnauthorizedClient,
    /// `unsupported_grant_type`.
    UnsupportedGrantType,
    /// `invalid_scope`.
    InvalidScope,
    /// `unsupported_token_type`.
    UnsupportedTokenType,
    /// `invalid_token` (userInfo).
    InvalidToken,
    /// `server_error` (a fault; answered with 500).
    ServerError,
}

impl OAuthErrorKind {
    /// The `error` value.
    pub(crate) fn code(self) -> &'static str {
        match self {
            Self::InvalidRequest => "invalid_request",
            Self::InvalidClient => "invalid_client",
            Self::InvalidGrant => "invalid_grant",
            Self::UnauthorizedClient => "unauthorized_client",
            Self::UnsupportedGrantType => "unsupported_grant_type",
            Self::InvalidScope => "invalid_scope",
            Self::UnsupportedTokenType => "unsupported_token_type",
            Self::InvalidToken => "invalid_token",
            Self::ServerError => "server_error",
        }
    }
}

/// An OAuth2 error: a kind and an optional `error_description`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct OAuthError {
    /// The error code.
    pub kind: OAuthErrorKind,
    /// `error_description`, if any.
    pub description: Option<String>,
}

impl OAuthError {
    /// An error without description.
    pub(crate) fn new(kind: OAuthErrorKind) -> Self {
        Self {
            kind,
            description: None,
        }
    }

    /// Adds an `error_description`.
    pub(crate) fn describe(mut self, d: impl Into<String>) -> Self {
        self.description = Some(d.into());
        self
    }
}

impl From<OAuthErrorKind> for OAuthError {
    fn from(kind: OAuthErrorKind) -> Self {
        Self::new(kind)
    }
}

/// A Lambda trigger's refusal of a grant as an OAuth2 error:
/// `invalid_request` described by the message the user pool API gives
/// (AWS documents no OAuth2 form of it); `None` for other errors.
pub(crate) fn lambda_refusal(e: &crate::error::Error) -> Option<OAuthError> {
    use crate::error::ErrorKind::*;
    matches!(
        e.kind,
        UserLambdaValidation | InvalidLambdaResponse | UnexpectedLambda
    )
    .then(|| {
        tracing::warn!(error = %e.message, "a Lambda trigger refused an OAuth2 grant");
        OAuthError::new(OAuthErrorKind::InvalidRequest).describe(e.message.clone())
    })
}

/// A trigger that failed a grant (see [`lambda_refusal`]).
pub(crate) fn trigger_failed(e: crate::triggers::TriggerError) -> OAuthError {
    let e = crate::error::Error::from(e);
    lambda_refusal(&e).unwrap_or_else(|| OAuthErrorKind::ServerError.into())
}

/// A token endpoint response.
#[derive(Debug, Clone)]
pub(crate) struct TokenResponse {
    /// `access_token`.
    pub access_token: String,
    /// `id_token` (user grants only).
    pub id_token: Option<String>,
    /// `refresh_token` (a refresh grant on a client with rotation).
    pub refresh_token: Option<String>,
    /// `expires_in`.
    pub expires_in: i64,
}

#[cfg(test)]
mod tests;
