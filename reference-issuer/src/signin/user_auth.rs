//! Choice-based sign-in (`USER_AUTH`): the user names a `PREFERRED_CHALLENGE`
//! or picks one of the `AvailableChallenges` of a `SELECT_CHALLENGE`.
//! `PASSWORD` and `PASSWORD_SRP` run the client-based flows
//! ([`super::password`], [`super::srp`]) with their lockout and MFA;
//! `EMAIL_OTP` and `SMS_OTP` send a code ([`super::otp`]) and, answered,
//! sign the user in without MFA: only users without MFA may use them, as
//! in Cognito (a pool that requires MFA offers passwords only, and in a
//! pool with optional MFA a user who enabled a factor signs in with a
//! password).
//!
//! Names nobody owns, for clients that hide user existence, get the same
//! answers: the pool's factors to choose from, and decoy challenges that
//! fail like wrong answers.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::password::{after_first_factor, authenticate};
use super::secret_hash::check_secret_hash;
use super::{FlowContext, Outcome, otp, param, session};
use crate::directory::lookup::{find_user, user_not_found};
use crate::error::{Error, Result};
use crate::issuer::Issuer;
use crate::model::{AuthFactor, MfaConfiguration, Pool, User, UserMfa, UserStatus};
use crate::store::mfa as mfa_rows;
use crate::store::sessions::SessionRow;

/// The choices of `SELECT_CHALLENGE`, in the order AWS documents them.
const ORDER: [&str; 4] = ["PASSWORD", "PASSWORD_SRP", "EMAIL_OTP", "SMS_OTP"];

/// Whether passwordless factors may be offered to a user with these MFA
/// settings (never while the pool requires MFA; with optional MFA, only to
/// users without an enabled factor).
fn passwordless_allowed(pool: &Pool, mfa: Option<&UserMfa>) -> bool {
    match pool.mfa_configuration {
        MfaConfiguration::On => false,
        MfaConfiguration::Optional => mfa.is_none_or(|m| m.enabled().is_empty()),
        MfaConfiguration::Off => true,
    }
}

/// The first factors `user` can use in `pool`; `None` stands for a name
/// nobody owns, offered everything the pool allows.
fn available(pool: &Pool, user: Option<(&User, &UserMfa)>) -> Vec<&'static str> {
    let otp_ok = passwordless_allowed(pool, user.map(|(_, m)| m))
        && user.is_none_or(|(u, _)| u.status == UserStatus::Confirmed);
    let has = |attr: &str| user.is_none_or(|(u, _)| u.is_verified(attr) && u.attr(attr).is_some());
    ORDER
        .into_iter()
        .filter(|c| match *c {
            "PASSWORD" | "PASSWORD_SRP" => user.is_none_or(|(u, _)| u.password_hash.is_some()),
            "EMAIL_OTP" => {
                otp_ok && pool.allows_first_factor(&AuthFactor::EmailOtp) && has("email")
            }
            _ => otp_ok && pool.allows_first_factor(&AuthFactor::SmsOtp) && has("phone_number"),
        })
        .collect()
}

fn known(challenge: &str) -> Option<&'static str> {
    ORDER.into_iter().find(|c| *c == challenge)
}

/// `SELECT_CHALLENGE` with `available`, in a session of `sub` (empty for
/// a decoy, whose normalised name the session keeps).
fn select(
    issuer: &Issuer,
    ctx: &FlowContext,
    sub: &str,
    decoy_name: Option<String>,
    available: Vec<&'static str>,
) -> Result<Outcome> {
    let mut data = json!({ "available": available });
    if let Some(n) = decoy_name {
        data["decoy_name"] = Value::from(n);
    }
    let session = session::create_for(issuer, ctx, sub, "SELECT_CHALLENGE", data)?;
    Ok(Outcome::SelectChallenge { session, available })
}

/// Starts `USER_AUTH` (`USERNAME`, optional `PREFERRED_CHALLENGE` with
/// `PASSWORD` or `SRP_A`, `SECRET_HASH` for clients with a secret). A
/// preferred challenge the user cannot use answers `SELECT_CHALLENGE`.
pub(super) fn start(
    issuer: &Issuer,
    ctx: &FlowContext,
    params: &BTreeMap<String, String>,
) -> Result<Outcome> {
    let username = param(params, "USERNAME")?;
    check_secret_hash(
        &ctx.client,
        &[username],
        params.get("SECRET_HASH").map(String::as_str),
    )?;
    let preferred =
        match params.get("PREFERRED_CHALLENGE").filter(|p| !p.is_empty()) {
            None => None,
            Some(p) if p == "WEB_AUTHN" => None,
            Some(p) => Some(known(p).ok_or_else(|| {
                Error::invalid_parameter(format!("Invalid PREFERRED_CHALLENGE {p}"))
            })?),
        };
    match preferred {
        Some("PASSWORD") => {
            let pw = param(params, "PASSWORD")?;
            let user = authenticate(issuer, ctx, username, pw)?;
            return after_first_factor(issuer, ctx, user);
        }
        Some("PASSWORD_SRP") => return super::srp::start(issuer, ctx, params),
        _ => {}
    }
    let user = issuer.read(|c| find_user(c, &ctx.pool, username))?;
    let Some(user) = user else {
        if !ctx.client.prevents_user_existence_errors() {
            return Err(user_not_found());
        }
        let offered = available(&ctx.pool, None);
        return match preferred.filter(|p| offered.contains(p)) {
            Some(p) => otp::decoy_first_factor(issuer, ctx, username, p),
            None => select(
                issuer,
                ctx,
                "",
                Some(ctx.pool.username_key(username)),
                offered,
            ),
        };
    };
    if !user.enabled {
        return Err(Error::not_authorized("User is disabled."));
    }
    let mfa = issuer.read(|c| Ok(mfa_rows::load(c, &user.pool_id, &user.sub)?))?;
    let offered = available(&ctx.pool, Some((&user, &mfa)));
    match preferred.filter(|p| offered.contains(p)) {
        Some(p) => otp::first_factor(issuer, ctx, &user, p),
        None => select(issuer, ctx, &user.sub, None, offered),
    }
}

