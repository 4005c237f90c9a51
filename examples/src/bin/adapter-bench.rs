//! A hello-world server for measuring adapter overhead with a load tool.
//!
//! ```text
//! adapter-bench --framework axum|actix --auth on|off --tokens distinct|same \
//!               --port 8181 --tokens-file /tmp/tokens.txt
//! ```
//!
//! Starts a test pool (RSA key + loopback JWKS server), writes the tokens the
//! load tool should send to `--tokens-file` (one per line), then serves
//! `GET /` -> "hello" with or without the Cognito layer/middleware.
//! `--tokens distinct` writes 2000 different tokens and turns the
//! verified-token cache off, so every request pays the signature check;
//! `--tokens same` writes one token (every request is a cache hit).
//! Used by `scripts/bench-adapters.sh`.
//!
//! `--auth handwritten` (axum only): instead of our layer, the middleware a
//! team would write itself on `jsonwebtoken`
//! ([`cognito_examples::handwritten_auth`], JWKS fetched once from the
//! loopback JWKS server at start, every request verified). A benchmark
//! baseline for `scripts/bench/side-by-side.sh`.
//!
//! `--tokens cached --count N`: N different tokens with the verified-token
//! cache on (bounded by `--cache-max-bytes`, else `--cache-entries`, else
//! the default), minted on every core and streamed to `--tokens-file`
//! before serving, so the process holds none of them until requests bring
//! them. Used by `scripts/bench/token-memory.sh`.
//!
//! `--auth alb`: the gate in ALB authenticate mode in front of a loopback
//! OIDC IdP (test-support's `TestIdp`); once serving, the bench signs in
//! through its own login redirect and callback and writes the session's
//! `Cookie` header value to `--tokens-file` (one line), so every request is
//! a session request (decrypt + cached signed `x-amzn-oidc-data`). Used by
//! `scripts/bench/alb-wrk.sh`.
//!
//! `--pool-file PATH` also writes the test pool as a cognito-gatekeeper
//! `[pools.bench]` section (pool id, client id, this process's loopback JWKS
//! URI), so a gatekeeper can verify the written tokens while this process
//! serves as its upstream (`--auth off`). Used by `scripts/bench/gatekeeper-wrk.sh`.

use std::io::Write;

use clap::{Parser, ValueEnum};
use cognito_examples::alb_mode::DEFAULT_SIGNER;
use cognito_test_support::test_idp::TestIdp;
use cognito_test_support::test_issuer::TestIssuer;
use cognito_verifier::gate::Gate;
use cognito_verifier::gate::alb::{AlbAuth, IdentityProvider, SessionKeys};
use cognito_verifier::{CognitoVerifier, PoolConfig};

