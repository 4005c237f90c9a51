//! The whole per-request fast path, `Gate::admit_now`: authenticate mode
//! with a valid session cookie (one shard and two, logged in once through
//! the loopback IdP), against token mode's bearer cache hit.
//!
//! `cargo bench -p cognito-verifier --bench alb_admit`

use std::collections::BTreeMap;

use cognito_test_support::headers::PairHeaders;
use cognito_test_support::test_idp::{IdpUser, TestIdp};
use cognito_test_support::test_issuer::TestIssuer;
use cognito_verifier::gate::alb::{AlbAuth, IdentityProvider, SessionKeys};
use cognito_verifier::gate::{Gate, RequestHead};
use cognito_verifier::{CognitoVerifier, PoolConfig};
use criterion::{Criterion, Throughput, criterion_main};
use std::hint::black_box;

const ARN: &str =
    "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/my-alb/50dc6c495c0c9188";
const ORIGIN: &str = "http://app.test";

struct Setup {
    issuer: TestIssuer,
    idp: TestIdp,
    http: reqwest::Client,
}

impl Setup {
    fn verifier(&self) -> CognitoVerifier {
        CognitoVerifier::builder()
            .pool(
                PoolConfig::new(&self.issuer.pool_id)
                    .jwks_uri(self.issuer.jwks.url())
                    .client_id(&self.issuer.client_id),
            )
            .build()
            .unwrap()
    }

    fn alb_gate(&self) -> Gate {
        let base = self.idp.url();
        let idp = IdentityProvider::from_endpoints(
            &self.issuer.issuer,
            &format!("{base}/oauth2/authorize"),
            &format!("{base}/oauth2/token"),
            &format!("{base}/oauth2/userInfo"),
            None,
        )
        .unwrap();
        let auth = AlbAuth::builder(idp, &self.issuer.client_id, "s3cret")
            .session_keys(SessionKeys::new(vec![[7; 32]]).unwrap())
            .signer(ARN)
            .public_origin(ORIGIN)
            .build()
            .unwrap();
        Gate::new(self.verifier()).alb_authenticate(auth)
    }
}

/// One request through the gate (fast path first); applies `set-cookie`s to `jar`.
async fn send(gate: &Gate, jar: &mut BTreeMap<String, String>, target: &str) -> Option<String> {
    let headers = PairHeaders(vec![
        ("host", b"app.test".to_vec()),
        ("accept", b"text/html".to_vec()),
        ("cookie", cookie_header(jar).into_bytes()),
    ]);
    let head = RequestHead::new("GET", target, &headers);
    let result = match gate.admit_now(&head) {
        Some(result) => result,
        None => gate.admit(&head).await,
    };
    let (set, location) = match &result {
        Ok(a) => (
            a.response_headers
                .iter()
                .map(|(n, v)| (*n, v.clone()))
                .collect::<Vec<_>>(),
            None,
        ),
        Err(r) => (
            r.headers.iter().map(|(n, v)| (*n, v.to_string())).collect(),
            r.headers
                .iter()
                .find(|(n, _)| *n == "location")
                .map(|(_, v)| v.to_string()),
        ),
    };
    for (_, line) in set.iter().filter(|(n, _)| *n == "set-cookie") {
        let (name, value) = line.split(';').next().unwrap().split_once('=').unwrap();
        if line.contains("Max-Age=0") {
            jar.remove(name);
        } else {
            jar.insert(name.to_owned(), value.to_owned());
        }
    }
    location
}

fn cookie_header(jar: &BTreeMap<String, String>) -> String {
    let mut pairs = vec!["_ga=GA1.1.123456789.1700000000".to_owned()];
    pairs.extend(jar.iter().map(|(n, v)| format!("{n}={v}")));
    pairs.join("; ")
}

/// Logs in as `user` and returns the browser's `Cookie` header.
async fn login(setup: &Setup, gate: &Gate, user: IdpUser) -> String {
    setup.idp.set_user(user);
    let mut jar = BTreeMap::new();
    let authorize = send(gate, &mut jar, "/").await.expect("login redirect");
    let back = setup.http.get(authorize).send().await.unwrap();
    let callback = back.headers()["location"].to_str().unwrap().to_owned();
    send(gate, &mut jar, callback.strip_prefix(ORIGIN).unwrap())
        .await
        .expect("back to /");
    // The first session request verifies the access token (then cached).
    assert!(send(gate, &mut jar, "/").await.is_none(), "admitted");
    jar.retain(|name, _| name.starts_with("AWSELBAuthSessionCookie-"));
    cookie_header(&jar)
}

fn bench(c: &mut Criterion) {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let setup = runtime.block_on(async {
        let issuer = TestIssuer::start().await;
        let idp = TestIdp::start(
            issuer.key.minter(),
            &issuer.issuer,
            &issuer.client_id,
            "s3cret",
        )
        .await;
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        Setup { issuer, idp, http }
    });
    let gate = setup.alb_gate();
    let mut big = IdpUser::default();
    big.extra
        .insert("custom:profile".into(), "x".repeat(3000).into());
    let sessions = runtime.block_on(async {
        [
            (
                "alb_session_1_shard",
                login(&setup, &gate, IdpUser::default()).await,
                1,
            ),
            ("alb_session_2_shards", login(&setup, &gate, big).await, 2),
        ]
    });

    let mut group = c.benchmark_group("admit_now");
    group.throughput(Throughput::Elements(1));
    for (label, cookie, shards) in sessions {
        let shard_count = cookie.matches("AWSELBAuthSessionCookie-").count();
        assert_eq!(shard_count, shards, "{label}");
        eprintln!("{label}: Cookie header of {} bytes", cookie.len());
        let headers = PairHeaders(vec![
            ("host", b"app.test".to_vec()),
            ("accept", b"text/html,application/xhtml+xml".to_vec()),
            ("user-agent", b"Mozilla/5.0 (X11; Linux x86_64)".to_vec()),
            ("cookie", cookie.into_bytes()),
        ]);
        let head = RequestHead::new("GET", "/orders?page=2", &headers);
        let admitted = gate.admit_now(&head).expect("fast path").expect("admitted");
        assert_eq!(admitted.request_headers.len(), 3);
        group.bench_function(label, |b| {
            b.iter(|| gate.admit_now(black_box(&head)).unwrap().unwrap())
        });
    }

    let token_gate = Gate::new(setup.verifier());
    let token = setup
        .issuer
        .mint(&setup.issuer.access_claims("openid profile", &["admin"]));
    let headers = PairHeaders(vec![
        ("host", b"app.test".to_vec()),
        ("accept", b"application/json".to_vec()),
        ("authorization", format!("Bearer {token}").into_bytes()),
    ]);
    let head = RequestHead::new("GET", "/orders?page=2", &headers);
    runtime.block_on(token_gate.admit(&head)).expect("verified");
    group.bench_function("bearer_cache_hit", |b| {
        b.iter(|| token_gate.admit_now(black_box(&head)).unwrap().unwrap())
    });
    group.finish();
}

/// The criterion group (its macro generates an undocumented `pub fn`).
#[allow(missing_docs)]
mod group {
    criterion::criterion_group!(benches, super::bench);
}
criterion_main!(group::benches);
