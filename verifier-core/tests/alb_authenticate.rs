//! Authenticate mode ("being the ALB") driven through `Gate::admit_now` /
//! `Gate::admit` with a cookie jar, against the loopback OIDC IdP.

use std::collections::BTreeMap;

use cognito_test_support::alb_tokens::{AlbKeyServer, KeyBehaviour};
use cognito_test_support::headers::PairHeaders;
use cognito_test_support::test_idp::{IdpUser, TestIdp};
use cognito_test_support::test_issuer::TestIssuer;
use cognito_verifier::alb::AlbVerifier;
use cognito_verifier::gate::alb::{
    AlbAuth, AlbAuthBuilder, IdentityProvider, OnUnauthenticated, SessionKeys,
};
use cognito_verifier::gate::{Admitted, Gate, Preset, Rejection, RequestHead};
use cognito_verifier::{CognitoVerifier, FetchLimits, PoolConfig};

const ARN: &str =
    "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/my-alb/50dc6c495c0c9188";
const ORIGIN: &str = "http://app.test";

/// A browser's cookie jar (name -> value), updated from `set-cookie`.
#[derive(Default, Clone)]
struct Jar(BTreeMap<String, String>);

impl Jar {
    fn apply<'a>(&mut self, set_cookies: impl IntoIterator<Item = &'a str>) {
        for line in set_cookies {
            let pair = line.split(';').next().unwrap();
            let (name, value) = pair.split_once('=').unwrap();
            if line.contains("Max-Age=0") {
                self.0.remove(name);
            } else {
                self.0.insert(name.to_owned(), value.to_owned());
            }
        }
    }

    fn header(&self) -> String {
        self.0
            .iter()
            .map(|(n, v)| format!("{n}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }
}

struct Setup {
    issuer: TestIssuer,
    idp: TestIdp,
    http: reqwest::Client,
}

impl Setup {
    async fn start() -> Self {
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
    }

    fn provider(&self) -> IdentityProvider {
        let base = self.idp.url();
        IdentityProvider::from_endpoints(
            &self.issuer.issuer,
            &format!("{base}/oauth2/authorize"),
            &format!("{base}/oauth2/token"),
            &format!("{base}/oauth2/userInfo"),
            Some(&format!("{base}/logout")),
        )
        .unwrap()
    }

    fn builder(&self) -> AlbAuthBuilder {
        AlbAuth::builder(self.provider(), &self.issuer.client_id, "s3cret")
            .session_keys(SessionKeys::new(vec![[7; 32]]).unwrap())
            .signer(ARN)
            .public_origin(ORIGIN)
            .extra_param("lang", "fr")
    }

    fn gate(&self, auth: AlbAuthBuilder) -> Gate {
        self.gate_with(Preset::Strict, auth)
    }

    fn gate_with(&self, preset: Preset, auth: AlbAuthBuilder) -> Gate {
        let verifier = CognitoVerifier::builder()
            .pool(
                PoolConfig::new(&self.issuer.pool_id)
                    .jwks_uri(self.issuer.jwks.url())
                    .client_id(&self.issuer.client_id),
            )
            .build()
            .unwrap();
        Gate::new(verifier)
            .preset(preset)
            .alb_authenticate(auth.build().unwrap())
    }
}

fn set_cookies(headers: impl IntoIterator<Item = (&'static str, String)>) -> Vec<String> {
    headers
        .into_iter()
        .filter(|(n, _)| *n == "set-cookie")
        .map(|(_, v)| v)
        .collect()
}

fn header<'r>(rejection: &'r Rejection, name: &str) -> Option<&'r str> {
    rejection
        .headers
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, v)| v.as_ref())
}

