//! User pool domains (one row per domain, at most one per pool).

use rusqlite::{Connection, params};

use super::{Result, decode, encode, optional};
use crate::model::PoolDomain;

/// Inserts a domain (the caller checked it is free and the pool has none).
pub(crate) fn insert_domain(conn: &Connection, d: &PoolDomain) -> Result<()> {
    conn.execute(
        "INSERT INTO pool_domains(domain, pool_id, doc) VALUES (?1, ?2, ?3)",
        params![d.domain, d.user_pool_id, encode(d)?],
    )?;
    Ok(())
}

/// The domain named `domain`, if any.
pub(crate) fn get_domain(conn: &Connection, domain: &str) -> Result<Option<PoolDomain>> {
    let doc: Option<String> = optional(conn.query_row(
        "SELECT doc FROM pool_domains WHERE domain = ?1",
        [domain],
        |r| r.get(0),
    ))?;
    doc.as_deref().map(decode).transpose()
}

/// The domain of a pool, if it has one.
pub(crate) fn domain_of_pool(conn: &Connection, pool_id: &str) -> Result<Option<PoolDomain>> {
    let doc: Option<String> = optional(conn.query_row(
        "SELECT doc FROM pool_domains WHERE pool_id = ?1",
        [pool_id],
        |r| r.get(0),
    ))?;
    doc.as_deref().map(decode).transpose()
}

/// Deletes `domain` when it belongs to `pool_id`; whether a row went.
pub(crate) fn delete_domain(conn: &Connection, domain: &str, pool_id: &str) -> Result<bool> {
    let n = conn.execute(
        "DELETE FROM pool_domains WHERE domain = ?1 AND pool_id = ?2",
        params![domain, pool_id],
    )?;
    Ok(n > 0)
}
