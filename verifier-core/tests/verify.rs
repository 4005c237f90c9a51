//! Accepting good tokens: typed claims, policies, several pools, the
//! verified-token cache, and error hygiene.

use std::time::Duration;

use cognito_test_support::test_issuer::{JwksBehaviour, JwksServer, TestIssuer, TestKey, now};
use cognito_verifier::{
    Cause, ClientMatch, CognitoVerifier, ConfigError, ErrorCategory, ExpectedTokenUse, Policy,
    PoolConfig, Requirement, TokenUse,
};
use serde_json::json;

fn pool(issuer: &TestIssuer) -> PoolConfig {
    PoolConfig::new(&issuer.pool_id)
        .jwks_uri(issuer.jwks.url())
        .client_id(&issuer.client_id)
}

#[tokio::test]
async fn accepts_id_access_and_m2m_tokens_with_typed_claims() {
    let issuer = TestIssuer::start().await;
    let verifier = CognitoVerifier::builder()
        .pool(pool(&issuer))
        .build()
        .unwrap();

    let id = verifier
        .verify(&issuer.mint(&issuer.id_claims(&["admin", "dev"])))
        .await
        .unwrap();
    assert_eq!(id.token_use(), Some(TokenUse::Id));
    assert_eq!(id.username(), Some("alice"));
    assert_eq!(id.groups(), ["admin", "dev"]);
    assert_eq!(id.client_id(), Some(issuer.client_id.as_str()));
    assert_eq!(id.email(), Some("alice@example.com"));
    assert_eq!(id.email_verified(), Some(true));
    assert_eq!(id.custom("tenant"), Some("acme"));
    assert_eq!(id.origin_jti(), Some("0a9b8c7d-origin"));
    assert_eq!(id.issuer(), issuer.issuer);

    let access = verifier
        .verify(&issuer.mint(&issuer.access_claims("openid orders/read", &[])))
        .await
        .unwrap();
    assert_eq!(access.token_use(), Some(TokenUse::Access));
    assert!(access.has_scope("orders/read"));
    assert_eq!(access.username(), Some("alice"));

    let m2m = verifier
        .verify(&issuer.mint(&issuer.m2m_claims("orders/write")))
        .await
        .unwrap();
    assert_eq!(m2m.sub(), issuer.client_id);
    assert_eq!(m2m.username(), None);
    assert_eq!(m2m.scopes(), ["orders/write"]);
}

#[tokio::test]
async fn maps_claims_into_user_types() {
    #[derive(serde::Deserialize)]
    struct MyClaims {
        sub: String,
        #[serde(rename = "custom:tenant")]
        tenant: String,
    }
    #[derive(Debug, serde::Deserialize)]
    struct NeedsPlan {
        #[serde(rename = "custom:plan")]
        _plan: String,
    }
    let issuer = TestIssuer::start().await;
    let verifier = CognitoVerifier::builder()
        .pool(pool(&issuer))
        .build()
        .unwrap();
    let token = issuer.mint(&issuer.id_claims(&[]));
    let mine: MyClaims = verifier.verify_as(&token).await.unwrap();
    assert_eq!(mine.tenant, "acme");
    assert!(!mine.sub.is_empty());
    let err = verifier.verify_as::<NeedsPlan>(&token).await.unwrap_err();
    assert!(
        matches!(err.cause(), Cause::CustomCheck(m) if m.contains("custom:plan")),
        "{err}"
    );
}

#[tokio::test]
async fn groups_scopes_and_custom_checks_are_authorization_failures() {
    let issuer = TestIssuer::start().await;
    let verifier = CognitoVerifier::builder()
        .pool(pool(&issuer).require_groups(Requirement::any_of(["admin", "ops"])))
        .custom_check(|c| match c.custom("tenant") {
            Some("globex") => Err("tenant globex is suspended".to_owned()),
            _ => Ok(()),
        })
        .build()
        .unwrap();
    let admin = issuer.mint(&issuer.id_claims(&["admin"]));
    let nobody = issuer.mint(&issuer.id_claims(&[]));
    verifier.verify(&admin).await.unwrap();
    let err = verifier.verify(&nobody).await.unwrap_err();
    assert_eq!(err.category(), ErrorCategory::Authorization);
    assert_eq!(err.code(), "missing_group");

    let all = Policy {
        groups: Some(Requirement::all_of(["admin", "ops"])),
        ..Policy::default()
    };
    assert_eq!(
        verifier.verify_with(&admin, &all).await.unwrap_err().code(),
        "missing_group"
    );

    let scoped = issuer.mint(&issuer.access_claims("orders/read", &["ops"]));
    let needs = |r: Requirement| Policy {
        scopes: Some(r),
        ..Policy::default()
    };
    verifier
        .verify_with(&scoped, &needs(Requirement::any_of(["orders/read", "x"])))
        .await
        .unwrap();
    let err = verifier
        .verify_with(&scoped, &needs(Requirement::all_of(["orders/read", "x"])))
        .await
        .unwrap_err();
    assert_eq!(
        (err.code(), err.category()),
        ("missing_scope", ErrorCategory::Authorization)
    );

    let mut other = issuer.id_claims(&["admin"]);
    other["custom:tenant"] = json!("globex");
    let err = verifier.verify(&issuer.mint(&other)).await.unwrap_err();
    assert_eq!(
        err.cause(),
        &Cause::CustomCheck("tenant globex is suspended".into())
    );
}

