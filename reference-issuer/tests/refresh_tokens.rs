//! Refresh tokens over real HTTP against the SQLite file: GetTokensFromRefreshToken
//! (client secrets, foreign, revoked and disabled-user refusals), refresh token
//! rotation (a new token with the old one's expiry, the grace period,
//! RefreshTokenReuseException, revocation of the whole sign-in), REFRESH_TOKEN_AUTH
//! refused on rotating clients, the OAuth2 refresh grant, and the
//! `RefreshTokenRotation` client setting (validation, echo, configuration file).

use crate::common;

use cognito_issuer::{IssuerConfig, IssuerOptions, IssuerServer, RunningIssuer};
use common::{call, claims, create_user, ok, sign_in};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

async fn start(dir: &std::path::Path) -> RunningIssuer {
    IssuerServer::start(IssuerOptions::new(dir)).await.unwrap()
}

/// Creates an app client with password sign-in; `extra` adds settings.
async fn client(base: &str, pool_id: &str, extra: Value) -> Value {
    let mut req = json!({
        "UserPoolId": pool_id,
        "ClientName": "app",
        "ExplicitAuthFlows": ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
    });
    for (k, v) in extra.as_object().unwrap() {
        req[k] = v.clone();
    }
    ok(base, "CreateUserPoolClient", req).await["UserPoolClient"].clone()
}

fn id_of(client: &Value) -> String {
    client["ClientId"].as_str().unwrap().to_string()
}

fn rotating(grace: i64) -> Value {
    json!({ "RefreshTokenRotation": { "Feature": "ENABLED", "RetryGracePeriodSeconds": grace } })
}

async fn get_tokens(base: &str, body: Value) -> Result<Value, (String, String)> {
    call(base, "GetTokensFromRefreshToken", body).await
}

/// GetTokensFromRefreshToken that must succeed; its AuthenticationResult.
async fn refreshed(base: &str, client_id: &str, token: &str) -> Value {
    let r = get_tokens(
        base,
        json!({ "ClientId": client_id, "RefreshToken": token }),
    )
    .await
    .unwrap_or_else(|e| panic!("refresh failed: {e:?}"));
    let members: Vec<&String> = r.as_object().unwrap().keys().collect();
    assert_eq!(members, ["AuthenticationResult"]);
    r["AuthenticationResult"].clone()
}

fn refused(kind: &str, message: &str) -> Result<Value, (String, String)> {
    Err((kind.to_string(), message.to_string()))
}

fn str_of<'a>(v: &'a Value, member: &str) -> &'a str {
    v[member].as_str().unwrap()
}

