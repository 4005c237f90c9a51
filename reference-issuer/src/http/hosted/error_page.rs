//! The error page (`main[data-page=error]`): Cognito's "An error was
//! encountered with the requested page." and the reason. Never a redirect:
//! what cannot be sent back to a registered redirect URI is shown here.

use askama::Template;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use super::{Chrome, Out, render};

#[derive(Template)]
#[template(path = "hosted/error.html")]
struct ErrorPage {
    c: Chrome,
}

/// The error page with `reason`, as an [`Out`].
pub(super) fn out(status: StatusCode, reason: &str) -> Out {
    let page = ErrorPage {
        c: Chrome {
            page: "error",
            title: "An error was encountered with the requested page.",
            q: String::new(),
            csrf: String::new(),
            custom_css: None,
            logo_url: None,
            error: Some(reason.to_string()),
            info: None,
        },
    };
    let html = render(&page).unwrap_or_else(|_| {
        "<!DOCTYPE html><main data-page=\"error\">An error was encountered with the requested page.</main>"
            .to_string()
    });
    Out::page(status, html, String::new())
}

/// The error page with `reason`, as a response.
pub(super) fn response(status: StatusCode, reason: &str) -> Response {
    out(status, reason).into_response()
}
