//! The callback (`/oauth2/idpresponse`): the IdP sends the browser back with
//! `code` and `state`; the gate checks the login, redeems the code, reads
//! userInfo, and starts the session.

use std::borrow::Cow;

use url::form_urlencoded;

use super::config::{AlbAuth, NONCE_COOKIE};
use super::cookies;
use super::flow::{
    CallbackVisit, idp_failure, plain, session_cookies, userinfo_claims, with_cookies,
};
use super::oidc::check_id_token;
use super::session::Session;
use super::state::LoginState;
use crate::gate::{Admitted, Rejection};

/// The callback's answer: a 302 to the page the login started from with the
/// session cookies, or a refusal. Never an admission (the callback is the
/// gate's own endpoint).
pub(crate) async fn run(auth: &AlbAuth, visit: &CallbackVisit<'_>) -> Result<Admitted, Rejection> {
    let expire_nonce = || vec![cookies::expire(NONCE_COOKIE, &visit.attrs)];
    let refuse =
        |reason, status| with_cookies(plain(status, reason, "Unauthorized"), expire_nonce());
    let Some(params) = Params::parse(visit.query.unwrap_or("")) else {
        return Err(refuse("alb_state_invalid", 401));
    };
    if params.error.is_some() {
        return Err(refuse("alb_idp_error", 561));
    }
    let Some(state) = params.state else {
        return Err(refuse("alb_state_missing", 401));
    };
    let Some(state) = LoginState::open(&auth.keys, &state, visit.now) else {
        return Err(refuse("alb_state_invalid", 401));
    };
    let Some(nonce) = visit.nonce else {
        return Err(refuse("alb_nonce_missing", 401));
    };
    if !state.matches_nonce(nonce) {
        return Err(refuse("alb_nonce_invalid", 401));
    }
    // Claimed before the code is redeemed: a replay (or a race) never
    // reaches the token endpoint.
    let fresh = auth
        .used_states
        .entry(state.nonce_hash.clone())
        .or_insert(())
        .is_fresh();
    if !fresh {
        return Err(refuse("alb_state_replayed", 401));
    }
    let (Some(code), Some(origin)) = (params.code, visit.origin.as_deref()) else {
        return Err(refuse("alb_code_missing", 401));
    };
    let redirect_uri = format!("{origin}{}", auth.callback_path);
    let tokens = match auth.oidc.redeem(&code, &redirect_uri).await {
        Ok(tokens) => tokens,
        Err(error) => return Err(with_cookies(idp_failure(&error), expire_nonce())),
    };
    let issuer = auth.oidc.idp.issuer();
    let checked = tokens
        .id_token
        .as_deref()
        .ok_or("no id token")
        .and_then(|id| check_id_token(id, issuer, &auth.oidc.client_id, nonce, visit.now));
    let sub = match checked {
        Ok(sub) => sub,
        Err("id token nonce") => return Err(refuse("alb_nonce_invalid", 401)),
        Err(why) => {
            tracing::debug!(why, "alb login: id token refused");
            return Err(refuse("alb_id_token_invalid", 561));
        }
    };
    let userinfo = match auth.oidc.userinfo(&tokens.access_token).await {
        Ok(userinfo) => userinfo,
        Err(error) => return Err(with_cookies(idp_failure(&error), expire_nonce())),
    };
    // OIDC Core 5.3.2: userInfo must be about the ID token's subject.
    if userinfo.get("sub").and_then(|s| s.as_str()) != Some(sub.as_str()) {
        return Err(refuse("alb_userinfo_invalid", 561));
    }
    let Ok(sid) = Session::new_sid() else {
        return Err(plain(500, "alb_internal_error", "Internal Server Error"));
    };
    let session = Session {
        sid,
        sub,
        access_token: tokens.access_token,
        refresh_token: tokens.refresh_token,
        access_exp: tokens.access_exp,
        userinfo,
        created: visit.now,
        expires: visit.now + auth.session_timeout,
    };
    if userinfo_claims(auth, &session).is_err() {
        return Err(refuse("alb_userinfo_invalid", 561));
    }
    let Ok(mut set_cookies) = session_cookies(auth, &session, &visit.attrs) else {
        // ALB: claims too large for 4 cookies -> 500 (ELBAuthUserClaimsSizeExceeded).
        return Err(with_cookies(
            plain(500, "alb_session_too_large", "Internal Server Error"),
            expire_nonce(),
        ));
    };
    set_cookies.extend(expire_nonce());
    let mut headers = vec![("location", Cow::Owned(state.target))];
    headers.extend(
        set_cookies
            .into_iter()
            .map(|c| ("set-cookie", Cow::Owned(c))),
    );
    headers.push(("cache-control", Cow::Borrowed("no-store")));
    Err(Rejection {
        status: 302,
        headers,
        body: Cow::Borrowed(""),
        reason: "alb_login_complete",
    })
}

/// The callback's query: each of `code`, `state`, `error` at most once.
struct Params {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
}

impl Params {
    fn parse(query: &str) -> Option<Params> {
        let mut params = Params {
            code: None,
            state: None,
            error: None,
        };
        for (name, value) in form_urlencoded::parse(query.as_bytes()) {
            let slot = match &*name {
                "code" => &mut params.code,
                "state" => &mut params.state,
                "error" => &mut params.error,
                _ => continue,
            };
            if slot.replace(value.into_owned()).is_some() {
                return None;
            }
        }
        Some(params)
    }
}
