//! [`CognitoVerifier`]: the pieces put together, and its builder.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use crate::checks::{self, CustomCheck};
use crate::claims::CognitoClaims;
use crate::error::{Cause, ConfigError, VerifyError};
use crate::jwk::VerifyingKey;
use crate::jwks_cache::{JwksCache, JwksSettings};
use crate::jwt::{self, DecodedJwt};
use crate::policy::Policy;
use crate::pool::{Pool, PoolConfig};
use crate::revocation::RevocationList;
use crate::token_cache::{CachedToken, TokenCache, unix_now};

/// Default maximum token length: 16 KiB (Cognito tokens are 1–3 KiB).
pub const DEFAULT_MAX_TOKEN_SIZE: usize = 16 * 1024;

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

struct Inner {
    pools: Vec<Pool>,
    /// Parallel to `pools`; pools sharing a JWKS URI share the cache.
    jwks: Vec<Arc<JwksCache>>,
    by_issuer: HashMap<String, usize>,
    leeway: i64,
    max_token_size: usize,
    custom_check: Option<CustomCheck>,
    token_cache: Option<TokenCache>,
    /// Parallel to `pools`: the opt-in revocation list of each pool.
    revocations: Vec<Option<Arc<RevocationList>>>,
    include_token_in_errors: bool,
}

impl std::fmt::Debug for CognitoVerifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CognitoVerifier")
            .field(
                "issuers",
                &self
                    .inner
                    .pools
                    .iter()
                    .map(|p| &p.issuer)
                    .collect::<Vec<_>>(),
            )
            .finish_non_exhaustive()
    }
}

/// Where a verification gets its key from.
enum KeySource {
    /// Fetch the JWKS when needed.
    Fetch,
    /// Cached keys only.
    CachedOnly,
}

