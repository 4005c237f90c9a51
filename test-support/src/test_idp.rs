//! A loopback OpenID Connect identity provider for the ALB-mode tests: the
//! endpoints an Application Load Balancer's `authenticate-oidc` action talks
//! to, with a login that happens instantly and knobs for what can go wrong.
//!
//! - `GET /.well-known/openid-configuration`: discovery (issuer = the base URL).
//! - `GET /oauth2/authorize`: "logs in" the current [`IdpUser`] at once: 302
//!   back to `redirect_uri` with `code` and `state` (or `error=access_denied`).
//! - `POST /oauth2/token`: `authorization_code` (single use, bound to the
//!   redirect URI) and `refresh_token` (refusable), client authentication by
//!   HTTP Basic or form secret; tokens are Cognito-shaped JWTs minted by the
//!   [`TestKey`](crate::test_issuer::TestKey) given at start, so a verifier
//!   trusting that pool accepts the access tokens.
//! - `GET /oauth2/userInfo`: the user's claims for a live access token.
//! - `GET /logout`: 302 to `logout_uri` when given.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::header::{AUTHORIZATION, CONTENT_TYPE, LOCATION};
use hyper::{Request, Response, StatusCode};
use serde_json::{Map, Value, json};

use crate::test_issuer::now;

/// Signs a claim set into a token.
pub type Minter = Arc<dyn Fn(&Value) -> String + Send + Sync>;

/// Who the next login signs in as.
#[derive(Debug, Clone, PartialEq)]
pub struct IdpUser {
    /// `sub`.
    pub sub: String,
    /// `username` (access token) and `cognito:username` (ID token).
    pub username: String,
    /// `email`.
    pub email: String,
    /// `cognito:groups` of the access token.
    pub groups: Vec<String>,
    /// More userInfo claims (e.g. a large attribute).
    pub extra: Map<String, Value>,
}

impl Default for IdpUser {
    fn default() -> Self {
        IdpUser {
            sub: "11111111-2222-3333-4444-555555555555".to_owned(),
            username: "alice".to_owned(),
            email: "alice@example.com".to_owned(),
            groups: vec!["admin".to_owned()],
            extra: Map::new(),
        }
    }
}

/// How many times each endpoint was called.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct IdpCalls {
    /// `/oauth2/authorize`.
    pub authorize: usize,
    /// `/oauth2/token` with `grant_type=authorization_code`.
    pub code: usize,
    /// `/oauth2/token` with `grant_type=refresh_token`.
    pub refresh: usize,
    /// `/oauth2/userInfo`.
    pub userinfo: usize,
    /// `/logout`.
    pub logout: usize,
}

struct Grant {
    user: IdpUser,
    nonce: Option<String>,
    redirect_uri: String,
    scope: String,
}

#[derive(Default)]
struct Knobs {
    user: IdpUser,
    access_ttl: i64,
    refuse_login: bool,
    refuse_refresh: bool,
    token_delay: Duration,
    last_authorize: Option<String>,
}

struct State {
    base: String,
    iss: String,
    client_id: String,
    client_secret: String,
    mint: Minter,
    knobs: Mutex<Knobs>,
    codes: Mutex<HashMap<String, Grant>>,
    refresh_tokens: Mutex<HashMap<String, (IdpUser, String)>>,
    access_tokens: Mutex<HashMap<String, IdpUser>>,
    counter: AtomicU64,
    calls: [AtomicUsize; 5],
}

/// A running loopback identity provider; stops when dropped.
pub struct TestIdp {
    state: Arc<State>,
    addr: SocketAddr,
    task: tokio::task::JoinHandle<()>,
}

impl TestIdp {
    /// Starts the IdP on a free loopback port. Tokens carry `iss` and are
    /// signed by `mint`; the client must authenticate as `client_id` /
    /// `client_secret`.
    pub async fn start(mint: Minter, iss: &str, client_id: &str, client_secret: &str) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind loopback");
        let addr = listener.local_addr().expect("local addr");
        let state = Arc::new(State {
            base: format!("http://{addr}"),
            iss: iss.to_owned(),
            client_id: client_id.to_owned(),
            client_secret: client_secret.to_owned(),
            mint,
            knobs: Mutex::new(Knobs {
                access_ttl: 3600,
                ..Knobs::default()
            }),
            codes: Mutex::default(),
            refresh_tokens: Mutex::default(),
            access_tokens: Mutex::default(),
            counter: AtomicU64::new(0),
            calls: Default::default(),
        });
        let served = state.clone();
        let task = tokio::spawn(crate::loopback::serve(listener, move |request| {
            let state = served.clone();
            async move { serve(&state, request).await }
        }));
        TestIdp { state, addr, task }
    }

    /// The base URL, which is also the discovery issuer.
    pub fn url(&self) -> String {
        self.state.base.clone()
    }

    /// The listening address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The user the next login signs in as.
    pub fn set_user(&self, user: IdpUser) {
        self.knobs().user = user;
    }

    /// Lifetime of access (and ID) tokens issued from now on, in seconds;
    /// zero or negative issues tokens that are already expired.
    pub fn set_access_ttl(&self, seconds: i64) {
        self.knobs().access_ttl = seconds;
    }

    /// Whether `/oauth2/authorize` answers `error=access_denied`.
    pub fn refuse_login(&self, refuse: bool) {
        self.knobs().refuse_login = refuse;
    }

    /// Whether refresh-token grants are refused (`invalid_grant`).
    pub fn refuse_refresh(&self, refuse: bool) {
        self.knobs().refuse_refresh = refuse;
    }

    /// A delay before every `/oauth2/token` answer (to overlap requests).
    pub fn set_token_delay(&self, delay: Duration) {
        self.knobs().token_delay = delay;
    }

    /// The query string of the last `/oauth2/authorize` request.
    pub fn last_authorize_query(&self) -> Option<String> {
        self.knobs().last_authorize.clone()
    }

    /// The endpoint call counts so far.
    pub fn calls(&self) -> IdpCalls {
        let c = |i: usize| self.state.calls[i].load(Ordering::SeqCst);
        IdpCalls {
            authorize: c(0),
            code: c(1),
            refresh: c(2),
            userinfo: c(3),
            logout: c(4),
        }
    }

    fn knobs(&self) -> std::sync::MutexGuard<'_, Knobs> {
        self.state.knobs.lock().unwrap()
    }
}

