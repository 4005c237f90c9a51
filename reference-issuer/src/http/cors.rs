//! CORS, for what browsers may call in AWS: the unauthenticated and
//! token-authorized JSON API operations, the OAuth2 endpoints, discovery,
//! JWKS and the revocation list. Never the SigV4-only (IAM) operations nor
//! `/_issuer/*`.
//!
//! * A preflight (`OPTIONS` with `Origin` and `Access-Control-Request-Method`)
//!   on one of those paths is answered here, before routing: `200` with
//!   `Access-Control-Allow-Origin`, the path's methods, the request headers
//!   the AWS SDKs and Amplify send (`content-type`, `authorization`,
//!   `cache-control`, `x-amz-*`, `amz-sdk-*`) and a max age. A preflight
//!   from an origin that is not allowed, or for another method, gets `403`
//!   without CORS headers.
//! * An actual request from an allowed origin gets `Access-Control-Allow-Origin`
//!   and `Access-Control-Expose-Headers` (`x-amzn-RequestId`,
//!   `x-amzn-ErrorType`, `x-amzn-ErrorMessage`, `Date`), errors included.
//! * A JSON API request naming an IAM operation that carries an `Origin`
//!   is refused (`403 AccessDeniedException`, no CORS headers) before it
//!   is dispatched: the preflight cannot see `X-Amz-Target`, so this is
//!   what keeps a web page from driving the management operations of an
//!   issuer whose management API is open on loopback.
//!
//! The allowed origins are configurable ([`CorsOrigins`]); the default is
//! any origin (`*`), as befits a local tool. Responses to a configured
//! list name the request's origin and carry `Vary: Origin`.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::api::{self, Access, ApiError};
use crate::error::IssuerError;

/// The browser origins the issuer answers CORS requests from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum CorsOrigins {
    /// Any origin (`Access-Control-Allow-Origin: *`); the default.
    #[default]
    Any,
    /// Only these origins (`scheme://host[:port]`, lower-cased, without a
    /// default port).
    Only(Vec<String>),
}

impl CorsOrigins {
    /// Parses a list of origins: empty or containing `*` means any origin;
    /// otherwise each must be `http(s)://host[:port]` without a path.
    pub fn parse<S: AsRef<str>>(values: &[S]) -> Result<Self, IssuerError> {
        if values.is_empty() || values.iter().any(|v| v.as_ref().trim() == "*") {
            return Ok(Self::Any);
        }
        values
            .iter()
            .map(|v| normalize(v.as_ref()))
            .collect::<Result<Vec<_>, _>>()
            .map(Self::Only)
    }

    fn allows(&self, origin: &str) -> bool {
        match self {
            Self::Any => true,
            Self::Only(list) => normalize(origin).is_ok_and(|o| list.contains(&o)),
        }
    }
}

/// `scheme://host[:port]` lower-cased, the scheme's default port dropped.
fn normalize(origin: &str) -> Result<String, IssuerError> {
    let bad = || {
        IssuerError::Config(format!(
            "CORS origin {origin:?} is not an origin (http(s)://host[:port], no path), nor *"
        ))
    };
    let origin = origin.trim().to_ascii_lowercase();
    let (scheme, authority) = origin.split_once("://").ok_or_else(bad)?;
    let default_port = match scheme {
        "http" => ":80",
        "https" => ":443",
        _ => return Err(bad()),
    };
    if authority.is_empty()
        || authority
            .chars()
            .any(|c| matches!(c, '/' | '?' | '#' | '@') || c.is_whitespace())
    {
        return Err(bad());
    }
    let authority = authority.strip_suffix(default_port).unwrap_or(authority);
    Ok(format!("{scheme}://{authority}"))
}

/// Which CORS rules a path falls under.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scope {
    /// `POST /`: the JSON API (IAM operations refused per request).
    JsonApi,
    /// Documents fetched with `GET`: JWKS, discovery, revocations.
    Documents,
    /// `/oauth2/token` and `/oauth2/revoke`.
    OAuthPost,
    /// `/oauth2/userInfo` (`GET` or `POST`).
    UserInfo,
}

impl Scope {
    fn of(path: &str) -> Option<Self> {
        match path {
            "/" => return Some(Self::JsonApi),
            "/oauth2/token" | "/oauth2/revoke" => return Some(Self::OAuthPost),
            "/oauth2/userInfo" | "/oauth2/userinfo" => return Some(Self::UserInfo),
            _ => {}
        }
        let rest = path.strip_prefix('/')?;
        let (pool, doc) = rest.split_once('/')?;
        let known = matches!(
            doc,
            ".well-known/jwks.json" | ".well-known/openid-configuration" | "revocations.json"
        );
        (!pool.is_empty() && !pool.starts_with('_') && known).then_some(Self::Documents)
    }

    fn methods(self) -> &'static str {
        match self {
            Self::JsonApi | Self::OAuthPost => "POST",
            Self::Documents => "GET, HEAD",
            Self::UserInfo => "GET, POST",
        }
    }

    fn allows_method(self, method: &str) -> bool {
        self.methods().split(", ").any(|m| m == method)
    }
}

/// Request headers a preflight may ask for: what the AWS SDKs (v2 and v3),
/// Amplify and OAuth libraries send.
fn allowed_request_header(name: &str) -> bool {
    matches!(
        name,
        "content-type" | "authorization" | "cache-control" | "x-amz-user-agent"
    ) || name.starts_with("x-amz-")
        || name.starts_with("amz-sdk-")
}

