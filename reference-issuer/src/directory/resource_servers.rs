//! Resource servers (custom OAuth scopes): validation, creation, lookup,
//! listing and idempotent create-or-update for configuration files.

use crate::error::{Error, Result};
use crate::issuer::Issuer;
use crate::model::{ResourceServer, ResourceServerScope};
use crate::store::resource_servers as rs_rows;

/// A resource server's settings (CreateResourceServer, typed).
#[derive(Debug, Clone, Default)]
pub(crate) struct ResourceServerSpec {
    /// The owning pool.
    pub pool_id: String,
    /// Identifier, e.g. `https://api.example.com`.
    pub identifier: String,
    /// Name.
    pub name: String,
    /// Scopes, as received (checked by [`create`]).
    pub scopes: Vec<ScopeSpec>,
}

/// One scope as received: a missing name or description is refused with
/// Cognito's messages.
#[derive(Debug, Clone, Default)]
pub(crate) struct ScopeSpec {
    /// Scope name.
    pub name: Option<String>,
    /// Description.
    pub description: Option<String>,
}

/// Validates a spec into a resource server (not stored).
fn build(spec: ResourceServerSpec) -> Result<ResourceServer> {
    if spec.identifier.is_empty() || spec.identifier.len() > 256 {
        return Err(Error::invalid_parameter(
            "Identifier must be 1 to 256 characters",
        ));
    }
    let mut scopes = Vec::with_capacity(spec.scopes.len());
    for s in spec.scopes {
        let name = s.name.unwrap_or_default();
        if name.is_empty() || name.contains(char::is_whitespace) || name.contains('/') {
            return Err(Error::invalid_parameter(format!(
                "Invalid scope name '{name}'"
            )));
        }
        let Some(description) = s.description else {
            return Err(Error::invalid_parameter(format!(
                "Scope '{name}' needs a ScopeDescription"
            )));
        };
        scopes.push(ResourceServerScope {
            scope_description: description,
            scope_name: name,
        });
    }
    Ok(ResourceServer {
        user_pool_id: spec.pool_id,
        identifier: spec.identifier,
        name: spec.name,
        scopes,
    })
}

/// Creates a resource server; `InvalidParameterException` when the pool
/// already has one with that identifier.
pub(crate) fn create(issuer: &Issuer, spec: ResourceServerSpec) -> Result<ResourceServer> {
    issuer.pool(&spec.pool_id)?;
    let rs = build(spec)?;
    issuer.write(|tx| {
        if rs_rows::get_resource_server(tx, &rs.user_pool_id, &rs.identifier)?.is_some() {
            return Err(Error::invalid_parameter(format!(
                "{} already exists in this user pool",
                rs.identifier
            )));
        }
        Ok(rs_rows::put_resource_server(tx, &rs)?)
    })?;
    Ok(rs)
}

/// A resource server of a pool.
pub(crate) fn describe(issuer: &Issuer, pool_id: &str, identifier: &str) -> Result<ResourceServer> {
    issuer.pool(pool_id)?;
    issuer
        .read(|c| Ok(rs_rows::get_resource_server(c, pool_id, identifier)?))?
        .ok_or_else(|| {
            Error::resource_not_found(format!("Resource server {identifier} does not exist."))
        })
}

/// The resource servers of a pool.
pub(crate) fn list(issuer: &Issuer, pool_id: &str) -> Result<Vec<ResourceServer>> {
    issuer.pool(pool_id)?;
    issuer.read(|c| Ok(rs_rows::list_resource_servers(c, pool_id)?))
}

/// Creates the resource server or replaces it when it differs. Idempotent
/// (configuration files).
pub(crate) fn create_or_update(
    issuer: &Issuer,
    spec: ResourceServerSpec,
) -> Result<ResourceServer> {
    issuer.pool(&spec.pool_id)?;
    let want = build(spec)?;
    let have = issuer.read(|c| {
        Ok(rs_rows::get_resource_server(
            c,
            &want.user_pool_id,
            &want.identifier,
        )?)
    })?;
    if have.as_ref() != Some(&want) {
        issuer.write(|tx| Ok(rs_rows::put_resource_server(tx, &want)?))?;
    }
    Ok(want)
}
