//! USER_SRP_AUTH over real HTTP with the client side computed by
//! `cognito_issuer::srp` (whose agreement with pycognito is pinned by a
//! known-answer vector, and with amazon-cognito-identity-js and the AWS SDK
//! v3 by the Node suites): configuration seed users, wrong passwords,
//! replays, stale timestamps, unknown users, restarts.

mod common;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use cognito_issuer::srp;
use cognito_issuer::{IssuerConfig, IssuerOptions, IssuerServer, RunningIssuer};
use common::{PASSWORD, call, claims};
use num_bigint::BigUint;
use serde_json::{Value, json};

const CONFIG: &str = r#"
[[pools]]
name = "srp"
id = "us-east-1_SrpPool01"
alias_attributes = ["email"]

[[pools.clients]]
name = "spa"
explicit_auth_flows = ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
prevent_user_existence_errors = true

[[pools.users]]
username = "alice"
password = "Corr3ct-Horse!"
attributes = { email = "alice@example.com", email_verified = "true" }
"#;

const POOL: &str = "us-east-1_SrpPool01";

async fn start(dir: &std::path::Path) -> RunningIssuer {
    let mut opts = IssuerOptions::new(dir);
    opts.config = Some(IssuerConfig::from_toml_str(CONFIG).unwrap());
    IssuerServer::start(opts).await.unwrap()
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

/// InitiateAuth USER_SRP_AUTH; returns the client secret `a` and the
/// challenge parameters.
async fn initiate(base: &str, client: &str, username: &str) -> Result<(BigUint, Value), String> {
    let a = BigUint::from_bytes_be(&rand_bytes());
    let big_a = srp::group().g.modpow(&a, &srp::group().n);
    let r = call(
        base,
        "InitiateAuth",
        json!({ "ClientId": client, "AuthFlow": "USER_SRP_AUTH",
                "AuthParameters": { "USERNAME": username, "SRP_A": format!("{big_a:x}") } }),
    )
    .await
    .map_err(|e| e.0)?;
    assert_eq!(r["ChallengeName"], "PASSWORD_VERIFIER");
    assert!(r.get("Session").is_none());
    Ok((a, r["ChallengeParameters"].clone()))
}

fn rand_bytes() -> [u8; 32] {
    use rand::Rng;
    let mut b = [0u8; 32];
    rand::rng().fill(&mut b);
    b
}

/// The PASSWORD_VERIFIER answer for `password` at time `ts`.
fn answer(a: &BigUint, p: &Value, password: &str, ts: i64) -> Value {
    let s = |k: &str| p[k].as_str().unwrap().to_string();
    let salt = BigUint::parse_bytes(s("SALT").as_bytes(), 16).unwrap();
    let big_b = BigUint::parse_bytes(s("SRP_B").as_bytes(), 16).unwrap();
    let user_id = s("USER_ID_FOR_SRP");
    let key = srp::client_key(POOL, &user_id, password, &salt, a, &big_b).unwrap();
    let block = STANDARD.decode(s("SECRET_BLOCK")).unwrap();
    let timestamp = srp::format_timestamp(ts);
    let sig = srp::claim_signature(&key, POOL, &user_id, &block, &timestamp);
    json!({
        "USERNAME": user_id,
        "PASSWORD_CLAIM_SECRET_BLOCK": s("SECRET_BLOCK"),
        "TIMESTAMP": timestamp,
        "PASSWORD_CLAIM_SIGNATURE": STANDARD.encode(sig),
    })
}

async fn respond(base: &str, client: &str, responses: &Value) -> Result<Value, (String, String)> {
    call(
        base,
        "RespondToAuthChallenge",
        json!({ "ClientId": client, "ChallengeName": "PASSWORD_VERIFIER",
                "ChallengeResponses": responses }),
    )
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn srp_sign_in_rules() {
    let dir = tempfile::tempdir().unwrap();
    let issuer = start(dir.path()).await;
    let base = issuer.base_url().to_string();
    let client = issuer.client_id().to_string();

    // A seed user from the configuration signs in, also by alias.
    for name in ["alice", "alice@example.com"] {
        let (a, p) = initiate(&base, &client, name).await.unwrap();
        assert_eq!(p["USER_ID_FOR_SRP"], "alice");
        let r = respond(&base, &client, &answer(&a, &p, PASSWORD, now()))
            .await
            .unwrap();
        let at = r["AuthenticationResult"]["AccessToken"].as_str().unwrap();
        assert_eq!(claims(at)["username"], "alice");
    }

    // Wrong password.
    let (a, p) = initiate(&base, &client, "alice").await.unwrap();
    let e = respond(&base, &client, &answer(&a, &p, "Wr0ng-Horse!", now()))
        .await
        .unwrap_err();
    assert_eq!(
        e,
        (
            "NotAuthorizedException".into(),
            "Incorrect username or password.".into()
        )
    );

    // Replay of a correct answer.
    let (a, p) = initiate(&base, &client, "alice").await.unwrap();
    let good = answer(&a, &p, PASSWORD, now());
    respond(&base, &client, &good).await.unwrap();
    let e = respond(&base, &client, &good).await.unwrap_err();
    assert_eq!(e.0, "NotAuthorizedException");

    // Stale and future timestamps, and a malformed one.
    for ts in [now() - 600, now() + 600] {
        let (a, p) = initiate(&base, &client, "alice").await.unwrap();
        let e = respond(&base, &client, &answer(&a, &p, PASSWORD, ts))
            .await
            .unwrap_err();
        assert_eq!(e.0, "NotAuthorizedException", "{ts}");
    }
    let (a, p) = initiate(&base, &client, "alice").await.unwrap();
    let mut bad = answer(&a, &p, PASSWORD, now());
    bad["TIMESTAMP"] = json!("yesterday");
    assert_eq!(
        respond(&base, &client, &bad).await.unwrap_err().0,
        "InvalidParameterException"
    );

    // Unknown user with PreventUserExistenceErrors: a decoy challenge that
    // fails like a wrong password.
    let (a, p) = initiate(&base, &client, "nobody").await.unwrap();
    let e = respond(&base, &client, &answer(&a, &p, PASSWORD, now()))
        .await
        .unwrap_err();
    assert_eq!(e.1, "Incorrect username or password.");

    // Invalid SRP_A values are refused.
    for srp_a in ["0", "not-hex", srp::N_HEX] {
        let e = call(
            &base,
            "InitiateAuth",
            json!({ "ClientId": client, "AuthFlow": "USER_SRP_AUTH",
                    "AuthParameters": { "USERNAME": "alice", "SRP_A": srp_a } }),
        )
        .await
        .unwrap_err();
        assert_eq!(e.0, "InvalidParameterException", "{srp_a}");
    }

    // A challenge issued before a restart is void; the verifier survives.
    let (a, p) = initiate(&base, &client, "alice").await.unwrap();
    issuer.shutdown().await.unwrap();
    let issuer = start(dir.path()).await;
    let base = issuer.base_url().to_string();
    let e = respond(&base, &client, &answer(&a, &p, PASSWORD, now()))
        .await
        .unwrap_err();
    assert_eq!(e.0, "NotAuthorizedException");
    let (a, p) = initiate(&base, &client, "alice").await.unwrap();
    respond(&base, &client, &answer(&a, &p, PASSWORD, now()))
        .await
        .unwrap();
    issuer.shutdown().await.unwrap();
}
