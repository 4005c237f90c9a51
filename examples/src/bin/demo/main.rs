//! The end-to-end demo: a local Cognito-compatible user pool, the example API
//! behind both adapters, and a client that signs up, signs in and calls it.
//!
//! `cargo run -p cognito-examples --bin demo` prints a narrated transcript and
//! exits 0 only if every step behaved as expected (the ALB-mode login walk
//! is in [`alb`]). `--serve` keeps the servers running afterwards and
//! prints curl lines to try by hand.

mod alb;

use std::net::SocketAddr;
use std::process::ExitCode;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use cognito_examples::{ExampleConfig, ServerLimits, actix_app, axum_app, serve_axum, spawn_actix};
use cognito_issuer::testing::KeyPurpose;
use cognito_issuer::{IssuerOptions, IssuerServer, RunningIssuer};
use cognito_test_support::cognito_api::{self, CONTENT_TYPE, TARGET_PREFIX};
use cognito_test_support::hosted_login;
use cognito_verifier::gate::{Gate, Preset};
use serde_json::{Value, json};

/// The narrated client.
struct Demo {
    http: reqwest::Client,
    issuer_url: String,
    client_id: String,
    apis: [(&'static str, String); 2],
    step: usize,
    failures: Vec<String>,
}

impl Demo {
    fn say(&self, text: &str) {
        println!("\n== {text}");
    }

    /// One call of the issuer's Cognito JSON API.
    async fn cognito(&self, operation: &str, body: Value) -> Result<Value, String> {
        cognito_api::call(&self.http, &self.issuer_url, operation, &body)
            .await
            .map_err(|e| e.to_string())
    }

    /// A Cognito call that must succeed.
    async fn must(&mut self, operation: &str, body: Value) -> Value {
        self.step += 1;
        match self.cognito(operation, body).await {
            Ok(value) => {
                println!("[{:>2}] issuer {operation:<24} -> ok", self.step);
                value
            }
            Err(e) => {
                println!("[{:>2}] issuer {operation:<24} -> {e}  ✗", self.step);
                self.failures.push(format!("{operation} failed: {e}"));
                Value::Null
            }
        }
    }

    /// The same request to both APIs; both must answer `want`.
    async fn expect(&mut self, path: &str, who: &str, token: Option<&str>, want: u16) {
        for (name, base) in self.apis.clone() {
            self.step += 1;
            let mut request = self.http.get(format!("{base}{path}"));
            if let Some(token) = token {
                request = request.bearer_auth(token);
            }
            let (status, body) = match request.send().await {
                Ok(r) => {
                    let status = r.status().as_u16();
                    (status, r.text().await.unwrap_or_default())
                }
                Err(e) => (0, e.to_string()),
            };
            let mark = if status == want { "✓" } else { "✗" };
            println!(
                "[{:>2}] {name:<5} GET {path:<40} as {who:<26} -> {status} {mark}  {}",
                self.step,
                decisive(&body)
            );
            if status != want {
                self.failures.push(format!(
                    "{name} GET {path} as {who}: {status}, expected {want}"
                ));
            }
        }
    }

    fn check(&mut self, what: &str, ok: bool) {
        self.step += 1;
        println!("[{:>2}] {what} {}", self.step, if ok { "✓" } else { "✗" });
        if !ok {
            self.failures.push(what.to_owned());
        }
    }
}

/// The part of a response body worth showing: the message, or the claim that decided.
fn decisive(body: &str) -> String {
    let Ok(json) = serde_json::from_str::<Value>(body) else {
        return body.trim().to_owned();
    };
    for key in ["error_description", "message"] {
        if let Some(text) = json[key].as_str() {
            return text.to_owned();
        }
    }
    match (json["cognito:username"].as_str(), json["email"].as_str()) {
        (Some(user), Some(email)) => format!("claims: cognito:username={user} email={email}"),
        _ => body.chars().take(80).collect(),
    }
}

/// The web app's callback: never contacted, the demo reads the code from
/// the redirect as the browser would deliver it.
const WEB_CALLBACK: &str = "http://localhost:8080/callback";

/// The browser-style step: `/oauth2/authorize` -> the hosted login form
/// (cookie jar, CSRF token) -> redirect with a code -> `/oauth2/token`
/// with the PKCE verifier -> the API on both adapters.
async fn hosted_sign_in(demo: &mut Demo, base: &str, web_id: &str) {
    let http = hosted_login::browser_client();
    let pkce = hosted_login::Pkce::new();
    let query = [
        ("response_type", "code"),
        ("client_id", web_id),
        ("redirect_uri", WEB_CALLBACK),
        ("scope", "openid email profile"),
        ("state", "demo-state-1"),
        ("nonce", "demo-nonce-1"),
        ("code_challenge", pkce.challenge.as_str()),
        ("code_challenge_method", "S256"),
    ];
    let back = hosted_login::sign_in(&http, base, &query, "alice", "Correct-Horse-42").await;
    let code = back
        .as_ref()
        .ok()
        .filter(|u| u.as_str().starts_with(WEB_CALLBACK))
        .filter(|u| hosted_login::query_param(u, "state").as_deref() == Some("demo-state-1"))
        .and_then(|u| hosted_login::query_param(u, "code"));
    demo.check(
        &format!(
            "GET /oauth2/authorize -> /login form -> POST -> {}",
            match (&back, &code) {
                (Ok(_), Some(_)) => format!("302 {WEB_CALLBACK}?code=...&state=demo-state-1"),
                (Ok(u), None) => format!("unexpected redirect {u}"),
                (Err(e), _) => e.clone(),
            }
        ),
        code.is_some(),
    );
    let Some(code) = code else { return };
    let tokens =
        hosted_login::redeem(&http, base, web_id, &code, WEB_CALLBACK, &pkce.verifier).await;
    let (access, id) = match &tokens {
        Ok(t) => (
            t["access_token"].as_str().unwrap_or_default().to_owned(),
            t["id_token"].as_str().unwrap_or_default().to_owned(),
        ),
        Err(_) => Default::default(),
    };
    let (ac, ic) = (claims_of(&access), claims_of(&id));
    demo.check(
        &format!(
            "POST /oauth2/token (authorization_code + code_verifier) -> scope \"{}\", nonce {}",
            ac["scope"].as_str().unwrap_or("?"),
            ic["nonce"]
        ),
        tokens.is_ok() && ic["nonce"] == json!("demo-nonce-1") && ic["at_hash"].is_string(),
    );
    demo.expect(
        "/hello",
        "alice (hosted-UI access token)",
        Some(&access),
        200,
    )
    .await;
    let replay =
        hosted_login::redeem(&http, base, web_id, &code, WEB_CALLBACK, &pkce.verifier).await;
    demo.check(
        &format!(
            "the same code a second time is refused ({})",
            replay
                .as_ref()
                .err()
                .map_or("accepted".into(), |(s, b)| format!("{s} {b}"))
        ),
        replay.is_err(),
    );
}

fn claims_of(token: &str) -> Value {
    token
        .split('.')
        .nth(1)
        .and_then(|p| URL_SAFE_NO_PAD.decode(p).ok())
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or(Value::Null)
}

async fn start_axum(gate: Gate) -> std::io::Result<SocketAddr> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    tokio::spawn(serve_axum(
        listener,
        axum_app(gate),
        ServerLimits::default(),
    ));
    Ok(addr)
}

fn start_actix(gate: Gate) -> std::io::Result<SocketAddr> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    let addr = listener.local_addr()?;
    spawn_actix(actix_app(gate), vec![listener], ServerLimits::default())?;
    Ok(addr)
}

