//! The HTTP edge: the only code that knows axum. Handlers decode the
//! request, run a domain or API call on the blocking pool through
//! [`blocking`], and render its result or error.
//!
//! * `POST /` — the Cognito JSON API ([`json_api`]);
//! * `/{pool}/.well-known/*`, `/{pool}/revocations.json` ([`well_known`]);
//! * `/oauth2/*` ([`oauth2`]);
//! * `/_issuer/*` — local admin endpoints, loopback only ([`admin`]).

mod admin;
pub(crate) mod errors;
mod json_api;
mod oauth2;
mod well_known;

#[cfg(feature = "fuzzing")]
pub(crate) use oauth2::decode_token_request;

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::routing::{get, post};
use tokio::sync::Semaphore;

use crate::error::Error;
use crate::issuer::Issuer;

/// What every handler shares.
#[derive(Clone)]
pub(crate) struct AppState {
    issuer: Arc<Issuer>,
    /// Bounds concurrent blocking work (argon2 needs ~7 MiB each).
    permits: Arc<Semaphore>,
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
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(
        listener,
        router(issuer).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
}

/// Builds the router around the shared issuer state.
fn router(issuer: Arc<Issuer>) -> Router {
    let workers = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(2);
    let state = AppState {
        issuer,
        permits: Arc::new(Semaphore::new(workers * 4)),
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
        .merge(admin::routes())
        .fallback(not_found)
        .with_state(state)
}

async fn not_found() -> axum::response::Response {
    errors::not_found_json("Not found".into())
}
