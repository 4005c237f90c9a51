//! The pool domain's OAuth 2.0 endpoints, served on the issuer's own base
//! URL (every pool shares it; the pool is found from the client or token):
//!
//! * `POST /oauth2/token` — `client_credentials` (machine-to-machine access
//!   tokens with custom scopes `<resource-server-id>/<scope>`) and
//!   `refresh_token`; client authentication by HTTP Basic or in the body.
//! * `GET|POST /oauth2/userInfo` — the signed-in user's attributes.
//! * `POST /oauth2/revoke` — revokes a refresh token and, for the issuer's
//!   own checks and the revocation list, every token of its sign-in.
//!
//! and, beyond Cognito, `GET /{poolId}/revocations.json`: the `origin_jti`s
//! of revoked sign-ins, for verifiers that opt into revocation checking
//! (real Cognito has no such endpoint).
//!
//! Responses and errors follow Cognito's: `{"access_token", "id_token"?,
//! "refresh_token"?, "token_type": "Bearer", "expires_in"}` and HTTP 400
//! `{"error": "invalid_request" | "invalid_client" | "invalid_grant" |
//! "unauthorized_client" | "unsupported_grant_type" | "invalid_scope"}`.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use axum::Router;
use axum::extract::rejection::FormRejection;
use axum::extract::{Form, Path as UrlPath, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Value, json};

use crate::api::auth::{FlowContext, run_flow};
use crate::errors::{ApiError, ApiResult};
use crate::ids;
use crate::issuer::Issuer;
use crate::keys::KeyPurpose;
use crate::model::AppClient;
use crate::store::auth as auth_rows;
use crate::store::pools as pool_rows;
use crate::tokens::{self, ADMIN_SCOPE};

/// The OAuth2 routes and the revocation list, with their state applied.
pub fn router(issuer: Arc<Issuer>) -> Router {
    Router::new()
        .route("/oauth2/token", post(token))
        .route("/oauth2/userInfo", get(user_info).post(user_info))
        .route("/oauth2/userinfo", get(user_info).post(user_info))
        .route("/oauth2/revoke", post(revoke))
        .route("/{pool_id}/revocations.json", get(revocations))
        .with_state(issuer)
}

/// The endpoints this module adds to a pool's discovery document.
pub fn discovery_fields(issuer: &Issuer, pool_id: &str) -> Value {
    let base = &issuer.public_url;
    json!({
        "token_endpoint": format!("{base}/oauth2/token"),
        "userinfo_endpoint": format!("{base}/oauth2/userInfo"),
        "revocation_endpoint": format!("{base}/oauth2/revoke"),
        "revocation_list_uri": revocation_list_url(issuer, pool_id),
        "grant_types_supported": ["client_credentials", "refresh_token"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
    })
}

/// The revocation list URL of a pool.
pub fn revocation_list_url(issuer: &Issuer, pool_id: &str) -> String {
    format!("{}/{pool_id}/revocations.json", issuer.public_url)
}

/// An OAuth2 error response (`{"error": ...}`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OAuthError {
    /// HTTP status.
    pub status: u16,
    /// The `error` code.
    pub error: &'static str,
    /// Optional `error_description`.
    pub description: Option<String>,
}

impl OAuthError {
    fn new(error: &'static str) -> Self {
        Self {
            status: 400,
            error,
            description: None,
        }
    }
    fn describe(mut self, d: impl Into<String>) -> Self {
        self.description = Some(d.into());
        self
    }
}

impl IntoResponse for OAuthError {
    fn into_response(self) -> Response {
        let mut body = json!({ "error": self.error });
        if let Some(d) = &self.description {
            body["error_description"] = Value::from(d.clone());
        }
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::BAD_REQUEST);
        let mut resp = (status, body.to_string()).into_response();
        resp.headers_mut().insert(
            "content-type",
            HeaderValue::from_static("application/json;charset=UTF-8"),
        );
        if self.status == 401
            && let Ok(v) = HeaderValue::from_str(&format!(
                "Bearer error=\"{}\", error_description=\"{}\"",
                self.error,
                self.description.as_deref().unwrap_or_default()
            ))
        {
            resp.headers_mut().insert("www-authenticate", v);
        }
        resp
    }
}

fn json_ok(body: Value) -> Response {
    let mut resp = (StatusCode::OK, body.to_string()).into_response();
    resp.headers_mut().insert(
        "content-type",
        HeaderValue::from_static("application/json;charset=UTF-8"),
    );
    resp.headers_mut()
        .insert("cache-control", HeaderValue::from_static("no-store"));
    resp
}

fn internal(e: ApiError) -> Response {
    e.into_response()
}

