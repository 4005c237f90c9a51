//! Server-side challenge sessions (the `Session` of RespondToAuthChallenge).

use rusqlite::{Connection, params};

use super::{Result, optional};

/// A server-side challenge session (the `Session` string is its key; only
/// its hash is stored).
#[derive(Debug, Clone)]
pub(crate) struct SessionRow {
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
pub(crate) fn insert_session(conn: &Connection, session_hash: &str, s: &SessionRow) -> Result<()> {
    conn.execute(
        "INSERT INTO auth_sessions(session_hash, pool_id, client_id, sub, challenge, data, expires_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![session_hash, s.pool_id, s.client_id, s.sub, s.challenge, s.data, s.expires_at],
    )?;
    Ok(())
}

/// Reads a challenge session without consuming it.
pub(crate) fn get_session(conn: &Connection, session_hash: &str) -> Result<Option<SessionRow>> {
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
pub(crate) fn take_session(conn: &Connection, session_hash: &str) -> Result<bool> {
    let n = conn.execute(
        "DELETE FROM auth_sessions WHERE session_hash = ?1",
        [session_hash],
    )?;
    Ok(n > 0)
}

/// Deletes expired sessions.
pub(crate) fn purge_sessions(conn: &Connection, now: i64) -> Result<()> {
    conn.execute("DELETE FROM auth_sessions WHERE expires_at < ?1", [now])?;
    Ok(())
}

/// Counts a wrong answer to a challenge session; once `limit` wrong answers
/// were given the session is deleted. Returns whether this answer spent it.
pub(crate) fn record_session_failure(
    conn: &Connection,
    session_hash: &str,
    limit: i64,
) -> Result<bool> {
    conn.execute(
        "UPDATE auth_sessions SET failures = failures + 1 WHERE session_hash = ?1",
        [session_hash],
    )?;
    let n = conn.execute(
        "DELETE FROM auth_sessions WHERE session_hash = ?1 AND failures >= ?2",
        params![session_hash, limit],
    )?;
    Ok(n > 0)
}
