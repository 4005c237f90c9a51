//! App clients (stored as their `UserPoolClientType` document).

use rusqlite::{Connection, params};

use super::{Result, decode, encode, optional};
use crate::model::AppClient;

/// Inserts or replaces an app client.
pub(crate) fn put_client(conn: &Connection, client: &AppClient) -> Result<()> {
    let doc = encode(client)?;
    conn.execute(
        "INSERT INTO clients(id, pool_id, name, doc) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT(id) DO UPDATE SET name = excluded.name, doc = excluded.doc",
        params![
            client.client_id,
            client.user_pool_id,
            client.client_name,
            doc
        ],
    )?;
    Ok(())
}

/// Loads an app client by id.
pub(crate) fn get_client(conn: &Connection, id: &str) -> Result<Option<AppClient>> {
    let doc: Option<String> =
        optional(conn.query_row("SELECT doc FROM clients WHERE id = ?1", [id], |r| r.get(0)))?;
    doc.map(|d| decode(&d)).transpose()
}

/// The clients of a pool, ordered by creation.
pub(crate) fn list_clients(conn: &Connection, pool_id: &str) -> Result<Vec<AppClient>> {
    let mut stmt = conn.prepare("SELECT doc FROM clients WHERE pool_id = ?1 ORDER BY rowid")?;
    let rows = stmt.query_map([pool_id], |r| r.get::<_, String>(0))?;
    let mut out = Vec::new();
    for row in rows {
        out.push(decode(&row?)?);
    }
    Ok(out)
}

/// Deletes an app client and its refresh tokens.
pub(crate) fn delete_client(conn: &Connection, id: &str) -> Result<()> {
    conn.execute("DELETE FROM refresh_tokens WHERE client_id = ?1", [id])?;
    conn.execute("DELETE FROM auth_sessions WHERE client_id = ?1", [id])?;
    conn.execute("DELETE FROM ui_customizations WHERE client_id = ?1", [id])?;
    conn.execute("DELETE FROM clients WHERE id = ?1", [id])?;
    Ok(())
}
