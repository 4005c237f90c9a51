//! The four authorizer events API Gateway sends, read into one [`Incoming`].
//!
//! | event | how it is recognised | route from | token from |
//! |---|---|---|---|
//! | REST `TOKEN` | `"type":"TOKEN"` | `methodArn` | `authorizationToken` (the header value as sent) |
//! | REST `REQUEST` | `"type":"REQUEST"`, no `version` | `methodArn` | `multiValueHeaders` (else `headers`) |
//! | HTTP API payload 1.0 | `"version":"1.0"` | `methodArn` | `headers` |
//! | HTTP API payload 2.0 | `"version":"2.0"` | `routeArn` | `headers`, `cookies` |
//!
//! The method and path always come from the method (route) ARN, the one
//! field every event has, so the route table sees the same concrete path
//! (without the stage) whatever the event type.

use aws_lambda_events::apigw::{
    ApiGatewayCustomAuthorizerRequest, ApiGatewayCustomAuthorizerRequestTypeRequest,
    ApiGatewayV2CustomAuthorizerV1Request, ApiGatewayV2CustomAuthorizerV2Request,
};
use aws_lambda_events::http::HeaderMap;
use serde_json::Value;

/// Which event API Gateway sent, hence which answer it expects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EventKind {
    /// REST API, `TOKEN` authorizer: IAM policy out.
    RestToken,
    /// REST API, `REQUEST` authorizer: IAM policy out.
    RestRequest,
    /// HTTP API, payload format 1.0: IAM policy out.
    HttpV1,
    /// HTTP API, payload format 2.0: IAM policy, or the simple response when enabled.
    HttpV2,
}

/// An event that is not one of the four authorizer events.
#[derive(Debug, thiserror::Error)]
pub enum EventError {
    /// Neither `type: TOKEN`, `type: REQUEST`, nor `version` 1.0 / 2.0.
    #[error("not an API Gateway authorizer event (type {kind:?}, version {version:?})")]
    Unknown {
        /// The `type` member, if any.
        kind: Option<String>,
        /// The `version` member, if any.
        version: Option<String>,
    },
    /// The event does not have the shape of its type.
    #[error("malformed {kind:?} event: {source}")]
    Shape {
        /// The event type it claimed to be.
        kind: EventKind,
        /// What serde found.
        source: serde_json::Error,
    },
    /// No method (route) ARN, or one not of the form
    /// `arn:<partition>:execute-api:<region>:<account>:<api>/<stage>/<verb>/<path>`.
    #[error("missing or malformed method ARN {0:?}")]
    Arn(Option<String>),
}

/// A method ARN (`methodArn`, `routeArn`) taken apart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MethodArn {
    full: String,
    /// `arn:<partition>:execute-api:<region>:<account>:<api>/<stage>`
    stage_prefix_len: usize,
    verb_start: usize,
    path_start: usize,
}

impl MethodArn {
    /// Parses `arn:aws:execute-api:us-east-1:123456789012:api/stage/GET/a/b`.
    pub fn parse(arn: &str) -> Option<MethodArn> {
        let mut fields = arn.splitn(6, ':');
        let (Some("arn"), Some(_), Some("execute-api"), Some(_), Some(_), Some(resource)) = (
            fields.next(),
            fields.next(),
            fields.next(),
            fields.next(),
            fields.next(),
            fields.next(),
        ) else {
            return None;
        };
        let resource_start = arn.len() - resource.len();
        let mut parts = resource.splitn(3, '/');
        let (Some(api), Some(stage), Some(rest)) = (parts.next(), parts.next(), parts.next())
        else {
            return None;
        };
        if api.is_empty() || stage.is_empty() {
            return None;
        }
        let stage_prefix_len = resource_start + api.len() + 1 + stage.len();
        let verb_len = rest.find('/').unwrap_or(rest.len());
        let verb_start = stage_prefix_len + 1;
        Some(MethodArn {
            full: arn.to_owned(),
            stage_prefix_len,
            verb_start,
            path_start: verb_start + verb_len,
        })
    }

    /// The whole ARN, as API Gateway sent it.
    pub fn as_str(&self) -> &str {
        &self.full
    }

    /// The HTTP verb (`GET`, ...), or what stands in its place (e.g. `$default`).
    pub fn verb(&self) -> &str {
        &self.full[self.verb_start..self.path_start]
    }

    /// The resource path, `/` when empty.
    pub fn path(&self) -> &str {
        match &self.full[self.path_start..] {
            "" => "/",
            path => path,
        }
    }

    /// Every method and path of the same API and stage:
    /// `arn:...:<api>/<stage>/*/*`.
    pub fn any_method(&self) -> String {
        format!("{}/*/*", &self.full[..self.stage_prefix_len])
    }
}

