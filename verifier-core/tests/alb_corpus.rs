//! The ALB `x-amzn-oidc-data` corpus: good and bad tokens minted by
//! `cognito_test_support::alb_tokens`, keys served by a real loopback PEM
//! key server, each refusal checked by its exact cause.

use std::time::Duration;

use cognito_test_support::alb_tokens::{AlbKeyServer, AlbMint, KeyBehaviour, Knobs, TEST_ALB_ARN};
use cognito_test_support::test_issuer::now;
use cognito_verifier::alb::AlbVerifier;
use cognito_verifier::{Cause, ConfigError, ErrorCategory, FetchLimits, Malformed};
use serde_json::json;

const CLIENT: &str = "4b1gq2albclient";
const ISSUER: &str = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_AlbPool1";

struct Fixture {
    mint: AlbMint,
    keys: AlbKeyServer,
    verifier: AlbVerifier,
}

async fn fixture() -> Fixture {
    let mint = AlbMint::new(TEST_ALB_ARN, CLIENT, ISSUER);
    let keys = AlbKeyServer::serving(&mint).await;
    let verifier = verifier(&keys, FetchLimits::default());
    Fixture {
        mint,
        keys,
        verifier,
    }
}

fn verifier(keys: &AlbKeyServer, limits: FetchLimits) -> AlbVerifier {
    AlbVerifier::builder()
        .alb_arn(TEST_ALB_ARN)
        .client_id(CLIENT)
        .issuer(ISSUER)
        .key_base_url(&keys.url())
        .fetch_limits(limits)
        .build()
        .unwrap()
}

fn cause(result: Result<cognito_verifier::alb::AlbClaims, cognito_verifier::VerifyError>) -> Cause {
    result.expect_err("must be refused").into_cause()
}

#[tokio::test]
async fn a_good_token_verifies_and_becomes_cognito_claims() {
    let f = fixture().await;
    let token = f.mint.mint(&f.mint.claims("user-1"));
    assert!(token.contains('='), "ALB segments are padded: {token}");
    let claims = f.verifier.verify(&token).await.unwrap();
    assert_eq!(claims.sub(), "user-1");
    assert_eq!(claims.email(), Some("alice@example.com"));
    assert_eq!(claims.email_verified(), Some(true));
    assert_eq!(claims.username(), Some("alice"));
    assert_eq!(claims.iss(), ISSUER);
    assert!(claims.exp() > now());
    assert_eq!(claims.raw()["email_verified"], "true");
    let cognito = claims.to_cognito_claims();
    assert_eq!(cognito.sub(), "user-1");
    assert!(cognito.groups().is_empty());
    // Debug never shows who the user is.
    let debug = format!("{claims:?}");
    assert!(!debug.contains("alice"), "{debug}");
}

