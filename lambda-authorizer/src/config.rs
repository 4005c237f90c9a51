//! Configuration: a small TOML (embedded at build time, or given at run
//! time), with environment variables for the common cases.
//!
//! ```toml
//! preset = "rest"                 # strict | rest | http (default rest)
//! scopes = ["orders/read"]        # optional: scopes every request needs (any of)
//! simple_responses = false        # HTTP API 2.0: {isAuthorized, context}
//! deny_jti = ["..."]              # optional static denylist of jti / origin_jti
//!
//! [token]                         # where the token is (default: Authorization)
//! header = "authorization"
//! cookie = "id_token"             # optional fallback (REQUEST / HTTP API events)
//!
//! [[pools]]
//! id = "us-east-1_AbCdEf123"      # the region comes from the id
//! client_ids = ["4b1gq2example"]
//! # issuer = "..."; jwks_uri = "..."   # overrides, e.g. for a local issuer
//! # revocation_list = "https://issuer.example/us-east-1_AbCdEf123/revocations.json"
//!
//! [[routes]]
//! route = "GET /users/{sub}/files"
//! owner = "sub"                   # path parameter that must equal the claim
//! # owner_claim = "sub"; groups_any / groups_all / scopes_any / scopes_all = [..]; guests = true
//! ```
//!
//! With no `[[routes]]`, every route needs a valid token and nothing more
//! (`$default` without rules). Environment variables, read by
//! [`Config::from_env`]: `COGNITO_AUTHORIZER_CONFIG` (TOML text) or
//! `COGNITO_AUTHORIZER_CONFIG_FILE` (a path) replace the embedded TOML;
//! `COGNITO_USER_POOL_ID` with `COGNITO_CLIENT_ID` (comma-separated) and
//! optionally `COGNITO_JWKS_URI` replace its pools; `COGNITO_PRESET` its preset.

use cognito_verifier::gate::{Gate, Preset, RouteError, RouteRules, RouteTable, TokenSource};
use cognito_verifier::{
    CognitoVerifier, ConfigError as VerifierConfigError, PoolConfig, Requirement,
};
use serde::Deserialize;

use crate::authorizer::Authorizer;

/// A configuration that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The TOML does not parse or has unknown keys.
    #[error("authorizer configuration: {0}")]
    Toml(#[from] toml::de::Error),
    /// `COGNITO_AUTHORIZER_CONFIG_FILE` cannot be read.
    #[error("cannot read {path}: {source}")]
    File {
        /// The path given.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// A value that is not allowed.
    #[error("authorizer configuration: {0}")]
    Invalid(String),
    /// A route key that does not parse.
    #[error(transparent)]
    Route(#[from] RouteError),
    /// The verifier refused the pools.
    #[error(transparent)]
    Verifier(#[from] VerifierConfigError),
}

/// The whole configuration; see the [module docs](self).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// `strict`, `rest` (default) or `http`.
    pub preset: Option<String>,
    /// Scopes every request needs (any of).
    pub scopes: Option<Vec<String>>,
    /// HTTP API 2.0 simple responses.
    #[serde(default)]
    pub simple_responses: bool,
    /// Static denylist of `jti` / `origin_jti` values.
    #[serde(default)]
    pub deny_jti: Vec<String>,
    /// Where the token is.
    #[serde(default)]
    pub token: TokenConfig,
    /// The trusted user pools.
    #[serde(default)]
    pub pools: Vec<PoolToml>,
    /// The route table.
    #[serde(default)]
    pub routes: Vec<RouteToml>,
}

/// `[token]`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TokenConfig {
    /// Token header (default `authorization`).
    pub header: Option<String>,
    /// Token cookie, read when the header is absent.
    pub cookie: Option<String>,
}

/// `[[pools]]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PoolToml {
    /// The user pool id (`<region>_<name>`).
    pub id: String,
    /// Allowed app client ids.
    pub client_ids: Vec<String>,
    /// Overrides the issuer derived from the id.
    pub issuer: Option<String>,
    /// Overrides the JWKS URI derived from the issuer.
    pub jwks_uri: Option<String>,
    /// The pool's opt-in revocation list.
    pub revocation_list: Option<String>,
}

