//! Rows for users, groups and group membership.

use std::collections::BTreeMap;

use rusqlite::{Connection, Row, params};

use super::optional;
use crate::errors::{ApiError, ApiResult};
use crate::model::{Group, Pool, User, UserStatus};

const USER_COLUMNS: &str = "pool_id, sub, username, status, enabled, password_hash, \
                            password_set_at, attributes, created_at, modified_at";

fn user_from_row(r: &Row<'_>) -> rusqlite::Result<(User, String)> {
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

fn finish(pair: (User, String)) -> ApiResult<User> {
    let (mut user, attrs) = pair;
    user.attributes = serde_json::from_str(&attrs)
        .map_err(|_| ApiError::internal("corrupt stored user attributes"))?;
    Ok(user)
}

/// Inserts a new user; `UsernameExistsException` if the username is taken.
pub fn insert_user(conn: &Connection, pool: &Pool, user: &User) -> ApiResult<()> {
    let attrs =
        serde_json::to_string(&user.attributes).map_err(|e| ApiError::internal(e.to_string()))?;
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
        Ok(_) => Ok(()),
        Err(rusqlite::Error::SqliteFailure(e, _))
            if e.code == rusqlite::ErrorCode::ConstraintViolation =>
        {
            Err(ApiError::username_exists("User account already exists"))
        }
        Err(e) => Err(e.into()),
    }
}

