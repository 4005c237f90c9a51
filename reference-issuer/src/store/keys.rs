//! Signing keys of the pools (PKCS#8, with their rotation dates).

use rusqlite::{Connection, params};

use super::Result;

/// A stored signing key.
#[derive(Debug, Clone)]
pub(crate) struct KeyRow {
    /// Key id (RFC 7638 thumbprint).
    pub kid: String,
    /// Owning pool.
    pub pool_id: String,
    /// `id` or `access`.
    pub purpose: String,
    /// PKCS#8 DER private key.
    pub pkcs8: Vec<u8>,
    /// Creation time.
    pub created_at: i64,
    /// When it stopped signing, if rotated out.
    pub retired_at: Option<i64>,
    /// Until when a retired key stays in the JWKS.
    pub publish_until: Option<i64>,
}

/// Inserts a signing key.
pub(crate) fn insert_key(conn: &Connection, k: &KeyRow) -> Result<()> {
    conn.execute(
        "INSERT INTO signing_keys(kid, pool_id, purpose, pkcs8, created_at, retired_at, publish_until)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![k.kid, k.pool_id, k.purpose, k.pkcs8, k.created_at, k.retired_at, k.publish_until],
    )?;
    Ok(())
}

/// All keys of a pool, newest first.
pub(crate) fn list_keys(conn: &Connection, pool_id: &str) -> Result<Vec<KeyRow>> {
    let mut stmt = conn.prepare(
        "SELECT kid, pool_id, purpose, pkcs8, created_at, retired_at, publish_until
         FROM signing_keys WHERE pool_id = ?1 ORDER BY created_at DESC, rowid DESC",
    )?;
    let rows = stmt.query_map([pool_id], |r| {
        Ok(KeyRow {
            kid: r.get(0)?,
            pool_id: r.get(1)?,
            purpose: r.get(2)?,
            pkcs8: r.get(3)?,
            created_at: r.get(4)?,
            retired_at: r.get(5)?,
            publish_until: r.get(6)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

/// Retires the active key(s) of a pool for `purpose`.
pub(crate) fn retire_keys(
    conn: &Connection,
    pool_id: &str,
    purpose: &str,
    now: i64,
    publish_until: i64,
) -> Result<()> {
    conn.execute(
        "UPDATE signing_keys SET retired_at = ?3, publish_until = ?4
         WHERE pool_id = ?1 AND purpose = ?2 AND retired_at IS NULL",
        params![pool_id, purpose, now, publish_until],
    )?;
    Ok(())
}
