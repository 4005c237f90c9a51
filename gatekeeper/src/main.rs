//! `cognito-gatekeeper`: API Gateway's Cognito gatekeeping in front of any
//! backend, as a reverse proxy or a forward-auth service. See the README.

use cognito_gatekeeper::{metrics, proxy, runtime, server};

use std::sync::Arc;
use std::time::Duration;

use arc_swap::ArcSwap;
use clap::Parser;

/// Command line.
#[derive(Debug, Parser)]
#[command(name = "cognito-gatekeeper", version, about)]
struct Args {
    /// The TOML configuration file.
    #[arg(long, short)]
    config: String,
    /// Validate the file and exit.
    #[arg(long)]
    check: bool,
}

fn main() -> std::process::ExitCode {
    tracing_subscriber::fmt()
        .json()
        .flatten_event(true)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stdout)
        .init();
    let args = Args::parse();
    let runtime = match server::load(&args.config) {
        Ok(rt) => rt,
        Err(error) => {
            tracing::error!(%error, "invalid configuration");
            eprintln!("{error}");
            return std::process::ExitCode::from(2);
        }
    };
    if args.check {
        println!("{}: ok", args.config);
        return std::process::ExitCode::SUCCESS;
    }
    let tokio = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(error) => {
            eprintln!("cannot start the runtime: {error}");
            return std::process::ExitCode::FAILURE;
        }
    };
    match tokio.block_on(run(args.config, runtime)) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            tracing::error!(%error, "gatekeeper stopped");
            eprintln!("{error}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn run(path: String, runtime: runtime::Runtime) -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind(&runtime.listen).await?;
    let connect_timeout = Duration::from_millis(runtime.limits.connect_timeout_ms);
    let shared = Arc::new(server::Shared {
        runtime: ArcSwap::from_pointee(runtime),
        metrics: metrics::Metrics::default(),
        client: proxy::client(connect_timeout),
        path,
    });
    tracing::info!(addr = %listener.local_addr()?, "listening");
    server::serve(shared, listener).await
}
