//! The one middleware every request passes first: DNS-rebinding and
//! cross-site protection.
//!
//! * The `Host` (or, without one, the URI's authority) must name this
//!   issuer: the public URL's host and port, a loopback name (`localhost`,
//!   `127.0.0.1`, `[::1]`) or the bound IP address, with the port listened
//!   on. Anything else is `421 Misdirected Request`: a page on another name
//!   that resolves to us (DNS rebinding) never gets an answer.
//! * `/_issuer/*` refuses what a browser sends for another site: an
//!   `Origin` that is not one of the names above (including `null`), a
//!   `Sec-Fetch-Site` other than `same-origin` / `none`, and, for requests
//!   that change state, the content types an HTML form can send
//!   (`application/x-www-form-urlencoded`, `multipart/form-data`,
//!   `text/plain`). Browsers always send `Origin` on a cross-origin POST,
//!   so a state-changing request without one comes from a non-browser
//!   client. Refusals are `403`.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::middleware::Next;
use axum::response::Response;
use serde_json::json;

use super::errors::json_response;

/// The `host:port` names this issuer answers to.
#[derive(Debug, Clone)]
pub(crate) struct AllowedHosts {
    names: Vec<(String, u16)>,
}

impl AllowedHosts {
    /// The public URL's authority, the loopback names and the bound address
    /// (when it is a specific IP), each with its port.
    pub(crate) fn new(public_url: &str, local: SocketAddr) -> Self {
        let port = local.port();
        let mut names = vec![
            ("localhost".to_string(), port),
            ("127.0.0.1".to_string(), port),
            ("[::1]".to_string(), port),
        ];
        if !local.ip().is_unspecified() && !local.ip().is_loopback() {
            names.push((bracketed(local.ip()), port));
        }
        if let Some((scheme, rest)) = public_url.split_once("://") {
            let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
            let default = if scheme.eq_ignore_ascii_case("https") {
                443
            } else {
                80
            };
            if let Some(hp) = split_host_port(authority, default) {
                names.push(hp);
            }
        }
        Self { names }
    }

    /// Whether `authority` (`host[:port]`) names this issuer. Without a
    /// port, the host must be allowed on a default port (80 or 443).
    pub(crate) fn allows(&self, authority: &str) -> bool {
        let explicit_port = authority_has_port(authority);
        let Some((host, port)) = split_host_port(authority, 0) else {
            return false;
        };
        self.names.iter().any(|(h, p)| {
            *h == host
                && (if explicit_port {
                    *p == port
                } else {
                    *p == 80 || *p == 443
                })
        })
    }

    /// Whether an `Origin` header value (`scheme://host[:port]`) is ours.
    fn allows_origin(&self, origin: &str) -> bool {
        let Some((scheme, authority)) = origin.split_once("://") else {
            return false;
        };
        let default = if scheme.eq_ignore_ascii_case("https") {
            443
        } else {
            80
        };
        match split_host_port(authority, default) {
            Some((host, port)) => self.names.iter().any(|(h, p)| *h == host && *p == port),
            None => false,
        }
    }
}

fn bracketed(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => format!("[{v6}]"),
    }
}

fn authority_has_port(authority: &str) -> bool {
    match authority.rfind(']') {
        Some(end) => authority[end..].contains(':'),
        None => authority.contains(':'),
    }
}

/// `host[:port]` lower-cased, IPv6 literals kept in brackets.
fn split_host_port(authority: &str, default_port: u16) -> Option<(String, u16)> {
    let authority = authority.trim();
    if authority.is_empty() || authority.contains('@') {
        return None;
    }
    let (host, port) = if authority.starts_with('[') {
        let end = authority.find(']')?;
        let host = &authority[..=end];
        match &authority[end + 1..] {
            "" => (host, None),
            rest => (host, Some(rest.strip_prefix(':')?)),
        }
    } else {
        match authority.split_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (authority, None),
        }
    };
    let port = match port {
        Some(p) => p.parse().ok()?,
        None => default_port,
    };
    Some((host.to_ascii_lowercase(), port))
}

/// The middleware: host check on every route, cross-site checks on
/// `/_issuer/*`.
pub(crate) async fn guard(
    State(hosts): State<Arc<AllowedHosts>>,
    request: Request,
    next: Next,
) -> Response {
    let authority = request
        .headers()
        .get("host")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
        .or_else(|| request.uri().authority().map(|a| a.to_string()));
    if !authority.as_deref().is_some_and(|a| hosts.allows(a)) {
        return json_response(
            StatusCode::MISDIRECTED_REQUEST,
            json!({ "message": "The Host header does not name this issuer (set --public-url to serve another name)" }),
            "application/json",
        );
    }
    if request.uri().path().starts_with("/_issuer/")
        && let Some(reason) = cross_site(&hosts, request.method(), request.headers())
    {
        return json_response(
            StatusCode::FORBIDDEN,
            json!({ "message": reason }),
            "application/json",
        );
    }
    next.run(request).await
}

/// Why an admin request looks like it came from another site, if it does.
fn cross_site(hosts: &AllowedHosts, method: &Method, headers: &HeaderMap) -> Option<&'static str> {
    let header = |name: &str| headers.get(name).map(|v| v.to_str().unwrap_or("?"));
    if let Some(origin) = header("origin")
        && !hosts.allows_origin(origin)
    {
        return Some("cross-origin requests to /_issuer are refused");
    }
    if let Some(site) = header("sec-fetch-site")
        && !matches!(site, "same-origin" | "none")
    {
        return Some("cross-site requests to /_issuer are refused");
    }
    let changes_state = !matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS);
    if changes_state && let Some(ct) = header("content-type") {
        let essence = ct
            .split(';')
            .next()
            .unwrap_or_default()
            .trim()
            .to_ascii_lowercase();
        if matches!(
            essence.as_str(),
            "application/x-www-form-urlencoded" | "multipart/form-data" | "text/plain"
        ) {
            return Some("form submissions to /_issuer are refused");
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hosts() -> AllowedHosts {
        AllowedHosts::new(
            "https://auth.example.com",
            SocketAddr::from(([0, 0, 0, 0], 9229)),
        )
    }

    #[test]
    fn hosts_are_the_public_name_and_loopback_names_on_our_port() {
        let h = hosts();
        for ok in [
            "localhost:9229",
            "LOCALHOST:9229",
            "127.0.0.1:9229",
            "[::1]:9229",
            "auth.example.com",
            "auth.example.com:443",
        ] {
            assert!(h.allows(ok), "{ok}");
        }
        for bad in [
            "evil.example:9229",
            "localhost:80",
            "127.0.0.1:9230",
            "auth.example.com:9229",
            "localhost",
            "",
            "user@localhost:9229",
            "[::1",
            "0.0.0.0:9229",
        ] {
            assert!(!h.allows(bad), "{bad}");
        }
    }

    #[test]
    fn origins_must_be_ours() {
        let h = hosts();
        assert!(h.allows_origin("http://localhost:9229"));
        assert!(h.allows_origin("https://auth.example.com"));
        assert!(!h.allows_origin("null"));
        assert!(!h.allows_origin("https://evil.example"));
        assert!(!h.allows_origin("http://auth.example.com"));
    }
}
