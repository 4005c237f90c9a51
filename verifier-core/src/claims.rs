//! Typed access to the claims of a verified Cognito token.

use std::sync::Arc;

use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::error::{Cause, Malformed};
use crate::policy::TokenUse;

/// The claims of a token that passed verification.
///
/// Cheap to clone (one reference count), so adapters can put it in request
/// extensions. Typed accessors cover Cognito's claims; [`raw`](Self::raw)
/// has everything, and [`deserialize`](Self::deserialize) maps the claims
/// onto a struct of your own.
#[derive(Clone, Debug, PartialEq)]
pub struct CognitoClaims(Arc<Inner>);

#[derive(Debug, PartialEq)]
struct Inner {
    raw: Map<String, Value>,
    token_use: Option<TokenUse>,
    groups: Vec<String>,
    scopes: Vec<String>,
    exp: i64,
    iat: Option<i64>,
    nbf: Option<i64>,
    auth_time: Option<i64>,
}

impl CognitoClaims {
    /// Reads the claims every Cognito token shares, checking their types.
    pub(crate) fn from_map(raw: Map<String, Value>) -> Result<Self, Cause> {
        let exp = numeric_date(&raw, "exp")?.ok_or(Malformed::MissingClaim("exp"))?;
        let iat = numeric_date(&raw, "iat")?;
        let nbf = numeric_date(&raw, "nbf")?;
        let auth_time = numeric_date(&raw, "auth_time")?;
        for claim in [
            "sub",
            "token_use",
            "cognito:username",
            "username",
            "client_id",
            "scope",
        ] {
            optional_str(&raw, claim)?;
        }
        match raw.get("aud") {
            None | Some(Value::String(_)) => {}
            // Cognito never issues an array audience; refusing it avoids
            // having to decide which member "the" client is.
            Some(_) => return Err(Malformed::InvalidClaim("aud").into()),
        }
        if optional_str(&raw, "sub")?.is_none() {
            return Err(Malformed::MissingClaim("sub").into());
        }
        let token_use = optional_str(&raw, "token_use")?.and_then(TokenUse::parse);
        let groups = match raw.get("cognito:groups") {
            None => Vec::new(),
            Some(Value::Array(items)) => items
                .iter()
                .map(|item| item.as_str().map(str::to_owned))
                .collect::<Option<Vec<_>>>()
                .ok_or(Malformed::InvalidClaim("cognito:groups"))?,
            Some(_) => return Err(Malformed::InvalidClaim("cognito:groups").into()),
        };
        let scopes = optional_str(&raw, "scope")?
            .map(|s| s.split_ascii_whitespace().map(str::to_owned).collect())
            .unwrap_or_default();
        Ok(CognitoClaims(Arc::new(Inner {
            raw,
            token_use,
            groups,
            scopes,
            exp,
            iat,
            nbf,
            auth_time,
        })))
    }

    /// `sub`: the user's (or, for M2M tokens, the app client's) stable id.
    pub fn sub(&self) -> &str {
        self.str("sub").unwrap_or_default()
    }

    /// The user name: `cognito:username` (ID tokens) or `username` (access
    /// tokens). `None` for machine-to-machine tokens.
    pub fn username(&self) -> Option<&str> {
        self.str("cognito:username")
            .or_else(|| self.str("username"))
    }

    /// `cognito:groups`, empty when the user is in no group.
    pub fn groups(&self) -> &[String] {
        &self.0.groups
    }

    /// Whether the user is in `group`.
    pub fn in_group(&self, group: &str) -> bool {
        self.0.groups.iter().any(|g| g == group)
    }

    /// The access token's `scope`, split on spaces; empty for ID tokens.
    pub fn scopes(&self) -> &[String] {
        &self.0.scopes
    }

    /// Whether the token carries `scope`.
    pub fn has_scope(&self, scope: &str) -> bool {
        self.0.scopes.iter().any(|s| s == scope)
    }

    /// `token_use`, if it is `id` or `access`.
    pub fn token_use(&self) -> Option<TokenUse> {
        self.0.token_use
    }

