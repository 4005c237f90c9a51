//! Where a request carries its token: a header (raw or `Bearer`), or a cookie.

/// Where the gate looks for the token.
///
/// The header is API Gateway's "identity source" (default `Authorization`);
/// its value may be the raw token or `Bearer <token>` (scheme
/// case-insensitive). The cookie, when configured, is read only if the
/// header is absent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenSource {
    header: String,
    cookie: Option<String>,
}

impl Default for TokenSource {
    fn default() -> Self {
        TokenSource {
            header: "authorization".to_owned(),
            cookie: None,
        }
    }
}

/// What the request carried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Presented<'a> {
    /// No token at all.
    Missing,
    /// Something that cannot be a token (e.g. `Basic ...`, `Bearer` alone).
    Malformed,
    /// A candidate token, not yet verified.
    Token(&'a str),
}

impl TokenSource {
    /// Reads the token from header `name` (case-insensitive).
    pub fn header(name: impl Into<String>) -> Self {
        TokenSource {
            header: name.into().to_ascii_lowercase(),
            cookie: None,
        }
    }

    /// The same source reading header `name` instead.
    pub fn with_header(mut self, name: &str) -> Self {
        self.header = name.to_ascii_lowercase();
        self
    }

    /// Also reads the token from cookie `name` when the header is absent.
    pub fn with_cookie(mut self, name: impl Into<String>) -> Self {
        self.cookie = Some(name.into());
        self
    }

    /// The header name, lower-case.
    pub fn header_name(&self) -> &str {
        &self.header
    }

    /// The cookie name, if any.
    pub fn cookie_name(&self) -> Option<&str> {
        self.cookie.as_deref()
    }

    /// Finds the token given the raw value of the configured header and of
    /// the `Cookie` header (each `None` when absent).
    pub fn find<'a>(&self, header: Option<&'a [u8]>, cookies: Option<&'a [u8]>) -> Presented<'a> {
        match header {
            Some(value) if !value.is_empty() => parse_header(value),
            _ => match (&self.cookie, cookies) {
                (Some(name), Some(cookies)) => find_cookie(cookies, name),
                _ => Presented::Missing,
            },
        }
    }
}

fn parse_header(value: &[u8]) -> Presented<'_> {
    let Ok(value) = std::str::from_utf8(value) else {
        return Presented::Malformed;
    };
    let value = value.trim_matches(' ');
    match value.split_once(' ') {
        Some((scheme, rest)) if scheme.eq_ignore_ascii_case("bearer") => {
            as_token(rest.trim_start_matches(' '))
        }
        Some(_) => Presented::Malformed,
        None if value.eq_ignore_ascii_case("bearer") => Presented::Malformed,
        None => as_token(value),
    }
}

/// A token is visible ASCII without spaces (base64url and dots, if well formed).
fn as_token(value: &str) -> Presented<'_> {
    // A fold without early exit: the compiler vectorizes it (~1 KiB per token).
    let graphic = value
        .bytes()
        .fold(true, |ok, b| ok & (b.wrapping_sub(0x21) < 0x5e));
    if !value.is_empty() && graphic {
        Presented::Token(value)
    } else {
        Presented::Malformed
    }
}

fn find_cookie<'a>(cookies: &'a [u8], name: &str) -> Presented<'a> {
    let Ok(cookies) = std::str::from_utf8(cookies) else {
        return Presented::Missing;
    };
    cookies
        .split(';')
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(n, _)| *n == name)
        .map_or(Presented::Missing, |(_, value)| {
            as_token(value.trim_matches('"'))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn find(
        source: &TokenSource,
        header: Option<&str>,
        cookies: Option<&str>,
    ) -> Presented<'static> {
        let header = header.map(|h| Box::leak(h.to_owned().into_boxed_str()).as_bytes());
        let cookies = cookies.map(|c| Box::leak(c.to_owned().into_boxed_str()).as_bytes());
        source.find(header, cookies)
    }

    #[test]
    fn header_forms() {
        let s = TokenSource::default();
        assert_eq!(
            find(&s, Some("Bearer a.b.c"), None),
            Presented::Token("a.b.c")
        );
        assert_eq!(
            find(&s, Some("bearer a.b.c"), None),
            Presented::Token("a.b.c")
        );
        assert_eq!(
            find(&s, Some("BEARER  a.b.c "), None),
            Presented::Token("a.b.c")
        );
        assert_eq!(find(&s, Some("a.b.c"), None), Presented::Token("a.b.c"));
        assert_eq!(
            find(&s, Some("Basic dXNlcjpwYXNz"), None),
            Presented::Malformed
        );
        assert_eq!(find(&s, Some("Bearer"), None), Presented::Malformed);
        assert_eq!(find(&s, Some("Bearer a b"), None), Presented::Malformed);
        assert_eq!(find(&s, Some("Bearer a\tb"), None), Presented::Malformed);
        assert_eq!(find(&s, Some(""), None), Presented::Missing);
        assert_eq!(find(&s, None, None), Presented::Missing);
    }

    #[test]
    fn cookie_only_when_configured_and_header_absent() {
        let plain = TokenSource::default();
        assert_eq!(
            find(&plain, None, Some("id_token=a.b.c")),
            Presented::Missing
        );
        let s = TokenSource::header("X-Token").with_cookie("id_token");
        assert_eq!(s.header_name(), "x-token");
        assert_eq!(
            find(&s, None, Some("theme=dark; id_token=a.b.c")),
            Presented::Token("a.b.c")
        );
        assert_eq!(
            find(&s, Some("x.y.z"), Some("id_token=a.b.c")),
            Presented::Token("x.y.z")
        );
        assert_eq!(find(&s, None, Some("other=1")), Presented::Missing);
        let moved = s.with_header("X-Other");
        assert_eq!(
            (moved.header_name(), moved.cookie_name()),
            ("x-other", Some("id_token"))
        );
    }
}