/// `[[routes]]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RouteToml {
    /// `METHOD /path`, `ANY /path`, or `$default`.
    pub route: String,
    /// Any of these groups.
    #[serde(default)]
    pub groups_any: Vec<String>,
    /// All of these groups.
    #[serde(default)]
    pub groups_all: Vec<String>,
    /// Any of these scopes.
    #[serde(default)]
    pub scopes_any: Vec<String>,
    /// All of these scopes.
    #[serde(default)]
    pub scopes_all: Vec<String>,
    /// Path parameter that must equal `owner_claim`.
    pub owner: Option<String>,
    /// The claim `owner` must equal (default `sub`).
    pub owner_claim: Option<String>,
    /// Requests without a token pass as guests.
    #[serde(default)]
    pub guests: bool,
}

impl RouteToml {
    fn rules(&self) -> RouteRules {
        let mut rules = RouteRules::new().guests(self.guests);
        if !self.groups_any.is_empty() {
            rules = rules.groups_any(&self.groups_any);
        }
        if !self.groups_all.is_empty() {
            rules = rules.groups_all(&self.groups_all);
        }
        if !self.scopes_any.is_empty() {
            rules = rules.scopes_any(&self.scopes_any);
        }
        if !self.scopes_all.is_empty() {
            rules = rules.scopes_all(&self.scopes_all);
        }
        if let Some(param) = &self.owner {
            rules = rules.owner_by(param, self.owner_claim.as_deref().unwrap_or("sub"));
        }
        rules
    }
}

impl Config {
    /// Parses TOML text.
    pub fn from_toml(text: &str) -> Result<Config, ConfigError> {
        Ok(toml::from_str(text)?)
    }

    /// `embedded` (the TOML compiled in), replaced or adjusted by the
    /// environment as `var` reads it (see the [module docs](self)).
    pub fn from_env(
        embedded: &str,
        var: impl Fn(&str) -> Option<String>,
    ) -> Result<Config, ConfigError> {
        let mut config = match (
            var("COGNITO_AUTHORIZER_CONFIG"),
            var("COGNITO_AUTHORIZER_CONFIG_FILE"),
        ) {
            (Some(text), _) => Config::from_toml(&text)?,
            (None, Some(path)) => {
                let text = std::fs::read_to_string(&path)
                    .map_err(|source| ConfigError::File { path, source })?;
                Config::from_toml(&text)?
            }
            (None, None) => Config::from_toml(embedded)?,
        };
        if let Some(id) = var("COGNITO_USER_POOL_ID") {
            let clients = var("COGNITO_CLIENT_ID").ok_or_else(|| {
                ConfigError::Invalid(
                    "COGNITO_CLIENT_ID is required with COGNITO_USER_POOL_ID".into(),
                )
            })?;
            config.pools = vec![PoolToml {
                id,
                client_ids: clients.split(',').map(|c| c.trim().to_owned()).collect(),
                issuer: None,
                jwks_uri: var("COGNITO_JWKS_URI"),
                revocation_list: None,
            }];
        }
        if let Some(preset) = var("COGNITO_PRESET") {
            config.preset = Some(preset);
        }
        Ok(config)
    }

    /// The verifier for the configured pools.
    pub fn verifier(&self) -> Result<CognitoVerifier, ConfigError> {
        if self.pools.is_empty() {
            return Err(ConfigError::Invalid(
                "no user pool: add [[pools]] or set COGNITO_USER_POOL_ID and COGNITO_CLIENT_ID"
                    .into(),
            ));
        }
        let builder = self.pools.iter().fold(CognitoVerifier::builder(), |b, p| {
            let mut pool = PoolConfig::new(&p.id).client_ids(&p.client_ids);
            if let Some(issuer) = &p.issuer {
                pool = pool.issuer(issuer);
            }
            if let Some(uri) = &p.jwks_uri {
                pool = pool.jwks_uri(uri);
            }
            if let Some(uri) = &p.revocation_list {
                pool = pool.revocation_list(uri);
            }
            b.pool(pool)
        });
        Ok(builder.build()?)
    }