/// The bench IdP's client secret.
const SECRET: &str = "bench-secret";

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Framework {
    Axum,
    Actix,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum OnOff {
    On,
    Off,
    /// ALB authenticate mode with a session cookie.
    Alb,
    /// The hand-written `jsonwebtoken` middleware (axum only), a baseline.
    Handwritten,
}

/// What the hand-written middleware needs to know about the test pool.
struct PoolInfo {
    jwks_url: String,
    issuer: String,
    client_id: String,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Tokens {
    Same,
    Distinct,
    /// `--count` distinct tokens, verified-token cache on.
    Cached,
}

#[derive(Parser)]
struct Args {
    #[arg(long, value_enum)]
    framework: Framework,
    #[arg(long, value_enum)]
    auth: OnOff,
    #[arg(long, value_enum, default_value_t = Tokens::Same)]
    tokens: Tokens,
    #[arg(long, default_value_t = 8181)]
    port: u16,
    #[arg(long)]
    tokens_file: std::path::PathBuf,
    /// Server worker threads (the bench script pins the server to one core).
    #[arg(long, default_value_t = 1)]
    workers: usize,
    /// Where to write the pool as a cognito-gatekeeper `[pools.bench]` section.
    #[arg(long)]
    pool_file: Option<std::path::PathBuf>,
    /// How many tokens `--tokens cached` mints.
    #[arg(long, default_value_t = 2000)]
    count: usize,
    /// `--tokens cached`: bound the verified-token cache to this many bytes.
    #[arg(long)]
    cache_max_bytes: Option<u64>,
    /// `--tokens cached`: bound the verified-token cache to this many tokens.
    #[arg(long)]
    cache_entries: Option<u64>,
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = Args::parse();
    // The JWKS server (and the IdP) live on their own runtime thread for the whole run.
    let (setup_tx, setup) = std::sync::mpsc::channel();
    let (tokens, mode) = (args.tokens, args.auth);
    let (count, max_bytes, entries) = (args.count, args.cache_max_bytes, args.cache_entries);
    let tokens_file = args.tokens_file.clone();
    let addr = std::net::SocketAddr::from(([127, 0, 0, 1], args.port));
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async move {
            let issuer = TestIssuer::start().await;
            let minted: Vec<String> = match tokens {
                Tokens::Same => vec![bench_token(&issuer, 0)],
                Tokens::Distinct => (0..2000).map(|i| bench_token(&issuer, i)).collect(),
                Tokens::Cached => {
                    mint_to_file(&issuer, count, &tokens_file).unwrap();
                    Vec::new()
                }
            };
            let mut builder = CognitoVerifier::builder().pool(
                PoolConfig::new(&issuer.pool_id)
                    .jwks_uri(issuer.jwks.url())
                    .client_id(&issuer.client_id),
            );
            match (tokens, max_bytes, entries) {
                (Tokens::Distinct, _, _) => builder = builder.disable_token_cache(),
                (Tokens::Cached, Some(bytes), _) => builder = builder.token_cache_max_bytes(bytes),
                (Tokens::Cached, None, Some(n)) => builder = builder.token_cache_capacity(n),
                _ => {}
            }
            let verifier = builder.build().unwrap();
            verifier.hydrate().await.unwrap();
            let gate = Gate::new(verifier);
            let mut idp = None;
            let (gate, minted) = if mode == OnOff::Alb {
                let started = TestIdp::start(
                    issuer.key.minter(),
                    &issuer.issuer,
                    &issuer.client_id,
                    SECRET,
                )
                .await;
                let base = started.url();
                idp = Some(started);
                let provider = IdentityProvider::from_endpoints(
                    &issuer.issuer,
                    &format!("{base}/oauth2/authorize"),
                    &format!("{base}/oauth2/token"),
                    &format!("{base}/oauth2/userInfo"),
                    None,
                )
                .unwrap();
                let auth = AlbAuth::builder(provider, &issuer.client_id, SECRET)
                    .session_keys(SessionKeys::generate().unwrap())
                    .signer(DEFAULT_SIGNER)
                    .public_origin(format!("http://{addr}"))
                    .build()
                    .unwrap();
                (gate.alb_authenticate(auth), Vec::new())
            } else {
                (gate, minted)
            };
            let pool = format!(
                "[pools.bench]\npool_id = \"{}\"\nclient_ids = [\"{}\"]\njwks_uri = \"{}\"\n",
                issuer.pool_id,
                issuer.client_id,
                issuer.jwks.url()
            );
            let info = PoolInfo {
                jwks_url: issuer.jwks.url(),
                issuer: issuer.issuer.clone(),
                client_id: issuer.client_id.clone(),
            };
            setup_tx.send((gate, minted, pool, info)).unwrap();
            std::future::pending::<()>().await;
            drop(idp);
        })
    });
    let (gate, minted, pool, info) = setup.recv()?;
    if let Some(path) = &args.pool_file {
        std::fs::write(path, pool)?;
    }
    if args.tokens != Tokens::Cached {
        let mut file = std::fs::File::create(&args.tokens_file)?;
        for token in &minted {
            writeln!(file, "{token}")?;
        }
    }
    drop(minted);
    if args.auth == OnOff::Alb {
        let path = args.tokens_file.clone();
        std::thread::spawn(move || alb_session(addr, &path));
    }
    match (args.framework, args.auth) {
        (Framework::Axum, auth) => serve_axum(addr, auth, gate, info, args.workers),
        (Framework::Actix, OnOff::Handwritten) => Err("--auth handwritten is axum only".into()),
        (Framework::Actix, auth) => serve_actix(addr, auth != OnOff::Off, gate, args.workers),
    }
}

/// A valid access token of the test pool, distinct per `i`.
fn bench_token(issuer: &TestIssuer, i: usize) -> String {
    let mut claims = issuer.access_claims("openid orders/read", &["admin"]);
    claims["jti"] = serde_json::json!(format!("bench-{i}"));
    issuer.mint(&claims)
}

