//! ALB mode end to end in a real browser: the example apps run as the load
//! balancer's `authenticate` action (`COGNITO_MODE=alb`) in front of the
//! reference issuer's hosted UI, and headless Chromium opens a protected
//! page, lands on the login page, signs in and is back on the page; the
//! backend saw `x-amzn-oidc-accesstoken`, `-identity` and `-data`.
//!
//! The `x-amzn-oidc-data` the backend received is checked by AWS's own
//! `AlbJwtVerifier` (aws-jwt-verify, `sdk-tests/node-alb/verify-alb.mjs`)
//! with the PEM the app serves at `/alb-keys/{kid}`. Node and the package
//! must be installed (`scripts/test.sh` runs `npm ci` there); without them
//! these tests fail, naming the command.
//!
//! Everything listens on loopback; the app is reached as
//! `http://localhost:<port>`, the form Cognito accepts for plain-http
//! callback URLs.

use std::collections::HashMap;
use std::path::PathBuf;
use std::process::Command;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE;
use cognito_examples::alb_mode::DEFAULT_SIGNER;
use cognito_examples::{ExampleConfig, ServerLimits, actix_app, axum_app, serve_axum, spawn_actix};
use cognito_sdk_tests::browser::{Browser, WindowSize};
use cognito_sdk_tests::hosted::{CodeClient, Mfa, call, create_client, create_pool, create_user};
use cognito_sdk_tests::{PASSWORD, SdkIssuer};
use serde_json::{Value, json};

/// A session key for the tests (base64 of 32 bytes).
const SESSION_KEY: &str = "zJ4bG3vYQ0yX9kq2mN7pR1sT5uV8wA6cE0fH2iK4lM8=";
const EMAIL: &str = "alb.user@example.com";

/// Which example app plays the load balancer.
#[derive(Clone, Copy)]
enum Adapter {
    Axum,
    Actix,
}

/// An issuer pool with a confidential code-grant client, a user in group
/// `admin`, and the example app in ALB mode in front of it.
struct Site {
    sdk: SdkIssuer,
    /// The pool's issuer (`iss`, discovery base).
    issuer: String,
    client: CodeClient,
    /// `http://localhost:<port>`.
    origin: String,
    port: u16,
    _servers: Servers,
}

/// The app's servers; stopped when dropped.
enum Servers {
    Axum(Vec<tokio::task::JoinHandle<()>>),
    Actix(actix_web::dev::ServerHandle),
}

impl Drop for Servers {
    fn drop(&mut self) {
        match self {
            Servers::Axum(tasks) => tasks.iter().for_each(|t| t.abort()),
            Servers::Actix(handle) => drop(handle.stop(false)),
        }
    }
}

async fn site(adapter: Adapter) -> Site {
    let sdk = SdkIssuer::start().await;
    let pool_id = create_pool(&sdk, "alb", Mfa::Off).await;
    // The port first: the client's callback URL names it.
    let v4 = std::net::TcpListener::bind(("127.0.0.1", 0)).expect("a loopback port");
    let port = v4.local_addr().expect("local address").port();
    let mut listeners = vec![v4];
    // Browsers may try [::1] first for localhost.
    if let Ok(v6) = std::net::TcpListener::bind(("::1", port)) {
        listeners.push(v6);
    }
    let origin = format!("http://localhost:{port}");
    let client = create_client(
        &sdk,
        &pool_id,
        "alb",
        &format!("{origin}/oauth2/idpresponse"),
        &format!("{origin}/public"),
        true,
    )
    .await;
    create_user(&sdk, &pool_id, EMAIL).await;
    call(
        &sdk,
        "CreateGroup",
        json!({ "UserPoolId": pool_id, "GroupName": "admin" }),
    )
    .await;
    call(
        &sdk,
        "AdminAddUserToGroup",
        json!({ "UserPoolId": pool_id, "Username": EMAIL, "GroupName": "admin" }),
    )
    .await;
    let issuer = sdk.issuer.pool(&pool_id).expect("pool exists").issuer;

    let vars: HashMap<&str, String> = HashMap::from([
        ("COGNITO_MODE", "alb".to_owned()),
        ("COGNITO_OIDC_ISSUER", issuer.clone()),
        ("COGNITO_CLIENT_ID", client.id.clone()),
        (
            "COGNITO_CLIENT_SECRET",
            client.secret.clone().expect("a confidential client"),
        ),
        ("COGNITO_ALB_SESSION_KEY", SESSION_KEY.to_owned()),
        ("COGNITO_ALB_PUBLIC_URL", origin.clone()),
    ]);
    let config = ExampleConfig::from_vars(&|name| vars.get(name).cloned())
        .unwrap_or_else(|e| panic!("ALB settings: {e}"));
    let gate = config
        .any_gate()
        .await
        .unwrap_or_else(|e| panic!("ALB gate: {e}"));
    let servers = match adapter {
        Adapter::Axum => {
            let app = axum_app(gate);
            Servers::Axum(
                listeners
                    .into_iter()
                    .map(|l| {
                        l.set_nonblocking(true).expect("non-blocking listener");
                        let l = tokio::net::TcpListener::from_std(l).expect("tokio listener");
                        tokio::spawn(serve_axum(l, app.clone(), ServerLimits::default()))
                    })
                    .collect(),
            )
        }
        Adapter::Actix => Servers::Actix(
            spawn_actix(actix_app(gate), listeners, ServerLimits::default())
                .expect("actix app listens"),
        ),
    };
    Site {
        sdk,
        issuer,
        client,
        origin,
        port,
        _servers: servers,
    }
}

