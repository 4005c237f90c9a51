//! The layer outside axum's router, extractor misuse, and typed claims.

use std::convert::Infallible;

use axum::body::Body;
use axum::routing::get;
use cognito_axum::{Claims, CognitoAuthLayer, TypedClaims, require_group};
use cognito_test_support::test_issuer::TestIssuer;
use cognito_verifier::{CognitoVerifier, PoolConfig};
use http::{Request, Response, StatusCode};
use http_body_util::{BodyExt, Full};
use tower::{ServiceBuilder, ServiceExt};

async fn verifier(issuer: &TestIssuer) -> CognitoVerifier {
    CognitoVerifier::builder()
        .pool(
            PoolConfig::new(&issuer.pool_id)
                .jwks_uri(issuer.jwks.url())
                .client_id(&issuer.client_id),
        )
        .build()
        .unwrap()
}

async fn body_text(response: Response<Body>) -> String {
    String::from_utf8(
        response
            .into_body()
            .collect()
            .await
            .unwrap()
            .to_bytes()
            .to_vec(),
    )
    .unwrap()
}

#[tokio::test]
async fn works_as_a_plain_tower_layer() {
    let issuer = TestIssuer::start().await;
    // A bare tower stack around a service_fn with its own body type: no axum router.
    let service = ServiceBuilder::new()
        .layer(CognitoAuthLayer::new(verifier(&issuer).await))
        .service_fn(|request: Request<Full<bytes::Bytes>>| async move {
            let auth = request
                .extensions()
                .get::<cognito_axum::AuthContext>()
                .cloned();
            let sub = auth
                .and_then(|a| a.claims().map(|c| c.sub().to_owned()))
                .unwrap_or_default();
            Ok::<_, Infallible>(Response::new(Full::new(bytes::Bytes::from(format!(
                "sub={sub}"
            )))))
        });
    let token = issuer.mint(&issuer.id_claims(&[]));
    let request = Request::get("/")
        .header("authorization", format!("Bearer {token}"))
        .body(Full::default())
        .unwrap();
    let response = service.clone().oneshot(request).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        body_text(response).await,
        "sub=11111111-2222-3333-4444-555555555555"
    );

    let response = service
        .oneshot(Request::get("/").body(Full::default()).unwrap())
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(response.headers()["www-authenticate"], "Bearer");
}

#[tokio::test]
async fn extractor_without_the_layer_is_a_server_error() {
    async fn handler(Claims(claims): Claims) -> String {
        claims.sub().to_owned()
    }
    let app: axum::Router = axum::Router::new().route("/", get(handler));
    let response = app
        .oneshot(Request::get("/").body(Body::empty()).unwrap())
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
    assert!(body_text(response).await.contains("not configured"));

    // A guard without the layer is the same configuration error.
    let app: axum::Router =
        axum::Router::new().route("/", get(|| async { "x" }).route_layer(require_group("a")));
    let response = app
        .oneshot(Request::get("/").body(Body::empty()).unwrap())
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
}

#[tokio::test]
async fn typed_claims_map_or_refuse() {
    #[derive(serde::Deserialize)]
    struct Tenant {
        #[serde(rename = "custom:tenant")]
        tenant: String,
    }
    #[derive(serde::Deserialize)]
    struct Plan {
        #[serde(rename = "custom:plan")]
        #[allow(dead_code)]
        plan: String,
    }
    let issuer = TestIssuer::start().await;
    let app = axum::Router::new()
        .route(
            "/tenant",
            get(|TypedClaims(t): TypedClaims<Tenant>| async move { t.tenant }),
        )
        .route(
            "/plan",
            get(|TypedClaims(_): TypedClaims<Plan>| async { "plan" }),
        )
        .layer(CognitoAuthLayer::new(verifier(&issuer).await));
    let token = issuer.mint(&issuer.id_claims(&[]));
    let get = |path: &str| {
        Request::get(path)
            .header("authorization", format!("Bearer {token}"))
            .body(Body::empty())
            .unwrap()
    };
    let response = app.clone().oneshot(get("/tenant")).await.unwrap();
    assert_eq!(body_text(response).await, "acme");
    let response = app.oneshot(get("/plan")).await.unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
}
