//! API Gateway parameter mappings for request headers: how identity reaches
//! a backend, written in API Gateway's own syntax and evaluated without a
//! web framework.
//!
//! Two syntaxes, chosen by the key:
//!
//! - HTTP API (`requestParameters` of an integration, AWS developer guide
//!   "Transforming API requests and responses", `http-api-parameter-mapping`):
//!   keys `overwrite:header.NAME`, `append:header.NAME`, `remove:header.NAME`;
//!   values `$context.authorizer.claims.NAME` or `${context.authorizer.claims.NAME}`,
//!   `$request.header.NAME`, `$request.path.NAME`, static text, or static
//!   text with `${...}` variables in it. Several values of one request
//!   header are joined with commas, as the guide says API Gateway does.
//! - REST API (`requestParameters` of an integration): key
//!   `integration.request.header.NAME`, value `context.authorizer.claims.NAME`
//!   (or `context.authorizer.claims['custom:role']`), `method.request.header.NAME`,
//!   `method.request.path.NAME`, or a quoted literal `'text'`.
//!
//! Claims are rendered as the matching authorizer passes them (HTTP API:
//! arrays as `[a b]`; REST: arrays comma-joined, `exp`/`iat` as Java dates;
//! see [`apigw`](super::apigw)). A value whose variable is missing (a guest,
//! an absent claim or header) removes the header instead of sending an empty
//! one; that choice is ours, API Gateway's behaviour there is not documented.
//!
//! Every header whose value comes from the authorizer is *stripped* from the
//! client's request first ([`Mapping::strips`]): a client cannot send its
//! own `x-user-sub` next to (or instead of) the gate's.

use std::fmt;

use super::AuthContext;
use super::apigw::{http_claim_text, rest_claim_text};
use super::request::HeaderView;

/// A mapping that could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid mapping {key:?}: {reason}")]
pub struct MappingError {
    /// The mapping's key as written.
    pub key: String,
    /// What is wrong with it.
    pub reason: String,
}

