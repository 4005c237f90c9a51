//! The hosted UI in a real browser: headless Chromium (over WebDriver)
//! clicks through sign-up, confirmation, sign-in, TOTP MFA, TOTP set-up,
//! forgotten passwords, sign-out and single sign-on across two clients of
//! one pool, against the issuer started in-process on loopback. The
//! application is a loopback server standing in for the callback page; its
//! codes are redeemed at `/oauth2/token` with PKCE and the tokens checked
//! with `cognito-verifier`.
//!
//! Each distinct page is screenshotted (`01-login`, ...) into
//! `$COGNITO_SCREENSHOTS_DIR` when set (`scripts/screenshots.sh` writes the
//! README's images to docs/screenshots).
//!
//! Chromium must be installed (`scripts/test.sh` installs it); without it
//! these tests fail, naming the install command.

use cognito_sdk_tests::browser::{Browser, WindowSize};
use cognito_sdk_tests::hosted::{
    AuthRequest, CodeClient, Mfa, authorize, call, create_client, create_pool, create_user,
    enrol_totp, now, query_param, redeem, totp,
};
use cognito_sdk_tests::loopback::CallbackServer;
use cognito_sdk_tests::{NEW_PASSWORD, PASSWORD, SdkIssuer};
use serde_json::json;

/// A 96x96 PNG logo for SetUICustomization.
const LOGO_PNG_BASE64: &str = "iVBORw0KGgoAAAANSUhEUgAAAGAAAABgCAYAAADimHc4AAAAt0lEQVR42u3ZwQkAIAwEwVRiIZZo0/r3KSJ4zMI1kHmmSpIkSZK2Wh/TzgcAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAASQDpAQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAADu7/XBfMQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAADAAAAwAAAMAwAAAMAAADAAAAwDAAAAwAAAAAPgZQJIkSVJcCw/eg1jcvFSsAAAAAElFTkSuQmCC";

/// An issuer with one pool (email addresses as usernames), a public
/// code-grant client, and the application's callback server.
struct Hosted {
    sdk: SdkIssuer,
    base: String,
    pool_id: String,
    client: CodeClient,
    app: CallbackServer,
}

async fn hosted(mfa: Mfa) -> Hosted {
    let sdk = SdkIssuer::start().await;
    let base = sdk.issuer.base_url().to_string();
    let app = CallbackServer::start().await;
    let pool_id = create_pool(&sdk, "hosted-ui", mfa).await;
    let client = create_client(
        &sdk,
        &pool_id,
        "web",
        &app.url("/callback"),
        &app.url("/signed-out"),
        false,
    )
    .await;
    Hosted {
        sdk,
        base,
        pool_id,
        client,
        app,
    }
}

/// The newest code of `kind` the issuer "sent" to `email`.
fn code_sent_to(h: &Hosted, email: &str, kind: &str) -> String {
    h.sdk
        .issuer
        .outbox(Some(&h.pool_id), None)
        .expect("outbox readable")
        .into_iter()
        .find(|m| m.kind == kind && m.destination == email)
        .and_then(|m| m.code)
        .unwrap_or_else(|| panic!("a {kind} code for {email} in the outbox"))
}

/// Fills the login form and submits it.
async fn log_in(b: &Browser, email: &str, password: &str) {
    b.expect_page("login").await;
    b.fill("username", email).await;
    b.fill("password", password).await;
    b.submit().await;
}

/// Asserts the browser landed on the application's `path` with `req`'s
/// state and a code; returns the code.
async fn expect_callback(b: &Browser, h: &Hosted, path: &str, req: &AuthRequest) -> String {
    let url = b.url().await;
    assert!(
        url.starts_with(&format!("{}?", h.app.url(path))),
        "expected a redirect to {path}, at {url} (page {:?})",
        b.page().await
    );
    assert_eq!(
        query_param(&url, "state").as_deref(),
        Some(req.state.as_str())
    );
    assert_eq!(query_param(&url, "error"), None, "{url}");
    let code = query_param(&url, "code").unwrap_or_else(|| panic!("no code in {url}"));
    assert!(
        h.app.requests().iter().any(|r| r.contains(&code)),
        "the application received the code"
    );
    code
}

