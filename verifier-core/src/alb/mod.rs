//! Verifying the `x-amzn-oidc-data` header an Application Load Balancer
//! (`authenticate-cognito` / `authenticate-oidc`) adds to requests.
//!
//! The token is an ES256 JWS whose segments are base64url **with** padding,
//! signed over the padded text; its header names the signing load balancer
//! (`signer`), the app client (`client`), `iss` and `exp`, and its key is a
//! PEM published per kid by the region's key server
//! (`https://public-keys.auth.elb.<region>.amazonaws.com/<kid>`).
//!
//! The `signer` check is mandatory: every ALB of a region publishes its keys
//! on the same server, so a token minted by someone else's ALB (with an IdP
//! of their own) verifies under a genuine AWS key. Only `signer` == your ALB's
//! ARN ties the token to your load balancer ("ALBeast", 2024). The `client`
//! and `iss` checks pin the app client and the IdP.
//!
//! ```no_run
//! use cognito_verifier::alb::AlbVerifier;
//! # async fn run(data: &str) -> Result<(), Box<dyn std::error::Error>> {
//! let verifier = AlbVerifier::builder()
//!     .alb_arn("arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/my-alb/50dc6c495c0c9188")
//!     .client_id("4b1gq2example")
//!     .issuer("https://cognito-idp.us-east-1.amazonaws.com/us-east-1_AbCdEf123")
//!     .build()?;
//! let claims = verifier.verify(data).await?;
//! println!("{} ({:?})", claims.sub(), claims.email());
//! # Ok(()) }
//! ```

pub(crate) mod arn;
mod cache;
mod claims;
mod keys;

use std::sync::Arc;
use std::time::Duration;

pub use claims::AlbClaims;

use crate::error::{Cause, ConfigError, Malformed, VerifyError};
use crate::fetch::{self, FetchLimits};
use crate::jws::{self, ALB_RULES, DecodedJws, HeaderDate, JwsRules};
use crate::token_cache::unix_now;
use arn::AlbArn;
use cache::{DataCache, Verified};
use keys::{AlbKey, AlbKeys};

/// Verifies `x-amzn-oidc-data` tokens of the configured load balancers.
/// Cheap to clone; clones share the key cache.
#[derive(Clone)]
pub struct AlbVerifier(Arc<Inner>);

struct Inner {
    signers: Vec<String>,
    /// `None`: the client check was explicitly skipped.
    clients: Option<Vec<String>>,
    issuer: String,
    keys: AlbKeys,
    leeway: i64,
    rules: JwsRules,
    cache: Option<DataCache>,
}

impl std::fmt::Debug for AlbVerifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AlbVerifier")
            .field("signers", &self.0.signers)
            .field("clients", &self.0.clients)
            .field("issuer", &self.0.issuer)
            .finish_non_exhaustive()
    }
}

impl AlbVerifier {
    /// Starts a configuration: ARN(s), client id(s) and issuer are mandatory.
    pub fn builder() -> AlbVerifierBuilder {
        AlbVerifierBuilder::default()
    }

    /// Verifies `data` (the value of `x-amzn-oidc-data`), fetching its key
    /// once if needed. Key fetch failures are [`Cause::JwksUnavailable`] (503).
    pub async fn verify(&self, data: &str) -> Result<AlbClaims, VerifyError> {
        if let Some(hit) = self.cached(data) {
            return hit;
        }
        let decoded = self.start(data)?;
        let key = self.0.keys.key(&decoded.kid).await?;
        Ok(self.finish(data, decoded, &key)?)
    }

    /// [`verify`](Self::verify) without waiting: `None` when the token's key
    /// is not cached yet (and no recent failure is remembered for its kid).
    pub fn verify_cached(&self, data: &str) -> Option<Result<AlbClaims, VerifyError>> {
        if let Some(hit) = self.cached(data) {
            return Some(hit);
        }
        let decoded = match self.start(data) {
            Ok(decoded) => decoded,
            Err(error) => return Some(Err(error)),
        };
        Some(match self.0.keys.key_cached(&decoded.kid)? {
            Ok(key) => self.finish(data, decoded, &key).map_err(VerifyError::from),
            Err(cause) => Err(cause.into()),
        })
    }

