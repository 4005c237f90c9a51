//! The adapter conformance runner: executes `test-support/conformance/cases.json`
//! against any HTTP adapter over real loopback HTTP.
//!
//! An adapter test passes a function that, given a configured
//! [`Gate`](cognito_verifier::gate::Gate), serves the standard conformance
//! routes (listed in the JSON file's `routes`) and returns the address. The
//! runner mints each case's token, sends the request, and compares status,
//! body and headers exactly.

use std::collections::HashMap;
use std::future::Future;
use std::net::SocketAddr;

use cognito_verifier::gate::{Gate, Preset, TokenSource};
use cognito_verifier::{CognitoVerifier, PoolConfig, Requirement};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::test_issuer::{TestIssuer, TestKey, b64, now};

/// The table, embedded at compile time.
pub const CASES_JSON: &str = include_str!("../conformance/cases.json");

/// One row of the table.
#[derive(Debug, Clone, Deserialize)]
pub struct Case {
    /// Human-readable name.
    pub name: String,
    /// How the gate is configured.
    pub app: AppSpec,
    /// Token recipe (see [`Fixture::token`]).
    pub token: String,
    /// How the token is sent: `bearer`, `lower_bearer`, `raw`, `basic`,
    /// `bearer_only`, `none`, `junk` (`Authorization: Bearer not.a.jwt`),
    /// `empty` (an empty `Authorization`), `header:<name>`,
    /// `header_junk:<name>`, `cookie:<name>` (`Cookie: theme=dark; <name>=<token>`),
    /// `cookie_junk:<name>`, `cookie_twice:<name>` (the token cookie, then a
    /// junk one, in one `Cookie` header), `theme` (`Cookie: theme=light`);
    /// `a+b` sends both, each header appended (so repeated names repeat).
    pub send: String,
    /// Request path.
    pub path: String,
    /// The answer expected.
    #[serde(flatten)]
    pub expected: Expected,
}

/// The answer a row of the table expects (shared by the token and the ALB rows).
#[derive(Debug, Clone, Deserialize)]
pub struct Expected {
    /// Expected status.
    pub status: u16,
    /// Expected exact body.
    pub body: Option<String>,
    /// Substrings the body must contain (`{sub}`: the case token's `sub`).
    #[serde(default)]
    pub body_contains: Vec<String>,
    /// Substrings the body must not contain.
    #[serde(default)]
    pub body_lacks: Vec<String>,
    /// Expected header values (`null`: must be absent).
    #[serde(default)]
    pub headers: HashMap<String, Option<String>>,
}

impl Expected {
    /// Every way the answer differs from the expected one.
    pub(crate) fn problems(
        &self,
        status: u16,
        headers: &reqwest::header::HeaderMap,
        body: &str,
        sub: &str,
    ) -> Vec<String> {
        let mut problems = Vec::new();
        if status != self.status {
            problems.push(format!(
                "status {status}, expected {} (body {body:?})",
                self.status
            ));
        }
        if let Some(expected) = &self.body
            && body != expected
        {
            problems.push(format!("body {body:?}, expected {expected:?}"));
        }
        for needle in &self.body_contains {
            let needle = needle.replace("{sub}", sub);
            if !body.contains(needle.as_str()) {
                problems.push(format!("body {body:?} lacks {needle:?}"));
            }
        }
        for needle in &self.body_lacks {
            if body.contains(needle.as_str()) {
                problems.push(format!("body {body:?} contains {needle:?}"));
            }
        }
        for (name, expected) in &self.headers {
            let got = headers
                .get(name)
                .map(|v| v.to_str().unwrap_or("<binary>").to_owned());
            if &got != expected {
                problems.push(format!("header {name}: {got:?}, expected {expected:?}"));
            }
        }
        problems
    }
}

/// The gate configuration of a case.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq, Hash)]
pub struct AppSpec {
    /// `strict`, `rest` or `http`.
    pub preset: String,
    /// Guests allowed.
    #[serde(default)]
    pub optional: bool,
    /// Gate-level scopes (any of).
    pub scopes: Option<Vec<String>>,
    /// Token header name (default `authorization`).
    pub header: Option<String>,
    /// Token cookie name.
    pub cookie: Option<String>,
}

#[derive(Deserialize)]
struct Table {
    cases: Vec<Case>,
}

/// All cases of the table.
pub fn cases() -> Vec<Case> {
    serde_json::from_str::<Table>(CASES_JSON)
        .expect("cases.json parses")
        .cases
}

/// Where a run gets its verifier and the token for each recipe name.
///
/// [`Fixture`] mints from test keys; the end-to-end tests implement it over
/// the reference issuer, so the same table runs with real issuer tokens.
pub trait Recipes {
    /// The verifier every gate of the run uses.
    fn verifier(&self) -> CognitoVerifier;
    /// The token for a recipe name (`id`, `access`, `m2m`, `expired`, ...); `None` for `none`.
    fn token(&self, recipe: &str) -> Option<String>;
}

