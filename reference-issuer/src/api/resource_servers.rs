//! Resource server operations: CreateResourceServer, DescribeResourceServer,
//! ListResourceServers.

use serde::Deserialize;
use serde_json::{Value, json};

use super::{decode, paginate, required};
use crate::error::{Error, Result};
use crate::issuer::Issuer;
use crate::model::ResourceServer;
use crate::store::resource_servers as rs_rows;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Input {
    user_pool_id: Option<String>,
    identifier: Option<String>,
    name: Option<String>,
    #[serde(default)]
    scopes: Vec<Value>,
}

/// Validates and stores a resource server (replacing one with the same
/// identifier when `replace`).
pub(crate) fn put_resource_server(
    issuer: &Issuer,
    rs: ResourceServer,
    replace: bool,
) -> Result<ResourceServer> {
    issuer.pool(&rs.user_pool_id)?;
    if rs.identifier.is_empty() || rs.identifier.len() > 256 {
        return Err(Error::invalid_parameter(
            "Identifier must be 1 to 256 characters",
        ));
    }
    for s in &rs.scopes {
        let name = s.get("ScopeName").and_then(Value::as_str).unwrap_or("");
        if name.is_empty() || name.contains(char::is_whitespace) || name.contains('/') {
            return Err(Error::invalid_parameter(format!(
                "Invalid scope name '{name}'"
            )));
        }
        if s.get("ScopeDescription").and_then(Value::as_str).is_none() {
            return Err(Error::invalid_parameter(format!(
                "Scope '{name}' needs a ScopeDescription"
            )));
        }
    }
    issuer.write(|tx| {
        if !replace && rs_rows::get_resource_server(tx, &rs.user_pool_id, &rs.identifier)?.is_some()
        {
            return Err(Error::invalid_parameter(format!(
                "{} already exists in this user pool",
                rs.identifier
            )));
        }
        Ok(rs_rows::put_resource_server(tx, &rs)?)
    })?;
    Ok(rs)
}

/// CreateResourceServer.
pub(crate) fn create_resource_server(issuer: &Issuer, input: Value) -> Result<Value> {
    let i: Input = decode(input)?;
    let rs = ResourceServer {
        user_pool_id: required(&i.user_pool_id, "userPoolId")?.to_string(),
        identifier: required(&i.identifier, "identifier")?.to_string(),
        name: required(&i.name, "name")?.to_string(),
        scopes: i.scopes,
    };
    let rs = put_resource_server(issuer, rs, false)?;
    Ok(json!({ "ResourceServer": rs }))
}

/// DescribeResourceServer.
pub(crate) fn describe_resource_server(issuer: &Issuer, input: Value) -> Result<Value> {
    let i: Input = decode(input)?;
    let pool_id = required(&i.user_pool_id, "userPoolId")?;
    let ident = required(&i.identifier, "identifier")?;
    issuer.pool(pool_id)?;
    let rs = issuer
        .read(|c| Ok(rs_rows::get_resource_server(c, pool_id, ident)?))?
        .ok_or_else(|| {
            Error::resource_not_found(format!("Resource server {ident} does not exist."))
        })?;
    Ok(json!({ "ResourceServer": rs }))
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ListInput {
    user_pool_id: Option<String>,
    max_results: Option<i64>,
    next_token: Option<String>,
}

/// ListResourceServers.
pub(crate) fn list_resource_servers(issuer: &Issuer, input: Value) -> Result<Value> {
    let i: ListInput = decode(input)?;
    let pool_id = required(&i.user_pool_id, "userPoolId")?;
    issuer.pool(pool_id)?;
    let all = issuer.read(|c| Ok(rs_rows::list_resource_servers(c, pool_id)?))?;
    let (page, next) = paginate(all, i.max_results, 50, i.next_token.as_deref())?;
    let mut out = json!({ "ResourceServers": page });
    if let Some(t) = next {
        out["NextToken"] = t.into();
    }
    Ok(out)
}
