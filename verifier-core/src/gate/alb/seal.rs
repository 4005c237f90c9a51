//! Authenticated encryption of session and login-state cookies: AES-256-GCM
//! with a random 96-bit nonce per message.
//!
//! Text form: base64url (no padding) of `0x01 || nonce (12) || ciphertext || tag (16)`.
//!
//! Key rotation: [`SessionKeys`] holds one or more keys. The first encrypts;
//! every key is tried to decrypt. To rotate, put the new key first and keep
//! the old one second for as long as its cookies may live (the session
//! timeout), then drop it.

use aws_lc_rs::aead::{AES_256_GCM, Aad, NONCE_LEN, Nonce, RandomizedNonceKey};

use crate::error::ConfigError;

const VERSION: u8 = 0x01;
const TAG_LEN: usize = 16;
/// Longest sealed text `open` looks at (sessions are at most 4 cookies of 4 KiB).
const MAX_TEXT: usize = 64 * 1024;

/// The system random generator or the cipher failed (not caused by input).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the system random generator or a cipher failed")]
pub struct CryptoError;

/// The AES-256-GCM keys of session cookies: the first encrypts, all decrypt.
pub struct SessionKeys {
    keys: Vec<RandomizedNonceKey>,
}

impl std::fmt::Debug for SessionKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SessionKeys({} keys, redacted)", self.keys.len())
    }
}

impl SessionKeys {
    /// One or more 32-byte keys, the encrypting key first.
    pub fn new(keys: Vec<[u8; 32]>) -> Result<SessionKeys, ConfigError> {
        if keys.is_empty() {
            return Err(ConfigError::InvalidSetting(
                "session_keys: at least one 32-byte key",
            ));
        }
        let keys = keys
            .iter()
            .map(|k| RandomizedNonceKey::new(&AES_256_GCM, k))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|_| ConfigError::InvalidSetting("session_keys: not an AES-256 key"))?;
        Ok(SessionKeys { keys })
    }

    /// Keys from text: base64 (standard or URL-safe, padded or not) of 32
    /// bytes each, several separated by commas or whitespace, encrypting key first.
    pub fn from_base64(text: &str) -> Result<SessionKeys, ConfigError> {
        let keys = text
            .split(|c: char| c == ',' || c.is_ascii_whitespace())
            .filter(|k| !k.is_empty())
            .map(|k| {
                decode_any(k)
                    .and_then(|bytes| <[u8; 32]>::try_from(bytes).ok())
                    .ok_or(ConfigError::InvalidSetting(
                        "session_keys: each key must be base64 of exactly 32 bytes",
                    ))
            })
            .collect::<Result<Vec<_>, _>>()?;
        Self::new(keys)
    }

    /// A single random key (sessions then end with the process).
    pub fn generate() -> Result<SessionKeys, CryptoError> {
        let mut key = [0u8; 32];
        aws_lc_rs::rand::fill(&mut key).map_err(|_| CryptoError)?;
        Self::new(vec![key]).map_err(|_| CryptoError)
    }

    /// Encrypts `plaintext` with the first key, binding `aad` (e.g. the cookie name).
    pub fn seal(&self, aad: &[u8], plaintext: &[u8]) -> Result<String, CryptoError> {
        let key = self.keys.first().ok_or(CryptoError)?;
        let mut in_out = Vec::with_capacity(plaintext.len() + TAG_LEN);
        in_out.extend_from_slice(plaintext);
        let nonce = key
            .seal_in_place_append_tag(Aad::from(aad), &mut in_out)
            .map_err(|_| CryptoError)?;
        let mut out = Vec::with_capacity(1 + NONCE_LEN + in_out.len());
        out.push(VERSION);
        out.extend_from_slice(nonce.as_ref());
        out.extend_from_slice(&in_out);
        Ok(base64_simd::URL_SAFE_NO_PAD.encode_to_string(out))
    }

    /// The plaintext, if some key opens `text` with this `aad`; `None` for
    /// anything malformed, tampered, truncated or sealed by an unknown key.
    pub fn open(&self, aad: &[u8], text: &str) -> Option<Vec<u8>> {
        if text.len() > MAX_TEXT {
            return None;
        }
        let raw = base64_simd::URL_SAFE_NO_PAD.decode_to_vec(text).ok()?;
        let (&version, rest) = raw.split_first()?;
        if version != VERSION || rest.len() < NONCE_LEN + TAG_LEN {
            return None;
        }
        let (nonce, sealed) = rest.split_at(NONCE_LEN);
        self.keys.iter().find_map(|key| {
            let nonce = Nonce::try_assume_unique_for_key(nonce).ok()?;
            let mut in_out = sealed.to_vec();
            let plain = key.open_in_place(nonce, Aad::from(aad), &mut in_out).ok()?;
            Some(plain.to_vec())
        })
    }
}

