//! User pool identity: the pool id, and the issuer and JWKS URI derived from it.

use std::fmt;
use std::str::FromStr;

use crate::error::ConfigError;
use crate::policy::{ClientMatch, ExpectedTokenUse, Requirement};

/// A validated Cognito user pool id, `<region>_<id>`.
///
/// Accepts the ids real Cognito issues (`us-east-1_AbCdEf123`) and the longer
/// ones emulators use (`us-east-1_<32 hex>`, `local_abc123`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct UserPoolId {
    id: String,
    split: usize,
}

impl UserPoolId {
    /// Validates `id`.
    pub fn parse(id: &str) -> Result<Self, ConfigError> {
        let invalid = || ConfigError::InvalidPoolId(id.to_owned());
        // AWS: [\w-]+_[0-9a-zA-Z]+, at most 55 characters.
        if id.len() > 55 {
            return Err(invalid());
        }
        let (region, name) = id.rsplit_once('_').ok_or_else(invalid)?;
        let region_ok = region.starts_with(|c: char| c.is_ascii_lowercase())
            && region
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        let name_ok = !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric());
        if !region_ok || !name_ok {
            return Err(invalid());
        }
        Ok(UserPoolId {
            id: id.to_owned(),
            split: region.len(),
        })
    }

    /// The whole id.
    pub fn as_str(&self) -> &str {
        &self.id
    }

    /// The region part, e.g. `us-east-1`.
    pub fn region(&self) -> &str {
        &self.id[..self.split]
    }

    /// The part after the underscore (Cognito's "pool name" in SRP).
    pub fn name(&self) -> &str {
        &self.id[self.split + 1..]
    }

    /// `https://cognito-idp.<region>.amazonaws.com/<poolId>`.
    pub fn issuer(&self) -> String {
        format!(
            "https://cognito-idp.{}.amazonaws.com/{}",
            self.region(),
            self.id
        )
    }

    /// `<issuer>/.well-known/jwks.json`.
    pub fn jwks_uri(&self) -> String {
        format!("{}/.well-known/jwks.json", self.issuer())
    }
}

impl FromStr for UserPoolId {
    type Err = ConfigError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        UserPoolId::parse(s)
    }
}

impl fmt::Display for UserPoolId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.id)
    }
}

/// Which app clients a pool accepts.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) enum ClientCheck {
    /// Nothing said yet: refused at build time.
    #[default]
    Unset,
    /// Only these client ids.
    Allow(Vec<String>),
    /// Explicit opt-out: any client of the pool.
    Skip,
}

/// How tokens of one user pool are verified.
///
/// ```
/// use cognito_verifier::{PoolConfig, ExpectedTokenUse, Requirement};
/// let pool = PoolConfig::new("us-east-1_AbCdEf123")
///     .client_id("4b1gq2example")
///     .token_use(ExpectedTokenUse::Access)
///     .require_scopes(Requirement::any_of(["orders/read"]));
/// ```
#[derive(Debug, Clone)]
pub struct PoolConfig {
    pub(crate) pool_id: String,
    pub(crate) issuer: Option<String>,
    pub(crate) jwks_uri: Option<String>,
    pub(crate) token_use: ExpectedTokenUse,
    pub(crate) client_match: ClientMatch,
    pub(crate) clients: ClientCheck,
    pub(crate) groups: Option<Requirement>,
    pub(crate) scopes: Option<Requirement>,
    pub(crate) revocation_list: Option<String>,
}

impl PoolConfig {
    /// A pool by id; the id is validated when the verifier is built.
    pub fn new(pool_id: impl Into<String>) -> Self {
        PoolConfig {
            pool_id: pool_id.into(),
            issuer: None,
            jwks_uri: None,
            token_use: ExpectedTokenUse::default(),
            client_match: ClientMatch::default(),
            clients: ClientCheck::Unset,
            groups: None,
            scopes: None,
            revocation_list: None,
        }
    }

    /// Overrides the expected `iss` (default: derived from the pool id).
    pub fn issuer(mut self, issuer: impl Into<String>) -> Self {
        self.issuer = Some(issuer.into());
        self
    }

    /// Overrides where the JWKS is fetched (default: `<issuer>/.well-known/jwks.json`).
    pub fn jwks_uri(mut self, uri: impl Into<String>) -> Self {
        self.jwks_uri = Some(uri.into());
        self
    }

    /// Which `token_use` is accepted (default [`ExpectedTokenUse::Any`]).
    pub fn token_use(mut self, token_use: ExpectedTokenUse) -> Self {
        self.token_use = token_use;
        self
    }

    /// How the app client is read from the token (default [`ClientMatch::ByTokenUse`]).
    pub fn client_match(mut self, client_match: ClientMatch) -> Self {
        self.client_match = client_match;
        self
    }

    /// Adds an allowed app client id.
    pub fn client_id(self, client_id: impl Into<String>) -> Self {
        self.client_ids([client_id])
    }

    /// Adds allowed app client ids.
    pub fn client_ids<I, S>(mut self, ids: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let mut list = match std::mem::take(&mut self.clients) {
            ClientCheck::Allow(list) => list,
            ClientCheck::Unset | ClientCheck::Skip => Vec::new(),
        };
        list.extend(ids.into_iter().map(Into::into));
        self.clients = ClientCheck::Allow(list);
        self
    }

    /// Accepts tokens of *any* app client of this pool.
    ///
    /// This is an explicit opt-out of the `aud` / `client_id` check: without
    /// it, a pool with no client ids is a configuration error.
    pub fn skip_client_check(mut self) -> Self {
        self.clients = ClientCheck::Skip;
        self
    }

