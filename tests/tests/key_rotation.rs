//! Key rotation end to end: the issuer rotates while both APIs serve.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use cognito_e2e::apps::{actix_app, axum_app};
use cognito_e2e::issuer_pool::IssuerPool;
use cognito_verifier::gate::Gate;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rotation_breaks_no_request() {
    let pool = IssuerPool::start().await;
    pool.create_user("alice", &[]).await;
    let verifier = pool.verifier_builder().build().unwrap();
    verifier.hydrate().await.unwrap();
    let apis = [
        axum_app::serve(Gate::new(verifier.clone())).await,
        actix_app::serve(Gate::new(verifier.clone())).await,
    ];
    let old = pool.sign_in("alice").await["AccessToken"]
        .as_str()
        .unwrap()
        .to_owned();
    let old_kid = kid_of(&old);

    // Traffic with the old token on both APIs for the whole test.
    let stop = Arc::new(AtomicBool::new(false));
    let (sent, failed) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    let traffic = {
        let (stop, sent, failed, old) = (stop.clone(), sent.clone(), failed.clone(), old.clone());
        tokio::spawn(async move {
            let client = reqwest::Client::builder().no_proxy().build().unwrap();
            while !stop.load(Ordering::Relaxed) {
                for api in apis {
                    let status = client
                        .get(format!("http://{api}/hello"))
                        .bearer_auth(&old)
                        .send()
                        .await
                        .map(|r| r.status().as_u16())
                        .unwrap_or(0);
                    sent.fetch_add(1, Ordering::Relaxed);
                    if status != 200 {
                        failed.fetch_add(1, Ordering::Relaxed);
                    }
                }
            }
        })
    };
    tokio::time::sleep(Duration::from_millis(200)).await;

    pool.rotate_keys().await;
    let new = pool.sign_in("alice").await["AccessToken"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_ne!(kid_of(&new), old_kid, "the rotated key signs new tokens");
    let client = reqwest::Client::builder().no_proxy().build().unwrap();
    for api in apis {
        for token in [&new, &old] {
            let status = client
                .get(format!("http://{api}/hello"))
                .bearer_auth(token)
                .send()
                .await
                .unwrap()
                .status();
            assert_eq!(status, 200, "{api} with kid {}", kid_of(token));
        }
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    stop.store(true, Ordering::Relaxed);
    traffic.await.unwrap();
    assert!(sent.load(Ordering::Relaxed) > 10, "traffic ran");
    assert_eq!(
        failed.load(Ordering::Relaxed),
        0,
        "no request failed during rotation"
    );
}

fn kid_of(token: &str) -> String {
    use base64::Engine;
    let header = token.split('.').next().unwrap();
    let header: serde_json::Value = serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(header)
            .unwrap(),
    )
    .unwrap();
    header["kid"].as_str().unwrap().to_owned()
}
