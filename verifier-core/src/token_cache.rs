//! Verified-token cache: skips the signature check for a token seen before.
//!
//! Keyed by the exact token string (a hash alone could collide), bounded in
//! entries, and each entry expires no later than the token's `exp`. Only the
//! intrinsic checks are cached; policy checks run on every hit.

use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use moka::Expiry;
use moka::sync::Cache;

use crate::claims::CognitoClaims;

/// What a hit returns: the verified claims and the pool that verified them.
#[derive(Clone)]
pub(crate) struct CachedToken {
    pub(crate) claims: CognitoClaims,
    /// Index of the verifying pool in the verifier's pool entries.
    pub(crate) pool: usize,
}

struct UntilExp;

impl Expiry<Arc<str>, CachedToken> for UntilExp {
    fn expire_after_create(
        &self,
        _: &Arc<str>,
        value: &CachedToken,
        _: Instant,
    ) -> Option<Duration> {
        let remaining = value.claims.exp().saturating_sub(unix_now());
        Some(Duration::from_secs(remaining.max(0) as u64))
    }
}

/// A bounded map from token strings to verified claims.
pub(crate) struct TokenCache {
    // foldhash: SipHash over a 1 KiB token would cost more than the whole lookup.
    cache: Cache<Arc<str>, CachedToken, foldhash::fast::RandomState>,
}

impl TokenCache {
    pub(crate) fn new(capacity: u64) -> Self {
        TokenCache {
            cache: Cache::builder()
                .max_capacity(capacity)
                .expire_after(UntilExp)
                .build_with_hasher(foldhash::fast::RandomState::default()),
        }
    }

    pub(crate) fn get(&self, token: &str) -> Option<CachedToken> {
        self.cache.get(token)
    }

    pub(crate) fn insert(&self, token: &str, entry: CachedToken) {
        if entry.claims.exp() > unix_now() {
            self.cache.insert(Arc::from(token), entry);
        }
    }
}

/// Seconds since the Unix epoch.
pub(crate) fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}
