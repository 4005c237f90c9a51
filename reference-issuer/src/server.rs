//! The HTTP server: the JSON API on `POST /`, per-pool JWKS and OpenID
//! discovery, and the local-only `/_issuer/*` admin endpoints. Also the
//! in-process entry point [`IssuerServer::start`].

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{ConnectInfo, Path as UrlPath, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use tokio::sync::{Semaphore, oneshot};

use crate::api;
use crate::config::{self, IssuerConfig};
use crate::errors::{ApiError, ApiResult, IssuerError};
use crate::ids;
use crate::issuer::Issuer;
use crate::model::IssuerStyle;
use crate::store::Store;
use crate::store::auth::{self as auth_rows, OutboxMessage};
use crate::store::pools as pool_rows;

/// How to run an issuer.
#[derive(Debug, Clone)]
pub struct IssuerOptions {
    /// Address to listen on (`127.0.0.1:0` picks a free port).
    pub bind: SocketAddr,
    /// Directory holding the SQLite database (created if missing).
    pub data_dir: PathBuf,
    /// Public base URL used in `iss` (local style), JWKS and discovery URLs.
    /// Defaults to `http://<local_addr>`.
    pub public_url: Option<String>,
    /// Configuration to apply on start (idempotent).
    pub config: Option<IssuerConfig>,
}

impl IssuerOptions {
    /// Options for `data_dir` on a free loopback port, no config.
    pub fn new(data_dir: impl Into<PathBuf>) -> Self {
        Self {
            bind: SocketAddr::from(([127, 0, 0, 1], 0)),
            data_dir: data_dir.into(),
            public_url: None,
            config: None,
        }
    }
}

/// Identifiers and URLs of one pool, as a client or verifier needs them.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct PoolInfo {
    /// Pool id.
    pub pool_id: String,
    /// Pool name.
    pub name: String,
    /// `local` or `aws`.
    pub issuer_style: String,
    /// The `iss` claim of the pool's tokens.
    pub issuer: String,
    /// JWKS URL (always served by this issuer).
    pub jwks_url: String,
    /// OpenID discovery URL (always served by this issuer).
    pub discovery_url: String,
    /// App clients: `(client_id, client_name, client_secret)`.
    pub clients: Vec<ClientInfo>,
}

/// One app client of a [`PoolInfo`].
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct ClientInfo {
    /// Client id.
    pub client_id: String,
    /// Client name.
    pub client_name: String,
    /// Client secret, for confidential clients.
    pub client_secret: Option<String>,
}

/// Entry point for running the issuer in-process.
#[derive(Debug)]
pub struct IssuerServer;

/// A running issuer. Dropping it stops the server (without waiting);
/// call [`RunningIssuer::shutdown`] to stop it gracefully.
#[derive(Debug)]
pub struct RunningIssuer {
    local_addr: SocketAddr,
    base_url: String,
    default_pool: PoolInfo,
    default_client_id: String,
    data_dir: PathBuf,
    state: Arc<Issuer>,
    shutdown_tx: Option<oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<std::io::Result<()>>>,
}

const DB_FILE: &str = "issuer.sqlite3";
const META_DEFAULT_POOL: &str = "default_pool_id";
const META_DEFAULT_CLIENT: &str = "default_client_id";

impl IssuerServer {
    /// Opens (or creates) the data directory, applies the configuration or
    /// creates the default pool and client on first start, binds and serves.
    pub async fn start(options: IssuerOptions) -> Result<RunningIssuer, IssuerError> {
        create_private_dir(&options.data_dir)?;
        let listener = tokio::net::TcpListener::bind(options.bind).await?;
        let local_addr = listener.local_addr()?;
        let base_url = options
            .public_url
            .clone()
            .unwrap_or_else(|| format!("http://{local_addr}"))
            .trim_end_matches('/')
            .to_string();
        let db = options.data_dir.join(DB_FILE);
        let cfg = options.config.clone();
        let url = base_url.clone();
        let (state, pool_id, client_id) = tokio::task::spawn_blocking(move || {
            let issuer = Issuer::new(Store::open(&db)?, url);
            let (pool_id, client_id) = bootstrap(&issuer, cfg.as_ref())?;
            Ok::<_, IssuerError>((Arc::new(issuer), pool_id, client_id))
        })
        .await
        .map_err(|e| IssuerError::Config(format!("start-up task failed: {e}")))??;
        let default_pool = pool_info(&state, &pool_id).map_err(IssuerError::from)?;

        let app = router(state.clone());
        let (tx, rx) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            axum::serve(
                listener,
                app.into_make_service_with_connect_info::<SocketAddr>(),
            )
            .with_graceful_shutdown(async move {
                let _ = rx.await;
            })
            .await
        });
        tracing::info!(addr = %local_addr, pool = %pool_id, "cognito-issuer listening");
        Ok(RunningIssuer {
            local_addr,
            base_url,
            default_pool,
            default_client_id: client_id,
            data_dir: options.data_dir,
            state,
            shutdown_tx: Some(tx),
            task: Some(task),
        })
    }
}

