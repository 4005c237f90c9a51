//! Starting and stopping an issuer: open the store, apply the
//! configuration (or create the default pool on first start), bind and
//! serve; [`RunningIssuer`] describes and controls the running server.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use serde::Serialize;
use serde_json::Value;
use tokio::sync::oneshot;

use crate::api::{self, ApiError};
use crate::config::{self, AccessKey, IssuerConfig};
use crate::error::{Error, IssuerError, Result};
use crate::http::sigv4::Verifier;
use crate::http::{Edge, Management, cors::CorsOrigins, guard::AllowedHosts};
use crate::issuer::Issuer;
use crate::model::{AppClient, OAuthFlow};
use crate::store::Store;
use crate::store::outbox::OutboxMessage;
use crate::tokens::KeyPurpose;
use crate::triggers::{Handlers, TriggerHooks};

/// How to run an issuer.
#[derive(Debug, Clone)]
pub struct IssuerOptions {
    /// Address to listen on (`127.0.0.1:0` picks a free port).
    pub bind: SocketAddr,
    /// Directory holding the SQLite database (created if missing).
    pub data_dir: PathBuf,
    /// Public base URL used in `iss` (local style), JWKS and discovery URLs.
    /// Defaults to `http://<local_addr>` (`http://127.0.0.1:<port>` when
    /// bound to `0.0.0.0`, `http://[::1]:<port>` for `[::]`).
    pub public_url: Option<String>,
    /// Configuration to apply on start (idempotent); its `access_keys` are
    /// added to [`IssuerOptions::access_keys`].
    pub config: Option<IssuerConfig>,
    /// Access keys whose SigV4 signatures authorize the management
    /// (IAM-authorized) operations. None: those operations are open, which
    /// is only allowed on a loopback address (or with
    /// [`IssuerOptions::insecure_open_admin`]).
    pub access_keys: Vec<AccessKey>,
    /// The region SigV4 credential scopes must name (default `us-east-1`).
    pub region: String,
    /// Serve open management operations on a non-loopback address anyway.
    pub insecure_open_admin: bool,
    /// Connection timeouts and cap.
    pub limits: ServerLimits,
    /// Browser origins allowed by CORS on the JSON API (unauthenticated and
    /// token-authorized operations), the OAuth2 endpoints, discovery, JWKS
    /// and the revocation list. Default: any origin. When this is
    /// [`CorsOrigins::Any`] and the configuration file lists origins, the
    /// file's list applies.
    pub cors_origins: CorsOrigins,
    /// In-process Lambda trigger handlers by function ARN (for Rust tests
    /// and library users); they win over the configuration's `[triggers]`.
    pub trigger_hooks: TriggerHooks,
}

impl IssuerOptions {
    /// Options for `data_dir` on a free loopback port, no config, no keys.
    pub fn new(data_dir: impl Into<PathBuf>) -> Self {
        Self {
            bind: SocketAddr::from(([127, 0, 0, 1], 0)),
            data_dir: data_dir.into(),
            public_url: None,
            config: None,
            access_keys: Vec::new(),
            region: DEFAULT_REGION.to_string(),
            insecure_open_admin: false,
            limits: ServerLimits::default(),
            cors_origins: CorsOrigins::Any,
            trigger_hooks: TriggerHooks::default(),
        }
    }
}

/// The default SigV4 region.
pub const DEFAULT_REGION: &str = "us-east-1";

/// Connection limits of the issuer's HTTP server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerLimits {
    /// Time a client has to send a request's headers; also how long an
    /// idle keep-alive connection is kept (default 10 s).
    pub header_read_timeout: Duration,
    /// Time for a whole request, body and handling included (default 60 s;
    /// `408` after it).
    pub request_timeout: Duration,
    /// Open connections at most; further clients wait in the listen
    /// backlog (default 512).
    pub max_connections: usize,
}

impl Default for ServerLimits {
    fn default() -> Self {
        Self {
            header_read_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(60),
            max_connections: 512,
        }
    }
}