#[tokio::test]
async fn encoding_and_header_refusals_need_no_key() {
    let f = fixture().await;
    let claims = f.mint.claims("user-1");
    let bad = |knobs: Knobs| f.mint.mint_with(&claims, &knobs);
    let cases: Vec<(&str, String, Cause)> = vec![
        (
            "unpadded",
            bad(Knobs {
                unpadded: true,
                ..Knobs::default()
            }),
            Malformed::Base64.into(),
        ),
        (
            "extra padding",
            bad(Knobs {
                extra_padding: true,
                ..Knobs::default()
            }),
            Malformed::Base64.into(),
        ),
        (
            "kid not a UUID",
            bad(Knobs {
                kid: Some("../../etc/passwd".into()),
                ..Knobs::default()
            }),
            Malformed::Kid.into(),
        ),
        (
            "alg RS256",
            bad(Knobs {
                alg: Some("RS256".into()),
                ..Knobs::default()
            }),
            Cause::UnsupportedAlg("RS256".into()),
        ),
        (
            "alg none",
            bad(Knobs {
                alg: Some("none".into()),
                no_signature: true,
                ..Knobs::default()
            }),
            Cause::UnsupportedAlg("none".into()),
        ),
        (
            "another ALB signed it (ALBeast)",
            bad(Knobs {
                signer: Some(json!(
                    "arn:aws:elasticloadbalancing:us-east-1:999999999999:loadbalancer/app/evil/0123456789abcdef"
                )),
                ..Knobs::default()
            }),
            Cause::WrongSigner(
                "arn:aws:elasticloadbalancing:us-east-1:999999999999:loadbalancer/app/evil/0123456789abcdef"
                    .into(),
            ),
        ),
        (
            "no signer",
            bad(Knobs {
                signer: Some(serde_json::Value::Null),
                ..Knobs::default()
            }),
            Cause::WrongSigner(String::new()),
        ),
        (
            "signer not a string",
            bad(Knobs {
                signer: Some(json!([TEST_ALB_ARN])),
                ..Knobs::default()
            }),
            Cause::WrongSigner(String::new()),
        ),
        (
            "wrong payload iss",
            f.mint.mint(&json!({"sub": "u", "iss": "https://evil", "exp": now() + 60})),
            Cause::WrongIssuer("https://evil".into()),
        ),
        (
            "wrong header iss",
            bad(Knobs {
                header_iss: Some("https://evil".into()),
                ..Knobs::default()
            }),
            Cause::WrongIssuer("https://evil".into()),
        ),
        (
            "payload without iss",
            f.mint.mint(&json!({"sub": "u", "exp": now() + 60})),
            Malformed::MissingClaim("iss").into(),
        ),
    ];
    for (name, token, want) in cases {
        assert_eq!(cause(f.verifier.verify(&token).await), want, "{name}");
    }
    assert_eq!(f.keys.fetches(), 0, "no refusal above needed a key");
}

#[tokio::test]
async fn signed_refusals() {
    let f = fixture().await;
    let claims = f.mint.claims("user-1");
    let bad = |knobs: Knobs| f.mint.mint_with(&claims, &knobs);
    let expired = json!({"sub": "u", "iss": ISSUER, "exp": now() - 10});
    let cases: Vec<(&str, String, Cause)> = vec![
        (
            "wrong client",
            bad(Knobs {
                client: Some("other-client".into()),
                ..Knobs::default()
            }),
            Cause::WrongClient("other-client".into()),
        ),
        (
            "DER signature instead of r||s",
            bad(Knobs {
                der_signature: true,
                ..Knobs::default()
            }),
            Cause::BadSignature,
        ),
        (
            "tampered payload",
            bad(Knobs {
                tampered_payload: Some(json!({"sub": "admin", "iss": ISSUER, "exp": now() + 60})),
                ..Knobs::default()
            }),
            Cause::BadSignature,
        ),
        (
            "missing exp",
            f.mint.mint(&json!({"sub": "u", "iss": ISSUER})),
            Malformed::MissingClaim("exp").into(),
        ),
        (
            "exp not a number",
            f.mint
                .mint(&json!({"sub": "u", "iss": ISSUER, "exp": "soon"})),
            Malformed::InvalidClaim("exp").into(),
        ),
        (
            "header exp not a number",
            bad(Knobs {
                header_exp: Some(json!("soon")),
                ..Knobs::default()
            }),
            Malformed::InvalidClaim("exp").into(),
        ),
        (
            "missing sub",
            f.mint.mint(&json!({"iss": ISSUER, "exp": now() + 60})),
            Malformed::MissingClaim("sub").into(),
        ),
    ];
    for (name, token, want) in cases {
        assert_eq!(cause(f.verifier.verify(&token).await), want, "{name}");
    }
    let got = cause(f.verifier.verify(&f.mint.mint(&expired)).await);
    assert!(matches!(got, Cause::Expired { .. }), "expired: {got:?}");
    // The header's exp counts too.
    let token = bad(Knobs {
        header_exp: Some(json!(now() - 10)),
        ..Knobs::default()
    });
    let got = cause(f.verifier.verify(&token).await);
    assert!(matches!(got, Cause::Expired { .. }), "header exp: {got:?}");

    // Another key under the published kid.
    let impostor = AlbMint {
        key: cognito_test_support::alb_tokens::AlbSigningKey::generate(),
        signer: TEST_ALB_ARN.into(),
        client: CLIENT.into(),
        issuer: ISSUER.into(),
    };
    let token = impostor.mint_with(
        &claims,
        &Knobs {
            kid: Some(f.mint.kid().into()),
            ..Knobs::default()
        },
    );
    assert_eq!(cause(f.verifier.verify(&token).await), Cause::BadSignature);
    assert_eq!(f.keys.fetches(), 1, "one fetch for all of the above");
}

