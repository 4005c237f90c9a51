//! User pools (stored as their `UserPoolType` document).

use rusqlite::{Connection, params};

use super::{Result, decode, encode, optional};
use crate::model::{IssuerStyle, Pool};

/// Inserts or replaces a pool.
pub(crate) fn put_pool(conn: &Connection, pool: &Pool, style: IssuerStyle) -> Result<()> {
    let doc = encode(pool)?;
    conn.execute(
        "INSERT INTO pools(id, name, issuer_style, doc) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT(id) DO UPDATE SET name = excluded.name,
             issuer_style = excluded.issuer_style, doc = excluded.doc",
        params![pool.id, pool.name, style.as_str(), doc],
    )?;
    Ok(())
}

/// Loads a pool and its issuer style.
pub(crate) fn get_pool(conn: &Connection, id: &str) -> Result<Option<(Pool, IssuerStyle)>> {
    let row: Option<(String, String)> = optional(conn.query_row(
        "SELECT doc, issuer_style FROM pools WHERE id = ?1",
        [id],
        |r| Ok((r.get(0)?, r.get(1)?)),
    ))?;
    match row {
        Some((doc, style)) => Ok(Some((
            decode(&doc)?,
            IssuerStyle::parse(&style).unwrap_or_default(),
        ))),
        None => Ok(None),
    }
}

/// All pools, ordered by id.
pub(crate) fn list_pools(conn: &Connection) -> Result<Vec<(Pool, IssuerStyle)>> {
    let mut stmt = conn.prepare("SELECT doc, issuer_style FROM pools ORDER BY id")?;
    let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
    let mut out = Vec::new();
    for row in rows {
        let (doc, style) = row?;
        out.push((
            decode(&doc)?,
            IssuerStyle::parse(&style).unwrap_or_default(),
        ));
    }
    Ok(out)
}

/// Deletes a pool and everything in it.
pub(crate) fn delete_pool(conn: &Connection, id: &str) -> Result<()> {
    for table in [
        "clients",
        "signing_keys",
        "users",
        "groups",
        "group_members",
        "resource_servers",
        "refresh_tokens",
        "codes",
        "auth_sessions",
        "outbox",
        "srp_verifiers",
        "user_mfa",
        "revoked_origins",
        "devices",
        "device_sign_ins",
        "pool_domains",
        "ui_customizations",
    ] {
        conn.execute(&format!("DELETE FROM {table} WHERE pool_id = ?1"), [id])?;
    }
    conn.execute("DELETE FROM pools WHERE id = ?1", [id])?;
    Ok(())
}

/// Number of users in a pool.
pub(crate) fn count_users(conn: &Connection, pool_id: &str) -> Result<i64> {
    Ok(conn.query_row(
        "SELECT COUNT(*) FROM users WHERE pool_id = ?1",
        [pool_id],
        |r| r.get(0),
    )?)
}
