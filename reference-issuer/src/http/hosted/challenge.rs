//! The pages of sign-in challenges and their answers (`POST /challenge`),
//! through `signin::challenge::respond` with the hosted-UI context:
//! `SOFTWARE_TOKEN_MFA`, `SMS_MFA`, `EMAIL_OTP` (a code; where it went is
//! shown), `NEW_PASSWORD_REQUIRED` (a new password and any required
//! attributes), `SELECT_MFA_TYPE` (a radio choice) and `MFA_SETUP` (a new
//! TOTP secret from the session-based `AssociateSoftwareToken`, shown as
//! text and as an SVG QR code of its `otpauth://` URI; the first code goes
//! through `VerifySoftwareToken`, then `MFA_SETUP` is answered).
//!
//! What a page needs to be shown again after a wrong answer (the masked
//! destination, the choices, the secret) travels in hidden fields; it is
//! only ever displayed, never trusted by the domain.

use std::collections::BTreeMap;

use askama::Template;
use axum::http::StatusCode;
use qrcode::QrCode;
use qrcode::render::svg;

use super::{Chrome, Fields, Out, Visit, error_page, form_action, query_encode, render};
use crate::error::Result;
use crate::issuer::Issuer;
use crate::oauth::authorize::AuthorizeRequest;
use crate::signin::{Challenge, challenge, totp};

/// A challenge as the pages carry it.
#[derive(Debug, Clone, Default)]
pub(crate) struct View {
    /// The challenge name.
    pub name: String,
    /// The challenge `Session`.
    pub session: String,
    /// The user's username (`USER_ID_FOR_SRP`).
    pub username: String,
    destination: String,
    choices: Vec<String>,
    required: Vec<String>,
    secret: String,
}

impl View {
    fn from_fields(f: &Fields) -> Self {
        let list = |name: &str| -> Vec<String> {
            f.get(name)
                .split(',')
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect()
        };
        Self {
            name: f.get("challenge").to_string(),
            session: f.get("session").to_string(),
            username: f.get("username").to_string(),
            destination: f.get("destination").to_string(),
            choices: list("choices"),
            required: list("required"),
            secret: f.get("secret").to_string(),
        }
    }
}

/// The page of a challenge a sign-in step just returned (for `MFA_SETUP`,
/// after associating a new secret with its session).
pub(super) fn first_page(
    issuer: &Issuer,
    v: &Visit,
    req: &AuthorizeRequest,
    ch: Challenge,
) -> Result<Out> {
    let p = |k: &str| ch.parameters.get(k).cloned().unwrap_or_default();
    let json_list = |k: &str| serde_json::from_str::<Vec<String>>(&p(k)).unwrap_or_default();
    let mut view = View {
        name: ch.name.to_string(),
        session: ch.session.clone().unwrap_or_default(),
        username: p("USER_ID_FOR_SRP"),
        destination: p("CODE_DELIVERY_DESTINATION"),
        choices: json_list("MFAS_CAN_CHOOSE"),
        required: json_list("requiredAttributes")
            .into_iter()
            .map(|a| a.strip_prefix("userAttributes.").unwrap_or(&a).to_string())
            .collect(),
        secret: String::new(),
    };
    if ch.name == "MFA_SETUP" {
        match totp::associate(issuer, None, Some(&view.session)) {
            Ok((secret, next)) => {
                view.secret = secret;
                view.session = next.unwrap_or_default();
            }
            Err(e) if e.is_internal() => return Err(e),
            Err(e) => return super::login::page(v, req, &view.username, Some(e.message), None),
        }
    }
    page(v, req, &view, None)
}

/// `POST /challenge`: the answer of the form's challenge, then the next
/// step; a refusal shows the same challenge again with the message.
pub(super) fn answer(
    issuer: &Issuer,
    v: &Visit,
    req: &AuthorizeRequest,
    f: &Fields,
) -> Result<Out> {
    let view = View::from_fields(f);
    let mut responses = BTreeMap::new();
    if !view.username.is_empty() {
        responses.insert("USERNAME".to_string(), view.username.clone());
    }
    let mut put = |k: &str, val: &str| {
        responses.insert(k.to_string(), val.to_string());
    };
    let name = view.name.as_str();
    match name {
        "SOFTWARE_TOKEN_MFA" => put("SOFTWARE_TOKEN_MFA_CODE", f.get("code")),
        "SMS_MFA" => put("SMS_MFA_CODE", f.get("code")),
        "EMAIL_OTP" => put("EMAIL_OTP_CODE", f.get("code")),
        "SELECT_MFA_TYPE" => put("ANSWER", f.get("factor")),
        "NEW_PASSWORD_REQUIRED" => {
            put("NEW_PASSWORD", f.get("new_password"));
            for (attr, val) in f.prefixed("attr_") {
                put(&format!("userAttributes.{attr}"), val);
            }
        }
        "MFA_SETUP" => {}
        _ => {
            return Ok(error_page::out(
                StatusCode::BAD_REQUEST,
                "Unknown sign-in challenge.",
            ));
        }
    }
    let session = Some(view.session.as_str());
    let result = if name == "MFA_SETUP" {
        totp::verify(issuer, None, session, f.get("code")).and_then(|next| {
            challenge::respond(issuer, &req.ctx, name, next.as_deref(), &responses)
        })
    } else {
        challenge::respond(issuer, &req.ctx, name, session, &responses)
    };
    match result {
        Ok(outcome) => super::login::proceed(issuer, v, req, outcome),
        Err(e) if e.is_internal() => Err(e),
        Err(e) => page(v, req, &view, Some(e.message)),
    }
}

