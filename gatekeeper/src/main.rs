//! `cognito-gatekeeper`: API Gateway's Cognito gatekeeping in front of any
//! backend, as a reverse proxy or a forward-auth service. See the README.

use cognito_gatekeeper::{metrics, openapi, runtime, server};

use std::sync::Arc;

use arc_swap::ArcSwap;
use clap::Parser;

/// Command line.
#[derive(Debug, Parser)]
#[command(name = "cognito-gatekeeper", version, about)]
struct Args {
    /// The TOML configuration file.
    #[arg(long, short, required_unless_present = "openapi")]
    config: Option<String>,
    /// Validate the file and exit.
    #[arg(long)]
    check: bool,
    /// Import of an API Gateway export instead of a TOML file.
    #[command(flatten)]
    import: cognito_gatekeeper::openapi::cli::ImportArgs,
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
    let (path, loaded) = match (&args.config, &args.import.openapi) {
        (Some(config), _) => (
            config.clone(),
            server::load(config).map_err(|e| e.to_string()),
        ),
        // An import: the export becomes TOML, loaded like a file.
        (None, Some(export)) => {
            let imported = openapi::cli::run(export, &args.import);
            if args.import.print_config
                && let Ok((text, _)) = &imported
            {
                print!("{text}");
                return std::process::ExitCode::SUCCESS;
            }
            (
                export.clone(),
                imported.map(|(_, rt)| rt).map_err(|e| e.to_string()),
            )
        }
        (None, None) => (
            String::new(),
            Err("--config or --openapi is required".to_owned()),
        ),
    };
    let runtime = match loaded {
        Ok(rt) => rt,
        Err(error) => {
            tracing::error!(%error, "invalid configuration");
            eprintln!("{error}");
            return std::process::ExitCode::from(2);
        }
    };
    if args.check {
        println!("{path}: ok");
        return std::process::ExitCode::SUCCESS;
    }
    // On one core (e.g. pinned with taskset) a multi-thread scheduler only
    // adds hand-offs between its worker and the thread that accepts.
    let one_core = std::thread::available_parallelism().is_ok_and(|n| n.get() == 1);
    let mut builder = if one_core {
        tokio::runtime::Builder::new_current_thread()
    } else {
        tokio::runtime::Builder::new_multi_thread()
    };
    let tokio = match builder.enable_all().build() {
        Ok(rt) => rt,
        Err(error) => {
            eprintln!("cannot start the runtime: {error}");
            return std::process::ExitCode::FAILURE;
        }
    };
    match tokio.block_on(run(path, runtime)) {
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
    let shared = Arc::new(server::Shared {
        runtime: ArcSwap::from_pointee(runtime),
        metrics: metrics::Metrics::default(),
        upstreams: Arc::default(),
        path,
    });
    tracing::info!(addr = %listener.local_addr()?, "listening");
    server::serve(shared, listener).await
}
