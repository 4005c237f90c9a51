//! [`CognitoVerifier`]: the pieces put together.
//!
//! Every verification runs the same synchronous steps (size, token cache,
//! decode, pool by `iss`, [`checks::signed`], revocation, policy); the
//! asynchronous entry points only resolve what may need a fetch first (the
//! key, a revocation list that is due) and then take those steps.

use std::collections::HashMap;
use std::sync::Arc;

use crate::checks::{self, CustomCheck};
use crate::claims::CognitoClaims;
use crate::error::{Cause, VerifyError};
use crate::jwk::VerifyingKey;
use crate::jwks_cache::JwksCache;
use crate::jwt::{self, DecodedJwt};
use crate::policy::Policy;
use crate::pool::Pool;
use crate::revocation::RevocationList;
use crate::token_cache::{CachedToken, TokenCache, unix_now};

pub use crate::builder::{
    CognitoVerifierBuilder, DEFAULT_MAX_TOKEN_LIFETIME, DEFAULT_TOKEN_CACHE_CAPACITY,
    DEFAULT_TOKEN_CACHE_MAX_BYTES,
};

/// Default maximum token length: 16 KiB (Cognito tokens are 1–3 KiB).
pub const DEFAULT_MAX_TOKEN_SIZE: usize = 16 * 1024;

/// Up to this many pools, the pool of a token is found by comparing issuers
/// in turn rather than through [`Inner::by_issuer`].
const LINEAR_POOLS: usize = 8;

/// One pool's key set, as [`CognitoVerifier::jwks_status`] reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JwksStatus {
    /// The pool's issuer.
    pub issuer: String,
    /// Where its keys are fetched (pools sharing it share the counters).
    pub jwks_uri: String,
    /// Whether a key set has been loaded.
    pub loaded: bool,
    /// Fetches attempted.
    pub fetches: u64,
    /// Fetches that failed.
    pub failures: u64,
}

/// Verifies Cognito user pool tokens. Cheap to clone; clones share caches.
///
/// ```no_run
/// use cognito_verifier::{CognitoVerifier, ExpectedTokenUse, PoolConfig};
/// # async fn run(token: &str) -> Result<(), Box<dyn std::error::Error>> {
/// let verifier = CognitoVerifier::builder()
///     .pool(
///         PoolConfig::new("us-east-1_AbCdEf123")
///             .client_id("4b1gq2example")
///             .token_use(ExpectedTokenUse::Access),
///     )
///     .build()?;
/// let claims = verifier.verify(token).await?;
/// println!("hello {}", claims.username().unwrap_or(claims.sub()));
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct CognitoVerifier {
    inner: Arc<Inner>,
}

/// One configured pool with its key cache and optional revocation list.
pub(crate) struct PoolEntry {
    pub(crate) pool: Pool,
    /// Pools sharing a JWKS URI share the cache.
    pub(crate) jwks: Arc<JwksCache>,
    pub(crate) revocation: Option<Arc<RevocationList>>,
}

pub(crate) struct Inner {
    pub(crate) pools: Vec<PoolEntry>,
    /// Issuer -> index into `pools` (also what the token cache remembers).
    pub(crate) by_issuer: HashMap<String, usize>,
    /// Leeway and maximum lifetime.
    pub(crate) time: checks::TimeRules,
    pub(crate) max_token_size: usize,
    pub(crate) custom_check: Option<CustomCheck>,
    pub(crate) token_cache: Option<TokenCache>,
    pub(crate) include_token_in_errors: bool,
}

impl std::fmt::Debug for CognitoVerifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CognitoVerifier")
            .field("issuers", &self.issuers().collect::<Vec<_>>())
            .finish_non_exhaustive()
    }
}

/// Where a verification stands after its first synchronous steps.
enum Start<D> {
    /// The verified-token cache had it (times re-checked).
    Cached(CachedToken),
    /// Decoded (a [`DecodedJwt`], boxed on the async path), pool chosen;
    /// the key for `decoded.kid` is needed next.
    NeedsKey(D, usize),
}

impl CognitoVerifier {
    pub(crate) fn from_inner(inner: Inner) -> Self {
        CognitoVerifier {
            inner: Arc::new(inner),
        }
    }

    /// Starts a configuration.
    pub fn builder() -> CognitoVerifierBuilder {
        CognitoVerifierBuilder::default()
    }

    /// Verifies `token` against the configured pools.
    pub async fn verify(&self, token: &str) -> Result<CognitoClaims, VerifyError> {
        self.verify_with(token, &Policy::NONE).await
    }

