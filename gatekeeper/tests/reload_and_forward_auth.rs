//! Reload (SIGHUP, a bad file, under load), graceful shutdown, and the
//! forward-auth endpoint behind a real nginx `auth_request`.

use crate::common;

use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use cognito_test_support::test_issuer::TestIssuer;
use common::{Gatekeeper, config, echo_upstream};

async fn status(client: &reqwest::Client, url: String, token: &str) -> u16 {
    client
        .get(url)
        .header("authorization", token)
        .send()
        .await
        .map_or(0, |r| r.status().as_u16())
}

#[tokio::test]
async fn reload_keeps_serving_and_a_bad_file_keeps_the_old_config() {
    let issuer = TestIssuer::start().await;
    let echo = echo_upstream().await;
    let good = config(&issuer, echo, "");
    let gk = Gatekeeper::start(&good);
    let client = reqwest::Client::new();
    gk.wait_ready(&client).await;
    let id = issuer.mint(&issuer.id_claims(&[]));
    let me = gk.url("/me");

    // Load: sequential requests while the file is reloaded five times.
    let stop = Arc::new(AtomicBool::new(false));
    let load = {
        let (client, me, id, stop) = (client.clone(), me.clone(), id.clone(), stop.clone());
        tokio::spawn(async move {
            let mut statuses = Vec::new();
            for _ in 0..2000 {
                if stop.load(Ordering::Relaxed) {
                    break;
                }
                statuses.push(status(&client, me.clone(), &id).await);
            }
            statuses
        })
    };
    for _ in 0..5 {
        std::fs::write(gk.config_path(), &good).unwrap();
        gk.signal("HUP");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // A broken file: logged, counted, the old routes keep answering.
    std::fs::write(
        gk.config_path(),
        "listen = \"127.0.0.1:0\"\n[[routes]]\nroute = \"GET /me\"\nauthorizer = \"nope\"\n",
    )
    .unwrap();
    gk.signal("HUP");
    let mut failed_seen = false;
    for _ in 0..100 {
        let metrics = client
            .get(gk.url("/metrics"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        if metrics.contains("gatekeeper_reloads_total{result=\"failed\"} 1") {
            failed_seen = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(failed_seen, "the bad reload was not counted");
    stop.store(true, Ordering::Relaxed);
    let statuses = load.await.unwrap();
    assert!(!statuses.is_empty());
    assert!(statuses.iter().all(|s| *s == 200), "{statuses:?}");
    assert_eq!(status(&client, me.clone(), &id).await, 200);

    // A good file with a new rule takes effect.
    let stricter = good.replace(
        "route = \"GET /me\"\nauthorizer = \"rest\"",
        "route = \"GET /me\"\nauthorizer = \"rest\"\ngroups_any = [\"admin\"]",
    );
    std::fs::write(gk.config_path(), stricter).unwrap();
    gk.signal("HUP");
    let mut changed = false;
    for _ in 0..100 {
        if status(&client, me.clone(), &id).await == 403 {
            changed = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(changed, "the reloaded rule never applied");
}

#[tokio::test]
async fn sigterm_drains_in_flight_requests() {
    let issuer = TestIssuer::start().await;
    let echo = echo_upstream().await;
    // /slow takes 3 s upstream; give it room.
    let cfg = config(&issuer, echo, "").replace(
        "integration_timeout_ms = 1000",
        "integration_timeout_ms = 5000",
    );
    let mut gk = Gatekeeper::start(&cfg);
    let client = reqwest::Client::new();
    let slow = tokio::spawn({
        let (client, url) = (client.clone(), gk.url("/slow"));
        async move { client.get(url).send().await.map(|r| r.status().as_u16()) }
    });
    tokio::time::sleep(Duration::from_millis(300)).await;
    gk.signal("TERM");
    assert_eq!(slow.await.unwrap().unwrap(), 200);
    let exit = tokio::task::spawn_blocking(move || {
        let status = gk.child.wait().unwrap();
        (status, gk)
    })
    .await
    .unwrap()
    .0;
    assert!(exit.success(), "{exit:?}");
}

/// nginx in front, `auth_request` to the gatekeeper's forward-auth endpoint,
/// identity passed on with `auth_request_set`.
#[tokio::test]
async fn forward_auth_behind_nginx() {
    let issuer = TestIssuer::start().await;
    let echo = echo_upstream().await;
    let gk = Gatekeeper::start(&config(&issuer, echo, ""));
    let client = reqwest::Client::new();
    gk.wait_ready(&client).await;

    let dir = tempfile::tempdir().unwrap();
    let port = common::closed_port();
    let conf = format!(
        r#"daemon off;
worker_processes 1;
pid {dir}/nginx.pid;
error_log {dir}/error.log;
events {{ worker_connections 64; }}
http {{
  access_log off;
  client_body_temp_path {dir}/body;
  proxy_temp_path {dir}/proxy;
  fastcgi_temp_path {dir}/fastcgi;
  uwsgi_temp_path {dir}/uwsgi;
  scgi_temp_path {dir}/scgi;
  server {{
    listen 127.0.0.1:{port};
    location / {{
      auth_request /_auth;
      auth_request_set $user_sub $upstream_http_x_user_sub;
      auth_request_set $user_email $upstream_http_x_user_email;
      proxy_set_header X-User-Sub $user_sub;
      proxy_set_header X-User-Email $user_email;
      proxy_pass http://{echo};
    }}
    location = /_auth {{
      internal;
      proxy_pass http://{gk}/auth;
      proxy_pass_request_body off;
      proxy_set_header Content-Length "";
      proxy_set_header X-Original-Method $request_method;
      proxy_set_header X-Original-URI $request_uri;
    }}
  }}
}}
"#,
        dir = dir.path().display(),
        gk = gk.addr,
    );
    let conf_path = dir.path().join("nginx.conf");
    std::fs::write(&conf_path, conf).unwrap();
    let mut nginx = Command::new("nginx")
        .arg("-c")
        .arg(&conf_path)
        .arg("-p")
        .arg(dir.path())
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("nginx must be installed (scripts/test.sh installs nginx-light)");
    let base = format!("http://127.0.0.1:{port}");
    let id = issuer.mint(&issuer.id_claims(&["dev"]));
    let mut up = false;
    for _ in 0..100 {
        if client.get(format!("{base}/me")).send().await.is_ok() {
            up = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(up, "nginx did not start");

    let response = client
        .get(format!("{base}/me"))
        .header("authorization", &id)
        .header("x-user-sub", "evil")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let seen: serde_json::Value = response.json().await.unwrap();
    assert_eq!(
        seen["headers"]["x-user-sub"],
        serde_json::json!(["11111111-2222-3333-4444-555555555555"])
    );
    assert_eq!(
        seen["headers"]["x-user-email"],
        serde_json::json!(["alice@example.com"])
    );

    let missing = client.get(format!("{base}/me")).send().await.unwrap();
    assert_eq!(missing.status(), 401);
    let denied = client
        .get(format!("{base}/admin/x"))
        .header("authorization", &id)
        .send()
        .await
        .unwrap();
    assert_eq!(denied.status(), 403);

    // The endpoint itself, as Traefik and Caddy call it.
    let direct = client
        .get(gk.url("/auth"))
        .header("x-forwarded-method", "GET")
        .header("x-forwarded-uri", "/me")
        .header("authorization", &id)
        .send()
        .await
        .unwrap();
    assert_eq!(direct.status(), 200);
    assert_eq!(
        direct.headers()["x-user-sub"],
        "11111111-2222-3333-4444-555555555555"
    );
    let refused = client
        .get(gk.url("/auth"))
        .header("x-forwarded-method", "GET")
        .header("x-forwarded-uri", "/me")
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 401);
    assert_eq!(
        refused.headers()["x-amzn-errortype"],
        "UnauthorizedException"
    );
    assert_eq!(
        refused.text().await.unwrap(),
        r#"{"message":"Unauthorized"}"#
    );

    let _ = nginx.kill();
    let _ = nginx.wait();
}
