//! The HTTP edge against the real server on loopback: Host checks (DNS
//! rebinding), cross-site refusal on `/_issuer/*`, IPv4-mapped loopback
//! clients of a `[::]` listener, the body limit and Content-Type of the
//! JSON API, and slow clients (header-read timeout, connection cap).

use std::time::Duration;

use cognito_issuer::{IssuerOptions, IssuerServer, RunningIssuer, ServerLimits};
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

async fn start(dir: &std::path::Path) -> RunningIssuer {
    IssuerServer::start(IssuerOptions::new(dir))
        .await
        .expect("issuer starts")
}

async fn status_of(req: reqwest::RequestBuilder) -> (u16, Value) {
    let resp = req.send().await.expect("request reaches the issuer");
    let status = resp.status().as_u16();
    (status, resp.json().await.unwrap_or(Value::Null))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn foreign_host_names_are_misdirected() {
    let dir = tempfile::tempdir().unwrap();
    let issuer = start(dir.path()).await;
    let port = issuer.local_addr().port();
    let http = reqwest::Client::new();
    let pools = format!("{}/_issuer/pools", issuer.base_url());

    // A page on attacker.example whose name now resolves to 127.0.0.1.
    let (status, _) = status_of(
        http.get(&pools)
            .header("host", format!("attacker.example:{port}")),
    )
    .await;
    assert_eq!(status, 421);
    let (status, _) = status_of(
        http.post(format!("{}/", issuer.base_url()))
            .header("host", format!("attacker.example:{port}"))
            .header("content-type", "application/x-amz-json-1.1")
            .header(
                "x-amz-target",
                "AWSCognitoIdentityProviderService.ListUserPools",
            )
            .body(r#"{"MaxResults": 10}"#),
    )
    .await;
    assert_eq!(status, 421);

    for ok in [format!("localhost:{port}"), format!("127.0.0.1:{port}")] {
        let (status, body) = status_of(http.get(&pools).header("host", ok.as_str())).await;
        assert_eq!(status, 200, "{ok}: {body}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admin_endpoints_refuse_cross_site_requests() {
    let dir = tempfile::tempdir().unwrap();
    let issuer = start(dir.path()).await;
    let http = reqwest::Client::new();
    let base = issuer.base_url().to_string();
    let rotate = format!("{base}/_issuer/pools/{}/rotate-keys", issuer.pool_id());
    let kids = |jwks: &Value| -> Vec<String> {
        jwks["keys"]
            .as_array()
            .unwrap()
            .iter()
            .map(|k| k["kid"].as_str().unwrap().to_string())
            .collect()
    };
    let jwks_url = issuer.jwks_url().to_string();
    let before = kids(
        &http
            .get(&jwks_url)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap(),
    );

    // A cross-site form POST, a cross-origin fetch, a sandboxed page.
    let attempts = [
        http.post(&rotate)
            .header("content-type", "application/x-www-form-urlencoded")
            .body("a=b"),
        http.post(&rotate)
            .header("origin", "https://attacker.example"),
        http.post(&rotate).header("origin", "null"),
        http.post(&rotate).header("sec-fetch-site", "cross-site"),
        http.post(&rotate)
            .header("content-type", "text/plain")
            .body("{}"),
    ];
    for attempt in attempts {
        let (status, body) = status_of(attempt).await;
        assert_eq!(status, 403, "{body}");
    }
    let (status, _) = status_of(
        http.get(format!("{base}/_issuer/outbox"))
            .header("origin", "https://attacker.example"),
    )
    .await;
    assert_eq!(status, 403);
    let after = kids(
        &http
            .get(&jwks_url)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap(),
    );
    assert_eq!(before, after, "no refused request rotated the keys");

    // The issuer's own origin, and non-browser clients, still may.
    let (status, body) = status_of(http.post(&rotate).header("origin", base.as_str())).await;
    assert_eq!(status, 200, "{body}");
    let (status, body) =
        status_of(http.post(&rotate).header("sec-fetch-site", "same-origin")).await;
    assert_eq!(status, 200, "{body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ipv4_mapped_loopback_clients_of_a_dual_stack_listener_are_loopback() {
    let dir = tempfile::tempdir().unwrap();
    let mut options = IssuerOptions::new(dir.path());
    options.bind = "[::]:0".parse().unwrap();
    options.insecure_open_admin = true;
    let issuer = match IssuerServer::start(options).await {
        Ok(issuer) => issuer,
        Err(e) => {
            eprintln!("skipped: no IPv6 on this machine ({e})");
            return;
        }
    };
    let port = issuer.local_addr().port();
    // Over IPv4: the peer is ::ffff:127.0.0.1 on this listener.
    let (status, body) =
        status_of(reqwest::Client::new().get(format!("http://127.0.0.1:{port}/_issuer/pools")))
            .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(issuer.base_url(), format!("http://[::1]:{port}"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn json_api_bodies_over_the_limit_and_wrong_content_types_get_aws_errors() {
    let dir = tempfile::tempdir().unwrap();
    let issuer = start(dir.path()).await;
    let http = reqwest::Client::new();
    let url = format!("{}/", issuer.base_url());

    let big = format!(r#"{{"ClientId": "{}"}}"#, "x".repeat(2 * 1024 * 1024));
    let resp = http
        .post(&url)
        .header("content-type", "application/x-amz-json-1.1")
        .header("x-amz-target", "AWSCognitoIdentityProviderService.SignUp")
        .body(big)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 413);
    assert_eq!(
        resp.headers()["content-type"].to_str().unwrap(),
        "application/x-amz-json-1.1"
    );
    assert_eq!(
        resp.headers()["x-amzn-errortype"].to_str().unwrap(),
        "SerializationException"
    );
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["__type"], "SerializationException");

    for ct in [
        None,
        Some("text/plain"),
        Some("application/x-www-form-urlencoded"),
    ] {
        let mut req = http
            .post(&url)
            .header(
                "x-amz-target",
                "AWSCognitoIdentityProviderService.ListUserPools",
            )
            .body(r#"{"MaxResults": 10}"#);
        if let Some(ct) = ct {
            req = req.header("content-type", ct);
        }
        let (status, body) = status_of(req).await;
        assert_eq!(status, 400, "{ct:?}: {body}");
        assert_eq!(
            body["__type"], "UnknownOperationException",
            "{ct:?}: {body}"
        );
    }
    let (status, body) = status_of(
        http.post(&url)
            .header("content-type", "application/json; charset=utf-8")
            .header(
                "x-amz-target",
                "AWSCognitoIdentityProviderService.ListUserPools",
            )
            .body(r#"{"MaxResults": 10}"#),
    )
    .await;
    assert_eq!(status, 200, "{body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stalled_connections_are_closed_and_others_still_get_answers() {
    let dir = tempfile::tempdir().unwrap();
    let mut options = IssuerOptions::new(dir.path());
    options.limits = ServerLimits {
        header_read_timeout: Duration::from_millis(500),
        request_timeout: Duration::from_secs(5),
        max_connections: 20,
    };
    let issuer = IssuerServer::start(options).await.unwrap();
    let addr = issuer.local_addr();

    // 50 clients that send half a request and then nothing.
    let mut stalled = Vec::new();
    for _ in 0..50 {
        let mut s = TcpStream::connect(addr).await.unwrap();
        s.write_all(format!("GET /_issuer/health HTTP/1.1\r\nHost: {addr}\r\nX-Slow: ").as_bytes())
            .await
            .unwrap();
        stalled.push(s);
    }
    // A normal client still gets its answer (more than the cap are
    // stalled, so this needs the stalled ones to be closed).
    let resp = reqwest::Client::new()
        .get(format!("{}/_issuer/health", issuer.base_url()))
        .timeout(Duration::from_secs(60))
        .send()
        .await
        .expect("answered despite the stalled clients");
    assert_eq!(resp.status().as_u16(), 200);

    // Every stalled connection has been closed by the server.
    for (i, mut s) in stalled.into_iter().enumerate() {
        let mut buf = Vec::new();
        let read = tokio::time::timeout(Duration::from_secs(30), s.read_to_end(&mut buf)).await;
        assert!(
            matches!(read, Ok(Ok(_)) | Ok(Err(_))),
            "stalled connection {i} is still open"
        );
    }
}
