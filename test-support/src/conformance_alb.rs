//! The ALB half of the conformance table (`alb_cases` in
//! `test-support/conformance/cases.json`): the gate being an ALB
//! (`authenticate` mode, logging in through [`TestIdp`]) and the gate behind
//! one (`behind` mode, `x-amzn-oidc-data` minted by [`AlbMint`]), run against
//! any adapter over real loopback HTTP, with a hand-kept cookie jar.
//!
//! A case names an app configuration, how its session is made (`session`),
//! what is done to the IdP first (`idp`), how the session cookies are bent
//! (`tamper`), and the request sent (`request`); the answer is compared
//! exactly (status, body, headers), with `Location` compared by prefix.

use std::collections::{BTreeMap, HashMap};
use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;

use cognito_verifier::CognitoVerifier;
use cognito_verifier::alb::AlbVerifier;
use cognito_verifier::gate::Gate;
use cognito_verifier::gate::alb::{AlbAuth, IdentityProvider, OnUnauthenticated, SessionKeys};
use serde::Deserialize;
use serde_json::json;

use crate::alb_tokens::{AlbKeyServer, AlbMint, Knobs};
use crate::conformance::{CASES_JSON, Expected, Fixture};
use crate::test_idp::{IdpUser, TestIdp};

/// The client the ALB-mode apps authenticate as at the IdP.
const CLIENT_SECRET: &str = "alb-client-secret";
/// The ALB ARN the apps sign `x-amzn-oidc-data` as, and the behind-ALB verifier expects.
pub const SIGNER: &str = "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/conformance/50dc6c495c0c9188";

/// One ALB row of the table.
#[derive(Debug, Clone, Deserialize)]
pub struct AlbCase {
    /// Human-readable name.
    pub name: String,
    /// How the gate is configured.
    pub app: AlbApp,
    /// `none`, or `login` (a complete login through the IdP first).
    #[serde(default = "none")]
    pub session: String,
    /// IdP knobs applied before the session is made: `access_ttl:<secs>`,
    /// `big_claims:<bytes>` (a userInfo attribute that large), `refuse_refresh`, `refuse_login`.
    #[serde(default)]
    pub idp: Vec<String>,
    /// IdP knobs applied after the session is made, before the request.
    #[serde(default)]
    pub idp_after: Vec<String>,
    /// What is done to the session cookies: `none`, `flip`, `truncate`,
    /// `drop_first`, `drop_last`, `wrong_key` (the session comes from an app
    /// with another key), `stale` (waits past a 1-second session timeout).
    #[serde(default = "none")]
    pub tamper: String,
    /// The request: `page` (a navigation), `xhr` (`fetch`), `spoof` (a
    /// navigation carrying forged `x-amzn-oidc-*` headers), `bearer:<recipe>`,
    /// `callback` (a whole login; the callback's answer), `callback_forged_state`,
    /// `callback_no_nonce`, `callback_replay`,
    /// `callback_refused`, `logout`, `after_logout` (the old cookies sent
    /// again after `/logout`), `data:<variant>` (behind mode).
    pub request: String,
    /// Request path (the target a login returns to).
    pub path: String,
    /// The answer expected.
    #[serde(flatten)]
    pub expected: Expected,
    /// Expected start of `Location` (`{idp}` = the IdP's URL).
    pub location_prefix: Option<String>,
    /// Cookie names the answer must expire.
    #[serde(default)]
    pub expires: Vec<String>,
    /// Cookie names the answer must set.
    #[serde(default)]
    pub sets: Vec<String>,
    /// Expected IdP calls made while answering the request (`refresh`, `code`, `userinfo`, `authorize`, `logout`).
    #[serde(default)]
    pub idp_calls: BTreeMap<String, usize>,
}

fn none() -> String {
    "none".to_owned()
}

/// The gate configuration of an ALB case.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq, Hash, Default)]
pub struct AlbApp {
    /// `authenticate` (being the ALB) or `behind` (behind one).
    pub mode: String,
    /// `authenticate` (default), `deny` or `allow`.
    pub on_unauthenticated: Option<String>,
    /// Bearer tokens accepted on the same routes.
    #[serde(default)]
    pub accept_bearer: bool,
    /// Requests that cannot follow a redirect get 401.
    #[serde(default)]
    pub api_401: bool,
    /// `/logout` ends the session.
    #[serde(default)]
    pub logout: bool,
    /// Session timeout in seconds (default: ALB's 7 days).
    pub timeout: Option<u64>,
    /// Identity from userInfo rather than the verified access token.
    #[serde(default)]
    pub userinfo_identity: bool,
    /// Which session key: `a` (default) or `b`.
    pub key: Option<String>,
    /// Behind mode: also verify the forwarded access token.
    #[serde(default)]
    pub with_access_token: bool,
}

