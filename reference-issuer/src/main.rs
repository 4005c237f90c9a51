//! The `cognito-issuer` binary: runs the issuer, or rotates a pool's keys.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Parser, Subcommand};
use cognito_issuer::{IssuerConfig, IssuerOptions, IssuerServer};

/// A local, Cognito-compatible user pool and token issuer.
#[derive(Debug, Parser)]
#[command(name = "cognito-issuer", version, about)]
struct Cli {
    /// Address to listen on.
    #[arg(long, env = "COGNITO_ISSUER_BIND", default_value = "127.0.0.1:9229")]
    bind: SocketAddr,
    /// Directory for the SQLite database.
    #[arg(
        long,
        env = "COGNITO_ISSUER_DATA_DIR",
        default_value = ".cognito-issuer"
    )]
    data_dir: PathBuf,
    /// Public base URL (defaults to http://<bind address>).
    #[arg(long, env = "COGNITO_ISSUER_PUBLIC_URL")]
    public_url: Option<String>,
    /// TOML configuration file, applied idempotently on start.
    #[arg(long, env = "COGNITO_ISSUER_CONFIG")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the server (the default).
    Serve,
    /// Rotate a pool's signing keys in the data directory. A running server
    /// picks the new keys up within 5 seconds (or use
    /// `POST /_issuer/pools/{poolId}/rotate-keys`).
    RotateKeys {
        /// Pool id.
        #[arg(long)]
        pool: String,
    },
}

fn main() -> std::process::ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("cognito-issuer: cannot start runtime: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    match rt.block_on(run(cli)) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("cognito-issuer: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> Result<(), cognito_issuer::IssuerError> {
    let config = cli
        .config
        .as_deref()
        .map(IssuerConfig::from_file)
        .transpose()?;
    if let Some(Command::RotateKeys { pool }) = &cli.command {
        let kids = IssuerServer::rotate_keys_offline(&cli.data_dir, pool)?;
        println!("rotated keys of {pool}; new kids: {}", kids.join(", "));
        return Ok(());
    }
    let running = IssuerServer::start(IssuerOptions {
        bind: cli.bind,
        data_dir: cli.data_dir,
        public_url: cli.public_url,
        config,
    })
    .await?;
    println!("cognito-issuer listening on {}", running.base_url());
    println!("  endpoint_url : {}", running.base_url());
    println!("  pool id      : {}", running.pool_id());
    println!("  client id    : {}", running.client_id());
    println!("  issuer       : {}", running.issuer());
    println!("  JWKS         : {}", running.jwks_url());
    println!("  discovery    : {}", running.discovery_url());
    println!(
        "  outbox       : {}/_issuer/outbox?pool={}",
        running.base_url(),
        running.pool_id()
    );
    wait_for_signal().await;
    eprintln!("cognito-issuer: shutting down");
    running.shutdown().await
}

async fn wait_for_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}