fn decode_any(text: &str) -> Option<Vec<u8>> {
    [
        base64_simd::URL_SAFE_NO_PAD,
        base64_simd::URL_SAFE,
        base64_simd::STANDARD,
        base64_simd::STANDARD_NO_PAD,
    ]
    .iter()
    .find_map(|engine| engine.decode_to_vec(text).ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(ids: &[u8]) -> SessionKeys {
        SessionKeys::new(ids.iter().map(|i| [*i; 32]).collect()).unwrap()
    }

    fn raw(text: &str) -> Vec<u8> {
        base64_simd::URL_SAFE_NO_PAD.decode_to_vec(text).unwrap()
    }

    fn text(raw: &[u8]) -> String {
        base64_simd::URL_SAFE_NO_PAD.encode_to_string(raw)
    }

    #[test]
    fn round_trip_with_fresh_nonces() {
        let k = keys(&[1]);
        let a = k.seal(b"cookie", b"hello").unwrap();
        let b = k.seal(b"cookie", b"hello").unwrap();
        assert_ne!(a, b);
        assert_eq!(raw(&a).len(), 1 + 12 + 5 + 16);
        assert_eq!(raw(&a)[0], 1);
        assert_eq!(k.open(b"cookie", &a).unwrap(), b"hello");
        assert_eq!(k.open(b"cookie", &b).unwrap(), b"hello");
        assert_eq!(k.open(b"", &k.seal(b"", b"").unwrap()).unwrap(), b"");
    }

    #[test]
    fn rotation_first_encrypts_all_decrypt() {
        let old = keys(&[1]);
        let sealed_by_old = old.seal(b"c", b"old").unwrap();
        let rotated = keys(&[2, 1]);
        assert_eq!(rotated.open(b"c", &sealed_by_old).unwrap(), b"old");
        let sealed_by_new = rotated.seal(b"c", b"new").unwrap();
        assert_eq!(old.open(b"c", &sealed_by_new), None);
        assert_eq!(keys(&[2]).open(b"c", &sealed_by_new).unwrap(), b"new");
        assert_eq!(keys(&[3]).open(b"c", &sealed_by_old), None);
    }

    #[test]
    fn anything_altered_does_not_open() {
        let k = keys(&[1]);
        let sealed = k.seal(b"c", b"payload").unwrap();
        let bytes = raw(&sealed);
        for i in 0..bytes.len() {
            let mut t = bytes.clone();
            t[i] ^= 0x01;
            assert_eq!(k.open(b"c", &text(&t)), None, "byte {i}");
        }
        for len in 0..bytes.len() {
            assert_eq!(k.open(b"c", &text(&bytes[..len])), None, "len {len}");
        }
        assert_eq!(k.open(b"d", &sealed), None);
        let mut v2 = bytes;
        v2[0] = 2;
        assert_eq!(k.open(b"c", &text(&v2)), None);
        assert_eq!(k.open(b"c", &format!("{sealed}=")), None);
        assert_eq!(k.open(b"c", "!!!"), None);
        assert_eq!(k.open(b"c", ""), None);
        assert_eq!(k.open(b"c", &"A".repeat(MAX_TEXT + 4)), None);
    }

    #[test]
    fn key_configuration() {
        assert!(SessionKeys::new(vec![]).is_err());
        let a = base64_simd::STANDARD.encode_to_string([7u8; 32]);
        let b = base64_simd::URL_SAFE_NO_PAD.encode_to_string([8u8; 32]);
        let both = SessionKeys::from_base64(&format!("{a}, {b}")).unwrap();
        assert_eq!(both.keys.len(), 2);
        let sealed = keys(&[8]).seal(b"c", b"x").unwrap();
        assert_eq!(both.open(b"c", &sealed).unwrap(), b"x");
        assert!(SessionKeys::from_base64("").is_err());
        assert!(SessionKeys::from_base64("c2hvcnQ").is_err());
        assert!(SessionKeys::from_base64("not base64!").is_err());
        assert!(format!("{both:?}").contains("redacted"));
        let g = SessionKeys::generate().unwrap();
        assert_eq!(g.open(b"c", &g.seal(b"c", b"y").unwrap()).unwrap(), b"y");
    }
}