/// Mints `count` distinct tokens on every core straight into `path`, one a
/// line, keeping none of them in memory.
fn mint_to_file(issuer: &TestIssuer, count: usize, path: &std::path::Path) -> std::io::Result<()> {
    let file = std::sync::Mutex::new(std::io::BufWriter::new(std::fs::File::create(path)?));
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    std::thread::scope(|s| {
        let minters: Vec<_> = (0..threads)
            .map(|t| {
                let file = &file;
                s.spawn(move || {
                    for i in (t..count).step_by(threads) {
                        let token = bench_token(issuer, i);
                        let mut out = file.lock().unwrap_or_else(|e| e.into_inner());
                        writeln!(out, "{token}")?;
                    }
                    Ok::<_, std::io::Error>(())
                })
            })
            .collect();
        minters.into_iter().try_for_each(|m| {
            m.join()
                .unwrap_or_else(|_| Err(std::io::Error::other("a minting thread panicked")))
        })
    })?;
    file.into_inner()
        .unwrap_or_else(|e| e.into_inner())
        .into_inner()
        .map_err(|e| e.into_error())?
        .sync_all()
}

fn serve_axum(
    addr: std::net::SocketAddr,
    auth: OnOff,
    gate: Gate,
    info: PoolInfo,
    workers: usize,
) -> Result<(), Box<dyn std::error::Error>> {
    use axum::routing::get;
    use cognito_examples::handwritten_auth::{HandwrittenAuth, require_token};
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(workers)
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let app = axum::Router::new().route("/", get(|| async { "hello" }));
        let app = match auth {
            OnOff::Off => app,
            OnOff::On | OnOff::Alb => app.layer(cognito_axum::CognitoAuthLayer::from_gate(gate)),
            OnOff::Handwritten => {
                let handwritten =
                    HandwrittenAuth::fetch(&info.jwks_url, &info.issuer, &info.client_id).await?;
                app.layer(axum::middleware::from_fn_with_state(
                    std::sync::Arc::new(handwritten),
                    require_token,
                ))
            }
        };
        let listener = tokio::net::TcpListener::bind(addr).await?;
        println!("ready on http://{addr}");
        axum::serve(listener, app).await?;
        Ok(())
    })
}

fn serve_actix(
    addr: std::net::SocketAddr,
    auth: bool,
    gate: Gate,
    workers: usize,
) -> Result<(), Box<dyn std::error::Error>> {
    use actix_web::{App, HttpServer, middleware::Condition, web};
    let middleware = cognito_actix::CognitoAuth::from_gate(gate);
    actix_web::rt::System::new().block_on(async move {
        let server = HttpServer::new(move || {
            App::new()
                .wrap(Condition::new(auth, middleware.clone()))
                .route("/", web::get().to(|| async { "hello" }))
        })
        .workers(workers)
        .bind(addr)?;
        println!("ready on http://{addr}");
        server.run().await
    })?;
    Ok(())
}

/// Signs in through the served app (login redirect, the IdP's instant
/// login, callback) and writes the session's `Cookie` value to `path`;
/// exits the process if that fails.
fn alb_session(addr: std::net::SocketAddr, path: &std::path::Path) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let cookie = runtime.block_on(async {
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .build()
            .map_err(|e| e.to_string())?;
        let mut jar = std::collections::BTreeMap::new();
        let mut url = format!("http://{addr}/");
        // Bounded: the server may still be starting, then three hops.
        for _ in 0..100 {
            let header: Vec<String> = jar.iter().map(|(n, v)| format!("{n}={v}")).collect();
            let response = match http
                .get(&url)
                .header("cookie", header.join("; "))
                .send()
                .await
            {
                Ok(r) => r,
                Err(_) => {
                    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                    continue;
                }
            };
            for set in response.headers().get_all("set-cookie") {
                let pair = set
                    .to_str()
                    .unwrap_or_default()
                    .split(';')
                    .next()
                    .unwrap_or_default();
                if let Some((name, value)) = pair.split_once('=') {
                    if value.is_empty() {
                        jar.remove(name);
                    } else {
                        jar.insert(name.to_owned(), value.to_owned());
                    }
                }
            }
            if response.status() == 200 {
                return Ok(jar
                    .iter()
                    .filter(|(n, _)| n.starts_with("AWSELBAuthSessionCookie-"))
                    .map(|(n, v)| format!("{n}={v}"))
                    .collect::<Vec<_>>()
                    .join("; "));
            }
            let location = response
                .headers()
                .get("location")
                .and_then(|l| l.to_str().ok())
                .ok_or(format!("{url}: {} without a redirect", response.status()))?;
            url = if location.starts_with('/') {
                format!("http://{addr}{location}")
            } else {
                location.to_owned()
            };
        }
        Err("no session after 100 requests".to_owned())
    });
    match cookie.and_then(|c| std::fs::write(path, format!("{c}\n")).map_err(|e| e.to_string())) {
        Ok(()) => {}
        Err(e) => {
            eprintln!("adapter-bench: ALB sign-in failed: {e}");
            std::process::exit(1);
        }
    }
}
