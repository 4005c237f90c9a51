//! The opt-in logout path: expires every shard of the session cookie,
//! revokes the session id in this process (so a copy of the cookie stops
//! working too), and redirects to the IdP's logout endpoint.

use std::borrow::Cow;

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
        auth.revoked.insert(session.sid.clone(), ());
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
