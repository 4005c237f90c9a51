//! How authenticate mode decides on a request: the callback, the logout
//! path, bearer tokens (opt-in), session requests, and the answer to a
//! request without a session.

use std::borrow::Cow;
use std::sync::Arc;

use bytes::Bytes;
use serde_json::Value;
use url::form_urlencoded;

use super::config::{AlbAuth, NONCE_COOKIE, OnUnauthenticated};
use super::cookies::{self, CookieAttrs, Joined};
use super::logout;
use super::oidc::{IdpError, unix_now};
use super::opened::{Opened, shared_bytes};
use super::refresh::RefreshFailure;
use super::session::Session;
use super::signer::DataHeader;
use super::state::{LoginState, new_nonce};
use super::visit::Visit;
use crate::claims::CognitoClaims;
use crate::error::{ErrorCategory, VerifyError};
use crate::gate::{Admitted, AuthContext, Gate, HeaderView, Rejection, RequestHead};

/// What is left to do after the synchronous part.
enum Step {
    Done(Result<Admitted, Rejection>),
    Callback,
    Bearer,
    /// The access token expired: refresh, then admit.
    Refresh(Session),
    /// The access token is not in the verifier's cache: verify, then admit.
    Verify(Session),
}

/// [`Gate::admit_now`] in authenticate mode.
pub(crate) fn admit_now<H: HeaderView>(
    gate: &Gate,
    auth: &AlbAuth,
    head: &RequestHead<'_, H>,
) -> Option<Result<Admitted, Rejection>> {
    let visit = Visit::read(auth, head);
    match step(gate, auth, &visit) {
        Step::Done(result) => Some(result),
        Step::Bearer => gate
            .authenticate_now(
                head.headers.values(gate.source.header_name()),
                std::iter::empty(),
            )
            .map(|r| r.map(Admitted::plain)),
        Step::Callback | Step::Refresh(_) | Step::Verify(_) => None,
    }
}

/// [`Gate::admit`] in authenticate mode.
pub(crate) async fn admit<H: HeaderView + Sync>(
    gate: &Gate,
    auth: &AlbAuth,
    head: &RequestHead<'_, H>,
) -> Result<Admitted, Rejection> {
    let visit = Visit::read(auth, head);
    match step(gate, auth, &visit) {
        Step::Done(result) => result,
        Step::Bearer => {
            // Found before the await: no header iterator lives across it.
            let presented = gate.source.find(
                head.headers.values(gate.source.header_name()),
                std::iter::empty(),
            );
            gate.decide(gate.verdict(presented).await)
                .map(Admitted::plain)
        }
        Step::Callback => super::callback::run(auth, &visit_parts(&visit)).await,
        Step::Verify(session) => {
            let identity = identity(gate, auth, &session).await;
            let text = match &visit.session {
                Joined::Value(text) => Some(&**text),
                Joined::Missing | Joined::Broken => None,
            };
            admit_session(gate, auth, &visit, (session, text), identity, Vec::new())
        }
        Step::Refresh(session) => refreshed(gate, auth, &visit, session).await,
    }
}

fn step(gate: &Gate, auth: &AlbAuth, visit: &Visit<'_>) -> Step {
    if visit.path == auth.callback_path {
        return Step::Callback;
    }
    if let Some((path, uri)) = &auth.logout
        && visit.path == path
    {
        return Step::Done(Err(logout::answer(
            auth,
            &visit.session,
            uri.as_deref(),
            visit.secure(),
        )));
    }
    if visit.bearer {
        return Step::Bearer;
    }
    let text = match &visit.session {
        Joined::Missing => return Step::Done(unauthenticated(gate, auth, visit, false, false)),
        Joined::Broken => return Step::Done(unauthenticated(gate, auth, visit, false, true)),
        Joined::Value(text) => text,
    };
    if let Some(result) = from_cache(gate, auth, visit, text) {
        return Step::Done(result);
    }
    let Some(session) = Session::open(&auth.keys, &auth.session_cookie, text) else {
        return Step::Done(unauthenticated(gate, auth, visit, false, true));
    };
    if auth.revoked.contains(&session.sid) {
        return Step::Done(unauthenticated(gate, auth, visit, false, true));
    }
    if session.expires <= visit.now {
        return Step::Done(unauthenticated(gate, auth, visit, true, true));
    }
    if session.access_exp <= visit.now {
        return match session.refresh_token {
            Some(_) => Step::Refresh(session),
            None => Step::Done(unauthenticated(gate, auth, visit, true, true)),
        };
    }
    match identity_now(gate, auth, &session) {
        Some(identity) => Step::Done(admit_session(
            gate,
            auth,
            visit,
            (session, Some(text)),
            identity,
            Vec::new(),
        )),
        None => Step::Verify(session),
    }
}

