//! The configuration file: its TOML shape ([`File`], also what an importer
//! of API Gateway definitions produces) and the line-numbered errors of
//! reading it.
//!
//! ```toml
//! listen = "127.0.0.1:8000"
//! preset = "api-gateway-rest"          # answers outside authorizers (no route, open routes)
//! forward_auth_path = "/auth"          # optional forward-auth endpoint
//!
//! [limits]
//! integration_timeout_ms = 29000
//!
//! [upstreams.app]
//! url = "http://127.0.0.1:8080"
//!
//! [pools.main]
//! pool_id = "us-east-1_AbCdEf123"
//! client_ids = ["4b1gq2example"]
//!
//! [authorizers.cognito]
//! pools = ["main"]
//! preset = "api-gateway-rest"          # strict | api-gateway-rest | api-gateway-http
//! header = "Authorization"
//!
//! [mappings.identity]
//! "overwrite:header.x-user-sub" = "$context.authorizer.claims.sub"
//!
//! [[routes]]
//! route = "GET /users/{sub}/files"
//! authorizer = "cognito"               # or "none"
//! upstream = "app"
//! owner = "sub"
//! mapping = "identity"
//! ```

use std::collections::BTreeMap;
use std::ops::Range;

use serde::{Deserialize, Serialize};
use toml::Spanned;

/// The whole file.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct File {
    /// Address to listen on, e.g. `127.0.0.1:8000` (not changed by a reload).
    pub listen: Spanned<String>,
    /// The preset of answers given outside any authorizer: no route
    /// matches, or an open route's upstream fails (default `strict`).
    #[serde(default = "default_preset")]
    pub preset: Spanned<String>,
    /// Path of the forward-auth endpoint (nginx `auth_request`, Traefik
    /// `ForwardAuth`, Caddy `forward_auth`); none: no such endpoint.
    #[serde(default)]
    pub forward_auth_path: Option<Spanned<String>>,
    /// Timeouts and connection limits.
    #[serde(default)]
    pub limits: Limits,
    /// Backends by name.
    #[serde(default)]
    pub upstreams: BTreeMap<String, Upstream>,
    /// User pools by name.
    #[serde(default)]
    pub pools: BTreeMap<String, Pool>,
    /// Authorizers by name.
    #[serde(default)]
    pub authorizers: BTreeMap<String, Authorizer>,
    /// Header mappings by name (API Gateway `requestParameters` syntax).
    #[serde(default)]
    pub mappings: BTreeMap<String, BTreeMap<String, String>>,
    /// The routes, API Gateway route keys with their rules.
    #[serde(default)]
    pub routes: Vec<Route>,
    /// CORS as API Gateway HTTP APIs do it (see [`crate::cors`]); none: no CORS.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cors: Option<Spanned<crate::cors::CorsSection>>,
}

/// Timeouts and limits.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct Limits {
    /// Time for the upstream to send its response head (API Gateway's
    /// integration timeout; REST's default is 29 s, HTTP API's 30 s).
    pub integration_timeout_ms: u64,
    /// Time to connect to the upstream.
    pub connect_timeout_ms: u64,
    /// Time for a client to send its request head.
    pub header_read_timeout_ms: u64,
    /// Client connections served at once; more wait to be accepted.
    pub max_connections: usize,
    /// On SIGTERM, how long in-flight requests may finish.
    pub shutdown_grace_ms: u64,
    /// How often the file's modification time is checked (0: only SIGHUP reloads).
    pub watch_interval_ms: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            integration_timeout_ms: 29_000,
            connect_timeout_ms: 2_000,
            header_read_timeout_ms: 10_000,
            max_connections: 10_000,
            shutdown_grace_ms: 30_000,
            watch_interval_ms: 2_000,
        }
    }
}

/// A backend.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Upstream {
    /// `http://host:port` with an optional base path.
    pub url: Spanned<String>,
}

/// A user pool (or any issuer with Cognito-shaped tokens).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Pool {
    /// The user pool id, e.g. `us-east-1_AbCdEf123`.
    pub pool_id: Spanned<String>,
    /// App clients whose tokens are accepted.
    #[serde(default)]
    pub client_ids: Vec<String>,
    /// Accept every app client of the pool (what a REST API Cognito
    /// authorizer does without an `identityValidationExpression`).
    #[serde(default)]
    pub any_client: bool,
    /// Override of the expected `iss` (local issuers).
    #[serde(default)]
    pub issuer: Option<String>,
    /// Override of where the JWKS is fetched.
    #[serde(default)]
    pub jwks_uri: Option<String>,
}

