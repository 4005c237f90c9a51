//! `POST /`: the Cognito JSON API (`X-Amz-Target` names the operation).
//!
//! Before anything reaches [`api::dispatch`] (and so the store): the body
//! must fit [`MAX_BODY`](super::MAX_BODY), the `Content-Type` must be a JSON
//! one, and an IAM-authorized operation must carry a valid SigV4 signature
//! when access keys are configured.

use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};

use super::errors::json_response;
use super::{AppState, Management, blocking};
use crate::api::{self, Access, ApiError};
use crate::ids;

/// The content types the JSON API accepts: AWS's `awsJson` ones, and plain
/// `application/json` for hand-written clients.
const CONTENT_TYPES: [&str; 3] = [
    "application/x-amz-json-1.1",
    "application/x-amz-json-1.0",
    "application/json",
];

/// Runs the operation and answers as Cognito does: the output as
/// `application/x-amz-json-1.1`, or the AWS-shaped error, with an
/// `x-amzn-RequestId`.
pub(super) async fn handle(
    State(state): State<AppState>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
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
    let result = match admit(&state, &method, &uri, &headers, target.as_deref(), body) {
        Err(e) => Err(e),
        Ok(body) => blocking(&state, move |issuer| {
            api::dispatch(issuer, target.as_deref(), &body)
        })
        .await
        .map_err(ApiError::from),
    };
    let mut resp = match result {
        Ok(v) => {
            tracing::debug!(op = %op, "ok");
            json_response(StatusCode::OK, v, "application/x-amz-json-1.1")
        }
        Err(e) => {
            tracing::debug!(op = %op, error = %e.type_name, "error");
            e.into_response()
        }
    };
    if let Ok(v) = HeaderValue::from_str(&ids::uuid()) {
        resp.headers_mut().insert("x-amzn-RequestId", v);
    }
    if resp.status() == StatusCode::PAYLOAD_TOO_LARGE {
        // The rest of the body is never read: the connection cannot be reused.
        resp.headers_mut()
            .insert("connection", HeaderValue::from_static("close"));
    }
    resp
}

/// The checks that run before dispatch: body size, content type, SigV4.
fn admit(
    state: &AppState,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    target: Option<&str>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Bytes, ApiError> {
    let body = body.map_err(|rejection| {
        let too_large = rejection.status() == StatusCode::PAYLOAD_TOO_LARGE;
        edge_error(
            "SerializationException",
            if too_large {
                format!(
                    "Request body exceeds the maximum size of {} bytes",
                    super::MAX_BODY
                )
            } else {
                "Request body could not be read".into()
            },
            if too_large { 413 } else { 400 },
        )
    })?;
    let content_type = headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .map(|v| {
            v.split(';')
                .next()
                .unwrap_or_default()
                .trim()
                .to_ascii_lowercase()
        });
    if !content_type
        .as_deref()
        .is_some_and(|ct| CONTENT_TYPES.contains(&ct))
    {
        return Err(edge_error(
            "UnknownOperationException",
            "The request's Content-Type must be application/x-amz-json-1.1".into(),
            400,
        ));
    }
    if let (Some(Access::Iam), Management::SigV4(verifier)) =
        (api::access_of(target), state.management.as_ref())
    {
        verifier
            .verify(method, uri, headers, &body, time::OffsetDateTime::now_utc())
            .map_err(|refusal| {
                tracing::info!(reason = %refusal.type_name(), "management call refused");
                edge_error(refusal.type_name(), refusal.message(), 400)
            })?;
    }
    Ok(body)
}

fn edge_error(type_name: &'static str, message: String, status: u16) -> ApiError {
    ApiError {
        type_name,
        message,
        status,
    }
}
