//! Where a request carries its token: a header (raw or `Bearer`), or a cookie.

/// Where the gate looks for the token.
///
/// The header is API Gateway's "identity source" (default `Authorization`);
/// its value may be the raw token or `Bearer <token>` (scheme
/// case-insensitive). The cookie, when configured, is the fallback when the
/// header is absent.
///
/// Ambiguous requests are refused rather than resolved by order, so no
/// component behind the gate can read a different credential than the one
/// the gate verified ([`Presented::Ambiguous`]):
/// - the token header more than once (whatever the values, even equal or empty);
/// - the token cookie more than once (in one `Cookie` header or across several);
/// - a token header and a token cookie that differ (the same token in both is
///   accepted: browsers holding a session cookie may also send it as a header).
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
    /// More than one credential: see [`TokenSource`] for the rules.
    Ambiguous,
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

    /// Finds the token given every raw value of the configured header and
    /// every raw value of `Cookie`, in request order (adapters pass all of
    /// them, so that repeated credentials are seen here).
    pub fn find<'a>(
        &self,
        headers: impl IntoIterator<Item = &'a [u8]>,
        cookies: impl IntoIterator<Item = &'a [u8]>,
    ) -> Presented<'a> {
        let mut headers = headers.into_iter();
        let header = headers.next();
        if headers.next().is_some() {
            return Presented::Ambiguous;
        }
        let cookie = match &self.cookie {
            Some(name) => match find_cookie(cookies, name.as_bytes()) {
                Ok(cookie) => cookie,
                Err(Ambiguous) => return Presented::Ambiguous,
            },
            None => None,
        };
        match (header.filter(|h| !h.is_empty()).map(parse_header), cookie) {
            (None, None) => Presented::Missing,
            (None, Some(cookie)) => cookie_token(cookie),
            (Some(Presented::Token(token)), Some(cookie))
                if cookie_token(cookie) != Presented::Token(token) =>
            {
                Presented::Ambiguous
            }
            (Some(presented), _) => presented,
        }
    }
}

/// The token cookie appeared more than once.
struct Ambiguous;

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

/// The value of cookie `name` across all `Cookie` header values, compared
/// as bytes (a non-UTF-8 neighbour cannot hide it).
fn find_cookie<'a>(
    cookies: impl IntoIterator<Item = &'a [u8]>,
    name: &[u8],
) -> Result<Option<&'a [u8]>, Ambiguous> {
    let mut found = None;
    for pair in cookies.into_iter().flat_map(|c| c.split(|b| *b == b';')) {
        let pair = pair.trim_ascii();
        let Some(eq) = pair.iter().position(|b| *b == b'=') else {
            continue;
        };
        if pair[..eq].trim_ascii() == name {
            if found.is_some() {
                return Err(Ambiguous);
            }
            found = Some(pair[eq + 1..].trim_ascii());
        }
    }
    Ok(found)
}

fn cookie_token(value: &[u8]) -> Presented<'_> {
    let value = value
        .strip_prefix(b"\"")
        .and_then(|v| v.strip_suffix(b"\""))
        .unwrap_or(value);
    match std::str::from_utf8(value) {
        Ok(value) => as_token(value),
        Err(_) => Presented::Malformed,
    }
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
            find(&s, Some("x.y.z"), Some("theme=dark")),
            Presented::Token("x.y.z")
        );
        assert_eq!(find(&s, None, Some("other=1")), Presented::Missing);
        // A non-UTF-8 neighbour does not hide the token cookie.
        let cookies: &[&[u8]] = &[b"a=\xff; id_token=a.b.c"];
        assert_eq!(
            s.find(None, cookies.iter().copied()),
            Presented::Token("a.b.c")
        );
        let moved = s.with_header("X-Other");
        assert_eq!(
            (moved.header_name(), moved.cookie_name()),
            ("x-other", Some("id_token"))
        );
    }

    #[test]
    fn repeated_credentials_are_ambiguous() {
        let s = TokenSource::default().with_cookie("id_token");
        let all = |headers: &[&'static str], cookies: &[&'static str]| {
            s.find(
                headers.iter().map(|h| h.as_bytes()),
                cookies.iter().map(|c| c.as_bytes()),
            )
        };
        assert_eq!(all(&["Bearer a.b.c", "junk"], &[]), Presented::Ambiguous);
        assert_eq!(all(&["junk", "Bearer a.b.c"], &[]), Presented::Ambiguous);
        assert_eq!(all(&["a.b.c", "a.b.c"], &[]), Presented::Ambiguous);
        assert_eq!(all(&["a.b.c", ""], &[]), Presented::Ambiguous);
        assert_eq!(
            all(&[], &["id_token=a.b.c; id_token=x"]),
            Presented::Ambiguous
        );
        assert_eq!(
            all(&[], &["id_token=a.b.c", "id_token=a.b.c"]),
            Presented::Ambiguous
        );
        assert_eq!(all(&["a.b.c"], &["id_token=x.y.z"]), Presented::Ambiguous);
        // Not ambiguous: the same token in header and cookie, other cookies repeated.
        assert_eq!(
            all(&["Bearer a.b.c"], &["id_token=a.b.c"]),
            Presented::Token("a.b.c")
        );
        assert_eq!(
            all(&[], &["theme=1; id_token=a.b.c", "theme=2"]),
            Presented::Token("a.b.c")
        );
        // A malformed header stays malformed whatever the cookie says.
        assert_eq!(all(&["Basic x"], &["id_token=a.b.c"]), Presented::Malformed);
        // Without a configured cookie, cookies are not credentials.
        let plain = TokenSource::default();
        assert_eq!(
            plain.find(
                [b"a.b.c".as_slice()],
                [b"id_token=1; id_token=2".as_slice()]
            ),
            Presented::Token("a.b.c")
        );
    }
}