fn create_private_dir(dir: &Path) -> Result<(), IssuerError> {
    std::fs::create_dir_all(dir)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let _ = std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700));
    }
    Ok(())
}

/// Applies `config` or makes sure the default pool and client exist.
/// Returns the default pool id and client id.
fn bootstrap(issuer: &Issuer, cfg: Option<&IssuerConfig>) -> Result<(String, String), IssuerError> {
    if let Some(cfg) = cfg.filter(|c| !c.pools.is_empty()) {
        let applied = config::apply(issuer, cfg)?;
        let first = &applied[0];
        let client = first.client_ids.first().cloned().ok_or_else(|| {
            IssuerError::Config("the first pool in the configuration must declare a client".into())
        })?;
        issuer.store.write(|tx| {
            pool_rows::set_meta(tx, META_DEFAULT_POOL, &first.pool_id)?;
            pool_rows::set_meta(tx, META_DEFAULT_CLIENT, &client)
        })?;
        return Ok((first.pool_id.clone(), client));
    }
    let (pool_id, client_id) = issuer.store.read(|c| {
        Ok((
            pool_rows::get_meta(c, META_DEFAULT_POOL)?,
            pool_rows::get_meta(c, META_DEFAULT_CLIENT)?,
        ))
    })?;
    if let (Some(p), Some(c)) = (&pool_id, &client_id) {
        let exists =
            issuer.store.read(|conn| {
                Ok(pool_rows::get_pool(conn, p)?.is_some()
                    && pool_rows::get_client(conn, c)?.is_some())
            })?;
        if exists {
            return Ok((p.clone(), c.clone()));
        }
    }
    let default = IssuerConfig::from_toml_str(DEFAULT_CONFIG)?;
    let applied = config::apply(issuer, &default)?;
    let pool = applied[0].pool_id.clone();
    let client = applied[0].client_ids[0].clone();
    issuer.store.write(|tx| {
        pool_rows::set_meta(tx, META_DEFAULT_POOL, &pool)?;
        pool_rows::set_meta(tx, META_DEFAULT_CLIENT, &client)
    })?;
    tracing::info!(pool = %pool, client = %client, "created the default pool and client");
    Ok((pool, client))
}

/// The configuration of the pool and client created on first start without
/// a configuration file.
pub const DEFAULT_CONFIG: &str = r#"
[[pools]]
name = "local-pool"
alias_attributes = ["email"]
auto_verified_attributes = ["email"]

[[pools.clients]]
name = "local-client"
explicit_auth_flows = ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_ADMIN_USER_PASSWORD_AUTH"]
prevent_user_existence_errors = true
"#;

/// Describes a pool for clients and verifiers.
pub fn pool_info(issuer: &Issuer, pool_id: &str) -> ApiResult<PoolInfo> {
    let (pool, style) = issuer.pool(pool_id)?;
    let clients = issuer.store.read(|c| pool_rows::list_clients(c, pool_id))?;
    Ok(PoolInfo {
        pool_id: pool.id.clone(),
        name: pool.name.clone(),
        issuer_style: style.as_str().to_string(),
        issuer: issuer.issuer_url(&pool.id, style),
        jwks_url: issuer.jwks_url(&pool.id),
        discovery_url: issuer.discovery_url(&pool.id),
        clients: clients
            .into_iter()
            .map(|c| ClientInfo {
                client_id: c.client_id,
                client_name: c.client_name,
                client_secret: c.client_secret,
            })
            .collect(),
    })
}