/// An authorizer event, reduced to what a decision needs.
#[derive(Debug, Clone)]
pub struct Incoming {
    /// Which event it was.
    pub kind: EventKind,
    /// The method (route) ARN: verb, path and the resource of the policy.
    pub arn: MethodArn,
    /// REST `TOKEN`: the token header's value, unchanged.
    authorization_token: Option<String>,
    headers: HeaderMap,
    /// HTTP API 2.0 cookies, joined into one `Cookie` value.
    cookie: Option<String>,
}

fn shape<T: serde::de::DeserializeOwned>(kind: EventKind, event: Value) -> Result<T, EventError> {
    serde_json::from_value(event).map_err(|source| EventError::Shape { kind, source })
}

fn arn(value: Option<String>) -> Result<MethodArn, EventError> {
    value
        .as_deref()
        .and_then(MethodArn::parse)
        .ok_or(EventError::Arn(value))
}

impl Incoming {
    /// Reads any of the four events (see the [module docs](self)).
    pub fn parse(event: Value) -> Result<Incoming, EventError> {
        let text = |name: &str| event.get(name).and_then(Value::as_str).map(str::to_owned);
        let (kind, version) = (text("type"), text("version"));
        match (kind.as_deref(), version.as_deref()) {
            (Some("TOKEN"), _) => {
                let e: ApiGatewayCustomAuthorizerRequest = shape(EventKind::RestToken, event)?;
                Ok(Incoming {
                    kind: EventKind::RestToken,
                    arn: arn(e.method_arn)?,
                    authorization_token: e.authorization_token,
                    headers: HeaderMap::new(),
                    cookie: None,
                })
            }
            (Some("REQUEST"), None) => {
                let e: ApiGatewayCustomAuthorizerRequestTypeRequest =
                    shape(EventKind::RestRequest, event)?;
                // multiValueHeaders keeps repeated headers apart; a repeated
                // token header must be seen to be refused.
                let headers = if e.multi_value_headers.is_empty() {
                    e.headers
                } else {
                    e.multi_value_headers
                };
                Ok(Incoming {
                    kind: EventKind::RestRequest,
                    arn: arn(e.method_arn)?,
                    authorization_token: None,
                    headers,
                    cookie: None,
                })
            }
            (Some("REQUEST"), Some("1.0")) => {
                let e: ApiGatewayV2CustomAuthorizerV1Request = shape(EventKind::HttpV1, event)?;
                Ok(Incoming {
                    kind: EventKind::HttpV1,
                    arn: arn(e.method_arn)?,
                    authorization_token: None,
                    headers: e.headers,
                    cookie: None,
                })
            }
            (Some("REQUEST"), Some("2.0")) => {
                let e: ApiGatewayV2CustomAuthorizerV2Request = shape(EventKind::HttpV2, event)?;
                let cookie = (!e.cookies.is_empty()).then(|| e.cookies.join("; "));
                Ok(Incoming {
                    kind: EventKind::HttpV2,
                    arn: arn(e.route_arn)?,
                    authorization_token: None,
                    headers: e.headers,
                    cookie,
                })
            }
            _ => Err(EventError::Unknown { kind, version }),
        }
    }

    /// Every value of token header `name` (lower-case); for a `TOKEN` event
    /// the one `authorizationToken`, whatever header API Gateway read it from.
    pub fn header_values<'a>(&'a self, name: &str) -> Vec<&'a [u8]> {
        if self.kind == EventKind::RestToken {
            return self
                .authorization_token
                .iter()
                .map(|t| t.as_bytes())
                .collect();
        }
        self.headers
            .get_all(name)
            .iter()
            .map(|v| v.as_bytes())
            .collect()
    }

    /// Every `Cookie` value: the header's, or HTTP API 2.0's `cookies` joined.
    pub fn cookie_values(&self) -> Vec<&[u8]> {
        let mut values: Vec<&[u8]> = self
            .headers
            .get_all("cookie")
            .iter()
            .map(|v| v.as_bytes())
            .collect();
        values.extend(self.cookie.as_deref().map(str::as_bytes));
        values
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arns_are_taken_apart() {
        let a = MethodArn::parse(
            "arn:aws:execute-api:us-east-1:123456789012:abc/prod/GET/users/u1/files",
        )
        .unwrap();
        assert_eq!(a.verb(), "GET");
        assert_eq!(a.path(), "/users/u1/files");
        assert_eq!(
            a.any_method(),
            "arn:aws:execute-api:us-east-1:123456789012:abc/prod/*/*"
        );
        let root = MethodArn::parse("arn:aws:execute-api:us-west-2:123456789012:ymy8tbxw7b/*/GET/")
            .unwrap();
        assert_eq!((root.verb(), root.path()), ("GET", "/"));
        let default =
            MethodArn::parse("arn:aws:execute-api:eu-west-1:1:api/$default/$default").unwrap();
        assert_eq!((default.verb(), default.path()), ("$default", "/"));
        for bad in [
            "",
            "arn:aws:s3:::bucket",
            "arn:aws:execute-api:r:a:api",
            "arn:aws:execute-api:r:a:/s/GET/",
        ] {
            assert!(MethodArn::parse(bad).is_none(), "{bad}");
        }
    }
}
