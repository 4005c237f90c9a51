//! The `client_credentials` grant: machine-to-machine access tokens with
//! custom scopes `<resource-server-id>/<scope>`.

use std::collections::BTreeMap;

use super::{OAuthError, OAuthErrorKind, TokenResponse};
use crate::ids;
use crate::issuer::Issuer;
use crate::model::{AppClient, OAuthFlow};
use crate::store::resource_servers as rs_rows;
use crate::tokens::claims::m2m_claims;
use crate::tokens::{KeyPurpose, jwt};
use crate::triggers::pre_token::{self, Minting, TokenSource};

/// `aws_client_metadata`: a JSON object of strings, URL-encoded in the
/// form, passed to a V3 pre token generation trigger.
fn client_metadata(raw: Option<&str>) -> Result<Option<BTreeMap<String, String>>, OAuthError> {
    raw.map(|s| {
        serde_json::from_str(s).map_err(|_| {
            OAuthError::new(OAuthErrorKind::InvalidRequest)
                .describe("aws_client_metadata must be a JSON object of strings")
        })
    })
    .transpose()
}

/// Issues an access token for `scope` (space-separated; absent = every
/// custom scope the client allows), customized by a V3 pre token
/// generation trigger given `aws_client_metadata`.
pub(crate) fn grant(
    issuer: &Issuer,
    client: &AppClient,
    scope: Option<&str>,
    aws_client_metadata: Option<&str>,
) -> Result<TokenResponse, OAuthError> {
    use OAuthErrorKind::*;
    if client.client_secret.is_none() {
        return Err(InvalidClient.into());
    }
    if !client.allows_oauth_flow(OAuthFlow::ClientCredentials) {
        return Err(UnauthorizedClient.into());
    }
    let allowed: Vec<&String> = client
        .oauth_scopes()
        .iter()
        .filter(|s| s.contains('/'))
        .collect();
    let (pool, style) = issuer
        .pool(&client.user_pool_id)
        .map_err(|_| OAuthError::new(InvalidClient))?;
    let servers = issuer
        .read(|c| Ok(rs_rows::list_resource_servers(c, &pool.id)?))
        .map_err(|_| OAuthError::new(InvalidRequest))?;
    let exists = |s: &str| servers.iter().any(|rs| rs.has_scope(s));
    let requested: Vec<String> = match scope.map(str::trim) {
        Some(s) if !s.is_empty() => s.split_whitespace().map(str::to_string).collect(),
        _ => allowed.iter().map(|s| s.to_string()).collect(),
    };
    if requested.is_empty() {
        return Err(InvalidScope.into());
    }
    for s in &requested {
        if !allowed.contains(&s) || !exists(s) {
            return Err(InvalidScope.into());
        }
    }
    let metadata = client_metadata(aws_client_metadata)?;
    let overrides = pre_token::customize(
        issuer,
        &pool,
        &Minting {
            source: TokenSource::ClientCredentials,
            client_id: &client.client_id,
            user: None,
            scopes: &requested,
            client_metadata: metadata.as_ref(),
        },
    )
    .map_err(super::trigger_failed)?;
    let iss = issuer.issuer_url(&pool.id, style);
    let mut claims = m2m_claims(&iss, client, &requested.join(" "), ids::now());
    if let (Some(o), Some(m)) = (&overrides, claims.as_object_mut()) {
        o.apply_to_access(m);
    }
    let access = issuer
        .keys
        .get(&issuer.store, &pool.id)
        .and_then(|keys| jwt::sign_jwt(keys.active(KeyPurpose::Access)?, &claims))
        .map_err(|_| OAuthError::new(InvalidRequest))?;
    Ok(TokenResponse {
        access_token: access,
        id_token: None,
        refresh_token: None,
        expires_in: client.access_ttl(),
    })
}
