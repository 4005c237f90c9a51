//! Every way a token can be wrong, each asserting the exact cause.

use aws_lc_rs::hmac;
use cognito_test_support::test_issuer::{JwksBehaviour, TestIssuer, TestKey, b64, now};
use cognito_verifier::{Cause, CognitoVerifier, ExpectedTokenUse, Malformed, PoolConfig};
use serde_json::{Value, json};

async fn verifier_for(issuer: &TestIssuer, token_use: ExpectedTokenUse) -> CognitoVerifier {
    CognitoVerifier::builder()
        .pool(
            PoolConfig::new(&issuer.pool_id)
                .jwks_uri(issuer.jwks.url())
                .client_id(&issuer.client_id)
                .token_use(token_use),
        )
        .build()
        .unwrap()
}

fn header(alg: &str, kid: &str) -> String {
    json!({"alg": alg, "kid": kid}).to_string()
}

fn with(mut claims: Value, f: impl FnOnce(&mut serde_json::Map<String, Value>)) -> Value {
    f(claims.as_object_mut().unwrap());
    claims
}

#[tokio::test]
async fn negative_corpus() {
    let issuer = TestIssuer::start().await;
    // Extra keys in the JWKS: one for encryption, one for another algorithm.
    let enc_key = TestKey::generate("enc-key");
    let rs512_key = TestKey::generate("rs512-key");
    let mut enc_jwk = enc_key.jwk();
    enc_jwk["use"] = json!("enc");
    let mut rs512_jwk = rs512_key.jwk();
    rs512_jwk["alg"] = json!("RS512");
    issuer.jwks.set(JwksBehaviour::Keys(vec![
        issuer.key.jwk(),
        enc_jwk,
        rs512_jwk,
    ]));

    let any = verifier_for(&issuer, ExpectedTokenUse::Any).await;
    let id_only = verifier_for(&issuer, ExpectedTokenUse::Id).await;
    let kid = issuer.key.kid.as_str();
    let id = issuer.id_claims(&["admin"]);
    let access = issuer.access_claims("openid", &[]);
    let good = issuer.mint(&id);
    let (good_input, good_sig) = good.rsplit_once('.').unwrap();
    let (good_header, good_payload) = good_input.split_once('.').unwrap();
    let id_json = id.to_string();
    let sign = |h: &str, p: &Value| issuer.key.sign_raw(h, &p.to_string(), "RS256");

    // HS256 keyed with the RSA public key (the classic algorithm-confusion attack).
    let public_jwk = issuer.key.jwk().to_string();
    let hs_input = format!("{}.{}", b64(header("HS256", kid)), b64(&id_json));
    let hs_tag = hmac::sign(
        &hmac::Key::new(hmac::HMAC_SHA256, public_jwk.as_bytes()),
        hs_input.as_bytes(),
    );
    let hs256 = format!("{hs_input}.{}", b64(hs_tag.as_ref()));

    let tampered_payload = {
        let evil = with(id.clone(), |c| {
            c.insert("cognito:groups".into(), json!(["admin", "root"]));
        });
        format!("{good_header}.{}.{good_sig}", b64(evil.to_string()))
    };
    let tampered_signature = {
        let mut sig = cognito_e2e_decode(good_sig);
        sig[10] ^= 1;
        format!("{good_input}.{}", b64(sig))
    };
    let iss = issuer.issuer.clone();
    let now = now();

    let cases: Vec<(&str, &CognitoVerifier, String, Cause)> = vec![
        (
            "alg none",
            &any,
            format!("{}.{}.", b64(header("none", kid)), b64(&id_json)),
            Cause::UnsupportedAlg("none".into()),
        ),
        (
            "HS256 with the public key",
            &any,
            hs256,
            Cause::UnsupportedAlg("HS256".into()),
        ),
        (
            "RS512",
            &any,
            issuer
                .key
                .sign_raw(&header("RS512", kid), &id_json, "RS512"),
            Cause::UnsupportedAlg("RS512".into()),
        ),
        (
            "PS256",
            &any,
            issuer
                .key
                .sign_raw(&header("PS256", kid), &id_json, "PS256"),
            Cause::UnsupportedAlg("PS256".into()),
        ),
        (
            "ES256",
            &any,
            format!(
                "{}.{}.{}",
                b64(header("ES256", kid)),
                b64(&id_json),
                b64([7u8; 64])
            ),
            Cause::UnsupportedAlg("ES256".into()),
        ),
        (
            "missing kid",
            &any,
            sign(r#"{"alg":"RS256"}"#, &id),
            Malformed::Kid.into(),
        ),
        (
            "unknown kid",
            &any,
            sign(&header("RS256", "nope"), &id),
            Cause::UnknownKid("nope".into()),
        ),
        (
            "kid with a path",
            &any,
            sign(&header("RS256", "../../etc/passwd"), &id),
            Cause::UnknownKid("../../etc/passwd".into()),
        ),
        (
            "kid with a URL",
            &any,
            sign(&header("RS256", "https://evil.example/jwks.json"), &id),
            Cause::UnknownKid("https://evil.example/jwks.json".into()),
        ),
        (
            "tampered payload",
            &any,
            tampered_payload,
            Cause::BadSignature,
        ),
        (
            "tampered signature",
            &any,
            tampered_signature,
            Cause::BadSignature,
        ),
        (
            "signature by another key",
            &any,
            TestKey::generate(kid).mint(&id),
            Cause::BadSignature,
        ),
        (
            "two segments",
            &any,
            good_input.to_owned(),
            Malformed::Segments.into(),
        ),
        (
            "four segments",
            &any,
            format!("{good}.{good_sig}"),
            Malformed::Segments.into(),
        ),
        (
            "empty payload segment",
            &any,
            format!("{good_header}..{good_sig}"),
            Malformed::Segments.into(),
        ),
        (
            "empty signature segment",
            &any,
            format!("{good_input}."),
            Malformed::Segments.into(),
        ),
        (
            "empty header segment",
            &any,
            format!(".{good_payload}.{good_sig}"),
            Malformed::Segments.into(),
        ),
        (
            "non-base64url characters",
            &any,
            format!(
                "{good_header}.{}+/.{good_sig}",
                &good_payload[..good_payload.len() - 2]
            ),
            Malformed::Base64.into(),
        ),
        (
            "padded base64",
            &any,
            format!("{good_header}.{good_payload}==.{good_sig}"),
            Malformed::Base64.into(),
        ),
        (
            "non-JSON header",
            &any,
            issuer.key.sign_raw("RS256", &id_json, "RS256"),
            Malformed::Json.into(),
        ),
        (
            "duplicate header member",
            &any,
            issuer.key.sign_raw(
                &format!(r#"{{"alg":"RS256","kid":"{kid}","kid":"other"}}"#),
                &id_json,
                "RS256",
            ),
            Malformed::Json.into(),
        ),
        (
            "duplicate claim",
            &any,
            issuer.key.sign_raw(
                &header("RS256", kid),
                &id_json.replacen('{', r#"{"sub":"mallory","#, 1),
                "RS256",
            ),
            Malformed::Json.into(),
        ),
        (
            "crit header",
            &any,
            issuer.key.sign_raw(
                &format!(r#"{{"alg":"RS256","kid":"{kid}","crit":["exp"]}}"#),
                &id_json,
                "RS256",
            ),
            Malformed::Crit.into(),
        ),
        (
            "exp missing",
            &any,
            sign(
                &header("RS256", kid),
                &with(id.clone(), |c| {
                    c.remove("exp");
                }),
            ),
            Malformed::MissingClaim("exp").into(),
        ),
        (
            "exp as string",
            &any,
            sign(
                &header("RS256", kid),
                &with(id.clone(), |c| {
                    c.insert("exp".into(), json!((now + 3600).to_string()));
                }),
            ),
            Malformed::InvalidClaim("exp").into(),
        ),
        (
            "exp as float string",
            &any,
            sign(
                &header("RS256", kid),
                &with(id.clone(), |c| {
                    c.insert("exp".into(), json!(format!("{}.5", now + 3600)));
                }),
            ),
            Malformed::InvalidClaim("exp").into(),
        ),
        (
            "exp past",
            &any,
            sign(
                &header("RS256", kid),
                &with(id.clone(), |c| {
                    c.insert("exp".into(), json!(now - 10));
                }),
            ),
            Cause::Expired { exp: now - 10, now },
        ),
        (
            "nbf future",
            &any,
            sign(
                &header("RS256", kid),
                &with(id.clone(), |c| {
                    c.insert("nbf".into(), json!(now + 600));
                }),
            ),
            Cause::NotYetValid {
                nbf: now + 600,
                now,
            },
        ),
        (
            "iat future",
            &any,
            sign(
                &header("RS256", kid),
                &with(id.clone(), |c| {
                    c.insert("iat".into(), json!(now + 600));
                }),
            ),
            Cause::IssuedInFuture {
                iat: now + 600,
                now,
            },
        ),
        (
            "iss with trailing slash",
            &any,
            sign(
                &header("RS256", kid),
                &with(id.clone(), |c| {
                    c.insert("iss".into(), json!(format!("{iss}/")));
                }),
            ),
            Cause::WrongIssuer(format!("{iss}/")),
        ),
        (
            "iss of another pool",
            &any,
            sign(
                &header("RS256", kid),
                &with(id.clone(), |c| {
                    c.insert(
                        "iss".into(),
                        json!("https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Other"),
                    );
                }),
            ),
            Cause::WrongIssuer(
                "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Other".into(),
            ),
        ),
        (
            "iss prefix trick",
            &any,
            sign(
                &header("RS256", kid),
                &with(id.clone(), |c| {
                    c.insert("iss".into(), json!(format!("{iss}.evil.example")));
                }),
            ),
            Cause::WrongIssuer(format!("{iss}.evil.example")),
        ),
        (
            "iss missing",
            &any,
            sign(
                &header("RS256", kid),
                &with(id.clone(), |c| {
                    c.remove("iss");
                }),
            ),
            Malformed::MissingClaim("iss").into(),
        ),
        (
            "access token where ID expected",
            &id_only,
            issuer.mint(&access),
            Cause::WrongTokenUse {
                expected: "id".into(),
                found: "access".into(),
            },
        ),
        (
            "unknown token_use",
            &any,
            sign(
                &header("RS256", kid),
                &with(id.clone(), |c| {
                    c.insert("token_use".into(), json!("refresh"));
                }),
            ),
            Cause::WrongTokenUse {
                expected: "id or access".into(),
                found: "refresh".into(),
            },
        ),
        (
            "ID token with wrong aud",
            &any,
            sign(
                &header("RS256", kid),
                &with(id.clone(), |c| {
                    c.insert("aud".into(), json!("otherclient"));
                }),
            ),
            Cause::WrongClient("otherclient".into()),
        ),
        (
            "access token with wrong client_id",
            &any,
            sign(
                &header("RS256", kid),
                &with(access.clone(), |c| {
                    c.insert("client_id".into(), json!("otherclient"));
                }),
            ),
            Cause::WrongClient("otherclient".into()),
        ),
        (
            "aud as array",
            &any,
            sign(
                &header("RS256", kid),
                &with(id.clone(), |c| {
                    c.insert("aud".into(), json!([issuer.client_id]));
                }),
            ),
            Malformed::InvalidClaim("aud").into(),
        ),
        (
            "groups of wrong type",
            &any,
            sign(
                &header("RS256", kid),
                &with(id.clone(), |c| {
                    c.insert("cognito:groups".into(), json!("admin"));
                }),
            ),
            Malformed::InvalidClaim("cognito:groups").into(),
        ),
        (
            "oversized token",
            &any,
            sign(
                &header("RS256", kid),
                &with(id.clone(), |c| {
                    c.insert("pad".into(), json!("x".repeat(20_000)));
                }),
            ),
            Cause::TooLarge {
                size: 0,
                max: 16 * 1024,
            },
        ),
        (
            "JWK with use=enc",
            &any,
            enc_key.mint(&id),
            Cause::UnusableKey {
                kid: "enc-key".into(),
                reason: "use is \"enc\", not \"sig\"".into(),
            },
        ),
        (
            "JWK with mismatching alg",
            &any,
            rs512_key.mint(&id),
            Cause::UnusableKey {
                kid: "rs512-key".into(),
                reason: "alg is \"RS512\", not \"RS256\"".into(),
            },
        ),
    ];
    assert!(cases.len() >= 40);

    // The good token passes, so each failure below is due to its mutation.
    any.verify(&good)
        .await
        .expect("the unmutated token verifies");

    let mut failures = Vec::new();
    for (name, verifier, token, want) in cases {
        let got = verifier
            .verify(&token)
            .await
            .map(|_| ())
            .map_err(|e| e.into_cause());
        let matches = match (&got, &want) {
            (Err(Cause::TooLarge { max, .. }), Cause::TooLarge { max: want_max, .. }) => {
                max == want_max
            }
            // `now` may tick during the run.
            (Err(Cause::Expired { exp, .. }), Cause::Expired { exp: e, .. }) => exp == e,
            (Err(Cause::NotYetValid { nbf, .. }), Cause::NotYetValid { nbf: n, .. }) => nbf == n,
            (Err(Cause::IssuedInFuture { iat, .. }), Cause::IssuedInFuture { iat: i, .. }) => {
                iat == i
            }
            (Err(got), want) => got == want,
            (Ok(()), _) => false,
        };
        if !matches {
            failures.push(format!("{name}: expected {want:?}, got {got:?}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // Key ids never become URLs: the one configured JWKS URI is all that was fetched.
    assert!(
        issuer.jwks.fetches() <= 3,
        "fetches: {}",
        issuer.jwks.fetches()
    );
}

fn cognito_e2e_decode(segment: &str) -> Vec<u8> {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(segment)
        .unwrap()
}

#[tokio::test]
async fn no_input_panics() {
    let issuer = TestIssuer::start().await;
    let verifier = verifier_for(&issuer, ExpectedTokenUse::Any).await;
    let good = issuer.mint(&issuer.id_claims(&[]));
    // Every prefix, and every single-byte substitution at a sample of positions.
    for end in 0..good.len() {
        let _ = verifier.verify(&good[..end]).await;
    }
    for pos in (0..good.len()).step_by(7) {
        for replacement in ['.', '=', '-', '_', 'A', '\u{e9}', '\0'] {
            let mut t: String = good[..pos].to_owned();
            t.push(replacement);
            t.push_str(&good[pos + 1..]);
            assert!(verifier.verify(&t).await.is_err() || t == good);
        }
    }
    for junk in [
        "",
        ".",
        "..",
        "...",
        "a.b.c",
        "\u{1F600}.\u{1F600}.\u{1F600}",
        "e30.e30.e30",
    ] {
        assert!(verifier.verify(junk).await.is_err());
    }
}
