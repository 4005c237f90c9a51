//! New user records: building one (username rules, username attributes,
//! required attributes) and inserting it with username and alias
//! uniqueness. Shared by SignUp, AdminCreateUser and configuration seeding.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use regex::Regex;

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
    check_username(pool, username)?;
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

/// Cognito's pattern for `Username` in SignUp and AdminCreateUser (the API
/// reference): letters, marks, symbols, numbers and punctuation only, so
/// no separators, control or invisible format characters (U+200B, U+2060,
/// U+202E, ...).
pub(crate) const USERNAME_PATTERN: &str = r"[\p{L}\p{M}\p{S}\p{N}\p{P}]+";

static USERNAME_RE: LazyLock<Regex> = LazyLock::new(|| {
    // A constant pattern: it compiles (checked by the tests).
    Regex::new(&format!("^(?:{USERNAME_PATTERN})$")).expect("a constant pattern")
});

/// The alias attribute whose format `name` has in `pool` (`email` or
/// `phone_number`), if the pool signs in by that alias: such a value can
/// never be a username there, or anyone could squat on a victim's address.
pub(crate) fn alias_format(pool: &Pool, name: &str) -> Option<&'static str> {
    let has = |a: &str| pool.alias_attributes.iter().any(|x| x == a);
    if has("email") && looks_like_email(name) {
        Some("email")
    } else if has("phone_number") && looks_like_phone(name) {
        Some("phone_number")
    } else {
        None
    }
}

/// Checks a username for a new user: Cognito's length and pattern, and not
/// in the format of one of the pool's alias attributes.
pub(crate) fn check_username(pool: &Pool, username: &str) -> Result<()> {
    if username.chars().count() > 128 {
        return Err(Error::invalid_parameter(
            "1 validation error detected: Value at 'username' failed to satisfy constraint: \
             Member must have length less than or equal to 128",
        ));
    }
    if !USERNAME_RE.is_match(username) {
        return Err(Error::invalid_parameter(format!(
            "1 validation error detected: Value at 'username' failed to satisfy constraint: \
             Member must satisfy regular expression pattern: {USERNAME_PATTERN}"
        )));
    }
    match alias_format(pool, username) {
        Some("email") => Err(Error::invalid_parameter(
            "Username cannot be of email format, since user pool is configured for email alias.",
        )),
        // AWS's wording for the phone alias is not documented; this mirrors
        // the email one.
        Some(_) => Err(Error::invalid_parameter(
            "Username cannot be of phone number format, since user pool is configured for \
             phone number alias.",
        )),
        None => Ok(()),
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn pool(aliases: &[&str]) -> Pool {
        serde_json::from_value(serde_json::json!({
            "Id": "us-east-1_Test00001", "Name": "t", "Arn": "arn",
            "CreationDate": 0.0, "LastModifiedDate": 0.0,
            "AliasAttributes": aliases,
        }))
        .expect("a pool document")
    }

    #[test]
    fn usernames_follow_the_aws_pattern_and_never_an_alias_format() {
        let plain = pool(&[]);
        for ok in [
            "alice",
            "zoë",
            "名前",
            "a\u{0301}",
            "x$y+z",
            "alice@example.com",
        ] {
            assert!(check_username(&plain, ok).is_ok(), "{ok:?}");
        }
        for bad in [
            "ali\u{200B}ce",
            "\u{2060}",
            "\u{202E}x",
            "a b",
            "a\u{3000}b",
            "a\tb",
        ] {
            let e = check_username(&plain, bad).unwrap_err();
            assert!(
                e.message.ends_with(USERNAME_PATTERN),
                "{bad:?}: {}",
                e.message
            );
        }
        let long = "a".repeat(129);
        assert!(check_username(&plain, &long).is_err());
        let email = pool(&["email"]);
        assert!(check_username(&email, "alice@example.com").is_err());
        assert!(check_username(&email, "+15555550100").is_ok());
        let phone = pool(&["phone_number"]);
        assert!(check_username(&phone, "+15555550100").is_err());
        assert!(check_username(&phone, "alice@example.com").is_ok());
    }
}