    /// The app client: `aud` for ID tokens, `client_id` for access tokens.
    pub fn client_id(&self) -> Option<&str> {
        match self.0.token_use {
            Some(TokenUse::Id) => self.audience(),
            _ => self.str("client_id").or_else(|| self.audience()),
        }
    }

    /// `aud` (ID tokens only).
    pub fn audience(&self) -> Option<&str> {
        self.str("aud")
    }

    /// `iss`.
    pub fn issuer(&self) -> &str {
        self.str("iss").unwrap_or_default()
    }

    /// `exp`, seconds since the epoch.
    pub fn exp(&self) -> i64 {
        self.0.exp
    }

    /// `iat`, seconds since the epoch.
    pub fn iat(&self) -> Option<i64> {
        self.0.iat
    }

    /// `nbf`, seconds since the epoch.
    pub fn nbf(&self) -> Option<i64> {
        self.0.nbf
    }

    /// `auth_time`: when the user signed in, seconds since the epoch.
    pub fn auth_time(&self) -> Option<i64> {
        self.0.auth_time
    }

    /// `jti`.
    pub fn jti(&self) -> Option<&str> {
        self.str("jti")
    }

    /// `origin_jti`: shared by every token of one sign-in (revocation key).
    pub fn origin_jti(&self) -> Option<&str> {
        self.str("origin_jti")
    }

    /// `event_id`.
    pub fn event_id(&self) -> Option<&str> {
        self.str("event_id")
    }

    /// `email` (ID tokens).
    pub fn email(&self) -> Option<&str> {
        self.str("email")
    }

    /// `email_verified` (ID tokens). Cognito emits a boolean; the string
    /// forms `"true"`/`"false"` some pools produce are accepted too.
    pub fn email_verified(&self) -> Option<bool> {
        match self.0.raw.get("email_verified")? {
            Value::Bool(b) => Some(*b),
            Value::String(s) if s == "true" => Some(true),
            Value::String(s) if s == "false" => Some(false),
            _ => None,
        }
    }

    /// A `custom:<name>` attribute, e.g. `custom("tenant")` for `custom:tenant`.
    pub fn custom(&self, name: &str) -> Option<&str> {
        self.0
            .raw
            .iter()
            .find(|(k, _)| k.strip_prefix("custom:") == Some(name))
            .and_then(|(_, v)| v.as_str())
    }

    /// Every `custom:*` attribute, with the prefix removed.
    pub fn custom_attributes(&self) -> impl Iterator<Item = (&str, &Value)> {
        self.0
            .raw
            .iter()
            .filter_map(|(k, v)| k.strip_prefix("custom:").map(|name| (name, v)))
    }

    /// Any claim as a string, if it is one.
    pub fn str(&self, claim: &str) -> Option<&str> {
        self.0.raw.get(claim).and_then(Value::as_str)
    }

    /// Every claim, exactly as in the token.
    pub fn raw(&self) -> &Map<String, Value> {
        &self.0.raw
    }

    /// The claims mapped onto your own type.
    pub fn deserialize<T: DeserializeOwned>(&self) -> Result<T, serde_json::Error> {
        T::deserialize(&Value::Object(self.0.raw.clone()))
    }
}

impl serde::Serialize for CognitoClaims {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.raw.serialize(serializer)
    }
}

/// A NumericDate claim: a JSON number (RFC 7519 §2), never a string.
fn numeric_date(raw: &Map<String, Value>, claim: &'static str) -> Result<Option<i64>, Cause> {
    let Some(value) = raw.get(claim) else {
        return Ok(None);
    };
    let number = value.as_number().ok_or(Malformed::InvalidClaim(claim))?;
    let seconds = number
        .as_i64()
        .or_else(|| {
            number
                .as_f64()
                .filter(|f| f.is_finite() && f.abs() < 1e15)
                .map(|f| f.floor() as i64)
        })
        .ok_or(Malformed::InvalidClaim(claim))?;
    Ok(Some(seconds))
}

