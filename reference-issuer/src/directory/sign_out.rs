//! Ending sessions: GlobalSignOut / AdminUserGlobalSignOut (every refresh
//! token of a user) and RevokeToken (one refresh token and the access tokens
//! of its sign-in).

use crate::error::{Error, Result};
use crate::ids;
use crate::issuer::Issuer;
use crate::signin::secret_hash::check_client_secret;
use crate::store::refresh as refresh_rows;

/// Revokes all of the user's refresh tokens; their access tokens are then
/// refused by this issuer's user operations.
pub(crate) fn global_sign_out(issuer: &Issuer, pool_id: &str, sub: &str) -> Result<()> {
    issuer.write(|tx| Ok(refresh_rows::revoke_user(tx, pool_id, sub, ids::now())?))
}

/// RevokeToken: revokes a refresh token of `client_id` and the access tokens
/// of the same sign-in. Unknown tokens are accepted silently (RFC 7009).
pub(crate) fn revoke_token(
    issuer: &Issuer,
    client_id: &str,
    client_secret: Option<&str>,
    token: &str,
) -> Result<()> {
    let client = issuer.client(client_id)?;
    check_client_secret(&client, client_secret)?;
    if !client.enable_token_revocation {
        return Err(Error::unsupported_operation(
            "Token revocation is not enabled for this client",
        ));
    }
    let hash = ids::sha256_hex(token);
    issuer.write(|tx| {
        match refresh_rows::get_refresh(tx, &hash)? {
            Some(row) if row.client_id == client.client_id => {
                refresh_rows::revoke_origin(tx, &row.origin_jti, ids::now())?;
            }
            Some(_) => {
                return Err(Error::not_authorized(
                    "The refresh token was not issued to this client",
                ));
            }
            None => {}
        }
        Ok(())
    })
}
