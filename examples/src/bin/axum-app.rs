//! The example API protected by `cognito-axum`.
//!
//! ```text
//! COGNITO_USER_POOL_ID=us-east-1_AbC123xyz COGNITO_CLIENT_ID=... \
//! COGNITO_JWKS_URI=http://127.0.0.1:9229/us-east-1_AbC123xyz/.well-known/jwks.json \
//! COGNITO_ISSUER=http://127.0.0.1:9229/us-east-1_AbC123xyz PORT=3000 \
//!   cargo run -p cognito-examples --bin axum-app
//! ```
//!
//! Served with a 5 s header-read / idle timeout and at most 1024 open
//! connections ([`ServerLimits`]), not `axum::serve`, which has neither.

use cognito_examples::{ExampleConfig, ServerLimits, axum_app, serve_axum};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (config, gate) = ExampleConfig::start().await?;
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", config.port)).await?;
    println!("axum example API on http://{}", listener.local_addr()?);
    serve_axum(listener, axum_app(gate), ServerLimits::default()).await;
    Ok(())
}
