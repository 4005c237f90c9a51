//! ListUsers' `Filter` syntax: `AttributeName Operator "Value"`, with `=`
//! (exact) or `^=` (prefix), over the attributes Cognito allows filtering on.

use crate::error::{Error, Result};
use crate::model::{Pool, User};

/// Attributes Cognito's ListUsers can filter on.
pub(crate) const FILTERABLE: &[&str] = &[
    "username",
    "email",
    "phone_number",
    "name",
    "given_name",
    "family_name",
    "preferred_username",
    "cognito:user_status",
    "status",
    "sub",
];

/// A parsed filter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Filter {
    /// Attribute name.
    pub attribute: String,
    /// `true` for `^=` (starts with), `false` for `=`.
    pub prefix: bool,
    /// The value to compare with.
    pub value: String,
}

fn parse_error() -> Error {
    Error::invalid_parameter("Error while parsing filter.")
}

impl Filter {
    /// Parses a filter string; an empty string means "no filter".
    pub(crate) fn parse(s: &str) -> Result<Option<Self>> {
        let s = s.trim();
        if s.is_empty() {
            return Ok(None);
        }
        let (attribute, rest) = if let Some(stripped) = s.strip_prefix('"') {
            let end = stripped.find('"').ok_or_else(parse_error)?;
            (&stripped[..end], stripped[end + 1..].trim_start())
        } else {
            let end = s
                .find(|c: char| c.is_whitespace() || c == '=' || c == '^')
                .ok_or_else(parse_error)?;
            (&s[..end], s[end..].trim_start())
        };
        let (prefix, rest) = if let Some(r) = rest.strip_prefix("^=") {
            (true, r)
        } else if let Some(r) = rest.strip_prefix('=') {
            (false, r)
        } else {
            return Err(parse_error());
        };
        let rest = rest.trim();
        let value = rest
            .strip_prefix('"')
            .and_then(|r| r.strip_suffix('"'))
            .ok_or_else(parse_error)?;
        if !FILTERABLE.contains(&attribute) {
            return Err(Error::invalid_parameter(format!(
                "Invalid search attribute: {attribute}"
            )));
        }
        Ok(Some(Self {
            attribute: attribute.to_string(),
            prefix,
            value: value.replace("\\\"", "\""),
        }))
    }

    /// Whether `user` matches.
    pub(crate) fn matches(&self, pool: &Pool, user: &User) -> bool {
        let actual: Option<String> = match self.attribute.as_str() {
            "username" => Some(user.username.clone()),
            "cognito:user_status" => Some(user.status.as_str().to_string()),
            "status" => Some(if user.enabled { "Enabled" } else { "Disabled" }.to_string()),
            "sub" => Some(user.sub.clone()),
            other => user.attr(other).map(str::to_string),
        };
        let Some(actual) = actual else {
            return false;
        };
        let fold = self.attribute == "username" && pool.case_insensitive();
        let (a, v) = if fold {
            (actual.to_lowercase(), self.value.to_lowercase())
        } else {
            (actual, self.value.clone())
        };
        if self.prefix {
            a.starts_with(&v)
        } else {
            a == v
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_cognito_syntax() {
        let f = Filter::parse(r#"email = "a@b.c""#).unwrap().unwrap();
        assert_eq!(
            f,
            Filter {
                attribute: "email".into(),
                prefix: false,
                value: "a@b.c".into()
            }
        );
        let f = Filter::parse(r#"given_name ^= "Jo""#).unwrap().unwrap();
        assert!(f.prefix);
        let f = Filter::parse(r#""cognito:user_status"="UNCONFIRMED""#)
            .unwrap()
            .unwrap();
        assert_eq!(f.attribute, "cognito:user_status");
        assert!(Filter::parse("").unwrap().is_none());
        assert!(Filter::parse("email").is_err());
        assert!(Filter::parse(r#"email ~ "x""#).is_err());
        assert!(Filter::parse(r#"custom:x = "x""#).is_err());
    }
}
