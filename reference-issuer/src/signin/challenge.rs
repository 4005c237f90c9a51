//! Answering a challenge (RespondToAuthChallenge and its Admin twin):
//! session checks shared by every challenge, then `NEW_PASSWORD_REQUIRED`
//! here, the MFA challenges in [`super::mfa`] (`SELECT_MFA_TYPE` in
//! [`super::mfa_select`]), `SELECT_CHALLENGE` in [`super::user_auth`],
//! `PASSWORD_VERIFIER` in [`super::srp`], `CUSTOM_CHALLENGE` in
//! [`super::custom_auth`] and the device challenges in [`super::device`].

use std::collections::BTreeMap;

use super::secret_hash::check_secret_hash;
use super::{FlowContext, Outcome, names_user, param, session, session_expired};
use crate::directory::attributes::{
    AttributeIn, apply_attributes, ensure_alias_unique, validate_attributes,
};
use crate::directory::credentials::remember_password;
use crate::directory::lookup::user_not_found;
use crate::directory::password;
use crate::error::{Error, Result};
use crate::ids;
use crate::issuer::Issuer;
use crate::model::{User, UserStatus};
use crate::store::{sessions as session_rows, users as user_rows};
use crate::triggers::pre_token::TokenSource;

/// Answers challenge `challenge` of the sign-in `session`.
pub(crate) fn respond(
    issuer: &Issuer,
    ctx: &FlowContext,
    challenge: &str,
    session: Option<&str>,
    responses: &BTreeMap<String, String>,
) -> Result<Outcome> {
    issuer.rate_limits.take(&ctx.pool.id)?;
    if challenge == "PASSWORD_VERIFIER" {
        // SRP state travels in the SECRET_BLOCK, not in a Session.
        return super::srp::respond(issuer, ctx, responses);
    }
    let session = session
        .filter(|s| !s.is_empty())
        .ok_or_else(|| Error::invalid_parameter("Missing required parameter Session"))?;
    let hash = ids::sha256_hex(session);
    let row = session::find(issuer, &hash)?.ok_or_else(session_expired)?;
    if row.expires_at <= ids::now()
        || row.client_id != ctx.client.client_id
        || row.pool_id != ctx.pool.id
    {
        return Err(session_expired());
    }
    if session::completion_of(&row.data) != ctx.completion {
        return Err(session_expired());
    }
    if row.challenge != challenge {
        return Err(Error::invalid_parameter(format!(
            "Invalid challenge name {challenge} for this session"
        )));
    }
    if challenge == super::custom_auth::CHALLENGE {
        // Names nobody holds run the same triggers (`userNotFound`).
        return super::custom_auth::respond(issuer, ctx, &hash, &row, responses);
    }
    if row.sub.is_empty() {
        // A decoy session of choice-based sign-in (a name nobody owns).
        return super::user_auth::respond_unknown(issuer, ctx, challenge, &hash, &row, responses);
    }
    let carried = super::device::carried(ctx, &row.data);
    let ctx = carried.as_ref().unwrap_or(ctx);
    let user = issuer
        .read(|c| Ok(user_rows::get_user_by_sub(c, &ctx.pool.id, &row.sub)?))?
        .ok_or_else(user_not_found)?;
    if let Some(u) = responses.get("USERNAME")
        && !names_user(&ctx.pool, &user, u)
    {
        return Err(Error::not_authorized("Invalid session for the user."));
    }
    let mut names = vec![user.username.as_str(), user.sub.as_str()];
    if let Some(u) = responses.get("USERNAME") {
        names.push(u.as_str());
    }
    // The hosted UI is the client's own sign-in page: no SECRET_HASH there.
    if ctx.completion != super::Completion::HostedUi {
        check_secret_hash(
            &ctx.client,
            &names,
            responses.get("SECRET_HASH").map(String::as_str),
        )?;
    }
    match challenge {
        "NEW_PASSWORD_REQUIRED" => new_password(issuer, ctx, &hash, user, responses),
        "SOFTWARE_TOKEN_MFA" | "SMS_MFA" | "EMAIL_OTP" | "SMS_OTP" | "MFA_SETUP" => {
            super::mfa::respond(issuer, ctx, challenge, &hash, user, responses)
        }
        "SELECT_CHALLENGE" => super::user_auth::respond(issuer, ctx, &hash, &row, user, responses),
        "SELECT_MFA_TYPE" => super::mfa_select::respond(issuer, ctx, &hash, &row, &user, responses),
        "DEVICE_SRP_AUTH" | "DEVICE_PASSWORD_VERIFIER" => {
            super::device::respond(issuer, ctx, challenge, &hash, user, responses)
        }
        other => Err(Error::invalid_parameter(format!(
            "Challenge {other} is not supported by this issuer"
        ))),
    }
}

fn new_password(
    issuer: &Issuer,
    ctx: &FlowContext,
    session_hash: &str,
    mut user: User,
    responses: &BTreeMap<String, String>,
) -> Result<Outcome> {
    let new_password = param(responses, "NEW_PASSWORD")?;
    password::check_policy(&ctx.pool.policies.password_policy, new_password)?;
    let attrs: Vec<AttributeIn> = responses
        .iter()
        .filter_map(|(k, v)| {
            k.strip_prefix("userAttributes.").map(|n| AttributeIn {
                name: n.to_string(),
                value: Some(v.clone()),
            })
        })
        .collect();
    validate_attributes(&ctx.pool, &attrs, false)?;
    let hash = password::hash(new_password)?;
    let pool = &ctx.pool;
    let user = issuer.write(|tx| {
        if !session_rows::take_session(tx, session_hash)? {
            return Err(session_expired());
        }
        apply_attributes(&mut user, &attrs);
        user.password_hash = Some(hash.clone());
        user.password_set_at = ids::now();
        user.status = UserStatus::Confirmed;
        ensure_alias_unique(tx, pool, &user, false)?;
        user_rows::update_user(tx, &user)?;
        remember_password(tx, &user, new_password)?;
        Ok(user)
    })?;
    let ctx = ctx.with_token_source(TokenSource::NewPasswordChallenge);
    super::mfa::second_factor(issuer, &ctx, &user)
}
