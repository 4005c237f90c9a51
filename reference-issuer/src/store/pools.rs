//! Rows for pools, app clients, signing keys, resource servers and metadata.

use rusqlite::{Connection, params};

use super::{decode, optional};
use crate::errors::ApiResult;
use crate::model::{AppClient, IssuerStyle, Pool, ResourceServer};

/// Reads a metadata value.
pub fn get_meta(conn: &Connection, key: &str) -> ApiResult<Option<String>> {
    Ok(optional(conn.query_row(
        "SELECT value FROM meta WHERE key = ?1",
        [key],
        |r| r.get(0),
    ))?)
}

/// Writes a metadata value.
pub fn set_meta(conn: &Connection, key: &str, value: &str) -> ApiResult<()> {
    conn.execute(
        "INSERT INTO meta(key, value) VALUES (?1, ?2)
         ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        params![key, value],
    )?;
    Ok(())
}

/// Inserts or replaces a pool.
pub fn put_pool(conn: &Connection, pool: &Pool, style: IssuerStyle) -> ApiResult<()> {
    let doc = serde_json::to_string(pool)
        .map_err(|e| crate::errors::ApiError::internal(e.to_string()))?;
    conn.execute(
        "INSERT INTO pools(id, name, issuer_style, doc) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT(id) DO UPDATE SET name = excluded.name,
             issuer_style = excluded.issuer_style, doc = excluded.doc",
        params![pool.id, pool.name, style.as_str(), doc],
    )?;
    Ok(())
}

/// Loads a pool and its issuer style.
pub fn get_pool(conn: &Connection, id: &str) -> ApiResult<Option<(Pool, IssuerStyle)>> {
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
pub fn list_pools(conn: &Connection) -> ApiResult<Vec<(Pool, IssuerStyle)>> {
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
pub fn delete_pool(conn: &Connection, id: &str) -> ApiResult<()> {
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
    ] {
        conn.execute(&format!("DELETE FROM {table} WHERE pool_id = ?1"), [id])?;
    }
    conn.execute("DELETE FROM pools WHERE id = ?1", [id])?;
    Ok(())
}

/// Number of users in a pool.
pub fn count_users(conn: &Connection, pool_id: &str) -> ApiResult<i64> {
    Ok(conn.query_row(
        "SELECT COUNT(*) FROM users WHERE pool_id = ?1",
        [pool_id],
        |r| r.get(0),
    )?)
}

/// Inserts or replaces an app client.
pub fn put_client(conn: &Connection, client: &AppClient) -> ApiResult<()> {
    let doc = serde_json::to_string(client)
        .map_err(|e| crate::errors::ApiError::internal(e.to_string()))?;
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
pub fn get_client(conn: &Connection, id: &str) -> ApiResult<Option<AppClient>> {
    let doc: Option<String> =
        optional(conn.query_row("SELECT doc FROM clients WHERE id = ?1", [id], |r| r.get(0)))?;
    doc.map(|d| decode(&d)).transpose()
}

/// The clients of a pool, ordered by creation.
pub fn list_clients(conn: &Connection, pool_id: &str) -> ApiResult<Vec<AppClient>> {
    let mut stmt = conn.prepare("SELECT doc FROM clients WHERE pool_id = ?1 ORDER BY rowid")?;
    let rows = stmt.query_map([pool_id], |r| r.get::<_, String>(0))?;
    let mut out = Vec::new();
    for row in rows {
        out.push(decode(&row?)?);
    }
    Ok(out)
}

/// Deletes an app client and its refresh tokens.
pub fn delete_client(conn: &Connection, id: &str) -> ApiResult<()> {
    conn.execute("DELETE FROM refresh_tokens WHERE client_id = ?1", [id])?;
    conn.execute("DELETE FROM auth_sessions WHERE client_id = ?1", [id])?;
    conn.execute("DELETE FROM clients WHERE id = ?1", [id])?;
    Ok(())
}

/// A stored signing key.
#[derive(Debug, Clone)]
pub struct KeyRow {
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
pub fn insert_key(conn: &Connection, k: &KeyRow) -> ApiResult<()> {
    conn.execute(
        "INSERT INTO signing_keys(kid, pool_id, purpose, pkcs8, created_at, retired_at, publish_until)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![k.kid, k.pool_id, k.purpose, k.pkcs8, k.created_at, k.retired_at, k.publish_until],
    )?;
    Ok(())
}

/// All keys of a pool, newest first.
pub fn list_keys(conn: &Connection, pool_id: &str) -> ApiResult<Vec<KeyRow>> {
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
pub fn retire_keys(
    conn: &Connection,
    pool_id: &str,
    purpose: &str,
    now: i64,
    publish_until: i64,
) -> ApiResult<()> {
    conn.execute(
        "UPDATE signing_keys SET retired_at = ?3, publish_until = ?4
         WHERE pool_id = ?1 AND purpose = ?2 AND retired_at IS NULL",
        params![pool_id, purpose, now, publish_until],
    )?;
    Ok(())
}

/// Inserts or replaces a resource server.
pub fn put_resource_server(conn: &Connection, rs: &ResourceServer) -> ApiResult<()> {
    let doc =
        serde_json::to_string(rs).map_err(|e| crate::errors::ApiError::internal(e.to_string()))?;
    conn.execute(
        "INSERT INTO resource_servers(pool_id, identifier, doc) VALUES (?1, ?2, ?3)
         ON CONFLICT(pool_id, identifier) DO UPDATE SET doc = excluded.doc",
        params![rs.user_pool_id, rs.identifier, doc],
    )?;
    Ok(())
}

/// Loads a resource server.
pub fn get_resource_server(
    conn: &Connection,
    pool_id: &str,
    identifier: &str,
) -> ApiResult<Option<ResourceServer>> {
    let doc: Option<String> = optional(conn.query_row(
        "SELECT doc FROM resource_servers WHERE pool_id = ?1 AND identifier = ?2",
        params![pool_id, identifier],
        |r| r.get(0),
    ))?;
    doc.map(|d| decode(&d)).transpose()
}

/// The resource servers of a pool.
pub fn list_resource_servers(conn: &Connection, pool_id: &str) -> ApiResult<Vec<ResourceServer>> {
    let mut stmt =
        conn.prepare("SELECT doc FROM resource_servers WHERE pool_id = ?1 ORDER BY identifier")?;
    let rows = stmt.query_map([pool_id], |r| r.get::<_, String>(0))?;
    let mut out = Vec::new();
    for row in rows {
        out.push(decode(&row?)?);
    }
    Ok(out)
}
