//! The second factor of a sign-in: choosing the factor the pool and the
//! user call for, and answering `SOFTWARE_TOKEN_MFA`, `SMS_MFA`,
//! `EMAIL_OTP` (codes to the outbox, [`super::otp`]) and `MFA_SETUP`; the
//! first factors `EMAIL_OTP` / `SMS_OTP` of `USER_AUTH` are answered here
//! too. Several enabled factors and none preferred: [`super::mfa_select`].

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::lockout::{self, Attempt, Subject};
use super::totp::{totp_replayed, totp_step};
use super::{Challenge, FlowContext, Outcome, session, session_expired};
use crate::directory::outbox::Destination;
use crate::error::{Error, ErrorKind, Result};
use crate::ids;
use crate::issuer::Issuer;
use crate::model::{MfaConfiguration, MfaFactor, Pool, User, UserMfa};
use crate::store::{mfa as mfa_rows, sessions as session_rows};

fn choose_factor(pool: &Pool, user: &User, m: &UserMfa) -> Option<MfaFactor> {
    let enabled = m.enabled();
    if let Some(p) = m.preferred
        && enabled.contains(&p)
    {
        return Some(p);
    }
    for f in [MfaFactor::SoftwareToken, MfaFactor::Sms, MfaFactor::Email] {
        if enabled.contains(&f) {
            return Some(f);
        }
    }
    if pool.mfa_configuration != MfaConfiguration::On {
        return None;
    }
    // Required MFA without a chosen factor: whatever the user can receive.
    if m.totp_secret.is_some() {
        return Some(MfaFactor::SoftwareToken);
    }
    if pool.offers(MfaFactor::Sms) && user.attr("phone_number").is_some() {
        return Some(MfaFactor::Sms);
    }
    if pool.offers(MfaFactor::Email) && user.attr("email").is_some() {
        return Some(MfaFactor::Email);
    }
    None
}

/// After the first factor (password or SRP) of a confirmed user: tokens,
/// or the MFA challenge the pool and the user's settings call for.
pub(crate) fn second_factor(issuer: &Issuer, ctx: &FlowContext, user: &User) -> Result<Outcome> {
    if ctx.pool.mfa_configuration == MfaConfiguration::Off {
        return super::complete(issuer, ctx, user);
    }
    let m = issuer.read(|c| Ok(mfa_rows::load(c, &user.pool_id, &user.sub)?))?;
    if let Some(choices) = super::mfa_select::choices(&ctx.pool, &m) {
        return super::mfa_select::offer(issuer, ctx, user, &choices);
    }
    let Some(factor) = choose_factor(&ctx.pool, user, &m) else {
        if ctx.pool.mfa_configuration != MfaConfiguration::On {
            return super::complete(issuer, ctx, user);
        }
        let session = session::create(issuer, ctx, user, "MFA_SETUP", json!({ "stage": "new" }))?;
        return Ok(Outcome::Challenge(Challenge {
            name: "MFA_SETUP",
            session: Some(session),
            parameters: BTreeMap::from([
                (
                    "MFAS_CAN_SETUP".to_string(),
                    "[\"SOFTWARE_TOKEN_MFA\"]".to_string(),
                ),
                ("USER_ID_FOR_SRP".to_string(), user.username.clone()),
            ]),
        }));
    };
    factor_challenge(issuer, ctx, user, factor)
}

/// The challenge of the MFA `factor` for `user`: `SOFTWARE_TOKEN_MFA`, or
/// a code sent by SMS or email ([`super::otp`]).
pub(super) fn factor_challenge(
    issuer: &Issuer,
    ctx: &FlowContext,
    user: &User,
    factor: MfaFactor,
) -> Result<Outcome> {
    let name = factor.challenge_name();
    match factor {
        MfaFactor::SoftwareToken => {
            let session = session::create(issuer, ctx, user, name, json!({}))?;
            Ok(Outcome::Challenge(Challenge {
                name,
                session: Some(session),
                parameters: BTreeMap::from([(
                    "USER_ID_FOR_SRP".to_string(),
                    user.username.clone(),
                )]),
            }))
        }
        MfaFactor::Sms | MfaFactor::Email => {
            let attribute = super::otp::attribute_of(name);
            let dest = Destination {
                attribute: attribute.to_string(),
                medium: if factor == MfaFactor::Sms {
                    "SMS"
                } else {
                    "EMAIL"
                },
                address: user.attr(attribute).unwrap_or_default().to_string(),
            };
            super::otp::send_code(issuer, ctx, user, name, &dest)
        }
    }
}

