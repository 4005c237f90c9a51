//! Redeeming a refresh token (`REFRESH_TOKEN_AUTH` and the OAuth2
//! `refresh_token` grant): new ID and access tokens of the same sign-in.

use super::secret_hash::check_secret_hash;
use super::{FlowContext, TokenSet, names_user};
use crate::error::{Error, Result};
use crate::ids;
use crate::issuer::Issuer;
use crate::store::{groups as group_rows, refresh as refresh_rows, users as user_rows};
use crate::tokens::{self, AuthEvent, TokenRequest};

/// How the client proved itself.
#[derive(Debug, Clone, Copy)]
pub(crate) enum ClientProof<'a> {
    /// The JSON API: a `SECRET_HASH` (required when the client has a
    /// secret) over the token's user, optionally named by `USERNAME`.
    SecretHash {
        /// `USERNAME`, if sent.
        username: Option<&'a str>,
        /// `SECRET_HASH`, if sent.
        secret_hash: Option<&'a str>,
    },
    /// The OAuth2 token endpoint: the client already authenticated with
    /// its secret.
    Authenticated,
}

/// Redeems `token` for new ID and access tokens (no new refresh token).
pub(crate) fn redeem(
    issuer: &Issuer,
    ctx: &FlowContext,
    token: &str,
    proof: ClientProof<'_>,
) -> Result<TokenSet> {
    let invalid = || Error::not_authorized("Invalid Refresh Token");
    let hash = ids::sha256_hex(token);
    let (row, user, groups) = issuer.read(|c| {
        let row = refresh_rows::get_refresh(c, &hash)?.ok_or_else(invalid)?;
        let user = user_rows::get_user_by_sub(c, &row.pool_id, &row.sub)?;
        let groups = match &user {
            Some(u) => group_rows::groups_of_user(c, &u.pool_id, &u.sub)?,
            None => Vec::new(),
        };
        Ok((row, user, groups))
    })?;
    if row.client_id != ctx.client.client_id || row.pool_id != ctx.pool.id {
        return Err(invalid());
    }
    if row.revoked_at.is_some() {
        return Err(Error::not_authorized("Refresh Token has been revoked"));
    }
    if row.expires_at <= ids::now() {
        return Err(Error::not_authorized("Refresh Token has expired"));
    }
    let user = user.ok_or_else(|| Error::not_authorized("User does not exist."))?;
    if let ClientProof::SecretHash {
        username,
        secret_hash,
    } = proof
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
    let device_key = super::device::check_refresh(
        issuer,
        &row.pool_id,
        &row.sub,
        &row.origin_jti,
        ctx.device_key.as_deref(),
    )?;
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
        device_key: device_key.as_deref(),
    };
    let minted = tokens::mint(&issuer.keys, &issuer.store, &ctx.pool.id, &req)?;
    Ok(TokenSet {
        access_token: minted.access_token,
        id_token: minted.id_token,
        refresh_token: None,
        expires_in: minted.expires_in,
        new_device: None,
    })
}

/// The OAuth2 `refresh_token` grant: the client must allow refresh, the
/// pool's rate limit applies, then [`redeem`] without a `SECRET_HASH`.
pub(crate) fn grant(issuer: &Issuer, ctx: &FlowContext, token: &str) -> Result<TokenSet> {
    if !ctx.client.allows_flow("REFRESH_TOKEN_AUTH") {
        return Err(Error::invalid_parameter(
            "REFRESH_TOKEN_AUTH flow not enabled for this client",
        ));
    }
    issuer.rate_limits.take(&ctx.pool.id)?;
    redeem(issuer, ctx, token, ClientProof::Authenticated)
}
