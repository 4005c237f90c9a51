//! `USER_SRP_AUTH` (InitiateAuth / AdminInitiateAuth) and its
//! `PASSWORD_VERIFIER` challenge (RespondToAuthChallenge /
//! AdminRespondToAuthChallenge), with Cognito's SRP-6a variant
//! ([`crate::srp`]).
//!
//! The `SECRET_BLOCK` carries the pending challenge sealed with a key only
//! this run of the server holds ([`super::srp_pending`]): starts cost no
//! server memory. A block expires after [`SESSION_TTL`] and produces at
//! most one sign-in; timestamps more than [`srp::TIMESTAMP_SKEW`] seconds
//! from the server clock are refused.

use std::collections::BTreeMap;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

use super::lockout::{self, Subject};
use super::password::after_first_factor;
use super::secret_hash::check_secret_hash;
use super::session::SESSION_TTL;
use super::srp_decoy;
use super::srp_pending::{Pending, Refused};
use super::{Challenge, FlowContext, Outcome, incorrect, param, session_expired};
use crate::directory::credentials::load_verifier;
use crate::directory::lookup::{find_user, user_not_found};
use crate::error::{Error, Result};
use crate::ids;
use crate::issuer::Issuer;
use crate::srp::{self, ServerEphemeral};
use crate::store::users as user_rows;
use num_bigint::BigUint;

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
    let (sub, unknown_key, user_id, ver) = match found {
        None => {
            if !ctx.client.prevents_user_existence_errors() {
                return Err(user_not_found());
            }
            // Locked out like a user would be.
            let key = lockout::unknown_key(&ctx.pool, username);
            lockout::reserve(issuer, &ctx.pool.id, Subject::Unknown(&key))?;
            // A decoy challenge: the same shape as a real one, stable per
            // name, failing at the proof.
            let user_id = srp_decoy::user_id(issuer, &ctx.pool, username)?;
            let v = srp_decoy::verifier(issuer, &ctx.pool.id, &user_id)?;
            (None, key, user_id, v)
        }
        Some((user, ver)) => {
            lockout::reserve(issuer, &ctx.pool.id, Subject::User(&user.sub))?;
            if !user.enabled {
                return Err(Error::not_authorized("User is disabled."));
            }
            super::password::pre_authentication(issuer, ctx, &user)?;
            match ver {
                Some(v) => (Some(user.sub), String::new(), user.username, v),
                // No verifier for the current password (set by a path that
                // predates SRP): fail closed at the proof.
                None => {
                    let v = srp_decoy::verifier(issuer, &ctx.pool.id, &user.username)?;
                    let key = lockout::unknown_key(&ctx.pool, &user.username);
                    (None, key, user.username, v)
                }
            }
        }
    };
    let eph = ServerEphemeral::generate(&ver.v);
    let now = ids::now();
    let big_b = format!("{:x}", eph.big_b);
    let salt = format!("{:x}", ver.salt);
    let pending = Pending {
        sub,
        unknown_key,
        user_id: user_id.clone(),
        a,
        eph,
        v_hash: verifier_hash(&ver.v),
        issued_at: now,
        expires_at: now + SESSION_TTL,
    };
    let block = issuer
        .srp
        .seal(&ctx.pool.id, &ctx.client.client_id, &pending);
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
    let claim = Claim::parse(responses)?;
    let pending = claim.open(issuer, ctx)?;
    let (block, sig, timestamp) = (&claim.block, &claim.signature, claim.timestamp);
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
    claim.check_time()?;
    let Some(user) = user else {
        // The same work as checking a real proof, so timing does not tell
        // a decoy challenge; counted like a wrong proof of a user.
        let attempt =
            lockout::reserve(issuer, &ctx.pool.id, Subject::Unknown(&pending.unknown_key))?;
        let v = srp_decoy::verifier(issuer, &ctx.pool.id, &pending.user_id)?.v;
        let _ = srp::server_key(&pending.a, &pending.eph, &v);
        attempt.failed();
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
    // The password may have changed since the challenge was issued: then
    // the proof is checked against a decoy and fails.
    let current = issuer
        .read(|c| load_verifier(c, &user))?
        .filter(|v| verifier_hash(&v.v) == pending.v_hash);
    let v = match current {
        Some(v) => v.v,
        None => srp_decoy::verifier(issuer, &ctx.pool.id, &pending.user_id)?.v,
    };
    let key = srp::server_key(&pending.a, &pending.eph, &v);
    let proven = key.is_some_and(|k| {
        srp::verify_signature(&k, &ctx.pool.id, &pending.user_id, block, timestamp, sig)
    });
    if !proven {
        attempt.failed();
        return Err(incorrect());
    }
    // One sign-in per block: a replayed (or concurrent) answer is refused.
    issuer
        .srp
        .mark_used(block, pending.expires_at)
        .map_err(|e| match e {
            Refused::Full => Error::too_many_requests("Too many SRP sign-ins in progress"),
            Refused::Invalid | Refused::Replayed => session_expired(),
        })?;
    attempt.passed();
    after_first_factor(issuer, ctx, user)
}

fn verifier_hash(v: &BigUint) -> [u8; 32] {
    srp::sha256(&[&v.to_bytes_be()])
}

/// A client's answer to a password-verifier challenge (the user's
/// `PASSWORD_VERIFIER` or a device's `DEVICE_PASSWORD_VERIFIER`): the
/// sealed `PASSWORD_CLAIM_SECRET_BLOCK`, the `PASSWORD_CLAIM_SIGNATURE` and
/// the `TIMESTAMP` it signs.
pub(super) struct Claim<'r> {
    /// The decoded secret block.
    pub(super) block: Vec<u8>,
    /// The decoded signature.
    pub(super) signature: Vec<u8>,
    /// `TIMESTAMP` as sent (the signature covers the text).
    pub(super) timestamp: &'r str,
    at: i64,
}

impl<'r> Claim<'r> {
    /// Decodes the three parameters; malformed ones are invalid parameters.
    pub(super) fn parse(responses: &'r BTreeMap<String, String>) -> Result<Self> {
        let decode = |name: &str| {
            STANDARD
                .decode(param(responses, name)?)
                .map_err(|_| Error::invalid_parameter(format!("{name} is not base64")))
        };
        let block = decode("PASSWORD_CLAIM_SECRET_BLOCK")?;
        let signature = decode("PASSWORD_CLAIM_SIGNATURE")?;
        let timestamp = param(responses, "TIMESTAMP")?;
        let at = srp::parse_timestamp(timestamp).ok_or_else(|| {
            Error::invalid_parameter("TIMESTAMP must be formatted as EEE MMM d HH:mm:ss 'UTC' yyyy")
        })?;
        Ok(Self {
            block,
            signature,
            timestamp,
            at,
        })
    }

    /// The challenge sealed into the block, for this pool and client only.
    pub(super) fn open(&self, issuer: &Issuer, ctx: &FlowContext) -> Result<Pending> {
        issuer
            .srp
            .open(&ctx.pool.id, &ctx.client.client_id, &self.block)
            .map_err(|_| session_expired())
    }

    /// Refuses a `TIMESTAMP` too far from the server's clock.
    pub(super) fn check_time(&self) -> Result<()> {
        if (self.at - ids::now()).abs() > srp::TIMESTAMP_SKEW {
            return Err(Error::not_authorized(
                "TIMESTAMP is too far from the server time.",
            ));
        }
        Ok(())
    }
}