#[tokio::test]
async fn http_api_rules_check_aud_then_client_id_and_no_token_use() {
    let issuer = TestIssuer::start().await;
    let verifier = CognitoVerifier::builder()
        .pool(pool(&issuer))
        .build()
        .unwrap();
    let http_api = Policy {
        token_use: Some(ExpectedTokenUse::Unchecked),
        client_match: Some(ClientMatch::AudOrClientId),
        ..Policy::default()
    };
    let mut no_use = issuer.access_claims("a", &[]);
    no_use.as_object_mut().unwrap().remove("token_use");
    let token = issuer.mint(&no_use);
    assert_eq!(
        verifier.verify(&token).await.unwrap_err().code(),
        "wrong_token_use"
    );
    verifier.verify_with(&token, &http_api).await.unwrap();
}

#[tokio::test]
async fn several_pools_are_chosen_by_iss_only() {
    let a = TestIssuer::start().await;
    let mut b = TestIssuer::start().await;
    b.issuer = "http://127.0.0.1:1/us-west-2_PoolB".into();
    let verifier = CognitoVerifier::builder()
        .pool(pool(&a))
        .pool(
            PoolConfig::new("us-west-2_PoolB")
                .issuer(&b.issuer)
                .jwks_uri(b.jwks.url())
                .client_id(&b.client_id),
        )
        .build()
        .unwrap();
    verifier.verify(&a.mint(&a.id_claims(&[]))).await.unwrap();
    verifier.verify(&b.mint(&b.id_claims(&[]))).await.unwrap();
    assert_eq!((a.jwks.fetches(), b.jwks.fetches()), (1, 1));

    // A token claiming pool A but signed by B's key fails on A's keys.
    let forged = b.key.mint(&a.id_claims(&[]));
    assert_eq!(
        verifier.verify(&forged).await.unwrap_err().cause(),
        &Cause::BadSignature
    );

    // An unknown issuer is refused without any fetch anywhere.
    let stranger = TestIssuer::start().await;
    let mut claims = stranger.id_claims(&[]);
    claims["iss"] = json!("https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Nope");
    let err = verifier.verify(&stranger.mint(&claims)).await.unwrap_err();
    assert!(matches!(err.cause(), Cause::WrongIssuer(_)));
    assert_eq!(
        (a.jwks.fetches(), b.jwks.fetches(), stranger.jwks.fetches()),
        (1, 1, 0)
    );
}

#[tokio::test]
async fn verify_sync_never_fetches() {
    let issuer = TestIssuer::start().await;
    let verifier = CognitoVerifier::builder()
        .pool(pool(&issuer))
        .build()
        .unwrap();
    let token = issuer.mint(&issuer.id_claims(&[]));
    let err = verifier.verify_sync(&token).unwrap_err();
    assert_eq!(err.category(), ErrorCategory::KeysUnavailable);
    assert_eq!(issuer.jwks.fetches(), 0);
    verifier.hydrate().await.unwrap();
    assert_eq!(
        verifier.verify_sync(&token).unwrap().username(),
        Some("alice")
    );
    let other = TestKey::generate("rotated");
    let err = verifier
        .verify_sync(&other.mint(&issuer.id_claims(&[])))
        .unwrap_err();
    assert_eq!(err.cause(), &Cause::UnknownKid("rotated".into()));
    assert_eq!(issuer.jwks.fetches(), 1);
}

