//! JSON Web Keys: turning a JWKS document into keys that may verify RS256.

use std::collections::HashMap;
use std::sync::Arc;

use aws_lc_rs::signature::{ParsedPublicKey, RSA_PKCS1_2048_8192_SHA256, RsaPublicKeyComponents};
use serde::Deserialize;

use crate::error::Cause;
use crate::jwt::{self, ALG_RS256};

/// Most keys a JWKS may list; Cognito publishes two.
pub(crate) const MAX_KEYS: usize = 64;

/// An RSA public key, parsed once when the JWKS is loaded.
pub(crate) struct VerifyingKey(ParsedPublicKey);

impl VerifyingKey {
    /// Whether `signature` is a valid RS256 signature of `message`.
    pub(crate) fn verify(&self, message: &[u8], signature: &[u8]) -> bool {
        self.0.verify_sig(message, signature).is_ok()
    }
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
    RsaPublicKeyComponents { n: &n, e: &e }
        .to_parsed_public_key(&RSA_PKCS1_2048_8192_SHA256)
        .map(VerifyingKey)
        .map_err(|e| format!("not a valid RSA public key: {e}"))
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
