//! Errors: why a token was rejected, and why a configuration was refused.
//!
//! Every rejection is a [`VerifyError`] whose [`Cause`] names the exact reason
//! and whose [`ErrorCategory`] tells an HTTP adapter what to answer:
//! authentication failures are 401, authorization failures are 403 and
//! unavailable keys are 503.

use std::fmt;

/// What kind of failure a [`Cause`] is; adapters map it to an HTTP status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorCategory {
    /// The token is not acceptable as a credential (HTTP 401).
    Authentication,
    /// The token is genuine but does not grant what is required (HTTP 403).
    Authorization,
    /// The verifier could not obtain signing keys or revocation status (HTTP 503, retry later).
    KeysUnavailable,
}

/// A JWT claim or header member that was missing or had the wrong shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Malformed {
    /// The token does not have exactly three non-empty dot-separated segments.
    Segments,
    /// A segment is not strict, unpadded base64url.
    Base64,
    /// The header or payload is not a JSON object (or repeats a member name).
    Json,
    /// The header has no `kid`, or it is not a short string.
    Kid,
    /// The header carries `crit`, which this verifier does not understand (RFC 7515 §4.1.11).
    Crit,
    /// A required claim is absent.
    MissingClaim(&'static str),
    /// A claim has the wrong JSON type or an impossible value.
    InvalidClaim(&'static str),
}

impl fmt::Display for Malformed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Malformed::Segments => f.write_str("token must have three non-empty segments"),
            Malformed::Base64 => f.write_str("segment is not unpadded base64url"),
            Malformed::Json => {
                f.write_str("header or payload is not a JSON object without duplicate members")
            }
            Malformed::Kid => f.write_str("header has no usable kid"),
            Malformed::Crit => f.write_str("header has a crit member, which is not supported"),
            Malformed::MissingClaim(claim) => write!(f, "claim {claim} is missing"),
            Malformed::InvalidClaim(claim) => {
                write!(f, "claim {claim} has an invalid type or value")
            }
        }
    }
}

/// The exact reason a token was rejected.
///
/// Causes never contain the token itself; they may contain claim values that
/// were read from a token whose signature was verified (e.g. the wrong client
/// id), or header values such as the `alg` and `kid`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Cause {
    /// The token is structurally invalid.
    #[error("malformed token: {0}")]
    Malformed(Malformed),
    /// The token is longer than the configured maximum.
    #[error("token is {size} bytes, more than the {max} allowed")]
    TooLarge {
        /// Length of the presented token in bytes.
        size: usize,
        /// Configured maximum.
        max: usize,
    },
    /// The header's `alg` is not one this verifier accepts (only RS256 for Cognito).
    #[error("algorithm {0:?} is not accepted")]
    UnsupportedAlg(String),
    /// No key with the header's `kid` is published by the issuer.
    #[error("no key with kid {0:?} in the issuer's JWKS")]
    UnknownKid(String),
    /// The key with this `kid` exists but must not be used to verify this token.
    #[error("key {kid:?} cannot verify this token: {reason}")]
    UnusableKey {
        /// The key id.
        kid: String,
        /// Why the key was refused (e.g. `use` is not `sig`).
        reason: String,
    },
    /// The signature does not verify.
    #[error("signature does not verify")]
    BadSignature,
    /// `exp` has passed.
    #[error("token expired at {exp} (now {now})")]
    Expired {
        /// The token's `exp`.
        exp: i64,
        /// The verifier's clock, in seconds since the epoch.
        now: i64,
    },
    /// `nbf` is in the future.
    #[error("token not valid before {nbf} (now {now})")]
    NotYetValid {
        /// The token's `nbf`.
        nbf: i64,
        /// The verifier's clock.
        now: i64,
    },
    /// `iat` is in the future.
    #[error("token issued in the future at {iat} (now {now})")]
    IssuedInFuture {
        /// The token's `iat`.
        iat: i64,
        /// The verifier's clock.
        now: i64,
    },
    /// The token lives longer than the verifier accepts (`exp - iat`, or
    /// `exp - now` without `iat`): by default one day, Cognito's longest ID
    /// and access token validity. See
    /// [`max_token_lifetime`](crate::CognitoVerifierBuilder::max_token_lifetime).
    #[error("token lifetime {lifetime} s exceeds the {max} s allowed")]
    LifetimeTooLong {
        /// The token's lifetime in seconds.
        lifetime: i64,
        /// The configured maximum in seconds.
        max: i64,
    },
    /// `iss` is not one of the configured issuers.
    #[error("issuer {0:?} is not accepted")]
    WrongIssuer(String),
    /// `token_use` is not the expected one.
    #[error("token_use {found:?} is not accepted (expected {expected})")]
    WrongTokenUse {
        /// What the verifier expected.
        expected: String,
        /// What the token carried (empty when absent).
        found: String,
    },
    /// `aud` / `client_id` is not an allowed app client.
    #[error("app client {0:?} is not allowed")]
    WrongClient(String),
    /// The token's `cognito:groups` do not satisfy the required groups.
    #[error("required group missing ({0})")]
    MissingGroup(String),
    /// The token's `scope` does not satisfy the required scopes.
    #[error("required scope missing ({0})")]
    MissingScope(String),
    /// The user-supplied claim check refused the token.
    #[error("custom claim check failed: {0}")]
    CustomCheck(String),
    /// Signing keys could not be fetched and none usable are cached.
    #[error("signing keys unavailable: {0}")]
    JwksUnavailable(String),
    /// The issuer's revocation list names this token's sign-in (opt-in check).
    #[error("token has been revoked")]
    Revoked,
    /// Revocation checking is on but the list could not be loaded.
    #[error("revocation status unavailable: {0}")]
    RevocationUnavailable(String),
    /// An ALB's `x-amzn-oidc-data` was signed by a load balancer that is not
    /// one of the configured ARNs (or names none). Any ALB can sign a token
    /// whose key the regional key server publishes ("ALBeast"), so this check
    /// is what ties the token to your load balancer.
    #[error("signer {0:?} is not an accepted load balancer")]
    WrongSigner(String),
    /// Behind an ALB, the access token and the ALB's user claims
    /// (`x-amzn-oidc-data`) name different users (`sub`).
    #[error("the access token and the ALB's user claims name different users")]
    IdentityMismatch,
}

