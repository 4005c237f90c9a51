//! Per-session cache of the signed `x-amzn-oidc-data` token, so a session
//! request costs no signature: keyed by session id, valid for the access
//! token it was signed for (a refresh changes `access_exp`, so the next
//! request signs afresh) and never past that token's expiry.

use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use moka::Expiry;
use moka::sync::Cache;

use super::seal::CryptoError;
use super::session::Session;

#[derive(Clone)]
struct Signed {
    data: Arc<str>,
    access_exp: i64,
}

struct UntilAccessExp;

impl Expiry<Arc<str>, Signed> for UntilAccessExp {
    fn expire_after_create(&self, _: &Arc<str>, value: &Signed, _: Instant) -> Option<Duration> {
        let remaining = value.access_exp.saturating_sub(unix_now()).max(0);
        Some(Duration::from_secs(remaining as u64))
    }
}

/// Signed data tokens by session id (bounded).
pub struct DataCache {
    cache: Cache<Arc<str>, Signed, foldhash::fast::RandomState>,
}

impl std::fmt::Debug for DataCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DataCache")
            .field("entries", &self.cache.entry_count())
            .finish()
    }
}

impl DataCache {
    /// A cache of at most `capacity` sessions.
    pub fn new(capacity: u64) -> DataCache {
        DataCache {
            cache: Cache::builder()
                .max_capacity(capacity)
                .expire_after(UntilAccessExp)
                .build_with_hasher(foldhash::fast::RandomState::default()),
        }
    }

    /// The token signed for `session`'s current access token, if cached.
    pub fn get(&self, session: &Session) -> Option<Arc<str>> {
        let hit = self.cache.get(session.sid.as_str())?;
        (hit.access_exp == session.access_exp && hit.access_exp > unix_now()).then_some(hit.data)
    }

    /// The cached token for `session`, or `sign()`'s, cached until the access
    /// token's expiry.
    pub fn get_or_sign(
        &self,
        session: &Session,
        sign: impl FnOnce() -> Result<String, CryptoError>,
    ) -> Result<Arc<str>, CryptoError> {
        if let Some(data) = self.get(session) {
            return Ok(data);
        }
        let data: Arc<str> = Arc::from(sign()?);
        self.cache.insert(
            Arc::from(session.sid.as_str()),
            Signed {
                data: data.clone(),
                access_exp: session.access_exp,
            },
        );
        Ok(data)
    }

    /// Forgets `sid` (logout).
    pub fn invalidate(&self, sid: &str) {
        self.cache.invalidate(sid);
    }
}

fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;

    fn session(sid: &str, access_exp: i64) -> Session {
        Session {
            sid: sid.into(),
            sub: "u".into(),
            access_token: "a".into(),
            refresh_token: None,
            access_exp,
            userinfo: serde_json::Map::new(),
            created: 0,
            expires: i64::MAX,
        }
    }

    #[test]
    fn hit_until_refresh_or_expiry() {
        let cache = DataCache::new(100);
        let signs = Cell::new(0);
        let sign = |text: &str| {
            signs.set(signs.get() + 1);
            Ok(text.to_owned())
        };
        let later = unix_now() + 3600;
        let s = session("sid-1", later);
        assert_eq!(cache.get(&s), None);
        assert_eq!(&*cache.get_or_sign(&s, || sign("t1")).unwrap(), "t1");
        assert_eq!(&*cache.get_or_sign(&s, || sign("t2")).unwrap(), "t1");
        assert_eq!(signs.get(), 1);
        // Another session signs its own.
        assert_eq!(
            &*cache
                .get_or_sign(&session("sid-2", later), || sign("u1"))
                .unwrap(),
            "u1"
        );
        // After a refresh (new access_exp) the token is signed again.
        let refreshed = session("sid-1", later + 60);
        assert_eq!(cache.get(&refreshed), None);
        assert_eq!(
            &*cache.get_or_sign(&refreshed, || sign("t3")).unwrap(),
            "t3"
        );
        assert_eq!(cache.get(&refreshed).as_deref(), Some("t3"));
        // An expired access token is never served from the cache.
        let expired = session("sid-3", unix_now() - 1);
        assert_eq!(&*cache.get_or_sign(&expired, || sign("x1")).unwrap(), "x1");
        assert_eq!(cache.get(&expired), None);
        cache.invalidate("sid-1");
        assert_eq!(cache.get(&refreshed), None);
        assert!(cache.get_or_sign(&s, || Err(CryptoError)).is_err());
        assert_eq!(signs.get(), 4);
    }
}
