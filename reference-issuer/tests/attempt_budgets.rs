//! Attempt budgets over real HTTP with the real SQLite file: one-time codes
//! keep their budget across reissues and restarts, code sends are
//! throttled, wrong MFA codes count towards the lockout, concurrent wrong
//! passwords cannot exceed the budget, and a client that hides user
//! existence answers unknown names exactly like users.

use crate::common;

use cognito_issuer::{IssuerConfig, IssuerOptions, IssuerServer, RunningIssuer};
use common::{PASSWORD, call, ok};
use serde_json::{Value, json};

const POOL: &str = "us-east-1_Budgets01";
/// A client that reveals user existence.
const OPEN: &str = "budgetsopenclient000000001";
/// A client with PreventUserExistenceErrors.
const HIDDEN: &str = "budgetshiddenclient0000001";

const CONFIG: &str = r#"
[[pools]]
name = "budgets"
id = "us-east-1_Budgets01"
alias_attributes = ["email"]
auto_verified_attributes = ["email"]

[[pools.clients]]
name = "open"
id = "budgetsopenclient000000001"
explicit_auth_flows = ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
prevent_user_existence_errors = false

[[pools.clients]]
name = "hidden"
id = "budgetshiddenclient0000001"
explicit_auth_flows = ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
prevent_user_existence_errors = true

[[pools.users]]
username = "alice"
password = "Corr3ct-Horse!"
attributes = { email = "alice@example.com", email_verified = "true" }

[[pools.users]]
username = "norah"
password = "Corr3ct-Horse!"
"#;

async fn start(dir: &std::path::Path) -> RunningIssuer {
    let mut opts = IssuerOptions::new(dir);
    opts.config = Some(IssuerConfig::from_toml_str(CONFIG).unwrap());
    IssuerServer::start(opts).await.unwrap()
}

fn err_type(r: Result<Value, (String, String)>) -> String {
    r.expect_err("the call must fail").0
}

async fn password_auth(
    base: &str,
    client: &str,
    user: &str,
    pw: &str,
) -> Result<Value, (String, String)> {
    call(
        base,
        "InitiateAuth",
        json!({ "ClientId": client, "AuthFlow": "USER_PASSWORD_AUTH",
                "AuthParameters": { "USERNAME": user, "PASSWORD": pw } }),
    )
    .await
}

fn latest_code(issuer: &RunningIssuer, username: &str, kind: &str) -> String {
    issuer
        .outbox(Some(POOL), Some(username))
        .unwrap()
        .into_iter()
        .find(|m| m.kind == kind)
        .and_then(|m| m.code)
        .expect("a code in the outbox")
}

fn wrong(code: &str) -> &'static str {
    if code == "000000" { "111111" } else { "000000" }
}

#[tokio::test]
async fn confirmation_codes_keep_their_budget_across_reissues_and_restarts() {
    let dir = tempfile::tempdir().unwrap();
    let issuer = start(dir.path()).await;
    let base = issuer.base_url().to_string();
    ok(
        &base,
        "SignUp",
        json!({ "ClientId": OPEN, "Username": "mia", "Password": PASSWORD,
                "UserAttributes": [{"Name": "email", "Value": "mia@example.com"}] }),
    )
    .await;
    let first = latest_code(&issuer, "mia", "SIGN_UP");
    let confirm = |code: String| {
        let base = base.clone();
        async move {
            call(
                &base,
                "ConfirmSignUp",
                json!({ "ClientId": OPEN, "Username": "mia", "ConfirmationCode": code }),
            )
            .await
        }
    };
    for _ in 0..4 {
        assert_eq!(
            err_type(confirm(wrong(&first).into()).await),
            "CodeMismatchException"
        );
    }
    // A new code does not give new attempts.
    ok(
        &base,
        "ResendConfirmationCode",
        json!({ "ClientId": OPEN, "Username": "mia" }),
    )
    .await;
    let second = latest_code(&issuer, "mia", "RESEND_CODE");
    assert_eq!(
        err_type(confirm(wrong(&second).into()).await),
        "CodeMismatchException"
    );
    let (kind, message) = confirm(second.clone()).await.unwrap_err();
    assert_eq!(kind, "LimitExceededException");
    assert_eq!(
        message,
        "Attempt limit exceeded, please try after some time."
    );
    // Nor does a restart, or another code.
    issuer.shutdown().await.unwrap();
    let issuer = start(dir.path()).await;
    let base = issuer.base_url().to_string();
    ok(
        &base,
        "ResendConfirmationCode",
        json!({ "ClientId": OPEN, "Username": "mia" }),
    )
    .await;
    let third = latest_code(&issuer, "mia", "RESEND_CODE");
    let r = call(
        &base,
        "ConfirmSignUp",
        json!({ "ClientId": OPEN, "Username": "mia", "ConfirmationCode": third }),
    )
    .await;
    assert_eq!(err_type(r), "LimitExceededException");
    issuer.shutdown().await.unwrap();
}