    /// A token verified before: only its expiry is checked again.
    fn cached(&self, data: &str) -> Option<Result<AlbClaims, VerifyError>> {
        let hit = self.0.cache.as_ref()?.get(data)?;
        let now = unix_now();
        if now >= hit.exp.saturating_add(self.0.leeway) {
            return Some(Err(Cause::Expired { exp: hit.exp, now }.into()));
        }
        Some(Ok(hit.claims))
    }

    /// Decoding and the checks that decide whether a key is worth fetching:
    /// the signer (before any fetch, so a foreign ALB's token costs none) and
    /// the issuer.
    fn start<'t>(&self, data: &'t str) -> Result<DecodedJws<'t>, VerifyError> {
        let decoded = jws::decode(data, &self.0.rules)?;
        match decoded.header.signer.as_deref() {
            Some(signer) if self.0.signers.iter().any(|s| s == signer) => {}
            other => return Err(Cause::WrongSigner(other.unwrap_or_default().to_owned()).into()),
        }
        let iss = decoded.claims.issuer()?;
        if iss != self.0.issuer {
            return Err(Cause::WrongIssuer(iss.to_owned()).into());
        }
        if let Some(header_iss) = decoded.header.iss.as_deref()
            && header_iss != self.0.issuer
        {
            return Err(Cause::WrongIssuer(header_iss.to_owned()).into());
        }
        Ok(decoded)
    }

    /// Signature, claim types, client and expiry; the verified token is cached.
    fn finish(
        &self,
        data: &str,
        decoded: DecodedJws<'_>,
        key: &AlbKey,
    ) -> Result<AlbClaims, Cause> {
        if !key.verify(decoded.signing_input, &decoded.signature) {
            return Err(Cause::BadSignature);
        }
        let header = decoded.header;
        let claims = AlbClaims::from_payload(decoded.claims)?;
        if let Some(allowed) = &self.0.clients {
            match header.client.as_deref() {
                Some(client) if allowed.iter().any(|a| a == client) => {}
                other => return Err(Cause::WrongClient(other.unwrap_or_default().to_owned())),
            }
        }
        let exp = match header.exp {
            HeaderDate::Absent => claims.exp(),
            HeaderDate::Valid(exp) => exp.min(claims.exp()),
            HeaderDate::Invalid => return Err(Malformed::InvalidClaim("exp").into()),
        };
        let now = unix_now();
        if now >= exp.saturating_add(self.0.leeway) {
            return Err(Cause::Expired { exp, now });
        }
        if let Some(cache) = &self.0.cache {
            cache.insert(
                data,
                Verified {
                    claims: claims.clone(),
                    exp,
                },
            );
        }
        Ok(claims)
    }
}

/// Configures an [`AlbVerifier`]; see [`AlbVerifier::builder`].
#[derive(Debug, Clone)]
pub struct AlbVerifierBuilder {
    arns: Vec<String>,
    clients: Vec<String>,
    skip_client_check: bool,
    issuer: Option<String>,
    key_base_url: Option<String>,
    limits: FetchLimits,
    cooldown: Duration,
    leeway: Duration,
    http: Option<reqwest::Client>,
    cache_capacity: u64,
}

impl Default for AlbVerifierBuilder {
    fn default() -> Self {
        AlbVerifierBuilder {
            arns: Vec::new(),
            clients: Vec::new(),
            skip_client_check: false,
            issuer: None,
            key_base_url: None,
            limits: FetchLimits::default(),
            cooldown: Duration::from_secs(10),
            leeway: Duration::ZERO,
            http: None,
            cache_capacity: crate::DEFAULT_TOKEN_CACHE_CAPACITY,
        }
    }
}

impl AlbVerifierBuilder {
    /// Accepts tokens whose `signer` is this Application Load Balancer's ARN
    /// (at least one is mandatory; call again for more).
    pub fn alb_arn(mut self, arn: &str) -> Self {
        self.arns.push(arn.to_owned());
        self
    }

    /// Accepts tokens whose header `client` is this app client id (at least
    /// one, unless [`skip_client_check`](Self::skip_client_check)).
    pub fn client_id(mut self, client_id: &str) -> Self {
        self.clients.push(client_id.to_owned());
        self
    }

    /// Explicitly accepts any app client.
    pub fn skip_client_check(mut self) -> Self {
        self.skip_client_check = true;
        self
    }

    /// The IdP's issuer, compared exactly with the token's `iss` (mandatory).
    pub fn issuer(mut self, issuer: &str) -> Self {
        self.issuer = Some(issuer.to_owned());
        self
    }

