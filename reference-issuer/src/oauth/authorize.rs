//! `/oauth2/authorize`: validating an authorization request as Cognito does
//! ([`validate`]) and, once the user is signed in, granting it ([`grant`]):
//! a single-use code (`response_type=code`) or tokens in the fragment
//! (`token`, the implicit grant). Errors that may be told to the client
//! redirect to its registered `redirect_uri`; an unknown client or an
//! unregistered redirect URI never redirects (no open redirect).

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

use crate::error::Error;
use crate::ids;
use crate::issuer::Issuer;
use crate::model::{AppClient, OAuthFlow};
use crate::signin::issue::{self, Issue};
use crate::signin::{FlowContext, SignedIn};
use crate::store::{authorization_codes as code_rows, users as user_rows};
use crate::tokens::OAuthGrant;

/// How long an authorization code lives (Cognito: 5 minutes).
pub(crate) const CODE_TTL: i64 = 300;

/// The longest `state`, `nonce`, `login_hint` or `scope` accepted (bytes).
const MAX_PARAM: usize = 2048;

/// The standard scopes that need `openid`.
const NEED_OPENID: [&str; 3] = ["email", "phone", "profile"];

/// The identity provider of the user pool's own users.
const COGNITO: &str = "COGNITO";

/// The query parameters of `/oauth2/authorize` (and of the hosted UI's
/// pages, which carry them along), as received.
#[derive(Debug, Clone, Default)]
pub(crate) struct AuthorizeParams {
    /// `response_type`.
    pub response_type: Option<String>,
    /// `client_id`.
    pub client_id: Option<String>,
    /// `redirect_uri`.
    pub redirect_uri: Option<String>,
    /// `state`.
    pub state: Option<String>,
    /// `scope` (space-separated).
    pub scope: Option<String>,
    /// `nonce`.
    pub nonce: Option<String>,
    /// `code_challenge` (PKCE).
    pub code_challenge: Option<String>,
    /// `code_challenge_method` (`S256` only).
    pub code_challenge_method: Option<String>,
    /// `prompt`.
    pub prompt: Option<String>,
    /// `login_hint`.
    pub login_hint: Option<String>,
    /// `identity_provider`.
    pub identity_provider: Option<String>,
    /// `idp_identifier`.
    pub idp_identifier: Option<String>,
    /// `lang`.
    pub lang: Option<String>,
}

/// `response_type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ResponseType {
    /// `code`: the authorization code grant.
    Code,
    /// `token`: the implicit grant.
    Token,
}

/// `prompt` (OIDC Core 3.1.2.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Prompt {
    /// `none`: no page may be shown (no session: `login_required`).
    None,
    /// `login`: the form even with a session.
    Login,
    /// `select_account`.
    SelectAccount,
    /// `consent`.
    Consent,
}

/// A validated authorization request.
#[derive(Debug, Clone)]
pub(crate) struct AuthorizeRequest {
    /// The client's context, ending in [`crate::signin::Completion::HostedUi`].
    pub ctx: FlowContext,
    /// `response_type`.
    pub response_type: ResponseType,
    /// The registered redirect URI the answer goes to.
    pub redirect_uri: String,
    /// The granted scopes, in the client's `AllowedOAuthScopes` order.
    pub scopes: Vec<String>,
    /// `state`, echoed back.
    pub state: Option<String>,
    /// `nonce`, put into the ID token.
    pub nonce: Option<String>,
    /// The S256 `code_challenge`, if PKCE is used.
    pub code_challenge: Option<String>,
    /// `prompt`.
    pub prompt: Option<Prompt>,
    /// `login_hint` (prefills the username).
    pub login_hint: Option<String>,
}

/// A refused authorization request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum AuthorizeError {
    /// Not to be sent to the client (unknown client, unregistered redirect URI...): the error page shows it.
    Page {
        /// What the error page says.
        message: String,
    },
    /// Told to the client: a 302 to this full URL (`redirect_uri?error=..&error_description=..&state=..`).
    Redirect {
        /// The `Location`.
        location: String,
    },
}

fn page(message: impl Into<String>) -> AuthorizeError {
    AuthorizeError::Page {
        message: message.into(),
    }
}

