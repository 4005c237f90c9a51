//! [`CognitoClaims`]: typed access to the claims of a verified Cognito token.
//!
//! The payload is parsed once, by [`Payload::parse`] (see `parse.rs`):
//! Cognito's claims are read into typed slots (strings as spans of the
//! payload text, so a typical token costs one allocation for the text), every
//! other member is checked and skipped, and a repeated member name anywhere
//! is refused. The full [`Map`] behind [`CognitoClaims::raw`] is only built
//! when asked for.

mod parse;
mod payload;

use std::fmt;
use std::sync::{Arc, OnceLock};

use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::error::{Cause, Malformed};
use crate::policy::TokenUse;

pub(crate) use payload::Payload;
use payload::{Claim, Known, StrClaim};

/// Claims that carry personal data: [`CognitoClaims`]' `Debug` prints them
/// as `<redacted>`, so logging claims does not log who the user is.
const PERSONAL: &[&str] = &[
    StrClaim::Email.name(),
    StrClaim::CognitoUsername.name(),
    StrClaim::Username.name(),
    "phone_number",
    "name",
    "given_name",
    "family_name",
    "middle_name",
    "nickname",
    "preferred_username",
    "address",
    "birthdate",
    "gender",
    "picture",
    "profile",
    "website",
    "zoneinfo",
    "locale",
    "identities",
];

/// The claims of a token that passed verification.
///
/// Cheap to clone (one reference count), so adapters can put it in request
/// extensions. Typed accessors cover Cognito's claims; [`raw`](Self::raw)
/// has everything, and [`deserialize`](Self::deserialize) maps the claims
/// onto a struct of your own.
///
/// `Debug` redacts personal data (email, phone number, names, user name,
/// address, birthdate and the other OpenID Connect profile claims); ids,
/// times, groups, scopes and `custom:*` attributes are shown.
#[derive(Clone)]
pub struct CognitoClaims(Arc<Inner>);

struct Inner {
    payload: Payload,
    token_use: Option<TokenUse>,
    exp: i64,
    iat: Option<i64>,
    nbf: Option<i64>,
    auth_time: Option<i64>,
    /// `payload.groups` as owned strings, built by [`CognitoClaims::groups`].
    groups: OnceLock<Vec<String>>,
    /// `scope` split on spaces, built by [`CognitoClaims::scopes`].
    scopes: OnceLock<Vec<String>>,
}

impl CognitoClaims {
    /// Claims from an OpenID Connect claim set (an ID token's payload, a
    /// userInfo answer plus `iss` and `exp`): `sub`, `iss` and a numeric
    /// `exp` are required, and types are checked by the same rules as a
    /// token's (`email_verified` a boolean or `"true"`/`"false"`).
    #[allow(dead_code)]
    pub(crate) fn from_oidc_claims(claims: Map<String, Value>) -> Result<Self, Cause> {
        let claims = Self::from_map(claims)?;
        claims.0.payload.issuer()?;
        Ok(claims)
    }

    /// Reads the claims every Cognito token shares from a claim map, checking
    /// their types.
    pub(crate) fn from_map(raw: Map<String, Value>) -> Result<Self, Cause> {
        let text = serde_json::to_vec(&raw).map_err(|_| Malformed::Json)?;
        Self::from_payload(Payload::parse(text).ok_or(Malformed::Json)?)
    }

    /// Checks the types of the claims every Cognito token shares.
    pub(crate) fn from_payload(payload: Payload) -> Result<Self, Cause> {
        let typed = payload.typed()?;
        Ok(CognitoClaims(Arc::new(Inner {
            payload,
            token_use: typed.token_use,
            exp: typed.exp,
            iat: typed.iat,
            nbf: typed.nbf,
            auth_time: typed.auth_time,
            groups: OnceLock::new(),
            scopes: OnceLock::new(),
        })))
    }

    fn slot(&self, slot: StrClaim) -> Option<&str> {
        self.0.payload.str(slot)
    }

    fn group_names(&self) -> impl Iterator<Item = &str> {
        self.0.payload.groups()
    }

    fn scope_names(&self) -> impl Iterator<Item = &str> {
        self.slot(StrClaim::Scope)
            .unwrap_or_default()
            .split_ascii_whitespace()
    }

    /// `sub`: the user's (or, for M2M tokens, the app client's) stable id.
    pub fn sub(&self) -> &str {
        self.slot(StrClaim::Sub).unwrap_or_default()
    }

