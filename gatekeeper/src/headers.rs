//! Header plumbing of a proxy: the gate's view of a hyper header map, the
//! hop-by-hop headers (RFC 9110 §7.6.1) that never cross it, and the
//! `X-Forwarded-*` headers it adds.

use std::net::IpAddr;

use cognito_verifier::gate::{HeaderOp, HeaderView};
use http::header::{HeaderMap, HeaderName, HeaderValue};

/// A hyper header map as the gate reads it.
pub struct View<'a>(pub &'a HeaderMap);

impl HeaderView for View<'_> {
    fn values<'s>(&'s self, name: &str) -> impl Iterator<Item = &'s [u8]> + 's {
        self.0.get_all(name).into_iter().map(HeaderValue::as_bytes)
    }
}

/// Connection-specific headers, removed in both directions.
const HOP_BY_HOP: [&str; 8] = [
    "connection",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "proxy-connection",
    "te",
    "trailer",
    "upgrade",
];

/// Removes the hop-by-hop headers, including those `Connection` names.
/// `Transfer-Encoding` goes too: hyper frames the body again.
pub fn strip_hop_by_hop(headers: &mut HeaderMap) {
    let named: Vec<HeaderName> = headers
        .get_all(http::header::CONNECTION)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|n| HeaderName::from_bytes(n.trim().as_bytes()).ok())
        .collect();
    for name in named {
        headers.remove(name);
    }
    for name in HOP_BY_HOP {
        headers.remove(name);
    }
    headers.remove(http::header::TRANSFER_ENCODING);
}

/// Applies the mapping's operations to headers going upstream.
pub fn apply(headers: &mut HeaderMap, ops: &[HeaderOp]) {
    for op in ops {
        match op {
            HeaderOp::Set(name, value) | HeaderOp::Append(name, value) => {
                let (Ok(name), Ok(value)) = (
                    HeaderName::from_bytes(name.as_bytes()),
                    HeaderValue::from_str(value),
                ) else {
                    // A claim value that cannot be a header value is not sent.
                    tracing::debug!(header = %name, "mapped value is not a valid header value");
                    continue;
                };
                if matches!(op, HeaderOp::Set(..)) {
                    headers.insert(name, value);
                } else {
                    headers.append(name, value);
                }
            }
            HeaderOp::Remove(name) => {
                headers.remove(name.as_str());
            }
        }
    }
}

/// Adds the client to `X-Forwarded-For` and sets `X-Forwarded-Proto` and
/// `X-Forwarded-Host` (the host the client asked for).
pub fn add_forwarded(headers: &mut HeaderMap, client: IpAddr, host: Option<HeaderValue>) {
    let chain = match headers.get("x-forwarded-for").and_then(|v| v.to_str().ok()) {
        Some(previous) => format!("{previous}, {client}"),
        None => client.to_string(),
    };
    if let Ok(value) = HeaderValue::from_str(&chain) {
        headers.insert("x-forwarded-for", value);
    }
    headers.insert("x-forwarded-proto", HeaderValue::from_static("http"));
    if let Some(host) = host {
        headers.insert("x-forwarded-host", host);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hop_by_hop_and_connection_named_headers_go() {
        let mut h = HeaderMap::new();
        h.insert("connection", HeaderValue::from_static("close, x-secret"));
        h.insert("x-secret", HeaderValue::from_static("1"));
        h.insert("transfer-encoding", HeaderValue::from_static("chunked"));
        h.insert("x-keep", HeaderValue::from_static("1"));
        strip_hop_by_hop(&mut h);
        assert_eq!(h.len(), 1);
        assert!(h.contains_key("x-keep"));
    }

    #[test]
    fn forwarded_chain() {
        let mut h = HeaderMap::new();
        h.insert("x-forwarded-for", HeaderValue::from_static("10.0.0.1"));
        add_forwarded(
            &mut h,
            [127, 0, 0, 1].into(),
            Some(HeaderValue::from_static("api.example")),
        );
        assert_eq!(h["x-forwarded-for"], "10.0.0.1, 127.0.0.1");
        assert_eq!(h["x-forwarded-proto"], "http");
        assert_eq!(h["x-forwarded-host"], "api.example");
    }
}
