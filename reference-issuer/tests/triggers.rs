//! Lambda triggers running real handler code: a Node pre sign-up (async
//! style), a Node custom message (callback style), Python user migration
//! from a legacy store (a JSON file) and a Python pre authentication that
//! throws, returns garbage or sleeps past AWS's 5 s limit; a post
//! confirmation behind a loopback URL and a post authentication Rust hook.
//! Each test checks the wire answer and what was (not) stored. Needs
//! `node` and `python3` on the PATH (as the conformance suites do).

use crate::common;

use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use cognito_issuer::{IssuerConfig, IssuerOptions, IssuerServer, RunningIssuer, TriggerHooks};
use common::{PASSWORD, call, ok};
use serde_json::{Value, json};

const POOL: &str = "us-east-1_Triggers01";
const CLIENT: &str = "triggersclient000000000001";
const ARN: &str = "arn:aws:lambda:us-east-1:000000000000:function:";
const CB: &str = "http://localhost:3000/cb";

fn fixture(name: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/triggers")
        .join(name)
        .display()
        .to_string()
}

/// A loopback "function URL" recording the events it gets and returning
/// them unchanged.
fn url_handler(seen: Arc<Mutex<Vec<Value>>>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for stream in listener.incoming().take(16) {
            let Ok(mut s) = stream else { return };
            let mut buf = Vec::new();
            let mut chunk = [0u8; 8192];
            // Headers, then exactly Content-Length bytes.
            let body = loop {
                let n = s.read(&mut chunk).unwrap_or(0);
                if n == 0 {
                    return;
                }
                buf.extend_from_slice(&chunk[..n]);
                let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") else {
                    continue;
                };
                let head = String::from_utf8_lossy(&buf[..end]).to_ascii_lowercase();
                let len: usize = head
                    .lines()
                    .find_map(|l| l.strip_prefix("content-length:"))
                    .and_then(|v| v.trim().parse().ok())
                    .unwrap_or(0);
                if buf.len() >= end + 4 + len {
                    break buf[end + 4..end + 4 + len].to_vec();
                }
            };
            let event: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
            seen.lock().unwrap().push(event.clone());
            let out = event.to_string();
            let _ = write!(
                s,
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{out}",
                out.len()
            );
        }
    });
    format!("http://{addr}/post-confirmation")
}

struct Site {
    issuer: RunningIssuer,
    base: String,
    post_confirmations: Arc<Mutex<Vec<Value>>>,
    post_authentications: Arc<AtomicUsize>,
}

async fn site(dir: &std::path::Path) -> Site {
    let post_confirmations = Arc::new(Mutex::new(Vec::new()));
    let url = url_handler(post_confirmations.clone());
    let config = format!(
        r#"
[[pools]]
name = "triggers"
id = "{POOL}"
auto_verified_attributes = ["email"]

[pools.lambda_config]
pre_sign_up = "{ARN}pre-sign-up"
custom_message = "{ARN}custom-message"
post_confirmation = "{ARN}post-confirmation"
pre_authentication = "{ARN}gatekeeper"
post_authentication = "{ARN}post-authentication"
user_migration = "{ARN}migrate"

[[pools.clients]]
name = "app"
id = "{CLIENT}"
explicit_auth_flows = ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
allowed_oauth_flows = ["code"]
allowed_oauth_scopes = ["openid", "email"]
callback_urls = ["{CB}"]

[triggers."{ARN}pre-sign-up"]
command = ["node", "{pre}"]

[triggers."{ARN}custom-message"]
command = ["node", "{msg}"]

[triggers."{ARN}migrate"]
command = ["python3", "{migrate}"]
env = {{ LEGACY_STORE = "{legacy}" }}

[triggers."{ARN}gatekeeper"]
command = ["python3", "{gate}", "check"]

[triggers."{ARN}post-confirmation"]
url = "{url}"
"#,
        pre = fixture("pre-sign-up.mjs"),
        msg = fixture("custom-message.js"),
        migrate = fixture("migrate.py"),
        legacy = fixture("legacy_users.json"),
        gate = fixture("gatekeeper.py"),
    );
    let post_authentications = Arc::new(AtomicUsize::new(0));
    let counter = post_authentications.clone();
    let mut hooks = TriggerHooks::new();
    hooks.insert(format!("{ARN}post-authentication"), move |event: Value| {
        assert_eq!(event["triggerSource"], "PostAuthentication_Authentication");
        counter.fetch_add(1, Ordering::SeqCst);
        Ok(event)
    });
    hooks.insert(format!("{ARN}failing-post-confirmation"), |_| {
        Err("Downstream down".to_string())
    });
    let mut opts = IssuerOptions::new(dir);
    opts.config = Some(IssuerConfig::from_toml_str(&config).unwrap());
    opts.trigger_hooks = hooks;
    let issuer = IssuerServer::start(opts).await.unwrap();
    let base = issuer.base_url().to_string();
    Site {
        issuer,
        base,
        post_confirmations,
        post_authentications,
    }
}

