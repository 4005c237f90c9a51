//! Authenticate mode's configuration: [`AlbAuth`] and its builder, with the
//! defaults of an ALB `authenticate-oidc` / `authenticate-cognito` action.

use std::time::Duration;

use moka::sync::Cache;

use super::data_cache::DataCache;
use super::logout::RevokedSessions;
use super::oidc::{IdentityProvider, OidcClient};
use super::opened::OpenedSessions;
use super::refresh::Refreshes;
use super::seal::SessionKeys;
use super::signer::AlbSigner;
use crate::alb::arn::AlbArn;
use crate::error::ConfigError;

/// ALB's default session cookie name.
pub const DEFAULT_SESSION_COOKIE: &str = "AWSELBAuthSessionCookie";
/// The nonce cookie of a login in progress (ALB's name).
pub const NONCE_COOKIE: &str = "AWSALBAuthNonce";
/// ALB's default (and longest) session timeout: 7 days.
pub const DEFAULT_SESSION_TIMEOUT: Duration = Duration::from_secs(604_800);
/// ALB's default callback path.
pub const DEFAULT_CALLBACK_PATH: &str = "/oauth2/idpresponse";
/// Sessions whose signed `x-amzn-oidc-data` is kept (and sessions revoked).
const CACHE_CAPACITY: u64 = 100_000;
/// Parameters of the authorization request the extra parameters cannot set.
const RESERVED_PARAMS: [&str; 6] = [
    "response_type",
    "client_id",
    "redirect_uri",
    "scope",
    "state",
    "nonce",
];

/// What happens to a request without a (valid) session, as ALB's
/// `OnUnauthenticatedRequest`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OnUnauthenticated {
    /// 302 to the IdP's authorization endpoint (the default).
    #[default]
    Authenticate,
    /// 401 `{"message":"Unauthorized"}`; a session that existed but ended
    /// (timeout, or its access token expired and could not be refreshed)
    /// still gets the redirect, as ALB does.
    Deny,
    /// Forwarded without identity (a guest).
    Allow,
}

/// Authenticate mode ("being the ALB"): see the [module docs](super).
/// Give it to [`Gate::alb_authenticate`](crate::gate::Gate::alb_authenticate).
pub struct AlbAuth {
    pub(crate) oidc: OidcClient,
    pub(crate) callback_path: String,
    pub(crate) scope: String,
    pub(crate) extra_params: Vec<(String, String)>,
    pub(crate) session_cookie: String,
    pub(crate) session_timeout: i64,
    pub(crate) on_unauthenticated: OnUnauthenticated,
    pub(crate) keys: SessionKeys,
    pub(crate) signer_arn: String,
    pub(crate) signer: AlbSigner,
    pub(crate) public_origin: Option<String>,
    pub(crate) accept_bearer: bool,
    pub(crate) api_requests_get_401: bool,
    pub(crate) logout: Option<(String, Option<String>)>,
    pub(crate) verify_access_token: bool,
    pub(crate) data_cache: DataCache,
    /// `state` values already redeemed (by nonce hash), for 15 minutes.
    pub(crate) used_states: Cache<String, ()>,
    /// Session ids ended by logout, until their session timeout.
    pub(crate) revoked: RevokedSessions,
    pub(crate) refreshes: Refreshes,
    /// Sessions already opened, by sealed cookie text.
    pub(crate) opened: OpenedSessions,
}

impl std::fmt::Debug for AlbAuth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AlbAuth")
            .field("idp", &self.oidc.idp)
            .field("client_id", &self.oidc.client_id)
            .field("callback_path", &self.callback_path)
            .field("session_cookie", &self.session_cookie)
            .field("on_unauthenticated", &self.on_unauthenticated)
            .field("signer", &self.signer_arn)
            .field("kid", &self.signer.kid())
            .finish_non_exhaustive()
    }
}

impl AlbAuth {
    /// A builder for the client `client_id` / `client_secret` of `idp`.
    pub fn builder(
        idp: IdentityProvider,
        client_id: impl Into<String>,
        client_secret: impl Into<String>,
    ) -> AlbAuthBuilder {
        AlbAuthBuilder {
            idp,
            client_id: client_id.into(),
            client_secret: client_secret.into(),
            callback_path: DEFAULT_CALLBACK_PATH.to_owned(),
            scope: "openid".to_owned(),
            extra_params: Vec::new(),
            session_cookie: DEFAULT_SESSION_COOKIE.to_owned(),
            session_timeout: DEFAULT_SESSION_TIMEOUT,
            on_unauthenticated: OnUnauthenticated::default(),
            keys: None,
            signer_arn: None,
            signer: None,
            public_origin: None,
            accept_bearer: false,
            api_requests_get_401: false,
            logout: None,
            verify_access_token: true,
        }
    }

    /// The `kid` of the `x-amzn-oidc-data` signing key (serve the key at
    /// `/alb-keys/{kid}` or any `<base>/{kid}`).
    pub fn kid(&self) -> &str {
        self.signer.kid()
    }

