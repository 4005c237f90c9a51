//! Helpers shared by the user operations: user lookup, attribute rules,
//! SECRET_HASH, one-time codes and alias uniqueness.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use rusqlite::Connection;
use sha2::Sha256;

use super::shapes::AttributeIn;
use crate::errors::{ApiError, ApiResult};
use crate::ids;
use crate::model::{AppClient, Pool, User};
use crate::outbox::{self, Destination, MessageKind};
use crate::store::auth as auth_rows;
use crate::store::users as user_rows;

/// Cognito's standard attributes.
pub const STANDARD_ATTRIBUTES: &[&str] = &[
    "address",
    "birthdate",
    "email",
    "email_verified",
    "family_name",
    "gender",
    "given_name",
    "locale",
    "middle_name",
    "name",
    "nickname",
    "phone_number",
    "phone_number_verified",
    "picture",
    "preferred_username",
    "profile",
    "sub",
    "updated_at",
    "website",
    "zoneinfo",
];

/// Lifetime of sign-up confirmation and attribute verification codes.
pub const CONFIRM_CODE_TTL: i64 = 24 * 3600;
/// Lifetime of forgot-password codes.
pub const FORGOT_CODE_TTL: i64 = 3600;
/// Wrong attempts allowed per code.
pub const CODE_ATTEMPTS: i64 = 5;

/// `UserNotFoundException: User does not exist.`
pub fn user_not_found() -> ApiError {
    ApiError::user_not_found("User does not exist.")
}

/// Resolves a user by username or, where the pool allows it, by a sign-in
/// attribute (username attributes match any value, aliases only verified
/// values).
pub fn find_user(conn: &Connection, pool: &Pool, name: &str) -> ApiResult<Option<User>> {
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
pub fn require_user(conn: &Connection, pool: &Pool, name: &str) -> ApiResult<User> {
    find_user(conn, pool, name)?.ok_or_else(user_not_found)
}

/// Checks the `SECRET_HASH` for clients with a secret: Base64(HMAC-SHA256(
/// secret, username + client_id)). Any of `usernames` may be the one hashed.
pub fn check_secret_hash(
    client: &AppClient,
    usernames: &[&str],
    provided: Option<&str>,
) -> ApiResult<()> {
    let Some(secret) = client.client_secret.as_deref() else {
        return Ok(());
    };
    let fail = || {
        ApiError::not_authorized(format!(
            "Unable to verify secret hash for client {}",
            client.client_id
        ))
    };
    let provided = provided.filter(|p| !p.is_empty()).ok_or_else(|| {
        ApiError::not_authorized(format!(
            "Client {} is configured with secret but SECRET_HASH was not received",
            client.client_id
        ))
    })?;
    let provided = STANDARD.decode(provided).map_err(|_| fail())?;
    for name in usernames {
        let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret.as_bytes()) else {
            return Err(fail());
        };
        mac.update(name.as_bytes());
        mac.update(client.client_id.as_bytes());
        if mac.verify_slice(&provided).is_ok() {
            return Ok(());
        }
    }
    Err(fail())
}

/// Computes a SECRET_HASH (used by tests and tools).
pub fn secret_hash(client_secret: &str, username: &str, client_id: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(client_secret.as_bytes())
        .unwrap_or_else(|_| unreachable_hmac());
    mac.update(username.as_bytes());
    mac.update(client_id.as_bytes());
    STANDARD.encode(mac.finalize().into_bytes())
}

#[cold]
fn unreachable_hmac() -> Hmac<Sha256> {
    // HMAC accepts keys of any length; this is never reached.
    Hmac::<Sha256>::new_from_slice(b"k").unwrap_or_else(|_| unreachable_hmac())
}

