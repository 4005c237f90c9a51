//! Typed access to the claims of a verified Cognito token.
//!
//! The payload is parsed once, by [`Payload::parse`]: Cognito's claims are
//! read into typed slots (strings as spans of the payload text, so a typical
//! token costs one allocation for the text), every other member is checked and
//! skipped, and a repeated member name anywhere is refused. The full
//! [`Map`] behind [`CognitoClaims::raw`] is only built when asked for.

use std::borrow::Cow;
use std::fmt;
use std::sync::{Arc, OnceLock};

use serde::de::{DeserializeOwned, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

use crate::error::{Cause, Malformed};
use crate::policy::TokenUse;
use crate::strict_json::{self, Key, Names, Scalar, ScalarSeed, Skip};

/// The claims of a token that passed verification.
///
/// Cheap to clone (one reference count), so adapters can put it in request
/// extensions. Typed accessors cover Cognito's claims; [`raw`](Self::raw)
/// has everything, and [`deserialize`](Self::deserialize) maps the claims
/// onto a struct of your own.
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

// Slots of the claims that are strings (or, for `email_verified`, may be).
const SUB: usize = 0;
const ISS: usize = 1;
const TOKEN_USE: usize = 2;
const AUD: usize = 3;
const CLIENT_ID: usize = 4;
const COGNITO_USERNAME: usize = 5;
const USERNAME: usize = 6;
const SCOPE: usize = 7;
const JTI: usize = 8;
const ORIGIN_JTI: usize = 9;
const EVENT_ID: usize = 10;
const EMAIL: usize = 11;
const EMAIL_VERIFIED: usize = 12;
const STR_CLAIMS: [&str; 13] = [
    "sub",
    "iss",
    "token_use",
    "aud",
    "client_id",
    "cognito:username",
    "username",
    "scope",
    "jti",
    "origin_jti",
    "event_id",
    "email",
    "email_verified",
];

/// A claim this crate reads itself.
#[derive(Clone, Copy)]
enum Known {
    /// An index into [`STR_CLAIMS`].
    Str(usize),
    Groups,
    Exp,
    Iat,
    Nbf,
    AuthTime,
}

impl Known {
    fn of(name: &str) -> Option<Known> {
        Some(match name {
            "sub" => Known::Str(SUB),
            "iss" => Known::Str(ISS),
            "token_use" => Known::Str(TOKEN_USE),
            "aud" => Known::Str(AUD),
            "client_id" => Known::Str(CLIENT_ID),
            "cognito:username" => Known::Str(COGNITO_USERNAME),
            "username" => Known::Str(USERNAME),
            "scope" => Known::Str(SCOPE),
            "jti" => Known::Str(JTI),
            "origin_jti" => Known::Str(ORIGIN_JTI),
            "event_id" => Known::Str(EVENT_ID),
            "email" => Known::Str(EMAIL),
            "email_verified" => Known::Str(EMAIL_VERIFIED),
            "cognito:groups" => Known::Groups,
            "exp" => Known::Exp,
            "iat" => Known::Iat,
            "nbf" => Known::Nbf,
            "auth_time" => Known::AuthTime,
            _ => return None,
        })
    }

    /// A distinct bit per claim, for duplicate detection.
    fn bit(self) -> u32 {
        let index = match self {
            Known::Str(i) => i,
            Known::Groups => STR_CLAIMS.len(),
            Known::Exp => STR_CLAIMS.len() + 1,
            Known::Iat => STR_CLAIMS.len() + 2,
            Known::Nbf => STR_CLAIMS.len() + 3,
            Known::AuthTime => STR_CLAIMS.len() + 4,
        };
        1 << index
    }
}

/// A string claim's text: a span of the payload text, or (when the JSON
/// string had escapes) an index into [`Payload::unescaped`].
#[derive(Debug, Clone, Copy, PartialEq)]
enum Text {
    Span { start: u32, end: u32 },
    Unescaped(u32),
}

/// A claim that should be a string, as found.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
enum Claim {
    #[default]
    Absent,
    Str(Text),
    Bool(bool),
    /// A number, `null`, an array or an object.
    Other,
}

/// A NumericDate claim, as found.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
enum Date {
    #[default]
    Absent,
    Valid(i64),
    Invalid,
}

impl Date {
    /// A NumericDate is a JSON number (RFC 7519 §2), never a string. An
    /// integer that fits `i64` is taken as is; any other number must be
    /// finite and below 10^15 in magnitude, and is floored.
    fn of(value: Scalar<'_>) -> Date {
        let float = match value {
            Scalar::I64(v) => return Date::Valid(v),
            Scalar::U64(v) => match i64::try_from(v) {
                Ok(v) => return Date::Valid(v),
                Err(_) => v as f64,
            },
            Scalar::F64(v) => v,
            Scalar::Str(_) | Scalar::Bool(_) | Scalar::Other => return Date::Invalid,
        };
        if float.is_finite() && float.abs() < 1e15 {
            Date::Valid(float.floor() as i64)
        } else {
            Date::Invalid
        }
    }

    fn get(self, claim: &'static str) -> Result<Option<i64>, Cause> {
        match self {
            Date::Absent => Ok(None),
            Date::Valid(v) => Ok(Some(v)),
            Date::Invalid => Err(Malformed::InvalidClaim(claim).into()),
        }
    }
}

/// `cognito:groups`, as found.
#[derive(Debug, Clone, Default, PartialEq)]
enum Groups {
    #[default]
    Absent,
    List(Vec<Text>),
    Invalid,
}

/// A claim set that is a JSON object without duplicate member names, with
/// Cognito's claims read but not yet validated (that happens after the
/// signature check, in [`CognitoClaims::from_payload`]).
pub(crate) struct Payload {
    /// The decoded payload, exactly as signed.
    text: String,
    /// Claim strings that had escapes, unescaped (usually none).
    unescaped: Vec<Box<str>>,
    fields: Fields,
    raw: OnceLock<Map<String, Value>>,
}

/// What [`Payload::parse`] reads.
#[derive(Default)]
struct Fields {
    strs: [Claim; STR_CLAIMS.len()],
    groups: Groups,
    exp: Date,
    iat: Date,
    nbf: Date,
    auth_time: Date,
}

impl Payload {
    /// Parses decoded payload bytes; `None` unless they are a UTF-8 JSON
    /// object without a repeated member name at any depth.
    pub(crate) fn parse(bytes: Vec<u8>) -> Option<Payload> {
        let mut payload = Payload {
            text: String::from_utf8(bytes).ok()?,
            unescaped: Vec::new(),
            fields: Fields::default(),
            raw: OnceLock::new(),
        };
        let Payload {
            text,
            unescaped,
            fields,
            ..
        } = &mut payload;
        let mut de = serde_json::Deserializer::from_str(text);
        let visitor = PayloadVisitor {
            base: text,
            fields,
            unescaped,
        };
        de.deserialize_map(visitor).ok()?;
        de.end().ok()?;
        Some(payload)
    }

    /// `iss`, which picks the pool before the signature is checked.
    pub(crate) fn issuer(&self) -> Result<&str, Cause> {
        match self.fields.strs.get(ISS) {
            Some(Claim::Str(iss)) => Ok(self.text(*iss)),
            Some(Claim::Bool(_) | Claim::Other) => Err(Malformed::InvalidClaim("iss").into()),
            Some(Claim::Absent) | None => Err(Malformed::MissingClaim("iss").into()),
        }
    }

    fn text(&self, text: Text) -> &str {
        match text {
            Text::Span { start, end } => self
                .text
                .get(start as usize..end as usize)
                .unwrap_or_default(),
            Text::Unescaped(i) => self.unescaped.get(i as usize).map_or("", |s| s),
        }
    }

    fn str(&self, slot: usize) -> Option<&str> {
        match self.fields.strs.get(slot)? {
            Claim::Str(text) => Some(self.text(*text)),
            _ => None,
        }
    }

    fn raw(&self) -> &Map<String, Value> {
        // The text was checked by `parse`, so this cannot fail.
        self.raw
            .get_or_init(|| serde_json::from_str(&self.text).unwrap_or_default())
    }
}

#[cfg(test)]
impl std::ops::Index<&str> for Payload {
    type Output = Value;

    fn index(&self, claim: &str) -> &Value {
        &self.raw()[claim]
    }
}

/// Reads the top-level members into [`Fields`].
struct PayloadVisitor<'a, 'de> {
    /// The text being parsed, which borrowed strings point into.
    base: &'de str,
    fields: &'a mut Fields,
    unescaped: &'a mut Vec<Box<str>>,
}

/// Where `value` (a string the parser returned) lies in `base`.
fn locate(base: &str, value: Cow<'_, str>, unescaped: &mut Vec<Box<str>>) -> Text {
    if let Cow::Borrowed(value) = value {
        // Borrowed strings are slices of the input; anything else (or a
        // payload too large for `u32` offsets) gets its own copy.
        let start = value.as_ptr().addr().wrapping_sub(base.as_ptr().addr());
        let end = start.wrapping_add(value.len());
        if start <= end
            && end <= base.len()
            && let (Ok(start), Ok(end)) = (u32::try_from(start), u32::try_from(end))
        {
            return Text::Span { start, end };
        }
    }
    let index = u32::try_from(unescaped.len()).unwrap_or(u32::MAX);
    unescaped.push(value.into());
    Text::Unescaped(index)
}

impl<'de> Visitor<'de> for PayloadVisitor<'_, 'de> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<(), A::Error> {
        let PayloadVisitor {
            base,
            fields,
            unescaped,
        } = self;
        let mut seen = 0u32;
        let mut others = Names::<'de, 16>::new();
        while let Some(name) = access.next_key_seed(Key)? {
            let Some(known) = Known::of(&name) else {
                if !others.insert(name) {
                    return Err(strict_json::duplicate());
                }
                access.next_value_seed(Skip)?;
                continue;
            };
            if seen & known.bit() != 0 {
                return Err(strict_json::duplicate());
            }
            seen |= known.bit();
            match known {
                Known::Str(slot) => {
                    let claim = match access.next_value_seed(ScalarSeed)? {
                        Scalar::Str(s) => Claim::Str(locate(base, s, unescaped)),
                        Scalar::Bool(b) => Claim::Bool(b),
                        _ => Claim::Other,
                    };
                    if let Some(place) = fields.strs.get_mut(slot) {
                        *place = claim;
                    }
                }
                Known::Groups => {
                    fields.groups = access.next_value_seed(GroupsSeed {
                        base,
                        unescaped: &mut *unescaped,
                    })?;
                }
                Known::Exp => fields.exp = Date::of(access.next_value_seed(ScalarSeed)?),
                Known::Iat => fields.iat = Date::of(access.next_value_seed(ScalarSeed)?),
                Known::Nbf => fields.nbf = Date::of(access.next_value_seed(ScalarSeed)?),
                Known::AuthTime => {
                    fields.auth_time = Date::of(access.next_value_seed(ScalarSeed)?);
                }
            }
        }
        if others.finish() {
            Ok(())
        } else {
            Err(strict_json::duplicate())
        }
    }
}

