//! Import of an API Gateway OpenAPI export (`--openapi api.json`) into the
//! gatekeeper's [`config::File`]: a REST API (Swagger 2 or OpenAPI 3, Cognito
//! user pool authorizers) or an HTTP API (OpenAPI 3, JWT authorizers,
//! parameter mappings, `x-amazon-apigateway-cors`). Every integration is
//! replaced by the one `--upstream`.
//!
//! Nothing is dropped silently: every `x-amazon-apigateway-*` extension (and
//! every part of a handled one) that the import does not carry over is a
//! [`Warning`] naming its JSON path, printed at start. Where dropping a
//! feature would let requests through that API Gateway refuses (a Lambda
//! or IAM authorizer, an `identityValidationExpression` that is not a list
//! of client ids), the route is left out (404) or the import fails.

mod authorizers;
pub mod cli;
mod routes;

use std::collections::BTreeMap;

use serde_json::Value;
use toml::Spanned;

use crate::config::{self, File, Limits};

/// Which kind of API the export describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApiKind {
    /// REST API: Cognito user pool authorizers, `api-gateway-rest` answers.
    Rest,
    /// HTTP API: JWT authorizers, `api-gateway-http` answers.
    Http,
}

/// A per-pool override from the command line (`[POOL_ID=]VALUE`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Override {
    /// The pool it applies to; none: the only pool of the export.
    pub pool: Option<String>,
    /// The value.
    pub value: String,
}

impl std::str::FromStr for Override {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        match s.split_once('=') {
            // A URL has no `=` before `://`; `POOL=URL` has.
            Some((pool, value)) if !pool.contains("://") => Ok(Override {
                pool: Some(pool.to_owned()),
                value: value.to_owned(),
            }),
            _ => Ok(Override {
                pool: None,
                value: s.to_owned(),
            }),
        }
    }
}

/// What the import needs besides the document.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Where every route goes (`http://host:port`).
    pub upstream: String,
    /// Address to listen on.
    pub listen: String,
    /// JWKS location per pool (local issuers).
    pub jwks_uris: Vec<Override>,
    /// Expected `iss` per pool (local issuers).
    pub issuers: Vec<Override>,
    /// App clients per pool (a REST authorizer accepts every client of its
    /// pools unless told; an HTTP API's audience comes from the export).
    pub client_ids: Vec<Override>,
}

/// Something in the export that the gatekeeper does not do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning {
    /// JSON path, e.g. `$.paths['/pets'].get.x-amazon-apigateway-request-validator`.
    pub path: String,
    /// What happens instead.
    pub message: String,
}

impl std::fmt::Display for Warning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.path, self.message)
    }
}

