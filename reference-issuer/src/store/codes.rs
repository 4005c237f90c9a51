//! One-time codes (sign-up confirmation, password reset, attribute verification).

use rusqlite::{Connection, params};

use super::{Result, optional};

/// A pending one-time code.
#[derive(Debug, Clone)]
pub(crate) struct CodeRow {
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
pub(crate) fn put_code(
    conn: &Connection,
    pool_id: &str,
    sub: &str,
    purpose: &str,
    code_hash: &str,
    expires_at: i64,
) -> Result<()> {
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
pub(crate) fn get_code(
    conn: &Connection,
    pool_id: &str,
    sub: &str,
    purpose: &str,
) -> Result<Option<CodeRow>> {
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
pub(crate) fn bump_code_attempts(
    conn: &Connection,
    pool_id: &str,
    sub: &str,
    purpose: &str,
) -> Result<()> {
    conn.execute(
        "UPDATE codes SET attempts = attempts + 1 WHERE pool_id = ?1 AND sub = ?2 AND purpose = ?3",
        params![pool_id, sub, purpose],
    )?;
    Ok(())
}

/// Marks a code used.
pub(crate) fn mark_code_used(
    conn: &Connection,
    pool_id: &str,
    sub: &str,
    purpose: &str,
) -> Result<()> {
    conn.execute(
        "UPDATE codes SET used = 1 WHERE pool_id = ?1 AND sub = ?2 AND purpose = ?3",
        params![pool_id, sub, purpose],
    )?;
    Ok(())
}