/// `cognito:groups`: an array of strings, anything else is [`Groups::Invalid`].
struct GroupsSeed<'a, 'de> {
    base: &'de str,
    unescaped: &'a mut Vec<Box<str>>,
}

impl<'de> DeserializeSeed<'de> for GroupsSeed<'_, 'de> {
    type Value = Groups;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Groups, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for GroupsSeed<'_, 'de> {
    type Value = Groups;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an array of strings")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Groups, A::Error> {
        let mut groups = Vec::new();
        let mut valid = true;
        while let Some(item) = seq.next_element_seed(ScalarSeed)? {
            match item {
                Scalar::Str(s) if valid => groups.push(locate(self.base, s, self.unescaped)),
                _ => valid = false,
            }
        }
        Ok(if valid {
            Groups::List(groups)
        } else {
            Groups::Invalid
        })
    }

    fn visit_map<A: MapAccess<'de>>(self, access: A) -> Result<Groups, A::Error> {
        Skip.visit_map(access).map(|()| Groups::Invalid)
    }

    fn visit_bool<E>(self, _: bool) -> Result<Groups, E> {
        Ok(Groups::Invalid)
    }

    fn visit_i64<E>(self, _: i64) -> Result<Groups, E> {
        Ok(Groups::Invalid)
    }

    fn visit_u64<E>(self, _: u64) -> Result<Groups, E> {
        Ok(Groups::Invalid)
    }

    fn visit_f64<E>(self, _: f64) -> Result<Groups, E> {
        Ok(Groups::Invalid)
    }

    fn visit_str<E>(self, _: &str) -> Result<Groups, E> {
        Ok(Groups::Invalid)
    }

    fn visit_unit<E>(self) -> Result<Groups, E> {
        Ok(Groups::Invalid)
    }
}

