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
}

/// Minted ID and access tokens.
#[derive(Debug, Clone)]
pub(crate) struct MintedTokens {
    /// Signed ID token.
    pub id_token: String,
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
    let id_token = jwt::sign_jwt(pk.active(KeyPurpose::Id)?, &claims::id_claims(req, now))?;
    let access_token = jwt::sign_jwt(
        pk.active(KeyPurpose::Access)?,
        &claims::access_claims(req, now),
    )?;
    Ok(MintedTokens {
        id_token,
        access_token,
        expires_in: req.client.access_ttl(),
    })
}
