//! The exact HTTP answers each preset gives when it refuses a request.

use std::borrow::Cow;

use crate::error::{Cause, ErrorCategory, VerifyError};
use crate::policy::Requirement;

use super::Preset;

/// A refusal, ready to send: status, headers and body, byte for byte the same
/// in every adapter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    /// HTTP status: 401, 403 or 503 (500 for [`not_configured`](super::not_configured)).
    pub status: u16,
    /// Response headers (lower-case names), in order.
    pub headers: Vec<(&'static str, Cow<'static, str>)>,
    /// The body: JSON, except the plain text of [`not_configured`](super::not_configured).
    pub body: Cow<'static, str>,
    /// Why, as a snake_case code (a [`Cause::code`], or `missing_token`,
    /// `malformed_header`, `ambiguous_credentials`, `missing_group`, `missing_scope`, `not_owner`,
    /// `not_configured`).
    pub reason: &'static str,
}

/// Why a guard refused an authenticated request.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Denial {
    /// The token lacks the required groups.
    Group(Requirement),
    /// The token lacks the required scopes (or, for API Gateway REST, is not an access token).
    Scope(Requirement),
    /// The path parameter does not name the token's owner.
    Owner,
    /// The verifier's custom check refused the token.
    Custom,
}

const JSON: (&str, Cow<'static, str>) = ("content-type", Cow::Borrowed("application/json"));
const REST_UNAUTHORIZED: &str = r#"{"message":"Unauthorized"}"#;
const REST_EXPIRED: &str = r#"{"message":"The incoming token has expired"}"#;
const REST_DENIED: &str = r#"{"message":"User is not authorized to access this resource"}"#;
const HTTP_UNAUTHORIZED: &str = r#"{"message":"Unauthorized"}"#;
const HTTP_FORBIDDEN: &str = r#"{"message":"Forbidden"}"#;
const UNAVAILABLE: &str = r#"{"message":"Service Unavailable"}"#;

/// A short, client-safe description of a cause (no claim values).
pub fn describe(cause: &Cause) -> &'static str {
    match cause {
        Cause::Malformed(_) => "the token is malformed",
        Cause::TooLarge { .. } => "the token is too large",
        Cause::UnsupportedAlg(_) => "the signing algorithm is not accepted",
        Cause::UnknownKid(_) => "the signing key is unknown",
        Cause::UnusableKey { .. } => "the signing key cannot be used",
        Cause::BadSignature => "the signature is invalid",
        Cause::Expired { .. } => "the token has expired",
        Cause::NotYetValid { .. } => "the token is not valid yet",
        Cause::IssuedInFuture { .. } => "the token was issued in the future",
        Cause::LifetimeTooLong { .. } => "the token's lifetime is too long",
        Cause::WrongIssuer(_) => "the token has an invalid issuer",
        Cause::WrongTokenUse { .. } => "the token has an invalid token_use",
        Cause::WrongClient(_) => "the token does not have a valid audience",
        Cause::MissingGroup(_) => "the token lacks a required group",
        Cause::MissingScope(_) => "the token lacks a required scope",
        Cause::CustomCheck(_) => "the token does not grant access",
        Cause::JwksUnavailable(_) => "signing keys are unavailable",
        Cause::Revoked => "the token has been revoked",
        Cause::RevocationUnavailable(_) => "revocation status is unavailable",
        Cause::WrongSigner(_) => "the token was signed by another load balancer",
        Cause::IdentityMismatch => "the access token belongs to another user",
    }
}

fn json_body(pairs: &[(&str, &str)]) -> Cow<'static, str> {
    let map: serde_json::Map<String, serde_json::Value> = pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).into()))
        .collect();
    Cow::Owned(serde_json::Value::Object(map).to_string())
}

impl Preset {
    /// No token in the request.
    pub fn missing_token(self) -> Rejection {
        let (headers, body) = match self {
            Preset::Strict => (
                vec![("www-authenticate", Cow::Borrowed("Bearer")), JSON],
                Cow::Borrowed(
                    r#"{"error":"unauthorized","error_description":"a bearer token is required"}"#,
                ),
            ),
            Preset::ApiGatewayRest => (
                rest_headers("UnauthorizedException"),
                Cow::Borrowed(REST_UNAUTHORIZED),
            ),
            Preset::ApiGatewayHttp => (vec![JSON], Cow::Borrowed(HTTP_UNAUTHORIZED)),
        };
        Rejection {
            status: 401,
            headers,
            body,
            reason: "missing_token",
        }
    }

    /// A token header that cannot hold a token (`Basic ...`, `Bearer` alone).
    pub fn malformed_header(self) -> Rejection {
        let description = "the authorization header is malformed";
        Rejection {
            reason: "malformed_header",
            ..self.invalid_token(description, false)
        }
    }

    /// More than one credential (token header repeated, token cookie
    /// repeated, or header and cookie disagreeing): refused like a malformed
    /// header, under its own reason.
    pub fn ambiguous_credentials(self) -> Rejection {
        Rejection {
            reason: "ambiguous_credentials",
            ..self.invalid_token("the request carries more than one token", false)
        }
    }

