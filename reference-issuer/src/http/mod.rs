//! The HTTP edge: the only code that knows axum. Handlers decode the
//! request, run a domain or API call on the blocking pool through
//! [`blocking`], and render its result or error.
//!
//! * `POST /` — the Cognito JSON API ([`json_api`]);
//! * `/{pool}/.well-known/*`, `/{pool}/revocations.json` ([`well_known`]);
//! * `/oauth2/*` ([`oauth2`]);
//! * the hosted login UI: `/oauth2/authorize`, `/login`, `/logout`, ... ([`hosted`]);
//! * `/hosted-ui/{pool}/{client}/*` — customization CSS and logo ([`ui_assets`]);
//! * `/_issuer/*` — local admin endpoints, loopback only ([`admin`]).
//!
//! Every request first passes [`guard`] (Host check, cross-site refusal on
//! `/_issuer/*`), then [`cors`] (preflights, `Access-Control-Allow-Origin`
//! on the browser-facing paths, IAM operations refused from an origin); connections are served by [`server`] (timeouts and a
//! connection cap); the JSON API's IAM operations are verified by
//! [`sigv4`] when access keys are configured.

mod admin;
pub(crate) mod cors;
pub(crate) mod errors;
pub(crate) mod guard;
mod hosted;
mod json_api;
mod oauth2;
pub(crate) mod server;
pub(crate) mod sigv4;
mod ui_assets;
mod well_known;

#[cfg(feature = "fuzzing")]
pub(crate) use oauth2::decode_token_request;

use std::sync::Arc;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use tokio::sync::Semaphore;

use crate::error::Error;
use crate::issuer::Issuer;
use crate::lifecycle::ServerLimits;

/// The largest request body accepted (Cognito requests are a few KiB);
/// larger ones get an AWS-shaped `413`.
pub(crate) const MAX_BODY: usize = 1024 * 1024;

/// How the JSON API's IAM-authorized operations are authorized.
#[derive(Debug, Clone)]
pub(crate) enum Management {
    /// Anyone who reaches the port (no access keys; loopback, or the
    /// explicit `insecure_open_admin`).
    Open,
    /// A SigV4 signature by one of the configured access keys.
    SigV4(sigv4::Verifier),
}

/// The edge's settings, decided at start-up.
#[derive(Debug, Clone)]
pub(crate) struct Edge {
    /// Management operations: open or SigV4.
    pub(crate) management: Management,
    /// The names the issuer answers to.
    pub(crate) hosts: guard::AllowedHosts,
    /// Connection timeouts and cap.
    pub(crate) limits: ServerLimits,
    /// The browser origins CORS answers.
    pub(crate) cors: cors::CorsOrigins,
}

/// What every handler shares.
#[derive(Clone)]
pub(crate) struct AppState {
    issuer: Arc<Issuer>,
    /// Bounds concurrent blocking work (argon2 needs ~7 MiB each).
    permits: Arc<Semaphore>,
    /// How IAM-authorized operations are checked.
    management: Arc<Management>,
}

/// Runs `f` on tokio's blocking pool (SQLite and argon2 block), within the
/// concurrency bound. A panic or shutdown becomes an internal error.
pub(crate) async fn blocking<T, F>(state: &AppState, f: F) -> Result<T, Error>
where
    T: Send + 'static,
    F: FnOnce(&Issuer) -> Result<T, Error> + Send + 'static,
{
    let Ok(permit) = state.permits.clone().acquire_owned().await else {
        return Err(Error::internal("server shutting down"));
    };
    let issuer = state.issuer.clone();
    tokio::task::spawn_blocking(move || {
        let _permit = permit;
        f(&issuer)
    })
    .await
    .unwrap_or_else(|e| {
        tracing::error!(error = %e, "blocking task failed");
        Err(Error::internal("internal error"))
    })
}

/// Serves the issuer on `listener` until `shutdown` completes, then
/// finishes the requests in flight.
pub(crate) async fn serve(
    listener: tokio::net::TcpListener,
    issuer: Arc<Issuer>,
    edge: Edge,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let limits = edge.limits.clone();
    server::serve(listener, router(issuer, edge), limits, shutdown).await
}

/// Builds the router around the shared issuer state.
fn router(issuer: Arc<Issuer>, edge: Edge) -> Router {
    let workers = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(2);
    let state = AppState {
        issuer,
        permits: Arc::new(Semaphore::new(workers * 4)),
        management: Arc::new(edge.management),
    };
    Router::new()
        .route("/", post(json_api::handle))
        .route("/{pool_id}/.well-known/jwks.json", get(well_known::jwks))
        .route(
            "/{pool_id}/.well-known/openid-configuration",
            get(well_known::discovery),
        )
        .route("/{pool_id}/revocations.json", get(well_known::revocations))
        .route("/oauth2/token", post(oauth2::token))
        .route(
            "/oauth2/userInfo",
            get(oauth2::user_info).post(oauth2::user_info),
        )
        .route(
            "/oauth2/userinfo",
            get(oauth2::user_info).post(oauth2::user_info),
        )
        .route("/oauth2/revoke", post(oauth2::revoke))
        .merge(hosted::routes())
        .route(
            "/hosted-ui/{pool_id}/{client_id}/custom.css",
            get(ui_assets::custom_css),
        )
        .route(
            "/hosted-ui/{pool_id}/{client_id}/logo",
            get(ui_assets::logo),
        )
        .merge(admin::routes())
        .fallback(not_found)
        .layer(DefaultBodyLimit::max(MAX_BODY))
        .layer(axum::middleware::from_fn_with_state(
            Arc::new(edge.cors),
            cors::cors,
        ))
        .layer(axum::middleware::from_fn_with_state(
            Arc::new(edge.hosts),
            guard::guard,
        ))
        .with_state(state)
}

async fn not_found() -> axum::response::Response {
    errors::not_found_json("Not found".into())
}