impl Drop for TestIdp {
    fn drop(&mut self) {
        self.task.abort();
    }
}

type Answer = Response<Full<Bytes>>;

fn answer(status: u16, content_type: &str, body: String) -> Answer {
    Response::builder()
        .status(StatusCode::from_u16(status).expect("status"))
        .header(CONTENT_TYPE, content_type)
        .header("cache-control", "no-store")
        .body(Full::from(body))
        .expect("valid response")
}

fn json_answer(status: u16, body: Value) -> Answer {
    answer(status, "application/json", body.to_string())
}

fn redirect(location: &str) -> Answer {
    Response::builder()
        .status(StatusCode::FOUND)
        .header(LOCATION, location)
        .body(Full::default())
        .expect("valid response")
}

fn form(text: &str) -> HashMap<String, String> {
    url::form_urlencoded::parse(text.as_bytes())
        .into_owned()
        .collect()
}

async fn serve(state: &State, request: Request<Incoming>) -> Answer {
    let path = request.uri().path().to_owned();
    let query = request.uri().query().unwrap_or("").to_owned();
    match (request.method().as_str(), path.as_str()) {
        ("GET", "/.well-known/openid-configuration") => discovery(state),
        ("GET", "/oauth2/authorize") => authorize(state, &query),
        ("POST", "/oauth2/token") => token(state, request).await,
        ("GET", "/oauth2/userInfo") => userinfo(state, &request),
        ("GET", "/logout") => {
            state.calls[4].fetch_add(1, Ordering::SeqCst);
            match form(&query).get("logout_uri") {
                Some(to) => redirect(to),
                None => answer(200, "text/plain", "signed out".to_owned()),
            }
        }
        _ => answer(404, "text/plain", "not found".to_owned()),
    }
}

fn discovery(state: &State) -> Answer {
    let base = &state.base;
    json_answer(
        200,
        json!({
            "issuer": base,
            "authorization_endpoint": format!("{base}/oauth2/authorize"),
            "token_endpoint": format!("{base}/oauth2/token"),
            "userinfo_endpoint": format!("{base}/oauth2/userInfo"),
            "end_session_endpoint": format!("{base}/logout"),
            "jwks_uri": format!("{base}/.well-known/jwks.json"),
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
        }),
    )
}

fn authorize(state: &State, query: &str) -> Answer {
    state.calls[0].fetch_add(1, Ordering::SeqCst);
    let params = form(query);
    let (user, refuse) = {
        let mut knobs = state.knobs.lock().unwrap();
        knobs.last_authorize = Some(query.to_owned());
        (knobs.user.clone(), knobs.refuse_login)
    };
    let (Some(redirect_uri), Some(client_id)) =
        (params.get("redirect_uri"), params.get("client_id"))
    else {
        return answer(
            400,
            "text/plain",
            "redirect_uri and client_id are required".to_owned(),
        );
    };
    if *client_id != state.client_id
        || params.get("response_type").map(String::as_str) != Some("code")
    {
        return answer(
            400,
            "text/plain",
            "unknown client or response type".to_owned(),
        );
    }
    let state_param = params.get("state").cloned().unwrap_or_default();
    let mut to = url::Url::parse(redirect_uri).expect("absolute redirect_uri");
    if refuse {
        to.query_pairs_mut()
            .append_pair("error", "access_denied")
            .append_pair("state", &state_param);
        return redirect(to.as_str());
    }
    let code = format!("code-{}", state.counter.fetch_add(1, Ordering::SeqCst));
    state.codes.lock().unwrap().insert(
        code.clone(),
        Grant {
            user,
            nonce: params.get("nonce").cloned(),
            redirect_uri: redirect_uri.clone(),
            scope: params
                .get("scope")
                .cloned()
                .unwrap_or_else(|| "openid".to_owned()),
        },
    );
    to.query_pairs_mut()
        .append_pair("code", &code)
        .append_pair("state", &state_param);
    redirect(to.as_str())
}