/// Signing keys, a verifier and token recipes for the table.
pub struct Fixture {
    /// The pool the verifier trusts.
    pub issuer: TestIssuer,
    /// A second trusted pool whose JWKS endpoint is down.
    pub down_pool_issuer: String,
    /// The verifier the gates use.
    pub verifier: CognitoVerifier,
    stranger: TestKey,
}

impl Fixture {
    /// Starts the test issuer and builds the verifier.
    pub async fn start() -> Self {
        let issuer = TestIssuer::start().await;
        // A port nothing listens on: bind, note, release.
        let dead = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap();
        let down_pool_issuer =
            "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_DownPool".to_owned();
        let verifier = CognitoVerifier::builder()
            .pool(
                PoolConfig::new(&issuer.pool_id)
                    .jwks_uri(issuer.jwks.url())
                    .client_id(&issuer.client_id),
            )
            .pool(
                PoolConfig::new("us-east-1_DownPool")
                    .jwks_uri(format!("http://{dead}/jwks.json"))
                    .client_id(&issuer.client_id),
            )
            .build()
            .unwrap();
        Fixture {
            issuer,
            down_pool_issuer,
            verifier,
            stranger: TestKey::generate("stranger-kid"),
        }
    }

    /// The token for a recipe name; `None` for `none`.
    fn recipe(&self, recipe: &str) -> Option<String> {
        let i = &self.issuer;
        let edit = |mut claims: Value, f: &dyn Fn(&mut Value)| {
            f(&mut claims);
            i.mint(&claims)
        };
        Some(match recipe {
            "none" => return None,
            "id" => i.mint(&i.id_claims(&[])),
            "id_admin" => i.mint(&i.id_claims(&["admin"])),
            "id_admin_dev" => i.mint(&i.id_claims(&["admin", "dev"])),
            "id_ops" => i.mint(&i.id_claims(&["ops"])),
            "access" => i.mint(&i.access_claims("openid orders/read", &[])),
            "access_rw" => i.mint(&i.access_claims("openid orders/read orders/write", &[])),
            "access_noscope" => i.mint(&i.access_claims("openid", &[])),
            "m2m" => i.mint(&i.m2m_claims("orders/read")),
            "expired" => edit(i.id_claims(&[]), &|c| c["exp"] = json!(now() - 60)),
            "expired_access" => edit(i.access_claims("openid orders/read", &[]), &|c| {
                c["exp"] = json!(now() - 60)
            }),
            "wrong_aud" => edit(i.id_claims(&[]), &|c| {
                c["aud"] = json!("someone-elses-client")
            }),
            "wrong_client" => edit(i.access_claims("openid orders/read", &[]), &|c| {
                c["client_id"] = json!("someone-elses-client")
            }),
            "wrong_token_use" => edit(i.id_claims(&[]), &|c| c["token_use"] = json!("refresh")),
            "unknown_kid" => self.stranger.mint(&i.id_claims(&[])),
            "tampered" => {
                let good = i.mint(&i.id_claims(&[]));
                let mut evil = i.id_claims(&["admin"]);
                evil["cognito:username"] = json!("mallory");
                let parts: Vec<&str> = good.split('.').collect();
                format!("{}.{}.{}", parts[0], b64(evil.to_string()), parts[2])
            }
            "alg_none" => format!(
                "{}.{}.",
                b64(json!({"alg": "none", "kid": i.key.kid}).to_string()),
                b64(i.id_claims(&[]).to_string())
            ),
            "malformed" => "not.a.jwt".to_owned(),
            "other_issuer" => edit(i.id_claims(&[]), &|c| {
                c["iss"] = json!("https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Elsewhere")
            }),
            "unavailable" => edit(i.id_claims(&[]), &|c| {
                c["iss"] = json!(self.down_pool_issuer)
            }),
            other => panic!("unknown token recipe {other:?}"),
        })
    }
}

impl Recipes for Fixture {
    fn verifier(&self) -> CognitoVerifier {
        self.verifier.clone()
    }

    fn token(&self, recipe: &str) -> Option<String> {
        self.recipe(recipe)
    }
}

/// The gate a case's app uses.
pub fn gate(verifier: CognitoVerifier, app: &AppSpec) -> Gate {
    let preset = match app.preset.as_str() {
        "strict" => Preset::Strict,
        "rest" => Preset::ApiGatewayRest,
        "http" => Preset::ApiGatewayHttp,
        other => panic!("unknown preset {other:?}"),
    };
    let mut source = TokenSource::header(app.header.as_deref().unwrap_or("authorization"));
    if let Some(cookie) = &app.cookie {
        source = source.with_cookie(cookie);
    }
    let mut gate = Gate::new(verifier).preset(preset).token_source(source);
    if app.optional {
        gate = gate.optional();
    }
    if let Some(scopes) = &app.scopes {
        gate = gate.require_scopes(Requirement::any_of(scopes));
    }
    gate
}

