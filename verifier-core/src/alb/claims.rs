//! [`AlbClaims`]: the user claims an ALB forwards in `x-amzn-oidc-data`
//! (the IdP's userInfo answer plus `exp` and `iss`), read by the same strict
//! payload parser as Cognito tokens.

use std::fmt;

use serde_json::{Map, Value};

use crate::claims::{CognitoClaims, Payload};
use crate::error::Cause;

/// The claims of a verified `x-amzn-oidc-data` token.
///
/// Cheap to clone. The typed accessors cover what an ALB forwards from
/// Cognito's userInfo endpoint; [`raw`](Self::raw) has everything.
/// `Debug` redacts personal data exactly as [`CognitoClaims`] does.
#[derive(Clone, PartialEq)]
pub struct AlbClaims {
    claims: CognitoClaims,
}

impl AlbClaims {
    /// Checks the payload's types: `sub`, `iss` (strings) and a numeric `exp`
    /// are required; `email_verified` may be a boolean or `"true"`/`"false"`.
    pub(crate) fn from_payload(payload: Payload) -> Result<Self, Cause> {
        payload.issuer()?;
        Ok(AlbClaims {
            claims: CognitoClaims::from_payload(payload)?,
        })
    }

    /// `sub`: the user's id at the IdP (what the ALB also sends as `x-amzn-oidc-identity`).
    pub fn sub(&self) -> &str {
        self.claims.sub()
    }

    /// `email`.
    pub fn email(&self) -> Option<&str> {
        self.claims.email()
    }

    /// `email_verified`; Cognito's userInfo sends the strings `"true"`/`"false"`.
    pub fn email_verified(&self) -> Option<bool> {
        self.claims.email_verified()
    }

    /// `username` (Cognito's userInfo includes it).
    pub fn username(&self) -> Option<&str> {
        self.claims.username()
    }

    /// `exp`, seconds since the epoch.
    pub fn exp(&self) -> i64 {
        self.claims.exp()
    }

    /// `iss`, the IdP's issuer.
    pub fn iss(&self) -> &str {
        self.claims.issuer()
    }

    /// Any claim as a string, if it is one.
    pub fn str(&self, claim: &str) -> Option<&str> {
        self.claims.str(claim)
    }

    /// Every claim, exactly as in the token.
    pub fn raw(&self) -> &Map<String, Value> {
        self.claims.raw()
    }

    /// The same claims as a [`CognitoClaims`], so extractors and guards work
    /// unchanged behind an ALB (no groups or scopes: userInfo has none).
    pub fn to_cognito_claims(&self) -> CognitoClaims {
        self.claims.clone()
    }
}

impl fmt::Debug for AlbClaims {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("AlbClaims").field(&self.claims).finish()
    }
}