/// How management (IAM-authorized) operations are authorized.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ManagementMode {
    /// SigV4 signatures by one of this many access keys.
    SigV4 {
        /// How many access keys are configured.
        access_keys: usize,
    },
    /// Open, on a loopback address (no keys configured).
    OpenLoopback,
    /// Open on a non-loopback address (`insecure_open_admin`).
    OpenInsecure,
}

impl std::fmt::Display for ManagementMode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ManagementMode::SigV4 { access_keys } => {
                write!(f, "SigV4 with {access_keys} access key(s)")
            }
            ManagementMode::OpenLoopback => {
                f.write_str("open (loopback only, no access keys configured)")
            }
            ManagementMode::OpenInsecure => {
                f.write_str("OPEN TO ANY CLIENT (--insecure-open-admin, no access keys configured)")
            }
        }
    }
}

/// Decides the management mode before anything is bound: keys mean SigV4;
/// no keys are only allowed on loopback unless explicitly opened.
fn management(options: &IssuerOptions) -> Result<(Management, ManagementMode), IssuerError> {
    let mut keys = options.access_keys.clone();
    if let Some(cfg) = &options.config {
        keys.extend(cfg.access_keys.iter().cloned());
    }
    let mut seen = std::collections::HashSet::new();
    for key in &keys {
        key.validate()?;
        if !seen.insert(key.access_key_id.as_str()) {
            return Err(IssuerError::Config(format!(
                "access key {} is configured twice",
                key.access_key_id
            )));
        }
    }
    if !keys.is_empty() {
        let verifier = Verifier::new(
            keys.into_iter()
                .map(|k| (k.access_key_id, k.secret_access_key)),
            options.region.clone(),
        );
        let mode = ManagementMode::SigV4 {
            access_keys: verifier.key_count(),
        };
        return Ok((Management::SigV4(verifier), mode));
    }
    if options.bind.ip().to_canonical().is_loopback() {
        return Ok((Management::Open, ManagementMode::OpenLoopback));
    }
    if options.insecure_open_admin {
        return Ok((Management::Open, ManagementMode::OpenInsecure));
    }
    Err(IssuerError::Config(format!(
        "refusing to serve the management operations (Admin*, ListUsers, ...) to anyone on \
         the non-loopback address {}: configure access keys (--access-key ID:SECRET, \
         COGNITO_ISSUER_ACCESS_KEYS or [[access_keys]] in the configuration file) or pass \
         --insecure-open-admin",
        options.bind
    )))
}

/// The CORS origins: the options', or the configuration file's when the
/// options leave the default.
fn cors_origins(options: &IssuerOptions) -> Result<CorsOrigins, IssuerError> {
    match (&options.cors_origins, &options.config) {
        (CorsOrigins::Any, Some(cfg)) => CorsOrigins::parse(&cfg.cors_origins),
        (origins, _) => Ok(origins.clone()),
    }
}

