//! The `cognito-issuer` binary: runs the issuer, or rotates a pool's keys.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::{Parser, Subcommand};
use cognito_issuer::{
    AccessKey, CorsOrigins, DEFAULT_REGION, IssuerConfig, IssuerOptions, IssuerServer, ServerLimits,
};

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
    /// Access key (ACCESS_KEY_ID:SECRET) whose SigV4 signatures authorize
    /// management operations (Admin*, ListUsers, ...); repeatable, or
    /// comma-separated in the environment variable. Without any key the
    /// management operations are open, on loopback only.
    #[arg(
        long = "access-key",
        env = "COGNITO_ISSUER_ACCESS_KEYS",
        value_delimiter = ',',
        hide_env_values = true
    )]
    access_keys: Vec<AccessKey>,
    /// Region that SigV4 credential scopes must name.
    #[arg(long, env = "COGNITO_ISSUER_REGION", default_value = DEFAULT_REGION)]
    region: String,
    /// Serve open management operations (no access keys) on a non-loopback
    /// address. Anyone who reaches the port can then manage every pool.
    #[arg(long, env = "COGNITO_ISSUER_INSECURE_OPEN_ADMIN")]
    insecure_open_admin: bool,
    /// Seconds a client has to send a request's headers (also the idle
    /// keep-alive timeout).
    #[arg(long, env = "COGNITO_ISSUER_HEADER_TIMEOUT", default_value_t = 10)]
    header_timeout_secs: u64,
    /// Seconds a whole request may take (body and handling).
    #[arg(long, env = "COGNITO_ISSUER_REQUEST_TIMEOUT", default_value_t = 60)]
    request_timeout_secs: u64,
    /// Open connections at most (more wait in the listen backlog).
    #[arg(long, env = "COGNITO_ISSUER_MAX_CONNECTIONS", default_value_t = 512)]
    max_connections: usize,
    /// Browser origin (http(s)://host[:port]) allowed by CORS; repeatable,
    /// or comma-separated in the environment variable. Default: any origin
    /// (`*`). IAM-authorized operations and /_issuer/* never answer CORS.
    #[arg(
        long = "cors-origin",
        env = "COGNITO_ISSUER_CORS_ORIGINS",
        value_delimiter = ','
    )]
    cors_origins: Vec<String>,
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
    let wildcard = cli.bind.ip().is_unspecified() && cli.public_url.is_none();
    let running = IssuerServer::start(IssuerOptions {
        bind: cli.bind,
        data_dir: cli.data_dir,
        public_url: cli.public_url,
        config,
        access_keys: cli.access_keys,
        region: cli.region,
        insecure_open_admin: cli.insecure_open_admin,
        limits: ServerLimits {
            header_read_timeout: Duration::from_secs(cli.header_timeout_secs.max(1)),
            request_timeout: Duration::from_secs(cli.request_timeout_secs.max(1)),
            max_connections: cli.max_connections.max(1),
        },
        cors_origins: CorsOrigins::parse(&cli.cors_origins)?,
        trigger_hooks: Default::default(),
    })
    .await?;
    println!("cognito-issuer listening on {}", running.base_url());
    if wildcard {
        println!(
            "  bound to     : {} (all interfaces); URLs and `iss` use {}: set --public-url \
             to the name clients use",
            running.local_addr(),
            running.base_url()
        );
    }
    println!("  management   : {}", running.management_mode());
    println!("  endpoint_url : {}", running.base_url());
    println!("  pool id      : {}", running.pool_id());
    println!("  client id    : {}", running.client_id());
    println!("  issuer       : {}", running.issuer());
    println!("  JWKS         : {}", running.jwks_url());
    println!("  discovery    : {}", running.discovery_url());
    if let Some(login) = running.hosted_ui_login_url() {
        println!("  hosted UI    : {login}");
    }
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
