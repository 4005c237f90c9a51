//! The listener: accept loop with a connection limit, per-request dispatch
//! (operations endpoints, forward-auth, reverse proxy), reload on SIGHUP or
//! file change without dropping connections, graceful shutdown on SIGTERM.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use arc_swap::ArcSwap;
use bytes::Bytes;
use cognito_verifier::gate::Rejection;
use http::{Request, Response, StatusCode};
use http_body_util::combinators::BoxBody;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;

use crate::admit::{self, Verdict};
use crate::config;
use crate::forward_auth;
use crate::metrics::Metrics;
use crate::proxy::{self, Forward, full};
use crate::runtime::Runtime;
use crate::upstream::{self, Held};

/// Errors of a streamed body.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;
/// Every response body: fixed text or the upstream's stream.
pub type Body = BoxBody<Bytes, BoxError>;

/// What every request shares.
pub struct Shared {
    /// The configuration in force (swapped whole on reload).
    pub runtime: ArcSwap<Runtime>,
    /// Counters.
    pub metrics: Metrics,
    /// Idle upstream connections no client connection holds.
    pub upstreams: Arc<upstream::Pool>,
    /// The configuration file.
    pub path: String,
}

/// A refusal as a response.
pub fn rejection_response(rejection: Rejection) -> Response<Body> {
    let mut response = Response::new(full(rejection.body.into_owned()));
    *response.status_mut() =
        StatusCode::from_u16(rejection.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    for (name, value) in rejection.headers {
        if let Ok(value) = http::HeaderValue::from_str(&value) {
            response.headers_mut().append(name, value);
        }
    }
    response
}

fn text(status: StatusCode, content_type: &'static str, body: String) -> Response<Body> {
    let mut response = Response::new(full(body));
    *response.status_mut() = status;
    response.headers_mut().insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static(content_type),
    );
    response
}

async fn handle(
    shared: Arc<Shared>,
    held: Arc<Held>,
    client_addr: SocketAddr,
    req: Request<Incoming>,
) -> Result<Response<Body>, Infallible> {
    let rt = shared.runtime.load_full();
    let path = req.uri().path();
    let response = match path {
        "/healthz" => text(StatusCode::OK, "text/plain", "ok\n".into()),
        "/readyz" if rt.ready() => text(StatusCode::OK, "text/plain", "ready\n".into()),
        "/readyz" => text(
            StatusCode::SERVICE_UNAVAILABLE,
            "text/plain",
            "JWKS not loaded\n".into(),
        ),
        "/metrics" => text(
            StatusCode::OK,
            "text/plain; version=0.0.4",
            shared.metrics.render(&rt.verifiers),
        ),
        p if rt.forward_auth_path.as_deref() == Some(p) => {
            forward_auth::check(&rt, &shared.metrics, req.headers()).await
        }
        _ => {
            // CORS (`[cors]`): a preflight is answered here, unauthenticated;
            // every other answer, refusals included, carries the headers.
            let cors_headers = match rt.cors.as_ref().map(|c| crate::cors::check(c, &req)) {
                Some(crate::cors::Check::Preflight(answer)) => return Ok(answer),
                Some(crate::cors::Check::Headers(h)) => Some(h),
                None => None,
            };
            let mut response = proxy_request(&shared, &held, &rt, client_addr, req).await;
            if let Some(h) = cors_headers {
                crate::cors::apply(h, &mut response);
            }
            response
        }
    };
    Ok(response)
}

async fn proxy_request(
    shared: &Shared,
    held: &Held,
    rt: &Runtime,
    client_addr: SocketAddr,
    req: Request<Incoming>,
) -> Response<Body> {
    let target = req.uri().path_and_query().map_or("/", |pq| pq.as_str());
    let verdict = admit::decide(
        rt,
        &shared.metrics,
        req.method().as_str(),
        target,
        req.headers(),
    )
    .await;
    match verdict {
        Verdict::Refuse(rejection) => rejection_response(rejection),
        Verdict::Admit {
            entry,
            ops,
            response_headers,
        } => {
            let Some(upstream) = &entry.upstream else {
                return rejection_response(entry.preset.route_not_found());
            };
            let fwd = Forward {
                upstream,
                ops: &ops,
                mapping: &entry.mapping,
                response_headers,
                preset: entry.preset,
                timeout: Duration::from_millis(rt.limits.integration_timeout_ms),
                connect_timeout: Duration::from_millis(rt.limits.connect_timeout_ms),
                client_addr,
            };
            proxy::forward(held, &shared.metrics, fwd, req).await
        }
    }
}