/// A token's stored expiry, read from the issuer's SQLite file.
fn stored_expiry(dir: &std::path::Path, token: &str) -> i64 {
    let conn = rusqlite::Connection::open_with_flags(
        dir.join("issuer.sqlite3"),
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
    )
    .unwrap();
    let hash: String = Sha256::digest(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    conn.query_row(
        "SELECT expires_at FROM refresh_tokens WHERE token_hash = ?1",
        [hash],
        |r| r.get(0),
    )
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_rotation_tokens_of_the_same_sign_in_and_no_refresh_token() {
    let dir = tempfile::tempdir().unwrap();
    let issuer = start(dir.path()).await;
    let base = issuer.base_url().to_string();
    let pool = issuer.pool_id().to_string();
    let app = client(&base, &pool, json!({})).await;
    assert_eq!(
        app["RefreshTokenRotation"],
        json!({ "Feature": "DISABLED", "RetryGracePeriodSeconds": 0 })
    );
    let cid = id_of(&app);
    create_user(&base, &pool, "alice", "alice@example.com").await;
    let signed_in = sign_in(&base, &cid, "alice").await;
    let refresh = str_of(&signed_in, "RefreshToken");
    let first = claims(str_of(&signed_in, "AccessToken"));

    for _ in 0..2 {
        let r = refreshed(&base, &cid, refresh).await;
        let mut members: Vec<&String> = r.as_object().unwrap().keys().collect();
        members.sort();
        assert_eq!(
            members,
            ["AccessToken", "ExpiresIn", "IdToken", "TokenType"]
        );
        assert_eq!(
            (r["TokenType"].clone(), r["ExpiresIn"].clone()),
            (json!("Bearer"), json!(3600))
        );
        let access = claims(str_of(&r, "AccessToken"));
        let id = claims(str_of(&r, "IdToken"));
        assert_eq!(access["token_use"], "access");
        assert_eq!(id["token_use"], "id");
        assert_eq!(id["cognito:username"], "alice");
        for c in [&access, &id] {
            assert_eq!(c["origin_jti"], first["origin_jti"]);
            assert_eq!(c["auth_time"], first["auth_time"]);
        }
        assert_ne!(access["jti"], first["jti"]);
    }
    issuer.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn client_secret_must_be_sent_as_client_secret() {
    let dir = tempfile::tempdir().unwrap();
    let issuer = start(dir.path()).await;
    let base = issuer.base_url().to_string();
    let pool = issuer.pool_id().to_string();
    let app = client(
        &base,
        &pool,
        json!({ "GenerateSecret": true,
                "ExplicitAuthFlows": ["ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"] }),
    )
    .await;
    let cid = id_of(&app);
    let secret = str_of(&app, "ClientSecret").to_string();
    create_user(&base, &pool, "alice", "alice@example.com").await;
    let r = ok(
        &base,
        "AdminInitiateAuth",
        json!({ "UserPoolId": pool, "ClientId": cid, "AuthFlow": "ADMIN_USER_PASSWORD_AUTH",
                "AuthParameters": { "USERNAME": "alice", "PASSWORD": common::PASSWORD,
                    "SECRET_HASH": cognito_issuer::secret_hash(&secret, "alice", &cid) } }),
    )
    .await;
    let refresh = r["AuthenticationResult"]["RefreshToken"].clone();

    let message =
        format!("Client {cid} is configured with secret but no valid ClientSecret was received");
    let missing = get_tokens(&base, json!({ "ClientId": cid, "RefreshToken": refresh })).await;
    assert_eq!(missing, refused("NotAuthorizedException", &message));
    let wrong = get_tokens(
        &base,
        json!({ "ClientId": cid, "RefreshToken": refresh, "ClientSecret": format!("{secret}x") }),
    )
    .await;
    assert_eq!(wrong, refused("NotAuthorizedException", &message));
    // A SECRET_HASH is no client secret.
    let hash = cognito_issuer::secret_hash(&secret, "alice", &cid);
    let as_hash = get_tokens(
        &base,
        json!({ "ClientId": cid, "RefreshToken": refresh, "ClientSecret": hash }),
    )
    .await;
    assert_eq!(as_hash, refused("NotAuthorizedException", &message));
    let right = get_tokens(
        &base,
        json!({ "ClientId": cid, "RefreshToken": refresh, "ClientSecret": secret,
                "ClientMetadata": { "source": "test" } }),
    )
    .await
    .unwrap();
    assert_eq!(
        claims(str_of(&right["AuthenticationResult"], "IdToken"))["aud"],
        json!(cid)
    );
    issuer.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invalid_foreign_revoked_and_disabled_are_not_authorized() {
    let dir = tempfile::tempdir().unwrap();
    let issuer = start(dir.path()).await;
    let base = issuer.base_url().to_string();
    let pool = issuer.pool_id().to_string();
    let a = id_of(&client(&base, &pool, json!({})).await);
    let b = id_of(&client(&base, &pool, json!({})).await);
    create_user(&base, &pool, "alice", "alice@example.com").await;
    create_user(&base, &pool, "bob", "bob@example.com").await;

    let invalid = refused("NotAuthorizedException", "Invalid Refresh Token.");
    let r = get_tokens(
        &base,
        json!({ "ClientId": a, "RefreshToken": "not-a-token" }),
    )
    .await;
    assert_eq!(r, invalid);
    let s1 = sign_in(&base, &a, "alice").await;
    let r = get_tokens(
        &base,
        json!({ "ClientId": b, "RefreshToken": s1["RefreshToken"] }),
    )
    .await;
    assert_eq!(r, invalid);
    let r = get_tokens(
        &base,
        json!({ "ClientId": "nosuchclient0000000000000", "RefreshToken": s1["RefreshToken"] }),
    )
    .await;
    assert_eq!(r.unwrap_err().0, "ResourceNotFoundException");
    let r = get_tokens(&base, json!({ "ClientId": a })).await;
    assert_eq!(
        r,
        refused(
            "InvalidParameterException",
            "1 validation error detected: Value null at 'refreshToken' failed to satisfy \
             constraint: Member must not be null"
        )
    );

    // RevokeToken ends one sign-in; another sign-in of the user still works.
    let s2 = sign_in(&base, &a, "alice").await;
    ok(
        &base,
        "RevokeToken",
        json!({ "ClientId": a, "Token": s1["RefreshToken"] }),
    )
    .await;
    let revoked = refused("NotAuthorizedException", "Refresh Token has been revoked");
    let r = get_tokens(
        &base,
        json!({ "ClientId": a, "RefreshToken": s1["RefreshToken"] }),
    )
    .await;
    assert_eq!(r, revoked);
    refreshed(&base, &a, str_of(&s2, "RefreshToken")).await;
    // GlobalSignOut ends them all.
    ok(
        &base,
        "GlobalSignOut",
        json!({ "AccessToken": s2["AccessToken"] }),
    )
    .await;
    let r = get_tokens(
        &base,
        json!({ "ClientId": a, "RefreshToken": s2["RefreshToken"] }),
    )
    .await;
    assert_eq!(r, revoked);

    let s3 = sign_in(&base, &a, "bob").await;
    ok(
        &base,
        "AdminDisableUser",
        json!({ "UserPoolId": pool, "Username": "bob" }),
    )
    .await;
    let r = get_tokens(
        &base,
        json!({ "ClientId": a, "RefreshToken": s3["RefreshToken"] }),
    )
    .await;
    assert_eq!(r, refused("NotAuthorizedException", "User is disabled."));
    // Disabling also revoked the user's sign-ins: enabled again, the old
    // token stays revoked; a new sign-in refreshes.
    ok(
        &base,
        "AdminEnableUser",
        json!({ "UserPoolId": pool, "Username": "bob" }),
    )
    .await;
    let r = get_tokens(
        &base,
        json!({ "ClientId": a, "RefreshToken": s3["RefreshToken"] }),
    )
    .await;
    assert_eq!(r, revoked);
    let s4 = sign_in(&base, &a, "bob").await;
    refreshed(&base, &a, str_of(&s4, "RefreshToken")).await;
    issuer.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rotation_returns_a_new_token_with_the_same_expiry_and_a_grace_period() {
    let dir = tempfile::tempdir().unwrap();
    let issuer = start(dir.path()).await;
    let base = issuer.base_url().to_string();
    let pool = issuer.pool_id().to_string();
    let cid = id_of(&client(&base, &pool, rotating(60)).await);
    create_user(&base, &pool, "alice", "alice@example.com").await;
    let s = sign_in(&base, &cid, "alice").await;
    let r0 = str_of(&s, "RefreshToken").to_string();
    let origin = claims(str_of(&s, "AccessToken"))["origin_jti"].clone();
    let expiry = stored_expiry(dir.path(), &r0);

    let first = refreshed(&base, &cid, &r0).await;
    let mut members: Vec<&String> = first.as_object().unwrap().keys().collect();
    members.sort();
    assert_eq!(
        members,
        [
            "AccessToken",
            "ExpiresIn",
            "IdToken",
            "RefreshToken",
            "TokenType"
        ]
    );
    let r1 = str_of(&first, "RefreshToken").to_string();
    assert_ne!(r1, r0);
    assert_eq!(stored_expiry(dir.path(), &r1), expiry);
    assert_eq!(claims(str_of(&first, "AccessToken"))["origin_jti"], origin);

    // Within the grace period the old token still works (a client retry):
    // it gets yet another new token of the same sign-in, same expiry.
    let retry = refreshed(&base, &cid, &r0).await;
    let r1b = str_of(&retry, "RefreshToken").to_string();
    assert!(r1b != r0 && r1b != r1);
    assert_eq!(stored_expiry(dir.path(), &r1b), expiry);
    assert_eq!(claims(str_of(&retry, "IdToken"))["origin_jti"], origin);

    // The new token rotates in turn.
    let second = refreshed(&base, &cid, &r1).await;
    let r2 = str_of(&second, "RefreshToken").to_string();
    assert_eq!(stored_expiry(dir.path(), &r2), expiry);
    refreshed(&base, &cid, &r2).await;
    issuer.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rotated_out_token_after_its_grace_period_is_reuse() {
    let dir = tempfile::tempdir().unwrap();
    let issuer = start(dir.path()).await;
    let base = issuer.base_url().to_string();
    let pool = issuer.pool_id().to_string();
    let no_grace = id_of(&client(&base, &pool, rotating(0)).await);
    let one_second = id_of(&client(&base, &pool, rotating(1)).await);
    create_user(&base, &pool, "alice", "alice@example.com").await;

    let reuse = refused(
        "RefreshTokenReuseException",
        "Refresh Token has been rotated and is no longer valid",
    );
    let s = sign_in(&base, &no_grace, "alice").await;
    let r0 = str_of(&s, "RefreshToken").to_string();
    let r1 = str_of(&refreshed(&base, &no_grace, &r0).await, "RefreshToken").to_string();
    let again = get_tokens(&base, json!({ "ClientId": no_grace, "RefreshToken": r0 })).await;
    assert_eq!(again, reuse);
    // The refusal does not end the sign-in: its current token works.
    refreshed(&base, &no_grace, &r1).await;

    let s = sign_in(&base, &one_second, "alice").await;
    let r0 = str_of(&s, "RefreshToken").to_string();
    refreshed(&base, &one_second, &r0).await;
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let late = get_tokens(&base, json!({ "ClientId": one_second, "RefreshToken": r0 })).await;
    assert_eq!(late, reuse);
    issuer.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refresh_token_auth_is_refused_on_rotating_clients() {
    let dir = tempfile::tempdir().unwrap();
    let issuer = start(dir.path()).await;
    let base = issuer.base_url().to_string();
    let pool = issuer.pool_id().to_string();
    let rot = id_of(&client(&base, &pool, rotating(10)).await);
    let plain = id_of(&client(&base, &pool, json!({})).await);
    create_user(&base, &pool, "alice", "alice@example.com").await;

    let s = sign_in(&base, &rot, "alice").await;
    let r = call(
        &base,
        "InitiateAuth",
        json!({ "ClientId": rot, "AuthFlow": "REFRESH_TOKEN_AUTH",
                "AuthParameters": { "REFRESH_TOKEN": s["RefreshToken"] } }),
    )
    .await;
    assert_eq!(
        r,
        refused(
            "InvalidParameterException",
            "REFRESH_TOKEN_AUTH flow not enabled for this client"
        )
    );
    // Without rotation it works and returns no refresh token.
    let s = sign_in(&base, &plain, "alice").await;
    let r = ok(
        &base,
        "InitiateAuth",
        json!({ "ClientId": plain, "AuthFlow": "REFRESH_TOKEN_AUTH",
                "AuthParameters": { "REFRESH_TOKEN": s["RefreshToken"] } }),
    )
    .await;
    assert!(r["AuthenticationResult"].get("RefreshToken").is_none());
    assert!(r["AuthenticationResult"]["AccessToken"].is_string());
    issuer.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn revocation_covers_every_token_of_a_rotated_sign_in() {
    let dir = tempfile::tempdir().unwrap();
    let issuer = start(dir.path()).await;
    let base = issuer.base_url().to_string();
    let pool = issuer.pool_id().to_string();
    let cid = id_of(&client(&base, &pool, rotating(60)).await);
    create_user(&base, &pool, "alice", "alice@example.com").await;
    let revoked = refused("NotAuthorizedException", "Refresh Token has been revoked");
    let access_revoked = refused("NotAuthorizedException", "Access Token has been revoked");

    // Revoking the newest token ends the old one (still in its grace period)
    // and the access tokens of before and after the rotation.
    let s = sign_in(&base, &cid, "alice").await;
    let r0 = str_of(&s, "RefreshToken").to_string();
    let t1 = refreshed(&base, &cid, &r0).await;
    ok(
        &base,
        "RevokeToken",
        json!({ "ClientId": cid, "Token": t1["RefreshToken"] }),
    )
    .await;
    let r = get_tokens(&base, json!({ "ClientId": cid, "RefreshToken": r0 })).await;
    assert_eq!(r, revoked);
    for access in [&s["AccessToken"], &t1["AccessToken"]] {
        let r = call(&base, "GetUser", json!({ "AccessToken": access })).await;
        assert_eq!(r, access_revoked);
    }

    // Revoking the rotated-out token ends its successor too.
    let s = sign_in(&base, &cid, "alice").await;
    let r0 = str_of(&s, "RefreshToken").to_string();
    let t1 = refreshed(&base, &cid, &r0).await;
    ok(
        &base,
        "RevokeToken",
        json!({ "ClientId": cid, "Token": r0 }),
    )
    .await;
    let r = get_tokens(
        &base,
        json!({ "ClientId": cid, "RefreshToken": t1["RefreshToken"] }),
    )
    .await;
    assert_eq!(r, revoked);

    // GlobalSignOut ends rotated sign-ins.
    let s = sign_in(&base, &cid, "alice").await;
    let t1 = refreshed(&base, &cid, str_of(&s, "RefreshToken")).await;
    ok(
        &base,
        "GlobalSignOut",
        json!({ "AccessToken": t1["AccessToken"] }),
    )
    .await;
    let r = get_tokens(
        &base,
        json!({ "ClientId": cid, "RefreshToken": t1["RefreshToken"] }),
    )
    .await;
    assert_eq!(r, revoked);
    issuer.shutdown().await.unwrap();
}

async fn token_grant(base: &str, client_id: &str, refresh: &str) -> (u16, Value) {
    let body = format!(
        "grant_type=refresh_token&client_id={client_id}&refresh_token={}",
        refresh
            .replace('+', "%2B")
            .replace('/', "%2F")
            .replace('=', "%3D")
    );
    let resp = reqwest::Client::new()
        .post(format!("{base}/oauth2/token"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .unwrap();
    let status = resp.status().as_u16();
    (status, resp.json().await.unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oauth_refresh_grant_rotates_like_get_tokens() {
    let dir = tempfile::tempdir().unwrap();
    let issuer = start(dir.path()).await;
    let base = issuer.base_url().to_string();
    let pool = issuer.pool_id().to_string();
    let rot = id_of(&client(&base, &pool, rotating(0)).await);
    let plain = id_of(&client(&base, &pool, json!({})).await);
    create_user(&base, &pool, "alice", "alice@example.com").await;

    let s = sign_in(&base, &rot, "alice").await;
    let r0 = str_of(&s, "RefreshToken").to_string();
    let (status, v) = token_grant(&base, &rot, &r0).await;
    assert_eq!(status, 200, "{v}");
    let r1 = str_of(&v, "refresh_token").to_string();
    assert_ne!(r1, r0);
    assert_eq!(
        stored_expiry(dir.path(), &r1),
        stored_expiry(dir.path(), &r0)
    );
    assert_eq!(v["token_type"], "Bearer");
    assert_eq!(
        claims(str_of(&v, "id_token"))["origin_jti"],
        claims(str_of(&s, "IdToken"))["origin_jti"]
    );
    let (status, v) = token_grant(&base, &rot, &r0).await;
    assert_eq!((status, v["error"].clone()), (400, json!("invalid_grant")));
    // The rotated token also works through GetTokensFromRefreshToken.
    refreshed(&base, &rot, &r1).await;

    let s = sign_in(&base, &plain, "alice").await;
    let (status, v) = token_grant(&base, &plain, str_of(&s, "RefreshToken")).await;
    assert_eq!(status, 200, "{v}");
    assert!(v.get("refresh_token").is_none() && v["access_token"].is_string());
    issuer.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rotation_setting_is_validated_echoed_and_configurable() {
    let dir = tempfile::tempdir().unwrap();
    let mut opts = IssuerOptions::new(dir.path());
    opts.config = Some(
        IssuerConfig::from_toml_str(
            r#"
[[pools]]
name = "rot"
id = "us-east-1_RotPool01"

[[pools.clients]]
name = "spa"
id = "rotclient00000000000000001"
explicit_auth_flows = ["ALLOW_USER_SRP_AUTH"]
refresh_token_rotation = true
refresh_token_grace_seconds = 5
"#,
        )
        .unwrap(),
    );
    let issuer = IssuerServer::start(opts).await.unwrap();
    let base = issuer.base_url().to_string();
    let configured = ok(
        &base,
        "DescribeUserPoolClient",
        json!({ "UserPoolId": "us-east-1_RotPool01", "ClientId": "rotclient00000000000000001" }),
    )
    .await;
    assert_eq!(
        configured["UserPoolClient"]["RefreshTokenRotation"],
        json!({ "Feature": "ENABLED", "RetryGracePeriodSeconds": 5 })
    );

    let pool = "us-east-1_RotPool01";
    let app = client(
        &base,
        pool,
        json!({ "RefreshTokenRotation": { "Feature": "ENABLED" } }),
    )
    .await;
    assert_eq!(
        app["RefreshTokenRotation"],
        json!({ "Feature": "ENABLED", "RetryGracePeriodSeconds": 0 })
    );
    let cid = id_of(&app);
    let updated = ok(
        &base,
        "UpdateUserPoolClient",
        json!({ "UserPoolId": pool, "ClientId": cid,
                "RefreshTokenRotation": { "Feature": "ENABLED", "RetryGracePeriodSeconds": 60 } }),
    )
    .await;
    assert_eq!(
        updated["UserPoolClient"]["RefreshTokenRotation"],
        json!({ "Feature": "ENABLED", "RetryGracePeriodSeconds": 60 })
    );
    let described = ok(
        &base,
        "DescribeUserPoolClient",
        json!({ "UserPoolId": pool, "ClientId": cid }),
    )
    .await;
    assert_eq!(
        described["UserPoolClient"]["RefreshTokenRotation"],
        updated["UserPoolClient"]["RefreshTokenRotation"]
    );
    // Like every setting, an update without it reverts to the default.
    let reverted = ok(
        &base,
        "UpdateUserPoolClient",
        json!({ "UserPoolId": pool, "ClientId": cid }),
    )
    .await;
    assert_eq!(
        reverted["UserPoolClient"]["RefreshTokenRotation"],
        json!({ "Feature": "DISABLED", "RetryGracePeriodSeconds": 0 })
    );

    let cases = [
        (
            json!({ "Feature": "ENABLED", "RetryGracePeriodSeconds": 61 }),
            "1 validation error detected: Value '61' at 'refreshTokenRotation.retryGracePeriodSeconds' \
             failed to satisfy constraint: Member must have value less than or equal to 60",
        ),
        (
            json!({ "Feature": "ENABLED", "RetryGracePeriodSeconds": -1 }),
            "1 validation error detected: Value '-1' at 'refreshTokenRotation.retryGracePeriodSeconds' \
             failed to satisfy constraint: Member must have value greater than or equal to 0",
        ),
        (
            json!({ "Feature": "ON" }),
            "1 validation error detected: Value 'ON' at 'refreshTokenRotation.feature' failed to \
             satisfy constraint: Member must satisfy enum value set: [ENABLED, DISABLED]",
        ),
        (
            json!({ "RetryGracePeriodSeconds": 10 }),
            "1 validation error detected: Value null at 'refreshTokenRotation.feature' failed to \
             satisfy constraint: Member must not be null",
        ),
    ];
    for (rotation, message) in cases {
        let r = call(
            &base,
            "CreateUserPoolClient",
            json!({ "UserPoolId": pool, "ClientName": "bad", "RefreshTokenRotation": rotation }),
        )
        .await;
        assert_eq!(
            r,
            refused("InvalidParameterException", message),
            "{rotation}"
        );
    }
    issuer.shutdown().await.unwrap();
}
