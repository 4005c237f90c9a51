//! Rows for refresh tokens, one-time codes, challenge sessions and the outbox.

use rusqlite::{Connection, params};
use serde::Serialize;

use super::optional;
use crate::errors::ApiResult;

/// A refresh token (stored by hash only) and the sign-in it belongs to.
#[derive(Debug, Clone)]
pub struct RefreshRow {
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
}

/// Stores a refresh token.
pub fn insert_refresh(conn: &Connection, r: &RefreshRow) -> ApiResult<()> {
    conn.execute(
        "INSERT INTO refresh_tokens(token_hash, pool_id, client_id, sub, origin_jti, event_id,
                                    auth_time, issued_at, expires_at, revoked_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
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
            r.revoked_at
        ],
    )?;
    Ok(())
}

const REFRESH_COLUMNS: &str = "token_hash, pool_id, client_id, sub, origin_jti, event_id, \
                               auth_time, issued_at, expires_at, revoked_at";

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
    })
}

/// Looks a refresh token up by hash.
pub fn get_refresh(conn: &Connection, token_hash: &str) -> ApiResult<Option<RefreshRow>> {
    Ok(optional(conn.query_row(
        &format!("SELECT {REFRESH_COLUMNS} FROM refresh_tokens WHERE token_hash = ?1"),
        [token_hash],
        refresh_from_row,
    ))?)
}

/// Looks a sign-in up by its `origin_jti`.
pub fn get_refresh_by_origin(conn: &Connection, origin_jti: &str) -> ApiResult<Option<RefreshRow>> {
    Ok(optional(conn.query_row(
        &format!("SELECT {REFRESH_COLUMNS} FROM refresh_tokens WHERE origin_jti = ?1"),
        [origin_jti],
        refresh_from_row,
    ))?)
}

/// Forgets revocations older than any token can live (ID and access tokens
/// last at most one day), so the revocation list stays small.
fn purge_revoked(conn: &Connection, now: i64) -> ApiResult<()> {
    conn.execute(
        "DELETE FROM revoked_origins WHERE revoked_at < ?1",
        [now - 2 * 86400],
    )?;
    Ok(())
}

