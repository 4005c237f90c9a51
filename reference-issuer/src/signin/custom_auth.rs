//! `CUSTOM_AUTH`: sign-in driven by the pool's custom authentication
//! challenge triggers. `DefineAuthChallenge` sees the `session` array of
//! the challenges so far and decides (tokens, failure, or another
//! `CUSTOM_CHALLENGE`); `CreateAuthChallenge` makes each challenge, whose
//! private parameters stay in the challenge session row (server-side, with
//! the rounds so far); `VerifyAuthChallengeResponse` judges each `ANSWER`.
//!
//! Every answer is a guess at a secret, so it spends a reserved sign-in
//! attempt ([`super::lockout`]): wrong answers count against the user's
//! budget across sessions, retries and restarts, and a locked-out user is
//! refused before any trigger fires. A session holds at most
//! [`MAX_ROUNDS`] challenges. Sessions are single use and expire like every
//! challenge session ([`super::session`]).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::lockout::{self, Subject};
use super::secret_hash::check_secret_hash;
use super::{
    Challenge, FlowContext, Outcome, incorrect, names_user, param, session, session_expired,
};
use crate::directory::lookup::{find_user, user_not_found};
use crate::error::{Error, Result};
use crate::issuer::Issuer;
use crate::model::{User, UserStatus};
use crate::store::sessions::SessionRow;
use crate::store::users as user_rows;
use crate::triggers::TriggerError;
use crate::triggers::TriggerKind;
use crate::triggers::custom_auth::{self as triggers, ChallengeResult};

/// The one challenge name of the flow.
pub(crate) const CHALLENGE: &str = "CUSTOM_CHALLENGE";

/// Most challenges one sign-in may present (AWS documents no number; the
/// lockout bounds wrong answers well before this).
pub(crate) const MAX_ROUNDS: usize = 10;

/// What a custom challenge session keeps between requests.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct State {
    /// The `session` array so far.
    rounds: Vec<ChallengeResult>,
    /// The open challenge's `privateChallengeParameters`.
    private: BTreeMap<String, String>,
    /// The open challenge's `challengeMetadata`.
    metadata: Option<String>,
    /// The triggers' `userName` (the username, or the name given when
    /// nobody holds it).
    name: String,
}

fn not_configured() -> Error {
    Error::invalid_parameter("Custom auth lambda trigger is not configured for the user pool.")
}

/// Starts `CUSTOM_AUTH` (`USERNAME`, `SECRET_HASH` for clients with a
/// secret). Without a define auth challenge trigger the flow is refused
/// as AWS refuses it.
pub(super) fn start(
    issuer: &Issuer,
    ctx: &FlowContext,
    params: &BTreeMap<String, String>,
) -> Result<Outcome> {
    if params.get("CHALLENGE_NAME").is_some_and(|c| c == "SRP_A") {
        return Err(Error::invalid_parameter(
            "CUSTOM_AUTH with CHALLENGE_NAME SRP_A (SRP before the custom challenges) \
             is not supported by this issuer",
        ));
    }
    let username = param(params, "USERNAME")?;
    check_secret_hash(
        &ctx.client,
        &[username],
        params.get("SECRET_HASH").map(String::as_str),
    )?;
    let configured = ctx
        .pool
        .lambda_config
        .as_ref()
        .is_some_and(|c| c.define_auth_challenge.is_some());
    if !configured {
        return Err(not_configured());
    }
    let user = issuer.read(|c| find_user(c, &ctx.pool, username))?;
    let key = lockout::unknown_key(&ctx.pool, username);
    let subject = match &user {
        Some(u) if !u.enabled => return Err(Error::not_authorized("User is disabled.")),
        Some(u) => Subject::User(&u.sub),
        None if ctx.client.prevents_user_existence_errors() => Subject::Unknown(&key),
        None => return Err(user_not_found()),
    };
    // A locked-out user starts nothing (the reservation goes back uncounted).
    drop(lockout::reserve(issuer, &ctx.pool.id, subject)?);
    if let Some(u) = &user {
        super::password::pre_authentication(issuer, ctx, u)?;
    }
    // InitiateAuth's ClientMetadata reaches pre authentication only, as AWS
    // documents; the challenge triggers get RespondToAuthChallenge's.
    let ctx = &ctx.clone().with_metadata(None);
    let name = user.as_ref().map_or(username, |u| u.username.as_str());
    round(issuer, ctx, user.as_ref(), name, Vec::new())
}

