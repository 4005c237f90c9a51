//! What a request carried, as authenticate mode reads it before any await:
//! the path, the session shards, the nonce cookie, whether it is a browser
//! navigation, and the origin redirects are built on.

use std::borrow::Cow;

use super::config::{AlbAuth, NONCE_COOKIE};
use super::cookies::{self, CookieAttrs, Joined};
use super::oidc::unix_now;
use crate::gate::{HeaderView, RequestHead};

/// What a request carried, read synchronously before any await.
pub(super) struct Visit<'a> {
    pub(super) now: i64,
    pub(super) target: &'a str,
    pub(super) path: &'a str,
    pub(super) query: Option<&'a str>,
    /// The configured public origin, if any.
    pub(super) public_origin: Option<&'a str>,
    /// The `Host` header, if there is exactly one and it is well formed.
    pub(super) host: Option<&'a str>,
    pub(super) session: Joined<'a>,
    /// The only `AWSALBAuthNonce` cookie, if exactly one.
    pub(super) nonce: Option<&'a str>,
    pub(super) bearer: bool,
    pub(super) navigates: bool,
}

impl<'a> Visit<'a> {
    pub(super) fn read<H: HeaderView>(auth: &'a AlbAuth, head: &RequestHead<'a, H>) -> Self {
        let headers = head.headers;
        // Only a redirect or a callback needs the origin: it is built then.
        let host = match auth.public_origin {
            Some(_) => None,
            None => head.single("host").filter(|h| is_host(h)),
        };
        let mut nonce = None;
        let mut nonces = 0;
        for pair in headers.values("cookie").flat_map(cookies::pairs) {
            if let Some(value) = pair
                .strip_prefix(NONCE_COOKIE.as_bytes())
                .and_then(|rest| rest.strip_prefix(b"="))
            {
                nonces += 1;
                nonce = std::str::from_utf8(value.trim_ascii()).ok();
            }
        }
        let bearer = auth.accept_bearer
            && headers
                .values("authorization")
                .any(|v| v.len() > 7 && v[..7].eq_ignore_ascii_case(b"bearer "));
        let navigates = match head.single("sec-fetch-mode") {
            Some(mode) => mode.eq_ignore_ascii_case("navigate"),
            None => headers.values("accept").any(accepts_html),
        };
        Visit {
            now: unix_now(),
            target: head.target,
            path: head.path(),
            query: head.query(),
            public_origin: auth.public_origin.as_deref(),
            host,
            session: cookies::join(&auth.session_cookie, headers.values("cookie")),
            nonce: if nonces == 1 { nonce } else { None },
            bearer,
            navigates,
        }
    }

    /// `scheme://host[:port]` of the site, `None` without a usable `Host`.
    pub(super) fn origin(&self) -> Option<Cow<'a, str>> {
        match self.public_origin {
            Some(origin) => Some(Cow::Borrowed(origin)),
            None => self.host.map(|h| Cow::Owned(format!("https://{h}"))),
        }
    }

    /// Cookies are `Secure` unless the configured origin is plain http
    /// (an origin taken from `Host` is always `https://`).
    pub(super) fn secure(&self) -> bool {
        !self.public_origin.is_some_and(|o| o.starts_with("http://"))
    }

    pub(super) fn attrs(&self) -> CookieAttrs {
        CookieAttrs::new(self.secure())
    }
}

/// Whether an `Accept` value names `text/html` (any case), found by
/// jumping between `t`s rather than comparing at every byte.
fn accepts_html(accept: &[u8]) -> bool {
    memchr::memchr2_iter(b't', b'T', accept).any(|at| {
        accept
            .get(at..at + 9)
            .is_some_and(|w| w.eq_ignore_ascii_case(b"text/html"))
    })
}

/// A `Host` value: a DNS name or IP literal with an optional port.
fn is_host(host: &str) -> bool {
    !host.is_empty()
        && host.len() <= 255
        && host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-.:[]".contains(&b))
}

#[cfg(test)]
mod tests {
    use super::accepts_html;

    #[test]
    fn accepts_html_in_any_case_anywhere() {
        assert!(accepts_html(b"text/html"));
        assert!(accepts_html(b"application/xhtml+xml, TEXT/HTML;q=0.9"));
        assert!(accepts_html(b"*/*, Text/Html"));
        assert!(accepts_html(b"tt text/html"));
        assert!(!accepts_html(b"application/json, text/plain"));
        assert!(!accepts_html(b"text/htm"));
        assert!(!accepts_html(b""));
    }
}
