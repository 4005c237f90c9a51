//! Opt-in revocation checks against an issuer's list of revoked sign-ins.
//!
//! Cognito revokes refresh tokens (RevokeToken, GlobalSignOut) but its ID
//! and access tokens keep passing signature checks until they expire, and
//! Cognito publishes no revocation list. The reference issuer does
//! (`/<poolId>/revocations.json`: `{"revoked_origin_jtis": [..]}`); a pool
//! configured with [`PoolConfig::revocation_list`](crate::PoolConfig::revocation_list)
//! polls it and refuses tokens whose `origin_jti` (or `jti`) is listed.

use std::collections::HashSet;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use serde::Deserialize;
use tokio::sync::Mutex;

use crate::claims::CognitoClaims;
use crate::error::Cause;
use crate::fetch;
use crate::jwks_cache::JwksSettings;

#[derive(Default)]
struct State {
    revoked: Arc<HashSet<String>>,
    fetched_at: Option<Instant>,
    last_attempt: Option<Instant>,
    last_error: Option<String>,
}

#[derive(Deserialize)]
struct Document {
    revoked_origin_jtis: Vec<String>,
}

/// One pool's revocation list, refreshed at most every `refresh` interval.
pub(crate) struct RevocationList {
    uri: String,
    http: reqwest::Client,
    settings: Arc<JwksSettings>,
    refresh: Duration,
    state: RwLock<State>,
    fetch_lock: Mutex<()>,
}

impl RevocationList {
    pub(crate) fn new(
        uri: String,
        http: reqwest::Client,
        settings: Arc<JwksSettings>,
        refresh: Duration,
    ) -> Self {
        RevocationList {
            uri,
            http,
            settings,
            refresh,
            state: RwLock::default(),
            fetch_lock: Mutex::new(()),
        }
    }

    /// Whether the next check would fetch the list first.
    pub(crate) fn is_due(&self) -> bool {
        self.due(Instant::now())
    }

    /// Refuses a revoked token, refreshing the list first when it is due.
    pub(crate) async fn check(&self, claims: &CognitoClaims) -> Result<(), Cause> {
        if self.is_due() {
            let _guard = self.fetch_lock.lock().await;
            if self.is_due() {
                self.fetch_and_store().await;
            }
        }
        self.check_cached(claims)
    }

    /// Refuses a revoked token using the list as last fetched; never fetches.
    pub(crate) fn check_cached(&self, claims: &CognitoClaims) -> Result<(), Cause> {
        let state = self.state.read().unwrap_or_else(|e| e.into_inner());
        let usable = state
            .fetched_at
            .is_some_and(|t| t.elapsed() < self.refresh + self.settings.max_stale);
        if !usable {
            let reason = state
                .last_error
                .clone()
                .unwrap_or_else(|| format!("revocation list {} not loaded", self.uri));
            return Err(Cause::RevocationUnavailable(reason));
        }
        let id = claims
            .origin_jti()
            .or_else(|| claims.jti())
            .unwrap_or_default();
        if !id.is_empty() && state.revoked.contains(id) {
            return Err(Cause::Revoked);
        }
        Ok(())
    }

    /// A refresh is due when the list is older than `refresh`, unless a
    /// failed attempt is younger than the cool-down.
    fn due(&self, now: Instant) -> bool {
        let state = self.state.read().unwrap_or_else(|e| e.into_inner());
        let stale = state
            .fetched_at
            .is_none_or(|t| now.saturating_duration_since(t) >= self.refresh);
        let backing_off = state.last_error.is_some()
            && state
                .last_attempt
                .is_some_and(|t| now.saturating_duration_since(t) < self.settings.cooldown);
        stale && !backing_off
    }

    async fn fetch_and_store(&self) {
        let result = fetch::bounded_get(&self.http, &self.uri, &self.settings)
            .await
            .and_then(|body| {
                serde_json::from_slice::<Document>(&body)
                    .map_err(|e| format!("revocation list {} is not valid: {e}", self.uri))
            });
        let now = Instant::now();
        let mut state = self.state.write().unwrap_or_else(|e| e.into_inner());
        state.last_attempt = Some(now);
        match result {
            Ok(document) => {
                tracing::debug!(uri = %self.uri, revoked = document.revoked_origin_jtis.len(), "fetched revocation list");
                state.revoked = Arc::new(document.revoked_origin_jtis.into_iter().collect());
                state.fetched_at = Some(now);
                state.last_error = None;
            }
            Err(error) => {
                tracing::warn!(uri = %self.uri, %error, "revocation list fetch failed");
                state.last_error = Some(error);
            }
        }
    }
}
