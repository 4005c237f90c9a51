//! One hosted-UI login as a browser without JavaScript makes it, for the
//! load generator: `GET /oauth2/authorize` (authorization-code grant with
//! PKCE) -> its `302` to `/login` -> `GET /login` (the page; its `_csrf`
//! hidden field scraped, its cookies kept) -> `POST /login` with the
//! username and password -> the `302` to the callback with `code`. Then,
//! optionally, the code redeemed at `/oauth2/token`.
//!
//! Every login starts with an empty cookie jar (a new visitor: no session,
//! a fresh CSRF token) but shares the worker's pooled connections, so
//! what is measured is the issuer's work, not TCP or TLS set-up. Redirects
//! are never followed: the callback URL is not contacted.

use std::time::{Duration, Instant};

use cognito_test_support::hosted_login::{Pkce, csrf_of, query_param, redeem};
use reqwest::Url;
use serde_json::json;

use crate::common::call;

/// The callback URL of the load generator's OAuth client (never fetched).
pub(crate) const CALLBACK: &str = "https://app.example/callback";

/// Creates a public app client with the code grant and [`CALLBACK`];
/// returns its id.
pub(crate) async fn create_client(
    http: &reqwest::Client,
    base: &str,
    pool_id: &str,
) -> Result<String, String> {
    let c = call(
        http,
        base,
        "CreateUserPoolClient",
        &json!({ "UserPoolId": pool_id, "ClientName": "loadgen-hosted-ui",
                 "AllowedOAuthFlows": ["code"],
                 "AllowedOAuthScopes": ["openid", "email", "profile"],
                 "AllowedOAuthFlowsUserPoolClient": true,
                 "CallbackURLs": [CALLBACK],
                 "SupportedIdentityProviders": ["COGNITO"],
                 "ExplicitAuthFlows": ["ALLOW_REFRESH_TOKEN_AUTH"] }),
    )
    .await?;
    c["UserPoolClient"]["ClientId"]
        .as_str()
        .map(str::to_string)
        .ok_or_else(|| format!("no ClientId in {c}"))
}

/// A client for the hosted UI: redirects not followed, no proxy.
pub(crate) fn http_client(pool: usize) -> Result<reqwest::Client, String> {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .pool_max_idle_per_host(pool)
        .build()
        .map_err(|e| e.to_string())
}

/// Wall-clock time of each request of one login.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Steps {
    /// `GET /oauth2/authorize` -> `302 /login`.
    pub(crate) authorize: Duration,
    /// `GET /login` -> the page.
    pub(crate) page: Duration,
    /// `POST /login` -> `302` to the callback (the password check).
    pub(crate) submit: Duration,
}

/// A finished login: the code, its PKCE verifier, and the step timings.
#[derive(Debug)]
pub(crate) struct Login {
    /// The authorization code from the callback.
    pub(crate) code: String,
    /// The PKCE verifier the code is bound to.
    pub(crate) verifier: String,
    /// How long each request took.
    pub(crate) steps: Steps,
}

/// The cookies of one visitor (names are unique; a later `Set-Cookie`
/// replaces an earlier one).
#[derive(Default)]
struct Jar(Vec<(String, String)>);

impl Jar {
    fn header(&self) -> String {
        self.0
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    fn keep(&mut self, resp: &reqwest::Response) {
        for c in resp.headers().get_all("set-cookie") {
            let Ok(c) = c.to_str() else { continue };
            let kv = c.split(';').next().unwrap_or_default();
            if let Some((k, v)) = kv.split_once('=') {
                let (k, v) = (k.trim().to_string(), v.trim().to_string());
                self.0.retain(|(n, _)| *n != k);
                self.0.push((k, v));
            }
        }
    }

    async fn send(&mut self, req: reqwest::RequestBuilder) -> Result<reqwest::Response, String> {
        let req = if self.0.is_empty() {
            req
        } else {
            req.header("cookie", self.header())
        };
        let resp = req.send().await.map_err(|e| e.to_string())?;
        self.keep(&resp);
        Ok(resp)
    }
}

/// The `Location` of a `302`, resolved against `at`.
fn redirect_of(resp: &reqwest::Response, at: &Url) -> Result<Url, String> {
    if resp.status().as_u16() != 302 {
        return Err(format!("expected a 302, got {}", resp.status()));
    }
    let loc = resp
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .ok_or("a 302 without Location")?;
    at.join(loc).map_err(|e| format!("bad Location {loc}: {e}"))
}

/// Signs `username` in through the hosted UI of `client_id` at `base`.
pub(crate) async fn login(
    http: &reqwest::Client,
    base: &Url,
    client_id: &str,
    username: &str,
    password: &str,
    state: &str,
) -> Result<Login, String> {
    let pkce = Pkce::new();
    let mut authorize = base.join("/oauth2/authorize").map_err(|e| e.to_string())?;
    authorize.query_pairs_mut().extend_pairs([
        ("response_type", "code"),
        ("client_id", client_id),
        ("redirect_uri", CALLBACK),
        ("scope", "openid email"),
        ("state", state),
        ("code_challenge", pkce.challenge.as_str()),
        ("code_challenge_method", "S256"),
    ]);
    let mut jar = Jar::default();
    let mut steps = Steps::default();

    let t = Instant::now();
    let resp = jar.send(http.get(authorize.clone())).await?;
    let login_url = redirect_of(&resp, &authorize)?;
    steps.authorize = t.elapsed();
    if login_url.path() != "/login" {
        return Err(format!("authorize sent the browser to {login_url}"));
    }

    let t = Instant::now();
    let resp = jar.send(http.get(login_url.clone())).await?;
    if resp.status().as_u16() != 200 {
        return Err(format!("the login page answered {}", resp.status()));
    }
    let html = resp.text().await.map_err(|e| e.to_string())?;
    steps.page = t.elapsed();
    let csrf = csrf_of(&html).ok_or("the login page has no _csrf field")?;

    let t = Instant::now();
    let form = [
        ("_csrf", csrf.as_str()),
        ("username", username),
        ("password", password),
    ];
    let resp = jar.send(http.post(login_url.clone()).form(&form)).await?;
    let back = redirect_of(&resp, &login_url)?;
    steps.submit = t.elapsed();
    if back.as_str().split('?').next() != Some(CALLBACK) {
        return Err(format!("the login form sent the browser to {back}"));
    }
    if query_param(&back, "state").as_deref() != Some(state) {
        return Err(format!("the callback lost the state: {back}"));
    }
    let code = query_param(&back, "code").ok_or_else(|| format!("no code in {back}"))?;
    Ok(Login {
        code,
        verifier: pkce.verifier,
        steps,
    })
}

/// Redeems `login`'s code at `/oauth2/token`; an answer without an access
/// token is an error.
pub(crate) async fn redeem_code(
    http: &reqwest::Client,
    base: &str,
    client_id: &str,
    code: &str,
    verifier: &str,
) -> Result<(), String> {
    let t = redeem(http, base, client_id, code, CALLBACK, verifier)
        .await
        .map_err(|(status, body)| format!("{status}: {body}"))?;
    if t["access_token"].is_string() {
        Ok(())
    } else {
        Err(format!("no access_token in {t}"))
    }
}
