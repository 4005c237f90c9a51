//! One remote document kept fresh: single-flight fetches, a TTL, a bounded
//! stale window, a cool-down after a failed fetch, and the last error.
//!
//! The JWKS cache and the revocation lists are both built on it; each adds
//! only its own rule for when to fetch and what a stale document may serve.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock, RwLockReadGuard};
use std::time::{Duration, Instant};

use tokio::sync::{Mutex, MutexGuard};

use crate::fetch::{self, FetchLimits};

/// A document type that can be fetched and kept by [`Remote`].
pub(crate) trait Document: Sized {
    /// What the document is, for logs (`JWKS`, `revocation list`).
    const KIND: &'static str;

    /// Parses a fetched body.
    fn parse(uri: &str, body: &[u8]) -> Result<Self, String>;

    /// Number of entries, for logs.
    fn entries(&self) -> usize;

    /// The reason given when the document was never loaded.
    fn not_loaded(uri: &str) -> String;

    /// Called on a freshly fetched document with the one it replaces, before
    /// it is stored (the JWKS withdraws keys no longer published).
    fn succeed(&mut self, _previous: &Self) {}
}

/// How long a fetched document is used, and how failures are handled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Freshness {
    /// Fetched documents are fresh for this long.
    pub(crate) ttl: Duration,
    /// Past the TTL, a document keeps serving this long while refreshes fail.
    pub(crate) max_stale: Duration,
    /// After a failed fetch, no new fetch for this long.
    pub(crate) cooldown: Duration,
}

struct State<T> {
    value: Option<Arc<T>>,
    fetched_at: Option<Instant>,
    /// Set by a failed fetch, cleared by a successful one.
    failed_at: Option<Instant>,
    last_error: Option<String>,
}

impl<T> Default for State<T> {
    fn default() -> Self {
        State {
            value: None,
            fetched_at: None,
            failed_at: None,
            last_error: None,
        }
    }
}

/// A remote document and what is known about its last fetches.
pub(crate) struct Remote<T> {
    uri: String,
    http: reqwest::Client,
    limits: FetchLimits,
    freshness: Freshness,
    state: RwLock<State<T>>,
    /// Held while fetching: concurrent callers wait for the one fetch in flight.
    flight: Mutex<()>,
    /// Fetches attempted and failed, for operators' metrics.
    fetches: AtomicU64,
    failures: AtomicU64,
}

/// Counters of one remote document, for metrics and readiness.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Counters {
    pub(crate) fetches: u64,
    pub(crate) failures: u64,
    pub(crate) loaded: bool,
}

impl<T: Document> Remote<T> {
    pub(crate) fn new(
        uri: String,
        http: reqwest::Client,
        limits: FetchLimits,
        freshness: Freshness,
    ) -> Self {
        Remote {
            uri,
            http,
            limits,
            freshness,
            state: RwLock::default(),
            flight: Mutex::new(()),
            fetches: AtomicU64::new(0),
            failures: AtomicU64::new(0),
        }
    }

    pub(crate) fn uri(&self) -> &str {
        &self.uri
    }

    /// Fetch counters and whether a document is held.
    pub(crate) fn counters(&self) -> Counters {
        let loaded = self
            .state
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .value
            .is_some();
        Counters {
            fetches: self.fetches.load(Ordering::Relaxed),
            failures: self.failures.load(Ordering::Relaxed),
            loaded,
        }
    }

    /// What is cached, as seen at `now`; never fetches.
    pub(crate) fn read(&self, now: Instant) -> Snapshot<'_, T> {
        Snapshot {
            state: self.state.read().unwrap_or_else(|e| e.into_inner()),
            remote: self,
            now,
        }
    }

    /// Waits until no fetch is in flight and returns the right to fetch.
    /// Callers re-check the cache first: whoever held it may have fetched.
    pub(crate) async fn flight(&self) -> Flight<'_, T> {
        Flight {
            remote: self,
            _guard: self.flight.lock().await,
        }
    }
}

/// The right to fetch, held by one caller at a time.
pub(crate) struct Flight<'a, T> {
    remote: &'a Remote<T>,
    _guard: MutexGuard<'a, ()>,
}

impl<T: Document> Flight<'_, T> {
    /// Fetches and stores the document; on failure, records the error and
    /// starts the cool-down, keeping the last good document.
    pub(crate) async fn fetch(&self) -> Result<Arc<T>, String> {
        let remote = self.remote;
        remote.fetches.fetch_add(1, Ordering::Relaxed);
        let started = Instant::now();
        let result = fetch::bounded_get(&remote.http, &remote.uri, &remote.limits)
            .await
            .and_then(|body| T::parse(&remote.uri, &body));
        let now = Instant::now();
        let mut state = remote.state.write().unwrap_or_else(|e| e.into_inner());
        match result {
            Ok(mut value) => {
                if let Some(previous) = &state.value {
                    value.succeed(previous);
                }
                tracing::debug!(
                    uri = %remote.uri,
                    entries = value.entries(),
                    elapsed_ms = started.elapsed().as_millis() as u64,
                    "fetched {}",
                    T::KIND
                );
                let value = Arc::new(value);
                state.value = Some(value.clone());
                state.fetched_at = Some(now);
                state.failed_at = None;
                state.last_error = None;
                Ok(value)
            }
            Err(error) => {
                remote.failures.fetch_add(1, Ordering::Relaxed);
                tracing::warn!(uri = %remote.uri, %error, "{} fetch failed", T::KIND);
                state.failed_at = Some(now);
                state.last_error = Some(error.clone());
                Err(error)
            }
        }
    }
}

/// A consistent view of a [`Remote`] at one instant.
pub(crate) struct Snapshot<'a, T> {
    state: RwLockReadGuard<'a, State<T>>,
    remote: &'a Remote<T>,
    now: Instant,
}

impl<T: Document> Snapshot<'_, T> {
    /// The last document fetched, however old.
    pub(crate) fn value(&self) -> Option<&Arc<T>> {
        self.state.value.as_ref()
    }

    fn younger_than(&self, limit: Duration) -> bool {
        self.state
            .fetched_at
            .is_some_and(|t| self.now.saturating_duration_since(t) < limit)
    }

    /// Fetched less than a TTL ago.
    pub(crate) fn is_fresh(&self) -> bool {
        self.younger_than(self.remote.freshness.ttl)
    }

    /// Fetched less than TTL + stale window ago: usable while refreshes fail.
    pub(crate) fn is_usable(&self) -> bool {
        let Freshness { ttl, max_stale, .. } = self.remote.freshness;
        self.younger_than(ttl + max_stale)
    }

    /// A fetch failed less than a cool-down ago.
    pub(crate) fn is_backing_off(&self) -> bool {
        self.state
            .failed_at
            .is_some_and(|t| self.now.saturating_duration_since(t) < self.remote.freshness.cooldown)
    }

    /// The error of the last fetch, if it failed.
    pub(crate) fn last_error(&self) -> Option<&str> {
        self.state.last_error.as_deref()
    }

    /// Why the document cannot serve: the last error, or that it never loaded.
    pub(crate) fn unavailable(&self) -> String {
        self.state
            .last_error
            .clone()
            .unwrap_or_else(|| T::not_loaded(&self.remote.uri))
    }
}
