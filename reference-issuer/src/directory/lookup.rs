//! Finding users: by username or, where the pool allows it, by a sign-in
//! attribute.

use crate::error::{Error, Result};
use crate::model::{Pool, User};
use crate::store::Conn as Connection;
use crate::store::users as user_rows;

/// `UserNotFoundException: User does not exist.`
pub(crate) fn user_not_found() -> Error {
    Error::user_not_found("User does not exist.")
}

/// Resolves a user by username or, where the pool allows it, by a sign-in
/// attribute (username attributes match any value, aliases only verified
/// values).
pub(crate) fn find_user(conn: &Connection, pool: &Pool, name: &str) -> Result<Option<User>> {
    if let Some(u) = user_rows::get_user_by_username(conn, pool, name)? {
        return Ok(Some(u));
    }
    for attr in &pool.username_attributes {
        if let Some(u) = user_rows::find_users_by_attribute(conn, pool, attr, name, false)?
            .into_iter()
            .next()
        {
            return Ok(Some(u));
        }
    }
    for attr in &pool.alias_attributes {
        if let Some(u) = user_rows::find_users_by_attribute(conn, pool, attr, name, true)?
            .into_iter()
            .next()
        {
            return Ok(Some(u));
        }
    }
    Ok(None)
}

/// Like [`find_user`] but fails with `UserNotFoundException`.
pub(crate) fn require_user(conn: &Connection, pool: &Pool, name: &str) -> Result<User> {
    find_user(conn, pool, name)?.ok_or_else(user_not_found)
}