#[tokio::test]
async fn every_truncation_is_refused() {
    let f = fixture().await;
    let token = f.mint.mint(&f.mint.claims("user-1"));
    f.verifier.verify(&token).await.unwrap();
    for len in 0..token.len() {
        let result = f
            .verifier
            .verify_cached(&token[..len])
            .expect("the key is cached");
        let error = result.expect_err("a truncated token is refused");
        assert_eq!(error.category(), ErrorCategory::Authentication, "{len}");
    }
}

#[tokio::test]
async fn key_fetch_failures_are_503_and_cool_down() {
    let mint = AlbMint::new(TEST_ALB_ARN, CLIENT, ISSUER);
    let keys = AlbKeyServer::start().await;
    let limits = FetchLimits::default()
        .with_timeouts(Duration::from_millis(500), Duration::from_millis(500))
        .with_max_bytes(4096);
    let behaviours: Vec<(&str, Option<KeyBehaviour>, Duration)> = vec![
        ("404 (unknown kid)", None, Duration::ZERO),
        ("500", Some(KeyBehaviour::Status(500)), Duration::ZERO),
        (
            "not PEM",
            Some(KeyBehaviour::Raw(b"hello".to_vec())),
            Duration::ZERO,
        ),
        (
            "oversized",
            Some(KeyBehaviour::Raw(vec![b'A'; 64 * 1024])),
            Duration::ZERO,
        ),
        (
            "not a P-256 key",
            Some(KeyBehaviour::Pem(
                "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n".into(),
            )),
            Duration::ZERO,
        ),
        (
            "timeout",
            Some(KeyBehaviour::Pem(mint.public_key_pem())),
            Duration::from_secs(3),
        ),
    ];
    for (name, behaviour, delay) in behaviours {
        // A fresh verifier (fresh cache) and a fresh kid per case.
        let case = AlbMint::new(TEST_ALB_ARN, CLIENT, ISSUER);
        if let Some(behaviour) = behaviour {
            keys.set(case.kid(), behaviour);
        }
        keys.set_delay(delay);
        let verifier = verifier(&keys, limits);
        let token = case.mint(&case.claims("u"));
        let before = keys.fetches();
        let error = verifier.verify(&token).await.expect_err(name);
        assert!(
            matches!(error.cause(), Cause::JwksUnavailable(_)),
            "{name}: {error:?}"
        );
        assert_eq!(error.category(), ErrorCategory::KeysUnavailable, "{name}");
        // Within the cool-down: answered at once, from memory, without a fetch.
        keys.set_delay(Duration::ZERO);
        let again = verifier
            .verify_cached(&token)
            .expect("a remembered failure answers synchronously");
        assert!(
            matches!(again.unwrap_err().cause(), Cause::JwksUnavailable(_)),
            "{name}"
        );
        verifier.verify(&token).await.unwrap_err();
        assert_eq!(keys.fetches(), before + 1, "{name}: one fetch");
    }
}

#[tokio::test]
async fn one_fetch_per_kid_then_synchronous() {
    let f = fixture().await;
    let token = f.mint.mint(&f.mint.claims("user-1"));
    assert!(
        f.verifier.verify_cached(&token).is_none(),
        "key not cached yet"
    );
    f.keys.set_delay(Duration::from_millis(200));
    let verifiers: Vec<_> = (0..8).map(|_| f.verifier.clone()).collect();
    let tasks: Vec<_> = verifiers
        .into_iter()
        .map(|v| {
            let token = token.clone();
            tokio::spawn(async move { v.verify(&token).await })
        })
        .collect();
    for task in tasks {
        task.await.unwrap().unwrap();
    }
    for _ in 0..50 {
        f.verifier.verify_cached(&token).unwrap().unwrap();
        f.verifier.verify(&token).await.unwrap();
    }
    assert_eq!(f.keys.fetches(), 1);
}

