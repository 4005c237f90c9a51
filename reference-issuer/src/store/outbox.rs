//! The outbox: every message the issuer "sent" (codes, invitations).

use rusqlite::{Connection, params};
use serde::Serialize;

use super::Result;

/// One delivered message (a code or an invitation), as the outbox endpoint
/// returns it.
#[derive(Debug, Clone, Serialize)]
pub struct OutboxMessage {
    /// Sequence number.
    pub id: i64,
    /// Pool id.
    pub pool_id: String,
    /// Username at the time of sending.
    pub username: String,
    /// User sub.
    pub sub: String,
    /// `SIGN_UP`, `FORGOT_PASSWORD`, `VERIFY_ATTRIBUTE`, `RESEND_CODE`, `INVITATION`.
    pub kind: String,
    /// `EMAIL` or `SMS`.
    pub medium: String,
    /// The (unmasked) destination address.
    pub destination: String,
    /// The one-time code, if the message carries one.
    pub code: Option<String>,
    /// The message text.
    pub message: String,
    /// When it was sent (epoch seconds).
    pub created_at: f64,
}

/// Messages kept per pool: older ones are dropped as new ones arrive, so
/// the outbox cannot grow without bound.
pub(crate) const OUTBOX_WINDOW: i64 = 1000;

/// Appends a message to the outbox and drops the pool's messages older
/// than the newest [`OUTBOX_WINDOW`].
pub(crate) fn insert_outbox(conn: &Connection, m: &OutboxMessage) -> Result<i64> {
    conn.execute(
        "INSERT INTO outbox(pool_id, username, sub, kind, medium, destination, code, message, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        params![
            m.pool_id, m.username, m.sub, m.kind, m.medium, m.destination, m.code, m.message,
            m.created_at
        ],
    )?;
    let id = conn.last_insert_rowid();
    conn.execute(
        "DELETE FROM outbox WHERE pool_id = ?1 AND id <= (
             SELECT id FROM outbox WHERE pool_id = ?1 ORDER BY id DESC LIMIT 1 OFFSET ?2)",
        params![m.pool_id, OUTBOX_WINDOW],
    )?;
    Ok(id)
}

/// Outbox messages, newest first, optionally filtered by pool and username.
pub(crate) fn list_outbox(
    conn: &Connection,
    pool_id: Option<&str>,
    username: Option<&str>,
    limit: i64,
) -> Result<Vec<OutboxMessage>> {
    let mut stmt = conn.prepare(
        "SELECT id, pool_id, username, sub, kind, medium, destination, code, message, created_at
         FROM outbox
         WHERE (?1 IS NULL OR pool_id = ?1) AND (?2 IS NULL OR username = ?2 OR sub = ?2 OR destination = ?2)
         ORDER BY id DESC LIMIT ?3",
    )?;
    let rows = stmt.query_map(params![pool_id, username, limit], |r| {
        Ok(OutboxMessage {
            id: r.get(0)?,
            pool_id: r.get(1)?,
            username: r.get(2)?,
            sub: r.get(3)?,
            kind: r.get(4)?,
            medium: r.get(5)?,
            destination: r.get(6)?,
            code: r.get(7)?,
            message: r.get(8)?,
            created_at: r.get(9)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(pool_id: &str, n: i64) -> OutboxMessage {
        OutboxMessage {
            id: 0,
            pool_id: pool_id.into(),
            username: format!("user{n}"),
            sub: "sub".into(),
            kind: "SIGN_UP".into(),
            medium: "EMAIL".into(),
            destination: "a@example.com".into(),
            code: Some(format!("{n:06}")),
            message: "code".into(),
            created_at: 0.0,
        }
    }

    #[test]
    fn each_pool_keeps_only_its_newest_messages() {
        let dir = tempfile::tempdir().unwrap();
        let store = crate::store::Store::open(&dir.path().join("db.sqlite3")).unwrap();
        store
            .write(|tx| {
                for n in 0..3 {
                    insert_outbox(tx, &message("other", n))?;
                }
                for n in 0..OUTBOX_WINDOW + 5 {
                    insert_outbox(tx, &message("busy", n))?;
                }
                Ok::<_, crate::store::StoreError>(())
            })
            .unwrap();
        let (busy, other, count) = store
            .read(|c| {
                let count: i64 = c.query_row("SELECT COUNT(*) FROM outbox", [], |r| r.get(0))?;
                Ok::<_, crate::store::StoreError>((
                    list_outbox(c, Some("busy"), None, 10_000)?,
                    list_outbox(c, Some("other"), None, 10_000)?,
                    count,
                ))
            })
            .unwrap();
        assert_eq!(busy.len() as i64, OUTBOX_WINDOW);
        assert_eq!(busy[0].username, format!("user{}", OUTBOX_WINDOW + 4));
        assert_eq!(busy.last().unwrap().username, "user5");
        assert_eq!(other.len(), 3);
        assert_eq!(count, OUTBOX_WINDOW + 3);
    }
}
