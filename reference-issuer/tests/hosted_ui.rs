//! The hosted login UI over real HTTP, as a browser without JavaScript
//! drives it (reqwest with a cookie jar, redirects not followed):
//! `/oauth2/authorize` -> `/login` -> the redirect with a code; the session
//! serving a second client; `prompt`; logout; the challenge pages (new
//! password, TOTP, email OTP, MFA setup); sign-up, confirmation and forgot
//! password; and the refusals (unregistered redirect URI, CSRF, oversized
//! fields, markup in every field, the shared lockout).

use crate::common;

use cognito_issuer::{IssuerOptions, IssuerServer, RunningIssuer};
use common::{PASSWORD, call, create_user, ok};
use reqwest::header::HeaderMap;
use serde_json::json;

const CB: &str = "https://app.example.com/callback";
const LOGOUT: &str = "https://app.example.com/signed-out";

struct Site {
    issuer: RunningIssuer,
    base: String,
    pool: String,
    client: String,
}

async fn client_with_callbacks(base: &str, pool: &str, name: &str) -> String {
    let c = ok(
        base,
        "CreateUserPoolClient",
        json!({ "UserPoolId": pool, "ClientName": name,
                "ExplicitAuthFlows": ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
                "CallbackURLs": [CB, "myapp://callback"], "LogoutURLs": [LOGOUT],
                "AllowedOAuthFlows": ["code"], "AllowedOAuthScopes": ["openid", "email", "profile"],
                "AllowedOAuthFlowsUserPoolClient": true, "SupportedIdentityProviders": ["COGNITO"] }),
    )
    .await;
    c["UserPoolClient"]["ClientId"]
        .as_str()
        .unwrap()
        .to_string()
}

async fn site(dir: &std::path::Path) -> Site {
    let issuer = IssuerServer::start(IssuerOptions::new(dir)).await.unwrap();
    let base = issuer.base_url().to_string();
    // A pool of its own (the default pool offers EMAIL_OTP as a first
    // factor, which rules out required MFA).
    let pool = ok(
        &base,
        "CreateUserPool",
        json!({ "PoolName": "hosted", "AutoVerifiedAttributes": ["email"] }),
    )
    .await["UserPool"]["Id"]
        .as_str()
        .unwrap()
        .to_string();
    let client = client_with_callbacks(&base, &pool, "web").await;
    Site {
        issuer,
        base,
        pool,
        client,
    }
}

fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn query(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{k}={}", enc(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// The authorize query of `client` with state `xyz` (plus `extra`).
fn authorize_q(client: &str, extra: &[(&str, &str)]) -> String {
    let mut pairs = vec![
        ("response_type", "code"),
        ("client_id", client),
        ("redirect_uri", CB),
        ("state", "xyz"),
        ("scope", "openid email"),
    ];
    pairs.extend_from_slice(extra);
    query(&pairs)
}

/// An answer of the issuer.
struct Page {
    status: u16,
    headers: HeaderMap,
    body: String,
}

fn unescape(s: &str) -> String {
    s.replace("&#34;", "\"")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&#x27;", "'")
        .replace("&#60;", "<")
        .replace("&#62;", ">")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
        .replace("&#38;", "&")
}

impl Page {
    fn location(&self) -> &str {
        self.headers
            .get("location")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
    }

    fn data_page(&self) -> &str {
        let start = self.body.find("data-page=\"").map(|i| i + 11);
        start
            .and_then(|s| self.body[s..].find('"').map(|e| &self.body[s..s + e]))
            .unwrap_or_default()
    }

    /// The `value` of the input named `name`.
    fn field(&self, name: &str) -> Option<String> {
        let at = self.body.find(&format!("name=\"{name}\""))?;
        let tag_start = self.body[..at].rfind('<')?;
        let tag_end = at + self.body[at..].find('>')?;
        let tag = &self.body[tag_start..tag_end];
        let v = tag.find("value=\"")? + 7;
        let e = tag[v..].find('"')?;
        Some(unescape(&tag[v..v + e]))
    }

    /// The text of the element with `id` (a `<p>` or `<code>`).
    fn text(&self, id: &str) -> Option<String> {
        let at = self.body.find(&format!("id=\"{id}\""))?;
        let s = at + self.body[at..].find('>')? + 1;
        let e = s + self.body[s..].find('<')?;
        Some(unescape(&self.body[s..e]))
    }

    fn error(&self) -> String {
        self.text("error").unwrap_or_default()
    }
}

/// A browser: a cookie jar, no redirects followed.
struct Browser {
    http: reqwest::Client,
    base: String,
}

impl Browser {
    fn new(base: &str) -> Self {
        Self {
            http: reqwest::Client::builder()
                .cookie_store(true)
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            base: base.to_string(),
        }
    }

    async fn answer(resp: reqwest::Response) -> Page {
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        let body = resp.text().await.unwrap();
        Page {
            status,
            headers,
            body,
        }
    }

    async fn get(&self, path: &str) -> Page {
        Self::answer(
            self.http
                .get(format!("{}{path}", self.base))
                .send()
                .await
                .unwrap(),
        )
        .await
    }

    /// Posts exactly `pairs` (no CSRF token added).
    async fn post_raw(&self, path: &str, pairs: &[(&str, &str)]) -> Page {
        let resp = self
            .http
            .post(format!("{}{path}", self.base))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(query(pairs))
            .send()
            .await
            .unwrap();
        Self::answer(resp).await
    }

    /// Submits the form of `page` to `path`: its `_csrf` plus `pairs`.
    async fn submit(&self, page: &Page, path: &str, pairs: &[(&str, &str)]) -> Page {
        let csrf = page.field("_csrf").expect("the page has a CSRF token");
        let mut all = vec![("_csrf", csrf.as_str())];
        all.extend_from_slice(pairs);
        self.post_raw(path, &all).await
    }

    /// `/oauth2/authorize` -> `/login` -> the form with `user` and `pw`.
    async fn sign_in(&self, q: &str, user: &str, pw: &str) -> Page {
        let a = self.get(&format!("/oauth2/authorize?{q}")).await;
        assert_eq!(a.status, 302, "{}", a.body);
        assert_eq!(a.location(), format!("/login?{q}"));
        let login = self.get(a.location()).await;
        assert_eq!(login.status, 200);
        assert_eq!(login.data_page(), "login");
        self.submit(
            &login,
            &format!("/login?{q}"),
            &[("username", user), ("password", pw)],
        )
        .await
    }
}

/// The redirect carries a code and the state.
fn assert_code_redirect(p: &Page) -> String {
    assert_eq!(p.status, 302, "{}", p.body);
    let loc = p.location();
    assert!(loc.starts_with(&format!("{CB}?")), "{loc}");
    assert!(loc.contains("state=xyz"), "{loc}");
    let code = loc
        .split(['?', '&'])
        .find_map(|kv| kv.strip_prefix("code="))
        .expect("a code");
    assert!(!code.is_empty());
    code.to_string()
}

fn outbox_code(site: &Site, username: &str, kind: &str) -> String {
    site.issuer
        .outbox(Some(&site.pool), Some(username))
        .unwrap()
        .into_iter()
        .find(|m| m.kind == kind)
        .and_then(|m| m.code)
        .unwrap_or_else(|| panic!("a {kind} code for {username} in the outbox"))
}

/// The TOTP code of `secret_b32`, `steps` 30-second steps from now (a code
/// is accepted once, ±1 step: a sign-in right after an enrolment uses the
/// next step's).
fn totp(secret_b32: &str) -> String {
    totp_at(secret_b32, 0)
}

fn totp_at(secret_b32: &str, steps: u64) -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
        + steps * 30;
    let bytes = totp_rs::Secret::Encoded(secret_b32.to_string())
        .to_bytes()
        .unwrap();
    totp_rs::TOTP::new_unchecked(totp_rs::Algorithm::SHA1, 6, 1, 30, bytes).generate(now)
}