/// One request through the gate (fast path first), updating the jar.
async fn send(
    gate: &Gate,
    jar: &mut Jar,
    target: &str,
    extra: &[(&str, &str)],
) -> (Result<Admitted, Rejection>, bool) {
    let mut headers = vec![
        ("host".to_owned(), b"app.test".to_vec()),
        ("accept".to_owned(), b"text/html".to_vec()),
    ];
    if !jar.0.is_empty() {
        headers.push(("cookie".to_owned(), jar.header().into_bytes()));
    }
    for (n, v) in extra {
        headers.push(((*n).to_owned(), v.as_bytes().to_vec()));
    }
    let headers = PairHeaders(headers);
    let head = RequestHead::new("GET", target, &headers);
    let (result, fast) = match gate.admit_now(&head) {
        Some(result) => (result, true),
        None => (gate.admit(&head).await, false),
    };
    match &result {
        Ok(admitted) => jar.apply(
            admitted
                .response_headers
                .iter()
                .filter(|(n, _)| *n == "set-cookie")
                .map(|(_, v)| v.as_str()),
        ),
        Err(rejection) => jar.apply(
            rejection
                .headers
                .iter()
                .filter(|(n, _)| *n == "set-cookie")
                .map(|(_, v)| v.as_ref()),
        ),
    }
    (result, fast)
}

/// Follows the login: gate 302 -> IdP authorize -> callback. Returns the
/// callback's answer.
async fn through_idp(setup: &Setup, gate: &Gate, jar: &mut Jar, redirect: &Rejection) -> Rejection {
    assert_eq!(redirect.status, 302, "{redirect:?}");
    let location = header(redirect, "location").unwrap();
    let back = setup.http.get(location).send().await.unwrap();
    assert_eq!(back.status(), 302);
    let back = back.headers()["location"].to_str().unwrap().to_owned();
    let target = back
        .strip_prefix(ORIGIN)
        .expect("back to the app")
        .to_owned();
    send(gate, jar, &target, &[])
        .await
        .0
        .expect_err("the callback answers itself")
}

/// A full login to `target`; returns the admitted request on `target`.
async fn login(setup: &Setup, gate: &Gate, jar: &mut Jar, target: &str) -> Admitted {
    let redirect = send(gate, jar, target, &[])
        .await
        .0
        .expect_err("redirect to login");
    let done = through_idp(setup, gate, jar, &redirect).await;
    assert_eq!(
        (done.status, done.reason),
        (302, "alb_login_complete"),
        "{done:?}"
    );
    assert_eq!(header(&done, "location"), Some(target));
    send(gate, jar, target, &[])
        .await
        .0
        .expect("admitted after login")
}

fn request_header<'a>(admitted: &'a Admitted, name: &str) -> &'a str {
    admitted
        .request_headers
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, v)| std::str::from_utf8(v).unwrap())
        .unwrap()
}

#[tokio::test]
async fn login_sets_a_session_and_the_three_headers() {
    let setup = Setup::start().await;
    let gate = setup.gate(setup.builder());
    let mut jar = Jar::default();
    let (first, _) = send(&gate, &mut jar, "/page?x=1", &[]).await;
    let redirect = first.unwrap_err();
    assert_eq!(
        (redirect.status, redirect.reason),
        (302, "alb_login_redirect")
    );
    assert_eq!(header(&redirect, "cache-control"), Some("no-store"));
    let location = url::Url::parse(header(&redirect, "location").unwrap()).unwrap();
    let query: BTreeMap<String, String> = location.query_pairs().into_owned().collect();
    assert_eq!(query["response_type"], "code");
    assert_eq!(query["client_id"], setup.issuer.client_id);
    assert_eq!(query["redirect_uri"], "http://app.test/oauth2/idpresponse");
    assert_eq!(query["scope"], "openid");
    assert_eq!(query["lang"], "fr");
    assert_eq!(query["nonce"], jar.0["AWSALBAuthNonce"]);
    let nonce_cookie = redirect
        .headers
        .iter()
        .find(|(_, v)| v.starts_with("AWSALBAuthNonce="))
        .unwrap();
    assert!(
        nonce_cookie.1.contains("Max-Age=900")
            && nonce_cookie.1.contains("HttpOnly")
            && nonce_cookie.1.contains("SameSite=Lax")
    );
    assert!(!nonce_cookie.1.contains("Secure"), "http origin");

    let done = through_idp(&setup, &gate, &mut jar, &redirect).await;
    assert_eq!(
        (done.status, header(&done, "location")),
        (302, Some("/page?x=1"))
    );
    assert!(jar.0.contains_key("AWSELBAuthSessionCookie-0"));
    assert!(
        !jar.0.contains_key("AWSALBAuthNonce"),
        "nonce cookie expired"
    );

    let (admitted, _) = send(&gate, &mut jar, "/page?x=1", &[]).await;
    let admitted = admitted.unwrap();
    let sub = "11111111-2222-3333-4444-555555555555";
    assert_eq!(request_header(&admitted, "x-amzn-oidc-identity"), sub);
    assert!(request_header(&admitted, "x-amzn-oidc-accesstoken").starts_with("eyJ"));
    let claims = admitted.auth.claims().unwrap();
    assert_eq!(claims.sub(), sub);
    assert!(claims.in_group("admin"), "access token claims (groups)");

    // The data token verifies with the ALB verifier and the served PEM.
    let auth = gate.alb_auth().unwrap();
    let keys = AlbKeyServer::start().await;
    keys.set(
        auth.kid(),
        KeyBehaviour::Pem(auth.public_key_pem().to_owned()),
    );
    let alb = AlbVerifier::builder()
        .alb_arn(ARN)
        .client_id(&setup.issuer.client_id)
        .issuer(&setup.issuer.issuer)
        .key_base_url(&keys.url())
        .fetch_limits(FetchLimits::default())
        .build()
        .unwrap();
    let data = request_header(&admitted, "x-amzn-oidc-data");
    let verified = alb.verify(data).await.unwrap();
    assert_eq!(verified.sub(), sub);
    assert_eq!(verified.email(), Some("alice@example.com"));

    // Later requests: fast path, same signed data (cached), no IdP call.
    let (again, fast) = send(&gate, &mut jar, "/other", &[]).await;
    assert!(fast);
    assert_eq!(request_header(&again.unwrap(), "x-amzn-oidc-data"), data);
    let calls = setup.idp.calls();
    assert_eq!(
        (calls.authorize, calls.code, calls.userinfo, calls.refresh),
        (1, 1, 1, 0)
    );
    assert!(gate.strips("x-amzn-oidc-data") && gate.strips("x-amzn-oidc-identity"));
    assert!(!gate.strips("authorization") && gate.strips_any());
}

