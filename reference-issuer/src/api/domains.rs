//! User pool domain operations: CreateUserPoolDomain,
//! DescribeUserPoolDomain, DeleteUserPoolDomain.

use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::{decode, required};
use crate::directory::domains::{self, DomainSpec};
use crate::error::Result;
use crate::issuer::Issuer;

/// The inputs of the three domain operations.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct DomainInput {
    domain: Option<String>,
    user_pool_id: Option<String>,
    custom_domain_config: Option<Map<String, Value>>,
    managed_login_version: Option<i64>,
}

/// CreateUserPoolDomain.
pub(crate) fn create_user_pool_domain(issuer: &Issuer, input: Value) -> Result<Value> {
    let input: DomainInput = decode(input)?;
    let domain = required(&input.domain, "domain")?.to_string();
    let user_pool_id = required(&input.user_pool_id, "userPoolId")?.to_string();
    let d = domains::create(
        issuer,
        DomainSpec {
            domain,
            user_pool_id,
            custom_domain_config: input.custom_domain_config,
            managed_login_version: input.managed_login_version,
        },
    )?;
    let mut out = json!({ "ManagedLoginVersion": d.managed_login_version });
    if d.is_custom() {
        out["CloudFrontDomain"] = d.cloud_front_distribution.into();
    }
    Ok(out)
}

/// DescribeUserPoolDomain: an unknown domain answers an empty
/// description, as AWS does.
pub(crate) fn describe_user_pool_domain(issuer: &Issuer, input: Value) -> Result<Value> {
    let input: DomainInput = decode(input)?;
    let Some(d) = domains::describe(issuer, required(&input.domain, "domain")?)? else {
        return Ok(json!({ "DomainDescription": {} }));
    };
    let mut out = json!({
        "UserPoolId": d.user_pool_id,
        "AWSAccountId": "000000000000",
        "Domain": d.domain,
        "CloudFrontDistribution": d.cloud_front_distribution,
        "Status": "ACTIVE",
        "ManagedLoginVersion": d.managed_login_version,
    });
    if let Some(c) = d.custom_domain_config {
        out["CustomDomainConfig"] = Value::Object(c);
    }
    Ok(json!({ "DomainDescription": out }))
}

/// DeleteUserPoolDomain.
pub(crate) fn delete_user_pool_domain(issuer: &Issuer, input: Value) -> Result<Value> {
    let input: DomainInput = decode(input)?;
    let domain = required(&input.domain, "domain")?;
    let pool_id = required(&input.user_pool_id, "userPoolId")?;
    domains::delete(issuer, domain, pool_id)?;
    Ok(json!({}))
}
