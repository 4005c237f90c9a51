//! Durable storage in one SQLite file: WAL journal, `synchronous=FULL` so an
//! acknowledged write survives `kill -9` and power loss, schema migrations by
//! `PRAGMA user_version`.
//!
//! One writer connection (serializing writes, each in an immediate
//! transaction) and a small pool of reader connections.

pub mod auth;
pub mod pools;
pub mod users;

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use rusqlite::{Connection, OpenFlags, Transaction, TransactionBehavior};

use crate::errors::{ApiError, ApiResult, IssuerError};

/// Schema migrations, applied in order; index + 1 is the `user_version`.
const MIGRATIONS: &[&str] = &[
    r#"
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE pools (
    id           TEXT PRIMARY KEY,
    name         TEXT NOT NULL,
    issuer_style TEXT NOT NULL,
    doc          TEXT NOT NULL
);
CREATE TABLE clients (
    id      TEXT PRIMARY KEY,
    pool_id TEXT NOT NULL,
    name    TEXT NOT NULL,
    doc     TEXT NOT NULL
);
CREATE INDEX clients_by_pool ON clients(pool_id);
CREATE TABLE signing_keys (
    kid           TEXT PRIMARY KEY,
    pool_id       TEXT NOT NULL,
    purpose       TEXT NOT NULL,
    pkcs8         BLOB NOT NULL,
    created_at    INTEGER NOT NULL,
    retired_at    INTEGER,
    publish_until INTEGER
);
CREATE INDEX keys_by_pool ON signing_keys(pool_id);
CREATE TABLE users (
    pool_id         TEXT NOT NULL,
    sub             TEXT NOT NULL,
    username        TEXT NOT NULL,
    username_key    TEXT NOT NULL,
    status          TEXT NOT NULL,
    enabled         INTEGER NOT NULL,
    password_hash   TEXT,
    password_set_at INTEGER NOT NULL,
    attributes      TEXT NOT NULL,
    created_at      REAL NOT NULL,
    modified_at     REAL NOT NULL,
    PRIMARY KEY (pool_id, sub),
    UNIQUE (pool_id, username_key)
);
CREATE TABLE groups (
    pool_id     TEXT NOT NULL,
    name        TEXT NOT NULL,
    description TEXT,
    role_arn    TEXT,
    precedence  INTEGER,
    created_at  REAL NOT NULL,
    modified_at REAL NOT NULL,
    PRIMARY KEY (pool_id, name)
);
CREATE TABLE group_members (
    pool_id    TEXT NOT NULL,
    group_name TEXT NOT NULL,
    sub        TEXT NOT NULL,
    PRIMARY KEY (pool_id, group_name, sub)
);
CREATE INDEX members_by_user ON group_members(pool_id, sub);
CREATE TABLE resource_servers (
    pool_id    TEXT NOT NULL,
    identifier TEXT NOT NULL,
    doc        TEXT NOT NULL,
    PRIMARY KEY (pool_id, identifier)
);
CREATE TABLE refresh_tokens (
    token_hash TEXT PRIMARY KEY,
    pool_id    TEXT NOT NULL,
    client_id  TEXT NOT NULL,
    sub        TEXT NOT NULL,
    origin_jti TEXT NOT NULL UNIQUE,
    event_id   TEXT NOT NULL,
    auth_time  INTEGER NOT NULL,
    issued_at  INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    revoked_at INTEGER
);
CREATE INDEX refresh_by_user ON refresh_tokens(pool_id, sub);
CREATE TABLE codes (
    pool_id    TEXT NOT NULL,
    sub        TEXT NOT NULL,
    purpose    TEXT NOT NULL,
    code_hash  TEXT NOT NULL,
    expires_at INTEGER NOT NULL,
    attempts   INTEGER NOT NULL DEFAULT 0,
    used       INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (pool_id, sub, purpose)
);
CREATE TABLE auth_sessions (
    session_hash TEXT PRIMARY KEY,
    pool_id      TEXT NOT NULL,
    client_id    TEXT NOT NULL,
    sub          TEXT NOT NULL,
    challenge    TEXT NOT NULL,
    data         TEXT NOT NULL,
    expires_at   INTEGER NOT NULL
);
CREATE TABLE outbox (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    pool_id     TEXT NOT NULL,
    username    TEXT NOT NULL,
    sub         TEXT NOT NULL,
    kind        TEXT NOT NULL,
    medium      TEXT NOT NULL,
    destination TEXT NOT NULL,
    code        TEXT,
    message     TEXT NOT NULL,
    created_at  REAL NOT NULL
);
CREATE INDEX outbox_by_user ON outbox(pool_id, username);
"#,
    r#"
CREATE TABLE srp_verifiers (
    pool_id  TEXT NOT NULL,
    sub      TEXT NOT NULL,
    salt     BLOB NOT NULL,
    verifier BLOB NOT NULL,
    bound_to TEXT NOT NULL,
    PRIMARY KEY (pool_id, sub)
);
CREATE TABLE user_mfa (
    pool_id TEXT NOT NULL,
    sub     TEXT NOT NULL,
    doc     TEXT NOT NULL,
    PRIMARY KEY (pool_id, sub)
);
CREATE TABLE revoked_origins (
    origin_jti TEXT PRIMARY KEY,
    pool_id    TEXT NOT NULL,
    revoked_at INTEGER NOT NULL
);
CREATE INDEX revoked_by_pool ON revoked_origins(pool_id, revoked_at);
"#,
];

