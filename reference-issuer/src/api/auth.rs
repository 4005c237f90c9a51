//! Sign-in: InitiateAuth, AdminInitiateAuth, RespondToAuthChallenge and
//! AdminRespondToAuthChallenge.
//!
//! Flows are dispatched through [`AuthFlow`] and challenges through
//! `respond` (the challenge dispatch); challenge state lives server-side in single-use sessions that
//! expire after [`SESSION_TTL`] seconds. SRP (`USER_SRP_AUTH` →
//! `PASSWORD_VERIFIER`) plugs into the same two dispatch points.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::{Value, json};

use super::common::{self, check_secret_hash, find_user, user_not_found};
use super::shapes::AttributeIn;
use super::{decode, required};
use crate::errors::{ApiError, ApiResult};
use crate::ids;
use crate::issuer::{Issuer, client_not_found};
use crate::model::{AppClient, IssuerStyle, Pool, User, UserStatus};
use crate::password;
use crate::store::auth::{self as auth_rows, RefreshRow, SessionRow};
use crate::store::users as user_rows;
use crate::tokens::{self, AuthEvent, TokenRequest};

/// Lifetime of a challenge `Session` (Cognito's default: 3 minutes).
pub const SESSION_TTL: i64 = 180;

/// The authentication flows, parsed from `AuthFlow`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthFlow {
    /// `USER_PASSWORD_AUTH` (InitiateAuth).
    UserPassword,
    /// `ADMIN_USER_PASSWORD_AUTH` / `ADMIN_NO_SRP_AUTH` (AdminInitiateAuth).
    AdminUserPassword,
    /// `REFRESH_TOKEN_AUTH` / `REFRESH_TOKEN`.
    RefreshToken,
    /// `USER_SRP_AUTH` (see [`super::srp_auth`]).
    UserSrp,
    /// `CUSTOM_AUTH` — needs Lambda triggers; not supported.
    Custom,
}

impl AuthFlow {
    /// Parses an `AuthFlow` value.
    pub fn parse(s: &str) -> ApiResult<Self> {
        Ok(match s {
            "USER_PASSWORD_AUTH" => Self::UserPassword,
            "ADMIN_USER_PASSWORD_AUTH" | "ADMIN_NO_SRP_AUTH" => Self::AdminUserPassword,
            "REFRESH_TOKEN_AUTH" | "REFRESH_TOKEN" => Self::RefreshToken,
            "USER_SRP_AUTH" => Self::UserSrp,
            "CUSTOM_AUTH" => Self::Custom,
            other => {
                return Err(ApiError::invalid_parameter(format!(
                    "1 validation error detected: Value '{other}' at 'authFlow' failed to satisfy \
                     constraint: Member must satisfy enum value set: [USER_SRP_AUTH, \
                     REFRESH_TOKEN_AUTH, REFRESH_TOKEN, CUSTOM_AUTH, USER_PASSWORD_AUTH, \
                     ADMIN_USER_PASSWORD_AUTH, ADMIN_NO_SRP_AUTH]"
                )));
            }
        })
    }
}

