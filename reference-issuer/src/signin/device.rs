//! Remembered devices in a sign-in.
//!
//! * After the first factor, a `DEVICE_KEY` naming a remembered device of
//!   the user (in a pool with a `DeviceConfiguration`) leads to
//!   `DEVICE_SRP_AUTH`; the client answers `SRP_A` and gets
//!   `DEVICE_PASSWORD_VERIFIER` (`SRP_B`, `SALT`, `SECRET_BLOCK`), then
//!   proves the device secret with Cognito's SRP where the device group key
//!   stands for the pool name and the device key for the user
//!   ([`crate::srp::client_key_in`]). A proven remembered device skips MFA
//!   when `ChallengeRequiredOnNewDevice` is true; new or not-remembered
//!   devices get the usual MFA. An unknown key: `Device does not exist.`
//! * Tokens ([`for_tokens`], [`record`]): a known device's key goes into the
//!   access token (`device_key`) and the sign-in is bound to it; without
//!   one, a new device is issued (`NewDeviceMetadata`).
//! * `REFRESH_TOKEN_AUTH` of a bound sign-in needs that device's key, and
//!   the device must still exist ([`check_refresh`]).
//!
//! The server's SRP state travels sealed in the `SECRET_BLOCK` as for
//! `USER_SRP_AUTH` ([`super::srp_pending`]); the steps also have sessions,
//! each good for one answer.

use std::collections::BTreeMap;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Value, json};

use super::lockout::{self, Subject};
use super::session::SESSION_TTL;
use super::srp_pending::{Pending, Refused};
use super::{Challenge, FlowContext, Outcome, incorrect, param, session, session_expired};
use crate::directory::devices::{device_not_found, new_device, store_new};
use crate::error::{Error, Result};
use crate::ids;
use crate::issuer::Issuer;
use crate::model::{Device, User};
use crate::srp::{self, ServerEphemeral};
use crate::store::Conn as Connection;
use crate::store::devices as device_rows;
use crate::triggers::pre_token::TokenSource;

/// `NewDeviceMetadata` of a sign-in that issued a device.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct NewDeviceMetadata {
    /// `DeviceKey`.
    pub device_key: String,
    /// `DeviceGroupKey`.
    pub device_group_key: String,
}

/// The device of a completed sign-in: a known one, or a new one to store.
#[derive(Debug, Clone)]
pub(crate) enum DeviceGrant {
    /// A device of the user named by the client's `DEVICE_KEY`.
    Known(String),
    /// A device issued by this sign-in (stored by [`record`]).
    New(Device),
}

impl DeviceGrant {
    /// The access token's `device_key`.
    pub(crate) fn key(&self) -> &str {
        match self {
            Self::Known(k) => k,
            Self::New(d) => &d.key,
        }
    }

    /// `NewDeviceMetadata` for the result, when a device was issued.
    pub(crate) fn metadata(&self) -> Option<NewDeviceMetadata> {
        match self {
            Self::Known(_) => None,
            Self::New(d) => Some(NewDeviceMetadata {
                device_key: d.key.clone(),
                device_group_key: d.group_key.clone(),
            }),
        }
    }
}

/// The device key a challenge session carries (the sign-in's `DEVICE_KEY`).
pub(crate) fn key_in_session(data: &str) -> Option<String> {
    serde_json::from_str::<Value>(data)
        .ok()?
        .get("device_key")?
        .as_str()
        .map(str::to_string)
}

/// Adds the sign-in's device key to a new challenge session's data.
pub(crate) fn carry_into(ctx: &FlowContext, data: &mut Value) {
    if let (Some(k), Some(o)) = (&ctx.device_key, data.as_object_mut()) {
        o.entry("device_key").or_insert_with(|| k.clone().into());
    }
}

/// The context of a challenge answer with the device key its session
/// carries (it wins over one sent with the answer); `None` when unchanged.
pub(crate) fn carried(ctx: &FlowContext, session_data: &str) -> Option<FlowContext> {
    let key = key_in_session(session_data)?;
    (ctx.device_key.as_deref() != Some(key.as_str())).then(|| ctx.with_device_key(Some(key)))
}

fn load(issuer: &Issuer, user: &User, key: &str) -> Result<Option<Device>> {
    issuer.read(|c| Ok(device_rows::get_device(c, &user.pool_id, &user.sub, key)?))
}