/// Redeems `code` with PKCE, verifies both tokens with `cognito-verifier`
/// and checks the nonce, the `at_hash`, the email and the scopes; then that
/// the code is single use.
async fn redeem_and_check(
    h: &Hosted,
    client: &CodeClient,
    code: &str,
    req: &AuthRequest,
    email: &str,
) {
    let (status, body) = redeem(&h.base, client, code, &req.verifier).await;
    assert_eq!(status, 200, "{body}");
    let id_token = body["id_token"].as_str().expect("id_token");
    let access_token = body["access_token"].as_str().expect("access_token");
    assert!(body["refresh_token"].is_string(), "{body}");
    let (id, access) = h
        .sdk
        .verify_tokens(&h.pool_id, &client.id, id_token, access_token)
        .await;
    assert_eq!(id.str("nonce"), Some(req.nonce.as_str()));
    assert!(id.str("at_hash").is_some(), "at_hash in the ID token");
    assert_eq!(id.email(), Some(email));
    for scope in ["openid", "email", "profile"] {
        assert!(access.has_scope(scope), "scope {scope} granted");
    }
    let (again, body) = redeem(&h.base, client, code, &req.verifier).await;
    assert_eq!(again, 400, "a code is single use: {body}");
    assert_eq!(body["error"], "invalid_grant");
}

/// The browser's own check that the harness works: chromedriver starts,
/// a loopback page loads, a form is filled and submitted, the issuer's JWKS
/// is reachable, and a PNG screenshot is written.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn harness_drives_chromium_on_loopback_pages() {
    let sdk = SdkIssuer::start().await;
    let app = CallbackServer::start().await;
    let shots = tempfile::tempdir().unwrap();
    let b = Browser::start_with_screenshots(WindowSize::Phone, Some(shots.path().into())).await;

    b.goto(&app.url("/form")).await;
    b.expect_page("form").await;
    b.fill("q", "hello <world> & more").await;
    b.submit().await;
    b.expect_page("callback").await;
    assert!(b.url().await.starts_with(&app.url("/done?")));
    assert_eq!(
        query_param(&b.url().await, "q").as_deref(),
        Some("hello <world> & more")
    );
    assert_eq!(
        b.text("#target").await.as_deref(),
        Some("/done?q=hello+%3Cworld%3E+%26+more")
    );
    assert_eq!(
        app.requests(),
        ["/form", "/done?q=hello+%3Cworld%3E+%26+more"]
    );

    assert_eq!(b.viewport_width().await, 420, "a phone's viewport");
    let png = b.screenshot("harness").await.expect("a screenshot written");
    let bytes = std::fs::read(&png).unwrap();
    assert!(bytes.starts_with(b"\x89PNG\r\n\x1a\n") && bytes.len() > 1000);

    b.goto(sdk.issuer.jwks_url()).await;
    assert_eq!(b.page().await, None);
    assert!(b.text("body").await.unwrap().contains("\"keys\""));
    b.close().await;

    // Without a directory nothing is written.
    let b = Browser::start_with_screenshots(WindowSize::Desktop, None).await;
    b.goto(&app.url("/callback")).await;
    assert_eq!(b.screenshot("nowhere").await, None);
    let width = b.viewport_width().await;
    assert!(
        (1200..=1280).contains(&width),
        "a desktop viewport, got {width}"
    );
    b.close().await;
    sdk.shutdown().await;
}

/// (a) Sign-up with a code from the outbox, confirmation, sign-in, the
/// redirect with a code and the same state; the code redeemed with PKCE.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_up_confirm_and_sign_in_redirects_with_a_code() {
    let h = hosted(Mfa::Off).await;
    let b = Browser::start(WindowSize::Phone).await;
    let req = authorize(&h.base, &h.client);
    let email = "new.user@example.com";

    b.goto(&req.url).await;
    b.expect_page("login").await;
    b.screenshot("01-login").await;
    b.click_and_wait("#signup-link").await;
    b.expect_page("signup").await;
    b.fill_if_present("username", email).await;
    b.fill_if_present("email", email).await;
    b.fill("password", PASSWORD).await;
    b.screenshot("03-signup").await;
    b.submit().await;

    b.expect_page("confirm").await;
    assert!(
        b.has("#info").await,
        "the confirm page says where the code went"
    );
    b.screenshot("04-confirm").await;
    b.fill_if_present("username", email).await;
    b.fill("code", &code_sent_to(&h, email, "SIGN_UP")).await;
    b.submit().await;
    // Cognito signs a confirmed user straight in; a login form is accepted too.
    if b.page().await.as_deref() == Some("login") {
        log_in(&b, email, PASSWORD).await;
    }

    let code = expect_callback(&b, &h, "/callback", &req).await;
    redeem_and_check(&h, &h.client, &code, &req, email).await;
    b.close().await;
}