fn code_mismatch() -> Error {
    Error::code_mismatch("Invalid code received for user")
}

/// Wrong codes one challenge session accepts before it is spent (the
/// lockout counts every wrong code as well).
pub(crate) const SESSION_CODE_ATTEMPTS: i64 = 3;

/// A wrong code: counts towards the lockout and the session's own budget
/// (a spent session answers `Invalid session for the user, session is
/// expired.` from then on).
fn wrong_code(issuer: &Issuer, attempt: Attempt<'_>, session_hash: &str, e: Error) -> Error {
    attempt.failed();
    let spent = issuer.write(|tx| {
        Ok(session_rows::record_session_failure(
            tx,
            session_hash,
            SESSION_CODE_ATTEMPTS,
        )?)
    });
    match spent {
        Err(fault) => fault,
        Ok(_) => e,
    }
}

/// Answers `SOFTWARE_TOKEN_MFA`, `SMS_MFA`, `EMAIL_OTP`, `SMS_OTP` and `MFA_SETUP`
/// for the session `session_hash` (already checked to belong to `user`,
/// this client and `challenge`). A wrong code counts towards the sign-in
/// lockout (reserved before the code is checked) and spends the session
/// after [`SESSION_CODE_ATTEMPTS`]; tokens reset the lockout.
pub(super) fn respond(
    issuer: &Issuer,
    ctx: &FlowContext,
    challenge: &str,
    session_hash: &str,
    user: User,
    responses: &BTreeMap<String, String>,
) -> Result<Outcome> {
    let param = |name: &str| {
        responses
            .get(name)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
            .ok_or_else(|| Error::invalid_parameter(format!("Missing required parameter {name}")))
    };
    let attempt = lockout::reserve(issuer, &ctx.pool.id, Subject::User(&user.sub))?;
    let row = issuer
        .read(|c| Ok(session_rows::get_session(c, session_hash)?))?
        .ok_or_else(session_expired)?;
    let data: Value = serde_json::from_str(&row.data).unwrap_or(Value::Null);
    let take = |issuer: &Issuer| -> Result<()> {
        if issuer.write(|tx| Ok(session_rows::take_session(tx, session_hash)?))? {
            Ok(())
        } else {
            Err(session_expired())
        }
    };
    match challenge {
        "SOFTWARE_TOKEN_MFA" => {
            let code = param("SOFTWARE_TOKEN_MFA_CODE")?;
            let now = ids::now();
            let ok = issuer.write(|tx| {
                let mut m = mfa_rows::load(tx, &user.pool_id, &user.sub)?;
                let Some(secret) = m.totp_secret.clone() else {
                    return Ok(Err(code_mismatch()));
                };
                match totp_step(&secret, code, now, m.totp_last_step) {
                    Some(step) => {
                        if !session_rows::take_session(tx, session_hash)? {
                            return Ok(Err(session_expired()));
                        }
                        m.totp_last_step = step;
                        mfa_rows::save(tx, &user.pool_id, &user.sub, &m)?;
                        Ok(Ok(()))
                    }
                    None if totp_replayed(&secret, code, now, m.totp_last_step) => Ok(Err(
                        Error::expired_code("Your software token has already been used once."),
                    )),
                    None => Ok(Err(code_mismatch())),
                }
            })?;
            match ok {
                Ok(()) => {}
                // The session was used meanwhile: no code was judged.
                Err(e) if e.kind == ErrorKind::NotAuthorized => return Err(e),
                Err(e) => return Err(wrong_code(issuer, attempt, session_hash, e)),
            }
        }
        "SMS_MFA" | "EMAIL_OTP" | "SMS_OTP" => {
            let code = param(super::otp::code_parameter(challenge))?;
            let expected = data["code_hash"].as_str().unwrap_or_default();
            let given = ids::sha256_hex(code);
            let same = aws_lc_rs::constant_time::verify_slices_are_equal(
                expected.as_bytes(),
                given.as_bytes(),
            )
            .is_ok();
            if !same {
                return Err(wrong_code(issuer, attempt, session_hash, code_mismatch()));
            }
            take(issuer)?;
        }
        "MFA_SETUP" => {
            if data["stage"].as_str() != Some("verified") {
                return Err(Error::invalid_parameter(
                    "Software token MFA has not been set up: call AssociateSoftwareToken \
                     and VerifySoftwareToken with this Session first",
                ));
            }
            take(issuer)?;
        }
        other => {
            return Err(Error::invalid_parameter(format!(
                "Challenge {other} is not supported by this issuer"
            )));
        }
    }
    attempt.passed();
    super::complete(issuer, ctx, &user)
}
