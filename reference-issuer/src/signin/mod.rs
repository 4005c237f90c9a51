//! The sign-in state machine: password, refresh, SRP, challenges, MFA and
//! lockout. Every front end (the JSON API, the OAuth2 endpoints, later the
//! hosted UI) runs these flows and gets a typed [`Outcome`], never JSON.

pub(crate) mod challenge;
mod custom_auth;
pub(crate) mod device;
pub(crate) mod hosted;
pub(crate) mod issue;
pub(crate) mod lockout;
pub(crate) mod mfa;
mod mfa_select;
mod otp;
pub(crate) mod password;
pub(crate) mod rate_limits;
pub(crate) mod refresh;
pub(crate) mod secret_hash;
pub(crate) mod session;
pub(crate) mod srp;
mod srp_decoy;
pub(crate) mod srp_pending;
pub(crate) mod totp;
mod user_auth;

use std::collections::BTreeMap;

use crate::error::{Error, Result};
use crate::ids;
use crate::issuer::{Issuer, client_not_found};
use crate::model::{AppClient, IssuerStyle, Pool, User};
use crate::triggers::calls::{self, Caller};
use crate::triggers::pre_token::TokenSource;

/// The authentication flows, parsed from `AuthFlow`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AuthFlow {
    /// `USER_PASSWORD_AUTH` (InitiateAuth).
    UserPassword,
    /// `ADMIN_USER_PASSWORD_AUTH` / `ADMIN_NO_SRP_AUTH` (AdminInitiateAuth).
    AdminUserPassword,
    /// `REFRESH_TOKEN_AUTH` / `REFRESH_TOKEN`.
    RefreshToken,
    /// `USER_SRP_AUTH` (see [`srp`]).
    UserSrp,
    /// `CUSTOM_AUTH`: the custom challenge triggers (see [`custom_auth`]).
    Custom,
    /// `USER_AUTH`: choice-based sign-in (see [`user_auth`]).
    UserAuth,
}

impl AuthFlow {
    /// Parses an `AuthFlow` value.
    pub(crate) fn parse(s: &str) -> Result<Self> {
        Ok(match s {
            "USER_PASSWORD_AUTH" => Self::UserPassword,
            "ADMIN_USER_PASSWORD_AUTH" | "ADMIN_NO_SRP_AUTH" => Self::AdminUserPassword,
            "REFRESH_TOKEN_AUTH" | "REFRESH_TOKEN" => Self::RefreshToken,
            "USER_SRP_AUTH" => Self::UserSrp,
            "CUSTOM_AUTH" => Self::Custom,
            "USER_AUTH" => Self::UserAuth,
            other => {
                return Err(Error::invalid_parameter(format!(
                    "1 validation error detected: Value '{other}' at 'authFlow' failed to satisfy \
                     constraint: Member must satisfy enum value set: [USER_SRP_AUTH, \
                     REFRESH_TOKEN_AUTH, REFRESH_TOKEN, CUSTOM_AUTH, USER_PASSWORD_AUTH, \
                     ADMIN_USER_PASSWORD_AUTH, ADMIN_NO_SRP_AUTH, USER_AUTH]"
                )));
            }
        })
    }
}

/// How a completed sign-in ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Completion {
    /// The JSON API: ID, access and refresh tokens are minted now.
    Tokens,
    /// The hosted UI: the user is signed in ([`Outcome::SignedIn`]); the
    /// pages open a session and the OAuth2 grant mints the tokens later.
    HostedUi,
}

/// Which pool and client a sign-in runs against, and through which API.
#[derive(Debug, Clone)]
pub(crate) struct FlowContext {
    /// The pool.
    pub pool: Pool,
    /// Its issuer style.
    pub style: IssuerStyle,
    /// The app client.
    pub client: AppClient,
    /// Whether the call came through the Admin* API.
    pub admin: bool,
    /// The client's `DEVICE_KEY` for this sign-in (see [`device`]).
    pub device_key: Option<String>,
    /// What a completed sign-in yields.
    pub completion: Completion,
    /// The pre token generation `triggerSource` of tokens this sign-in
    /// mints through the user pool API.
    pub token_source: TokenSource,
    /// Whether [`FlowContext::metadata`] reaches the pre token generation
    /// trigger: not from InitiateAuth, as AWS documents.
    pub metadata_to_tokens: bool,
    /// The request's `ClientMetadata`: the `validationData` of the pre
    /// authentication and user migration triggers, the `clientMetadata`
    /// of the post authentication trigger.
    pub metadata: Option<BTreeMap<String, String>>,
}