impl RunningIssuer {
    /// The bound socket address.
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }
    /// Base URL (the API endpoint for AWS SDKs' `endpoint_url`).
    pub fn base_url(&self) -> &str {
        &self.base_url
    }
    /// Default pool id.
    pub fn pool_id(&self) -> &str {
        &self.default_pool.pool_id
    }
    /// Default app client id (public, no secret when created by default).
    pub fn client_id(&self) -> &str {
        &self.default_client_id
    }
    /// The `iss` of the default pool's tokens.
    pub fn issuer(&self) -> &str {
        &self.default_pool.issuer
    }
    /// JWKS URL of the default pool.
    pub fn jwks_url(&self) -> &str {
        &self.default_pool.jwks_url
    }
    /// OpenID discovery URL of the default pool.
    pub fn discovery_url(&self) -> &str {
        &self.default_pool.discovery_url
    }
    /// The default pool's full description.
    pub fn default_pool(&self) -> &PoolInfo {
        &self.default_pool
    }
    /// The data directory.
    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }
    /// Describes any pool (e.g. one declared in the configuration).
    pub fn pool(&self, pool_id: &str) -> Result<PoolInfo, ApiError> {
        pool_info(&self.state, pool_id)
    }
    /// Every pool.
    pub fn pools(&self) -> Result<Vec<PoolInfo>, ApiError> {
        let pools = self.state.store.read(pool_rows::list_pools)?;
        pools
            .iter()
            .map(|(p, _)| pool_info(&self.state, &p.id))
            .collect()
    }
    /// Outbox messages, newest first (same data as `GET /_issuer/outbox`).
    pub fn outbox(
        &self,
        pool_id: Option<&str>,
        username: Option<&str>,
    ) -> Result<Vec<OutboxMessage>, ApiError> {
        self.state
            .store
            .read(|c| auth_rows::list_outbox(c, pool_id, username, 100))
    }
    /// Rotates the pool's signing keys; returns the new kids.
    pub fn rotate_keys(&self, pool_id: &str) -> Result<Vec<String>, ApiError> {
        rotate(&self.state, pool_id)
    }
    /// Runs a JSON API operation in-process, exactly as `POST /` with
    /// `X-Amz-Target: AWSCognitoIdentityProviderService.<operation>` would:
    ///
    /// ```no_run
    /// # async fn demo(issuer: &cognito_issuer::RunningIssuer) -> Result<(), cognito_issuer::ApiError> {
    /// let out = issuer.call("InitiateAuth", serde_json::json!({
    ///     "ClientId": issuer.client_id(), "AuthFlow": "USER_PASSWORD_AUTH",
    ///     "AuthParameters": { "USERNAME": "alice", "PASSWORD": "Corr3ct-Horse!" },
    /// })).await?;
    /// let id_token = out["AuthenticationResult"]["IdToken"].as_str();
    /// # Ok(()) }
    /// ```
    pub async fn call(&self, operation: &str, input: Value) -> Result<Value, ApiError> {
        let issuer = self.state.clone();
        let target = format!("{}{operation}", api::TARGET_PREFIX);
        let body = input.to_string();
        tokio::task::spawn_blocking(move || api::dispatch(&issuer, Some(&target), body.as_bytes()))
            .await
            .map_err(|_| ApiError::internal("operation task failed"))?
    }

    /// The shared state, for embedding the API elsewhere.
    pub fn state(&self) -> Arc<Issuer> {
        self.state.clone()
    }
    /// Stops accepting connections, finishes in-flight requests and returns.
    pub async fn shutdown(mut self) -> Result<(), IssuerError> {
        if let Some(tx) = self.shutdown_tx.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            task.await
                .map_err(|e| IssuerError::Io(std::io::Error::other(e.to_string())))??;
        }
        Ok(())
    }
}

impl Drop for RunningIssuer {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown_tx.take() {
            let _ = tx.send(());
        }
    }
}