impl Cause {
    /// The category that decides the HTTP status an adapter answers with.
    pub fn category(&self) -> ErrorCategory {
        match self {
            Cause::MissingGroup(_) | Cause::MissingScope(_) | Cause::CustomCheck(_) => {
                ErrorCategory::Authorization
            }
            Cause::JwksUnavailable(_) | Cause::RevocationUnavailable(_) => {
                ErrorCategory::KeysUnavailable
            }
            _ => ErrorCategory::Authentication,
        }
    }

    /// A stable snake_case name for the cause, for logs, metrics and JSON.
    pub fn code(&self) -> &'static str {
        match self {
            Cause::Malformed(_) => "malformed",
            Cause::TooLarge { .. } => "too_large",
            Cause::UnsupportedAlg(_) => "unsupported_alg",
            Cause::UnknownKid(_) => "unknown_kid",
            Cause::UnusableKey { .. } => "unusable_key",
            Cause::BadSignature => "bad_signature",
            Cause::Expired { .. } => "expired",
            Cause::NotYetValid { .. } => "not_yet_valid",
            Cause::IssuedInFuture { .. } => "issued_in_future",
            Cause::LifetimeTooLong { .. } => "lifetime_too_long",
            Cause::WrongIssuer(_) => "wrong_issuer",
            Cause::WrongTokenUse { .. } => "wrong_token_use",
            Cause::WrongClient(_) => "wrong_client",
            Cause::MissingGroup(_) => "missing_group",
            Cause::MissingScope(_) => "missing_scope",
            Cause::CustomCheck(_) => "custom_check",
            Cause::JwksUnavailable(_) => "jwks_unavailable",
            Cause::Revoked => "revoked",
            Cause::RevocationUnavailable(_) => "revocation_unavailable",
            Cause::WrongSigner(_) => "wrong_signer",
            Cause::IdentityMismatch => "identity_mismatch",
        }
    }
}

/// A rejected token: the [`Cause`], and the token itself only if the verifier
/// was built with [`include_token_in_errors`](crate::CognitoVerifierBuilder::include_token_in_errors).
#[derive(Clone, PartialEq, Eq)]
pub struct VerifyError {
    cause: Cause,
    token: Option<Box<str>>,
}

impl VerifyError {
    /// The exact reason for the rejection.
    pub fn cause(&self) -> &Cause {
        &self.cause
    }

    /// Consumes the error, returning its cause.
    pub fn into_cause(self) -> Cause {
        self.cause
    }

    /// 401, 403 or 503 material: see [`ErrorCategory`].
    pub fn category(&self) -> ErrorCategory {
        self.cause.category()
    }

    /// Snake_case name of the cause (see [`Cause::code`]).
    pub fn code(&self) -> &'static str {
        self.cause.code()
    }

    /// The rejected token, present only when the verifier opted in.
    pub fn token(&self) -> Option<&str> {
        self.token.as_deref()
    }

    pub(crate) fn with_token(mut self, token: &str) -> Self {
        self.token = Some(token.into());
        self
    }
}

impl From<Cause> for VerifyError {
    fn from(cause: Cause) -> Self {
        VerifyError { cause, token: None }
    }
}

impl From<Malformed> for Cause {
    fn from(m: Malformed) -> Self {
        Cause::Malformed(m)
    }
}

impl From<Malformed> for VerifyError {
    fn from(m: Malformed) -> Self {
        Cause::Malformed(m).into()
    }
}

impl fmt::Display for VerifyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.cause, f)
    }
}

// Debug shows only whether a token is attached, never its contents.
impl fmt::Debug for VerifyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VerifyError")
            .field("cause", &self.cause)
            .field("token", &self.token.as_ref().map(|_| "<attached>"))
            .finish()
    }
}

impl std::error::Error for VerifyError {}

/// Why a verifier configuration was refused at build time.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// The user pool id is not `<region>_<id>`.
    #[error("invalid user pool id {0:?}: expected <region>_<id>, e.g. us-east-1_AbCdEf123")]
    InvalidPoolId(String),
    /// An issuer or JWKS URI override is not an absolute http(s) URL.
    #[error("invalid URL {url:?}: {reason}")]
    InvalidUrl {
        /// The rejected value.
        url: String,
        /// Why.
        reason: String,
    },
    /// A pool has neither allowed client ids nor the explicit opt-out.
    #[error(
        "pool {0}: no app client ids configured; add client_ids(..) or call skip_client_check() explicitly"
    )]
    NoClientCheck(String),
    /// Two pools resolve to the same issuer.
    #[error("issuer {0} is configured twice")]
    DuplicateIssuer(String),
    /// The verifier has no pool.
    #[error("no user pool configured")]
    NoPools,
    /// A numeric setting is out of range.
    #[error("invalid setting {0}")]
    InvalidSetting(&'static str),
    /// A mandatory setting was not given.
    #[error("{0} is required")]
    Missing(&'static str),
    /// A load balancer ARN is not an Application Load Balancer's.
    #[error("invalid load balancer ARN {arn:?}: {reason}")]
    InvalidAlbArn {
        /// The rejected value.
        arn: String,
        /// Why.
        reason: &'static str,
    },
}
