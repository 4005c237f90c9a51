//! The `x-amzn-oidc-data` signer: ES256 (P-256) over base64url segments WITH
//! `=` padding, as a real ALB emits them, signed over the padded text.

use aws_lc_rs::digest::{SHA256, digest};
use aws_lc_rs::encoding::{AsDer, PublicKeyX509Der};
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, KeyPair};
use serde::Serialize;

use super::seal::CryptoError;
use crate::error::ConfigError;

/// The header members that vary per token; `typ`, `kid` and `alg` come from
/// the signer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataHeader {
    /// The issuer (the IdP's `iss`).
    pub iss: String,
    /// The app client id.
    pub client: String,
    /// The load balancer ARN.
    pub signer: String,
    /// Expiry, seconds since the epoch.
    pub exp: i64,
}

/// The header JSON, members in the order an ALB writes them (serde keeps
/// field order).
#[derive(Serialize)]
struct HeaderJson<'a> {
    typ: &'static str,
    kid: &'a str,
    alg: &'static str,
    iss: &'a str,
    client: &'a str,
    signer: &'a str,
    exp: i64,
}

/// An ES256 signing key with its `kid` and public key PEM.
pub struct AlbSigner {
    key: EcdsaKeyPair,
    kid: String,
    public_key_pem: String,
}

impl std::fmt::Debug for AlbSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AlbSigner")
            .field("kid", &self.kid)
            .finish_non_exhaustive()
    }
}

impl AlbSigner {
    /// A fresh random P-256 key.
    pub fn generate() -> Result<AlbSigner, CryptoError> {
        let key =
            EcdsaKeyPair::generate(&ECDSA_P256_SHA256_FIXED_SIGNING).map_err(|_| CryptoError)?;
        Self::from_key(key).ok_or(CryptoError)
    }

    /// A P-256 key from PKCS#8 DER.
    pub fn from_pkcs8_der(der: &[u8]) -> Result<AlbSigner, ConfigError> {
        EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, der)
            .ok()
            .and_then(Self::from_key)
            .ok_or(ConfigError::InvalidSetting(
                "ALB signing key: not a PKCS#8 P-256 private key",
            ))
    }

    /// A P-256 key from a PKCS#8 PEM (`-----BEGIN PRIVATE KEY-----`).
    pub fn from_pkcs8_pem(pem: &str) -> Result<AlbSigner, ConfigError> {
        let der = pem_body(pem, "PRIVATE KEY").ok_or(ConfigError::InvalidSetting(
            "ALB signing key: not a PEM \"PRIVATE KEY\" block",
        ))?;
        Self::from_pkcs8_der(&der)
    }

    /// The key as PKCS#8 PEM, to keep one key across restarts or instances.
    pub fn to_pkcs8_pem(&self) -> Result<String, CryptoError> {
        let doc = self.key.to_pkcs8v1().map_err(|_| CryptoError)?;
        Ok(pem("PRIVATE KEY", doc.as_ref()))
    }

    fn from_key(key: EcdsaKeyPair) -> Option<AlbSigner> {
        let spki: PublicKeyX509Der<'static> = key.public_key().as_der().ok()?;
        Some(AlbSigner {
            kid: kid_of(spki.as_ref()),
            public_key_pem: pem("PUBLIC KEY", spki.as_ref()),
            key,
        })
    }

    /// The key id: a UUID (v4-shaped) from the SHA-256 of the public key, so
    /// the same key always has the same kid.
    pub fn kid(&self) -> &str {
        &self.kid
    }

    /// The public key as a SubjectPublicKeyInfo PEM, what an ALB key server
    /// answers at `<base>/<kid>`.
    pub fn public_key_pem(&self) -> &str {
        &self.public_key_pem
    }

    /// `b64url_padded(header) . b64url_padded(payload) . b64url_padded(r||s)`,
    /// signed over the padded `header.payload` text.
    pub fn sign(&self, header: &DataHeader, payload_json: &str) -> Result<String, CryptoError> {
        let header = serde_json::to_vec(&HeaderJson {
            typ: "JWT",
            kid: &self.kid,
            alg: "ES256",
            iss: &header.iss,
            client: &header.client,
            signer: &header.signer,
            exp: header.exp,
        })
        .map_err(|_| CryptoError)?;
        let b64 = base64_simd::URL_SAFE;
        let mut token = b64.encode_to_string(header);
        token.push('.');
        token.push_str(&b64.encode_to_string(payload_json));
        let signature = self
            .key
            .sign(&SystemRandom::new(), token.as_bytes())
            .map_err(|_| CryptoError)?;
        token.push('.');
        token.push_str(&b64.encode_to_string(signature.as_ref()));
        Ok(token)
    }
}

fn kid_of(spki: &[u8]) -> String {
    let hash = digest(&SHA256, spki);
    let mut b = [0u8; 16];
    b.copy_from_slice(&hash.as_ref()[..16]);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    )
}

/// A PEM block: standard base64 in 64-character lines.
fn pem(label: &str, der: &[u8]) -> String {
    let body = base64_simd::STANDARD.encode_to_string(der);
    let mut out = format!("-----BEGIN {label}-----\n");
    for line in body.as_bytes().chunks(64) {
        // base64 output is ASCII, so every chunk is valid UTF-8.
        out.push_str(&String::from_utf8_lossy(line));
        out.push('\n');
    }
    out.push_str(&format!("-----END {label}-----\n"));
    out
}

