//! Persisted sign-in failures of known users (the lockout counter), so a
//! restart does not hand out a fresh password budget.

use rusqlite::{Connection, params};

use super::{Result, optional};

/// A user's sign-in failures.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct FailureRow {
    /// Consecutive failures.
    pub failures: i64,
    /// When the last one happened (Unix milliseconds).
    pub last_failure_ms: i64,
    /// Locked out until (Unix milliseconds; 0 when not locked).
    pub locked_until_ms: i64,
}

/// Loads a user's failures.
pub(crate) fn get_failures(
    conn: &Connection,
    pool_id: &str,
    sub: &str,
) -> Result<Option<FailureRow>> {
    Ok(optional(conn.query_row(
        "SELECT failures, last_failure_ms, locked_until_ms FROM signin_failures
         WHERE pool_id = ?1 AND sub = ?2",
        params![pool_id, sub],
        |r| {
            Ok(FailureRow {
                failures: r.get(0)?,
                last_failure_ms: r.get(1)?,
                locked_until_ms: r.get(2)?,
            })
        },
    ))?)
}

/// Stores a user's failures unless a newer state is already stored
/// (concurrent writers may commit out of order: the later failure, or the
/// higher count at the same instant, wins).
pub(crate) fn put_failures(
    conn: &Connection,
    pool_id: &str,
    sub: &str,
    f: &FailureRow,
) -> Result<()> {
    conn.execute(
        "INSERT INTO signin_failures(pool_id, sub, failures, last_failure_ms, locked_until_ms)
         VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT(pool_id, sub) DO UPDATE SET failures = excluded.failures,
            last_failure_ms = excluded.last_failure_ms, locked_until_ms = excluded.locked_until_ms
         WHERE (excluded.last_failure_ms, excluded.failures)
             > (signin_failures.last_failure_ms, signin_failures.failures)",
        params![
            pool_id,
            sub,
            f.failures,
            f.last_failure_ms,
            f.locked_until_ms
        ],
    )?;
    Ok(())
}

/// Forgets a user's failures; returns whether there were any.
pub(crate) fn clear_failures(conn: &Connection, pool_id: &str, sub: &str) -> Result<bool> {
    Ok(conn.execute(
        "DELETE FROM signin_failures WHERE pool_id = ?1 AND sub = ?2",
        params![pool_id, sub],
    )? > 0)
}