const EXPOSED: &str = "x-amzn-RequestId, x-amzn-ErrorType, x-amzn-ErrorMessage, Date";
const MAX_AGE: &str = "7200";

/// The middleware (runs after [`super::guard`]).
pub(crate) async fn cors(
    State(origins): State<Arc<CorsOrigins>>,
    request: Request,
    next: Next,
) -> Response {
    let Some(scope) = Scope::of(request.uri().path()) else {
        return next.run(request).await;
    };
    let headers = request.headers();
    let Some(origin) = headers.get("origin").cloned() else {
        return next.run(request).await;
    };
    if request.method() == Method::OPTIONS && headers.contains_key("access-control-request-method")
    {
        return preflight(&origins, scope, &origin, headers);
    }
    if scope == Scope::JsonApi {
        let target = headers.get("x-amz-target").and_then(|v| v.to_str().ok());
        if api::access_of(target) == Some(Access::Iam) {
            tracing::info!(target = ?target, "IAM operation from a browser origin refused");
            return ApiError {
                type_name: "AccessDeniedException",
                message: "IAM-authorized operations cannot be called from a browser origin".into(),
                status: 403,
            }
            .into_response();
        }
    }
    let allowed = origin.to_str().is_ok_and(|o| origins.allows(o));
    let mut response = next.run(request).await;
    if allowed {
        allow_origin(&origins, &origin, response.headers_mut());
        response.headers_mut().insert(
            "access-control-expose-headers",
            HeaderValue::from_static(EXPOSED),
        );
    } else if matches!(*origins, CorsOrigins::Only(_)) {
        response
            .headers_mut()
            .append("vary", HeaderValue::from_static("Origin"));
    }
    response
}

fn allow_origin(origins: &CorsOrigins, origin: &HeaderValue, headers: &mut HeaderMap) {
    match origins {
        CorsOrigins::Any => {
            headers.insert("access-control-allow-origin", HeaderValue::from_static("*"));
        }
        CorsOrigins::Only(_) => {
            headers.insert("access-control-allow-origin", origin.clone());
            headers.append("vary", HeaderValue::from_static("Origin"));
        }
    }
}

fn preflight(
    origins: &CorsOrigins,
    scope: Scope,
    origin: &HeaderValue,
    headers: &HeaderMap,
) -> Response {
    let refuse = |why: &'static str| {
        tracing::debug!(reason = why, "CORS preflight refused");
        let mut r = (StatusCode::FORBIDDEN, why).into_response();
        if matches!(origins, CorsOrigins::Only(_)) {
            r.headers_mut()
                .append("vary", HeaderValue::from_static("Origin"));
        }
        r
    };
    if !origin.to_str().is_ok_and(|o| origins.allows(o)) {
        return refuse("origin not allowed");
    }
    let method = headers
        .get("access-control-request-method")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if !scope.allows_method(method) {
        return refuse("method not allowed");
    }
    // Only the allowed names are echoed back; the browser then refuses a
    // request whose other headers were not granted.
    let requested: Vec<String> = headers
        .get_all("access-control-request-headers")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|h| h.trim().to_ascii_lowercase())
        .filter(|h| !h.is_empty() && allowed_request_header(h))
        .collect();
    let mut response = StatusCode::OK.into_response();
    let out = response.headers_mut();
    allow_origin(origins, origin, out);
    out.insert(
        "access-control-allow-methods",
        HeaderValue::from_static(scope.methods()),
    );
    if let Ok(v) = HeaderValue::from_str(&requested.join(", "))
        && !requested.is_empty()
    {
        out.insert("access-control-allow-headers", v);
    }
    out.insert("access-control-max-age", HeaderValue::from_static(MAX_AGE));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_parse_and_normalize() {
        assert_eq!(CorsOrigins::parse::<&str>(&[]).unwrap(), CorsOrigins::Any);
        assert_eq!(
            CorsOrigins::parse(&["https://a.example", "*"]).unwrap(),
            CorsOrigins::Any
        );
        let only =
            CorsOrigins::parse(&["HTTPS://App.Example:443", "http://localhost:3000"]).unwrap();
        assert_eq!(
            only,
            CorsOrigins::Only(vec![
                "https://app.example".into(),
                "http://localhost:3000".into()
            ])
        );
        assert!(only.allows("https://app.example"));
        assert!(only.allows("https://APP.example:443"));
        assert!(!only.allows("https://app.example:8443"));
        assert!(!only.allows("null"));
        for bad in [
            "app.example",
            "ftp://a",
            "https://a/path",
            "https://",
            "https://u@a",
        ] {
            assert!(CorsOrigins::parse(&[bad]).is_err(), "{bad}");
        }
    }

    #[test]
    fn only_browser_facing_paths_have_cors() {
        assert_eq!(Scope::of("/"), Some(Scope::JsonApi));
        assert_eq!(Scope::of("/oauth2/token"), Some(Scope::OAuthPost));
        assert_eq!(Scope::of("/oauth2/userInfo"), Some(Scope::UserInfo));
        assert_eq!(
            Scope::of("/us-east-1_abc/.well-known/jwks.json"),
            Some(Scope::Documents)
        );
        assert_eq!(Scope::of("/_issuer/health"), None);
        assert_eq!(Scope::of("/_issuer/revocations.json"), None);
        assert_eq!(Scope::of("/_issuer/outbox"), None);
        assert_eq!(Scope::of("/a/b/.well-known/jwks.json"), None);
    }
}
