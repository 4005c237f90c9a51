//! Form bodies of the hosted UI's POSTs: `application/x-www-form-urlencoded`
//! only, at most [`MAX_FORM`] bytes, each field once and within its limit
//! (Cognito's where it has one), then the CSRF token checked. Query strings
//! are decoded by the same rules ([`decode_unique`]).

use std::collections::HashMap;

use axum::body::Body;
use axum::http::{HeaderMap, StatusCode};

use super::{Refusal, Visit, csrf};

/// The largest form body a page accepts.
const MAX_FORM: usize = 16 * 1024;

/// A submitted form's fields (each name once).
#[derive(Debug, Clone, Default)]
pub(crate) struct Fields(HashMap<String, String>);

impl Fields {
    /// The value of `name` (empty when absent).
    pub(crate) fn get(&self, name: &str) -> &str {
        self.0.get(name).map(String::as_str).unwrap_or_default()
    }

    /// The fields whose name starts with `prefix`, the prefix removed.
    pub(crate) fn prefixed<'a>(
        &'a self,
        prefix: &'a str,
    ) -> impl Iterator<Item = (&'a str, &'a str)> {
        self.0
            .iter()
            .filter_map(move |(k, v)| k.strip_prefix(prefix).map(|n| (n, v.as_str())))
    }
}

/// The most characters a field may hold (Cognito's limits where it has
/// them: usernames 128, passwords 256, attribute values 2048).
fn max_chars(name: &str) -> usize {
    match name {
        "username" => 128,
        "password" | "new_password" => 256,
        "code" => 16,
        "challenge" | "factor" => 64,
        "_csrf" | "secret" | "destination" | "choices" | "required" => 256,
        _ => 2048,
    }
}

/// Reads an `application/x-www-form-urlencoded` body of at most
/// [`MAX_FORM`] bytes, each field within its limit and given once, then
/// checks the CSRF token. Anything else is answered here: `400` (malformed,
/// oversized) or `403` (CSRF), with nothing done.
pub(crate) async fn read_form(
    visit: &Visit,
    headers: &HeaderMap,
    body: Body,
) -> Result<Fields, Refusal> {
    let bad = |r: String| Refusal::bad(r);
    let form_type = headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|t| {
            t.trim()
                .eq_ignore_ascii_case("application/x-www-form-urlencoded")
        });
    if !form_type {
        return Err(bad("The form was not sent as a form.".into()));
    }
    let Ok(bytes) = axum::body::to_bytes(body, MAX_FORM).await else {
        return Err(bad("The form is too large.".into()));
    };
    let Ok(text) = std::str::from_utf8(&bytes) else {
        return Err(bad("The form is not valid UTF-8.".into()));
    };
    let Some(fields) = decode_unique(text) else {
        return Err(bad("A form field is repeated or malformed.".into()));
    };
    if let Some((name, _)) = fields
        .iter()
        .find(|(k, v)| v.chars().count() > max_chars(k))
    {
        let reason = format!("The field {name} is too long.");
        return Err(bad(reason));
    }
    if !csrf::matches(visit, fields.get("_csrf").map(String::as_str)) {
        return Err(Refusal { status: StatusCode::FORBIDDEN, reason: "The form has expired or did not come from this site. Go back, reload the page and try again.".into() });
    }
    Ok(Fields(fields))
}

/// `application/x-www-form-urlencoded` pairs, each name at most once;
/// `None` if a name repeats or a value is not UTF-8 once decoded.
pub(super) fn decode_unique(s: &str) -> Option<HashMap<String, String>> {
    let mut map = HashMap::new();
    for pair in s.split('&').filter(|p| !p.is_empty()) {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        let (k, v) = (form_decode(k)?, form_decode(v)?);
        if map.insert(k, v).is_some() {
            return None;
        }
    }
    Some(map)
}

fn form_decode(s: &str) -> Option<String> {
    let spaced = s.replace('+', " ");
    percent_encoding::percent_decode_str(&spaced)
        .decode_utf8()
        .ok()
        .map(|c| c.into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms_refuse_repeated_names() {
        let m = decode_unique("a=1&b=x+y%21").unwrap();
        assert_eq!(m["b"], "x y!");
        assert!(decode_unique("a=1&a=2").is_none());
        assert!(decode_unique("a=%FF").is_none());
    }
}
