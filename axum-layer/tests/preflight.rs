//! `pass_preflight`: a CORS preflight reaches the inner service without a
//! token (for a CORS layer inside); other requests are still gated.

use std::convert::Infallible;

use cognito_axum::CognitoAuthLayer;
use cognito_test_support::test_issuer::TestIssuer;
use cognito_verifier::{CognitoVerifier, PoolConfig};
use http::{Request, Response};
use http_body_util::Full;
use tower::{ServiceBuilder, ServiceExt};

fn request(method: &str, headers: &[(&str, &str)]) -> Request<Full<bytes::Bytes>> {
    let mut builder = Request::builder().method(method).uri("/orders");
    for (name, value) in headers {
        builder = builder.header(*name, *value);
    }
    builder.body(Full::default()).unwrap()
}

#[tokio::test]
async fn preflight_passes_through_only_when_enabled() {
    let issuer = TestIssuer::start().await;
    let verifier = CognitoVerifier::builder()
        .pool(
            PoolConfig::new(&issuer.pool_id)
                .jwks_uri(issuer.jwks.url())
                .client_id(&issuer.client_id),
        )
        .build()
        .unwrap();
    let inner = |request: Request<Full<bytes::Bytes>>| async move {
        let guest = request
            .extensions()
            .get::<cognito_axum::AuthContext>()
            .is_some_and(|a| a.claims().is_none());
        Ok::<_, Infallible>(Response::new(Full::new(bytes::Bytes::from(format!(
            "inner guest={guest}"
        )))))
    };
    let preflight = [
        ("origin", "https://app.example"),
        ("access-control-request-method", "POST"),
    ];
    let passing = ServiceBuilder::new()
        .layer(CognitoAuthLayer::new(verifier.clone()).pass_preflight(true))
        .service_fn(inner);
    let strict = ServiceBuilder::new()
        .layer(CognitoAuthLayer::new(verifier))
        .service_fn(inner);

    let r = passing
        .clone()
        .oneshot(request("OPTIONS", &preflight))
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let body = http_body_util::BodyExt::collect(r.into_body())
        .await
        .unwrap()
        .to_bytes();
    assert_eq!(body, "inner guest=true");

    // Not a preflight: an OPTIONS without Access-Control-Request-Method, a GET with both headers.
    let r = passing
        .clone()
        .oneshot(request("OPTIONS", &preflight[..1]))
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    let r = passing.oneshot(request("GET", &preflight)).await.unwrap();
    assert_eq!(r.status(), 401);
    // Off by default.
    let r = strict
        .oneshot(request("OPTIONS", &preflight))
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
}
