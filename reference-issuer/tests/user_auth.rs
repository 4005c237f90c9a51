//! Choice-based sign-in (`USER_AUTH`) and `SELECT_MFA_TYPE` over real HTTP
//! with the real SQLite file: the pool's `SignInPolicy` and the client's
//! `ALLOW_USER_AUTH`, every factor by `PREFERRED_CHALLENGE` and by
//! `SELECT_CHALLENGE`, `AvailableChallenges` per user, one-time codes from
//! the outbox, wrong codes against the session budget and the lockout,
//! unknown names answered like users, and the choice of MFA factor.

use crate::common;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use cognito_issuer::srp;
use cognito_issuer::{IssuerConfig, IssuerOptions, IssuerServer, RunningIssuer};
use common::{PASSWORD, call, claims, ok};
use num_bigint::BigUint;
use serde_json::{Value, json};

const POOL: &str = "us-east-1_UserAuth01";
/// Hides user existence.
const CHOICE: &str = "userauthchoiceclient000001";
/// Reveals user existence.
const OPEN: &str = "userauthopenclient00000001";
/// Without ALLOW_USER_AUTH.
const CLASSIC: &str = "userauthclassicclient00001";
/// The client of a pool with the default factors (PASSWORD only).
const CLIENT2: &str = "userauthpool2client0000001";
/// A pool with optional MFA.
const POOL3: &str = "us-east-1_UserAuth03";
const CLIENT3: &str = "userauthpool3client0000001";

const CONFIG: &str = r#"
[[pools]]
name = "choice"
id = "us-east-1_UserAuth01"
alias_attributes = ["email"]
allowed_first_auth_factors = ["PASSWORD", "EMAIL_OTP", "SMS_OTP"]

