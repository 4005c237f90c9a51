//! Stalled clients cannot lock others out of the example servers: headers
//! must arrive within a deadline, idle connections are closed, and open
//! connections are bounded (bounded slowloris on loopback).

use std::net::SocketAddr;
use std::time::Duration;

use cognito_examples::{ServerLimits, axum_app, serve_axum};
use cognito_test_support::test_issuer::TestIssuer;
use cognito_verifier::gate::Gate;
use cognito_verifier::{CognitoVerifier, PoolConfig};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Generous bound for "eventually": without limits, these never happen.
const EVENTUALLY: Duration = Duration::from_secs(30);

const LIMITS: ServerLimits = ServerLimits {
    header_read_timeout: Duration::from_secs(1),
    max_connections: 10,
};

async fn start_axum(issuer: &TestIssuer) -> SocketAddr {
    let verifier = CognitoVerifier::builder()
        .pool(
            PoolConfig::new(&issuer.pool_id)
                .jwks_uri(issuer.jwks.url())
                .client_id(&issuer.client_id),
        )
        .build()
        .unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(serve_axum(listener, axum_app(Gate::new(verifier)), LIMITS));
    addr
}

/// A client that starts a request and never finishes its headers.
async fn stall(addr: SocketAddr) -> TcpStream {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    stream
        .write_all(b"GET /public HTTP/1.1\r\nHost: localhost\r\nX-Slow: ")
        .await
        .unwrap();
    stream
}

/// Reads until the server closes the connection; panics if it does not.
async fn closed_by_server(mut stream: TcpStream) {
    let mut sink = Vec::new();
    tokio::time::timeout(EVENTUALLY, stream.read_to_end(&mut sink))
        .await
        .expect("the server closes a stalled connection")
        .ok();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn axum_app_survives_fifty_stalled_connections() {
    let issuer = TestIssuer::start().await;
    let addr = start_axum(&issuer).await;
    let mut stalled = Vec::new();
    for _ in 0..50 {
        stalled.push(stall(addr).await);
    }
    // Five times the connection limit is stalled; a normal client still gets in.
    let client = reqwest::Client::builder().no_proxy().build().unwrap();
    let response = tokio::time::timeout(
        EVENTUALLY,
        client.get(format!("http://{addr}/public")).send(),
    )
    .await
    .expect("a normal request is served despite the stalled connections")
    .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.text().await.unwrap(), "public: no token needed\n");
    // Every stalled connection is closed by the server.
    let mut closing = tokio::task::JoinSet::new();
    for stream in stalled {
        closing.spawn(closed_by_server(stream));
    }
    while let Some(done) = closing.join_next().await {
        done.unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn axum_app_closes_idle_keep_alive_connections() {
    let issuer = TestIssuer::start().await;
    let addr = start_axum(&issuer).await;
    let mut stream = TcpStream::connect(addr).await.unwrap();
    stream
        .write_all(b"GET /public HTTP/1.1\r\nHost: localhost\r\n\r\n")
        .await
        .unwrap();
    let mut response = vec![0; 1024];
    let n = stream.read(&mut response).await.unwrap();
    assert!(response[..n].starts_with(b"HTTP/1.1 200"));
    // The connection stays open for another request, but not forever.
    closed_by_server(stream).await;
}