#[tokio::main]
async fn main() -> ExitCode {
    let serve = std::env::args().any(|a| a == "--serve");
    match run(serve).await {
        Ok(0) => ExitCode::SUCCESS,
        Ok(_) => ExitCode::from(1),
        Err(e) => {
            eprintln!("demo: {e}");
            ExitCode::from(2)
        }
    }
}

async fn run(serve: bool) -> Result<usize, Box<dyn std::error::Error>> {
    let data = tempfile::tempdir()?;
    let issuer: RunningIssuer = IssuerServer::start(IssuerOptions::new(data.path())).await?;
    println!("cognito-gatekeeper demo");
    println!(
        "  user pool   {}  (reference issuer at {})",
        issuer.pool_id(),
        issuer.base_url()
    );
    println!("  app client  {}", issuer.client_id());
    println!("  iss         {}", issuer.issuer());
    println!("  JWKS        {}", issuer.jwks_url());

    let mut demo = Demo {
        http: reqwest::Client::builder().no_proxy().build()?,
        issuer_url: issuer.base_url().to_owned(),
        client_id: issuer.client_id().to_owned(),
        apis: [("axum", String::new()), ("actix", String::new())],
        step: 0,
        failures: Vec::new(),
    };
    let pool = issuer.pool_id().to_owned();
    let client = demo.client_id.clone();

    demo.say("Set-up: an orders API (resource server) and a machine client allowed orders/read");
    demo.must(
        "CreateResourceServer",
        json!({"UserPoolId": pool, "Identifier": "orders", "Name": "Orders API",
               "Scopes": [{"ScopeName": "read", "ScopeDescription": "read orders"}]}),
    )
    .await;
    let m2m = demo
        .must(
            "CreateUserPoolClient",
            json!({"UserPoolId": pool, "ClientName": "orders-service", "GenerateSecret": true,
                   "AllowedOAuthFlows": ["client_credentials"], "AllowedOAuthScopes": ["orders/read"],
                   "AllowedOAuthFlowsUserPoolClient": true}),
        )
        .await;
    let m2m_id = m2m["UserPoolClient"]["ClientId"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let m2m_secret = m2m["UserPoolClient"]["ClientSecret"]
        .as_str()
        .unwrap_or_default()
        .to_owned();

    let web = demo
        .must(
            "CreateUserPoolClient",
            json!({"UserPoolId": pool, "ClientName": "web-app",
                   "AllowedOAuthFlows": ["code"], "AllowedOAuthFlowsUserPoolClient": true,
                   "AllowedOAuthScopes": ["openid", "email", "profile"],
                   "CallbackURLs": [WEB_CALLBACK], "SupportedIdentityProviders": ["COGNITO"]}),
        )
        .await;
    let web_id = web["UserPoolClient"]["ClientId"]
        .as_str()
        .unwrap_or_default()
        .to_owned();

    let config = ExampleConfig {
        user_pool_id: issuer.pool_id().to_owned(),
        client_ids: vec![
            issuer.client_id().to_owned(),
            m2m_id.clone(),
            web_id.clone(),
        ],
        jwks_uri: Some(issuer.jwks_url().to_owned()),
        issuer: Some(issuer.issuer().to_owned()),
        preset: Preset::Strict,
        port: 0,
        alb: None,
    };
    let gate = config.gate()?;
    gate.verifier().hydrate().await?;
    let axum_addr = start_axum(gate.clone()).await?;
    let actix_addr = start_actix(gate)?;
    println!("  axum API    http://{axum_addr}");
    println!("  actix API   http://{actix_addr}");

    demo.apis = [
        ("axum", format!("http://{axum_addr}")),
        ("actix", format!("http://{actix_addr}")),
    ];

    demo.say("Anyone may call /public; everything else needs a token");
    demo.expect("/public", "anonymous", None, 200).await;
    demo.expect("/hello", "anonymous", None, 401).await;

    demo.say("alice signs up, confirms with the emailed code, and signs in");
    demo.must(
        "CreateGroup",
        json!({"UserPoolId": pool, "GroupName": "admin"}),
    )
    .await;
    demo.must(
        "SignUp",
        json!({"ClientId": client, "Username": "alice", "Password": "Correct-Horse-42",
               "UserAttributes": [{"Name": "email", "Value": "alice@example.com"}]}),
    )
    .await;
    let outbox: Value = demo
        .http
        .get(format!(
            "{}/_issuer/outbox?pool={pool}&username=alice",
            issuer.base_url()
        ))
        .send()
        .await?
        .json()
        .await?;
    let code = outbox["messages"]
        .as_array()
        .and_then(|m| m.iter().rev().find_map(|m| m["code"].as_str()))
        .unwrap_or_default()
        .to_owned();
    demo.check(
        &format!("outbox holds alice's confirmation code ({code})"),
        !code.is_empty(),
    );
    demo.must(
        "ConfirmSignUp",
        json!({"ClientId": client, "Username": "alice", "ConfirmationCode": code}),
    )
    .await;
    let auth = demo
        .must(
            "InitiateAuth",
            json!({"ClientId": client, "AuthFlow": "USER_PASSWORD_AUTH",
                   "AuthParameters": {"USERNAME": "alice", "PASSWORD": "Correct-Horse-42"}}),
        )
        .await;
    let result = &auth["AuthenticationResult"];
    let access = result["AccessToken"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let id = result["IdToken"].as_str().unwrap_or_default().to_owned();
    let refresh = result["RefreshToken"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let sub = claims_of(&access)["sub"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    demo.check(
        &format!("alice holds ID, access and refresh tokens (sub {sub})"),
        !sub.is_empty(),
    );

    demo.say("alice calls the API on both adapters");
    demo.expect("/hello", "alice (access token)", Some(&access), 200)
        .await;
    demo.expect("/me", "alice (ID token)", Some(&id), 200).await;
    demo.expect("/admin", "alice (not in group admin)", Some(&id), 403)
        .await;
    demo.expect("/profile", "alice (access token)", Some(&access), 200)
        .await;
    demo.expect("/profile", "alice (ID token: no scope)", Some(&id), 403)
        .await;
    demo.expect(
        "/orders",
        "alice (no orders/read scope)",
        Some(&access),
        403,
    )
    .await;
    demo.expect(
        &format!("/users/{sub}/files"),
        "alice (her own files)",
        Some(&access),
        200,
    )
    .await;
    demo.expect(
        "/users/someone-else/files",
        "alice (someone else's)",
        Some(&access),
        403,
    )
    .await;

    demo.say("alice signs in on the hosted login page, as a browser would (code + PKCE)");
    hosted_sign_in(&mut demo, issuer.base_url(), &web_id).await;

    demo.say(
        "Both apps as an ALB (COGNITO_MODE=alb): alice signs in through them, cookie jar, no browser",
    );
    let alb_apps = alb::alb_sign_in(&mut demo, &issuer).await?;

    demo.say("An administrator creates bob in group admin");
    demo.must(
        "AdminCreateUser",
        json!({"UserPoolId": pool, "Username": "bob", "TemporaryPassword": "Temp-Pass-123",
               "MessageAction": "SUPPRESS",
               "UserAttributes": [{"Name": "email", "Value": "bob@example.com"}, {"Name": "email_verified", "Value": "true"}]}),
    )
    .await;
    demo.must(
        "AdminSetUserPassword",
        json!({"UserPoolId": pool, "Username": "bob", "Password": "Bobs-Password-42", "Permanent": true}),
    )
    .await;
    demo.must(
        "AdminAddUserToGroup",
        json!({"UserPoolId": pool, "Username": "bob", "GroupName": "admin"}),
    )
    .await;
    let bob = demo
        .must(
            "AdminInitiateAuth",
            json!({"UserPoolId": pool, "ClientId": client, "AuthFlow": "ADMIN_USER_PASSWORD_AUTH",
                   "AuthParameters": {"USERNAME": "bob", "PASSWORD": "Bobs-Password-42"}}),
        )
        .await;
    let bob_id = bob["AuthenticationResult"]["IdToken"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    demo.check(
        &format!(
            "bob's ID token carries cognito:groups {}",
            claims_of(&bob_id)["cognito:groups"]
        ),
        claims_of(&bob_id)["cognito:groups"] == json!(["admin"]),
    );
    demo.expect("/admin", "bob (group admin)", Some(&bob_id), 200)
        .await;

    demo.say("The orders-service machine client gets a client_credentials token");
    demo.step += 1;
    let grant = demo
        .http
        .post(format!("{}/oauth2/token", issuer.base_url()))
        .basic_auth(&m2m_id, Some(&m2m_secret))
        .form(&[
            ("grant_type", "client_credentials"),
            ("scope", "orders/read"),
        ])
        .send()
        .await?;
    let grant_status = grant.status().as_u16();
    let grant: Value = grant.json().await.unwrap_or(Value::Null);
    let m2m_token = grant["access_token"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let m2m_claims = claims_of(&m2m_token);
    println!(
        "[{:>2}] issuer POST /oauth2/token (client_credentials) -> {grant_status}  scope={} sub={}",
        demo.step, m2m_claims["scope"], m2m_claims["sub"]
    );
    if grant_status != 200 || m2m_claims["scope"] != json!("orders/read") {
        demo.failures.push("client_credentials token".into());
    }
    demo.expect(
        "/orders",
        "orders-service (orders/read)",
        Some(&m2m_token),
        200,
    )
    .await;
    demo.expect(
        "/profile",
        "orders-service (no user scope)",
        Some(&m2m_token),
        403,
    )
    .await;

    demo.say("alice refreshes her tokens, then signs out everywhere");
    let renewed = demo
        .must(
            "InitiateAuth",
            json!({"ClientId": client, "AuthFlow": "REFRESH_TOKEN_AUTH", "AuthParameters": {"REFRESH_TOKEN": refresh}}),
        )
        .await;
    let renewed_access = renewed["AuthenticationResult"]["AccessToken"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    demo.expect(
        "/hello",
        "alice (refreshed access token)",
        Some(&renewed_access),
        200,
    )
    .await;
    demo.must("GlobalSignOut", json!({"AccessToken": renewed_access}))
        .await;
    let after = demo
        .cognito(
            "InitiateAuth",
            json!({"ClientId": client, "AuthFlow": "REFRESH_TOKEN_AUTH", "AuthParameters": {"REFRESH_TOKEN": refresh}}),
        )
        .await;
    demo.check(
        &format!(
            "the refresh token is refused after global sign-out ({})",
            after.as_ref().err().map_or("accepted", |e| e)
        ),
        after.as_ref().err().map(String::as_str) == Some("NotAuthorizedException"),
    );
    demo.expect(
        "/hello",
        "alice (signed-out access token)",
        Some(&renewed_access),
        200,
    )
    .await;
    println!("     (as in AWS, already-issued access tokens stay valid until they expire...)");
    let revocation_aware = cognito_verifier::CognitoVerifier::builder()
        .pool(
            cognito_verifier::PoolConfig::new(&pool)
                .issuer(issuer.issuer())
                .jwks_uri(issuer.jwks_url())
                .client_id(&client)
                .revocation_list(format!("{}/{pool}/revocations.json", issuer.base_url())),
        )
        .build()?;
    let verdict = revocation_aware.verify(&renewed_access).await;
    demo.check(
        &format!(
            "...unless the verifier opts in to the issuer's revocation list: {}",
            verdict.as_ref().err().map_or("accepted", |e| e.code())
        ),
        verdict.err().map(|e| e.code()) == Some("revoked"),
    );

    demo.say("Forged and expired tokens are refused");
    let mut evil = claims_of(&id);
    evil["cognito:groups"] = json!(["admin"]);
    let parts: Vec<&str> = id.split('.').collect();
    let tampered = format!(
        "{}.{}.{}",
        parts[0],
        URL_SAFE_NO_PAD.encode(evil.to_string()),
        parts[2]
    );
    demo.expect(
        "/admin",
        "alice (groups edited to admin)",
        Some(&tampered),
        401,
    )
    .await;
    // Simulate an hour passing: the pool's own key signs alice's claims with a past exp.
    let mut old = claims_of(&access);
    let now = old["iat"].as_i64().unwrap_or_default();
    old["iat"] = json!(now - 7200);
    old["auth_time"] = json!(now - 7200);
    old["exp"] = json!(now - 3600);
    let expired = issuer.sign_claims(&pool, KeyPurpose::Access, &old)?;
    demo.expect(
        "/hello",
        "alice (token expired an hour ago)",
        Some(&expired),
        401,
    )
    .await;

    let failures = demo.failures.len();
    println!();
    if failures == 0 {
        println!("demo: all {} steps behaved as expected", demo.step);
    } else {
        println!("demo: {failures} of {} steps misbehaved:", demo.step);
        for f in &demo.failures {
            println!("  - {f}");
        }
    }

    if serve {
        println!("\nServers keep running (Ctrl-C to stop). Try:");
        println!("  curl -i http://{axum_addr}/public");
        println!("  curl -i -H 'Authorization: Bearer {renewed_access}' http://{axum_addr}/hello");
        println!("  curl -i -H 'Authorization: Bearer {id}' http://{actix_addr}/me");
        println!("  curl -i -H 'Authorization: Bearer {bob_id}' http://{actix_addr}/admin");
        for (name, origin) in &alb_apps {
            println!("  open {origin}/me in a browser (the {name} app as an ALB; bob or alice)");
        }
        println!(
            "  curl -s -H 'content-type: {CONTENT_TYPE}' -H 'x-amz-target: {TARGET_PREFIX}InitiateAuth' \
             -d '{{\"ClientId\":\"{client}\",\"AuthFlow\":\"USER_PASSWORD_AUTH\",\"AuthParameters\":{{\"USERNAME\":\"bob\",\"PASSWORD\":\"Bobs-Password-42\"}}}}' {}/",
            issuer.base_url()
        );
        tokio::signal::ctrl_c().await?;
    }
    issuer.shutdown().await?;
    Ok(failures)
}
