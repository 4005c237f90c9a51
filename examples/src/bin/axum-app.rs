//! The example API protected by `cognito-axum`.
//!
//! ```text
//! COGNITO_USER_POOL_ID=us-east-1_AbC123xyz COGNITO_CLIENT_ID=... \
//! COGNITO_JWKS_URI=http://127.0.0.1:9229/us-east-1_AbC123xyz/.well-known/jwks.json \
//! COGNITO_ISSUER=http://127.0.0.1:9229/us-east-1_AbC123xyz PORT=3000 \
//!   cargo run -p cognito-examples --bin axum-app
//! ```
//!
//! As the load balancer's `authenticate` action (`COGNITO_MODE=alb`, see
//! `cognito_examples::alb_mode`), with a confidential client whose callback
//! URL is `http://localhost:8080/oauth2/idpresponse`:
//!
//! ```text
//! COGNITO_MODE=alb COGNITO_OIDC_ISSUER=http://127.0.0.1:9229/us-east-1_AbC123xyz \
//! COGNITO_CLIENT_ID=... COGNITO_CLIENT_SECRET=... \
//! COGNITO_ALB_SESSION_KEY=$(openssl rand -base64 32) \
//! COGNITO_ALB_PUBLIC_URL=http://localhost:8080 PORT=8080 \
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
