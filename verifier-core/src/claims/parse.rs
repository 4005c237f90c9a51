//! The single pass over the payload JSON that fills [`Fields`]: known claims
//! into their slots (strings as spans of the text), everything else checked
//! and skipped, and a repeated member name anywhere refused.

use std::borrow::Cow;
use std::fmt;

use serde::de::{DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};

use super::payload::{Claim, Date, Fields, Groups, Known, Text, TextList};
use crate::strict_json::{self, Key, Names, Scalar, ScalarSeed, Skip};

/// A NumericDate is a JSON number (RFC 7519 §2), never a string. An integer
/// that fits `i64` is taken as is; any other number must be finite and below
/// 10^15 in magnitude, and is floored.
fn date(value: Scalar<'_>) -> Date {
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

/// Reads the top-level members into [`Fields`].
pub(super) struct PayloadVisitor<'a, 'de> {
    /// The text being parsed, which borrowed strings point into.
    pub(super) base: &'de str,
    pub(super) fields: &'a mut Fields,
    pub(super) unescaped: &'a mut Vec<Box<str>>,
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
                    fields.strs[slot as usize] = match access.next_value_seed(ScalarSeed)? {
                        Scalar::Str(s) => Claim::Str(locate(base, s, unescaped)),
                        Scalar::Bool(b) => Claim::Bool(b),
                        _ => Claim::Other,
                    };
                }
                Known::Groups => {
                    fields.groups = access.next_value_seed(GroupsSeed {
                        base,
                        unescaped: &mut *unescaped,
                    })?;
                }
                Known::Date(slot) => {
                    fields.dates[slot as usize] = date(access.next_value_seed(ScalarSeed)?);
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
        let mut groups = TextList::default();
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
