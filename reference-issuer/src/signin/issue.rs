//! Issuing a sign-in's tokens: the one place that mints ID and access
//! tokens for a new sign-in and stores its refresh token. The JSON API's
//! completed sign-ins ([`super::complete`]) and the OAuth2 grants of the
//! hosted UI (authorization code, implicit) all come through here.

use super::{FlowContext, TokenSet};
use crate::error::Result;
use crate::ids;
use crate::issuer::Issuer;
use crate::model::User;
use crate::store::Conn;
use crate::store::groups as group_rows;
use crate::store::refresh::{self as refresh_rows, RefreshRow};
use crate::tokens::{self, AuthEvent, OAuthGrant, TokenRequest};
use crate::triggers::pre_token::{self, Minting, TokenSource};

/// How a new sign-in's tokens are issued.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Issue<'a> {
    /// The OAuth2 grant (scopes, nonce); `None` for the user pool API.
    pub oauth: Option<&'a OAuthGrant>,
    /// When the user proved their credentials.
    pub auth_time: i64,
    /// The device the access token names, if any.
    pub device_key: Option<&'a str>,
}

/// Mints `user`'s ID and access tokens for a new sign-in and stores its
/// refresh token (with the granted scopes), running `in_tx` in the same
/// write transaction (an error there stores nothing). The returned set
/// holds the refresh token; `new_device` is left to the caller.
pub(crate) fn issue(
    issuer: &Issuer,
    ctx: &FlowContext,
    user: &User,
    how: Issue<'_>,
    in_tx: impl FnOnce(&Conn, &RefreshRow) -> Result<()>,
) -> Result<TokenSet> {
    let groups = issuer.read(|c| Ok(group_rows::groups_of_user(c, &ctx.pool.id, &user.sub)?))?;
    let event = AuthEvent {
        auth_time: how.auth_time,
        ..AuthEvent::new()
    };
    let iss = issuer.issuer_url(&ctx.pool.id, ctx.style);
    let mut req = TokenRequest {
        issuer: &iss,
        client: &ctx.client,
        user,
        groups: &groups,
        event: &event,
        device_key: how.device_key,
        oauth: how.oauth,
        overrides: None,
    };
    // The OAuth2 grants here are the hosted UI's; the API's sign-ins say
    // how they completed.
    let source = match how.oauth {
        Some(_) => TokenSource::HostedAuth,
        None => ctx.token_source,
    };
    let overrides = pre_token::customize(
        issuer,
        &ctx.pool,
        &Minting {
            source,
            client_id: &ctx.client.client_id,
            user: Some((user, &groups)),
            scopes: &req.scopes(),
            client_metadata: ctx.token_metadata(),
        },
    )?;
    req.overrides = overrides.as_ref();
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
        retired_at_ms: None,
        grace_until_ms: None,
        scopes: how.oauth.map(OAuthGrant::scope),
    };
    issuer.write(|tx| {
        refresh_rows::insert_refresh(tx, &row)?;
        in_tx(tx, &row)
    })?;
    Ok(TokenSet {
        access_token: minted.access_token,
        id_token: minted.id_token,
        refresh_token: Some(refresh),
        expires_in: minted.expires_in,
        new_device: None,
    })
}
