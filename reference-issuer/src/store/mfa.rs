//! Per-user MFA settings (one JSON document per user).

use rusqlite::{Connection, params};

use super::{Result, encode, optional};
use crate::model::UserMfa;

/// Loads a user's MFA state (the default when none is stored).
pub(crate) fn load(conn: &Connection, pool_id: &str, sub: &str) -> Result<UserMfa> {
    let doc: Option<String> = optional(conn.query_row(
        "SELECT doc FROM user_mfa WHERE pool_id = ?1 AND sub = ?2",
        params![pool_id, sub],
        |r| r.get(0),
    ))?;
    Ok(doc
        .and_then(|d| serde_json::from_str(&d).ok())
        .unwrap_or_default())
}

/// Stores a user's MFA state.
pub(crate) fn save(conn: &Connection, pool_id: &str, sub: &str, m: &UserMfa) -> Result<()> {
    let doc = encode(m)?;
    conn.execute(
        "INSERT INTO user_mfa(pool_id, sub, doc) VALUES (?1, ?2, ?3)
         ON CONFLICT(pool_id, sub) DO UPDATE SET doc = excluded.doc",
        params![pool_id, sub, doc],
    )?;
    Ok(())
}
