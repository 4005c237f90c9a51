//! JSON parsing that refuses duplicate member names at any depth.
//!
//! RFC 8725 §3.2 / RFC 7515 §4: a JOSE header or claim set with duplicate
//! names must be rejected, because two parsers may pick different values.
//! `serde_json` keeps the last one silently, so objects are built here.
//!
//! Besides [`parse_object`], which builds a whole [`Map`], this module has the
//! pieces the typed header and claim parsers are made of: [`Key`] (a member
//! name, borrowed when it has no escapes), [`Names`] (duplicate detection
//! without allocating for small objects) and [`Skip`] (a value that is
//! checked as strictly as [`parse_object`] would, but not kept).

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
#[cfg(test)]
use serde_json::{Map, Value};

/// Parses `bytes` as a JSON object, rejecting duplicate names anywhere.
///
/// The reference the streaming parsers are tested against.
#[cfg(test)]
pub(crate) fn parse_object(bytes: &[u8]) -> Option<Map<String, Value>> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value = StrictValue.deserialize(&mut de).ok()?;
    de.end().ok()?;
    match value {
        Value::Object(map) => Some(map),
        _ => None,
    }
}

/// The error for a repeated member name.
pub(crate) fn duplicate<E: de::Error>() -> E {
    E::custom("duplicate member name")
}

/// A member name: borrowed from the input unless it contained escapes.
pub(crate) struct Key;

impl<'de> DeserializeSeed<'de> for Key {
    type Value = Cow<'de, str>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for Key {
    type Value = Cow<'de, str>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a member name")
    }

    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Cow::Borrowed(v))
    }

    fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Cow::Owned(v.to_owned()))
    }

    fn visit_string<E>(self, v: String) -> Result<Self::Value, E> {
        Ok(Cow::Owned(v))
    }
}

/// The member names of one object, for duplicate detection.
///
/// The first `N` names live inline and are compared linearly; any further
/// ones are checked in [`finish`](Self::finish) by sorting, so a huge object
/// costs `O(n log n)`, not `O(n²)`.
pub(crate) struct Names<'de, const N: usize> {
    inline: [Cow<'de, str>; N],
    len: usize,
    spill: Vec<Cow<'de, str>>,
}

impl<'de, const N: usize> Names<'de, N> {
    pub(crate) fn new() -> Self {
        Names {
            inline: std::array::from_fn(|_| Cow::Borrowed("")),
            len: 0,
            spill: Vec::new(),
        }
    }

    /// Records `name`; `false` if it was already seen (among the inline names).
    pub(crate) fn insert(&mut self, name: Cow<'de, str>) -> bool {
        let seen = self.inline.get(..self.len).unwrap_or_default();
        if seen.contains(&name) {
            return false;
        }
        match self.inline.get_mut(self.len) {
            Some(slot) => {
                *slot = name;
                self.len += 1;
            }
            None => self.spill.push(name),
        }
        true
    }

    /// `true` if no name was seen twice.
    pub(crate) fn finish(self) -> bool {
        if self.spill.is_empty() {
            return true;
        }
        let mut all: Vec<Cow<'de, str>> = self.inline.into_iter().take(self.len).collect();
        all.extend(self.spill);
        all.sort_unstable();
        all.windows(2).all(|w| w[0] != w[1])
    }
}

/// Consumes one value, exactly as strictly as [`parse_object`] would parse it
/// (strings are decoded, numbers converted, nested names checked), and keeps
/// nothing. Only escaped nested member names allocate.
pub(crate) struct Skip;

impl<'de> DeserializeSeed<'de> for Skip {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Skip {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, _: bool) -> Result<(), E> {
        Ok(())
    }

    fn visit_i64<E>(self, _: i64) -> Result<(), E> {
        Ok(())
    }

    fn visit_u64<E>(self, _: u64) -> Result<(), E> {
        Ok(())
    }

    fn visit_f64<E>(self, _: f64) -> Result<(), E> {
        Ok(())
    }

    fn visit_str<E>(self, _: &str) -> Result<(), E> {
        Ok(())
    }

    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while seq.next_element_seed(Skip)?.is_some() {}
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<(), A::Error> {
        let mut names = Names::<'de, 8>::new();
        while let Some(key) = access.next_key_seed(Key)? {
            if !names.insert(key) {
                return Err(duplicate());
            }
            access.next_value_seed(Skip)?;
        }
        if names.finish() {
            Ok(())
        } else {
            Err(duplicate())
        }
    }
}

/// A value read just far enough to tell strings, booleans and numbers
/// apart; arrays and objects are consumed strictly (see [`Skip`]).
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Scalar<'de> {
    Str(Cow<'de, str>),
    Bool(bool),
    I64(i64),
    U64(u64),
    F64(f64),
    /// `null`, an array or an object.
    Other,
}

/// Reads one value as a [`Scalar`].
pub(crate) struct ScalarSeed;