    /// Verifies `token`, applying `policy` on top of the pool's configuration.
    pub async fn verify_with(
        &self,
        token: &str,
        policy: &Policy,
    ) -> Result<CognitoClaims, VerifyError> {
        let (claims, pool) = match self.start_boxed(token)? {
            Start::Cached(hit) => (hit.claims, hit.pool),
            Start::NeedsKey(decoded, pool) => {
                let key = self.entry(pool).jwks.key(&decoded.kid).await;
                (self.admit(token, *decoded, pool, key)?, pool)
            }
        };
        if let Some(list) = &self.entry(pool).revocation {
            list.refresh_if_due().await;
        }
        self.conclude(token, claims, pool, policy)
    }

    /// Verifies `token` and maps its claims onto `T`.
    ///
    /// A token whose claims do not fit `T` is refused with [`Cause::CustomCheck`].
    pub async fn verify_as<T: serde::de::DeserializeOwned>(
        &self,
        token: &str,
    ) -> Result<T, VerifyError> {
        let claims = self.verify(token).await?;
        self.deserialize(token, &claims)
    }

    /// Verifies `token` without ever fetching: keys must have been loaded by
    /// [`hydrate`](Self::hydrate) (or an earlier async verification).
    pub fn verify_sync(&self, token: &str) -> Result<CognitoClaims, VerifyError> {
        self.verify_sync_with(token, &Policy::NONE)
    }

    /// [`verify_sync`](Self::verify_sync) with a per-call [`Policy`].
    pub fn verify_sync_with(
        &self,
        token: &str,
        policy: &Policy,
    ) -> Result<CognitoClaims, VerifyError> {
        let (claims, pool) = match self.start(token)? {
            Start::Cached(hit) => (hit.claims, hit.pool),
            Start::NeedsKey(decoded, pool) => {
                let key = self.entry(pool).jwks.key_cached(&decoded.kid);
                (self.admit(token, decoded, pool, key)?, pool)
            }
        };
        self.conclude(token, claims, pool, policy)
    }

    /// Decides from the verified-token cache alone, without waiting on
    /// anything: `None` when `token` is not cached (or a revocation list is
    /// due for a refresh), in which case [`verify_with`](Self::verify_with)
    /// is needed. Adapters use it to skip their asynchronous path on the
    /// common case of a token seen before.
    pub fn verify_cached(
        &self,
        token: &str,
        policy: &Policy,
    ) -> Option<Result<CognitoClaims, VerifyError>> {
        let hit = self.inner.token_cache.as_ref()?.get(token)?;
        if let Err(cause) = checks::intrinsic(&hit.claims, unix_now(), &self.inner.time) {
            return Some(Err(self.reject(token, cause, Some(&hit.claims))));
        }
        if self
            .entry(hit.pool)
            .revocation
            .as_ref()
            .is_some_and(|list| list.is_due())
        {
            return None;
        }
        Some(self.conclude(token, hit.claims, hit.pool, policy))
    }

    /// Fetches every pool's JWKS now, so first requests do not wait and
    /// [`verify_sync`](Self::verify_sync) works. Also starts background
    /// refresh when configured.
    pub async fn hydrate(&self) -> Result<(), VerifyError> {
        for entry in &self.inner.pools {
            entry.jwks.start_refresher();
            entry.jwks.refresh().await?;
        }
        Ok(())
    }

    /// Each pool's key set: where it comes from, whether keys are loaded,
    /// and how many fetches were tried and failed (for readiness probes and
    /// metrics).
    pub fn jwks_status(&self) -> Vec<JwksStatus> {
        self.inner
            .pools
            .iter()
            .map(|e| {
                let c = e.jwks.counters();
                JwksStatus {
                    issuer: e.pool.issuer.clone(),
                    jwks_uri: e.jwks.uri().to_owned(),
                    loaded: c.loaded,
                    fetches: c.fetches,
                    failures: c.failures,
                }
            })
            .collect()
    }

    /// The issuers this verifier accepts.
    pub fn issuers(&self) -> impl Iterator<Item = &str> {
        self.inner.pools.iter().map(|e| e.pool.issuer.as_str())
    }

    fn entry(&self, pool: usize) -> &PoolEntry {
        &self.inner.pools[pool]
    }

    fn deserialize<T: serde::de::DeserializeOwned>(
        &self,
        token: &str,
        claims: &CognitoClaims,
    ) -> Result<T, VerifyError> {
        claims.deserialize().map_err(|e| {
            self.reject(
                token,
                Cause::CustomCheck(format!(
                    "claims do not match {}: {e}",
                    std::any::type_name::<T>()
                )),
                Some(claims),
            )
        })
    }