#[derive(Deserialize)]
struct Table {
    alb_cases: Vec<AlbCase>,
}

/// The ALB cases of the table.
pub fn cases() -> Vec<AlbCase> {
    serde_json::from_str::<Table>(CASES_JSON)
        .expect("cases.json parses")
        .alb_cases
}

/// The IdP, the behind-ALB mint and key server the ALB cases share.
pub struct AlbFixture {
    /// The loopback IdP.
    pub idp: TestIdp,
    /// Mints `x-amzn-oidc-data` for behind-mode cases.
    pub mint: AlbMint,
    /// Serves the mint's public key.
    pub keys: AlbKeyServer,
    provider: IdentityProvider,
}

impl AlbFixture {
    /// Starts the IdP (tokens signed by the fixture's pool key) and the key server.
    pub async fn start(fixture: &Fixture) -> Self {
        let issuer = &fixture.issuer;
        let idp = TestIdp::start(
            issuer.key.minter(),
            &issuer.issuer,
            &issuer.client_id,
            CLIENT_SECRET,
        )
        .await;
        // Endpoints given as an ALB is configured (no discovery): the IdP's
        // tokens carry the fixture pool's `iss`, not the IdP's base URL.
        let base = idp.url();
        let provider = IdentityProvider::from_endpoints(
            &issuer.issuer,
            &format!("{base}/oauth2/authorize"),
            &format!("{base}/oauth2/token"),
            &format!("{base}/oauth2/userInfo"),
            Some(&format!("{base}/logout")),
        )
        .expect("IdP endpoints");
        let mint = AlbMint::new(SIGNER, &issuer.client_id, &issuer.issuer);
        let keys = AlbKeyServer::serving(&mint).await;
        AlbFixture {
            idp,
            mint,
            keys,
            provider,
        }
    }

    /// The gate an ALB case's app uses.
    pub fn gate(&self, verifier: CognitoVerifier, client_id: &str, app: &AlbApp) -> Gate {
        match app.mode.as_str() {
            "behind" => {
                let alb = AlbVerifier::builder()
                    .alb_arn(SIGNER)
                    .client_id(client_id)
                    .issuer(&self.mint.issuer)
                    .key_base_url(&self.keys.url())
                    .build()
                    .expect("behind-ALB verifier");
                if app.with_access_token {
                    Gate::new(verifier).behind_alb_with_access_token(alb)
                } else {
                    Gate::new(verifier).behind_alb(alb)
                }
            }
            "authenticate" => {
                let key = match app.key.as_deref() {
                    Some("b") => [0xb0; 32],
                    _ => [0xa0; 32],
                };
                let on_unauthenticated = match app.on_unauthenticated.as_deref() {
                    None | Some("authenticate") => OnUnauthenticated::Authenticate,
                    Some("deny") => OnUnauthenticated::Deny,
                    Some("allow") => OnUnauthenticated::Allow,
                    Some(other) => panic!("unknown on_unauthenticated {other:?}"),
                };
                let mut auth = AlbAuth::builder(self.provider.clone(), client_id, CLIENT_SECRET)
                    .on_unauthenticated(on_unauthenticated)
                    .session_keys(SessionKeys::new(vec![key]).expect("session key"))
                    .signer(SIGNER)
                    .accept_bearer(app.accept_bearer)
                    .api_requests_get_401(app.api_401)
                    .verify_access_token(!app.userinfo_identity);
                if let Some(seconds) = app.timeout {
                    auth = auth.session_timeout(Duration::from_secs(seconds));
                }
                if app.logout {
                    auth = auth.logout_path("/logout", Some("http://localhost/bye"));
                }
                Gate::new(verifier).alb_authenticate(auth.build().expect("ALB configuration"))
            }
            other => panic!("unknown ALB mode {other:?}"),
        }
    }

    fn apply(&self, knobs: &[String]) {
        for knob in knobs {
            match knob.split_once(':') {
                Some(("access_ttl", secs)) => self.idp.set_access_ttl(secs.parse().expect("secs")),
                Some(("big_claims", bytes)) => {
                    let mut user = IdpUser::default();
                    user.extra.insert(
                        "custom:notes".to_owned(),
                        json!("n".repeat(bytes.parse().expect("bytes"))),
                    );
                    self.idp.set_user(user);
                }
                None if knob == "refuse_refresh" => self.idp.refuse_refresh(true),
                None if knob == "refuse_login" => self.idp.refuse_login(true),
                _ => panic!("unknown IdP knob {knob:?}"),
            }
        }
    }