    /// The user name: `cognito:username` (ID tokens) or `username` (access
    /// tokens). `None` for machine-to-machine tokens.
    pub fn username(&self) -> Option<&str> {
        self.slot(StrClaim::CognitoUsername)
            .or_else(|| self.slot(StrClaim::Username))
    }

    /// `cognito:groups`, empty when the user is in no group.
    pub fn groups(&self) -> &[String] {
        self.0
            .groups
            .get_or_init(|| self.group_names().map(str::to_owned).collect())
    }

    /// Whether the user is in `group`.
    pub fn in_group(&self, group: &str) -> bool {
        self.group_names().any(|g| g == group)
    }

    /// The access token's `scope`, split on spaces; empty for ID tokens.
    pub fn scopes(&self) -> &[String] {
        self.0
            .scopes
            .get_or_init(|| self.scope_names().map(str::to_owned).collect())
    }

    /// Whether the token carries `scope`.
    pub fn has_scope(&self, scope: &str) -> bool {
        self.scope_names().any(|s| s == scope)
    }

    /// `token_use`, if it is `id` or `access`.
    pub fn token_use(&self) -> Option<TokenUse> {
        self.0.token_use
    }

    /// The app client: `aud` for ID tokens, `client_id` for access tokens.
    pub fn client_id(&self) -> Option<&str> {
        match self.0.token_use {
            Some(TokenUse::Id) => self.audience(),
            _ => self.slot(StrClaim::ClientId).or_else(|| self.audience()),
        }
    }

    /// `client_id` alone, read from its slot (the client check picks
    /// between it and `aud` itself).
    pub(crate) fn client_id_claim(&self) -> Option<&str> {
        self.slot(StrClaim::ClientId)
    }

    /// `aud` (ID tokens only).
    pub fn audience(&self) -> Option<&str> {
        self.slot(StrClaim::Aud)
    }

    /// `iss`.
    pub fn issuer(&self) -> &str {
        self.slot(StrClaim::Iss).unwrap_or_default()
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
        self.slot(StrClaim::Jti)
    }

    /// `origin_jti`: shared by every token of one sign-in (revocation key).
    pub fn origin_jti(&self) -> Option<&str> {
        self.slot(StrClaim::OriginJti)
    }

    /// `event_id`.
    pub fn event_id(&self) -> Option<&str> {
        self.slot(StrClaim::EventId)
    }

    /// `email` (ID tokens).
    pub fn email(&self) -> Option<&str> {
        self.slot(StrClaim::Email)
    }

    /// `email_verified` (ID tokens). Cognito emits a boolean; the string
    /// forms `"true"`/`"false"` some pools produce are accepted too.
    pub fn email_verified(&self) -> Option<bool> {
        let payload = &self.0.payload;
        match payload.claim(StrClaim::EmailVerified) {
            Claim::Bool(b) => Some(b),
            Claim::Str(s) => match payload.text(s) {
                "true" => Some(true),
                "false" => Some(false),
                _ => None,
            },
            Claim::Absent | Claim::Other => None,
        }
    }

    /// A `custom:<name>` attribute, e.g. `custom("tenant")` for `custom:tenant`.
    pub fn custom(&self, name: &str) -> Option<&str> {
        self.raw()
            .iter()
            .find(|(k, _)| k.strip_prefix("custom:") == Some(name))
            .and_then(|(_, v)| v.as_str())
    }

    /// Every `custom:*` attribute, with the prefix removed.
    pub fn custom_attributes(&self) -> impl Iterator<Item = (&str, &Value)> {
        self.raw()
            .iter()
            .filter_map(|(k, v)| k.strip_prefix("custom:").map(|name| (name, v)))
    }

    /// Any claim as a string, if it is one.
    pub fn str(&self, claim: &str) -> Option<&str> {
        match Known::of(claim) {
            Some(Known::Str(slot)) => self.slot(slot),
            // Validated to be numbers or an array: never strings.
            Some(Known::Date(_) | Known::Groups) => None,
            None => self.raw().get(claim).and_then(Value::as_str),
        }
    }

    /// Every claim, exactly as in the token.
    ///
    /// Built on first use from the payload text (the typed accessors never
    /// need it), then kept.
    pub fn raw(&self) -> &Map<String, Value> {
        self.0.payload.raw()
    }

    /// The claims mapped onto your own type.
    pub fn deserialize<T: DeserializeOwned>(&self) -> Result<T, serde_json::Error> {
        serde_json::from_str(self.0.payload.json())
    }
}

