//! [`CognitoVerifierBuilder`]: validates a configuration and wires one
//! [`PoolEntry`] (pool, shared key cache, revocation list) per pool.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use crate::checks::{CustomCheck, TimeRules};
use crate::claims::CognitoClaims;
use crate::error::ConfigError;
use crate::fetch::FetchLimits;
use crate::jwks_cache::{JwksCache, JwksSettings};
use crate::pool::{Pool, PoolConfig};
use crate::revocation::RevocationList;
use crate::token_cache::{Bound, TokenCache};
use crate::verifier::{CognitoVerifier, DEFAULT_MAX_TOKEN_SIZE, Inner, PoolEntry};

/// A verified-token cache bound in entries for callers that want one (the
/// default bound is [`DEFAULT_TOKEN_CACHE_MAX_BYTES`]): 10 000 tokens, about
/// what the default byte bound holds of 1.1 KiB access tokens.
pub const DEFAULT_TOKEN_CACHE_CAPACITY: u64 = 10_000;

/// Default memory bound of the verified-token cache: 32 MiB, weighed per
/// entry as its token text plus the decoded claims plus a measured fixed
/// overhead (about 2.3 KiB for a 1.1 KiB access token, so roughly 14 000
/// such tokens). A bound in bytes keeps the cache's memory the same whatever
/// the tokens' size: 10 000 entries of 16 KiB tokens (the default size
/// limit) would hold over 250 MiB.
pub const DEFAULT_TOKEN_CACHE_MAX_BYTES: u64 = 32 * 1024 * 1024;

/// Default longest token lifetime accepted: one day, the longest validity
/// Cognito allows for ID and access tokens (5 minutes to 1 day per app client).
pub const DEFAULT_MAX_TOKEN_LIFETIME: Duration = Duration::from_secs(86_400);

/// Configures a [`CognitoVerifier`]; see [`CognitoVerifier::builder`].
pub struct CognitoVerifierBuilder {
    pools: Vec<PoolConfig>,
    leeway: Duration,
    max_token_lifetime: Duration,
    max_token_size: Option<usize>,
    custom_check: Option<CustomCheck>,
    token_cache: TokenCacheSetting,
    limits: FetchLimits,
    jwks: JwksSettings,
    include_token_in_errors: bool,
    http_client: Option<reqwest::Client>,
    revocation_refresh: Duration,
}

impl Default for CognitoVerifierBuilder {
    fn default() -> Self {
        CognitoVerifierBuilder {
            pools: Vec::new(),
            leeway: Duration::ZERO,
            max_token_lifetime: DEFAULT_MAX_TOKEN_LIFETIME,
            max_token_size: None,
            custom_check: None,
            token_cache: TokenCacheSetting::Default,
            limits: FetchLimits::default(),
            jwks: JwksSettings::default(),
            include_token_in_errors: false,
            http_client: None,
            revocation_refresh: Duration::from_secs(30),
        }
    }
}

/// The verified-token cache as configured: the last of
/// `token_cache_capacity`, `token_cache_max_bytes` and `disable_token_cache`
/// called wins.
#[derive(Default)]
enum TokenCacheSetting {
    #[default]
    Default,
    Bounded(Bound),
    Off,
}

impl CognitoVerifierBuilder {
    /// Adds a user pool. Tokens are matched to pools by exact `iss`.
    pub fn pool(mut self, pool: PoolConfig) -> Self {
        self.pools.push(pool);
        self
    }

    /// Tolerance for `exp`, `nbf` and `iat` (default 0; at most one hour).
    pub fn leeway(mut self, leeway: Duration) -> Self {
        self.leeway = leeway;
        self
    }

