//! The opt-in logout path: expires every shard of the session cookie,
//! revokes the session id in this process (so a copy of the cookie stops
//! working too), and redirects to the IdP's logout endpoint.

use std::borrow::Cow;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use moka::sync::Cache;

use url::form_urlencoded;

use super::config::AlbAuth;
use super::cookies::{self, CookieAttrs, Joined};
use super::session::Session;
use crate::gate::Rejection;

/// The answer to a request on the logout path.
pub(crate) fn answer(
    auth: &AlbAuth,
    session: &Joined<'_>,
    logout_uri: Option<&str>,
    secure: bool,
) -> Rejection {
    if let Joined::Value(text) = session
        && let Some(session) = Session::open(&auth.keys, &auth.session_cookie, text)
    {
        auth.revoked.revoke(session.sid.clone());
        auth.data_cache.invalidate(&session.sid);
        auth.opened.invalidate(text);
    }
    let location = match (auth.oidc.idp.end_session_endpoint(), logout_uri) {
        (Some(end), uri) => {
            let mut query = form_urlencoded::Serializer::new(String::new());
            query.append_pair("client_id", &auth.oidc.client_id);
            if let Some(uri) = uri {
                query.append_pair("logout_uri", uri);
            }
            let sep = if end.contains('?') { '&' } else { '?' };
            format!("{end}{sep}{}", query.finish())
        }
        (None, Some(uri)) => uri.to_owned(),
        (None, None) => "/".to_owned(),
    };
    let attrs = CookieAttrs::new(secure);
    let mut headers = vec![("location", Cow::Owned(location))];
    headers.extend(
        cookies::expire_shards(&auth.session_cookie, 0, &attrs)
            .into_iter()
            .map(|c| ("set-cookie", Cow::Owned(c))),
    );
    headers.push(("cache-control", Cow::Borrowed("no-store")));
    Rejection {
        status: 302,
        headers,
        body: Cow::Borrowed(""),
        reason: "alb_logout",
    }
}

/// Session ids ended by logout in this process, until their session
/// timeout. Until the first logout the check is one atomic load, not a
/// cache lookup on every session request.
pub(crate) struct RevokedSessions {
    any: AtomicBool,
    sids: Cache<String, ()>,
}

impl RevokedSessions {
    /// None revoked; each revocation is kept for `timeout` (the session timeout).
    pub(crate) fn new(capacity: u64, timeout: Duration) -> Self {
        RevokedSessions {
            any: AtomicBool::new(false),
            sids: Cache::builder()
                .max_capacity(capacity)
                .time_to_live(timeout)
                .build(),
        }
    }

    /// Ends session `sid`.
    pub(crate) fn revoke(&self, sid: String) {
        self.sids.insert(sid, ());
        self.any.store(true, Ordering::Release);
    }

    /// Whether session `sid` was ended.
    pub(crate) fn contains(&self, sid: &str) -> bool {
        self.any.load(Ordering::Acquire) && self.sids.contains_key(sid)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn revoked_sessions_stay_revoked_and_others_pass() {
        let revoked = RevokedSessions::new(10, Duration::from_secs(60));
        assert!(!revoked.contains("a"));
        revoked.revoke("a".into());
        assert!(revoked.contains("a"));
        assert!(!revoked.contains("b"));
    }
}
