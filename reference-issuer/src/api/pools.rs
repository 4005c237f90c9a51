//! User pool operations: CreateUserPool, DescribeUserPool, ListUserPools,
//! DeleteUserPool.

use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::{decode, paginate, required};
use crate::directory::attributes::STANDARD_ATTRIBUTES;
use crate::error::{Error, Result};
use crate::ids;
use crate::issuer::Issuer;
use crate::model::{IssuerStyle, MfaConfiguration, Policies, Pool, UsernameConfiguration};
use crate::store::{keys as key_rows, pools as pool_rows};
use crate::tokens::keys;

/// The user pool tag that selects the issuer style (`local` or `aws`).
pub(crate) const STYLE_TAG: &str = "cognito-issuer:issuer-style";

const ATTR_CHOICES: &[&str] = &["email", "phone_number"];
const ALIAS_CHOICES: &[&str] = &["email", "phone_number", "preferred_username"];

/// CreateUserPool input (unknown fields are kept and echoed by Describe).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct CreatePoolInput {
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
    /// Tags (`cognito-issuer:issuer-style` selects the issuer style).
    #[serde(default)]
    pub user_pool_tags: Map<String, Value>,
    /// Everything else.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// Builds a pool document from CreateUserPool input. `id` forces the pool id
/// (used by configuration files); otherwise one is generated in `region`.
pub(crate) fn build_pool(
    input: CreatePoolInput,
    id: Option<String>,
    region: &str,
) -> Result<(Pool, IssuerStyle)> {
    let name = required(&input.pool_name, "poolName")?.to_string();
    if name.len() > 128 {
        return Err(Error::invalid_parameter(
            "1 validation error detected: Value at 'poolName' failed to satisfy constraint: \
             Member must have length less than or equal to 128",
        ));
    }
    if !input.username_attributes.is_empty() && !input.alias_attributes.is_empty() {
        return Err(Error::invalid_parameter(
            "Only one of the aliasAttributes or usernameAttributes can be set in a User Pool.",
        ));
    }
    for a in &input.username_attributes {
        if !ATTR_CHOICES.contains(&a.as_str()) {
            return Err(Error::invalid_parameter(format!(
                "Invalid username attribute {a}"
            )));
        }
    }
    for a in &input.alias_attributes {
        if !ALIAS_CHOICES.contains(&a.as_str()) {
            return Err(Error::invalid_parameter(format!(
                "Invalid alias attribute {a}"
            )));
        }
    }
    for a in &input.auto_verified_attributes {
        if !ATTR_CHOICES.contains(&a.as_str()) {
            return Err(Error::invalid_parameter(format!(
                "Invalid auto-verified attribute {a}"
            )));
        }
    }
    if let Some(p) = &input.policies {
        let pp = &p.password_policy;
        if !(6..=99).contains(&pp.minimum_length) {
            return Err(Error::invalid_parameter(
                "Password policy MinimumLength must be between 6 and 99",
            ));
        }
    }
    let mfa = input.mfa_configuration.unwrap_or_else(|| "OFF".into());
    let mfa = MfaConfiguration::parse(&mfa)
        .ok_or_else(|| Error::invalid_parameter(format!("Invalid MfaConfiguration {mfa}")))?;
    let mut schema = Vec::new();
    for attr in input.schema {
        let Some(n) = attr.get("Name").and_then(Value::as_str) else {
            return Err(Error::invalid_parameter("Schema attribute without Name"));
        };
        let full = if STANDARD_ATTRIBUTES.contains(&n) || n.starts_with("custom:") {
            n.to_string()
        } else {
            format!("custom:{n}")
        };
        let mut attr = attr.clone();
        if let Some(o) = attr.as_object_mut() {
            o.insert("Name".into(), full.into());
        }
        schema.push(attr);
    }
    let style = match input.user_pool_tags.get(STYLE_TAG).and_then(Value::as_str) {
        Some(s) => IssuerStyle::parse(s).ok_or_else(|| {
            Error::invalid_parameter(format!("{STYLE_TAG} must be 'local' or 'aws'"))
        })?,
        None => IssuerStyle::Local,
    };
    let id = id.unwrap_or_else(|| ids::pool_id(region));
    if !ids::is_valid_pool_id(&id) {
        return Err(Error::invalid_parameter(format!(
            "Invalid user pool id {id}"
        )));
    }
    let now = ids::now_f64();
    let mut extra = input.extra;
    if !input.user_pool_tags.is_empty() {
        extra.insert("UserPoolTags".into(), Value::Object(input.user_pool_tags));
    }
    let pool = Pool {
        arn: format!(
            "arn:aws:cognito-idp:{}:000000000000:userpool/{id}",
            ids::region_of(&id)
        ),
        id,
        name,
        creation_date: now,
        last_modified_date: now,
        policies: input.policies.unwrap_or_default(),
        username_attributes: input.username_attributes,
        alias_attributes: input.alias_attributes,
        auto_verified_attributes: input.auto_verified_attributes,
        schema_attributes: schema,
        mfa_configuration: mfa,
        software_token_mfa_configuration: None,
        sms_mfa_configuration: None,
        email_mfa_configuration: None,
        username_configuration: input.username_configuration,
        extra,
    };
    Ok((pool, style))
}