/// Which pool and client a sign-in runs against, and through which API.
#[derive(Debug)]
pub struct FlowContext {
    /// The pool.
    pub pool: Pool,
    /// Its issuer style.
    pub style: IssuerStyle,
    /// The app client.
    pub client: AppClient,
    /// Whether the call came through the Admin* API.
    pub admin: bool,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct InitiateInput {
    user_pool_id: Option<String>,
    client_id: Option<String>,
    auth_flow: Option<String>,
    #[serde(default)]
    auth_parameters: BTreeMap<String, String>,
}

fn context(
    issuer: &Issuer,
    pool_id: Option<&str>,
    client_id: &str,
    admin: bool,
) -> ApiResult<FlowContext> {
    let client = issuer.client(client_id)?;
    if pool_id.is_some_and(|p| p != client.user_pool_id) {
        issuer.pool(pool_id.unwrap_or_default())?;
        return Err(client_not_found(client_id));
    }
    let (pool, style) = issuer.pool(&client.user_pool_id)?;
    Ok(FlowContext {
        pool,
        style,
        client,
        admin,
    })
}

/// InitiateAuth.
pub fn initiate_auth(issuer: &Issuer, input: Value) -> ApiResult<Value> {
    let i: InitiateInput = decode(input)?;
    let client_id = required(&i.client_id, "clientId")?;
    let flow_name = required(&i.auth_flow, "authFlow")?;
    let ctx = context(issuer, None, client_id, false)?;
    run_flow(issuer, &ctx, flow_name, &i.auth_parameters)
}

/// AdminInitiateAuth.
pub fn admin_initiate_auth(issuer: &Issuer, input: Value) -> ApiResult<Value> {
    let i: InitiateInput = decode(input)?;
    let pool_id = required(&i.user_pool_id, "userPoolId")?;
    let client_id = required(&i.client_id, "clientId")?;
    let flow_name = required(&i.auth_flow, "authFlow")?;
    issuer.pool(pool_id)?;
    let ctx = context(issuer, Some(pool_id), client_id, true)?;
    run_flow(issuer, &ctx, flow_name, &i.auth_parameters)
}

fn param<'a>(params: &'a BTreeMap<String, String>, name: &str) -> ApiResult<&'a str> {
    params
        .get(name)
        .map(String::as_str)
        .filter(|v| !v.is_empty())
        .ok_or_else(|| ApiError::invalid_parameter(format!("Missing required parameter {name}")))
}

/// Dispatches an auth flow after the checks every flow shares.
pub fn run_flow(
    issuer: &Issuer,
    ctx: &FlowContext,
    flow_name: &str,
    params: &BTreeMap<String, String>,
) -> ApiResult<Value> {
    let flow = AuthFlow::parse(flow_name)?;
    let api_allows = match flow {
        AuthFlow::UserPassword => !ctx.admin,
        AuthFlow::AdminUserPassword => ctx.admin,
        _ => true,
    };
    if !api_allows {
        return Err(ApiError::invalid_parameter(
            "Initiate Auth method not supported.",
        ));
    }
    if !ctx.client.allows_flow(flow_name) {
        return Err(ApiError::invalid_parameter(format!(
            "{flow_name} flow not enabled for this client"
        )));
    }
    issuer.rate_limits.take(&ctx.pool.id)?;
    match flow {
        AuthFlow::UserPassword | AuthFlow::AdminUserPassword => password_flow(issuer, ctx, params),
        AuthFlow::RefreshToken => refresh_flow(issuer, ctx, params),
        AuthFlow::UserSrp => super::srp_auth::start(issuer, ctx, params),
        AuthFlow::Custom => Err(ApiError::invalid_parameter(
            "CUSTOM_AUTH requires Lambda triggers, which this issuer does not support",
        )),
    }
}

fn incorrect() -> ApiError {
    ApiError::not_authorized("Incorrect username or password.")
}