/// `http://<addr>`, with a wildcard address replaced by its loopback one
/// (a wildcard is no address a client can use, nor a sensible `iss`).
fn default_base_url(local: SocketAddr) -> String {
    match local.ip() {
        ip if !ip.is_unspecified() => format!("http://{local}"),
        std::net::IpAddr::V4(_) => format!("http://127.0.0.1:{}", local.port()),
        std::net::IpAddr::V6(_) => format!("http://[::1]:{}", local.port()),
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
    management: ManagementMode,
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
        let (management, mode) = management(&options)?;
        create_private_dir(&options.data_dir)?;
        let listener = tokio::net::TcpListener::bind(options.bind).await?;
        let local_addr = listener.local_addr()?;
        let base_url = options
            .public_url
            .clone()
            .unwrap_or_else(|| default_base_url(local_addr))
            .trim_end_matches('/')
            .to_string();
        let edge = Edge {
            management,
            hosts: AllowedHosts::new(&base_url, local_addr),
            limits: options.limits.clone(),
            cors: cors_origins(&options)?,
        };
        let db = options.data_dir.join(DB_FILE);
        let cfg = options.config.clone();
        let url = base_url.clone();
        let handlers = Handlers::build(
            &cfg.as_ref().map(|c| c.triggers.clone()).unwrap_or_default(),
            &options.trigger_hooks,
            &options.data_dir.join("triggers"),
        )?;
        let (state, pool_id, client_id) = tokio::task::spawn_blocking(move || {
            let mut issuer = Issuer::new(Store::open(&db)?, url);
            issuer.triggers = handlers;
            let (pool_id, client_id) = bootstrap(&issuer, cfg.as_ref())?;
            Ok::<_, IssuerError>((Arc::new(issuer), pool_id, client_id))
        })
        .await
        .map_err(|e| IssuerError::Config(format!("start-up task failed: {e}")))??;
        let default_pool = pool_info(&state, &pool_id).map_err(IssuerError::from)?;

        let (tx, rx) = oneshot::channel::<()>();
        let task = tokio::spawn(crate::http::serve(
            listener,
            state.clone(),
            edge,
            async move {
                let _ = rx.await;
            },
        ));
        tracing::info!(addr = %local_addr, pool = %pool_id, management = %mode, "cognito-issuer listening");
        Ok(RunningIssuer {
            local_addr,
            base_url,
            default_pool,
            default_client_id: client_id,
            data_dir: options.data_dir,
            management: mode,
            state,
            shutdown_tx: Some(tx),
            task: Some(task),
        })
    }
}

impl IssuerServer {
    /// Rotates a pool's keys in the data directory of an issuer that may be
    /// running in another process (it picks the new keys up within
    /// seconds). Returns the new kids.
    pub fn rotate_keys_offline(data_dir: &Path, pool_id: &str) -> Result<Vec<String>, IssuerError> {
        let issuer = Issuer::new(Store::open(&data_dir.join(DB_FILE))?, String::new());
        issuer
            .rotate_keys(pool_id)
            .map_err(|e| IssuerError::Config(e.to_string()))
    }
}

fn create_private_dir(dir: &Path) -> Result<(), IssuerError> {
    Ok(crate::store::create_private_dir(dir)?)
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
        issuer.set_settings(&[
            (META_DEFAULT_POOL, &first.pool_id),
            (META_DEFAULT_CLIENT, &client),
        ])?;
        return Ok((first.pool_id.clone(), client));
    }
    let pool_id = issuer.setting(META_DEFAULT_POOL)?;
    let client_id = issuer.setting(META_DEFAULT_CLIENT)?;
    if let (Some(p), Some(c)) = (&pool_id, &client_id) {
        let exists = issuer.pool(p).is_ok() && issuer.client(c).is_ok();
        if exists {
            return Ok((p.clone(), c.clone()));
        }
    }
    let default = IssuerConfig::from_toml_str(DEFAULT_CONFIG)?;
    let applied = config::apply(issuer, &default)?;
    let pool = applied[0].pool_id.clone();
    let client = applied[0].client_ids[0].clone();
    issuer.set_settings(&[(META_DEFAULT_POOL, &pool), (META_DEFAULT_CLIENT, &client)])?;
    tracing::info!(pool = %pool, client = %client, "created the default pool and client");
    Ok((pool, client))
}

/// The configuration of the pool and client created on first start without
/// a configuration file.
pub(crate) const DEFAULT_CONFIG: &str = r#"
[[pools]]
name = "local-pool"
alias_attributes = ["email"]
auto_verified_attributes = ["email"]
allowed_first_auth_factors = ["PASSWORD", "EMAIL_OTP"]

[[pools.clients]]
name = "local-client"
explicit_auth_flows = ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_USER_AUTH"]
prevent_user_existence_errors = true
allowed_oauth_flows = ["code"]
allowed_oauth_scopes = ["openid", "email", "phone", "profile", "aws.cognito.signin.user.admin"]
allowed_oauth_flows_user_pool_client = true
callback_urls = ["http://localhost:3000/callback"]
logout_urls = ["http://localhost:3000/"]
supported_identity_providers = ["COGNITO"]
"#;

