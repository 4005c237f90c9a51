//! JSON Web Keys: turning a JWKS document into keys that may verify RS256.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use aws_lc_rs::signature::{ParsedPublicKey, RSA_PKCS1_2048_8192_SHA256, RsaPublicKeyComponents};
use serde::Deserialize;

use crate::error::Cause;
use crate::jwt::{self, ALG_RS256};

/// Most keys a JWKS may list; Cognito publishes two.
pub(crate) const MAX_KEYS: usize = 64;

/// An RSA public key, parsed once when the JWKS is loaded.
///
/// The same key stays the same `Arc` across refreshes that keep publishing
/// it under its kid; a refresh that no longer does marks it withdrawn, which
/// every verified-token cache entry holding it sees on its next hit.
pub(crate) struct VerifyingKey {
    parsed: ParsedPublicKey,
    /// Big-endian modulus and exponent, to recognise the key in a later JWKS.
    n: Box<[u8]>,
    e: Box<[u8]>,
    withdrawn: AtomicBool,
}

impl VerifyingKey {
    /// Whether `signature` is a valid RS256 signature of `message`.
    pub(crate) fn verify(&self, message: &[u8], signature: &[u8]) -> bool {
        self.parsed.verify_sig(message, signature).is_ok()
    }

    /// Whether a JWKS refresh stopped publishing this key under its kid.
    pub(crate) fn is_withdrawn(&self) -> bool {
        self.withdrawn.load(Ordering::Acquire)
    }

    fn withdraw(&self) {
        self.withdrawn.store(true, Ordering::Release);
    }

    fn same_material(&self, other: &VerifyingKey) -> bool {
        strip_zeros(&self.n) == strip_zeros(&other.n)
            && strip_zeros(&self.e) == strip_zeros(&other.e)
    }
}

fn strip_zeros(bytes: &[u8]) -> &[u8] {
    let start = bytes.iter().position(|b| *b != 0).unwrap_or(bytes.len());
    &bytes[start..]
}

/// A key as listed in the JWKS: usable, or kept with the reason it is not, so
/// a token naming it is refused with that reason rather than "unknown kid".
pub(crate) enum KeyEntry {
    Usable(Arc<VerifyingKey>),
    Unusable(String),
}

/// The keys of one JWKS document, by `kid`.
#[derive(Default)]
pub(crate) struct KeySet {
    keys: HashMap<String, KeyEntry>,
}

impl KeySet {
    /// The usable key for `kid`, or the exact reason there is none.
    pub(crate) fn get(&self, kid: &str) -> Result<Arc<VerifyingKey>, Cause> {
        match self.keys.get(kid) {
            Some(KeyEntry::Usable(key)) => Ok(key.clone()),
            Some(KeyEntry::Unusable(reason)) => Err(Cause::UnusableKey {
                kid: kid.to_owned(),
                reason: reason.clone(),
            }),
            None => Err(Cause::UnknownKid(kid.to_owned())),
        }
    }

    pub(crate) fn contains(&self, kid: &str) -> bool {
        self.keys.contains_key(kid)
    }

    pub(crate) fn len(&self) -> usize {
        self.keys.len()
    }

    /// Called on a freshly fetched set with the set it replaces: a key still
    /// published under the same kid keeps its `Arc` (so cached tokens stay
    /// tied to a live key); every other previous key is withdrawn.
    pub(crate) fn succeed(&mut self, previous: &KeySet) {
        for (kid, old) in &previous.keys {
            let KeyEntry::Usable(old) = old else { continue };
            match self.keys.get_mut(kid) {
                Some(KeyEntry::Usable(new)) if new.same_material(old) => *new = old.clone(),
                _ => old.withdraw(),
            }
        }
    }
}

#[derive(Deserialize)]
struct JwksDocument {
    keys: Vec<RawJwk>,
}

#[derive(Deserialize)]
struct RawJwk {
    kid: Option<String>,
    kty: Option<String>,
    #[serde(rename = "use")]
    use_: Option<String>,
    alg: Option<String>,
    n: Option<String>,
    e: Option<String>,
}

