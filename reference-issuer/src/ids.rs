//! Identifier, secret and code generation, plus small time and hashing helpers.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::Rng;
use sha2::{Digest, Sha256};

const ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const LOWER_ALNUM: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";

fn random_from(alphabet: &[u8], len: usize) -> String {
    let mut rng = rand::rng();
    (0..len)
        .map(|_| alphabet[rng.random_range(0..alphabet.len())] as char)
        .collect()
}

/// A user pool id shaped like AWS's: `<region>_<9 alphanumerics>`.
pub(crate) fn pool_id(region: &str) -> String {
    format!("{region}_{}", random_from(ALNUM, 9))
}

/// An app client id shaped like AWS's: 26 lowercase alphanumerics.
pub(crate) fn client_id() -> String {
    random_from(LOWER_ALNUM, 26)
}

/// An app client secret shaped like AWS's: 51 lowercase alphanumerics.
pub(crate) fn client_secret() -> String {
    random_from(LOWER_ALNUM, 51)
}

/// A six-digit numeric verification code.
pub(crate) fn numeric_code() -> String {
    let n: u32 = rand::rng().random_range(0..1_000_000);
    format!("{n:06}")
}

/// A random UUID v4 string (used for `sub`, `jti`, `event_id`).
pub(crate) fn uuid() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// `n` random bytes encoded as unpadded base64url: opaque tokens and sessions.
pub(crate) fn opaque_token(n: usize) -> String {
    let mut bytes = vec![0u8; n];
    rand::rng().fill(&mut bytes[..]);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// A temporary password that satisfies every password policy Cognito allows
/// (upper, lower, digit and symbol; 12 characters plus the policy minimum).
pub(crate) fn temporary_password(min_len: usize) -> String {
    let mut s = String::new();
    s.push_str(&random_from(b"ABCDEFGHJKLMNPQRSTUVWXYZ", 2));
    s.push_str(&random_from(b"abcdefghijkmnopqrstuvwxyz", 4));
    s.push_str(&random_from(b"23456789", 3));
    s.push_str(&random_from(b"!#%+-=", 1));
    let extra = min_len.max(12).saturating_sub(s.len());
    s.push_str(&random_from(ALNUM, extra + 2));
    s
}

/// Hex SHA-256 of a string: how refresh tokens, sessions and codes are stored.
pub(crate) fn sha256_hex(s: &str) -> String {
    let digest = Sha256::digest(s.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// Seconds since the Unix epoch.
pub(crate) fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// Milliseconds since the Unix epoch (refresh token grace periods).
pub(crate) fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// Seconds since the Unix epoch with millisecond precision, as AWS's JSON
/// protocol encodes timestamps.
pub(crate) fn now_f64() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| (d.as_millis() as f64) / 1000.0)
        .unwrap_or(0.0)
}

/// Whether `s` is a syntactically valid pool id (`<region>_<alphanumerics>`).
pub(crate) fn is_valid_pool_id(s: &str) -> bool {
    match s.split_once('_') {
        Some((region, rest)) => {
            !region.is_empty()
                && region
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
                && !rest.is_empty()
                && rest.len() <= 40
                && rest.chars().all(|c| c.is_ascii_alphanumeric())
        }
        None => false,
    }
}

/// The region part of a pool id.
pub(crate) fn region_of(pool_id: &str) -> &str {
    pool_id
        .split_once('_')
        .map(|(r, _)| r)
        .unwrap_or("us-east-1")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_have_aws_shapes() {
        let p = pool_id("us-east-1");
        assert!(is_valid_pool_id(&p));
        assert_eq!(p.len(), "us-east-1_".len() + 9);
        assert_eq!(client_id().len(), 26);
        assert_eq!(numeric_code().len(), 6);
        assert!(!is_valid_pool_id("nounderscore"));
        assert!(!is_valid_pool_id("us-east-1_bad/slash"));
    }
}