    fn reset(&self) {
        self.idp.set_user(IdpUser::default());
        self.idp.set_access_ttl(3600);
        self.idp.refuse_login(false);
        self.idp.refuse_refresh(false);
    }
}

/// A cookie jar: name -> value, updated from `Set-Cookie`.
#[derive(Debug, Clone, Default)]
struct Jar(BTreeMap<String, String>);

impl Jar {
    /// Applies the answer's `Set-Cookie`s; returns the names set and expired.
    fn take(&mut self, response: &reqwest::Response) -> (Vec<String>, Vec<String>) {
        let (mut set, mut expired) = (Vec::new(), Vec::new());
        for value in response.headers().get_all("set-cookie") {
            let Ok(value) = value.to_str() else { continue };
            let pair = value.split(';').next().unwrap_or("");
            let Some((name, v)) = pair.split_once('=') else {
                continue;
            };
            let gone = value.contains("Max-Age=0") || value.contains("1970");
            if gone {
                self.0.remove(name.trim());
                expired.push(name.trim().to_owned());
            } else {
                self.0.insert(name.trim().to_owned(), v.to_owned());
                set.push(name.trim().to_owned());
            }
        }
        (set, expired)
    }

    fn header(&self) -> Option<String> {
        (!self.0.is_empty()).then(|| {
            self.0
                .iter()
                .map(|(n, v)| format!("{n}={v}"))
                .collect::<Vec<_>>()
                .join("; ")
        })
    }
}

fn navigation(request: reqwest::RequestBuilder, jar: &Jar) -> reqwest::RequestBuilder {
    let request = request
        .header("accept", "text/html,application/xhtml+xml")
        .header("sec-fetch-mode", "navigate");
    match jar.header() {
        Some(cookies) => request.header("cookie", cookies),
        None => request,
    }
}

/// The path and query of an absolute URL, sent to `addr` instead.
fn local(addr: SocketAddr, url: &str) -> String {
    let parsed = url::Url::parse(url).expect("absolute URL");
    let query = parsed.query().map(|q| format!("?{q}")).unwrap_or_default();
    format!("http://{addr}{}{query}", parsed.path())
}

/// The stages of a login, for cases that replay or bend one of them.
struct Login {
    jar: Jar,
    /// The callback URL the IdP sent the browser to.
    callback: String,
}

async fn start_login(
    client: &reqwest::Client,
    addr: SocketAddr,
    path: &str,
) -> Result<Login, String> {
    let mut jar = Jar::default();
    let first = navigation(client.get(format!("http://{addr}{path}")), &jar)
        .send()
        .await
        .map_err(|e| e.to_string())?;
    if first.status() != 302 {
        return Err(format!("login did not start: {}", first.status()));
    }
    jar.take(&first);
    let authorize = first.headers()["location"]
        .to_str()
        .unwrap_or("")
        .to_owned();
    let idp = client
        .get(&authorize)
        .send()
        .await
        .map_err(|e| e.to_string())?;
    let callback = idp
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .ok_or("the IdP did not redirect")?
        .to_owned();
    Ok(Login { jar, callback })
}

async fn finish_login(
    client: &reqwest::Client,
    addr: SocketAddr,
    login: &mut Login,
) -> Result<reqwest::Response, String> {
    let response = navigation(client.get(local(addr, &login.callback)), &login.jar)
        .send()
        .await
        .map_err(|e| e.to_string())?;
    login.jar.take(&response);
    Ok(response)
}

fn tamper(jar: &mut Jar, how: &str) {
    let shards: Vec<String> = jar
        .0
        .keys()
        .filter(|n| n.starts_with("AWSELBAuthSessionCookie-"))
        .cloned()
        .collect();
    let first = shards.first().cloned().unwrap_or_default();
    match how {
        "none" | "wrong_key" | "stale" => {}
        "flip" => {
            let value = jar.0.get_mut(&first).expect("a session shard");
            let mid = value.len() / 2;
            let flipped = if &value[mid..mid + 1] == "A" {
                "B"
            } else {
                "A"
            };
            value.replace_range(mid..mid + 1, flipped);
        }
        "truncate" => {
            let value = jar.0.get_mut(&first).expect("a session shard");
            value.truncate(value.len() / 2);
        }
        "drop_first" => {
            jar.0.remove(&first);
        }
        "drop_last" => {
            assert!(shards.len() >= 2, "drop_last needs a sharded session");
            jar.0.remove(shards.last().expect("shards"));
        }
        other => panic!("unknown tamper {other:?}"),
    }
}

