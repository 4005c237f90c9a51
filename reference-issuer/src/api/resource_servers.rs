//! Resource server operations: CreateResourceServer, DescribeResourceServer,
//! ListResourceServers.

use serde::Deserialize;
use serde_json::{Value, json};

use super::{Paging, decode, paginate, required};
use crate::directory::resource_servers::{self, ResourceServerSpec, ScopeSpec};
use crate::error::Result;
use crate::issuer::Issuer;

/// CreateResourceServer / DescribeResourceServer input.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct Input {
    user_pool_id: Option<String>,
    identifier: Option<String>,
    name: Option<String>,
    #[serde(default)]
    scopes: Vec<Value>,
}

/// A wire scope (`{ScopeName, ScopeDescription}`) as the spec's scope;
/// non-string members count as absent.
fn scope_spec(v: &Value) -> ScopeSpec {
    let text = |k: &str| v.get(k).and_then(Value::as_str).map(str::to_string);
    ScopeSpec {
        name: text("ScopeName"),
        description: text("ScopeDescription"),
    }
}

/// CreateResourceServer.
pub(crate) fn create_resource_server(issuer: &Issuer, input: Value) -> Result<Value> {
    let i: Input = decode(input)?;
    let spec = ResourceServerSpec {
        pool_id: required(&i.user_pool_id, "userPoolId")?.to_string(),
        identifier: required(&i.identifier, "identifier")?.to_string(),
        name: required(&i.name, "name")?.to_string(),
        scopes: i.scopes.iter().map(scope_spec).collect(),
    };
    let rs = resource_servers::create(issuer, spec)?;
    Ok(json!({ "ResourceServer": rs }))
}

/// DescribeResourceServer.
pub(crate) fn describe_resource_server(issuer: &Issuer, input: Value) -> Result<Value> {
    let i: Input = decode(input)?;
    let pool_id = required(&i.user_pool_id, "userPoolId")?;
    let ident = required(&i.identifier, "identifier")?;
    let rs = resource_servers::describe(issuer, pool_id, ident)?;
    Ok(json!({ "ResourceServer": rs }))
}

/// ListResourceServers input.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct ListInput {
    user_pool_id: Option<String>,
    max_results: Option<i64>,
    next_token: Option<String>,
}

/// ListResourceServers.
pub(crate) fn list_resource_servers(issuer: &Issuer, input: Value) -> Result<Value> {
    let i: ListInput = decode(input)?;
    let pool_id = required(&i.user_pool_id, "userPoolId")?;
    let all = resource_servers::list(issuer, pool_id)?;
    let (page, next) = paginate(
        all,
        Paging {
            op: "ListResourceServers",
            scope: pool_id,
            limit: i.max_results,
            limit_field: "maxResults",
            range: (1, 50),
            token: i.next_token.as_deref(),
        },
    )?;
    let mut out = json!({ "ResourceServers": page });
    if let Some(t) = next {
        out["NextToken"] = t.into();
    }
    Ok(out)
}
