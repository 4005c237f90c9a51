//! CUSTOM_AUTH with the team's real handler code: passwordless sign-in by
//! an emailed code, as three Node triggers (tests/triggers/custom-auth.js;
//! the "email" is a JSON file the test reads), driven over the JSON API:
//! success through the Admin API, wrong codes then the right one (the
//! `session` array the triggers see), `failAuthentication`, the wrong-answer
//! budget across sessions, an expired session, names nobody holds, and a
//! pool without a define auth challenge trigger. Pre token generation
//! (Node, V2) customizes the tokens; pre and post authentication fire.
//! Needs `node` on the PATH.

use crate::common;

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use cognito_issuer::{IssuerConfig, IssuerOptions, IssuerServer, RunningIssuer};
use common::{call, claims, ok};
use serde_json::{Value, json};

const ARN: &str = "arn:aws:lambda:us-east-1:000000000000:function:";

fn fixture(name: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/triggers")
        .join(name)
        .display()
        .to_string()
}

struct Site {
    issuer: RunningIssuer,
    base: String,
    dir: tempfile::TempDir,
    /// `triggerSource`s of the pre / post authentication hooks, in order.
    auth_events: Arc<Mutex<Vec<String>>>,
}

impl Site {
    fn mailbox(&self) -> PathBuf {
        self.dir.path().join("mailbox.json")
    }

    /// The code last "emailed" to `user`.
    fn code_of(&self, user: &str) -> String {
        let box_: Value =
            serde_json::from_str(&std::fs::read_to_string(self.mailbox()).unwrap()).unwrap();
        box_[user].as_str().unwrap().to_string()
    }
}

const POOL: &str = "us-east-1_Passwordl01";
const CLIENT: &str = "passwordlessclient00000001";
/// The same triggers, for a client that hides user existence.
const HIDING: &str = "passwordlessclient00000002";
/// A pool without triggers.
const PLAIN: &str = "plainclient000000000000001";

/// The issuer, configured as a team would: pools, clients and users
/// (passwordless: none has a password) in TOML, each function ARN mapped to
/// its export of the one Node module.
async fn start() -> Site {
    let dir = tempfile::tempdir().unwrap();
    let module = fixture("custom-auth.js");
    let mailbox = dir.path().join("mailbox.json").display().to_string();
    let user = |name: &str, family: &str| {
        format!(
            "[[pools.users]]\nusername = \"{name}\"\nattributes = {{ email = \"{name}@example.com\", \
             email_verified = \"true\", family_name = \"{family}\" }}\n"
        )
    };
    let mut toml = format!(
        "[[pools]]\nname = \"passwordless\"\nid = \"{POOL}\"\n\
         [pools.lambda_config]\n\
         define_auth_challenge = \"{ARN}define\"\n\
         create_auth_challenge = \"{ARN}create\"\n\
         verify_auth_challenge_response = \"{ARN}verify\"\n\
         pre_authentication = \"{ARN}pre-auth\"\n\
         post_authentication = \"{ARN}post-auth\"\n\
         pre_token_generation_config = {{ lambda_arn = \"{ARN}pre-token\", lambda_version = \"V2_0\" }}\n\
         [[pools.clients]]\nname = \"app\"\nid = \"{CLIENT}\"\n\
         explicit_auth_flows = [\"ALLOW_CUSTOM_AUTH\", \"ALLOW_REFRESH_TOKEN_AUTH\"]\n\
         prevent_user_existence_errors = false\n\
         [[pools.clients]]\nname = \"hiding\"\nid = \"{HIDING}\"\n\
         explicit_auth_flows = [\"ALLOW_CUSTOM_AUTH\"]\nprevent_user_existence_errors = true\n\
         {}{}{}\
         [[pools]]\nname = \"plain\"\n\
         [[pools.clients]]\nname = \"app\"\nid = \"{PLAIN}\"\n\
         explicit_auth_flows = [\"ALLOW_CUSTOM_AUTH\"]\n{}",
        user("alice", "Smith"),
        user("bob", "Jones"),
        user("carol", "Blocked"),
        user("dave", "Brown"),
    );
    for export in ["define", "create", "verify"] {
        toml.push_str(&format!(
            "[triggers.\"{ARN}{export}\"]\ncommand = [\"node\", {module:?}, \"{export}\"]\n\
             env = {{ MAILBOX = {mailbox:?} }}\n"
        ));
    }
    toml.push_str(&format!(
        "[triggers.\"{ARN}pre-token\"]\ncommand = [\"node\", {:?}]\n",
        fixture("pre-token.mjs")
    ));
    let mut opts = IssuerOptions::new(dir.path());
    opts.config = Some(IssuerConfig::from_toml_str(&toml).unwrap());
    let auth_events = Arc::new(Mutex::new(Vec::new()));
    for name in ["pre-auth", "post-auth"] {
        let seen = auth_events.clone();
        opts.trigger_hooks
            .insert(format!("{ARN}{name}"), move |event: Value| {
                let source = event["triggerSource"].as_str().unwrap_or("").to_string();
                seen.lock().unwrap().push(source);
                Ok(event)
            });
    }
    let issuer = IssuerServer::start(opts).await.unwrap();
    let base = issuer.base_url().to_string();
    Site {
        issuer,
        base,
        dir,
        auth_events,
    }
}

