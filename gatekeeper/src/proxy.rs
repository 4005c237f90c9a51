//! Reverse proxy: an admitted request goes to its upstream over the client
//! connection's upstream connection ([`upstream::Held`]), bodies streamed
//! both ways (never buffered whole), with the preset's integration answers
//! when the upstream is down or slow.

use std::net::SocketAddr;
use std::time::Duration;

use bytes::Bytes;
use cognito_verifier::gate::{HeaderOp, Mapping, Preset};
use http::header::{HOST, HeaderValue};
use http::uri::PathAndQuery;
use http::{Request, Response, Uri};
use http_body_util::BodyExt;
use hyper::body::Incoming;

use crate::headers;
use crate::metrics::Metrics;
use crate::runtime::Upstream;
use crate::server::{Body, rejection_response};
use crate::upstream::Held;

/// What the proxy needs to forward one admitted request.
pub struct Forward<'a> {
    /// Where.
    pub upstream: &'a Upstream,
    /// Identity header changes from the route's mapping.
    pub ops: &'a [HeaderOp],
    /// The route's mapping: client copies of the headers it takes from the
    /// authorizer are removed.
    pub mapping: &'a Mapping,
    /// Headers the gate adds to the response.
    pub response_headers: Vec<(&'static str, String)>,
    /// The preset whose integration answers are given.
    pub preset: Preset,
    /// Time for the upstream's response head.
    pub timeout: Duration,
    /// Time to connect to the upstream.
    pub connect_timeout: Duration,
    /// The client's address.
    pub client_addr: SocketAddr,
}

/// The request target upstream, in origin form: the upstream's base path,
/// then the client's path and query. `None`: not a valid target.
fn upstream_target(uri: Uri, base_path: &str) -> Option<Uri> {
    // The common case (no base path, origin form) keeps the client's URI.
    if base_path.is_empty() && uri.scheme().is_none() && uri.authority().is_none() {
        return Some(uri);
    }
    let pq = uri.path_and_query().map_or("/", PathAndQuery::as_str);
    Uri::try_from(format!("{base_path}{pq}")).ok()
}

/// Sends `req` upstream on `held`'s connection and streams the answer back.
pub async fn forward(
    held: &Held,
    metrics: &Metrics,
    fwd: Forward<'_>,
    req: Request<Incoming>,
) -> Response<Body> {
    let (mut parts, body) = req.into_parts();
    let Some(uri) = upstream_target(std::mem::take(&mut parts.uri), &fwd.upstream.base_path) else {
        return rejection_response(fwd.preset.integration_failure());
    };
    let host = parts.headers.remove(HOST);
    headers::strip_hop_by_hop(&mut parts.headers);
    for name in fwd.mapping.stripped() {
        parts.headers.remove(name);
    }
    headers::apply(&mut parts.headers, fwd.ops);
    headers::add_forwarded(&mut parts.headers, fwd.client_addr.ip(), host);
    parts.headers.insert(HOST, fwd.upstream.host.clone());
    parts.uri = uri;
    parts.version = http::Version::HTTP_11;
    let upstream_req = Request::from_parts(parts, body);
    let authority = &fwd.upstream.authority;
    let sent = held.send(authority, fwd.connect_timeout, upstream_req);
    match tokio::time::timeout(fwd.timeout, sent).await {
        Err(_) => {
            metrics.upstream("timeout");
            tracing::warn!(upstream = %authority, "integration timeout");
            rejection_response(fwd.preset.integration_timeout())
        }
        Ok(Err(error)) => {
            metrics.upstream("failure");
            tracing::warn!(upstream = %authority, %error, "integration failure");
            rejection_response(fwd.preset.integration_failure())
        }
        Ok(Ok(response)) => {
            metrics.upstream(response.status().as_str());
            let (mut parts, body) = response.into_parts();
            headers::strip_hop_by_hop(&mut parts.headers);
            for (name, value) in fwd.response_headers {
                if let Ok(value) = HeaderValue::from_str(&value) {
                    parts.headers.append(name, value);
                }
            }
            let body = body.map_err(|e| -> crate::server::BoxError { Box::new(e) });
            Response::from_parts(parts, body.boxed())
        }
    }
}

/// An empty or fixed body.
pub fn full(bytes: impl Into<Bytes>) -> Body {
    http_body_util::Full::new(bytes.into())
        .map_err(|never| match never {})
        .boxed()
}
