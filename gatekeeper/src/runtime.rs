//! A validated configuration, built into what serves requests: the route
//! table, one [`Gate`] per route, the mappings, the upstreams and the
//! verifiers. Swapped whole on reload.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::Duration;

use cognito_verifier::gate::{Gate, Mapping, Preset, RouteRules, RouteTable};
use cognito_verifier::{CognitoVerifier, PoolConfig, Requirement};
use http::Uri;

use crate::config::{File, Limits, Located};

/// One upstream: where requests go.
#[derive(Debug, Clone)]
pub struct Upstream {
    /// `http` or `https`.
    pub scheme: http::uri::Scheme,
    /// `host:port`.
    pub authority: http::uri::Authority,
    /// Base path without a trailing `/` (may be empty).
    pub base_path: String,
    /// The `Host` header upstream requests carry (the authority).
    pub host: http::HeaderValue,
}

/// What a route does once matched.
#[derive(Debug, Clone)]
pub struct RouteEntry {
    /// The gate, or none for an open route (`authorizer = "none"`).
    pub gate: Option<Gate>,
    /// The preset whose answers the route gives (open routes: the file's `preset`).
    pub preset: Preset,
    /// Where admitted requests go; none: forward-auth only.
    pub upstream: Option<Arc<Upstream>>,
    /// Identity headers to set.
    pub mapping: Arc<Mapping>,
}

/// A configuration ready to serve.
#[derive(Debug)]
pub struct Runtime {
    /// The listen address (a reload does not move the listener).
    pub listen: String,
    /// The routes.
    pub table: RouteTable,
    /// Route key -> what it does.
    pub routes: HashMap<String, RouteEntry>,
    /// The forward-auth path, if enabled.
    pub forward_auth_path: Option<String>,
    /// Timeouts and limits.
    pub limits: Limits,
    /// Every verifier (one per authorizer), for readiness and metrics.
    pub verifiers: Vec<CognitoVerifier>,
    /// The preset of answers given outside any authorizer (no route, open routes).
    pub default_preset: Preset,
    /// CORS, if configured (`[cors]`).
    pub cors: Option<cognito_verifier::gate::Cors>,
}

fn upstream(url: &toml::Spanned<String>) -> Result<Upstream, Located> {
    let uri: Uri = url
        .get_ref()
        .parse()
        .map_err(|e| Located::at(url, format!("invalid upstream url: {e}")))?;
    let scheme = uri
        .scheme()
        .filter(|s| **s == http::uri::Scheme::HTTP)
        .cloned()
        .ok_or_else(|| Located::at(url, "the upstream url must start with http://"))?;
    let authority = uri
        .authority()
        .cloned()
        .ok_or_else(|| Located::at(url, "the upstream url needs a host"))?;
    if uri.query().is_some() {
        return Err(Located::at(url, "the upstream url cannot have a query"));
    }
    let host = http::HeaderValue::from_str(authority.as_str())
        .map_err(|e| Located::at(url, format!("invalid upstream host: {e}")))?;
    Ok(Upstream {
        scheme,
        host,
        authority,
        base_path: uri.path().trim_end_matches('/').to_owned(),
    })
}

