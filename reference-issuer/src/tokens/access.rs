//! Validation of the issuer's own access tokens, for the operations a
//! signed-in user calls with one (GetUser, GlobalSignOut, userInfo, ...).

use serde_json::Value;

use super::jwt::ParsedJwt;
use super::keys::{KeyCache, KeyPurpose};
use crate::error::{Error, Result};
use crate::ids;
use crate::model::{Pool, User};
use crate::store::{Store, pools as pool_rows, refresh as refresh_rows, users as user_rows};

/// A validated access token presented to a user-facing operation.
#[derive(Debug)]
pub(crate) struct AccessContext {
    /// The pool.
    pub pool: Pool,
    /// The user.
    pub user: User,
}

fn claim_str<'a>(claims: &'a Value, name: &str) -> Option<&'a str> {
    claims.get(name).and_then(Value::as_str)
}

/// Validates an access token minted by this issuer: signature, expiry,
/// `token_use`, revocation (global sign-out / RevokeToken) and that the user
/// still exists and is enabled. Errors are Cognito's `NotAuthorizedException`s.
pub(crate) fn validate_access_token(
    keys: &KeyCache,
    store: &Store,
    token: &str,
) -> Result<AccessContext> {
    let invalid = || Error::not_authorized("Invalid Access Token");
    let jwt = ParsedJwt::parse(token).ok_or_else(invalid)?;
    let iss = claim_str(&jwt.claims, "iss").ok_or_else(invalid)?;
    let pool_id = iss.rsplit('/').next().ok_or_else(invalid)?.to_string();
    let pk = keys.get(store, &pool_id).map_err(|_| invalid())?;
    let key = jwt.kid().and_then(|k| pk.by_kid(k)).ok_or_else(invalid)?;
    if !jwt.verify(key) || key.purpose != KeyPurpose::Access.as_str() {
        return Err(invalid());
    }
    if claim_str(&jwt.claims, "token_use") != Some("access") {
        return Err(invalid());
    }
    let exp = jwt
        .claims
        .get("exp")
        .and_then(Value::as_i64)
        .ok_or_else(invalid)?;
    if exp <= ids::now() {
        return Err(Error::not_authorized("Access Token has expired"));
    }
    let sub = claim_str(&jwt.claims, "sub")
        .ok_or_else(invalid)?
        .to_string();
    let origin_jti = claim_str(&jwt.claims, "origin_jti")
        .ok_or_else(invalid)?
        .to_string();
    store.read(|c| {
        let (pool, _) = pool_rows::get_pool(c, &pool_id)?.ok_or_else(invalid)?;
        match refresh_rows::get_refresh_by_origin(c, &origin_jti)? {
            Some(r) if r.revoked_at.is_none() => {}
            _ => return Err(Error::not_authorized("Access Token has been revoked")),
        }
        let user = user_rows::get_user_by_sub(c, &pool_id, &sub)?
            .ok_or_else(|| Error::not_authorized("User does not exist."))?;
        if !user.enabled {
            return Err(Error::not_authorized("User is disabled."));
        }
        Ok(AccessContext { pool, user })
    })
}