    /// Longest token lifetime accepted (default one day, Cognito's maximum
    /// for ID and access tokens): a token whose `exp - iat` (or `exp - now`,
    /// without `iat`) is longer is refused with
    /// [`Cause::LifetimeTooLong`](crate::Cause::LifetimeTooLong), however
    /// well signed. Raise it only for issuers that mint longer-lived tokens.
    pub fn max_token_lifetime(mut self, lifetime: Duration) -> Self {
        self.max_token_lifetime = lifetime;
        self
    }

    /// Longest token accepted, in bytes (default 16 KiB).
    pub fn max_token_size(mut self, bytes: usize) -> Self {
        self.max_token_size = Some(bytes);
        self
    }

    /// A check run on every verified token after the built-in ones; an `Err`
    /// message becomes [`Cause::CustomCheck`](crate::Cause::CustomCheck) (an
    /// authorization failure).
    pub fn custom_check<F>(mut self, check: F) -> Self
    where
        F: Fn(&CognitoClaims) -> Result<(), String> + Send + Sync + 'static,
    {
        self.custom_check = Some(Arc::new(check));
        self
    }

    /// Bounds the verified-token cache by a number of tokens, whatever
    /// their size, instead of by memory (0 turns the cache off). Replaces an
    /// earlier [`token_cache_max_bytes`](Self::token_cache_max_bytes).
    pub fn token_cache_capacity(mut self, entries: u64) -> Self {
        self.token_cache = TokenCacheSetting::Bounded(Bound::Entries(entries));
        self
    }

    /// Bounds the verified-token cache by memory (default
    /// [`DEFAULT_TOKEN_CACHE_MAX_BYTES`], 32 MiB; 0 turns the cache off).
    /// Each entry weighs its token text, the claims decoded from it and a
    /// fixed overhead measured for the cache's own bookkeeping; claim maps
    /// built later by [`CognitoClaims::raw`] are not counted. Replaces an
    /// earlier [`token_cache_capacity`](Self::token_cache_capacity).
    pub fn token_cache_max_bytes(mut self, bytes: u64) -> Self {
        self.token_cache = TokenCacheSetting::Bounded(Bound::Bytes(bytes));
        self
    }

    /// Verifies the signature of every token, even one seen before.
    pub fn disable_token_cache(mut self) -> Self {
        self.token_cache = TokenCacheSetting::Off;
        self
    }

    /// Connect and total timeouts for a JWKS (or revocation list) fetch
    /// (default 2 s and 5 s).
    pub fn jwks_timeouts(mut self, connect: Duration, total: Duration) -> Self {
        self.limits.connect_timeout = connect;
        self.limits.timeout = total;
        self
    }

    /// Largest JWKS (or revocation list) response accepted (default 64 KiB).
    pub fn jwks_max_bytes(mut self, bytes: usize) -> Self {
        self.limits.max_bytes = bytes;
        self
    }

    /// How long fetched keys are used before a refresh (default 1 h).
    pub fn jwks_ttl(mut self, ttl: Duration) -> Self {
        self.jwks.ttl = ttl;
        self
    }

    /// How long past their TTL keys (and revocation lists) keep serving while
    /// refreshes fail (default 6 h).
    pub fn jwks_max_stale(mut self, max_stale: Duration) -> Self {
        self.jwks.max_stale = max_stale;
        self
    }

    /// After a fetch that still lacks a requested kid, or a failed fetch,
    /// unknown kids fail fast without fetching for this long (default 10 s).
    /// Failed revocation list fetches are retried no sooner either.
    pub fn jwks_cooldown(mut self, cooldown: Duration) -> Self {
        self.jwks.cooldown = cooldown;
        self
    }

    /// Refreshes every JWKS in the background at this interval, so no
    /// request waits on a fetch. Starts at [`build`](Self::build) inside a
    /// Tokio runtime, otherwise at [`CognitoVerifier::hydrate`].
    pub fn jwks_background_refresh(mut self, every: Duration) -> Self {
        self.jwks.background_refresh = Some(every);
        self
    }

