//! One-time codes: sign-up confirmation, password reset and attribute
//! verification; issued through the outbox, checked with an attempt budget.

use crate::directory::outbox::{self, Destination, MessageKind};
use crate::error::{Error, Result};
use crate::ids;
use crate::model::{Pool, User};
use crate::store::Conn as Connection;
use crate::store::codes as code_rows;

/// Lifetime of sign-up confirmation and attribute verification codes.
pub(crate) const CONFIRM_CODE_TTL: i64 = 24 * 3600;

/// Lifetime of forgot-password codes.
pub(crate) const FORGOT_CODE_TTL: i64 = 3600;

/// Wrong attempts allowed per code.
pub(crate) const CODE_ATTEMPTS: i64 = 5;

/// What a one-time code is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CodePurpose {
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
    pub(crate) fn verify(attribute: &str) -> Result<Self> {
        match attribute {
            "email" => Ok(Self::VerifyEmail),
            "phone_number" => Ok(Self::VerifyPhone),
            other => Err(Error::invalid_parameter(format!(
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
pub(crate) fn delivery_destination(
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

/// Creates a code, sends it through the outbox and returns where it went
/// (rendered as `CodeDeliveryDetails` at the edge).
pub(crate) fn issue_code(
    conn: &Connection,
    user: &User,
    purpose: CodePurpose,
    kind: MessageKind,
    dest: &Destination,
) -> Result<Destination> {
    let code = ids::numeric_code();
    code_rows::put_code(
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
    Ok(dest.clone())
}

/// Checks and consumes a code. Errors: `CodeMismatchException` (wrong code),
/// `ExpiredCodeException` (expired, already used or never sent),
/// `LimitExceededException` (too many wrong attempts).
pub(crate) fn consume_code(
    conn: &Connection,
    user: &User,
    purpose: CodePurpose,
    code: &str,
) -> Result<()> {
    let expired = || Error::expired_code("Invalid code provided, please request a code again.");
    let row =
        code_rows::get_code(conn, &user.pool_id, &user.sub, purpose.key())?.ok_or_else(expired)?;
    if row.used || row.expires_at <= ids::now() {
        return Err(expired());
    }
    if row.attempts >= CODE_ATTEMPTS {
        return Err(Error::limit_exceeded(
            "Attempt limit exceeded, please try after some time.",
        ));
    }
    let ok = aws_lc_rs::constant_time::verify_slices_are_equal(
        ids::sha256_hex(code).as_bytes(),
        row.code_hash.as_bytes(),
    )
    .is_ok();
    if !ok {
        code_rows::bump_code_attempts(conn, &user.pool_id, &user.sub, purpose.key())?;
        return Err(Error::code_mismatch(
            "Invalid verification code provided, please try again.",
        ));
    }
    code_rows::mark_code_used(conn, &user.pool_id, &user.sub, purpose.key())?;
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
                code_rows::put_code(tx, &u.pool_id, &u.sub, purpose.key(), &hash, ids::now() - 1)
            })
            .unwrap();
        let e = store
            .write(|tx| consume_code(tx, &u, purpose, "123456"))
            .unwrap_err();
        assert_eq!(e.kind, crate::error::ErrorKind::ExpiredCode);
        // Valid: wrong, then right, then reused.
        store
            .write(|tx| {
                code_rows::put_code(
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
        assert_eq!(e.kind, crate::error::ErrorKind::CodeMismatch);
        store
            .write(|tx| consume_code(tx, &u, purpose, "123456"))
            .unwrap();
        let e = store
            .write(|tx| consume_code(tx, &u, purpose, "123456"))
            .unwrap_err();
        assert_eq!(e.kind, crate::error::ErrorKind::ExpiredCode);
        // Attempts are counted even though the call fails.
        store
            .write(|tx| {
                code_rows::put_code(
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
        assert_eq!(e.kind, crate::error::ErrorKind::LimitExceeded);
    }
}
