//! USER_SRP_AUTH over real HTTP with the client side computed by
//! `cognito_issuer::srp` (whose agreement with pycognito is pinned by a
//! known-answer vector, and with amazon-cognito-identity-js and the AWS SDK
//! v3 by the Node suites): configuration seed users, wrong passwords,
//! replays, stale timestamps, unknown users, restarts.

use crate::common;

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

[[pools]]
name = "by-email"
id = "us-east-1_SrpPool02"
username_attributes = ["email"]

[[pools.clients]]
name = "spa2"
id = "srpclient20000000000000002"
explicit_auth_flows = ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
prevent_user_existence_errors = true

[[pools.users]]
username = "bob@example.com"
password = "Corr3ct-Horse!"
attributes = { email_verified = "true" }
"#;

const CLIENT2: &str = "srpclient20000000000000002";

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

/// The PASSWORD_VERIFIER answer for `password` at time `ts` (pool 1).
fn answer(a: &BigUint, p: &Value, password: &str, ts: i64) -> Value {
    answer_for(POOL, a, p, password, ts)
}

/// The PASSWORD_VERIFIER answer in `pool`.
fn answer_for(pool: &str, a: &BigUint, p: &Value, password: &str, ts: i64) -> Value {
    let s = |k: &str| p[k].as_str().unwrap().to_string();
    let salt = BigUint::parse_bytes(s("SALT").as_bytes(), 16).unwrap();
    let big_b = BigUint::parse_bytes(s("SRP_B").as_bytes(), 16).unwrap();
    let user_id = s("USER_ID_FOR_SRP");
    let key = srp::client_key(pool, &user_id, password, &salt, a, &big_b).unwrap();
    let block = STANDARD.decode(s("SECRET_BLOCK")).unwrap();
    let timestamp = srp::format_timestamp(ts);
    let sig = srp::claim_signature(&key, pool, &user_id, &block, &timestamp);
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

fn is_uuid_v4(s: &str) -> bool {
    uuid::Uuid::parse_str(s).is_ok_and(|u| u.get_version_num() == 4)
}

const EXPIRED: (&str, &str) = (
    "NotAuthorizedException",
    "Invalid session for the user, session is expired.",
);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sealed_challenges_refuse_tampering_and_other_pools() {
    let dir = tempfile::tempdir().unwrap();
    let issuer = start(dir.path()).await;
    let base = issuer.base_url().to_string();
    let client = issuer.client_id().to_string();
    let expired = (EXPIRED.0.to_string(), EXPIRED.1.to_string());

    // A tampered block (signed by the client as it is) is refused.
    let (a, mut p) = initiate(&base, &client, "alice").await.unwrap();
    let mut block = STANDARD
        .decode(p["SECRET_BLOCK"].as_str().unwrap())
        .unwrap();
    let mid = block.len() / 2;
    block[mid] ^= 0x01;
    p["SECRET_BLOCK"] = json!(STANDARD.encode(&block));
    let e = respond(&base, &client, &answer(&a, &p, PASSWORD, now()))
        .await
        .unwrap_err();
    assert_eq!(e, expired);

    // A block issued by pool 1's client is refused by pool 2's client.
    let (a, p) = initiate(&base, &client, "alice").await.unwrap();
    let e = respond(&base, CLIENT2, &answer(&a, &p, PASSWORD, now()))
        .await
        .unwrap_err();
    assert_eq!(e, expired);
    // ... and it still works where it was issued, once.
    let good = answer(&a, &p, PASSWORD, now());
    respond(&base, &client, &good).await.unwrap();
    assert_eq!(respond(&base, &client, &good).await.unwrap_err(), expired);
    issuer.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_users_get_stable_challenges_shaped_like_real_ones() {
    let dir = tempfile::tempdir().unwrap();
    let issuer = start(dir.path()).await;
    let base = issuer.base_url().to_string();
    let client = issuer.client_id().to_string();

    // Pool with email as username: a known user's USER_ID_FOR_SRP is their
    // sub; an unknown address gets a stable UUID, never the address back.
    let (_, bob) = initiate(&base, CLIENT2, "bob@example.com").await.unwrap();
    let (_, bob2) = initiate(&base, CLIENT2, "bob@example.com").await.unwrap();
    let (_, g1) = initiate(&base, CLIENT2, "ghost@example.com").await.unwrap();
    let (_, g2) = initiate(&base, CLIENT2, "ghost@example.com").await.unwrap();
    let (_, h1) = initiate(&base, CLIENT2, "other@example.com").await.unwrap();
    assert!(is_uuid_v4(bob["USER_ID_FOR_SRP"].as_str().unwrap()));
    assert_eq!(bob["SALT"], bob2["SALT"]);
    for p in [&g1, &g2, &h1] {
        let id = p["USER_ID_FOR_SRP"].as_str().unwrap();
        assert!(is_uuid_v4(id), "{id}");
        assert_eq!(p["USERNAME"], p["USER_ID_FOR_SRP"]);
        let salt = p["SALT"].as_str().unwrap();
        assert_eq!(salt.len(), bob["SALT"].as_str().unwrap().len(), "{salt}");
        let len = |v: &Value| v["SECRET_BLOCK"].as_str().unwrap().len();
        assert_eq!(len(p), len(&bob));
    }
    assert_eq!(g1["USER_ID_FOR_SRP"], g2["USER_ID_FOR_SRP"]);
    assert_eq!(g1["SALT"], g2["SALT"]);
    assert_ne!(g1["USER_ID_FOR_SRP"], h1["USER_ID_FOR_SRP"]);
    assert_ne!(g1["SALT"], h1["SALT"]);

    // Pool with an email alias: an unknown address gets a UUID too (a
    // known user's username can never be an address there); an unknown
    // plain name is answered as typed, like a known user's.
    let (_, ga) = initiate(&base, &client, "ghost@example.com").await.unwrap();
    assert!(is_uuid_v4(ga["USER_ID_FOR_SRP"].as_str().unwrap()));
    let (_, nobody) = initiate(&base, &client, "nobody").await.unwrap();
    assert_eq!(nobody["USER_ID_FOR_SRP"], "nobody");

    // Stable across a restart, like a stored salt.
    issuer.shutdown().await.unwrap();
    let issuer = start(dir.path()).await;
    let base = issuer.base_url().to_string();
    let (_, g3) = initiate(&base, CLIENT2, "ghost@example.com").await.unwrap();
    assert_eq!(g3["USER_ID_FOR_SRP"], g1["USER_ID_FOR_SRP"]);
    assert_eq!(g3["SALT"], g1["SALT"]);

    // The known user still signs in by address.
    let (a, p) = initiate(&base, CLIENT2, "bob@example.com").await.unwrap();
    let r = call(
        &base,
        "RespondToAuthChallenge",
        json!({ "ClientId": CLIENT2, "ChallengeName": "PASSWORD_VERIFIER",
                "ChallengeResponses": answer_for("us-east-1_SrpPool02", &a, &p, PASSWORD, now()) }),
    )
    .await
    .unwrap();
    assert!(r["AuthenticationResult"]["AccessToken"].is_string());
    issuer.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_proofs_lock_out_unknown_names_like_users() {
    let dir = tempfile::tempdir().unwrap();
    let issuer = start(dir.path()).await;
    let base = issuer.base_url().to_string();
    let client = issuer.client_id().to_string();
    // "ghost@example.com" gets a decoy USER_ID_FOR_SRP (a UUID) that differs
    // from the name typed: its wrong proofs must still count against the
    // name, as a user's count against the user.
    for name in ["alice", "ghost@example.com"] {
        for i in 0..5 {
            let (a, p) = initiate(&base, &client, name).await.unwrap();
            let e = respond(&base, &client, &answer(&a, &p, "Wr0ng-Horse!", now()))
                .await
                .unwrap_err();
            assert_eq!(e.1, "Incorrect username or password.", "{name} #{i}");
        }
        let e = initiate(&base, &client, name).await.unwrap_err();
        assert_eq!(e, "NotAuthorizedException", "{name}");
    }
    issuer.shutdown().await.unwrap();
}
