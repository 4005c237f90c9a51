//! The issuer's shared state: store, key cache, lockout and rate limits, and
//! the public URL tokens and discovery documents are built from.

use crate::error::{Error, Result};
use crate::model::{AppClient, IssuerStyle, Pool};
use crate::signin::lockout::Lockout;
use crate::signin::rate_limits::RateLimits;
use crate::store::outbox::OutboxMessage;
use crate::store::{
    Conn, Store, clients as client_rows, meta as meta_rows, outbox as outbox_rows,
    pools as pool_rows,
};
use crate::tokens;
use crate::tokens::keys::KeyCache;

/// Shared state behind every request.
#[derive(Debug)]
pub(crate) struct Issuer {
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
    /// The sealing key of SRP `PASSWORD_VERIFIER` challenges and the
    /// record of used ones.
    pub srp: crate::signin::srp_pending::SealedChallenges,
    /// Code budgets of unknown usernames (PreventUserExistenceErrors).
    pub code_decoys: crate::directory::code_decoys::CodeDecoys,
    /// The Lambda trigger handlers, by function ARN.
    pub triggers: crate::triggers::Handlers,
}

impl Issuer {
    /// Creates the state around an opened store.
    pub(crate) fn new(store: Store, public_url: String) -> Self {
        Self {
            store,
            keys: KeyCache::default(),
            public_url: public_url.trim_end_matches('/').to_string(),
            lockout: Lockout::default(),
            rate_limits: RateLimits::default(),
            code_decoys: Default::default(),
            srp: Default::default(),
            triggers: Default::default(),
        }
    }

    /// Runs `f` on a reader connection (a consistent snapshot).
    pub(crate) fn read<T>(&self, f: impl FnOnce(&Conn) -> Result<T>) -> Result<T> {
        self.store.read(f)
    }

    /// Runs `f` in one durable write transaction (rolled back on error).
    pub(crate) fn write<T>(&self, f: impl FnOnce(&Conn) -> Result<T>) -> Result<T> {
        self.store.write(|tx| f(tx))
    }

    /// Like [`Issuer::write`], but keeps what `f` wrote before a refusal
    /// (such as a counted wrong attempt); faults still roll back.
    pub(crate) fn write_keeping_failures<T>(
        &self,
        f: impl FnOnce(&Conn) -> Result<T>,
    ) -> Result<T> {
        self.store.write_keeping_failures(|tx| f(tx))
    }

    /// Loads a pool or fails with `ResourceNotFoundException`.
    pub(crate) fn pool(&self, pool_id: &str) -> Result<(Pool, IssuerStyle)> {
        self.store
            .read(|c| pool_rows::get_pool(c, pool_id))?
            .ok_or_else(|| pool_not_found(pool_id))
    }

    /// Loads an app client or fails with `ResourceNotFoundException`.
    pub(crate) fn client(&self, client_id: &str) -> Result<AppClient> {
        self.store
            .read(|c| client_rows::get_client(c, client_id))?
            .ok_or_else(|| client_not_found(client_id))
    }

    /// The `iss` of a pool's tokens.
    pub(crate) fn issuer_url(&self, pool_id: &str, style: IssuerStyle) -> String {
        tokens::issuer_for(&self.public_url, pool_id, style)
    }

    /// The JWKS URL of a pool (always served locally).
    pub(crate) fn jwks_url(&self, pool_id: &str) -> String {
        format!("{}/{pool_id}/.well-known/jwks.json", self.public_url)
    }

    /// The OpenID discovery URL of a pool (always served locally).
    pub(crate) fn discovery_url(&self, pool_id: &str) -> String {
        format!(
            "{}/{pool_id}/.well-known/openid-configuration",
            self.public_url
        )
    }
}

impl Issuer {
    /// Every pool with its issuer style, ordered by id.
    pub(crate) fn pools(&self) -> Result<Vec<(Pool, IssuerStyle)>> {
        self.read(|c| Ok(pool_rows::list_pools(c)?))
    }

    /// The app clients of a pool, in creation order.
    pub(crate) fn clients_of(&self, pool_id: &str) -> Result<Vec<AppClient>> {
        self.read(|c| Ok(client_rows::list_clients(c, pool_id)?))
    }

    /// Outbox messages, newest first, optionally filtered.
    pub(crate) fn outbox(
        &self,
        pool_id: Option<&str>,
        username: Option<&str>,
        limit: i64,
    ) -> Result<Vec<OutboxMessage>> {
        self.read(|c| Ok(outbox_rows::list_outbox(c, pool_id, username, limit)?))
    }

    /// An install-wide setting (such as the default pool id).
    pub(crate) fn setting(&self, key: &str) -> Result<Option<String>> {
        self.read(|c| Ok(meta_rows::get_meta(c, key)?))
    }

    /// Stores install-wide settings, in one transaction.
    pub(crate) fn set_settings(&self, pairs: &[(&str, &str)]) -> Result<()> {
        self.write(|tx| {
            for (k, v) in pairs {
                meta_rows::set_meta(tx, k, v)?;
            }
            Ok(())
        })
    }

    /// The JWKS document of a pool (active keys and retired keys still
    /// published).
    pub(crate) fn jwks(&self, pool_id: &str) -> Result<serde_json::Value> {
        self.pool(pool_id)?;
        Ok(self.keys.get(&self.store, pool_id)?.jwks(crate::ids::now()))
    }

    /// Rotates a pool's keys; returns the new kids. The old keys stay
    /// published for the longest ID or access token lifetime of the pool's
    /// clients (at least an hour).
    pub(crate) fn rotate_keys(&self, pool_id: &str) -> Result<Vec<String>> {
        self.pool(pool_id)?;
        let max_ttl = self
            .clients_of(pool_id)?
            .iter()
            .map(|c| c.access_ttl().max(c.id_ttl()))
            .max()
            .unwrap_or(3600)
            .max(3600);
        let kids = self.write(|tx| crate::tokens::keys::rotate(tx, pool_id, max_ttl))?;
        self.keys.invalidate(pool_id);
        tracing::info!(pool = %pool_id, ?kids, "rotated signing keys");
        Ok(kids)
    }

    /// Signs `claims` with the pool's active key for `purpose` (tests make
    /// tokens no flow issues with it: expired, odd `token_use`, ...).
    pub(crate) fn sign_claims(
        &self,
        pool_id: &str,
        purpose: crate::tokens::KeyPurpose,
        claims: &serde_json::Value,
    ) -> Result<String> {
        let keys = self.keys.get(&self.store, pool_id)?;
        crate::tokens::jwt::sign_jwt(keys.active(purpose)?, claims)
    }
}

/// `ResourceNotFoundException` for a missing pool.
pub(crate) fn pool_not_found(pool_id: &str) -> Error {
    Error::resource_not_found(format!("User pool {pool_id} does not exist."))
}

/// `ResourceNotFoundException` for a missing client.
pub(crate) fn client_not_found(client_id: &str) -> Error {
    Error::resource_not_found(format!("User pool client {client_id} does not exist."))
}