const READERS: usize = 4;

/// The SQLite store.
pub struct Store {
    path: PathBuf,
    writer: Mutex<Connection>,
    readers: Vec<Mutex<Connection>>,
    next_reader: AtomicUsize,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("path", &self.path).finish()
    }
}

fn configure(conn: &Connection) -> rusqlite::Result<()> {
    conn.busy_timeout(std::time::Duration::from_secs(10))?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    Ok(())
}

impl Store {
    /// Opens (creating if needed) the database at `path` and migrates it.
    pub fn open(path: &Path) -> Result<Self, IssuerError> {
        let writer = Connection::open(path)?;
        configure(&writer)?;
        migrate(&writer)?;
        restrict_permissions(path);
        let mut readers = Vec::with_capacity(READERS);
        for _ in 0..READERS {
            let c = Connection::open_with_flags(
                path,
                OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
            )?;
            c.busy_timeout(std::time::Duration::from_secs(10))?;
            readers.push(Mutex::new(c));
        }
        Ok(Self {
            path: path.to_path_buf(),
            writer: Mutex::new(writer),
            readers,
            next_reader: AtomicUsize::new(0),
        })
    }

    /// The database file path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Runs `f` on a reader connection (a consistent snapshot).
    pub fn read<T>(&self, f: impl FnOnce(&Connection) -> ApiResult<T>) -> ApiResult<T> {
        for r in &self.readers {
            if let Ok(conn) = r.try_lock() {
                return f(&conn);
            }
        }
        let i = self.next_reader.fetch_add(1, Ordering::Relaxed) % self.readers.len();
        let conn = self.readers[i]
            .lock()
            .map_err(|_| ApiError::internal("reader lock poisoned"))?;
        f(&conn)
    }

    /// Runs `f` in an immediate write transaction, committing (durably) when
    /// it returns `Ok` and rolling back otherwise.
    pub fn write<T>(&self, f: impl FnOnce(&Transaction<'_>) -> ApiResult<T>) -> ApiResult<T> {
        let mut conn = self
            .writer
            .lock()
            .map_err(|_| ApiError::internal("writer lock poisoned"))?;
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let out = f(&tx)?;
        tx.commit()?;
        Ok(out)
    }

    /// Like [`Store::write`], but also commits when `f` returns an API error,
    /// so bookkeeping done before the failure (such as counting a wrong
    /// verification code) is kept. Storage errors still roll back.
    pub fn write_keeping_failures<T>(
        &self,
        f: impl FnOnce(&Transaction<'_>) -> ApiResult<T>,
    ) -> ApiResult<T> {
        let mut conn = self
            .writer
            .lock()
            .map_err(|_| ApiError::internal("writer lock poisoned"))?;
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let out = f(&tx);
        match &out {
            Err(e) if e.status >= 500 => tx.rollback()?,
            _ => tx.commit()?,
        }
        out
    }
}

fn migrate(conn: &Connection) -> Result<(), IssuerError> {
    let version: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    for (i, sql) in MIGRATIONS.iter().enumerate() {
        let target = i as i64 + 1;
        if version < target {
            conn.execute_batch(&format!(
                "BEGIN IMMEDIATE; {sql}; PRAGMA user_version = {target}; COMMIT;"
            ))?;
        }
    }
    Ok(())
}

#[cfg(unix)]
fn restrict_permissions(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    // The database holds private signing keys: owner-only.
    let _ = std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600));
}

#[cfg(not(unix))]
fn restrict_permissions(_path: &Path) {}

/// Converts an optional row lookup (`QueryReturnedNoRows` → `None`).
pub(crate) fn optional<T>(r: rusqlite::Result<T>) -> rusqlite::Result<Option<T>> {
    match r {
        Ok(v) => Ok(Some(v)),
        Err(rusqlite::Error::QueryReturnedNoRows) => Ok(None),
        Err(e) => Err(e),
    }
}

/// Decodes a JSON document column.
pub(crate) fn decode<T: serde::de::DeserializeOwned>(doc: &str) -> ApiResult<T> {
    serde_json::from_str(doc).map_err(|e| {
        tracing::error!(error = %e, "corrupt stored document");
        ApiError::internal("corrupt stored document")
    })
}
