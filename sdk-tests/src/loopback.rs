//! A tiny loopback web server standing in for an application's callback
//! page: it answers every GET with a small HTML page and records the
//! request targets (path and query) it was asked for. `/form` is a GET form
//! (field `q`, button `#submit`, action `/done`) for the browser harness's
//! own test.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// The page every request gets: `main[data-page="callback"]` and the target
/// (`/form`: `main[data-page="form"]` with the form).
fn page(target: &str) -> String {
    if target == "/form" {
        return "<!doctype html><html><head><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
                <title>form</title></head><body>\
                <main data-page=\"form\"><form method=\"get\" action=\"/done\">\
                <label for=\"q\">Q</label><input id=\"q\" name=\"q\">\
                <button type=\"submit\" id=\"submit\">Go</button></form></main></body></html>"
            .to_string();
    }
    let escaped = target
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;");
    format!(
        "<!doctype html><html><head><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>callback</title></head>\
         <body><main data-page=\"callback\"><h1>Callback</h1><p id=\"target\">{escaped}</p>\
         </main></body></html>"
    )
}

/// A running callback server; stops when dropped.
pub struct CallbackServer {
    port: u16,
    seen: Arc<Mutex<Vec<String>>>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl CallbackServer {
    /// Listens on `127.0.0.1` (and `[::1]` on the same port when it can, as
    /// browsers may try either for `localhost`) on a free port.
    pub async fn start() -> Self {
        let v4 = TcpListener::bind(("127.0.0.1", 0))
            .await
            .expect("bind a loopback port");
        let port = v4.local_addr().expect("local address").port();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let mut tasks = vec![tokio::spawn(serve(v4, seen.clone()))];
        if let Ok(v6) = TcpListener::bind(("::1", port)).await {
            tasks.push(tokio::spawn(serve(v6, seen.clone())));
        }
        Self { port, seen, tasks }
    }

    /// The port it listens on.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// `http://localhost:<port><path>`, the form Cognito accepts for plain
    /// http callback URLs.
    pub fn url(&self, path: &str) -> String {
        format!("http://localhost:{}{path}", self.port)
    }

    /// Every request target received so far (`/callback?code=...`), oldest
    /// first, without the browser's `/favicon.ico`.
    pub fn requests(&self) -> Vec<String> {
        self.seen.lock().expect("request log").clone()
    }
}

impl Drop for CallbackServer {
    fn drop(&mut self) {
        for t in &self.tasks {
            t.abort();
        }
    }
}

async fn serve(listener: TcpListener, seen: Arc<Mutex<Vec<String>>>) {
    while let Ok((stream, _)) = listener.accept().await {
        let seen = seen.clone();
        tokio::spawn(async move {
            // Browsers open connections they never use: bounded, then dropped.
            let _ = tokio::time::timeout(Duration::from_secs(10), answer(stream, seen)).await;
        });
    }
}

/// Reads one request head (at most 16 KiB), records its target, answers.
async fn answer(mut stream: TcpStream, seen: Arc<Mutex<Vec<String>>>) -> std::io::Result<()> {
    let mut head = Vec::new();
    let mut buf = [0u8; 2048];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
        let n = stream.read(&mut buf).await?;
        if n == 0 || head.len() > 16 * 1024 {
            return Ok(());
        }
        head.extend_from_slice(&buf[..n]);
    }
    let head = String::from_utf8_lossy(&head);
    let target = head
        .lines()
        .next()
        .and_then(|line| line.split(' ').nth(1))
        .unwrap_or("")
        .to_string();
    if target != "/favicon.ico" {
        seen.lock().expect("request log").push(target.clone());
    }
    let body = page(&target);
    let response = format!(
        "HTTP/1.1 200 OK\r\ncontent-type: text/html; charset=utf-8\r\ncontent-length: {}\r\n\
         cache-control: no-store\r\nconnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(response.as_bytes()).await?;
    stream.shutdown().await
}
