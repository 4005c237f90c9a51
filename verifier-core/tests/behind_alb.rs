//! The gate's behind-ALB mode driven through the request seam
//! (`admit_now` / `admit`) with a plain header list, tokens from
//! `alb_tokens::AlbMint` and keys from a real loopback key server.

use std::time::Duration;

use cognito_test_support::alb_tokens::{AlbKeyServer, AlbMint, Knobs, TEST_ALB_ARN};
use cognito_test_support::headers::PairHeaders;
use cognito_test_support::test_issuer::TestIssuer;
use cognito_verifier::alb::AlbVerifier;
use cognito_verifier::gate::{Admitted, Gate, Rejection, RequestHead};
use cognito_verifier::{CognitoVerifier, FetchLimits, PoolConfig, Requirement};
use serde_json::json;

const SUB: &str = "11111111-2222-3333-4444-555555555555";
const ALB_CLIENT: &str = "albclient0123";

struct World {
    issuer: TestIssuer,
    mint: AlbMint,
    keys: AlbKeyServer,
}

impl World {
    async fn start() -> Self {
        let issuer = TestIssuer::start().await;
        let mint = AlbMint::new(TEST_ALB_ARN, ALB_CLIENT, &issuer.issuer);
        let keys = AlbKeyServer::serving(&mint).await;
        World { issuer, mint, keys }
    }

    fn alb(&self) -> AlbVerifier {
        AlbVerifier::builder()
            .alb_arn(TEST_ALB_ARN)
            .client_id(ALB_CLIENT)
            .issuer(&self.issuer.issuer)
            .key_base_url(&self.keys.url())
            .fetch_limits(
                FetchLimits::default()
                    .with_timeouts(Duration::from_millis(500), Duration::from_millis(500)),
            )
            .build()
            .unwrap()
    }

    fn cognito(&self) -> CognitoVerifier {
        CognitoVerifier::builder()
            .pool(
                PoolConfig::new(&self.issuer.pool_id)
                    .jwks_uri(self.issuer.jwks.url())
                    .client_id(&self.issuer.client_id),
            )
            .build()
            .unwrap()
    }

    fn data(&self) -> String {
        self.mint.mint(&self.mint.claims(SUB))
    }
}