/// A session request answered from the opened sessions: no decryption, no
/// parsing, no signature. `None` takes the full path, which also decides
/// every refusal (revoked, access token refused, ended).
fn from_cache(
    gate: &Gate,
    auth: &AlbAuth,
    visit: &Visit<'_>,
    text: &str,
) -> Option<Result<Admitted, Rejection>> {
    let opened = auth.opened.get(text, visit.now)?;
    if auth.revoked.contains(&opened.sid) {
        return None;
    }
    let claims = match &opened.userinfo {
        Some(claims) => claims.clone(),
        None => gate
            .verifier
            .verify_cached(&opened.access_token, &gate.policy)?
            .ok()?,
    };
    Some(Ok(Admitted {
        auth: AuthContext {
            claims: Some(claims),
            preset: gate.preset,
        },
        request_headers: vec![
            (
                "x-amzn-oidc-accesstoken",
                opened.access_token_header.clone(),
            ),
            ("x-amzn-oidc-identity", opened.sub.clone()),
            ("x-amzn-oidc-data", opened.data.clone()),
        ],
        response_headers: Vec::new(),
    }))
}

/// The claims of a session without waiting; `None` when the access token
/// needs a full verification.
fn identity_now(
    gate: &Gate,
    auth: &AlbAuth,
    session: &Session,
) -> Option<Result<CognitoClaims, VerifyError>> {
    if auth.verify_access_token {
        gate.verifier
            .verify_cached(&session.access_token, &gate.policy)
    } else {
        Some(userinfo_claims(auth, session))
    }
}

async fn identity(
    gate: &Gate,
    auth: &AlbAuth,
    session: &Session,
) -> Result<CognitoClaims, VerifyError> {
    if auth.verify_access_token {
        gate.verifier
            .verify_with(&session.access_token, &gate.policy)
            .await
    } else {
        userinfo_claims(auth, session)
    }
}

/// The userInfo claims with `iss` and `exp` (the access token's), typed.
pub(crate) fn userinfo_claims(
    auth: &AlbAuth,
    session: &Session,
) -> Result<CognitoClaims, VerifyError> {
    CognitoClaims::from_oidc_claims(data_payload(auth, session)).map_err(VerifyError::from)
}

/// The payload of `x-amzn-oidc-data`: the userInfo claims, `exp` and `iss`.
fn data_payload(auth: &AlbAuth, session: &Session) -> serde_json::Map<String, Value> {
    let mut payload = session.userinfo.clone();
    payload.insert("exp".into(), Value::from(session.access_exp));
    payload.insert("iss".into(), Value::from(auth.oidc.idp.issuer()));
    payload
}