/// An authorizer: which pools, how tokens are found, which API Gateway to mimic.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Authorizer {
    /// Names of `[pools.*]` entries.
    pub pools: Spanned<Vec<String>>,
    /// `strict`, `api-gateway-rest` or `api-gateway-http`.
    #[serde(default = "default_preset")]
    pub preset: Spanned<String>,
    /// The token header (API Gateway's identity source), `Authorization` by default.
    #[serde(default)]
    pub header: Option<String>,
    /// A cookie also holding the token.
    #[serde(default)]
    pub cookie: Option<String>,
}

fn default_preset() -> Spanned<String> {
    Spanned::new(0..0, "strict".to_owned())
}

/// One route.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Route {
    /// API Gateway route key: `GET /pets/{id}`, `ANY /{proxy+}`, `$default`.
    pub route: Spanned<String>,
    /// Name of an `[authorizers.*]` entry, or `none` for an open route.
    pub authorizer: Spanned<String>,
    /// Name of an `[upstreams.*]` entry; none: the route only answers forward-auth.
    #[serde(default)]
    pub upstream: Option<Spanned<String>>,
    /// Authorization scopes (any of them), as on an API Gateway method or route.
    #[serde(default)]
    pub scopes: Vec<String>,
    /// Groups of which the token must hold at least one.
    #[serde(default)]
    pub groups_any: Vec<String>,
    /// Groups the token must all hold.
    #[serde(default)]
    pub groups_all: Vec<String>,
    /// A path parameter that must equal the token's `sub`.
    #[serde(default)]
    pub owner: Option<String>,
    /// Requests without a token pass as guests.
    #[serde(default)]
    pub guests: bool,
    /// Name of a `[mappings.*]` entry.
    #[serde(default)]
    pub mapping: Option<Spanned<String>>,
}

/// The file could not be used; the message names the line.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("{path}: {source}")]
    Read {
        /// The file.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// TOML syntax or a field of the wrong type or name.
    #[error("{path}: {message}")]
    Syntax {
        /// The file.
        path: String,
        /// toml's message, with line and column.
        message: String,
    },
    /// A value that parses but cannot be used.
    #[error("{path}:{line}: {message}")]
    Invalid {
        /// The file.
        path: String,
        /// 1-based line of the offending value (0: not located).
        line: usize,
        /// What is wrong.
        message: String,
    },
}

/// A semantic error at a span of the source, before the path and line are known.
#[derive(Debug)]
pub struct Located {
    /// Byte range in the file.
    pub span: Range<usize>,
    /// What is wrong.
    pub message: String,
}

impl Located {
    /// An error at `span`.
    pub fn at<T>(value: &Spanned<T>, message: impl Into<String>) -> Self {
        Located {
            span: value.span(),
            message: message.into(),
        }
    }
}

/// Reads and parses `path` (types and names only; see [`crate::runtime`]
/// for the rest of the validation).
pub fn read(path: &str) -> Result<(File, String), ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
        path: path.to_owned(),
        source,
    })?;
    let file = parse(path, &text)?;
    Ok((file, text))
}

/// Parses a file's text.
pub fn parse(path: &str, text: &str) -> Result<File, ConfigError> {
    toml::from_str(text).map_err(|e| ConfigError::Syntax {
        path: path.to_owned(),
        message: e.to_string().trim_end().to_owned(),
    })
}

/// A [`Located`] error as a [`ConfigError`] naming the line.
pub fn locate(path: &str, text: &str, error: Located) -> ConfigError {
    let line = if error.span.is_empty() && error.span.start == 0 {
        0
    } else {
        text.get(..error.span.start)
            .map_or(0, |before| before.matches('\n').count() + 1)
    };
    ConfigError::Invalid {
        path: path.to_owned(),
        line,
        message: error.message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn syntax_errors_name_the_line() {
        let err = parse("g.toml", "listen = \"a\"\n[[routes]]\nroute = 5\n").unwrap_err();
        assert!(err.to_string().contains("line 3"), "{err}");
        let err = parse("g.toml", "listen = \"a\"\nlisten_typo = 1\n").unwrap_err();
        assert!(err.to_string().contains("line 2"), "{err}");
    }

    #[test]
    fn located_errors_name_the_line() {
        let text = "listen = \"a\"\n\n[upstreams.x]\nurl = \"ftp://x\"\n";
        let file = parse("g.toml", text).unwrap();
        let url = &file.upstreams["x"].url;
        let err = locate("g.toml", text, Located::at(url, "bad url"));
        assert_eq!(err.to_string(), "g.toml:4: bad url");
    }
}
