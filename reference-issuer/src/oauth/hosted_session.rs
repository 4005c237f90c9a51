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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{IssuerConfig, apply};
    use crate::store::Store;

    const POOL: &str = "us-east-1_HostedSess1";

    fn fixture() -> (tempfile::TempDir, Issuer, SignedIn) {
        let dir = tempfile::tempdir().unwrap();
        let issuer = Issuer::new(
            Store::open(&dir.path().join("db.sqlite3")).unwrap(),
            "http://127.0.0.1:9".into(),
        );
        let cfg = IssuerConfig::from_toml_str(&format!(
            r#"
            [[pools]]
            name = "p"
            id = "{POOL}"
            [[pools.users]]
            username = "alice"
            password = "Corr3ct-Horse!"
            "#
        ))
        .unwrap();
        apply(&issuer, &cfg).unwrap();
        let user = issuer
            .read(|c| Ok(user_rows::list_users(c, POOL)?))
            .unwrap()
            .remove(0);
        let who = SignedIn {
            pool_id: POOL.into(),
            sub: user.sub,
            username: user.username,
            auth_time: ids::now(),
        };
        (dir, issuer, who)
    }

    #[test]
    fn sessions_open_find_expire_and_close() {
        let (_dir, issuer, who) = fixture();
        let value = open(&issuer, &who).unwrap();
        // Only the hash is stored.
        let stored = issuer.read(|c| Ok(rows::get(c, POOL, &value)?)).unwrap();
        assert!(stored.is_none());
        assert_eq!(find(&issuer, POOL, &value).unwrap(), Some(who.clone()));
        assert_eq!(find(&issuer, "us-east-1_Other", &value).unwrap(), None);
        assert_eq!(find(&issuer, POOL, "forged").unwrap(), None);
        assert_eq!(find(&issuer, POOL, "").unwrap(), None);
        close(&issuer, POOL, &value).unwrap();
        assert_eq!(find(&issuer, POOL, &value).unwrap(), None);

        // An expired row is not a session.
        let old = "expired-session-value";
        let row = HostedSessionRow {
            pool_id: POOL.into(),
            sub: who.sub.clone(),
            auth_time: ids::now() - 4000,
            expires_at: ids::now() - 1,
        };
        issuer
            .write(|tx| Ok(rows::insert(tx, &ids::sha256_hex(old), &row)?))
            .unwrap();
        assert_eq!(find(&issuer, POOL, old).unwrap(), None);
        // Opening another purges it.
        let _ = open(&issuer, &who).unwrap();
        let purged = issuer
            .read(|c| Ok(rows::get(c, POOL, &ids::sha256_hex(old))?))
            .unwrap();
        assert!(purged.is_none());
    }

    #[test]
    fn sessions_end_with_their_user() {
        let (_dir, issuer, who) = fixture();
        let value = open(&issuer, &who).unwrap();
        issuer
            .write(|tx| {
                let mut u = user_rows::get_user_by_sub(tx, POOL, &who.sub)?.unwrap();
                u.enabled = false;
                Ok(user_rows::update_user(tx, &u)?)
            })
            .unwrap();
        assert_eq!(find(&issuer, POOL, &value).unwrap(), None);
        issuer
            .write(|tx| Ok(user_rows::delete_user(tx, POOL, &who.sub)?))
            .unwrap();
        assert_eq!(find(&issuer, POOL, &value).unwrap(), None);
    }
}
