//! Refresh tokens (stored by hash only) and revoked sign-ins. A sign-in
//! (one `origin_jti`) owns one refresh token, or several once rotation
//! replaced it; they are revoked together.

use rusqlite::{Connection, params};

use super::{Result, optional};

/// A refresh token (stored by hash only) and the sign-in it belongs to.
#[derive(Debug, Clone)]
pub(crate) struct RefreshRow {
    /// SHA-256 hex of the opaque token.
    pub token_hash: String,
    /// Pool id.
    pub pool_id: String,
    /// Client id the token was issued to.
    pub client_id: String,
    /// User sub.
    pub sub: String,
    /// The `origin_jti` shared by every token of this sign-in.
    pub origin_jti: String,
    /// The `event_id` of the sign-in.
    pub event_id: String,
    /// Sign-in time (`auth_time`).
    pub auth_time: i64,
    /// Issue time.
    pub issued_at: i64,
    /// Expiry time.
    pub expires_at: i64,
    /// Revocation time, if revoked.
    pub revoked_at: Option<i64>,
    /// When rotation replaced this token (Unix milliseconds), if it did.
    pub retired_at_ms: Option<i64>,
    /// Until when (Unix milliseconds) a replaced token still works.
    pub grace_until_ms: Option<i64>,
    /// The scopes an OAuth2 grant gave the sign-in (space-separated);
    /// `None` for the user pool API.
    pub scopes: Option<String>,
}

/// Stores a refresh token.
pub(crate) fn insert_refresh(conn: &Connection, r: &RefreshRow) -> Result<()> {
    conn.execute(
        "INSERT INTO refresh_tokens(token_hash, pool_id, client_id, sub, origin_jti, event_id,
                                    auth_time, issued_at, expires_at, revoked_at,
                                    retired_at_ms, grace_until_ms, scopes)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
        params![
            r.token_hash,
            r.pool_id,
            r.client_id,
            r.sub,
            r.origin_jti,
            r.event_id,
            r.auth_time,
            r.issued_at,
            r.expires_at,
            r.revoked_at,
            r.retired_at_ms,
            r.grace_until_ms,
            r.scopes
        ],
    )?;
    Ok(())
}

const REFRESH_COLUMNS: &str = "token_hash, pool_id, client_id, sub, origin_jti, event_id, \
                               auth_time, issued_at, expires_at, revoked_at, \
                               retired_at_ms, grace_until_ms, scopes";

fn refresh_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<RefreshRow> {
    Ok(RefreshRow {
        token_hash: r.get(0)?,
        pool_id: r.get(1)?,
        client_id: r.get(2)?,
        sub: r.get(3)?,
        origin_jti: r.get(4)?,
        event_id: r.get(5)?,
        auth_time: r.get(6)?,
        issued_at: r.get(7)?,
        expires_at: r.get(8)?,
        revoked_at: r.get(9)?,
        retired_at_ms: r.get(10)?,
        grace_until_ms: r.get(11)?,
        scopes: r.get(12)?,
    })
}

/// Looks a refresh token up by hash.
pub(crate) fn get_refresh(conn: &Connection, token_hash: &str) -> Result<Option<RefreshRow>> {
    Ok(optional(conn.query_row(
        &format!("SELECT {REFRESH_COLUMNS} FROM refresh_tokens WHERE token_hash = ?1"),
        [token_hash],
        refresh_from_row,
    ))?)
}

/// Looks a sign-in up by its `origin_jti` (its first refresh token: the
/// tokens of a sign-in are revoked together).
pub(crate) fn get_refresh_by_origin(
    conn: &Connection,
    origin_jti: &str,
) -> Result<Option<RefreshRow>> {
    Ok(optional(conn.query_row(
        &format!(
            "SELECT {REFRESH_COLUMNS} FROM refresh_tokens WHERE origin_jti = ?1
             ORDER BY issued_at LIMIT 1"
        ),
        [origin_jti],
        refresh_from_row,
    ))?)
}

/// Marks a live token as replaced by rotation at `now_ms`, usable until
/// `grace_until_ms`. Returns false when it was already replaced or revoked
/// (a concurrent refresh got there first).
pub(crate) fn retire_refresh(
    conn: &Connection,
    token_hash: &str,
    now_ms: i64,
    grace_until_ms: i64,
) -> Result<bool> {
    let n = conn.execute(
        "UPDATE refresh_tokens SET retired_at_ms = ?2, grace_until_ms = ?3
         WHERE token_hash = ?1 AND retired_at_ms IS NULL AND revoked_at IS NULL",
        params![token_hash, now_ms, grace_until_ms],
    )?;
    Ok(n == 1)
}

/// Forgets revocations older than any token can live (ID and access tokens
/// last at most one day), so the revocation list stays small.
fn purge_revoked(conn: &Connection, now: i64) -> Result<()> {
    conn.execute(
        "DELETE FROM revoked_origins WHERE revoked_at < ?1",
        [now - 2 * 86400],
    )?;
    Ok(())
}

/// Revokes one sign-in (its refresh token and, for the issuer's own checks,
/// its access tokens).
pub(crate) fn revoke_origin(conn: &Connection, origin_jti: &str, now: i64) -> Result<()> {
    purge_revoked(conn, now)?;
    conn.execute(
        "INSERT OR IGNORE INTO revoked_origins(origin_jti, pool_id, revoked_at)
         SELECT origin_jti, pool_id, ?2 FROM refresh_tokens
         WHERE origin_jti = ?1 AND revoked_at IS NULL",
        params![origin_jti, now],
    )?;
    conn.execute(
        "UPDATE refresh_tokens SET revoked_at = ?2 WHERE origin_jti = ?1 AND revoked_at IS NULL",
        params![origin_jti, now],
    )?;
    Ok(())
}

/// Revokes every sign-in of a user (global sign-out).
pub(crate) fn revoke_user(conn: &Connection, pool_id: &str, sub: &str, now: i64) -> Result<()> {
    purge_revoked(conn, now)?;
    conn.execute(
        "INSERT OR IGNORE INTO revoked_origins(origin_jti, pool_id, revoked_at)
         SELECT origin_jti, pool_id, ?3 FROM refresh_tokens
         WHERE pool_id = ?1 AND sub = ?2 AND revoked_at IS NULL AND expires_at > ?3 - 86400",
        params![pool_id, sub, now],
    )?;
    conn.execute(
        "UPDATE refresh_tokens SET revoked_at = ?3
         WHERE pool_id = ?1 AND sub = ?2 AND revoked_at IS NULL",
        params![pool_id, sub, now],
    )?;
    Ok(())
}

/// The `origin_jti`s of a pool revoked after `since`, oldest first.
pub(crate) fn revoked_since(conn: &Connection, pool_id: &str, since: i64) -> Result<Vec<String>> {
    let mut stmt = conn.prepare(
        "SELECT origin_jti FROM revoked_origins WHERE pool_id = ?1 AND revoked_at > ?2
         ORDER BY revoked_at, origin_jti",
    )?;
    let rows = stmt.query_map(params![pool_id, since], |r| r.get::<_, String>(0))?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}
