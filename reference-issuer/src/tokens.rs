//! Token minting with exactly Cognito's claim sets, opaque refresh tokens, and
//! validation of the issuer's own access tokens for user-facing operations.

use serde_json::{Map, Value, json};

use crate::errors::{ApiError, ApiResult};
use crate::ids;
use crate::keys::{KeyCache, KeyPurpose, ParsedJwt};
use crate::model::{AppClient, Group, IssuerStyle, Pool, User};
use crate::store::Store;
use crate::store::auth as auth_rows;
use crate::store::pools as pool_rows;
use crate::store::users as user_rows;

/// The scope Cognito puts in access tokens obtained through the user pool API.
pub const ADMIN_SCOPE: &str = "aws.cognito.signin.user.admin";

/// The `iss` value of a pool's tokens.
pub fn issuer_for(public_url: &str, pool_id: &str, style: IssuerStyle) -> String {
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
pub struct AuthEvent {
    /// `origin_jti` shared by the sign-in's tokens.
    pub origin_jti: String,
    /// `event_id` of the sign-in.
    pub event_id: String,
    /// Sign-in time.
    pub auth_time: i64,
}

impl AuthEvent {
    /// A new authentication event happening now.
    pub fn new() -> Self {
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
pub struct TokenRequest<'a> {
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
}

/// Converts a stored attribute to its ID-token claim value, as Cognito does:
/// `*_verified` as booleans, `updated_at` as a number, `address` as an
/// object, everything else (including `custom:*`) as a string.
fn attribute_claim(name: &str, value: &str) -> Value {
    match name {
        "email_verified" | "phone_number_verified" => Value::Bool(value == "true"),
        "updated_at" => value
            .parse::<i64>()
            .map(Value::from)
            .unwrap_or_else(|_| Value::from(value)),
        "address" => json!({ "formatted": value }),
        _ => Value::from(value),
    }
}

fn group_claims(m: &mut Map<String, Value>, groups: &[Group], with_roles: bool) {
    if groups.is_empty() {
        return;
    }
    m.insert(
        "cognito:groups".into(),
        groups.iter().map(|g| Value::from(g.name.clone())).collect(),
    );
    if with_roles {
        let roles: Vec<Value> = groups
            .iter()
            .filter_map(|g| g.role_arn.clone().map(Value::from))
            .collect();
        if !roles.is_empty() {
            if let Some(pref) = groups
                .iter()
                .find(|g| g.role_arn.is_some() && g.precedence.is_some())
            {
                m.insert(
                    "cognito:preferred_role".into(),
                    pref.role_arn.clone().into(),
                );
            }
            m.insert("cognito:roles".into(), Value::Array(roles));
        }
    }
}

/// The ID token claim set.
pub fn id_claims(req: &TokenRequest<'_>, now: i64) -> Value {
    let mut m = Map::new();
    for (name, value) in &req.user.attributes {
        m.insert(name.clone(), attribute_claim(name, value));
    }
    m.insert("sub".into(), req.user.sub.clone().into());
    group_claims(&mut m, req.groups, true);
    m.insert("iss".into(), req.issuer.into());
    m.insert("cognito:username".into(), req.user.username.clone().into());
    m.insert("origin_jti".into(), req.event.origin_jti.clone().into());
    m.insert("aud".into(), req.client.client_id.clone().into());
    m.insert("event_id".into(), req.event.event_id.clone().into());
    m.insert("token_use".into(), "id".into());
    m.insert("auth_time".into(), req.event.auth_time.into());
    m.insert("exp".into(), (now + req.client.id_ttl()).into());
    m.insert("iat".into(), now.into());
    m.insert("jti".into(), ids::uuid().into());
    Value::Object(m)
}

/// The access token claim set (no `aud`, as in Cognito).
pub fn access_claims(req: &TokenRequest<'_>, now: i64) -> Value {
    let mut m = Map::new();
    m.insert("sub".into(), req.user.sub.clone().into());
    group_claims(&mut m, req.groups, false);
    m.insert("iss".into(), req.issuer.into());
    m.insert("client_id".into(), req.client.client_id.clone().into());
    m.insert("origin_jti".into(), req.event.origin_jti.clone().into());
    m.insert("event_id".into(), req.event.event_id.clone().into());
    m.insert("token_use".into(), "access".into());
    m.insert("scope".into(), ADMIN_SCOPE.into());
    m.insert("auth_time".into(), req.event.auth_time.into());
    m.insert("exp".into(), (now + req.client.access_ttl()).into());
    m.insert("iat".into(), now.into());
    m.insert("jti".into(), ids::uuid().into());
    m.insert("username".into(), req.user.username.clone().into());
    Value::Object(m)
}

/// Minted ID and access tokens.
#[derive(Debug, Clone)]
pub struct MintedTokens {
    /// Signed ID token.
    pub id_token: String,
    /// Signed access token.
    pub access_token: String,
    /// Access token lifetime in seconds (`ExpiresIn`).
    pub expires_in: i64,
}

/// Signs the ID and access tokens for `req` with the pool's active keys.
pub fn mint(
    keys: &KeyCache,
    store: &Store,
    pool_id: &str,
    req: &TokenRequest<'_>,
) -> ApiResult<MintedTokens> {
    let pk = keys.get(store, pool_id)?;
    let now = ids::now();
    let id_token = crate::keys::sign_jwt(pk.active(KeyPurpose::Id)?, &id_claims(req, now))?;
    let access_token =
        crate::keys::sign_jwt(pk.active(KeyPurpose::Access)?, &access_claims(req, now))?;
    Ok(MintedTokens {
        id_token,
        access_token,
        expires_in: req.client.access_ttl(),
    })
}

/// A validated access token presented to a user-facing operation.
#[derive(Debug)]
pub struct AccessContext {
    /// The pool.
    pub pool: Pool,
    /// The user.
    pub user: User,
    /// The token's `origin_jti`.
    pub origin_jti: String,
    /// The token's `client_id`.
    pub client_id: String,
}

fn claim_str<'a>(claims: &'a Value, name: &str) -> Option<&'a str> {
    claims.get(name).and_then(Value::as_str)
}

