//! The parsed payload: Cognito's claims in typed slots over the payload text.
//!
//! This module holds the one list of claims the crate reads itself
//! ([`StrClaim`], [`DateClaim`], [`GROUPS`]); the parser, the type checks,
//! [`CognitoClaims::str`](super::CognitoClaims::str) and its tests all derive
//! from it.

use std::sync::OnceLock;

use serde::de::Deserializer;
use serde_json::{Map, Value};

use super::parse::PayloadVisitor;
use crate::error::{Cause, Malformed};
use crate::policy::TokenUse;

/// Declares a set of claim slots: the enum, its names, and the name lookup.
macro_rules! claim_slots {
    ($(#[$meta:meta])* $slots:ident { $($(#[$vmeta:meta])* $variant:ident = $name:literal,)* }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub(crate) enum $slots {
            $($(#[$vmeta])* $variant,)*
        }

        impl $slots {
            /// Every slot, in slot order.
            pub(crate) const ALL: &'static [$slots] = &[$($slots::$variant,)*];
            /// Number of slots.
            pub(crate) const COUNT: usize = Self::ALL.len();

            /// The claim's name in a token.
            pub(crate) const fn name(self) -> &'static str {
                match self {
                    $($slots::$variant => $name,)*
                }
            }

            /// The slot of claim `name`.
            pub(crate) fn of(name: &str) -> Option<Self> {
                match name {
                    $($name => Some($slots::$variant),)*
                    _ => None,
                }
            }
        }
    };
}

claim_slots! {
    /// Claims that are strings (or, for `email_verified`, may be a boolean).
    StrClaim {
        Sub = "sub",
        Iss = "iss",
        TokenUse = "token_use",
        Aud = "aud",
        ClientId = "client_id",
        CognitoUsername = "cognito:username",
        Username = "username",
        Scope = "scope",
        Jti = "jti",
        OriginJti = "origin_jti",
        EventId = "event_id",
        Email = "email",
        EmailVerified = "email_verified",
    }
}

claim_slots! {
    /// NumericDate claims (RFC 7519 §2).
    DateClaim {
        Exp = "exp",
        Iat = "iat",
        Nbf = "nbf",
        AuthTime = "auth_time",
    }
}

/// The groups claim: an array of strings.
pub(crate) const GROUPS: &str = "cognito:groups";

/// Claims that must be strings when present, in the order they are checked.
/// `aud` in particular: Cognito never issues an array audience, and refusing
/// one avoids having to decide which member "the" client is.
const MUST_BE_STRINGS: [StrClaim; 7] = [
    StrClaim::Sub,
    StrClaim::TokenUse,
    StrClaim::CognitoUsername,
    StrClaim::Username,
    StrClaim::ClientId,
    StrClaim::Scope,
    StrClaim::Aud,
];

/// A claim this crate reads itself.
#[derive(Clone, Copy)]
pub(super) enum Known {
    Str(StrClaim),
    Date(DateClaim),
    Groups,
}

impl Known {
    pub(super) fn of(name: &str) -> Option<Known> {
        StrClaim::of(name)
            .map(Known::Str)
            .or_else(|| DateClaim::of(name).map(Known::Date))
            .or_else(|| (name == GROUPS).then_some(Known::Groups))
    }

    /// A distinct bit per claim, for duplicate detection.
    pub(super) fn bit(self) -> u32 {
        let index = match self {
            Known::Str(claim) => claim as usize,
            Known::Date(claim) => StrClaim::COUNT + claim as usize,
            Known::Groups => StrClaim::COUNT + DateClaim::COUNT,
        };
        1 << index
    }
}

/// A string claim's text: a span of the payload text, or (when the JSON
/// string had escapes) an index into [`Payload::unescaped`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Text {
    Span { start: u32, end: u32 },
    Unescaped(u32),
}

