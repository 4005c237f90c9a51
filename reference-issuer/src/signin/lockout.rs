//! Brute-force protection and request throttling, both in memory.
//!
//! * Sign-in lockout, as Cognito documents it: after 5 consecutive wrong
//!   passwords a user is locked out for 1 second, doubling with each further
//!   failure up to 15 minutes; a correct password during a lockout is still
//!   refused with `NotAuthorizedException: Password attempts exceeded`. A
//!   successful sign-in resets the counter. (The counter is not persisted: a
//!   restart clears lockouts.)
//! * Optional per-pool rate limit for user authentication operations
//!   (`TooManyRequestsException`), configured in the TOML config.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::error::{Error, Result};

/// Wrong passwords allowed before the first lockout.
pub(crate) const FAILURES_BEFORE_LOCKOUT: u32 = 5;
/// Longest lockout.
pub(crate) const MAX_LOCKOUT: Duration = Duration::from_secs(15 * 60);

#[derive(Debug)]
struct Entry {
    failures: u32,
    locked_until: Option<Instant>,
}

/// Per-user sign-in failure tracking.
#[derive(Debug, Default)]
pub(crate) struct Lockout {
    users: Mutex<HashMap<(String, String), Entry>>,
}

impl Lockout {
    /// Refuses the attempt while the user is locked out.
    pub(crate) fn check(&self, pool_id: &str, sub: &str) -> Result<()> {
        let users = self
            .users
            .lock()
            .map_err(|_| Error::internal("lockout state poisoned"))?;
        if let Some(e) = users.get(&(pool_id.to_string(), sub.to_string()))
            && e.locked_until.is_some_and(|t| t > Instant::now())
        {
            return Err(Error::not_authorized("Password attempts exceeded"));
        }
        Ok(())
    }

    /// Records a wrong password.
    pub(crate) fn failed(&self, pool_id: &str, sub: &str) {
        if let Ok(mut users) = self.users.lock() {
            let e = users
                .entry((pool_id.to_string(), sub.to_string()))
                .or_insert(Entry {
                    failures: 0,
                    locked_until: None,
                });
            e.failures += 1;
            if e.failures >= FAILURES_BEFORE_LOCKOUT {
                let exp = (e.failures - FAILURES_BEFORE_LOCKOUT).min(20);
                let d = Duration::from_secs(1u64 << exp).min(MAX_LOCKOUT);
                e.locked_until = Some(Instant::now() + d);
            }
        }
    }

    /// Clears the counter after a successful sign-in or a password reset.
    pub(crate) fn succeeded(&self, pool_id: &str, sub: &str) {
        if let Ok(mut users) = self.users.lock() {
            users.remove(&(pool_id.to_string(), sub.to_string()));
        }
    }
}

#[derive(Debug)]
struct Bucket {
    rate: f64,
    tokens: f64,
    last: Instant,
}

/// Token-bucket rate limits per pool for user authentication operations.
#[derive(Debug, Default)]
pub(crate) struct RateLimits {
    pools: Mutex<HashMap<String, Bucket>>,
}

impl RateLimits {
    /// Sets (or with `rps == 0`, removes) a pool's limit in requests/second.
    pub(crate) fn set(&self, pool_id: &str, rps: u32) {
        if let Ok(mut pools) = self.pools.lock() {
            if rps == 0 {
                pools.remove(pool_id);
            } else {
                pools.insert(
                    pool_id.to_string(),
                    Bucket {
                        rate: rps as f64,
                        tokens: rps as f64,
                        last: Instant::now(),
                    },
                );
            }
        }
    }

    /// Takes one request from the pool's bucket or fails with
    /// `TooManyRequestsException`.
    pub(crate) fn take(&self, pool_id: &str) -> Result<()> {
        let Ok(mut pools) = self.pools.lock() else {
            return Ok(());
        };
        if let Some(b) = pools.get_mut(pool_id) {
            let now = Instant::now();
            b.tokens = (b.tokens + now.duration_since(b.last).as_secs_f64() * b.rate).min(b.rate);
            b.last = now;
            if b.tokens < 1.0 {
                return Err(Error::too_many_requests("Too many requests"));
            }
            b.tokens -= 1.0;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locks_after_five_failures() {
        let l = Lockout::default();
        for _ in 0..4 {
            l.failed("p", "u");
        }
        assert!(l.check("p", "u").is_ok());
        l.failed("p", "u");
        let e = l.check("p", "u").unwrap_err();
        assert_eq!(e.message, "Password attempts exceeded");
        l.succeeded("p", "u");
        assert!(l.check("p", "u").is_ok());
    }

    #[test]
    fn rate_limit_refuses_burst() {
        let r = RateLimits::default();
        r.set("p", 2);
        assert!(r.take("p").is_ok());
        assert!(r.take("p").is_ok());
        assert_eq!(
            r.take("p").unwrap_err().kind,
            crate::error::ErrorKind::TooManyRequests
        );
        assert!(r.take("other").is_ok());
    }
}