/// One change to the request headers sent upstream (lower-case names).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HeaderOp {
    /// Replace every value of the header with this one.
    Set(String, String),
    /// Add this value after the header's existing ones.
    Append(String, String),
    /// Delete the header.
    Remove(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Action {
    Overwrite,
    Append,
    Remove,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Syntax {
    Http,
    Rest,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Part {
    Text(String),
    Claim(String),
    RequestHeader(String),
    PathParam(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Rule {
    action: Action,
    syntax: Syntax,
    header: String,
    parts: Vec<Part>,
}

impl Rule {
    fn uses_authorizer(&self) -> bool {
        self.parts.iter().any(|p| matches!(p, Part::Claim(_)))
    }
}

/// Header mappings of one route or integration; see the [module docs](self).
///
/// ```
/// use cognito_verifier::gate::Mapping;
/// let mapping = Mapping::parse([
///     ("overwrite:header.x-user-sub", "$context.authorizer.claims.sub"),
///     ("integration.request.header.x-user", "context.authorizer.claims.email"),
///     ("remove:header.x-debug", "''"),
/// ]).unwrap();
/// assert!(mapping.strips("x-user-sub"));
/// assert!(!mapping.strips("x-debug"));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Mapping {
    rules: Vec<Rule>,
}

/// Headers no mapping may name: connection management and framing are the
/// proxy's, not the mapping's (API Gateway reserves these too).
const RESERVED: &[&str] = &[
    "connection",
    "content-length",
    "host",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
];

impl Mapping {
    /// No mapping: nothing is set, nothing stripped.
    pub fn new() -> Self {
        Mapping::default()
    }

    /// Parses `(key, value)` pairs, HTTP API or REST syntax per key.
    pub fn parse<'a>(
        pairs: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Result<Self, MappingError> {
        let rules = pairs
            .into_iter()
            .map(|(key, value)| parse_rule(key, value))
            .collect::<Result<_, _>>()?;
        Ok(Mapping { rules })
    }

    /// Whether there is no rule at all.
    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    /// Whether the client's own copies of header `lower_case_name` must be
    /// deleted before the mapping applies (its value comes from the authorizer).
    pub fn strips(&self, lower_case_name: &str) -> bool {
        self.rules
            .iter()
            .any(|r| r.header == lower_case_name && r.uses_authorizer())
    }

    /// Every header [`strips`](Self::strips) names.
    pub fn stripped(&self) -> impl Iterator<Item = &str> {
        self.rules
            .iter()
            .filter(|r| r.uses_authorizer())
            .map(|r| r.header.as_str())
    }

    /// The header changes for one admitted request, in rule order. `headers`
    /// are the client's request headers, `param` looks up the matched
    /// route's path parameters.
    pub fn apply<'p, H: HeaderView>(
        &self,
        auth: &AuthContext,
        headers: &H,
        param: impl Fn(&str) -> Option<&'p str>,
    ) -> Vec<HeaderOp> {
        self.rules
            .iter()
            .map(|rule| {
                let name = rule.header.clone();
                if rule.action == Action::Remove {
                    return HeaderOp::Remove(name);
                }
                match render(rule, auth, headers, &param) {
                    Some(value) if rule.action == Action::Append => HeaderOp::Append(name, value),
                    Some(value) => HeaderOp::Set(name, value),
                    None => HeaderOp::Remove(name),
                }
            })
            .collect()
    }
}

fn render<'p, H: HeaderView>(
    rule: &Rule,
    auth: &AuthContext,
    headers: &H,
    param: &impl Fn(&str) -> Option<&'p str>,
) -> Option<String> {
    let mut out = String::new();
    for part in &rule.parts {
        match part {
            Part::Text(text) => out.push_str(text),
            Part::Claim(name) => {
                let value = auth.claims()?.raw().get(name)?;
                out.push_str(&match rule.syntax {
                    Syntax::Http => http_claim_text(value),
                    Syntax::Rest => rest_claim_text(name, value),
                });
            }
            Part::RequestHeader(name) => {
                let values: Vec<&str> = headers
                    .values(name)
                    .map(std::str::from_utf8)
                    .collect::<Result<_, _>>()
                    .ok()?;
                if values.is_empty() {
                    return None;
                }
                out.push_str(&values.join(","));
            }
            Part::PathParam(name) => out.push_str(param(name)?),
        }
    }
    Some(out)
}

fn parse_rule(key: &str, value: &str) -> Result<Rule, MappingError> {
    let fail = |reason: &str| MappingError {
        key: key.to_owned(),
        reason: reason.to_owned(),
    };
    let (action, syntax, header) = if let Some(h) = key.strip_prefix("integration.request.header.")
    {
        (Action::Overwrite, Syntax::Rest, h)
    } else if let Some((action, target)) = key.split_once(':') {
        let action = match action {
            "overwrite" => Action::Overwrite,
            "append" => Action::Append,
            "remove" => Action::Remove,
            _ => return Err(fail("the action must be overwrite, append or remove")),
        };
        let header = target.strip_prefix("header.").ok_or_else(|| {
            fail("only header mappings are supported (querystring and path are not)")
        })?;
        (action, Syntax::Http, header)
    } else {
        return Err(fail(
            "expected `overwrite|append|remove:header.NAME` or `integration.request.header.NAME`",
        ));
    };
    if header.is_empty() || !header.bytes().all(is_token_byte) {
        return Err(fail("invalid header name"));
    }
    let header = header.to_ascii_lowercase();
    if RESERVED.contains(&header.as_str()) {
        return Err(fail("reserved header"));
    }
    let parts = match (action, syntax) {
        (Action::Remove, _) => Vec::new(),
        (_, Syntax::Http) => parse_http_value(value).map_err(|r| fail(&r))?,
        (_, Syntax::Rest) => vec![parse_rest_value(value).map_err(|r| fail(&r))?],
    };
    Ok(Rule {
        action,
        syntax,
        header,
        parts,
    })
}

fn is_token_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

fn parse_rest_value(value: &str) -> Result<Part, String> {
    if let Some(text) = value.strip_prefix('\'').and_then(|v| v.strip_suffix('\'')) {
        return Ok(Part::Text(text.to_owned()));
    }
    if let Some(name) = value.strip_prefix("method.request.header.") {
        return header_part(name);
    }
    if let Some(name) = value.strip_prefix("method.request.path.") {
        return Ok(Part::PathParam(name.to_owned()));
    }
    variable(value, "context.authorizer.claims")
}

fn parse_http_value(value: &str) -> Result<Vec<Part>, String> {
    let mut parts = Vec::new();
    let mut rest = value;
    while let Some(at) = rest.find('$') {
        if at > 0 {
            parts.push(Part::Text(rest[..at].to_owned()));
        }
        let after = &rest[at + 1..];
        let (expr, tail) = if let Some(inner) = after.strip_prefix('{') {
            let end = inner.find('}').ok_or("unclosed ${")?;
            (&inner[..end], &inner[end + 1..])
        } else {
            let end = after
                .find(|c: char| !(c.is_ascii_alphanumeric() || "_.:-".contains(c)))
                .unwrap_or(after.len());
            (&after[..end], &after[end..])
        };
        parts.push(if let Some(name) = expr.strip_prefix("request.header.") {
            header_part(name)?
        } else if let Some(name) = expr.strip_prefix("request.path.") {
            Part::PathParam(name.to_owned())
        } else {
            variable(expr, "context.authorizer.claims")?
        });
        rest = tail;
    }
    if !rest.is_empty() {
        parts.push(Part::Text(rest.to_owned()));
    }
    Ok(parts)
}

fn header_part(name: &str) -> Result<Part, String> {
    if name.is_empty() || !name.bytes().all(is_token_byte) {
        return Err(format!("invalid request header name {name:?}"));
    }
    Ok(Part::RequestHeader(name.to_ascii_lowercase()))
}

/// `prefix.NAME` or `prefix['NAME']` as a claim.
fn variable(expr: &str, prefix: &str) -> Result<Part, String> {
    let rest = expr
        .strip_prefix(prefix)
        .ok_or_else(|| format!("unsupported variable {expr:?}"))?;
    let name = if let Some(dotted) = rest.strip_prefix('.') {
        dotted
    } else if let Some(quoted) = rest.strip_prefix("['").and_then(|r| r.strip_suffix("']")) {
        quoted
    } else {
        return Err(format!("unsupported variable {expr:?}"));
    };
    if name.is_empty() {
        return Err("empty claim name".to_owned());
    }
    Ok(Part::Claim(name.to_owned()))
}

impl fmt::Display for HeaderOp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HeaderOp::Set(n, v) => write!(f, "set {n}: {v}"),
            HeaderOp::Append(n, v) => write!(f, "append {n}: {v}"),
            HeaderOp::Remove(n) => write!(f, "remove {n}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::claims::CognitoClaims;
    use serde_json::json;

    use crate::gate::request::TestHeaders;

    fn auth(claims: Option<serde_json::Value>) -> AuthContext {
        AuthContext {
            claims: claims
                .map(|v| CognitoClaims::from_map(v.as_object().unwrap().clone()).unwrap()),
            preset: super::super::Preset::ApiGatewayHttp,
        }
    }

    fn user() -> AuthContext {
        auth(Some(json!({
            "sub": "u-1", "email": "a@example.com", "cognito:groups": ["admin", "dev"],
            "exp": 1714569022, "custom:role": "ops"
        })))
    }

    fn ops(pairs: &[(&str, &str)], auth: &AuthContext) -> Vec<HeaderOp> {
        let headers = TestHeaders::text(&[("x-trace", "a"), ("x-trace", "b")]);
        Mapping::parse(pairs.iter().copied())
            .unwrap()
            .apply(auth, &headers, |n| (n == "id").then_some("42"))
    }

    fn set(n: &str, v: &str) -> HeaderOp {
        HeaderOp::Set(n.into(), v.into())
    }

    #[test]
    fn http_api_syntax() {
        let got = ops(
            &[
                (
                    "overwrite:header.X-User-Sub",
                    "$context.authorizer.claims.sub",
                ),
                (
                    "append:header.x-groups",
                    "${context.authorizer.claims.cognito:groups}",
                ),
                (
                    "overwrite:header.x-who",
                    "user ${context.authorizer.claims.sub} item $request.path.id",
                ),
                ("overwrite:header.x-copy", "$request.header.x-trace"),
                ("remove:header.x-debug", "''"),
            ],
            &user(),
        );
        assert_eq!(
            got,
            vec![
                set("x-user-sub", "u-1"),
                HeaderOp::Append("x-groups".into(), "[admin dev]".into()),
                set("x-who", "user u-1 item 42"),
                set("x-copy", "a,b"),
                HeaderOp::Remove("x-debug".into()),
            ]
        );
    }

    #[test]
    fn rest_syntax() {
        let got = ops(
            &[
                (
                    "integration.request.header.x-user",
                    "context.authorizer.claims.email",
                ),
                (
                    "integration.request.header.x-role",
                    "context.authorizer.claims['custom:role']",
                ),
                (
                    "integration.request.header.x-groups",
                    "context.authorizer.claims.cognito:groups",
                ),
                (
                    "integration.request.header.x-exp",
                    "context.authorizer.claims.exp",
                ),
                ("integration.request.header.x-fixed", "'v1'"),
                ("integration.request.header.x-id", "method.request.path.id"),
            ],
            &user(),
        );
        assert_eq!(
            got,
            vec![
                set("x-user", "a@example.com"),
                set("x-role", "ops"),
                set("x-groups", "admin,dev"),
                set("x-exp", "Wed May 01 13:10:22 UTC 2024"),
                set("x-fixed", "v1"),
                set("x-id", "42"),
            ]
        );
    }

    #[test]
    fn missing_values_remove_the_header() {
        let pairs = [
            (
                "overwrite:header.x-user-sub",
                "$context.authorizer.claims.sub",
            ),
            (
                "overwrite:header.x-phone",
                "$context.authorizer.claims.phone_number",
            ),
            ("overwrite:header.x-none", "$request.header.x-absent"),
        ];
        let removed = |n: &str| HeaderOp::Remove(n.into());
        assert_eq!(
            ops(&pairs, &auth(None)),
            vec![removed("x-user-sub"), removed("x-phone"), removed("x-none")]
        );
        assert_eq!(ops(&pairs, &user())[1], removed("x-phone"));
    }

    #[test]
    fn only_authorizer_headers_are_stripped() {
        let m = Mapping::parse([
            (
                "overwrite:header.x-user-sub",
                "$context.authorizer.claims.sub",
            ),
            (
                "integration.request.header.X-Email",
                "context.authorizer.claims.email",
            ),
            ("overwrite:header.x-static", "v"),
        ])
        .unwrap();
        assert!(m.strips("x-user-sub") && m.strips("x-email") && !m.strips("x-static"));
        assert_eq!(m.stripped().collect::<Vec<_>>(), ["x-user-sub", "x-email"]);
    }

    #[test]
    fn bad_mappings_are_refused() {
        for (key, value) in [
            ("overwrite:querystring.a", "x"),
            ("replace:header.a", "x"),
            ("header.a", "x"),
            ("overwrite:header.host", "x"),
            ("overwrite:header.transfer-encoding", "x"),
            ("overwrite:header.a b", "x"),
            ("overwrite:header.a", "${context.authorizer.claims.sub"),
            ("overwrite:header.a", "$context.requestId"),
            ("overwrite:header.a", "$stageVariables.x"),
            (
                "integration.request.header.a",
                "context.authorizer.principalId",
            ),
            (
                "integration.request.header.a",
                "method.request.querystring.q",
            ),
            ("integration.request.header.a", "context.authorizer.claims."),
        ] {
            assert!(Mapping::parse([(key, value)]).is_err(), "{key} = {value}");
        }
    }
}
