//! Client authentication at the token and revocation endpoints: clients
//! with a secret must present it (Basic or in the body; decoding is the
//! HTTP edge's job).

use super::{OAuthError, OAuthErrorKind};
use crate::issuer::Issuer;
use crate::model::AppClient;

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Loads and authenticates the client.
pub(crate) fn authenticate(
    issuer: &Issuer,
    id: &str,
    secret: Option<&str>,
) -> Result<AppClient, OAuthError> {
    let client = issuer
        .client(id)
        .map_err(|_| OAuthError::new(OAuthErrorKind::InvalidClient))?;
    if let Some(expected) = &client.client_secret {
        let ok = secret.is_some_and(|s| constant_time_eq(s.as_bytes(), expected.as_bytes()));
        if !ok {
            return Err(OAuthErrorKind::InvalidClient.into());
        }
    }
    Ok(client)
}
