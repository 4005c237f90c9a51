//! Every way a token can be wrong, each a named case asserting the exact
//! cause: header (`header.rs`), claims (`claims_time.rs`,
//! `claims_identity.rs`, `claims_shape.rs`), encoding (`encoding.rs`) and
//! signature (`signature.rs`) variants.

use std::collections::HashSet;
use std::time::Duration;

use cognito_test_support::test_issuer::{JwksBehaviour, TestIssuer, TestKey, b64, now};
use cognito_verifier::{
    Cause, CognitoVerifier, ExpectedTokenUse, Malformed, PoolConfig, Requirement,
};
use serde_json::{Map, Value, json};

mod claims_identity;
mod claims_shape;
mod claims_time;
mod encoding;
mod header;
mod signature;

/// Which verifier a case runs against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Which {
    /// Any token use, the issuer's client.
    Any,
    /// ID tokens only.
    IdOnly,
    /// Access tokens only.
    AccessOnly,
    /// 60 s of leeway.
    Leeway,
    /// Requires scope `orders/read`.
    Scoped,
    /// Requires group `admin`.
    Grouped,
}

const ALL: [Which; 6] = [
    Which::Any,
    Which::IdOnly,
    Which::AccessOnly,
    Which::Leeway,
    Which::Scoped,
    Which::Grouped,
];

/// One named case: a token, the verifier it is given to, the exact cause.
struct Case {
    name: String,
    which: Which,
    token: String,
    want: Cause,
}

fn case(name: &str, which: Which, token: String, want: impl Into<Cause>) -> Case {
    Case {
        name: name.to_owned(),
        which,
        token,
        want: want.into(),
    }
}

fn invalid(claim: &'static str) -> Cause {
    Malformed::InvalidClaim(claim).into()
}

fn missing(claim: &'static str) -> Cause {
    Malformed::MissingClaim(claim).into()
}

/// What every case module builds its tokens from.
struct Ctx {
    issuer: TestIssuer,
    /// Published with `use: enc`.
    enc_key: TestKey,
    /// Published with `alg: RS512`.
    rs512_key: TestKey,
    /// Not published; has the pool's kid.
    impostor: TestKey,
    /// Not published; kid `stranger`.
    stranger: TestKey,
    /// ID token claims (group admin) and access token claims (scope openid).
    id: Value,
    access: Value,
    /// A valid ID token for `id`.
    good: String,
    now: i64,
}

impl Ctx {
    fn kid(&self) -> &str {
        &self.issuer.key.kid
    }

    /// The standard header, `{"alg":"RS256","kid":<kid>}`.
    fn header(&self) -> String {
        json!({"alg": "RS256", "kid": self.kid()}).to_string()
    }

    /// `header` and `payload` (raw JSON text) signed RS256 by the pool's key.
    fn sign(&self, header: &str, payload: &str) -> String {
        self.issuer.key.sign_raw(header, payload, "RS256")
    }

    /// The ID claims under `header` (raw JSON text), signed by the pool's key.
    fn with_header(&self, header: &str) -> String {
        self.sign(header, &self.id.to_string())
    }

    /// `payload` (raw JSON text) under the standard header.
    fn with_payload(&self, payload: &str) -> String {
        self.sign(&self.header(), payload)
    }

    fn edit(&self, claims: &Value, f: impl FnOnce(&mut Map<String, Value>)) -> String {
        let mut claims = claims.clone();
        f(claims.as_object_mut().unwrap());
        self.with_payload(&claims.to_string())
    }

    /// The ID claims with `name` set to `value`.
    fn id_set(&self, name: &str, value: Value) -> String {
        self.edit(&self.id, |c| {
            c.insert(name.to_owned(), value);
        })
    }

    /// The ID claims without `name`.
    fn id_unset(&self, name: &str) -> String {
        self.edit(&self.id, |c| {
            c.remove(name);
        })
    }

    /// The access claims with `name` set to `value`.
    fn access_set(&self, name: &str, value: Value) -> String {
        self.edit(&self.access, |c| {
            c.insert(name.to_owned(), value);
        })
    }

    /// The ID claims as JSON text, with `member` (raw `"name":value` text) first.
    fn id_prefixed(&self, member: &str) -> String {
        self.id
            .to_string()
            .replacen('{', &format!("{{{member},"), 1)
    }

    /// The signature segment of the good token, decoded.
    fn good_signature(&self) -> Vec<u8> {
        decode(self.good.rsplit_once('.').unwrap().1)
    }

    /// The signing input of the good token (`header.payload`).
    fn good_input(&self) -> &str {
        self.good.rsplit_once('.').unwrap().0
    }
}

fn decode(segment: &str) -> Vec<u8> {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(segment)
        .unwrap()
}

async fn verifiers(issuer: &TestIssuer) -> Vec<(Which, CognitoVerifier)> {
    ALL.iter()
        .map(|which| {
            let mut pool = PoolConfig::new(&issuer.pool_id)
                .jwks_uri(issuer.jwks.url())
                .client_id(&issuer.client_id)
                .token_use(match which {
                    Which::IdOnly => ExpectedTokenUse::Id,
                    Which::AccessOnly => ExpectedTokenUse::Access,
                    _ => ExpectedTokenUse::Any,
                });
            match which {
                Which::Scoped => pool = pool.require_scopes(Requirement::any_of(["orders/read"])),
                Which::Grouped => pool = pool.require_groups(Requirement::any_of(["admin"])),
                _ => {}
            }
            let mut builder = CognitoVerifier::builder().pool(pool);
            if *which == Which::Leeway {
                builder = builder.leeway(Duration::from_secs(60));
            }
            (*which, builder.build().unwrap())
        })
        .collect()
}