#[tokio::test]
async fn login_redirects_with_a_code_and_the_session_serves_the_pool() {
    let dir = tempfile::tempdir().unwrap();
    let s = site(dir.path()).await;
    create_user(&s.base, &s.pool, "alice", "alice@example.com").await;
    let b = Browser::new(&s.base);
    let q = authorize_q(&s.client, &[("nonce", "n-1")]);

    // The form: labels, autocomplete, CSRF token, the headers of every page.
    let login = b
        .get(&format!(
            "/login?{}",
            authorize_q(&s.client, &[("login_hint", "alice")])
        ))
        .await;
    assert_eq!(login.status, 200);
    assert_eq!(login.field("username").as_deref(), Some("alice"));
    for needle in [
        "<label class=\"label-customizable\" for=\"username\">",
        "<label class=\"label-customizable\" for=\"password\">",
        "autocomplete=\"username\"",
        "autocomplete=\"current-password\"",
        "id=\"submit\"",
        "id=\"signup-link\"",
        "id=\"forgot-link\"",
        "href=\"/hosted-ui/static/style.css\"",
        "class=\"submitButton-customizable\"",
    ] {
        assert!(login.body.contains(needle), "{needle} in {}", login.body);
    }
    // No customization set: no custom stylesheet and no logo to load.
    assert!(!login.body.contains("custom.css") && !login.body.contains("/logo"));
    assert!(!login.body.contains("<script"));
    let h = |n: &str| login.headers.get(n).unwrap().to_str().unwrap().to_string();
    assert_eq!(h("cache-control"), "no-store");
    assert_eq!(h("x-frame-options"), "DENY");
    assert_eq!(h("x-content-type-options"), "nosniff");
    assert_eq!(h("referrer-policy"), "no-referrer");
    let csp = h("content-security-policy");
    for part in [
        "default-src 'none'",
        "style-src 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "form-action 'self' https://app.example.com myapp:",
    ] {
        assert!(csp.contains(part), "{part} in {csp}");
    }
    // No CORS on the pages, even for an Origin; the Host check applies.
    let cross = reqwest::Client::new()
        .get(format!("{}/login?{q}", s.base))
        .header("origin", "https://app.example.com")
        .send()
        .await
        .unwrap();
    assert_eq!(cross.status(), 200);
    assert!(cross.headers().get("access-control-allow-origin").is_none());
    let rebound = reqwest::Client::new()
        .get(format!("{}/login?{q}", s.base))
        .header("host", "evil.example")
        .send()
        .await
        .unwrap();
    assert_eq!(rebound.status(), 421);
    let css = b.get("/hosted-ui/static/style.css").await;
    assert_eq!(css.status, 200);
    assert!(
        css.headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/css")
    );

    // Wrong password: Cognito's words, the form again.
    let wrong = b.sign_in(&q, "alice", "Wr0ng-password!").await;
    assert_eq!(wrong.status, 200);
    assert_eq!(wrong.data_page(), "login");
    assert_eq!(wrong.error(), "Incorrect username or password.");
    assert_eq!(wrong.field("username").as_deref(), Some("alice"));

    // The right one: a session cookie and the redirect with a code.
    let done = b.sign_in(&q, "alice", PASSWORD).await;
    let set_cookies: Vec<&str> = done
        .headers
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap())
        .collect();
    let session = set_cookies
        .iter()
        .find(|c| c.starts_with(&format!("cognito-session-{}=", s.pool)))
        .expect("the session cookie");
    for attr in ["Path=/", "HttpOnly", "SameSite=Lax", "Max-Age=3600"] {
        assert!(session.contains(attr), "{attr} in {session}");
    }
    assert!(!session.contains("Secure"), "http public URL: {session}");
    let code = assert_code_redirect(&done);
    // The code redeems at /oauth2/token for the user's tokens, once.
    let redeem = || async {
        let resp = reqwest::Client::new()
            .post(format!("{}/oauth2/token", s.base))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(query(&[
                ("grant_type", "authorization_code"),
                ("code", &code),
                ("redirect_uri", CB),
                ("client_id", &s.client),
            ]))
            .send()
            .await
            .unwrap();
        let status = resp.status().as_u16();
        (status, resp.json::<serde_json::Value>().await.unwrap())
    };
    let (status, tokens) = redeem().await;
    assert_eq!(status, 200, "{tokens}");
    let id = common::claims(tokens["id_token"].as_str().unwrap());
    assert_eq!(id["cognito:username"], "alice");
    assert_eq!(id["nonce"], "n-1");
    assert_eq!(id["aud"], s.client.as_str());
    let (status, refused) = redeem().await;
    assert_eq!(
        (status, refused["error"].as_str()),
        (400, Some("invalid_grant"))
    );

    // Another client of the same pool: signed in without the form.
    let other = client_with_callbacks(&s.base, &s.pool, "other").await;
    let again = b
        .get(&format!("/oauth2/authorize?{}", authorize_q(&other, &[])))
        .await;
    assert_code_redirect(&again);
    // prompt=none with the session: a code as well.
    let none = b
        .get(&format!(
            "/oauth2/authorize?{}",
            authorize_q(&s.client, &[("prompt", "none")])
        ))
        .await;
    assert_code_redirect(&none);
    // prompt=login: the form, whatever the session.
    let q_login = authorize_q(&s.client, &[("prompt", "login")]);
    let forced = b.get(&format!("/oauth2/authorize?{q_login}")).await;
    assert_eq!(forced.status, 302);
    assert_eq!(forced.location(), format!("/login?{q_login}"));

    // A browser without a session and prompt=none: login_required.
    let fresh = Browser::new(&s.base);
    let r = fresh
        .get(&format!(
            "/oauth2/authorize?{}",
            authorize_q(&s.client, &[("prompt", "none")])
        ))
        .await;
    assert_eq!(r.status, 302);
    assert!(
        r.location().starts_with(&format!("{CB}?")),
        "{}",
        r.location()
    );
    assert!(
        r.location().contains("error=login_required"),
        "{}",
        r.location()
    );
    let r = fresh.get(&format!("/oauth2/authorize?{q}")).await;
    assert_eq!(r.location(), format!("/login?{q}"));

    // A session ends when its user is disabled.
    ok(
        &s.base,
        "AdminDisableUser",
        json!({ "UserPoolId": s.pool, "Username": "alice" }),
    )
    .await;
    let r = b.get(&format!("/oauth2/authorize?{q}")).await;
    assert_eq!(r.location(), format!("/login?{q}"));
    s.issuer.shutdown().await.unwrap();
}