impl PartialEq for CognitoClaims {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
            || self.0.payload.json() == other.0.payload.json()
            || self.raw() == other.raw()
    }
}

/// The claim map with personal data replaced by `<redacted>`.
struct Redacted<'a>(&'a Map<String, Value>);

impl fmt::Debug for Redacted<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut map = f.debug_map();
        for (name, value) in self.0 {
            if PERSONAL.contains(&name.as_str()) {
                map.entry(name, &format_args!("<redacted>"));
            } else {
                map.entry(name, value);
            }
        }
        map.finish()
    }
}

// Personal data is redacted: claims end up in logs through `AuthContext`,
// extractor and error `Debug` output.
impl fmt::Debug for CognitoClaims {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("CognitoClaims")
            .field(&Redacted(self.raw()))
            .finish()
    }
}

impl serde::Serialize for CognitoClaims {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.raw().serialize(serializer)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use serde_json::json;

    fn claims(value: Value) -> Result<CognitoClaims, Cause> {
        CognitoClaims::from_map(value.as_object().unwrap().clone())
    }

    #[test]
    fn oidc_claims_need_sub_iss_and_a_numeric_exp() {
        let oidc =
            |value: Value| CognitoClaims::from_oidc_claims(value.as_object().unwrap().clone());
        let c = oidc(json!({
            "sub": "u-1", "iss": "https://idp", "exp": 2000000000,
            "email_verified": "false", "username": "alice"
        }))
        .unwrap();
        assert_eq!(
            (c.sub(), c.issuer(), c.exp()),
            ("u-1", "https://idp", 2000000000)
        );
        assert_eq!(c.email_verified(), Some(false));
        let cases = [
            (
                json!({"iss": "i", "exp": 1}),
                Malformed::MissingClaim("sub"),
            ),
            (
                json!({"sub": "u", "exp": 1}),
                Malformed::MissingClaim("iss"),
            ),
            (
                json!({"sub": "u", "iss": "i"}),
                Malformed::MissingClaim("exp"),
            ),
            (
                json!({"sub": "u", "iss": "i", "exp": "1"}),
                Malformed::InvalidClaim("exp"),
            ),
            (
                json!({"sub": "u", "iss": 5, "exp": 1}),
                Malformed::InvalidClaim("iss"),
            ),
        ];
        for (value, want) in cases {
            assert_eq!(oidc(value.clone()).err(), Some(want.into()), "{value}");
        }
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

    pub(super) fn parse(json: &str) -> Option<Payload> {
        Payload::parse(json.as_bytes().to_vec())
    }

    pub(super) fn verified(json: &str) -> Result<CognitoClaims, Cause> {
        CognitoClaims::from_payload(parse(json).ok_or(Malformed::Json)?)
    }

    /// A realistic Cognito ID token payload with extra and nested members.
    pub(super) const ID_TOKEN: &str = r#"{"sub":"aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee","cognito:groups":["admin","dev"],"email_verified":true,"iss":"https://cognito-idp.us-east-1.amazonaws.com/us-east-1_AbCdEf123","cognito:username":"alice","origin_jti":"o-1","aud":"client","event_id":"e-1","token_use":"id","auth_time":1700000000,"exp":2000000000,"iat":1700000000,"jti":"j-1","email":"a@example.com","custom:tenant":"acme","custom:n":7,"identities":[{"userId":"1","providerName":"Google","primary":"true","dateCreated":"1"}],"at_hash":"x\u00e9y","n":1.5e3,"z":null}"#;

    #[test]
    fn debug_redacts_personal_data() {
        let c = claims(json!({
            "sub": "u-1", "exp": 2000000000, "email": "alice@example.com",
            "phone_number": "+15555550100", "name": "Alice Liddell", "given_name": "Alice",
            "family_name": "Liddell", "cognito:username": "alice.l", "birthdate": "1990-01-01",
            "address": {"formatted": "1 Rabbit Hole"}, "custom:tenant": "acme"
        }))
        .unwrap();
        let debug = format!("{c:?}");
        for personal in [
            "alice@example.com",
            "5555550100",
            "Alice",
            "Liddell",
            "alice.l",
            "1990",
            "Rabbit",
        ] {
            assert!(!debug.contains(personal), "{personal} leaked: {debug}");
        }
        assert!(debug.contains(r#""email": <redacted>"#), "{debug}");
        assert!(debug.contains("u-1") && debug.contains("acme"), "{debug}");
        // The claims themselves are untouched.
        assert_eq!(c.email(), Some("alice@example.com"));
    }
}
