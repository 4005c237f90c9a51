//! Helpers for the integration tests: a minimal client for the issuer's JSON
//! API over real HTTP.

#![allow(dead_code)]

use serde_json::{Value, json};

/// A password that satisfies the default policy.
pub(crate) const PASSWORD: &str = "Corr3ct-Horse!";

/// Calls an operation; `Err((type, message))` for AWS-shaped errors.
pub(crate) async fn call(base: &str, op: &str, body: Value) -> Result<Value, (String, String)> {
    let resp = reqwest::Client::new()
        .post(format!("{base}/"))
        .header("content-type", "application/x-amz-json-1.1")
        .header(
            "x-amz-target",
            format!("AWSCognitoIdentityProviderService.{op}"),
        )
        .body(body.to_string())
        .send()
        .await
        .expect("request reaches the issuer");
    let status = resp.status();
    let v: Value = resp.json().await.expect("JSON body");
    if status.is_success() {
        Ok(v)
    } else {
        assert_eq!(status.as_u16(), 400, "unexpected status for {op}: {v}");
        Err((
            v["__type"].as_str().unwrap_or_default().to_string(),
            v["message"].as_str().unwrap_or_default().to_string(),
        ))
    }
}

/// Calls an operation that must succeed.
pub(crate) async fn ok(base: &str, op: &str, body: Value) -> Value {
    match call(base, op, body).await {
        Ok(v) => v,
        Err(e) => panic!("{op} failed: {e:?}"),
    }
}

/// Creates a confirmed user with [`PASSWORD`] through the admin API.
pub(crate) async fn create_user(base: &str, pool_id: &str, username: &str, email: &str) {
    ok(
        base,
        "AdminCreateUser",
        json!({ "UserPoolId": pool_id, "Username": username, "MessageAction": "SUPPRESS",
                "UserAttributes": [{"Name": "email", "Value": email},
                                   {"Name": "email_verified", "Value": "true"}] }),
    )
    .await;
    ok(
        base,
        "AdminSetUserPassword",
        json!({ "UserPoolId": pool_id, "Username": username, "Password": PASSWORD, "Permanent": true }),
    )
    .await;
}

/// Signs in with USER_PASSWORD_AUTH; returns the AuthenticationResult.
pub(crate) async fn sign_in(base: &str, client_id: &str, username: &str) -> Value {
    let r = ok(
        base,
        "InitiateAuth",
        json!({ "ClientId": client_id, "AuthFlow": "USER_PASSWORD_AUTH",
                "AuthParameters": { "USERNAME": username, "PASSWORD": PASSWORD } }),
    )
    .await;
    r["AuthenticationResult"].clone()
}

/// Decodes a JWT's payload without verifying it.
pub(crate) fn claims(jwt: &str) -> Value {
    use base64::Engine;
    let payload = jwt.split('.').nth(1).expect("three parts");
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .expect("base64url");
    serde_json::from_slice(&bytes).expect("JSON claims")
}

/// Decodes a JWT's header.
pub(crate) fn header(jwt: &str) -> Value {
    use base64::Engine;
    let h = jwt.split('.').next().expect("header");
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(h)
        .expect("base64url");
    serde_json::from_slice(&bytes).expect("JSON header")
}