/// One round: `DefineAuthChallenge` decides on the `rounds` so far; a new
/// challenge is made by `CreateAuthChallenge` and kept in a fresh session.
fn round(
    issuer: &Issuer,
    ctx: &FlowContext,
    user: Option<&User>,
    name: &str,
    rounds: Vec<ChallengeResult>,
) -> Result<Outcome> {
    let who = triggers::Subject {
        pool_id: &ctx.pool.id,
        user_name: name,
        user,
    };
    let caller = ctx.caller();
    let defined = triggers::define(issuer, who, &rounds, caller)?.ok_or_else(not_configured)?;
    if defined.fail {
        return Err(incorrect());
    }
    if defined.issue_tokens {
        // A name nobody holds never signs in, whatever the trigger says.
        let Some(user) = user else {
            return Err(incorrect());
        };
        if user.status == UserStatus::Unconfirmed {
            return Err(Error::user_not_confirmed("User is not confirmed."));
        }
        return super::complete(issuer, ctx, user);
    }
    match defined.challenge_name.as_deref() {
        Some(CHALLENGE) => {}
        Some(other) => {
            return Err(Error::invalid_parameter(format!(
                "Challenge {other} in CUSTOM_AUTH is not supported by this issuer \
                 (only CUSTOM_CHALLENGE)"
            )));
        }
        None => {
            return Err(TriggerError::Unrecognizable {
                kind: TriggerKind::DefineAuthChallenge,
            }
            .into());
        }
    }
    if rounds.len() >= MAX_ROUNDS {
        return Err(incorrect());
    }
    let created =
        triggers::create(issuer, who, CHALLENGE, &rounds, caller)?.ok_or_else(not_configured)?;
    let state = State {
        rounds,
        private: created.private,
        metadata: created.metadata,
        name: name.to_string(),
    };
    let sub = user.map_or("", |u| u.sub.as_str());
    let session = session::create_for(issuer, ctx, sub, CHALLENGE, json!({ "custom": state }))?;
    let mut parameters = created.public;
    parameters.insert("USERNAME".to_string(), name.to_string());
    Ok(Outcome::Challenge(Challenge {
        name: CHALLENGE,
        session: Some(session),
        parameters,
    }))
}

/// Answers `CUSTOM_CHALLENGE` (`ANSWER`, optional `USERNAME`,
/// `SECRET_HASH`) for the session `session_hash` (already checked to be
/// live, of this client and of this challenge).
pub(super) fn respond(
    issuer: &Issuer,
    ctx: &FlowContext,
    session_hash: &str,
    row: &SessionRow,
    responses: &BTreeMap<String, String>,
) -> Result<Outcome> {
    let state: State = serde_json::from_str::<Value>(&row.data)
        .ok()
        .and_then(|d| serde_json::from_value(d.get("custom")?.clone()).ok())
        .ok_or_else(session_expired)?;
    let carried = super::device::carried(ctx, &row.data);
    let ctx = carried.as_ref().unwrap_or(ctx);
    let user = match row.sub.as_str() {
        "" => None,
        sub => Some(
            issuer
                .read(|c| Ok(user_rows::get_user_by_sub(c, &ctx.pool.id, sub)?))?
                .ok_or_else(user_not_found)?,
        ),
    };
    let given = responses.get("USERNAME").map(String::as_str);
    let same_name = |n: &str| match &user {
        Some(u) => names_user(&ctx.pool, u, n),
        None => ctx.pool.username_key(n) == ctx.pool.username_key(&state.name),
    };
    if given.is_some_and(|n| !same_name(n)) {
        return Err(Error::not_authorized("Invalid session for the user."));
    }
    let mut names = vec![state.name.as_str()];
    names.extend(user.as_ref().map(|u| u.sub.as_str()));
    names.extend(given);
    check_secret_hash(
        &ctx.client,
        &names,
        responses.get("SECRET_HASH").map(String::as_str),
    )?;
    let answer = param(responses, "ANSWER")?;
    let key = lockout::unknown_key(&ctx.pool, &state.name);
    let subject = match &user {
        Some(u) => Subject::User(&u.sub),
        None => Subject::Unknown(&key),
    };
    let attempt = lockout::reserve(issuer, &ctx.pool.id, subject)?;
    // Single use: of concurrent answers to one session, one is judged.
    session::take(issuer, session_hash)?;
    let who = triggers::Subject {
        pool_id: &ctx.pool.id,
        user_name: &state.name,
        user: user.as_ref(),
    };
    let correct = triggers::verify(issuer, who, &state.private, answer, ctx.caller())?
        .ok_or_else(not_configured)?;
    if correct {
        attempt.passed();
    } else {
        attempt.failed();
    }
    let mut rounds = state.rounds;
    rounds.push(ChallengeResult {
        challenge_name: CHALLENGE.to_string(),
        challenge_result: correct,
        challenge_metadata: state.metadata,
    });
    round(issuer, ctx, user.as_ref(), &state.name, rounds)
}
