//! The gatekeeper binary as a reverse proxy before real loopback upstreams
//! (a hyper echo server and Python's `http.server`), with tokens from the
//! test issuer.

use crate::common;

use std::time::Duration;

use cognito_test_support::test_issuer::TestIssuer;
use common::{Gatekeeper, config, echo_upstream};
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

async fn setup(extra: &str) -> (TestIssuer, Gatekeeper, reqwest::Client) {
    let issuer = TestIssuer::start().await;
    let echo = echo_upstream().await;
    let gk = Gatekeeper::start(&config(&issuer, echo, extra));
    let client = reqwest::Client::new();
    gk.wait_ready(&client).await;
    (issuer, gk, client)
}

async fn get(client: &reqwest::Client, url: String, token: Option<&str>) -> (u16, String) {
    let mut req = client.get(url);
    if let Some(token) = token {
        req = req.header("authorization", token);
    }
    let response = req.send().await.unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

#[tokio::test]
async fn presets_guards_and_mappings() {
    let (issuer, gk, client) = setup("").await;
    let id = issuer.mint(&issuer.id_claims(&["dev"]));
    let admin = issuer.mint(&issuer.id_claims(&["admin"]));

    // REST: no token, then an ID token with spoofed identity headers.
    assert_eq!(
        get(&client, gk.url("/me"), None).await,
        (401, r#"{"message":"Unauthorized"}"#.to_owned())
    );
    let response = client
        .get(gk.url("/me?x=1"))
        .header("authorization", &id)
        .header("x-user-sub", "evil")
        .header("x-user-email", "evil@example.com")
        .header("connection", "x-drop-me")
        .header("x-drop-me", "1")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert!(
        response.headers().get("x-upstream-private").is_none(),
        "hop-by-hop"
    );
    let seen: Value = response.json().await.unwrap();
    let h = &seen["headers"];
    assert_eq!(seen["path"], "/me?x=1");
    assert_eq!(
        h["x-user-sub"],
        serde_json::json!(["11111111-2222-3333-4444-555555555555"])
    );
    assert_eq!(h["x-user-email"], serde_json::json!(["alice@example.com"]));
    assert_eq!(h["x-user-groups"], serde_json::json!(["[dev]"]));
    assert_eq!(h["x-forwarded-for"], serde_json::json!(["127.0.0.1"]));
    assert_eq!(h["x-forwarded-proto"], serde_json::json!(["http"]));
    assert_eq!(
        h["x-forwarded-host"],
        serde_json::json!([gk.addr.to_string()])
    );
    assert!(h.get("x-drop-me").is_none() && h.get("connection").is_none());

    // REST rejects an access token on a method without scopes.
    let access = issuer.mint(&issuer.access_claims("openid", &[]));
    assert_eq!(get(&client, gk.url("/me"), Some(&access)).await.0, 401);

    // Guards: groups and owner (REST answers 403 with its body).
    let (status, body) = get(&client, gk.url("/admin/a/b"), Some(&id)).await;
    assert_eq!(
        (status, body.as_str()),
        (
            403,
            r#"{"message":"User is not authorized to access this resource"}"#
        )
    );
    assert_eq!(
        get(&client, gk.url("/admin/a/b"), Some(&admin)).await.0,
        200
    );
    let own = gk.url("/users/11111111-2222-3333-4444-555555555555");
    assert_eq!(get(&client, own, Some(&id)).await.0, 200);
    assert_eq!(
        get(&client, gk.url("/users/someone-else"), Some(&id))
            .await
            .0,
        403
    );

    // HTTP API preset: scopes, its 403 body, mapped claims in its format.
    let no_scope = issuer.mint(&issuer.access_claims("openid", &["a", "b"]));
    let (status, body) = get(
        &client,
        gk.url("/orders"),
        Some(&format!("Bearer {no_scope}")),
    )
    .await;
    assert_eq!((status, body.as_str()), (403, r#"{"message":"Forbidden"}"#));
    let scoped = issuer.mint(&issuer.access_claims("orders/read", &["a", "b"]));
    let (status, body) = get(&client, gk.url("/orders"), Some(&scoped)).await;
    assert_eq!(status, 200);
    let seen: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(
        seen["headers"]["x-user-groups"],
        serde_json::json!(["[a b]"])
    );

    // No route: REST's answer for the first route's preset.
    let (status, body) = get(&client, gk.url("/nowhere"), Some(&id)).await;
    assert_eq!(
        (status, body.as_str()),
        (403, r#"{"message":"Missing Authentication Token"}"#)
    );

    let metrics = get(&client, gk.url("/metrics"), None).await.1;
    assert!(metrics.contains("gatekeeper_decisions_total{outcome=\"allowed\",cause=\"\"}"));
    assert!(metrics.contains("cause=\"missing_group\""), "{metrics}");
    assert!(metrics.contains("gatekeeper_jwks_loaded{issuer="));
    assert!(metrics.contains("gatekeeper_upstream_responses_total{status=\"200\"}"));
}

#[tokio::test]
async fn upstream_down_and_slow_get_api_gateway_answers() {
    let (issuer, gk, client) = setup("").await;
    let id = issuer.mint(&issuer.id_claims(&[]));
    let (status, body) = get(&client, gk.url("/down"), Some(&id)).await;
    assert_eq!(
        (status, body.as_str()),
        (
            504,
            r#"{"message": "Network error communicating with endpoint"}"#
        )
    );
    let (status, body) = get(&client, gk.url("/slow"), None).await;
    assert_eq!(
        (status, body.as_str()),
        (504, r#"{"message": "Endpoint request timed out"}"#)
    );
    let metrics = get(&client, gk.url("/metrics"), None).await.1;
    assert!(metrics.contains("gatekeeper_upstream_responses_total{status=\"timeout\"} 1"));
    assert!(metrics.contains("gatekeeper_upstream_responses_total{status=\"failure\"} 1"));
}

/// 100 MB sent in 64 KiB writes over a raw socket reach the upstream whole;
/// the upstream counts the bytes frame by frame.
#[tokio::test]
async fn large_upload_is_streamed() {
    let (issuer, gk, _client) = setup("").await;
    let id = issuer.mint(&issuer.id_claims(&[]));
    const SIZE: usize = 100 * 1024 * 1024;
    let mut stream = tokio::net::TcpStream::connect(gk.addr).await.unwrap();
    let head = format!(
        "POST /upload HTTP/1.1\r\nhost: gk\r\nauthorization: {id}\r\ncontent-length: {SIZE}\r\nconnection: close\r\n\r\n"
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    let chunk = vec![b'x'; 64 * 1024];
    for _ in 0..SIZE / chunk.len() {
        stream.write_all(&chunk).await.unwrap();
    }
    let mut answer = String::new();
    stream.read_to_string(&mut answer).await.unwrap();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(
        answer.contains(&format!("\"body_bytes\":{SIZE}")),
        "{answer}"
    );
}

/// A non-Rust backend: Python's `http.server` serving a file.
#[tokio::test]
async fn python_backend() {
    let site = tempfile::tempdir().unwrap();
    std::fs::create_dir(site.path().join("static")).unwrap();
    std::fs::write(site.path().join("static/hello.txt"), "hello from python\n").unwrap();
    let port = common::closed_port();
    let mut python = std::process::Command::new("python3")
        .args([
            "-m",
            "http.server",
            "--bind",
            "127.0.0.1",
            &port.to_string(),
        ])
        .current_dir(site.path())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("python3 is needed for this test");
    let extra = format!(
        "\n[upstreams.py]\nurl = \"http://127.0.0.1:{port}\"\n\n[[routes]]\nroute = \"GET /static/{{proxy+}}\"\nauthorizer = \"rest\"\nupstream = \"py\"\n"
    );
    let (issuer, gk, client) = setup(&extra).await;
    let id = issuer.mint(&issuer.id_claims(&[]));
    let mut answer = (0, String::new());
    for _ in 0..100 {
        answer = get(&client, gk.url("/static/hello.txt"), Some(&id)).await;
        if answer.0 == 200 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(answer, (200, "hello from python\n".to_owned()));
    assert_eq!(get(&client, gk.url("/static/hello.txt"), None).await.0, 401);
    let _ = python.kill();
    let _ = python.wait();
}