#[tokio::test]
async fn logout_closes_the_session_in_both_forms() {
    let dir = tempfile::tempdir().unwrap();
    let s = site(dir.path()).await;
    create_user(&s.base, &s.pool, "bob", "bob@example.com").await;
    let q = authorize_q(&s.client, &[]);
    let signed_in = async |b: &Browser| {
        assert_code_redirect(&b.sign_in(&q, "bob", PASSWORD).await);
        assert_code_redirect(&b.get(&format!("/oauth2/authorize?{q}")).await);
    };
    let b = Browser::new(&s.base);

    // client_id + logout_uri: closed, cookie expired, redirected.
    signed_in(&b).await;
    let out = b
        .get(&format!(
            "/logout?{}",
            query(&[("client_id", &s.client), ("logout_uri", LOGOUT)])
        ))
        .await;
    assert_eq!(out.status, 302);
    assert_eq!(out.location(), LOGOUT);
    let expired = out.headers["set-cookie"].to_str().unwrap();
    assert!(expired.contains("Max-Age=0"), "{expired}");
    assert_eq!(
        b.get(&format!("/oauth2/authorize?{q}")).await.location(),
        format!("/login?{q}")
    );

    // client_id + redirect_uri + response_type: closed, then the login page.
    signed_in(&b).await;
    let lq = query(&[
        ("client_id", &s.client),
        ("redirect_uri", CB),
        ("response_type", "code"),
        ("state", "xyz"),
    ]);
    let out = b.get(&format!("/logout?{lq}")).await;
    assert_eq!(out.status, 302);
    assert_eq!(out.location(), format!("/login?{lq}"));
    assert_eq!(
        b.get(&format!("/oauth2/authorize?{q}")).await.location(),
        format!("/login?{q}")
    );

    // An unregistered logout_uri: the error page, no redirect; the session
    // is closed all the same.
    signed_in(&b).await;
    let out = b
        .get(&format!(
            "/logout?{}",
            query(&[
                ("client_id", &s.client),
                ("logout_uri", "https://evil.example/")
            ])
        ))
        .await;
    assert_eq!(out.status, 400);
    assert_eq!(out.data_page(), "error");
    assert!(out.headers.get("location").is_none());
    assert_eq!(
        b.get(&format!("/oauth2/authorize?{q}")).await.location(),
        format!("/login?{q}")
    );
    // An unknown client: the error page.
    let out = b
        .get(&format!(
            "/logout?{}",
            query(&[("client_id", "nope"), ("logout_uri", LOGOUT)])
        ))
        .await;
    assert_eq!((out.status, out.data_page()), (400, "error"));
    assert!(out.headers.get("location").is_none());
    // Neither URI: the signed-out page.
    let out = b.get(&format!("/logout?client_id={}", s.client)).await;
    assert_eq!((out.status, out.data_page()), (200, "signed-out"));
    s.issuer.shutdown().await.unwrap();
}

