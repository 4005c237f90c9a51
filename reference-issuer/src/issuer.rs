//! The issuer's shared state: store, key cache, lockout and rate limits, and
//! the public URL tokens and discovery documents are built from.

use crate::errors::{ApiError, ApiResult};
use crate::keys::KeyCache;
use crate::lockout::{Lockout, RateLimits};
use crate::model::{AppClient, IssuerStyle, Pool};
use crate::store::Store;
use crate::store::pools as pool_rows;
use crate::tokens;

/// Shared state behind every request.
#[derive(Debug)]
pub struct Issuer {
    /// Durable storage.
    pub store: Store,
    /// Loaded signing keys.
    pub keys: KeyCache,
    /// Base URL the server is reachable at (no trailing slash).
    pub public_url: String,
    /// Sign-in lockout state.
    pub lockout: Lockout,
    /// Per-pool authentication rate limits.
    pub rate_limits: RateLimits,
    /// Pending SRP `PASSWORD_VERIFIER` challenges (in memory).
    pub srp: crate::srp::PendingChallenges,
}

impl Issuer {
    /// Creates the state around an opened store.
    pub fn new(store: Store, public_url: String) -> Self {
        Self {
            store,
            keys: KeyCache::default(),
            public_url: public_url.trim_end_matches('/').to_string(),
            lockout: Lockout::default(),
            rate_limits: RateLimits::default(),
            srp: Default::default(),
        }
    }

    /// Loads a pool or fails with `ResourceNotFoundException`.
    pub fn pool(&self, pool_id: &str) -> ApiResult<(Pool, IssuerStyle)> {
        self.store
            .read(|c| pool_rows::get_pool(c, pool_id))?
            .ok_or_else(|| pool_not_found(pool_id))
    }

    /// Loads an app client or fails with `ResourceNotFoundException`.
    pub fn client(&self, client_id: &str) -> ApiResult<AppClient> {
        self.store
            .read(|c| pool_rows::get_client(c, client_id))?
            .ok_or_else(|| client_not_found(client_id))
    }

    /// The `iss` of a pool's tokens.
    pub fn issuer_url(&self, pool_id: &str, style: IssuerStyle) -> String {
        tokens::issuer_for(&self.public_url, pool_id, style)
    }

    /// The JWKS URL of a pool (always served locally).
    pub fn jwks_url(&self, pool_id: &str) -> String {
        format!("{}/{pool_id}/.well-known/jwks.json", self.public_url)
    }

    /// The OpenID discovery URL of a pool (always served locally).
    pub fn discovery_url(&self, pool_id: &str) -> String {
        format!(
            "{}/{pool_id}/.well-known/openid-configuration",
            self.public_url
        )
    }
}

/// `ResourceNotFoundException` for a missing pool.
pub fn pool_not_found(pool_id: &str) -> ApiError {
    ApiError::resource_not_found(format!("User pool {pool_id} does not exist."))
}

/// `ResourceNotFoundException` for a missing client.
pub fn client_not_found(client_id: &str) -> ApiError {
    ApiError::resource_not_found(format!("User pool client {client_id} does not exist."))
}