/// The DER inside the first PEM block labelled `label`.
pub(crate) fn pem_body(pem: &str, label: &str) -> Option<Vec<u8>> {
    let begin = format!("-----BEGIN {label}-----");
    let end = format!("-----END {label}-----");
    let start = pem.find(&begin)? + begin.len();
    let len = pem[start..].find(&end)?;
    let body: String = pem[start..start + len]
        .chars()
        .filter(|c| !c.is_ascii_whitespace())
        .collect();
    base64_simd::STANDARD.decode_to_vec(body).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_lc_rs::signature::{ECDSA_P256_SHA256_FIXED, UnparsedPublicKey};

    fn header() -> DataHeader {
        DataHeader {
            iss: "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_X".into(),
            client: "client\"id".into(),
            signer: "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/a/1"
                .into(),
            exp: 1_700_000_000,
        }
    }

    /// Canonical padded base64url: decodes, and re-encodes to the same text.
    fn padded(segment: &str) -> Vec<u8> {
        assert_eq!(segment.len() % 4, 0, "{segment}");
        let bytes = base64_simd::URL_SAFE.decode_to_vec(segment).unwrap();
        assert_eq!(base64_simd::URL_SAFE.encode_to_string(&bytes), segment);
        bytes
    }

    #[test]
    fn token_verifies_over_the_padded_text() {
        let signer = AlbSigner::generate().unwrap();
        // Payload lengths that need 0, 1 and 2 padding characters.
        for payload in [r#"{"sub":"a"}"#, r#"{"sub":"ab"}"#, r#"{"sub":"abc"}"#] {
            let token = signer.sign(&header(), payload).unwrap();
            let (input, sig) = token.rsplit_once('.').unwrap();
            let parts: Vec<&str> = token.split('.').collect();
            assert_eq!(parts.len(), 3);
            assert_eq!(padded(parts[1]), payload.as_bytes());
            let sig = padded(sig);
            assert_eq!(sig.len(), 64);
            let spki = pem_body(signer.public_key_pem(), "PUBLIC KEY").unwrap();
            UnparsedPublicKey::new(&ECDSA_P256_SHA256_FIXED, &spki)
                .verify(input.as_bytes(), &sig)
                .unwrap();
            // The unpadded text is a different message.
            let unpadded = input.replace('=', "");
            if unpadded != input {
                assert!(
                    UnparsedPublicKey::new(&ECDSA_P256_SHA256_FIXED, &spki)
                        .verify(unpadded.as_bytes(), &sig)
                        .is_err()
                );
            }
        }
    }

    #[test]
    fn header_members_in_alb_order() {
        let signer = AlbSigner::generate().unwrap();
        let token = signer.sign(&header(), "{}").unwrap();
        let header = padded(token.split('.').next().unwrap());
        assert_eq!(
            String::from_utf8(header).unwrap(),
            format!(
                r#"{{"typ":"JWT","kid":"{}","alg":"ES256","iss":"https://cognito-idp.us-east-1.amazonaws.com/us-east-1_X","client":"client\"id","signer":"arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/a/1","exp":1700000000}}"#,
                signer.kid()
            )
        );
    }

    #[test]
    fn kid_is_a_stable_v4_shaped_uuid() {
        let signer = AlbSigner::generate().unwrap();
        let kid = signer.kid();
        let groups: Vec<&str> = kid.split('-').collect();
        assert_eq!(
            groups.iter().map(|g| g.len()).collect::<Vec<_>>(),
            [8, 4, 4, 4, 12]
        );
        assert!(
            kid.chars()
                .all(|c| c == '-' || c.is_ascii_digit() || ('a'..='f').contains(&c))
        );
        assert!(groups[2].starts_with('4'));
        assert!(matches!(groups[3].as_bytes()[0], b'8' | b'9' | b'a' | b'b'));
        let again = AlbSigner::from_pkcs8_pem(&signer.to_pkcs8_pem().unwrap()).unwrap();
        assert_eq!(again.kid(), kid);
        assert_eq!(again.public_key_pem(), signer.public_key_pem());
        assert_ne!(AlbSigner::generate().unwrap().kid(), kid);
    }

    #[test]
    fn pem_round_trip() {
        let signer = AlbSigner::generate().unwrap();
        let pem = signer.public_key_pem();
        assert!(pem.starts_with("-----BEGIN PUBLIC KEY-----\n"));
        assert!(pem.ends_with("-----END PUBLIC KEY-----\n"));
        assert!(pem.lines().all(|l| l.len() <= 64));
        let spki = pem_body(pem, "PUBLIC KEY").unwrap();
        let token = signer.sign(&header(), r#"{"sub":"s"}"#).unwrap();
        let (input, sig) = token.rsplit_once('.').unwrap();
        let sig = padded(sig);
        UnparsedPublicKey::new(&ECDSA_P256_SHA256_FIXED, &spki)
            .verify(input.as_bytes(), &sig)
            .unwrap();
        // A signer loaded from its private PEM signs tokens the same public key verifies.
        let loaded = AlbSigner::from_pkcs8_pem(&signer.to_pkcs8_pem().unwrap()).unwrap();
        let token = loaded.sign(&header(), "{}").unwrap();
        let (input, sig) = token.rsplit_once('.').unwrap();
        UnparsedPublicKey::new(&ECDSA_P256_SHA256_FIXED, &spki)
            .verify(input.as_bytes(), &padded(sig))
            .unwrap();
    }

    #[test]
    fn bad_private_keys_are_config_errors() {
        assert!(AlbSigner::from_pkcs8_der(b"nope").is_err());
        assert!(AlbSigner::from_pkcs8_pem("nope").is_err());
        assert!(
            AlbSigner::from_pkcs8_pem("-----BEGIN PRIVATE KEY-----\n!!\n-----END PRIVATE KEY-----")
                .is_err()
        );
    }
}