    /// [`start`](Self::start) with the decoded token boxed, for the async
    /// entry points: their futures keep it across the key's await, and a
    /// box keeps them small. (The synchronous path keeps it on the stack.)
    fn start_boxed<'t>(&self, token: &'t str) -> Result<Start<Box<DecodedJwt<'t>>>, VerifyError> {
        Ok(match self.start(token)? {
            Start::Cached(hit) => Start::Cached(hit),
            Start::NeedsKey(decoded, pool) => Start::NeedsKey(Box::new(decoded), pool),
        })
    }

    /// The first steps: size bound, verified-token cache, structure and
    /// header, and the pool chosen by `iss` (never by a URL in the token).
    fn start<'t>(&self, token: &'t str) -> Result<Start<DecodedJwt<'t>>, VerifyError> {
        let inner = &*self.inner;
        if token.len() > inner.max_token_size {
            let cause = Cause::TooLarge {
                size: token.len(),
                max: inner.max_token_size,
            };
            return Err(self.reject(token, cause, None));
        }
        if let Some(hit) = inner.token_cache.as_ref().and_then(|c| c.get(token)) {
            // The cache expires entries at `exp`; this covers timer granularity.
            return match checks::intrinsic(&hit.claims, unix_now(), &inner.time) {
                Ok(()) => Ok(Start::Cached(hit)),
                Err(cause) => Err(self.reject(token, cause, Some(&hit.claims))),
            };
        }
        let decode = || {
            let decoded = jwt::decode(token, inner.max_token_size)?;
            let iss = decoded.claims.issuer()?;
            let pool = self
                .pool_of(iss)
                .ok_or_else(|| Cause::WrongIssuer(iss.to_owned()))?;
            Ok(Start::NeedsKey(decoded, pool))
        };
        decode().map_err(|cause| self.reject(token, cause, None))
    }

    /// The pool whose issuer is `iss`. Up to [`LINEAR_POOLS`] pools are
    /// scanned, which costs less than hashing the issuer; beyond, the map.
    fn pool_of(&self, iss: &str) -> Option<usize> {
        let inner = &*self.inner;
        if inner.pools.len() <= LINEAR_POOLS {
            inner.pools.iter().position(|e| e.pool.issuer == iss)
        } else {
            inner.by_issuer.get(iss).copied()
        }
    }

    /// Runs the synchronous core on a resolved key and caches the result.
    fn admit(
        &self,
        token: &str,
        decoded: DecodedJwt<'_>,
        pool: usize,
        key: Result<Arc<VerifyingKey>, Cause>,
    ) -> Result<CognitoClaims, VerifyError> {
        let inner = &*self.inner;
        let (claims, key) = key
            .and_then(|key| {
                checks::signed(decoded, &key, unix_now(), &inner.time).map(|claims| (claims, key))
            })
            .map_err(|cause| self.reject(token, cause, None))?;
        if let Some(cache) = &inner.token_cache {
            cache.insert(
                token,
                CachedToken {
                    claims: claims.clone(),
                    pool,
                    key,
                },
            );
        }
        Ok(claims)
    }

    /// The last steps of every verification: revocation status (as cached),
    /// then policy.
    fn conclude(
        &self,
        token: &str,
        claims: CognitoClaims,
        pool: usize,
        policy: &Policy,
    ) -> Result<CognitoClaims, VerifyError> {
        let entry = self.entry(pool);
        let revocation = match &entry.revocation {
            None => Ok(()),
            Some(list) => list.check_cached(&claims),
        };
        let decision = revocation.and_then(|()| {
            checks::policy(
                &claims,
                &entry.pool,
                policy,
                self.inner.custom_check.as_ref(),
            )
        });
        match decision {
            Ok(()) => {
                tracing::debug!(
                    outcome = "accepted",
                    sub = claims.sub(),
                    iss = claims.issuer(),
                    "token verified"
                );
                Ok(claims)
            }
            Err(cause) => Err(self.reject(token, cause, Some(&claims))),
        }
    }

    fn reject(&self, token: &str, cause: Cause, claims: Option<&CognitoClaims>) -> VerifyError {
        tracing::debug!(
            outcome = "rejected",
            cause = cause.code(),
            sub = claims.map(CognitoClaims::sub),
            detail = %cause,
            "token rejected"
        );
        let error = VerifyError::from(cause);
        if self.inner.include_token_in_errors {
            error.with_token(token)
        } else {
            error
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pool::PoolConfig;

    #[test]
    fn finds_the_pool_by_issuer_with_few_and_many_pools() {
        for count in [1, LINEAR_POOLS, LINEAR_POOLS + 3] {
            let pools =
                (0..count).map(|i| PoolConfig::new(format!("us-east-1_pool{i}")).client_id("c"));
            let verifier = pools
                .fold(CognitoVerifier::builder(), |b, pool| b.pool(pool))
                .build()
                .unwrap();
            let issuers: Vec<String> = verifier.issuers().map(str::to_owned).collect();
            assert_eq!(issuers.len(), count);
            for (i, issuer) in issuers.iter().enumerate() {
                assert_eq!(verifier.pool_of(issuer), Some(i), "{count} pools");
            }
            assert_eq!(verifier.pool_of("https://elsewhere.example"), None);
            assert_eq!(verifier.pool_of(&issuers[0][..issuers[0].len() - 1]), None);
        }
    }
}
