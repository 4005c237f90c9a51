//! Tokens from the issuer are accepted by `cognito-verifier`, for both
//! issuer styles, across key rotation.

use crate::common;

use cognito_issuer::{IssuerConfig, IssuerOptions, IssuerServer};
use cognito_verifier::{CognitoVerifier, ExpectedTokenUse, PoolConfig, Requirement};
use common::{claims, create_user, header, sign_in};
use serde_json::json;

const CONFIG: &str = r#"
[[pools]]
name = "local-style"

[[pools.clients]]
name = "web"

[[pools.groups]]
name = "admins"
precedence = 1

[[pools.users]]
username = "alice"
password = "Corr3ct-Horse!"
attributes = { email = "alice@example.com", email_verified = "true" }
groups = ["admins"]

[[pools]]
name = "aws-style"
id = "eu-west-1_AwsStyle1"
issuer_style = "aws"

[[pools.clients]]
name = "web"
"#;

async fn start(dir: &std::path::Path) -> cognito_issuer::RunningIssuer {
    let mut opts = IssuerOptions::new(dir);
    opts.config = Some(IssuerConfig::from_toml_str(CONFIG).unwrap());
    IssuerServer::start(opts).await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn local_style_tokens_verify_with_issuer_and_jwks_overrides() {
    let dir = tempfile::tempdir().unwrap();
    let issuer = start(dir.path()).await;
    let base = issuer.base_url().to_string();
    let tokens = sign_in(&base, issuer.client_id(), "alice").await;
    let id_token = tokens["IdToken"].as_str().unwrap();
    let access_token = tokens["AccessToken"].as_str().unwrap();

    let id_verifier = CognitoVerifier::builder()
        .pool(
            PoolConfig::new(issuer.pool_id())
                .issuer(issuer.issuer())
                .jwks_uri(issuer.jwks_url())
                .client_id(issuer.client_id())
                .token_use(ExpectedTokenUse::Id),
        )
        .build()
        .unwrap();
    let c = id_verifier.verify(id_token).await.unwrap();
    assert_eq!(c.username(), Some("alice"));
    assert_eq!(c.email(), Some("alice@example.com"));
    assert_eq!(c.email_verified(), Some(true));
    assert!(c.in_group("admins"));
    assert_eq!(c.issuer(), issuer.issuer());
    // An ID verifier refuses the access token.
    assert!(id_verifier.verify(access_token).await.is_err());

    let access_verifier = CognitoVerifier::builder()
        .pool(
            PoolConfig::new(issuer.pool_id())
                .issuer(issuer.issuer())
                .jwks_uri(issuer.jwks_url())
                .client_id(issuer.client_id())
                .token_use(ExpectedTokenUse::Access)
                .require_scopes(Requirement::any_of(["aws.cognito.signin.user.admin"]))
                .require_groups(Requirement::any_of(["admins"])),
        )
        .build()
        .unwrap();
    let c = access_verifier.verify(access_token).await.unwrap();
    assert_eq!(c.client_id(), Some(issuer.client_id()));
    assert_eq!(c.origin_jti(), claims(id_token)["origin_jti"].as_str());

    // A verifier for another client refuses both.
    let other = CognitoVerifier::builder()
        .pool(
            PoolConfig::new(issuer.pool_id())
                .issuer(issuer.issuer())
                .jwks_uri(issuer.jwks_url())
                .client_id("someotherclientid"),
        )
        .build()
        .unwrap();
    assert!(other.verify(id_token).await.is_err());
    assert!(other.verify(access_token).await.is_err());
    issuer.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn aws_style_tokens_verify_with_only_a_jwks_override() {
    let dir = tempfile::tempdir().unwrap();
    let issuer = start(dir.path()).await;
    let base = issuer.base_url().to_string();
    let aws = issuer.pool("eu-west-1_AwsStyle1").unwrap();
    assert_eq!(
        aws.issuer,
        "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AwsStyle1"
    );
    let client_id = aws.clients[0].client_id.clone();
    create_user(&base, &aws.pool_id, "bob", "bob@example.com").await;
    let tokens = sign_in(&base, &client_id, "bob").await;

    // Configured exactly like a real pool, plus the JWKS URI override.
    let verifier = CognitoVerifier::builder()
        .pool(
            PoolConfig::new(&aws.pool_id)
                .jwks_uri(&aws.jwks_url)
                .client_id(&client_id),
        )
        .build()
        .unwrap();
    for t in ["IdToken", "AccessToken"] {
        let c = verifier.verify(tokens[t].as_str().unwrap()).await.unwrap();
        assert_eq!(c.issuer(), aws.issuer);
        assert_eq!(c.username(), Some("bob"));
    }
    // The discovery document agrees with the tokens.
    let disc: serde_json::Value = reqwest::get(&aws.discovery_url)
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(disc["issuer"], json!(aws.issuer));
    assert_eq!(disc["jwks_uri"], json!(aws.jwks_url));
    issuer.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rotation_keeps_old_tokens_valid_and_signs_with_the_new_key() {
    let dir = tempfile::tempdir().unwrap();
    let issuer = start(dir.path()).await;
    let base = issuer.base_url().to_string();
    let before = sign_in(&base, issuer.client_id(), "alice").await;
    let old_kid = header(before["IdToken"].as_str().unwrap())["kid"].clone();

    let resp: serde_json::Value = reqwest::Client::new()
        .post(format!(
            "{base}/_issuer/pools/{}/rotate-keys",
            issuer.pool_id()
        ))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let new_kids: Vec<String> = serde_json::from_value(resp["new_kids"].clone()).unwrap();
    assert_eq!(new_kids.len(), 2);
    let published: Vec<String> = resp["jwks"]["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["kid"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(published.len(), 4, "old and new keys are both published");
    assert!(published.contains(&old_kid.as_str().unwrap().to_string()));

    let after = sign_in(&base, issuer.client_id(), "alice").await;
    let new_kid = header(after["IdToken"].as_str().unwrap())["kid"].clone();
    assert_ne!(old_kid, new_kid);
    assert!(new_kids.contains(&new_kid.as_str().unwrap().to_string()));

    let verifier = CognitoVerifier::builder()
        .pool(
            PoolConfig::new(issuer.pool_id())
                .issuer(issuer.issuer())
                .jwks_uri(issuer.jwks_url())
                .client_id(issuer.client_id()),
        )
        .build()
        .unwrap();
    for t in [&before, &after] {
        verifier
            .verify(t["IdToken"].as_str().unwrap())
            .await
            .unwrap();
        verifier
            .verify(t["AccessToken"].as_str().unwrap())
            .await
            .unwrap();
    }
    issuer.shutdown().await.unwrap();
}
