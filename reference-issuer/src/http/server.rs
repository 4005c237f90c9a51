//! The accept loop: HTTP/1.1 connections served by hyper with a
//! header-read timeout (which also bounds how long an idle keep-alive
//! connection is kept), a timeout on each whole request (a body sent byte by
//! byte cannot hold a connection forever), and a cap on open connections
//! (at the cap, new connections wait in the listen backlog until a slot
//! frees). On shutdown the listener closes and requests in flight finish.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Request, Response, StatusCode};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tower::Service;

use crate::lifecycle::ServerLimits;

/// Serves `router` on `listener` within `limits` until `shutdown`
/// completes, then waits for the requests in flight.
pub(crate) async fn serve(
    listener: TcpListener,
    router: Router,
    limits: ServerLimits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let slots = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let graceful = GracefulShutdown::new();
    let mut builder = http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout)
        .keep_alive(true);
    tokio::pin!(shutdown);
    loop {
        let slot = tokio::select! {
            slot = slots.clone().acquire_owned() => match slot {
                Ok(slot) => slot,
                Err(_) => break,
            },
            () = &mut shutdown => break,
        };
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    // Out of file descriptors and the like: back off briefly.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let _ = stream.set_nodelay(true);
        let router = router.clone();
        let request_timeout = limits.request_timeout;
        let service = hyper::service::service_fn(move |mut req: Request<Incoming>| {
            req.extensions_mut().insert(ConnectInfo(peer));
            let mut router = router.clone();
            async move {
                match tokio::time::timeout(request_timeout, router.call(req.map(Body::new))).await {
                    Ok(resp) => resp,
                    Err(_) => Ok::<_, Infallible>(timed_out()),
                }
            }
        });
        let conn = graceful.watch(builder.serve_connection(TokioIo::new(stream), service));
        tokio::spawn(async move {
            let _slot = slot;
            if let Err(e) = conn.await {
                tracing::debug!(peer = %peer, error = %e, "connection closed");
            }
        });
    }
    drop(listener);
    graceful.shutdown().await;
    Ok(())
}

/// `408` for a request that took longer than the request timeout (the
/// connection is closed after it).
fn timed_out() -> Response<Body> {
    let mut resp = Response::new(Body::from(r#"{"message":"request timed out"}"#.to_string()));
    *resp.status_mut() = StatusCode::REQUEST_TIMEOUT;
    resp.headers_mut().insert(
        "content-type",
        axum::http::HeaderValue::from_static("application/json"),
    );
    resp.headers_mut()
        .insert("connection", axum::http::HeaderValue::from_static("close"));
    resp
}

/// The peer address as the handlers see it, IPv4-mapped IPv6 addresses
/// (`::ffff:127.0.0.1`, as a dual-stack `[::]` listener reports IPv4
/// clients) turned back into IPv4.
pub(crate) fn canonical_peer(peer: SocketAddr) -> std::net::IpAddr {
    peer.ip().to_canonical()
}
