//! Users' devices and the device each device-tracked sign-in is bound to.

use num_bigint::BigUint;
use rusqlite::{Connection, params};

use super::{Result, StoreError, optional};
use crate::model::{Device, RememberedStatus};

const COLUMNS: &str = "device_key, pool_id, sub, group_key, name, salt, verifier, status, \
                       created_at, modified_at, last_auth_at";

fn hex(n: &BigUint) -> String {
    format!("{n:x}")
}

fn from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<RawDevice> {
    Ok(RawDevice {
        key: r.get(0)?,
        pool_id: r.get(1)?,
        sub: r.get(2)?,
        group_key: r.get(3)?,
        name: r.get(4)?,
        salt: r.get(5)?,
        verifier: r.get(6)?,
        status: r.get(7)?,
        created_at: r.get(8)?,
        modified_at: r.get(9)?,
        last_authenticated_at: r.get(10)?,
    })
}

/// A row as stored (hex numbers, status text).
struct RawDevice {
    key: String,
    pool_id: String,
    sub: String,
    group_key: String,
    name: Option<String>,
    salt: Option<String>,
    verifier: Option<String>,
    status: Option<String>,
    created_at: f64,
    modified_at: f64,
    last_authenticated_at: Option<f64>,
}

impl RawDevice {
    fn into_device(self) -> Result<Device> {
        let corrupt = || StoreError::Corrupt(format!("device {}", self.key));
        let number = |s: &str| BigUint::parse_bytes(s.as_bytes(), 16).ok_or_else(corrupt);
        let verifier = match (&self.salt, &self.verifier) {
            (Some(s), Some(v)) => Some((number(s)?, number(v)?)),
            _ => None,
        };
        let status = match self.status.as_deref() {
            None => None,
            Some(s) => Some(RememberedStatus::parse(s).ok_or_else(corrupt)?),
        };
        Ok(Device {
            key: self.key,
            pool_id: self.pool_id,
            sub: self.sub,
            group_key: self.group_key,
            name: self.name,
            verifier,
            status,
            created_at: self.created_at,
            modified_at: self.modified_at,
            last_authenticated_at: self.last_authenticated_at,
        })
    }
}

/// Stores a new device or replaces one (by key).
pub(crate) fn put_device(conn: &Connection, d: &Device) -> Result<()> {
    conn.execute(
        &format!(
            "INSERT OR REPLACE INTO devices({COLUMNS})
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)"
        ),
        params![
            d.key,
            d.pool_id,
            d.sub,
            d.group_key,
            d.name,
            d.verifier.as_ref().map(|(s, _)| hex(s)),
            d.verifier.as_ref().map(|(_, v)| hex(v)),
            d.status.map(RememberedStatus::as_str),
            d.created_at,
            d.modified_at,
            d.last_authenticated_at,
        ],
    )?;
    Ok(())
}

/// A device of a user of a pool, by key.
pub(crate) fn get_device(
    conn: &Connection,
    pool_id: &str,
    sub: &str,
    key: &str,
) -> Result<Option<Device>> {
    optional(conn.query_row(
        &format!(
            "SELECT {COLUMNS} FROM devices WHERE device_key = ?1 AND pool_id = ?2 AND sub = ?3"
        ),
        params![key, pool_id, sub],
        from_row,
    ))?
    .map(RawDevice::into_device)
    .transpose()
}

/// A user's devices, oldest first (confirmed ones only when
/// `confirmed_only`).
pub(crate) fn list_devices(
    conn: &Connection,
    pool_id: &str,
    sub: &str,
    confirmed_only: bool,
) -> Result<Vec<Device>> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {COLUMNS} FROM devices WHERE pool_id = ?1 AND sub = ?2
         AND (?3 = 0 OR verifier IS NOT NULL) ORDER BY created_at, device_key"
    ))?;
    let rows = stmt.query_map(params![pool_id, sub, confirmed_only], from_row)?;
    rows.map(|r| r?.into_device()).collect()
}

/// Deletes a user's unconfirmed devices beyond the newest `keep`.
pub(crate) fn prune_unconfirmed(
    conn: &Connection,
    pool_id: &str,
    sub: &str,
    keep: i64,
) -> Result<()> {
    conn.execute(
        "DELETE FROM devices WHERE pool_id = ?1 AND sub = ?2 AND verifier IS NULL
         AND device_key NOT IN (SELECT device_key FROM devices
                                WHERE pool_id = ?1 AND sub = ?2 AND verifier IS NULL
                                ORDER BY created_at DESC, device_key LIMIT ?3)",
        params![pool_id, sub, keep],
    )?;
    Ok(())
}

/// Forgets a device; whether it existed. (Its sign-in bindings stay, so
/// their refresh tokens keep naming a device that no longer exists.)
pub(crate) fn delete_device(
    conn: &Connection,
    pool_id: &str,
    sub: &str,
    key: &str,
) -> Result<bool> {
    let n = conn.execute(
        "DELETE FROM devices WHERE device_key = ?1 AND pool_id = ?2 AND sub = ?3",
        params![key, pool_id, sub],
    )?;
    Ok(n > 0)
}

/// Binds a sign-in (its `origin_jti`) to a device.
pub(crate) fn bind_sign_in(
    conn: &Connection,
    origin_jti: &str,
    pool_id: &str,
    sub: &str,
    key: &str,
) -> Result<()> {
    conn.execute(
        "INSERT OR REPLACE INTO device_sign_ins(origin_jti, pool_id, sub, device_key)
         VALUES (?1, ?2, ?3, ?4)",
        params![origin_jti, pool_id, sub, key],
    )?;
    Ok(())
}

/// The device a sign-in is bound to, if any.
pub(crate) fn bound_device(conn: &Connection, origin_jti: &str) -> Result<Option<String>> {
    Ok(optional(conn.query_row(
        "SELECT device_key FROM device_sign_ins WHERE origin_jti = ?1",
        [origin_jti],
        |r| r.get(0),
    ))?)
}
