//! The example API protected by `cognito-actix`; same routes and environment
//! variables as `axum-app` (`COGNITO_MODE=alb` included), and the same
//! limits, set explicitly: a 5 s deadline for request headers and for idle
//! keep-alive connections, and at most 1024 connections per worker
//! ([`ServerLimits`]).

use actix_web::http::KeepAlive;
use actix_web::{App, HttpServer};
use cognito_examples::{ExampleConfig, ServerLimits, actix_app};

#[actix_web::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (config, gate) = ExampleConfig::start().await?;
    let routes = actix_app(gate);
    let limits = ServerLimits::default();
    println!("actix example API on http://127.0.0.1:{}", config.port);
    HttpServer::new(move || App::new().configure(routes.clone()))
        .client_request_timeout(limits.header_read_timeout)
        .keep_alive(KeepAlive::Timeout(limits.header_read_timeout))
        .max_connections(limits.max_connections)
        .bind(("127.0.0.1", config.port))?
        .run()
        .await?;
    Ok(())
}