#[tokio::test]
async fn forged_replayed_and_nonce_less_callbacks_are_refused() {
    let setup = Setup::start().await;
    let gate = setup.gate(setup.builder());
    let mut jar = Jar::default();
    let redirect = send(&gate, &mut jar, "/", &[]).await.0.unwrap_err();
    let location = header(&redirect, "location").unwrap();
    let back = setup.http.get(location).send().await.unwrap();
    let back = back.headers()["location"].to_str().unwrap().to_owned();
    let callback = back.strip_prefix(ORIGIN).unwrap().to_owned();

    // No nonce cookie: refused before the code is spent.
    let mut stranger = Jar::default();
    let r = send(&gate, &mut stranger, &callback, &[])
        .await
        .0
        .unwrap_err();
    assert_eq!((r.status, r.reason), (401, "alb_nonce_missing"));
    // A forged state.
    let r = send(
        &gate,
        &mut jar.clone(),
        "/oauth2/idpresponse?code=x&state=forged",
        &[],
    )
    .await
    .0
    .unwrap_err();
    assert_eq!((r.status, r.reason), (401, "alb_state_invalid"));
    // Another login's nonce cookie.
    let mut other = jar.clone();
    other
        .0
        .insert("AWSALBAuthNonce".into(), "not-the-nonce".into());
    let r = send(&gate, &mut other, &callback, &[]).await.0.unwrap_err();
    assert_eq!((r.status, r.reason), (401, "alb_nonce_invalid"));
    assert_eq!(setup.idp.calls().code, 0);

    let mut replay_jar = jar.clone();
    let ok = send(&gate, &mut jar, &callback, &[]).await.0.unwrap_err();
    assert_eq!(ok.reason, "alb_login_complete");
    let r = send(&gate, &mut replay_jar, &callback, &[])
        .await
        .0
        .unwrap_err();
    assert_eq!((r.status, r.reason), (401, "alb_state_replayed"));
    assert_eq!(
        setup.idp.calls().code,
        1,
        "a replay never reaches the token endpoint"
    );
}