impl CognitoClaims {
    /// Reads the claims every Cognito token shares from a claim map, checking
    /// their types.
    #[cfg_attr(not(test), allow(dead_code))]
    pub(crate) fn from_map(raw: Map<String, Value>) -> Result<Self, Cause> {
        let text = serde_json::to_vec(&raw).map_err(|_| Malformed::Json)?;
        Self::from_payload(Payload::parse(text).ok_or(Malformed::Json)?)
    }

    /// Checks the types of the claims every Cognito token shares.
    pub(crate) fn from_payload(payload: Payload) -> Result<Self, Cause> {
        let fields = &payload.fields;
        let exp = fields
            .exp
            .get("exp")?
            .ok_or(Malformed::MissingClaim("exp"))?;
        let iat = fields.iat.get("iat")?;
        let nbf = fields.nbf.get("nbf")?;
        let auth_time = fields.auth_time.get("auth_time")?;
        // Claims that must be strings when present; `aud` in particular:
        // Cognito never issues an array audience, and refusing one avoids
        // having to decide which member "the" client is.
        for slot in [
            SUB,
            TOKEN_USE,
            COGNITO_USERNAME,
            USERNAME,
            CLIENT_ID,
            SCOPE,
            AUD,
        ] {
            if let (Some(Claim::Bool(_) | Claim::Other), Some(name)) =
                (fields.strs.get(slot), STR_CLAIMS.get(slot))
            {
                return Err(Malformed::InvalidClaim(name).into());
            }
        }
        if payload.str(SUB).is_none() {
            return Err(Malformed::MissingClaim("sub").into());
        }
        let token_use = payload.str(TOKEN_USE).and_then(TokenUse::parse);
        if matches!(fields.groups, Groups::Invalid) {
            return Err(Malformed::InvalidClaim("cognito:groups").into());
        }
        Ok(CognitoClaims(Arc::new(Inner {
            payload,
            token_use,
            exp,
            iat,
            nbf,
            auth_time,
            groups: OnceLock::new(),
            scopes: OnceLock::new(),
        })))
    }

