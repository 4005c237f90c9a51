//! The one rule for an extractor or guard that runs on a route without the
//! gate: a server configuration error, logged, answered with 500.

use std::borrow::Cow;

use super::AuthContext;
use super::response::Rejection;

/// How an adapter names its gate in the log line of an unconfigured route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Installation {
    /// The missing component as the log names it, e.g. `CognitoAuthLayer`.
    pub component: &'static str,
    /// How to install it, e.g. ``"`.layer(CognitoAuthLayer::new(verifier))` to the router"``.
    pub fix: &'static str,
}

/// Status of [`not_configured`].
pub const NOT_CONFIGURED_STATUS: u16 = 500;

const NOT_CONFIGURED_BODY: &str = "authentication is not configured for this route";

/// The [`AuthContext`] an extractor or guard found in the request, or, when
/// the route is not behind the gate, the configuration error: logged at
/// `error` level here (with `path` when given) and answered with
/// [`not_configured`]. Without the gate, a route must fail loudly rather
/// than look like an unauthenticated one.
pub fn require_context<'a>(
    found: Option<&'a AuthContext>,
    installation: &Installation,
    path: Option<&str>,
) -> Result<&'a AuthContext, Rejection> {
    found.ok_or_else(|| {
        tracing::error!(
            path,
            "a Cognito claims extractor ran on a route without {}; add {}",
            installation.component,
            installation.fix
        );
        not_configured()
    })
}

/// The answer to a route that uses claims without the gate: 500, plain text.
/// [`require_context`] logs the cause; this only renders the answer.
pub fn not_configured() -> Rejection {
    Rejection {
        status: NOT_CONFIGURED_STATUS,
        headers: vec![("content-type", Cow::Borrowed("text/plain; charset=utf-8"))],
        body: Cow::Borrowed(NOT_CONFIGURED_BODY),
        reason: "not_configured",
    }
}