impl FlowContext {
    /// Loads the client (and its pool). With `pool_id` (the Admin* API),
    /// the pool must exist and own the client.
    pub(crate) fn load(issuer: &Issuer, pool_id: Option<&str>, client_id: &str) -> Result<Self> {
        if let Some(p) = pool_id {
            issuer.pool(p)?;
        }
        let client = issuer.client(client_id)?;
        if pool_id.is_some_and(|p| p != client.user_pool_id) {
            return Err(client_not_found(client_id));
        }
        Ok(Self {
            admin: pool_id.is_some(),
            ..Self::for_client(issuer, client)?
        })
    }

    /// The context of a client already loaded (and, at the OAuth2
    /// endpoints, authenticated): its pool, no Admin API, no device,
    /// tokens at the end.
    pub(crate) fn for_client(issuer: &Issuer, client: AppClient) -> Result<Self> {
        let (pool, style) = issuer.pool(&client.user_pool_id)?;
        Ok(Self {
            pool,
            style,
            client,
            admin: false,
            device_key: None,
            completion: Completion::Tokens,
            token_source: TokenSource::Authentication,
            metadata_to_tokens: true,
            metadata: None,
        })
    }

    /// The context of a hosted-UI sign-in with `client_id`: no Admin API,
    /// no device, and a [`Completion::HostedUi`] ending.
    pub(crate) fn hosted(issuer: &Issuer, client_id: &str) -> Result<Self> {
        Ok(Self {
            completion: Completion::HostedUi,
            ..Self::load(issuer, None, client_id)?
        })
    }

    /// The same context, completing with tokens of `source`.
    pub(crate) fn with_token_source(&self, source: TokenSource) -> Self {
        Self {
            token_source: source,
            ..self.clone()
        }
    }

    /// The `clientMetadata` of the pre token generation trigger.
    pub(crate) fn token_metadata(&self) -> Option<&BTreeMap<String, String>> {
        self.metadata.as_ref().filter(|_| self.metadata_to_tokens)
    }

    /// The same context with the request's `ClientMetadata`.
    pub(crate) fn with_metadata(self, metadata: Option<BTreeMap<String, String>>) -> Self {
        Self { metadata, ..self }
    }

    /// The triggers' view of the caller (`ClientMetadata` as
    /// `clientMetadata`).
    pub(crate) fn caller(&self) -> Caller<'_> {
        Caller {
            client_id: Some(&self.client.client_id),
            metadata: self.metadata.as_ref(),
        }
    }

    /// The same context with the client's `DEVICE_KEY` (empty: none).
    pub(crate) fn with_device_key(&self, key: Option<String>) -> Self {
        Self {
            device_key: key.filter(|k| !k.is_empty()),
            ..self.clone()
        }
    }
}

/// Tokens of a completed sign-in (or refresh).
#[derive(Debug, Clone)]
pub(crate) struct TokenSet {
    /// Signed access token.
    pub access_token: String,
    /// Signed ID token (absent when an OAuth2 grant lacks `openid`).
    pub id_token: Option<String>,
    /// Opaque refresh token (new sign-ins, and refreshes that rotate it).
    pub refresh_token: Option<String>,
    /// Access token lifetime in seconds.
    pub expires_in: i64,
    /// `NewDeviceMetadata`: the device this sign-in issued.
    pub new_device: Option<device::NewDeviceMetadata>,
}

/// The next challenge of a sign-in.
#[derive(Debug, Clone)]
pub(crate) struct Challenge {
    /// `ChallengeName`.
    pub name: &'static str,
    /// The opaque `Session` to answer with (absent for `PASSWORD_VERIFIER`,
    /// whose state travels in the `SECRET_BLOCK`).
    pub session: Option<String>,
    /// `ChallengeParameters`.
    pub parameters: BTreeMap<String, String>,
}

/// A user signed in through the hosted UI (no tokens yet).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SignedIn {
    /// The user's pool.
    pub pool_id: String,
    /// The user's `sub`.
    pub sub: String,
    /// The user's username.
    pub username: String,
    /// When the user proved their credentials (the tokens' `auth_time`).
    pub auth_time: i64,
}

/// Where a sign-in step ends.
#[derive(Debug, Clone)]
pub(crate) enum Outcome {
    /// Signed in.
    Tokens(TokenSet),
    /// Signed in through the hosted UI ([`Completion::HostedUi`]).
    SignedIn(SignedIn),
    /// Another challenge to answer.
    Challenge(Challenge),
    /// `SELECT_CHALLENGE` of choice-based sign-in: the first factors the
    /// user may pick from.
    SelectChallenge {
        /// The opaque `Session` to answer with.
        session: String,
        /// `AvailableChallenges`.
        available: Vec<&'static str>,
    },
}

