//! Behind-ALB mode: the gate trusts the `x-amzn-oidc-data` an Application
//! Load Balancer (`authenticate-cognito` / `authenticate-oidc`) adds, after
//! verifying it with an [`AlbVerifier`] (signature, signer = your ALB,
//! client, issuer, expiry). Optionally it also verifies the forwarded
//! `x-amzn-oidc-accesstoken` with the gate's Cognito verifier; that token's
//! claims (groups, scopes) are then the identity, and its `sub` must equal
//! the data token's. Headers are read, never stripped: the ALB overwrites
//! them, and the signature check makes a client-sent value useless.

use crate::alb::{AlbClaims, AlbVerifier};
use crate::claims::CognitoClaims;
use crate::error::{Cause, Malformed, VerifyError};

use super::{Admitted, Gate, HeaderView, Mode, Rejection, RequestHead, Verdict};

/// The user claims JWT an ALB signs.
pub(super) const DATA_HEADER: &str = "x-amzn-oidc-data";
/// The IdP access token an ALB forwards.
pub(super) const ACCESS_TOKEN_HEADER: &str = "x-amzn-oidc-accesstoken";

/// The configuration of the mode.
#[derive(Debug)]
pub(super) struct BehindAlb {
    verifier: AlbVerifier,
    /// Also verify `x-amzn-oidc-accesstoken` and take its claims as the identity.
    access_token: bool,
}

/// What a request carried, read synchronously out of its headers.
enum Carried<'a> {
    Missing,
    /// One header of the pair without the other.
    Incomplete,
    /// A header repeated.
    Ambiguous,
    /// A value that is not text (so not base64url).
    NotText,
    Present {
        data: &'a str,
        access: Option<&'a str>,
    },
}

/// The single value of `name`: `Ok(None)` absent, `Err(())` repeated.
fn one<'a, H: HeaderView>(headers: &'a H, name: &str) -> Result<Option<&'a [u8]>, ()> {
    let mut values = headers.values(name);
    let first = values.next();
    if values.next().is_some() {
        return Err(());
    }
    Ok(first)
}

impl BehindAlb {
    fn carried<'a, H: HeaderView>(&self, headers: &'a H) -> Carried<'a> {
        let Ok(data) = one(headers, DATA_HEADER) else {
            return Carried::Ambiguous;
        };
        let access = if self.access_token {
            match one(headers, ACCESS_TOKEN_HEADER) {
                Ok(access) => access,
                Err(()) => return Carried::Ambiguous,
            }
        } else {
            None
        };
        let text = |bytes: &'a [u8]| std::str::from_utf8(bytes).ok();
        match (data, access, self.access_token) {
            (None, None, _) => Carried::Missing,
            (Some(data), None, false) => match text(data) {
                Some(data) => Carried::Present { data, access: None },
                None => Carried::NotText,
            },
            (Some(data), Some(access), true) => match (text(data), text(access)) {
                (Some(data), Some(access)) => Carried::Present {
                    data,
                    access: Some(access),
                },
                _ => Carried::NotText,
            },
            _ => Carried::Incomplete,
        }
    }
}

impl Gate {
    /// Trusts the user claims an Application Load Balancer signs into
    /// `x-amzn-oidc-data`, verified by `alb` (see the
    /// [`alb`](crate::alb) module: the signer check is what makes this safe).
    /// The identity is the data token's claims (no groups or scopes, so
    /// [`require_scopes`](Self::require_scopes) refuses every request here;
    /// use [`behind_alb_with_access_token`](Self::behind_alb_with_access_token)).
    /// A missing header gets the preset's missing-token answer (a guest on an
    /// optional gate); a repeated one is refused as ambiguous.
    pub fn behind_alb(mut self, alb: AlbVerifier) -> Self {
        self.mode = Mode::BehindAlb(std::sync::Arc::new(BehindAlb {
            verifier: alb,
            access_token: false,
        }));
        self
    }

    /// [`behind_alb`](Self::behind_alb), and also verifies the forwarded
    /// `x-amzn-oidc-accesstoken` with this gate's Cognito verifier and
    /// preset policy: its claims (groups, scopes) become the identity, and
    /// its `sub` must equal the data token's.
    pub fn behind_alb_with_access_token(mut self, alb: AlbVerifier) -> Self {
        self.mode = Mode::BehindAlb(std::sync::Arc::new(BehindAlb {
            verifier: alb,
            access_token: true,
        }));
        self
    }

    /// [`Gate::admit_now`] in this mode.
    pub(super) fn admit_behind_alb_now<H: HeaderView>(
        &self,
        alb: &BehindAlb,
        head: &RequestHead<'_, H>,
    ) -> Option<Result<Admitted, Rejection>> {
        let verdict = match alb.carried(head.headers) {
            Carried::Present { data, access } => {
                let data = alb.verifier.verify_cached(data)?;
                let access = match (&data, access) {
                    (Ok(_), Some(token)) => Some(self.verifier.verify_cached(token, &self.policy)?),
                    _ => None,
                };
                Verdict::Verified(self.alb_identity(data, access))
            }
            other => other.verdict(),
        };
        Some(self.decide(verdict).map(Admitted::plain))
    }

    /// [`Gate::admit`] in this mode.
    pub(super) async fn admit_behind_alb<H: HeaderView + Sync>(
        &self,
        alb: &BehindAlb,
        head: &RequestHead<'_, H>,
    ) -> Result<Admitted, Rejection> {
        // Read out of the headers before the first await.
        let verdict = match alb.carried(head.headers) {
            Carried::Present { data, access } => {
                let data = alb.verifier.verify(data).await;
                let access = match (&data, access) {
                    (Ok(_), Some(token)) => {
                        Some(self.verifier.verify_with(token, &self.policy).await)
                    }
                    _ => None,
                };
                Verdict::Verified(self.alb_identity(data, access))
            }
            other => other.verdict(),
        };
        self.decide(verdict).map(Admitted::plain)
    }

    /// The identity: the access token's claims when it was verified (same
    /// `sub` as the data token), else the data token's.
    fn alb_identity(
        &self,
        data: Result<AlbClaims, VerifyError>,
        access: Option<Result<CognitoClaims, VerifyError>>,
    ) -> Result<CognitoClaims, VerifyError> {
        let data = data?;
        match access {
            Some(access) => {
                let access = access?;
                if access.sub() != data.sub() {
                    return Err(Cause::IdentityMismatch.into());
                }
                Ok(access)
            }
            None => {
                if let Some(required) = &self.scopes
                    && !required.is_satisfied_by(std::iter::empty::<&str>())
                {
                    return Err(Cause::MissingScope(required.to_string()).into());
                }
                Ok(data.to_cognito_claims())
            }
        }
    }
}

impl Carried<'_> {
    /// The verdict of a request without a usable pair of headers.
    fn verdict(self) -> Verdict {
        match self {
            Carried::Missing => Verdict::Missing,
            Carried::Incomplete => Verdict::Malformed,
            Carried::Ambiguous => Verdict::Ambiguous,
            Carried::NotText => Verdict::Verified(Err(Malformed::Base64.into())),
            // Handled by the callers; kept total without a panic.
            Carried::Present { .. } => Verdict::Malformed,
        }
    }
}
