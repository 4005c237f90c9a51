//! One issuer's signing keys on top of [`Remote`]: a kid missing from a
//! fresh key set fetches at most once per cool-down, and keys serve stale
//! only for kids they list. Optional background refresh.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, RwLock, Weak};
use std::time::{Duration, Instant};

use crate::error::Cause;
use crate::fetch::FetchLimits;
use crate::jwk::{self, KeySet, VerifyingKey};
use crate::remote::{Document, Freshness, Remote, Snapshot};

/// How JWKS documents are kept. Set through
/// [`CognitoVerifierBuilder`](crate::CognitoVerifierBuilder).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct JwksSettings {
    pub(crate) ttl: Duration,
    pub(crate) max_stale: Duration,
    pub(crate) cooldown: Duration,
    pub(crate) background_refresh: Option<Duration>,
}

impl Default for JwksSettings {
    fn default() -> Self {
        JwksSettings {
            ttl: Duration::from_secs(3600),
            max_stale: Duration::from_secs(6 * 3600),
            cooldown: Duration::from_secs(10),
            background_refresh: None,
        }
    }
}

impl Document for KeySet {
    const KIND: &'static str = "JWKS";

    fn parse(_uri: &str, body: &[u8]) -> Result<Self, String> {
        jwk::parse_jwks(body)
    }

    fn entries(&self) -> usize {
        self.len()
    }

    fn not_loaded(uri: &str) -> String {
        format!("keys from {uri} not loaded")
    }

    fn succeed(&mut self, previous: &Self) {
        KeySet::succeed(self, previous);
    }
}

enum Next {
    Done(Result<Arc<VerifyingKey>, Cause>),
    Fetch,
}

/// Signing keys of one issuer.
pub(crate) struct JwksCache {
    keys: Remote<KeySet>,
    settings: JwksSettings,
    /// After a fetch that did not list a requested kid: unknown kids fail
    /// fast until then. Only written while holding the fetch flight.
    miss_cooldown_until: RwLock<Option<Instant>>,
    refresher_started: AtomicBool,
}

impl JwksCache {
    pub(crate) fn new(
        uri: String,
        http: reqwest::Client,
        limits: FetchLimits,
        settings: JwksSettings,
    ) -> Self {
        let freshness = Freshness {
            ttl: settings.ttl,
            max_stale: settings.max_stale,
            cooldown: settings.cooldown,
        };
        JwksCache {
            keys: Remote::new(uri, http, limits, freshness),
            settings,
            miss_cooldown_until: RwLock::new(None),
            refresher_started: AtomicBool::new(false),
        }
    }

    /// Fetch counters of this key set.
    pub(crate) fn counters(&self) -> crate::remote::Counters {
        self.keys.counters()
    }

    /// Where the keys come from.
    pub(crate) fn uri(&self) -> &str {
        self.keys.uri()
    }

    /// The key for `kid`, fetching the JWKS if needed (at most one fetch in flight).
    pub(crate) async fn key(&self, kid: &str) -> Result<Arc<VerifyingKey>, Cause> {
        if let Next::Done(result) = self.next(kid, Instant::now()) {
            return result;
        }
        let flight = self.keys.flight().await;
        // Whoever held the flight before us may already have fetched.
        if let Next::Done(result) = self.next(kid, Instant::now()) {
            return result;
        }
        if let Ok(keys) = flight.fetch().await {
            let missing = !keys.contains(kid);
            self.set_miss_cooldown(missing.then(|| Instant::now() + self.settings.cooldown));
        }
        drop(flight);
        match self.next(kid, Instant::now()) {
            Next::Done(result) => result,
            // Only reachable with a zero cool-down; do not loop.
            Next::Fetch => self.key_cached(kid),
        }
    }

    /// The key for `kid` from what is cached; never fetches.
    pub(crate) fn key_cached(&self, kid: &str) -> Result<Arc<VerifyingKey>, Cause> {
        let cached = self.keys.read(Instant::now());
        if cached.last_error().is_none()
            && cached.is_fresh()
            && let Some(keys) = cached.value()
        {
            return keys.get(kid);
        }
        serve_stale(&cached, kid)
    }

    /// Fetches the JWKS now, regardless of what is cached.
    pub(crate) async fn refresh(&self) -> Result<(), Cause> {
        let flight = self.keys.flight().await;
        match flight.fetch().await {
            Ok(_) => {
                self.set_miss_cooldown(None);
                Ok(())
            }
            Err(error) => Err(Cause::JwksUnavailable(error)),
        }
    }

    /// Starts the background refresher once, if configured and a Tokio runtime is running.
    pub(crate) fn start_refresher(self: &Arc<Self>) {
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
                    tracing::warn!(jwks_uri = %cache.keys.uri(), %error, "background JWKS refresh failed");
                }
            }
        });
    }

    fn set_miss_cooldown(&self, until: Option<Instant>) {
        *self
            .miss_cooldown_until
            .write()
            .unwrap_or_else(|e| e.into_inner()) = until;
    }

    fn in_miss_cooldown(&self, now: Instant) -> bool {
        self.miss_cooldown_until
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .is_some_and(|t| now < t)
    }

    fn next(&self, kid: &str, now: Instant) -> Next {
        let cached = self.keys.read(now);
        let fresh = cached.is_fresh();
        match cached.value() {
            Some(keys) if fresh && keys.contains(kid) => Next::Done(keys.get(kid)),
            Some(_) if fresh && self.in_miss_cooldown(now) => {
                Next::Done(Err(Cause::UnknownKid(kid.to_owned())))
            }
            _ if cached.is_backing_off() => Next::Done(serve_stale(&cached, kid)),
            _ => Next::Fetch,
        }
    }
}

/// Keys kept past their TTL serve for `max_stale` when they cannot be
/// refreshed, but only for kids they list.
fn serve_stale(cached: &Snapshot<'_, KeySet>, kid: &str) -> Result<Arc<VerifyingKey>, Cause> {
    match cached.value() {
        Some(keys) if cached.is_usable() => match keys.get(kid) {
            Err(Cause::UnknownKid(_)) if cached.last_error().is_some() => {
                Err(Cause::JwksUnavailable(cached.unavailable()))
            }
            other => other,
        },
        _ => Err(Cause::JwksUnavailable(cached.unavailable())),
    }
}