/// After the first factor of a confirmed user: `DEVICE_SRP_AUTH` for a
/// remembered device, `Device does not exist.` for an unknown key, else
/// the second factor.
pub(crate) fn after_first_factor(
    issuer: &Issuer,
    ctx: &FlowContext,
    user: &User,
) -> Result<Outcome> {
    let (Some(_), Some(key)) = (ctx.pool.devices(), ctx.device_key.as_deref()) else {
        return super::mfa::second_factor(issuer, ctx, user);
    };
    let device = load(issuer, user, key)?.ok_or_else(device_not_found)?;
    if !device.remembered() {
        return super::mfa::second_factor(issuer, ctx, user);
    }
    let session = session::create(issuer, ctx, user, "DEVICE_SRP_AUTH", json!({}))?;
    Ok(Outcome::Challenge(Challenge {
        name: "DEVICE_SRP_AUTH",
        session: Some(session),
        parameters: BTreeMap::from([("USERNAME".to_string(), user.username.clone())]),
    }))
}

/// The `DEVICE_KEY` of an answer, which must be the session's.
fn session_device<'a>(
    ctx: &'a FlowContext,
    responses: &BTreeMap<String, String>,
) -> Result<&'a str> {
    let given = param(responses, "DEVICE_KEY")?;
    match ctx.device_key.as_deref() {
        Some(k) if k == given => Ok(k),
        _ => Err(Error::not_authorized(
            "Invalid device key for this session.",
        )),
    }
}

/// Answers `DEVICE_SRP_AUTH` and `DEVICE_PASSWORD_VERIFIER` for the session
/// `session_hash` (already checked to belong to `user`, this client and
/// `challenge`; `ctx` carries the session's device key).
pub(crate) fn respond(
    issuer: &Issuer,
    ctx: &FlowContext,
    challenge: &str,
    session_hash: &str,
    user: User,
    responses: &BTreeMap<String, String>,
) -> Result<Outcome> {
    let key = session_device(ctx, responses)?;
    if challenge == "DEVICE_SRP_AUTH" {
        start_proof(issuer, ctx, session_hash, &user, key, responses)
    } else {
        check_proof(issuer, ctx, session_hash, user, key, responses)
    }
}

fn start_proof(
    issuer: &Issuer,
    ctx: &FlowContext,
    session_hash: &str,
    user: &User,
    key: &str,
    responses: &BTreeMap<String, String>,
) -> Result<Outcome> {
    let a = srp::parse_a(param(responses, "SRP_A")?)
        .ok_or_else(|| Error::invalid_parameter("SRP_A is not a valid SRP value"))?;
    session::take(issuer, session_hash)?;
    let device = load(issuer, user, key)?.ok_or_else(device_not_found)?;
    let Some((salt, v)) = device.verifier.clone().filter(|_| device.remembered()) else {
        return Err(Error::not_authorized("Device is not remembered."));
    };
    let eph = ServerEphemeral::generate(&v);
    let now = ids::now();
    let big_b = format!("{:x}", eph.big_b);
    let pending = Pending {
        sub: Some(user.sub.clone()),
        unknown_key: String::new(),
        user_id: key.to_string(),
        a,
        eph,
        v_hash: srp::sha256(&[&v.to_bytes_be()]),
        issued_at: now,
        expires_at: now + SESSION_TTL,
    };
    let block = issuer
        .srp
        .seal(&ctx.pool.id, &ctx.client.client_id, &pending);
    let session = session::create(issuer, ctx, user, "DEVICE_PASSWORD_VERIFIER", json!({}))?;
    Ok(Outcome::Challenge(Challenge {
        name: "DEVICE_PASSWORD_VERIFIER",
        session: Some(session),
        parameters: BTreeMap::from([
            ("DEVICE_KEY".to_string(), key.to_string()),
            ("SALT".to_string(), format!("{salt:x}")),
            ("SECRET_BLOCK".to_string(), STANDARD.encode(&block)),
            ("SRP_B".to_string(), big_b),
            ("USERNAME".to_string(), user.username.clone()),
        ]),
    }))
}

