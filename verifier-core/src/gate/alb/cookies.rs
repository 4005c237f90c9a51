//! Session cookie shards, as an ALB writes them: `<name>-0`, `<name>-1`, ...
//! (always suffixed), each `name=value` at most 4096 bytes, at most 4 shards.

use std::borrow::Cow;

/// Most bytes of one `name=value` pair.
pub const MAX_PAIR: usize = 4096;
/// Most shards of one cookie.
pub const MAX_SHARDS: usize = 4;

/// The value needs more than [`MAX_SHARDS`] cookies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("cookie value of {len} bytes needs more than {MAX_SHARDS} shards")]
pub struct TooLarge {
    /// The value's length in bytes.
    pub len: usize,
}

/// The cookie as found in the request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Joined<'a> {
    /// No shard at all.
    Missing,
    /// The shards `-0..-n`, concatenated (borrowed from the request when
    /// there is one shard, as for most sessions).
    Value(Cow<'a, str>),
    /// Shards present but not exactly `-0..-n` once each (a gap, a repeat,
    /// an index past the last shard, or a value that is not UTF-8).
    Broken,
}

/// Attributes of a `Set-Cookie` line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CookieAttrs {
    /// `Secure` (off only for an `http://` public origin).
    pub secure: bool,
    /// `SameSite` value.
    pub same_site: &'static str,
    /// `Path` value.
    pub path: String,
    /// `HttpOnly`.
    pub http_only: bool,
    /// `Max-Age` in seconds; `None` = a browser-session cookie.
    pub max_age: Option<u64>,
}

impl CookieAttrs {
    /// `Path=/; HttpOnly; SameSite=Lax`, `Secure` as given, no `Max-Age`.
    pub fn new(secure: bool) -> CookieAttrs {
        CookieAttrs {
            secure,
            same_site: "Lax",
            path: "/".to_owned(),
            http_only: true,
            max_age: None,
        }
    }

    /// The same attributes with `Max-Age`.
    pub fn max_age(mut self, seconds: u64) -> CookieAttrs {
        self.max_age = Some(seconds);
        self
    }

    fn write(&self, out: &mut String) {
        out.push_str("; Path=");
        out.push_str(&self.path);
        if self.secure {
            out.push_str("; Secure");
        }
        if self.http_only {
            out.push_str("; HttpOnly");
        }
        out.push_str("; SameSite=");
        out.push_str(self.same_site);
    }
}

/// The name of shard `index`.
pub fn shard_name(name: &str, index: usize) -> String {
    format!("{name}-{index}")
}

/// Splits `value` into `(<name>-i, part)` pairs, each `name=value` at most
/// [`MAX_PAIR`] bytes (splits fall on character boundaries).
pub fn shard(name: &str, value: &str) -> Result<Vec<(String, String)>, TooLarge> {
    let too_large = TooLarge { len: value.len() };
    // "<name>-<digit>=" (indices stay single digits below MAX_SHARDS).
    let room = MAX_PAIR
        .checked_sub(name.len() + 3)
        .filter(|room| *room > 0)
        .ok_or(too_large)?;
    let mut shards = Vec::new();
    let mut rest = value;
    loop {
        let mut cut = room.min(rest.len());
        while !rest.is_char_boundary(cut) {
            cut -= 1;
        }
        if shards.len() == MAX_SHARDS || (cut == 0 && !rest.is_empty()) {
            return Err(too_large);
        }
        let (part, tail) = rest.split_at(cut);
        shards.push((shard_name(name, shards.len()), part.to_owned()));
        rest = tail;
        if rest.is_empty() {
            return Ok(shards);
        }
    }
}

/// The `name=value` pairs of one `Cookie` header value, trimmed. Found
/// with `memchr`: session shards make the header kilobytes long, and a
/// byte-at-a-time split cost about a nanosecond per byte on every request.
pub(crate) fn pairs(cookie_header_value: &[u8]) -> impl Iterator<Item = &[u8]> {
    let mut rest = Some(cookie_header_value);
    std::iter::from_fn(move || {
        let text = rest?;
        let (pair, tail) = match memchr::memchr(b';', text) {
            Some(at) => (&text[..at], Some(&text[at + 1..])),
            None => (text, None),
        };
        rest = tail;
        Some(pair.trim_ascii())
    })
}