/// (b) A user with TOTP enrolled through the JSON API signs in with a code.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn totp_mfa_sign_in() {
    let h = hosted(Mfa::Optional).await;
    let email = "totp.user@example.com";
    create_user(&h.sdk, &h.pool_id, email).await;
    let secret = enrol_totp(&h.sdk, &h.client, email).await;
    let b = Browser::start(WindowSize::Phone).await;
    let req = authorize(&h.base, &h.client);

    b.goto(&req.url).await;
    log_in(&b, email, PASSWORD).await;
    b.expect_page("challenge-mfa").await;
    b.screenshot("05-challenge-mfa").await;
    // A wrong code keeps the challenge, with Cognito's message.
    let wrong = if totp(&secret, now()) == "000000" {
        "111111"
    } else {
        "000000"
    };
    b.fill("code", wrong).await;
    b.submit().await;
    b.expect_page("challenge-mfa").await;
    assert!(
        b.text("#error").await.is_some(),
        "an error for a wrong code"
    );
    b.fill("code", &totp(&secret, now())).await;
    b.submit().await;

    let code = expect_callback(&b, &h, "/callback", &req).await;
    redeem_and_check(&h, &h.client, &code, &req, email).await;
    b.close().await;
}

/// (c) A pool requiring MFA and a user without a factor: the TOTP set-up
/// page shows the secret (and a QR code); its code signs the user in.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn required_mfa_sets_totp_up_in_the_browser() {
    let h = hosted(Mfa::Required).await;
    let email = "setup.user@example.com";
    create_user(&h.sdk, &h.pool_id, email).await;
    let b = Browser::start(WindowSize::Phone).await;
    let req = authorize(&h.base, &h.client);

    b.goto(&req.url).await;
    log_in(&b, email, PASSWORD).await;
    b.expect_page("challenge-totp-setup").await;
    let secret: String = b
        .text("#totp-secret")
        .await
        .expect("the secret on the page")
        .split_whitespace()
        .collect();
    assert!(secret.len() >= 16, "a Base32 secret, got {secret:?}");
    assert!(b.has("main svg").await, "an inline SVG QR code");
    b.screenshot("06-challenge-totp-setup").await;
    b.fill("code", &totp(&secret, now())).await;
    b.submit().await;

    let code = expect_callback(&b, &h, "/callback", &req).await;
    redeem_and_check(&h, &h.client, &code, &req, email).await;

    // The authenticator is now the user's: the next sign-in asks for it.
    let user = call(
        &h.sdk,
        "AdminGetUser",
        json!({ "UserPoolId": h.pool_id, "Username": email }),
    )
    .await;
    assert_eq!(user["PreferredMfaSetting"], "SOFTWARE_TOKEN_MFA", "{user}");
    b.close().await;
}

/// (d) A wrong password shows Cognito's message; "forgot password" sends a
/// code, the new password is set with it and signs in.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forgot_password_resets_and_signs_in() {
    let h = hosted(Mfa::Off).await;
    let email = "forgetful@example.com";
    create_user(&h.sdk, &h.pool_id, email).await;
    let b = Browser::start(WindowSize::Phone).await;
    let req = authorize(&h.base, &h.client);

    b.goto(&req.url).await;
    log_in(&b, email, "Wr0ng-password!").await;
    b.expect_page("login").await;
    assert_eq!(
        b.text("#error").await.as_deref(),
        Some("Incorrect username or password.")
    );
    b.screenshot("02-login-error").await;

    b.click_and_wait("#forgot-link").await;
    b.expect_page("forgot-password").await;
    b.screenshot("07-forgot-password").await;
    b.fill("username", email).await;
    b.submit().await;

    b.expect_page("confirm-forgot-password").await;
    b.screenshot("08-confirm-forgot-password").await;
    b.fill_if_present("username", email).await;
    b.fill("code", &code_sent_to(&h, email, "FORGOT_PASSWORD"))
        .await;
    b.fill("password", NEW_PASSWORD).await;
    b.submit().await;
    // Cognito returns to the login form; a direct sign-in is accepted too.
    if b.page().await.as_deref() == Some("login") {
        log_in(&b, email, NEW_PASSWORD).await;
    }

    let code = expect_callback(&b, &h, "/callback", &req).await;
    redeem_and_check(&h, &h.client, &code, &req, email).await;
    b.close().await;
}

