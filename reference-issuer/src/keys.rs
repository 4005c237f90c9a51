//! Per-pool RSA signing keys: generation (2048-bit, aws-lc-rs), persistence,
//! JWKS publication, rotation, RS256 signing and verification.
//!
//! Each pool has one active key for ID tokens and a separate one for access
//! tokens, as Cognito does. The `kid` is the key's RFC 7638 JWK thumbprint.
//! After rotation the old key stops signing but stays in the JWKS until every
//! token it signed has expired.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use aws_lc_rs::encoding::AsDer;
use aws_lc_rs::rsa::{KeyPair, KeySize, PublicKeyComponents};
use aws_lc_rs::signature::{
    KeyPair as _, RSA_PKCS1_2048_8192_SHA256, RSA_PKCS1_SHA256, UnparsedPublicKey,
};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rusqlite::Connection;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::errors::{ApiError, ApiResult, IssuerError};
use crate::ids;
use crate::store::Store;
use crate::store::pools::{self as rows, KeyRow};

/// What a key signs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KeyPurpose {
    /// ID tokens.
    Id,
    /// Access tokens.
    Access,
}

impl KeyPurpose {
    /// Stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Id => "id",
            Self::Access => "access",
        }
    }
}

/// A loaded key ready to sign or verify.
pub struct LoadedKey {
    /// Key id.
    pub kid: String,
    /// What it signs.
    pub purpose: String,
    /// Private key (present for every stored key).
    keypair: KeyPair,
    /// PKCS#1 DER public key, for verification.
    public_der: Vec<u8>,
    /// Public JWK.
    pub jwk: Value,
    /// Still signing.
    pub active: bool,
    /// For retired keys: until when the JWKS lists them.
    pub publish_until: Option<i64>,
}

impl std::fmt::Debug for LoadedKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoadedKey")
            .field("kid", &self.kid)
            .field("purpose", &self.purpose)
            .field("active", &self.active)
            .finish()
    }
}

/// The keys of one pool.
#[derive(Debug)]
pub struct PoolKeys {
    keys: Vec<LoadedKey>,
}

impl PoolKeys {
    /// The active key for `purpose`.
    pub fn active(&self, purpose: KeyPurpose) -> ApiResult<&LoadedKey> {
        self.keys
            .iter()
            .find(|k| k.active && k.purpose == purpose.as_str())
            .ok_or_else(|| ApiError::internal("no active signing key"))
    }

    /// A key by kid (active or retired).
    pub fn by_kid(&self, kid: &str) -> Option<&LoadedKey> {
        self.keys.iter().find(|k| k.kid == kid)
    }

    /// The JWKS document at time `now`: active keys plus retired keys whose
    /// tokens may still be valid.
    pub fn jwks(&self, now: i64) -> Value {
        let keys: Vec<&Value> = self
            .keys
            .iter()
            .filter(|k| k.active || k.publish_until.is_some_and(|t| t > now))
            .map(|k| &k.jwk)
            .collect();
        json!({ "keys": keys })
    }

    /// Kids of the currently published keys.
    pub fn published_kids(&self, now: i64) -> Vec<String> {
        self.keys
            .iter()
            .filter(|k| k.active || k.publish_until.is_some_and(|t| t > now))
            .map(|k| k.kid.clone())
            .collect()
    }
}

fn load(row: &KeyRow) -> Result<LoadedKey, IssuerError> {
    let keypair = KeyPair::from_pkcs8(&row.pkcs8)
        .map_err(|e| IssuerError::Crypto(format!("stored key {} unreadable: {e}", row.kid)))?;
    let public_der = keypair.public_key().as_ref().to_vec();
    Ok(LoadedKey {
        kid: row.kid.clone(),
        purpose: row.purpose.clone(),
        jwk: jwk(&keypair, &row.kid),
        keypair,
        public_der,
        active: row.retired_at.is_none(),
        publish_until: row.publish_until,
    })
}

fn components(kp: &KeyPair) -> (String, String) {
    let c: PublicKeyComponents<Vec<u8>> = kp.public_key().into();
    (URL_SAFE_NO_PAD.encode(&c.n), URL_SAFE_NO_PAD.encode(&c.e))
}

