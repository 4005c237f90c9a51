//! `POST /`: the Cognito JSON API (`X-Amz-Target` names the operation).

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use super::errors::json_response;
use super::{AppState, blocking};
use crate::api::{self, ApiError};
use crate::ids;

/// Runs the operation and answers as Cognito does: the output as
/// `application/x-amz-json-1.1`, or the AWS-shaped error, with an
/// `x-amzn-RequestId`.
pub(super) async fn handle(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let target = headers
        .get("x-amz-target")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let op = target
        .as_deref()
        .and_then(|t| t.strip_prefix(api::TARGET_PREFIX))
        .unwrap_or("-")
        .to_string();
    let result = blocking(&state, move |issuer| {
        api::dispatch(issuer, target.as_deref(), &body)
    })
    .await;
    let mut resp = match result {
        Ok(v) => {
            tracing::debug!(op = %op, "ok");
            json_response(StatusCode::OK, v, "application/x-amz-json-1.1")
        }
        Err(e) => {
            let e = ApiError::from(e);
            tracing::debug!(op = %op, error = %e.type_name, "error");
            e.into_response()
        }
    };
    if let Ok(v) = HeaderValue::from_str(&ids::uuid()) {
        resp.headers_mut().insert("x-amzn-RequestId", v);
    }
    resp
}
