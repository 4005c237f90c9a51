//! JWKS cache behaviour against a real loopback JWKS server.

use std::time::{Duration, Instant};

use cognito_test_support::test_issuer::{JwksBehaviour, JwksServer, TestIssuer, TestKey};
use cognito_verifier::{Cause, CognitoVerifier, CognitoVerifierBuilder, ErrorCategory, PoolConfig};

fn builder(issuer: &TestIssuer) -> CognitoVerifierBuilder {
    CognitoVerifier::builder().pool(
        PoolConfig::new(&issuer.pool_id)
            .jwks_uri(issuer.jwks.url())
            .client_id(&issuer.client_id),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hundred_concurrent_cold_verifications_fetch_once() {
    let issuer = TestIssuer::start().await;
    issuer.jwks.set_delay(Duration::from_millis(200));
    let verifier = builder(&issuer).build().unwrap();
    let tasks: Vec<_> = (0..100)
        .map(|i| {
            let mut claims = issuer.id_claims(&[]);
            claims["jti"] = serde_json::json!(format!("jti-{i}"));
            let token = issuer.mint(&claims);
            let verifier = verifier.clone();
            tokio::spawn(async move { verifier.verify(&token).await })
        })
        .collect();
    for task in tasks {
        task.await.unwrap().expect("verified");
    }
    assert_eq!(issuer.jwks.fetches(), 1);
}

#[tokio::test]
async fn rotation_is_picked_up_and_cooldown_respected() {
    let issuer = TestIssuer::start().await;
    let verifier = builder(&issuer)
        .jwks_cooldown(Duration::from_secs(2))
        .build()
        .unwrap();
    verifier
        .verify(&issuer.mint(&issuer.id_claims(&[])))
        .await
        .unwrap();
    assert_eq!(issuer.jwks.fetches(), 1);

    // The pool rotates: a new kid appears and is fetched on first sight.
    let rotated = TestKey::generate("test-key-2");
    issuer
        .jwks
        .set(JwksBehaviour::Keys(vec![issuer.key.jwk(), rotated.jwk()]));
    verifier
        .verify(&rotated.mint(&issuer.id_claims(&[])))
        .await
        .unwrap();
    assert_eq!(issuer.jwks.fetches(), 2);

    // A kid that is still unknown after a fetch fails fast during the cool-down.
    // (Keys are made before the window opens: RSA generation is slow under load.)
    let token = TestKey::generate("unknown-kid").mint(&issuer.id_claims(&[]));
    let other = TestKey::generate("another-unknown").mint(&issuer.id_claims(&[]));
    for _ in 0..5 {
        let err = verifier.verify(&token).await.unwrap_err();
        assert_eq!(err.cause(), &Cause::UnknownKid("unknown-kid".into()));
    }
    assert_eq!(issuer.jwks.fetches(), 3);
    assert_eq!(
        verifier.verify(&other).await.unwrap_err().code(),
        "unknown_kid"
    );
    assert_eq!(
        issuer.jwks.fetches(),
        3,
        "cool-down covers every unknown kid"
    );

    // After the cool-down, an unknown kid may fetch again.
    tokio::time::sleep(Duration::from_millis(2100)).await;
    verifier.verify(&token).await.unwrap_err();
    assert_eq!(issuer.jwks.fetches(), 4);
}

#[tokio::test]
async fn down_or_slow_jwks_is_unavailable_within_the_timeout() {
    // Down: nothing listens on the port.
    let issuer = TestIssuer::start().await;
    issuer.jwks.stop();
    tokio::time::sleep(Duration::from_millis(50)).await;
    let verifier = builder(&issuer).build().unwrap();
    let token = issuer.mint(&issuer.id_claims(&[]));
    let err = verifier.verify(&token).await.unwrap_err();
    assert_eq!(err.category(), ErrorCategory::KeysUnavailable);

    // Slow: answers after 3 s, the verifier gives up after 300 ms.
    let slow = TestIssuer::start().await;
    slow.jwks.set_delay(Duration::from_secs(3));
    let verifier = builder(&slow)
        .jwks_timeouts(Duration::from_millis(200), Duration::from_millis(300))
        .build()
        .unwrap();
    let started = Instant::now();
    let err = verifier
        .verify(&slow.mint(&slow.id_claims(&[])))
        .await
        .unwrap_err();
    assert_eq!(err.code(), "jwks_unavailable");
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn cached_keys_keep_working_when_the_jwks_goes_down() {
    let issuer = TestIssuer::start().await;
    let verifier = builder(&issuer)
        .disable_token_cache()
        .jwks_ttl(Duration::from_millis(200))
        .jwks_max_stale(Duration::from_secs(60))
        .build()
        .unwrap();
    verifier.hydrate().await.unwrap();
    issuer.jwks.stop();
    let token = issuer.mint(&issuer.id_claims(&[]));
    verifier.verify(&token).await.expect("fresh keys");
    tokio::time::sleep(Duration::from_millis(300)).await;
    verifier
        .verify(&token)
        .await
        .expect("stale keys serve while refresh fails");
    // A kid never seen cannot be vouched for: unavailable, not unknown.
    let new_kid = TestKey::generate("new").mint(&issuer.id_claims(&[]));
    assert_eq!(
        verifier.verify(&new_kid).await.unwrap_err().code(),
        "jwks_unavailable"
    );

    // Past the stale bound, cached keys stop serving.
    let bounded = builder(&issuer)
        .disable_token_cache()
        .jwks_ttl(Duration::from_millis(200))
        .jwks_max_stale(Duration::ZERO)
        .build()
        .unwrap();
    let restarted = JwksServer::start_on(
        issuer.jwks.addr(),
        JwksBehaviour::Keys(vec![issuer.key.jwk()]),
    )
    .await;
    bounded.hydrate().await.unwrap();
    restarted.stop();
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        bounded.verify(&token).await.unwrap_err().code(),
        "jwks_unavailable"
    );
}

#[tokio::test]
async fn removed_keys_are_evicted_on_refresh() {
    let issuer = TestIssuer::start().await;
    let second = TestKey::generate("second");
    issuer
        .jwks
        .set(JwksBehaviour::Keys(vec![issuer.key.jwk(), second.jwk()]));
    let verifier = builder(&issuer)
        .disable_token_cache()
        .jwks_ttl(Duration::from_millis(200))
        .build()
        .unwrap();
    let by_second = second.mint(&issuer.id_claims(&[]));
    verifier.verify(&by_second).await.unwrap();
    issuer.jwks.set(JwksBehaviour::Keys(vec![issuer.key.jwk()]));
    tokio::time::sleep(Duration::from_millis(300)).await;
    let err = verifier.verify(&by_second).await.unwrap_err();
    assert_eq!(err.cause(), &Cause::UnknownKid("second".into()));
}

#[tokio::test]
async fn background_refresh_means_requests_never_fetch() {
    let issuer = TestIssuer::start().await;
    let verifier = builder(&issuer)
        .jwks_background_refresh(Duration::from_millis(100))
        .build()
        .unwrap();
    verifier.hydrate().await.unwrap();
    let rotated = TestKey::generate("rotated");
    issuer
        .jwks
        .set(JwksBehaviour::Keys(vec![issuer.key.jwk(), rotated.jwk()]));
    tokio::time::sleep(Duration::from_millis(400)).await;
    // verify_sync cannot fetch, so the key must have arrived in the background.
    verifier
        .verify_sync(&rotated.mint(&issuer.id_claims(&[])))
        .unwrap();
    assert!(issuer.jwks.fetches() >= 2);
    drop(verifier);
}

#[tokio::test]
async fn bad_jwks_documents_are_refused() {
    let issuer = TestIssuer::start().await;
    let token = issuer.mint(&issuer.id_claims(&[]));
    let huge_key =
        serde_json::json!({"kid": "pad", "kty": "RSA", "n": "A".repeat(100_000), "e": "AQAB"});
    let cases = [
        (
            "oversized",
            JwksBehaviour::Keys(vec![issuer.key.jwk(), huge_key]),
        ),
        (
            "garbage",
            JwksBehaviour::Raw(b"<html>not json</html>".to_vec()),
        ),
        (
            "wrong shape",
            JwksBehaviour::Raw(br#"{"keys": "all of them"}"#.to_vec()),
        ),
        ("server error", JwksBehaviour::Status(500)),
        ("not found", JwksBehaviour::Status(404)),
        ("redirect", JwksBehaviour::Redirect(issuer.jwks.url())),
    ];
    for (name, behaviour) in cases {
        issuer.jwks.set(behaviour);
        let verifier = builder(&issuer).build().unwrap();
        let err = verifier.verify(&token).await.unwrap_err();
        assert_eq!(err.code(), "jwks_unavailable", "{name}: {err}");
    }
}

/// A key withdrawn from the JWKS takes the tokens it signed with it, even
/// those already in the verified-token cache.
#[tokio::test]
async fn withdrawn_keys_take_their_cached_tokens_with_them() {
    let issuer = TestIssuer::start().await;
    let second = TestKey::generate("second");
    issuer
        .jwks
        .set(JwksBehaviour::Keys(vec![issuer.key.jwk(), second.jwk()]));
    let verifier = builder(&issuer).build().unwrap();
    let by_first = issuer.mint(&issuer.id_claims(&[]));
    let by_second = second.mint(&issuer.id_claims(&[]));
    verifier.verify(&by_first).await.unwrap();
    verifier.verify(&by_second).await.unwrap();
    assert!(
        verifier
            .verify_cached(&by_second, &Default::default())
            .is_some(),
        "cached"
    );

    // The pool withdraws `second`; a refresh (here explicit) sees it.
    issuer.jwks.set(JwksBehaviour::Keys(vec![issuer.key.jwk()]));
    verifier.hydrate().await.unwrap();

    let withdrawn = Cause::UnknownKid("second".into());
    assert_eq!(
        verifier.verify_sync(&by_second).unwrap_err().cause(),
        &withdrawn
    );
    assert_eq!(
        verifier.verify(&by_second).await.unwrap_err().cause(),
        &withdrawn
    );
    // The adapters' first step no longer decides from the cache.
    assert!(
        verifier
            .verify_cached(&by_second, &Default::default())
            .is_none()
    );
    // Tokens of the key still published stay cached and accepted.
    assert!(matches!(
        verifier.verify_cached(&by_first, &Default::default()),
        Some(Ok(_))
    ));
}

/// A refresh that triggers on an unknown kid (not an explicit one) withdraws
/// too, and a key replaced under the same kid counts as withdrawn.
#[tokio::test]
async fn a_kid_republished_with_another_key_is_withdrawn() {
    let issuer = TestIssuer::start().await;
    let verifier = builder(&issuer)
        .jwks_cooldown(Duration::ZERO)
        .build()
        .unwrap();
    let old = issuer.mint(&issuer.id_claims(&[]));
    verifier.verify(&old).await.unwrap();

    let impostor = TestKey::generate(&issuer.key.kid);
    let newcomer = TestKey::generate("newcomer");
    issuer
        .jwks
        .set(JwksBehaviour::Keys(vec![impostor.jwk(), newcomer.jwk()]));
    // A token naming a new kid makes the verifier fetch the new key set.
    verifier
        .verify(&newcomer.mint(&issuer.id_claims(&[])))
        .await
        .unwrap();
    assert_eq!(issuer.jwks.fetches(), 2);
    assert_eq!(
        verifier.verify(&old).await.unwrap_err().cause(),
        &Cause::BadSignature
    );
}

/// Cache entries live no longer than the key set's TTL, so a withdrawal is
/// noticed within a TTL even when every request is a cache hit.
#[tokio::test]
async fn cache_entries_do_not_outlive_the_jwks_ttl() {
    let issuer = TestIssuer::start().await;
    let verifier = builder(&issuer)
        .jwks_ttl(Duration::from_millis(300))
        .build()
        .unwrap();
    let token = issuer.mint(&issuer.id_claims(&[]));
    verifier.verify(&token).await.unwrap();
    issuer.jwks.set(JwksBehaviour::Keys(vec![]));
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(
        verifier.verify(&token).await.unwrap_err().cause(),
        &Cause::UnknownKid(issuer.key.kid.clone())
    );
}
