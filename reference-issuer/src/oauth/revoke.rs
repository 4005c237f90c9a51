//! `/oauth2/revoke` (RFC 7009): revokes a refresh token and, for the
//! issuer's own checks and the revocation list, every token of its sign-in.

use super::{OAuthError, OAuthErrorKind};
use crate::ids;
use crate::issuer::Issuer;
use crate::model::AppClient;
use crate::store::refresh as refresh_rows;

/// Revokes `token` for `client`. Unknown tokens succeed (RFC 7009); another
/// client's token is refused.
pub(crate) fn revoke(issuer: &Issuer, client: &AppClient, token: &str) -> Result<(), OAuthError> {
    if !client.enable_token_revocation {
        return Err(OAuthErrorKind::UnsupportedTokenType.into());
    }
    let hash = ids::sha256_hex(token);
    let revoked = issuer
        .write(|tx| match refresh_rows::get_refresh(tx, &hash)? {
            Some(row) if row.client_id == client.client_id => {
                refresh_rows::revoke_origin(tx, &row.origin_jti, ids::now())?;
                Ok(true)
            }
            Some(_) => Ok(false),
            None => Ok(true),
        })
        .map_err(|_| OAuthError::new(OAuthErrorKind::InvalidRequest))?;
    if revoked {
        Ok(())
    } else {
        Err(OAuthErrorKind::UnauthorizedClient.into())
    }
}