/// Writes back every mutable field of a user.
pub fn update_user(conn: &Connection, user: &User) -> ApiResult<()> {
    let attrs =
        serde_json::to_string(&user.attributes).map_err(|e| ApiError::internal(e.to_string()))?;
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
pub fn get_user_by_username(
    conn: &Connection,
    pool: &Pool,
    username: &str,
) -> ApiResult<Option<User>> {
    let row = optional(conn.query_row(
        &format!("SELECT {USER_COLUMNS} FROM users WHERE pool_id = ?1 AND username_key = ?2"),
        params![pool.id, pool.username_key(username)],
        user_from_row,
    ))?;
    row.map(finish).transpose()
}

/// Finds a user by `sub`.
pub fn get_user_by_sub(conn: &Connection, pool_id: &str, sub: &str) -> ApiResult<Option<User>> {
    let row = optional(conn.query_row(
        &format!("SELECT {USER_COLUMNS} FROM users WHERE pool_id = ?1 AND sub = ?2"),
        params![pool_id, sub],
        user_from_row,
    ))?;
    row.map(finish).transpose()
}

/// Users whose attribute `name` equals `value` (case-insensitively for
/// case-insensitive pools), optionally only where `<name>_verified` is true.
pub fn find_users_by_attribute(
    conn: &Connection,
    pool: &Pool,
    name: &str,
    value: &str,
    verified_only: bool,
) -> ApiResult<Vec<User>> {
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
pub fn list_users(conn: &Connection, pool_id: &str) -> ApiResult<Vec<User>> {
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
pub fn delete_user(conn: &Connection, pool_id: &str, sub: &str) -> ApiResult<()> {
    for table in [
        "group_members",
        "refresh_tokens",
        "codes",
        "auth_sessions",
        "srp_verifiers",
        "user_mfa",
        "users",
    ] {
        conn.execute(
            &format!("DELETE FROM {table} WHERE pool_id = ?1 AND sub = ?2"),
            params![pool_id, sub],
        )?;
    }
    Ok(())
}

fn group_from_row(r: &Row<'_>) -> rusqlite::Result<Group> {
    Ok(Group {
        pool_id: r.get(0)?,
        name: r.get(1)?,
        description: r.get(2)?,
        role_arn: r.get(3)?,
        precedence: r.get(4)?,
        created_at: r.get(5)?,
        modified_at: r.get(6)?,
    })
}

const GROUP_COLUMNS: &str =
    "pool_id, name, description, role_arn, precedence, created_at, modified_at";

/// Inserts or replaces a group.
pub fn put_group(conn: &Connection, g: &Group) -> ApiResult<()> {
    conn.execute(
        "INSERT INTO groups(pool_id, name, description, role_arn, precedence, created_at, modified_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
         ON CONFLICT(pool_id, name) DO UPDATE SET description = excluded.description,
            role_arn = excluded.role_arn, precedence = excluded.precedence,
            modified_at = excluded.modified_at",
        params![g.pool_id, g.name, g.description, g.role_arn, g.precedence, g.created_at, g.modified_at],
    )?;
    Ok(())
}

/// Loads a group.
pub fn get_group(conn: &Connection, pool_id: &str, name: &str) -> ApiResult<Option<Group>> {
    Ok(optional(conn.query_row(
        &format!("SELECT {GROUP_COLUMNS} FROM groups WHERE pool_id = ?1 AND name = ?2"),
        params![pool_id, name],
        group_from_row,
    ))?)
}

/// The groups of a pool, by name.
pub fn list_groups(conn: &Connection, pool_id: &str) -> ApiResult<Vec<Group>> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {GROUP_COLUMNS} FROM groups WHERE pool_id = ?1 ORDER BY name"
    ))?;
    let rows = stmt.query_map([pool_id], group_from_row)?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

/// Deletes a group and its memberships.
pub fn delete_group(conn: &Connection, pool_id: &str, name: &str) -> ApiResult<()> {
    conn.execute(
        "DELETE FROM group_members WHERE pool_id = ?1 AND group_name = ?2",
        params![pool_id, name],
    )?;
    conn.execute(
        "DELETE FROM groups WHERE pool_id = ?1 AND name = ?2",
        params![pool_id, name],
    )?;
    Ok(())
}

/// Adds a user to a group (idempotent).
pub fn add_member(conn: &Connection, pool_id: &str, group: &str, sub: &str) -> ApiResult<()> {
    conn.execute(
        "INSERT OR IGNORE INTO group_members(pool_id, group_name, sub) VALUES (?1, ?2, ?3)",
        params![pool_id, group, sub],
    )?;
    Ok(())
}

/// Removes a user from a group.
pub fn remove_member(conn: &Connection, pool_id: &str, group: &str, sub: &str) -> ApiResult<()> {
    conn.execute(
        "DELETE FROM group_members WHERE pool_id = ?1 AND group_name = ?2 AND sub = ?3",
        params![pool_id, group, sub],
    )?;
    Ok(())
}

/// The groups a user belongs to, by precedence (unset last) then name.
pub fn groups_of_user(conn: &Connection, pool_id: &str, sub: &str) -> ApiResult<Vec<Group>> {
    let mut stmt = conn.prepare(
        "SELECT g.pool_id, g.name, g.description, g.role_arn, g.precedence, g.created_at, g.modified_at
         FROM group_members m JOIN groups g ON g.pool_id = m.pool_id AND g.name = m.group_name
         WHERE m.pool_id = ?1 AND m.sub = ?2
         ORDER BY g.precedence IS NULL, g.precedence, g.name",
    )?;
    let rows = stmt.query_map(params![pool_id, sub], group_from_row)?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

/// The users in a group, in creation order.
pub fn users_in_group(conn: &Connection, pool_id: &str, group: &str) -> ApiResult<Vec<User>> {
    let mut stmt = conn.prepare(
        "SELECT u.pool_id, u.sub, u.username, u.status, u.enabled, u.password_hash,
                u.password_set_at, u.attributes, u.created_at, u.modified_at
         FROM group_members m JOIN users u ON u.pool_id = m.pool_id AND u.sub = m.sub
         WHERE m.pool_id = ?1 AND m.group_name = ?2 ORDER BY u.created_at, u.rowid",
    )?;
    let rows = stmt.query_map(params![pool_id, group], user_from_row)?;
    let mut out = Vec::new();
    for row in rows {
        out.push(finish(row?)?);
    }
    Ok(out)
}
