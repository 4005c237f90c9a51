//! The hosted UI's customization assets: `GET /hosted-ui/{pool}/{client}/custom.css`
//! (always 200 `text/css`, empty without a customization) and
//! `GET /hosted-ui/{pool}/{client}/logo` (the image, or 404). `{client}`
//! may be `ALL` (the pool's default). Served as their own files, so CSS
//! never shares a context with HTML; CORS is not opened on them.

use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::errors::{api_error, not_found_json};
use super::{AppState, blocking};
use crate::directory::ui_customization;

/// How long browsers may reuse an asset (the pages link them with `?v=`).
const CACHE: &str = "public, max-age=60";

fn asset(content_type: &'static str, body: Vec<u8>) -> Response {
    let mut res = (StatusCode::OK, body).into_response();
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static(CACHE));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'"),
    );
    res
}

/// `GET /hosted-ui/{pool}/{client}/custom.css`.
pub(super) async fn custom_css(
    State(state): State<AppState>,
    Path((pool_id, client_id)): Path<(String, String)>,
) -> Response {
    match blocking(&state, move |issuer| {
        ui_customization::effective(issuer, &pool_id, &client_id)
    })
    .await
    {
        Ok(look) => asset(
            "text/css; charset=utf-8",
            look.map(|l| l.css.into_bytes()).unwrap_or_default(),
        ),
        Err(e) => api_error(e),
    }
}

/// `GET /hosted-ui/{pool}/{client}/logo`.
pub(super) async fn logo(
    State(state): State<AppState>,
    Path((pool_id, client_id)): Path<(String, String)>,
) -> Response {
    match blocking(&state, move |issuer| {
        ui_customization::effective(issuer, &pool_id, &client_id)
    })
    .await
    {
        Ok(Some(ui_customization::UiLook {
            logo: Some(logo), ..
        })) => asset(logo.content_type, logo.bytes),
        Ok(_) => not_found_json("No logo".into()),
        Err(e) => api_error(e),
    }
}
