//! An API Gateway Lambda authorizer built on `cognito-verifier`'s gate and
//! route table: REST `TOKEN` and `REQUEST` events and HTTP API payload 1.0
//! and 2.0 events in, API Gateway's exact answers out.
//!
//! ```no_run
//! # async fn run(event: serde_json::Value) {
//! use cognito_lambda_authorizer::Config;
//! let authorizer = Config::from_toml(r#"
//!     preset = "rest"
//!     [[pools]]
//!     id = "us-east-1_AbCdEf123"
//!     client_ids = ["4b1gq2example"]
//!     [[routes]]
//!     route = "ANY /admin/{proxy+}"
//!     groups_any = ["admin"]
//! "#).unwrap().build().unwrap();
//! match authorizer.handle(event).await.into_result() {
//!     Ok(json) => println!("{json}"),            // Allow or Deny policy
//!     Err(error) => println!("error {error}"),   // "Unauthorized" -> 401, else 500
//! }
//! # }
//! ```
//!
//! The library never starts the Lambda runtime; the binary
//! `cognito-lambda-authorizer` (feature `runtime`) does, and maps
//! [`AuthorizerError`] to the invocation error at that edge.

mod authorizer;
pub mod config;
pub mod event;
pub mod output;

pub use authorizer::{ANONYMOUS, Authorizer, AuthorizerError, Outcome, Verdict};
pub use config::{Config, ConfigError};
pub use event::{EventError, EventKind, Incoming, MethodArn};
pub use output::{Effect, Response};
