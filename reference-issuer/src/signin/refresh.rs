//! Redeeming a refresh token. `REFRESH_TOKEN_AUTH` (InitiateAuth),
//! `GetTokensFromRefreshToken` and the OAuth2 `refresh_token` grant run the
//! same checks here and get new ID and access tokens of the same sign-in
//! (`origin_jti`, `event_id`, `auth_time` kept). On a client with refresh
//! token rotation, the last two also replace the refresh token
//! ([`rotation`]); `REFRESH_TOKEN_AUTH` is refused there, as Cognito
//! documents.

mod rotation;

use super::secret_hash::{check_client_secret, check_secret_hash};
use super::{FlowContext, TokenSet, names_user};
use crate::error::{Error, Result};
use crate::ids;
use crate::issuer::Issuer;
use crate::store::refresh::RefreshRow;
use crate::store::{groups as group_rows, refresh as refresh_rows, users as user_rows};
use crate::tokens::{self, AuthEvent, OAuthGrant, TokenRequest};
use crate::triggers::pre_token::{self, Minting, TokenSource};

/// Which front end asks for new tokens, with how the client proved itself.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Via<'a> {
    /// `REFRESH_TOKEN_AUTH`: a `SECRET_HASH` (required when the client has
    /// a secret) over the token's user, optionally named by `USERNAME`.
    InitiateAuth {
        /// `USERNAME`, if sent.
        username: Option<&'a str>,
        /// `SECRET_HASH`, if sent.
        secret_hash: Option<&'a str>,
        /// `DEVICE_KEY`, if sent.
        device_key: Option<&'a str>,
    },
    /// `GetTokensFromRefreshToken`: the client secret itself.
    GetTokens {
        /// `ClientSecret`, if sent.
        client_secret: Option<&'a str>,
        /// `DeviceKey`, if sent.
        device_key: Option<&'a str>,
    },
    /// The OAuth2 token endpoint: the client already authenticated.
    OAuth,
}

impl<'a> Via<'a> {
    /// Whether this front end rotates the refresh token of a rotating
    /// client (InitiateAuth never returns one).
    fn rotates(self) -> bool {
        !matches!(self, Self::InitiateAuth { .. })
    }

    /// The device the request names, if any.
    pub(crate) fn device_key(self) -> Option<&'a str> {
        match self {
            Self::InitiateAuth { device_key, .. } | Self::GetTokens { device_key, .. } => {
                device_key
            }
            Self::OAuth => None,
        }
    }
}

/// "Invalid Refresh Token": unknown, another client's or another pool's
/// token. GetTokensFromRefreshToken ends the message with a period (as
/// observed from AWS); InitiateAuth does not.
fn invalid(via: Via<'_>) -> Error {
    Error::not_authorized(match via {
        Via::GetTokens { .. } => "Invalid Refresh Token.",
        _ => "Invalid Refresh Token",
    })
}

/// The refusal of a token that rotation replaced, after its grace period.
/// InitiateAuth knows no `RefreshTokenReuseException` (botocore lists it
/// for GetTokensFromRefreshToken only).
fn reused(via: Via<'_>) -> Error {
    match via {
        Via::InitiateAuth { .. } => invalid(via),
        _ => Error::refresh_token_reuse("Refresh Token has been rotated and is no longer valid"),
    }
}

/// Whether the client lets this front end refresh: `REFRESH_TOKEN_AUTH`
/// (already checked against `ExplicitAuthFlows` by [`super::start`]) is not
/// available with rotation; the others need rotation or the flow.
fn check_enabled(ctx: &FlowContext, via: Via<'_>) -> Result<()> {
    let client = &ctx.client;
    let enabled = match via {
        Via::InitiateAuth { .. } => !client.rotates_refresh_tokens(),
        _ => client.rotates_refresh_tokens() || client.allows_flow("REFRESH_TOKEN_AUTH"),
    };
    if enabled {
        Ok(())
    } else {
        Err(Error::invalid_parameter(
            "REFRESH_TOKEN_AUTH flow not enabled for this client",
        ))
    }
}

/// Whether the stored token was issued to this client of this pool.
fn check_owner(ctx: &FlowContext, via: Via<'_>, row: &RefreshRow) -> Result<()> {
    if row.client_id != ctx.client.client_id || row.pool_id != ctx.pool.id {
        return Err(invalid(via));
    }
    Ok(())
}

/// The checks of a stored token at `now_ms`: this client's and pool's, not
/// revoked, not expired, and live or within the grace period of its
/// rotation.
fn check_row(ctx: &FlowContext, via: Via<'_>, row: &RefreshRow, now_ms: i64) -> Result<()> {
    check_owner(ctx, via, row)?;
    if row.revoked_at.is_some() {
        return Err(Error::not_authorized("Refresh Token has been revoked"));
    }
    if row.expires_at.saturating_mul(1000) <= now_ms {
        return Err(Error::not_authorized("Refresh Token has expired"));
    }
    if row.retired_at_ms.is_some() && row.grace_until_ms.is_none_or(|until| now_ms >= until) {
        return Err(reused(via));
    }
    Ok(())
}