#[tokio::test]
async fn refused_login_and_refused_code() {
    let setup = Setup::start().await;
    let gate = setup.gate(setup.builder());
    let mut jar = Jar::default();
    setup.idp.refuse_login(true);
    let redirect = send(&gate, &mut jar, "/", &[]).await.0.unwrap_err();
    let r = through_idp(&setup, &gate, &mut jar, &redirect).await;
    assert_eq!((r.status, r.reason), (561, "alb_idp_error"));
    setup.idp.refuse_login(false);
    let redirect = send(&gate, &mut jar, "/", &[]).await.0.unwrap_err();
    let location = header(&redirect, "location").unwrap();
    let back = setup.http.get(location).send().await.unwrap();
    let back = back.headers()["location"].to_str().unwrap().to_owned();
    let forged_code = back.replace("code=", "code=x");
    let r = send(
        &gate,
        &mut jar,
        forged_code.strip_prefix(ORIGIN).unwrap(),
        &[],
    )
    .await
    .0
    .unwrap_err();
    assert_eq!((r.status, r.reason), (561, "alb_code_rejected"));
}

#[tokio::test]
async fn deny_allow_and_api_requests() {
    let setup = Setup::start().await;
    let deny = setup.gate(setup.builder().on_unauthenticated(OnUnauthenticated::Deny));
    let r = send(&deny, &mut Jar::default(), "/", &[])
        .await
        .0
        .unwrap_err();
    assert_eq!(
        (r.status, r.reason, r.body.as_ref()),
        (401, "alb_unauthenticated", r#"{"message":"Unauthorized"}"#)
    );
    let allow = setup.gate(setup.builder().on_unauthenticated(OnUnauthenticated::Allow));
    let (guest, fast) = send(&allow, &mut Jar::default(), "/", &[]).await;
    let guest = guest.unwrap();
    assert!(fast && guest.auth.claims().is_none() && guest.request_headers.is_empty());
    let api = setup.gate(setup.builder().api_requests_get_401(true));
    let r = send(
        &api,
        &mut Jar::default(),
        "/",
        &[("sec-fetch-mode", "cors")],
    )
    .await
    .0
    .unwrap_err();
    assert_eq!(r.status, 401);
    let r = send(
        &api,
        &mut Jar::default(),
        "/",
        &[("sec-fetch-mode", "navigate")],
    )
    .await
    .0
    .unwrap_err();
    assert_eq!(r.status, 302);
}

#[tokio::test]
async fn guests_and_sessions_carry_the_gate_preset() {
    let setup = Setup::start().await;
    let gate = setup.gate_with(
        Preset::ApiGatewayHttp,
        setup.builder().on_unauthenticated(OnUnauthenticated::Allow),
    );
    let (guest, fast) = send(&gate, &mut Jar::default(), "/", &[]).await;
    let guest = guest.unwrap();
    assert!(fast && guest.auth.claims().is_none());
    assert_eq!(guest.auth.preset(), Preset::ApiGatewayHttp, "guest");
    // A broken session is a guest too (its shards expired).
    let mut broken = Jar::default();
    broken
        .0
        .insert("AWSELBAuthSessionCookie-0".into(), "not-sealed".into());
    let (guest, _) = send(&gate, &mut broken, "/", &[]).await;
    assert_eq!(guest.unwrap().auth.preset(), Preset::ApiGatewayHttp);
    assert!(broken.0.is_empty(), "shards expired");
    // A signed-in request (logged in through an authenticating gate, same keys).
    let login_gate = setup.gate(setup.builder());
    let mut jar = Jar::default();
    login(&setup, &login_gate, &mut jar, "/").await;
    let (admitted, _) = send(&gate, &mut jar, "/", &[]).await;
    let admitted = admitted.unwrap();
    assert!(admitted.auth.claims().is_some());
    assert_eq!(admitted.auth.preset(), Preset::ApiGatewayHttp, "session");
}

#[tokio::test]
async fn tampered_and_broken_sessions_are_expired_and_redirected() {
    let setup = Setup::start().await;
    let gate = setup.gate(setup.builder().on_unauthenticated(OnUnauthenticated::Deny));
    let mut jar = Jar::default();
    // Deny mode still needs a session to test: log in through a second gate with the same keys.
    let login_gate = setup.gate(setup.builder());
    login(&setup, &login_gate, &mut jar, "/").await;
    assert!(
        send(&gate, &mut jar.clone(), "/", &[]).await.0.is_ok(),
        "same keys, same session"
    );

    let mut tampered = jar.clone();
    let value = tampered.0.get_mut("AWSELBAuthSessionCookie-0").unwrap();
    let flipped = if value.ends_with('A') { 'B' } else { 'A' };
    value.pop();
    value.push(flipped);
    let r = send(&gate, &mut tampered, "/", &[]).await.0.unwrap_err();
    assert_eq!(r.status, 401, "deny: no valid session");
    assert!(
        !tampered.0.contains_key("AWSELBAuthSessionCookie-0"),
        "shards expired"
    );

    let mut gap = jar.clone();
    gap.0.insert("AWSELBAuthSessionCookie-2".into(), "x".into());
    let r = login_gate_send(&login_gate, &mut gap).await;
    assert_eq!((r.status, r.reason), (302, "alb_login_redirect"));

    // Another key cannot open the session.
    let other = setup.gate(
        setup
            .builder()
            .session_keys(SessionKeys::new(vec![[8; 32]]).unwrap()),
    );
    let r = send(&other, &mut jar.clone(), "/", &[])
        .await
        .0
        .unwrap_err();
    assert_eq!(r.status, 302);
}

async fn login_gate_send(gate: &Gate, jar: &mut Jar) -> Rejection {
    send(gate, jar, "/", &[]).await.0.unwrap_err()
}

#[tokio::test]
async fn expired_access_token_refreshes_once_for_concurrent_requests() {
    let setup = Setup::start().await;
    let gate = setup.gate(setup.builder());
    let mut jar = Jar::default();
    setup.idp.set_access_ttl(-10);
    let redirect = send(&gate, &mut jar, "/", &[]).await.0.unwrap_err();
    let done = through_idp(&setup, &gate, &mut jar, &redirect).await;
    assert_eq!(done.reason, "alb_login_complete");
    setup.idp.set_access_ttl(3600);
    let old_jar = jar.clone();
    let (mut a, mut b, mut c) = (jar.clone(), jar.clone(), jar.clone());
    let (ra, rb, rc) = tokio::join!(
        send(&gate, &mut a, "/", &[]),
        send(&gate, &mut b, "/", &[]),
        send(&gate, &mut c, "/", &[]),
    );
    for (result, fast) in [ra, rb, rc] {
        let admitted = result.unwrap();
        assert!(!fast, "a refresh needs the async path");
        assert!(
            !set_cookies(admitted.response_headers.clone()).is_empty(),
            "new session cookie"
        );
    }
    assert_eq!(setup.idp.calls().refresh, 1, "one refresh for the session");
    // The refreshed cookie is used from then on without a refresh.
    let (fresh, _) = send(&gate, &mut a, "/", &[]).await;
    assert!(fresh.unwrap().response_headers.is_empty());
    // A late request with the old cookie reuses the refresh outcome.
    let (late, _) = send(&gate, &mut old_jar.clone(), "/", &[]).await;
    assert!(late.is_ok());
    assert_eq!(setup.idp.calls().refresh, 1);
}

#[tokio::test]
async fn refused_refresh_sends_the_user_to_log_in_even_on_deny() {
    let setup = Setup::start().await;
    let login_gate = setup.gate(setup.builder());
    let deny = setup.gate(setup.builder().on_unauthenticated(OnUnauthenticated::Deny));
    let mut jar = Jar::default();
    setup.idp.set_access_ttl(-10);
    let redirect = send(&login_gate, &mut jar, "/", &[]).await.0.unwrap_err();
    through_idp(&setup, &login_gate, &mut jar, &redirect).await;
    setup.idp.refuse_refresh(true);
    let r = send(&deny, &mut jar, "/", &[]).await.0.unwrap_err();
    assert_eq!(
        (r.status, r.reason),
        (302, "alb_login_redirect"),
        "an ended session redirects (as ALB)"
    );
    assert!(!jar.0.contains_key("AWSELBAuthSessionCookie-0"));
}

#[tokio::test]
async fn logout_expires_shards_revokes_and_redirects_to_the_idp() {
    let setup = Setup::start().await;
    let gate = setup.gate(
        setup
            .builder()
            .logout_path("/logout", Some("http://app.test/")),
    );
    let mut jar = Jar::default();
    login(&setup, &gate, &mut jar, "/").await;
    let (cached, fast) = send(&gate, &mut jar, "/", &[]).await;
    assert!(cached.is_ok() && fast, "served from the opened sessions");
    let copy = jar.clone();
    let r = send(&gate, &mut jar, "/logout", &[]).await.0.unwrap_err();
    assert_eq!((r.status, r.reason), (302, "alb_logout"));
    let location = header(&r, "location").unwrap();
    assert!(location.starts_with(&format!("{}/logout?client_id=", setup.idp.url())));
    assert!(location.contains("logout_uri=http%3A%2F%2Fapp.test%2F"));
    assert_eq!(
        r.headers
            .iter()
            .filter(|(n, v)| *n == "set-cookie" && v.contains("Max-Age=0"))
            .count(),
        4
    );
    assert!(jar.0.is_empty());
    let r = send(&gate, &mut copy.clone(), "/", &[])
        .await
        .0
        .unwrap_err();
    assert_eq!(
        r.status, 302,
        "a copy of the logged-out cookie no longer works"
    );
}

#[tokio::test]
async fn bearer_opt_in_and_userinfo_identity() {
    let setup = Setup::start().await;
    let token = setup
        .issuer
        .mint(&setup.issuer.access_claims("openid", &["ops"]));
    let bearer = format!("Bearer {token}");
    let on = setup.gate(setup.builder().accept_bearer(true));
    let admitted = send(&on, &mut Jar::default(), "/", &[("authorization", &bearer)])
        .await
        .0
        .unwrap();
    assert!(admitted.auth.claims().unwrap().in_group("ops"));
    assert!(admitted.request_headers.is_empty());
    let off = setup.gate(setup.builder());
    let r = send(
        &off,
        &mut Jar::default(),
        "/",
        &[("authorization", &bearer)],
    )
    .await
    .0
    .unwrap_err();
    assert_eq!(r.status, 302);

    let userinfo = setup.gate(setup.builder().verify_access_token(false));
    let mut jar = Jar::default();
    let admitted = login(&setup, &userinfo, &mut jar, "/").await;
    let claims = admitted.auth.claims().unwrap();
    assert_eq!(claims.sub(), "11111111-2222-3333-4444-555555555555");
    assert!(claims.groups().is_empty(), "userInfo carries no groups");
    // Later requests come from the opened-session cache, same identity and headers.
    let (again, fast) = send(&userinfo, &mut jar, "/", &[]).await;
    let again = again.unwrap();
    assert!(fast);
    assert_eq!(
        again.auth.claims().unwrap().sub(),
        "11111111-2222-3333-4444-555555555555"
    );
    assert_eq!(again.request_headers, admitted.request_headers);
}

#[tokio::test]
async fn oversized_sessions_are_500_and_large_ones_shard() {
    let setup = Setup::start().await;
    let gate = setup.gate(setup.builder());
    let mut user = IdpUser::default();
    user.extra
        .insert("custom:big".into(), "x".repeat(6000).into());
    setup.idp.set_user(user.clone());
    let mut jar = Jar::default();
    login(&setup, &gate, &mut jar, "/").await;
    assert!(jar.0.contains_key("AWSELBAuthSessionCookie-1"), "sharded");
    user.extra
        .insert("custom:big".into(), "x".repeat(20_000).into());
    setup.idp.set_user(user);
    let mut jar = Jar::default();
    let redirect = send(&gate, &mut jar, "/", &[]).await.0.unwrap_err();
    let r = through_idp(&setup, &gate, &mut jar, &redirect).await;
    assert_eq!((r.status, r.reason), (500, "alb_session_too_large"));
}

#[tokio::test]
async fn discovery_reads_the_endpoints() {
    let setup = Setup::start().await;
    let idp = IdentityProvider::discover(&setup.idp.url(), &FetchLimits::default())
        .await
        .unwrap();
    assert_eq!(
        idp.token_endpoint(),
        format!("{}/oauth2/token", setup.idp.url())
    );
    assert_eq!(
        idp.end_session_endpoint(),
        Some(format!("{}/logout", setup.idp.url()).as_str())
    );
    let wrong = IdentityProvider::discover(
        &format!("{}/other", setup.idp.url()),
        &FetchLimits::default(),
    )
    .await;
    assert!(wrong.is_err());
}