    /// Refuses tokens whose sign-in the issuer lists as revoked, polling
    /// `uri` (e.g. the reference issuer's `/<poolId>/revocations.json`).
    /// Off by default; real Cognito publishes no such list.
    pub fn revocation_list(mut self, uri: impl Into<String>) -> Self {
        self.revocation_list = Some(uri.into());
        self
    }

    /// Groups every token must hold (`cognito:groups`).
    pub fn require_groups(mut self, groups: Requirement) -> Self {
        self.groups = Some(groups);
        self
    }

    /// Scopes every token must hold (`scope`).
    pub fn require_scopes(mut self, scopes: Requirement) -> Self {
        self.scopes = Some(scopes);
        self
    }
}

/// A pool after validation, as the verifier uses it.
#[derive(Debug)]
pub(crate) struct Pool {
    pub(crate) issuer: String,
    pub(crate) jwks_uri: String,
    pub(crate) token_use: ExpectedTokenUse,
    pub(crate) client_match: ClientMatch,
    /// `None` means the check was explicitly skipped.
    pub(crate) clients: Option<Vec<String>>,
    pub(crate) groups: Option<Requirement>,
    pub(crate) scopes: Option<Requirement>,
    pub(crate) revocation_list: Option<String>,
}

impl Pool {
    pub(crate) fn from_config(config: PoolConfig) -> Result<Self, ConfigError> {
        let pool_id = UserPoolId::parse(&config.pool_id)?;
        let issuer = match config.issuer {
            Some(issuer) => validate_url(issuer)?,
            None => pool_id.issuer(),
        };
        let jwks_uri = match config.jwks_uri {
            Some(uri) => validate_url(uri)?,
            None => format!("{issuer}/.well-known/jwks.json"),
        };
        let revocation_list = config.revocation_list.map(validate_url).transpose()?;
        let clients = match config.clients {
            ClientCheck::Unset => return Err(ConfigError::NoClientCheck(pool_id.to_string())),
            ClientCheck::Allow(list) => Some(list),
            ClientCheck::Skip => None,
        };
        Ok(Pool {
            issuer,
            jwks_uri,
            token_use: config.token_use,
            client_match: config.client_match,
            clients,
            groups: config.groups,
            scopes: config.scopes,
            revocation_list,
        })
    }
}

fn validate_url(raw: String) -> Result<String, ConfigError> {
    let invalid = |reason: &str| ConfigError::InvalidUrl {
        url: raw.clone(),
        reason: reason.to_owned(),
    };
    let url = url::Url::parse(&raw).map_err(|e| invalid(&e.to_string()))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(invalid("scheme must be http or https"));
    }
    if url.host_str().is_none() {
        return Err(invalid("no host"));
    }
    Ok(raw)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_real_and_emulator_ids() {
        for id in [
            "us-east-1_AbCdEf123",
            "eu-central-2_x",
            "us-gov-west-1_abc",
            "us-east-1_0123456789abcdef0123456789abcdef",
            "local_2xqjBbKN",
        ] {
            UserPoolId::parse(id).unwrap_or_else(|e| panic!("{id}: {e}"));
        }
    }

    #[test]
    fn rejects_bad_ids() {
        for id in [
            "",
            "us-east-1",
            "_abc",
            "us-east-1_",
            "US-EAST-1_abc",
            "us-east-1_ab-c",
            "us-east-1_ab/c",
            "us east-1_abc",
            "1us-east_abc",
            &format!("us-east-1_{}", "a".repeat(60)),
        ] {
            assert!(UserPoolId::parse(id).is_err(), "{id:?} accepted");
        }
    }

    #[test]
    fn derives_issuer_and_jwks() {
        let id = UserPoolId::parse("us-west-2_Pool9").unwrap();
        assert_eq!(id.region(), "us-west-2");
        assert_eq!(id.name(), "Pool9");
        assert_eq!(
            id.issuer(),
            "https://cognito-idp.us-west-2.amazonaws.com/us-west-2_Pool9"
        );
        assert_eq!(
            id.jwks_uri(),
            "https://cognito-idp.us-west-2.amazonaws.com/us-west-2_Pool9/.well-known/jwks.json"
        );
    }

    #[test]
    fn overrides_are_independent() {
        let pool = Pool::from_config(
            PoolConfig::new("us-east-1_abc")
                .jwks_uri("http://127.0.0.1:9229/us-east-1_abc/.well-known/jwks.json")
                .client_id("c"),
        )
        .unwrap();
        assert_eq!(
            pool.issuer,
            "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_abc"
        );
        assert_eq!(
            pool.jwks_uri,
            "http://127.0.0.1:9229/us-east-1_abc/.well-known/jwks.json"
        );
        let pool = Pool::from_config(
            PoolConfig::new("us-east-1_abc")
                .issuer("http://127.0.0.1:9229/us-east-1_abc")
                .skip_client_check(),
        )
        .unwrap();
        assert_eq!(
            pool.jwks_uri,
            "http://127.0.0.1:9229/us-east-1_abc/.well-known/jwks.json"
        );
        assert_eq!(pool.clients, None);
    }

    #[test]
    fn client_check_is_never_silently_skipped() {
        let err = Pool::from_config(PoolConfig::new("us-east-1_abc")).unwrap_err();
        assert!(matches!(err, ConfigError::NoClientCheck(_)));
    }

    #[test]
    fn rejects_non_http_urls() {
        let err = Pool::from_config(
            PoolConfig::new("us-east-1_abc")
                .client_id("c")
                .jwks_uri("file:///etc/passwd"),
        )
        .unwrap_err();
        assert!(matches!(err, ConfigError::InvalidUrl { .. }));
    }
}