/// Validates an access token minted by this issuer: signature, expiry,
/// `token_use`, revocation (global sign-out / RevokeToken) and that the user
/// still exists and is enabled. Errors are Cognito's `NotAuthorizedException`s.
pub fn validate_access_token(
    keys: &KeyCache,
    store: &Store,
    token: &str,
) -> ApiResult<AccessContext> {
    let invalid = || ApiError::not_authorized("Invalid Access Token");
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
        return Err(ApiError::not_authorized("Access Token has expired"));
    }
    let sub = claim_str(&jwt.claims, "sub")
        .ok_or_else(invalid)?
        .to_string();
    let origin_jti = claim_str(&jwt.claims, "origin_jti")
        .ok_or_else(invalid)?
        .to_string();
    let client_id = claim_str(&jwt.claims, "client_id")
        .unwrap_or_default()
        .to_string();
    store.read(|c| {
        let (pool, _) = pool_rows::get_pool(c, &pool_id)?.ok_or_else(invalid)?;
        match auth_rows::get_refresh_by_origin(c, &origin_jti)? {
            Some(r) if r.revoked_at.is_none() => {}
            _ => return Err(ApiError::not_authorized("Access Token has been revoked")),
        }
        let user = user_rows::get_user_by_sub(c, &pool_id, &sub)?
            .ok_or_else(|| ApiError::not_authorized("User does not exist."))?;
        if !user.enabled {
            return Err(ApiError::not_authorized("User is disabled."));
        }
        Ok(AccessContext {
            pool,
            user,
            origin_jti,
            client_id,
        })
    })
}
