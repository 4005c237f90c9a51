//! Verify Amazon Cognito user pool tokens exactly as AWS's gatekeepers do.
//!
//! `cognito-verifier` fetches and caches a user pool's JWKS, verifies ID and
//! access tokens the way Cognito defines them (RS256 signature, `iss`,
//! `aud`/`client_id`, `token_use`, `exp`/`nbf`/`iat`), exposes typed claims
//! and checks groups and scopes. The HTTP adapters `cognito-axum` and
//! `cognito-actix` build on it.
//!
//! ```no_run
//! use cognito_verifier::{CognitoVerifier, ErrorCategory, ExpectedTokenUse, PoolConfig, Requirement};
//! # async fn run(token: &str) -> Result<(), Box<dyn std::error::Error>> {
//! let verifier = CognitoVerifier::builder()
//!     .pool(
//!         PoolConfig::new("us-east-1_AbCdEf123")
//!             .client_id("4b1gq2example")
//!             .token_use(ExpectedTokenUse::Access)
//!             .require_scopes(Requirement::any_of(["orders/read"])),
//!     )
//!     .build()?;
//! verifier.hydrate().await?; // optional: fetch keys up front
//! match verifier.verify(token).await {
//!     Ok(claims) => println!("{} may read orders", claims.sub()),
//!     Err(e) if e.category() == ErrorCategory::Authorization => println!("403: {e}"),
//!     Err(e) => println!("{}: {e}", e.code()),
//! }
//! # Ok(()) }
//! ```
//!
//! # Security defaults (RFC 8725)
//! - Only `RS256`; `none`, `HS*`, `PS*`, `ES*` are refused before any key lookup.
//! - Keys come only from the configured JWKS URI; `jku`, `x5u`, `jwk`, `x5c`
//!   header members are ignored and `crit` is refused. The pool is chosen by
//!   exact `iss` among configured pools: an unknown issuer causes no fetch.
//! - JWKs must be `kty: RSA`, `use: sig` (if present), `alg: RS256` (if present), 2048–8192 bits.
//! - Tokens over 16 KiB, non-canonical base64url and duplicate JSON members are refused.
//! - JWKS fetches have connect and total timeouts, a size cap, no redirects.
//! - The app client check cannot be skipped by accident
//!   ([`PoolConfig::skip_client_check`] is the explicit opt-out).
//! - Errors never carry the token unless you opt in, and the `Debug` output
//!   of [`CognitoClaims`] redacts personal data (email, phone number, names,
//!   user name, address, birthdate, ...).
//! - [`CognitoVerifier::verify_sync`] runs the same synchronous steps as
//!   [`CognitoVerifier::verify`], with keys from the cache only.
//!
//! # Verified-token cache
//! A token that verified once is answered from memory until its `exp` (or
//! one JWKS TTL, whichever is first; a withdrawn key drops it), so repeated
//! requests skip the RSA check; the policy (token use, client, groups,
//! scopes, custom check) still runs on every request. Its memory is bounded:
//! - [`CognitoVerifierBuilder::token_cache_max_bytes`]: by bytes (the
//!   default, [`DEFAULT_TOKEN_CACHE_MAX_BYTES`] = 32 MiB). Each entry weighs
//!   its token, the claims decoded from it and a measured fixed overhead:
//!   about 2.3 KiB for a 1.1 KiB access token.
//! - [`CognitoVerifierBuilder::token_cache_capacity`]: by a number of tokens,
//!   whatever their size.
//! - [`CognitoVerifierBuilder::disable_token_cache`] (or a bound of 0): off.
//!
//! # Behind an Application Load Balancer
//! The [`alb`] module verifies the `x-amzn-oidc-data` header an ALB's
//! `authenticate-cognito` / `authenticate-oidc` action adds (ES256, padded
//! base64url segments signed as sent, a PEM key per kid from the region's
//! key server), and [`gate::Gate::behind_alb`] makes it a gate's identity.
//! The load balancer ARN is mandatory and checked against the token's
//! `signer`: every ALB of a region publishes its keys on the same server, so
//! without that check a token minted by someone else's ALB would verify
//! ("ALBeast"). See the [`alb`] module for an example.
//!
//! # Crypto backend
//! Signatures are verified with `aws-lc-rs` (the backend the workspace pins
//! `jsonwebtoken` to), with each key parsed once when the JWKS is loaded.
//! This crate does not depend on `jsonwebtoken`, so its process-wide backend
//! selection (which panics when both or neither backend is enabled) can
//! never be triggered through us.

pub mod alb;
mod builder;
mod checks;
mod claims;
mod error;
mod fetch;
pub mod gate;
mod jwk;
mod jwks_cache;
mod jws;
mod jwt;
mod policy;
mod pool;
mod remote;
mod revocation;
mod strict_json;
mod token_cache;
mod verifier;

pub use checks::CustomCheck;
pub use claims::CognitoClaims;
pub use error::{Cause, ConfigError, ErrorCategory, Malformed, VerifyError};
pub use fetch::FetchLimits;
pub use policy::{ClientMatch, ExpectedTokenUse, Policy, Requirement, TokenUse};
pub use pool::{PoolConfig, UserPoolId};
pub use verifier::{
    CognitoVerifier, CognitoVerifierBuilder, DEFAULT_MAX_TOKEN_LIFETIME, DEFAULT_MAX_TOKEN_SIZE,
    DEFAULT_TOKEN_CACHE_CAPACITY, DEFAULT_TOKEN_CACHE_MAX_BYTES, JwksStatus,
};
