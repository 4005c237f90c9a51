//! The authenticated session an ALB keeps in its (sealed, sharded) cookie.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::seal::{CryptoError, SessionKeys};

/// One signed-in user's session. Serialized with one-letter member names to
/// keep the cookie small; sealed with the cookie name as AAD so a value cannot
/// be replayed under another cookie.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Session {
    /// Session id: 128 random bits, base64url (revocation and cache key).
    #[serde(rename = "i")]
    pub sid: String,
    /// The user's `sub` (from userInfo).
    #[serde(rename = "s")]
    pub sub: String,
    /// The IdP access token.
    #[serde(rename = "a")]
    pub access_token: String,
    /// The IdP refresh token, if it issued one.
    #[serde(rename = "r", default, skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
    /// The access token's expiry, seconds since the epoch.
    #[serde(rename = "x")]
    pub access_exp: i64,
    /// The userInfo claims (the payload of `x-amzn-oidc-data`).
    #[serde(rename = "u")]
    pub userinfo: Map<String, Value>,
    /// When the user signed in, seconds since the epoch.
    #[serde(rename = "c")]
    pub created: i64,
    /// When the session ends regardless of refreshes (created + session timeout).
    #[serde(rename = "e")]
    pub expires: i64,
}

impl Session {
    /// A new session id: 16 random bytes, base64url without padding.
    pub fn new_sid() -> Result<String, CryptoError> {
        let mut sid = [0u8; 16];
        aws_lc_rs::rand::fill(&mut sid).map_err(|_| CryptoError)?;
        Ok(base64_simd::URL_SAFE_NO_PAD.encode_to_string(sid))
    }

    /// The sealed cookie value (before sharding), bound to `cookie_name`.
    pub fn seal(&self, keys: &SessionKeys, cookie_name: &str) -> Result<String, CryptoError> {
        let json = serde_json::to_vec(self).map_err(|_| CryptoError)?;
        keys.seal(cookie_name.as_bytes(), &json)
    }

    /// The session in a (joined) cookie value; `None` if it does not open
    /// or is not a session. Expiry is the caller's check.
    pub fn open(keys: &SessionKeys, cookie_name: &str, text: &str) -> Option<Session> {
        let json = keys.open(cookie_name.as_bytes(), text)?;
        serde_json::from_slice(&json).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn session() -> Session {
        let userinfo =
            serde_json::json!({"sub": "u-1", "email": "a@example.com", "email_verified": "true"});
        Session {
            sid: Session::new_sid().unwrap(),
            sub: "u-1".into(),
            access_token: "eyJ.access.token".into(),
            refresh_token: Some("refresh".into()),
            access_exp: 1_700_003_600,
            userinfo: userinfo.as_object().unwrap().clone(),
            created: 1_700_000_000,
            expires: 1_700_604_800,
        }
    }

    #[test]
    fn seal_open_round_trip_bound_to_the_cookie_name() {
        let keys = SessionKeys::new(vec![[5; 32]]).unwrap();
        let s = session();
        let sealed = s.seal(&keys, "AWSELBAuthSessionCookie").unwrap();
        assert_eq!(
            Session::open(&keys, "AWSELBAuthSessionCookie", &sealed),
            Some(s.clone())
        );
        assert_eq!(Session::open(&keys, "Other", &sealed), None);
        let other_keys = SessionKeys::new(vec![[6; 32]]).unwrap();
        assert_eq!(
            Session::open(&other_keys, "AWSELBAuthSessionCookie", &sealed),
            None
        );
        let no_refresh = Session {
            refresh_token: None,
            ..s
        };
        let sealed = no_refresh.seal(&keys, "c").unwrap();
        assert_eq!(Session::open(&keys, "c", &sealed), Some(no_refresh));
    }

    #[test]
    fn short_member_names_and_not_a_session() {
        let json = serde_json::to_value(session()).unwrap();
        let mut names: Vec<&str> = json
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        names.sort_unstable();
        assert_eq!(names, ["a", "c", "e", "i", "r", "s", "u", "x"]);
        let keys = SessionKeys::new(vec![[5; 32]]).unwrap();
        let sealed = keys.seal(b"c", br#"{"i":"x"}"#).unwrap();
        assert_eq!(Session::open(&keys, "c", &sealed), None);
    }

    #[test]
    fn session_ids_are_128_bit_and_fresh() {
        let a = Session::new_sid().unwrap();
        assert_eq!(
            base64_simd::URL_SAFE_NO_PAD
                .decode_to_vec(&a)
                .unwrap()
                .len(),
            16
        );
        assert_ne!(a, Session::new_sid().unwrap());
    }
}