/// (e) `/logout` with a registered `logout_uri` redirects there and ends the
/// hosted-UI session: the next authorize shows the login form again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logout_redirects_and_ends_the_session() {
    let h = hosted(Mfa::Off).await;
    let email = "leaving@example.com";
    create_user(&h.sdk, &h.pool_id, email).await;
    let b = Browser::start(WindowSize::Phone).await;
    let req = authorize(&h.base, &h.client);
    b.goto(&req.url).await;
    log_in(&b, email, PASSWORD).await;
    expect_callback(&b, &h, "/callback", &req).await;

    let logout = openidconnect::url::Url::parse_with_params(
        &format!("{}/logout", h.base),
        [
            ("client_id", h.client.id.as_str()),
            ("logout_uri", h.app.url("/signed-out").as_str()),
        ],
    )
    .unwrap();
    b.goto(logout.as_str()).await;
    assert_eq!(b.url().await, h.app.url("/signed-out"));
    assert!(h.app.requests().iter().any(|r| r == "/signed-out"));

    let again = authorize(&h.base, &h.client);
    b.goto(&again.url).await;
    b.expect_page("login").await;
    b.close().await;
}

/// (f) After signing in for one client, `/oauth2/authorize` for another
/// client of the same pool redirects with a code at once (session cookie).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_client_of_the_pool_signs_in_without_the_form() {
    let h = hosted(Mfa::Off).await;
    let email = "sso@example.com";
    create_user(&h.sdk, &h.pool_id, email).await;
    let other = create_client(
        &h.sdk,
        &h.pool_id,
        "other-web",
        &h.app.url("/other/callback"),
        &h.app.url("/other/signed-out"),
        false,
    )
    .await;
    let b = Browser::start(WindowSize::Phone).await;

    let first = authorize(&h.base, &h.client);
    b.goto(&first.url).await;
    log_in(&b, email, PASSWORD).await;
    let code = expect_callback(&b, &h, "/callback", &first).await;
    redeem_and_check(&h, &h.client, &code, &first, email).await;

    let second = authorize(&h.base, &other);
    b.goto(&second.url).await;
    let code = expect_callback(&b, &h, "/other/callback", &second).await;
    assert!(
        !h.app.requests().iter().any(|r| r.contains("/login")),
        "no login form on the way"
    );
    redeem_and_check(&h, &other, &code, &second, email).await;
    b.close().await;
}

/// An unregistered redirect URI gets the error page, never a redirect.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unregistered_redirect_uri_shows_the_error_page() {
    let h = hosted(Mfa::Off).await;
    let b = Browser::start(WindowSize::Phone).await;
    let mut evil = h.client.clone();
    evil.callback = h.app.url("/evil");
    let req = authorize(&h.base, &evil);

    b.goto(&req.url).await;
    b.expect_page("error").await;
    assert!(b.url().await.starts_with(&h.base), "stayed on the issuer");
    b.screenshot("09-error").await;
    assert!(
        h.app.requests().is_empty(),
        "nothing reached the application: {:?}",
        h.app.requests()
    );
    b.close().await;
}

