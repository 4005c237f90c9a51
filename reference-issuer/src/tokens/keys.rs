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

use crate::store::Conn as Connection;
use aws_lc_rs::encoding::AsDer;
use aws_lc_rs::rsa::{KeyPair, KeySize, PublicKeyComponents};
use aws_lc_rs::signature::KeyPair as _;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::error::{Error, IssuerError, Result};
use crate::ids;
use crate::store::Store;
use crate::store::keys as key_rows;
use crate::store::keys::KeyRow;

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
pub(crate) struct LoadedKey {
    /// Key id.
    pub kid: String,
    /// What it signs.
    pub purpose: String,
    /// Private key (present for every stored key).
    pub(super) keypair: KeyPair,
    /// PKCS#1 DER public key, for verification.
    pub(super) public_der: Vec<u8>,
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
pub(crate) struct PoolKeys {
    keys: Vec<LoadedKey>,
}

impl PoolKeys {
    /// The active key for `purpose`.
    pub(crate) fn active(&self, purpose: KeyPurpose) -> Result<&LoadedKey> {
        self.keys
            .iter()
            .find(|k| k.active && k.purpose == purpose.as_str())
            .ok_or_else(|| Error::internal("no active signing key"))
    }

    /// A key by kid (active or retired).
    pub(crate) fn by_kid(&self, kid: &str) -> Option<&LoadedKey> {
        self.keys.iter().find(|k| k.kid == kid)
    }

    /// The JWKS document at time `now`: active keys plus retired keys whose
    /// tokens may still be valid.
    pub(crate) fn jwks(&self, now: i64) -> Value {
        let keys: Vec<&Value> = self
            .keys
            .iter()
            .filter(|k| k.active || k.publish_until.is_some_and(|t| t > now))
            .map(|k| &k.jwk)
            .collect();
        json!({ "keys": keys })
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
pub(crate) fn generate(pool_id: &str, purpose: KeyPurpose) -> Result<KeyRow, IssuerError> {
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
pub(crate) fn ensure_keys(conn: &Connection, pool_id: &str) -> Result<()> {
    let existing = key_rows::list_keys(conn, pool_id)?;
    for purpose in [KeyPurpose::Id, KeyPurpose::Access] {
        if !existing
            .iter()
            .any(|k| k.purpose == purpose.as_str() && k.retired_at.is_none())
        {
            key_rows::insert_key(conn, &generate(pool_id, purpose)?)?;
        }
    }
    Ok(())
}

/// Rotates both keys of a pool: new keys sign from now on; the old ones stay
/// published for `max_token_ttl` seconds. Returns the new kids.
pub(crate) fn rotate(conn: &Connection, pool_id: &str, max_token_ttl: i64) -> Result<Vec<String>> {
    let now = ids::now();
    let mut kids = Vec::new();
    for purpose in [KeyPurpose::Id, KeyPurpose::Access] {
        let row = generate(pool_id, purpose)?;
        key_rows::retire_keys(conn, pool_id, purpose.as_str(), now, now + max_token_ttl)?;
        key_rows::insert_key(conn, &row)?;
        kids.push(row.kid);
    }
    Ok(kids)
}

/// How long loaded keys are trusted before re-reading the store, so a
/// rotation done by another process (the `rotate-keys` command) takes effect.
pub(crate) const KEY_CACHE_TTL: Duration = Duration::from_secs(5);

/// In-memory cache of loaded pool keys.
#[derive(Debug, Default)]
pub(crate) struct KeyCache {
    pools: RwLock<HashMap<String, (Instant, Arc<PoolKeys>)>>,
}

impl KeyCache {
    /// The keys of `pool_id`, loading them from the store on first use.
    pub(crate) fn get(&self, store: &Store, pool_id: &str) -> Result<Arc<PoolKeys>> {
        if let Some((at, k)) = self.pools.read().ok().and_then(|m| m.get(pool_id).cloned())
            && at.elapsed() < KEY_CACHE_TTL
        {
            return Ok(k);
        }
        let key_rows = store.read(|c| key_rows::list_keys(c, pool_id))?;
        if key_rows.is_empty() {
            return Err(Error::resource_not_found(format!(
                "User pool {pool_id} does not exist."
            )));
        }
        let keys = key_rows
            .iter()
            .map(load)
            .collect::<Result<Vec<_>, _>>()
            .map_err(Error::from)?;
        let pk = Arc::new(PoolKeys { keys });
        if let Ok(mut m) = self.pools.write() {
            m.insert(pool_id.to_string(), (Instant::now(), pk.clone()));
        }
        Ok(pk)
    }

    /// Drops the cached keys of a pool (after rotation or deletion).
    pub(crate) fn invalidate(&self, pool_id: &str) {
        if let Ok(mut m) = self.pools.write() {
            m.remove(pool_id);
        }
    }
}
