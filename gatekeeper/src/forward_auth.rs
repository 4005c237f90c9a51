//! The forward-auth endpoint for nginx `auth_request`, Traefik
//! `ForwardAuth` and Caddy `forward_auth`: the original method and URI come
//! from `X-Original-Method` / `X-Original-URI` (nginx, set in its config) or
//! `X-Forwarded-Method` / `X-Forwarded-Uri` (Traefik, Caddy); the answer is
//! 200 with the mapped identity headers, or the preset's refusal.
//!
//! nginx's `auth_request` treats 2xx as allowed, 401 and 403 as refusals,
//! and any other status as an error (ngx_http_auth_request_module docs), so
//! a request no route matches is refused with 403 here whatever status the
//! preset would give.

use cognito_verifier::gate::{HeaderOp, Rejection};
use http::header::HeaderValue;
use http::{HeaderMap, Response, StatusCode};

use crate::admit::{self, Verdict};
use crate::metrics::Metrics;
use crate::proxy::full;
use crate::runtime::Runtime;
use crate::server::{Body, rejection_response};

fn single<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    let mut values = headers.get_all(name).into_iter();
    let first = values.next()?;
    values
        .next()
        .is_none()
        .then(|| first.to_str().ok())
        .flatten()
}

/// Answers one forward-auth subrequest.
pub async fn check(rt: &Runtime, metrics: &Metrics, headers: &HeaderMap) -> Response<Body> {
    let method =
        single(headers, "x-original-method").or_else(|| single(headers, "x-forwarded-method"));
    let uri = single(headers, "x-original-uri").or_else(|| single(headers, "x-forwarded-uri"));
    let (Some(method), Some(uri)) = (method, uri) else {
        let mut rejection = rt.default_preset.route_not_found();
        rejection.status = 403;
        tracing::warn!(
            "forward-auth request without X-Original-Method/-URI or X-Forwarded-Method/-Uri"
        );
        return rejection_response(rejection);
    };
    // Some proxies send an absolute URI; the routes match on the path.
    let target = uri
        .strip_prefix("http://")
        .or_else(|| uri.strip_prefix("https://"))
        .map_or(uri, |rest| rest.find('/').map_or("/", |i| &rest[i..]));
    match admit::decide(rt, metrics, method, target, headers).await {
        Verdict::Admit {
            ops,
            response_headers,
            ..
        } => {
            let mut response = Response::new(full(""));
            let out = response.headers_mut();
            for op in &ops {
                if let HeaderOp::Set(name, value) | HeaderOp::Append(name, value) = op
                    && let (Ok(name), Ok(value)) = (
                        http::HeaderName::from_bytes(name.as_bytes()),
                        HeaderValue::from_str(value),
                    )
                {
                    out.append(name, value);
                }
            }
            for (name, value) in response_headers {
                if let Ok(value) = HeaderValue::from_str(&value) {
                    out.append(name, value);
                }
            }
            response
        }
        Verdict::Refuse(rejection) => rejection_response(for_subrequest(rejection)),
    }
}

fn for_subrequest(mut rejection: Rejection) -> Rejection {
    if rejection.status != 401 && rejection.status != 403 && rejection.status != 503 {
        rejection.status = StatusCode::FORBIDDEN.as_u16();
    }
    rejection
}
