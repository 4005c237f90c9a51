//! User pool operations: CreateUserPool, DescribeUserPool, ListUserPools,
//! UpdateUserPool, DeleteUserPool.

use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::{Paging, decode, paginate, required};
use crate::directory::pools::{self, PoolDescription, PoolSpec, PoolUpdate};
use crate::error::{Error, Result};
use crate::issuer::Issuer;
use crate::model::{
    DeviceConfiguration, LambdaConfig, Policies, SchemaAttribute, UsernameConfiguration,
    described_schema,
};

/// CreateUserPool input (unknown fields are kept and echoed by Describe).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct CreatePoolInput {
    /// Pool name.
    pub pool_name: Option<String>,
    /// Password policy.
    #[serde(default)]
    pub policies: Option<Policies>,
    /// Username attributes.
    #[serde(default)]
    pub username_attributes: Vec<String>,
    /// Alias attributes.
    #[serde(default)]
    pub alias_attributes: Vec<String>,
    /// Auto-verified attributes.
    #[serde(default)]
    pub auto_verified_attributes: Vec<String>,
    /// Schema.
    #[serde(default)]
    pub schema: Vec<Value>,
    /// MFA configuration.
    pub mfa_configuration: Option<String>,
    /// Username case sensitivity.
    pub username_configuration: Option<UsernameConfiguration>,
    /// Remembered devices.
    pub device_configuration: Option<DeviceConfiguration>,
    /// The triggers' functions.
    pub lambda_config: Option<LambdaConfig>,
    /// Tags (`cognito-issuer:issuer-style` selects the issuer style).
    #[serde(default)]
    pub user_pool_tags: Map<String, Value>,
    /// Everything else.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl CreatePoolInput {
    /// The typed spec (`PoolName` is required; a schema attribute without a
    /// string `Name` is passed as `None` for the directory to refuse).
    pub(super) fn into_spec(self) -> Result<PoolSpec> {
        let name = required(&self.pool_name, "poolName")?.to_string();
        Ok(PoolSpec {
            id: None,
            region: None,
            name,
            policies: self.policies,
            username_attributes: self.username_attributes,
            alias_attributes: self.alias_attributes,
            auto_verified_attributes: self.auto_verified_attributes,
            schema: self
                .schema
                .into_iter()
                .map(|attr| match attr {
                    Value::Object(m) => SchemaAttribute::try_from(m).ok(),
                    _ => None,
                })
                .collect(),
            mfa_configuration: self.mfa_configuration,
            username_configuration: self.username_configuration,
            device_configuration: self.device_configuration,
            lambda_config: self.lambda_config,
            tags: self.user_pool_tags,
            extra: self.extra,
        })
    }
}

/// The `UserPoolType` JSON of a pool.
fn pool_json(d: &PoolDescription) -> Result<Value> {
    let mut v = serde_json::to_value(&d.pool).map_err(|e| Error::internal(e.to_string()))?;
    if let Some(o) = v.as_object_mut() {
        o.insert("EstimatedNumberOfUsers".into(), d.estimated_users.into());
        o.insert("Status".into(), "Enabled".into());
        o.insert(
            "SchemaAttributes".into(),
            described_schema(&d.pool.schema_attributes).into(),
        );
        o.insert(
            "LambdaConfig".into(),
            o.get("LambdaConfig").cloned().unwrap_or(json!({})),
        );
        if let Some(d) = &d.domain {
            let key = if d.is_custom() {
                "CustomDomain"
            } else {
                "Domain"
            };
            o.insert(key.into(), d.domain.clone().into());
        }
    }
    Ok(v)
}

/// CreateUserPool.
pub(crate) fn create_user_pool(issuer: &Issuer, input: Value) -> Result<Value> {
    let input: CreatePoolInput = decode(input)?;
    let created = pools::create(issuer, input.into_spec()?)?;
    Ok(json!({ "UserPool": pool_json(&created)? }))
}

