//! JWKS outage end to end: the issuer stops; known keys keep verifying, a new
//! kid is 503 (not 401); after a restart everything recovers.

use std::time::Duration;

use cognito_e2e::apps::{actix_app, axum_app};
use cognito_e2e::issuer_pool::IssuerPool;
use cognito_verifier::gate::Gate;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn outage_then_recovery() {
    let mut pool = IssuerPool::start().await;
    pool.create_user("alice", &[]).await;
    // Token cache off: every request below proves something about keys.
    let verifier = pool
        .verifier_builder()
        .disable_token_cache()
        .jwks_cooldown(Duration::from_millis(300))
        .build()
        .unwrap();
    let apis = [
        axum_app::serve(Gate::new(verifier.clone())).await,
        actix_app::serve(Gate::new(verifier.clone())).await,
    ];
    let client = reqwest::Client::builder().no_proxy().build().unwrap();
    let status = |token: String, api| {
        let client = client.clone();
        async move {
            let r = client
                .get(format!("http://{api}/hello"))
                .bearer_auth(token)
                .send()
                .await
                .unwrap();
            (
                r.status().as_u16(),
                r.headers().get("retry-after").is_some(),
            )
        }
    };

    let seen = pool.sign_in("alice").await["AccessToken"]
        .as_str()
        .unwrap()
        .to_owned();
    for api in apis {
        assert_eq!(status(seen.clone(), api).await.0, 200);
    }
    // A token under a key the APIs have never seen.
    pool.rotate_keys().await;
    let unseen = pool.sign_in("alice").await["AccessToken"]
        .as_str()
        .unwrap()
        .to_owned();

    pool.stop().await;
    for api in apis {
        assert_eq!(
            status(seen.clone(), api).await.0,
            200,
            "known key keeps verifying during the outage"
        );
        assert_eq!(
            status(unseen.clone(), api).await,
            (503, true),
            "unknown kid during the outage is 503 with Retry-After"
        );
    }

    pool.restart().await;
    tokio::time::sleep(Duration::from_millis(400)).await; // past the failure back-off
    for api in apis {
        assert_eq!(
            status(unseen.clone(), api).await.0,
            200,
            "recovered after restart"
        );
        assert_eq!(status(seen.clone(), api).await.0, 200);
    }
}