/// The export could not be imported.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// Not JSON.
    #[error("{path}: not JSON: {source}")]
    Json {
        /// The file.
        path: String,
        /// Why.
        source: serde_json::Error,
    },
    /// The file could not be read.
    #[error("{path}: {source}")]
    Read {
        /// The file.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// Something the gatekeeper cannot honour without being less strict than API Gateway.
    #[error("{path}: {message}")]
    Unsupported {
        /// JSON path.
        path: String,
        /// What and why.
        message: String,
    },
    /// The imported configuration does not load (e.g. a bad override).
    #[error("the imported configuration is invalid: {0}")]
    Config(#[from] config::ConfigError),
    /// The configuration could not be written as TOML.
    #[error("cannot write the configuration as TOML: {0}")]
    Toml(#[from] toml::ser::Error),
}

/// The import's result.
#[derive(Debug, Clone)]
pub struct Imported {
    /// The configuration.
    pub file: File,
    /// REST or HTTP API.
    pub kind: ApiKind,
    /// What was not carried over.
    pub warnings: Vec<Warning>,
}

/// Collects warnings while walking the document.
#[derive(Debug, Default)]
pub(crate) struct Notes(pub(crate) Vec<Warning>);

impl Notes {
    pub(crate) fn warn(&mut self, path: impl Into<String>, message: impl Into<String>) {
        self.0.push(Warning {
            path: path.into(),
            message: message.into(),
        });
    }

    /// Warns about every `x-amazon-apigateway-*` member of `object` not in `handled`.
    pub(crate) fn extensions(&mut self, path: &str, object: &Value, handled: &[&str]) {
        let Some(map) = object.as_object() else {
            return;
        };
        for key in map.keys() {
            if key.starts_with("x-amazon-apigateway-") && !handled.contains(&key.as_str()) {
                self.warn(
                    member(path, key),
                    "not supported by the gatekeeper; ignored",
                );
            }
        }
    }
}

/// `path.key`, or `path['key']` when the key is not a plain name.
pub(crate) fn member(path: &str, key: &str) -> String {
    if key
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
    {
        format!("{path}.{key}")
    } else {
        format!("{path}['{key}']")
    }
}

pub(crate) fn spanned<T>(value: T) -> Spanned<T> {
    Spanned::new(0..0, value)
}

/// Reads and imports the export at `path`.
pub fn import_file(path: &str, options: &Options) -> Result<Imported, ImportError> {
    let text = std::fs::read_to_string(path).map_err(|source| ImportError::Read {
        path: path.to_owned(),
        source,
    })?;
    let doc: Value = serde_json::from_str(&text).map_err(|source| ImportError::Json {
        path: path.to_owned(),
        source,
    })?;
    import(&doc, options)
}

/// REST or HTTP: an HTTP API export has JWT authorizers, `$default`,
/// `x-amazon-apigateway-cors` or `x-amazon-apigateway-importexport-version`;
/// a Swagger 2 document is always a REST API.
fn kind(doc: &Value) -> ApiKind {
    if doc.get("swagger").is_some() {
        return ApiKind::Rest;
    }
    let jwt = doc
        .pointer("/components/securitySchemes")
        .and_then(Value::as_object)
        .is_some_and(|schemes| {
            schemes.values().any(|s| {
                s.pointer("/x-amazon-apigateway-authorizer/type")
                    .and_then(Value::as_str)
                    .is_some_and(|t| t.eq_ignore_ascii_case("jwt"))
            })
        });
    let http_marks = doc.get("x-amazon-apigateway-cors").is_some()
        || doc
            .get("x-amazon-apigateway-importexport-version")
            .is_some()
        || doc.pointer("/paths/$default").is_some();
    if jwt || http_marks {
        ApiKind::Http
    } else {
        ApiKind::Rest
    }
}

/// Imports a parsed export.
pub fn import(doc: &Value, options: &Options) -> Result<Imported, ImportError> {
    let kind = kind(doc);
    let mut notes = Notes::default();
    let mut handled = vec!["x-amazon-apigateway-importexport-version"];
    if kind == ApiKind::Http {
        handled.push("x-amazon-apigateway-cors");
    }
    notes.extensions("$", doc, &handled);
    if let Some(base) = doc.get("basePath").and_then(Value::as_str)
        && base != "/"
    {
        notes.warn(
            "$.basePath",
            format!("routes are served at their paths, without the base path {base:?}"),
        );
    }
    let auth = authorizers::import(doc, kind, options, &mut notes)?;
    let (routes, mappings) = routes::import(doc, kind, &auth, &mut notes);
    let cors = match doc.get("x-amazon-apigateway-cors") {
        Some(value) if kind == ApiKind::Http => Some(spanned(routes::cors(value, &mut notes))),
        _ => None,
    };
    let mut upstreams = BTreeMap::new();
    upstreams.insert(
        "upstream".to_owned(),
        config::Upstream {
            url: spanned(options.upstream.clone()),
        },
    );
    let file = File {
        listen: spanned(options.listen.clone()),
        preset: spanned(
            match kind {
                ApiKind::Rest => "api-gateway-rest",
                ApiKind::Http => "api-gateway-http",
            }
            .to_owned(),
        ),
        forward_auth_path: None,
        limits: Limits {
            // The file is not watched: there is none (print it to get one).
            watch_interval_ms: 0,
            integration_timeout_ms: match kind {
                ApiKind::Rest => 29_000,
                ApiKind::Http => 30_000,
            },
            ..Limits::default()
        },
        upstreams,
        pools: auth.pools,
        authorizers: auth.authorizers,
        mappings,
        routes,
        cors,
    };
    Ok(Imported {
        file,
        kind,
        warnings: notes.0,
    })
}

/// The configuration as TOML text, as `--print-config` prints it.
pub fn to_toml(file: &File) -> Result<String, ImportError> {
    Ok(toml::to_string(file)?)
}

/// Writes the import as TOML and loads it back through the normal
/// configuration loader, so an imported gatekeeper runs exactly what
/// `--print-config` shows.
pub fn load(imported: &Imported) -> Result<(String, crate::runtime::Runtime), ImportError> {
    let text = to_toml(&imported.file)?;
    let file = config::parse("<imported>", &text)?;
    let runtime = crate::runtime::Runtime::build(&file)
        .map_err(|e| config::locate("<imported>", &text, e))?;
    Ok((text, runtime))
}