#[tokio::test]
async fn token_cache_skips_keys_but_not_policy_or_expiry() {
    let issuer = TestIssuer::start().await;
    let build = |cache: bool| {
        // Cache entries live at most one JWKS TTL: the cached verifier's is
        // long enough for its entry to outlive the keys of the other.
        let ttl = Duration::from_millis(if cache { 10_000 } else { 300 });
        let b = CognitoVerifier::builder()
            .pool(pool(&issuer))
            .jwks_ttl(ttl)
            .jwks_max_stale(Duration::ZERO);
        if cache { b } else { b.disable_token_cache() }
            .build()
            .unwrap()
    };
    let (cached, uncached) = (build(true), build(false));
    let mut claims = issuer.id_claims(&["dev"]);
    claims["exp"] = json!(now() + 2);
    let token = issuer.mint(&claims);
    cached.verify(&token).await.unwrap();
    uncached.verify(&token).await.unwrap();

    // Keys become unusable: only the cached verifier still accepts the token.
    issuer.jwks.stop();
    tokio::time::sleep(Duration::from_millis(400)).await;
    cached.verify(&token).await.expect("cache hit needs no key");
    assert_eq!(
        uncached.verify(&token).await.unwrap_err().code(),
        "jwks_unavailable"
    );

    // Policy still applies on a hit.
    let admin = Policy {
        groups: Some(Requirement::any_of(["admin"])),
        ..Policy::default()
    };
    assert_eq!(
        cached.verify_with(&token, &admin).await.unwrap_err().code(),
        "missing_group"
    );

    // The entry does not outlive `exp`.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let err = cached.verify(&token).await.unwrap_err();
    assert!(
        matches!(
            err.cause(),
            Cause::Expired { .. } | Cause::JwksUnavailable(_)
        ),
        "{err:?}"
    );
    assert_ne!(err.category(), ErrorCategory::Authorization);
}

/// The cache's bound is set by bytes (the default) or by entries, the last
/// setting called wins, and a bound of 0 turns the cache off.
#[tokio::test]
async fn token_cache_bound_by_bytes_or_entries() {
    let issuer = TestIssuer::start().await;
    let token = issuer.mint(&issuer.id_claims(&["dev"]));
    type Setting =
        fn(cognito_verifier::CognitoVerifierBuilder) -> cognito_verifier::CognitoVerifierBuilder;
    let settings: [(&str, Setting, bool); 7] = [
        ("default", |b| b, true),
        ("64 KiB", |b| b.token_cache_max_bytes(64 * 1024), true),
        ("10 entries", |b| b.token_cache_capacity(10), true),
        ("0 bytes", |b| b.token_cache_max_bytes(0), false),
        ("0 entries", |b| b.token_cache_capacity(0), false),
        (
            "off, then bytes",
            |b| b.disable_token_cache().token_cache_max_bytes(1 << 20),
            true,
        ),
        (
            "entries, then off",
            |b| b.token_cache_capacity(10).disable_token_cache(),
            false,
        ),
    ];
    for (name, setting, cached) in settings {
        let verifier = setting(CognitoVerifier::builder().pool(pool(&issuer)))
            .build()
            .unwrap();
        verifier.verify(&token).await.unwrap();
        let hit = verifier.verify_cached(&token, &Policy::NONE);
        assert_eq!(hit.is_some(), cached, "{name}");
        assert!(hit.is_none_or(|r| r.is_ok()), "{name}");
    }
}

#[tokio::test]
async fn errors_carry_the_token_only_on_request() {
    let issuer = TestIssuer::start().await;
    let token = issuer.mint(&json!({"iss": "https://elsewhere", "sub": "s", "exp": now() + 60}));
    let quiet = CognitoVerifier::builder()
        .pool(pool(&issuer))
        .build()
        .unwrap();
    let err = quiet.verify(&token).await.unwrap_err();
    assert_eq!(err.token(), None);
    let rendered = format!("{err} {err:?}");
    assert!(!rendered.contains(&token) && !rendered.contains(token.split('.').nth(2).unwrap()));

    let loud = CognitoVerifier::builder()
        .pool(pool(&issuer))
        .include_token_in_errors(true)
        .build()
        .unwrap();
    assert_eq!(
        loud.verify(&token).await.unwrap_err().token(),
        Some(token.as_str())
    );
}

#[tokio::test]
async fn leeway_and_size_are_configurable() {
    let issuer = TestIssuer::start().await;
    let mut claims = issuer.id_claims(&[]);
    claims["exp"] = json!(now() - 5);
    let token = issuer.mint(&claims);
    let strict = CognitoVerifier::builder()
        .pool(pool(&issuer))
        .build()
        .unwrap();
    assert_eq!(strict.verify(&token).await.unwrap_err().code(), "expired");
    let lenient = CognitoVerifier::builder()
        .pool(pool(&issuer))
        .leeway(Duration::from_secs(60))
        .build()
        .unwrap();
    lenient.verify(&token).await.unwrap();
    let tiny = CognitoVerifier::builder()
        .pool(pool(&issuer))
        .max_token_size(100)
        .build()
        .unwrap();
    assert_eq!(tiny.verify(&token).await.unwrap_err().code(), "too_large");
}