#[derive(Template)]
#[template(path = "hosted/challenge_mfa.html")]
struct MfaPage {
    c: Chrome,
    ch: View,
    label: &'static str,
    destination: String,
}

#[derive(Template)]
#[template(path = "hosted/challenge_new_password.html")]
struct NewPasswordPage {
    c: Chrome,
    ch: View,
    required: String,
    attributes: Vec<String>,
}

/// One factor of `SELECT_MFA_TYPE`.
struct Choice {
    value: String,
    label: &'static str,
}

#[derive(Template)]
#[template(path = "hosted/challenge_select_mfa.html")]
struct SelectPage {
    c: Chrome,
    ch: View,
    choices_field: String,
    choices: Vec<Choice>,
}

#[derive(Template)]
#[template(path = "hosted/challenge_totp_setup.html")]
struct TotpSetupPage {
    c: Chrome,
    ch: View,
    secret: String,
    qr_svg: String,
}

fn medium_of(challenge: &str) -> &'static str {
    if challenge == "SMS_MFA" {
        "SMS"
    } else {
        "email"
    }
}

/// The page of `view` (with `error` after a refused answer).
fn page(v: &Visit, req: &AuthorizeRequest, view: &View, error: Option<String>) -> Result<Out> {
    let client = &req.ctx.client;
    let chrome = |page: &'static str, title: &'static str| {
        let mut c = v.chrome(page, title, client);
        c.error = error.clone();
        c
    };
    let html = match view.name.as_str() {
        "SOFTWARE_TOKEN_MFA" => render(&MfaPage {
            c: chrome("challenge-mfa", "Enter your authentication code"),
            ch: view.clone(),
            label: "Code from your authenticator app",
            destination: String::new(),
        })?,
        "SMS_MFA" | "EMAIL_OTP" => {
            let mut c = chrome("challenge-mfa", "Enter your authentication code");
            c.info = Some(format!(
                "We have sent a code by {} to {}. Enter it to sign in.",
                medium_of(&view.name),
                view.destination
            ));
            render(&MfaPage {
                c,
                ch: view.clone(),
                label: "Code",
                destination: view.destination.clone(),
            })?
        }
        "NEW_PASSWORD_REQUIRED" => render(&NewPasswordPage {
            c: chrome("challenge-new-password", "Change your password"),
            ch: view.clone(),
            required: view.required.join(","),
            attributes: view.required.clone(),
        })?,
        "SELECT_MFA_TYPE" => render(&SelectPage {
            c: chrome("challenge-select-mfa", "Choose how to sign in"),
            ch: view.clone(),
            choices_field: view.choices.join(","),
            choices: view
                .choices
                .iter()
                .map(|f| Choice {
                    value: f.clone(),
                    label: match f.as_str() {
                        "SOFTWARE_TOKEN_MFA" => "Authenticator app",
                        "SMS_MFA" => "Text message (SMS)",
                        "EMAIL_OTP" => "Email",
                        _ => "Other",
                    },
                })
                .collect(),
        })?,
        "MFA_SETUP" => render(&TotpSetupPage {
            c: chrome("challenge-totp-setup", "Set up your authenticator app"),
            ch: view.clone(),
            secret: view.secret.clone(),
            qr_svg: qr_svg(&otpauth_uri(
                &req.ctx.pool.name,
                &view.username,
                &view.secret,
            )),
        })?,
        other => {
            let reason = format!("The sign-in needs a step this page does not offer ({other}).");
            return Ok(error_page::out(StatusCode::BAD_REQUEST, &reason));
        }
    };
    Ok(Out::page(StatusCode::OK, html, form_action(client)))
}

/// The `otpauth://` URI authenticator apps read from the QR code.
fn otpauth_uri(issuer_label: &str, username: &str, secret: &str) -> String {
    let label = query_encode(issuer_label);
    format!(
        "otpauth://totp/{label}:{}?secret={}&issuer={label}",
        query_encode(username),
        query_encode(secret)
    )
}

/// An inline SVG QR code of `data` (empty if it cannot be encoded). Only
/// presentation attributes, no `style`: the page's CSP allows no inline
/// styles.
fn qr_svg(data: &str) -> String {
    let Ok(code) = QrCode::new(data.as_bytes()) else {
        return String::new();
    };
    let svg = code
        .render::<svg::Color<'_>>()
        .min_dimensions(200, 200)
        .quiet_zone(true)
        .build();
    let start = svg.find("<svg").unwrap_or(0);
    svg[start..].replacen(
        "<svg ",
        "<svg role=\"img\" aria-label=\"QR code of the authenticator key\" ",
        1,
    )
}