/// Parses a JWKS document. Keys without a `kid` are skipped (a token must name
/// its key); a duplicated `kid` keeps its first key.
pub(crate) fn parse_jwks(bytes: &[u8]) -> Result<KeySet, String> {
    let doc: JwksDocument =
        serde_json::from_slice(bytes).map_err(|e| format!("JWKS is not valid JSON: {e}"))?;
    if doc.keys.len() > MAX_KEYS {
        return Err(format!(
            "JWKS lists {} keys, more than {MAX_KEYS}",
            doc.keys.len()
        ));
    }
    let mut set = KeySet::default();
    for raw in doc.keys {
        let Some(kid) = raw.kid.clone() else { continue };
        let entry = match usable_key(&raw) {
            Ok(key) => KeyEntry::Usable(Arc::new(key)),
            Err(reason) => KeyEntry::Unusable(reason),
        };
        set.keys.entry(kid).or_insert(entry);
    }
    Ok(set)
}

fn usable_key(jwk: &RawJwk) -> Result<VerifyingKey, String> {
    match jwk.kty.as_deref() {
        Some("RSA") => {}
        other => return Err(format!("kty is {other:?}, not \"RSA\"")),
    }
    if let Some(use_) = jwk.use_.as_deref().filter(|u| *u != "sig") {
        return Err(format!("use is {use_:?}, not \"sig\""));
    }
    if let Some(alg) = jwk.alg.as_deref().filter(|a| *a != ALG_RS256) {
        return Err(format!("alg is {alg:?}, not \"{ALG_RS256}\""));
    }
    let component = |value: &Option<String>, name: &str| {
        value
            .as_deref()
            .ok_or_else(|| format!("{name} is missing"))
            .and_then(|v| jwt::b64(v).map_err(|_| format!("{name} is not base64url")))
    };
    let n = component(&jwk.n, "n")?;
    let e = component(&jwk.e, "e")?;
    let modulus_bits = n.iter().skip_while(|b| **b == 0).count() * 8;
    if !(2048..=8192).contains(&modulus_bits) {
        return Err(format!(
            "modulus is {modulus_bits} bits, outside 2048..=8192"
        ));
    }
    let parsed = RsaPublicKeyComponents { n: &n, e: &e }
        .to_parsed_public_key(&RSA_PKCS1_2048_8192_SHA256)
        .map_err(|e| format!("not a valid RSA public key: {e}"))?;
    Ok(VerifyingKey {
        parsed,
        n: n.into(),
        e: e.into(),
        withdrawn: AtomicBool::new(false),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_unusable_keys_with_reasons() {
        let jwks = br#"{"keys":[
            {"kid":"ec","kty":"EC","crv":"P-256","x":"AA","y":"AA"},
            {"kid":"enc","kty":"RSA","use":"enc","n":"AQAB","e":"AQAB"},
            {"kid":"ps","kty":"RSA","alg":"PS256","n":"AQAB","e":"AQAB"},
            {"kid":"small","kty":"RSA","n":"AQAB","e":"AQAB"},
            {"kty":"RSA","n":"AQAB","e":"AQAB"}
        ]}"#;
        let set = parse_jwks(jwks).unwrap();
        assert_eq!(set.len(), 4);
        for (kid, needle) in [
            ("ec", "kty"),
            ("enc", "use"),
            ("ps", "alg"),
            ("small", "modulus"),
        ] {
            match set.get(kid) {
                Err(Cause::UnusableKey { reason, .. }) => {
                    assert!(reason.contains(needle), "{reason}")
                }
                other => panic!("{kid}: {:?}", other.err()),
            }
        }
        assert_eq!(
            set.get("nope").err(),
            Some(Cause::UnknownKid("nope".into()))
        );
    }

    #[test]
    fn refuses_garbage_documents() {
        assert!(parse_jwks(b"<html>").is_err());
        assert!(parse_jwks(br#"{"keys":{}}"#).is_err());
        let many = format!(
            r#"{{"keys":[{}]}}"#,
            vec![r#"{"kid":"a"}"#; MAX_KEYS + 1].join(",")
        );
        assert!(parse_jwks(many.as_bytes()).is_err());
    }
}
