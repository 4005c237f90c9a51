//! # cognito-issuer
//!
//! A local, Cognito-compatible user pool and token issuer that the real AWS
//! SDKs sign in to. It speaks the `AWSCognitoIdentityProviderService` JSON
//! API (`application/x-amz-json-1.1`, `X-Amz-Target`), issues RS256 ID and
//! access tokens with exactly Cognito's claim sets, serves per-pool JWKS and
//! OpenID discovery documents, and keeps everything durable in one SQLite
//! file (WAL, `synchronous=FULL`).
//!
//! Run it in-process:
//!
//! ```no_run
//! # async fn demo() -> Result<(), cognito_issuer::IssuerError> {
//! use cognito_issuer::{IssuerOptions, IssuerServer};
//! let issuer = IssuerServer::start(IssuerOptions::new("/tmp/issuer-data")).await?;
//! println!("pool {} client {} at {}", issuer.pool_id(), issuer.client_id(), issuer.base_url());
//! issuer.shutdown().await?;
//! # Ok(()) }
//! ```
//!
//! or as the `cognito-issuer` binary (see the README).
//!
//! Management (IAM-authorized) operations are SigV4-verified against the
//! access keys in [`IssuerOptions::access_keys`]; without keys they are open,
//! which the issuer only allows on a loopback address (see the README's
//! "Security modes").

// Layers, top to bottom (see ARCHITECTURE.md): http -> api -> domain
// (signin, oauth, directory, tokens) -> store; model and error beside them.
mod api;
mod config;
mod directory;
mod error;
#[cfg(feature = "fuzzing")]
#[doc(hidden)]
pub mod fuzzing;
mod http;
mod ids;
mod issuer;
mod lifecycle;
mod model;
mod oauth;
mod signin;
pub mod srp;
mod store;
mod tokens;
mod triggers;

pub use api::ApiError;
pub use config::{AccessKey, IssuerConfig, TriggerHandlerConfig};
pub use error::IssuerError;
pub use http::cors::CorsOrigins;
pub use lifecycle::{
    ClientInfo, DEFAULT_REGION, IssuerOptions, IssuerServer, ManagementMode, PoolInfo,
    RunningIssuer, ServerLimits,
};
pub use model::IssuerStyle;
pub use store::outbox::OutboxMessage;
pub use triggers::{TriggerHook, TriggerHooks};

/// Helpers for tests, benchmarks and tools: the password hashing cost and
/// statistics.
pub mod testing {
    pub use crate::directory::password::{M_COST, P_COST, T_COST, hash_count, verify_stats};
    pub use crate::tokens::keys::KeyPurpose;
}

/// Computes a Cognito `SECRET_HASH`: Base64(HMAC-SHA256(client_secret,
/// username + client_id)).
pub fn secret_hash(client_secret: &str, username: &str, client_id: &str) -> String {
    signin::secret_hash::secret_hash(client_secret, username, client_id)
}
