//! Opt-in revocation checks against an issuer's list of revoked sign-ins.
//!
//! Cognito revokes refresh tokens (RevokeToken, GlobalSignOut) but its ID
//! and access tokens keep passing signature checks until they expire, and
//! Cognito publishes no revocation list. The reference issuer does
//! (`/<poolId>/revocations.json`: `{"revoked_origin_jtis": [..]}`); a pool
//! configured with [`PoolConfig::revocation_list`](crate::PoolConfig::revocation_list)
//! polls it and refuses tokens whose `origin_jti` (or `jti`) is listed.

use std::collections::HashSet;
use std::time::{Duration, Instant};

use serde::Deserialize;

use crate::claims::CognitoClaims;
use crate::error::Cause;
use crate::fetch::FetchLimits;
use crate::remote::{Document, Freshness, Remote};

/// The revoked sign-ins a list names.
struct Revoked(HashSet<String>);

#[derive(Deserialize)]
struct Body {
    revoked_origin_jtis: Vec<String>,
}

impl Document for Revoked {
    const KIND: &'static str = "revocation list";

    fn parse(uri: &str, body: &[u8]) -> Result<Self, String> {
        serde_json::from_slice::<Body>(body)
            .map(|body| Revoked(body.revoked_origin_jtis.into_iter().collect()))
            .map_err(|e| format!("revocation list {uri} is not valid: {e}"))
    }

    fn entries(&self) -> usize {
        self.0.len()
    }

    fn not_loaded(uri: &str) -> String {
        format!("revocation list {uri} not loaded")
    }
}

/// One pool's revocation list, refreshed at most every `refresh` interval.
pub(crate) struct RevocationList {
    list: Remote<Revoked>,
}

impl RevocationList {
    /// A list fetched every `refresh`, serving `max_stale` past that while
    /// refreshes fail, retried no sooner than `cooldown` after a failure.
    pub(crate) fn new(
        uri: String,
        http: reqwest::Client,
        limits: FetchLimits,
        refresh: Duration,
        max_stale: Duration,
        cooldown: Duration,
    ) -> Self {
        let freshness = Freshness {
            ttl: refresh,
            max_stale,
            cooldown,
        };
        RevocationList {
            list: Remote::new(uri, http, limits, freshness),
        }
    }

    /// Whether the next check would fetch the list first: it is older than
    /// `refresh`, and no failed attempt is younger than the cool-down.
    pub(crate) fn is_due(&self) -> bool {
        let cached = self.list.read(Instant::now());
        !cached.is_fresh() && !cached.is_backing_off()
    }

    /// Refreshes the list when it is due (one fetch in flight at most).
    pub(crate) async fn refresh_if_due(&self) {
        if self.is_due() {
            let flight = self.list.flight().await;
            if self.is_due() {
                // A failure is recorded and reported by `check_cached`.
                let _ = flight.fetch().await;
            }
        }
    }

    /// Refuses a revoked token using the list as last fetched; never fetches.
    pub(crate) fn check_cached(&self, claims: &CognitoClaims) -> Result<(), Cause> {
        let cached = self.list.read(Instant::now());
        let revoked = match cached.value() {
            Some(list) if cached.is_usable() => list,
            _ => return Err(Cause::RevocationUnavailable(cached.unavailable())),
        };
        let id = claims
            .origin_jti()
            .or_else(|| claims.jti())
            .unwrap_or_default();
        if !id.is_empty() && revoked.0.contains(id) {
            return Err(Cause::Revoked);
        }
        Ok(())
    }
}