async fn sign_up(
    s: &Site,
    username: &str,
    email: &str,
    meta: Value,
) -> Result<Value, (String, String)> {
    call(
        &s.base,
        "SignUp",
        json!({ "ClientId": CLIENT, "Username": username, "Password": PASSWORD,
                "UserAttributes": [{"Name": "email", "Value": email}],
                "ClientMetadata": meta }),
    )
    .await
}

async fn get_user(s: &Site, username: &str) -> Result<Value, (String, String)> {
    call(
        &s.base,
        "AdminGetUser",
        json!({ "UserPoolId": POOL, "Username": username }),
    )
    .await
}

fn attr(user: &Value, name: &str) -> Option<String> {
    user["UserAttributes"]
        .as_array()?
        .iter()
        .find(|a| a["Name"] == name)
        .and_then(|a| a["Value"].as_str().map(str::to_string))
}

async fn password_sign_in(s: &Site, username: &str, pw: &str) -> Result<Value, (String, String)> {
    call(
        &s.base,
        "InitiateAuth",
        json!({ "ClientId": CLIENT, "AuthFlow": "USER_PASSWORD_AUTH",
                "AuthParameters": { "USERNAME": username, "PASSWORD": pw } }),
    )
    .await
}

/// One issuer for every case (starting one costs more than the cases).
#[tokio::test]
async fn triggers_run_real_handlers() {
    let dir = tempfile::tempdir().unwrap();
    let s = site(dir.path()).await;
    pre_sign_up_admits_one_domain_and_custom_messages_reach_the_outbox(&s).await;
    user_migration_brings_users_in_from_the_legacy_store(&s).await;
    failing_handlers_fail_the_sign_in_as_aws_does(&s).await;
    lambda_config_is_stored_described_and_validated(&s).await;
    s.issuer.shutdown().await.unwrap();
}

