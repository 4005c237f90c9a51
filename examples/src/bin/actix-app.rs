//! The example API protected by `cognito-actix`; same routes and environment
//! variables as `axum-app`.

use actix_web::{App, HttpServer};
use cognito_examples::{ExampleConfig, actix_app};

#[actix_web::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .init();
    let config = ExampleConfig::from_env()?;
    let gate = config.gate()?;
    gate.verifier()
        .hydrate()
        .await
        .unwrap_or_else(|e| eprintln!("warning: JWKS not loaded yet: {e}"));
    let routes = actix_app(gate);
    println!("actix example API on http://127.0.0.1:{}", config.port);
    HttpServer::new(move || App::new().configure(routes.clone()))
        .bind(("127.0.0.1", config.port))?
        .run()
        .await?;
    Ok(())
}