impl Site {
    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.origin)
    }

    /// Opens `path` without a session: the hosted login page, then back on
    /// `path` once signed in.
    async fn sign_in_at(&self, b: &Browser, path: &str) {
        b.goto(&self.url(path)).await;
        let login = b.url().await;
        assert!(
            login.starts_with(&format!("{}/login?", self.sdk.issuer.base_url())),
            "a protected page without a session leads to the hosted login page, at {login}"
        );
        b.expect_page("login").await;
        b.fill("username", EMAIL).await;
        b.fill("password", PASSWORD).await;
        b.submit().await;
        assert_eq!(b.url().await, self.url(path), "back on the protected page");
    }

    /// The session cookies the browser holds for the app (name, value).
    async fn session_cookies(&self, b: &Browser) -> Vec<(String, String)> {
        b.client()
            .get_all_cookies()
            .await
            .expect("the browser's cookies")
            .into_iter()
            .filter(|c| c.name().starts_with("AWSELBAuthSessionCookie"))
            .map(|c| (c.name().to_owned(), c.value().to_owned()))
            .collect()
    }

    /// Runs `verify-alb.mjs` (aws-jwt-verify's AlbJwtVerifier) on `data`;
    /// returns whether it verified, and what it printed.
    fn node_verify(&self, data: &str, alb_arn: &str) -> (bool, String) {
        node_verify(&[
            ("--alb-arn", alb_arn),
            ("--issuer", &self.issuer),
            ("--client-id", &self.client.id),
            (
                "--keys-url",
                &format!("http://127.0.0.1:{}/alb-keys", self.port),
            ),
            ("--token", data),
        ])
    }
}

/// The JSON a page shows (Chromium wraps JSON documents in a `<pre>`).
async fn page_json(b: &Browser) -> Value {
    let text = match b.text("pre").await {
        Some(text) => text,
        None => b.text("body").await.unwrap_or_default(),
    };
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
}

/// The directory of the Node check, with aws-jwt-verify installed.
fn node_dir() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("node-alb");
    assert!(
        dir.join("node_modules/aws-jwt-verify/package.json")
            .is_file(),
        "aws-jwt-verify is not installed: run `npm ci` in {} (scripts/test.sh does)",
        dir.display()
    );
    dir
}

fn node_verify(args: &[(&str, &str)]) -> (bool, String) {
    let dir = node_dir();
    let mut command = Command::new("node");
    command.current_dir(&dir).arg("verify-alb.mjs");
    for (name, value) in args {
        command.arg(name).arg(value);
    }
    let out = command.output().unwrap_or_else(|e| {
        panic!(
            "node could not be run ({e}): install Node.js 18 or later (scripts/test.sh needs it)"
        )
    });
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "verify-alb.mjs failed to run: {text}"
    );
    (out.status.success(), text)
}

/// The JSON of one padded base64url segment of `token`.
fn segment(token: &str, index: usize) -> Value {
    let part = token.split('.').nth(index).expect("a JWS segment");
    let bytes = URL_SAFE
        .decode(part)
        .expect("padded base64url, as ALB sends");
    serde_json::from_slice(&bytes).expect("a JSON segment")
}

/// Checks what `/me` shows: the three headers, consistent with each other
/// and with the served key; returns them.
async fn check_headers(site: &Site, me: &Value) -> (String, String, String) {
    let text = |name: &str| {
        me[name]
            .as_str()
            .unwrap_or_else(|| panic!("/me shows no x-amzn-oidc-{name}: {me}"))
            .to_owned()
    };
    let (access, identity, data) = (text("accesstoken"), text("identity"), text("data"));
    let verified = site
        .sdk
        .verifier(
            site.issuer.rsplit('/').next().expect("pool id"),
            &site.client.id,
            cognito_verifier::ExpectedTokenUse::Access,
        )
        .verify(&access)
        .await
        .expect("x-amzn-oidc-accesstoken is the pool's access token");
    assert_eq!(identity, verified.sub(), "x-amzn-oidc-identity is the sub");

    let header = segment(&data, 0);
    let payload = segment(&data, 1);
    assert_eq!(header["alg"], "ES256");
    assert_eq!(header["typ"], "JWT");
    assert_eq!(header["signer"], DEFAULT_SIGNER);
    assert_eq!(header["client"], site.client.id.as_str());
    assert_eq!(header["iss"], site.issuer.as_str());
    assert!(header["exp"].is_i64(), "{header}");
    assert_eq!(payload["sub"], identity.as_str());
    assert_eq!(payload["email"], EMAIL);

    // The public key, outside the gate, as PEM.
    let kid = header["kid"].as_str().expect("kid");
    let key = reqwest::Client::builder()
        .no_proxy()
        .build()
        .unwrap()
        .get(format!("http://127.0.0.1:{}/alb-keys/{kid}", site.port))
        .send()
        .await
        .expect("GET /alb-keys/{kid}");
    assert_eq!(key.status(), 200);
    assert_eq!(key.headers()["content-type"], "text/plain");
    let pem = key.text().await.unwrap();
    assert!(pem.starts_with("-----BEGIN PUBLIC KEY-----"), "{pem}");
    (access, identity, data)
}

