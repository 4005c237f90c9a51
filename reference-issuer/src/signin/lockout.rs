//! The sign-in lockout, as Cognito documents it: after
//! [`FAILURES_BEFORE_LOCKOUT`] consecutive failures (wrong passwords, wrong
//! SRP proofs, wrong second-factor codes) a user is locked out for 1
//! second, doubling with each further failure up to [`MAX_LOCKOUT`]; during
//! a lockout even the right password is refused with
//! `NotAuthorizedException: Password attempts exceeded`.
//!
//! * **Reserved attempts.** An attempt is reserved before the secret is
//!   checked and counts as a failure until its outcome is known, so N
//!   concurrent wrong passwords cannot check more than the budget.
//! * **Reset** only when a sign-in completes (tokens issued), or the
//!   password is reset; a correct password before MFA does not reset it.
//!   Failures are forgotten after [`FAILURE_MEMORY`] without a new one.
//! * **Persisted** for known users (`signin_failures`, one write per
//!   failure), so a restart does not reset a budget. Memory holds a
//!   write-through cache of those rows plus the in-flight attempts.
//! * **Unknown usernames** (clients with `PreventUserExistenceErrors`) are
//!   tracked the same way, keyed by the normalised name, in memory only
//!   (bounded: [`MAX_ENTRIES`]), so the lockout tells nothing about
//!   existence.

