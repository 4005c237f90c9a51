//! `USER_PASSWORD_AUTH` / `ADMIN_USER_PASSWORD_AUTH`: the password check
//! with lockout and PreventUserExistenceErrors, and what follows a proven
//! first factor.

use std::collections::BTreeMap;

use serde_json::json;

use super::lockout::{self, Subject};
use super::secret_hash::check_secret_hash;
use super::{Challenge, FlowContext, Outcome, incorrect, param, session};
use crate::directory::lookup::{find_user, user_not_found};
use crate::directory::migration;
use crate::directory::password;
use crate::error::{Error, Result};
use crate::ids;
use crate::issuer::Issuer;
use crate::model::{User, UserStatus};
use crate::triggers::calls::{self, Caller};

/// Starts a password sign-in.
pub(super) fn start(
    issuer: &Issuer,
    ctx: &FlowContext,
    params: &BTreeMap<String, String>,
) -> Result<Outcome> {
    let username = param(params, "USERNAME")?;
    let pw = param(params, "PASSWORD")?;
    check_secret_hash(
        &ctx.client,
        &[username],
        params.get("SECRET_HASH").map(String::as_str),
    )?;
    let user = authenticate(issuer, ctx, username, pw)?;
    after_first_factor(issuer, ctx, user)
}

/// Verifies a password for sign-in, applying the lockout and the pool's
/// user-existence policy. Returns the user on success (the lockout counter
/// is not reset here: only a completed sign-in resets it).
///
/// Every refusal (unknown user, locked out, disabled, no password) runs
/// one argon2 verification like a real check, so timing does not tell
/// them apart; with `PreventUserExistenceErrors`, unknown names are locked
/// out like users.
pub(crate) fn authenticate(
    issuer: &Issuer,
    ctx: &FlowContext,
    username: &str,
    pw: &str,
) -> Result<User> {
    let mut user = issuer.read(|c| find_user(c, &ctx.pool, username))?;
    if user.is_none() {
        // The user migration trigger may bring the user in from a legacy
        // store (the password is checked below like any other).
        user = migration::on_sign_in(issuer, ctx, username, pw)?;
    }
    let name_key = lockout::unknown_key(&ctx.pool, username);
    let subject = match &user {
        Some(u) => Subject::User(&u.sub),
        None if ctx.client.prevents_user_existence_errors() => Subject::Unknown(&name_key),
        None => return Err(user_not_found()),
    };
    let attempt = match lockout::reserve(issuer, &ctx.pool.id, subject) {
        Ok(a) => a,
        Err(e) => {
            password::verify_dummy(pw);
            return Err(e);
        }
    };
    let Some(user) = user else {
        password::verify_dummy(pw);
        attempt.failed();
        return Err(incorrect());
    };
    if !user.enabled {
        password::verify_dummy(pw);
        return Err(Error::not_authorized("User is disabled."));
    }
    pre_authentication(issuer, ctx, &user)?;
    let ok = match user.password_hash.as_deref() {
        Some(h) => password::verify(pw, h),
        None => {
            password::verify_dummy(pw);
            false
        }
    };
    if !ok {
        attempt.failed();
        return Err(incorrect());
    }
    attempt.passed();
    Ok(user)
}

/// Fires the pre authentication trigger for `user` about to prove a first
/// factor (password or SRP; the request's `ClientMetadata` is its
/// `validationData`); its refusal ends the sign-in.
pub(crate) fn pre_authentication(issuer: &Issuer, ctx: &FlowContext, user: &User) -> Result<()> {
    let caller = Caller {
        client_id: Some(&ctx.client.client_id),
        metadata: None,
    };
    Ok(calls::pre_authentication(
        issuer,
        user,
        ctx.metadata.as_ref(),
        caller,
    )?)
}

/// What happens once the user proved their password (or SRP proof):
/// status checks, then tokens or the next challenge.
pub(crate) fn after_first_factor(
    issuer: &Issuer,
    ctx: &FlowContext,
    user: User,
) -> Result<Outcome> {
    match user.status {
        UserStatus::Unconfirmed => Err(Error::user_not_confirmed("User is not confirmed.")),
        UserStatus::ResetRequired => Err(Error::password_reset_required(
            "Password reset required for the user",
        )),
        UserStatus::ForceChangePassword => {
            let days = ctx
                .pool
                .policies
                .password_policy
                .temporary_password_validity_days as i64;
            if user.password_set_at + days * 86400 < ids::now() {
                return Err(Error::not_authorized(
                    "Temporary password has expired and must be reset by an administrator.",
                ));
            }
            let session = session::create(issuer, ctx, &user, "NEW_PASSWORD_REQUIRED", json!({}))?;
            let attrs: BTreeMap<&String, &String> = user
                .attributes
                .iter()
                .filter(|(k, _)| *k != "sub")
                .collect();
            Ok(Outcome::Challenge(Challenge {
                name: "NEW_PASSWORD_REQUIRED",
                session: Some(session),
                parameters: BTreeMap::from([
                    ("USER_ID_FOR_SRP".to_string(), user.username.clone()),
                    ("requiredAttributes".to_string(), "[]".to_string()),
                    (
                        "userAttributes".to_string(),
                        serde_json::to_string(&attrs).unwrap_or_default(),
                    ),
                ]),
            }))
        }
        UserStatus::Confirmed => super::device::after_first_factor(issuer, ctx, &user),
    }
}
