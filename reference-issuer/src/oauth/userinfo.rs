//! `/oauth2/userInfo`: the signed-in user's attributes, for an access
//! token with the `openid` (or the user pool admin) scope.

use serde_json::Value;

use crate::error::{Error, Result};
use crate::issuer::Issuer;
use crate::model::User;
use crate::tokens::ADMIN_SCOPE;
use crate::tokens::jwt::ParsedJwt;
use crate::tokens::validate_access_token;

/// The user behind `token`, if the token is valid and allows reading the
/// profile.
pub(crate) fn user_of(issuer: &Issuer, token: &str) -> Result<User> {
    let ctx = validate_access_token(&issuer.keys, &issuer.store, token)?;
    let jwt =
        ParsedJwt::parse(token).ok_or_else(|| Error::not_authorized("Invalid Access Token"))?;
    let scope = jwt
        .claims
        .get("scope")
        .and_then(Value::as_str)
        .unwrap_or_default();
    if !scope
        .split_whitespace()
        .any(|s| s == "openid" || s == ADMIN_SCOPE)
    {
        return Err(Error::not_authorized("Access token lacks the openid scope"));
    }
    Ok(ctx.user)
}