/// A required parameter of `AuthParameters` / `ChallengeResponses`.
pub(crate) fn param<'a>(params: &'a BTreeMap<String, String>, name: &str) -> Result<&'a str> {
    params
        .get(name)
        .map(String::as_str)
        .filter(|v| !v.is_empty())
        .ok_or_else(|| Error::invalid_parameter(format!("Missing required parameter {name}")))
}

pub(crate) fn incorrect() -> Error {
    Error::not_authorized("Incorrect username or password.")
}

pub(crate) fn session_expired() -> Error {
    Error::not_authorized("Invalid session for the user, session is expired.")
}

/// Starts a sign-in (InitiateAuth / AdminInitiateAuth) after the checks
/// every flow shares: the API allows the flow, the client enables it, the
/// pool's rate limit.
pub(crate) fn start(
    issuer: &Issuer,
    ctx: &FlowContext,
    flow_name: &str,
    params: &BTreeMap<String, String>,
) -> Result<Outcome> {
    let flow = AuthFlow::parse(flow_name)?;
    // InitiateAuth's ClientMetadata never reaches pre token generation.
    let ctx = &FlowContext {
        metadata_to_tokens: false,
        ..ctx.clone()
    };
    let api_allows = match flow {
        AuthFlow::UserPassword => !ctx.admin,
        AuthFlow::AdminUserPassword => ctx.admin,
        _ => true,
    };
    if !api_allows {
        return Err(Error::invalid_parameter(
            "Initiate Auth method not supported.",
        ));
    }
    if !ctx.client.allows_flow(flow_name) {
        return Err(Error::invalid_parameter(format!(
            "{flow_name} flow not enabled for this client"
        )));
    }
    issuer.rate_limits.take(&ctx.pool.id)?;
    match flow {
        AuthFlow::UserPassword | AuthFlow::AdminUserPassword => {
            password::start(issuer, ctx, params)
        }
        AuthFlow::RefreshToken => {
            let via = refresh::Via::InitiateAuth {
                username: params.get("USERNAME").map(String::as_str),
                secret_hash: params.get("SECRET_HASH").map(String::as_str),
                device_key: params.get("DEVICE_KEY").map(String::as_str),
            };
            let token = param(params, "REFRESH_TOKEN")?;
            refresh::redeem(issuer, ctx, token, via).map(Outcome::Tokens)
        }
        AuthFlow::UserSrp => srp::start(issuer, ctx, params),
        AuthFlow::UserAuth => user_auth::start(issuer, ctx, params),
        AuthFlow::Custom => custom_auth::start(issuer, ctx, params),
    }
}

/// Issues ID, access and refresh tokens for a completed sign-in, and
/// clears the user's sign-in failures.
pub(crate) fn complete(issuer: &Issuer, ctx: &FlowContext, user: &User) -> Result<Outcome> {
    // Every sign-in path ends here: the post authentication trigger fires
    // once the user is authenticated, before any token or session exists
    // (a failing trigger fails the sign-in).
    let new_device = ctx.pool.devices().is_some() && ctx.device_key.is_none();
    calls::post_authentication(issuer, user, new_device, ctx.caller())?;
    if ctx.completion == Completion::HostedUi {
        lockout::succeeded(issuer, &ctx.pool.id, &user.sub);
        return Ok(Outcome::SignedIn(SignedIn {
            pool_id: ctx.pool.id.clone(),
            sub: user.sub.clone(),
            username: user.username.clone(),
            auth_time: ids::now(),
        }));
    }
    let device = device::for_tokens(issuer, ctx, user)?;
    let how = issue::Issue {
        oauth: None,
        auth_time: ids::now(),
        device_key: device.as_ref().map(device::DeviceGrant::key),
    };
    let mut tokens = issue::issue(issuer, ctx, user, how, |tx, row| match &device {
        Some(d) => device::record(tx, user, &row.origin_jti, d),
        None => Ok(()),
    })?;
    // The one place the lockout counter resets: a sign-in completed.
    lockout::succeeded(issuer, &ctx.pool.id, &user.sub);
    tokens.new_device = device.and_then(|d| d.metadata());
    Ok(Outcome::Tokens(tokens))
}

/// Whether `name` identifies `user` (username or a sign-in attribute value).
pub(crate) fn names_user(pool: &Pool, user: &User, name: &str) -> bool {
    pool.username_key(&user.username) == pool.username_key(name)
        || pool
            .sign_in_attributes()
            .iter()
            .any(|a| user.attr(a).is_some_and(|v| v.eq_ignore_ascii_case(name)))
}
