//! User attributes: the standard set, validation of writes, applying them
//! (resetting `*_verified` when a value changes) and alias uniqueness.

use serde::Deserialize;

use crate::error::{Error, Result};
use crate::ids;
use crate::model::{Pool, User};
use crate::store::Conn as Connection;
use crate::store::users as user_rows;

/// One attribute write (`{"Name": ..., "Value": ...}` on the wire).
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct AttributeIn {
    /// Attribute name.
    pub name: String,
    /// Attribute value (absent means empty).
    #[serde(default)]
    pub value: Option<String>,
}

/// Cognito's standard attributes.
pub(crate) use crate::model::STANDARD_ATTRIBUTES;

/// Validates attribute names for a write. `admin` writers may set the
/// `*_verified` flags; nobody may set `sub`.
pub(crate) fn validate_attributes(pool: &Pool, attrs: &[AttributeIn], admin: bool) -> Result<()> {
    let custom = pool.custom_attribute_names();
    for a in attrs {
        let n = a.name.as_str();
        if n == "sub" {
            return Err(Error::invalid_parameter(
                "Cannot modify an immutable attribute: sub",
            ));
        }
        if !admin
            && matches!(n, "email_verified" | "phone_number_verified")
            && !pool_allows_self_verify()
        {
            return Err(Error::not_authorized(format!(
                "A client attempted to write unauthorized attribute {n}"
            )));
        }
        let known = STANDARD_ATTRIBUTES.contains(&n) || custom.iter().any(|c| c == n);
        if !known {
            return Err(Error::invalid_parameter(format!(
                "Attribute does not exist in the schema.: {n}"
            )));
        }
        let v = a.value.as_deref().unwrap_or("");
        if v.chars().count() > 2048 {
            return Err(Error::invalid_parameter(format!(
                "Attribute value for {n} must not exceed 2048 characters"
            )));
        }
        if n == "email" && !v.is_empty() && !looks_like_email(v) {
            return Err(Error::invalid_parameter("Invalid email address format."));
        }
        if n == "phone_number" && !v.is_empty() && !looks_like_phone(v) {
            return Err(Error::invalid_parameter("Invalid phone number format."));
        }
    }
    Ok(())
}

fn pool_allows_self_verify() -> bool {
    false
}

/// Validates a deletion of the `names` attributes (DeleteUserAttributes and
/// its Admin twin) as a write of empty values.
pub(crate) fn validate_deletion(pool: &Pool, names: &[String], admin: bool) -> Result<()> {
    let attrs: Vec<AttributeIn> = names
        .iter()
        .map(|n| AttributeIn {
            name: n.clone(),
            value: None,
        })
        .collect();
    validate_attributes(pool, &attrs, admin)
}

/// Removes the `names` attributes from `user`.
pub(crate) fn remove(user: &mut User, names: &[String]) {
    for n in names {
        user.attributes.remove(n);
    }
    user.modified_at = ids::now_f64();
}

/// A loose email check (one `@`, a dot in the domain).
pub(crate) fn looks_like_email(v: &str) -> bool {
    match v.split_once('@') {
        Some((l, d)) => !l.is_empty() && d.contains('.') && !d.contains('@') && !v.contains(' '),
        None => false,
    }
}

/// An E.164 check (`+` followed by 5–15 digits).
pub(crate) fn looks_like_phone(v: &str) -> bool {
    v.strip_prefix('+')
        .is_some_and(|d| (5..=15).contains(&d.len()) && d.chars().all(|c| c.is_ascii_digit()))
}

/// Applies attribute writes to `user`. Changing `email` or `phone_number`
/// resets its `_verified` flag unless the same write sets the flag. Returns
/// the verifiable attributes whose value changed.
pub(crate) fn apply_attributes(user: &mut User, attrs: &[AttributeIn]) -> Vec<String> {
    let mut changed = Vec::new();
    for a in attrs {
        let v = a.value.clone().unwrap_or_default();
        let old = user.attributes.get(&a.name).cloned();
        if v.is_empty() && !a.name.ends_with("_verified") {
            user.attributes.remove(&a.name);
        } else {
            user.attributes.insert(a.name.clone(), v.clone());
        }
        if matches!(a.name.as_str(), "email" | "phone_number") && old.as_deref() != Some(v.as_str())
        {
            let flag = format!("{}_verified", a.name);
            if !attrs.iter().any(|x| x.name == flag) {
                if v.is_empty() {
                    user.attributes.remove(&flag);
                } else {
                    user.attributes.insert(flag, "false".into());
                }
            }
            if !v.is_empty() {
                changed.push(a.name.clone());
            }
        }
    }
    user.modified_at = ids::now_f64();
    changed
}

/// Enforces that a verified sign-in attribute value belongs to one user only.
/// With `force`, the other user's claim is removed (Cognito's
/// `ForceAliasCreation`); otherwise `AliasExistsException`.
pub(crate) fn ensure_alias_unique(
    conn: &Connection,
    pool: &Pool,
    user: &User,
    force: bool,
) -> Result<()> {
    for attr in pool.sign_in_attributes() {
        if !user.is_verified(&attr) && !pool.username_attributes.contains(&attr) {
            continue;
        }
        let Some(value) = user.attr(&attr) else {
            continue;
        };
        let verified_only = !pool.username_attributes.contains(&attr);
        for mut other in
            user_rows::find_users_by_attribute(conn, pool, &attr, value, verified_only)?
        {
            if other.sub == user.sub {
                continue;
            }
            if force && verified_only {
                other
                    .attributes
                    .insert(format!("{attr}_verified"), "false".into());
                other.modified_at = ids::now_f64();
                user_rows::update_user(conn, &other)?;
            } else {
                return Err(Error::alias_exists(format!(
                    "An account with the given {attr} already exists."
                )));
            }
        }
    }
    Ok(())
}
