//! The `refresh_token` grant: the sign-in domain's refresh, for a client
//! that already authenticated (no `SECRET_HASH` involved); with rotation
//! on, a new refresh token comes back.

use super::{OAuthError, OAuthErrorKind, TokenResponse};
use crate::error::ErrorKind;
use crate::issuer::Issuer;
use crate::model::AppClient;
use crate::signin::{FlowContext, refresh};

/// Redeems `token` for new ID and access tokens (and a new refresh token
/// when the client rotates them).
pub(crate) fn grant(
    issuer: &Issuer,
    client: &AppClient,
    token: &str,
) -> Result<TokenResponse, OAuthError> {
    let ctx = FlowContext::for_client(issuer, client.clone())
        .map_err(|_| OAuthError::new(OAuthErrorKind::InvalidClient))?;
    let tokens = refresh::grant(issuer, &ctx, token).map_err(|e| {
        if let Some(refusal) = super::lambda_refusal(&e) {
            refusal
        } else if e.kind == ErrorKind::TooManyRequests {
            OAuthError::new(OAuthErrorKind::InvalidRequest).describe(e.message)
        } else {
            OAuthError::new(OAuthErrorKind::InvalidGrant)
        }
    })?;
    Ok(TokenResponse {
        access_token: tokens.access_token,
        id_token: tokens.id_token,
        refresh_token: tokens.refresh_token,
        expires_in: tokens.expires_in,
    })
}
