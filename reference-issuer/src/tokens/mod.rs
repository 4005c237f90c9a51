//! Tokens: minting with exactly Cognito's claim sets ([`claims`]), the
//! pools' signing keys and their rotation ([`keys`]), compact JWS
//! ([`jwt`]) and validation of the issuer's own access tokens
//! ([`access`]).

pub(crate) mod access;
pub(crate) mod claims;
pub(crate) mod jwt;
pub(crate) mod keys;

pub(crate) use access::{AccessContext, validate_access_token};
pub(crate) use keys::KeyCache;
pub(crate) use keys::KeyPurpose;

use crate::error::Result;
use crate::ids;
use crate::model::{AppClient, Group, IssuerStyle, User};
use crate::store::Store;
use crate::triggers::pre_token::Overrides;

/// The scope Cognito puts in access tokens obtained through the user pool API.
pub(crate) const ADMIN_SCOPE: &str = "aws.cognito.signin.user.admin";

/// The `iss` value of a pool's tokens.
pub(crate) fn issuer_for(public_url: &str, pool_id: &str, style: IssuerStyle) -> String {
    match style {
        IssuerStyle::Local => format!("{}/{pool_id}", public_url.trim_end_matches('/')),
        IssuerStyle::Aws => format!(
            "https://cognito-idp.{}.amazonaws.com/{pool_id}",
            ids::region_of(pool_id)
        ),
    }
}

/// One authentication event: the values shared by every token it yields.
#[derive(Debug, Clone)]
pub(crate) struct AuthEvent {
    /// `origin_jti` shared by the sign-in's tokens.
    pub origin_jti: String,
    /// `event_id` of the sign-in.
    pub event_id: String,
    /// Sign-in time.
    pub auth_time: i64,
}

impl AuthEvent {
    /// A new authentication event happening now.
    pub(crate) fn new() -> Self {
        Self {
            origin_jti: ids::uuid(),
            event_id: ids::uuid(),
            auth_time: ids::now(),
        }
    }
}

impl Default for AuthEvent {
    fn default() -> Self {
        Self::new()
    }
}

/// Everything needed to mint a user's ID and access tokens.
#[derive(Debug)]
pub(crate) struct TokenRequest<'a> {
    /// `iss`.
    pub issuer: &'a str,
    /// The app client.
    pub client: &'a AppClient,
    /// The user.
    pub user: &'a User,
    /// The user's groups, by precedence.
    pub groups: &'a [Group],
    /// The authentication event.
    pub event: &'a AuthEvent,
    /// The device of a device-tracked sign-in (the access token's
    /// `device_key`).
    pub device_key: Option<&'a str>,
    /// The OAuth part of a hosted-UI sign-in (`None`: the user pool API).
    pub oauth: Option<&'a OAuthGrant>,
    /// The pre token generation trigger's changes, if it ran.
    pub overrides: Option<&'a Overrides>,
}

/// What an OAuth2 authorization granted: the access token's `scope` and
/// the ID token's `nonce`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct OAuthGrant {
    /// The granted scopes, in the client's `AllowedOAuthScopes` order.
    pub scopes: Vec<String>,
    /// The `nonce` of the authorization request (first tokens only).
    pub nonce: Option<String>,
}

impl OAuthGrant {
    /// Whether `openid` was granted (an ID token is issued).
    pub(crate) fn has_openid(&self) -> bool {
        self.scopes.iter().any(|s| s == "openid")
    }

    /// The scopes as the access token's `scope` (space-separated).
    pub(crate) fn scope(&self) -> String {
        self.scopes.join(" ")
    }
}

impl TokenRequest<'_> {
    /// The access token's scopes before any trigger changes them: the
    /// granted ones through OAuth2, [`ADMIN_SCOPE`] through the user pool API.
    pub(crate) fn scopes(&self) -> Vec<String> {
        match self.oauth {
            Some(o) => o.scopes.clone(),
            None => vec![ADMIN_SCOPE.to_string()],
        }
    }

    /// Whether an ID token is issued: always through the user pool API,
    /// with the `openid` scope through OAuth2.
    pub(crate) fn wants_id_token(&self) -> bool {
        self.oauth.is_none_or(OAuthGrant::has_openid)
    }
}

/// Minted ID and access tokens.
#[derive(Debug, Clone)]
pub(crate) struct MintedTokens {
    /// Signed ID token (absent for an OAuth2 grant without `openid`).
    pub id_token: Option<String>,
    /// Signed access token.
    pub access_token: String,
    /// Access token lifetime in seconds (`ExpiresIn`).
    pub expires_in: i64,
}

/// Signs the ID and access tokens for `req` with the pool's active keys.
pub(crate) fn mint(
    keys: &KeyCache,
    store: &Store,
    pool_id: &str,
    req: &TokenRequest<'_>,
) -> Result<MintedTokens> {
    let pk = keys.get(store, pool_id)?;
    let now = ids::now();
    let mut access = claims::access_claims(req, now);
    if let (Some(o), Some(m)) = (req.overrides, access.as_object_mut()) {
        o.apply_to_access(m);
    }
    let access_token = jwt::sign_jwt(pk.active(KeyPurpose::Access)?, &access)?;
    let id_token = if req.wants_id_token() {
        let mut id = claims::id_claims(req, now);
        if let (Some(o), Some(m)) = (req.overrides, id.as_object_mut()) {
            o.apply_to_id(m);
        }
        if req.oauth.is_some() {
            id["at_hash"] = at_hash(&access_token).into();
        }
        Some(jwt::sign_jwt(pk.active(KeyPurpose::Id)?, &id)?)
    } else {
        None
    };
    Ok(MintedTokens {
        id_token,
        access_token,
        expires_in: req.client.access_ttl(),
    })
}

/// OIDC Core 3.1.3.6 `at_hash`: base64url of the left half of the SHA-256
/// of the access token's ASCII (RS256 hashes with SHA-256).
pub(crate) fn at_hash(access_token: &str) -> String {
    use base64::Engine;
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(access_token.as_bytes());
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&digest[..16])
}

#[cfg(test)]
mod tests {
    use super::at_hash;

    #[test]
    fn at_hash_is_the_left_half_of_sha256() {
        // OIDC Core's own example (A.3/A.4): this access token's at_hash.
        assert_eq!(
            at_hash("jHkWEdUXMU1BwAsC4vtUsZwnNvTIxEl0z9K3vx5KF0Y"),
            "77QmUPtjPfzWtF2AnpK9RQ"
        );
    }
}
