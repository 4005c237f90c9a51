//! How a hosted-UI page request runs: the query and cookies read
//! ([`Visit`]), for a POST the form and its CSRF token, then the authorize
//! request validated and the page's work done on the blocking pool. A
//! request refused at any step runs nothing.

use axum::body::Body;
use axum::http::{HeaderMap, Uri};
use axum::response::{IntoResponse, Response};

use super::{Fields, Out, Visit, read_form};
use crate::error::Result;
use crate::http::{AppState, blocking};
use crate::issuer::Issuer;
use crate::oauth::authorize::AuthorizeRequest;

/// Runs `page` for a GET of a hosted-UI page (query validated first).
pub(super) async fn get_page(
    state: AppState,
    uri: Uri,
    headers: HeaderMap,
    page: fn(&Visit, &AuthorizeRequest) -> Result<Out>,
) -> Response {
    let visit = match Visit::new(&state, &uri, &headers) {
        Ok(v) => v,
        Err(r) => return r.into_response(),
    };
    let v = visit.clone();
    let out = blocking(&state, move |issuer| match v.authorize(issuer) {
        Ok(req) => page(&v, &req),
        Err(out) => Ok(out),
    })
    .await;
    visit.respond(out)
}

/// Runs `action` for a form POST of the hosted UI (query, form and CSRF
/// checked first; nothing runs for a refused request).
pub(super) async fn post_form(
    state: AppState,
    uri: Uri,
    headers: HeaderMap,
    body: Body,
    action: fn(&Issuer, &Visit, &AuthorizeRequest, &Fields) -> Result<Out>,
) -> Response {
    let visit = match Visit::new(&state, &uri, &headers) {
        Ok(v) => v,
        Err(r) => return r.into_response(),
    };
    let fields = match read_form(&visit, &headers, body).await {
        Ok(f) => f,
        Err(r) => return r.into_response(),
    };
    let v = visit.clone();
    let out = blocking(&state, move |issuer| match v.authorize(issuer) {
        Ok(req) => action(issuer, &v, &req, &fields),
        Err(out) => Ok(out),
    })
    .await;
    visit.respond(out)
}
