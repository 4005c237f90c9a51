//! Seed users (configuration files): a user is created, or brought to the
//! configured attributes, enabled flag, password and groups. Idempotent:
//! an unchanged user is not rewritten and an unchanged password is not
//! re-hashed.

use std::collections::BTreeMap;

use crate::directory::attributes::{
    AttributeIn, STANDARD_ATTRIBUTES, apply_attributes, ensure_alias_unique, looks_like_email,
    looks_like_phone, validate_attributes,
};
use crate::directory::credentials::{ensure_password, remember_password};
use crate::directory::lookup::find_user;
use crate::directory::password;
use crate::error::{Error, Result};
use crate::ids;
use crate::issuer::Issuer;
use crate::model::{Pool, User, UserStatus};
use crate::store::Conn as Connection;
use crate::store::{groups as group_rows, users as user_rows};

/// A seed user, typed.
#[derive(Debug, Clone, Default)]
pub(crate) struct UserSeed {
    /// Username (an email/phone in pools with username attributes).
    pub username: String,
    /// Permanent password (status `CONFIRMED`).
    pub password: Option<String>,
    /// Temporary password (status `FORCE_CHANGE_PASSWORD`), used when
    /// `password` is absent.
    pub temporary_password: Option<String>,
    /// Attributes; names that are neither standard nor `custom:*` get the
    /// `custom:` prefix.
    pub attributes: BTreeMap<String, String>,
    /// Names of groups (declared in the pool) the user belongs to.
    pub groups: Vec<String>,
    /// Whether the account is enabled.
    pub enabled: bool,
}

/// Creates or updates one seed user of `pool`.
pub(crate) fn seed_user(issuer: &Issuer, pool: &Pool, seed: &UserSeed) -> Result<()> {
    let attrs: Vec<AttributeIn> = seed
        .attributes
        .iter()
        .map(|(k, v)| AttributeIn {
            name: if STANDARD_ATTRIBUTES.contains(&k.as_str()) || k.starts_with("custom:") {
                k.clone()
            } else {
                format!("custom:{k}")
            },
            value: Some(v.clone()),
        })
        .collect();
    validate_attributes(pool, &attrs, true)?;
    let existing = issuer.read(|c| find_user(c, pool, &seed.username))?;
    let (pw, status) = match (&seed.password, &seed.temporary_password) {
        (Some(p), _) => (Some(p.as_str()), UserStatus::Confirmed),
        (None, Some(t)) => (Some(t.as_str()), UserStatus::ForceChangePassword),
        (None, None) => (None, UserStatus::Confirmed),
    };
    let user = match existing {
        Some(mut user) => {
            let mut changed = false;
            for a in &attrs {
                if user.attr(&a.name) != a.value.as_deref() {
                    user.attributes
                        .insert(a.name.clone(), a.value.clone().unwrap_or_default());
                    changed = true;
                }
            }
            if user.enabled != seed.enabled {
                user.enabled = seed.enabled;
                changed = true;
            }
            if let Some(p) = pw
                && !user
                    .password_hash
                    .as_deref()
                    .is_some_and(|h| password::verify(p, h))
            {
                user.password_hash = Some(password::hash(p)?);
                user.password_set_at = ids::now();
                user.status = status;
                changed = true;
            }
            if changed {
                user.modified_at = ids::now_f64();
                issuer.write(|tx| Ok(user_rows::update_user(tx, &user)?))?;
            }
            if let Some(p) = pw {
                issuer.write(|tx| ensure_password(tx, &user, p))?;
            }
            user
        }
        None => {
            let mut user = new_user(pool, &seed.username, &attrs, status)?;
            user.enabled = seed.enabled;
            if let Some(p) = pw {
                user.password_hash = Some(password::hash(p)?);
            }
            issuer.write(|tx| {
                insert_new_user(tx, pool, &user)?;
                match pw {
                    Some(p) => remember_password(tx, &user, p),
                    None => Ok(()),
                }
            })?;
            user
        }
    };
    for g in &seed.groups {
        issuer.write(|tx| {
            group_rows::get_group(tx, &pool.id, g)?.ok_or_else(|| {
                Error::resource_not_found(format!("group {g} is not declared in this pool"))
            })?;
            Ok(group_rows::add_member(tx, &pool.id, g, &user.sub)?)
        })?;
    }
    Ok(())
}

// The two functions below are the rules of `api::admin_users::{new_user,
// insert_new_user}` (AdminCreateUser), which is being moved into the
// directory separately; once it is, seeding should call that module and
// these copies go.

/// Builds a new user record. In pools whose `UsernameAttributes` include
/// email/phone, `username` must be such a value: it becomes that attribute
/// and the stored username is the user's `sub` (as in Cognito).
fn new_user(
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

/// Inserts a new user, enforcing username and alias uniqueness.
fn insert_new_user(conn: &Connection, pool: &Pool, user: &User) -> Result<()> {
    for attr in &pool.username_attributes {
        if let Some(v) = user.attr(attr)
            && !user_rows::find_users_by_attribute(conn, pool, attr, v, false)?.is_empty()
        {
            return Err(Error::username_exists(format!(
                "An account with the given {attr} already exists."
            )));
        }
    }
    ensure_alias_unique(conn, pool, user, false)?;
    if !user_rows::insert_user(conn, pool, user)? {
        return Err(Error::username_exists("User account already exists"));
    }
    Ok(())
}
