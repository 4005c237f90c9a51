//! Verified-token cache: skips the signature check for a token seen before.
//!
//! Keyed by the exact token string (a hash alone could collide), bounded in
//! entries or in bytes, and each entry expires at the token's `exp` or one
//! JWKS TTL after it was verified, whichever comes first (so a withdrawn key
//! is noticed within a TTL even when every request hits). Each entry holds
//! the key that verified it: once a JWKS refresh withdraws that key, the
//! entry is dropped on its next hit and the token takes the full path again.
//! Only the intrinsic checks are cached; policy checks run on every hit.

use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use moka::Expiry;
use moka::sync::Cache;

use crate::claims::CognitoClaims;
use crate::jwk::VerifyingKey;

/// Bytes an entry costs besides its token text and its decoded payload: the
/// cache's own node, hash-table slot and bookkeeping, the `Arc` headers of
/// the key and of the claims, the claims' typed slots, and the `groups` and
/// `scopes` lists a policy check builds. An estimate from the types' sizes
/// (no counting allocator: the workspace forbids `unsafe`), checked against
/// RSS per cached token by `scripts/bench/token-memory.sh` (PERFORMANCE.md).
pub(crate) const ENTRY_OVERHEAD: u32 = 768;

/// How the cache is bounded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Bound {
    /// At most this many tokens, whatever their size.
    Entries(u64),
    /// At most this many bytes, each entry weighed by [`weight`].
    Bytes(u64),
}

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

/// The bytes an entry for `token` holds: the token text (the key), the
/// decoded payload the claims keep (3 bytes per 4 characters of the middle
/// segment) and [`ENTRY_OVERHEAD`].
pub(crate) fn weight(token: &str) -> u32 {
    let payload = token.split('.').nth(1).map_or(0, str::len);
    let bytes = token.len() + payload * 3 / 4 + ENTRY_OVERHEAD as usize;
    u32::try_from(bytes).unwrap_or(u32::MAX)
}

/// A bounded map from token strings to verified claims.
pub(crate) struct TokenCache {
    // foldhash: SipHash over a 1 KiB token would cost more than the whole lookup.
    cache: Cache<Arc<str>, CachedToken, foldhash::fast::RandomState>,
}

impl TokenCache {
    /// A cache bounded by `bound` whose entries live at most `max_age` (the
    /// JWKS TTL).
    pub(crate) fn new(bound: Bound, max_age: Duration) -> Self {
        let builder = Cache::builder().expire_after(UntilExp { max_age });
        let builder = match bound {
            Bound::Entries(n) => builder.max_capacity(n),
            Bound::Bytes(n) => builder
                .max_capacity(n)
                .weigher(|token: &Arc<str>, _: &CachedToken| weight(token)),
        };
        TokenCache {
            cache: builder.build_with_hasher(foldhash::fast::RandomState::default()),
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

    /// Remembers a verified token, unless it has already expired.
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::jwt;
    use aws_lc_rs::rsa::{KeyPair, KeySize, PublicKeyComponents};
    use aws_lc_rs::signature::KeyPair as _;
    use base64::Engine;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;

    fn key() -> Arc<VerifyingKey> {
        let pair = KeyPair::generate(KeySize::Rsa2048).unwrap();
        let parts = PublicKeyComponents::<Vec<u8>>::from(pair.public_key());
        let jwks = serde_json::json!({"keys": [{
            "kid": "k", "kty": "RSA", "alg": "RS256", "use": "sig",
            "n": URL_SAFE_NO_PAD.encode(&parts.n), "e": URL_SAFE_NO_PAD.encode(&parts.e),
        }]});
        crate::jwk::parse_jwks(jwks.to_string().as_bytes())
            .unwrap()
            .get("k")
            .unwrap()
    }

    /// A Cognito-shaped access token (unsigned: the cache never checks) and its entry.
    fn entry(i: usize, exp: i64, key: &Arc<VerifyingKey>) -> (String, CachedToken) {
        let header = URL_SAFE_NO_PAD.encode(r#"{"kid":"k","alg":"RS256"}"#);
        let payload = serde_json::json!({
            "sub": "11111111-2222-3333-4444-555555555555",
            "iss": "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_AbCdEf123",
            "client_id": "4b1gq2example", "token_use": "access",
            "scope": "openid orders/read", "auth_time": 1, "iat": 1, "exp": exp,
            "jti": format!("jti-{i}"), "username": "alice", "cognito:groups": ["admin"],
        });
        let payload = URL_SAFE_NO_PAD.encode(payload.to_string());
        let token = format!("{header}.{payload}.{}", URL_SAFE_NO_PAD.encode([7u8; 256]));
        let decoded = jwt::decode(&token, 16 * 1024).unwrap();
        let claims = CognitoClaims::from_payload(decoded.claims).unwrap();
        let entry = CachedToken {
            claims,
            pool: 0,
            key: key.clone(),
        };
        (token, entry)
    }

    #[test]
    fn weight_counts_token_payload_and_overhead() {
        let key = key();
        let (token, _) = entry(1, unix_now() + 60, &key);
        let payload = token.split('.').nth(1).unwrap().len();
        assert_eq!(
            weight(&token) as usize,
            token.len() + payload * 3 / 4 + ENTRY_OVERHEAD as usize
        );
        assert_eq!(weight("no-dots"), 7 + ENTRY_OVERHEAD);
    }

    #[test]
    fn byte_bound_keeps_the_weighed_total_under_it() {
        let key = key();
        let exp = unix_now() + 600;
        let per_entry = u64::from(weight(&entry(0, exp, &key).0));
        let cache = TokenCache::new(Bound::Bytes(per_entry * 20), Duration::from_secs(60));
        let tokens: Vec<String> = (0..200)
            .map(|i| {
                let (token, value) = entry(i, exp, &key);
                cache.insert(&token, value);
                token
            })
            .collect();
        cache.cache.run_pending_tasks();
        assert!(cache.cache.weighted_size() <= per_entry * 20);
        let kept = tokens.iter().filter(|t| cache.get(t).is_some()).count();
        assert!((1..=20).contains(&kept), "{kept} kept");
    }

    #[test]
    fn entry_bound_counts_tokens_and_expired_tokens_are_not_kept() {
        let key = key();
        let cache = TokenCache::new(Bound::Entries(5), Duration::from_secs(60));
        for i in 0..50 {
            let (token, value) = entry(i, unix_now() + 600, &key);
            cache.insert(&token, value);
        }
        cache.cache.run_pending_tasks();
        assert!(cache.cache.entry_count() <= 5);
        let (token, value) = entry(99, unix_now() - 1, &key);
        cache.insert(&token, value);
        assert!(cache.get(&token).is_none());
    }
}
