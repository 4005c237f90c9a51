//! The hosted login UI: server-rendered pages (askama templates under
//! `templates/hosted/`, no JavaScript) over the same domain flows as the
//! JSON API. One module per page family: [`authorize`] (`/oauth2/authorize`,
//! `/logout`), [`login`] (`/login`, `/challenge`), [`signup`] (`/signup`,
//! `/confirm`, `/resendcode`), [`forgot`] (`/forgotPassword`,
//! `/confirmForgotPassword`), [`error_page`]; the cookies in [`csrf`] and
//! [`session_cookie`].
//!
//! Here: the routes, the request's authorize query and cookies
//! ([`Visit`]), form decoding with size bounds ([`form`]), and the
//! answer every page shares ([`Out`]): `Cache-Control: no-store`, a strict
//! Content-Security-Policy whose `form-action` allows this origin and the
//! origins of the client's callback and logout URLs (browsers apply it to
//! the redirect that follows a form POST), `X-Frame-Options: DENY`,
//! `X-Content-Type-Options: nosniff` and `Referrer-Policy: no-referrer`.

mod authorize;
mod challenge;
mod csrf;
mod error_page;
mod forgot;
mod form;
mod login;
mod run;
mod session_cookie;
mod signup;

use std::collections::HashMap;

use axum::Router;
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};

use super::AppState;
use crate::directory::ui_customization;
use crate::error::{Error, Result};
use crate::issuer::Issuer;
use crate::model::AppClient;
use crate::oauth::authorize::{
    self as oauth_authorize, AuthorizeError, AuthorizeParams, AuthorizeRequest,
};
use form::decode_unique;
pub(crate) use form::{Fields, read_form};

/// The longest authorize query a page accepts.
const MAX_QUERY: usize = 8 * 1024;

/// The default stylesheet, served at `/hosted-ui/static/style.css`.
const STYLE_CSS: &str = include_str!("../../../templates/hosted/style.css");

/// The hosted UI's routes.
pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/oauth2/authorize", get(authorize::authorize))
        .route("/logout", get(authorize::logout))
        .route("/login", get(login::show).post(login::submit))
        .route("/challenge", post(login::challenge))
        .route("/signup", get(signup::show).post(signup::submit))
        .route("/confirm", get(signup::show_confirm).post(signup::confirm))
        .route("/resendcode", post(signup::resend))
        .route("/forgotPassword", get(forgot::show).post(forgot::submit))
        .route(
            "/confirmForgotPassword",
            get(forgot::show_confirm).post(forgot::confirm),
        )
        .route("/hosted-ui/static/style.css", get(stylesheet))
}

async fn stylesheet() -> Response {
    let mut resp = STYLE_CSS.into_response();
    let h = resp.headers_mut();
    h.insert(
        "content-type",
        HeaderValue::from_static("text/css; charset=utf-8"),
    );
    h.insert("cache-control", HeaderValue::from_static("no-cache"));
    h.insert(
        "x-content-type-options",
        HeaderValue::from_static("nosniff"),
    );
    resp
}

/// What every page template shows: the page name (`data-page`), title,
/// messages, and what its forms and links carry.
#[derive(Debug, Clone)]
pub(crate) struct Chrome {
    /// `data-page` of `<main>`.
    pub page: &'static str,
    /// The heading and `<title>`.
    pub title: &'static str,
    /// The authorize query the page's forms and links keep.
    pub q: String,
    /// The CSRF token of the page's forms.
    pub csrf: String,
    /// The pool and client's custom stylesheet (SetUICustomization).
    pub custom_css: Option<String>,
    /// The logo (SetUICustomization); wired by the customization pages.
    pub logo_url: Option<String>,
    /// `#error`: what went wrong, in Cognito's words.
    pub error: Option<String>,
    /// `#info`: e.g. where a code was sent.
    pub info: Option<String>,
}

/// A request to a hosted-UI page: its authorize query (kept as received for
/// the links and redirects, and parsed) and its cookies.
#[derive(Debug, Clone)]
pub(crate) struct Visit {
    /// The raw query string.
    pub q: String,
    /// The parsed authorize parameters.
    pub params: AuthorizeParams,
    /// Every query parameter (the page-specific ones, e.g. `logout_uri`).
    pub query: HashMap<String, String>,
    cookies: Vec<(String, String)>,
    /// Whether cookies get `Secure` (the public URL is https).
    pub secure: bool,
    /// The CSRF token of the forms this answer renders.
    pub csrf: String,
    /// Whether the CSRF cookie must be (re)set with this answer.
    new_csrf: bool,
    /// The issuer, for the pages' custom look (read on the blocking pool,
    /// where pages are rendered).
    issuer: std::sync::Arc<crate::issuer::Issuer>,
}

