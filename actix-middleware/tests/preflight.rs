//! `pass_preflight`: a CORS preflight reaches the inner service without a
//! token (for a CORS layer inside); other requests are still gated.

use actix_web::{App, HttpMessage, HttpRequest, HttpServer, web};
use cognito_actix::{AuthContext, CognitoAuth};
use cognito_test_support::test_issuer::TestIssuer;
use cognito_verifier::{CognitoVerifier, PoolConfig};

async fn inner(request: HttpRequest) -> String {
    let guest = request
        .extensions()
        .get::<AuthContext>()
        .is_some_and(|a| a.claims().is_none());
    format!("inner guest={guest}")
}

fn serve(verifier: CognitoVerifier) -> std::net::SocketAddr {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        actix_web::rt::System::new().block_on(async move {
            HttpServer::new(move || {
                App::new()
                    .service(
                        web::scope("/passing")
                            .wrap(CognitoAuth::new(verifier.clone()).pass_preflight(true))
                            .default_service(web::to(inner)),
                    )
                    .service(
                        web::scope("/strict")
                            .wrap(CognitoAuth::new(verifier.clone()))
                            .default_service(web::to(inner)),
                    )
            })
            .workers(1)
            .listen(listener)
            .unwrap()
            .run()
            .await
        })
    });
    addr
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
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
    let addr = serve(verifier);
    let client = reqwest::Client::builder().no_proxy().build().unwrap();
    let send = |method: reqwest::Method, path: &str, acrm: bool| {
        let mut request = client
            .request(method, format!("http://{addr}{path}"))
            .header("origin", "https://app.example");
        if acrm {
            request = request.header("access-control-request-method", "POST");
        }
        request.send()
    };
    let r = send(reqwest::Method::OPTIONS, "/passing/orders", true)
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.text().await.unwrap(), "inner guest=true");
    let r = send(reqwest::Method::OPTIONS, "/passing/orders", false)
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    let r = send(reqwest::Method::GET, "/passing/orders", true)
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    let r = send(reqwest::Method::OPTIONS, "/strict/orders", true)
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
}
