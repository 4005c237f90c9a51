//! Refreshing a session whose access token expired: one refresh grant per
//! session in flight, shared by every concurrent request of that session.
//!
//! Requests are keyed by session id and the expired token's `exp`, and the
//! outcome is kept for a minute: requests still carrying the old cookie
//! (sent before the browser stored the new one) reuse it instead of spending
//! the refresh token again (an IdP that rotates refresh tokens would refuse
//! the second use, logging the user out).

use std::sync::Arc;
use std::time::Duration;

use moka::sync::Cache;
use tokio::sync::OnceCell;

use super::config::AlbAuth;
use super::oidc::IdpError;
use super::session::Session;

/// Why a session could not be refreshed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum RefreshFailure {
    /// No refresh token, or the IdP refused it: the session is over.
    Refused,
    /// The IdP could not be reached: try again later.
    Unavailable,
}

type Outcome = Result<Session, RefreshFailure>;

/// Refreshes in flight or just done, by (session id, old access token exp).
pub(crate) struct Refreshes {
    cells: Cache<(String, i64), Arc<OnceCell<Outcome>>>,
}

impl Refreshes {
    pub(crate) fn new() -> Self {
        Refreshes {
            cells: Cache::builder()
                .max_capacity(100_000)
                .time_to_live(Duration::from_secs(60))
                .build(),
        }
    }

    /// The refreshed session: one refresh grant per (sid, access_exp), every
    /// concurrent caller waits on it.
    pub(crate) async fn refresh(&self, auth: &AlbAuth, session: &Session) -> Outcome {
        let cell = self
            .cells
            .get_with((session.sid.clone(), session.access_exp), || {
                Arc::new(OnceCell::new())
            });
        cell.get_or_init(|| grant(auth, session.clone()))
            .await
            .clone()
    }
}

/// The refresh grant, then userInfo again (the claims may have changed).
async fn grant(auth: &AlbAuth, session: Session) -> Outcome {
    let refresh_token = session
        .refresh_token
        .as_deref()
        .ok_or(RefreshFailure::Refused)?;
    let failure = |error: IdpError| {
        tracing::debug!(%error, "alb session refresh failed");
        match error {
            IdpError::Refused(_) => RefreshFailure::Refused,
            _ => RefreshFailure::Unavailable,
        }
    };
    let tokens = auth.oidc.refresh(refresh_token).await.map_err(failure)?;
    let userinfo = auth
        .oidc
        .userinfo(&tokens.access_token)
        .await
        .map_err(failure)?;
    if userinfo.get("sub").and_then(|s| s.as_str()) != Some(session.sub.as_str()) {
        return Err(RefreshFailure::Refused);
    }
    Ok(Session {
        access_token: tokens.access_token,
        // An IdP that does not rotate sends none: keep the one we have.
        refresh_token: tokens.refresh_token.or(session.refresh_token),
        access_exp: tokens.access_exp,
        userinfo,
        ..session
    })
}
