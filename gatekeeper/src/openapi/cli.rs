//! The command-line flags of an import (`--openapi api.json --upstream …
//! --listen …`), flattened into the binary's arguments, and what the
//! binary does with them.

use clap::Args;

use super::{ImportError, Options, Override};

/// Flags of `cognito-gatekeeper --openapi`.
#[derive(Debug, Clone, Args)]
pub struct ImportArgs {
    /// An API Gateway OpenAPI export (REST or HTTP API, JSON) to gatekeep
    /// instead of a TOML file.
    #[arg(long, conflicts_with = "config")]
    pub openapi: Option<String>,
    /// With --openapi: where every route goes.
    #[arg(long, requires = "openapi", default_value = "http://127.0.0.1:8080")]
    pub upstream: String,
    /// With --openapi: the address to listen on.
    #[arg(long, requires = "openapi", default_value = "127.0.0.1:8000")]
    pub listen: String,
    /// With --openapi: `[POOL_ID=]URL` where a pool's JWKS is fetched (local issuers).
    #[arg(long = "jwks-uri", requires = "openapi")]
    pub jwks_uri: Vec<Override>,
    /// With --openapi: `[POOL_ID=]URL` a pool's expected `iss` (local issuers).
    #[arg(long, requires = "openapi")]
    pub issuer: Vec<Override>,
    /// With --openapi: `[POOL_ID=]CLIENT_ID` an app client the pool accepts
    /// (repeatable; a REST authorizer otherwise accepts every client).
    #[arg(long = "client-id", requires = "openapi")]
    pub client_id: Vec<Override>,
    /// With --openapi: print the resulting TOML configuration and exit.
    #[arg(long, requires = "openapi")]
    pub print_config: bool,
}

impl ImportArgs {
    /// The import options.
    pub fn options(&self) -> Options {
        Options {
            upstream: self.upstream.clone(),
            listen: self.listen.clone(),
            jwks_uris: self.jwks_uri.clone(),
            issuers: self.issuer.clone(),
            client_ids: self.client_id.clone(),
        }
    }
}

/// Imports `path`, logs every warning, and returns the TOML text and the runtime.
pub fn run(
    path: &str,
    args: &ImportArgs,
) -> Result<(String, crate::runtime::Runtime), ImportError> {
    let imported = super::import_file(path, &args.options())?;
    for warning in &imported.warnings {
        if args.print_config {
            // stdout is the TOML: the warnings go to stderr, not the JSON log.
            eprintln!("warning: {warning}");
        } else {
            tracing::warn!(path = %warning.path, "openapi import: {}", warning.message);
        }
    }
    if !args.print_config {
        tracing::info!(
            kind = ?imported.kind,
            routes = imported.file.routes.len(),
            warnings = imported.warnings.len(),
            "imported {path}"
        );
    }
    super::load(&imported)
}