/// Joins the shards of cookie `name` from every `Cookie` header value.
pub fn join<'a>(
    name: &str,
    cookie_header_values: impl IntoIterator<Item = &'a [u8]>,
) -> Joined<'a> {
    let mut parts: [Option<&[u8]>; MAX_SHARDS] = [None; MAX_SHARDS];
    let mut any = false;
    let mut broken = false;
    for pair in cookie_header_values.into_iter().flat_map(pairs) {
        let Some(eq) = pair.iter().position(|b| *b == b'=') else {
            continue;
        };
        let Some(index) = pair[..eq]
            .trim_ascii()
            .strip_prefix(name.as_bytes())
            .and_then(|rest| rest.strip_prefix(b"-"))
        else {
            continue;
        };
        any = true;
        match shard_index(index).and_then(|i| parts.get_mut(i)) {
            Some(slot @ None) => *slot = Some(pair[eq + 1..].trim_ascii()),
            _ => broken = true,
        }
    }
    if !any {
        return Joined::Missing;
    }
    let count = parts.iter().take_while(|p| p.is_some()).count();
    if broken || parts[count..].iter().any(Option::is_some) {
        return Joined::Broken;
    }
    if let [Some(only), None, ..] = parts {
        return match std::str::from_utf8(only) {
            Ok(text) => Joined::Value(Cow::Borrowed(text)),
            Err(_) => Joined::Broken,
        };
    }
    let mut value = String::with_capacity(parts.iter().flatten().map(|p| p.len()).sum());
    for part in parts.iter().flatten() {
        match std::str::from_utf8(part) {
            Ok(part) => value.push_str(part),
            Err(_) => return Joined::Broken,
        }
    }
    Joined::Value(Cow::Owned(value))
}

/// A canonical decimal index (`0`, `1`, ...; no sign, no leading zero).
fn shard_index(text: &[u8]) -> Option<usize> {
    match text {
        [d] if d.is_ascii_digit() => Some(usize::from(d - b'0')),
        _ => None,
    }
}

/// `Set-Cookie` value setting `name` to `value`.
pub fn set(name: &str, value: &str, attrs: &CookieAttrs) -> String {
    let mut out = format!("{name}={value}");
    if let Some(age) = attrs.max_age {
        out.push_str(&format!("; Max-Age={age}"));
    }
    attrs.write(&mut out);
    out
}

/// `Set-Cookie` value deleting `name`.
pub fn expire(name: &str, attrs: &CookieAttrs) -> String {
    let mut out = format!("{name}=; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0");
    attrs.write(&mut out);
    out
}

