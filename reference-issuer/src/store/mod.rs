//! Durable storage in one SQLite file: WAL journal, `synchronous=FULL` so an
//! acknowledged write survives `kill -9` and power loss, numbered schema
//! migrations (`migrations/NNNN_*.sql`, tracked by `PRAGMA user_version`).
//!
//! One writer connection (serializing writes, each in an immediate
//! transaction) and a small pool of reader connections. One file per
//! aggregate; every function takes the connection or transaction it runs
//! on, so callers compose them into one transaction. This module knows
//! SQLite and the records of [`crate::model`], nothing above them; its
//! errors are [`StoreError`].

pub(crate) mod authorization_codes;
pub(crate) mod clients;
pub(crate) mod codes;
pub(crate) mod devices;
pub(crate) mod domains;
pub(crate) mod groups;
pub(crate) mod hosted_sessions;
pub(crate) mod keys;
pub(crate) mod lockouts;
pub(crate) mod meta;
pub(crate) mod mfa;
pub(crate) mod outbox;
pub(crate) mod pools;
pub(crate) mod refresh;
pub(crate) mod resource_servers;
pub(crate) mod sessions;
pub(crate) mod srp;
pub(crate) mod ui_customizations;
pub(crate) mod users;

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use rusqlite::{OpenFlags, Transaction, TransactionBehavior};

/// A connection (reader) or, through deref, a write transaction: what every
/// row function takes.
pub(crate) type Conn = rusqlite::Connection;

/// Schema migrations, applied in order; index + 1 is the `user_version`.
const MIGRATIONS: &[&str] = &[
    include_str!("migrations/0001_initial.sql"),
    include_str!("migrations/0002_srp_mfa_revocations.sql"),
    include_str!("migrations/0003_attempt_budgets.sql"),
    include_str!("migrations/0004_refresh_rotation.sql"),
    include_str!("migrations/0005_devices.sql"),
    include_str!("migrations/0006_pool_domains.sql"),
    include_str!("migrations/0007_authorization_codes.sql"),
    include_str!("migrations/0008_hosted_sessions.sql"),
    include_str!("migrations/0009_ui_customizations.sql"),
];

const READERS: usize = 4;

/// A storage failure.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// SQLite failed.
    #[error("sqlite: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// A stored document could not be decoded (or a record encoded).
    #[error("corrupt stored data: {0}")]
    Corrupt(String),
    /// A file of the store could not be created or protected.
    #[error("data file: {0}")]
    Io(#[from] std::io::Error),
    /// A connection lock was poisoned by a panic.
    #[error("connection lock poisoned")]
    Poisoned,
}

/// Result alias of the row functions.
pub(crate) type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Errors a transaction body may return: storage errors convert into it,
/// and [`TxError::is_fault`] tells [`Store::write_keeping_failures`]
/// whether to roll back.
pub(crate) trait TxError: From<StoreError> {
    /// Whether the error is a fault (roll back) rather than a refusal
    /// (keep the bookkeeping done before it).
    fn is_fault(&self) -> bool;
}

impl TxError for StoreError {
    fn is_fault(&self) -> bool {
        true
    }
}

/// The SQLite store.
pub(crate) struct Store {
    path: PathBuf,
    writer: Mutex<Conn>,
    readers: Vec<Mutex<Conn>>,
    next_reader: AtomicUsize,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("path", &self.path).finish()
    }
}

fn configure(conn: &Conn) -> rusqlite::Result<()> {
    conn.busy_timeout(std::time::Duration::from_secs(10))?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    Ok(())
}