impl Visit {
    /// Reads the query and cookies; a repeated or oversized query is
    /// answered with the error page.
    pub(crate) fn new(state: &AppState, uri: &Uri, headers: &HeaderMap) -> Result<Self, Refusal> {
        let q = uri.query().unwrap_or_default().to_string();
        if q.len() > MAX_QUERY {
            return Err(Refusal::bad("The request is too large."));
        }
        let Some(query) = decode_unique(&q) else {
            return Err(Refusal::bad(
                "A request parameter is repeated or malformed.",
            ));
        };
        let get = |k: &str| query.get(k).cloned();
        let params = AuthorizeParams {
            response_type: get("response_type"),
            client_id: get("client_id"),
            redirect_uri: get("redirect_uri"),
            state: get("state"),
            scope: get("scope"),
            nonce: get("nonce"),
            code_challenge: get("code_challenge"),
            code_challenge_method: get("code_challenge_method"),
            prompt: get("prompt"),
            login_hint: get("login_hint"),
            identity_provider: get("identity_provider"),
            idp_identifier: get("idp_identifier"),
            lang: get("lang"),
        };
        let cookies = cookies_of(headers);
        let secure = state.issuer.public_url.starts_with("https://");
        let existing = csrf::from_cookies(&cookies);
        Ok(Self {
            q,
            params,
            query,
            new_csrf: existing.is_none(),
            csrf: existing.unwrap_or_else(csrf::new_token),
            cookies,
            secure,
            issuer: state.issuer.clone(),
        })
    }

    /// The query parameter `name` (empty when absent).
    pub(crate) fn query_value(&self, name: &str) -> &str {
        self.query.get(name).map(String::as_str).unwrap_or_default()
    }

    /// The value of cookie `name`; `None` when absent or repeated.
    pub(crate) fn cookie(&self, name: &str) -> Option<&str> {
        cookie_in(&self.cookies, name)
    }

    /// The page chrome for `page` of the client `req` names.
    pub(crate) fn chrome(
        &self,
        page: &'static str,
        title: &'static str,
        client: &AppClient,
    ) -> Chrome {
        let base = format!("/hosted-ui/{}/{}", client.user_pool_id, client.client_id);
        // A look that cannot be read is logged and the default look shown:
        // the sign-in itself does not depend on it.
        let look =
            ui_customization::effective(&self.issuer, &client.user_pool_id, &client.client_id)
                .unwrap_or_else(|e| {
                    tracing::warn!(error = %e.message, "UI customization unreadable");
                    None
                });
        let version = look
            .as_ref()
            .map(|l| l.css_version.clone())
            .unwrap_or_default();
        Chrome {
            page,
            title,
            q: self.q.clone(),
            csrf: self.csrf.clone(),
            custom_css: look
                .as_ref()
                .filter(|l| !l.css.is_empty())
                .map(|_| format!("{base}/custom.css?v={version}")),
            logo_url: look
                .as_ref()
                .filter(|l| l.logo.is_some())
                .map(|_| format!("{base}/logo?v={version}")),
            error: None,
            info: None,
        }
    }

    /// The response for `out` (a fault: the error page, 500), with the
    /// CSRF cookie when this visit issued a token.
    pub(crate) fn respond(&self, out: Result<Out>) -> Response {
        let mut out = match out {
            Ok(o) => o,
            Err(e) => {
                tracing::error!(error = %e.message, "hosted UI page failed");
                return error_page::response(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "Something went wrong. Please try again.",
                );
            }
        };
        if self.new_csrf {
            out.cookies.push(csrf::set_cookie(&self.csrf, self.secure));
        }
        out.into_response()
    }

    /// The authorize request the query describes, or the answer for a
    /// query that cannot be served (the error page, never a redirect, for
    /// an unknown client or unregistered redirect URI).
    pub(crate) fn authorize(&self, issuer: &Issuer) -> Result<AuthorizeRequest, Out> {
        oauth_authorize::validate(issuer, &self.params).map_err(refused)
    }
}

/// The answer for an authorization error: the error page (400) or the
/// redirect that tells the client.
pub(crate) fn refused(e: AuthorizeError) -> Out {
    match e {
        AuthorizeError::Page { message } => error_page::out(StatusCode::BAD_REQUEST, &message),
        AuthorizeError::Redirect { location } => Out::redirect(location, String::new()),
    }
}

/// A request refused before anything ran: the error page with `reason`.
#[derive(Debug)]
pub(crate) struct Refusal {
    status: StatusCode,
    reason: String,
}

impl Refusal {
    fn bad(reason: impl Into<String>) -> Self {
        Self {
            status: StatusCode::BAD_REQUEST,
            reason: reason.into(),
        }
    }
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        error_page::response(self.status, &self.reason)
    }
}

/// A page or a redirect, with the CSP `form-action` sources and cookies.
#[derive(Debug)]
pub(crate) struct Out {
    status: StatusCode,
    html: Option<String>,
    location: Option<String>,
    form_action: String,
    /// `Set-Cookie` values.
    pub cookies: Vec<String>,
}

impl Out {
    /// A rendered page; `form_action` lists the CSP sources besides `'self'`.
    pub(crate) fn page(status: StatusCode, html: String, form_action: String) -> Self {
        Self {
            status,
            html: Some(html),
            location: None,
            form_action,
            cookies: Vec::new(),
        }
    }