/// `Set-Cookie` values deleting shards `from..MAX_SHARDS` of `name` (0 = all
/// of them; the shard count just written = the stale ones a longer session left).
pub fn expire_shards(name: &str, from: usize, attrs: &CookieAttrs) -> Vec<String> {
    (from..MAX_SHARDS)
        .map(|i| expire(&shard_name(name, i), attrs))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const N: &str = "AWSELBAuthSessionCookie";

    fn pair_len(shard: &(String, String)) -> usize {
        shard.0.len() + 1 + shard.1.len()
    }

    fn header(shards: &[(String, String)]) -> String {
        shards
            .iter()
            .map(|(n, v)| format!("{n}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    fn joined<'a>(headers: &[&'a str]) -> Joined<'a> {
        join(N, headers.iter().map(|h| h.as_bytes()))
    }

    #[test]
    fn shards_at_the_4096_boundary() {
        let room = MAX_PAIR - N.len() - 3;
        let one = shard(N, &"a".repeat(room)).unwrap();
        assert_eq!(one.len(), 1);
        assert_eq!(one[0].0, format!("{N}-0"));
        assert_eq!(pair_len(&one[0]), 4096);
        let two = shard(N, &"a".repeat(room + 1)).unwrap();
        assert_eq!(two.len(), 2);
        assert_eq!((pair_len(&two[0]), two[1].1.as_str()), (4096, "a"));
        assert_eq!(two[1].0, format!("{N}-1"));
        let four = shard(N, &"a".repeat(room * 4)).unwrap();
        assert_eq!(four.len(), 4);
        assert!(four.iter().all(|s| pair_len(s) == 4096));
        assert_eq!(
            shard(N, &"a".repeat(room * 4 + 1)),
            Err(TooLarge { len: room * 4 + 1 })
        );
        assert_eq!(
            shard(N, "").unwrap(),
            vec![(format!("{N}-0"), String::new())]
        );
        assert!(shard(&"n".repeat(MAX_PAIR), "v").is_err());
        // A multi-byte character is never split.
        let text = "é".repeat(room);
        let parts = shard(N, &text).unwrap();
        assert!(parts.iter().all(|s| pair_len(s) <= 4096));
        assert_eq!(parts.iter().map(|s| s.1.as_str()).collect::<String>(), text);
    }

    #[test]
    fn join_round_trips_across_headers() {
        let value = "x".repeat(9000);
        let shards = shard(N, &value).unwrap();
        assert_eq!(shards.len(), 3);
        assert_eq!(
            joined(&[&header(&shards)]),
            Joined::Value(value.clone().into())
        );
        // Out of order and across several Cookie headers: order comes from the index.
        let h2 = format!("a=b; {}={}", shards[2].0, shards[2].1);
        let h0 = format!(
            "{}={}; {}={}",
            shards[1].0, shards[1].1, shards[0].0, shards[0].1
        );
        assert_eq!(joined(&[&h2, &h0]), Joined::Value(value.into()));
        assert_eq!(
            joined(&[&format!("{N}-0=abc")]),
            Joined::Value(Cow::Borrowed("abc"))
        );
    }

    #[test]
    fn join_missing_and_broken() {
        assert_eq!(joined(&[]), Joined::Missing);
        assert_eq!(
            joined(&[&format!("{N}=v; other-0=v; {N}x-0=v")]),
            Joined::Missing
        );
        let broken = [
            format!("{N}-0=a; {N}-2=c"),
            format!("{N}-1=b"),
            format!("{N}-0=a; {N}-0=a"),
            format!("{N}-0=a; {N}-1=b; {N}-1=b"),
            format!("{N}-0=a; {N}-4=e"),
            format!("{N}-0=a; {N}-01=b"),
            format!("{N}-0=a; {N}-+1=b"),
            format!("{N}-=a"),
        ];
        for h in &broken {
            assert_eq!(joined(&[h]), Joined::Broken, "{h}");
        }
        let split = [format!("{N}-0=a"), format!("{N}-0=a")];
        assert_eq!(joined(&[&split[0], &split[1]]), Joined::Broken);
        let bad_utf8: &[u8] = b"AWSELBAuthSessionCookie-0=\xff";
        assert_eq!(join(N, [bad_utf8]), Joined::Broken);
    }

    #[test]
    fn set_cookie_lines() {
        let attrs = CookieAttrs::new(true);
        assert_eq!(
            set("c-0", "v", &attrs),
            "c-0=v; Path=/; Secure; HttpOnly; SameSite=Lax"
        );
        assert_eq!(
            set(
                "AWSALBAuthNonce",
                "n",
                &CookieAttrs::new(false).max_age(900)
            ),
            "AWSALBAuthNonce=n; Max-Age=900; Path=/; HttpOnly; SameSite=Lax"
        );
        assert_eq!(
            expire("c-1", &attrs),
            "c-1=; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; Path=/; Secure; HttpOnly; SameSite=Lax"
        );
        let all = expire_shards("c", 0, &attrs);
        assert_eq!(all.len(), 4);
        assert!(all[3].starts_with("c-3=; Expires="));
        let stale = expire_shards("c", 2, &attrs);
        assert_eq!(stale.len(), 2);
        assert!(stale[0].starts_with("c-2=;"));
        assert!(expire_shards("c", 4, &attrs).is_empty());
    }
}
