//! One-time codes: sign-up confirmation, password reset and attribute
//! verification; issued through the outbox, checked against a budget that
//! survives restarts and reissues (`code_budgets`, per user and purpose):
//!
//! * at most [`CODE_ATTEMPTS`] wrong codes per [`FAILURE_WINDOW`]; the code
//!   in force when the budget is spent is invalidated (even its right value
//!   fails from then on), and further attempts answer `LimitExceededException`
//!   until the window ends. Asking for a new code does not reset the count;
//!   a code accepted does.
//! * at most [`SENDS_PER_WINDOW`] codes sent per [`SEND_WINDOW`] to a user
//!   for one purpose by self-service calls (`LimitExceededException`);
//!   administrators' sends are not limited.
//!
//! Unknown usernames of clients that hide user existence follow the same
//! rules through [`super::code_decoys`].

use crate::directory::outbox::{self, Destination, MessageKind};
use crate::error::{Error, Result};
use crate::ids;
use crate::model::{Pool, User};
use crate::store::Conn as Connection;
use crate::store::codes::{self as code_rows, BudgetRow};
use crate::triggers::calls::CustomText;

/// Lifetime of sign-up confirmation and attribute verification codes.
pub(crate) const CONFIRM_CODE_TTL: i64 = 24 * 3600;

/// Lifetime of forgot-password codes.
pub(crate) const FORGOT_CODE_TTL: i64 = 3600;

/// Lifetime of a sign-in one-time password (that of its challenge session).
pub(crate) const SIGN_IN_CODE_TTL: i64 = 180;

/// Wrong codes allowed per user and purpose within [`FAILURE_WINDOW`].
pub(crate) const CODE_ATTEMPTS: i64 = 5;

/// How long wrong codes are counted (seconds from the first one).
pub(crate) const FAILURE_WINDOW: i64 = 3600;

/// Codes a user can be sent per purpose within [`SEND_WINDOW`].
pub(crate) const SENDS_PER_WINDOW: i64 = 5;

/// The send-throttle window (seconds from the first send).
pub(crate) const SEND_WINDOW: i64 = 3600;

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
    /// A one-time password of choice-based sign-in (`EMAIL_OTP`,
    /// `SMS_OTP`): only its send throttle is kept here, the code lives in
    /// the challenge session.
    SignIn,
}

