//! Keys, pools and users survive a restart; an acknowledged sign-up survives
//! `kill -9` of the server process.

use crate::common;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use cognito_issuer::{IssuerConfig, IssuerOptions, IssuerServer};
use common::{PASSWORD, call, create_user, header, ok, sign_in};
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keys_pools_and_users_survive_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let first = IssuerServer::start(IssuerOptions::new(dir.path()))
        .await
        .unwrap();
    let base = first.base_url().to_string();
    let (pool_id, client_id) = (first.pool_id().to_string(), first.client_id().to_string());
    create_user(&base, &pool_id, "carol", "carol@example.com").await;
    let tokens = sign_in(&base, &client_id, "carol").await;
    let jwks_before: serde_json::Value = reqwest::get(first.jwks_url())
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    first.shutdown().await.unwrap();

    let second = IssuerServer::start(IssuerOptions::new(dir.path()))
        .await
        .unwrap();
    let base = second.base_url().to_string();
    assert_eq!(second.pool_id(), pool_id, "the default pool is reused");
    assert_eq!(second.client_id(), client_id);
    let jwks_after: serde_json::Value = reqwest::get(second.jwks_url())
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(jwks_before, jwks_after, "keys are persisted");
    let user = ok(
        &base,
        "AdminGetUser",
        json!({ "UserPoolId": pool_id, "Username": "carol" }),
    )
    .await;
    assert_eq!(user["UserStatus"], "CONFIRMED");
    // The refresh token issued before the restart still works.
    let r = ok(
        &base,
        "InitiateAuth",
        json!({ "ClientId": client_id, "AuthFlow": "REFRESH_TOKEN_AUTH",
                "AuthParameters": { "REFRESH_TOKEN": tokens["RefreshToken"] } }),
    )
    .await;
    assert_eq!(
        header(r["AuthenticationResult"]["IdToken"].as_str().unwrap())["kid"],
        header(tokens["IdToken"].as_str().unwrap())["kid"]
    );
    let again = sign_in(&base, &client_id, "carol").await;
    assert!(again["AccessToken"].is_string());
    // The in-process API gives the same answers as HTTP.
    let in_process = second
        .call(
            "AdminGetUser",
            json!({ "UserPoolId": pool_id, "Username": "carol" }),
        )
        .await
        .unwrap();
    assert_eq!(in_process["Username"], "carol");
    let err = second
        .call(
            "AdminGetUser",
            json!({ "UserPoolId": pool_id, "Username": "nobody" }),
        )
        .await
        .unwrap_err();
    assert_eq!(err.type_name, "UserNotFoundException");
    second.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn applying_the_same_config_twice_changes_nothing() {
    let config = r#"
[[pools]]
name = "configured"
id = "us-west-2_Configured1"
alias_attributes = ["email"]
custom_attributes = ["tenant"]
[pools.password_policy]
minimum_length = 12
require_symbols = false

[[pools.clients]]
name = "server"
id = "configuredserverclient01"
secret = "a-fixed-secret-for-tests"
explicit_auth_flows = ["ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
access_token_validity_minutes = 15

[[pools.clients]]
name = "spa"

[[pools.groups]]
name = "staff"
description = "Staff"
precedence = 3

[[pools.resource_servers]]
identifier = "https://api.example.com"
name = "api"
scopes = [{ name = "read", description = "Read" }]

[[pools.users]]
username = "dana"
password = "Long-enough-pass1"
attributes = { email = "dana@example.com", email_verified = "true", tenant = "acme" }
groups = ["staff"]
"#;
    let dir = tempfile::tempdir().unwrap();
    let cfg = IssuerConfig::from_toml_str(config).unwrap();
    let mut snapshots = Vec::new();
    for _ in 0..2 {
        let mut opts = IssuerOptions::new(dir.path());
        opts.config = Some(cfg.clone());
        let issuer = IssuerServer::start(opts).await.unwrap();
        let base = issuer.base_url().to_string();
        assert_eq!(issuer.pool_id(), "us-west-2_Configured1");
        assert_eq!(issuer.client_id(), "configuredserverclient01");
        let pool = ok(
            &base,
            "DescribeUserPool",
            json!({ "UserPoolId": "us-west-2_Configured1" }),
        )
        .await;
        let clients = ok(
            &base,
            "ListUserPoolClients",
            json!({ "UserPoolId": "us-west-2_Configured1" }),
        )
        .await;
        let mut described = Vec::new();
        for c in clients["UserPoolClients"].as_array().unwrap() {
            described.push(
                ok(
                    &base,
                    "DescribeUserPoolClient",
                    json!({ "UserPoolId": "us-west-2_Configured1", "ClientId": c["ClientId"] }),
                )
                .await,
            );
        }
        let user = ok(
            &base,
            "AdminGetUser",
            json!({ "UserPoolId": "us-west-2_Configured1", "Username": "dana" }),
        )
        .await;
        let groups = ok(
            &base,
            "ListGroups",
            json!({ "UserPoolId": "us-west-2_Configured1" }),
        )
        .await;
        let servers = ok(
            &base,
            "ListResourceServers",
            json!({ "UserPoolId": "us-west-2_Configured1", "MaxResults": 10 }),
        )
        .await;
        let users = ok(
            &base,
            "ListUsers",
            json!({ "UserPoolId": "us-west-2_Configured1" }),
        )
        .await;
        snapshots.push(json!([pool, described, user, groups, servers, users]));
        // The seeded user can sign in through the confidential client.
        let secret_hash = cognito_issuer::secret_hash(
            "a-fixed-secret-for-tests",
            "dana",
            "configuredserverclient01",
        );
        let r = ok(
            &base,
            "AdminInitiateAuth",
            json!({ "UserPoolId": "us-west-2_Configured1", "ClientId": "configuredserverclient01",
                    "AuthFlow": "ADMIN_USER_PASSWORD_AUTH",
                    "AuthParameters": { "USERNAME": "dana", "PASSWORD": "Long-enough-pass1", "SECRET_HASH": secret_hash } }),
        )
        .await;
        let idc = common::claims(r["AuthenticationResult"]["IdToken"].as_str().unwrap());
        assert_eq!(idc["custom:tenant"], "acme");
        assert_eq!(idc["cognito:groups"], json!(["staff"]));
        let access = common::claims(r["AuthenticationResult"]["AccessToken"].as_str().unwrap());
        assert_eq!(
            access["exp"].as_i64().unwrap() - access["iat"].as_i64().unwrap(),
            900
        );
        issuer.shutdown().await.unwrap();
    }
    assert_eq!(
        snapshots[0], snapshots[1],
        "a second apply changed something"
    );
    // Policy from the config is enforced.
    let opts = IssuerOptions::new(dir.path());
    let issuer = IssuerServer::start(opts).await.unwrap();
    let e = call(issuer.base_url(), "AdminSetUserPassword",
                 json!({ "UserPoolId": "us-west-2_Configured1", "Username": "dana", "Password": "Short1!", "Permanent": true }))
        .await
        .unwrap_err();
    assert_eq!(e.0, "InvalidPasswordException");
    issuer.shutdown().await.unwrap();
}

/// Starts the binary, returns the child and its base URL.
fn spawn_binary(data_dir: &std::path::Path) -> (std::process::Child, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_cognito-issuer"))
        .args(["--bind", "127.0.0.1:0", "--data-dir"])
        .arg(data_dir)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn cognito-issuer");
    let stdout = child.stdout.take().unwrap();
    let mut lines = BufReader::new(stdout).lines();
    let url = loop {
        let line = lines.next().expect("issuer printed its address").unwrap();
        if let Some(u) = line.strip_prefix("cognito-issuer listening on ") {
            break u.trim().to_string();
        }
    };
    // Drain the rest so the child never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines {});
    (child, url)
}

async fn default_ids(base: &str) -> (String, String) {
    let pools: serde_json::Value = reqwest::get(format!("{base}/_issuer/pools"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let p = &pools["pools"][0];
    (
        p["pool_id"].as_str().unwrap().to_string(),
        p["clients"][0]["client_id"].as_str().unwrap().to_string(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_acknowledged_sign_up_survives_kill_9() {
    let dir = tempfile::tempdir().unwrap();
    let (mut child, base) = spawn_binary(dir.path());
    let (pool_id, client_id) = default_ids(&base).await;
    let r = ok(
        &base,
        "SignUp",
        json!({ "ClientId": client_id, "Username": "erin", "Password": PASSWORD,
                "UserAttributes": [{"Name": "email", "Value": "erin@example.com"}] }),
    )
    .await;
    let sub = r["UserSub"].as_str().unwrap().to_string();
    // SIGKILL right after the acknowledgement: no graceful shutdown.
    child.kill().unwrap();
    child.wait().unwrap();

    let (mut child, base) = spawn_binary(dir.path());
    let user = ok(
        &base,
        "AdminGetUser",
        json!({ "UserPoolId": pool_id, "Username": "erin" }),
    )
    .await;
    assert_eq!(user["UserStatus"], "UNCONFIRMED");
    let attrs: Vec<_> = user["UserAttributes"].as_array().unwrap().clone();
    assert!(attrs.contains(&json!({"Name": "sub", "Value": sub})));
    // The confirmation code sent before the crash is still valid.
    let outbox: serde_json::Value = reqwest::get(format!(
        "{base}/_issuer/outbox?pool={pool_id}&username=erin"
    ))
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    let code = outbox["messages"][0]["code"].as_str().unwrap().to_string();
    ok(
        &base,
        "ConfirmSignUp",
        json!({ "ClientId": client_id, "Username": "erin", "ConfirmationCode": code }),
    )
    .await;
    assert!(sign_in(&base, &client_id, "erin").await["IdToken"].is_string());
    child.kill().unwrap();
    child.wait().unwrap();
}