impl CognitoVerifier {
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
        self.run(token, policy, KeySource::Fetch).await
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
        // With `CachedOnly` the future never awaits: poll it once.
        let fut = std::pin::pin!(self.run(token, policy, KeySource::CachedOnly));
        let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
        match fut.poll(&mut cx) {
            std::task::Poll::Ready(result) => result,
            std::task::Poll::Pending => unreachable!("cached-only verification never awaits"),
        }
    }

    /// Fetches every pool's JWKS now, so first requests do not wait and
    /// [`verify_sync`](Self::verify_sync) works. Also starts background
    /// refresh when configured.
    pub async fn hydrate(&self) -> Result<(), VerifyError> {
        for jwks in &self.inner.jwks {
            jwks.start_refresher();
            jwks.refresh().await?;
        }
        Ok(())
    }

    /// The issuers this verifier accepts.
    pub fn issuers(&self) -> impl Iterator<Item = &str> {
        self.inner.pools.iter().map(|p| p.issuer.as_str())
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

    async fn run(
        &self,
        token: &str,
        policy: &Policy,
        source: KeySource,
    ) -> Result<CognitoClaims, VerifyError> {
        let inner = &*self.inner;
        if token.len() > inner.max_token_size {
            let cause = Cause::TooLarge {
                size: token.len(),
                max: inner.max_token_size,
            };
            return Err(self.reject(token, cause, None));
        }
        let (claims, pool) = match inner.token_cache.as_ref().and_then(|c| c.get(token)) {
            Some(hit) => {
                // The cache expires entries at `exp`; this covers timer granularity.
                if let Err(cause) = checks::intrinsic(&hit.claims, unix_now(), inner.leeway) {
                    return Err(self.reject(token, cause, Some(&hit.claims)));
                }
                (hit.claims, hit.pool)
            }
            None => match self.verify_signed(token, &source).await {
                Ok(verified) => verified,
                Err(cause) => return Err(self.reject(token, cause, None)),
            },
        };
        let revocation = match &inner.revocations[pool] {
            None => Ok(()),
            Some(list) => match source {
                KeySource::Fetch => list.check(&claims).await,
                KeySource::CachedOnly => list.check_cached(&claims),
            },
        };
        self.conclude(token, claims, pool, policy, revocation)
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
        let inner = &*self.inner;
        let hit = inner.token_cache.as_ref()?.get(token)?;
        if let Err(cause) = checks::intrinsic(&hit.claims, unix_now(), inner.leeway) {
            return Some(Err(self.reject(token, cause, Some(&hit.claims))));
        }
        let revocation = match &inner.revocations[hit.pool] {
            None => Ok(()),
            Some(list) if list.is_due() => return None,
            Some(list) => list.check_cached(&hit.claims),
        };
        Some(self.conclude(token, hit.claims, hit.pool, policy, revocation))
    }

    /// The last steps of every verification: revocation status, then policy.
    fn conclude(
        &self,
        token: &str,
        claims: CognitoClaims,
        pool: usize,
        policy: &Policy,
        revocation: Result<(), Cause>,
    ) -> Result<CognitoClaims, VerifyError> {
        match revocation.and_then(|()| self.apply_policy(&claims, pool, policy)) {
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

    /// Everything intrinsic to the token: structure, issuer, key, signature,
    /// claim types and times. The result is cached.
    async fn verify_signed(
        &self,
        token: &str,
        source: &KeySource,
    ) -> Result<(CognitoClaims, usize), Cause> {
        let (decoded, pool) = self.decode(token)?;
        let jwks = &self.inner.jwks[pool];
        let key = match source {
            KeySource::Fetch => jwks.key(&decoded.kid).await?,
            KeySource::CachedOnly => jwks.key_cached(&decoded.kid)?,
        };
        let claims = self.check_signed(decoded, &key)?;
        if let Some(cache) = &self.inner.token_cache {
            cache.insert(
                token,
                CachedToken {
                    claims: claims.clone(),
                    pool,
                },
            );
        }
        Ok((claims, pool))
    }

    /// Structure, header, and the pool chosen by `iss` (never by a URL in the token).
    fn decode<'t>(&self, token: &'t str) -> Result<(DecodedJwt<'t>, usize), Cause> {
        let decoded = jwt::decode(token, self.inner.max_token_size)?;
        let iss = decoded.claims.issuer()?;
        let pool = *self
            .inner
            .by_issuer
            .get(iss)
            .ok_or_else(|| Cause::WrongIssuer(iss.to_owned()))?;
        Ok((decoded, pool))
    }

    fn check_signed(
        &self,
        decoded: DecodedJwt<'_>,
        key: &VerifyingKey,
    ) -> Result<CognitoClaims, Cause> {
        if !key.verify(decoded.signing_input, &decoded.signature) {
            return Err(Cause::BadSignature);
        }
        let claims = CognitoClaims::from_payload(decoded.claims)?;
        checks::intrinsic(&claims, unix_now(), self.inner.leeway)?;
        Ok(claims)
    }

    fn apply_policy(
        &self,
        claims: &CognitoClaims,
        pool: usize,
        policy: &Policy,
    ) -> Result<(), Cause> {
        checks::policy(
            claims,
            &self.inner.pools[pool],
            policy,
            self.inner.custom_check.as_ref(),
        )
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

/// Configures a [`CognitoVerifier`]; see [`CognitoVerifier::builder`].
pub struct CognitoVerifierBuilder {
    pools: Vec<PoolConfig>,
    leeway: Duration,
    max_token_size: Option<usize>,
    custom_check: Option<CustomCheck>,
    token_cache: TokenCacheSetting,
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
            max_token_size: None,
            custom_check: None,
            token_cache: TokenCacheSetting::Default,
            jwks: JwksSettings::default(),
            include_token_in_errors: false,
            http_client: None,
            revocation_refresh: Duration::from_secs(30),
        }
    }
}

#[derive(Default)]
enum TokenCacheSetting {
    #[default]
    Default,
    Capacity(u64),
    Off,
}

/// Default number of verified tokens kept.
pub const DEFAULT_TOKEN_CACHE_CAPACITY: u64 = 10_000;

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

    /// Longest token accepted, in bytes (default 16 KiB).
    pub fn max_token_size(mut self, bytes: usize) -> Self {
        self.max_token_size = Some(bytes);
        self
    }

    /// A check run on every verified token after the built-in ones; an `Err`
    /// message becomes [`Cause::CustomCheck`] (an authorization failure).
    pub fn custom_check<F>(mut self, check: F) -> Self
    where
        F: Fn(&CognitoClaims) -> Result<(), String> + Send + Sync + 'static,
    {
        self.custom_check = Some(Arc::new(check));
        self
    }

    /// How many verified tokens to remember (default 10 000).
    pub fn token_cache_capacity(mut self, entries: u64) -> Self {
        self.token_cache = TokenCacheSetting::Capacity(entries);
        self
    }

    /// Verifies the signature of every token, even one seen before.
    pub fn disable_token_cache(mut self) -> Self {
        self.token_cache = TokenCacheSetting::Off;
        self
    }

    /// Connect and total timeouts for a JWKS fetch (default 2 s and 5 s).
    pub fn jwks_timeouts(mut self, connect: Duration, total: Duration) -> Self {
        self.jwks.connect_timeout = connect;
        self.jwks.timeout = total;
        self
    }

    /// Largest JWKS response accepted (default 64 KiB).
    pub fn jwks_max_bytes(mut self, bytes: usize) -> Self {
        self.jwks.max_bytes = bytes;
        self
    }

    /// How long fetched keys are used before a refresh (default 1 h).
    pub fn jwks_ttl(mut self, ttl: Duration) -> Self {
        self.jwks.ttl = ttl;
        self
    }

    /// How long past their TTL keys keep serving while refreshes fail (default 6 h).
    pub fn jwks_max_stale(mut self, max_stale: Duration) -> Self {
        self.jwks.max_stale = max_stale;
        self
    }

    /// After a fetch that still lacks a requested kid, or a failed fetch,
    /// unknown kids fail fast without fetching for this long (default 10 s).
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

    /// Attach the raw token to every [`VerifyError`]. Off by default: tokens
    /// are credentials and do not belong in logs.
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
        let max_token_size = self.max_token_size.unwrap_or(DEFAULT_MAX_TOKEN_SIZE);
        if max_token_size == 0 || self.jwks.max_bytes == 0 {
            return Err(ConfigError::InvalidSetting("sizes must be positive"));
        }
        if self.jwks.timeout.is_zero() || self.jwks.connect_timeout.is_zero() {
            return Err(ConfigError::InvalidSetting("timeouts must be positive"));
        }
        let http = match self.http_client {
            Some(client) => client,
            None => crate::fetch::http_client(&self.jwks)
                .map_err(|_| ConfigError::InvalidSetting("HTTP client"))?,
        };
        let settings = Arc::new(self.jwks);

        let mut pools = Vec::new();
        let mut jwks = Vec::new();
        let mut by_issuer = HashMap::new();
        let mut by_uri: HashMap<String, Arc<JwksCache>> = HashMap::new();
        let mut revocations = Vec::new();
        for config in self.pools {
            let pool = Pool::from_config(config)?;
            if by_issuer.insert(pool.issuer.clone(), pools.len()).is_some() {
                return Err(ConfigError::DuplicateIssuer(pool.issuer));
            }
            let cache = by_uri
                .entry(pool.jwks_uri.clone())
                .or_insert_with(|| {
                    Arc::new(JwksCache::new(
                        pool.jwks_uri.clone(),
                        http.clone(),
                        settings.clone(),
                    ))
                })
                .clone();
            cache.start_refresher();
            jwks.push(cache);
            revocations.push(pool.revocation_list.as_ref().map(|uri| {
                Arc::new(RevocationList::new(
                    uri.clone(),
                    http.clone(),
                    settings.clone(),
                    self.revocation_refresh,
                ))
            }));
            pools.push(pool);
        }
        let token_cache = match self.token_cache {
            TokenCacheSetting::Default => Some(TokenCache::new(DEFAULT_TOKEN_CACHE_CAPACITY)),
            TokenCacheSetting::Capacity(0) | TokenCacheSetting::Off => None,
            TokenCacheSetting::Capacity(n) => Some(TokenCache::new(n)),
        };
        Ok(CognitoVerifier {
            inner: Arc::new(Inner {
                pools,
                jwks,
                by_issuer,
                leeway: self.leeway.as_secs() as i64,
                max_token_size,
                custom_check: self.custom_check,
                token_cache,
                revocations,
                include_token_in_errors: self.include_token_in_errors,
            }),
        })
    }
}