impl CodePurpose {
    /// The purpose as stored.
    pub(crate) fn key(self) -> &'static str {
        match self {
            Self::SignUp => "signup",
            Self::ForgotPassword => "forgot",
            Self::VerifyEmail => "verify:email",
            Self::VerifyPhone => "verify:phone_number",
            Self::SignIn => "signin",
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

    /// How long a code for this purpose stays valid.
    pub(crate) fn ttl(self) -> i64 {
        match self {
            Self::ForgotPassword => FORGOT_CODE_TTL,
            Self::SignIn => SIGN_IN_CODE_TTL,
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

/// `LimitExceededException`, as AWS words it for spent code budgets.
pub(crate) fn limit_exceeded() -> Error {
    Error::limit_exceeded("Attempt limit exceeded, please try after some time.")
}

/// Takes one send from a budget, or refuses with `LimitExceededException`.
pub(crate) fn take_send(b: &mut BudgetRow, now: i64) -> Result<()> {
    if b.sends_since + SEND_WINDOW <= now {
        b.sends = 0;
        b.sends_since = now;
    }
    if b.sends >= SENDS_PER_WINDOW {
        return Err(limit_exceeded());
    }
    b.sends += 1;
    Ok(())
}

/// The outcome of an attempt at a code (real or decoy).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Judgement {
    /// The right code: the failure count resets.
    Accepted,
    /// The budget is spent for now (nothing was compared).
    LimitExceeded,
    /// No code in force (expired, used, spent or never sent).
    Expired,
    /// A wrong code, counted; `spent` when it used up the budget (the code
    /// in force must then be invalidated).
    Mismatch {
        /// Whether this failure spent the budget.
        spent: bool,
    },
}

impl Judgement {
    /// The answer to the caller.
    pub(crate) fn into_result(self) -> Result<()> {
        match self {
            Self::Accepted => Ok(()),
            Self::LimitExceeded => Err(limit_exceeded()),
            Self::Expired => Err(Error::expired_code(
                "Invalid code provided, please request a code again.",
            )),
            Self::Mismatch { .. } => Err(Error::code_mismatch(
                "Invalid verification code provided, please try again.",
            )),
        }
    }
}

/// The rules every attempt at a code follows, for real codes and decoys
/// alike: a spent budget refuses first, then a missing code, then the
/// comparison (counted when wrong).
pub(crate) fn judge(
    b: &mut BudgetRow,
    live: bool,
    matches: impl FnOnce() -> bool,
    now: i64,
) -> Judgement {
    if b.failures_since + FAILURE_WINDOW <= now {
        b.failures = 0;
    }
    if b.failures >= CODE_ATTEMPTS {
        return Judgement::LimitExceeded;
    }
    if !live {
        return Judgement::Expired;
    }
    if matches() {
        b.failures = 0;
        return Judgement::Accepted;
    }
    if b.failures == 0 {
        b.failures_since = now;
    }
    b.failures += 1;
    Judgement::Mismatch {
        spent: b.failures >= CODE_ATTEMPTS,
    }
}

/// Who asked for a code to be sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Requester {
    /// A self-service call (the user or anyone naming them): throttled.
    User,
    /// An administrator (Admin* operations): not throttled.
    Admin,
}

/// Counts a send against the user's budget for `purpose` (refusing with
/// `LimitExceededException` when spent), for a real code or a decoy
/// answer.
pub(crate) fn count_send(conn: &Connection, user: &User, purpose: CodePurpose) -> Result<()> {
    let mut b = code_rows::get_budget(conn, &user.pool_id, &user.sub, purpose.key())?;
    take_send(&mut b, ids::now())?;
    code_rows::put_budget(conn, &user.pool_id, &user.sub, purpose.key(), &b)?;
    Ok(())
}

/// Creates a code, sends it through the outbox and returns where it went
/// (rendered as `CodeDeliveryDetails` at the edge). Replaces the previous
/// code for `purpose`, but not its budget.
///
/// With the custom message trigger's texts (fired by the caller before its
/// transaction), the message sent is the trigger's when it has one for the
/// medium with the code placeholder in it.
pub(crate) fn issue_code_with(
    conn: &Connection,
    user: &User,
    purpose: CodePurpose,
    kind: MessageKind,
    dest: &Destination,
    requester: Requester,
    custom: Option<&CustomText>,
) -> Result<Destination> {
    if requester == Requester::User {
        count_send(conn, user, purpose)?;
    }
    let code = ids::numeric_code();
    code_rows::put_code(
        conn,
        &user.pool_id,
        &user.sub,
        purpose.key(),
        &ids::sha256_hex(&code),
        ids::now() + purpose.ttl(),
    )?;
    let text = custom
        .and_then(|c| c.render(dest.medium, &code, &user.username))
        .unwrap_or_else(|| match kind {
            MessageKind::ForgotPassword => format!("Your password reset code is {code}"),
            MessageKind::VerifyAttribute => format!("Your verification code is {code}"),
            _ => format!("Your confirmation code is {code}"),
        });
    outbox::send(conn, user, kind, dest, Some(&code), text)?;
    Ok(dest.clone())
}

/// Checks and consumes a code. Errors: `CodeMismatchException` (wrong code),
/// `ExpiredCodeException` (expired, already used, spent or never sent),
/// `LimitExceededException` (too many wrong codes lately). Run it in
/// [`crate::issuer::Issuer::write_keeping_failures`] so failures are kept.
pub(crate) fn consume_code(
    conn: &Connection,
    user: &User,
    purpose: CodePurpose,
    code: &str,
) -> Result<()> {
    let now = ids::now();
    let (pool_id, sub, key) = (&user.pool_id, &user.sub, purpose.key());
    let mut budget = code_rows::get_budget(conn, pool_id, sub, key)?;
    let row = code_rows::get_code(conn, pool_id, sub, key)?;
    let live = row.as_ref().is_some_and(|r| !r.used && r.expires_at > now);
    let matches = || {
        row.as_ref().is_some_and(|r| {
            aws_lc_rs::constant_time::verify_slices_are_equal(
                ids::sha256_hex(code).as_bytes(),
                r.code_hash.as_bytes(),
            )
            .is_ok()
        })
    };
    let verdict = judge(&mut budget, live, matches, now);
    match verdict {
        Judgement::Accepted => {
            code_rows::mark_code_used(conn, pool_id, sub, key)?;
            code_rows::put_budget(conn, pool_id, sub, key, &budget)?;
        }
        Judgement::Mismatch { spent } => {
            code_rows::put_budget(conn, pool_id, sub, key, &budget)?;
            if spent {
                code_rows::mark_code_used(conn, pool_id, sub, key)?;
            }
        }
        Judgement::LimitExceeded | Judgement::Expired => {}
    }
    verdict.into_result()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;
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

    fn put(store: &Store, u: &User, purpose: CodePurpose, code: &str, expires_at: i64) {
        store
            .write(|tx| {
                code_rows::put_code(
                    tx,
                    &u.pool_id,
                    &u.sub,
                    purpose.key(),
                    &ids::sha256_hex(code),
                    expires_at,
                )
            })
            .unwrap();
    }

    fn attempt(store: &Store, u: &User, purpose: CodePurpose, code: &str) -> Result<()> {
        store.write_keeping_failures(|tx| consume_code(tx, u, purpose, code))
    }

    #[test]
    fn codes_expire_and_are_single_use() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("db.sqlite3")).unwrap();
        let u = user("us-east-1_Test1");
        let purpose = CodePurpose::ForgotPassword;
        put(&store, &u, purpose, "123456", ids::now() - 1);
        let e = attempt(&store, &u, purpose, "123456").unwrap_err();
        assert_eq!(e.kind, ErrorKind::ExpiredCode);
        put(&store, &u, purpose, "123456", ids::now() + 60);
        let e = attempt(&store, &u, purpose, "000000").unwrap_err();
        assert_eq!(e.kind, ErrorKind::CodeMismatch);
        attempt(&store, &u, purpose, "123456").unwrap();
        let e = attempt(&store, &u, purpose, "123456").unwrap_err();
        assert_eq!(e.kind, ErrorKind::ExpiredCode);
    }