/// What is escaped in the parameters of a redirect: everything but the
/// RFC 3986 unreserved characters.
const COMPONENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// `base` with `pairs` appended, URL-encoded: in the query (keeping an
/// existing one) or, for the implicit grant, in the fragment.
fn with_params(base: &str, pairs: &[(&str, &str)], fragment: bool) -> String {
    let encoded: Vec<String> = pairs
        .iter()
        .map(|(k, v)| format!("{k}={}", utf8_percent_encode(v, COMPONENT)))
        .collect();
    let sep = if fragment {
        "#"
    } else if base.contains('?') {
        if base.ends_with('?') || base.ends_with('&') {
            ""
        } else {
            "&"
        }
    } else {
        "?"
    };
    format!("{base}{sep}{}", encoded.join("&"))
}

/// A parameter, with empty values treated as absent.
fn given(v: &Option<String>) -> Option<&str> {
    v.as_deref().filter(|s| !s.is_empty())
}

/// Where the answer goes: `redirect_uri` exactly as registered in
/// `CallbackURLs`; without one, the client's `DefaultRedirectURI` when the
/// client has a single identity provider (it then "replaces redirect_uri").
fn redirect_uri(client: &AppClient, p: &AuthorizeParams) -> Result<String, AuthorizeError> {
    let callbacks = client.callback_urls.as_deref().unwrap_or_default();
    let uri = match given(&p.redirect_uri) {
        Some(u) => u.to_string(),
        None => {
            let single_idp = client
                .supported_identity_providers
                .as_ref()
                .is_some_and(|l| l.len() == 1);
            match (&client.default_redirect_uri, single_idp) {
                (Some(d), true) => d.clone(),
                _ => return Err(page("redirect_uri is required.")),
            }
        }
    };
    if uri.contains('#') || !callbacks.contains(&uri) {
        return Err(page("redirect_mismatch"));
    }
    Ok(uri)
}

/// The scopes granted for `requested` (absent: all of the client's):
/// scopes the client does not allow are ignored; nothing left, or
/// `email`/`phone`/`profile` without `openid`, is `invalid_scope`.
fn granted_scopes(
    client: &AppClient,
    requested: Option<&str>,
) -> Result<Vec<String>, &'static str> {
    let allowed = client.oauth_scopes();
    let scopes: Vec<String> = match requested {
        Some(r) => {
            let asked: Vec<&str> = r.split_whitespace().collect();
            allowed
                .iter()
                .filter(|s| asked.contains(&s.as_str()))
                .cloned()
                .collect()
        }
        None => allowed.to_vec(),
    };
    if scopes.is_empty() {
        return Err("No valid scope was requested.");
    }
    let openid = scopes.iter().any(|s| s == "openid");
    if !openid && scopes.iter().any(|s| NEED_OPENID.contains(&s.as_str())) {
        return Err("The email, phone and profile scopes require the openid scope.");
    }
    Ok(scopes)
}

fn parse_prompt(v: &str) -> Option<Prompt> {
    Some(match v {
        "none" => Prompt::None,
        "login" => Prompt::Login,
        "select_account" => Prompt::SelectAccount,
        "consent" => Prompt::Consent,
        _ => return None,
    })
}

/// Whether `s` is a PKCE value: 43 to 128 characters of `alphabet`.
fn pkce_shaped(s: &str, alphabet: impl Fn(u8) -> bool) -> bool {
    (43..=128).contains(&s.len()) && s.bytes().all(alphabet)
}