#[tokio::test]
async fn code_sends_are_throttled_per_user_and_purpose() {
    let dir = tempfile::tempdir().unwrap();
    let issuer = start(dir.path()).await;
    let base = issuer.base_url();
    for (client, user) in [(OPEN, "alice"), (HIDDEN, "ghost")] {
        let forgot = || {
            call(
                base,
                "ForgotPassword",
                json!({ "ClientId": client, "Username": user }),
            )
        };
        for _ in 0..5 {
            forgot().await.expect("within the budget");
        }
        let (kind, message) = forgot().await.unwrap_err();
        assert_eq!(
            (kind.as_str(), message.as_str()),
            (
                "LimitExceededException",
                "Attempt limit exceeded, please try after some time."
            ),
            "{user}"
        );
    }
    // Five reset codes reached alice, not six.
    let sent = issuer
        .outbox(Some(POOL), Some("alice"))
        .unwrap()
        .into_iter()
        .filter(|m| m.kind == "FORGOT_PASSWORD")
        .count();
    assert_eq!(sent, 5);
    issuer.shutdown().await.unwrap();
}

#[tokio::test]
async fn mfa_codes_count_towards_the_lockout_and_spend_the_session() {
    let dir = tempfile::tempdir().unwrap();
    let issuer = start(dir.path()).await;
    let base = issuer.base_url().to_string();
    issuer
        .call(
            "SetUserPoolMfaConfig",
            json!({ "UserPoolId": POOL, "MfaConfiguration": "OPTIONAL",
                    "EmailMfaConfiguration": { "Message": "{####}" } }),
        )
        .await
        .unwrap();
    issuer
        .call(
            "AdminSetUserMFAPreference",
            json!({ "UserPoolId": POOL, "Username": "alice",
                    "EmailMfaSettings": { "Enabled": true, "PreferredMfa": true } }),
        )
        .await
        .unwrap();
    let challenge = || async {
        let r = password_auth(&base, OPEN, "alice", PASSWORD)
            .await
            .expect("the right password gets the challenge");
        assert_eq!(r["ChallengeName"], "EMAIL_OTP");
        r["Session"].as_str().unwrap().to_string()
    };
    let answer = |session: String| {
        let base = base.clone();
        async move {
            call(
                &base,
                "RespondToAuthChallenge",
                json!({ "ClientId": OPEN, "ChallengeName": "EMAIL_OTP", "Session": session,
                        "ChallengeResponses": { "USERNAME": "alice", "EMAIL_OTP_CODE": "12345678x" } }),
            )
            .await
        }
    };
    // A session takes three wrong codes, then is spent.
    let s = challenge().await;
    for _ in 0..3 {
        assert_eq!(err_type(answer(s.clone()).await), "CodeMismatchException");
    }
    let (kind, message) = answer(s).await.unwrap_err();
    assert_eq!(
        (kind.as_str(), message.as_str()),
        (
            "NotAuthorizedException",
            "Invalid session for the user, session is expired."
        )
    );
    // The right password in between does not reset the count: two more
    // wrong codes make five, and the account is locked.
    for _ in 0..2 {
        let s = challenge().await;
        assert_eq!(err_type(answer(s).await), "CodeMismatchException");
    }
    let (kind, message) = password_auth(&base, OPEN, "alice", PASSWORD)
        .await
        .unwrap_err();
    assert_eq!(
        (kind.as_str(), message.as_str()),
        ("NotAuthorizedException", "Password attempts exceeded")
    );
    // Once the lockout is over, a completed sign-in resets the count.
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let s = challenge().await;
    let code = latest_code(&issuer, "alice", "MFA_CODE");
    let r = ok(
        &base,
        "RespondToAuthChallenge",
        json!({ "ClientId": OPEN, "ChallengeName": "EMAIL_OTP", "Session": s,
                "ChallengeResponses": { "USERNAME": "alice", "EMAIL_OTP_CODE": code } }),
    )
    .await;
    assert!(r["AuthenticationResult"]["AccessToken"].is_string());
    for _ in 0..4 {
        let s = challenge().await;
        assert_eq!(err_type(answer(s).await), "CodeMismatchException");
    }
    challenge().await;
    issuer.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_wrong_passwords_cannot_exceed_the_budget() {
    let dir = tempfile::tempdir().unwrap();
    let issuer = start(dir.path()).await;
    let base = issuer.base_url().to_string();
    // Concurrent right passwords all pass (none is taken for a guess).
    let tasks: Vec<_> = (0..12)
        .map(|_| {
            let base = base.clone();
            tokio::spawn(async move { password_auth(&base, OPEN, "norah", PASSWORD).await })
        })
        .collect();
    for t in tasks {
        let r = t.await.unwrap().expect("the right password signs in");
        assert!(r["AuthenticationResult"]["AccessToken"].is_string());
    }
    // Four failures: one attempt is left before the lockout.
    for _ in 0..4 {
        password_auth(&base, OPEN, "alice", "Wrong-Pass1!")
            .await
            .unwrap_err();
    }
    let started = std::time::Instant::now();
    let tasks: Vec<_> = (0..16)
        .map(|_| {
            let base = base.clone();
            tokio::spawn(async move { password_auth(&base, OPEN, "alice", "Wrong-Pass1!").await })
        })
        .collect();
    let mut checked = 0u32;
    for t in tasks {
        let (_, message) = t.await.unwrap().unwrap_err();
        match message.as_str() {
            "Incorrect username or password." => checked += 1,
            "Password attempts exceeded" => {}
            other => panic!("unexpected answer {other}"),
        }
    }
    // One check, plus one after each lockout (1 s, 2 s, 4 s, ...) that
    // ended during the burst when hashing is slow (debug builds).
    let secs = started.elapsed().as_secs_f64();
    let bound = 1 + (secs + 1.0).log2().floor() as u32;
    assert!(
        (1..=bound).contains(&checked),
        "{checked} of 16 concurrent wrong passwords were checked in {secs:.1} s (at most {bound})"
    );
    issuer.shutdown().await.unwrap();
}

#[tokio::test]
async fn lockout_survives_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let issuer = start(dir.path()).await;
    let base = issuer.base_url().to_string();
    for _ in 0..5 {
        let (_, message) = password_auth(&base, OPEN, "alice", "Wrong-Pass1!")
            .await
            .unwrap_err();
        assert_eq!(message, "Incorrect username or password.");
    }
    issuer.shutdown().await.unwrap();
    let issuer = start(dir.path()).await;
    let base = issuer.base_url();
    let (_, message) = password_auth(base, OPEN, "alice", "Wrong-Pass1!")
        .await
        .unwrap_err();
    if message == "Incorrect username or password." {
        // The first lockout (1 s) ended during the restart; this sixth
        // failure locks for 2 s, so the right password is refused.
        let (_, message) = password_auth(base, OPEN, "alice", PASSWORD)
            .await
            .unwrap_err();
        assert_eq!(message, "Password attempts exceeded");
    } else {
        assert_eq!(message, "Password attempts exceeded");
    }
    issuer.shutdown().await.unwrap();
}