    fn slot(&self, slot: usize) -> Option<&str> {
        self.0.payload.str(slot)
    }

    fn group_names(&self) -> impl Iterator<Item = &str> {
        let payload = &self.0.payload;
        let list = match &payload.fields.groups {
            Groups::List(list) => list.as_slice(),
            Groups::Absent | Groups::Invalid => &[],
        };
        list.iter().map(|text| payload.text(*text))
    }

    fn scope_names(&self) -> impl Iterator<Item = &str> {
        self.slot(SCOPE)
            .unwrap_or_default()
            .split_ascii_whitespace()
    }

    /// `sub`: the user's (or, for M2M tokens, the app client's) stable id.
    pub fn sub(&self) -> &str {
        self.slot(SUB).unwrap_or_default()
    }

    /// The user name: `cognito:username` (ID tokens) or `username` (access
    /// tokens). `None` for machine-to-machine tokens.
    pub fn username(&self) -> Option<&str> {
        self.slot(COGNITO_USERNAME).or_else(|| self.slot(USERNAME))
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
            _ => self.slot(CLIENT_ID).or_else(|| self.audience()),
        }
    }

    /// `aud` (ID tokens only).
    pub fn audience(&self) -> Option<&str> {
        self.slot(AUD)
    }

    /// `iss`.
    pub fn issuer(&self) -> &str {
        self.slot(ISS).unwrap_or_default()
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
        self.slot(JTI)
    }

    /// `origin_jti`: shared by every token of one sign-in (revocation key).
    pub fn origin_jti(&self) -> Option<&str> {
        self.slot(ORIGIN_JTI)
    }

    /// `event_id`.
    pub fn event_id(&self) -> Option<&str> {
        self.slot(EVENT_ID)
    }

    /// `email` (ID tokens).
    pub fn email(&self) -> Option<&str> {
        self.slot(EMAIL)
    }

    /// `email_verified` (ID tokens). Cognito emits a boolean; the string
    /// forms `"true"`/`"false"` some pools produce are accepted too.
    pub fn email_verified(&self) -> Option<bool> {
        let payload = &self.0.payload;
        match payload.fields.strs.get(EMAIL_VERIFIED)? {
            Claim::Bool(b) => Some(*b),
            Claim::Str(s) => match payload.text(*s) {
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
            Some(Known::Groups | Known::Exp | Known::Iat | Known::Nbf | Known::AuthTime) => None,
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
        serde_json::from_str(&self.0.payload.text)
    }
}

impl PartialEq for CognitoClaims {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
            || self.0.payload.text == other.0.payload.text
            || self.raw() == other.raw()
    }
}

impl fmt::Debug for CognitoClaims {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("CognitoClaims").field(self.raw()).finish()
    }
}

impl serde::Serialize for CognitoClaims {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.raw().serialize(serializer)
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