/// Validates attribute names for a write. `admin` writers may set the
/// `*_verified` flags; nobody may set `sub`.
pub fn validate_attributes(pool: &Pool, attrs: &[AttributeIn], admin: bool) -> ApiResult<()> {
    let custom = pool.custom_attribute_names();
    for a in attrs {
        let n = a.name.as_str();
        if n == "sub" {
            return Err(ApiError::invalid_parameter(
                "Cannot modify an immutable attribute: sub",
            ));
        }
        if !admin
            && matches!(n, "email_verified" | "phone_number_verified")
            && !pool_allows_self_verify()
        {
            return Err(ApiError::not_authorized(format!(
                "A client attempted to write unauthorized attribute {n}"
            )));
        }
        let known = STANDARD_ATTRIBUTES.contains(&n) || custom.iter().any(|c| c == n);
        if !known {
            return Err(ApiError::invalid_parameter(format!(
                "Attribute does not exist in the schema.: {n}"
            )));
        }
        let v = a.value.as_deref().unwrap_or("");
        if v.chars().count() > 2048 {
            return Err(ApiError::invalid_parameter(format!(
                "Attribute value for {n} must not exceed 2048 characters"
            )));
        }
        if n == "email" && !v.is_empty() && !looks_like_email(v) {
            return Err(ApiError::invalid_parameter("Invalid email address format."));
        }
        if n == "phone_number" && !v.is_empty() && !looks_like_phone(v) {
            return Err(ApiError::invalid_parameter("Invalid phone number format."));
        }
    }
    Ok(())
}

fn pool_allows_self_verify() -> bool {
    false
}

/// A loose email check (one `@`, a dot in the domain).
pub fn looks_like_email(v: &str) -> bool {
    match v.split_once('@') {
        Some((l, d)) => !l.is_empty() && d.contains('.') && !d.contains('@') && !v.contains(' '),
        None => false,
    }
}

/// An E.164 check (`+` followed by 5–15 digits).
pub fn looks_like_phone(v: &str) -> bool {
    v.strip_prefix('+')
        .is_some_and(|d| (5..=15).contains(&d.len()) && d.chars().all(|c| c.is_ascii_digit()))
}

/// Applies attribute writes to `user`. Changing `email` or `phone_number`
/// resets its `_verified` flag unless the same write sets the flag. Returns
/// the verifiable attributes whose value changed.
pub fn apply_attributes(user: &mut User, attrs: &[AttributeIn]) -> Vec<String> {
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
pub fn ensure_alias_unique(
    conn: &Connection,
    pool: &Pool,
    user: &User,
    force: bool,
) -> ApiResult<()> {
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
                return Err(ApiError::alias_exists(format!(
                    "An account with the given {attr} already exists."
                )));
            }
        }
    }
    Ok(())
}

/// What a one-time code is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodePurpose {
    /// Sign-up confirmation.
    SignUp,
    /// Password reset.
    ForgotPassword,
    /// Verifying `email` or `phone_number`.
    VerifyEmail,
    /// Verifying `phone_number`.
    VerifyPhone,
}

impl CodePurpose {
    fn key(self) -> &'static str {
        match self {
            Self::SignUp => "signup",
            Self::ForgotPassword => "forgot",
            Self::VerifyEmail => "verify:email",
            Self::VerifyPhone => "verify:phone_number",
        }
    }

    /// The verification purpose for an attribute.
    pub fn verify(attribute: &str) -> ApiResult<Self> {
        match attribute {
            "email" => Ok(Self::VerifyEmail),
            "phone_number" => Ok(Self::VerifyPhone),
            other => Err(ApiError::invalid_parameter(format!(
                "Attribute {other} cannot be verified"
            ))),
        }
    }

    fn ttl(self) -> i64 {
        match self {
            Self::ForgotPassword => FORGOT_CODE_TTL,
            _ => CONFIRM_CODE_TTL,
        }
    }
}

/// The preferred delivery destination for a user's codes: the first
/// auto-verified attribute present, else email, else phone.
pub fn delivery_destination(
    pool: &Pool,
    user: &User,
    require_verified: bool,
) -> Option<Destination> {
    let mut order: Vec<String> = pool.auto_verified_attributes.clone();
    order.extend(["email".to_string(), "phone_number".to_string()]);
    order
        .iter()
        .filter(|a| !require_verified || user.is_verified(a))
        .find_map(|a| Destination::for_attribute(user, a))
}

/// Creates a code, sends it through the outbox and returns the
/// `CodeDeliveryDetails`.
pub fn issue_code(
    conn: &Connection,
    user: &User,
    purpose: CodePurpose,
    kind: MessageKind,
    dest: &Destination,
) -> ApiResult<serde_json::Value> {
    let code = ids::numeric_code();
    auth_rows::put_code(
        conn,
        &user.pool_id,
        &user.sub,
        purpose.key(),
        &ids::sha256_hex(&code),
        ids::now() + purpose.ttl(),
    )?;
    let text = match kind {
        MessageKind::ForgotPassword => format!("Your password reset code is {code}"),
        MessageKind::VerifyAttribute => format!("Your verification code is {code}"),
        _ => format!("Your confirmation code is {code}"),
    };
    outbox::send(conn, user, kind, dest, Some(&code), text)?;
    Ok(dest.details())
}