/// Stores a new pool and generates its signing keys.
pub(crate) fn insert_pool(issuer: &Issuer, pool: &Pool, style: IssuerStyle) -> Result<()> {
    // Generate keys before taking the write lock (RSA generation is slow).
    let id_key = keys::generate(&pool.id, keys::KeyPurpose::Id)?;
    let access_key = keys::generate(&pool.id, keys::KeyPurpose::Access)?;
    issuer.write(|tx| {
        if pool_rows::get_pool(tx, &pool.id)?.is_some() {
            return Err(Error::invalid_parameter(format!(
                "User pool {} already exists.",
                pool.id
            )));
        }
        pool_rows::put_pool(tx, pool, style)?;
        key_rows::insert_key(tx, &id_key)?;
        key_rows::insert_key(tx, &access_key)?;
        Ok(())
    })
}

/// The `UserPoolType` JSON of a stored pool.
pub(crate) fn pool_json(issuer: &Issuer, pool: &Pool) -> Result<Value> {
    let mut v = serde_json::to_value(pool).map_err(|e| Error::internal(e.to_string()))?;
    let count = issuer.read(|c| Ok(pool_rows::count_users(c, &pool.id)?))?;
    if let Some(o) = v.as_object_mut() {
        o.insert("EstimatedNumberOfUsers".into(), count.into());
        o.insert("Status".into(), "Enabled".into());
        o.insert(
            "LambdaConfig".into(),
            o.get("LambdaConfig").cloned().unwrap_or(json!({})),
        );
    }
    Ok(v)
}

/// CreateUserPool.
pub(crate) fn create_user_pool(issuer: &Issuer, input: Value) -> Result<Value> {
    let input: CreatePoolInput = decode(input)?;
    let (pool, style) = build_pool(input, None, "us-east-1")?;
    insert_pool(issuer, &pool, style)?;
    Ok(json!({ "UserPool": pool_json(issuer, &pool)? }))
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct PoolIdInput {
    user_pool_id: Option<String>,
}

/// DescribeUserPool.
pub(crate) fn describe_user_pool(issuer: &Issuer, input: Value) -> Result<Value> {
    let input: PoolIdInput = decode(input)?;
    let (pool, _) = issuer.pool(required(&input.user_pool_id, "userPoolId")?)?;
    Ok(json!({ "UserPool": pool_json(issuer, &pool)? }))
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ListInput {
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
    let pools = issuer.read(|c| Ok(pool_rows::list_pools(c)?))?;
    let (page, next) = paginate(pools, Some(max), 60, input.next_token.as_deref())?;
    let items: Vec<Value> = page
        .iter()
        .map(|(p, _)| {
            json!({
                "Id": p.id,
                "Name": p.name,
                "LambdaConfig": {},
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

/// DeleteUserPool.
pub(crate) fn delete_user_pool(issuer: &Issuer, input: Value) -> Result<Value> {
    let input: PoolIdInput = decode(input)?;
    let id = required(&input.user_pool_id, "userPoolId")?;
    issuer.pool(id)?;
    issuer.write(|tx| Ok(pool_rows::delete_pool(tx, id)?))?;
    issuer.keys.invalidate(id);
    Ok(json!({}))
}