/// Rotates a pool's keys. The old keys stay published for the longest ID or
/// access token lifetime of the pool's clients.
pub fn rotate(issuer: &Issuer, pool_id: &str) -> Result<Vec<String>, ApiError> {
    issuer.pool(pool_id)?;
    let clients = issuer.store.read(|c| pool_rows::list_clients(c, pool_id))?;
    let max_ttl = clients
        .iter()
        .map(|c| c.access_ttl().max(c.id_ttl()))
        .max()
        .unwrap_or(3600)
        .max(3600);
    let kids = issuer
        .store
        .write(|tx| crate::keys::rotate(tx, pool_id, max_ttl))?;
    issuer.keys.invalidate(pool_id);
    tracing::info!(pool = %pool_id, ?kids, "rotated signing keys");
    Ok(kids)
}

#[derive(Clone)]
struct AppState {
    issuer: Arc<Issuer>,
    /// Bounds concurrent blocking API work (argon2 needs ~7 MiB each).
    permits: Arc<Semaphore>,
}

/// Builds the axum router around shared issuer state.
pub fn router(issuer: Arc<Issuer>) -> Router {
    let workers = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(2);
    let oauth2 = crate::oauth2::router(issuer.clone());
    let state = AppState {
        issuer,
        permits: Arc::new(Semaphore::new(workers * 4)),
    };
    Router::new()
        .route("/", post(api_handler))
        .route("/{pool_id}/.well-known/jwks.json", get(jwks))
        .route(
            "/{pool_id}/.well-known/openid-configuration",
            get(discovery),
        )
        .route("/_issuer/health", get(health))
        .route("/_issuer/outbox", get(outbox))
        .route("/_issuer/pools", get(pools))
        .route("/_issuer/pools/{pool_id}/rotate-keys", post(rotate_keys))
        .fallback(not_found)
        .with_state(state)
        .merge(oauth2)
}

fn json_response(status: StatusCode, body: Value, content_type: &'static str) -> Response {
    let mut resp = (status, body.to_string()).into_response();
    resp.headers_mut()
        .insert("content-type", HeaderValue::from_static(content_type));
    resp
}

async fn api_handler(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    let target = headers
        .get("x-amz-target")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let op = target
        .as_deref()
        .and_then(|t| t.strip_prefix(api::TARGET_PREFIX))
        .unwrap_or("-")
        .to_string();
    let Ok(permit) = state.permits.clone().acquire_owned().await else {
        return ApiError::internal("server shutting down").into_response();
    };
    let issuer = state.issuer.clone();
    let result = tokio::task::spawn_blocking(move || {
        let _permit = permit;
        api::dispatch(&issuer, target.as_deref(), &body)
    })
    .await
    .unwrap_or_else(|e| {
        tracing::error!(error = %e, "operation panicked");
        Err(ApiError::internal("internal error"))
    });
    let request_id = ids::uuid();
    let mut resp = match result {
        Ok(v) => {
            tracing::debug!(op = %op, "ok");
            json_response(StatusCode::OK, v, "application/x-amz-json-1.1")
        }
        Err(e) => {
            tracing::debug!(op = %op, error = %e.type_name, "error");
            e.into_response()
        }
    };
    if let Ok(v) = HeaderValue::from_str(&request_id) {
        resp.headers_mut().insert("x-amzn-RequestId", v);
    }
    resp
}

fn not_found_json(message: String) -> Response {
    json_response(
        StatusCode::NOT_FOUND,
        json!({ "message": message }),
        "application/json",
    )
}

async fn jwks(State(state): State<AppState>, UrlPath(pool_id): UrlPath<String>) -> Response {
    let issuer = state.issuer.clone();
    let res = tokio::task::spawn_blocking(move || {
        issuer.pool(&pool_id)?;
        issuer.keys.get(&issuer.store, &pool_id)
    })
    .await;
    match res {
        Ok(Ok(keys)) => json_response(StatusCode::OK, keys.jwks(ids::now()), "application/json"),
        Ok(Err(e)) => not_found_json(e.message),
        Err(_) => ApiError::internal("internal error").into_response(),
    }
}

/// The OpenID discovery document of a pool.
pub fn discovery_document(issuer: &Issuer, pool_id: &str, style: IssuerStyle) -> Value {
    let mut doc = json!({
        "issuer": issuer.issuer_url(pool_id, style),
        "jwks_uri": issuer.jwks_url(pool_id),
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "response_types_supported": ["code", "token"],
        "scopes_supported": ["openid", "email", "phone", "profile"],
        "claims_supported": ["sub", "iss", "aud", "exp", "iat", "auth_time", "token_use",
                             "cognito:username", "cognito:groups", "email", "email_verified"],
    });
    if let (Some(d), Value::Object(extra)) = (
        doc.as_object_mut(),
        crate::oauth2::discovery_fields(issuer, pool_id),
    ) {
        d.extend(extra);
    }
    doc
}

