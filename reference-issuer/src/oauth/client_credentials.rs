//! The `client_credentials` grant: machine-to-machine access tokens with
//! custom scopes `<resource-server-id>/<scope>`.

use super::{OAuthError, OAuthErrorKind, TokenResponse};
use crate::ids;
use crate::issuer::Issuer;
use crate::model::{AppClient, OAuthFlow};
use crate::store::resource_servers as rs_rows;
use crate::tokens::claims::m2m_claims;
use crate::tokens::{KeyPurpose, jwt};

/// Issues an access token for `scope` (space-separated; absent = every
/// custom scope the client allows).
pub(crate) fn grant(
    issuer: &Issuer,
    client: &AppClient,
    scope: Option<&str>,
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
    let iss = issuer.issuer_url(&pool.id, style);
    let claims = m2m_claims(&iss, client, &requested.join(" "), ids::now());
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