/// Runs every ALB case against the adapter `serve` starts; panics listing
/// every mismatch; returns the number of cases run.
pub async fn run<F, Fut>(adapter: &str, fixture: &Fixture, serve: F) -> usize
where
    F: Fn(Gate) -> Fut,
    Fut: Future<Output = SocketAddr>,
{
    let alb = AlbFixture::start(fixture).await;
    let cases = cases();
    let mut servers: HashMap<AlbApp, SocketAddr> = HashMap::new();
    let client = reqwest::Client::builder()
        .no_proxy()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let mut failures = Vec::new();
    for case in &cases {
        let mut addr_of = async |app: &AlbApp| match servers.get(app) {
            Some(addr) => *addr,
            None => {
                let gate = alb.gate(fixture.verifier.clone(), &fixture.issuer.client_id, app);
                let addr = serve(gate).await;
                assert!(addr.ip().is_loopback());
                servers.insert(app.clone(), addr);
                addr
            }
        };
        let addr = addr_of(&case.app).await;
        // Sessions come from a gate that logs in (a `deny` gate never
        // does; an ALB shares the cookie between rules), with key `a` for
        // `wrong_key`.
        let login_app = AlbApp {
            key: if case.tamper == "wrong_key" {
                Some("a".to_owned())
            } else {
                case.app.key.clone()
            },
            on_unauthenticated: None,
            ..case.app.clone()
        };
        let login_addr = if login_app == case.app {
            addr
        } else {
            addr_of(&login_app).await
        };
        alb.reset();
        if let Err(problem) = run_case(&client, &alb, fixture, addr, login_addr, case).await {
            failures.push(format!("[{adapter}] {}: {problem}", case.name));
        }
    }
    alb.reset();
    assert!(
        failures.is_empty(),
        "{} of {} ALB cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
    cases.len()
}

fn data_token(alb: &AlbFixture, variant: &str) -> String {
    let mint = &alb.mint;
    let claims = mint.claims("11111111-2222-3333-4444-555555555555");
    let knobs = match variant {
        "good" => Knobs::default(),
        "wrong_signer" => Knobs {
            signer: Some(json!(
                "arn:aws:elasticloadbalancing:us-east-1:999999999999:loadbalancer/app/attacker/1111111111111111"
            )),
            ..Knobs::default()
        },
        "wrong_client" => Knobs {
            client: Some("someone-elses-client".to_owned()),
            ..Knobs::default()
        },
        "unpadded" => Knobs {
            unpadded: true,
            ..Knobs::default()
        },
        "tampered" => Knobs {
            tampered_payload: Some(
                json!({"sub": "mallory", "exp": 4_000_000_000_i64, "iss": mint.issuer}),
            ),
            ..Knobs::default()
        },
        "expired" => {
            let mut claims = claims;
            claims["exp"] = json!(crate::test_issuer::now() - 60);
            return mint.mint_with(&claims, &Knobs::default());
        }
        other => panic!("unknown data variant {other:?}"),
    };
    mint.mint_with(&claims, &knobs)
}

async fn run_case(
    client: &reqwest::Client,
    alb: &AlbFixture,
    fixture: &Fixture,
    addr: SocketAddr,
    login_addr: SocketAddr,
    case: &AlbCase,
) -> Result<(), String> {
    alb.apply(&case.idp);
    let mut jar = Jar::default();
    if case.session == "login" {
        let mut login = start_login(client, login_addr, &case.path).await?;
        let done = finish_login(client, login_addr, &mut login).await?;
        if done.status() != 302 {
            return Err(format!(
                "login did not finish: {} {:?}",
                done.status(),
                done.text().await.ok()
            ));
        }
        jar = login.jar;
    }
    tamper(&mut jar, &case.tamper);
    if case.tamper == "stale" {
        tokio::time::sleep(Duration::from_millis(2100)).await;
    }
    alb.apply(&case.idp_after);
    let before = alb.idp.calls();
    let url = format!("http://{addr}{}", case.path);
    let response = match case.request.as_str() {
        "page" => navigation(client.get(&url), &jar).send().await,
        "xhr" => {
            let request = client
                .get(&url)
                .header("accept", "application/json")
                .header("sec-fetch-mode", "cors");
            match jar.header() {
                Some(cookies) => request.header("cookie", cookies),
                None => request,
            }
            .send()
            .await
        }
        "spoof" => {
            navigation(client.get(&url), &jar)
                .header("x-amzn-oidc-identity", "mallory")
                .header("x-amzn-oidc-accesstoken", "forged")
                .header("x-amzn-oidc-data", "forged.forged.forged")
                .send()
                .await
        }
        "callback_forged_state" | "callback_no_nonce" | "callback_refused" => {
            let mut login = start_login(client, addr, &case.path).await?;
            if case.request == "callback_forged_state" {
                let mut parsed = url::Url::parse(&login.callback).map_err(|e| e.to_string())?;
                let pairs: Vec<(String, String)> = parsed
                    .query_pairs()
                    .map(|(k, v)| {
                        (
                            k.to_string(),
                            if k == "state" {
                                "forged".to_owned()
                            } else {
                                v.into_owned()
                            },
                        )
                    })
                    .collect();
                parsed.query_pairs_mut().clear().extend_pairs(pairs);
                login.callback = parsed.to_string();
            }
            if case.request == "callback_no_nonce" {
                login.jar = Jar::default();
            }
            let url = local(addr, &login.callback);
            navigation(client.get(url), &login.jar).send().await
        }
        "logout" => {
            navigation(client.get(format!("http://{addr}/logout")), &jar)
                .send()
                .await
        }
        "after_logout" => {
            let logout = navigation(client.get(format!("http://{addr}/logout")), &jar)
                .send()
                .await
                .map_err(|e| e.to_string())?;
            if logout.status() != 302 {
                return Err(format!("logout answered {}", logout.status()));
            }
            // The old cookies, replayed after the logout.
            navigation(client.get(&url), &jar).send().await
        }
        "callback" => {
            let mut login = start_login(client, addr, &case.path).await?;
            navigation(client.get(local(addr, &login.callback)), &login.jar)
                .send()
                .await
                .inspect(|response| {
                    login.jar.take(response);
                })
        }
        "callback_replay" => {
            let mut login = start_login(client, addr, &case.path).await?;
            let jar_before = login.jar.clone();
            finish_login(client, addr, &mut login).await?;
            navigation(client.get(local(addr, &login.callback)), &jar_before)
                .send()
                .await
        }
        other => match other.split_once(':') {
            Some(("bearer", recipe)) => {
                let token = crate::conformance::Recipes::token(fixture, recipe).unwrap_or_default();
                client.get(&url).bearer_auth(token).send().await
            }
            Some(("data", variant)) => {
                client
                    .get(&url)
                    .header("x-amzn-oidc-data", data_token(alb, variant))
                    .send()
                    .await
            }
            _ => return Err(format!("unknown request {other:?}")),
        },
    }
    .map_err(|e| format!("request failed: {e}"))?;
    compare(alb, case, response, before).await
}

async fn compare(
    alb: &AlbFixture,
    case: &AlbCase,
    response: reqwest::Response,
    before: crate::test_idp::IdpCalls,
) -> Result<(), String> {
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let mut jar = Jar::default();
    let (set, expired) = jar.take(&response);
    let body = response.text().await.map_err(|e| e.to_string())?;
    let mut problems = case.expected.problems(status, &headers, &body, "");
    if let Some(prefix) = &case.location_prefix {
        let prefix = prefix.replace("{idp}", &alb.idp.url());
        let location = headers
            .get("location")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        if !location.starts_with(&prefix) {
            problems.push(format!(
                "location {location:?} does not start with {prefix:?}"
            ));
        }
    }
    for name in &case.expires {
        if !expired.contains(name) {
            problems.push(format!("cookie {name} not expired (expired: {expired:?})"));
        }
    }
    for name in &case.sets {
        if !set.contains(name) {
            problems.push(format!("cookie {name} not set (set: {set:?})"));
        }
    }
    let after = alb.idp.calls();
    let made = |name: &str| match name {
        "authorize" => after.authorize - before.authorize,
        "code" => after.code - before.code,
        "refresh" => after.refresh - before.refresh,
        "userinfo" => after.userinfo - before.userinfo,
        "logout" => after.logout - before.logout,
        other => panic!("unknown IdP endpoint {other:?}"),
    };
    for (name, expected) in &case.idp_calls {
        if made(name) != *expected {
            problems.push(format!("{} {name} calls, expected {expected}", made(name)));
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("; "))
    }
}
