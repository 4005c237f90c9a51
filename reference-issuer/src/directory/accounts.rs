//! New user records: building one (username rules, username attributes,
//! required attributes) and inserting it with username and alias
//! uniqueness. Shared by SignUp, AdminCreateUser and configuration seeding.

use std::collections::BTreeMap;

use crate::directory::attributes::{
    AttributeIn, apply_attributes, ensure_alias_unique, looks_like_email, looks_like_phone,
};
use crate::error::{Error, Result};
use crate::ids;
use crate::model::{Pool, User, UserStatus};
use crate::store::Conn as Connection;
use crate::store::users as user_rows;

/// Builds a new user record. In pools whose `UsernameAttributes` include
/// email/phone, `username` must be such a value: it becomes that attribute
/// and the stored username is the user's `sub` (as in Cognito).
pub(crate) fn new_user(
    pool: &Pool,
    username: &str,
    attrs: &[AttributeIn],
    status: UserStatus,
) -> Result<User> {
    if username.is_empty()
        || username.chars().count() > 128
        || username
            .chars()
            .any(|c| c.is_whitespace() || c.is_control())
    {
        return Err(Error::invalid_parameter(
            "1 validation error detected: Value at 'username' failed to satisfy constraint: \
             Member must satisfy regular expression pattern: [\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}]+",
        ));
    }
    let sub = ids::uuid();
    let now = ids::now_f64();
    let mut user = User {
        pool_id: pool.id.clone(),
        sub: sub.clone(),
        username: username.to_string(),
        status,
        enabled: true,
        password_hash: None,
        password_set_at: ids::now(),
        attributes: BTreeMap::new(),
        created_at: now,
        modified_at: now,
    };
    apply_attributes(&mut user, attrs);
    if !pool.username_attributes.is_empty() {
        let as_email =
            pool.username_attributes.iter().any(|a| a == "email") && looks_like_email(username);
        let as_phone = pool.username_attributes.iter().any(|a| a == "phone_number")
            && looks_like_phone(username);
        let attr = if as_email {
            "email"
        } else if as_phone {
            "phone_number"
        } else {
            return Err(Error::invalid_parameter(
                "Username should be either an email or a phone number.",
            ));
        };
        if user.attr(attr).is_some_and(|v| v != username) {
            return Err(Error::invalid_parameter(format!(
                "The {attr} attribute must match the username"
            )));
        }
        user.attributes
            .insert(attr.to_string(), username.to_string());
        user.attributes
            .entry(format!("{attr}_verified"))
            .or_insert_with(|| "false".into());
        user.username = sub.clone();
    }
    user.attributes.insert("sub".into(), sub);
    for req in pool.required_attribute_names() {
        if user.attr(&req).is_none_or(str::is_empty) {
            return Err(Error::invalid_parameter(format!(
                "Attributes did not conform to the schema: {req}: The attribute is required"
            )));
        }
    }
    Ok(user)
}

/// Inserts a new user, enforcing username and alias uniqueness. A taken
/// username fails with `UsernameExistsException: <taken>` (SignUp and
/// AdminCreateUser word it differently).
pub(crate) fn insert_new_user(
    conn: &Connection,
    pool: &Pool,
    user: &User,
    force_alias: bool,
    taken: &'static str,
) -> Result<()> {
    for attr in &pool.username_attributes {
        if let Some(v) = user.attr(attr)
            && !user_rows::find_users_by_attribute(conn, pool, attr, v, false)?.is_empty()
        {
            return Err(Error::username_exists(format!(
                "An account with the given {attr} already exists."
            )));
        }
    }
    ensure_alias_unique(conn, pool, user, force_alias)?;
    if !user_rows::insert_user(conn, pool, user)? {
        return Err(Error::username_exists(taken));
    }
    Ok(())
}