    /// The route table (`$default` without rules when none is configured).
    pub fn route_table(&self) -> Result<RouteTable, ConfigError> {
        if self.routes.is_empty() {
            return Ok(RouteTable::new().route("$default", RouteRules::new())?);
        }
        self.routes
            .iter()
            .try_fold(RouteTable::new(), |t, r| Ok(t.route(&r.route, r.rules())?))
    }

    /// The gate over `verifier`.
    pub fn gate(&self, verifier: CognitoVerifier) -> Result<Gate, ConfigError> {
        let name = self.preset.as_deref().unwrap_or("rest");
        let preset = Preset::from_name(name).ok_or_else(|| {
            ConfigError::Invalid(format!("preset {name:?}: expected strict, rest or http"))
        })?;
        let mut source =
            TokenSource::header(self.token.header.as_deref().unwrap_or("authorization"));
        if let Some(cookie) = &self.token.cookie {
            source = source.with_cookie(cookie);
        }
        let mut gate = Gate::new(verifier).preset(preset).token_source(source);
        if let Some(scopes) = &self.scopes {
            gate = gate.require_scopes(Requirement::any_of(scopes));
        }
        Ok(gate)
    }

    /// Builds the authorizer with its own verifier.
    pub fn build(&self) -> Result<Authorizer, ConfigError> {
        self.build_with(self.verifier()?)
    }

    /// Builds the authorizer over an existing verifier (tests, shared caches).
    pub fn build_with(&self, verifier: CognitoVerifier) -> Result<Authorizer, ConfigError> {
        Ok(Authorizer::new(self.gate(verifier)?, self.route_table()?)
            .deny_jtis(&self.deny_jti)
            .simple_responses(self.simple_responses))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn env_replaces_pools_and_preset() {
        let env = |name: &str| match name {
            "COGNITO_USER_POOL_ID" => Some("eu-west-1_Abc".to_owned()),
            "COGNITO_CLIENT_ID" => Some("a, b".to_owned()),
            "COGNITO_PRESET" => Some("http".to_owned()),
            _ => None,
        };
        let config = Config::from_env("preset = \"rest\"", env).unwrap();
        assert_eq!(config.preset.as_deref(), Some("http"));
        assert_eq!(config.pools[0].client_ids, ["a", "b"]);
        assert!(config.build().is_ok());
    }

    #[test]
    fn bad_configurations_are_named() {
        assert!(matches!(
            Config::from_toml("nope = 1"),
            Err(ConfigError::Toml(_))
        ));
        assert!(matches!(
            Config::default().build(),
            Err(ConfigError::Invalid(_))
        ));
        let bad_route =
            "[[pools]]\nid = \"us-east-1_A\"\nclient_ids = [\"c\"]\n[[routes]]\nroute = \"get /x\"";
        assert!(matches!(
            Config::from_toml(bad_route).unwrap().build(),
            Err(ConfigError::Route(_))
        ));
        let bad_preset = "preset = \"alb\"\n[[pools]]\nid = \"us-east-1_A\"\nclient_ids = [\"c\"]";
        assert!(matches!(
            Config::from_toml(bad_preset).unwrap().build(),
            Err(ConfigError::Invalid(_))
        ));
        let no_client =
            |name: &str| (name == "COGNITO_USER_POOL_ID").then(|| "us-east-1_A".to_owned());
        assert!(matches!(
            Config::from_env("", no_client),
            Err(ConfigError::Invalid(_))
        ));
    }
}