/// The hosted UI sign-in URL of `client` (its default redirect URI, else
/// its first callback URL; the identity scopes it allows).
fn login_url(base_url: &str, client: &AppClient) -> Option<String> {
    use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
    // Everything but RFC 3986's unreserved characters.
    const QUERY_VALUE: &AsciiSet = &NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'.')
        .remove(b'_')
        .remove(b'~');
    if !client.allows_oauth_flow(OAuthFlow::Code) {
        return None;
    }
    let redirect = client
        .default_redirect_uri
        .as_ref()
        .or(client.callback_urls.as_ref()?.first())?;
    let scopes: Vec<&str> = ["openid", "email", "profile"]
        .into_iter()
        .filter(|s| client.oauth_scopes().iter().any(|a| a == s))
        .collect();
    let mut url = format!(
        "{base_url}/login?client_id={}&response_type=code",
        client.client_id
    );
    if !scopes.is_empty() {
        url.push_str(&format!("&scope={}", scopes.join("+")));
    }
    url.push_str(&format!(
        "&redirect_uri={}",
        utf8_percent_encode(redirect, QUERY_VALUE)
    ));
    Some(url)
}

/// Describes a pool for clients and verifiers.
pub(crate) fn pool_info(issuer: &Issuer, pool_id: &str) -> Result<PoolInfo> {
    let (pool, style) = issuer.pool(pool_id)?;
    let clients = issuer.clients_of(pool_id)?;
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
    /// How management operations are authorized.
    pub fn management_mode(&self) -> ManagementMode {
        self.management
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
    /// The hosted UI's sign-in URL for the default client
    /// (`/login?client_id=..&response_type=code&scope=..&redirect_uri=..`),
    /// when that client allows the code flow and has a callback URL.
    pub fn hosted_ui_login_url(&self) -> Option<String> {
        let client = self.state.client(&self.default_client_id).ok()?;
        login_url(&self.base_url, &client)
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
    pub fn pool(&self, pool_id: &str) -> Result<PoolInfo, api::ApiError> {
        Ok(pool_info(&self.state, pool_id)?)
    }
    /// Every pool.
    pub fn pools(&self) -> Result<Vec<PoolInfo>, api::ApiError> {
        let pools = self.state.pools()?;
        Ok(pools
            .iter()
            .map(|(p, _)| pool_info(&self.state, &p.id))
            .collect::<Result<_>>()?)
    }
    /// Outbox messages, newest first (same data as `GET /_issuer/outbox`).
    pub fn outbox(
        &self,
        pool_id: Option<&str>,
        username: Option<&str>,
    ) -> Result<Vec<OutboxMessage>, ApiError> {
        Ok(self.state.outbox(pool_id, username, 100)?)
    }
    /// Rotates the pool's signing keys; returns the new kids.
    pub fn rotate_keys(&self, pool_id: &str) -> Result<Vec<String>, api::ApiError> {
        Ok(self.state.rotate_keys(pool_id)?)
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
    pub async fn call(&self, operation: &str, input: Value) -> Result<Value, api::ApiError> {
        let issuer = self.state.clone();
        let target = format!("{}{operation}", api::TARGET_PREFIX);
        let body = input.to_string();
        tokio::task::spawn_blocking(move || api::dispatch(&issuer, Some(&target), body.as_bytes()))
            .await
            .unwrap_or_else(|_| Err(Error::internal("operation task failed")))
            .map_err(ApiError::from)
    }

    /// Signs `claims` with the pool's active key for `purpose`, to make
    /// tokens no real flow issues (expired, odd `token_use`, ...) for tests.
    pub fn sign_claims(
        &self,
        pool_id: &str,
        purpose: KeyPurpose,
        claims: &Value,
    ) -> Result<String, ApiError> {
        Ok(self.state.sign_claims(pool_id, purpose, claims)?)
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
