//! SigV4's canonical request: the path, query and signed headers as the
//! signer saw them, and hex encoding.

use std::fmt::Write as _;

use axum::http::{HeaderMap, Method, Uri};

use super::{Authorization, MISMATCH, Refusal};

/// The canonical request of SigV4 (method, path, query, signed headers,
/// the signed header names and the payload hash), one per line.
pub(super) fn canonical_request(
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    auth: &Authorization<'_>,
    payload_hash: &str,
) -> Result<String, Refusal> {
    let mut out = String::new();
    out.push_str(method.as_str());
    out.push('\n');
    out.push_str(&canonical_path(uri.path()));
    out.push('\n');
    out.push_str(&canonical_query(uri.query().unwrap_or("")));
    out.push('\n');
    for name in &auth.signed_headers {
        let value = if *name == "host" && !headers.contains_key("host") {
            uri.authority().map(|a| a.as_str().to_string())
        } else {
            let values: Vec<String> = headers
                .get_all(*name)
                .iter()
                .map(|v| collapse_spaces(&String::from_utf8_lossy(v.as_bytes())))
                .collect();
            (!values.is_empty()).then(|| values.join(","))
        };
        // A signed header the request lacks cannot match the signature.
        let value = value.ok_or_else(|| Refusal::Invalid(MISMATCH.into()))?;
        let _ = writeln!(out, "{name}:{value}");
    }
    out.push('\n');
    out.push_str(auth.signed_headers_raw);
    out.push('\n');
    out.push_str(payload_hash);
    Ok(out)
}

/// Trims and collapses runs of spaces, as SigV4 canonical header values are.
fn collapse_spaces(v: &str) -> String {
    v.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The path as received, each byte outside the unreserved set and `/`
/// percent-encoded once more (SigV4's double encoding for services other
/// than S3).
pub(super) fn canonical_path(path: &str) -> String {
    if path.is_empty() {
        return "/".into();
    }
    let mut out = String::new();
    for b in path.bytes() {
        if b == b'/' || is_unreserved(b) {
            out.push(b as char);
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

/// Query parameters decoded, re-encoded with RFC 3986 rules and sorted.
pub(super) fn canonical_query(query: &str) -> String {
    let mut pairs: Vec<(String, String)> = query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (encode(&decode(k)), encode(&decode(v)))
        })
        .collect();
    pairs.sort();
    pairs
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&")
}

fn is_unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~')
}

fn encode(bytes: &[u8]) -> String {
    let mut out = String::new();
    for &b in bytes {
        if is_unreserved(b) {
            out.push(b as char);
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

fn decode(s: &str) -> Vec<u8> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%'
            && let Some(v) = s
                .get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(v);
            i += 3;
            continue;
        }
        out.push(b[i]);
        i += 1;
    }
    out
}

pub(super) fn hex(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
}

pub(super) fn unhex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
        .collect()
}
