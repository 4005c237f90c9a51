//! Decoy SRP challenges for names that match no usable verifier (unknown
//! users under `PreventUserExistenceErrors`, users whose password predates
//! SRP): the same shape as a real challenge and stable across calls and
//! restarts, so repeating a start cannot tell them apart.
//!
//! Everything is derived with HMAC-SHA256 from a random per-store key
//! (`meta.srp_decoy_key`), so the salt of a name stays the same, like a
//! real user's stored salt.

use aws_lc_rs::hmac;
use base64::Engine;
use base64::engine::general_purpose::STANDARD_NO_PAD;
use num_bigint::BigUint;

use crate::error::{Error, Result};
use crate::issuer::Issuer;
use crate::model::Pool;
use crate::srp::Verifier;
use crate::store::meta as meta_rows;

const META_KEY: &str = "srp_decoy_key";

/// The decoy key, created on first use and kept in the store (read once
/// per run).
fn decoy_key(issuer: &Issuer) -> Result<hmac::Key> {
    let raw = match issuer.srp.decoy_key.get() {
        Some(k) => k.clone(),
        None => {
            // Read-or-create in one write transaction: concurrent first
            // calls agree on one key.
            let stored = issuer.write(|tx| {
                if let Some(k) = meta_rows::get_meta(tx, META_KEY)? {
                    return Ok(k);
                }
                let mut bytes = [0u8; 32];
                aws_lc_rs::rand::fill(&mut bytes)
                    .map_err(|_| Error::internal("system random generator failed"))?;
                let k = STANDARD_NO_PAD.encode(bytes);
                meta_rows::set_meta(tx, META_KEY, &k)?;
                Ok(k)
            })?;
            let _ = issuer.srp.decoy_key.set(stored);
            issuer.srp.decoy_key.get().cloned().unwrap_or_default()
        }
    };
    Ok(hmac::Key::new(hmac::HMAC_SHA256, raw.as_bytes()))
}

fn derive(key: &hmac::Key, label: &str, pool_id: &str, name: &str) -> [u8; 32] {
    let mut ctx = hmac::Context::with_key(key);
    for part in [label, pool_id, &name.to_lowercase()] {
        ctx.update(part.as_bytes());
        ctx.update(&[0]);
    }
    let tag = ctx.sign();
    let mut out = [0u8; 32];
    out.copy_from_slice(tag.as_ref());
    out
}

/// A stable fake verifier for `name` in `pool_id`: its salt has the shape
/// of a real one (128 bits, top nibble set); `v` is never used for a proof
/// (any `v` makes `B = k·v + g^b` uniformly distributed), so it costs no
/// modular exponentiation.
pub(super) fn verifier(issuer: &Issuer, pool_id: &str, name: &str) -> Result<Verifier> {
    let key = decoy_key(issuer)?;
    let mut salt = [0u8; 16];
    salt.copy_from_slice(&derive(&key, "salt", pool_id, name)[..16]);
    salt[0] |= 0x10;
    let v = BigUint::from_bytes_be(&derive(&key, "v", pool_id, name));
    Ok(Verifier {
        salt: BigUint::from_bytes_be(&salt),
        v,
    })
}

/// The `USER_ID_FOR_SRP` of an unknown `name`: where a known user's would
/// be their sub (pools with `UsernameAttributes`) or a username that
/// cannot have the typed alias's format (an email or phone number in a
/// pool with that alias), a stable UUID v4 derived from the name; else the
/// name as typed, like a known user signing in by username.
pub(super) fn user_id(issuer: &Issuer, pool: &Pool, name: &str) -> Result<String> {
    if uuid::Uuid::parse_str(name).is_ok() {
        return Ok(name.to_string());
    }
    let hidden = !pool.username_attributes.is_empty()
        || crate::directory::accounts::alias_format(pool, name).is_some();
    if !hidden {
        return Ok(name.to_string());
    }
    let key = decoy_key(issuer)?;
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&derive(&key, "user", &pool.id, name)[..16]);
    Ok(uuid::Builder::from_random_bytes(bytes)
        .into_uuid()
        .to_string())
}