    /// Fetches keys from `<url>/<kid>` instead of the ARN region's key server.
    pub fn key_base_url(mut self, url: &str) -> Self {
        self.key_base_url = Some(url.to_owned());
        self
    }

    /// Timeouts and size cap of each key fetch (as for a JWKS).
    pub fn fetch_limits(mut self, limits: FetchLimits) -> Self {
        self.limits = limits;
        self
    }

    /// After a failed key fetch, that kid fails fast for this long (default 10 s).
    pub fn key_cooldown(mut self, cooldown: Duration) -> Self {
        self.cooldown = cooldown;
        self
    }

    /// Tolerance for `exp` (default none; at most one hour).
    pub fn leeway(mut self, leeway: Duration) -> Self {
        self.leeway = leeway;
        self
    }

    /// Uses this HTTP client for key fetches (each fetch is still bounded).
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http = Some(client);
        self
    }

    /// Most verified tokens remembered (default
    /// [`DEFAULT_TOKEN_CACHE_CAPACITY`](crate::DEFAULT_TOKEN_CACHE_CAPACITY));
    /// a remembered token skips decoding and the signature check until its `exp`.
    pub fn token_cache_capacity(mut self, entries: u64) -> Self {
        self.cache_capacity = entries;
        self
    }

    /// Verifies every token in full, every time.
    pub fn disable_token_cache(mut self) -> Self {
        self.cache_capacity = 0;
        self
    }

    /// Validates the configuration.
    pub fn build(self) -> Result<AlbVerifier, ConfigError> {
        if self.arns.is_empty() {
            return Err(ConfigError::Missing(
                "alb_arn (the signer check is mandatory)",
            ));
        }
        let arns = self
            .arns
            .iter()
            .map(|arn| AlbArn::parse(arn))
            .collect::<Result<Vec<_>, _>>()?;
        if self.clients.is_empty() && !self.skip_client_check {
            return Err(ConfigError::Missing(
                "client_id (or an explicit skip_client_check())",
            ));
        }
        let issuer = self.issuer.ok_or(ConfigError::Missing("issuer"))?;
        check_url(&issuer)?;
        let base = match self.key_base_url {
            Some(base) => base,
            None => {
                let bases: Vec<Option<String>> = arns.iter().map(AlbArn::key_base_url).collect();
                match bases.as_slice() {
                    [Some(first), rest @ ..] if rest.iter().all(|b| b.as_ref() == Some(first)) => {
                        first.clone()
                    }
                    [Some(_), ..] => {
                        return Err(ConfigError::InvalidSetting(
                            "load balancers of different regions need one key_base_url, or one verifier per region",
                        ));
                    }
                    _ => {
                        return Err(ConfigError::Missing(
                            "key_base_url (no default for this partition)",
                        ));
                    }
                }
            }
        };
        check_url(&base)?;
        if self.leeway > Duration::from_secs(3600) {
            return Err(ConfigError::InvalidSetting(
                "leeway must be at most one hour",
            ));
        }
        if self.limits.max_bytes == 0
            || self.limits.timeout.is_zero()
            || self.limits.connect_timeout.is_zero()
        {
            return Err(ConfigError::InvalidSetting("fetch limits must be positive"));
        }
        let http = match self.http {
            Some(http) => http,
            None => fetch::http_client(&self.limits)
                .map_err(|_| ConfigError::InvalidSetting("HTTP client"))?,
        };
        Ok(AlbVerifier(Arc::new(Inner {
            signers: arns.into_iter().map(|arn| arn.text).collect(),
            clients: (!self.skip_client_check).then_some(self.clients),
            issuer,
            keys: AlbKeys::new(&base, http, self.limits, self.cooldown),
            leeway: i64::try_from(self.leeway.as_secs()).unwrap_or(3600),
            rules: ALB_RULES,
            cache: (self.cache_capacity > 0).then(|| DataCache::new(self.cache_capacity)),
        })))
    }
}

fn check_url(url: &str) -> Result<(), ConfigError> {
    let invalid = |reason: &str| ConfigError::InvalidUrl {
        url: url.to_owned(),
        reason: reason.to_owned(),
    };
    let parsed = url::Url::parse(url).map_err(|e| invalid(&e.to_string()))?;
    if !matches!(parsed.scheme(), "http" | "https") || parsed.host().is_none() {
        return Err(invalid("must be an absolute http(s) URL"));
    }
    Ok(())
}
