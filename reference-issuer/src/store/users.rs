//! Users (attributes as a JSON column, looked up by username key, sub or attribute).

use std::collections::BTreeMap;

use rusqlite::{Connection, Row, params};

use super::{Result, StoreError, optional};
use crate::model::{Pool, User, UserStatus};

pub(super) const USER_COLUMNS: &str = "pool_id, sub, username, status, enabled, password_hash, \
                            password_set_at, attributes, created_at, modified_at";

pub(super) fn user_from_row(r: &Row<'_>) -> rusqlite::Result<(User, String)> {
    let status: String = r.get(3)?;
    let attrs: String = r.get(7)?;
    Ok((
        User {
            pool_id: r.get(0)?,
            sub: r.get(1)?,
            username: r.get(2)?,
            status: UserStatus::parse(&status).unwrap_or(UserStatus::Unconfirmed),
            enabled: r.get::<_, i64>(4)? != 0,
            password_hash: r.get(5)?,
            password_set_at: r.get(6)?,
            attributes: BTreeMap::new(),
            created_at: r.get(8)?,
            modified_at: r.get(9)?,
        },
        attrs,
    ))
}

pub(super) fn finish(pair: (User, String)) -> Result<User> {
    let (mut user, attrs) = pair;
    user.attributes =
        serde_json::from_str(&attrs).map_err(|_| StoreError::Corrupt("user attributes".into()))?;
    Ok(user)
}

/// Inserts a new user; `false` (and nothing stored) if the username is taken.
pub(crate) fn insert_user(conn: &Connection, pool: &Pool, user: &User) -> Result<bool> {
    let attrs = super::encode(&user.attributes)?;
    let res = conn.execute(
        "INSERT INTO users(pool_id, sub, username, username_key, status, enabled, password_hash,
                           password_set_at, attributes, created_at, modified_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
        params![
            user.pool_id,
            user.sub,
            user.username,
            pool.username_key(&user.username),
            user.status.as_str(),
            user.enabled as i64,
            user.password_hash,
            user.password_set_at,
            attrs,
            user.created_at,
            user.modified_at
        ],
    );
    match res {
        Ok(_) => Ok(true),
        Err(rusqlite::Error::SqliteFailure(e, _))
            if e.code == rusqlite::ErrorCode::ConstraintViolation =>
        {
            Ok(false)
        }
        Err(e) => Err(e.into()),
    }
}

/// Writes back every mutable field of a user.
pub(crate) fn update_user(conn: &Connection, user: &User) -> Result<()> {
    let attrs = super::encode(&user.attributes)?;
    conn.execute(
        "UPDATE users SET status = ?3, enabled = ?4, password_hash = ?5, password_set_at = ?6,
                          attributes = ?7, modified_at = ?8
         WHERE pool_id = ?1 AND sub = ?2",
        params![
            user.pool_id,
            user.sub,
            user.status.as_str(),
            user.enabled as i64,
            user.password_hash,
            user.password_set_at,
            attrs,
            user.modified_at
        ],
    )?;
    Ok(())
}

/// Finds a user by username (honouring the pool's case sensitivity).
pub(crate) fn get_user_by_username(
    conn: &Connection,
    pool: &Pool,
    username: &str,
) -> Result<Option<User>> {
    let row = optional(conn.query_row(
        &format!("SELECT {USER_COLUMNS} FROM users WHERE pool_id = ?1 AND username_key = ?2"),
        params![pool.id, pool.username_key(username)],
        user_from_row,
    ))?;
    row.map(finish).transpose()
}

/// Finds a user by `sub`.
pub(crate) fn get_user_by_sub(conn: &Connection, pool_id: &str, sub: &str) -> Result<Option<User>> {
    let row = optional(conn.query_row(
        &format!("SELECT {USER_COLUMNS} FROM users WHERE pool_id = ?1 AND sub = ?2"),
        params![pool_id, sub],
        user_from_row,
    ))?;
    row.map(finish).transpose()
}

/// Users whose attribute `name` equals `value` (case-insensitively for
/// case-insensitive pools), optionally only where `<name>_verified` is true.
pub(crate) fn find_users_by_attribute(
    conn: &Connection,
    pool: &Pool,
    name: &str,
    value: &str,
    verified_only: bool,
) -> Result<Vec<User>> {
    let path = format!("$.\"{}\"", name.replace('"', ""));
    let vpath = format!("$.\"{}_verified\"", name.replace('"', ""));
    let cmp = if pool.case_insensitive() {
        "lower(json_extract(attributes, ?2)) = lower(?3)"
    } else {
        "json_extract(attributes, ?2) = ?3"
    };
    let verified = if verified_only {
        " AND json_extract(attributes, ?4) = 'true'"
    } else {
        " AND ?4 IS NOT NULL"
    };
    let mut stmt = conn.prepare(&format!(
        "SELECT {USER_COLUMNS} FROM users WHERE pool_id = ?1 AND {cmp}{verified} ORDER BY created_at"
    ))?;
    let rows = stmt.query_map(params![pool.id, path, value, vpath], user_from_row)?;
    let mut out = Vec::new();
    for row in rows {
        out.push(finish(row?)?);
    }
    Ok(out)
}

/// All users of a pool in creation order.
pub(crate) fn list_users(conn: &Connection, pool_id: &str) -> Result<Vec<User>> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {USER_COLUMNS} FROM users WHERE pool_id = ?1 ORDER BY created_at, rowid"
    ))?;
    let rows = stmt.query_map([pool_id], user_from_row)?;
    let mut out = Vec::new();
    for row in rows {
        out.push(finish(row?)?);
    }
    Ok(out)
}

/// Deletes a user and everything tied to them (except the outbox history).
pub(crate) fn delete_user(conn: &Connection, pool_id: &str, sub: &str) -> Result<()> {
    for table in [
        "group_members",
        "refresh_tokens",
        "codes",
        "code_budgets",
        "signin_failures",
        "auth_sessions",
        "srp_verifiers",
        "user_mfa",
        "devices",
        "device_sign_ins",
        "users",
    ] {
        conn.execute(
            &format!("DELETE FROM {table} WHERE pool_id = ?1 AND sub = ?2"),
            params![pool_id, sub],
        )?;
    }
    Ok(())
}