/// Runs every case with test-key tokens against the adapter `serve` starts.
pub async fn run<F, Fut>(adapter: &str, serve: F) -> usize
where
    F: Fn(Gate) -> Fut,
    Fut: Future<Output = SocketAddr>,
{
    run_with(adapter, &Fixture::start().await, serve).await
}

/// Runs every case against the adapter `serve` starts, one server per
/// distinct app configuration, with tokens from `recipes`. Panics listing
/// every mismatch; returns the number of cases run.
pub async fn run_with<F, Fut>(adapter: &str, recipes: &dyn Recipes, serve: F) -> usize
where
    F: Fn(Gate) -> Fut,
    Fut: Future<Output = SocketAddr>,
{
    let cases = cases();
    let mut servers: HashMap<AppSpec, SocketAddr> = HashMap::new();
    let client = reqwest::Client::builder().no_proxy().build().unwrap();
    let mut failures = Vec::new();
    for case in &cases {
        let addr = match servers.get(&case.app) {
            Some(addr) => *addr,
            None => {
                let addr = serve(gate(recipes.verifier(), &case.app)).await;
                assert!(addr.ip().is_loopback());
                servers.insert(case.app.clone(), addr);
                addr
            }
        };
        if let Err(problem) = run_case(&client, recipes, addr, case).await {
            failures.push(format!("[{adapter}] {}: {problem}", case.name));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
    cases.len()
}

/// The `sub` claim of a token, read without verification (for `{sub}` placeholders).
fn sub_of(token: &str) -> String {
    use base64::Engine;
    token
        .split('.')
        .nth(1)
        .and_then(|p| {
            base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(p)
                .ok()
        })
        .and_then(|b| serde_json::from_slice::<Value>(&b).ok())
        .and_then(|v| v["sub"].as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// Adds one part of a case's `send` to the request.
fn send_part(
    request: reqwest::RequestBuilder,
    part: &str,
    t: &str,
) -> Result<reqwest::RequestBuilder, String> {
    const JUNK: &str = "not.a.jwt";
    Ok(match part {
        "none" => request,
        "bearer" => request.header("authorization", format!("Bearer {t}")),
        "lower_bearer" => request.header("authorization", format!("bearer {t}")),
        "raw" => request.header("authorization", t),
        "basic" => request.header("authorization", "Basic dXNlcjpwYXNzd29yZA=="),
        "bearer_only" => request.header("authorization", "Bearer"),
        "junk" => request.header("authorization", format!("Bearer {JUNK}")),
        "empty" => request.header("authorization", ""),
        "theme" => request.header("cookie", "theme=light"),
        other => match other.split_once(':') {
            Some(("header", name)) => request.header(name, t),
            Some(("header_junk", name)) => request.header(name, JUNK),
            Some(("cookie", name)) => request.header("cookie", format!("theme=dark; {name}={t}")),
            Some(("cookie_junk", name)) => request.header("cookie", format!("{name}={JUNK}")),
            Some(("cookie_twice", name)) => {
                request.header("cookie", format!("{name}={t}; theme=dark; {name}={JUNK}"))
            }
            _ => return Err(format!("unknown send mode {other:?}")),
        },
    })
}

async fn run_case(
    client: &reqwest::Client,
    recipes: &dyn Recipes,
    addr: SocketAddr,
    case: &Case,
) -> Result<(), String> {
    check_case(client, recipes, &format!("http://{addr}"), case).await
}

/// Runs one case against `base` (`http://host:port`, optionally with a path
/// prefix the case's path is appended to): for servers that are not built
/// from a [`Gate`] per [`AppSpec`], such as the gatekeeper.
pub async fn check_case(
    client: &reqwest::Client,
    recipes: &dyn Recipes,
    base: &str,
    case: &Case,
) -> Result<(), String> {
    let token = recipes.token(&case.token);
    let sub = token.as_deref().map(sub_of).unwrap_or_default();
    let path = case.path.replace("{sub}", &sub);
    let mut request = client.get(format!("{base}{path}"));
    let t = token.clone().unwrap_or_default();
    // `a+b` sends the parts of `a` and then of `b` (repeated headers are appended).
    for part in case.send.split('+') {
        request = send_part(request, part, &t)?;
    }
    let response = request
        .send()
        .await
        .map_err(|e| format!("request failed: {e}"))?;
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let body = response.text().await.map_err(|e| e.to_string())?;
    let problems = case.expected.problems(status, &headers, &body, &sub);
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("; "))
    }
}