/// Whether `got` is `want`, allowing for the clock ticking during the run.
fn matches(got: &Cause, want: &Cause) -> bool {
    match (got, want) {
        (Cause::TooLarge { max, .. }, Cause::TooLarge { max: m, .. }) => max == m,
        (Cause::Expired { exp, .. }, Cause::Expired { exp: e, .. }) => exp == e,
        (Cause::NotYetValid { nbf, .. }, Cause::NotYetValid { nbf: n, .. }) => nbf == n,
        (Cause::IssuedInFuture { iat, .. }, Cause::IssuedInFuture { iat: i, .. }) => iat == i,
        // Without `iat` the lifetime counts from now.
        (
            Cause::LifetimeTooLong { lifetime, max },
            Cause::LifetimeTooLong {
                lifetime: l,
                max: m,
            },
        ) => max == m && lifetime.abs_diff(*l) <= 5,
        (got, want) => got == want,
    }
}

#[tokio::test]
async fn negative_corpus() {
    let issuer = TestIssuer::start().await;
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
    let id = issuer.id_claims(&["admin"]);
    let access = issuer.access_claims("openid", &[]);
    let good = issuer.mint(&id);
    let ctx = Ctx {
        impostor: TestKey::generate(&issuer.key.kid),
        stranger: TestKey::generate("stranger"),
        enc_key,
        rs512_key,
        id,
        access,
        good,
        now: now(),
        issuer,
    };
    let verifiers = verifiers(&ctx.issuer).await;
    let verifier = |which: Which| &verifiers.iter().find(|(w, _)| *w == which).unwrap().1;

    let cases: Vec<Case> = [
        header::cases(&ctx),
        claims_time::cases(&ctx),
        claims_identity::cases(&ctx),
        claims_shape::cases(&ctx),
        encoding::cases(&ctx),
        signature::cases(&ctx),
    ]
    .into_iter()
    .flatten()
    .collect();
    let mut names = HashSet::new();
    for case in &cases {
        assert!(
            names.insert(&case.name),
            "duplicate case name {}",
            case.name
        );
    }
    assert!(cases.len() >= 150, "{} cases", cases.len());

    // The unmutated tokens pass every verifier they are meant for, so each
    // failure below is due to its mutation.
    for which in ALL {
        let token = match which {
            Which::AccessOnly => ctx.issuer.mint(&ctx.access),
            Which::Scoped => ctx
                .issuer
                .mint(&ctx.issuer.access_claims("openid orders/read", &[])),
            _ => ctx.good.clone(),
        };
        verifier(which)
            .verify(&token)
            .await
            .unwrap_or_else(|e| panic!("{which:?}: the unmutated token verifies: {e}"));
    }

    let mut failures = Vec::new();
    for case in &cases {
        let got = verifier(case.which)
            .verify(&case.token)
            .await
            .map(|_| ())
            .map_err(|e| e.into_cause());
        match &got {
            Err(cause) if matches(cause, &case.want) => {}
            _ => failures.push(format!(
                "{}: expected {:?}, got {got:?}",
                case.name, case.want
            )),
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
    // Key ids and URLs in headers never become fetches: only the configured
    // JWKS URI was fetched, a few times per verifier at most.
    assert!(
        ctx.issuer.jwks.fetches() <= 3 * ALL.len(),
        "fetches: {}",
        ctx.issuer.jwks.fetches()
    );
}

/// Header members other than `alg`, `kid` and `crit` are ignored (Cognito
/// sets none; `typ` is not a security boundary here, since only RS256 under
/// the pool's keys verifies): odd values change nothing for a genuine token.
#[tokio::test]
async fn ignored_header_members_change_nothing() {
    let issuer = TestIssuer::start().await;
    let verifier = verifiers(&issuer).await.remove(0).1;
    let kid = issuer.key.kid.clone();
    let payload = issuer.id_claims(&[]).to_string();
    for (name, value) in [
        ("typ", json!("JWT")),
        ("typ", json!("at+jwt")),
        ("typ", json!("JWE")),
        ("typ", json!("")),
        ("typ", Value::Null),
        ("typ", json!(5)),
        ("cty", json!("JWT")),
        ("jku", json!("http://127.0.0.1:9/jwks.json")),
        ("x5u", json!("http://127.0.0.1:9/cert.pem")),
        ("x5t", json!("AAAA")),
    ] {
        let header = json!({"alg": "RS256", "kid": kid, name: value}).to_string();
        let token = issuer.key.sign_raw(&header, &payload, "RS256");
        verifier
            .verify(&token)
            .await
            .unwrap_or_else(|e| panic!("{header}: {e}"));
    }
    assert_eq!(issuer.jwks.fetches(), 1, "no header URL is fetched");
}

#[tokio::test]
async fn no_input_panics() {
    let issuer = TestIssuer::start().await;
    let verifier = verifiers(&issuer).await.remove(0).1;
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