/// Re-reads the file; a bad file keeps the configuration in force.
pub async fn reload(shared: &Shared) {
    match load(&shared.path) {
        Ok(rt) => {
            rt.hydrate().await;
            shared.runtime.store(Arc::new(rt));
            shared.metrics.reload(true);
            tracing::info!(path = %shared.path, "configuration reloaded");
        }
        Err(error) => {
            shared.metrics.reload(false);
            tracing::error!(%error, "reload refused; the previous configuration stays in force");
        }
    }
}

/// Reloads in the background: accepting never waits on a JWKS fetch.
fn spawn_reload(shared: &Arc<Shared>) {
    let shared = shared.clone();
    tokio::spawn(async move { reload(&shared).await });
}

/// Reads, parses and builds the configuration at `path`.
pub fn load(path: &str) -> Result<Runtime, config::ConfigError> {
    let (file, text) = config::read(path)?;
    Runtime::build(&file).map_err(|e| config::locate(path, &text, e))
}

fn modified(path: &str) -> Option<SystemTime> {
    std::fs::metadata(path).and_then(|m| m.modified()).ok()
}

/// Serves until SIGTERM (or SIGINT), then drains in-flight requests.
pub async fn serve(shared: Arc<Shared>, listener: TcpListener) -> std::io::Result<()> {
    let limits = shared.runtime.load().limits.clone();
    let permits = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let graceful = GracefulShutdown::new();
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
    let mut hup = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup())?;
    let watch_every = Duration::from_millis(limits.watch_interval_ms.max(100));
    let mut watch = tokio::time::interval(watch_every);
    let mut last_modified = modified(&shared.path);
    let header_timeout = Duration::from_millis(limits.header_read_timeout_ms);
    // Until every pool's keys are loaded, keep trying (readiness waits on it).
    let hydrating = shared.clone();
    tokio::spawn(async move {
        loop {
            let rt = hydrating.runtime.load_full();
            if rt.ready() {
                break;
            }
            rt.hydrate().await;
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
    });
    loop {
        tokio::select! {
            _ = term.recv() => break,
            _ = tokio::signal::ctrl_c() => break,
            _ = hup.recv() => spawn_reload(&shared),
            _ = watch.tick(), if limits.watch_interval_ms > 0 => {
                let now = modified(&shared.path);
                if now != last_modified {
                    last_modified = now;
                    spawn_reload(&shared);
                }
            }
            accepted = listener.accept() => {
                let (stream, client_addr) = match accepted {
                    Ok(pair) => pair,
                    Err(error) => {
                        tracing::warn!(%error, "accept failed");
                        continue;
                    }
                };
                let Ok(permit) = permits.clone().acquire_owned().await else { break };
                let _ = stream.set_nodelay(true);
                let shared = shared.clone();
                // This connection's upstream connection, kept between its requests.
                let held = Arc::new(Held::new(shared.upstreams.clone()));
                let service = service_fn(move |req| {
                    handle(shared.clone(), held.clone(), client_addr, req)
                });
                let conn = http1::Builder::new()
                    .timer(TokioTimer::new())
                    .header_read_timeout(header_timeout)
                    .serve_connection(TokioIo::new(stream), service);
                let conn = graceful.watch(conn);
                tokio::spawn(async move {
                    if let Err(error) = conn.await {
                        tracing::debug!(%error, "connection ended with an error");
                    }
                    drop(permit);
                });
            }
        }
    }
    tracing::info!("shutting down: draining in-flight requests");
    drop(listener);
    let grace = Duration::from_millis(shared.runtime.load().limits.shutdown_grace_ms);
    if tokio::time::timeout(grace, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!("shutdown grace period over; closing the remaining connections");
    }
    Ok(())
}
