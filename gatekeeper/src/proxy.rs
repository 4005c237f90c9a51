//! Reverse proxy: an admitted request goes to its upstream over a pooled
//! connection, bodies streamed both ways (never buffered whole), with the
//! preset's integration answers when the upstream is down or slow.

use std::net::SocketAddr;
use std::time::Duration;

use bytes::Bytes;
use cognito_verifier::gate::{HeaderOp, Preset};
use http::header::{HOST, HeaderValue};
use http::{Request, Response, Uri};
use http_body_util::BodyExt;
use hyper::body::Incoming;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;

use crate::headers;
use crate::metrics::Metrics;
use crate::runtime::Upstream;
use crate::server::{Body, rejection_response};

/// The pooled HTTP/1 client every upstream request uses.
pub type UpstreamClient = Client<HttpConnector, Incoming>;

/// A client with `connect_timeout` and idle connection pooling.
pub fn client(connect_timeout: Duration) -> UpstreamClient {
    let mut connector = HttpConnector::new();
    connector.set_connect_timeout(Some(connect_timeout));
    connector.set_nodelay(true);
    Client::builder(TokioExecutor::new())
        .pool_idle_timeout(Duration::from_secs(60))
        .pool_max_idle_per_host(64)
        .build(connector)
}

/// What the proxy needs to forward one admitted request.
pub struct Forward<'a> {
    /// Where.
    pub upstream: &'a Upstream,
    /// Identity header changes from the route's mapping.
    pub ops: &'a [HeaderOp],
    /// Headers the mapping takes from the authorizer (client copies removed).
    pub stripped: Vec<&'a str>,
    /// Headers the gate adds to the response.
    pub response_headers: Vec<(&'static str, String)>,
    /// The preset whose integration answers are given.
    pub preset: Preset,
    /// Time for the upstream's response head.
    pub timeout: Duration,
    /// The client's address.
    pub client_addr: SocketAddr,
}

/// Sends `req` upstream and streams the answer back.
pub async fn forward(
    client: &UpstreamClient,
    metrics: &Metrics,
    fwd: Forward<'_>,
    req: Request<Incoming>,
) -> Response<Body> {
    let (mut parts, body) = req.into_parts();
    let path_and_query = parts
        .uri
        .path_and_query()
        .map_or("/", |pq| pq.as_str())
        .to_owned();
    let uri = Uri::builder()
        .scheme(fwd.upstream.scheme.clone())
        .authority(fwd.upstream.authority.clone())
        .path_and_query(format!("{}{path_and_query}", fwd.upstream.base_path))
        .build();
    let Ok(uri) = uri else {
        return rejection_response(fwd.preset.integration_failure());
    };
    let host = parts.headers.remove(HOST);
    headers::strip_hop_by_hop(&mut parts.headers);
    for name in &fwd.stripped {
        parts.headers.remove(*name);
    }
    headers::apply(&mut parts.headers, fwd.ops);
    headers::add_forwarded(&mut parts.headers, fwd.client_addr.ip(), host);
    if let Ok(value) = HeaderValue::from_str(fwd.upstream.authority.as_str()) {
        parts.headers.insert(HOST, value);
    }
    parts.uri = uri;
    parts.version = http::Version::HTTP_11;
    let upstream_req = Request::from_parts(parts, body);
    match tokio::time::timeout(fwd.timeout, client.request(upstream_req)).await {
        Err(_) => {
            metrics.upstream("timeout");
            tracing::warn!(upstream = %fwd.upstream.authority, "integration timeout");
            rejection_response(fwd.preset.integration_timeout())
        }
        Ok(Err(error)) => {
            metrics.upstream("failure");
            tracing::warn!(upstream = %fwd.upstream.authority, %error, "integration failure");
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
