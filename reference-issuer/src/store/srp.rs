//! SRP verifiers, each bound to the password hash it was derived with.

use rusqlite::{Connection, params};

use super::{Result, optional};

/// A stored SRP verifier: big-endian salt and verifier, and the binding to
/// the password hash it belongs to.
#[derive(Debug, Clone)]
pub(crate) struct VerifierRow {
    /// Salt, big-endian.
    pub salt: Vec<u8>,
    /// Verifier `v`, big-endian.
    pub verifier: Vec<u8>,
    /// Binding to the password hash current when it was derived.
    pub bound_to: String,
}

/// Stores (replacing) a user's verifier.
pub(crate) fn put(conn: &Connection, pool_id: &str, sub: &str, row: &VerifierRow) -> Result<()> {
    conn.execute(
        "INSERT INTO srp_verifiers(pool_id, sub, salt, verifier, bound_to)
         VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT(pool_id, sub) DO UPDATE SET salt = excluded.salt,
             verifier = excluded.verifier, bound_to = excluded.bound_to",
        params![pool_id, sub, row.salt, row.verifier, row.bound_to],
    )?;
    Ok(())
}

/// Loads a user's verifier.
pub(crate) fn get(conn: &Connection, pool_id: &str, sub: &str) -> Result<Option<VerifierRow>> {
    Ok(optional(conn.query_row(
        "SELECT salt, verifier, bound_to FROM srp_verifiers WHERE pool_id = ?1 AND sub = ?2",
        params![pool_id, sub],
        |r| {
            Ok(VerifierRow {
                salt: r.get(0)?,
                verifier: r.get(1)?,
                bound_to: r.get(2)?,
            })
        },
    ))?)
}
