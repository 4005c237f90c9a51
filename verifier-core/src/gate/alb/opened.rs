//! Sessions already opened, by their exact sealed cookie text, so a request
//! with a valid session neither decrypts nor parses its cookie again (as
//! verified tokens are cached by their exact text). An entry holds what the
//! request headers need and is used only until the earlier of the access
//! token's expiry and the session's end; after that the full path decides
//! (refresh, timeout). Revocation (logout) is checked on every hit.

use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use moka::Expiry;
use moka::sync::Cache;

use super::oidc::unix_now;
use crate::claims::CognitoClaims;

/// Most bytes of cookie text and header values kept (about 10 000 sessions
/// of 3 KiB; only sessions this gate sealed and opened ever get in).
const CAPACITY_BYTES: u64 = 64 * 1024 * 1024;

/// What a valid session gives each of its requests.
#[derive(Debug)]
pub(crate) struct Opened {
    /// The session id (revoked by a logout).
    pub(crate) sid: Box<str>,
    /// Usable while `now < until`: the earlier of the access token's expiry
    /// and the session's end (seconds since the epoch).
    pub(crate) until: i64,
    /// The access token (the verifier's cache key).
    pub(crate) access_token: Arc<str>,
    /// `x-amzn-oidc-accesstoken`: the same memory as `access_token`.
    pub(crate) access_token_header: Bytes,
    /// `x-amzn-oidc-identity`.
    pub(crate) sub: Bytes,
    /// `x-amzn-oidc-data`, signed for this access token.
    pub(crate) data: Bytes,
    /// The identity when the gate does not verify the access token (the
    /// userInfo claims); `None`: the verifier's cache decides per request.
    pub(crate) userinfo: Option<CognitoClaims>,
}

/// Shared text as header bytes without a copy (`Bytes::from_owner`).
pub(crate) fn shared_bytes(text: Arc<str>) -> Bytes {
    struct Text(Arc<str>);
    impl AsRef<[u8]> for Text {
        fn as_ref(&self) -> &[u8] {
            self.0.as_bytes()
        }
    }
    Bytes::from_owner(Text(text))
}

struct UntilEnd;

impl Expiry<Arc<str>, Arc<Opened>> for UntilEnd {
    fn expire_after_create(
        &self,
        _: &Arc<str>,
        value: &Arc<Opened>,
        _: Instant,
    ) -> Option<Duration> {
        let remaining = value.until.saturating_sub(unix_now()).max(0);
        Some(Duration::from_secs(remaining as u64))
    }
}

/// Opened sessions by sealed cookie text (bounded by bytes).
pub(crate) struct OpenedSessions {
    cache: Cache<Arc<str>, Arc<Opened>, foldhash::fast::RandomState>,
}

impl std::fmt::Debug for OpenedSessions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OpenedSessions")
            .field("entries", &self.cache.entry_count())
            .finish()
    }
}

impl OpenedSessions {
    /// An empty cache.
    pub(crate) fn new() -> Self {
        OpenedSessions {
            cache: Cache::builder()
                .max_capacity(CAPACITY_BYTES)
                .weigher(|text: &Arc<str>, opened: &Arc<Opened>| {
                    let bytes = text.len() + opened.access_token.len() + opened.data.len();
                    u32::try_from(bytes).unwrap_or(u32::MAX)
                })
                .expire_after(UntilEnd)
                .build_with_hasher(foldhash::fast::RandomState::default()),
        }
    }

    /// The session sealed in `text`, if opened before and still usable at `now`.
    pub(crate) fn get(&self, text: &str, now: i64) -> Option<Arc<Opened>> {
        self.cache.get(text).filter(|opened| opened.until > now)
    }

    /// Remembers the session sealed in `text`.
    pub(crate) fn insert(&self, text: &str, opened: Opened) {
        if opened.until > unix_now() {
            self.cache.insert(Arc::from(text), Arc::new(opened));
        }
    }

    /// Forgets `text` (logout).
    pub(crate) fn invalidate(&self, text: &str) {
        self.cache.invalidate(text);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opened(sid: &str, until: i64) -> Opened {
        Opened {
            sid: sid.into(),
            until,
            access_token: Arc::from("a"),
            access_token_header: Bytes::from_static(b"a"),
            sub: Bytes::from_static(b"u"),
            data: Bytes::from_static(b"d"),
            userinfo: None,
        }
    }

    #[test]
    fn hits_by_exact_text_until_the_end() {
        let cache = OpenedSessions::new();
        let now = unix_now();
        cache.insert("sealed-1", opened("s1", now + 60));
        assert_eq!(&*cache.get("sealed-1", now).unwrap().sid, "s1");
        assert!(cache.get("sealed-1x", now).is_none(), "exact text only");
        assert!(cache.get("sealed-", now).is_none());
        assert!(cache.get("sealed-1", now + 60).is_none(), "not at `until`");
        assert!(cache.get("sealed-1", now + 61).is_none());
        cache.insert("sealed-2", opened("s2", now - 1));
        assert!(
            cache.get("sealed-2", now - 5).is_none(),
            "never stored ended"
        );
        cache.invalidate("sealed-1");
        assert!(cache.get("sealed-1", now).is_none());
    }
}
