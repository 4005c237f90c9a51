//! The hosted-UI session cookie `cognito-session-<pool_id>`: an opaque
//! value (its SHA-256 is stored by `oauth::hosted_session`), Path=/,
//! HttpOnly, SameSite=Lax (sent on the top-level redirect from the app to
//! `/oauth2/authorize`), Secure when the public URL is https, one hour.

use super::Visit;
use crate::oauth::hosted_session::SESSION_TTL;

/// The cookie's name for `pool_id`.
pub(super) fn name(pool_id: &str) -> String {
    format!("cognito-session-{pool_id}")
}

/// The session cookie of `pool_id` the browser sent (exactly one).
pub(super) fn value<'a>(visit: &'a Visit, pool_id: &str) -> Option<&'a str> {
    visit.cookie(&name(pool_id))
}

/// The `Set-Cookie` value opening the session `value`.
pub(super) fn set(pool_id: &str, value: &str, secure: bool) -> String {
    format!(
        "{}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={SESSION_TTL}{}",
        name(pool_id),
        if secure { "; Secure" } else { "" }
    )
}

/// The `Set-Cookie` value that removes the session cookie.
pub(super) fn expire(pool_id: &str, secure: bool) -> String {
    format!(
        "{}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{}",
        name(pool_id),
        if secure { "; Secure" } else { "" }
    )
}