/// An admitted session request: the three `x-amzn-oidc-*` headers. The
/// session is remembered as opened under its cookie text, when given.
fn admit_session(
    gate: &Gate,
    auth: &AlbAuth,
    visit: &Visit<'_>,
    (session, text): (Session, Option<&str>),
    identity: Result<CognitoClaims, VerifyError>,
    response_headers: Vec<(&'static str, String)>,
) -> Result<Admitted, Rejection> {
    let claims = match identity {
        Ok(claims) => claims,
        // The token itself is refused (revoked, ...): the session is over.
        Err(error) if error.category() == ErrorCategory::Authentication => {
            return unauthenticated(gate, auth, visit, true, true);
        }
        Err(error) => {
            return Err(gate
                .preset
                .rejection(&error, gate.retry_after_secs, gate.scopes.as_ref()));
        }
    };
    let data = auth.data_cache.get_or_sign(&session, || {
        let header = DataHeader {
            iss: auth.oidc.idp.issuer().to_owned(),
            client: auth.oidc.client_id.clone(),
            signer: auth.signer_arn.clone(),
            exp: session.access_exp,
        };
        let payload = serde_json::to_string(&data_payload(auth, &session))
            .map_err(|_| super::seal::CryptoError)?;
        auth.signer.sign(&header, &payload)
    });
    let Ok(data) = data else {
        return Err(plain(500, "alb_internal_error", "Internal Server Error"));
    };
    let access_text: Arc<str> = Arc::from(session.access_token.as_str());
    let access_token = shared_bytes(access_text.clone());
    let sub = Bytes::from(session.sub.clone());
    let data = shared_bytes(data);
    if let Some(text) = text {
        auth.opened.insert(
            text,
            Opened {
                sid: session.sid.as_str().into(),
                until: session.access_exp.min(session.expires),
                access_token: access_text,
                access_token_header: access_token.clone(),
                sub: sub.clone(),
                data: data.clone(),
                userinfo: (!auth.verify_access_token).then(|| claims.clone()),
            },
        );
    }
    Ok(Admitted {
        auth: AuthContext {
            claims: Some(claims),
            preset: gate.preset,
        },
        request_headers: vec![
            ("x-amzn-oidc-accesstoken", access_token),
            ("x-amzn-oidc-identity", sub),
            ("x-amzn-oidc-data", data),
        ],
        response_headers,
    })
}

async fn refreshed(
    gate: &Gate,
    auth: &AlbAuth,
    visit: &Visit<'_>,
    session: Session,
) -> Result<Admitted, Rejection> {
    let session = match auth.refreshes.refresh(auth, &session).await {
        Ok(session) => session,
        Err(RefreshFailure::Refused) => return unauthenticated(gate, auth, visit, true, true),
        Err(RefreshFailure::Unavailable) => {
            return Err(plain(500, "alb_idp_unavailable", "Internal Server Error"));
        }
    };
    let Ok(set_cookies) = session_cookies(auth, &session, &visit.attrs()) else {
        return unauthenticated(gate, auth, visit, true, true);
    };
    let identity = identity(gate, auth, &session).await;
    let headers = set_cookies.into_iter().map(|c| ("set-cookie", c)).collect();
    // Not cached: the request carried the old cookie, not this session's.
    admit_session(gate, auth, visit, (session, None), identity, headers)
}

/// `Set-Cookie` values storing `session`: its shards, then the expiry of
/// any shard a longer session left behind. `Err` when over 4 shards.
pub(crate) fn session_cookies(
    auth: &AlbAuth,
    session: &Session,
    attrs: &CookieAttrs,
) -> Result<Vec<String>, ()> {
    let sealed = session
        .seal(&auth.keys, &auth.session_cookie)
        .map_err(|_| ())?;
    let shards = cookies::shard(&auth.session_cookie, &sealed).map_err(|_| ())?;
    let live = attrs
        .clone()
        .max_age(session.expires.saturating_sub(unix_now()).max(0) as u64);
    let mut out: Vec<String> = shards
        .iter()
        .map(|(name, value)| cookies::set(name, value, &live))
        .collect();
    out.extend(cookies::expire_shards(
        &auth.session_cookie,
        shards.len(),
        attrs,
    ));
    Ok(out)
}

/// The answer to a request without a usable session. `ended`: a session
/// existed but is over (timeout, access token expired and not refreshable),
/// which redirects even when the action is `deny`, as ALB does. `expire`:
/// the request carried session shards to delete.
fn unauthenticated(
    gate: &Gate,
    auth: &AlbAuth,
    visit: &Visit<'_>,
    ended: bool,
    expire: bool,
) -> Result<Admitted, Rejection> {
    let attrs = visit.attrs();
    let expired = if expire {
        cookies::expire_shards(&auth.session_cookie, 0, &attrs)
    } else {
        Vec::new()
    };
    let action = match auth.on_unauthenticated {
        OnUnauthenticated::Deny if ended => OnUnauthenticated::Authenticate,
        action => action,
    };
    match action {
        OnUnauthenticated::Allow => Ok(Admitted {
            auth: AuthContext {
                claims: None,
                preset: gate.preset,
            },
            request_headers: Vec::new(),
            response_headers: expired.into_iter().map(|c| ("set-cookie", c)).collect(),
        }),
        OnUnauthenticated::Deny => Err(with_cookies(
            plain(401, "alb_unauthenticated", "Unauthorized"),
            expired,
        )),
        OnUnauthenticated::Authenticate if auth.api_requests_get_401 && !visit.navigates => Err(
            with_cookies(plain(401, "alb_unauthenticated", "Unauthorized"), expired),
        ),
        OnUnauthenticated::Authenticate => Err(login_redirect(auth, visit, expired)),
    }
}

/// 302 to the authorization endpoint, with a fresh nonce (cookie) and state.
fn login_redirect(auth: &AlbAuth, visit: &Visit<'_>, expired: Vec<String>) -> Rejection {
    let Some(origin) = visit.origin() else {
        return plain(400, "alb_no_host", "Bad Request");
    };
    let sealed = new_nonce().and_then(|nonce| {
        let state = LoginState::new(&nonce, visit.target, visit.now).seal(&auth.keys)?;
        Ok((nonce, state))
    });
    let Ok((nonce, state)) = sealed else {
        return plain(500, "alb_internal_error", "Internal Server Error");
    };
    let mut query = form_urlencoded::Serializer::new(String::new());
    query
        .append_pair("response_type", "code")
        .append_pair("client_id", &auth.oidc.client_id)
        .append_pair("redirect_uri", &format!("{origin}{}", auth.callback_path))
        .append_pair("scope", &auth.scope)
        .append_pair("state", &state)
        .append_pair("nonce", &nonce);
    for (name, value) in &auth.extra_params {
        query.append_pair(name, value);
    }
    let endpoint = auth.oidc.idp.authorization_endpoint();
    let sep = if endpoint.contains('?') { '&' } else { '?' };
    let mut headers = vec![(
        "location",
        Cow::Owned(format!("{endpoint}{sep}{}", query.finish())),
    )];
    headers.extend(expired.into_iter().map(|c| ("set-cookie", Cow::Owned(c))));
    headers.push((
        "set-cookie",
        Cow::Owned(cookies::set(
            NONCE_COOKIE,
            &nonce,
            &visit.attrs().max_age(900),
        )),
    ));
    headers.push(("cache-control", Cow::Borrowed("no-store")));
    Rejection {
        status: 302,
        headers,
        body: Cow::Borrowed(""),
        reason: "alb_login_redirect",
    }
}

/// A JSON answer `{"message": ...}` that is never cached.
pub(crate) fn plain(status: u16, reason: &'static str, message: &str) -> Rejection {
    Rejection {
        status,
        headers: vec![
            ("content-type", Cow::Borrowed("application/json")),
            ("cache-control", Cow::Borrowed("no-store")),
        ],
        body: Cow::Owned(serde_json::json!({ "message": message }).to_string()),
        reason,
    }
}

pub(crate) fn with_cookies(mut rejection: Rejection, set_cookies: Vec<String>) -> Rejection {
    rejection.headers.extend(
        set_cookies
            .into_iter()
            .map(|c| ("set-cookie", Cow::Owned(c))),
    );
    rejection
}

/// What the callback needs of the visit (owned, simple).
pub(crate) struct CallbackVisit<'a> {
    pub(crate) now: i64,
    pub(crate) query: Option<&'a str>,
    pub(crate) origin: Option<Cow<'a, str>>,
    pub(crate) nonce: Option<&'a str>,
    pub(crate) attrs: CookieAttrs,
}

fn visit_parts<'v>(visit: &'v Visit<'_>) -> CallbackVisit<'v> {
    CallbackVisit {
        now: visit.now,
        query: visit.query,
        origin: visit.origin(),
        nonce: visit.nonce,
        attrs: visit.attrs(),
    }
}

/// How an IdP failure answers: refused = 561 (ALB's "the IdP returned an
/// error"), anything else = 500 (ALB's "could not talk to the IdP").
pub(crate) fn idp_failure(error: &IdpError) -> Rejection {
    tracing::debug!(%error, "alb login failed at the identity provider");
    match error {
        IdpError::Refused(_) => plain(561, "alb_code_rejected", "Unauthorized"),
        _ => plain(500, "alb_idp_unavailable", "Internal Server Error"),
    }
}
