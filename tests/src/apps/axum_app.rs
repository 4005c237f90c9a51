//! The conformance routes (listed in `test-support/conformance/cases.json`)
//! on axum, served on a free loopback port.
//!
//! Part of `cognito-e2e` and also compiled into the axum adapter's own
//! conformance test (`axum-layer/tests/conformance.rs`, by `#[path]`), so it
//! names only crates both have: `cognito_axum`, `cognito_verifier`, `axum`,
//! `serde_json` and `tokio`.

use std::net::SocketAddr;

use axum::Router;
use axum::response::IntoResponse;
use axum::routing::get;
use cognito_axum::{
    ApiGatewayClaims, Claims, CognitoAuthLayer, require_all_groups, require_all_scopes,
    require_any_group, require_group, require_owner, require_scope,
};
use cognito_verifier::gate::Gate;

/// The standard conformance routes (see `test-support/conformance/cases.json`).
pub fn app(gate: Gate) -> Router {
    async fn hello() -> &'static str {
        "hello"
    }
    async fn me(claims: Option<Claims>) -> axum::response::Response {
        match claims {
            Some(Claims(claims)) => axum::Json(claims).into_response(),
            None => axum::Json(serde_json::json!({"guest": true})).into_response(),
        }
    }
    /// The `x-amzn-oidc-*` headers the handler received (ALB mode).
    async fn oidc(headers: axum::http::HeaderMap) -> axum::Json<serde_json::Value> {
        let header = |name: &str| {
            headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        axum::Json(serde_json::json!({
            "accesstoken": header("x-amzn-oidc-accesstoken"),
            "identity": header("x-amzn-oidc-identity"),
            "data": header("x-amzn-oidc-data"),
        }))
    }
    async fn apigw(ApiGatewayClaims(context): ApiGatewayClaims) -> axum::Json<serde_json::Value> {
        axum::Json(context)
    }
    Router::new()
        .route("/hello", get(hello))
        .route("/me", get(me))
        .route("/admin", get(hello).route_layer(require_group("admin")))
        .route(
            "/admin-dev",
            get(hello).route_layer(require_all_groups(["admin", "dev"])),
        )
        .route(
            "/staff",
            get(hello).route_layer(require_any_group(["admin", "ops"])),
        )
        .route(
            "/orders",
            get(hello).route_layer(require_scope("orders/read")),
        )
        .route(
            "/orders-rw",
            get(hello).route_layer(require_all_scopes(["orders/read", "orders/write"])),
        )
        .route(
            "/users/{sub}/files",
            get(hello).route_layer(require_owner("sub")),
        )
        .route("/apigw", get(apigw))
        .route("/oidc", get(oidc))
        .layer(CognitoAuthLayer::from_gate(gate))
}

/// Serves [`app`] on a free loopback port.
pub async fn serve(gate: Gate) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app(gate)).await.unwrap() });
    addr
}
