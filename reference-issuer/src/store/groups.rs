//! Groups and group membership.

use rusqlite::{Connection, Row, params};

use super::users::{finish, user_from_row};
use super::{Result, optional};
use crate::model::{Group, User};

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
pub(crate) fn put_group(conn: &Connection, g: &Group) -> Result<()> {
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
pub(crate) fn get_group(conn: &Connection, pool_id: &str, name: &str) -> Result<Option<Group>> {
    Ok(optional(conn.query_row(
        &format!("SELECT {GROUP_COLUMNS} FROM groups WHERE pool_id = ?1 AND name = ?2"),
        params![pool_id, name],
        group_from_row,
    ))?)
}

/// The groups of a pool, by name.
pub(crate) fn list_groups(conn: &Connection, pool_id: &str) -> Result<Vec<Group>> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {GROUP_COLUMNS} FROM groups WHERE pool_id = ?1 ORDER BY name"
    ))?;
    let rows = stmt.query_map([pool_id], group_from_row)?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

/// Deletes a group and its memberships.
pub(crate) fn delete_group(conn: &Connection, pool_id: &str, name: &str) -> Result<()> {
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
pub(crate) fn add_member(conn: &Connection, pool_id: &str, group: &str, sub: &str) -> Result<()> {
    conn.execute(
        "INSERT OR IGNORE INTO group_members(pool_id, group_name, sub) VALUES (?1, ?2, ?3)",
        params![pool_id, group, sub],
    )?;
    Ok(())
}

/// Removes a user from a group.
pub(crate) fn remove_member(
    conn: &Connection,
    pool_id: &str,
    group: &str,
    sub: &str,
) -> Result<()> {
    conn.execute(
        "DELETE FROM group_members WHERE pool_id = ?1 AND group_name = ?2 AND sub = ?3",
        params![pool_id, group, sub],
    )?;
    Ok(())
}

/// The groups a user belongs to, by precedence (unset last) then name.
pub(crate) fn groups_of_user(conn: &Connection, pool_id: &str, sub: &str) -> Result<Vec<Group>> {
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
pub(crate) fn users_in_group(conn: &Connection, pool_id: &str, group: &str) -> Result<Vec<User>> {
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
