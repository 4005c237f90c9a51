//! The `authorization_code` grant at `/oauth2/token`: a code from
//! [`super::authorize::grant`] is redeemed once, by the client it was
//! issued to, with the same `redirect_uri` and (when the request had a
//! challenge) the PKCE verifier. A replayed code is refused and revokes
//! the tokens its first redemption issued (RFC 6749 §4.1.2).

use std::cell::Cell;

use aws_lc_rs::constant_time::verify_slices_are_equal;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};

use super::authorize::is_verifier;
use super::{OAuthError, OAuthErrorKind, TokenResponse};
use crate::error::{Error, ErrorKind};
use crate::ids;
use crate::issuer::Issuer;
use crate::model::{AppClient, OAuthFlow};
use crate::signin::FlowContext;
use crate::signin::issue::{self, Issue};
use crate::store::{authorization_codes as code_rows, refresh as refresh_rows, users as user_rows};
use crate::tokens::OAuthGrant;

/// What the token request sent besides the (already authenticated) client.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Redemption<'a> {
    /// `code`.
    pub code: &'a str,
    /// `redirect_uri`.
    pub redirect_uri: &'a str,
    /// `code_verifier`, if sent.
    pub code_verifier: Option<&'a str>,
}

fn invalid_grant(d: &str) -> OAuthError {
    OAuthError::new(OAuthErrorKind::InvalidGrant).describe(d)
}

fn fault(e: Error) -> OAuthError {
    if let Some(refusal) = super::lambda_refusal(&e) {
        refusal
    } else if e.kind == ErrorKind::TooManyRequests {
        OAuthError::new(OAuthErrorKind::InvalidRequest).describe(e.message)
    } else {
        tracing::error!(error = %e.message, "authorization_code grant failed");
        OAuthErrorKind::ServerError.into()
    }
}

/// The PKCE check (RFC 7636 §4.6): a verifier iff the request had a
/// challenge, and `BASE64URL(SHA256(verifier)) == challenge`.
fn check_pkce(challenge: Option<&str>, verifier: Option<&str>) -> Result<(), OAuthError> {
    match (challenge, verifier) {
        (None, None) => Ok(()),
        (None, Some(_)) => Err(invalid_grant("No code_challenge was sent for this code.")),
        (Some(_), None) => Err(invalid_grant("code_verifier is required.")),
        (Some(_), Some(v)) if !is_verifier(v) => {
            Err(OAuthError::new(OAuthErrorKind::InvalidRequest)
                .describe("Malformed code_verifier."))
        }
        (Some(c), Some(v)) => {
            let computed = URL_SAFE_NO_PAD.encode(Sha256::digest(v.as_bytes()));
            verify_slices_are_equal(computed.as_bytes(), c.as_bytes())
                .map_err(|_| invalid_grant("code_verifier does not match the code_challenge."))
        }
    }
}

/// Redeems an authorization code for `client` (already authenticated).
pub(crate) fn grant(
    issuer: &Issuer,
    client: &AppClient,
    r: Redemption<'_>,
) -> Result<TokenResponse, OAuthError> {
    grant_at(issuer, client, r, ids::now())
}

/// [`grant`] at `now`.
pub(crate) fn grant_at(
    issuer: &Issuer,
    client: &AppClient,
    r: Redemption<'_>,
    now: i64,
) -> Result<TokenResponse, OAuthError> {
    if !client.allows_oauth_flow(OAuthFlow::Code) {
        return Err(OAuthErrorKind::UnauthorizedClient.into());
    }
    let hash = ids::sha256_hex(r.code);
    let row = issuer
        .read(|c| Ok(code_rows::get(c, &hash)?))
        .map_err(fault)?
        .ok_or_else(|| invalid_grant("Invalid authorization code."))?;
    if row.client_id != client.client_id {
        return Err(invalid_grant("Invalid authorization code."));
    }
    if row.consumed_at.is_some() {
        revoke_replayed(issuer, &hash, now)?;
        return Err(invalid_grant("Authorization code already used."));
    }
    if row.expires_at <= now {
        return Err(invalid_grant("Authorization code expired."));
    }
    if row.redirect_uri != r.redirect_uri {
        return Err(invalid_grant(
            "redirect_uri does not match the authorization request.",
        ));
    }
    check_pkce(row.code_challenge.as_deref(), r.code_verifier)?;
    issuer.rate_limits.take(&row.pool_id).map_err(fault)?;
    let user = issuer
        .read(|c| Ok(user_rows::get_user_by_sub(c, &row.pool_id, &row.sub)?))
        .map_err(fault)?
        .filter(|u| u.enabled)
        .ok_or_else(|| invalid_grant("User does not exist or is disabled."))?;
    // The code's client is the authenticated one (checked above), so its
    // pool is the code's.
    let ctx = FlowContext::for_client(issuer, client.clone()).map_err(fault)?;
    let oauth = OAuthGrant {
        scopes: row.scopes.split_whitespace().map(str::to_string).collect(),
        nonce: row.nonce.clone(),
    };
    let how = Issue {
        oauth: Some(&oauth),
        auth_time: row.auth_time,
        device_key: None,
    };
    // Consumed in the transaction that stores the sign-in: of two
    // concurrent redemptions, the second finds it consumed and stores
    // nothing.
    let lost = Cell::new(false);
    let issued = issue::issue(issuer, &ctx, &user, how, |tx, refresh| {
        if code_rows::consume(tx, &hash, &refresh.origin_jti, now)? {
            Ok(())
        } else {
            lost.set(true);
            Err(Error::not_authorized("Authorization code already used."))
        }
    });
    let tokens = match issued {
        Ok(t) => t,
        Err(_) if lost.get() => {
            revoke_replayed(issuer, &hash, now)?;
            return Err(invalid_grant("Authorization code already used."));
        }
        Err(e) => return Err(fault(e)),
    };
    Ok(TokenResponse {
        access_token: tokens.access_token,
        id_token: tokens.id_token,
        refresh_token: tokens.refresh_token,
        expires_in: tokens.expires_in,
    })
}

/// A consumed code presented again: the sign-in its redemption issued is
/// revoked (refresh token, and for the issuer's checks its access tokens).
fn revoke_replayed(issuer: &Issuer, code_hash: &str, now: i64) -> Result<(), OAuthError> {
    issuer
        .write(|tx| {
            if let Some(origin) = code_rows::get(tx, code_hash)?.and_then(|c| c.origin_jti) {
                refresh_rows::revoke_origin(tx, &origin, now)?;
            }
            Ok(())
        })
        .map_err(fault)
}