async fn admit(gate: &Gate, headers: Vec<(&'static str, Vec<u8>)>) -> Result<Admitted, Rejection> {
    let headers = PairHeaders(headers);
    let head = RequestHead::new("GET", "/orders?x=1", &headers);
    gate.admit(&head).await
}

fn admit_now(
    gate: &Gate,
    headers: Vec<(&'static str, Vec<u8>)>,
) -> Option<Result<Admitted, Rejection>> {
    let headers = PairHeaders(headers);
    let head = RequestHead::new("GET", "/orders", &headers);
    gate.admit_now(&head)
}

fn reason(result: Result<Admitted, Rejection>) -> (u16, &'static str) {
    let rejection = result.expect_err("must be refused");
    (rejection.status, rejection.reason)
}

#[tokio::test]
async fn the_data_token_is_the_identity() {
    let w = World::start().await;
    let gate = Gate::new(w.cognito()).behind_alb(w.alb());
    let data = w.data();
    let headers = || vec![("x-amzn-oidc-data", data.clone().into_bytes())];
    assert!(
        admit_now(&gate, headers()).is_none(),
        "the key is not cached yet"
    );
    let admitted = admit(&gate, headers()).await.unwrap();
    let claims = admitted.auth.claims().unwrap();
    assert_eq!(claims.sub(), SUB);
    assert_eq!(claims.email_verified(), Some(true));
    assert!(admitted.request_headers.is_empty() && admitted.response_headers.is_empty());
    // Now synchronous.
    let again = admit_now(&gate, headers()).expect("key cached").unwrap();
    assert_eq!(again.auth.claims().unwrap().sub(), SUB);
    assert_eq!(w.keys.fetches(), 1);
    // Nothing is stripped behind an ALB.
    assert!(!gate.strips("x-amzn-oidc-data") && !gate.strips_any());
}

#[tokio::test]
async fn refusals_follow_the_preset() {
    let w = World::start().await;
    let gate = Gate::new(w.cognito()).behind_alb(w.alb());
    let data = w.data();
    assert_eq!(reason(admit(&gate, vec![]).await), (401, "missing_token"));
    let twice = vec![
        ("x-amzn-oidc-data", data.clone().into_bytes()),
        ("x-amzn-oidc-data", data.clone().into_bytes()),
    ];
    assert_eq!(
        reason(admit(&gate, twice).await),
        (401, "ambiguous_credentials")
    );
    let foreign = w.mint.mint_with(
        &w.mint.claims(SUB),
        &Knobs {
            signer: Some(json!(
                "arn:aws:elasticloadbalancing:us-east-1:999999999999:loadbalancer/app/evil/0123456789abcdef"
            )),
            ..Knobs::default()
        },
    );
    assert_eq!(
        reason(admit(&gate, vec![("x-amzn-oidc-data", foreign.into_bytes())]).await),
        (401, "wrong_signer")
    );
    assert_eq!(
        reason(admit(&gate, vec![("x-amzn-oidc-data", b"\xff\xfe".to_vec())]).await),
        (401, "malformed")
    );
    // A bearer token is not what this gate reads.
    let bearer = format!(
        "Bearer {}",
        w.issuer.mint(&w.issuer.access_claims("openid", &[]))
    );
    assert_eq!(
        reason(admit(&gate, vec![("authorization", bearer.into_bytes())]).await),
        (401, "missing_token")
    );
    // Optional: no header is a guest, a bad one is still refused.
    let optional = Gate::new(w.cognito()).behind_alb(w.alb()).optional();
    assert!(
        admit(&optional, vec![])
            .await
            .unwrap()
            .auth
            .claims()
            .is_none()
    );
    assert_eq!(
        reason(admit(&optional, vec![("x-amzn-oidc-data", b"x.y.z".to_vec())]).await).0,
        401
    );
    // Scopes cannot be met by userInfo claims alone.
    let scoped = Gate::new(w.cognito())
        .behind_alb(w.alb())
        .require_scopes(Requirement::any_of(["orders/read"]));
    let (status, why) = reason(admit(&scoped, vec![("x-amzn-oidc-data", data.into_bytes())]).await);
    assert_eq!(why, "missing_scope");
    assert!(status == 401 || status == 403, "{status}");
}

#[tokio::test]
async fn key_server_down_is_503() {
    let w = World::start().await;
    let gate = Gate::new(w.cognito()).behind_alb(w.alb());
    let other = AlbMint::new(TEST_ALB_ARN, ALB_CLIENT, &w.issuer.issuer); // kid never published
    let data = other.mint(&other.claims(SUB));
    let rejection = admit(&gate, vec![("x-amzn-oidc-data", data.clone().into_bytes())])
        .await
        .unwrap_err();
    assert_eq!(
        (rejection.status, rejection.reason),
        (503, "jwks_unavailable")
    );
    assert!(rejection.headers.iter().any(|(n, _)| *n == "retry-after"));
    // Remembered during the cool-down: answered synchronously.
    let again = admit_now(&gate, vec![("x-amzn-oidc-data", data.into_bytes())]).expect("cool-down");
    assert_eq!(again.unwrap_err().status, 503);
}

#[tokio::test]
async fn with_the_access_token_its_claims_are_the_identity() {
    let w = World::start().await;
    let gate = Gate::new(w.cognito()).behind_alb_with_access_token(w.alb());
    let data = w.data();
    let access = w
        .issuer
        .mint(&w.issuer.access_claims("openid orders/read", &["admin"]));
    let both = |data: &str, access: &str| {
        vec![
            ("x-amzn-oidc-data", data.as_bytes().to_vec()),
            ("x-amzn-oidc-accesstoken", access.as_bytes().to_vec()),
        ]
    };
    let admitted = admit(&gate, both(&data, &access)).await.unwrap();
    let claims = admitted.auth.claims().unwrap();
    assert_eq!(claims.sub(), SUB);
    assert!(claims.in_group("admin") && claims.has_scope("orders/read"));
    // Both cached: synchronous.
    let now = admit_now(&gate, both(&data, &access))
        .expect("both cached")
        .unwrap();
    assert!(now.auth.claims().unwrap().in_group("admin"));

    // The access token of another user.
    let mut other = w.issuer.access_claims("openid", &[]);
    other["sub"] = json!("99999999-0000-0000-0000-000000000000");
    let other = w.issuer.mint(&other);
    assert_eq!(
        reason(admit(&gate, both(&data, &other)).await),
        (401, "identity_mismatch")
    );
    // A forged access token.
    let mut forged = access.clone();
    let last = forged.pop().unwrap();
    forged.push(if last == 'A' { 'Q' } else { 'A' });
    assert_eq!(reason(admit(&gate, both(&data, &forged)).await).0, 401);
    // One header without the other.
    assert_eq!(
        reason(admit(&gate, vec![("x-amzn-oidc-data", data.clone().into_bytes())]).await),
        (401, "malformed_header")
    );
    assert_eq!(
        reason(
            admit(
                &gate,
                vec![("x-amzn-oidc-accesstoken", access.into_bytes())]
            )
            .await
        ),
        (401, "malformed_header")
    );
    assert_eq!(reason(admit(&gate, vec![]).await), (401, "missing_token"));
}
