//! Hosted-UI sessions: what lets a second `/oauth2/authorize` for any
//! client of the same pool sign in without the form, as Cognito's
//! `cognito` cookie does. The cookie value is an opaque random token; only
//! its SHA-256 is stored. A session lasts [`SESSION_TTL`] seconds and ends
//! early when its user is deleted or disabled.

use crate::error::Result;
use crate::ids;
use crate::issuer::Issuer;
use crate::signin::SignedIn;
use crate::store::hosted_sessions::{self as rows, HostedSessionRow};
use crate::store::users as user_rows;

/// How long a hosted-UI session lasts (Cognito's: one hour).
pub(crate) const SESSION_TTL: i64 = 3600;

/// Opens a session for `who`; returns the cookie value.
pub(crate) fn open(issuer: &Issuer, who: &SignedIn) -> Result<String> {
    let value = ids::opaque_token(64);
    let now = ids::now();
    let row = HostedSessionRow {
        pool_id: who.pool_id.clone(),
        sub: who.sub.clone(),
        auth_time: who.auth_time,
        expires_at: now + SESSION_TTL,
    };
    issuer.write(|tx| {
        rows::purge(tx, now)?;
        Ok(rows::insert(tx, &ids::sha256_hex(&value), &row)?)
    })?;
    Ok(value)
}

/// The user signed in by the session `cookie_value` of `pool_id`; `None`
/// when there is no such session, it expired, or its user was deleted or
/// disabled since.
pub(crate) fn find(issuer: &Issuer, pool_id: &str, cookie_value: &str) -> Result<Option<SignedIn>> {
    if cookie_value.is_empty() {
        return Ok(None);
    }
    let hash = ids::sha256_hex(cookie_value);
    issuer.read(|c| {
        let Some(row) = rows::get(c, pool_id, &hash)? else {
            return Ok(None);
        };
        if row.expires_at <= ids::now() {
            return Ok(None);
        }
        let Some(user) = user_rows::get_user_by_sub(c, pool_id, &row.sub)? else {
            return Ok(None);
        };
        if !user.enabled {
            return Ok(None);
        }
        Ok(Some(SignedIn {
            pool_id: row.pool_id,
            sub: row.sub,
            username: user.username,
            auth_time: row.auth_time,
        }))
    })
}

/// Ends the session `cookie_value` of `pool_id` (nothing if there is none).
pub(crate) fn close(issuer: &Issuer, pool_id: &str, cookie_value: &str) -> Result<()> {
    if cookie_value.is_empty() {
        return Ok(());
    }
    let hash = ids::sha256_hex(cookie_value);
    issuer.write(|tx| Ok(rows::delete(tx, pool_id, &hash).map(|_| ())?))
}