/// Verifies a password for sign-in, applying the lockout and the pool's
/// user-existence policy. Returns the user on success.
pub fn authenticate_password(
    issuer: &Issuer,
    ctx: &FlowContext,
    username: &str,
    pw: &str,
) -> ApiResult<User> {
    let user = issuer.store.read(|c| find_user(c, &ctx.pool, username))?;
    let Some(user) = user else {
        if ctx.client.prevents_user_existence_errors() {
            password::verify_dummy(pw);
            return Err(incorrect());
        }
        return Err(user_not_found());
    };
    issuer.lockout.check(&ctx.pool.id, &user.sub)?;
    if !user.enabled {
        return Err(ApiError::not_authorized("User is disabled."));
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

fn password_flow(
    issuer: &Issuer,
    ctx: &FlowContext,
    params: &BTreeMap<String, String>,
) -> ApiResult<Value> {
    let username = param(params, "USERNAME")?;
    let pw = param(params, "PASSWORD")?;
    check_secret_hash(
        &ctx.client,
        &[username],
        params.get("SECRET_HASH").map(String::as_str),
    )?;
    let user = authenticate_password(issuer, ctx, username, pw)?;
    after_first_factor(issuer, ctx, user)
}

/// What happens once the user proved their password: status checks, then
/// tokens or the next challenge. (SRP's PASSWORD_VERIFIER ends here too.)
pub fn after_first_factor(issuer: &Issuer, ctx: &FlowContext, user: User) -> ApiResult<Value> {
    match user.status {
        UserStatus::Unconfirmed => Err(ApiError::user_not_confirmed("User is not confirmed.")),
        UserStatus::ResetRequired => Err(ApiError::password_reset_required(
            "Password reset required for the user",
        )),
        UserStatus::ForceChangePassword => {
            let days = ctx
                .pool
                .policies
                .password_policy
                .temporary_password_validity_days as i64;
            if user.password_set_at + days * 86400 < ids::now() {
                return Err(ApiError::not_authorized(
                    "Temporary password has expired and must be reset by an administrator.",
                ));
            }
            let session = new_session(issuer, ctx, &user, "NEW_PASSWORD_REQUIRED", json!({}))?;
            let attrs: BTreeMap<&String, &String> = user
                .attributes
                .iter()
                .filter(|(k, _)| *k != "sub")
                .collect();
            Ok(json!({
                "ChallengeName": "NEW_PASSWORD_REQUIRED",
                "Session": session,
                "ChallengeParameters": {
                    "USER_ID_FOR_SRP": user.username,
                    "requiredAttributes": "[]",
                    "userAttributes": serde_json::to_string(&attrs).unwrap_or_default(),
                },
            }))
        }
        UserStatus::Confirmed => super::mfa::second_factor(issuer, ctx, &user),
    }
}

/// Creates a server-side challenge session and returns its opaque handle.
pub fn new_session(
    issuer: &Issuer,
    ctx: &FlowContext,
    user: &User,
    challenge: &str,
    data: Value,
) -> ApiResult<String> {
    let session = ids::opaque_token(96);
    let row = SessionRow {
        pool_id: ctx.pool.id.clone(),
        client_id: ctx.client.client_id.clone(),
        sub: user.sub.clone(),
        challenge: challenge.to_string(),
        data: data.to_string(),
        expires_at: ids::now() + SESSION_TTL,
    };
    let hash = ids::sha256_hex(&session);
    issuer.store.write(|tx| {
        auth_rows::purge_sessions(tx, ids::now())?;
        auth_rows::insert_session(tx, &hash, &row)
    })?;
    Ok(session)
}

/// Issues ID, access and refresh tokens for a fresh sign-in.
pub fn complete_sign_in(issuer: &Issuer, ctx: &FlowContext, user: &User) -> ApiResult<Value> {
    let groups = issuer
        .store
        .read(|c| user_rows::groups_of_user(c, &ctx.pool.id, &user.sub))?;
    let event = AuthEvent::new();
    let iss = issuer.issuer_url(&ctx.pool.id, ctx.style);
    let req = TokenRequest {
        issuer: &iss,
        client: &ctx.client,
        user,
        groups: &groups,
        event: &event,
    };
    let minted = tokens::mint(&issuer.keys, &issuer.store, &ctx.pool.id, &req)?;
    let refresh = ids::opaque_token(64);
    let now = ids::now();
    let row = RefreshRow {
        token_hash: ids::sha256_hex(&refresh),
        pool_id: ctx.pool.id.clone(),
        client_id: ctx.client.client_id.clone(),
        sub: user.sub.clone(),
        origin_jti: event.origin_jti.clone(),
        event_id: event.event_id.clone(),
        auth_time: event.auth_time,
        issued_at: now,
        expires_at: now + ctx.client.refresh_ttl(),
        revoked_at: None,
    };
    issuer
        .store
        .write(|tx| auth_rows::insert_refresh(tx, &row))?;
    Ok(json!({
        "ChallengeParameters": {},
        "AuthenticationResult": {
            "AccessToken": minted.access_token,
            "ExpiresIn": minted.expires_in,
            "TokenType": "Bearer",
            "RefreshToken": refresh,
            "IdToken": minted.id_token,
        },
    }))
}

fn refresh_flow(
    issuer: &Issuer,
    ctx: &FlowContext,
    params: &BTreeMap<String, String>,
) -> ApiResult<Value> {
    let token = param(params, "REFRESH_TOKEN")?;
    let invalid = || ApiError::not_authorized("Invalid Refresh Token");
    let hash = ids::sha256_hex(token);
    let (row, user, groups) = issuer.store.read(|c| {
        let row = auth_rows::get_refresh(c, &hash)?.ok_or_else(invalid)?;
        let user = user_rows::get_user_by_sub(c, &row.pool_id, &row.sub)?;
        let groups = match &user {
            Some(u) => user_rows::groups_of_user(c, &u.pool_id, &u.sub)?,
            None => Vec::new(),
        };
        Ok((row, user, groups))
    })?;
    if row.client_id != ctx.client.client_id || row.pool_id != ctx.pool.id {
        return Err(invalid());
    }
    if row.revoked_at.is_some() {
        return Err(ApiError::not_authorized("Refresh Token has been revoked"));
    }
    if row.expires_at <= ids::now() {
        return Err(ApiError::not_authorized("Refresh Token has expired"));
    }
    let user = user.ok_or_else(|| ApiError::not_authorized("User does not exist."))?;
    let mut names = vec![user.username.as_str(), user.sub.as_str()];
    if let Some(u) = params.get("USERNAME")
        && find_user_matches(&ctx.pool, &user, u)
    {
        names.push(u.as_str());
    }
    check_secret_hash(
        &ctx.client,
        &names,
        params.get("SECRET_HASH").map(String::as_str),
    )?;
    if !user.enabled {
        return Err(ApiError::not_authorized("User is disabled."));
    }
    let event = AuthEvent {
        origin_jti: row.origin_jti,
        event_id: row.event_id,
        auth_time: row.auth_time,
    };
    let iss = issuer.issuer_url(&ctx.pool.id, ctx.style);
    let req = TokenRequest {
        issuer: &iss,
        client: &ctx.client,
        user: &user,
        groups: &groups,
        event: &event,
    };
    let minted = tokens::mint(&issuer.keys, &issuer.store, &ctx.pool.id, &req)?;
    Ok(json!({
        "ChallengeParameters": {},
        "AuthenticationResult": {
            "AccessToken": minted.access_token,
            "ExpiresIn": minted.expires_in,
            "TokenType": "Bearer",
            "IdToken": minted.id_token,
        },
    }))
}

/// Whether `name` identifies `user` (username or a sign-in attribute value).
fn find_user_matches(pool: &Pool, user: &User, name: &str) -> bool {
    pool.username_key(&user.username) == pool.username_key(name)
        || pool
            .sign_in_attributes()
            .iter()
            .any(|a| user.attr(a).is_some_and(|v| v.eq_ignore_ascii_case(name)))
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct RespondInput {
    user_pool_id: Option<String>,
    client_id: Option<String>,
    challenge_name: Option<String>,
    session: Option<String>,
    #[serde(default)]
    challenge_responses: BTreeMap<String, String>,
}

/// RespondToAuthChallenge.
pub fn respond_to_auth_challenge(issuer: &Issuer, input: Value) -> ApiResult<Value> {
    let i: RespondInput = decode(input)?;
    let client_id = required(&i.client_id, "clientId")?;
    let ctx = context(issuer, None, client_id, false)?;
    respond(issuer, &ctx, &i)
}

/// AdminRespondToAuthChallenge.
pub fn admin_respond_to_auth_challenge(issuer: &Issuer, input: Value) -> ApiResult<Value> {
    let i: RespondInput = decode(input)?;
    let pool_id = required(&i.user_pool_id, "userPoolId")?;
    let client_id = required(&i.client_id, "clientId")?;
    issuer.pool(pool_id)?;
    let ctx = context(issuer, Some(pool_id), client_id, true)?;
    respond(issuer, &ctx, &i)
}

fn respond(issuer: &Issuer, ctx: &FlowContext, i: &RespondInput) -> ApiResult<Value> {
    let challenge = required(&i.challenge_name, "challengeName")?;
    issuer.rate_limits.take(&ctx.pool.id)?;
    if challenge == "PASSWORD_VERIFIER" {
        // SRP state travels in the SECRET_BLOCK, not in a Session.
        return super::srp_auth::respond(issuer, ctx, &i.challenge_responses);
    }
    let session = i
        .session
        .as_deref()
        .filter(|s| !s.is_empty())
        .ok_or_else(|| ApiError::invalid_parameter("Missing required parameter Session"))?;
    let expired = || ApiError::not_authorized("Invalid session for the user, session is expired.");
    let hash = ids::sha256_hex(session);
    let row = issuer
        .store
        .read(|c| auth_rows::get_session(c, &hash))?
        .ok_or_else(expired)?;
    if row.expires_at <= ids::now()
        || row.client_id != ctx.client.client_id
        || row.pool_id != ctx.pool.id
    {
        return Err(expired());
    }
    if row.challenge != challenge {
        return Err(ApiError::invalid_parameter(format!(
            "Invalid challenge name {challenge} for this session"
        )));
    }
    let user = issuer
        .store
        .read(|c| user_rows::get_user_by_sub(c, &ctx.pool.id, &row.sub))?
        .ok_or_else(user_not_found)?;
    let responses = &i.challenge_responses;
    if let Some(u) = responses.get("USERNAME")
        && !find_user_matches(&ctx.pool, &user, u)
    {
        return Err(ApiError::not_authorized("Invalid session for the user."));
    }
    let mut names = vec![user.username.as_str(), user.sub.as_str()];
    if let Some(u) = responses.get("USERNAME") {
        names.push(u.as_str());
    }
    check_secret_hash(
        &ctx.client,
        &names,
        responses.get("SECRET_HASH").map(String::as_str),
    )?;
    match challenge {
        "NEW_PASSWORD_REQUIRED" => new_password_challenge(issuer, ctx, &hash, user, responses),
        "SOFTWARE_TOKEN_MFA" | "SMS_MFA" | "EMAIL_OTP" | "MFA_SETUP" => {
            super::mfa::respond(issuer, ctx, challenge, &hash, user, responses)
        }
        other => Err(ApiError::invalid_parameter(format!(
            "Challenge {other} is not supported by this issuer"
        ))),
    }
}

fn new_password_challenge(
    issuer: &Issuer,
    ctx: &FlowContext,
    session_hash: &str,
    mut user: User,
    responses: &BTreeMap<String, String>,
) -> ApiResult<Value> {
    let new_password = param(responses, "NEW_PASSWORD")?;
    password::check_policy(&ctx.pool.policies.password_policy, new_password)?;
    let attrs: Vec<AttributeIn> = responses
        .iter()
        .filter_map(|(k, v)| {
            k.strip_prefix("userAttributes.").map(|n| AttributeIn {
                name: n.to_string(),
                value: Some(v.clone()),
            })
        })
        .collect();
    common::validate_attributes(&ctx.pool, &attrs, false)?;
    let hash = password::hash(new_password)?;
    let pool = &ctx.pool;
    let user = issuer.store.write(|tx| {
        if !auth_rows::take_session(tx, session_hash)? {
            return Err(ApiError::not_authorized(
                "Invalid session for the user, session is expired.",
            ));
        }
        common::apply_attributes(&mut user, &attrs);
        user.password_hash = Some(hash.clone());
        user.password_set_at = ids::now();
        user.status = UserStatus::Confirmed;
        common::ensure_alias_unique(tx, pool, &user, false)?;
        user_rows::update_user(tx, &user)?;
        crate::srp::remember_password(tx, &user, new_password)?;
        Ok(user)
    })?;
    super::mfa::second_factor(issuer, ctx, &user)
}