#[tokio::test]
async fn new_password_required_is_answered_on_its_page() {
    let dir = tempfile::tempdir().unwrap();
    let s = site(dir.path()).await;
    ok(
        &s.base,
        "AdminCreateUser",
        json!({ "UserPoolId": s.pool, "Username": "carol", "TemporaryPassword": "Temp-Passw0rd!",
                "MessageAction": "SUPPRESS",
                "UserAttributes": [{"Name": "email", "Value": "carol@example.com"}] }),
    )
    .await;
    let b = Browser::new(&s.base);
    let q = authorize_q(&s.client, &[]);
    let ch = b.sign_in(&q, "carol", "Temp-Passw0rd!").await;
    assert_eq!(ch.status, 200, "{}", ch.body);
    assert_eq!(ch.data_page(), "challenge-new-password");
    assert_eq!(
        ch.field("challenge").as_deref(),
        Some("NEW_PASSWORD_REQUIRED")
    );
    assert!(ch.body.contains("autocomplete=\"new-password\""));
    let path = format!("/challenge?{q}");
    let fields = |p: &Page, pw: &str| {
        vec![
            ("challenge".to_string(), p.field("challenge").unwrap()),
            ("session".to_string(), p.field("session").unwrap()),
            ("username".to_string(), p.field("username").unwrap()),
            ("new_password".to_string(), pw.to_string()),
        ]
    };
    // A password the policy refuses: its message, the page again.
    let f = fields(&ch, "short");
    let pairs: Vec<(&str, &str)> = f.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let weak = b.submit(&ch, &path, &pairs).await;
    assert_eq!(weak.data_page(), "challenge-new-password");
    assert!(
        weak.error()
            .starts_with("Password did not conform with policy"),
        "{}",
        weak.error()
    );
    let f = fields(&weak, "N3w-Passw0rd!");
    let pairs: Vec<(&str, &str)> = f.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    assert_code_redirect(&b.submit(&weak, &path, &pairs).await);
    // The new password works through the API too.
    let r = call(
        &s.base,
        "InitiateAuth",
        json!({ "ClientId": s.client, "AuthFlow": "USER_PASSWORD_AUTH",
                "AuthParameters": { "USERNAME": "carol", "PASSWORD": "N3w-Passw0rd!" } }),
    )
    .await
    .unwrap();
    assert!(r["AuthenticationResult"]["AccessToken"].is_string());
    s.issuer.shutdown().await.unwrap();
}

fn challenge_pairs<'a>(p: &'a Page, extra: &[(&'a str, &'a str)]) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = [
        "challenge",
        "session",
        "username",
        "destination",
        "secret",
        "choices",
    ]
    .iter()
    .filter_map(|n| p.field(n).map(|val| (n.to_string(), val)))
    .collect();
    v.extend(
        extra
            .iter()
            .map(|(k, val)| (k.to_string(), val.to_string())),
    );
    v
}

async fn answer(b: &Browser, p: &Page, path: &str, extra: &[(&str, &str)]) -> Page {
    let f = challenge_pairs(p, extra);
    let pairs: Vec<(&str, &str)> = f.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    b.submit(p, path, &pairs).await
}