    /// The public key verifying `x-amzn-oidc-data`, as the PEM an ALB key
    /// server answers.
    pub fn public_key_pem(&self) -> &str {
        self.signer.public_key_pem()
    }

    /// The signer ARN written in `x-amzn-oidc-data`'s header.
    pub fn signer_arn(&self) -> &str {
        &self.signer_arn
    }

    /// The identity provider.
    pub fn identity_provider(&self) -> &IdentityProvider {
        &self.oidc.idp
    }
}

/// Builds an [`AlbAuth`]; every option mirrors an ALB setting or is an
/// opt-in beyond ALB (see the [module docs](super)).
#[derive(Debug)]
pub struct AlbAuthBuilder {
    idp: IdentityProvider,
    client_id: String,
    client_secret: String,
    callback_path: String,
    scope: String,
    extra_params: Vec<(String, String)>,
    session_cookie: String,
    session_timeout: Duration,
    on_unauthenticated: OnUnauthenticated,
    keys: Option<SessionKeys>,
    signer_arn: Option<String>,
    signer: Option<AlbSigner>,
    public_origin: Option<String>,
    accept_bearer: bool,
    api_requests_get_401: bool,
    logout: Option<(String, Option<String>)>,
    verify_access_token: bool,
}

impl AlbAuthBuilder {
    /// Where the IdP sends the browser back (default `/oauth2/idpresponse`);
    /// register `<origin><path>` as the client's callback URL.
    pub fn callback_path(mut self, path: impl Into<String>) -> Self {
        self.callback_path = path.into();
        self
    }

    /// The `scope` of the authorization request (default `openid`; must
    /// contain `openid`).
    pub fn scope(mut self, scope: impl Into<String>) -> Self {
        self.scope = scope.into();
        self
    }

    /// An extra authorization request parameter (ALB's
    /// `AuthenticationRequestExtraParams`: at most 10, alphanumeric names).
    pub fn extra_param(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.extra_params.push((name.into(), value.into()));
        self
    }

    /// The session cookie's name (default `AWSELBAuthSessionCookie`); its
    /// shards are `<name>-0` .. `<name>-3`.
    pub fn session_cookie(mut self, name: impl Into<String>) -> Self {
        self.session_cookie = name.into();
        self
    }

    /// How long a session lasts from sign-in, refreshes included (default
    /// and maximum 7 days, at least 1 second).
    pub fn session_timeout(mut self, timeout: Duration) -> Self {
        self.session_timeout = timeout;
        self
    }

    /// What requests without a session get (default
    /// [`OnUnauthenticated::Authenticate`]).
    pub fn on_unauthenticated(mut self, action: OnUnauthenticated) -> Self {
        self.on_unauthenticated = action;
        self
    }

    /// The keys sealing session and state cookies (mandatory).
    pub fn session_keys(mut self, keys: SessionKeys) -> Self {
        self.keys = Some(keys);
        self
    }

    /// The ALB ARN written as `signer` in `x-amzn-oidc-data` (mandatory;
    /// backends check it).
    pub fn signer(mut self, arn: impl Into<String>) -> Self {
        self.signer_arn = Some(arn.into());
        self
    }

    /// The ES256 key signing `x-amzn-oidc-data` (default: generated at
    /// build, so it changes with every process; give one key to every
    /// instance behind one name).
    pub fn signing_key(mut self, key: AlbSigner) -> Self {
        self.signer = Some(key);
        self
    }

    /// The site's origin (`scheme://host[:port]`) for the callback URL and
    /// the cookies' `Secure` attribute. Default: `https://` + the request's
    /// `Host` header.
    pub fn public_origin(mut self, origin: impl Into<String>) -> Self {
        self.public_origin = Some(origin.into());
        self
    }

    /// Opt-in: a request with `Authorization: Bearer <token>` is verified
    /// as a bearer token by the gate's verifier instead (API clients and
    /// browsers on the same routes).
    pub fn accept_bearer(mut self, on: bool) -> Self {
        self.accept_bearer = on;
        self
    }

    /// Opt-in: a request that cannot follow a redirect (`Sec-Fetch-Mode`
    /// other than `navigate`, or no `Sec-Fetch-Mode` and an `Accept`
    /// without `text/html`) gets 401 instead of the 302 to the IdP.
    pub fn api_requests_get_401(mut self, on: bool) -> Self {
        self.api_requests_get_401 = on;
        self
    }

    /// Opt-in: `GET path` ends the session (every shard expired, the
    /// session id revoked in this process) and redirects to the IdP's
    /// logout endpoint with `client_id` and `logout_uri` (or to
    /// `logout_uri` itself when the IdP has no logout endpoint, or `/`).
    pub fn logout_path(mut self, path: impl Into<String>, logout_uri: Option<&str>) -> Self {
        self.logout = Some((path.into(), logout_uri.map(str::to_owned)));
        self
    }

