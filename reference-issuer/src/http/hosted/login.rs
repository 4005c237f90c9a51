//! `/login` (the sign-in form) and what follows a sign-in step: a session
//! and the grant's redirect, or the page of the next challenge
//! ([`super::challenge`], answered at `POST /challenge`).
//!
//! A user who has not confirmed their sign-up is shown the confirmation
//! page; one whose reset an administrator required gets a reset code and
//! the reset page, as Cognito's hosted UI does.
//!
//! Refusals of the domain (wrong password, lockout, disabled user...) are
//! shown in `#error` with the domain's message, Cognito's wording, on the
//! same page re-rendered with status 200 (the request was well formed);
//! malformed requests get the error page (400) and CSRF failures 403.

use askama::Template;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::Response;

use super::run::{get_page, post_form};
use super::{Chrome, Fields, Out, Visit, form_action, refused, render, session_cookie};
use crate::error::{Error, ErrorKind, Result};
use crate::http::AppState;
use crate::issuer::Issuer;
use crate::oauth::authorize::{AuthorizeRequest, grant};
use crate::oauth::hosted_session;
use crate::signin::{self, Outcome, SignedIn};

#[derive(Template)]
#[template(path = "hosted/login.html")]
struct LoginPage {
    c: Chrome,
    username: String,
    username_label: &'static str,
}

/// What the pool signs in with (`UsernameAttributes`).
fn username_label(attrs: &[String]) -> &'static str {
    let has = |a: &str| attrs.iter().any(|x| x == a);
    match (has("email"), has("phone_number")) {
        (true, true) => "Email or phone number",
        (true, false) => "Email",
        (false, true) => "Phone number",
        (false, false) => "Username",
    }
}

/// The login page for `req`, with `username` filled in.
pub(super) fn page(
    v: &Visit,
    req: &AuthorizeRequest,
    username: &str,
    error: Option<String>,
    info: Option<String>,
) -> Result<Out> {
    let mut c = v.chrome("login", "Sign in", &req.ctx.client);
    c.error = error;
    c.info = info;
    let html = render(&LoginPage {
        c,
        username: username.to_string(),
        username_label: username_label(&req.ctx.pool.username_attributes),
    })?;
    Ok(Out::page(
        StatusCode::OK,
        html,
        form_action(&req.ctx.client),
    ))
}

/// `GET /login`.
pub(super) async fn show(State(state): State<AppState>, uri: Uri, headers: HeaderMap) -> Response {
    get_page(state, uri, headers, |v, req| {
        let hint = req.login_hint.clone().unwrap_or_default();
        page(v, req, &hint, None, None)
    })
    .await
}

/// `POST /login`: `signin::hosted::sign_in` with the form's username and
/// password.
pub(super) async fn submit(
    State(state): State<AppState>,
    uri: Uri,
    headers: HeaderMap,
    body: Body,
) -> Response {
    post_form(state, uri, headers, body, sign_in).await
}

fn sign_in(issuer: &Issuer, v: &Visit, req: &AuthorizeRequest, fields: &Fields) -> Result<Out> {
    let username = fields.get("username");
    match signin::hosted::sign_in(issuer, &req.ctx, username, fields.get("password")) {
        Ok(outcome) => proceed(issuer, v, req, outcome),
        Err(e) if e.is_internal() => Err(e),
        Err(e) if e.kind == ErrorKind::UserNotConfirmed => {
            super::signup::confirm_page(v, req, username, Some(e.message), None)
        }
        Err(e) if e.kind == ErrorKind::PasswordResetRequired => {
            match super::forgot::send_reset_code(issuer, v, req, username) {
                Err(sent) if !sent.is_internal() => page(v, req, username, Some(e.message), None),
                other => other,
            }
        }
        Err(e) => page(v, req, username, Some(e.message), None),
    }
}

/// What a sign-in step leads to: signed in (session + grant), or the next
/// challenge's page.
pub(super) fn proceed(
    issuer: &Issuer,
    v: &Visit,
    req: &AuthorizeRequest,
    outcome: Outcome,
) -> Result<Out> {
    match outcome {
        Outcome::SignedIn(who) => signed_in(issuer, v, req, &who),
        Outcome::Challenge(ch) => super::challenge::first_page(issuer, v, req, ch),
        Outcome::Tokens(_) | Outcome::SelectChallenge { .. } => Err(Error::internal(
            "a hosted sign-in ended outside the hosted UI's outcomes",
        )),
    }
}

/// Opens the hosted-UI session of `who`, sets its cookie and redirects
/// with the grant.
fn signed_in(issuer: &Issuer, v: &Visit, req: &AuthorizeRequest, who: &SignedIn) -> Result<Out> {
    let value = hosted_session::open(issuer, who)?;
    let cookie = session_cookie::set(&who.pool_id, &value, v.secure);
    let out = match grant(issuer, req, who) {
        Ok(location) => Out::redirect(location, form_action(&req.ctx.client)),
        Err(e) => refused(e),
    };
    Ok(out.with_cookie(cookie))
}

/// `POST /challenge`.
pub(super) async fn challenge(
    State(state): State<AppState>,
    uri: Uri,
    headers: HeaderMap,
    body: Body,
) -> Response {
    post_form(state, uri, headers, body, super::challenge::answer).await
}