    /// How often revocation lists are re-fetched (default 30 s); see
    /// [`PoolConfig::revocation_list`].
    pub fn revocation_refresh(mut self, every: Duration) -> Self {
        self.revocation_refresh = every;
        self
    }

    /// Uses this HTTP client for JWKS fetches (for proxies or custom roots).
    /// The verifier still bounds each fetch by its own total timeout.
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http_client = Some(client);
        self
    }

    /// Attach the raw token to every [`VerifyError`](crate::VerifyError).
    /// Off by default: tokens are credentials and do not belong in logs.
    pub fn include_token_in_errors(mut self, include: bool) -> Self {
        self.include_token_in_errors = include;
        self
    }

    /// Validates the configuration.
    pub fn build(self) -> Result<CognitoVerifier, ConfigError> {
        if self.pools.is_empty() {
            return Err(ConfigError::NoPools);
        }
        if self.leeway > Duration::from_secs(3600) {
            return Err(ConfigError::InvalidSetting(
                "leeway must be at most one hour",
            ));
        }
        if self.max_token_lifetime < Duration::from_secs(1) {
            return Err(ConfigError::InvalidSetting(
                "max_token_lifetime must be at least one second",
            ));
        }
        let max_token_size = self.max_token_size.unwrap_or(DEFAULT_MAX_TOKEN_SIZE);
        if max_token_size == 0 || self.limits.max_bytes == 0 {
            return Err(ConfigError::InvalidSetting("sizes must be positive"));
        }
        if self.limits.timeout.is_zero() || self.limits.connect_timeout.is_zero() {
            return Err(ConfigError::InvalidSetting("timeouts must be positive"));
        }
        let http = match self.http_client {
            Some(client) => client,
            None => crate::fetch::http_client(&self.limits)
                .map_err(|_| ConfigError::InvalidSetting("HTTP client"))?,
        };

        let mut pools = Vec::new();
        let mut by_issuer = HashMap::new();
        let mut by_uri: HashMap<String, Arc<JwksCache>> = HashMap::new();
        for config in self.pools {
            let pool = Pool::from_config(config)?;
            if by_issuer.insert(pool.issuer.clone(), pools.len()).is_some() {
                return Err(ConfigError::DuplicateIssuer(pool.issuer));
            }
            let jwks = by_uri
                .entry(pool.jwks_uri.clone())
                .or_insert_with(|| {
                    Arc::new(JwksCache::new(
                        pool.jwks_uri.clone(),
                        http.clone(),
                        self.limits,
                        self.jwks,
                    ))
                })
                .clone();
            jwks.start_refresher();
            let revocation = pool.revocation_list.as_ref().map(|uri| {
                Arc::new(RevocationList::new(
                    uri.clone(),
                    http.clone(),
                    self.limits,
                    self.revocation_refresh,
                    self.jwks.max_stale,
                    self.jwks.cooldown,
                ))
            });
            pools.push(PoolEntry {
                pool,
                jwks,
                revocation,
            });
        }
        let token_cache = match self.token_cache {
            TokenCacheSetting::Default => Some(TokenCache::new(
                Bound::Bytes(DEFAULT_TOKEN_CACHE_MAX_BYTES),
                self.jwks.ttl,
            )),
            TokenCacheSetting::Off
            | TokenCacheSetting::Bounded(Bound::Entries(0) | Bound::Bytes(0)) => None,
            TokenCacheSetting::Bounded(bound) => Some(TokenCache::new(bound, self.jwks.ttl)),
        };
        Ok(CognitoVerifier::from_inner(Inner {
            pools,
            by_issuer,
            time: TimeRules {
                leeway: self.leeway.as_secs() as i64,
                max_lifetime: i64::try_from(self.max_token_lifetime.as_secs()).unwrap_or(i64::MAX),
            },
            max_token_size,
            custom_check: self.custom_check,
            token_cache,
            include_token_in_errors: self.include_token_in_errors,
        }))
    }
}
