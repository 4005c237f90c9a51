//! The hosted UI's sign-in: the same password check, lockout, user
//! existence rules and challenges as `USER_PASSWORD_AUTH`, for a context
//! that completes into a [`SignedIn`](super::SignedIn) rather than tokens.
//! Cognito's managed login works whatever the client's `ExplicitAuthFlows`,
//! so no flow is required here; the pool's rate limit still applies.

use super::{Completion, FlowContext, Outcome, password};
use crate::error::{Error, Result};
use crate::issuer::Issuer;

/// Signs `username` in with `password` through the hosted UI.
pub(crate) fn sign_in(
    issuer: &Issuer,
    ctx: &FlowContext,
    username: &str,
    pw: &str,
) -> Result<Outcome> {
    if ctx.completion != Completion::HostedUi {
        return Err(Error::internal("hosted sign-in outside the hosted UI"));
    }
    if username.is_empty() || pw.is_empty() {
        return Err(Error::invalid_parameter(
            "Missing required parameter USERNAME or PASSWORD",
        ));
    }
    issuer.rate_limits.take(&ctx.pool.id)?;
    let user = password::authenticate(issuer, ctx, username, pw)?;
    password::after_first_factor(issuer, ctx, user)
}
