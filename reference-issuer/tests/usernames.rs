//! Username rules on creation over real HTTP: AWS's `Username` pattern
//! (no invisible format characters or separators), and no username in the
//! format of an alias attribute (email squatting).

use crate::common;

use cognito_issuer::{IssuerOptions, IssuerServer};
use common::{PASSWORD, call, ok};
use serde_json::json;

const PATTERN_ERROR: &str = "1 validation error detected: Value at 'username' failed to satisfy \
     constraint: Member must satisfy regular expression pattern: [\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}]+";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn usernames_follow_cognito_rules_on_sign_up_and_admin_create() {
    let dir = tempfile::tempdir().unwrap();
    let issuer = IssuerServer::start(IssuerOptions::new(dir.path()))
        .await
        .unwrap();
    let base = issuer.base_url().to_string();
    let pool = issuer.pool_id().to_string();
    let client = issuer.client_id().to_string();
    let sign_up = |name: &str| {
        json!({ "ClientId": client, "Username": name, "Password": PASSWORD,
                "UserAttributes": [{"Name": "email", "Value": "someone@example.com"}] })
    };
    let admin_create = |pool: &str, name: &str| json!({ "UserPoolId": pool, "Username": name, "MessageAction": "SUPPRESS" });

    // Invisible format characters, separators and controls.
    for bad in [
        "ali\u{200B}ce",
        "ali\u{2060}ce",
        "\u{202E}ecila",
        "al ice",
        "ali\u{00A0}ce",
        "ali\u{7}ce",
    ] {
        let want = (
            "InvalidParameterException".to_string(),
            PATTERN_ERROR.to_string(),
        );
        let e = call(&base, "SignUp", sign_up(bad)).await.unwrap_err();
        assert_eq!(e, want, "SignUp {bad:?}");
        let e = call(&base, "AdminCreateUser", admin_create(&pool, bad))
            .await
            .unwrap_err();
        assert_eq!(e, want, "AdminCreateUser {bad:?}");
    }
    // Letters, marks, symbols, numbers and punctuation of any script.
    for good in ["zoë_ü+1", "名前", "a\u{0301}-b.c", "x$y"] {
        ok(&base, "AdminCreateUser", admin_create(&pool, good)).await;
    }

    // The default pool signs in by email alias: an email-format username
    // would squat on someone's address.
    let squat = (
        "InvalidParameterException".to_string(),
        "Username cannot be of email format, since user pool is configured for email alias."
            .to_string(),
    );
    let e = call(&base, "SignUp", sign_up("victim@example.com"))
        .await
        .unwrap_err();
    assert_eq!(e, squat);
    let e = call(
        &base,
        "AdminCreateUser",
        admin_create(&pool, "victim@example.com"),
    )
    .await
    .unwrap_err();
    assert_eq!(e, squat);

    // Likewise a phone-number username in a pool with a phone alias; an
    // email is fine there.
    let phone_pool = ok(
        &base,
        "CreateUserPool",
        json!({ "PoolName": "phones", "AliasAttributes": ["phone_number"] }),
    )
    .await["UserPool"]["Id"]
        .as_str()
        .unwrap()
        .to_string();
    let e = call(
        &base,
        "AdminCreateUser",
        admin_create(&phone_pool, "+15555550100"),
    )
    .await
    .unwrap_err();
    assert_eq!(e.0, "InvalidParameterException");
    assert!(
        e.1.starts_with("Username cannot be of phone number format"),
        "{e:?}"
    );
    ok(
        &base,
        "AdminCreateUser",
        admin_create(&phone_pool, "carol@example.com"),
    )
    .await;
    issuer.shutdown().await.unwrap();
}
