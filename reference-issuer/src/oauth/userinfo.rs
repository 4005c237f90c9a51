//! `/oauth2/userInfo`: the signed-in user's attributes within the access
//! token's scopes, as Cognito documents them. The token must come from the
//! token endpoint with `openid`: access tokens of the user pool API carry
//! only `aws.cognito.signin.user.admin` and are refused ("Because they
//! don't contain any scopes, the userInfo endpoint doesn't accept these
//! access tokens", Cognito's userInfo endpoint documentation).

use std::collections::BTreeMap;

use serde_json::Value;

use super::{OAuthError, OAuthErrorKind};
use crate::issuer::Issuer;
use crate::model::User;
use crate::tokens::jwt::ParsedJwt;
use crate::tokens::validate_access_token;

/// The attributes of the `profile` scope (plus every `custom:` attribute).
const PROFILE: [&str; 14] = [
    "name",
    "family_name",
    "given_name",
    "middle_name",
    "nickname",
    "preferred_username",
    "profile",
    "picture",
    "website",
    "gender",
    "birthdate",
    "zoneinfo",
    "locale",
    "updated_at",
];
/// The attributes of the `email` scope.
const EMAIL: [&str; 2] = ["email", "email_verified"];
/// The attributes of the `phone` scope.
const PHONE: [&str; 2] = ["phone_number", "phone_number_verified"];

fn expired() -> OAuthError {
    OAuthError::new(OAuthErrorKind::InvalidToken).describe(
        "Access token is expired, disabled, or deleted, or the user has globally signed out.",
    )
}

/// Whether the attribute `name` is returned for `scopes` (which hold
/// `openid`): `openid` alone returns every attribute; `profile`, `email`
/// and `phone` each add their own.
fn in_scope(name: &str, scopes: &[&str]) -> bool {
    let has = |s: &str| scopes.contains(&s);
    if !has("profile") && !has("email") && !has("phone") {
        return true;
    }
    (has("profile") && (PROFILE.contains(&name) || name.starts_with("custom:")))
        || (has("email") && EMAIL.contains(&name))
        || (has("phone") && PHONE.contains(&name))
}

/// The userInfo claims of `user` for `scopes`: the attributes in scope
/// (`*_verified` as strings, as stored), always `sub` and `username`.
fn claims_of(user: User, scopes: &[&str]) -> BTreeMap<String, String> {
    let mut out: BTreeMap<String, String> = user
        .attributes
        .into_iter()
        .filter(|(name, _)| in_scope(name, scopes))
        .collect();
    out.insert("sub".into(), user.sub);
    out.insert("username".into(), user.username);
    out
}

/// The claims userInfo answers for the access token `token`.
pub(crate) fn claims(issuer: &Issuer, token: &str) -> Result<BTreeMap<String, String>, OAuthError> {
    let ctx = validate_access_token(&issuer.keys, &issuer.store, token).map_err(|e| {
        if e.is_internal() {
            OAuthErrorKind::ServerError.into()
        } else {
            tracing::debug!(reason = %e.message, "userInfo refused a token");
            expired()
        }
    })?;
    let jwt = ParsedJwt::parse(token).ok_or_else(expired)?;
    let scope = jwt
        .claims
        .get("scope")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let scopes: Vec<&str> = scope.split_whitespace().collect();
    if !scopes.contains(&"openid") {
        return Err(OAuthError::new(OAuthErrorKind::InvalidToken)
            .describe("Access token does not contain openid scope"));
    }
    Ok(claims_of(ctx.user, &scopes))
}

#[cfg(test)]
mod tests {
    use super::in_scope;

    #[test]
    fn scopes_select_the_attributes() {
        let all = ["openid"];
        assert!(in_scope("address", &all) && in_scope("custom:team", &all));
        let email = ["openid", "email", "aws.cognito.signin.user.admin"];
        assert!(in_scope("email_verified", &email));
        assert!(!in_scope("phone_number", &email) && !in_scope("name", &email));
        let profile = ["openid", "profile"];
        assert!(in_scope("given_name", &profile) && in_scope("custom:team", &profile));
        assert!(!in_scope("email", &profile) && !in_scope("address", &profile));
        let phone = ["openid", "phone", "email"];
        assert!(in_scope("phone_number_verified", &phone) && in_scope("email", &phone));
    }
}