fn client_authenticated(
    state: &State,
    authorization: Option<&str>,
    params: &HashMap<String, String>,
) -> bool {
    let expected = format!("{}:{}", state.client_id, state.client_secret);
    match authorization.and_then(|a| a.strip_prefix("Basic ")) {
        Some(basic) => STANDARD.decode(basic).ok().as_deref() == Some(expected.as_bytes()),
        None => {
            params.get("client_id") == Some(&state.client_id)
                && params.get("client_secret") == Some(&state.client_secret)
        }
    }
}

async fn token(state: &State, request: Request<Incoming>) -> Answer {
    let authorization = request
        .headers()
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let Ok(body) = request.into_body().collect().await else {
        return answer(400, "text/plain", "unreadable body".to_owned());
    };
    let params = form(&String::from_utf8_lossy(&body.to_bytes()));
    let delay = state.knobs.lock().unwrap().token_delay;
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    if !client_authenticated(state, authorization.as_deref(), &params) {
        return json_answer(401, json!({"error": "invalid_client"}));
    }
    let invalid_grant = || json_answer(400, json!({"error": "invalid_grant"}));
    match params.get("grant_type").map(String::as_str) {
        Some("authorization_code") => {
            state.calls[1].fetch_add(1, Ordering::SeqCst);
            let grant = params
                .get("code")
                .and_then(|code| state.codes.lock().unwrap().remove(code));
            match grant {
                Some(grant) if params.get("redirect_uri") == Some(&grant.redirect_uri) => {
                    json_answer(
                        200,
                        issue(
                            state,
                            &grant.user,
                            grant.nonce.as_deref(),
                            &grant.scope,
                            true,
                        ),
                    )
                }
                _ => invalid_grant(),
            }
        }
        Some("refresh_token") => {
            state.calls[2].fetch_add(1, Ordering::SeqCst);
            if state.knobs.lock().unwrap().refuse_refresh {
                return invalid_grant();
            }
            let known = params
                .get("refresh_token")
                .and_then(|t| state.refresh_tokens.lock().unwrap().get(t).cloned());
            match known {
                Some((user, scope)) => json_answer(200, issue(state, &user, None, &scope, false)),
                None => invalid_grant(),
            }
        }
        _ => json_answer(400, json!({"error": "unsupported_grant_type"})),
    }
}

/// The token response for `user`: access and ID tokens, and a refresh token
/// on the code grant (as Cognito, which does not rotate by default).
fn issue(
    state: &State,
    user: &IdpUser,
    nonce: Option<&str>,
    scope: &str,
    with_refresh: bool,
) -> Value {
    let ttl = state.knobs.lock().unwrap().access_ttl;
    let now = now();
    let n = state.counter.fetch_add(1, Ordering::SeqCst);
    let mut access = json!({
        "sub": user.sub, "iss": state.iss, "client_id": state.client_id,
        "origin_jti": format!("origin-{n}"), "event_id": format!("event-{n}"),
        "token_use": "access", "scope": scope, "auth_time": now,
        "exp": now + ttl, "iat": now - 1, "jti": format!("access-{n}"),
        "username": user.username,
    });
    if !user.groups.is_empty() {
        access["cognito:groups"] = json!(user.groups);
    }
    let mut id = json!({
        "sub": user.sub, "iss": state.iss, "aud": state.client_id, "token_use": "id",
        "cognito:username": user.username, "email": user.email, "email_verified": true,
        "auth_time": now, "exp": now + ttl, "iat": now - 1, "jti": format!("id-{n}"),
    });
    if let Some(nonce) = nonce {
        id["nonce"] = json!(nonce);
    }
    let access_token = (state.mint)(&access);
    state
        .access_tokens
        .lock()
        .unwrap()
        .insert(access_token.clone(), user.clone());
    let mut body = json!({
        "access_token": access_token,
        "id_token": (state.mint)(&id),
        "token_type": "Bearer",
        "expires_in": ttl,
    });
    if with_refresh {
        let refresh = format!("refresh-{n}");
        state
            .refresh_tokens
            .lock()
            .unwrap()
            .insert(refresh.clone(), (user.clone(), scope.to_owned()));
        body["refresh_token"] = json!(refresh);
    }
    body
}

fn userinfo(state: &State, request: &Request<Incoming>) -> Answer {
    state.calls[3].fetch_add(1, Ordering::SeqCst);
    let bearer = request
        .headers()
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    let user = bearer.and_then(|t| state.access_tokens.lock().unwrap().get(t).cloned());
    match user {
        Some(user) => {
            let mut claims = json!({
                "sub": user.sub,
                "email_verified": "true",
                "email": user.email,
                "username": user.username,
            });
            if let Some(object) = claims.as_object_mut() {
                object.extend(user.extra);
            }
            json_answer(200, claims)
        }
        None => json_answer(401, json!({"error": "invalid_token"})),
    }
}
