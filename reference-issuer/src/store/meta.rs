//! Key-value metadata of the install (the default pool and client).

use rusqlite::{Connection, params};

use super::{Result, optional};

/// Reads a metadata value.
pub(crate) fn get_meta(conn: &Connection, key: &str) -> Result<Option<String>> {
    Ok(optional(conn.query_row(
        "SELECT value FROM meta WHERE key = ?1",
        [key],
        |r| r.get(0),
    ))?)
}

/// Writes a metadata value.
pub(crate) fn set_meta(conn: &Connection, key: &str, value: &str) -> Result<()> {
    conn.execute(
        "INSERT INTO meta(key, value) VALUES (?1, ?2)
         ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        params![key, value],
    )?;
    Ok(())
}
