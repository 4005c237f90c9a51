//! One issuer's signing keys: bounded fetches, single flight, cool-down,
//! TTL with a bounded stale period, and optional background refresh.

use std::sync::{Arc, RwLock, Weak};
use std::time::{Duration, Instant};

use tokio::sync::Mutex;

use crate::error::Cause;
use crate::fetch;
use crate::jwk::{self, KeySet, VerifyingKey};

/// How JWKS documents are fetched and kept. Set through
/// [`CognitoVerifierBuilder`](crate::CognitoVerifierBuilder).
#[derive(Debug, Clone)]
pub(crate) struct JwksSettings {
    pub connect_timeout: Duration,
    pub timeout: Duration,
    pub max_bytes: usize,
    pub ttl: Duration,
    pub max_stale: Duration,
    pub cooldown: Duration,
    pub background_refresh: Option<Duration>,
}

impl Default for JwksSettings {
    fn default() -> Self {
        JwksSettings {
            connect_timeout: Duration::from_secs(2),
            timeout: Duration::from_secs(5),
            max_bytes: 64 * 1024,
            ttl: Duration::from_secs(3600),
            max_stale: Duration::from_secs(6 * 3600),
            cooldown: Duration::from_secs(10),
            background_refresh: None,
        }
    }
}

#[derive(Default)]
struct State {
    keys: Option<Arc<KeySet>>,
    fetched_at: Option<Instant>,
    /// After a fetch that did not list a requested kid: unknown kids fail fast until then.
    miss_cooldown_until: Option<Instant>,
    /// After a failed fetch: no new fetch until then.
    failure_backoff_until: Option<Instant>,
    last_error: Option<String>,
}

enum Next {
    Done(Result<Arc<VerifyingKey>, Cause>),
    Fetch,
}

/// Signing keys of one issuer.
pub(crate) struct JwksCache {
    uri: String,
    http: reqwest::Client,
    settings: Arc<JwksSettings>,
    state: RwLock<State>,
    /// Held while fetching: concurrent callers wait for the one fetch in flight.
    fetch_lock: Mutex<()>,
    refresher_started: std::sync::atomic::AtomicBool,
}

impl JwksCache {
    pub(crate) fn new(uri: String, http: reqwest::Client, settings: Arc<JwksSettings>) -> Self {
        JwksCache {
            uri,
            http,
            settings,
            state: RwLock::default(),
            fetch_lock: Mutex::new(()),
            refresher_started: Default::default(),
        }
    }

    /// The key for `kid`, fetching the JWKS if needed (at most one fetch in flight).
    pub(crate) async fn key(&self, kid: &str) -> Result<Arc<VerifyingKey>, Cause> {
        if let Next::Done(result) = self.next(kid, Instant::now()) {
            return result;
        }
        let _guard = self.fetch_lock.lock().await;
        // Whoever held the lock before us may already have fetched.
        if let Next::Done(result) = self.next(kid, Instant::now()) {
            return result;
        }
        self.fetch_and_store(Some(kid)).await;
        match self.next(kid, Instant::now()) {
            Next::Done(result) => result,
            // Only reachable with a zero cool-down; do not loop.
            Next::Fetch => self.cached_only(kid, Instant::now()),
        }
    }

    /// The key for `kid` from what is cached; never fetches.
    pub(crate) fn key_cached(&self, kid: &str) -> Result<Arc<VerifyingKey>, Cause> {
        self.cached_only(kid, Instant::now())
    }

    /// Fetches the JWKS now, regardless of what is cached.
    pub(crate) async fn refresh(&self) -> Result<(), Cause> {
        let _guard = self.fetch_lock.lock().await;
        self.fetch_and_store(None).await;
        let state = self.state.read().unwrap_or_else(|e| e.into_inner());
        match (&state.last_error, &state.keys) {
            (Some(error), _) => Err(Cause::JwksUnavailable(error.clone())),
            (None, _) => Ok(()),
        }
    }