/// Redeems `token` for new ID and access tokens (and, on a rotating client
/// through GetTokensFromRefreshToken or OAuth2, a new refresh token with
/// the old one's expiry).
pub(crate) fn redeem(
    issuer: &Issuer,
    ctx: &FlowContext,
    token: &str,
    via: Via<'_>,
) -> Result<TokenSet> {
    check_enabled(ctx, via)?;
    if let Via::GetTokens { client_secret, .. } = via {
        check_client_secret(&ctx.client, client_secret)?;
    }
    let hash = ids::sha256_hex(token);
    let (row, user, groups) = issuer.read(|c| {
        let row = refresh_rows::get_refresh(c, &hash)?.ok_or_else(|| invalid(via))?;
        let user = user_rows::get_user_by_sub(c, &row.pool_id, &row.sub)?;
        let groups = match &user {
            Some(u) => group_rows::groups_of_user(c, &u.pool_id, &u.sub)?,
            None => Vec::new(),
        };
        Ok((row, user, groups))
    })?;
    check_owner(ctx, via, &row)?;
    // The user's state comes first: a disabled user (whose tokens
    // AdminDisableUser also revoked) hears "User is disabled.".
    let user = user.ok_or_else(|| Error::not_authorized("User does not exist."))?;
    if let Via::InitiateAuth {
        username,
        secret_hash,
        ..
    } = via
    {
        let mut names = vec![user.username.as_str(), user.sub.as_str()];
        if let Some(u) = username
            && names_user(&ctx.pool, &user, u)
        {
            names.push(u);
        }
        check_secret_hash(&ctx.client, &names, secret_hash)?;
    }
    if !user.enabled {
        return Err(Error::not_authorized("User is disabled."));
    }
    check_row(ctx, via, &row, ids::now_ms())?;
    // A refresh token of a device-tracked sign-in is bound to its device.
    let device_key = super::device::check_refresh(
        issuer,
        &row.pool_id,
        &row.sub,
        &row.origin_jti,
        via.device_key().or(ctx.device_key.as_deref()),
    )?;
    let event = AuthEvent {
        origin_jti: row.origin_jti.clone(),
        event_id: row.event_id.clone(),
        auth_time: row.auth_time,
    };
    // A sign-in through OAuth2 keeps its granted scopes (no nonce: that
    // belongs to the first ID token only).
    let oauth = row.scopes.as_deref().map(|s| OAuthGrant {
        scopes: s.split_whitespace().map(str::to_string).collect(),
        nonce: None,
    });
    let iss = issuer.issuer_url(&ctx.pool.id, ctx.style);
    let mut req = TokenRequest {
        issuer: &iss,
        client: &ctx.client,
        user: &user,
        groups: &groups,
        event: &event,
        device_key: device_key.as_deref(),
        oauth: oauth.as_ref(),
        overrides: None,
    };
    let overrides = pre_token::customize(
        issuer,
        &ctx.pool,
        &Minting {
            source: TokenSource::RefreshTokens,
            client_id: &ctx.client.client_id,
            user: Some((&user, &groups)),
            scopes: &req.scopes(),
            client_metadata: ctx.token_metadata(),
        },
    )?;
    req.overrides = overrides.as_ref();
    // Rotation only once the trigger has agreed: a refusal leaves the
    // presented token as it was.
    let refresh_token = if via.rotates() && ctx.client.rotates_refresh_tokens() {
        Some(rotation::rotate(issuer, &ctx.client, &row, |current| {
            check_row(ctx, via, current, ids::now_ms())
        })?)
    } else {
        None
    };
    let minted = tokens::mint(&issuer.keys, &issuer.store, &ctx.pool.id, &req)?;
    Ok(TokenSet {
        access_token: minted.access_token,
        id_token: minted.id_token,
        refresh_token,
        expires_in: minted.expires_in,
        new_device: None,
    })
}

/// GetTokensFromRefreshToken: the pool's rate limit, then [`redeem`] with
/// the client secret (the context's `ClientMetadata` goes to the pre token
/// generation trigger).
pub(crate) fn get_tokens(
    issuer: &Issuer,
    ctx: &FlowContext,
    token: &str,
    client_secret: Option<&str>,
    device_key: Option<&str>,
) -> Result<TokenSet> {
    issuer.rate_limits.take(&ctx.pool.id)?;
    let via = Via::GetTokens {
        client_secret,
        device_key,
    };
    redeem(issuer, ctx, token, via)
}

/// The OAuth2 `refresh_token` grant: the pool's rate limit, then
/// [`redeem`] for a client that already authenticated.
pub(crate) fn grant(issuer: &Issuer, ctx: &FlowContext, token: &str) -> Result<TokenSet> {
    issuer.rate_limits.take(&ctx.pool.id)?;
    redeem(issuer, ctx, token, Via::OAuth)
}