    #[test]
    fn wrong_codes_count_across_reissues_and_spend_the_code() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("db.sqlite3")).unwrap();
        let u = user("us-east-1_Test1");
        let purpose = CodePurpose::SignUp;
        // Four wrong codes, then a reissue: the count goes on.
        put(&store, &u, purpose, "111111", ids::now() + 60);
        for _ in 0..CODE_ATTEMPTS - 1 {
            let e = attempt(&store, &u, purpose, "000000").unwrap_err();
            assert_eq!(e.kind, ErrorKind::CodeMismatch);
        }
        put(&store, &u, purpose, "222222", ids::now() + 60);
        let e = attempt(&store, &u, purpose, "000000").unwrap_err();
        assert_eq!(e.kind, ErrorKind::CodeMismatch);
        // Spent: even the right code is refused now ...
        let e = attempt(&store, &u, purpose, "222222").unwrap_err();
        assert_eq!(e.kind, ErrorKind::LimitExceeded);
        // ... and after the window that code stays invalid.
        store
            .write(|tx| {
                let mut b = code_rows::get_budget(tx, &u.pool_id, &u.sub, purpose.key())?;
                b.failures_since -= FAILURE_WINDOW;
                code_rows::put_budget(tx, &u.pool_id, &u.sub, purpose.key(), &b)
            })
            .unwrap();
        let e = attempt(&store, &u, purpose, "222222").unwrap_err();
        assert_eq!(e.kind, ErrorKind::ExpiredCode);
        // A new code works, and resets the count.
        put(&store, &u, purpose, "333333", ids::now() + 60);
        attempt(&store, &u, purpose, "333333").unwrap();
        let b = store
            .read(|c| code_rows::get_budget(c, &u.pool_id, &u.sub, purpose.key()))
            .unwrap();
        assert_eq!(b.failures, 0);
    }

    #[test]
    fn sends_are_throttled_per_user_and_purpose() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("db.sqlite3")).unwrap();
        let mut u = user("us-east-1_Test1");
        u.attributes.insert("email".into(), "u@example.com".into());
        let dest = Destination::for_attribute(&u, "email").unwrap();
        let send = |purpose, requester| {
            store.write(|tx| {
                issue_code_with(
                    tx,
                    &u,
                    purpose,
                    MessageKind::ForgotPassword,
                    &dest,
                    requester,
                    None,
                )
            })
        };
        for _ in 0..SENDS_PER_WINDOW {
            send(CodePurpose::ForgotPassword, Requester::User).unwrap();
        }
        let e = send(CodePurpose::ForgotPassword, Requester::User).unwrap_err();
        assert_eq!(e.kind, ErrorKind::LimitExceeded);
        assert_eq!(
            e.message,
            "Attempt limit exceeded, please try after some time."
        );
        // Another purpose, and administrators, are not limited by it.
        send(CodePurpose::VerifyEmail, Requester::User).unwrap();
        send(CodePurpose::ForgotPassword, Requester::Admin).unwrap();
        // The window passes.
        let mut b = BudgetRow {
            sends: SENDS_PER_WINDOW,
            sends_since: 0,
            ..BudgetRow::default()
        };
        take_send(&mut b, SEND_WINDOW).unwrap();
        assert_eq!(b.sends, 1);
    }
}