#[tokio::test]
async fn unknown_names_are_locked_out_like_users() {
    let dir = tempfile::tempdir().unwrap();
    let issuer = start(dir.path()).await;
    let base = issuer.base_url();
    for user in ["alice", "ghost"] {
        for _ in 0..5 {
            let (_, message) = password_auth(base, HIDDEN, user, "Wrong-Pass1!")
                .await
                .unwrap_err();
            assert_eq!(message, "Incorrect username or password.", "{user}");
        }
        let (kind, message) = password_auth(base, HIDDEN, user, "Wrong-Pass1!")
            .await
            .unwrap_err();
        assert_eq!(
            (kind.as_str(), message.as_str()),
            ("NotAuthorizedException", "Password attempts exceeded"),
            "{user}"
        );
    }
    issuer.shutdown().await.unwrap();
}

#[tokio::test]
async fn forgot_password_answers_unknown_names_like_users() {
    let dir = tempfile::tempdir().unwrap();
    let issuer = start(dir.path()).await;
    let base = issuer.base_url().to_string();
    let forgot = |user: &'static str| {
        let base = base.clone();
        async move {
            let r = ok(
                &base,
                "ForgotPassword",
                json!({ "ClientId": HIDDEN, "Username": user }),
            )
            .await;
            r["CodeDeliveryDetails"].clone()
        }
    };
    let real = forgot("alice").await;
    assert_eq!(real["Destination"], "a***@e***");
    let ghost = forgot("ghost").await;
    let other = forgot("zed").await;
    // Same shape as a real answer, plausible, not one fixed placeholder.
    for d in [&ghost, &other] {
        assert_eq!(d["DeliveryMedium"], "EMAIL");
        assert_eq!(d["AttributeName"], "email");
        let dest = d["Destination"].as_str().unwrap();
        assert!(dest.len() == 9 && dest.contains("***@"), "{dest}");
    }
    assert!(ghost["Destination"].as_str().unwrap().starts_with("g***@"));
    assert!(other["Destination"].as_str().unwrap().starts_with("z***@"));
    // Stable per name, also across a restart.
    assert_eq!(forgot("ghost").await, ghost);
    // A user without a verified contact answers the same way.
    let norah = forgot("norah").await;
    assert_eq!(norah["DeliveryMedium"], "EMAIL");
    assert!(norah["Destination"].as_str().unwrap().starts_with("n***@"));
    // The client that reveals users still refuses that user.
    let r = call(
        &base,
        "ForgotPassword",
        json!({ "ClientId": OPEN, "Username": "norah" }),
    )
    .await;
    assert_eq!(err_type(r), "InvalidParameterException");
    issuer.shutdown().await.unwrap();
    let issuer = start(dir.path()).await;
    let r = ok(
        issuer.base_url(),
        "ForgotPassword",
        json!({ "ClientId": HIDDEN, "Username": "ghost" }),
    )
    .await;
    assert_eq!(r["CodeDeliveryDetails"], ghost);
    // A reset code attempt for the unknown name fails like a wrong code.
    let r = call(
        issuer.base_url(),
        "ConfirmForgotPassword",
        json!({ "ClientId": HIDDEN, "Username": "ghost", "ConfirmationCode": "123456",
                "Password": PASSWORD }),
    )
    .await;
    assert_eq!(err_type(r), "CodeMismatchException");
    issuer.shutdown().await.unwrap();
}