#[test]
fn configuration_is_validated() {
    let build = |p: PoolConfig| CognitoVerifier::builder().pool(p).build().map(|_| ());
    assert!(matches!(
        build(PoolConfig::new("nope")),
        Err(ConfigError::InvalidPoolId(_))
    ));
    assert!(matches!(
        build(PoolConfig::new("us-east-1_a")),
        Err(ConfigError::NoClientCheck(_))
    ));
    build(PoolConfig::new("us-east-1_a").skip_client_check()).unwrap();
    assert!(matches!(
        CognitoVerifier::builder().build(),
        Err(ConfigError::NoPools)
    ));
    let twice = CognitoVerifier::builder()
        .pool(PoolConfig::new("us-east-1_a").client_id("c"))
        .pool(PoolConfig::new("us-east-1_a").client_id("d"))
        .build();
    assert!(matches!(twice, Err(ConfigError::DuplicateIssuer(_))));
}

#[tokio::test]
async fn jwks_server_helper_is_real_http() {
    // Guard for the tests above: the helper really serves over loopback.
    let key = TestKey::generate("k");
    let server = JwksServer::start(JwksBehaviour::Keys(vec![key.jwk()])).await;
    assert!(server.addr().ip().is_loopback());
    let body = reqwest::get(server.url())
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(body.contains("\"kid\":\"k\""));
    assert_eq!(server.fetches(), 1);
}

#[tokio::test]
async fn verify_cached_decides_only_for_tokens_seen_before() {
    let issuer = TestIssuer::start().await;
    let verifier = CognitoVerifier::builder()
        .pool(pool(&issuer))
        .build()
        .unwrap();
    let token = issuer.mint(&issuer.id_claims(&["dev"]));
    assert!(
        verifier.verify_cached(&token, &Policy::default()).is_none(),
        "never seen: needs a full verification"
    );
    assert_eq!(issuer.jwks.fetches(), 0);
    verifier.verify(&token).await.unwrap();
    let hit = verifier
        .verify_cached(&token, &Policy::default())
        .expect("seen before");
    assert_eq!(hit.unwrap().groups(), ["dev"]);
    let admin = Policy {
        groups: Some(Requirement::any_of(["admin"])),
        ..Policy::default()
    };
    let refused = verifier.verify_cached(&token, &admin).expect("seen before");
    assert_eq!(refused.unwrap_err().code(), "missing_group");
    let uncached = CognitoVerifier::builder()
        .pool(pool(&issuer))
        .disable_token_cache()
        .build()
        .unwrap();
    uncached.verify(&token).await.unwrap();
    assert!(uncached.verify_cached(&token, &Policy::default()).is_none());
}

/// Tokens living longer than Cognito ever issues them (one day by default)
/// are refused, however they are signed; the limit is configurable.
#[tokio::test]
async fn tokens_living_longer_than_the_maximum_are_refused() {
    let issuer = TestIssuer::start().await;
    let verifier = CognitoVerifier::builder()
        .pool(pool(&issuer))
        .build()
        .unwrap();
    let now = now();
    let ten_years = 10 * 365 * 86_400;
    let mut claims = issuer.id_claims(&[]);
    claims["exp"] = json!(now + ten_years);
    let token = issuer.mint(&claims);
    assert_eq!(
        verifier.verify(&token).await.unwrap_err().cause(),
        &Cause::LifetimeTooLong {
            lifetime: ten_years,
            max: 86_400
        }
    );
    // Without `iat`, the remaining lifetime counts.
    claims.as_object_mut().unwrap().remove("iat");
    claims["exp"] = json!(now + 86_400 + 600);
    let err = verifier.verify(&issuer.mint(&claims)).await.unwrap_err();
    assert!(
        matches!(err.cause(), Cause::LifetimeTooLong { max: 86_400, .. }),
        "{err:?}"
    );
    assert_eq!(err.code(), "lifetime_too_long");
    assert_eq!(err.category(), ErrorCategory::Authentication);
    // Exactly one day (Cognito's longest) passes.
    let mut day = issuer.id_claims(&[]);
    day["exp"] = json!(day["iat"].as_i64().unwrap() + 86_400);
    verifier.verify(&issuer.mint(&day)).await.unwrap();

    let strict = CognitoVerifier::builder()
        .pool(pool(&issuer))
        .max_token_lifetime(Duration::from_secs(600))
        .build()
        .unwrap();
    assert_eq!(
        strict
            .verify(&issuer.mint(&issuer.id_claims(&[])))
            .await
            .unwrap_err()
            .cause(),
        &Cause::LifetimeTooLong {
            lifetime: 3600,
            max: 600
        }
    );
    let lenient = CognitoVerifier::builder()
        .pool(pool(&issuer))
        .max_token_lifetime(Duration::from_secs(ten_years as u64 + 60))
        .build()
        .unwrap();
    lenient.verify(&token).await.unwrap();
    assert!(
        CognitoVerifier::builder()
            .pool(pool(&issuer))
            .max_token_lifetime(Duration::ZERO)
            .build()
            .is_err()
    );
}
