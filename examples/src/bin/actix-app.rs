//! The example API protected by `cognito-actix`; same routes and environment
//! variables as `axum-app`.

use actix_web::{App, HttpServer};
use cognito_examples::{ExampleConfig, actix_app};

#[actix_web::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (config, gate) = ExampleConfig::start().await?;
    let routes = actix_app(gate);
    println!("actix example API on http://127.0.0.1:{}", config.port);
    HttpServer::new(move || App::new().configure(routes.clone()))
        .bind(("127.0.0.1", config.port))?
        .run()
        .await?;
    Ok(())
}
