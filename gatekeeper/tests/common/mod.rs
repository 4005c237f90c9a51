//! Loopback fixtures: an echo upstream (hyper), the gatekeeper binary as a
//! child process, and its configuration.

#![allow(dead_code, unreachable_pub, missing_docs)]

use std::convert::Infallible;
use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use bytes::Bytes;
use cognito_test_support::test_issuer::TestIssuer;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use serde_json::{Value, json};
use tokio::net::TcpListener;

/// An upstream answering every request with what it received as JSON:
/// method, path, headers (name -> values) and the body's length, counted
/// frame by frame. `/slow...` waits 3 s first.
pub async fn echo_upstream() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                return;
            };
            tokio::spawn(async move {
                let service = service_fn(|req: Request<Incoming>| async move {
                    if req.uri().path().starts_with("/slow") {
                        tokio::time::sleep(Duration::from_secs(3)).await;
                    }
                    let mut headers = serde_json::Map::new();
                    for (name, value) in req.headers() {
                        let entry = headers.entry(name.as_str()).or_insert_with(|| json!([]));
                        if let Value::Array(list) = entry {
                            list.push(json!(value.to_str().unwrap_or("<bytes>")));
                        }
                    }
                    let method = req.method().to_string();
                    let path = req.uri().to_string();
                    let mut body = req.into_body();
                    let mut length: u64 = 0;
                    while let Some(frame) = body.frame().await {
                        if let Ok(data) = frame.unwrap().into_data() {
                            length += data.len() as u64;
                        }
                    }
                    let answer = json!({
                        "method": method, "path": path, "headers": headers, "body_bytes": length,
                    });
                    Ok::<_, Infallible>(
                        Response::builder()
                            .header("content-type", "application/json")
                            .header("connection", "keep-alive, x-upstream-private")
                            .header("x-upstream-private", "hop")
                            .body(Full::new(Bytes::from(answer.to_string())))
                            .unwrap(),
                    )
                });
                let _ = http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    });
    addr
}

/// A loopback port nothing listens on.
pub fn closed_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

/// The test configuration; `extra_routes` is appended verbatim.
pub fn config(issuer: &TestIssuer, echo: SocketAddr, extra: &str) -> String {
    format!(
        r#"listen = "127.0.0.1:0"
preset = "api-gateway-rest"
forward_auth_path = "/auth"

[limits]
integration_timeout_ms = 1000
watch_interval_ms = 0
shutdown_grace_ms = 5000

[upstreams.echo]
url = "http://{echo}"

[upstreams.down]
url = "http://127.0.0.1:{down}"

[pools.main]
pool_id = "{pool}"
client_ids = ["{client}"]
jwks_uri = "{jwks}"

[authorizers.rest]
pools = ["main"]
preset = "api-gateway-rest"

[authorizers.http]
pools = ["main"]
preset = "api-gateway-http"

[mappings.identity]
"overwrite:header.x-user-sub" = "$context.authorizer.claims.sub"
"overwrite:header.x-user-groups" = "${{context.authorizer.claims.cognito:groups}}"
"integration.request.header.x-user-email" = "context.authorizer.claims.email"

[[routes]]
route = "GET /me"
authorizer = "rest"
upstream = "echo"
mapping = "identity"

[[routes]]
route = "ANY /admin/{{proxy+}}"
authorizer = "rest"
upstream = "echo"
groups_any = ["admin"]

[[routes]]
route = "GET /users/{{sub}}"
authorizer = "rest"
upstream = "echo"
owner = "sub"

[[routes]]
route = "GET /orders"
authorizer = "http"
upstream = "echo"
scopes = ["orders/read"]
mapping = "identity"

[[routes]]
route = "POST /upload"
authorizer = "rest"
upstream = "echo"

[[routes]]
route = "GET /slow"
authorizer = "none"
upstream = "echo"

[[routes]]
route = "GET /down"
authorizer = "rest"
upstream = "down"
{extra}"#,
        down = closed_port(),
        pool = issuer.pool_id,
        client = issuer.client_id,
        jwks = issuer.jwks.url(),
    )
}

/// The gatekeeper binary, running; killed on drop.
pub struct Gatekeeper {
    pub child: Child,
    pub addr: SocketAddr,
    pub dir: tempfile::TempDir,
}

impl Gatekeeper {
    /// Starts the binary on `config` and waits for its `listening` log line.
    pub fn start(config: &str) -> Gatekeeper {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("gatekeeper.toml");
        std::fs::write(&path, config).unwrap();
        let args = vec!["--config".into(), path.into_os_string()];
        Gatekeeper::start_args(dir, &args)
    }

    /// Starts the binary with `args` (e.g. an `--openapi` import) and waits
    /// for its `listening` log line.
    pub fn start_args(dir: tempfile::TempDir, args: &[std::ffi::OsString]) -> Gatekeeper {
        let mut child = Command::new(env!("CARGO_BIN_EXE_cognito-gatekeeper"))
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let mut lines = BufReader::new(stdout).lines();
        let addr = loop {
            let line = lines
                .next()
                .expect("the gatekeeper exited before listening")
                .unwrap();
            let Ok(log) = serde_json::from_str::<Value>(&line) else {
                continue;
            };
            if log["message"] == "listening" {
                break log["addr"].as_str().unwrap().parse().unwrap();
            }
        };
        // Keep draining the logs so the child never blocks on a full pipe.
        std::thread::spawn(move || lines.for_each(drop));
        Gatekeeper { child, addr, dir }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    pub fn config_path(&self) -> std::path::PathBuf {
        self.dir.path().join("gatekeeper.toml")
    }

    pub fn signal(&self, signal: &str) {
        let status = Command::new("kill")
            .arg(format!("-{signal}"))
            .arg(self.child.id().to_string())
            .status()
            .unwrap();
        assert!(status.success());
    }

    /// Waits (bounded) until `/readyz` answers 200.
    pub async fn wait_ready(&self, client: &reqwest::Client) {
        for _ in 0..100 {
            if let Ok(r) = client.get(self.url("/readyz")).send().await
                && r.status() == 200
            {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("the gatekeeper never became ready");
    }
}

impl Drop for Gatekeeper {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