async fn initiate(base: &str, client: &str, name: &str) -> Result<Value, (String, String)> {
    call(
        base,
        "InitiateAuth",
        json!({ "ClientId": client, "AuthFlow": "CUSTOM_AUTH",
                "AuthParameters": {"USERNAME": name},
                "ClientMetadata": {"tag": "initiate"} }),
    )
    .await
}

async fn answer(
    base: &str,
    client: &str,
    challenge: &Value,
    code: &str,
) -> Result<Value, (String, String)> {
    call(
        base,
        "RespondToAuthChallenge",
        json!({ "ClientId": client, "ChallengeName": "CUSTOM_CHALLENGE",
                "Session": challenge["Session"],
                "ChallengeResponses": {"USERNAME": challenge["ChallengeParameters"]["USERNAME"],
                                       "ANSWER": code},
                "ClientMetadata": {"tag": "respond"} }),
    )
    .await
}

fn incorrect() -> (String, String) {
    (
        "NotAuthorizedException".into(),
        "Incorrect username or password.".into(),
    )
}

fn history(challenge: &Value) -> Value {
    serde_json::from_str(
        challenge["ChallengeParameters"]["history"]
            .as_str()
            .unwrap(),
    )
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn emailed_code_signs_in_after_wrong_codes_and_admin_api() {
    let s = start().await;
    let base = &s.base;
    let (pool, client) = (POOL, CLIENT);

    let c = initiate(base, client, "alice").await.unwrap();
    assert_eq!(c["ChallengeName"], "CUSTOM_CHALLENGE");
    let p = &c["ChallengeParameters"];
    assert_eq!(p["USERNAME"], "alice");
    assert_eq!(p["email"], "a***@example.com");
    assert_eq!(p["attempt"], "1", "numbers arrive as strings");
    assert_eq!(history(&c), json!([]));
    assert_eq!(p["meta"], "none", "InitiateAuth's ClientMetadata stays out");
    assert!(p.get("code").is_none(), "private parameters stay private");

    // Two wrong codes, then the right one: each answer opens a new session.
    let c2 = answer(base, client, &c, "000000").await.unwrap();
    assert_eq!(c2["ChallengeName"], "CUSTOM_CHALLENGE");
    assert_ne!(c2["Session"], c["Session"]);
    assert_eq!(c2["ChallengeParameters"]["meta"], "respond");
    let wrong = json!({"challengeName": "CUSTOM_CHALLENGE", "challengeResult": false,
                       "challengeMetadata": "EMAIL_CODE"});
    assert_eq!(history(&c2), json!([wrong]));
    assert_eq!(
        answer(base, client, &c, &s.code_of("alice")).await,
        Err((
            "NotAuthorizedException".into(),
            "Invalid session for the user, session is expired.".into()
        )),
        "a session answers once"
    );
    let c3 = answer(base, client, &c2, "111111").await.unwrap();
    assert_eq!(history(&c3), json!([wrong, wrong]));
    assert_eq!(c3["ChallengeParameters"]["attempt"], "3");
    let done = answer(base, client, &c3, &s.code_of("alice"))
        .await
        .unwrap();
    let t = &done["AuthenticationResult"];
    let id = claims(t["IdToken"].as_str().unwrap());
    assert_eq!(id["cognito:username"], "alice");
    assert_eq!(id["source"], "TokenGeneration_Authentication");
    assert_eq!(id["meta"], "respond", "the pre token trigger fired");
    assert!(t["RefreshToken"].is_string());
    assert_eq!(
        *s.auth_events.lock().unwrap(),
        [
            "PreAuthentication_Authentication",
            "PostAuthentication_Authentication"
        ]
    );

    // The Admin API runs the same flow; the two wrong codes above were
    // forgotten by the completed sign-in.
    let c = ok(
        base,
        "AdminInitiateAuth",
        json!({ "UserPoolId": pool, "ClientId": client, "AuthFlow": "CUSTOM_AUTH",
                "AuthParameters": {"USERNAME": "alice"} }),
    )
    .await;
    assert_eq!(c["ChallengeParameters"]["USERNAME"], "alice");
    let done = ok(
        base,
        "AdminRespondToAuthChallenge",
        json!({ "UserPoolId": pool, "ClientId": client, "ChallengeName": "CUSTOM_CHALLENGE",
                "Session": c["Session"],
                "ChallengeResponses": {"USERNAME": "alice", "ANSWER": s.code_of("alice")} }),
    )
    .await;
    assert!(done["AuthenticationResult"]["AccessToken"].is_string());
    s.issuer.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failures_expiry_budgets_and_missing_triggers() {
    let s = start().await;
    let base = &s.base;
    let (pool, client) = (POOL, CLIENT);

    // failAuthentication at once, before any challenge.
    assert_eq!(initiate(base, client, "carol").await, Err(incorrect()));

    // Three wrong codes: the define trigger fails the sign-in.
    let mut c = initiate(base, client, "bob").await.unwrap();
    for _ in 0..2 {
        c = answer(base, client, &c, "000000").await.unwrap();
    }
    assert_eq!(answer(base, client, &c, "000000").await, Err(incorrect()));

    // An expired session (aged in the issuer's own file).
    let c = initiate(base, client, "bob").await.unwrap();
    let db = rusqlite::Connection::open(s.dir.path().join("issuer.sqlite3")).unwrap();
    let n = db
        .execute(
            "UPDATE auth_sessions SET expires_at = expires_at - 181 WHERE pool_id = ?1",
            [pool],
        )
        .unwrap();
    assert_eq!(n, 1);
    assert_eq!(
        answer(base, client, &c, &s.code_of("bob")).await,
        Err((
            "NotAuthorizedException".into(),
            "Invalid session for the user, session is expired.".into()
        ))
    );

    // Wrong codes count across sessions: 3 above + 2 more lock bob out,
    // and then even a new sign-in is refused before any trigger fires.
    let c = initiate(base, client, "bob").await.unwrap();
    let c = answer(base, client, &c, "000000").await.unwrap();
    assert!(answer(base, client, &c, "000000").await.is_ok());
    let locked = Err((
        "NotAuthorizedException".into(),
        "Password attempts exceeded".into(),
    ));
    // The first lockout lasts 1 s: should it be over already, one more
    // wrong code locks for 2 s, then 4 s.
    let mut refused = false;
    for _ in 0..3 {
        match initiate(base, client, "bob").await {
            r if r == locked => {
                refused = true;
                break;
            }
            Ok(c) => {
                let _ = answer(base, client, &c, "000000").await;
            }
            Err(e) => panic!("unexpected {e:?}"),
        }
    }
    assert!(refused, "five wrong codes lock the user out");

    // Unknown names: UserNotFoundException here ...
    assert_eq!(
        initiate(base, client, "nobody").await,
        Err((
            "UserNotFoundException".into(),
            "User does not exist.".into()
        ))
    );
    // ... and a challenge like any other where existence is hidden.
    let hiding = HIDING;
    let c = initiate(base, hiding, "nobody").await.unwrap();
    assert_eq!(c["ChallengeName"], "CUSTOM_CHALLENGE");
    assert_eq!(c["ChallengeParameters"]["USERNAME"], "nobody");
    let c = answer(base, hiding, &c, "123456").await.unwrap();
    assert_eq!(c["ChallengeName"], "CUSTOM_CHALLENGE");

    // No define auth challenge trigger: refused as AWS refuses it.
    let plain = PLAIN;
    assert_eq!(
        initiate(base, plain, "dave").await,
        Err((
            "InvalidParameterException".into(),
            "Custom auth lambda trigger is not configured for the user pool.".into()
        ))
    );
    s.issuer.shutdown().await.unwrap();
}