async fn pre_sign_up_admits_one_domain_and_custom_messages_reach_the_outbox(s: &Site) {
    // Refused by the Node handler: nothing stored, no message.
    let e = sign_up(s, "mallory", "mallory@other.org", json!({}))
        .await
        .unwrap_err();
    assert_eq!(
        e,
        (
            "UserLambdaValidationException".to_string(),
            "PreSignUp failed with error Only company emails.".to_string()
        )
    );
    assert_eq!(
        get_user(s, "mallory").await.unwrap_err().0,
        "UserNotFoundException"
    );
    assert!(
        s.issuer
            .outbox(Some(POOL), Some("mallory"))
            .unwrap()
            .is_empty()
    );

    // Admitted and auto-confirmed with a verified email: no code sent.
    let up = sign_up(s, "alice", "alice@example.com", json!({}))
        .await
        .unwrap();
    assert_eq!(up["UserConfirmed"], true);
    assert!(up.get("CodeDeliveryDetails").is_none(), "{up}");
    let alice = get_user(s, "alice").await.unwrap();
    assert_eq!(alice["UserStatus"], "CONFIRMED");
    assert_eq!(attr(&alice, "email_verified").as_deref(), Some("true"));
    assert!(
        s.issuer
            .outbox(Some(POOL), Some("alice"))
            .unwrap()
            .is_empty()
    );
    // ... and signs in (pre authentication passes, post authentication fires).
    let before = s.post_authentications.load(Ordering::SeqCst);
    let r = password_sign_in(s, "alice", PASSWORD).await.unwrap();
    assert!(r["AuthenticationResult"]["AccessToken"].is_string());
    assert_eq!(s.post_authentications.load(Ordering::SeqCst), before + 1);

    // A manual confirmation: the callback-style custom message is the
    // message sent, with the code in place of {####}.
    let up = sign_up(
        s,
        "carol",
        "carol@example.com",
        json!({"confirm": "manual"}),
    )
    .await
    .unwrap();
    assert_eq!(up["UserConfirmed"], false);
    assert_eq!(up["CodeDeliveryDetails"]["DeliveryMedium"], "EMAIL");
    let msg = s
        .issuer
        .outbox(Some(POOL), Some("carol"))
        .unwrap()
        .remove(0);
    let code = msg.code.clone().unwrap();
    assert_eq!(
        msg.message,
        format!("Welcome carol@example.com! Your code is {code}")
    );

    // Confirmation fires the post confirmation URL handler with the
    // confirmed user's attributes.
    ok(
        &s.base,
        "ConfirmSignUp",
        json!({ "ClientId": CLIENT, "Username": "carol", "ConfirmationCode": code,
                "ClientMetadata": {"source": "test"} }),
    )
    .await;
    let seen = s.post_confirmations.lock().unwrap().clone();
    assert_eq!(seen.len(), 1, "{seen:?}");
    let ev = &seen[0];
    assert_eq!(ev["triggerSource"], "PostConfirmation_ConfirmSignUp");
    assert_eq!(ev["userPoolId"], POOL);
    assert_eq!(ev["userName"], "carol");
    assert_eq!(ev["callerContext"]["clientId"], CLIENT);
    assert_eq!(
        ev["request"]["userAttributes"]["email"],
        "carol@example.com"
    );
    assert_eq!(
        ev["request"]["userAttributes"]["cognito:user_status"],
        "CONFIRMED"
    );
    assert_eq!(ev["request"]["clientMetadata"]["source"], "test");
    assert_eq!(
        get_user(s, "carol").await.unwrap()["UserStatus"],
        "CONFIRMED"
    );

    // AdminCreateUser: PreSignUp_AdminCreateUser refuses other domains ...
    let e = call(
        &s.base,
        "AdminCreateUser",
        json!({ "UserPoolId": POOL, "Username": "eve",
                "UserAttributes": [{"Name": "email", "Value": "eve@other.org"}] }),
    )
    .await
    .unwrap_err();
    assert_eq!(e.1, "PreSignUp failed with error Only company emails.");
    assert_eq!(
        get_user(s, "eve").await.unwrap_err().0,
        "UserNotFoundException"
    );
    // ... and the invitation is the handler's, {username} and {####} filled in.
    ok(
        &s.base,
        "AdminCreateUser",
        json!({ "UserPoolId": POOL, "Username": "dave", "TemporaryPassword": "Temp-Pass1!",
                "UserAttributes": [{"Name": "email", "Value": "dave@example.com"}] }),
    )
    .await;
    let msg = s.issuer.outbox(Some(POOL), Some("dave")).unwrap().remove(0);
    assert_eq!(
        msg.message,
        "Hi dave, your temporary password is Temp-Pass1!"
    );

    // A custom text without {####} falls back to the default message.
    ok(
        &s.base,
        "ForgotPassword",
        json!({ "ClientId": CLIENT, "Username": "alice" }),
    )
    .await;
    let msg = s
        .issuer
        .outbox(Some(POOL), Some("alice"))
        .unwrap()
        .remove(0);
    let code = msg.code.clone().unwrap();
    assert_eq!(msg.message, format!("Your password reset code is {code}"));
    ok(
        &s.base,
        "ConfirmForgotPassword",
        json!({ "ClientId": CLIENT, "Username": "alice", "ConfirmationCode": code,
                "Password": "N3w-Passw0rd!" }),
    )
    .await;
    let seen = s.post_confirmations.lock().unwrap().clone();
    assert_eq!(seen.len(), 2);
    assert_eq!(
        seen[1]["triggerSource"],
        "PostConfirmation_ConfirmForgotPassword"
    );
}