impl Runtime {
    /// Validates `file` and builds everything but the connections (JWKS are
    /// fetched later, by [`hydrate`](Self::hydrate) or on first use).
    pub fn build(file: &File) -> Result<Runtime, Located> {
        file.listen
            .get_ref()
            .parse::<std::net::SocketAddr>()
            .map_err(|e| Located::at(&file.listen, format!("invalid listen address: {e}")))?;
        let forward_auth_path = match &file.forward_auth_path {
            Some(p) if !p.get_ref().starts_with('/') => {
                return Err(Located::at(p, "forward_auth_path must start with /"));
            }
            Some(p) => Some(p.get_ref().clone()),
            None => None,
        };
        let upstreams = file
            .upstreams
            .iter()
            .map(|(name, u)| Ok((name.as_str(), Arc::new(upstream(&u.url)?))))
            .collect::<Result<BTreeMap<_, _>, Located>>()?;
        let mappings = file
            .mappings
            .iter()
            .map(|(name, pairs)| {
                let mapping = Mapping::parse(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())))
                    .map_err(|e| Located {
                    span: 0..0,
                    message: format!("[mappings.{name}]: {e}"),
                })?;
                Ok((name.as_str(), Arc::new(mapping)))
            })
            .collect::<Result<BTreeMap<_, _>, Located>>()?;
        let mut authorizers = BTreeMap::new();
        let mut verifiers = Vec::new();
        for (name, a) in &file.authorizers {
            let preset = Preset::from_name(a.preset.get_ref()).ok_or_else(|| {
                Located::at(
                    &a.preset,
                    "preset must be strict, api-gateway-rest or api-gateway-http",
                )
            })?;
            let mut builder = CognitoVerifier::builder();
            if a.pools.get_ref().is_empty() {
                return Err(Located::at(
                    &a.pools,
                    "an authorizer needs at least one pool",
                ));
            }
            for pool_name in a.pools.get_ref() {
                let pool = file
                    .pools
                    .get(pool_name)
                    .ok_or_else(|| Located::at(&a.pools, format!("unknown pool {pool_name:?}")))?;
                let mut config = PoolConfig::new(pool.pool_id.get_ref().clone());
                if pool.any_client {
                    config = config.skip_client_check();
                } else if pool.client_ids.is_empty() {
                    return Err(Located::at(
                        &pool.pool_id,
                        "list client_ids, or set any_client = true to accept every app client",
                    ));
                } else {
                    config = config.client_ids(pool.client_ids.iter().cloned());
                }
                if let Some(issuer) = &pool.issuer {
                    config = config.issuer(issuer.clone());
                }
                if let Some(uri) = &pool.jwks_uri {
                    config = config.jwks_uri(uri.clone());
                }
                builder = builder.pool(config);
            }
            let verifier = builder
                .jwks_background_refresh(Duration::from_secs(300))
                .build()
                .map_err(|e| Located::at(&a.pools, format!("authorizer {name:?}: {e}")))?;
            let mut gate = Gate::new(verifier.clone()).preset(preset);
            if let Some(header) = &a.header {
                gate = gate.header(&header.to_ascii_lowercase());
            }
            if let Some(cookie) = &a.cookie {
                gate = gate.cookie(cookie);
            }
            verifiers.push(verifier);
            authorizers.insert(name.as_str(), gate);
        }
        let mut table = RouteTable::new();
        let mut routes = HashMap::new();
        let default_preset = Preset::from_name(file.preset.get_ref()).ok_or_else(|| {
            Located::at(
                &file.preset,
                "preset must be strict, api-gateway-rest or api-gateway-http",
            )
        })?;
        for r in &file.routes {
            let key = r.route.get_ref();
            let mut rules = RouteRules::new().guests(r.guests);
            if !r.groups_any.is_empty() {
                rules = rules.groups_any(r.groups_any.iter().cloned());
            }
            if !r.groups_all.is_empty() {
                rules = rules.groups_all(r.groups_all.iter().cloned());
            }
            if let Some(param) = &r.owner {
                rules = rules.owner(param.clone());
            }
            table = table
                .route(key, rules)
                .map_err(|e| Located::at(&r.route, e.to_string()))?;
            let gate = match r.authorizer.get_ref().as_str() {
                "none" => None,
                name => {
                    let mut gate = authorizers
                        .get(name)
                        .ok_or_else(|| {
                            Located::at(&r.authorizer, format!("unknown authorizer {name:?}"))
                        })?
                        .clone();
                    if !r.scopes.is_empty() {
                        gate = gate.require_scopes(Requirement::any_of(r.scopes.iter().cloned()));
                    }
                    if r.guests {
                        gate = gate.optional();
                    }
                    Some(gate)
                }
            };
            let preset = gate.as_ref().map_or(default_preset, Gate::current_preset);
            let upstream = match &r.upstream {
                Some(name) => Some(upstreams.get(name.get_ref().as_str()).cloned().ok_or_else(
                    || Located::at(name, format!("unknown upstream {:?}", name.get_ref())),
                )?),
                None => None,
            };
            let mapping = match &r.mapping {
                Some(name) => mappings
                    .get(name.get_ref().as_str())
                    .cloned()
                    .ok_or_else(|| {
                        Located::at(name, format!("unknown mapping {:?}", name.get_ref()))
                    })?,
                None => Arc::new(Mapping::new()),
            };
            routes.insert(
                key.clone(),
                RouteEntry {
                    gate,
                    preset,
                    upstream,
                    mapping,
                },
            );
        }
        let cors = match &file.cors {
            Some(section) => Some(
                section
                    .get_ref()
                    .build()
                    .map_err(|e| Located::at(section, format!("[cors]: {e}")))?,
            ),
            None => None,
        };
        Ok(Runtime {
            cors,
            listen: file.listen.get_ref().clone(),
            table,
            routes,
            forward_auth_path,
            limits: file.limits.clone(),
            verifiers,
            default_preset,
        })
    }

    /// Loads every pool's keys; errors are logged (readiness reports them).
    pub async fn hydrate(&self) {
        for verifier in &self.verifiers {
            if let Err(error) = verifier.hydrate().await {
                tracing::warn!(%error, "JWKS not loaded yet");
            }
        }
    }

    /// Whether every pool's keys are loaded.
    pub fn ready(&self) -> bool {
        self.verifiers
            .iter()
            .all(|v| v.jwks_status().iter().all(|s| s.loaded))
    }
}