#[tokio::test]
async fn totp_email_otp_and_factor_choice_sign_in() {
    let dir = tempfile::tempdir().unwrap();
    let s = site(dir.path()).await;
    create_user(&s.base, &s.pool, "dave", "dave@example.com").await;
    create_user(&s.base, &s.pool, "erin", "erin@example.com").await;
    ok(
        &s.base,
        "SetUserPoolMfaConfig",
        json!({ "UserPoolId": s.pool, "MfaConfiguration": "OPTIONAL",
                "SoftwareTokenMfaConfiguration": { "Enabled": true },
                "EmailMfaConfiguration": { "Message": "{####}" } }),
    )
    .await;
    // Dave enrols TOTP through the API.
    let tokens = common::sign_in(&s.base, &s.client, "dave").await;
    let access = tokens["AccessToken"].as_str().unwrap();
    let secret = ok(
        &s.base,
        "AssociateSoftwareToken",
        json!({ "AccessToken": access }),
    )
    .await["SecretCode"]
        .as_str()
        .unwrap()
        .to_string();
    ok(
        &s.base,
        "VerifySoftwareToken",
        json!({ "AccessToken": access, "UserCode": totp(&secret) }),
    )
    .await;
    ok(
        &s.base,
        "SetUserMFAPreference",
        json!({ "AccessToken": access,
                "SoftwareTokenMfaSettings": { "Enabled": true, "PreferredMfa": true } }),
    )
    .await;
    // Erin gets codes by email.
    ok(
        &s.base,
        "AdminSetUserMFAPreference",
        json!({ "UserPoolId": s.pool, "Username": "erin",
                "EmailMfaSettings": { "Enabled": true, "PreferredMfa": true } }),
    )
    .await;
    // Fay has both enabled and prefers neither: she chooses.
    create_user(&s.base, &s.pool, "fay", "fay@example.com").await;
    let tokens = common::sign_in(&s.base, &s.client, "fay").await;
    let access = tokens["AccessToken"].as_str().unwrap();
    let fay_secret = ok(
        &s.base,
        "AssociateSoftwareToken",
        json!({ "AccessToken": access }),
    )
    .await["SecretCode"]
        .as_str()
        .unwrap()
        .to_string();
    ok(
        &s.base,
        "VerifySoftwareToken",
        json!({ "AccessToken": access, "UserCode": totp(&fay_secret) }),
    )
    .await;
    ok(
        &s.base,
        "AdminSetUserMFAPreference",
        json!({ "UserPoolId": s.pool, "Username": "fay",
                "SoftwareTokenMfaSettings": { "Enabled": true, "PreferredMfa": false },
                "EmailMfaSettings": { "Enabled": true, "PreferredMfa": false } }),
    )
    .await;
    let q = authorize_q(&s.client, &[]);
    let path = format!("/challenge?{q}");

    let b = Browser::new(&s.base);
    let select = b.sign_in(&q, "fay", PASSWORD).await;
    assert_eq!(
        (select.status, select.data_page()),
        (200, "challenge-select-mfa"),
        "{}",
        select.body
    );
    assert!(
        select
            .body
            .contains("type=\"radio\" id=\"factor-SOFTWARE_TOKEN_MFA\"")
    );
    assert!(
        select
            .body
            .contains("<label class=\"label-customizable\" for=\"factor-EMAIL_OTP\">")
    );
    let ch = answer(&b, &select, &path, &[("factor", "EMAIL_OTP")]).await;
    assert_eq!(
        ch.field("challenge").as_deref(),
        Some("EMAIL_OTP"),
        "{}",
        ch.body
    );
    let code = outbox_code(&s, "fay", "MFA_CODE");
    assert_code_redirect(&answer(&b, &ch, &path, &[("code", &code)]).await);

    let b = Browser::new(&s.base);
    let ch = b.sign_in(&q, "dave", PASSWORD).await;
    assert_eq!(
        (ch.status, ch.data_page()),
        (200, "challenge-mfa"),
        "{}",
        ch.body
    );
    assert_eq!(ch.field("challenge").as_deref(), Some("SOFTWARE_TOKEN_MFA"));
    assert!(ch.body.contains("autocomplete=\"one-time-code\""));
    let wrong_code = if totp(&secret) == "000000" {
        "111111"
    } else {
        "000000"
    };
    let wrong = answer(&b, &ch, &path, &[("code", wrong_code)]).await;
    assert_eq!(wrong.data_page(), "challenge-mfa");
    assert_eq!(wrong.error(), "Invalid code received for user");
    assert_code_redirect(&answer(&b, &wrong, &path, &[("code", &totp_at(&secret, 1))]).await);

    let b = Browser::new(&s.base);
    let ch = b.sign_in(&q, "erin", PASSWORD).await;
    assert_eq!(ch.data_page(), "challenge-mfa", "{}", ch.body);
    assert_eq!(ch.field("challenge").as_deref(), Some("EMAIL_OTP"));
    let info = ch.text("info").unwrap();
    assert!(info.contains("e***@e***"), "{info}");
    let code = outbox_code(&s, "erin", "MFA_CODE");
    assert_code_redirect(&answer(&b, &ch, &path, &[("code", &code)]).await);
    s.issuer.shutdown().await.unwrap();
}

#[tokio::test]
async fn mfa_setup_shows_the_secret_and_a_qr_code() {
    let dir = tempfile::tempdir().unwrap();
    let s = site(dir.path()).await;
    create_user(&s.base, &s.pool, "frank", "frank@example.com").await;
    ok(
        &s.base,
        "SetUserPoolMfaConfig",
        json!({ "UserPoolId": s.pool, "MfaConfiguration": "ON",
                "SoftwareTokenMfaConfiguration": { "Enabled": true } }),
    )
    .await;
    let q = authorize_q(&s.client, &[]);
    let path = format!("/challenge?{q}");
    let b = Browser::new(&s.base);
    let setup = b.sign_in(&q, "frank", PASSWORD).await;
    assert_eq!(
        (setup.status, setup.data_page()),
        (200, "challenge-totp-setup"),
        "{}",
        setup.body
    );
    let secret = setup.text("totp-secret").expect("the secret");
    assert!(
        secret.len() >= 16 && secret.chars().all(|c| c.is_ascii_alphanumeric()),
        "{secret}"
    );
    assert!(setup.body.contains("<svg "), "an inline QR code");
    assert!(
        !setup.body.contains("style="),
        "no inline styles under the CSP"
    );
    let wrong_code = if totp(&secret) == "000000" {
        "111111"
    } else {
        "000000"
    };
    let wrong = answer(&b, &setup, &path, &[("code", wrong_code)]).await;
    assert_eq!(wrong.data_page(), "challenge-totp-setup");
    assert_eq!(wrong.text("totp-secret").as_deref(), Some(secret.as_str()));
    assert!(!wrong.error().is_empty());
    assert_code_redirect(&answer(&b, &wrong, &path, &[("code", &totp(&secret))]).await);
    // Enrolled: the next sign-in asks for a TOTP code.
    let b = Browser::new(&s.base);
    let ch = b.sign_in(&q, "frank", PASSWORD).await;
    assert_eq!(
        ch.field("challenge").as_deref(),
        Some("SOFTWARE_TOKEN_MFA"),
        "{}",
        ch.body
    );
    s.issuer.shutdown().await.unwrap();
}