[[pools.clients]]
name = "choice"
id = "userauthchoiceclient000001"
explicit_auth_flows = ["ALLOW_USER_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
prevent_user_existence_errors = true

[[pools.clients]]
name = "open"
id = "userauthopenclient00000001"
explicit_auth_flows = ["ALLOW_USER_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
prevent_user_existence_errors = false

[[pools.clients]]
name = "classic"
id = "userauthclassicclient00001"
explicit_auth_flows = ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]

[[pools.users]]
username = "alice"
password = "Corr3ct-Horse!"
attributes = { email = "alice@example.com", email_verified = "true", phone_number = "+15550001111", phone_number_verified = "true" }

[[pools.users]]
username = "bob"
password = "Corr3ct-Horse!"
attributes = { email = "bob@example.com", email_verified = "false" }

[[pools]]
name = "password-only"
id = "us-east-1_UserAuth02"

[[pools.clients]]
name = "spa"
id = "userauthpool2client0000001"
explicit_auth_flows = ["ALLOW_USER_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]

[[pools.users]]
username = "carol"
password = "Corr3ct-Horse!"
attributes = { email = "carol@example.com", email_verified = "true" }

[[pools]]
name = "optional-mfa"
id = "us-east-1_UserAuth03"
allowed_first_auth_factors = ["PASSWORD", "EMAIL_OTP"]

[[pools.clients]]
name = "spa"
id = "userauthpool3client0000001"
explicit_auth_flows = ["ALLOW_USER_AUTH", "ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]

[[pools.users]]
username = "mia"
password = "Corr3ct-Horse!"
attributes = { email = "mia@example.com", email_verified = "true", phone_number = "+15550002222", phone_number_verified = "true" }
"#;

const ALL: [&str; 4] = ["PASSWORD", "PASSWORD_SRP", "EMAIL_OTP", "SMS_OTP"];
const PASSWORDS: [&str; 2] = ["PASSWORD", "PASSWORD_SRP"];

async fn start(dir: &std::path::Path) -> RunningIssuer {
    let mut opts = IssuerOptions::new(dir);
    opts.config = Some(IssuerConfig::from_toml_str(CONFIG).unwrap());
    IssuerServer::start(opts).await.unwrap()
}

async fn initiate(base: &str, client: &str, params: Value) -> Result<Value, (String, String)> {
    call(
        base,
        "InitiateAuth",
        json!({ "ClientId": client, "AuthFlow": "USER_AUTH", "AuthParameters": params }),
    )
    .await
}

async fn respond(
    base: &str,
    client: &str,
    challenge: &str,
    session: &Value,
    responses: Value,
) -> Result<Value, (String, String)> {
    call(
        base,
        "RespondToAuthChallenge",
        json!({ "ClientId": client, "ChallengeName": challenge, "Session": session,
                "ChallengeResponses": responses }),
    )
    .await
}

/// The SELECT_CHALLENGE answer: its AvailableChallenges, checked to be
/// exactly the challenge's wire members.
fn offered(r: &Value) -> Vec<String> {
    assert_eq!(r["ChallengeName"], "SELECT_CHALLENGE", "{r}");
    assert!(r["Session"].as_str().is_some_and(|s| s.len() > 20), "{r}");
    assert_eq!(r["ChallengeParameters"], json!({}));
    assert!(r.get("AuthenticationResult").is_none());
    let mut keys: Vec<&String> = r.as_object().unwrap().keys().collect();
    keys.sort();
    assert_eq!(
        keys,
        [
            "AvailableChallenges",
            "ChallengeName",
            "ChallengeParameters",
            "Session"
        ]
    );
    r["AvailableChallenges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap().to_string())
        .collect()
}

fn tokens_for(r: &Value, username: &str) {
    let id = r["AuthenticationResult"]["IdToken"]
        .as_str()
        .unwrap_or_else(|| panic!("tokens expected: {r}"));
    assert_eq!(claims(id)["cognito:username"], username);
    assert!(r["AuthenticationResult"]["RefreshToken"].is_string());
}

fn latest_code(issuer: &RunningIssuer, pool: &str, username: &str) -> (String, String, String) {
    let m = issuer
        .outbox(Some(pool), Some(username))
        .unwrap()
        .into_iter()
        .find(|m| m.kind == "MFA_CODE")
        .expect("a code in the outbox");
    (m.code.unwrap(), m.medium, m.destination)
}

fn wrong(code: &str) -> &'static str {
    if code == "000000" { "111111" } else { "000000" }
}

/// Checks an OTP challenge's wire shape; returns its session.
fn otp_challenge(r: &Value, name: &str, medium: &str, masked: &str) -> Value {
    assert_eq!(r["ChallengeName"], name, "{r}");
    let p = &r["ChallengeParameters"];
    assert_eq!(p["CODE_DELIVERY_DELIVERY_MEDIUM"], medium);
    assert_eq!(p["CODE_DELIVERY_DESTINATION"], masked);
    assert!(p["USER_ID_FOR_SRP"].is_string());
    assert_eq!(p.as_object().unwrap().len(), 3, "{p}");
    r["Session"].clone()
}

fn srp_a() -> (BigUint, String) {
    use rand::Rng;
    let mut b = [0u8; 32];
    rand::rng().fill(&mut b);
    let a = BigUint::from_bytes_be(&b);
    let big_a = srp::group().g.modpow(&a, &srp::group().n);
    (a, format!("{big_a:x}"))
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

/// Completes a PASSWORD_VERIFIER challenge with `password`.
async fn verify_srp(base: &str, client: &str, a: &BigUint, r: &Value, password: &str) -> Value {
    assert_eq!(r["ChallengeName"], "PASSWORD_VERIFIER", "{r}");
    let p = &r["ChallengeParameters"];
    let s = |k: &str| p[k].as_str().unwrap().to_string();
    let salt = BigUint::parse_bytes(s("SALT").as_bytes(), 16).unwrap();
    let big_b = BigUint::parse_bytes(s("SRP_B").as_bytes(), 16).unwrap();
    let user_id = s("USER_ID_FOR_SRP");
    let key = srp::client_key(POOL, &user_id, password, &salt, a, &big_b).unwrap();
    let block = STANDARD.decode(s("SECRET_BLOCK")).unwrap();
    let timestamp = srp::format_timestamp(now());
    let sig = srp::claim_signature(&key, POOL, &user_id, &block, &timestamp);
    ok(
        base,
        "RespondToAuthChallenge",
        json!({ "ClientId": client, "ChallengeName": "PASSWORD_VERIFIER",
                "ChallengeResponses": {
                    "USERNAME": user_id, "PASSWORD_CLAIM_SECRET_BLOCK": s("SECRET_BLOCK"),
                    "TIMESTAMP": timestamp, "PASSWORD_CLAIM_SIGNATURE": STANDARD.encode(sig) } }),
    )
    .await
}

#[tokio::test]
async fn sign_in_policy_is_validated_and_echoed() {
    let dir = tempfile::tempdir().unwrap();
    let issuer = start(dir.path()).await;
    let base = issuer.base_url().to_string();
    let create = |policy: Value, mfa: &'static str| {
        let base = base.clone();
        async move {
            call(
                &base,
                "CreateUserPool",
                json!({ "PoolName": "p", "MfaConfiguration": mfa,
                        "Policies": { "SignInPolicy": policy } }),
            )
            .await
        }
    };
    // Without SignInPolicy: PASSWORD only.
    let r = ok(&base, "CreateUserPool", json!({ "PoolName": "plain" })).await;
    assert_eq!(
        r["UserPool"]["Policies"]["SignInPolicy"],
        json!({ "AllowedFirstAuthFactors": ["PASSWORD"] })
    );
    let factors = json!({ "AllowedFirstAuthFactors": ["PASSWORD", "SMS_OTP", "EMAIL_OTP"] });
    let r = create(factors.clone(), "OFF").await.unwrap();
    let id = r["UserPool"]["Id"].as_str().unwrap();
    let d = ok(&base, "DescribeUserPool", json!({ "UserPoolId": id })).await;
    assert_eq!(d["UserPool"]["Policies"]["SignInPolicy"], factors);
    let refused = [
        (
            json!({ "AllowedFirstAuthFactors": [] }),
            "OFF",
            "Member must have length greater than or equal to 1",
        ),
        (
            json!({ "AllowedFirstAuthFactors": ["PASSWORD", "PASSKEY"] }),
            "OFF",
            "Member must satisfy enum value set",
        ),
        (
            json!({ "AllowedFirstAuthFactors": ["PASSWORD", "SOFTWARE_TOKEN"] }),
            "OFF",
            "SOFTWARE_TOKEN is not supported as a first auth factor.",
        ),
        (
            json!({ "AllowedFirstAuthFactors": ["EMAIL_OTP"] }),
            "OFF",
            "PASSWORD must be one of the AllowedFirstAuthFactors.",
        ),
        (
            json!({ "AllowedFirstAuthFactors": ["PASSWORD", "EMAIL_OTP"] }),
            "ON",
            "Only PASSWORD and WEB_AUTHN (if configured) can be enabled as an auth factor if MFA is enabled",
        ),
    ];
    for (policy, mfa, message) in refused {
        let (kind, m) = create(policy.clone(), mfa).await.unwrap_err();
        assert_eq!(kind, "InvalidParameterException", "{policy}");
        assert!(m.contains(message), "{policy}: {m}");
    }
    // Requiring MFA later is refused while OTP factors are allowed.
    let (kind, m) = call(
        &base,
        "SetUserPoolMfaConfig",
        json!({ "UserPoolId": id, "MfaConfiguration": "ON",
                "SoftwareTokenMfaConfiguration": { "Enabled": true } }),
    )
    .await
    .unwrap_err();
    assert_eq!(kind, "InvalidParameterException");
    assert!(m.starts_with("Only PASSWORD and WEB_AUTHN"), "{m}");
    let d = ok(&base, "DescribeUserPool", json!({ "UserPoolId": id })).await;
    assert_eq!(d["UserPool"]["MfaConfiguration"], "OFF");
    issuer.shutdown().await.unwrap();
}

#[tokio::test]
async fn clients_need_allow_user_auth() {
    let dir = tempfile::tempdir().unwrap();
    let issuer = start(dir.path()).await;
    let base = issuer.base_url().to_string();
    let (kind, message) = initiate(&base, CLASSIC, json!({ "USERNAME": "alice" }))
        .await
        .unwrap_err();
    assert_eq!(
        (kind.as_str(), message.as_str()),
        (
            "InvalidParameterException",
            "USER_AUTH flow not enabled for this client"
        )
    );
    // AWS's default flows for a new client do not include it.
    let c = ok(
        &base,
        "CreateUserPoolClient",
        json!({ "UserPoolId": POOL, "ClientName": "defaults" }),
    )
    .await;
    assert_eq!(
        c["UserPoolClient"]["ExplicitAuthFlows"],
        json!([
            "ALLOW_REFRESH_TOKEN_AUTH",
            "ALLOW_USER_SRP_AUTH",
            "ALLOW_CUSTOM_AUTH"
        ])
    );
    let id = c["UserPoolClient"]["ClientId"].as_str().unwrap();
    let (kind, _) = initiate(&base, id, json!({ "USERNAME": "alice" }))
        .await
        .unwrap_err();
    assert_eq!(kind, "InvalidParameterException");
    // USER_AUTH covers password and SRP without their own flows.
    let r = initiate(
        &base,
        CHOICE,
        json!({ "USERNAME": "alice", "PREFERRED_CHALLENGE": "PASSWORD", "PASSWORD": PASSWORD }),
    )
    .await
    .unwrap();
    tokens_for(&r, "alice");
    let (kind, _) = call(
        &base,
        "InitiateAuth",
        json!({ "ClientId": CHOICE, "AuthFlow": "USER_PASSWORD_AUTH",
                "AuthParameters": { "USERNAME": "alice", "PASSWORD": PASSWORD } }),
    )
    .await
    .unwrap_err();
    assert_eq!(kind, "InvalidParameterException");
    issuer.shutdown().await.unwrap();
}

#[tokio::test]
async fn available_challenges_follow_the_pool_and_the_user() {
    let dir = tempfile::tempdir().unwrap();
    let issuer = start(dir.path()).await;
    let base = issuer.base_url().to_string();
    let r = initiate(&base, CHOICE, json!({ "USERNAME": "alice" }))
        .await
        .unwrap();
    assert_eq!(offered(&r), ALL);
    // Sign-in by alias works the same.
    let r = initiate(&base, CHOICE, json!({ "USERNAME": "alice@example.com" }))
        .await
        .unwrap();
    assert_eq!(offered(&r), ALL);
    // No verified email, no phone: passwords only.
    let r = initiate(&base, CHOICE, json!({ "USERNAME": "bob" }))
        .await
        .unwrap();
    assert_eq!(offered(&r), PASSWORDS);
    // A preferred challenge the user cannot use falls back to the choice.
    let r = initiate(
        &base,
        CHOICE,
        json!({ "USERNAME": "bob", "PREFERRED_CHALLENGE": "EMAIL_OTP" }),
    )
    .await
    .unwrap();
    assert_eq!(offered(&r), PASSWORDS);
    assert!(issuer.outbox(Some(POOL), Some("bob")).unwrap().is_empty());
    // A pool that allows PASSWORD only offers nothing else.
    let r = initiate(&base, CLIENT2, json!({ "USERNAME": "carol" }))
        .await
        .unwrap();
    assert_eq!(offered(&r), PASSWORDS);
    let r = initiate(
        &base,
        CLIENT2,
        json!({ "USERNAME": "carol", "PREFERRED_CHALLENGE": "EMAIL_OTP" }),
    )
    .await
    .unwrap();
    assert_eq!(offered(&r), PASSWORDS);
    // An answer that was not offered is refused.
    let (kind, _) = respond(
        &base,
        CHOICE,
        "SELECT_CHALLENGE",
        &initiate(&base, CHOICE, json!({ "USERNAME": "bob" }))
            .await
            .unwrap()["Session"],
        json!({ "USERNAME": "bob", "ANSWER": "EMAIL_OTP" }),
    )
    .await
    .unwrap_err();
    assert_eq!(kind, "InvalidParameterException");
    issuer.shutdown().await.unwrap();
}

#[tokio::test]
async fn every_factor_by_preferred_challenge() {
    let dir = tempfile::tempdir().unwrap();
    let issuer = start(dir.path()).await;
    let base = issuer.base_url().to_string();
    let r = initiate(
        &base,
        CHOICE,
        json!({ "USERNAME": "alice", "PREFERRED_CHALLENGE": "PASSWORD", "PASSWORD": PASSWORD }),
    )
    .await
    .unwrap();
    tokens_for(&r, "alice");
    let (kind, message) = initiate(
        &base,
        CHOICE,
        json!({ "USERNAME": "alice", "PREFERRED_CHALLENGE": "PASSWORD", "PASSWORD": "Wr0ng-pass!" }),
    )
    .await
    .unwrap_err();
    assert_eq!(
        (kind.as_str(), message.as_str()),
        ("NotAuthorizedException", "Incorrect username or password.")
    );
    let (a, big_a) = srp_a();
    let r = initiate(
        &base,
        CHOICE,
        json!({ "USERNAME": "alice", "PREFERRED_CHALLENGE": "PASSWORD_SRP", "SRP_A": big_a }),
    )
    .await
    .unwrap();
    tokens_for(&verify_srp(&base, CHOICE, &a, &r, PASSWORD).await, "alice");
    for (challenge, medium, masked, key) in [
        ("EMAIL_OTP", "EMAIL", "a***@e***", "EMAIL_OTP_CODE"),
        ("SMS_OTP", "SMS", "+*******1111", "SMS_OTP_CODE"),
    ] {
        let r = initiate(
            &base,
            CHOICE,
            json!({ "USERNAME": "alice", "PREFERRED_CHALLENGE": challenge }),
        )
        .await
        .unwrap();
        let session = otp_challenge(&r, challenge, medium, masked);
        let (code, sent_by, to) = latest_code(&issuer, POOL, "alice");
        assert_eq!(sent_by, medium);
        assert!(to == "alice@example.com" || to == "+15550001111", "{to}");
        let r = respond(
            &base,
            CHOICE,
            challenge,
            &session,
            json!({ "USERNAME": "alice", key: code }),
        )
        .await
        .unwrap();
        // No MFA after a passwordless factor: tokens at once.
        tokens_for(&r, "alice");
        // The session was single use.
        let (kind, _) = respond(
            &base,
            CHOICE,
            challenge,
            &session,
            json!({ "USERNAME": "alice", key: code }),
        )
        .await
        .unwrap_err();
        assert_eq!(kind, "NotAuthorizedException");
    }
    // The Admin API runs the same flow.
    let r = issuer
        .call(
            "AdminInitiateAuth",
            json!({ "UserPoolId": POOL, "ClientId": CHOICE, "AuthFlow": "USER_AUTH",
                    "AuthParameters": { "USERNAME": "alice", "PREFERRED_CHALLENGE": "PASSWORD",
                                        "PASSWORD": PASSWORD } }),
        )
        .await
        .unwrap();
    tokens_for(&r, "alice");
    issuer.shutdown().await.unwrap();
}

#[tokio::test]
async fn every_factor_by_select_challenge() {
    let dir = tempfile::tempdir().unwrap();
    let issuer = start(dir.path()).await;
    let base = issuer.base_url().to_string();
    let select = || async {
        let r = initiate(&base, CHOICE, json!({ "USERNAME": "alice" }))
            .await
            .unwrap();
        assert_eq!(offered(&r), ALL);
        r["Session"].clone()
    };
    let s = select().await;
    let r = respond(
        &base,
        CHOICE,
        "SELECT_CHALLENGE",
        &s,
        json!({ "USERNAME": "alice", "ANSWER": "PASSWORD", "PASSWORD": PASSWORD }),
    )
    .await
    .unwrap();
    tokens_for(&r, "alice");
    // A SELECT_CHALLENGE session answers once.
    let (kind, message) = respond(
        &base,
        CHOICE,
        "SELECT_CHALLENGE",
        &s,
        json!({ "USERNAME": "alice", "ANSWER": "PASSWORD", "PASSWORD": PASSWORD }),
    )
    .await
    .unwrap_err();
    assert_eq!(
        (kind.as_str(), message.as_str()),
        (
            "NotAuthorizedException",
            "Invalid session for the user, session is expired."
        )
    );
    let (a, big_a) = srp_a();
    let r = respond(
        &base,
        CHOICE,
        "SELECT_CHALLENGE",
        &select().await,
        json!({ "USERNAME": "alice", "ANSWER": "PASSWORD_SRP", "SRP_A": big_a }),
    )
    .await
    .unwrap();
    tokens_for(&verify_srp(&base, CHOICE, &a, &r, PASSWORD).await, "alice");
    for (challenge, medium, masked, key) in [
        ("EMAIL_OTP", "EMAIL", "a***@e***", "EMAIL_OTP_CODE"),
        ("SMS_OTP", "SMS", "+*******1111", "SMS_OTP_CODE"),
    ] {
        let r = respond(
            &base,
            CHOICE,
            "SELECT_CHALLENGE",
            &select().await,
            json!({ "USERNAME": "alice", "ANSWER": challenge }),
        )
        .await
        .unwrap();
        let session = otp_challenge(&r, challenge, medium, masked);
        let (code, _, _) = latest_code(&issuer, POOL, "alice");
        let r = respond(
            &base,
            CHOICE,
            challenge,
            &session,
            json!({ "USERNAME": "alice", key: code }),
        )
        .await
        .unwrap();
        tokens_for(&r, "alice");
    }
    // Another user's name does not answer alice's session.
    let (kind, message) = respond(
        &base,
        CHOICE,
        "SELECT_CHALLENGE",
        &select().await,
        json!({ "USERNAME": "bob", "ANSWER": "PASSWORD", "PASSWORD": PASSWORD }),
    )
    .await
    .unwrap_err();
    assert_eq!(
        (kind.as_str(), message.as_str()),
        ("NotAuthorizedException", "Invalid session for the user.")
    );
    issuer.shutdown().await.unwrap();
}

#[tokio::test]
async fn wrong_codes_spend_the_session_and_count_towards_the_lockout() {
    let dir = tempfile::tempdir().unwrap();
    let issuer = start(dir.path()).await;
    let base = issuer.base_url().to_string();
    let challenge = || async {
        let r = initiate(
            &base,
            CHOICE,
            json!({ "USERNAME": "alice", "PREFERRED_CHALLENGE": "EMAIL_OTP" }),
        )
        .await
        .unwrap();
        otp_challenge(&r, "EMAIL_OTP", "EMAIL", "a***@e***")
    };
    let answer = |session: Value, code: String| {
        let base = base.clone();
        async move {
            respond(
                &base,
                CHOICE,
                "EMAIL_OTP",
                &session,
                json!({ "USERNAME": "alice", "EMAIL_OTP_CODE": code }),
            )
            .await
        }
    };
    let s = challenge().await;
    let (code, _, _) = latest_code(&issuer, POOL, "alice");
    for _ in 0..3 {
        let (kind, message) = answer(s.clone(), wrong(&code).into()).await.unwrap_err();
        assert_eq!(
            (kind.as_str(), message.as_str()),
            ("CodeMismatchException", "Invalid code received for user")
        );
    }
    // Spent: even the right code is refused now.
    let (kind, message) = answer(s, code).await.unwrap_err();
    assert_eq!(
        (kind.as_str(), message.as_str()),
        (
            "NotAuthorizedException",
            "Invalid session for the user, session is expired."
        )
    );
    // Two more wrong codes make five: the user is locked out (for 1 s at
    // first), the right password included.
    for _ in 0..2 {
        let s = challenge().await;
        let (code, _, _) = latest_code(&issuer, POOL, "alice");
        let (kind, _) = answer(s, wrong(&code).into()).await.unwrap_err();
        assert_eq!(kind, "CodeMismatchException");
    }
    let (kind, message) = initiate(
        &base,
        CHOICE,
        json!({ "USERNAME": "alice", "PREFERRED_CHALLENGE": "PASSWORD", "PASSWORD": PASSWORD }),
    )
    .await
    .unwrap_err();
    assert_eq!(
        (kind.as_str(), message.as_str()),
        ("NotAuthorizedException", "Password attempts exceeded")
    );
    issuer.shutdown().await.unwrap();
}

#[tokio::test]
async fn code_sends_are_throttled() {
    let dir = tempfile::tempdir().unwrap();
    let issuer = start(dir.path()).await;
    let base = issuer.base_url().to_string();
    for name in ["alice", "nobody-here"] {
        for _ in 0..5 {
            let r = initiate(
                &base,
                CHOICE,
                json!({ "USERNAME": name, "PREFERRED_CHALLENGE": "EMAIL_OTP" }),
            )
            .await
            .unwrap();
            assert_eq!(r["ChallengeName"], "EMAIL_OTP");
        }
        let (kind, _) = initiate(
            &base,
            CHOICE,
            json!({ "USERNAME": name, "PREFERRED_CHALLENGE": "EMAIL_OTP" }),
        )
        .await
        .unwrap_err();
        assert_eq!(kind, "LimitExceededException", "{name}");
    }
    assert_eq!(issuer.outbox(Some(POOL), Some("alice")).unwrap().len(), 5);
    issuer.shutdown().await.unwrap();
}

#[tokio::test]
async fn unknown_names_are_answered_like_users() {
    let dir = tempfile::tempdir().unwrap();
    let issuer = start(dir.path()).await;
    let base = issuer.base_url().to_string();
    let ghost = "ghost@example.com";
    // The choice: what a user with a verified email and phone would get.
    let r = initiate(&base, CHOICE, json!({ "USERNAME": ghost }))
        .await
        .unwrap();
    assert_eq!(offered(&r), ALL);
    let (kind, message) = respond(
        &base,
        CHOICE,
        "SELECT_CHALLENGE",
        &r["Session"],
        json!({ "USERNAME": ghost, "ANSWER": "PASSWORD", "PASSWORD": PASSWORD }),
    )
    .await
    .unwrap_err();
    assert_eq!(
        (kind.as_str(), message.as_str()),
        ("NotAuthorizedException", "Incorrect username or password.")
    );
    // SRP: a decoy PASSWORD_VERIFIER, failing at the proof.
    let (_, big_a) = srp_a();
    let r = initiate(&base, CHOICE, json!({ "USERNAME": ghost }))
        .await
        .unwrap();
    let r = respond(
        &base,
        CHOICE,
        "SELECT_CHALLENGE",
        &r["Session"],
        json!({ "USERNAME": ghost, "ANSWER": "PASSWORD_SRP", "SRP_A": big_a }),
    )
    .await
    .unwrap();
    assert_eq!(r["ChallengeName"], "PASSWORD_VERIFIER");
    // Codes: a challenge of the same shape; no message is sent and no
    // code answers it; the session budget and the lockout apply.
    let r = initiate(&base, CHOICE, json!({ "USERNAME": ghost }))
        .await
        .unwrap();
    let r = respond(
        &base,
        CHOICE,
        "SELECT_CHALLENGE",
        &r["Session"],
        json!({ "USERNAME": ghost, "ANSWER": "EMAIL_OTP" }),
    )
    .await
    .unwrap();
    let s = otp_challenge(&r, "EMAIL_OTP", "EMAIL", "g***@e***");
    for _ in 0..3 {
        let (kind, message) = respond(
            &base,
            CHOICE,
            "EMAIL_OTP",
            &s,
            json!({ "USERNAME": ghost, "EMAIL_OTP_CODE": "123456" }),
        )
        .await
        .unwrap_err();
        assert_eq!(
            (kind.as_str(), message.as_str()),
            ("CodeMismatchException", "Invalid code received for user")
        );
    }
    let (kind, message) = respond(
        &base,
        CHOICE,
        "EMAIL_OTP",
        &s,
        json!({ "USERNAME": ghost, "EMAIL_OTP_CODE": "123456" }),
    )
    .await
    .unwrap_err();
    assert_eq!(
        (kind.as_str(), message.as_str()),
        (
            "NotAuthorizedException",
            "Invalid session for the user, session is expired."
        )
    );
    let r = initiate(
        &base,
        CHOICE,
        json!({ "USERNAME": "ghost2", "PREFERRED_CHALLENGE": "SMS_OTP" }),
    )
    .await
    .unwrap();
    assert_eq!(r["ChallengeName"], "SMS_OTP");
    assert!(
        r["ChallengeParameters"]["CODE_DELIVERY_DESTINATION"]
            .as_str()
            .unwrap()
            .starts_with("+*")
    );
    assert!(issuer.outbox(Some(POOL), None).unwrap().is_empty());
    // The session of one name does not answer for another.
    let r = initiate(&base, CHOICE, json!({ "USERNAME": ghost }))
        .await
        .unwrap();
    let (kind, _) = respond(
        &base,
        CHOICE,
        "SELECT_CHALLENGE",
        &r["Session"],
        json!({ "USERNAME": "alice", "ANSWER": "PASSWORD", "PASSWORD": PASSWORD }),
    )
    .await
    .unwrap_err();
    assert_eq!(kind, "NotAuthorizedException");
    // A client that reveals existence says so.
    let (kind, message) = initiate(&base, OPEN, json!({ "USERNAME": ghost }))
        .await
        .unwrap_err();
    assert_eq!(
        (kind.as_str(), message.as_str()),
        ("UserNotFoundException", "User does not exist.")
    );
    issuer.shutdown().await.unwrap();
}

#[tokio::test]
async fn select_mfa_type_is_offered_and_answered() {
    let dir = tempfile::tempdir().unwrap();
    let issuer = start(dir.path()).await;
    let base = issuer.base_url().to_string();
    issuer
        .call(
            "SetUserPoolMfaConfig",
            json!({ "UserPoolId": POOL3, "MfaConfiguration": "OPTIONAL",
                    "SmsMfaConfiguration": { "SmsAuthenticationMessage": "{####}" },
                    "EmailMfaConfiguration": { "Message": "{####}" } }),
        )
        .await
        .unwrap();
    issuer
        .call(
            "AdminSetUserMFAPreference",
            json!({ "UserPoolId": POOL3, "Username": "mia",
                    "SMSMfaSettings": { "Enabled": true, "PreferredMfa": false },
                    "EmailMfaSettings": { "Enabled": true, "PreferredMfa": false } }),
        )
        .await
        .unwrap();
    let select = || async {
        let r = ok(
            &base,
            "InitiateAuth",
            json!({ "ClientId": CLIENT3, "AuthFlow": "USER_PASSWORD_AUTH",
                    "AuthParameters": { "USERNAME": "mia", "PASSWORD": PASSWORD } }),
        )
        .await;
        assert_eq!(r["ChallengeName"], "SELECT_MFA_TYPE", "{r}");
        assert_eq!(
            r["ChallengeParameters"],
            json!({ "MFAS_CAN_CHOOSE": "[\"SMS_MFA\",\"EMAIL_OTP\"]", "USER_ID_FOR_SRP": "mia" })
        );
        r["Session"].clone()
    };
    for (answer, medium, key) in [
        ("SMS_MFA", "SMS", "SMS_MFA_CODE"),
        ("EMAIL_OTP", "EMAIL", "EMAIL_OTP_CODE"),
    ] {
        let s = select().await;
        let r = respond(
            &base,
            CLIENT3,
            "SELECT_MFA_TYPE",
            &s,
            json!({ "USERNAME": "mia", "ANSWER": answer }),
        )
        .await
        .unwrap();
        assert_eq!(r["ChallengeName"], answer, "{r}");
        assert_eq!(
            r["ChallengeParameters"]["CODE_DELIVERY_DELIVERY_MEDIUM"],
            medium
        );
        let (code, sent_by, _) = latest_code(&issuer, POOL3, "mia");
        assert_eq!(sent_by, medium);
        let r = respond(
            &base,
            CLIENT3,
            answer,
            &r["Session"],
            json!({ "USERNAME": "mia", key: code }),
        )
        .await
        .unwrap();
        tokens_for(&r, "mia");
        // The SELECT_MFA_TYPE session was spent by the answer.
        let (kind, _) = respond(
            &base,
            CLIENT3,
            "SELECT_MFA_TYPE",
            &s,
            json!({ "USERNAME": "mia", "ANSWER": answer }),
        )
        .await
        .unwrap_err();
        assert_eq!(kind, "NotAuthorizedException");
    }
    // A factor not offered is refused.
    let (kind, _) = respond(
        &base,
        CLIENT3,
        "SELECT_MFA_TYPE",
        &select().await,
        json!({ "USERNAME": "mia", "ANSWER": "SOFTWARE_TOKEN_MFA" }),
    )
    .await
    .unwrap_err();
    assert_eq!(kind, "InvalidParameterException");
    // With MFA enabled, choice-based sign-in offers passwords only, and
    // the password is followed by the MFA choice.
    let r = initiate(&base, CLIENT3, json!({ "USERNAME": "mia" }))
        .await
        .unwrap();
    assert_eq!(offered(&r), PASSWORDS);
    let r = initiate(
        &base,
        CLIENT3,
        json!({ "USERNAME": "mia", "PREFERRED_CHALLENGE": "PASSWORD", "PASSWORD": PASSWORD }),
    )
    .await
    .unwrap();
    assert_eq!(r["ChallengeName"], "SELECT_MFA_TYPE");
    // A preferred factor is used without asking.
    issuer
        .call(
            "AdminSetUserMFAPreference",
            json!({ "UserPoolId": POOL3, "Username": "mia",
                    "EmailMfaSettings": { "Enabled": true, "PreferredMfa": true } }),
        )
        .await
        .unwrap();
    let r = ok(
        &base,
        "InitiateAuth",
        json!({ "ClientId": CLIENT3, "AuthFlow": "USER_PASSWORD_AUTH",
                "AuthParameters": { "USERNAME": "mia", "PASSWORD": PASSWORD } }),
    )
    .await;
    assert_eq!(r["ChallengeName"], "EMAIL_OTP");
    // Without MFA, the same user may sign in with an email code.
    issuer
        .call(
            "AdminSetUserMFAPreference",
            json!({ "UserPoolId": POOL3, "Username": "mia",
                    "SMSMfaSettings": { "Enabled": false },
                    "EmailMfaSettings": { "Enabled": false } }),
        )
        .await
        .unwrap();
    let r = initiate(&base, CLIENT3, json!({ "USERNAME": "mia" }))
        .await
        .unwrap();
    assert_eq!(offered(&r), ["PASSWORD", "PASSWORD_SRP", "EMAIL_OTP"]);
    issuer.shutdown().await.unwrap();
}
