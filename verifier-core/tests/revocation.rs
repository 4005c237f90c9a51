//! Opt-in revocation lists, served by a real loopback HTTP server.

use std::time::Duration;

use cognito_test_support::test_issuer::{JwksBehaviour, JwksServer, TestIssuer};
use cognito_verifier::{Cause, CognitoVerifier, ErrorCategory, PoolConfig};
use serde_json::json;

fn list(origin_jtis: &[&str]) -> JwksBehaviour {
    JwksBehaviour::Raw(
        json!({"revoked_origin_jtis": origin_jtis, "generated_at": 0})
            .to_string()
            .into_bytes(),
    )
}

#[tokio::test]
async fn revoked_sign_ins_are_refused_only_when_checking_is_on() {
    let issuer = TestIssuer::start().await;
    let revocations = JwksServer::start(list(&[])).await;
    let pool = || {
        PoolConfig::new(&issuer.pool_id)
            .jwks_uri(issuer.jwks.url())
            .client_id(&issuer.client_id)
    };
    let checking = CognitoVerifier::builder()
        .pool(pool().revocation_list(revocations.url()))
        .revocation_refresh(Duration::from_millis(100))
        .build()
        .unwrap();
    let trusting = CognitoVerifier::builder().pool(pool()).build().unwrap();

    let token = issuer.mint(&issuer.id_claims(&[])); // origin_jti "0a9b8c7d-origin"
    checking.verify(&token).await.unwrap();

    revocations.set(list(&["0a9b8c7d-origin"]));
    tokio::time::sleep(Duration::from_millis(150)).await;
    // Refused even though the token is in the verified-token cache.
    let err = checking.verify(&token).await.unwrap_err();
    assert_eq!(
        (err.cause(), err.category()),
        (&Cause::Revoked, ErrorCategory::Authentication)
    );
    assert_eq!(checking.verify_sync(&token).unwrap_err().code(), "revoked");
    trusting
        .verify(&token)
        .await
        .expect("revocation checking is opt-in");

    // Other sign-ins are unaffected.
    let mut other = issuer.id_claims(&[]);
    other["origin_jti"] = json!("another-sign-in");
    checking.verify(&issuer.mint(&other)).await.unwrap();
}

#[tokio::test]
async fn an_unreachable_list_is_503_not_401() {
    let issuer = TestIssuer::start().await;
    let revocations = JwksServer::start(JwksBehaviour::Status(500)).await;
    let verifier = CognitoVerifier::builder()
        .pool(
            PoolConfig::new(&issuer.pool_id)
                .jwks_uri(issuer.jwks.url())
                .client_id(&issuer.client_id)
                .revocation_list(revocations.url()),
        )
        .build()
        .unwrap();
    let err = verifier
        .verify(&issuer.mint(&issuer.id_claims(&[])))
        .await
        .unwrap_err();
    assert_eq!(err.code(), "revocation_unavailable");
    assert_eq!(err.category(), ErrorCategory::KeysUnavailable);
}