impl Store {
    /// Opens (creating if needed) the database at `path` and migrates it.
    pub(crate) fn open(path: &Path) -> Result<Self> {
        // Created owner-only before SQLite opens it: SQLite gives the -wal
        // and -shm files the database file's mode.
        create_private_file(path)?;
        let writer = Conn::open(path)?;
        configure(&writer)?;
        migrate(&writer)?;
        restrict_permissions(path)?;
        let mut readers = Vec::with_capacity(READERS);
        for _ in 0..READERS {
            let c = Conn::open_with_flags(
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

    /// Runs `f` on a reader connection (a consistent snapshot).
    pub(crate) fn read<T, E: From<StoreError>>(
        &self,
        f: impl FnOnce(&Conn) -> Result<T, E>,
    ) -> Result<T, E> {
        for r in &self.readers {
            if let Ok(conn) = r.try_lock() {
                return f(&conn);
            }
        }
        let i = self.next_reader.fetch_add(1, Ordering::Relaxed) % self.readers.len();
        let conn = self.readers[i].lock().map_err(|_| StoreError::Poisoned)?;
        f(&conn)
    }

    /// Runs `f` in an immediate write transaction, committing (durably) when
    /// it returns `Ok` and rolling back otherwise.
    pub(crate) fn write<T, E: From<StoreError>>(
        &self,
        f: impl FnOnce(&Transaction<'_>) -> Result<T, E>,
    ) -> Result<T, E> {
        let mut conn = self.writer.lock().map_err(|_| StoreError::Poisoned)?;
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(StoreError::from)?;
        let out = f(&tx)?;
        tx.commit().map_err(StoreError::from)?;
        Ok(out)
    }

    /// Like [`Store::write`], but also commits when `f` returns a refusal
    /// (an error that is not a fault), so bookkeeping done before it (such
    /// as counting a wrong verification code) is kept. Faults roll back.
    pub(crate) fn write_keeping_failures<T, E: TxError>(
        &self,
        f: impl FnOnce(&Transaction<'_>) -> Result<T, E>,
    ) -> Result<T, E> {
        let mut conn = self.writer.lock().map_err(|_| StoreError::Poisoned)?;
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(StoreError::from)?;
        let out = f(&tx);
        match &out {
            Err(e) if e.is_fault() => tx.rollback().map_err(StoreError::from)?,
            _ => tx.commit().map_err(StoreError::from)?,
        }
        out
    }
}

fn migrate(conn: &Conn) -> Result<()> {
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
/// The database's companion files, which hold the same data.
fn companions(path: &Path) -> [PathBuf; 2] {
    let with = |suffix: &str| {
        let mut p = path.as_os_str().to_owned();
        p.push(suffix);
        PathBuf::from(p)
    };
    [with("-wal"), with("-shm")]
}

/// Creates the database file with mode 0600 if it does not exist yet.
#[cfg(unix)]
fn create_private_file(path: &Path) -> Result<()> {
    use std::os::unix::fs::OpenOptionsExt;
    match std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
    {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(StoreError::Io(e)),
    }
}

#[cfg(not(unix))]
fn create_private_file(_path: &Path) -> Result<()> {
    Ok(())
}

/// Makes the database and its -wal / -shm files owner-only (they hold
/// private signing keys); also repairs files an older version left 0644.
#[cfg(unix)]
fn restrict_permissions(path: &Path) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let [wal, shm] = companions(path);
    for p in [path, &wal, &shm] {
        match std::fs::set_permissions(p, std::fs::Permissions::from_mode(0o600)) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(StoreError::Io(e)),
            _ => {}
        }
    }
    Ok(())
}

#[cfg(not(unix))]
fn restrict_permissions(_path: &Path) -> Result<()> {
    Ok(())
}

/// Creates the data directory (and any missing parents) with mode 0700.
/// A directory that already exists is left as it is: it may be shared
/// (such as `/tmp`), and our files in it are owner-only anyway.
pub(crate) fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(dir)
}

/// Converts an optional row lookup (`QueryReturnedNoRows` → `None`).
pub(crate) fn optional<T>(r: rusqlite::Result<T>) -> rusqlite::Result<Option<T>> {
    match r {
        Ok(v) => Ok(Some(v)),
        Err(rusqlite::Error::QueryReturnedNoRows) => Ok(None),
        Err(e) => Err(e),
    }
}

/// Decodes a JSON document column.
pub(crate) fn decode<T: serde::de::DeserializeOwned>(doc: &str) -> Result<T> {
    serde_json::from_str(doc).map_err(|e| StoreError::Corrupt(format!("stored document: {e}")))
}

/// Encodes a record as a JSON document column.
pub(crate) fn encode<T: serde::Serialize>(record: &T) -> Result<String> {
    serde_json::to_string(record).map_err(|e| StoreError::Corrupt(format!("encoding: {e}")))
}
