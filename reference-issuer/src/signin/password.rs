//! `USER_PASSWORD_AUTH` / `ADMIN_USER_PASSWORD_AUTH`: the password check
//! with lockout and PreventUserExistenceErrors, and what follows a proven
//! first factor.

use std::collections::BTreeMap;

use serde_json::json;

use super::secret_hash::check_secret_hash;
use super::{Challenge, FlowContext, Outcome, incorrect, param, session};
use crate::directory::lookup::{find_user, user_not_found};
use crate::directory::password;
use crate::error::{Error, Result};
use crate::ids;
use crate::issuer::Issuer;
use crate::model::{User, UserStatus};

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
/// user-existence policy. Returns the user on success.
pub(crate) fn authenticate(
    issuer: &Issuer,
    ctx: &FlowContext,
    username: &str,
    pw: &str,
) -> Result<User> {
    let user = issuer.read(|c| find_user(c, &ctx.pool, username))?;
    let Some(user) = user else {
        if ctx.client.prevents_user_existence_errors() {
            password::verify_dummy(pw);
            return Err(incorrect());
        }
        return Err(user_not_found());
    };
    issuer.lockout.check(&ctx.pool.id, &user.sub)?;
    if !user.enabled {
        return Err(Error::not_authorized("User is disabled."));
    }
    let ok = user
        .password_hash
        .as_deref()
        .is_some_and(|h| password::verify(pw, h));
    if !ok {
        issuer.lockout.failed(&ctx.pool.id, &user.sub);
        return Err(incorrect());
    }
    issuer.lockout.succeeded(&ctx.pool.id, &user.sub);
    Ok(user)
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
        UserStatus::Confirmed => super::mfa::second_factor(issuer, ctx, &user),
    }
}
