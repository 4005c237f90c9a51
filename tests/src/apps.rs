//! The standard conformance routes (listed in `conformance/cases.json`),
//! served by each adapter on a free loopback port.

use std::net::SocketAddr;

use cognito_verifier::gate::Gate;

/// The conformance routes on axum.
pub mod axum_app {
    use super::*;
    use axum::Router;
    use axum::response::IntoResponse;
    use axum::routing::get;
    use cognito_axum::{
        ApiGatewayClaims, Claims, CognitoAuthLayer, require_all_groups, require_all_scopes,
        require_any_group, require_group, require_owner, require_scope,
    };

    /// The standard conformance routes (see `tests/conformance/cases.json`).
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
        async fn apigw(
            ApiGatewayClaims(context): ApiGatewayClaims,
        ) -> axum::Json<serde_json::Value> {
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
            .layer(CognitoAuthLayer::from_gate(gate))
    }

    /// Serves [`app`] on a free loopback port.
    pub async fn serve(gate: Gate) -> SocketAddr {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app(gate)).await.unwrap() });
        addr
    }
}

/// The conformance routes on actix-web.
pub mod actix_app {
    use super::*;
    use actix_web::{App, HttpResponse, HttpServer, web};
    use cognito_actix::{
        ApiGatewayClaims, Claims, CognitoAuth, require_all_groups, require_all_scopes,
        require_any_group, require_group, require_owner, require_scope,
    };

    async fn hello() -> &'static str {
        "hello"
    }

    async fn me(claims: Option<Claims>) -> HttpResponse {
        match claims {
            Some(Claims(claims)) => HttpResponse::Ok().json(claims),
            None => HttpResponse::Ok().json(serde_json::json!({"guest": true})),
        }
    }

    async fn apigw(ApiGatewayClaims(context): ApiGatewayClaims) -> HttpResponse {
        HttpResponse::Ok().json(context)
    }

    /// Serves the standard conformance routes (see `tests/conformance/cases.json`).
    pub async fn serve(gate: Gate) -> SocketAddr {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let auth = CognitoAuth::from_gate(gate);
        std::thread::spawn(move || {
            actix_web::rt::System::new().block_on(async move {
                HttpServer::new(move || {
                    App::new()
                        .wrap(auth.clone())
                        .route("/hello", web::get().to(hello))
                        .route("/me", web::get().to(me))
                        .route("/apigw", web::get().to(apigw))
                        .service(
                            web::resource("/admin")
                                .wrap(require_group("admin"))
                                .route(web::get().to(hello)),
                        )
                        .service(
                            web::resource("/admin-dev")
                                .wrap(require_all_groups(["admin", "dev"]))
                                .route(web::get().to(hello)),
                        )
                        .service(
                            web::resource("/staff")
                                .wrap(require_any_group(["admin", "ops"]))
                                .route(web::get().to(hello)),
                        )
                        .service(
                            web::resource("/orders")
                                .wrap(require_scope("orders/read"))
                                .route(web::get().to(hello)),
                        )
                        .service(
                            web::resource("/orders-rw")
                                .wrap(require_all_scopes(["orders/read", "orders/write"]))
                                .route(web::get().to(hello)),
                        )
                        .service(
                            web::resource("/users/{sub}/files")
                                .wrap(require_owner("sub"))
                                .route(web::get().to(hello)),
                        )
                })
                .workers(1)
                .listen(listener)
                .unwrap()
                .run()
                .await
                .unwrap()
            })
        });
        addr
    }
}