#[test]
fn configuration_is_checked() {
    let base = || {
        AlbVerifier::builder()
            .alb_arn(TEST_ALB_ARN)
            .client_id(CLIENT)
            .issuer(ISSUER)
    };
    assert!(base().build().is_ok(), "default key server from the region");
    assert!(matches!(
        AlbVerifier::builder()
            .client_id(CLIENT)
            .issuer(ISSUER)
            .build(),
        Err(ConfigError::Missing(_))
    ));
    assert!(matches!(
        AlbVerifier::builder()
            .alb_arn(TEST_ALB_ARN)
            .issuer(ISSUER)
            .build(),
        Err(ConfigError::Missing(_))
    ));
    assert!(
        AlbVerifier::builder()
            .alb_arn(TEST_ALB_ARN)
            .skip_client_check()
            .issuer(ISSUER)
            .build()
            .is_ok()
    );
    assert!(matches!(
        AlbVerifier::builder()
            .alb_arn(TEST_ALB_ARN)
            .client_id(CLIENT)
            .build(),
        Err(ConfigError::Missing(_))
    ));
    assert!(matches!(
        base().alb_arn("arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/net/n/50dc6c495c0c9188").build(),
        Err(ConfigError::InvalidAlbArn { .. })
    ));
    assert!(matches!(
        base()
            .alb_arn("arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/b/50dc6c495c0c9188")
            .build(),
        Err(ConfigError::InvalidSetting(_))
    ));
    assert!(
        base()
            .alb_arn("arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/b/50dc6c495c0c9188")
            .key_base_url("http://127.0.0.1:1/alb-keys")
            .build()
            .is_ok()
    );
    assert!(matches!(
        base().key_base_url("ftp://x").build(),
        Err(ConfigError::InvalidUrl { .. })
    ));
}

#[tokio::test]
async fn abandoned_fetches_free_their_place() {
    let f = fixture().await;
    f.keys.set_delay(Duration::from_secs(5));
    // More abandoned fetches of distinct kids than may be in flight at once.
    for _ in 0..12 {
        let other = AlbMint::new(TEST_ALB_ARN, CLIENT, ISSUER);
        f.keys.publish(&other);
        let verifier = f.verifier.clone();
        let token = other.mint(&other.claims("u"));
        let task = tokio::spawn(async move { verifier.verify(&token).await });
        tokio::time::sleep(Duration::from_millis(20)).await;
        task.abort();
        assert!(task.await.unwrap_err().is_cancelled());
    }
    f.keys.set_delay(Duration::ZERO);
    let token = f.mint.mint(&f.mint.claims("user-1"));
    f.verifier.verify(&token).await.unwrap();
}

#[tokio::test]
async fn a_failed_kid_is_fetched_again_after_the_cool_down() {
    let mint = AlbMint::new(TEST_ALB_ARN, CLIENT, ISSUER);
    let keys = AlbKeyServer::start().await;
    let verifier = AlbVerifier::builder()
        .alb_arn(TEST_ALB_ARN)
        .client_id(CLIENT)
        .issuer(ISSUER)
        .key_base_url(&keys.url())
        .key_cooldown(Duration::from_millis(300))
        .build()
        .unwrap();
    let token = mint.mint(&mint.claims("u"));
    verifier.verify(&token).await.unwrap_err();
    verifier.verify(&token).await.unwrap_err();
    assert_eq!(keys.fetches(), 1, "within the cool-down");
    tokio::time::sleep(Duration::from_millis(400)).await;
    keys.publish(&mint);
    assert!(verifier.verify_cached(&token).is_none(), "cool-down over");
    verifier.verify(&token).await.unwrap();
    assert_eq!(keys.fetches(), 2);
}
