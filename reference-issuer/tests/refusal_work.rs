//! Which password work each refusal does, counted by the process-wide
//! argon2 statistics (one test in this binary, so nothing else hashes
//! meanwhile): every sign-in refusal runs one verification, like a real
//! password check, so timing does not tell disabled, locked or unknown
//! users apart; a wrong reset code costs no hashing. Its own test binary
//! (`[[test]] refusal_work`), not a module of tests/main.rs, for that reason.

mod common;

use cognito_issuer::testing::{hash_count, verify_stats};
use cognito_issuer::{IssuerConfig, IssuerOptions, IssuerServer};
use common::{PASSWORD, call, ok};
use serde_json::json;

const CONFIG: &str = r#"
[[pools]]
name = "work"
id = "us-east-1_Refusal01"
alias_attributes = ["email"]
auto_verified_attributes = ["email"]

[[pools.clients]]
name = "hidden"
id = "refusalhiddenclient0000001"
explicit_auth_flows = ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
prevent_user_existence_errors = true

[[pools.users]]
username = "alice"
password = "Corr3ct-Horse!"
attributes = { email = "alice@example.com", email_verified = "true" }

[[pools.users]]
username = "dora"
password = "Corr3ct-Horse!"
attributes = { email = "dora@example.com", email_verified = "true" }
"#;

const CLIENT: &str = "refusalhiddenclient0000001";

fn verifications() -> u64 {
    verify_stats().0
}

#[tokio::test]
async fn refusals_do_the_work_of_a_password_check() {
    let dir = tempfile::tempdir().unwrap();
    let mut opts = IssuerOptions::new(dir.path());
    opts.config = Some(IssuerConfig::from_toml_str(CONFIG).unwrap());
    let issuer = IssuerServer::start(opts).await.unwrap();
    let base = issuer.base_url().to_string();
    let sign_in = |user: &'static str, pw: &'static str| {
        let base = base.clone();
        async move {
            call(
                &base,
                "InitiateAuth",
                json!({ "ClientId": CLIENT, "AuthFlow": "USER_PASSWORD_AUTH",
                        "AuthParameters": { "USERNAME": user, "PASSWORD": pw } }),
            )
            .await
        }
    };
    // Warm up the dummy hash used for refusals.
    sign_in("nobody", PASSWORD).await.unwrap_err();

    // A disabled user.
    issuer
        .call(
            "AdminDisableUser",
            json!({ "UserPoolId": "us-east-1_Refusal01", "Username": "dora" }),
        )
        .await
        .unwrap();
    let before = verifications();
    let (_, message) = sign_in("dora", PASSWORD).await.unwrap_err();
    assert_eq!(message, "User is disabled.");
    assert_eq!(verifications() - before, 1, "disabled user");

    // A locked-out user.
    for _ in 0..5 {
        sign_in("alice", "Wrong-Pass1!").await.unwrap_err();
    }
    let before = verifications();
    let (_, message) = sign_in("alice", PASSWORD).await.unwrap_err();
    assert_eq!(message, "Password attempts exceeded");
    assert_eq!(verifications() - before, 1, "locked-out user");

    // An unknown name.
    let before = verifications();
    sign_in("nobody", PASSWORD).await.unwrap_err();
    assert_eq!(verifications() - before, 1, "unknown name");

    // A wrong reset code is refused before the new password is hashed.
    ok(
        &base,
        "ForgotPassword",
        json!({ "ClientId": CLIENT, "Username": "alice" }),
    )
    .await;
    let code = issuer
        .outbox(Some("us-east-1_Refusal01"), Some("alice"))
        .unwrap()
        .into_iter()
        .find(|m| m.kind == "FORGOT_PASSWORD")
        .and_then(|m| m.code)
        .unwrap();
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let hashed = hash_count();
    let r = call(
        &base,
        "ConfirmForgotPassword",
        json!({ "ClientId": CLIENT, "Username": "alice", "ConfirmationCode": wrong,
                "Password": "N3w-Password!" }),
    )
    .await;
    assert_eq!(r.unwrap_err().0, "CodeMismatchException");
    assert_eq!(hash_count(), hashed, "a wrong code costs no hashing");
    ok(
        &base,
        "ConfirmForgotPassword",
        json!({ "ClientId": CLIENT, "Username": "alice", "ConfirmationCode": code,
                "Password": "N3w-Password!" }),
    )
    .await;
    assert_eq!(hash_count(), hashed + 1);
    issuer.shutdown().await.unwrap();
}