async fn discovery(State(state): State<AppState>, UrlPath(pool_id): UrlPath<String>) -> Response {
    let issuer = state.issuer.clone();
    let res = tokio::task::spawn_blocking(move || {
        issuer
            .pool(&pool_id)
            .map(|(_, style)| discovery_document(&issuer, &pool_id, style))
    })
    .await;
    match res {
        Ok(Ok(doc)) => json_response(StatusCode::OK, doc, "application/json"),
        Ok(Err(e)) => not_found_json(e.message),
        Err(_) => ApiError::internal("internal error").into_response(),
    }
}

fn forbid_remote(peer: &SocketAddr) -> Option<Response> {
    (!peer.ip().is_loopback()).then(|| {
        json_response(
            StatusCode::FORBIDDEN,
            json!({ "message": "the /_issuer endpoints only answer loopback clients" }),
            "application/json",
        )
    })
}

async fn health(State(state): State<AppState>) -> Response {
    let issuer = state.issuer.clone();
    let res = tokio::task::spawn_blocking(move || issuer.store.read(pool_rows::list_pools)).await;
    match res {
        Ok(Ok(pools)) => json_response(
            StatusCode::OK,
            json!({ "status": "ok", "pools": pools.len() }),
            "application/json",
        ),
        _ => json_response(
            StatusCode::SERVICE_UNAVAILABLE,
            json!({ "status": "unavailable" }),
            "application/json",
        ),
    }
}

#[derive(Deserialize)]
struct OutboxQuery {
    pool: Option<String>,
    username: Option<String>,
    limit: Option<i64>,
}

async fn outbox(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Query(q): Query<OutboxQuery>,
) -> Response {
    if let Some(r) = forbid_remote(&peer) {
        return r;
    }
    let issuer = state.issuer.clone();
    let res = tokio::task::spawn_blocking(move || {
        issuer.store.read(|c| {
            auth_rows::list_outbox(
                c,
                q.pool.as_deref(),
                q.username.as_deref(),
                q.limit.unwrap_or(100).clamp(1, 1000),
            )
        })
    })
    .await;
    match res {
        Ok(Ok(msgs)) => json_response(
            StatusCode::OK,
            json!({ "messages": msgs }),
            "application/json",
        ),
        _ => ApiError::internal("internal error").into_response(),
    }
}

async fn pools(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
) -> Response {
    if let Some(r) = forbid_remote(&peer) {
        return r;
    }
    let issuer = state.issuer.clone();
    let res = tokio::task::spawn_blocking(move || {
        let pools = issuer.store.read(pool_rows::list_pools)?;
        pools
            .iter()
            .map(|(p, _)| pool_info(&issuer, &p.id))
            .collect::<ApiResult<Vec<_>>>()
    })
    .await;
    match res {
        Ok(Ok(list)) => json_response(StatusCode::OK, json!({ "pools": list }), "application/json"),
        Ok(Err(e)) => e.into_response(),
        Err(_) => ApiError::internal("internal error").into_response(),
    }
}

async fn rotate_keys(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    UrlPath(pool_id): UrlPath<String>,
) -> Response {
    if let Some(r) = forbid_remote(&peer) {
        return r;
    }
    let issuer = state.issuer.clone();
    let res = tokio::task::spawn_blocking(move || {
        let kids = rotate(&issuer, &pool_id)?;
        let jwks = issuer.keys.get(&issuer.store, &pool_id)?.jwks(ids::now());
        Ok::<_, ApiError>(json!({ "pool_id": pool_id, "new_kids": kids, "jwks": jwks }))
    })
    .await;
    match res {
        Ok(Ok(v)) => json_response(StatusCode::OK, v, "application/json"),
        Ok(Err(e)) if e.type_name == "ResourceNotFoundException" => not_found_json(e.message),
        Ok(Err(e)) => e.into_response(),
        Err(_) => ApiError::internal("internal error").into_response(),
    }
}

async fn not_found() -> Response {
    not_found_json("Not found".into())
}