impl<'de> DeserializeSeed<'de> for ScalarSeed {
    type Value = Scalar<'de>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for ScalarSeed {
    type Value = Scalar<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Self::Value, E> {
        Ok(Scalar::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Self::Value, E> {
        Ok(Scalar::I64(v))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Self::Value, E> {
        Ok(Scalar::U64(v))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Self::Value, E> {
        Ok(Scalar::F64(v))
    }

    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Scalar::Str(Cow::Borrowed(v)))
    }

    fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Scalar::Str(Cow::Owned(v.to_owned())))
    }

    fn visit_string<E>(self, v: String) -> Result<Self::Value, E> {
        Ok(Scalar::Str(Cow::Owned(v)))
    }

    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(Scalar::Other)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
        Skip.visit_seq(seq).map(|()| Scalar::Other)
    }

    fn visit_map<A: MapAccess<'de>>(self, access: A) -> Result<Self::Value, A::Error> {
        Skip.visit_map(access).map(|()| Scalar::Other)
    }
}

#[cfg(test)]
struct StrictValue;

#[cfg(test)]
impl<'de> DeserializeSeed<'de> for StrictValue {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

#[cfg(test)]
impl<'de> Visitor<'de> for StrictValue {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number))
    }

    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }

    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element_seed(StrictValue)? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Value, A::Error> {
        let mut map = Map::new();
        while let Some(key) = access.next_key::<String>()? {
            let value = access.next_value_seed(StrictValue)?;
            if map.insert(key, value).is_some() {
                return Err(duplicate());
            }
        }
        Ok(Value::Object(map))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Whether `Skip` accepts `input` as one complete JSON value.
    fn skips(input: &str) -> bool {
        let mut de = serde_json::Deserializer::from_str(input);
        Skip.deserialize(&mut de).is_ok() && de.end().is_ok()
    }

    #[test]
    fn parses_objects() {
        let map = parse_object(br#"{"a":1,"b":[true,null,"x",{"c":1.5}]}"#).unwrap();
        assert_eq!(map["a"], 1);
        assert_eq!(map["b"][3]["c"], 1.5);
    }

    #[test]
    fn rejects_duplicates_at_any_depth() {
        assert!(parse_object(br#"{"a":1,"a":2}"#).is_none());
        assert!(parse_object(br#"{"a":{"b":1,"b":1}}"#).is_none());
        assert!(parse_object(br#"{"a":[{"b":1,"b":1}]}"#).is_none());
    }

    #[test]
    fn rejects_non_objects_and_garbage() {
        for input in [&b"[]"[..], b"1", b"\"x\"", b"{", b"{} {}", b"", b"\xff"] {
            assert!(parse_object(input).is_none(), "{input:?}");
        }
    }

    #[test]
    fn skip_is_as_strict_as_parse_object() {
        let objects = [
            r#"{"a":1,"b":[true,null,"x",{"c":1.5}]}"#,
            r#"{"a":{"b":1,"b":1}}"#,
            r#"{"a":[{"b":1,"b":1}]}"#,
            r#"{"a":{"b":1,"\u0062":2}}"#,
            r#"{"a":"\ud800"}"#,
            r#"{"a":"\ud83d\ude00"}"#,
            r#"{"a":1e400}"#,
            r#"{"a":-0,"b":1.5e3,"c":18446744073709551616}"#,
            "{\"a\":\"\u{1}\"}",
            r#"{"a":"\q"}"#,
            r#"{"a":[1,]}"#,
            r#"{"a":1,}"#,
            r#"{} {}"#,
            r#"{"#,
        ];
        for input in objects {
            assert_eq!(
                skips(input),
                parse_object(input.as_bytes()).is_some(),
                "{input}"
            );
        }
    }

    #[test]
    fn names_detect_duplicates_inline_and_spilled() {
        let mut names = Names::<2>::new();
        assert!(names.insert("a".into()));
        assert!(names.insert(Cow::Owned("b".into())));
        assert!(!names.insert("b".into()));
        assert!(names.insert("c".into()));
        assert!(names.insert("d".into()));
        assert!(names.finish());

        let mut names = Names::<2>::new();
        for name in ["a", "b", "c", "d"] {
            assert!(names.insert(name.into()));
        }
        // A repeat of an inline name is caught at once, of a spilled one at the end.
        assert!(!names.insert("a".into()));
        assert!(names.insert(Cow::Owned("c".into())));
        assert!(!names.finish());

        // Many distinct names beyond the inline ones, then one repeat.
        let many: Vec<String> = (0..100).map(|i| format!("k{i}")).collect();
        let object = |extra: &str| {
            let members: Vec<String> = many.iter().map(|k| format!(r#""{k}":0"#)).collect();
            format!(r#"{{"o":{{{}{extra}}}}}"#, members.join(","))
        };
        assert!(skips(&object("")));
        assert!(!skips(&object(r#","k42":1"#)));
    }
}