/// The `ANSWER` of a `SELECT_CHALLENGE` session, checked against the
/// choices it offered.
fn chosen(row: &SessionRow, responses: &BTreeMap<String, String>) -> Result<&'static str> {
    let answer = param(responses, "ANSWER")?;
    let data: Value = serde_json::from_str(&row.data).unwrap_or(Value::Null);
    let offered = data["available"]
        .as_array()
        .is_some_and(|a| a.iter().any(|c| c.as_str() == Some(answer)));
    known(answer).filter(|_| offered).ok_or_else(|| {
        Error::invalid_parameter(format!(
            "{answer} is not one of the AvailableChallenges of this session"
        ))
    })
}

/// Answers `SELECT_CHALLENGE` for `user` (session already checked to be
/// theirs): `PASSWORD` (+`PASSWORD`) and `PASSWORD_SRP` (+`SRP_A`) continue
/// as those flows; `EMAIL_OTP` / `SMS_OTP` send a code. The session is
/// spent by the answer.
pub(super) fn respond(
    issuer: &Issuer,
    ctx: &FlowContext,
    session_hash: &str,
    row: &SessionRow,
    user: User,
    responses: &BTreeMap<String, String>,
) -> Result<Outcome> {
    let answer = chosen(row, responses)?;
    let name = responses
        .get("USERNAME")
        .cloned()
        .unwrap_or_else(|| user.username.clone());
    continue_with(
        issuer,
        ctx,
        session_hash,
        &name,
        answer,
        responses,
        |code| otp::first_factor(issuer, ctx, &user, code),
    )
}

/// Spends the `SELECT_CHALLENGE` session and continues with `answer`:
/// `PASSWORD` and `PASSWORD_SRP` as those flows for `name`, a code factor
/// through `send_code` (a real code for a user, a decoy for a name nobody
/// owns).
fn continue_with(
    issuer: &Issuer,
    ctx: &FlowContext,
    session_hash: &str,
    name: &str,
    answer: &'static str,
    responses: &BTreeMap<String, String>,
    send_code: impl FnOnce(&'static str) -> Result<Outcome>,
) -> Result<Outcome> {
    match answer {
        "PASSWORD" => {
            let pw = param(responses, "PASSWORD")?;
            session::take(issuer, session_hash)?;
            let user = authenticate(issuer, ctx, name, pw)?;
            after_first_factor(issuer, ctx, user)
        }
        "PASSWORD_SRP" => {
            session::take(issuer, session_hash)?;
            super::srp::start(issuer, ctx, &srp_params(name, responses))
        }
        code_challenge => {
            session::take(issuer, session_hash)?;
            send_code(code_challenge)
        }
    }
}

fn srp_params(name: &str, responses: &BTreeMap<String, String>) -> BTreeMap<String, String> {
    let mut p = BTreeMap::from([("USERNAME".to_string(), name.to_string())]);
    for k in ["SRP_A", "SECRET_HASH"] {
        if let Some(v) = responses.get(k) {
            p.insert(k.to_string(), v.clone());
        }
    }
    p
}

/// Answers a challenge of a decoy session (`SELECT_CHALLENGE`, `EMAIL_OTP`,
/// `SMS_OTP` of a name nobody owns) as a user's would be answered: the
/// password factors fail like wrong passwords, the code factors get a
/// decoy code challenge that no code answers.
pub(super) fn respond_unknown(
    issuer: &Issuer,
    ctx: &FlowContext,
    challenge: &str,
    session_hash: &str,
    row: &SessionRow,
    responses: &BTreeMap<String, String>,
) -> Result<Outcome> {
    let data: Value = serde_json::from_str(&row.data).unwrap_or(Value::Null);
    let name = data["decoy_name"].as_str().unwrap_or_default().to_string();
    let given = responses.get("USERNAME").map(String::as_str);
    if given.is_some_and(|u| ctx.pool.username_key(u) != name) {
        return Err(Error::not_authorized("Invalid session for the user."));
    }
    let name = given.map(str::to_string).unwrap_or(name);
    check_secret_hash(
        &ctx.client,
        &[name.as_str()],
        responses.get("SECRET_HASH").map(String::as_str),
    )?;
    match challenge {
        "SELECT_CHALLENGE" => {
            let answer = chosen(row, responses)?;
            continue_with(
                issuer,
                ctx,
                session_hash,
                &name,
                answer,
                responses,
                |code| otp::decoy_first_factor(issuer, ctx, &name, code),
            )
        }
        "EMAIL_OTP" | "SMS_OTP" => {
            otp::answer_decoy(issuer, ctx, challenge, session_hash, &name, responses)
        }
        _ => Err(super::session_expired()),
    }
}