    /// The verifier refused the token. `scopes` are the scopes the gate
    /// required, named in the challenge of a scope refusal.
    pub fn rejection(
        self,
        error: &VerifyError,
        retry_after_secs: u64,
        scopes: Option<&Requirement>,
    ) -> Rejection {
        let cause = error.cause();
        let mut rejection = match cause.category() {
            ErrorCategory::KeysUnavailable => Rejection {
                status: 503,
                headers: vec![
                    ("retry-after", Cow::Owned(retry_after_secs.to_string())),
                    JSON,
                ],
                body: match self {
                    Preset::Strict => Cow::Borrowed(
                        r#"{"error":"temporarily_unavailable","error_description":"signing keys are unavailable"}"#,
                    ),
                    _ => Cow::Borrowed(UNAVAILABLE),
                },
                reason: "",
            },
            ErrorCategory::Authentication => {
                self.invalid_token(describe(cause), matches!(cause, Cause::Expired { .. }))
            }
            ErrorCategory::Authorization => self.denied(&match cause {
                Cause::MissingGroup(_) => Denial::Group(Requirement::AnyOf(Vec::new())),
                Cause::MissingScope(_) => {
                    Denial::Scope(scopes.cloned().unwrap_or(Requirement::AnyOf(Vec::new())))
                }
                _ => Denial::Custom,
            }),
        };
        rejection.reason = cause.code();
        rejection
    }

    /// A guard (or the verifier's group/scope/custom policy) refused the token.
    pub fn denied(self, denial: &Denial) -> Rejection {
        let reason = match denial {
            Denial::Group(_) => "missing_group",
            Denial::Scope(_) => "missing_scope",
            Denial::Owner => "not_owner",
            Denial::Custom => "custom_check",
        };
        let scopes = match denial {
            Denial::Scope(required) => required.names().join(" "),
            _ => String::new(),
        };
        let (status, headers, body) = match (self, denial) {
            // REST authorizers treat a method's scopes as part of authentication.
            (Preset::ApiGatewayRest, Denial::Scope(_)) => (
                401,
                rest_headers("UnauthorizedException"),
                Cow::Borrowed(REST_UNAUTHORIZED),
            ),
            (Preset::ApiGatewayRest, _) => (
                403,
                rest_headers("AccessDeniedException"),
                Cow::Borrowed(REST_DENIED),
            ),
            (Preset::ApiGatewayHttp, Denial::Scope(_)) => (
                403,
                vec![
                    (
                        "www-authenticate",
                        Cow::Owned(format!(
                            r#"Bearer scope="{scopes}" error="insufficient_scope" error_description="expected scopes: [{scopes}]""#
                        )),
                    ),
                    JSON,
                ],
                Cow::Borrowed(HTTP_FORBIDDEN),
            ),
            (Preset::ApiGatewayHttp, _) => (403, vec![JSON], Cow::Borrowed(HTTP_FORBIDDEN)),
            (Preset::Strict, _) => {
                let description = match denial {
                    Denial::Group(_) => "the token lacks a required group",
                    Denial::Scope(_) => "the token lacks a required scope",
                    Denial::Owner => "the token does not own this resource",
                    Denial::Custom => "the token does not grant access",
                };
                let mut challenge = String::from(r#"Bearer error="insufficient_scope""#);
                if !scopes.is_empty() {
                    challenge.push_str(&format!(r#", scope="{scopes}""#));
                }
                challenge.push_str(&format!(r#", error_description="{description}""#));
                (
                    403,
                    vec![("www-authenticate", Cow::Owned(challenge)), JSON],
                    json_body(&[
                        ("error", "insufficient_scope"),
                        ("error_description", description),
                    ]),
                )
            }
        };
        Rejection {
            status,
            headers,
            body,
            reason,
        }
    }

    fn invalid_token(self, description: &'static str, expired: bool) -> Rejection {
        let (headers, body) = match self {
            Preset::Strict => (
                vec![
                    (
                        "www-authenticate",
                        Cow::Owned(format!(
                            r#"Bearer error="invalid_token", error_description="{description}""#
                        )),
                    ),
                    JSON,
                ],
                json_body(&[
                    ("error", "invalid_token"),
                    ("error_description", description),
                ]),
            ),
            Preset::ApiGatewayRest => (
                rest_headers("UnauthorizedException"),
                Cow::Borrowed(if expired {
                    REST_EXPIRED
                } else {
                    REST_UNAUTHORIZED
                }),
            ),
            Preset::ApiGatewayHttp => (
                vec![
                    (
                        "www-authenticate",
                        Cow::Owned(format!(
                            r#"Bearer scope="" error="invalid_token" error_description="{description}""#
                        )),
                    ),
                    JSON,
                ],
                Cow::Borrowed(HTTP_UNAUTHORIZED),
            ),
        };
        Rejection {
            status: 401,
            headers,
            body,
            reason: "invalid_token",
        }
    }
}

fn rest_headers(error_type: &'static str) -> Vec<(&'static str, Cow<'static, str>)> {
    vec![("x-amzn-errortype", Cow::Borrowed(error_type)), JSON]
}
