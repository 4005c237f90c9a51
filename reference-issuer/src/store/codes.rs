//! One-time codes (sign-up confirmation, password reset, attribute
//! verification) and their attempt budgets. The budget row outlives the
//! code: reissuing a code replaces the code, never the budget.

use rusqlite::{Connection, params};

use super::{Result, optional};

/// A pending one-time code.
#[derive(Debug, Clone)]
pub(crate) struct CodeRow {
    /// SHA-256 hex of the code.
    pub code_hash: String,
    /// Expiry time.
    pub expires_at: i64,
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
        "SELECT code_hash, expires_at, used FROM codes
         WHERE pool_id = ?1 AND sub = ?2 AND purpose = ?3",
        params![pool_id, sub, purpose],
        |r| {
            Ok(CodeRow {
                code_hash: r.get(0)?,
                expires_at: r.get(1)?,
                used: r.get::<_, i64>(2)? != 0,
            })
        },
    ))?)
}

/// Marks a code used (or spent: a spent code never matches again).
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

/// Failed attempts and sends of one user's codes for one purpose.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct BudgetRow {
    /// Wrong codes in the current failure window.
    pub failures: i64,
    /// Start of the failure window (Unix seconds).
    pub failures_since: i64,
    /// Codes sent in the current send window.
    pub sends: i64,
    /// Start of the send window (Unix seconds).
    pub sends_since: i64,
}

/// Loads the budget of `sub`'s codes for `purpose` (zero when none).
pub(crate) fn get_budget(
    conn: &Connection,
    pool_id: &str,
    sub: &str,
    purpose: &str,
) -> Result<BudgetRow> {
    Ok(optional(conn.query_row(
        "SELECT failures, failures_since, sends, sends_since FROM code_budgets
         WHERE pool_id = ?1 AND sub = ?2 AND purpose = ?3",
        params![pool_id, sub, purpose],
        |r| {
            Ok(BudgetRow {
                failures: r.get(0)?,
                failures_since: r.get(1)?,
                sends: r.get(2)?,
                sends_since: r.get(3)?,
            })
        },
    ))?
    .unwrap_or_default())
}

/// Stores the budget of `sub`'s codes for `purpose`.
pub(crate) fn put_budget(
    conn: &Connection,
    pool_id: &str,
    sub: &str,
    purpose: &str,
    b: &BudgetRow,
) -> Result<()> {
    conn.execute(
        "INSERT INTO code_budgets(pool_id, sub, purpose, failures, failures_since, sends, sends_since)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
         ON CONFLICT(pool_id, sub, purpose) DO UPDATE SET failures = excluded.failures,
            failures_since = excluded.failures_since, sends = excluded.sends,
            sends_since = excluded.sends_since",
        params![pool_id, sub, purpose, b.failures, b.failures_since, b.sends, b.sends_since],
    )?;
    Ok(())
}