fn optional_str<'a>(
    raw: &'a Map<String, Value>,
    claim: &'static str,
) -> Result<Option<&'a str>, Cause> {
    match raw.get(claim) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(Malformed::InvalidClaim(claim).into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn claims(value: Value) -> Result<CognitoClaims, Cause> {
        CognitoClaims::from_map(value.as_object().unwrap().clone())
    }

    #[test]
    fn reads_an_id_token() {
        let c = claims(json!({
            "sub": "u-1", "cognito:username": "alice", "cognito:groups": ["admin", "dev"],
            "email": "a@example.com", "email_verified": true, "aud": "client", "token_use": "id",
            "exp": 2000000000, "iat": 1999999000, "auth_time": 1999999000,
            "custom:tenant": "acme", "origin_jti": "o", "event_id": "e", "jti": "j"
        }))
        .unwrap();
        assert_eq!(c.sub(), "u-1");
        assert_eq!(c.username(), Some("alice"));
        assert!(c.in_group("dev"));
        assert_eq!(c.client_id(), Some("client"));
        assert_eq!(c.token_use(), Some(TokenUse::Id));
        assert_eq!(c.email_verified(), Some(true));
        assert_eq!(c.custom("tenant"), Some("acme"));
        assert_eq!(c.custom_attributes().count(), 1);
        assert_eq!(
            (c.exp(), c.iat(), c.auth_time()),
            (2000000000, Some(1999999000), Some(1999999000))
        );
        assert_eq!(
            (c.jti(), c.origin_jti(), c.event_id()),
            (Some("j"), Some("o"), Some("e"))
        );
    }

    #[test]
    fn reads_an_access_token() {
        let c = claims(json!({
            "sub": "u-1", "username": "alice", "client_id": "client", "token_use": "access",
            "scope": "openid orders/read", "exp": 2000000000
        }))
        .unwrap();
        assert_eq!(c.username(), Some("alice"));
        assert_eq!(c.client_id(), Some("client"));
        assert!(c.has_scope("orders/read"));
        assert!(c.groups().is_empty());
    }

    #[test]
    fn maps_into_user_types() {
        #[derive(serde::Deserialize)]
        struct Mine {
            sub: String,
            #[serde(rename = "custom:tenant")]
            tenant: String,
        }
        let c = claims(json!({"sub": "s", "custom:tenant": "t", "exp": 1})).unwrap();
        let mine: Mine = c.deserialize().unwrap();
        assert_eq!((mine.sub.as_str(), mine.tenant.as_str()), ("s", "t"));
    }

    #[test]
    fn refuses_wrong_types() {
        let base = || json!({"sub": "s", "exp": 2000000000});
        let cases = [
            ("exp", json!(null), Malformed::InvalidClaim("exp")),
            ("exp", json!("2000000000"), Malformed::InvalidClaim("exp")),
            ("exp", json!("2000000000.5"), Malformed::InvalidClaim("exp")),
            ("iat", json!(true), Malformed::InvalidClaim("iat")),
            ("nbf", json!([1]), Malformed::InvalidClaim("nbf")),
            ("aud", json!(["a", "b"]), Malformed::InvalidClaim("aud")),
            (
                "cognito:groups",
                json!("admin"),
                Malformed::InvalidClaim("cognito:groups"),
            ),
            (
                "cognito:groups",
                json!(["admin", 1]),
                Malformed::InvalidClaim("cognito:groups"),
            ),
            ("scope", json!(["a"]), Malformed::InvalidClaim("scope")),
            ("sub", json!(1), Malformed::InvalidClaim("sub")),
        ];
        for (claim, value, want) in cases {
            let mut v = base();
            v[claim] = value;
            assert_eq!(claims(v).err(), Some(want.into()), "{claim}");
        }
        let mut v = base();
        v.as_object_mut().unwrap().remove("exp");
        assert_eq!(claims(v).err(), Some(Malformed::MissingClaim("exp").into()));
        let mut v = base();
        v.as_object_mut().unwrap().remove("sub");
        assert_eq!(claims(v).err(), Some(Malformed::MissingClaim("sub").into()));
        // A float NumericDate is a number, so it is accepted.
        let mut v = base();
        v["exp"] = json!(2000000000.5);
        assert_eq!(claims(v).unwrap().exp(), 2000000000);
    }
}
