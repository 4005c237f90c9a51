//! Hosted-UI sessions: one row per signed-in browser and pool, keyed by the
//! SHA-256 of the session cookie's value.

use rusqlite::{Connection, params};

use super::{Result, optional};

/// A hosted-UI session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct HostedSessionRow {
    /// The pool the session signs in to.
    pub pool_id: String,
    /// The signed-in user's `sub`.
    pub sub: String,
    /// When the user proved their credentials.
    pub auth_time: i64,
    /// When the session ends.
    pub expires_at: i64,
}

/// Stores a session under the hash of its cookie value.
pub(crate) fn insert(conn: &Connection, session_hash: &str, s: &HostedSessionRow) -> Result<()> {
    conn.execute(
        "INSERT INTO hosted_sessions(session_hash, pool_id, sub, auth_time, expires_at)
         VALUES (?1, ?2, ?3, ?4, ?5)",
        params![session_hash, s.pool_id, s.sub, s.auth_time, s.expires_at],
    )?;
    Ok(())
}

/// The session stored under `session_hash` in `pool_id`, expired or not.
pub(crate) fn get(
    conn: &Connection,
    pool_id: &str,
    session_hash: &str,
) -> Result<Option<HostedSessionRow>> {
    Ok(optional(conn.query_row(
        "SELECT pool_id, sub, auth_time, expires_at FROM hosted_sessions
         WHERE session_hash = ?1 AND pool_id = ?2",
        params![session_hash, pool_id],
        |r| {
            Ok(HostedSessionRow {
                pool_id: r.get(0)?,
                sub: r.get(1)?,
                auth_time: r.get(2)?,
                expires_at: r.get(3)?,
            })
        },
    ))?)
}

/// Deletes a session; returns whether it existed.
pub(crate) fn delete(conn: &Connection, pool_id: &str, session_hash: &str) -> Result<bool> {
    let n = conn.execute(
        "DELETE FROM hosted_sessions WHERE session_hash = ?1 AND pool_id = ?2",
        params![session_hash, pool_id],
    )?;
    Ok(n > 0)
}

/// Deletes the sessions that ended before `now`.
pub(crate) fn purge(conn: &Connection, now: i64) -> Result<()> {
    conn.execute("DELETE FROM hosted_sessions WHERE expires_at <= ?1", [now])?;
    Ok(())
}