/// Axum: protected page -> hosted login -> back on the page; the three
/// headers; AWS's AlbJwtVerifier accepts the data and refuses a tampered
/// copy or another signer; guards on the session identity; logout ends the
/// session (next visit: the login page again).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn axum_app_as_the_alb_signs_in_through_the_hosted_ui() {
    node_dir();
    let site = site(Adapter::Axum).await;
    let b = Browser::start(WindowSize::Desktop).await;

    site.sign_in_at(&b, "/hello").await;
    let hello = b.text("body").await.unwrap_or_default();
    assert!(hello.starts_with("hello "), "{hello}");
    let cookies = site.session_cookies(&b).await;
    assert_eq!(
        cookies.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>(),
        ["AWSELBAuthSessionCookie-0"],
        "one session shard"
    );

    b.goto(&site.url("/me")).await;
    let me = page_json(&b).await;
    let (_, _, data) = check_headers(&site, &me).await;

    let (ok, out) = site.node_verify(&data, DEFAULT_SIGNER);
    assert!(ok, "AlbJwtVerifier accepts the data: {out}");
    let payload: Value = serde_json::from_str(out.trim()).expect("the verified payload");
    assert_eq!(payload["email"], EMAIL);

    // One payload character changed: the signature no longer matches.
    let mut parts: Vec<String> = data.split('.').map(str::to_owned).collect();
    let mut claims = segment(&data, 1);
    claims["email"] = json!("mallory@example.com");
    parts[1] = URL_SAFE.encode(claims.to_string());
    let (ok, out) = site.node_verify(&parts.join("."), DEFAULT_SIGNER);
    assert!(
        !ok && out.contains("JwtInvalidSignatureError"),
        "a tampered payload is refused: {out}"
    );
    let other = "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/other/0123456789abcdef";
    let (ok, out) = site.node_verify(&data, other);
    assert!(!ok && out.contains("AlbJwtInvalidSignerError"), "{out}");

    // The route guards see the session's access token (groups, scopes).
    b.goto(&site.url("/admin")).await;
    let admin = b.text("body").await.unwrap_or_default();
    assert!(admin.starts_with("admin area: welcome"), "{admin}");
    b.goto(&site.url("/orders")).await;
    let orders = b.text("body").await.unwrap_or_default();
    assert!(
        !orders.contains("orders for client"),
        "no orders/read scope: {orders}"
    );

    // Logout: the shards expire, the IdP's session ends, back on /public.
    b.goto(&site.url("/logout")).await;
    assert_eq!(b.url().await, site.url("/public"));
    assert_eq!(site.session_cookies(&b).await, []);
    b.goto(&site.url("/hello")).await;
    b.expect_page("login").await;

    // The old session cookie, replayed, is refused (revoked server-side).
    let http = reqwest::Client::builder()
        .no_proxy()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let (name, value) = &cookies[0];
    let replay = http
        .get(format!("http://127.0.0.1:{}/hello", site.port))
        .header("cookie", format!("{name}={value}"))
        .send()
        .await
        .expect("GET /hello");
    assert_eq!(replay.status(), 302, "a logged-out session is no session");
    b.close().await;
    site.sdk.shutdown().await;
}

/// Actix: the same sign-in; then the issuer is stopped, and the session
/// still works: a request with a session does not call the IdP.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn actix_app_as_the_alb_serves_sessions_without_the_idp() {
    node_dir();
    let site = site(Adapter::Actix).await;
    let b = Browser::start(WindowSize::Phone).await;

    site.sign_in_at(&b, "/me").await;
    let first = page_json(&b).await;
    let headers = check_headers(&site, &first).await;
    let (ok, out) = site.node_verify(&headers.2, DEFAULT_SIGNER);
    assert!(ok, "AlbJwtVerifier accepts the data: {out}");

    let Site {
        sdk,
        origin,
        _servers,
        ..
    } = site;
    sdk.shutdown().await;
    b.goto(&format!("{origin}/me")).await;
    assert_eq!(b.url().await, format!("{origin}/me"));
    let again = page_json(&b).await;
    assert_eq!(again, first, "the same headers, the signed data reused");
    b.goto(&format!("{origin}/hello")).await;
    let hello = b.text("body").await.unwrap_or_default();
    assert!(hello.starts_with("hello "), "{hello}");
    b.close().await;
}
