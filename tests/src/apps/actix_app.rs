//! The conformance routes (listed in `test-support/conformance/cases.json`)
//! on actix-web, served on a free loopback port.
//!
//! Part of `cognito-e2e` and also compiled into the actix adapter's own
//! conformance test (`actix-middleware/tests/conformance.rs`, by `#[path]`),
//! so it names only crates both have: `cognito_actix`, `cognito_verifier`,
//! `actix_web` and `serde_json`.

use std::net::SocketAddr;

use actix_web::{App, HttpResponse, HttpServer, web};
use cognito_actix::{
    ApiGatewayClaims, Claims, CognitoAuth, require_all_groups, require_all_scopes,
    require_any_group, require_group, require_owner, require_scope,
};
use cognito_verifier::gate::Gate;

async fn hello() -> &'static str {
    "hello"
}

async fn me(claims: Option<Claims>) -> HttpResponse {
    match claims {
        Some(Claims(claims)) => HttpResponse::Ok().json(claims),
        None => HttpResponse::Ok().json(serde_json::json!({"guest": true})),
    }
}

/// The `x-amzn-oidc-*` headers the handler received (ALB mode).
async fn oidc(request: actix_web::HttpRequest) -> HttpResponse {
    let header = |name: &str| {
        request
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    HttpResponse::Ok().json(serde_json::json!({
        "accesstoken": header("x-amzn-oidc-accesstoken"),
        "identity": header("x-amzn-oidc-identity"),
        "data": header("x-amzn-oidc-data"),
    }))
}

async fn apigw(ApiGatewayClaims(context): ApiGatewayClaims) -> HttpResponse {
    HttpResponse::Ok().json(context)
}

/// Serves the standard conformance routes (see `test-support/conformance/cases.json`).
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
                    .route("/oidc", web::get().to(oidc))
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
