//! Compact JWS: signing with a pool key, and parsing the issuer's own
//! tokens back.

use aws_lc_rs::signature::{RSA_PKCS1_2048_8192_SHA256, RSA_PKCS1_SHA256, UnparsedPublicKey};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};

use super::keys::LoadedKey;
use crate::error::{Error, Result};

/// Signs `claims` as an RS256 JWT with `key`.
pub(crate) fn sign_jwt(key: &LoadedKey, claims: &Value) -> Result<String> {
    let header = json!({ "kid": key.kid, "alg": "RS256" });
    let mut msg = URL_SAFE_NO_PAD.encode(header.to_string());
    msg.push('.');
    msg.push_str(&URL_SAFE_NO_PAD.encode(claims.to_string()));
    let mut sig = vec![0u8; key.keypair.public_modulus_len()];
    let rng = aws_lc_rs::rand::SystemRandom::new();
    key.keypair
        .sign(&RSA_PKCS1_SHA256, &rng, msg.as_bytes(), &mut sig)
        .map_err(|_| Error::internal("signing failed"))?;
    msg.push('.');
    msg.push_str(&URL_SAFE_NO_PAD.encode(sig));
    Ok(msg)
}

/// Parsed parts of a compact JWT.
#[derive(Debug)]
pub(crate) struct ParsedJwt {
    /// Header JSON.
    pub header: Value,
    /// Claims JSON.
    pub claims: Value,
    signing_input: String,
    signature: Vec<u8>,
}

impl ParsedJwt {
    /// Splits and decodes a compact JWT without verifying it.
    pub(crate) fn parse(token: &str) -> Option<Self> {
        let mut parts = token.split('.');
        let (h, c, s) = (parts.next()?, parts.next()?, parts.next()?);
        if parts.next().is_some() {
            return None;
        }
        let header: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(h).ok()?).ok()?;
        let claims: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(c).ok()?).ok()?;
        let signature = URL_SAFE_NO_PAD.decode(s).ok()?;
        Some(Self {
            header,
            claims,
            signing_input: format!("{h}.{c}"),
            signature,
        })
    }

    /// The `kid` header.
    pub(crate) fn kid(&self) -> Option<&str> {
        self.header.get("kid").and_then(Value::as_str)
    }

    /// Verifies the RS256 signature with `key`.
    pub(crate) fn verify(&self, key: &LoadedKey) -> bool {
        if self.header.get("alg").and_then(Value::as_str) != Some("RS256") {
            return false;
        }
        UnparsedPublicKey::new(&RSA_PKCS1_2048_8192_SHA256, &key.public_der)
            .verify(self.signing_input.as_bytes(), &self.signature)
            .is_ok()
    }
}
