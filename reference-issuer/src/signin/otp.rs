//! One-time codes of a sign-in, by email or SMS through the outbox: the
//! second factors `SMS_MFA` / `EMAIL_OTP` and the passwordless first
//! factors `EMAIL_OTP` / `SMS_OTP` of choice-based sign-in share the
//! delivery here; the answer is checked by [`super::mfa::respond`] (lockout
//! and the session's wrong-code budget). Names nobody owns get a decoy
//! challenge of the same shape that no code answers.

use std::collections::BTreeMap;

use serde_json::json;

use super::lockout::{self, Subject};
use super::{Challenge, FlowContext, Outcome, session, srp_decoy};
use crate::directory::codes::CodePurpose;
use crate::directory::outbox::{Destination, mask};
use crate::error::{Error, Result};
use crate::ids;
use crate::issuer::Issuer;
use crate::model::User;
use crate::store::outbox::OutboxMessage;
use crate::store::{outbox as outbox_rows, sessions as session_rows};

/// The attribute a one-time-password challenge delivers to.
pub(crate) fn attribute_of(challenge: &str) -> &'static str {
    match challenge {
        "SMS_MFA" | "SMS_OTP" => "phone_number",
        _ => "email",
    }
}

/// The response parameter carrying the code of `challenge`.
pub(crate) fn code_parameter(challenge: &str) -> &'static str {
    match challenge {
        "SMS_MFA" => "SMS_MFA_CODE",
        "SMS_OTP" => "SMS_OTP_CODE",
        _ => "EMAIL_OTP_CODE",
    }
}

fn challenge_of(
    name: &'static str,
    session: String,
    dest: &Destination,
    user_id: String,
) -> Outcome {
    Outcome::Challenge(Challenge {
        name,
        session: Some(session),
        parameters: BTreeMap::from([
            (
                "CODE_DELIVERY_DELIVERY_MEDIUM".to_string(),
                dest.medium.to_string(),
            ),
            ("CODE_DELIVERY_DESTINATION".to_string(), mask(&dest.address)),
            ("USER_ID_FOR_SRP".to_string(), user_id),
        ]),
    })
}

/// Sends a fresh code to `dest` through the outbox and opens the
/// `challenge` session (`SMS_MFA`, `EMAIL_OTP` or `SMS_OTP`) holding its
/// hash.
pub(crate) fn send_code(
    issuer: &Issuer,
    ctx: &FlowContext,
    user: &User,
    challenge: &'static str,
    dest: &Destination,
) -> Result<Outcome> {
    let code = ids::numeric_code();
    let custom = crate::directory::users::custom_text(
        issuer,
        user,
        "CustomMessage_Authentication",
        ctx.caller(),
    )?;
    let session = session::create(
        issuer,
        ctx,
        user,
        challenge,
        json!({ "code_hash": ids::sha256_hex(&code) }),
    )?;
    let msg = OutboxMessage {
        id: 0,
        pool_id: user.pool_id.clone(),
        username: user.username.clone(),
        sub: user.sub.clone(),
        kind: "MFA_CODE".into(),
        medium: dest.medium.into(),
        destination: dest.address.clone(),
        code: Some(code.clone()),
        message: custom
            .and_then(|c| c.render(dest.medium, &code, &user.username))
            .unwrap_or_else(|| format!("Your authentication code is {code}.")),
        created_at: ids::now_f64(),
    };
    issuer.write(|tx| Ok(outbox_rows::insert_outbox(tx, &msg).map(|_| ())?))?;
    // Printed on purpose: the console is one of the outbox's channels.
    tracing::info!(
        target: "cognito_issuer::outbox",
        pool = %msg.pool_id,
        username = %msg.username,
        kind = "MFA_CODE",
        to = %dest.address,
        code = %code,
        "outbox message"
    );
    Ok(challenge_of(
        challenge,
        session,
        dest,
        user.username.clone(),
    ))
}

/// A passwordless first factor (`EMAIL_OTP` / `SMS_OTP`) for `user`, whose
/// verified address the caller checked: counts the send against the
/// user's sign-in code throttle, then sends.
pub(super) fn first_factor(
    issuer: &Issuer,
    ctx: &FlowContext,
    user: &User,
    challenge: &'static str,
) -> Result<Outcome> {
    let dest = Destination::for_attribute(user, attribute_of(challenge))
        .ok_or_else(|| Error::invalid_parameter(format!("{challenge} is not available")))?;
    super::password::pre_authentication(issuer, ctx, user)?;
    issuer.write(|tx| crate::directory::codes::count_send(tx, user, CodePurpose::SignIn))?;
    send_code(issuer, ctx, user, challenge, &dest)
}

/// What `username` (naming nobody) gets instead: the same challenge with
/// a plausible destination, stable per name, throttled like a user's
/// sends; no code is sent, none answers it.
pub(super) fn decoy_first_factor(
    issuer: &Issuer,
    ctx: &FlowContext,
    username: &str,
    challenge: &'static str,
) -> Result<Outcome> {
    issuer
        .code_decoys
        .send(&ctx.pool, username, CodePurpose::SignIn)?;
    let dest =
        issuer
            .code_decoys
            .destination_on(issuer, &ctx.pool, username, attribute_of(challenge))?;
    let user_id = srp_decoy::user_id(issuer, &ctx.pool, username)?;
    let session = session::create_for(
        issuer,
        ctx,
        "",
        challenge,
        json!({ "decoy_name": ctx.pool.username_key(username) }),
    )?;
    Ok(challenge_of(challenge, session, &dest, user_id))
}

/// Answers the decoy code challenge `challenge` of the unknown `name`:
/// always a wrong code, counted like a user's (lockout of the name, the
/// session's wrong-code budget).
pub(super) fn answer_decoy(
    issuer: &Issuer,
    ctx: &FlowContext,
    challenge: &str,
    session_hash: &str,
    name: &str,
    responses: &BTreeMap<String, String>,
) -> Result<Outcome> {
    super::param(responses, code_parameter(challenge))?;
    let key = lockout::unknown_key(&ctx.pool, name);
    let attempt = lockout::reserve(issuer, &ctx.pool.id, Subject::Unknown(&key))?;
    attempt.failed();
    issuer.write(|tx| {
        Ok(session_rows::record_session_failure(
            tx,
            session_hash,
            super::mfa::SESSION_CODE_ATTEMPTS,
        )?)
    })?;
    Err(Error::code_mismatch("Invalid code received for user"))
}
