//! `/signup`, `/confirm` and `/resendcode`: `directory::users` sign-up,
//! confirmation and resend, for the client of the authorize query (no
//! `SECRET_HASH`: these are the client's own pages).
//!
//! After a confirmation the login page is shown with an info message and
//! the username filled in: the password typed at sign-up is not kept
//! anywhere on the server to sign the user in on their behalf.

use askama::Template;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::Response;

use super::run::{get_page, post_form};
use super::{Chrome, Fields, Out, Visit, form_action, render};
use crate::directory::attributes::AttributeIn;
use crate::directory::outbox::{Destination, mask};
use crate::directory::users;
use crate::error::Result;
use crate::http::AppState;
use crate::issuer::Issuer;
use crate::oauth::authorize::AuthorizeRequest;

#[derive(Template)]
#[template(path = "hosted/signup.html")]
struct SignupPage {
    c: Chrome,
    username: String,
    email: String,
    phone_number: String,
    email_required: bool,
    phone_wanted: bool,
    phone_required: bool,
    /// The pool signs in with email and/or phone (`UsernameAttributes`):
    /// no username field, as on Cognito's page.
    alias_username: bool,
}

/// The username a sign-up form names: the username field, or in a pool
/// that signs in with `UsernameAttributes`, the email (else the phone).
fn username_of<'f>(req: &AuthorizeRequest, f: &'f Fields) -> &'f str {
    if req.ctx.pool.username_attributes.is_empty() {
        return f.get("username");
    }
    let attrs = &req.ctx.pool.username_attributes;
    let email = f.get("email");
    if attrs.iter().any(|a| a == "email") && !email.is_empty() {
        email
    } else {
        f.get("phone_number")
    }
}

#[derive(Template)]
#[template(path = "hosted/confirm.html")]
struct ConfirmPage {
    c: Chrome,
    username: String,
}

/// Where a code went, as the info message says it.
pub(super) fn sent_to(d: &Destination) -> String {
    let medium = if d.medium == "SMS" { "SMS" } else { "email" };
    format!("We have sent a code by {medium} to {}.", mask(&d.address))
}

fn signup_page(
    v: &Visit,
    req: &AuthorizeRequest,
    f: &Fields,
    error: Option<String>,
) -> Result<Out> {
    let pool = &req.ctx.pool;
    let required = pool.required_attribute_names();
    let phone_required = required.iter().any(|a| a == "phone_number")
        || (pool.username_attributes.iter().any(|a| a == "phone_number")
            && !pool.username_attributes.iter().any(|a| a == "email"));
    let mut c = v.chrome("signup", "Sign up", &req.ctx.client);
    c.error = error;
    let html = render(&SignupPage {
        c,
        username: f.get("username").to_string(),
        email: f.get("email").to_string(),
        phone_number: f.get("phone_number").to_string(),
        email_required: required.iter().any(|a| a == "email")
            || pool.username_attributes == ["email"],
        phone_wanted: phone_required
            || pool.username_attributes.iter().any(|a| a == "phone_number"),
        phone_required,
        alias_username: !pool.username_attributes.is_empty(),
    })?;
    Ok(Out::page(
        StatusCode::OK,
        html,
        form_action(&req.ctx.client),
    ))
}

/// The confirmation page for `username`.
pub(super) fn confirm_page(
    v: &Visit,
    req: &AuthorizeRequest,
    username: &str,
    error: Option<String>,
    info: Option<String>,
) -> Result<Out> {
    let mut c = v.chrome("confirm", "Confirm your account", &req.ctx.client);
    c.error = error;
    c.info = info;
    let html = render(&ConfirmPage {
        c,
        username: username.to_string(),
    })?;
    Ok(Out::page(
        StatusCode::OK,
        html,
        form_action(&req.ctx.client),
    ))
}

/// `GET /signup`.
pub(super) async fn show(State(state): State<AppState>, uri: Uri, headers: HeaderMap) -> Response {
    get_page(state, uri, headers, |v, req| {
        signup_page(v, req, &Fields::default(), None)
    })
    .await
}

/// `GET /confirm` (`username` in the query fills the field in).
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

/// `POST /signup`: SignUp, then the confirmation page.
pub(super) async fn submit(
    State(state): State<AppState>,
    uri: Uri,
    headers: HeaderMap,
    body: Body,
) -> Response {
    post_form(state, uri, headers, body, sign_up).await
}

fn sign_up(issuer: &Issuer, v: &Visit, req: &AuthorizeRequest, f: &Fields) -> Result<Out> {
    let username = username_of(req, f);
    let attrs: Vec<AttributeIn> = ["email", "phone_number"]
        .into_iter()
        .filter(|a| !f.get(a).is_empty())
        .map(|a| AttributeIn {
            name: a.to_string(),
            value: Some(f.get(a).to_string()),
        })
        .collect();
    let result = users::hosted_call(issuer, &req.ctx.client.client_id, username)
        .and_then(|call| users::sign_up(issuer, &call, f.get("password"), &attrs));
    match result {
        Ok(up) => match up.delivery {
            Some(d) => confirm_page(v, req, username, None, Some(sent_to(&d))),
            None if up.confirmed => super::login::page(
                v,
                req,
                username,
                None,
                Some("Your account is confirmed. Sign in with your username and password.".into()),
            ),
            None => super::login::page(
                v,
                req,
                username,
                None,
                Some("Your account was created. An administrator has to confirm it before you can sign in.".into()),
            ),
        },
        Err(e) if e.is_internal() => Err(e),
        Err(e) => signup_page(v, req, f, Some(e.message)),
    }
}

/// `POST /confirm`: ConfirmSignUp, then the login page.
pub(super) async fn confirm(
    State(state): State<AppState>,
    uri: Uri,
    headers: HeaderMap,
    body: Body,
) -> Response {
    post_form(state, uri, headers, body, confirm_sign_up).await
}

fn confirm_sign_up(issuer: &Issuer, v: &Visit, req: &AuthorizeRequest, f: &Fields) -> Result<Out> {
    let username = f.get("username");
    let result = users::hosted_call(issuer, &req.ctx.client.client_id, username)
        .and_then(|call| users::confirm_sign_up(issuer, &call, f.get("code"), false));
    match result {
        Ok(()) => super::login::page(
            v,
            req,
            username,
            None,
            Some("Your account is confirmed. Sign in with your username and password.".into()),
        ),
        Err(e) if e.is_internal() => Err(e),
        Err(e) => confirm_page(v, req, username, Some(e.message), None),
    }
}

/// `POST /resendcode`: ResendConfirmationCode, then the confirmation page.
pub(super) async fn resend(
    State(state): State<AppState>,
    uri: Uri,
    headers: HeaderMap,
    body: Body,
) -> Response {
    post_form(state, uri, headers, body, resend_code).await
}

fn resend_code(issuer: &Issuer, v: &Visit, req: &AuthorizeRequest, f: &Fields) -> Result<Out> {
    let username = f.get("username");
    let result = users::hosted_call(issuer, &req.ctx.client.client_id, username)
        .and_then(|call| users::resend_confirmation_code(issuer, &call));
    match result {
        Ok(d) => confirm_page(v, req, username, None, Some(sent_to(&d))),
        Err(e) if e.is_internal() => Err(e),
        Err(e) => confirm_page(v, req, username, Some(e.message), None),
    }
}
