//! `/forgotPassword` and `/confirmForgotPassword`: `directory::users`
//! ForgotPassword (a code to the user's verified contact, or the same
//! answer for unknown names when the client hides user existence) and
//! ConfirmForgotPassword (code + new password, the pool's policy), then
//! back to the login page with an info message.

use askama::Template;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::Response;

use super::run::{get_page, post_form};
use super::signup::sent_to;
use super::{Chrome, Fields, Out, Visit, form_action, render};
use crate::directory::users;
use crate::error::Result;
use crate::http::AppState;
use crate::issuer::Issuer;
use crate::oauth::authorize::AuthorizeRequest;

#[derive(Template)]
#[template(path = "hosted/forgot.html")]
struct ForgotPage {
    c: Chrome,
    username: String,
}

#[derive(Template)]
#[template(path = "hosted/confirm_forgot.html")]
struct ConfirmForgotPage {
    c: Chrome,
    username: String,
}

fn forgot_page(
    v: &Visit,
    req: &AuthorizeRequest,
    username: &str,
    error: Option<String>,
) -> Result<Out> {
    let mut c = v.chrome("forgot-password", "Forgot your password?", &req.ctx.client);
    c.error = error;
    let html = render(&ForgotPage {
        c,
        username: username.to_string(),
    })?;
    Ok(Out::page(
        StatusCode::OK,
        html,
        form_action(&req.ctx.client),
    ))
}

fn confirm_page(
    v: &Visit,
    req: &AuthorizeRequest,
    username: &str,
    error: Option<String>,
    info: Option<String>,
) -> Result<Out> {
    let mut c = v.chrome(
        "confirm-forgot-password",
        "Reset your password",
        &req.ctx.client,
    );
    c.error = error;
    c.info = info;
    let html = render(&ConfirmForgotPage {
        c,
        username: username.to_string(),
    })?;
    Ok(Out::page(
        StatusCode::OK,
        html,
        form_action(&req.ctx.client),
    ))
}

/// `GET /forgotPassword`.
pub(super) async fn show(State(state): State<AppState>, uri: Uri, headers: HeaderMap) -> Response {
    get_page(state, uri, headers, |v, req| {
        forgot_page(v, req, v.query_value("username"), None)
    })
    .await
}

/// `GET /confirmForgotPassword`.
pub(super) async fn show_confirm(
    State(state): State<AppState>,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    get_page(state, uri, headers, |v, req| {
        confirm_page(v, req, v.query_value("username"), None, None)
    })
    .await
}

/// `POST /forgotPassword`: ForgotPassword, then the reset page.
pub(super) async fn submit(
    State(state): State<AppState>,
    uri: Uri,
    headers: HeaderMap,
    body: Body,
) -> Response {
    post_form(state, uri, headers, body, forgot).await
}

fn forgot(issuer: &Issuer, v: &Visit, req: &AuthorizeRequest, f: &Fields) -> Result<Out> {
    let username = f.get("username");
    match send_reset_code(issuer, v, req, username) {
        Err(e) if !e.is_internal() => forgot_page(v, req, username, Some(e.message)),
        other => other,
    }
}

/// ForgotPassword for `username`, then the reset page saying where the
/// code went (also where a sign-in of a user whose reset an administrator
/// required leads). A refusal is returned to the caller to show.
pub(super) fn send_reset_code(
    issuer: &Issuer,
    v: &Visit,
    req: &AuthorizeRequest,
    username: &str,
) -> Result<Out> {
    let call = users::hosted_call(issuer, &req.ctx.client.client_id, username)?;
    let d = users::forgot_password(issuer, &call)?;
    let info = format!("{} Enter it below with your new password.", sent_to(&d));
    confirm_page(v, req, username, None, Some(info))
}

/// `POST /confirmForgotPassword`: ConfirmForgotPassword, then the login page.
pub(super) async fn confirm(
    State(state): State<AppState>,
    uri: Uri,
    headers: HeaderMap,
    body: Body,
) -> Response {
    post_form(state, uri, headers, body, reset).await
}

fn reset(issuer: &Issuer, v: &Visit, req: &AuthorizeRequest, f: &Fields) -> Result<Out> {
    let username = f.get("username");
    let result = users::hosted_call(issuer, &req.ctx.client.client_id, username).and_then(|call| {
        users::confirm_forgot_password(issuer, &call, f.get("code"), f.get("password"))
    });
    match result {
        Ok(()) => super::login::page(
            v,
            req,
            username,
            None,
            Some("Your password has been reset. Sign in with your new password.".into()),
        ),
        Err(e) if e.is_internal() => Err(e),
        Err(e) => confirm_page(v, req, username, Some(e.message), None),
    }
}