/// A claim that should be a string, as found.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(super) enum Claim {
    #[default]
    Absent,
    Str(Text),
    Bool(bool),
    /// A number, `null`, an array or an object.
    Other,
}

/// A NumericDate claim, as found.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(super) enum Date {
    #[default]
    Absent,
    Valid(i64),
    Invalid,
}

/// `cognito:groups`, as found.
#[derive(Debug, Clone, Default, PartialEq)]
pub(super) enum Groups {
    #[default]
    Absent,
    List(TextList),
    Invalid,
}

/// Group names kept inline (more go to the heap).
const INLINE_GROUPS: usize = 4;

/// A list of [`Text`]s: the first [`INLINE_GROUPS`] inline, the rest in
/// `more`, so a user in a few groups costs no allocation.
#[derive(Debug, Clone, Default, PartialEq)]
pub(super) struct TextList {
    inline: [Option<Text>; INLINE_GROUPS],
    more: Vec<Text>,
}

impl TextList {
    /// Appends `text`.
    pub(super) fn push(&mut self, text: Text) {
        match self.inline.iter_mut().find(|slot| slot.is_none()) {
            Some(slot) => *slot = Some(text),
            None => self.more.push(text),
        }
    }

    /// The texts, in order.
    pub(super) fn iter(&self) -> impl Iterator<Item = Text> + '_ {
        self.inline
            .iter()
            .map_while(|t| *t)
            .chain(self.more.iter().copied())
    }
}

/// What [`Payload::parse`] reads.
#[derive(Default)]
pub(super) struct Fields {
    pub(super) strs: [Claim; StrClaim::COUNT],
    pub(super) dates: [Date; DateClaim::COUNT],
    pub(super) groups: Groups,
}

/// A claim set that is a JSON object without duplicate member names, with
/// Cognito's claims read but not yet validated (that happens after the
/// signature check, in [`Payload::typed`]).
pub(crate) struct Payload {
    /// The decoded payload, exactly as signed.
    text: String,
    /// Claim strings that had escapes, unescaped (usually none).
    unescaped: Vec<Box<str>>,
    fields: Fields,
    raw: OnceLock<Map<String, Value>>,
}

