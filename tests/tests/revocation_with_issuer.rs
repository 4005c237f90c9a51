//! Revoked sign-ins against the real issuer: refused when the verifier opts
//! in to the issuer's revocation list, accepted (as in AWS) when it does not.

use std::time::Duration;

use cognito_e2e::issuer_pool::IssuerPool;
use cognito_verifier::PoolConfig;
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn revoke_token_and_global_sign_out() {
    let pool = IssuerPool::start().await;
    pool.create_user("alice", &[]).await;
    pool.create_user("bob", &[]).await;
    let list = format!("http://{}/{}/revocations.json", pool.addr, pool.pool_id);
    let checking = cognito_verifier::CognitoVerifier::builder()
        .pool(
            PoolConfig::new(&pool.pool_id)
                .issuer(&pool.iss)
                .jwks_uri(&pool.jwks_url)
                .client_id(&pool.client_id)
                .revocation_list(&list),
        )
        .revocation_refresh(Duration::ZERO)
        .build()
        .unwrap();
    let trusting = pool.verifier_builder().build().unwrap();

    let alice = pool.sign_in("alice").await;
    let bob = pool.sign_in("bob").await;
    let token = |v: &serde_json::Value, k: &str| v[k].as_str().unwrap().to_owned();
    for t in [token(&alice, "AccessToken"), token(&bob, "IdToken")] {
        checking.verify(&t).await.expect("not revoked yet");
    }

    // alice revokes her refresh token: every token of that sign-in is revoked.
    pool.call(
        "RevokeToken",
        json!({"ClientId": pool.client_id, "Token": token(&alice, "RefreshToken")}),
    )
    .await
    .unwrap();
    // bob signs out everywhere.
    pool.call(
        "GlobalSignOut",
        json!({"AccessToken": token(&bob, "AccessToken")}),
    )
    .await
    .unwrap();

    for t in [
        token(&alice, "AccessToken"),
        token(&alice, "IdToken"),
        token(&bob, "IdToken"),
    ] {
        assert_eq!(checking.verify(&t).await.unwrap_err().code(), "revoked");
        trusting
            .verify(&t)
            .await
            .expect("without the list, signature checks still pass (as in AWS)");
    }
    // A new sign-in is not affected.
    checking
        .verify(&token(&pool.sign_in("alice").await, "AccessToken"))
        .await
        .unwrap();
}