/// An RFC 7636 S256 `code_challenge`: base64url characters.
pub(crate) fn is_challenge(s: &str) -> bool {
    pkce_shaped(s, |b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// An RFC 7636 `code_verifier`: unreserved characters.
pub(crate) fn is_verifier(s: &str) -> bool {
    pkce_shaped(s, |b| b.is_ascii_alphanumeric() || b"-._~".contains(&b))
}

/// Validates an authorization request as Cognito does. The client and the
/// redirect URI are checked first and never redirect; every later error
/// redirects to the redirect URI with `error` (RFC 6749 §4.1.2.1).
pub(crate) fn validate(
    issuer: &Issuer,
    p: &AuthorizeParams,
) -> Result<AuthorizeRequest, AuthorizeError> {
    let client_id = given(&p.client_id).ok_or_else(|| page("client_id is required."))?;
    let ctx = FlowContext::hosted(issuer, client_id).map_err(|e| {
        if e.is_internal() {
            page("An error was encountered with the requested page.")
        } else {
            page("Client does not exist.")
        }
    })?;
    let redirect_uri = redirect_uri(&ctx.client, p)?;
    // What the error redirects carry: `state` when it is not oversized.
    let state = given(&p.state).filter(|s| s.len() <= MAX_PARAM);
    let response_type = match given(&p.response_type) {
        Some("code") => Some(ResponseType::Code),
        Some("token") => Some(ResponseType::Token),
        _ => None,
    };
    let fail = |error: &str, description: &str| AuthorizeError::Redirect {
        location: error_location(
            &redirect_uri,
            response_type == Some(ResponseType::Token),
            error,
            Some(description),
            state,
        ),
    };
    let response_type = match (given(&p.response_type), response_type) {
        (None, _) => return Err(fail("invalid_request", "response_type is required.")),
        (Some(_), None) => {
            return Err(fail(
                "unsupported_response_type",
                "response_type must be code or token.",
            ));
        }
        (Some(_), Some(rt)) => rt,
    };
    let flow = match response_type {
        ResponseType::Code => OAuthFlow::Code,
        ResponseType::Token => OAuthFlow::Implicit,
    };
    if !ctx.client.allows_oauth_flow(flow) {
        return Err(fail(
            "unauthorized_client",
            "The client is not allowed this response_type.",
        ));
    }
    for (name, v) in [
        ("state", &p.state),
        ("nonce", &p.nonce),
        ("login_hint", &p.login_hint),
        ("scope", &p.scope),
        ("lang", &p.lang),
    ] {
        if v.as_ref().is_some_and(|v| v.len() > MAX_PARAM) {
            return Err(fail("invalid_request", &format!("{name} is too long.")));
        }
    }
    let code_challenge = match (given(&p.code_challenge), given(&p.code_challenge_method)) {
        (None, None) => None,
        (Some(c), Some("S256")) if is_challenge(c) => Some(c.to_string()),
        (Some(_), Some("S256")) => {
            return Err(fail("invalid_request", "Invalid code_challenge."));
        }
        (None, Some(_)) => return Err(fail("invalid_request", "code_challenge is required.")),
        (Some(_), _) => {
            return Err(fail(
                "invalid_request",
                "code_challenge_method must be S256.",
            ));
        }
    };
    let prompt = match given(&p.prompt) {
        None => None,
        Some(v) => Some(parse_prompt(v).ok_or_else(|| fail("invalid_request", "Invalid prompt."))?),
    };
    let idps = ctx.client.supported_identity_providers.as_deref();
    let cognito_allowed = idps.is_none_or(|l| l.iter().any(|i| i == COGNITO));
    match given(&p.identity_provider) {
        Some(COGNITO) | None if cognito_allowed => {}
        Some(COGNITO) | None => {
            return Err(fail(
                "unauthorized_client",
                "The client does not support the COGNITO identity provider.",
            ));
        }
        Some(_) => {
            return Err(fail(
                "invalid_request",
                "Federated identity providers are not supported by this issuer.",
            ));
        }
    }
    if given(&p.idp_identifier).is_some() {
        return Err(fail(
            "invalid_request",
            "Federated identity providers are not supported by this issuer.",
        ));
    }
    let scopes =
        granted_scopes(&ctx.client, given(&p.scope)).map_err(|d| fail("invalid_scope", d))?;
    Ok(AuthorizeRequest {
        ctx,
        response_type,
        redirect_uri,
        scopes,
        state: state.map(str::to_string),
        nonce: given(&p.nonce).map(str::to_string),
        code_challenge,
        prompt,
        login_hint: given(&p.login_hint).map(str::to_string),
    })
}

fn error_location(
    redirect_uri: &str,
    fragment: bool,
    error: &str,
    description: Option<&str>,
    state: Option<&str>,
) -> String {
    let mut pairs = vec![("error", error)];
    if let Some(d) = description {
        pairs.push(("error_description", d));
    }
    if let Some(s) = state {
        pairs.push(("state", s));
    }
    with_params(redirect_uri, &pairs, fragment)
}

impl AuthorizeRequest {
    /// The redirect that tells the client `error` (e.g. "login_required").
    pub(crate) fn error(&self, error: &str, description: Option<&str>) -> AuthorizeError {
        AuthorizeError::Redirect {
            location: error_location(
                &self.redirect_uri,
                self.response_type == ResponseType::Token,
                error,
                description,
                self.state.as_deref(),
            ),
        }
    }

    /// The OAuth part of the tokens this request yields.
    fn oauth_grant(&self) -> OAuthGrant {
        OAuthGrant {
            scopes: self.scopes.clone(),
            nonce: self.nonce.clone(),
        }
    }
}

/// After a sign-in (or with a valid session): a code (response_type=code) or tokens in the fragment (token);
/// returns the Location to 302 to.
pub(crate) fn grant(
    issuer: &Issuer,
    req: &AuthorizeRequest,
    who: &SignedIn,
) -> Result<String, AuthorizeError> {
    grant_at(issuer, req, who, ids::now())
}

/// [`grant`] at `now` (tests age codes with it).
pub(crate) fn grant_at(
    issuer: &Issuer,
    req: &AuthorizeRequest,
    who: &SignedIn,
    now: i64,
) -> Result<String, AuthorizeError> {
    let server_error = |_: Error| req.error("server_error", None);
    if who.pool_id != req.ctx.pool.id {
        return Err(page("The session belongs to another user pool."));
    }
    let user = issuer
        .read(|c| Ok(user_rows::get_user_by_sub(c, &who.pool_id, &who.sub)?))
        .map_err(server_error)?;
    let user = match user {
        Some(u) if u.enabled => u,
        Some(_) => return Err(page("User is disabled.")),
        None => return Err(page("User does not exist.")),
    };
    let state = req.state.as_deref();
    match req.response_type {
        ResponseType::Code => {
            let code = ids::opaque_token(32);
            let row = code_rows::CodeRow {
                code_hash: ids::sha256_hex(&code),
                pool_id: who.pool_id.clone(),
                client_id: req.ctx.client.client_id.clone(),
                sub: user.sub,
                redirect_uri: req.redirect_uri.clone(),
                scopes: req.scopes.join(" "),
                nonce: req.nonce.clone(),
                code_challenge: req.code_challenge.clone(),
                auth_time: who.auth_time,
                expires_at: now + CODE_TTL,
                consumed_at: None,
                origin_jti: None,
            };
            issuer
                .write(|tx| Ok(code_rows::insert(tx, &row, now)?))
                .map_err(server_error)?;
            let mut pairs = vec![("code", code.as_str())];
            if let Some(s) = state {
                pairs.push(("state", s));
            }
            Ok(with_params(&req.redirect_uri, &pairs, false))
        }
        ResponseType::Token => {
            let oauth = req.oauth_grant();
            let how = Issue {
                oauth: Some(&oauth),
                auth_time: who.auth_time,
                device_key: None,
            };
            // The sign-in is recorded (its refresh token, never handed out
            // by the implicit grant, lets it be revoked and checked).
            let tokens =
                issue::issue(issuer, &req.ctx, &user, how, |_, _| Ok(())).map_err(|e| {
                    match super::lambda_refusal(&e) {
                        Some(r) => req.error("invalid_request", r.description.as_deref()),
                        None => server_error(e),
                    }
                })?;
            let expires = tokens.expires_in.to_string();
            let mut pairs = vec![("access_token", tokens.access_token.as_str())];
            if let Some(id) = &tokens.id_token {
                pairs.push(("id_token", id.as_str()));
            }
            // Cognito writes `bearer` in lowercase in the fragment.
            pairs.push(("token_type", "bearer"));
            pairs.push(("expires_in", expires.as_str()));
            if let Some(s) = state {
                pairs.push(("state", s));
            }
            Ok(with_params(&req.redirect_uri, &pairs, true))
        }
    }
}