    /// Whether the identity is the access token verified by the gate's
    /// verifier (default true: groups and scopes from the token), or the
    /// userInfo claims (false).
    pub fn verify_access_token(mut self, on: bool) -> Self {
        self.verify_access_token = on;
        self
    }

    /// Checks every setting.
    pub fn build(self) -> Result<AlbAuth, ConfigError> {
        let invalid = ConfigError::InvalidSetting;
        if self.client_id.is_empty() || self.client_secret.is_empty() {
            return Err(invalid("alb: client id and client secret are required"));
        }
        if !is_local_path(&self.callback_path) {
            return Err(invalid(
                "alb: callback_path must be a path like /oauth2/idpresponse",
            ));
        }
        if !self.scope.split(' ').any(|s| s == "openid") {
            return Err(invalid("alb: scope must include openid"));
        }
        if self.extra_params.len() > 10
            || self.extra_params.iter().any(|(name, _)| {
                name.is_empty()
                    || !name.bytes().all(|b| b.is_ascii_alphanumeric())
                    || RESERVED_PARAMS.contains(&name.as_str())
            })
        {
            return Err(invalid(
                "alb: at most 10 extra params, alphanumeric names, none of the reserved ones",
            ));
        }
        let cookie_ok = !self.session_cookie.is_empty()
            && self.session_cookie.len() <= 64
            && self
                .session_cookie
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"_.!#$%&'*+^`|~-".contains(&b));
        if !cookie_ok || self.session_cookie == NONCE_COOKIE {
            return Err(invalid(
                "alb: session_cookie must be a cookie token of 1-64 characters",
            ));
        }
        let timeout = self.session_timeout.as_secs();
        if !(1..=DEFAULT_SESSION_TIMEOUT.as_secs()).contains(&timeout) {
            return Err(invalid("alb: session_timeout must be 1 s to 7 days"));
        }
        let keys = self.keys.ok_or(ConfigError::Missing("alb: session_keys"))?;
        let signer_arn = self.signer_arn.ok_or(ConfigError::Missing("alb: signer"))?;
        AlbArn::parse(&signer_arn)?;
        let signer = match self.signer {
            Some(signer) => signer,
            None => AlbSigner::generate()
                .map_err(|_| invalid("alb: the signing key could not be generated"))?,
        };
        let public_origin = self.public_origin.map(|o| checked_origin(&o)).transpose()?;
        if let Some((path, uri)) = &self.logout {
            if !is_local_path(path) || *path == self.callback_path {
                return Err(invalid(
                    "alb: logout path must be a path other than the callback",
                ));
            }
            if let Some(uri) = uri {
                url::Url::parse(uri).map_err(|_| ConfigError::InvalidUrl {
                    url: uri.clone(),
                    reason: "logout_uri must be an absolute URL".into(),
                })?;
            }
        }
        Ok(AlbAuth {
            oidc: OidcClient::new(self.idp, &self.client_id, &self.client_secret)?,
            callback_path: self.callback_path,
            scope: self.scope,
            extra_params: self.extra_params,
            session_cookie: self.session_cookie,
            session_timeout: timeout as i64,
            on_unauthenticated: self.on_unauthenticated,
            keys,
            signer_arn,
            signer,
            public_origin,
            accept_bearer: self.accept_bearer,
            api_requests_get_401: self.api_requests_get_401,
            logout: self.logout,
            verify_access_token: self.verify_access_token,
            data_cache: DataCache::new(CACHE_CAPACITY),
            used_states: Cache::builder()
                .max_capacity(CACHE_CAPACITY)
                .time_to_live(Duration::from_secs(16 * 60))
                .build(),
            revoked: RevokedSessions::new(CACHE_CAPACITY, Duration::from_secs(timeout)),
            refreshes: Refreshes::new(),
            opened: OpenedSessions::new(),
        })
    }
}

/// `/`-rooted, no query, no `//` start.
fn is_local_path(path: &str) -> bool {
    path.starts_with('/')
        && !path.starts_with("//")
        && path
            .bytes()
            .all(|b| b.is_ascii_graphic() && b != b'?' && b != b'#')
}

/// `scheme://host[:port]` without a path (a trailing `/` is dropped).
fn checked_origin(origin: &str) -> Result<String, ConfigError> {
    let trimmed = origin.trim_end_matches('/');
    let invalid = || ConfigError::InvalidUrl {
        url: origin.to_owned(),
        reason: "public_origin must be scheme://host[:port]".into(),
    };
    let url = url::Url::parse(trimmed).map_err(|_| invalid())?;
    let bare = matches!(url.scheme(), "http" | "https")
        && url.host_str().is_some()
        && url.path() == "/"
        && url.query().is_none()
        && url.fragment().is_none()
        && url.username().is_empty()
        && !trimmed[url.scheme().len() + 3..].contains('/');
    if bare {
        Ok(trimmed.to_owned())
    } else {
        Err(invalid())
    }
}
