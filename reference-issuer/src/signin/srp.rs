//! `USER_SRP_AUTH` (InitiateAuth / AdminInitiateAuth) and its
//! `PASSWORD_VERIFIER` challenge (RespondToAuthChallenge /
//! AdminRespondToAuthChallenge), with Cognito's SRP-6a variant
//! ([`crate::srp`]).
//!
//! The `SECRET_BLOCK` is a random server-side reference to the pending
//! challenge (kept in memory, single use, expiring after
//! [`SESSION_TTL`]); replays and timestamps more than
//! [`srp::TIMESTAMP_SKEW`] seconds from the server clock are refused.

use std::collections::BTreeMap;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

use super::lockout::{self, Subject};
use super::password::after_first_factor;
use super::secret_hash::check_secret_hash;
use super::session::SESSION_TTL;
use super::srp_pending::Pending;
use super::{Challenge, FlowContext, Outcome, incorrect, param, session_expired};
use crate::directory::credentials::load_verifier;
use crate::directory::lookup::{find_user, user_not_found};
use crate::error::{Error, Result};
use crate::ids;
use crate::issuer::Issuer;
use crate::srp::{self, ServerEphemeral, Verifier};
use crate::store::users as user_rows;

fn random_password() -> String {
    ids::opaque_token(32)
}

/// Starts `USER_SRP_AUTH`: answers `PASSWORD_VERIFIER` with `SALT`,
/// `SRP_B`, `SECRET_BLOCK`, `USERNAME` and `USER_ID_FOR_SRP`.
pub(super) fn start(
    issuer: &Issuer,
    ctx: &FlowContext,
    params: &BTreeMap<String, String>,
) -> Result<Outcome> {
    let username = param(params, "USERNAME")?;
    let srp_a = param(params, "SRP_A")?;
    check_secret_hash(
        &ctx.client,
        &[username],
        params.get("SECRET_HASH").map(String::as_str),
    )?;
    let a = srp::parse_a(srp_a)
        .ok_or_else(|| Error::invalid_parameter("SRP_A is not a valid SRP value"))?;
    let found = issuer.read(|c| {
        let Some(user) = find_user(c, &ctx.pool, username)? else {
            return Ok(None);
        };
        let ver = load_verifier(c, &user)?;
        Ok(Some((user, ver)))
    })?;
    let (sub, user_id, ver) = match found {
        None => {
            if !ctx.client.prevents_user_existence_errors() {
                return Err(user_not_found());
            }
            // Locked out like a user would be.
            let name = ctx.pool.username_key(username);
            lockout::reserve(issuer, &ctx.pool.id, Subject::Unknown(&name))?;
            // A decoy challenge: indistinguishable on the wire, fails at the
            // proof.
            let v = Verifier::derive(&ctx.pool.id, username, &random_password());
            (None, username.to_string(), v)
        }
        Some((user, ver)) => {
            lockout::reserve(issuer, &ctx.pool.id, Subject::User(&user.sub))?;
            if !user.enabled {
                return Err(Error::not_authorized("User is disabled."));
            }
            match ver {
                Some(v) => (Some(user.sub), user.username, v),
                // No verifier for the current password (set by a path that
                // predates SRP): fail closed at the proof.
                None => {
                    let v = Verifier::derive(&ctx.pool.id, &user.username, &random_password());
                    (None, user.username, v)
                }
            }
        }
    };
    let eph = ServerEphemeral::generate(&ver.v);
    let now = ids::now();
    let big_b = format!("{:x}", eph.big_b);
    let salt = format!("{:x}", ver.salt);
    let block = issuer
        .srp
        .insert(Pending {
            pool_id: ctx.pool.id.clone(),
            client_id: ctx.client.client_id.clone(),
            sub,
            user_id: user_id.clone(),
            a,
            eph,
            v: ver.v,
            expires_at: now + SESSION_TTL,
        })
        .ok_or_else(|| Error::too_many_requests("Too many pending SRP challenges"))?;
    Ok(Outcome::Challenge(Challenge {
        name: "PASSWORD_VERIFIER",
        session: None,
        parameters: BTreeMap::from([
            ("SALT".to_string(), salt),
            ("SECRET_BLOCK".to_string(), STANDARD.encode(&block)),
            ("SRP_B".to_string(), big_b),
            ("USERNAME".to_string(), user_id.clone()),
            ("USER_ID_FOR_SRP".to_string(), user_id),
        ]),
    }))
}