/// Revokes one sign-in (its refresh token and, for the issuer's own checks,
/// its access tokens).
pub fn revoke_origin(conn: &Connection, origin_jti: &str, now: i64) -> ApiResult<()> {
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
pub fn revoke_user(conn: &Connection, pool_id: &str, sub: &str, now: i64) -> ApiResult<()> {
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

/// A pending one-time code.
#[derive(Debug, Clone)]
pub struct CodeRow {
    /// SHA-256 hex of the code.
    pub code_hash: String,
    /// Expiry time.
    pub expires_at: i64,
    /// Wrong attempts so far.
    pub attempts: i64,
    /// Whether it was already used.
    pub used: bool,
}

/// Stores (replacing any previous) the code for `purpose`.
pub fn put_code(
    conn: &Connection,
    pool_id: &str,
    sub: &str,
    purpose: &str,
    code_hash: &str,
    expires_at: i64,
) -> ApiResult<()> {
    conn.execute(
        "INSERT INTO codes(pool_id, sub, purpose, code_hash, expires_at, attempts, used)
         VALUES (?1, ?2, ?3, ?4, ?5, 0, 0)
         ON CONFLICT(pool_id, sub, purpose) DO UPDATE SET code_hash = excluded.code_hash,
            expires_at = excluded.expires_at, attempts = 0, used = 0",
        params![pool_id, sub, purpose, code_hash, expires_at],
    )?;
    Ok(())
}

/// Loads the code for `purpose`.
pub fn get_code(
    conn: &Connection,
    pool_id: &str,
    sub: &str,
    purpose: &str,
) -> ApiResult<Option<CodeRow>> {
    Ok(optional(conn.query_row(
        "SELECT code_hash, expires_at, attempts, used FROM codes
         WHERE pool_id = ?1 AND sub = ?2 AND purpose = ?3",
        params![pool_id, sub, purpose],
        |r| {
            Ok(CodeRow {
                code_hash: r.get(0)?,
                expires_at: r.get(1)?,
                attempts: r.get(2)?,
                used: r.get::<_, i64>(3)? != 0,
            })
        },
    ))?)
}

/// Records a wrong attempt at a code.
pub fn bump_code_attempts(
    conn: &Connection,
    pool_id: &str,
    sub: &str,
    purpose: &str,
) -> ApiResult<()> {
    conn.execute(
        "UPDATE codes SET attempts = attempts + 1 WHERE pool_id = ?1 AND sub = ?2 AND purpose = ?3",
        params![pool_id, sub, purpose],
    )?;
    Ok(())
}

/// Marks a code used.
pub fn mark_code_used(conn: &Connection, pool_id: &str, sub: &str, purpose: &str) -> ApiResult<()> {
    conn.execute(
        "UPDATE codes SET used = 1 WHERE pool_id = ?1 AND sub = ?2 AND purpose = ?3",
        params![pool_id, sub, purpose],
    )?;
    Ok(())
}

/// A server-side challenge session (the `Session` string is its key; only
/// its hash is stored).
#[derive(Debug, Clone)]
pub struct SessionRow {
    /// Pool id.
    pub pool_id: String,
    /// Client id.
    pub client_id: String,
    /// User sub.
    pub sub: String,
    /// The challenge this session answers (e.g. `NEW_PASSWORD_REQUIRED`).
    pub challenge: String,
    /// Flow-specific state (JSON).
    pub data: String,
    /// Expiry time.
    pub expires_at: i64,
}

/// Stores a challenge session.
pub fn insert_session(conn: &Connection, session_hash: &str, s: &SessionRow) -> ApiResult<()> {
    conn.execute(
        "INSERT INTO auth_sessions(session_hash, pool_id, client_id, sub, challenge, data, expires_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![session_hash, s.pool_id, s.client_id, s.sub, s.challenge, s.data, s.expires_at],
    )?;
    Ok(())
}

/// Reads a challenge session without consuming it.
pub fn get_session(conn: &Connection, session_hash: &str) -> ApiResult<Option<SessionRow>> {
    Ok(optional(conn.query_row(
        "SELECT pool_id, client_id, sub, challenge, data, expires_at FROM auth_sessions
         WHERE session_hash = ?1",
        [session_hash],
        |r| {
            Ok(SessionRow {
                pool_id: r.get(0)?,
                client_id: r.get(1)?,
                sub: r.get(2)?,
                challenge: r.get(3)?,
                data: r.get(4)?,
                expires_at: r.get(5)?,
            })
        },
    ))?)
}

/// Consumes a challenge session (sessions are single-use); returns whether
/// it still existed.
pub fn take_session(conn: &Connection, session_hash: &str) -> ApiResult<bool> {
    let n = conn.execute(
        "DELETE FROM auth_sessions WHERE session_hash = ?1",
        [session_hash],
    )?;
    Ok(n > 0)
}

/// Deletes expired sessions.
pub fn purge_sessions(conn: &Connection, now: i64) -> ApiResult<()> {
    conn.execute("DELETE FROM auth_sessions WHERE expires_at < ?1", [now])?;
    Ok(())
}

/// One delivered message (a code or an invitation), as the outbox endpoint
/// returns it.
#[derive(Debug, Clone, Serialize)]
pub struct OutboxMessage {
    /// Sequence number.
    pub id: i64,
    /// Pool id.
    pub pool_id: String,
    /// Username at the time of sending.
    pub username: String,
    /// User sub.
    pub sub: String,
    /// `SIGN_UP`, `FORGOT_PASSWORD`, `VERIFY_ATTRIBUTE`, `RESEND_CODE`, `INVITATION`.
    pub kind: String,
    /// `EMAIL` or `SMS`.
    pub medium: String,
    /// The (unmasked) destination address.
    pub destination: String,
    /// The one-time code, if the message carries one.
    pub code: Option<String>,
    /// The message text.
    pub message: String,
    /// When it was sent (epoch seconds).
    pub created_at: f64,
}

/// Appends a message to the outbox.
pub fn insert_outbox(conn: &Connection, m: &OutboxMessage) -> ApiResult<i64> {
    conn.execute(
        "INSERT INTO outbox(pool_id, username, sub, kind, medium, destination, code, message, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        params![
            m.pool_id, m.username, m.sub, m.kind, m.medium, m.destination, m.code, m.message,
            m.created_at
        ],
    )?;
    Ok(conn.last_insert_rowid())
}

/// Outbox messages, newest first, optionally filtered by pool and username.
pub fn list_outbox(
    conn: &Connection,
    pool_id: Option<&str>,
    username: Option<&str>,
    limit: i64,
) -> ApiResult<Vec<OutboxMessage>> {
    let mut stmt = conn.prepare(
        "SELECT id, pool_id, username, sub, kind, medium, destination, code, message, created_at
         FROM outbox
         WHERE (?1 IS NULL OR pool_id = ?1) AND (?2 IS NULL OR username = ?2 OR sub = ?2 OR destination = ?2)
         ORDER BY id DESC LIMIT ?3",
    )?;
    let rows = stmt.query_map(params![pool_id, username, limit], |r| {
        Ok(OutboxMessage {
            id: r.get(0)?,
            pool_id: r.get(1)?,
            username: r.get(2)?,
            sub: r.get(3)?,
            kind: r.get(4)?,
            medium: r.get(5)?,
            destination: r.get(6)?,
            code: r.get(7)?,
            message: r.get(8)?,
            created_at: r.get(9)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}
