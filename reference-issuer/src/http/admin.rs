//! `/_issuer/*`: local admin endpoints (health, outbox, pools, key
//! rotation). Everything but health answers loopback clients only, enforced
//! once by a route layer.

use std::net::SocketAddr;

use axum::Router;
use axum::extract::{ConnectInfo, Path, Query, Request, State};
use axum::http::StatusCode;
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::{get, post};
use serde::Deserialize;
use serde_json::json;

use super::errors::{api_error, json_response, not_found_json};
use super::{AppState, blocking};
use crate::error::ErrorKind;
use crate::lifecycle::pool_info;

/// The admin routes.
pub(super) fn routes() -> Router<AppState> {
    let local_only = Router::new()
        .route("/_issuer/outbox", get(outbox))
        .route("/_issuer/pools", get(pools))
        .route("/_issuer/pools/{pool_id}/rotate-keys", post(rotate_keys))
        .route_layer(middleware::from_fn(loopback_only));
    Router::new()
        .route("/_issuer/health", get(health))
        .merge(local_only)
}

async fn loopback_only(request: Request, next: Next) -> Response {
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0);
    if peer.is_some_and(|p| super::server::canonical_peer(p).is_loopback()) {
        return next.run(request).await;
    }
    json_response(
        StatusCode::FORBIDDEN,
        json!({ "message": "the /_issuer endpoints only answer loopback clients" }),
        "application/json",
    )
}

async fn health(State(state): State<AppState>) -> Response {
    match blocking(&state, |issuer| issuer.pools()).await {
        Ok(pools) => json_response(
            StatusCode::OK,
            json!({ "status": "ok", "pools": pools.len() }),
            "application/json",
        ),
        Err(_) => json_response(
            StatusCode::SERVICE_UNAVAILABLE,
            json!({ "status": "unavailable" }),
            "application/json",
        ),
    }
}

#[derive(Deserialize)]
struct OutboxQuery {
    pool: Option<String>,
    username: Option<String>,
    limit: Option<i64>,
}

async fn outbox(State(state): State<AppState>, Query(q): Query<OutboxQuery>) -> Response {
    let res = blocking(&state, move |issuer| {
        issuer.outbox(
            q.pool.as_deref(),
            q.username.as_deref(),
            q.limit.unwrap_or(100).clamp(1, 1000),
        )
    })
    .await;
    match res {
        Ok(msgs) => json_response(
            StatusCode::OK,
            json!({ "messages": msgs }),
            "application/json",
        ),
        Err(e) => api_error(e),
    }
}

async fn pools(State(state): State<AppState>) -> Response {
    let res = blocking(&state, |issuer| {
        issuer
            .pools()?
            .iter()
            .map(|(p, _)| pool_info(issuer, &p.id))
            .collect::<Result<Vec<_>, _>>()
    })
    .await;
    match res {
        Ok(list) => json_response(StatusCode::OK, json!({ "pools": list }), "application/json"),
        Err(e) => api_error(e),
    }
}

async fn rotate_keys(State(state): State<AppState>, Path(pool_id): Path<String>) -> Response {
    let res = blocking(&state, move |issuer| {
        let kids = issuer.rotate_keys(&pool_id)?;
        let jwks = issuer.jwks(&pool_id)?;
        Ok(json!({ "pool_id": pool_id, "new_kids": kids, "jwks": jwks }))
    })
    .await;
    match res {
        Ok(v) => json_response(StatusCode::OK, v, "application/json"),
        Err(e) if e.kind == ErrorKind::ResourceNotFound => not_found_json(e.message),
        Err(e) => api_error(e),
    }
}
