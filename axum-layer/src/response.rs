//! Turning the core's framework-free [`Rejection`] into an HTTP response.

use axum::body::Body;
use axum::response::{IntoResponse, Response};
use cognito_verifier::gate::Rejection;
use http::{HeaderName, HeaderValue, StatusCode};

/// A [`Rejection`] as an axum response; status, headers and body byte for
/// byte as the core renders them.
#[derive(Debug, Clone)]
pub struct RejectionResponse(pub Rejection);

impl IntoResponse for RejectionResponse {
    fn into_response(self) -> Response {
        to_response(self.0)
    }
}

pub(crate) fn to_response(rejection: Rejection) -> Response {
    let mut response = Response::new(Body::from(match rejection.body {
        std::borrow::Cow::Borrowed(s) => bytes::Bytes::from_static(s.as_bytes()),
        std::borrow::Cow::Owned(s) => bytes::Bytes::from(s),
    }));
    *response.status_mut() =
        StatusCode::from_u16(rejection.status).unwrap_or(StatusCode::UNAUTHORIZED);
    let headers = response.headers_mut();
    for (name, value) in rejection.headers {
        if let Ok(value) = HeaderValue::from_str(&value) {
            headers.append(HeaderName::from_static(name), value);
        }
    }
    response
}