    /// Starts the background refresher once, if configured and a Tokio runtime is running.
    pub(crate) fn start_refresher(self: &Arc<Self>) {
        use std::sync::atomic::Ordering;
        let Some(every) = self.settings.background_refresh else {
            return;
        };
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            return;
        };
        if self.refresher_started.swap(true, Ordering::AcqRel) {
            return;
        }
        let weak: Weak<Self> = Arc::downgrade(self);
        runtime.spawn(async move {
            loop {
                tokio::time::sleep(every).await;
                let Some(cache) = weak.upgrade() else { return };
                if let Err(error) = cache.refresh().await {
                    tracing::warn!(jwks_uri = %cache.uri, %error, "background JWKS refresh failed");
                }
            }
        });
    }

    fn next(&self, kid: &str, now: Instant) -> Next {
        let state = self.state.read().unwrap_or_else(|e| e.into_inner());
        let in_backoff = state.failure_backoff_until.is_some_and(|t| now < t);
        let age = state.fetched_at.map(|t| now.saturating_duration_since(t));
        let fresh = age.is_some_and(|a| a < self.settings.ttl);
        match &state.keys {
            Some(keys) if fresh && keys.contains(kid) => Next::Done(keys.get(kid)),
            Some(_) if fresh && state.miss_cooldown_until.is_some_and(|t| now < t) => {
                Next::Done(Err(Cause::UnknownKid(kid.to_owned())))
            }
            _ if in_backoff => Next::Done(self.serve_stale(&state, kid, now)),
            _ => Next::Fetch,
        }
    }

    fn cached_only(&self, kid: &str, now: Instant) -> Result<Arc<VerifyingKey>, Cause> {
        let state = self.state.read().unwrap_or_else(|e| e.into_inner());
        if state.last_error.is_none() {
            let fresh = state
                .fetched_at
                .is_some_and(|t| now.saturating_duration_since(t) < self.settings.ttl);
            if let (true, Some(keys)) = (fresh, &state.keys) {
                return keys.get(kid);
            }
        }
        self.serve_stale(&state, kid, now)
    }

    /// Keys kept past their TTL serve for `max_stale` when they cannot be refreshed.
    fn serve_stale(
        &self,
        state: &State,
        kid: &str,
        now: Instant,
    ) -> Result<Arc<VerifyingKey>, Cause> {
        let unavailable = || {
            Cause::JwksUnavailable(
                state
                    .last_error
                    .clone()
                    .unwrap_or_else(|| format!("keys from {} not loaded", self.uri)),
            )
        };
        let usable = state.fetched_at.is_some_and(|t| {
            now.saturating_duration_since(t) < self.settings.ttl + self.settings.max_stale
        });
        match &state.keys {
            Some(keys) if usable => match keys.get(kid) {
                Err(Cause::UnknownKid(_)) if state.last_error.is_some() => Err(unavailable()),
                other => other,
            },
            _ => Err(unavailable()),
        }
    }

    async fn fetch_and_store(&self, wanted_kid: Option<&str>) {
        let started = Instant::now();
        let result = self.fetch().await;
        let now = Instant::now();
        let mut state = self.state.write().unwrap_or_else(|e| e.into_inner());
        match result {
            Ok(keys) => {
                tracing::debug!(
                    jwks_uri = %self.uri,
                    keys = keys.len(),
                    elapsed_ms = started.elapsed().as_millis() as u64,
                    "fetched JWKS"
                );
                state.miss_cooldown_until = wanted_kid
                    .filter(|kid| !keys.contains(kid))
                    .map(|_| now + self.settings.cooldown);
                state.keys = Some(Arc::new(keys));
                state.fetched_at = Some(now);
                state.failure_backoff_until = None;
                state.last_error = None;
            }
            Err(error) => {
                tracing::warn!(jwks_uri = %self.uri, %error, "JWKS fetch failed");
                state.failure_backoff_until = Some(now + self.settings.cooldown);
                state.last_error = Some(error);
            }
        }
    }

    async fn fetch(&self) -> Result<KeySet, String> {
        let body = fetch::bounded_get(&self.http, &self.uri, &self.settings).await?;
        jwk::parse_jwks(&body)
    }
}