use std::collections::HashMap;
use std::sync::{Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use crate::error::{Error, Result};
use crate::issuer::Issuer;
use crate::store::Store;
use crate::store::lockouts::{self as rows, FailureRow};

/// Failures allowed before the first lockout.
pub(crate) const FAILURES_BEFORE_LOCKOUT: u32 = 5;
/// Longest lockout.
pub(crate) const MAX_LOCKOUT: Duration = Duration::from_secs(15 * 60);
/// Failures are forgotten after this long without a new one.
pub(crate) const FAILURE_MEMORY: Duration = Duration::from_secs(60 * 60);
/// Most entries kept in memory (idle known users are dropped first: their
/// state is on disk; then the unknown names idle the longest).
pub(crate) const MAX_ENTRIES: usize = 20_000;
/// Longest wait for attempts in flight to settle when they hold the rest
/// of the budget (each check takes one argon2 verification, milliseconds,
/// but many may queue for the cores).
pub(crate) const MAX_WAIT: Duration = Duration::from_secs(30);

/// Whose attempts are counted.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Subject<'a> {
    /// A known user, by `sub` (persisted).
    User(&'a str),
    /// A username that names nobody, by its [`unknown_key`] (memory only).
    Unknown(&'a str),
}

/// The key an unknown username's attempts are counted under: a digest of
/// the name normalised with the pool's case rule. Fixed-length, so it also
/// fits a sealed SRP challenge, which carries it from start to proof.
pub(crate) fn unknown_key(pool: &crate::model::Pool, username: &str) -> String {
    let mut hex = crate::ids::sha256_hex(&pool.username_key(username));
    hex.truncate(32);
    hex
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Key {
    pool_id: String,
    known: bool,
    name: String,
}

#[derive(Debug, Default)]
struct Entry {
    state: FailureRow,
    /// Reserved attempts whose outcome is not known yet.
    in_flight: u32,
    /// Failures being written to disk (the entry must stay until then).
    writing: u32,
}

impl Entry {
    fn idle(&self) -> bool {
        self.in_flight == 0 && self.writing == 0
    }

    /// Forgets failures older than [`FAILURE_MEMORY`].
    fn expire(&mut self, now_ms: i64) {
        if self.in_flight == 0
            && self.state.failures > 0
            && self.state.last_failure_ms + FAILURE_MEMORY.as_millis() as i64 <= now_ms
        {
            self.state = FailureRow::default();
        }
    }
}

fn locked() -> Error {
    Error::not_authorized("Password attempts exceeded")
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// Sign-in failure tracking for every pool.
#[derive(Debug, Default)]
pub(crate) struct Lockout {
    entries: Mutex<HashMap<Key, Entry>>,
    /// Signalled whenever an attempt settles.
    settled: Condvar,
}

/// A reserved sign-in attempt: settle it with [`Attempt::failed`] or
/// [`Attempt::passed`]; dropping it unsettled releases it uncounted (the
/// attempt ended before its secret was judged).
#[derive(Debug)]
pub(crate) struct Attempt<'a> {
    lockout: &'a Lockout,
    store: &'a Store,
    key: Key,
    settled: bool,
}

impl Lockout {
    fn lock(&self) -> MutexGuard<'_, HashMap<Key, Entry>> {
        // No panics while held: a poisoned map is still consistent.
        self.entries.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn key(pool_id: &str, subject: Subject<'_>) -> Key {
        let (known, name) = match subject {
            Subject::User(sub) => (true, sub),
            Subject::Unknown(name) => (false, name),
        };
        Key {
            pool_id: pool_id.to_string(),
            known,
            name: name.to_string(),
        }
    }

    /// Reserves an attempt, or refuses it with `Password attempts exceeded`
    /// while `subject` is locked out. When attempts in flight hold the rest
    /// of the budget, waits (up to [`MAX_WAIT`]) for their outcome: so
    /// concurrent right passwords all pass, and concurrent wrong ones never
    /// check more than the budget.
    pub(crate) fn reserve<'a>(
        &'a self,
        store: &'a Store,
        pool_id: &str,
        subject: Subject<'_>,
    ) -> Result<Attempt<'a>> {
        self.reserve_with(store, pool_id, subject, &now_ms, MAX_WAIT)
    }

    #[cfg(test)]
    fn reserve_at<'a>(
        &'a self,
        store: &'a Store,
        pool_id: &str,
        subject: Subject<'_>,
        now: i64,
    ) -> Result<Attempt<'a>> {
        self.reserve_with(store, pool_id, subject, &|| now, Duration::ZERO)
    }

    fn reserve_with<'a>(
        &'a self,
        store: &'a Store,
        pool_id: &str,
        subject: Subject<'_>,
        clock: &dyn Fn() -> i64,
        wait: Duration,
    ) -> Result<Attempt<'a>> {
        let key = Self::key(pool_id, subject);
        let deadline = Instant::now() + wait;
        let mut map = self.lock();
        loop {
            let now = clock();
            if !map.contains_key(&key) {
                // Loaded under the lock (a quick indexed read) so no failure
                // recorded meanwhile can be missed.
                let state = if key.known {
                    store
                        .read(|c| rows::get_failures(c, &key.pool_id, &key.name))?
                        .unwrap_or_default()
                } else {
                    FailureRow::default()
                };
                make_room(&mut map, now);
                map.insert(
                    key.clone(),
                    Entry {
                        state,
                        ..Entry::default()
                    },
                );
            }
            let e = map
                .get_mut(&key)
                .ok_or_else(|| Error::internal("lockout entry"))?;
            e.expire(now);
            if e.state.locked_until_ms > now {
                return Err(locked());
            }
            let pending = e.state.failures + i64::from(e.in_flight);
            if e.in_flight == 0 || pending < i64::from(FAILURES_BEFORE_LOCKOUT) {
                e.in_flight += 1;
                return Ok(Attempt {
                    lockout: self,
                    store,
                    key,
                    settled: false,
                });
            }
            // The budget left is held by attempts in flight: their outcome
            // decides whether this one may be checked.
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(locked());
            }
            map = self
                .settled
                .wait_timeout(map, left)
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
    }

    /// Clears a user's failures: a sign-in completed, or the password was
    /// reset.
    pub(crate) fn succeeded(&self, store: &Store, pool_id: &str, sub: &str) {
        let key = Self::key(pool_id, Subject::User(sub));
        let on_disk = {
            let mut map = self.lock();
            match map.get_mut(&key) {
                Some(e) if e.state.failures == 0 && e.writing == 0 => false,
                Some(e) => {
                    e.state = FailureRow::default();
                    true
                }
                // Not cached: there may be a row.
                None => true,
            }
        };
        if on_disk {
            let cleared = store.write(|tx| rows::clear_failures(tx, pool_id, sub));
            if let Err(e) = cleared {
                tracing::warn!(pool = %pool_id, error = %e, "could not clear sign-in failures");
            }
        }
    }
}