/// Answers a `PASSWORD_VERIFIER` challenge: checks the
/// `PASSWORD_CLAIM_SIGNATURE` over the pool name, `USER_ID_FOR_SRP`, the
/// secret block and `TIMESTAMP`, then continues like a password sign-in
/// (NEW_PASSWORD_REQUIRED, MFA or tokens).
pub(super) fn respond(
    issuer: &Issuer,
    ctx: &FlowContext,
    responses: &BTreeMap<String, String>,
) -> Result<Outcome> {
    let username = param(responses, "USERNAME")?;
    let block_b64 = param(responses, "PASSWORD_CLAIM_SECRET_BLOCK")?;
    let sig_b64 = param(responses, "PASSWORD_CLAIM_SIGNATURE")?;
    let timestamp = param(responses, "TIMESTAMP")?;
    let block = STANDARD
        .decode(block_b64)
        .map_err(|_| Error::invalid_parameter("PASSWORD_CLAIM_SECRET_BLOCK is not base64"))?;
    let sig = STANDARD
        .decode(sig_b64)
        .map_err(|_| Error::invalid_parameter("PASSWORD_CLAIM_SIGNATURE is not base64"))?;
    let ts = srp::parse_timestamp(timestamp).ok_or_else(|| {
        Error::invalid_parameter("TIMESTAMP must be formatted as EEE MMM d HH:mm:ss 'UTC' yyyy")
    })?;
    // Single use: taken before anything can fail.
    let pending = issuer.srp.take(&block).ok_or_else(session_expired)?;
    let now = ids::now();
    if pending.expires_at <= now
        || pending.pool_id != ctx.pool.id
        || pending.client_id != ctx.client.client_id
    {
        return Err(session_expired());
    }
    let mut names = vec![pending.user_id.as_str(), username];
    let user = match &pending.sub {
        Some(sub) => issuer.read(|c| Ok(user_rows::get_user_by_sub(c, &ctx.pool.id, sub)?))?,
        None => None,
    };
    if let Some(u) = &user {
        names.push(u.sub.as_str());
    }
    check_secret_hash(
        &ctx.client,
        &names,
        responses.get("SECRET_HASH").map(String::as_str),
    )?;
    if (ts - now).abs() > srp::TIMESTAMP_SKEW {
        return Err(Error::not_authorized(
            "TIMESTAMP is too far from the server time.",
        ));
    }
    let Some(user) = user else {
        // A decoy challenge: counted like a wrong proof of a user.
        let name = ctx.pool.username_key(&pending.user_id);
        lockout::reserve(issuer, &ctx.pool.id, Subject::Unknown(&name))?.failed();
        return Err(incorrect());
    };
    if username != pending.user_id {
        let same = issuer
            .read(|c| find_user(c, &ctx.pool, username))?
            .is_some_and(|u| u.sub == user.sub);
        if !same {
            return Err(Error::not_authorized("Invalid session for the user."));
        }
    }
    let attempt = lockout::reserve(issuer, &ctx.pool.id, Subject::User(&user.sub))?;
    if !user.enabled {
        return Err(Error::not_authorized("User is disabled."));
    }
    let key = srp::server_key(&pending.a, &pending.eph, &pending.v);
    let proven = key.is_some_and(|k| {
        srp::verify_signature(&k, &ctx.pool.id, &pending.user_id, &block, timestamp, &sig)
    });
    // The password may have changed since the challenge was issued.
    let current = issuer
        .read(|c| load_verifier(c, &user))?
        .is_some_and(|v| v.v == pending.v);
    if !proven || !current {
        attempt.failed();
        return Err(incorrect());
    }
    attempt.passed();
    after_first_factor(issuer, ctx, user)
}