#[tokio::test]
async fn sign_up_confirm_and_forgot_password() {
    let dir = tempfile::tempdir().unwrap();
    let s = site(dir.path()).await;
    let q = authorize_q(&s.client, &[]);
    let b = Browser::new(&s.base);

    let login = b.get(&format!("/login?{q}")).await;
    let signup = b.get(&format!("/signup?{q}")).await;
    assert!(
        login
            .body
            .contains(&format!("href=\"/signup?{}\"", q.replace('&', "&#38;")))
    );
    assert_eq!((signup.status, signup.data_page()), (200, "signup"));
    // A weak password: the policy's message, the fields kept.
    let weak = b
        .submit(
            &signup,
            &format!("/signup?{q}"),
            &[
                ("username", "gina"),
                ("email", "gina@example.com"),
                ("password", "weak"),
            ],
        )
        .await;
    assert_eq!(weak.data_page(), "signup");
    assert!(
        weak.error()
            .starts_with("Password did not conform with policy"),
        "{}",
        weak.error()
    );
    assert_eq!(weak.field("email").as_deref(), Some("gina@example.com"));
    let confirm = b
        .submit(
            &weak,
            &format!("/signup?{q}"),
            &[
                ("username", "gina"),
                ("email", "gina@example.com"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(
        (confirm.status, confirm.data_page()),
        (200, "confirm"),
        "{}",
        confirm.body
    );
    assert!(confirm.text("info").unwrap().contains("g***@e***"));
    // The confirmation page fills in a username given in the query.
    let direct = b.get(&format!("/confirm?{q}&username=gina")).await;
    assert_eq!(direct.field("username").as_deref(), Some("gina"));
    // A new code, then the right one.
    let resent = b
        .submit(
            &confirm,
            &format!("/resendcode?{q}"),
            &[("username", "gina")],
        )
        .await;
    assert_eq!(resent.data_page(), "confirm");
    let code = outbox_code(&s, "gina", "RESEND_CODE");
    let bad = b
        .submit(
            &resent,
            &format!("/confirm?{q}"),
            &[("username", "gina"), ("code", "999999x")],
        )
        .await;
    assert_eq!(bad.data_page(), "confirm");
    assert!(!bad.error().is_empty());
    let back = b
        .submit(
            &bad,
            &format!("/confirm?{q}"),
            &[("username", "gina"), ("code", &code)],
        )
        .await;
    assert_eq!(back.data_page(), "login", "{}", back.body);
    assert!(back.text("info").is_some());
    assert_eq!(back.field("username").as_deref(), Some("gina"));
    assert_code_redirect(
        &b.submit(
            &back,
            &format!("/login?{q}"),
            &[("username", "gina"), ("password", PASSWORD)],
        )
        .await,
    );

    // Forgot password: a code, the new password, then the login page.
    let b = Browser::new(&s.base);
    let forgot = b.get(&format!("/forgotPassword?{q}")).await;
    assert_eq!(forgot.data_page(), "forgot-password");
    let reset = b
        .submit(
            &forgot,
            &format!("/forgotPassword?{q}"),
            &[("username", "gina")],
        )
        .await;
    assert_eq!(
        reset.data_page(),
        "confirm-forgot-password",
        "{}",
        reset.body
    );
    assert!(reset.text("info").unwrap().contains("g***@e***"));
    let code = outbox_code(&s, "gina", "FORGOT_PASSWORD");
    let path = format!("/confirmForgotPassword?{q}");
    let weak = b
        .submit(
            &reset,
            &path,
            &[("username", "gina"), ("code", &code), ("password", "weak")],
        )
        .await;
    assert_eq!(weak.data_page(), "confirm-forgot-password");
    assert!(
        weak.error()
            .starts_with("Password did not conform with policy"),
        "{}",
        weak.error()
    );
    let done = b
        .submit(
            &weak,
            &path,
            &[
                ("username", "gina"),
                ("code", &code),
                ("password", "An0ther-Passw0rd!"),
            ],
        )
        .await;
    assert_eq!(done.data_page(), "login", "{}", done.body);
    assert!(done.text("info").unwrap().contains("reset"));
    assert_code_redirect(
        &b.submit(
            &done,
            &format!("/login?{q}"),
            &[("username", "gina"), ("password", "An0ther-Passw0rd!")],
        )
        .await,
    );

    // A reset an administrator required: signing in sends a code and
    // shows the reset page.
    ok(
        &s.base,
        "AdminResetUserPassword",
        json!({ "UserPoolId": s.pool, "Username": "gina" }),
    )
    .await;
    let b = Browser::new(&s.base);
    let reset = b.sign_in(&q, "gina", "An0ther-Passw0rd!").await;
    assert_eq!(
        reset.data_page(),
        "confirm-forgot-password",
        "{}",
        reset.body
    );
    assert_eq!(reset.field("username").as_deref(), Some("gina"));
    assert!(reset.text("info").unwrap().contains("g***@e***"));
    s.issuer.shutdown().await.unwrap();
}

#[tokio::test]
async fn unregistered_redirect_uris_get_the_error_page() {
    let dir = tempfile::tempdir().unwrap();
    let s = site(dir.path()).await;
    let b = Browser::new(&s.base);
    let bad = query(&[
        ("response_type", "code"),
        ("client_id", &s.client),
        ("redirect_uri", "https://evil.example/cb"),
        ("state", "xyz"),
    ]);
    let unknown = query(&[
        ("response_type", "code"),
        ("client_id", "no-such-client"),
        ("redirect_uri", CB),
    ]);
    let repeated = format!("{}&client_id={}", authorize_q(&s.client, &[]), s.client);
    for q in [&bad, &unknown, &repeated] {
        for path in [
            "/oauth2/authorize",
            "/login",
            "/signup",
            "/forgotPassword",
            "/confirm",
            "/confirmForgotPassword",
        ] {
            let p = b.get(&format!("{path}?{q}")).await;
            assert_eq!(p.status, 400, "{path}?{q}");
            assert_eq!(p.data_page(), "error", "{path}?{q}");
            assert!(p.headers.get("location").is_none());
            assert!(
                p.body
                    .contains("An error was encountered with the requested page.")
            );
            assert!(!p.error().is_empty());
        }
    }
    s.issuer.shutdown().await.unwrap();
}

async fn user_count(s: &Site) -> usize {
    ok(&s.base, "ListUsers", json!({ "UserPoolId": s.pool })).await["Users"]
        .as_array()
        .unwrap()
        .len()
}

#[tokio::test]
async fn forms_without_the_csrf_token_are_refused_and_do_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let s = site(dir.path()).await;
    create_user(&s.base, &s.pool, "hank", "hank@example.com").await;
    let q = authorize_q(&s.client, &[]);
    let b = Browser::new(&s.base);
    let page = b.get(&format!("/signup?{q}")).await;
    let token = page.field("_csrf").unwrap();
    let set = page.headers["set-cookie"].to_str().unwrap();
    assert!(
        set.starts_with("XSRF-TOKEN=")
            && set.contains("HttpOnly")
            && set.contains("SameSite=Strict"),
        "{set}"
    );
    let before = user_count(&s).await;
    let signup = [
        ("username", "ivan"),
        ("email", "ivan@example.com"),
        ("password", PASSWORD),
    ];
    let forged = "A".repeat(43);
    let mut cases: Vec<Vec<(&str, &str)>> = vec![signup.to_vec()];
    let mut with_forged = vec![("_csrf", forged.as_str())];
    with_forged.extend_from_slice(&signup);
    cases.push(with_forged);
    for pairs in &cases {
        let p = b.post_raw(&format!("/signup?{q}"), pairs).await;
        assert_eq!((p.status, p.data_page()), (403, "error"));
    }
    // The right token without the cookie (another browser): refused too.
    let mut right = vec![("_csrf", token.as_str())];
    right.extend_from_slice(&signup);
    let other = Browser::new(&s.base);
    let p = other.post_raw(&format!("/signup?{q}"), &right).await;
    assert_eq!(p.status, 403);
    assert_eq!(user_count(&s).await, before, "no user created");
    let (kind, _) = call(
        &s.base,
        "AdminGetUser",
        json!({ "UserPoolId": s.pool, "Username": "ivan" }),
    )
    .await
    .unwrap_err();
    assert_eq!(kind, "UserNotFoundException");
    // Sign-in without a token: refused before the password is checked (no
    // lockout count either: five refused posts, then the form works).
    for _ in 0..6 {
        let p = b
            .post_raw(
                &format!("/login?{q}"),
                &[("username", "hank"), ("password", "Wr0ng-pass!")],
            )
            .await;
        assert_eq!(p.status, 403);
    }
    assert_code_redirect(&b.sign_in(&q, "hank", PASSWORD).await);
    // A password reset without a token sends no code.
    let p = b
        .post_raw(&format!("/forgotPassword?{q}"), &[("username", "hank")])
        .await;
    assert_eq!(p.status, 403);
    let sent = s.issuer.outbox(Some(&s.pool), Some("hank")).unwrap();
    assert!(sent.iter().all(|m| m.kind != "FORGOT_PASSWORD"), "{sent:?}");
    // With the token, the same sign-up works.
    let p = b.post_raw(&format!("/signup?{q}"), &right).await;
    assert_eq!(p.data_page(), "confirm", "{}", p.body);
    assert_eq!(user_count(&s).await, before + 1);
    s.issuer.shutdown().await.unwrap();
}

#[tokio::test]
async fn oversized_fields_and_bodies_are_400() {
    let dir = tempfile::tempdir().unwrap();
    let s = site(dir.path()).await;
    let q = authorize_q(&s.client, &[]);
    let b = Browser::new(&s.base);
    let page = b.get(&format!("/signup?{q}")).await;
    let before = user_count(&s).await;
    let long_name = "u".repeat(129);
    let long_pw = format!("Aa1!{}", "x".repeat(253));
    let huge = "y".repeat(17 * 1024);
    let cases: Vec<Vec<(&str, &str)>> = vec![
        vec![
            ("username", &long_name),
            ("email", "a@example.com"),
            ("password", PASSWORD),
        ],
        vec![
            ("username", "jill"),
            ("email", "a@example.com"),
            ("password", &long_pw),
        ],
        vec![
            ("username", "jill"),
            ("email", "a@example.com"),
            ("password", PASSWORD),
            ("padding", &huge),
        ],
        vec![
            ("username", "jill"),
            ("username", "jack"),
            ("password", PASSWORD),
        ],
    ];
    for pairs in &cases {
        let p = b.submit(&page, &format!("/signup?{q}"), pairs).await;
        assert_eq!((p.status, p.data_page()), (400, "error"), "{pairs:?}");
    }
    let p = b
        .submit(
            &page,
            &format!("/confirm?{q}"),
            &[("username", "jill"), ("code", &"1".repeat(17))],
        )
        .await;
    assert_eq!(p.status, 400);
    assert_eq!(user_count(&s).await, before);
    s.issuer.shutdown().await.unwrap();
}

#[tokio::test]
async fn markup_in_every_field_is_escaped() {
    let dir = tempfile::tempdir().unwrap();
    let s = site(dir.path()).await;
    let evil = "<script>alert(1)</script>\"'&";
    let q = authorize_q(&s.client, &[("login_hint", evil)]);
    let b = Browser::new(&s.base);
    let check = |p: &Page| {
        assert!(!p.body.contains("<script"), "{}", p.body);
        assert!(p.body.contains("&#60;script&#62;"), "{}", p.body);
    };
    let login = b.get(&format!("/login?{q}")).await;
    check(&login);
    assert_eq!(login.field("username").as_deref(), Some(evil));
    let p = b
        .submit(
            &login,
            &format!("/login?{q}"),
            &[("username", evil), ("password", evil)],
        )
        .await;
    check(&p);
    let signup = b.get(&format!("/signup?{q}")).await;
    let p = b
        .submit(
            &signup,
            &format!("/signup?{q}"),
            &[
                ("username", evil),
                ("email", evil),
                ("phone_number", evil),
                ("password", evil),
            ],
        )
        .await;
    check(&p);
    assert_eq!(p.field("email").as_deref(), Some(evil));
    for path in [
        "/confirm",
        "/resendcode",
        "/forgotPassword",
        "/confirmForgotPassword",
    ] {
        let p = b
            .submit(
                &signup,
                &format!("{path}?{q}"),
                &[("username", evil), ("code", "<b>1</b>"), ("password", evil)],
            )
            .await;
        assert_eq!(p.status, 200, "{path}");
        check(&p);
    }
    let p = b
        .submit(
            &signup,
            &format!("/challenge?{q}"),
            &[
                ("challenge", "SMS_MFA"),
                ("session", evil),
                ("username", evil),
                ("destination", evil),
                ("code", "1"),
            ],
        )
        .await;
    check(&p);
    let p = b
        .submit(
            &signup,
            &format!("/challenge?{q}"),
            &[
                ("challenge", "MFA_SETUP"),
                ("session", evil),
                ("username", evil),
                ("secret", evil),
                ("code", "1"),
            ],
        )
        .await;
    check(&p);
    let p = b
        .submit(
            &signup,
            &format!("/challenge?{q}"),
            &[
                ("challenge", "NEW_PASSWORD_REQUIRED"),
                ("session", evil),
                ("username", evil),
                ("required", evil),
                ("new_password", evil),
            ],
        )
        .await;
    check(&p);
    let p = b
        .submit(
            &signup,
            &format!("/challenge?{q}"),
            &[("challenge", evil), ("session", evil), ("username", evil)],
        )
        .await;
    assert_eq!(p.status, 400);
    assert!(!p.body.contains("<script"));
    s.issuer.shutdown().await.unwrap();
}

#[tokio::test]
async fn the_form_and_initiate_auth_share_the_lockout() {
    let dir = tempfile::tempdir().unwrap();
    let s = site(dir.path()).await;
    create_user(&s.base, &s.pool, "kate", "kate@example.com").await;
    let q = authorize_q(&s.client, &[]);
    let b = Browser::new(&s.base);
    let login = b.get(&format!("/login?{q}")).await;
    let form = |pw: &'static str| {
        let (b, login, q) = (&b, &login, &q);
        async move {
            b.submit(
                login,
                &format!("/login?{q}"),
                &[("username", "kate"), ("password", pw)],
            )
            .await
        }
    };
    let api = |pw: &'static str| {
        let base = s.base.clone();
        let client = s.client.clone();
        async move {
            call(
                &base,
                "InitiateAuth",
                json!({ "ClientId": client, "AuthFlow": "USER_PASSWORD_AUTH",
                        "AuthParameters": { "USERNAME": "kate", "PASSWORD": pw } }),
            )
            .await
        }
    };
    let incorrect = "Incorrect username or password.";
    // Five failures, alternating between the form and the API: locked
    // for 1 s, doubling with each failure after the lockout; three more
    // (each once the previous lockout is over) lock for 8 s.
    for i in 0..8u64 {
        if i >= 5 {
            tokio::time::sleep(std::time::Duration::from_millis(
                100 + 1000 * (1 << (i - 5)),
            ))
            .await;
        }
        if i % 2 == 0 {
            assert_eq!(form("Wr0ng-pass!").await.error(), incorrect, "failure {i}");
        } else {
            assert_eq!(
                api("Wr0ng-pass!").await.unwrap_err().1,
                incorrect,
                "failure {i}"
            );
        }
    }
    // Locked out on both, even with the right password.
    let (_, m) = api(PASSWORD).await.unwrap_err();
    assert_eq!(m, "Password attempts exceeded");
    let p = form(PASSWORD).await;
    assert_eq!((p.status, p.data_page()), (200, "login"));
    assert_eq!(p.error(), "Password attempts exceeded");
    s.issuer.shutdown().await.unwrap();
}