/// SetUICustomization's CSS and logo appear on the login page.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn custom_css_and_logo_on_the_login_page() {
    let h = hosted(Mfa::Off).await;
    let css = ".background-customizable { background-color: #eef2ff; }\n\
               .banner-customizable { background-color: #1e3a8a; }\n\
               .submitButton-customizable { background-color: #1e3a8a; }";
    // As in AWS, a pool needs a domain before its look can be customized.
    call(
        &h.sdk,
        "CreateUserPoolDomain",
        json!({ "UserPoolId": h.pool_id, "Domain": "hosted-ui-test" }),
    )
    .await;
    call(
        &h.sdk,
        "SetUICustomization",
        json!({ "UserPoolId": h.pool_id, "ClientId": h.client.id, "CSS": css,
                "ImageFile": LOGO_PNG_BASE64 }),
    )
    .await;
    let b = Browser::start(WindowSize::Phone).await;
    let req = authorize(&h.base, &h.client);
    b.goto(&req.url).await;
    b.expect_page("login").await;
    b.screenshot("10-custom-login").await;

    let css_url = format!("/hosted-ui/{}/{}/custom.css", h.pool_id, h.client.id);
    let logo_url = format!("/hosted-ui/{}/{}/logo", h.pool_id, h.client.id);
    // The stylesheet is loaded by the page (not refused by its CSP) and
    // holds the rules; the logo is an image that decoded.
    let loaded = b
        .client()
        .execute(
            "const [css, logo] = arguments;
             const sheet = [...document.styleSheets].find(s => (s.href || '').includes(css));
             const rules = sheet ? [...sheet.cssRules].map(r => r.cssText).join('\\n') : null;
             const img = [...document.images].find(i => i.src.includes(logo));
             return [rules, img ? img.complete && img.naturalWidth : null];",
            vec![json!(css_url), json!(logo_url)],
        )
        .await
        .unwrap();
    let rules = loaded[0]
        .as_str()
        .expect("the custom stylesheet is applied");
    assert!(rules.contains("banner-customizable"), "{rules}");
    // Cognito's class names carry the rules to the elements: the button
    // wears the custom colour.
    let button = b
        .client()
        .execute(
            "return getComputedStyle(document.getElementById('submit')).backgroundColor",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(
        button,
        json!("rgb(30, 58, 138)"),
        ".submitButton-customizable applies"
    );
    assert_eq!(loaded[1], json!(96), "the 96x96 logo is shown");
    b.close().await;
}

/// A user created with a temporary password chooses a new one
/// (NEW_PASSWORD_REQUIRED) and is signed in.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_temporary_password_is_replaced_on_first_sign_in() {
    let h = hosted(Mfa::Off).await;
    let email = "invited@example.com";
    call(
        &h.sdk,
        "AdminCreateUser",
        json!({ "UserPoolId": h.pool_id, "Username": email, "MessageAction": "SUPPRESS",
                "TemporaryPassword": PASSWORD,
                "UserAttributes": [{ "Name": "email", "Value": email },
                                   { "Name": "email_verified", "Value": "true" }] }),
    )
    .await;
    let b = Browser::start(WindowSize::Phone).await;
    let req = authorize(&h.base, &h.client);

    b.goto(&req.url).await;
    log_in(&b, email, PASSWORD).await;
    b.expect_page("challenge-new-password").await;
    b.screenshot("11-challenge-new-password").await;
    b.fill("new_password", NEW_PASSWORD).await;
    b.submit().await;

    let code = expect_callback(&b, &h, "/callback", &req).await;
    redeem_and_check(&h, &h.client, &code, &req, email).await;
    let user = call(
        &h.sdk,
        "AdminGetUser",
        json!({ "UserPoolId": h.pool_id, "Username": email }),
    )
    .await;
    assert_eq!(user["UserStatus"], "CONFIRMED", "{user}");
    b.close().await;
}

/// `/logout` with `redirect_uri` + `response_type` leads to the login form
/// (signed out); with neither nor `logout_uri`, to the signed-out page.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logout_to_sign_in_again_and_to_the_signed_out_page() {
    let h = hosted(Mfa::Off).await;
    let email = "switching@example.com";
    create_user(&h.sdk, &h.pool_id, email).await;
    let b = Browser::start(WindowSize::Phone).await;
    let req = authorize(&h.base, &h.client);
    b.goto(&req.url).await;
    log_in(&b, email, PASSWORD).await;
    expect_callback(&b, &h, "/callback", &req).await;

    let again = openidconnect::url::Url::parse_with_params(
        &format!("{}/logout", h.base),
        [
            ("client_id", h.client.id.as_str()),
            ("redirect_uri", h.client.callback.as_str()),
            ("response_type", "code"),
            ("state", "after-logout"),
        ],
    )
    .unwrap();
    b.goto(again.as_str()).await;
    b.expect_page("login").await;
    log_in(&b, email, PASSWORD).await;
    let url = b.url().await;
    assert!(url.starts_with(&format!("{}?", h.client.callback)), "{url}");
    assert_eq!(query_param(&url, "state").as_deref(), Some("after-logout"));
    assert!(query_param(&url, "code").is_some(), "{url}");

    b.goto(&format!("{}/logout?client_id={}", h.base, h.client.id))
        .await;
    b.expect_page("signed-out").await;
    b.screenshot("12-signed-out").await;
    b.goto(&authorize(&h.base, &h.client).url).await;
    b.expect_page("login").await;
    b.close().await;
}
