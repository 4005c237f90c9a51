//! Verified `x-amzn-oidc-data` tokens: a hit skips decoding and the ES256
//! check. Keyed by the exact token, bounded in entries, each entry expiring
//! at the token's `exp` and at most an hour after it was verified. An ALB
//! key never changes under its kid, so no entry depends on a key refresh.

use std::sync::Arc;
use std::time::{Duration, Instant};

use moka::Expiry;
use moka::sync::Cache;

use super::AlbClaims;
use crate::token_cache::unix_now;

/// Longest an entry lives.
const MAX_AGE: Duration = Duration::from_secs(3600);

/// A verified token's claims and the expiry that was checked (the earlier of
/// the header's and the payload's `exp`).
#[derive(Clone)]
pub(super) struct Verified {
    pub(super) claims: AlbClaims,
    pub(super) exp: i64,
}

struct UntilExp;

impl Expiry<Arc<str>, Verified> for UntilExp {
    fn expire_after_create(&self, _: &Arc<str>, value: &Verified, _: Instant) -> Option<Duration> {
        let remaining = value.exp.saturating_sub(unix_now()).max(0);
        Some(Duration::from_secs(remaining as u64).min(MAX_AGE))
    }
}

/// A bounded map from tokens to their verified claims.
pub(super) struct DataCache {
    // foldhash: SipHash over a 1 KiB token would cost more than the lookup.
    cache: Cache<Arc<str>, Verified, foldhash::fast::RandomState>,
}

impl DataCache {
    pub(super) fn new(capacity: u64) -> Self {
        DataCache {
            cache: Cache::builder()
                .max_capacity(capacity)
                .expire_after(UntilExp)
                .build_with_hasher(foldhash::fast::RandomState::default()),
        }
    }

    pub(super) fn get(&self, token: &str) -> Option<Verified> {
        self.cache.get(token)
    }

    pub(super) fn insert(&self, token: &str, verified: Verified) {
        if verified.exp > unix_now() {
            self.cache.insert(Arc::from(token), verified);
        }
    }
}