/// A pool id (DescribeUserPool, DeleteUserPool).
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct PoolIdInput {
    user_pool_id: Option<String>,
}

/// DescribeUserPool.
pub(crate) fn describe_user_pool(issuer: &Issuer, input: Value) -> Result<Value> {
    let input: PoolIdInput = decode(input)?;
    let pool = pools::describe(issuer, required(&input.user_pool_id, "userPoolId")?)?;
    Ok(json!({ "UserPool": pool_json(&pool)? }))
}

/// ListUserPools input.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct ListInput {
    max_results: Option<i64>,
    next_token: Option<String>,
}

/// ListUserPools.
pub(crate) fn list_user_pools(issuer: &Issuer, input: Value) -> Result<Value> {
    let input: ListInput = decode(input)?;
    let max = input.max_results.ok_or_else(|| {
        Error::invalid_parameter(
            "1 validation error detected: Value null at 'maxResults' failed to satisfy \
             constraint: Member must not be null",
        )
    })?;
    let all = pools::list(issuer)?;
    let (page, next) = paginate(
        all,
        Paging {
            op: "ListUserPools",
            scope: "",
            limit: Some(max),
            limit_field: "maxResults",
            range: (1, 60),
            token: input.next_token.as_deref(),
        },
    )?;
    let items: Vec<Value> = page
        .iter()
        .map(|(p, _)| {
            json!({
                "Id": p.id,
                "Name": p.name,
                "LambdaConfig": p.lambda_config.clone().unwrap_or_default(),
                "Status": "Enabled",
                "LastModifiedDate": p.last_modified_date,
                "CreationDate": p.creation_date,
            })
        })
        .collect();
    let mut out = json!({ "UserPools": items });
    if let Some(t) = next {
        out["NextToken"] = t.into();
    }
    Ok(out)
}

/// UpdateUserPool input: every updatable member; the rest is echoed.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct UpdatePoolInput {
    /// The pool.
    pub user_pool_id: Option<String>,
    /// New name.
    pub pool_name: Option<String>,
    /// Password and sign-in policy.
    #[serde(default)]
    pub policies: Option<Policies>,
    /// Auto-verified attributes.
    #[serde(default)]
    pub auto_verified_attributes: Vec<String>,
    /// MFA configuration.
    pub mfa_configuration: Option<String>,
    /// Remembered devices.
    pub device_configuration: Option<DeviceConfiguration>,
    /// The triggers' functions.
    pub lambda_config: Option<LambdaConfig>,
    /// Tags.
    #[serde(default)]
    pub user_pool_tags: Map<String, Value>,
    /// Everything else.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl UpdatePoolInput {
    /// The pool id (required) and the typed update.
    pub(super) fn into_update(self) -> Result<(String, PoolUpdate)> {
        let id = required(&self.user_pool_id, "userPoolId")?.to_string();
        Ok((
            id,
            PoolUpdate {
                name: self.pool_name,
                policies: self.policies,
                auto_verified_attributes: self.auto_verified_attributes,
                mfa_configuration: self.mfa_configuration,
                device_configuration: self.device_configuration,
                lambda_config: self.lambda_config,
                tags: self.user_pool_tags,
                extra: self.extra,
            },
        ))
    }
}

/// UpdateUserPool.
pub(crate) fn update_user_pool(issuer: &Issuer, input: Value) -> Result<Value> {
    let (id, update) = decode::<UpdatePoolInput>(input)?.into_update()?;
    pools::update(issuer, &id, update)?;
    Ok(json!({}))
}

/// DeleteUserPool.
pub(crate) fn delete_user_pool(issuer: &Issuer, input: Value) -> Result<Value> {
    let input: PoolIdInput = decode(input)?;
    let id = required(&input.user_pool_id, "userPoolId")?;
    pools::delete(issuer, id)?;
    Ok(json!({}))
}
