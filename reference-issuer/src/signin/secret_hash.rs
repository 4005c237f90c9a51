//! `SECRET_HASH`: Base64(HMAC-SHA256(client secret, username + client id)),
//! required from clients that have a secret.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::error::{Error, Result};
use crate::model::AppClient;

/// Checks the `SECRET_HASH` for clients with a secret: Base64(HMAC-SHA256(
/// secret, username + client_id)). Any of `usernames` may be the one hashed.
pub(crate) fn check_secret_hash(
    client: &AppClient,
    usernames: &[&str],
    provided: Option<&str>,
) -> Result<()> {
    let Some(secret) = client.client_secret.as_deref() else {
        return Ok(());
    };
    let fail = || {
        Error::not_authorized(format!(
            "Unable to verify secret hash for client {}",
            client.client_id
        ))
    };
    let provided = provided.filter(|p| !p.is_empty()).ok_or_else(|| {
        Error::not_authorized(format!(
            "Client {} is configured with secret but SECRET_HASH was not received",
            client.client_id
        ))
    })?;
    let provided = STANDARD.decode(provided).map_err(|_| fail())?;
    for name in usernames {
        let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret.as_bytes()) else {
            return Err(fail());
        };
        mac.update(name.as_bytes());
        mac.update(client.client_id.as_bytes());
        if mac.verify_slice(&provided).is_ok() {
            return Ok(());
        }
    }
    Err(fail())
}

/// Checks a client secret sent as such (`ClientSecret` of
/// GetTokensFromRefreshToken and RevokeToken), in constant time, for
/// clients that have one.
pub(crate) fn check_client_secret(client: &AppClient, provided: Option<&str>) -> Result<()> {
    let Some(secret) = client.client_secret.as_deref() else {
        return Ok(());
    };
    let matches = provided.is_some_and(|p| {
        aws_lc_rs::constant_time::verify_slices_are_equal(p.as_bytes(), secret.as_bytes()).is_ok()
    });
    if matches {
        Ok(())
    } else {
        Err(Error::not_authorized(format!(
            "Client {} is configured with secret but no valid ClientSecret was received",
            client.client_id
        )))
    }
}

/// Computes a SECRET_HASH (used by tests and tools).
pub(crate) fn secret_hash(client_secret: &str, username: &str, client_id: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(client_secret.as_bytes())
        .unwrap_or_else(|_| unreachable_hmac());
    mac.update(username.as_bytes());
    mac.update(client_id.as_bytes());
    STANDARD.encode(mac.finalize().into_bytes())
}

#[cold]
fn unreachable_hmac() -> Hmac<Sha256> {
    // HMAC accepts keys of any length; this is never reached.
    Hmac::<Sha256>::new_from_slice(b"k").unwrap_or_else(|_| unreachable_hmac())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_hash_matches_cognito_definition() {
        let client_secret = "secret";
        let h = secret_hash(client_secret, "alice", "client");
        // Base64(HMAC-SHA256("secret", "aliceclient")), computed independently.
        assert_eq!(h, "RTsve+FQ659UKyESgvLg9GYmZEL+QjzQsW/OjL77/b0=");
    }
}