/// The claims [`Payload::typed`] checked and converted.
pub(super) struct Typed {
    pub(super) token_use: Option<TokenUse>,
    pub(super) exp: i64,
    pub(super) iat: Option<i64>,
    pub(super) nbf: Option<i64>,
    pub(super) auth_time: Option<i64>,
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
        let name = StrClaim::Iss.name();
        match self.claim(StrClaim::Iss) {
            Claim::Str(iss) => Ok(self.text(iss)),
            Claim::Bool(_) | Claim::Other => Err(Malformed::InvalidClaim(name).into()),
            Claim::Absent => Err(Malformed::MissingClaim(name).into()),
        }
    }

    /// Checks the types of the claims every Cognito token shares, in the
    /// documented order: dates (`exp` required), then string claims, then
    /// `sub` present, then `cognito:groups`.
    pub(super) fn typed(&self) -> Result<Typed, Cause> {
        let [exp, iat, nbf, auth_time] = [
            DateClaim::Exp,
            DateClaim::Iat,
            DateClaim::Nbf,
            DateClaim::AuthTime,
        ]
        .map(|claim| self.date(claim));
        let exp = exp?.ok_or(Malformed::MissingClaim(DateClaim::Exp.name()))?;
        let (iat, nbf, auth_time) = (iat?, nbf?, auth_time?);
        for claim in MUST_BE_STRINGS {
            if let Claim::Bool(_) | Claim::Other = self.claim(claim) {
                return Err(Malformed::InvalidClaim(claim.name()).into());
            }
        }
        if self.str(StrClaim::Sub).is_none() {
            return Err(Malformed::MissingClaim(StrClaim::Sub.name()).into());
        }
        if self.fields.groups == Groups::Invalid {
            return Err(Malformed::InvalidClaim(GROUPS).into());
        }
        Ok(Typed {
            token_use: self.str(StrClaim::TokenUse).and_then(TokenUse::parse),
            exp,
            iat,
            nbf,
            auth_time,
        })
    }

    fn date(&self, claim: DateClaim) -> Result<Option<i64>, Cause> {
        match self.fields.dates[claim as usize] {
            Date::Absent => Ok(None),
            Date::Valid(v) => Ok(Some(v)),
            Date::Invalid => Err(Malformed::InvalidClaim(claim.name()).into()),
        }
    }

    pub(super) fn claim(&self, claim: StrClaim) -> Claim {
        self.fields.strs[claim as usize]
    }

    pub(super) fn text(&self, text: Text) -> &str {
        match text {
            Text::Span { start, end } => self
                .text
                .get(start as usize..end as usize)
                .unwrap_or_default(),
            Text::Unescaped(i) => self.unescaped.get(i as usize).map_or("", |s| s),
        }
    }

    /// A string claim, if it is a string.
    pub(super) fn str(&self, claim: StrClaim) -> Option<&str> {
        match self.claim(claim) {
            Claim::Str(text) => Some(self.text(text)),
            _ => None,
        }
    }

    /// `cognito:groups`, empty when absent (or invalid, which `typed` refuses).
    pub(super) fn groups(&self) -> impl Iterator<Item = &str> {
        let list = match &self.fields.groups {
            Groups::List(list) => Some(list.iter()),
            Groups::Absent | Groups::Invalid => None,
        };
        list.into_iter().flatten().map(|text| self.text(text))
    }

    /// The payload text, exactly as signed.
    pub(super) fn json(&self) -> &str {
        &self.text
    }

    /// Every claim, built from the text on first use.
    pub(super) fn raw(&self) -> &Map<String, Value> {
        // The text was checked by `parse`, so this cannot fail.
        self.raw
            .get_or_init(|| serde_json::from_str(&self.text).unwrap_or_default())
    }

    /// Whether [`raw`](Self::raw) has been built.
    #[cfg(test)]
    pub(super) fn raw_is_built(&self) -> bool {
        self.raw.get().is_some()
    }
}

#[cfg(test)]
impl std::ops::Index<&str> for Payload {
    type Output = Value;

    fn index(&self, claim: &str) -> &Value {
        &self.raw()[claim]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::claims::CognitoClaims;
    use crate::claims::tests::{ID_TOKEN, parse, verified};
    use crate::strict_json;

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
    fn groups_past_the_inline_slots_keep_their_order() {
        for count in [0, 1, 4, 5, 9] {
            let names: Vec<String> = (0..count).map(|i| format!("g{i}")).collect();
            // Every third one escaped, so spans and unescaped copies mix.
            let listed: Vec<String> = names
                .iter()
                .enumerate()
                .map(|(i, n)| match i % 3 {
                    0 => format!(r#""\u0067{}""#, &n[1..]),
                    _ => format!("{n:?}"),
                })
                .collect();
            let json = format!(
                r#"{{"sub":"s","exp":1,"cognito:groups":[{}]}}"#,
                listed.join(",")
            );
            let c = verified(&json).unwrap();
            assert_eq!(c.groups(), names.as_slice(), "{json}");
            assert_eq!(c.in_group("g8"), count == 9);
        }
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
        let dates = DateClaim::ALL.iter().map(|d| d.name());
        for claim in StrClaim::ALL
            .iter()
            .map(|s| s.name())
            .chain([GROUPS])
            .chain(dates)
        {
            assert_eq!(
                c.str(claim),
                eager.get(claim).and_then(Value::as_str),
                "{claim}"
            );
        }
        assert_eq!(c.groups(), ["admin", "dev"]);
        assert_eq!(c.email_verified(), Some(true));
        assert!(!c.0.payload.raw_is_built(), "built without being asked");
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
