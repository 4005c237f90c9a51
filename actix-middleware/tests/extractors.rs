//! Extractors over real HTTP: misuse without the middleware, guests, typed claims.

use actix_web::{App, HttpServer, web};
use cognito_actix::{Claims, CognitoAuth, TypedClaims, require_group};
use cognito_test_support::test_issuer::TestIssuer;
use cognito_verifier::{CognitoVerifier, PoolConfig};

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

async fn sub(Claims(claims): Claims) -> String {
    claims.sub().to_owned()
}

async fn maybe(claims: Option<Claims>) -> String {
    claims.map_or("guest".to_owned(), |Claims(c)| c.sub().to_owned())
}

/// Serves a bare route (no middleware), an optional scope and a typed scope.
fn serve(verifier: CognitoVerifier) -> std::net::SocketAddr {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        actix_web::rt::System::new().block_on(async move {
            HttpServer::new(move || {
                App::new()
                    .route("/bare", web::get().to(sub))
                    .service(
                        web::resource("/bare-guard")
                            .wrap(require_group("a"))
                            .route(web::get().to(sub)),
                    )
                    .service(
                        web::scope("/optional")
                            .wrap(CognitoAuth::new(verifier.clone()).optional())
                            .route("/maybe", web::get().to(maybe))
                            .route("/must", web::get().to(sub)),
                    )
                    .service(
                        web::scope("/typed")
                            .wrap(CognitoAuth::new(verifier.clone()))
                            .route(
                                "/tenant",
                                web::get().to(|TypedClaims(t): TypedClaims<Tenant>| async move {
                                    t.tenant
                                }),
                            )
                            .route(
                                "/plan",
                                web::get().to(|TypedClaims(_): TypedClaims<Plan>| async { "plan" }),
                            ),
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
async fn extractors_behave() {
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
    let token = issuer.mint(&issuer.id_claims(&[]));
    let client = reqwest::Client::builder().no_proxy().build().unwrap();
    let get = |path: &str, token: Option<&str>| {
        let mut request = client.get(format!("http://{addr}{path}"));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        async move {
            let response = request.send().await.unwrap();
            (response.status().as_u16(), response.text().await.unwrap())
        }
    };

    // Without the middleware: a server configuration error, not a silent 401.
    let (status, body) = get("/bare", Some(&token)).await;
    assert_eq!(status, 500);
    assert!(body.contains("not configured"), "{body}");
    assert_eq!(get("/bare-guard", Some(&token)).await.0, 500);

    // Optional middleware: guests pass with no claims; a required extractor refuses them.
    assert_eq!(
        get("/optional/maybe", None).await,
        (200, "guest".to_owned())
    );
    assert_eq!(
        get("/optional/maybe", Some(&token)).await.1,
        "11111111-2222-3333-4444-555555555555"
    );
    assert_eq!(get("/optional/must", None).await.0, 401);
    assert_eq!(get("/optional/maybe", Some("garbage")).await.0, 401);

    // Typed claims: mapped, or 403 when the token lacks what the type needs.
    assert_eq!(
        get("/typed/tenant", Some(&token)).await,
        (200, "acme".to_owned())
    );
    assert_eq!(get("/typed/plan", Some(&token)).await.0, 403);
}