/// Keeps the map under [`MAX_ENTRIES`]: drops idle entries without
/// failures or whose state is on disk, then the unknown names idle longest.
fn make_room(map: &mut HashMap<Key, Entry>, now: i64) {
    if map.len() < MAX_ENTRIES {
        return;
    }
    map.retain(|k, e| {
        e.expire(now);
        !e.idle() || (!k.known && e.state.failures > 0)
    });
    while map.len() >= MAX_ENTRIES {
        let oldest = map
            .iter()
            .filter(|(_, e)| e.idle())
            .min_by_key(|(_, e)| e.state.last_failure_ms)
            .map(|(k, _)| k.clone());
        match oldest {
            Some(k) => {
                map.remove(&k);
            }
            // Everything is in flight: bounded by the request concurrency.
            None => break,
        }
    }
}

impl Attempt<'_> {
    /// The secret was wrong: counts a failure (and locks out from the
    /// [`FAILURES_BEFORE_LOCKOUT`]th on).
    pub(crate) fn failed(self) {
        self.failed_at(now_ms());
    }

    fn failed_at(mut self, now: i64) {
        self.settled = true;
        let state = {
            let mut map = self.lockout.lock();
            let Some(e) = map.get_mut(&self.key) else {
                return;
            };
            e.in_flight = e.in_flight.saturating_sub(1);
            self.lockout.settled.notify_all();
            let s = &mut e.state;
            s.failures += 1;
            s.last_failure_ms = now;
            let threshold = i64::from(FAILURES_BEFORE_LOCKOUT);
            if s.failures >= threshold {
                let exp = (s.failures - threshold).min(20) as u32;
                let d = Duration::from_secs(1u64 << exp).min(MAX_LOCKOUT);
                s.locked_until_ms = now + d.as_millis() as i64;
            }
            if self.key.known {
                e.writing += 1;
            }
            *s
        };
        if !self.key.known {
            return;
        }
        let k = &self.key;
        if let Err(e) = self
            .store
            .write(|tx| rows::put_failures(tx, &k.pool_id, &k.name, &state))
        {
            tracing::warn!(pool = %k.pool_id, error = %e, "could not persist a sign-in failure");
        }
        if let Some(e) = self.lockout.lock().get_mut(&self.key) {
            e.writing = e.writing.saturating_sub(1);
        }
    }

    /// The secret was right: releases the reservation without counting
    /// (the counter resets only when the sign-in completes).
    pub(crate) fn passed(mut self) {
        self.release();
    }

    fn release(&mut self) {
        if self.settled {
            return;
        }
        self.settled = true;
        if let Some(e) = self.lockout.lock().get_mut(&self.key) {
            e.in_flight = e.in_flight.saturating_sub(1);
        }
        self.lockout.settled.notify_all();
    }
}

impl Drop for Attempt<'_> {
    fn drop(&mut self) {
        self.release();
    }
}

/// Reserves a sign-in attempt of `subject` in `pool_id` (see
/// [`Lockout::reserve`]).
pub(crate) fn reserve<'a>(
    issuer: &'a Issuer,
    pool_id: &str,
    subject: Subject<'_>,
) -> Result<Attempt<'a>> {
    issuer.lockout.reserve(&issuer.store, pool_id, subject)
}

/// Clears a user's failures (see [`Lockout::succeeded`]).
pub(crate) fn succeeded(issuer: &Issuer, pool_id: &str, sub: &str) {
    issuer.lockout.succeeded(&issuer.store, pool_id, sub);
}

#[cfg(test)]
mod tests;
