//! Errors on the wire: the JSON API's `x-amz-json-1.1` errors, the plain
//! JSON `{"message"}` of the well-known and admin endpoints, and RFC 6749
//! errors of `/oauth2/*`.

use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use crate::api::ApiError;
use crate::error::Error;
use crate::oauth::OAuthError;

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::BAD_REQUEST);
        let mut resp = (status, self.body().to_string()).into_response();
        let headers = resp.headers_mut();
        headers.insert(
            "content-type",
            HeaderValue::from_static("application/x-amz-json-1.1"),
        );
        headers.insert("x-amzn-ErrorType", HeaderValue::from_static(self.type_name));
        resp
    }
}

/// A JSON API error response for a domain error.
pub(crate) fn api_error(e: Error) -> Response {
    ApiError::from(e).into_response()
}

/// A JSON response with `content_type`.
pub(crate) fn json_response(
    status: StatusCode,
    body: Value,
    content_type: &'static str,
) -> Response {
    let mut resp = (status, body.to_string()).into_response();
    resp.headers_mut()
        .insert("content-type", HeaderValue::from_static(content_type));
    resp
}

/// `404 {"message": ...}` (unknown pool, unknown route).
pub(crate) fn not_found_json(message: String) -> Response {
    json_response(
        StatusCode::NOT_FOUND,
        json!({ "message": message }),
        "application/json",
    )
}

/// An RFC 6749 error response (401 with `WWW-Authenticate` for userInfo).
pub(crate) fn oauth_error(e: &OAuthError, status: StatusCode) -> Response {
    let mut body = json!({ "error": e.kind.code() });
    if let Some(d) = &e.description {
        body["error_description"] = Value::from(d.clone());
    }
    let mut resp = (status, body.to_string()).into_response();
    resp.headers_mut().insert(
        "content-type",
        HeaderValue::from_static("application/json;charset=UTF-8"),
    );
    if status == StatusCode::UNAUTHORIZED
        && let Ok(v) = HeaderValue::from_str(&format!(
            "Bearer error=\"{}\", error_description=\"{}\"",
            e.kind.code(),
            e.description.as_deref().unwrap_or_default()
        ))
    {
        resp.headers_mut().insert("www-authenticate", v);
    }
    resp
}