fn check_proof(
    issuer: &Issuer,
    ctx: &FlowContext,
    session_hash: &str,
    user: User,
    key: &str,
    responses: &BTreeMap<String, String>,
) -> Result<Outcome> {
    let claim = super::srp::Claim::parse(responses)?;
    let pending = claim.open(issuer, ctx)?;
    let (block, sig, timestamp) = (&claim.block, &claim.signature, claim.timestamp);
    if pending.sub.as_deref() != Some(user.sub.as_str()) || pending.user_id != key {
        return Err(session_expired());
    }
    claim.check_time()?;
    let attempt = lockout::reserve(issuer, &ctx.pool.id, Subject::User(&user.sub))?;
    // One answer per session, right or wrong.
    session::take(issuer, session_hash)?;
    let device = load(issuer, &user, key)?.ok_or_else(device_not_found)?;
    // A verifier replaced since the challenge (forgotten and confirmed
    // again cannot happen: keys are never reissued) fails the proof.
    let proven = device
        .verifier
        .as_ref()
        .filter(|(_, v)| device.remembered() && srp::sha256(&[&v.to_bytes_be()]) == pending.v_hash)
        .and_then(|(_, v)| srp::server_key(&pending.a, &pending.eph, v))
        .is_some_and(|k| {
            srp::verify_signature_in(&k, &device.group_key, key, block, timestamp, sig)
        });
    if !proven {
        attempt.failed();
        return Err(incorrect());
    }
    issuer
        .srp
        .mark_used(block, pending.expires_at)
        .map_err(|e| match e {
            Refused::Full => Error::too_many_requests("Too many SRP sign-ins in progress"),
            Refused::Invalid | Refused::Replayed => session_expired(),
        })?;
    attempt.passed();
    // Tokens minted now (no MFA after the device) come from the device's
    // authentication.
    let ctx = ctx.with_token_source(TokenSource::AuthenticateDevice);
    if ctx.pool.devices().is_some_and(|c| c.replaces_mfa()) {
        super::complete(issuer, &ctx, &user)
    } else {
        super::mfa::second_factor(issuer, &ctx, &user)
    }
}

/// The device a completed sign-in's tokens name, in a pool that tracks
/// devices: the client's `DEVICE_KEY` when it names a device of the user,
/// else a new device.
pub(crate) fn for_tokens(
    issuer: &Issuer,
    ctx: &FlowContext,
    user: &User,
) -> Result<Option<DeviceGrant>> {
    if ctx.pool.devices().is_none() {
        return Ok(None);
    }
    issuer.read(|c| {
        if let Some(k) = &ctx.device_key
            && device_rows::get_device(c, &user.pool_id, &user.sub, k)?.is_some()
        {
            return Ok(Some(DeviceGrant::Known(k.clone())));
        }
        Ok(Some(DeviceGrant::New(new_device(
            c,
            &user.pool_id,
            &user.sub,
        )?)))
    })
}

/// Stores what a completed sign-in did to its device (in the transaction
/// that stores its refresh token): a new device is stored, a known one
/// gets its last authentication date, and the sign-in is bound to it.
pub(crate) fn record(
    tx: &Connection,
    user: &User,
    origin_jti: &str,
    grant: &DeviceGrant,
) -> Result<()> {
    match grant {
        DeviceGrant::New(d) => store_new(tx, d)?,
        DeviceGrant::Known(k) => {
            if let Some(mut d) = device_rows::get_device(tx, &user.pool_id, &user.sub, k)? {
                d.last_authenticated_at = Some(ids::now_f64());
                device_rows::put_device(tx, &d)?;
            }
        }
    }
    device_rows::bind_sign_in(tx, origin_jti, &user.pool_id, &user.sub, grant.key())?;
    Ok(())
}

/// Refreshing the tokens of sign-in `origin_jti` of user `sub` with the
/// client's device key `presented` (`DEVICE_KEY` / `DeviceKey`): a sign-in
/// bound to a device needs that device's key, and the device must still
/// exist (a forgotten device's refresh tokens stop working), else
/// `NotAuthorizedException: Invalid Refresh Token`. Returns the
/// `device_key` the refreshed access token carries.
pub(crate) fn check_refresh(
    issuer: &Issuer,
    pool_id: &str,
    sub: &str,
    origin_jti: &str,
    presented: Option<&str>,
) -> Result<Option<String>> {
    let invalid = || Error::not_authorized("Invalid Refresh Token");
    issuer.read(|c| {
        let Some(bound) = device_rows::bound_device(c, origin_jti)? else {
            return Ok(None);
        };
        if presented != Some(bound.as_str())
            || device_rows::get_device(c, pool_id, sub, &bound)?.is_none()
        {
            return Err(invalid());
        }
        Ok(Some(bound))
    })
}
