//! The one seam between a web framework and the gate: what the gate reads of
//! a request ([`RequestHead`] over a [`HeaderView`]) and what it hands back
//! for an admitted one ([`Admitted`]).
//!
//! Every mode of the gate (bearer tokens, behind an ALB, being the ALB)
//! takes the same input and gives the same output, so an adapter is written
//! once: strip the headers [`Gate::strips`](super::Gate::strips) names, call
//! [`Gate::admit_now`](super::Gate::admit_now) and fall back to
//! [`Gate::admit`](super::Gate::admit), then either set
//! [`Admitted::request_headers`], attach [`Admitted::auth`] and append
//! [`Admitted::response_headers`] to the inner service's response, or send
//! the [`Rejection`](super::Rejection) (which is also how redirects leave).

use bytes::Bytes;

use super::AuthContext;

/// Header access the gate needs, implemented by each adapter over its own
/// header map.
pub trait HeaderView {
    /// Every value of header `name` (given in ASCII lower case), in request
    /// order; empty when the header is absent.
    fn values<'s>(&'s self, name: &str) -> impl Iterator<Item = &'s [u8]> + 's;
}

/// The parts of a request the gate reads.
#[derive(Debug, Clone, Copy)]
pub struct RequestHead<'a, H> {
    /// The method, e.g. `GET`.
    pub method: &'a str,
    /// The request target in origin form: the path and, if any, `?` and the query, as received.
    pub target: &'a str,
    /// The request's headers.
    pub headers: &'a H,
}

impl<'a, H: HeaderView> RequestHead<'a, H> {
    /// A request head.
    pub fn new(method: &'a str, target: &'a str, headers: &'a H) -> Self {
        RequestHead {
            method,
            target,
            headers,
        }
    }

    /// The path: the target up to `?`.
    pub fn path(&self) -> &'a str {
        self.target.split_once('?').map_or(self.target, |(p, _)| p)
    }

    /// The query: the target after `?`, if any.
    pub fn query(&self) -> Option<&'a str> {
        self.target.split_once('?').map(|(_, q)| q)
    }

    /// The only value of header `name` as text: `None` when the header is
    /// absent, repeated or not UTF-8.
    pub fn single(&self, name: &str) -> Option<&'a str> {
        let mut values = self.headers.values(name);
        let first = values.next()?;
        if values.next().is_some() {
            return None;
        }
        std::str::from_utf8(first).ok()
    }
}

/// An admitted request: the identity to attach and the headers to set.
#[derive(Debug, Clone)]
pub struct Admitted {
    /// What extractors and guards read.
    pub auth: AuthContext,
    /// Set on the request before the inner service sees it, replacing any
    /// value it had (lower-case names). Shared bytes, so a cached session's
    /// kilobyte-long values reach the request without a copy
    /// (`HeaderValue::from_maybe_shared`).
    pub request_headers: Vec<(&'static str, Bytes)>,
    /// Appended to the inner service's response (lower-case names), e.g.
    /// `set-cookie` after a session was refreshed.
    pub response_headers: Vec<(&'static str, String)>,
}

impl Admitted {
    /// An admission that changes no header.
    pub fn plain(auth: AuthContext) -> Self {
        Admitted {
            auth,
            request_headers: Vec::new(),
            response_headers: Vec::new(),
        }
    }
}

/// Headers as name/value pairs, for the gate's unit tests.
#[cfg(test)]
pub(crate) struct TestHeaders(pub(crate) Vec<(&'static str, &'static [u8])>);

#[cfg(test)]
impl TestHeaders {
    /// Pairs with text values.
    pub(crate) fn text(pairs: &[(&'static str, &'static str)]) -> Self {
        TestHeaders(pairs.iter().map(|(n, v)| (*n, v.as_bytes())).collect())
    }
}

#[cfg(test)]
impl HeaderView for TestHeaders {
    fn values<'s>(&'s self, name: &str) -> impl Iterator<Item = &'s [u8]> + 's {
        let name = name.to_owned();
        self.0
            .iter()
            .filter(move |(n, _)| *n == name)
            .map(|(_, v)| *v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_query_and_single_values() {
        let map = TestHeaders(vec![
            ("host", b"example.com"),
            ("accept", b"a"),
            ("accept", b"b"),
            ("x-bin", b"\xff"),
        ]);
        let head = RequestHead::new("GET", "/a/b?x=1&y", &map);
        assert_eq!(head.path(), "/a/b");
        assert_eq!(head.query(), Some("x=1&y"));
        assert_eq!(head.single("host"), Some("example.com"));
        assert_eq!(head.single("accept"), None, "repeated");
        assert_eq!(head.single("x-bin"), None, "not UTF-8");
        assert_eq!(head.single("missing"), None);
        let bare = RequestHead::new("GET", "/only", &map);
        assert_eq!((bare.path(), bare.query()), ("/only", None));
    }
}