/// Client credentials from the Basic header or the form body.
fn client_credentials(
    headers: &HeaderMap,
    form: &HashMap<String, String>,
) -> Result<(String, Option<String>), OAuthError> {
    if let Some(auth) = headers.get("authorization").and_then(|v| v.to_str().ok())
        && let Some(b64) = auth
            .strip_prefix("Basic ")
            .or_else(|| auth.strip_prefix("basic "))
    {
        let raw = STANDARD
            .decode(b64.trim())
            .ok()
            .and_then(|b| String::from_utf8(b).ok())
            .ok_or_else(|| OAuthError::new("invalid_client"))?;
        let (id, secret) = raw
            .split_once(':')
            .ok_or_else(|| OAuthError::new("invalid_client"))?;
        return Ok((id.to_string(), Some(secret.to_string())));
    }
    let id = form
        .get("client_id")
        .filter(|s| !s.is_empty())
        .ok_or_else(|| OAuthError::new("invalid_client"))?;
    Ok((id.clone(), form.get("client_secret").cloned()))
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Loads and authenticates the client: clients with a secret must present
/// it.
fn authenticate_client(
    issuer: &Issuer,
    id: &str,
    secret: Option<&str>,
) -> Result<AppClient, OAuthError> {
    let client = issuer
        .store
        .read(|c| pool_rows::get_client(c, id))
        .map_err(|_| OAuthError::new("invalid_client"))?
        .ok_or_else(|| OAuthError::new("invalid_client"))?;
    if let Some(expected) = &client.client_secret {
        let ok = secret.is_some_and(|s| constant_time_eq(s.as_bytes(), expected.as_bytes()));
        if !ok {
            return Err(OAuthError::new("invalid_client"));
        }
    }
    Ok(client)
}

fn str_list(client: &AppClient, key: &str) -> Vec<String> {
    client
        .extra
        .get(key)
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

/// Machine-to-machine access token claims, as Cognito issues them for
/// `client_credentials`: no `username`, `cognito:groups` or `origin_jti`.
pub fn m2m_claims(iss: &str, client: &AppClient, scope: &str, now: i64) -> Value {
    json!({
        "sub": client.client_id,
        "token_use": "access",
        "scope": scope,
        "auth_time": now,
        "iss": iss,
        "exp": now + client.access_ttl(),
        "iat": now,
        "version": 2,
        "jti": ids::uuid(),
        "client_id": client.client_id,
    })
}

fn client_credentials_grant(
    issuer: &Issuer,
    client: &AppClient,
    form: &HashMap<String, String>,
) -> Result<Value, OAuthError> {
    if client.client_secret.is_none() {
        return Err(OAuthError::new("invalid_client"));
    }
    let flows = str_list(client, "AllowedOAuthFlows");
    let enabled = client
        .extra
        .get("AllowedOAuthFlowsUserPoolClient")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    if !enabled || !flows.iter().any(|f| f == "client_credentials") {
        return Err(OAuthError::new("unauthorized_client"));
    }
    let allowed: Vec<String> = str_list(client, "AllowedOAuthScopes")
        .into_iter()
        .filter(|s| s.contains('/'))
        .collect();
    let (pool, style) = issuer
        .pool(&client.user_pool_id)
        .map_err(|_| OAuthError::new("invalid_client"))?;
    let servers = issuer
        .store
        .read(|c| pool_rows::list_resource_servers(c, &pool.id))
        .map_err(|_| OAuthError::new("invalid_request"))?;
    let exists = |s: &str| {
        servers.iter().any(|rs| {
            rs.scopes.iter().any(|sc| {
                sc.get("ScopeName")
                    .and_then(Value::as_str)
                    .is_some_and(|n| format!("{}/{n}", rs.identifier) == s)
            })
        })
    };
    let requested: Vec<String> = match form.get("scope").map(|s| s.trim()) {
        Some(s) if !s.is_empty() => s.split_whitespace().map(str::to_string).collect(),
        _ => allowed.clone(),
    };
    if requested.is_empty() {
        return Err(OAuthError::new("invalid_scope"));
    }
    for s in &requested {
        if !allowed.contains(s) || !exists(s) {
            return Err(OAuthError::new("invalid_scope"));
        }
    }
    let scope = requested.join(" ");
    let iss = issuer.issuer_url(&pool.id, style);
    let now = ids::now();
    let claims = m2m_claims(&iss, client, &scope, now);
    let keys = issuer
        .keys
        .get(&issuer.store, &pool.id)
        .map_err(|_| OAuthError::new("invalid_request"))?;
    let key = keys
        .active(KeyPurpose::Access)
        .map_err(|_| OAuthError::new("invalid_request"))?;
    let access =
        crate::keys::sign_jwt(key, &claims).map_err(|_| OAuthError::new("invalid_request"))?;
    Ok(json!({
        "access_token": access,
        "expires_in": client.access_ttl(),
        "token_type": "Bearer",
    }))
}

fn refresh_grant(
    issuer: &Issuer,
    client: &AppClient,
    form: &HashMap<String, String>,
) -> Result<Value, OAuthError> {
    let token = form
        .get("refresh_token")
        .filter(|t| !t.is_empty())
        .ok_or_else(|| OAuthError::new("invalid_request"))?;
    let (pool, style) = issuer
        .pool(&client.user_pool_id)
        .map_err(|_| OAuthError::new("invalid_client"))?;
    let mut params = BTreeMap::new();
    params.insert("REFRESH_TOKEN".to_string(), token.clone());
    // The client already authenticated with its secret: compute the
    // SECRET_HASH the API flow expects, over the token's subject.
    if let Some(secret) = &client.client_secret {
        let row = issuer
            .store
            .read(|c| auth_rows::get_refresh(c, &ids::sha256_hex(token)))
            .map_err(|_| OAuthError::new("invalid_grant"))?
            .ok_or_else(|| OAuthError::new("invalid_grant"))?;
        params.insert(
            "SECRET_HASH".to_string(),
            crate::secret_hash(secret, &row.sub, &client.client_id),
        );
    }
    let ctx = FlowContext {
        pool,
        style,
        client: client.clone(),
        admin: false,
    };
    let out = run_flow(issuer, &ctx, "REFRESH_TOKEN_AUTH", &params).map_err(|e| {
        if e.type_name == "TooManyRequestsException" {
            OAuthError::new("invalid_request").describe(e.message)
        } else {
            OAuthError::new("invalid_grant")
        }
    })?;
    let r = &out["AuthenticationResult"];
    Ok(json!({
        "id_token": r["IdToken"],
        "access_token": r["AccessToken"],
        "expires_in": r["ExpiresIn"],
        "token_type": "Bearer",
    }))
}

async fn token(
    State(issuer): State<Arc<Issuer>>,
    headers: HeaderMap,
    form: Result<Form<HashMap<String, String>>, FormRejection>,
) -> Response {
    let Ok(Form(form)) = form else {
        return OAuthError::new("invalid_request").into_response();
    };
    let res = tokio::task::spawn_blocking(move || {
        let grant = form
            .get("grant_type")
            .filter(|g| !g.is_empty())
            .ok_or_else(|| OAuthError::new("invalid_request"))?
            .clone();
        let (id, secret) = client_credentials(&headers, &form)?;
        let client = authenticate_client(&issuer, &id, secret.as_deref())?;
        match grant.as_str() {
            "client_credentials" => client_credentials_grant(&issuer, &client, &form),
            "refresh_token" => refresh_grant(&issuer, &client, &form),
            _ => Err(OAuthError::new("unsupported_grant_type")),
        }
    })
    .await;
    match res {
        Ok(Ok(v)) => json_ok(v),
        Ok(Err(e)) => e.into_response(),
        Err(_) => internal(ApiError::internal("internal error")),
    }
}

fn bearer(headers: &HeaderMap) -> Option<String> {
    let v = headers.get("authorization")?.to_str().ok()?;
    let t = v
        .strip_prefix("Bearer ")
        .or_else(|| v.strip_prefix("bearer "))?;
    Some(t.trim().to_string())
}

/// The `userInfo` body of a user: their attributes (as strings, like
/// Cognito) plus `username`.
fn user_info_body(user: &crate::model::User) -> Value {
    let mut m = serde_json::Map::new();
    for (k, v) in &user.attributes {
        m.insert(k.clone(), Value::from(v.clone()));
    }
    m.insert("sub".into(), Value::from(user.sub.clone()));
    m.insert("username".into(), Value::from(user.username.clone()));
    Value::Object(m)
}

async fn user_info(State(issuer): State<Arc<Issuer>>, headers: HeaderMap) -> Response {
    let Some(token) = bearer(&headers) else {
        let mut e = OAuthError::new("invalid_request").describe("Bearer token required");
        e.status = 401;
        return e.into_response();
    };
    let res = tokio::task::spawn_blocking(move || -> ApiResult<Value> {
        let ctx = tokens::validate_access_token(&issuer.keys, &issuer.store, &token)?;
        // The scope must allow reading the profile.
        let jwt = crate::keys::ParsedJwt::parse(&token)
            .ok_or_else(|| ApiError::not_authorized("Invalid Access Token"))?;
        let scope = jwt
            .claims
            .get("scope")
            .and_then(Value::as_str)
            .unwrap_or_default();
        if !scope
            .split_whitespace()
            .any(|s| s == "openid" || s == ADMIN_SCOPE)
        {
            return Err(ApiError::not_authorized(
                "Access token lacks the openid scope",
            ));
        }
        Ok(user_info_body(&ctx.user))
    })
    .await;
    match res {
        Ok(Ok(v)) => json_ok(v),
        Ok(Err(e)) if e.status < 500 => {
            let mut o = OAuthError::new("invalid_token").describe(
                "Access token is expired, disabled, or deleted, or the user has globally signed out.",
            );
            o.status = 401;
            tracing::debug!(reason = %e.message, "userInfo refused a token");
            o.into_response()
        }
        Ok(Err(e)) => internal(e),
        Err(_) => internal(ApiError::internal("internal error")),
    }
}

async fn revoke(
    State(issuer): State<Arc<Issuer>>,
    headers: HeaderMap,
    form: Result<Form<HashMap<String, String>>, FormRejection>,
) -> Response {
    let Ok(Form(form)) = form else {
        return OAuthError::new("invalid_request").into_response();
    };
    let res = tokio::task::spawn_blocking(move || -> Result<(), OAuthError> {
        let token = form
            .get("token")
            .filter(|t| !t.is_empty())
            .ok_or_else(|| OAuthError::new("invalid_request"))?
            .clone();
        let (id, secret) = client_credentials(&headers, &form)?;
        let client = authenticate_client(&issuer, &id, secret.as_deref())?;
        if !client.enable_token_revocation {
            return Err(OAuthError::new("unsupported_token_type"));
        }
        let hash = ids::sha256_hex(&token);
        issuer
            .store
            .write(|tx| match auth_rows::get_refresh(tx, &hash)? {
                Some(row) if row.client_id == client.client_id => {
                    auth_rows::revoke_origin(tx, &row.origin_jti, ids::now())?;
                    Ok(true)
                }
                Some(_) => Ok(false),
                None => Ok(true),
            })
            .map_err(|_| OAuthError::new("invalid_request"))?
            .then_some(())
            .ok_or_else(|| OAuthError::new("unauthorized_client"))
    })
    .await;
    match res {
        Ok(Ok(())) => (StatusCode::OK, "").into_response(),
        Ok(Err(e)) => e.into_response(),
        Err(_) => internal(ApiError::internal("internal error")),
    }
}

/// The revocation list of a pool: `origin_jti`s revoked within the pool
/// clients' longest ID/access token lifetime (after that, every token of
/// the sign-in has expired anyway).
pub fn revocation_list(issuer: &Issuer, pool_id: &str) -> ApiResult<Value> {
    issuer.pool(pool_id)?;
    let now = ids::now();
    let jtis = issuer.store.read(|c| {
        let ttl = pool_rows::list_clients(c, pool_id)?
            .iter()
            .map(|cl| cl.access_ttl().max(cl.id_ttl()))
            .max()
            .unwrap_or(3600);
        let mut stmt = c.prepare(
            "SELECT origin_jti FROM revoked_origins WHERE pool_id = ?1 AND revoked_at > ?2
             ORDER BY revoked_at, origin_jti",
        )?;
        let rows = stmt.query_map(rusqlite::params![pool_id, now - ttl], |r| {
            r.get::<_, String>(0)
        })?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    })?;
    Ok(json!({ "revoked_origin_jtis": jtis, "generated_at": now }))
}

async fn revocations(
    State(issuer): State<Arc<Issuer>>,
    UrlPath(pool_id): UrlPath<String>,
) -> Response {
    let res = tokio::task::spawn_blocking(move || revocation_list(&issuer, &pool_id)).await;
    match res {
        Ok(Ok(v)) => {
            let mut resp = (StatusCode::OK, v.to_string()).into_response();
            resp.headers_mut()
                .insert("content-type", HeaderValue::from_static("application/json"));
            resp.headers_mut()
                .insert("cache-control", HeaderValue::from_static("no-cache"));
            resp
        }
        Ok(Err(e)) if e.type_name == "ResourceNotFoundException" => {
            let mut resp = (
                StatusCode::NOT_FOUND,
                json!({ "message": e.message }).to_string(),
            )
                .into_response();
            resp.headers_mut()
                .insert("content-type", HeaderValue::from_static("application/json"));
            resp
        }
        Ok(Err(e)) => internal(e),
        Err(_) => internal(ApiError::internal("internal error")),
    }
}
