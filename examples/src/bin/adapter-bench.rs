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

use std::io::Write;

use clap::{Parser, ValueEnum};
use cognito_test_support::test_issuer::TestIssuer;
use cognito_verifier::gate::Gate;
use cognito_verifier::{CognitoVerifier, PoolConfig};

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Framework {
    Axum,
    Actix,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum OnOff {
    On,
    Off,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Tokens {
    Same,
    Distinct,
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
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = Args::parse();
    // The JWKS server lives on its own runtime thread for the whole run.
    let (setup_tx, setup) = std::sync::mpsc::channel();
    let tokens = args.tokens;
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async move {
            let issuer = TestIssuer::start().await;
            let count = if tokens == Tokens::Same { 1 } else { 2000 };
            let minted: Vec<String> = (0..count)
                .map(|i| {
                    let mut claims = issuer.access_claims("openid orders/read", &["admin"]);
                    claims["jti"] = serde_json::json!(format!("bench-{i}"));
                    issuer.mint(&claims)
                })
                .collect();
            let mut builder = CognitoVerifier::builder().pool(
                PoolConfig::new(&issuer.pool_id)
                    .jwks_uri(issuer.jwks.url())
                    .client_id(&issuer.client_id),
            );
            if tokens == Tokens::Distinct {
                builder = builder.disable_token_cache();
            }
            let verifier = builder.build().unwrap();
            verifier.hydrate().await.unwrap();
            setup_tx.send((verifier, minted)).unwrap();
            std::future::pending::<()>().await;
        })
    });
    let (verifier, minted) = setup.recv()?;
    let mut file = std::fs::File::create(&args.tokens_file)?;
    for token in &minted {
        writeln!(file, "{token}")?;
    }
    drop(file);
    let gate = Gate::new(verifier);
    let addr = std::net::SocketAddr::from(([127, 0, 0, 1], args.port));
    match args.framework {
        Framework::Axum => serve_axum(addr, args.auth == OnOff::On, gate, args.workers),
        Framework::Actix => serve_actix(addr, args.auth == OnOff::On, gate, args.workers),
    }
}

fn serve_axum(
    addr: std::net::SocketAddr,
    auth: bool,
    gate: Gate,
    workers: usize,
) -> Result<(), Box<dyn std::error::Error>> {
    use axum::routing::get;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(workers)
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let app = axum::Router::new().route("/", get(|| async { "hello" }));
        let app = if auth {
            app.layer(cognito_axum::CognitoAuthLayer::from_gate(gate))
        } else {
            app
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
