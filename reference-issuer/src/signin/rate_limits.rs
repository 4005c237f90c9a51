//! Optional per-pool rate limit for user authentication operations
//! (`TooManyRequestsException`), configured in the TOML config.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Instant;

use crate::error::{Error, Result};

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
