//! `GET /oauth2/authorize` and `GET /logout`.
//!
//! Authorize: the query is validated by `oauth::authorize::validate` (an
//! unknown client or unregistered redirect URI is the error page, never a
//! redirect); a valid session of the client's pool answers at once (unless
//! `prompt=login`); `prompt=none` without one redirects `login_required`;
//! otherwise the browser goes to `/login` with the same query.
//!
//! Logout: the session of the client's pool is closed and its cookie
//! expired, then `logout_uri` (exactly one of the client's LogoutURLs), or
//! `/login` with the query when `redirect_uri` + `response_type` are given
//! (validated like an authorize request), or the signed-out page when
//! neither is. An unknown client closes nothing (its pool is unknown) and
//! shows the error page; a known client with an unregistered URI still
//! closes the session (the user asked to sign out) but never redirects.

use askama::Template;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};

use super::{Chrome, Out, Visit, error_page, form_action, refused, render, session_cookie};
use crate::error::Result;
use crate::http::{AppState, blocking};
use crate::issuer::Issuer;
use crate::oauth::authorize::{Prompt, grant};
use crate::oauth::hosted_session;

/// `GET /oauth2/authorize`.
pub(super) async fn authorize(
    State(state): State<AppState>,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let visit = match Visit::new(&state, &uri, &headers) {
        Ok(v) => v,
        Err(r) => return r.into_response(),
    };
    let v = visit.clone();
    let out = blocking(&state, move |issuer| decide(issuer, &v)).await;
    visit.respond(out)
}

fn decide(issuer: &Issuer, v: &Visit) -> Result<Out> {
    let req = match v.authorize(issuer) {
        Ok(r) => r,
        Err(out) => return Ok(out),
    };
    let fa = form_action(&req.ctx.client);
    let to_login = || Ok(Out::redirect(format!("/login?{}", v.q), fa.clone()));
    if req.prompt == Some(Prompt::Login) {
        return to_login();
    }
    let who = match session_cookie::value(v, &req.ctx.pool.id) {
        Some(value) => hosted_session::find(issuer, &req.ctx.pool.id, value)?,
        None => None,
    };
    match (who, req.prompt) {
        (Some(who), _) => Ok(match grant(issuer, &req, &who) {
            Ok(location) => Out::redirect(location, fa),
            Err(e) => refused(e),
        }),
        (None, Some(Prompt::None)) => Ok(refused(req.error("login_required", None))),
        (None, _) => to_login(),
    }
}

#[derive(Template)]
#[template(path = "hosted/signed_out.html")]
struct SignedOutPage {
    c: Chrome,
}

/// `GET /logout`.
pub(super) async fn logout(
    State(state): State<AppState>,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let visit = match Visit::new(&state, &uri, &headers) {
        Ok(v) => v,
        Err(r) => return r.into_response(),
    };
    let v = visit.clone();
    let out = blocking(&state, move |issuer| sign_out(issuer, &v)).await;
    visit.respond(out)
}

fn sign_out(issuer: &Issuer, v: &Visit) -> Result<Out> {
    let client_id = v.params.client_id.as_deref().unwrap_or_default();
    let client = match issuer.client(client_id) {
        Ok(c) => c,
        Err(e) if e.is_internal() => return Err(e),
        Err(_) => {
            return Ok(error_page::out(
                StatusCode::BAD_REQUEST,
                "Invalid client_id.",
            ));
        }
    };
    let pool_id = client.user_pool_id.clone();
    if let Some(value) = session_cookie::value(v, &pool_id) {
        hosted_session::close(issuer, &pool_id, value)?;
    }
    let expired = session_cookie::expire(&pool_id, v.secure);
    let fa = form_action(&client);
    let out = if let Some(logout_uri) = v.query.get("logout_uri") {
        if client.logout_urls.iter().flatten().any(|u| u == logout_uri) {
            Out::redirect(logout_uri.clone(), fa)
        } else {
            error_page::out(
                StatusCode::BAD_REQUEST,
                "The logout_uri is not one of the client's sign-out URLs.",
            )
        }
    } else if v.params.redirect_uri.is_some() || v.params.response_type.is_some() {
        match v.authorize(issuer) {
            Ok(_) => Out::redirect(format!("/login?{}", v.q), fa),
            Err(out) => out,
        }
    } else {
        let mut c = v.chrome("signed-out", "Signed out", &client);
        c.info = Some("You have been signed out.".into());
        Out::page(StatusCode::OK, render(&SignedOutPage { c })?, fa)
    };
    Ok(out.with_cookie(expired))
}