    fn parse(json: &str) -> Option<Payload> {
        Payload::parse(json.as_bytes().to_vec())
    }

    fn verified(json: &str) -> Result<CognitoClaims, Cause> {
        CognitoClaims::from_payload(parse(json).ok_or(Malformed::Json)?)
    }

    /// A realistic Cognito ID token payload with extra and nested members.
    const ID_TOKEN: &str = r#"{"sub":"aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee","cognito:groups":["admin","dev"],"email_verified":true,"iss":"https://cognito-idp.us-east-1.amazonaws.com/us-east-1_AbCdEf123","cognito:username":"alice","origin_jti":"o-1","aud":"client","event_id":"e-1","token_use":"id","auth_time":1700000000,"exp":2000000000,"iat":1700000000,"jti":"j-1","email":"a@example.com","custom:tenant":"acme","custom:n":7,"identities":[{"userId":"1","providerName":"Google","primary":"true","dateCreated":"1"}],"at_hash":"x\u00e9y","n":1.5e3,"z":null}"#;

    #[test]
    fn parse_accepts_exactly_what_the_strict_map_parser_accepts() {
        let inputs = [
            ID_TOKEN,
            "{}",
            r#"{"sub":"a","sub":"b"}"#,
            r#"{"sub":"a","s\u0075b":"b"}"#,
            r#"{"x":1,"x":2}"#,
            r#"{"x":1,"\u0078":2}"#,
            r#"{"x":{"y":1,"y":2}}"#,
            r#"{"cognito:groups":[{"y":1,"y":2}]}"#,
            r#"{"exp":{"y":1,"y":2}}"#,
            r#"{"sub":"\ud800"}"#,
            r#"{"other":"\ud800"}"#,
            r#"{"exp":1e400}"#,
            r#"{"other":1e400}"#,
            r#"{"exp":18446744073709551616}"#,
            r#"{"sub":"a",}"#,
            r#"{"sub":"a"} x"#,
            r#"["sub"]"#,
            r#""sub""#,
            "",
            "{\"sub\":\"\u{7}\"}",
        ];
        for input in inputs {
            assert_eq!(
                parse(input).is_some(),
                strict_json::parse_object(input.as_bytes()).is_some(),
                "{input}"
            );
        }
        assert!(Payload::parse(b"{\"sub\":\"\xff\"}".to_vec()).is_none());
        // Many unknown members (past the inline name slots), then a repeat.
        let many: Vec<String> = (0..60).map(|i| format!(r#""k{i}":{i}"#)).collect();
        let object = format!("{{{}}}", many.join(","));
        assert!(parse(&object).is_some());
        let repeated = format!("{{{},\"k7\":0}}", many.join(","));
        assert!(parse(&repeated).is_none());
    }

    #[test]
    fn rejects_duplicate_top_level_names() {
        for input in [
            r#"{"sub":"a","sub":"b"}"#,
            r#"{"sub":"a","s\u0075b":"a"}"#,
            r#"{"exp":1,"exp":1}"#,
            r#"{"cognito:groups":[],"cognito:groups":[]}"#,
            r#"{"email_verified":true,"email_verified":"true"}"#,
            r#"{"custom:a":1,"custom:a":1}"#,
            r#"{"custom:a":1,"custom:\u0061":1}"#,
        ] {
            assert!(parse(input).is_none(), "{input}");
        }
    }

    #[test]
    fn reads_escaped_strings() {
        let c = verified(
            r#"{"sub":"a\"b","exp":1,"iss":"i\/s","cognito:groups":["x\u00e9","plain"],"scope":"a\tb c","email_verified":"tru\u0065","jti":"\ud83d\ude00"}"#,
        )
        .unwrap();
        assert_eq!(c.sub(), "a\"b");
        assert_eq!(c.issuer(), "i/s");
        assert_eq!(c.groups(), ["x\u{e9}", "plain"]);
        assert!(c.in_group("x\u{e9}"));
        assert_eq!(c.scopes(), ["a", "b", "c"]);
        assert!(c.has_scope("b"));
        assert_eq!(c.email_verified(), Some(true));
        assert_eq!(c.jti(), Some("\u{1f600}"));
        assert_eq!(c.str("sub"), Some("a\"b"));
    }

    #[test]
    fn typed_accessors_match_the_raw_map() {
        let c = verified(ID_TOKEN).unwrap();
        let eager = strict_json::parse_object(ID_TOKEN.as_bytes()).unwrap();
        // Before the map is built, the typed accessors agree with it.
        for claim in STR_CLAIMS
            .iter()
            .chain(&["cognito:groups", "exp", "iat", "nbf", "auth_time"])
        {
            assert_eq!(
                c.str(claim),
                eager.get(*claim).and_then(Value::as_str),
                "{claim}"
            );
        }
        assert_eq!(c.groups(), ["admin", "dev"]);
        assert_eq!(c.email_verified(), Some(true));
        assert!(c.0.payload.raw.get().is_none(), "built without being asked");
        // The lazily built map is the one the strict parser builds.
        assert_eq!(c.raw(), &eager);
        assert_eq!(c.str("at_hash"), Some("x\u{e9}y"));
        assert_eq!(c.str("custom:n"), None);
        assert_eq!(c.custom("tenant"), Some("acme"));
        assert_eq!(c.custom_attributes().count(), 2);
        // Equality, serialization and cloning see the same claims.
        let from_map = CognitoClaims::from_map(eager.clone()).unwrap();
        assert_eq!(from_map, c);
        assert_eq!(c.clone(), c);
        assert_ne!(verified(r#"{"sub":"s","exp":1}"#).unwrap(), c);
        assert_eq!(
            serde_json::to_value(&c).unwrap(),
            Value::Object(eager.clone())
        );
        assert!(format!("{c:?}").contains("acme"));
        let map: Map<String, Value> = c.deserialize().unwrap();
        assert_eq!(map, eager);
    }

    #[test]
    fn reports_the_first_invalid_claim_in_the_documented_order() {
        let cases = [
            (r#"{"sub":1,"exp":"1"}"#, Malformed::InvalidClaim("exp")),
            (r#"{"sub":1}"#, Malformed::MissingClaim("exp")),
            (
                r#"{"exp":1,"iat":"1","nbf":"1"}"#,
                Malformed::InvalidClaim("iat"),
            ),
            (
                r#"{"exp":1,"auth_time":null}"#,
                Malformed::InvalidClaim("auth_time"),
            ),
            (
                r#"{"exp":1,"aud":1,"sub":true}"#,
                Malformed::InvalidClaim("sub"),
            ),
            (
                r#"{"exp":1,"aud":[],"scope":1}"#,
                Malformed::InvalidClaim("scope"),
            ),
            (r#"{"exp":1,"aud":{}}"#, Malformed::InvalidClaim("aud")),
            (
                r#"{"exp":1,"aud":{},"token_use":false}"#,
                Malformed::InvalidClaim("token_use"),
            ),
            (
                r#"{"exp":1,"username":[]}"#,
                Malformed::InvalidClaim("username"),
            ),
            (
                r#"{"exp":1,"cognito:username":0}"#,
                Malformed::InvalidClaim("cognito:username"),
            ),
            (
                r#"{"exp":1,"client_id":null}"#,
                Malformed::InvalidClaim("client_id"),
            ),
            (
                r#"{"exp":1,"cognito:groups":{}}"#,
                Malformed::MissingClaim("sub"),
            ),
            (
                r#"{"sub":"s","exp":1,"cognito:groups":{}}"#,
                Malformed::InvalidClaim("cognito:groups"),
            ),
            (
                r#"{"sub":"s","exp":1,"cognito:groups":[null]}"#,
                Malformed::InvalidClaim("cognito:groups"),
            ),
            (
                r#"{"sub":"s","exp":9223372036854775808}"#,
                Malformed::InvalidClaim("exp"),
            ),
            (r#"{"sub":"s","exp":1e15}"#, Malformed::InvalidClaim("exp")),
        ];
        for (input, want) in cases {
            assert_eq!(verified(input).err(), Some(want.into()), "{input}");
        }
        // Claims nobody checks may have any type; they are just not strings.
        let c =
            verified(r#"{"sub":"s","exp":-1.5,"iss":1,"jti":[],"email_verified":"yes"}"#).unwrap();
        assert_eq!(c.exp(), -2);
        assert_eq!((c.issuer(), c.jti(), c.email_verified()), ("", None, None));
        assert_eq!(
            parse(r#"{"iss":1}"#).unwrap().issuer(),
            Err(Malformed::InvalidClaim("iss").into())
        );
        assert_eq!(
            parse("{}").unwrap().issuer(),
            Err(Malformed::MissingClaim("iss").into())
        );
        assert_eq!(parse(r#"{"iss":"i"}"#).unwrap().issuer(), Ok("i"));
    }
}