async fn user_migration_brings_users_in_from_the_legacy_store(s: &Site) {
    // A wrong password: the Python handler throws, nobody is created.
    let e = password_sign_in(s, "erin", "wrong-Pass1!")
        .await
        .unwrap_err();
    assert_eq!(e.0, "UserLambdaValidationException");
    assert_eq!(e.1, "UserMigration failed with error Bad password.");
    assert_eq!(
        get_user(s, "erin").await.unwrap_err().0,
        "UserNotFoundException"
    );

    // The right one: created CONFIRMED from the returned attributes, signed
    // in, no welcome message (messageAction SUPPRESS).
    let r = password_sign_in(s, "erin", "Legacy-Pass1!").await.unwrap();
    assert!(r["AuthenticationResult"]["IdToken"].is_string(), "{r}");
    let erin = get_user(s, "erin").await.unwrap();
    assert_eq!(erin["UserStatus"], "CONFIRMED");
    assert_eq!(attr(&erin, "email").as_deref(), Some("erin@example.com"));
    assert!(
        s.issuer
            .outbox(Some(POOL), Some("erin"))
            .unwrap()
            .is_empty()
    );
    // From now on the issuer checks the password itself.
    password_sign_in(s, "erin", "Legacy-Pass1!").await.unwrap();

    // ForgotPassword: created RESET_REQUIRED, and the reset code is sent.
    let r = ok(
        &s.base,
        "ForgotPassword",
        json!({ "ClientId": CLIENT, "Username": "frank" }),
    )
    .await;
    assert_eq!(r["CodeDeliveryDetails"]["DeliveryMedium"], "EMAIL");
    assert_eq!(
        get_user(s, "frank").await.unwrap()["UserStatus"],
        "RESET_REQUIRED"
    );
    let msgs = s.issuer.outbox(Some(POOL), Some("frank")).unwrap();
    assert_eq!(msgs.len(), 1);
    assert_eq!(msgs[0].kind, "FORGOT_PASSWORD");

    // Not in the legacy store either: the handler's error, nothing stored.
    let e = password_sign_in(s, "nobody", PASSWORD).await.unwrap_err();
    assert_eq!(e.1, "UserMigration failed with error User does not exist.");
    assert_eq!(
        get_user(s, "nobody").await.unwrap_err().0,
        "UserNotFoundException"
    );
}

async fn admin_user(s: &Site, name: &str) {
    common::create_user(&s.base, POOL, name, &format!("{name}@example.com")).await;
}

async fn failing_handlers_fail_the_sign_in_as_aws_does(s: &Site) {
    for name in ["thrower", "garbage", "sleeper", "bob"] {
        admin_user(s, name).await;
    }
    let post_auth_before = s.post_authentications.load(Ordering::SeqCst);

    let e = password_sign_in(s, "thrower", PASSWORD).await.unwrap_err();
    assert_eq!(
        e,
        (
            "UserLambdaValidationException".to_string(),
            "PreAuthentication failed with error Blocked.".to_string()
        )
    );
    let e = password_sign_in(s, "garbage", PASSWORD).await.unwrap_err();
    assert_eq!(
        e,
        (
            "InvalidLambdaResponseException".to_string(),
            "Unrecognizable lambda output".to_string()
        )
    );
    // The one test that waits AWS's 5 s limit.
    let e = password_sign_in(s, "sleeper", PASSWORD).await.unwrap_err();
    assert_eq!(
        e,
        (
            "UnexpectedLambdaException".to_string(),
            "PreAuthentication invocation failed due to error Socket timeout while invoking \
             Lambda function."
                .to_string()
        )
    );
    // The sleeping process was replaced: the next sign-in works.
    let r = password_sign_in(s, "bob", PASSWORD).await.unwrap();
    assert!(r["AuthenticationResult"]["AccessToken"].is_string());
    // Only bob's sign-in got as far as post authentication; the refused
    // ones stored no session and changed no user.
    assert_eq!(
        s.post_authentications.load(Ordering::SeqCst),
        post_auth_before + 1
    );
    assert_eq!(
        get_user(s, "thrower").await.unwrap()["UserStatus"],
        "CONFIRMED"
    );

    // SRP runs the same trigger before its first step.
    let e = call(
        &s.base,
        "InitiateAuth",
        json!({ "ClientId": CLIENT, "AuthFlow": "USER_SRP_AUTH",
                "AuthParameters": { "USERNAME": "thrower", "SRP_A": "abc123" } }),
    )
    .await
    .unwrap_err();
    assert_eq!(e.1, "PreAuthentication failed with error Blocked.");

    // The hosted UI shows the same message on its login page.
    let http = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let q = format!(
        "response_type=code&client_id={CLIENT}&redirect_uri={}&scope=openid&state=xyz",
        CB.replace(':', "%3A").replace('/', "%2F")
    );
    let login = http
        .get(format!("{}/login?{q}", s.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = login
        .split("name=\"_csrf\"")
        .nth(1)
        .and_then(|t| t.split("value=\"").nth(1))
        .and_then(|t| t.split('"').next())
        .expect("a CSRF token")
        .to_string();
    let page = http
        .post(format!("{}/login?{q}", s.base))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!(
            "_csrf={csrf}&username=thrower&password={}",
            PASSWORD.replace('!', "%21")
        ))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("PreAuthentication failed with error Blocked."),
        "{page}"
    );
}