    /// A `302` to `location`.
    pub(crate) fn redirect(location: String, form_action: String) -> Self {
        Self {
            status: StatusCode::FOUND,
            html: None,
            location: Some(location),
            form_action,
            cookies: Vec::new(),
        }
    }

    /// The same answer setting one more cookie.
    pub(crate) fn with_cookie(mut self, cookie: String) -> Self {
        self.cookies.push(cookie);
        self
    }
}

impl IntoResponse for Out {
    fn into_response(self) -> Response {
        let is_page = self.html.is_some();
        let mut resp = match self.html {
            Some(html) => (self.status, html).into_response(),
            None => self.status.into_response(),
        };
        let h = resp.headers_mut();
        if let Some(loc) = &self.location {
            match HeaderValue::from_str(loc) {
                Ok(v) => {
                    h.insert("location", v);
                }
                Err(_) => {
                    return error_page::response(
                        StatusCode::INTERNAL_SERVER_ERROR,
                        "The redirect could not be built.",
                    );
                }
            }
        }
        if is_page {
            h.insert(
                "content-type",
                HeaderValue::from_static("text/html; charset=utf-8"),
            );
        }
        security_headers(h, &self.form_action);
        for c in &self.cookies {
            if let Ok(v) = HeaderValue::from_str(c) {
                h.append("set-cookie", v);
            }
        }
        resp
    }
}

/// The headers every hosted-UI answer carries.
fn security_headers(h: &mut HeaderMap, form_action: &str) {
    let csp = format!(
        "default-src 'none'; style-src 'self'; img-src 'self' data:; frame-ancestors 'none'; \
         base-uri 'none'; form-action 'self'{}{form_action}",
        if form_action.is_empty() { "" } else { " " }
    );
    if let Ok(v) = HeaderValue::from_str(&csp) {
        h.insert("content-security-policy", v);
    }
    h.insert("cache-control", HeaderValue::from_static("no-store"));
    h.insert("pragma", HeaderValue::from_static("no-cache"));
    h.insert("x-frame-options", HeaderValue::from_static("DENY"));
    h.insert(
        "x-content-type-options",
        HeaderValue::from_static("nosniff"),
    );
    h.insert("referrer-policy", HeaderValue::from_static("no-referrer"));
}

/// The CSP `form-action` sources of `client` besides `'self'`: the origins
/// of its callback and logout URLs (`scheme:` for a custom scheme), where
/// a form's POST may end up after its redirect.
pub(crate) fn form_action(client: &AppClient) -> String {
    let urls = client
        .callback_urls
        .iter()
        .flatten()
        .chain(client.logout_urls.iter().flatten());
    let mut sources: Vec<String> = Vec::new();
    for url in urls {
        if let Some(s) = csp_source(url)
            && !sources.contains(&s)
        {
            sources.push(s);
        }
    }
    sources.join(" ")
}

/// The CSP source of `url`'s origin; `None` for anything that could break
/// out of the header (only plain host characters are kept).
fn csp_source(url: &str) -> Option<String> {
    let (scheme, rest) = url.split_once(':')?;
    let scheme_ok = !scheme.is_empty()
        && scheme
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    if !scheme_ok {
        return None;
    }
    let scheme = scheme.to_ascii_lowercase();
    if scheme != "http" && scheme != "https" {
        return Some(format!("{scheme}:"));
    }
    let authority = rest.strip_prefix("//")?.split(['/', '?', '#']).next()?;
    let ok = !authority.is_empty()
        && authority
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'));
    ok.then(|| format!("{scheme}://{}", authority.to_ascii_lowercase()))
}

/// Renders an askama template (a failure is a fault).
pub(crate) fn render(t: &impl askama::Template) -> Result<String> {
    t.render()
        .map_err(|e| Error::internal(format!("template failed: {e}")))
}

/// Every `name=value` of the request's `Cookie` headers.
fn cookies_of(headers: &HeaderMap) -> Vec<(String, String)> {
    headers
        .get_all("cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|c| c.trim().split_once('='))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect()
}

/// The value of cookie `name`; `None` when absent or sent more than once
/// (which of two values is ours cannot be told).
fn cookie_in<'a>(cookies: &'a [(String, String)], name: &str) -> Option<&'a str> {
    let mut found = cookies.iter().filter(|(k, _)| k == name);
    let first = found.next()?;
    found.next().is_none().then_some(first.1.as_str())
}

/// `value` percent-encoded for a URL query.
pub(crate) fn query_encode(value: &str) -> String {
    percent_encoding::utf8_percent_encode(value, percent_encoding::NON_ALPHANUMERIC).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csp_sources_keep_only_origins() {
        assert_eq!(
            csp_source("https://App.example.com:8443/cb?x=1").as_deref(),
            Some("https://app.example.com:8443")
        );
        assert_eq!(csp_source("myapp://callback").as_deref(), Some("myapp:"));
        assert_eq!(csp_source("https://a.example; script-src *"), None);
        assert_eq!(csp_source("no scheme"), None);
    }
}
