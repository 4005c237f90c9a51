//! The login state carried through the IdP in the `state` parameter: the
//! nonce's hash (the nonce itself is in the `AWSALBAuthNonce` cookie), where to
//! return, and when the login started (it must finish within 15 minutes).

use aws_lc_rs::digest::{SHA256, digest};
use serde::{Deserialize, Serialize};

use super::seal::{CryptoError, SessionKeys};

/// AAD of a sealed login state (a session cookie cannot pass as a state).
pub const STATE_AAD: &[u8] = b"AWSALB-state";
/// How long a login may take, seconds.
pub const LOGIN_TIMEOUT: i64 = 15 * 60;
/// Longest target kept; a longer one returns to `/` (the state rides in a URL).
pub const MAX_TARGET: usize = 2048;

/// A login in progress.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoginState {
    /// base64url (no padding) SHA-256 of the nonce.
    #[serde(rename = "n")]
    pub nonce_hash: String,
    /// The original path and query to return to (always a local path).
    #[serde(rename = "t")]
    pub target: String,
    /// When the login started, seconds since the epoch.
    #[serde(rename = "i")]
    pub issued: i64,
}

/// A fresh nonce: 32 random bytes, base64url without padding.
pub fn new_nonce() -> Result<String, CryptoError> {
    let mut nonce = [0u8; 32];
    aws_lc_rs::rand::fill(&mut nonce).map_err(|_| CryptoError)?;
    Ok(base64_simd::URL_SAFE_NO_PAD.encode_to_string(nonce))
}

/// base64url (no padding) SHA-256 of `nonce`.
pub fn hash_nonce(nonce: &str) -> String {
    base64_simd::URL_SAFE_NO_PAD.encode_to_string(digest(&SHA256, nonce.as_bytes()))
}

/// `target` if it is a local path (starts with `/`, not `//` or `/\`, no
/// control characters or spaces, at most [`MAX_TARGET`] bytes), else `/`:
/// the redirect after login can never leave the site.
pub fn sanitize_target(target: &str) -> String {
    let local = target.starts_with('/')
        && !target.starts_with("//")
        && !target.starts_with("/\\")
        && target.len() <= MAX_TARGET
        // Browsers drop tab/CR/LF inside URLs ("/\t/evil" would become "//evil").
        && target.bytes().all(|b| b.is_ascii_graphic());
    if local {
        target.to_owned()
    } else {
        "/".to_owned()
    }
}

impl LoginState {
    /// The state of a login started at `now` for `nonce`, returning to `target`
    /// (sanitized).
    pub fn new(nonce: &str, target: &str, now: i64) -> LoginState {
        LoginState {
            nonce_hash: hash_nonce(nonce),
            target: sanitize_target(target),
            issued: now,
        }
    }

    /// The `state` parameter.
    pub fn seal(&self, keys: &SessionKeys) -> Result<String, CryptoError> {
        let json = serde_json::to_vec(self).map_err(|_| CryptoError)?;
        keys.seal(STATE_AAD, &json)
    }

    /// The state in `text` if it opens and the login started within
    /// [`LOGIN_TIMEOUT`] before `now` (a minute of clock skew allowed ahead).
    pub fn open(keys: &SessionKeys, text: &str, now: i64) -> Option<LoginState> {
        let json = keys.open(STATE_AAD, text)?;
        let state: LoginState = serde_json::from_slice(&json).ok()?;
        let age = now.checked_sub(state.issued)?;
        ((-60..=LOGIN_TIMEOUT).contains(&age)).then_some(state)
    }

    /// Whether the nonce cookie is the one this login was started with.
    pub fn matches_nonce(&self, nonce_cookie: &str) -> bool {
        aws_lc_rs::constant_time::verify_slices_are_equal(
            hash_nonce(nonce_cookie).as_bytes(),
            self.nonce_hash.as_bytes(),
        )
        .is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_that_leave_the_site_become_root() {
        for bad in [
            "//evil.com",
            "//evil.com/path",
            "/\\evil",
            "/\\/evil.com",
            "https://evil",
            "javascript:alert(1)",
            "evil.com",
            "",
            "/\t/evil.com",
            "/\r\nSet-Cookie: x=y",
            "/a b",
            "/é",
        ] {
            assert_eq!(sanitize_target(bad), "/", "{bad:?}");
        }
        assert_eq!(
            sanitize_target(&format!("/{}", "a".repeat(MAX_TARGET))),
            "/"
        );
        for good in [
            "/",
            "/a/b?c=d&e=%2F%2Fx",
            "/path//double",
            "/a\\b",
            "/?next=//x",
        ] {
            assert_eq!(sanitize_target(good), good);
        }
    }

    #[test]
    fn state_round_trip_and_window() {
        let keys = SessionKeys::new(vec![[9; 32]]).unwrap();
        let nonce = new_nonce().unwrap();
        assert_eq!(
            base64_simd::URL_SAFE_NO_PAD
                .decode_to_vec(&nonce)
                .unwrap()
                .len(),
            32
        );
        assert_ne!(nonce, new_nonce().unwrap());
        let state = LoginState::new(&nonce, "//evil.com", 1_000);
        assert_eq!(state.target, "/");
        let sealed = state.seal(&keys).unwrap();
        assert_eq!(LoginState::open(&keys, &sealed, 1_000), Some(state.clone()));
        assert_eq!(
            LoginState::open(&keys, &sealed, 1_000 + LOGIN_TIMEOUT),
            Some(state.clone())
        );
        assert_eq!(
            LoginState::open(&keys, &sealed, 1_001 + LOGIN_TIMEOUT),
            None
        );
        assert_eq!(LoginState::open(&keys, &sealed, 900), None);
        assert!(state.matches_nonce(&nonce));
        assert!(!state.matches_nonce(&new_nonce().unwrap()));
        assert!(!state.matches_nonce(""));
        // A session cookie sealed with the same keys is not a state.
        let other = keys.seal(
            b"AWSELBAuthSessionCookie",
            &serde_json::to_vec(&state).unwrap(),
        );
        assert_eq!(LoginState::open(&keys, &other.unwrap(), 1_000), None);
    }

    #[test]
    fn nonce_hash_is_b64url_sha256() {
        // SHA-256("abc") = ba7816bf...
        assert_eq!(
            hash_nonce("abc"),
            "ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0"
        );
    }
}