/// Checks and consumes a code. Errors: `CodeMismatchException` (wrong code),
/// `ExpiredCodeException` (expired, already used or never sent),
/// `LimitExceededException` (too many wrong attempts).
pub fn consume_code(
    conn: &Connection,
    user: &User,
    purpose: CodePurpose,
    code: &str,
) -> ApiResult<()> {
    let expired = || ApiError::expired_code("Invalid code provided, please request a code again.");
    let row =
        auth_rows::get_code(conn, &user.pool_id, &user.sub, purpose.key())?.ok_or_else(expired)?;
    if row.used || row.expires_at <= ids::now() {
        return Err(expired());
    }
    if row.attempts >= CODE_ATTEMPTS {
        return Err(ApiError::limit_exceeded(
            "Attempt limit exceeded, please try after some time.",
        ));
    }
    let ok = aws_lc_rs::constant_time::verify_slices_are_equal(
        ids::sha256_hex(code).as_bytes(),
        row.code_hash.as_bytes(),
    )
    .is_ok();
    if !ok {
        auth_rows::bump_code_attempts(conn, &user.pool_id, &user.sub, purpose.key())?;
        return Err(ApiError::code_mismatch(
            "Invalid verification code provided, please try again.",
        ));
    }
    auth_rows::mark_code_used(conn, &user.pool_id, &user.sub, purpose.key())?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Store;

    fn user(pool_id: &str) -> User {
        User {
            pool_id: pool_id.into(),
            sub: "s-1".into(),
            username: "u".into(),
            status: crate::model::UserStatus::Confirmed,
            enabled: true,
            password_hash: None,
            password_set_at: 0,
            attributes: Default::default(),
            created_at: 0.0,
            modified_at: 0.0,
        }
    }

    #[test]
    fn codes_expire_are_single_use_and_limit_attempts() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("db.sqlite3")).unwrap();
        let u = user("us-east-1_Test1");
        let hash = ids::sha256_hex("123456");
        let purpose = CodePurpose::ForgotPassword;
        // Expired.
        store
            .write(|tx| {
                auth_rows::put_code(tx, &u.pool_id, &u.sub, purpose.key(), &hash, ids::now() - 1)
            })
            .unwrap();
        let e = store
            .write(|tx| consume_code(tx, &u, purpose, "123456"))
            .unwrap_err();
        assert_eq!(e.type_name, "ExpiredCodeException");
        // Valid: wrong, then right, then reused.
        store
            .write(|tx| {
                auth_rows::put_code(
                    tx,
                    &u.pool_id,
                    &u.sub,
                    purpose.key(),
                    &hash,
                    ids::now() + 60,
                )
            })
            .unwrap();
        let e = store
            .write_keeping_failures(|tx| consume_code(tx, &u, purpose, "000000"))
            .unwrap_err();
        assert_eq!(e.type_name, "CodeMismatchException");
        store
            .write(|tx| consume_code(tx, &u, purpose, "123456"))
            .unwrap();
        let e = store
            .write(|tx| consume_code(tx, &u, purpose, "123456"))
            .unwrap_err();
        assert_eq!(e.type_name, "ExpiredCodeException");
        // Attempts are counted even though the call fails.
        store
            .write(|tx| {
                auth_rows::put_code(
                    tx,
                    &u.pool_id,
                    &u.sub,
                    purpose.key(),
                    &hash,
                    ids::now() + 60,
                )
            })
            .unwrap();
        for _ in 0..CODE_ATTEMPTS {
            let _ = store.write_keeping_failures(|tx| consume_code(tx, &u, purpose, "000000"));
        }
        let e = store
            .write(|tx| consume_code(tx, &u, purpose, "123456"))
            .unwrap_err();
        assert_eq!(e.type_name, "LimitExceededException");
    }

    #[test]
    fn secret_hash_matches_cognito_definition() {
        let client_secret = "secret";
        let h = secret_hash(client_secret, "alice", "client");
        // Base64(HMAC-SHA256("secret", "aliceclient")), computed independently.
        assert_eq!(h, "RTsve+FQ659UKyESgvLg9GYmZEL+QjzQsW/OjL77/b0=");
    }
}
