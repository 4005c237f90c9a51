//! Resource servers (custom OAuth scopes).

use rusqlite::{Connection, params};

use super::{Result, decode, encode, optional};
use crate::model::ResourceServer;

/// Inserts or replaces a resource server.
pub(crate) fn put_resource_server(conn: &Connection, rs: &ResourceServer) -> Result<()> {
    let doc = encode(rs)?;
    conn.execute(
        "INSERT INTO resource_servers(pool_id, identifier, doc) VALUES (?1, ?2, ?3)
         ON CONFLICT(pool_id, identifier) DO UPDATE SET doc = excluded.doc",
        params![rs.user_pool_id, rs.identifier, doc],
    )?;
    Ok(())
}

/// Loads a resource server.
pub(crate) fn get_resource_server(
    conn: &Connection,
    pool_id: &str,
    identifier: &str,
) -> Result<Option<ResourceServer>> {
    let doc: Option<String> = optional(conn.query_row(
        "SELECT doc FROM resource_servers WHERE pool_id = ?1 AND identifier = ?2",
        params![pool_id, identifier],
        |r| r.get(0),
    ))?;
    doc.map(|d| decode(&d)).transpose()
}

/// The resource servers of a pool.
pub(crate) fn list_resource_servers(
    conn: &Connection,
    pool_id: &str,
) -> Result<Vec<ResourceServer>> {
    let mut stmt =
        conn.prepare("SELECT doc FROM resource_servers WHERE pool_id = ?1 ORDER BY identifier")?;
    let rows = stmt.query_map([pool_id], |r| r.get::<_, String>(0))?;
    let mut out = Vec::new();
    for row in rows {
        out.push(decode(&row?)?);
    }
    Ok(out)
}
