//! Verified-token cache: skips the signature check for a token seen before.
//!
//! Keyed by the exact token string (a hash alone could collide), bounded in
//! entries, and each entry expires at the token's `exp` or one JWKS TTL after
//! it was verified, whichever comes first (so a withdrawn key is noticed
//! within a TTL even when every request hits). Each entry holds the key that
//! verified it: once a JWKS refresh withdraws that key, the entry is dropped
//! on its next hit and the token takes the full path again. Only the
//! intrinsic checks are cached; policy checks run on every hit.

use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use moka::Expiry;
use moka::sync::Cache;

use crate::claims::CognitoClaims;
use crate::jwk::VerifyingKey;

/// What a hit returns: the verified claims, the pool and the key that verified them.
#[derive(Clone)]
pub(crate) struct CachedToken {
    pub(crate) claims: CognitoClaims,
    /// Index of the verifying pool in the verifier's pool entries.
    pub(crate) pool: usize,
    /// The key that verified the signature (shared with the pool's key set;
    /// cloning it is a reference count, not an allocation).
    pub(crate) key: Arc<VerifyingKey>,
}

/// Entries expire at `exp`, and no later than `max_age` after insertion.
struct UntilExp {
    max_age: Duration,
}

impl Expiry<Arc<str>, CachedToken> for UntilExp {
    fn expire_after_create(
        &self,
        _: &Arc<str>,
        value: &CachedToken,
        _: Instant,
    ) -> Option<Duration> {
        let remaining = value.claims.exp().saturating_sub(unix_now());
        Some(Duration::from_secs(remaining.max(0) as u64).min(self.max_age))
    }
}

/// A bounded map from token strings to verified claims.
pub(crate) struct TokenCache {
    // foldhash: SipHash over a 1 KiB token would cost more than the whole lookup.
    cache: Cache<Arc<str>, CachedToken, foldhash::fast::RandomState>,
}

impl TokenCache {
    /// A cache of `capacity` tokens whose entries live at most `max_age`
    /// (the JWKS TTL).
    pub(crate) fn new(capacity: u64, max_age: Duration) -> Self {
        TokenCache {
            cache: Cache::builder()
                .max_capacity(capacity)
                .expire_after(UntilExp { max_age })
                .build_with_hasher(foldhash::fast::RandomState::default()),
        }
    }

    /// The entry for `token`, unless its key has been withdrawn since (the
    /// entry is then dropped, and the caller verifies the token afresh).
    pub(crate) fn get(&self, token: &str) -> Option<CachedToken> {
        let hit = self.cache.get(token)?;
        if hit.key.is_withdrawn() {
            self.cache.invalidate(token);
            return None;
        }
        Some(hit)
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