async fn lambda_config_is_stored_described_and_validated(s: &Site) {
    let base = s.base.as_str();
    let pre_token = format!("{ARN}pre-token");
    let config = json!({
        "PreSignUp": format!("{ARN}unmapped"),
        "PreTokenGenerationConfig": { "LambdaVersion": "V2_0", "LambdaArn": pre_token },
        "CustomEmailSender": { "LambdaVersion": "V1_0", "LambdaArn": format!("{ARN}sender") },
        "KMSKeyID": "arn:aws:kms:us-east-1:000000000000:key/abc",
    });
    let created = ok(
        base,
        "CreateUserPool",
        json!({ "PoolName": "lc", "LambdaConfig": config }),
    )
    .await;
    let id = created["UserPool"]["Id"].as_str().unwrap().to_string();
    let described = ok(base, "DescribeUserPool", json!({ "UserPoolId": id })).await;
    let lc = &described["UserPool"]["LambdaConfig"];
    assert_eq!(lc["PreSignUp"], config["PreSignUp"]);
    assert_eq!(lc["PreTokenGeneration"], pre_token.as_str());
    assert_eq!(
        lc["PreTokenGenerationConfig"],
        config["PreTokenGenerationConfig"]
    );
    assert_eq!(lc["CustomEmailSender"], config["CustomEmailSender"]);
    assert_eq!(lc["KMSKeyID"], config["KMSKeyID"]);

    // A function with no handler configured: AWS's error naming it.
    let client = ok(
        base,
        "CreateUserPoolClient",
        json!({ "UserPoolId": id, "ClientName": "c" }),
    )
    .await["UserPoolClient"]["ClientId"]
        .as_str()
        .unwrap()
        .to_string();
    let e = call(
        base,
        "SignUp",
        json!({ "ClientId": client, "Username": "u1", "Password": PASSWORD }),
    )
    .await
    .unwrap_err();
    assert_eq!(e.0, "UnexpectedLambdaException");
    assert!(e.1.contains(&format!("{ARN}unmapped")), "{}", e.1);

    // Refusals change nothing; an update without LambdaConfig removes it.
    for bad in [
        json!({ "PreSignUp": "not-an-arn" }),
        json!({ "PreTokenGenerationConfig": { "LambdaVersion": "V9_0", "LambdaArn": pre_token } }),
    ] {
        let e = call(
            base,
            "UpdateUserPool",
            json!({ "UserPoolId": id, "LambdaConfig": bad }),
        )
        .await
        .unwrap_err();
        assert_eq!(e.0, "InvalidParameterException", "{bad}");
    }
    let described = ok(base, "DescribeUserPool", json!({ "UserPoolId": id })).await;
    assert_eq!(
        described["UserPool"]["LambdaConfig"]["PreSignUp"],
        config["PreSignUp"]
    );
    ok(base, "UpdateUserPool", json!({ "UserPoolId": id })).await;
    let described = ok(base, "DescribeUserPool", json!({ "UserPoolId": id })).await;
    assert_eq!(described["UserPool"]["LambdaConfig"], json!({}));
    ok(
        base,
        "SignUp",
        json!({ "ClientId": client, "Username": "u1", "Password": PASSWORD }),
    )
    .await;

    // A failing post confirmation: the caller gets its error, the
    // confirmation stands.
    ok(
        base,
        "UpdateUserPool",
        json!({ "UserPoolId": id, "AutoVerifiedAttributes": ["email"],
                "LambdaConfig": { "PostConfirmation": format!("{ARN}failing-post-confirmation") } }),
    )
    .await;
    ok(
        base,
        "SignUp",
        json!({ "ClientId": client, "Username": "u2", "Password": PASSWORD,
                "UserAttributes": [{"Name": "email", "Value": "u2@example.com"}] }),
    )
    .await;
    let code = s.issuer.outbox(Some(&id), Some("u2")).unwrap()[0]
        .code
        .clone()
        .unwrap();
    let e = call(
        base,
        "ConfirmSignUp",
        json!({ "ClientId": client, "Username": "u2", "ConfirmationCode": code }),
    )
    .await
    .unwrap_err();
    assert_eq!(
        e,
        (
            "UserLambdaValidationException".to_string(),
            "PostConfirmation failed with error Downstream down.".to_string()
        )
    );
    let u2 = ok(
        base,
        "AdminGetUser",
        json!({ "UserPoolId": id, "Username": "u2" }),
    )
    .await;
    assert_eq!(u2["UserStatus"], "CONFIRMED");
}
