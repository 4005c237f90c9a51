//! CSRF protection of the hosted UI's forms by double submit: the cookie
//! `XSRF-TOKEN` (HttpOnly, SameSite=Strict) holds a random token that every
//! form repeats in its hidden `_csrf` field; a POST whose field is missing
//! or differs (compared in constant time) is refused before anything runs.
//! A page reuses the browser's token, or issues one with its answer.

use super::{Visit, cookie_in};
use crate::ids;

/// The CSRF cookie's name.
pub(super) const COOKIE: &str = "XSRF-TOKEN";

/// A fresh token (256 random bits, base64url).
pub(super) fn new_token() -> String {
    ids::opaque_token(32)
}

/// The browser's token, if it sent exactly one well-formed one.
pub(super) fn from_cookies(cookies: &[(String, String)]) -> Option<String> {
    cookie_in(cookies, COOKIE)
        .filter(|v| {
            v.len() == 43
                && v.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        })
        .map(str::to_string)
}

/// The `Set-Cookie` value carrying `token`.
pub(super) fn set_cookie(token: &str, secure: bool) -> String {
    format!(
        "{COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict{}",
        if secure { "; Secure" } else { "" }
    )
}

/// Whether the submitted `_csrf` equals the token of the browser's cookie
/// (a visit without the cookie never matches).
pub(super) fn matches(visit: &Visit, submitted: Option<&str>) -> bool {
    let (Some(cookie), Some(given)) = (from_cookies(&visit.cookies), submitted) else {
        return false;
    };
    aws_lc_rs::constant_time::verify_slices_are_equal(cookie.as_bytes(), given.as_bytes()).is_ok()
}
