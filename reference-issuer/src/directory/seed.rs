//! Seed users (configuration files): a user is created, or brought to the
//! configured attributes, enabled flag, password and groups. Idempotent:
//! an unchanged user is not rewritten and an unchanged password is not
//! re-hashed.

use std::collections::BTreeMap;

use crate::directory::accounts::{insert_new_user, new_user};
use crate::directory::attributes::{AttributeIn, STANDARD_ATTRIBUTES, validate_attributes};
use crate::directory::credentials::{ensure_password, remember_password};
use crate::directory::lookup::find_user;
use crate::directory::password;
use crate::error::{Error, Result};
use crate::ids;
use crate::issuer::Issuer;
use crate::model::{Pool, UserStatus};
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
                insert_new_user(tx, pool, &user, false, "User account already exists")?;
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