/// RFC 7638 JWK thumbprint (SHA-256, base64url).
fn thumbprint(kp: &KeyPair) -> String {
    let (n, e) = components(kp);
    let canonical = format!(r#"{{"e":"{e}","kty":"RSA","n":"{n}"}}"#);
    URL_SAFE_NO_PAD.encode(Sha256::digest(canonical.as_bytes()))
}

fn jwk(kp: &KeyPair, kid: &str) -> Value {
    let (n, e) = components(kp);
    json!({ "alg": "RS256", "e": e, "kid": kid, "kty": "RSA", "n": n, "use": "sig" })
}

/// Generates a fresh 2048-bit key row for `pool_id` / `purpose`.
pub fn generate(pool_id: &str, purpose: KeyPurpose) -> Result<KeyRow, IssuerError> {
    let kp = KeyPair::generate(KeySize::Rsa2048)
        .map_err(|_| IssuerError::Crypto("RSA key generation failed".into()))?;
    let pkcs8 = kp
        .as_der()
        .map_err(|_| IssuerError::Crypto("RSA key serialization failed".into()))?;
    Ok(KeyRow {
        kid: thumbprint(&kp),
        pool_id: pool_id.to_string(),
        purpose: purpose.as_str().to_string(),
        pkcs8: pkcs8.as_ref().to_vec(),
        created_at: ids::now(),
        retired_at: None,
        publish_until: None,
    })
}

/// Creates the ID and access keys of a pool if it has none active.
pub fn ensure_keys(conn: &Connection, pool_id: &str) -> ApiResult<()> {
    let existing = rows::list_keys(conn, pool_id)?;
    for purpose in [KeyPurpose::Id, KeyPurpose::Access] {
        if !existing
            .iter()
            .any(|k| k.purpose == purpose.as_str() && k.retired_at.is_none())
        {
            rows::insert_key(conn, &generate(pool_id, purpose)?)?;
        }
    }
    Ok(())
}

/// Rotates both keys of a pool: new keys sign from now on; the old ones stay
/// published for `max_token_ttl` seconds. Returns the new kids.
pub fn rotate(conn: &Connection, pool_id: &str, max_token_ttl: i64) -> ApiResult<Vec<String>> {
    let now = ids::now();
    let mut kids = Vec::new();
    for purpose in [KeyPurpose::Id, KeyPurpose::Access] {
        let row = generate(pool_id, purpose)?;
        rows::retire_keys(conn, pool_id, purpose.as_str(), now, now + max_token_ttl)?;
        rows::insert_key(conn, &row)?;
        kids.push(row.kid);
    }
    Ok(kids)
}

/// How long loaded keys are trusted before re-reading the store, so a
/// rotation done by another process (the `rotate-keys` command) takes effect.
pub const KEY_CACHE_TTL: Duration = Duration::from_secs(5);

/// In-memory cache of loaded pool keys.
#[derive(Debug, Default)]
pub struct KeyCache {
    pools: RwLock<HashMap<String, (Instant, Arc<PoolKeys>)>>,
}

impl KeyCache {
    /// The keys of `pool_id`, loading them from the store on first use.
    pub fn get(&self, store: &Store, pool_id: &str) -> ApiResult<Arc<PoolKeys>> {
        if let Some((at, k)) = self.pools.read().ok().and_then(|m| m.get(pool_id).cloned())
            && at.elapsed() < KEY_CACHE_TTL
        {
            return Ok(k);
        }
        let key_rows = store.read(|c| rows::list_keys(c, pool_id))?;
        if key_rows.is_empty() {
            return Err(ApiError::resource_not_found(format!(
                "User pool {pool_id} does not exist."
            )));
        }
        let keys = key_rows
            .iter()
            .map(load)
            .collect::<Result<Vec<_>, _>>()
            .map_err(ApiError::from)?;
        let pk = Arc::new(PoolKeys { keys });
        if let Ok(mut m) = self.pools.write() {
            m.insert(pool_id.to_string(), (Instant::now(), pk.clone()));
        }
        Ok(pk)
    }

    /// Drops the cached keys of a pool (after rotation or deletion).
    pub fn invalidate(&self, pool_id: &str) {
        if let Ok(mut m) = self.pools.write() {
            m.remove(pool_id);
        }
    }
}

/// Signs `claims` as an RS256 JWT with `key`.
pub fn sign_jwt(key: &LoadedKey, claims: &Value) -> ApiResult<String> {
    let header = json!({ "kid": key.kid, "alg": "RS256" });
    let mut msg = URL_SAFE_NO_PAD.encode(header.to_string());
    msg.push('.');
    msg.push_str(&URL_SAFE_NO_PAD.encode(claims.to_string()));
    let mut sig = vec![0u8; key.keypair.public_modulus_len()];
    let rng = aws_lc_rs::rand::SystemRandom::new();
    key.keypair
        .sign(&RSA_PKCS1_SHA256, &rng, msg.as_bytes(), &mut sig)
        .map_err(|_| ApiError::internal("signing failed"))?;
    msg.push('.');
    msg.push_str(&URL_SAFE_NO_PAD.encode(sig));
    Ok(msg)
}

/// Parsed parts of a compact JWT.
#[derive(Debug)]
pub struct ParsedJwt {
    /// Header JSON.
    pub header: Value,
    /// Claims JSON.
    pub claims: Value,
    signing_input: String,
    signature: Vec<u8>,
}

impl ParsedJwt {
    /// Splits and decodes a compact JWT without verifying it.
    pub fn parse(token: &str) -> Option<Self> {
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
    pub fn kid(&self) -> Option<&str> {
        self.header.get("kid").and_then(Value::as_str)
    }

    /// Verifies the RS256 signature with `key`.
    pub fn verify(&self, key: &LoadedKey) -> bool {
        if self.header.get("alg").and_then(Value::as_str) != Some("RS256") {
            return false;
        }
        UnparsedPublicKey::new(&RSA_PKCS1_2048_8192_SHA256, &key.public_der)
            .verify(self.signing_input.as_bytes(), &self.signature)
            .is_ok()
    }
}
