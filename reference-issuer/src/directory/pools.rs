//! User pools: creation (with their signing keys), lookup, listing,
//! UpdateUserPool, deletion and idempotent create-or-update for
//! configuration files.

use serde_json::{Map, Value};

use crate::directory::attributes::STANDARD_ATTRIBUTES;
use crate::error::{Error, Result};
use crate::ids;
use crate::issuer::Issuer;
use crate::issuer::pool_not_found;
use crate::model::{
    AuthFactor, DeviceConfiguration, IssuerStyle, LambdaConfig, MfaConfiguration, Policies, Pool,
    PoolDomain, SchemaAttribute, SignInPolicy, UsernameConfiguration,
};
use crate::store::{domains as domain_rows, keys as key_rows, pools as pool_rows};
use crate::tokens::keys;

/// The user pool tag that selects the issuer style (`local` or `aws`).
pub(crate) const STYLE_TAG: &str = "cognito-issuer:issuer-style";

const ATTR_CHOICES: &[&str] = &["email", "phone_number"];
const ALIAS_CHOICES: &[&str] = &["email", "phone_number", "preferred_username"];

/// What a pool is made of (CreateUserPool's settings, typed).
#[derive(Debug, Clone, Default)]
pub(crate) struct PoolSpec {
    /// Fixed pool id; generated in `region` when absent.
    pub id: Option<String>,
    /// Region of a generated id (default `us-east-1`).
    pub region: Option<String>,
    /// Pool name.
    pub name: String,
    /// Password policy.
    pub policies: Option<Policies>,
    /// Username attributes (`email`, `phone_number`).
    pub username_attributes: Vec<String>,
    /// Alias attributes (`email`, `phone_number`, `preferred_username`).
    pub alias_attributes: Vec<String>,
    /// Auto-verified attributes.
    pub auto_verified_attributes: Vec<String>,
    /// Schema attributes (names without `custom:` get the prefix unless
    /// standard); `None` stands for an attribute received without a string
    /// `Name`, refused by [`create`] in Cognito's order of checks.
    pub schema: Vec<Option<SchemaAttribute>>,
    /// `MfaConfiguration` wire name (default `OFF`), checked in Cognito's
    /// order.
    pub mfa_configuration: Option<String>,
    /// Username case sensitivity.
    pub username_configuration: Option<UsernameConfiguration>,
    /// Remembered devices (`DeviceConfiguration`).
    pub device_configuration: Option<DeviceConfiguration>,
    /// The triggers' functions (`LambdaConfig`).
    pub lambda_config: Option<LambdaConfig>,
    /// Tags, echoed (`cognito-issuer:issuer-style` selects the issuer style).
    pub tags: Map<String, Value>,
    /// Settings the issuer only echoes.
    pub extra: Map<String, Value>,
}

/// A pool as Describe reports it.
#[derive(Debug, Clone)]
pub(crate) struct PoolDescription {
    /// The pool.
    pub pool: Pool,
    /// Its number of users.
    pub estimated_users: i64,
    /// Its domain, if it has one.
    pub domain: Option<PoolDomain>,
}

/// Validates `spec` and builds the pool document (not stored).
fn build(spec: PoolSpec) -> Result<(Pool, IssuerStyle)> {
    let name = spec.name;
    if name.len() > 128 {
        return Err(Error::invalid_parameter(
            "1 validation error detected: Value at 'poolName' failed to satisfy constraint: \
             Member must have length less than or equal to 128",
        ));
    }
    if !spec.username_attributes.is_empty() && !spec.alias_attributes.is_empty() {
        return Err(Error::invalid_parameter(
            "Only one of the aliasAttributes or usernameAttributes can be set in a User Pool.",
        ));
    }
    for a in &spec.username_attributes {
        if !ATTR_CHOICES.contains(&a.as_str()) {
            return Err(Error::invalid_parameter(format!(
                "Invalid username attribute {a}"
            )));
        }
    }
    for a in &spec.alias_attributes {
        if !ALIAS_CHOICES.contains(&a.as_str()) {
            return Err(Error::invalid_parameter(format!(
                "Invalid alias attribute {a}"
            )));
        }
    }
    for a in &spec.auto_verified_attributes {
        if !ATTR_CHOICES.contains(&a.as_str()) {
            return Err(Error::invalid_parameter(format!(
                "Invalid auto-verified attribute {a}"
            )));
        }
    }
    if let Some(p) = &spec.policies {
        let pp = &p.password_policy;
        if !(6..=99).contains(&pp.minimum_length) {
            return Err(Error::invalid_parameter(
                "Password policy MinimumLength must be between 6 and 99",
            ));
        }
    }
    let mfa = spec.mfa_configuration.unwrap_or_else(|| "OFF".into());
    let mfa = MfaConfiguration::parse(&mfa)
        .ok_or_else(|| Error::invalid_parameter(format!("Invalid MfaConfiguration {mfa}")))?;
    if let Some(p) = &spec.policies {
        check_sign_in_policy(&p.sign_in_policy, mfa)?;
    }
    let mut schema = Vec::with_capacity(spec.schema.len());
    for attr in spec.schema {
        let Some(mut attr) = attr else {
            return Err(Error::invalid_parameter("Schema attribute without Name"));
        };
        if !STANDARD_ATTRIBUTES.contains(&attr.name.as_str()) && !attr.name.starts_with("custom:") {
            attr.name = format!("custom:{}", attr.name);
        }
        schema.push(attr);
    }
    let style = match spec.tags.get(STYLE_TAG).and_then(Value::as_str) {
        Some(s) => IssuerStyle::parse(s).ok_or_else(|| {
            Error::invalid_parameter(format!("{STYLE_TAG} must be 'local' or 'aws'"))
        })?,
        None => IssuerStyle::Local,
    };
    let region = spec.region.as_deref().unwrap_or("us-east-1");
    let id = spec.id.unwrap_or_else(|| ids::pool_id(region));
    if !ids::is_valid_pool_id(&id) {
        return Err(Error::invalid_parameter(format!(
            "Invalid user pool id {id}"
        )));
    }
    let now = ids::now_f64();
    let mut extra = spec.extra;
    if !spec.tags.is_empty() {
        extra.insert("UserPoolTags".into(), Value::Object(spec.tags));
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
        policies: spec.policies.unwrap_or_default(),
        username_attributes: spec.username_attributes,
        alias_attributes: spec.alias_attributes,
        auto_verified_attributes: spec.auto_verified_attributes,
        schema_attributes: schema,
        mfa_configuration: mfa,
        software_token_mfa_configuration: None,
        sms_mfa_configuration: None,
        email_mfa_configuration: None,
        username_configuration: spec.username_configuration,
        device_configuration: spec.device_configuration,
        lambda_config: spec.lambda_config.map(check_lambda_config).transpose()?,
        extra,
    };
    Ok((pool, style))
}

/// The pattern AWS names when refusing a function ARN.
const ARN_PATTERN: &str = "arn:[\\w+=/,.@-]+:[\\w+=/,.@-]+:([\\w+=/,.@-]*)?:[0-9]+:[\\w+=/,.@-]+(:[\\w+=/,.@-]+)?(:[\\w+=/,.@-]+)?";

/// Whether `s` matches [`ARN_PATTERN`] (20 to 2048 characters).
fn is_arn(s: &str) -> bool {
    let word = |p: &str| {
        p.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"_+=/,.@-".contains(&b))
    };
    let parts: Vec<&str> = s.splitn(7, ':').collect();
    (20..=2048).contains(&s.len())
        && parts.len() >= 5
        && parts[0] == "arn"
        && parts[1..].iter().all(|p| word(p))
        && !parts[1].is_empty()
        && !parts[2].is_empty()
        && !parts[4].is_empty()
        && parts[4].bytes().all(|b| b.is_ascii_digit())
        && parts.get(5).is_some_and(|p| !p.is_empty())
}

/// Validates a `LambdaConfig` as CreateUserPool does (each ARN against
/// AWS's pattern, `LambdaVersion` in its enum, `PreTokenGeneration` equal
/// to `PreTokenGenerationConfig.LambdaArn`) and returns it as Describe
/// shows it.
fn check_lambda_config(c: LambdaConfig) -> Result<LambdaConfig> {
    for (field, arn) in c.arns() {
        if !is_arn(arn) {
            return Err(Error::invalid_parameter(format!(
                "1 validation error detected: Value '{arn}' at 'lambdaConfig.{field}' failed to \
                 satisfy constraint: Member must satisfy regular expression pattern: {ARN_PATTERN}"
            )));
        }
    }
    if let Some(p) = &c.pre_token_generation_config {
        if p.version().is_none() {
            return Err(Error::invalid_parameter(format!(
                "1 validation error detected: Value '{}' at \
                 'lambdaConfig.preTokenGenerationConfig.lambdaVersion' failed to satisfy \
                 constraint: Member must satisfy enum value set: [V1_0, V2_0, V3_0]",
                p.lambda_version
            )));
        }
        if c.pre_token_generation
            .as_ref()
            .is_some_and(|a| a != &p.lambda_arn)
        {
            return Err(Error::invalid_parameter(
                "PreTokenGeneration and PreTokenGenerationConfig.LambdaArn must be the same.",
            ));
        }
    }
    Ok(c.normalized())
}

/// Validates `AllowedFirstAuthFactors` as Cognito does: 1 to 5 values of
/// the enum, `SOFTWARE_TOKEN` refused, `PASSWORD` always present (the
/// console cannot remove it), and no one-time-password factor while MFA is
/// required (SetUserPoolMfaConfig applies the same rule).
pub(crate) fn check_sign_in_policy(p: &SignInPolicy, mfa: MfaConfiguration) -> Result<()> {
    let factors = &p.allowed_first_auth_factors;
    let listed = || {
        factors
            .iter()
            .map(AuthFactor::as_str)
            .collect::<Vec<_>>()
            .join(", ")
    };
    let at = "at 'policies.signInPolicy.allowedFirstAuthFactors' failed to satisfy constraint";
    if factors.is_empty() || factors.len() > 5 {
        let bound = if factors.is_empty() {
            "greater than or equal to 1"
        } else {
            "less than or equal to 5"
        };
        return Err(Error::invalid_parameter(format!(
            "1 validation error detected: Value '[{}]' {at}: Member must have length {bound}",
            listed()
        )));
    }
    if factors.iter().any(|f| matches!(f, AuthFactor::Unknown(_))) {
        return Err(Error::invalid_parameter(format!(
            "1 validation error detected: Value '[{}]' {at}: Member must satisfy constraint: \
             [Member must satisfy enum value set: [PASSWORD, EMAIL_OTP, SMS_OTP, WEB_AUTHN, \
             SOFTWARE_TOKEN]]",
            listed()
        )));
    }
    if factors.contains(&AuthFactor::SoftwareToken) {
        return Err(Error::invalid_parameter(
            "SOFTWARE_TOKEN is not supported as a first auth factor.",
        ));
    }
    if !factors.contains(&AuthFactor::Password) {
        return Err(Error::invalid_parameter(
            "PASSWORD must be one of the AllowedFirstAuthFactors.",
        ));
    }
    if mfa == MfaConfiguration::On && factors.iter().any(AuthFactor::is_otp) {
        return Err(Error::invalid_parameter(
            "Only PASSWORD and WEB_AUTHN (if configured) can be enabled as an auth factor if \
             MFA is enabled",
        ));
    }
    Ok(())
}

/// Stores a new pool and generates its signing keys.
fn insert(issuer: &Issuer, pool: &Pool, style: IssuerStyle) -> Result<()> {
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

/// Creates a pool (CreateUserPool).
pub(crate) fn create(issuer: &Issuer, spec: PoolSpec) -> Result<PoolDescription> {
    let (pool, style) = build(spec)?;
    insert(issuer, &pool, style)?;
    describe_pool(issuer, pool)
}

fn describe_pool(issuer: &Issuer, pool: Pool) -> Result<PoolDescription> {
    let (estimated_users, domain) = issuer.read(|c| {
        Ok((
            pool_rows::count_users(c, &pool.id)?,
            domain_rows::domain_of_pool(c, &pool.id)?,
        ))
    })?;
    Ok(PoolDescription {
        pool,
        estimated_users,
        domain,
    })
}

/// A pool with its user count (DescribeUserPool).
pub(crate) fn describe(issuer: &Issuer, pool_id: &str) -> Result<PoolDescription> {
    let (pool, _) = issuer.pool(pool_id)?;
    describe_pool(issuer, pool)
}

/// Every pool with its issuer style, ordered by id (ListUserPools).
pub(crate) fn list(issuer: &Issuer) -> Result<Vec<(Pool, IssuerStyle)>> {
    issuer.read(|c| Ok(pool_rows::list_pools(c)?))
}

/// What UpdateUserPool sets. Every updatable setting is here: one left
/// out returns to its default, as AWS documents ("If you don't provide a
/// value for an attribute, Amazon Cognito sets it to its default value").
#[derive(Debug, Clone, Default)]
pub(crate) struct PoolUpdate {
    /// New pool name (`PoolName`); the name stays when absent.
    pub name: Option<String>,
    /// Password and sign-in policy.
    pub policies: Option<Policies>,
    /// Auto-verified attributes.
    pub auto_verified_attributes: Vec<String>,
    /// `MfaConfiguration` wire name (default `OFF`).
    pub mfa_configuration: Option<String>,
    /// Remembered devices.
    pub device_configuration: Option<DeviceConfiguration>,
    /// The triggers' functions (absent: no triggers, as AWS resets them).
    pub lambda_config: Option<LambdaConfig>,
    /// Tags (`cognito-issuer:issuer-style` selects the issuer style).
    pub tags: Map<String, Value>,
    /// Settings the issuer only echoes.
    pub extra: Map<String, Value>,
}

/// `UserPoolType` members an update cannot set (fixed at creation, set by
/// other operations, or computed): dropped from the echoed settings.
const FIXED_MEMBERS: &[&str] = &[
    "Id",
    "UserPoolId",
    "Name",
    "PoolName",
    "Arn",
    "CreationDate",
    "LastModifiedDate",
    "UsernameAttributes",
    "AliasAttributes",
    "Schema",
    "SchemaAttributes",
    "UsernameConfiguration",
    "SoftwareTokenMfaConfiguration",
    "SmsMfaConfiguration",
    "EmailMfaConfiguration",
    "EstimatedNumberOfUsers",
    "Status",
    "Domain",
    "CustomDomain",
];

/// Replaces a pool's updatable settings (UpdateUserPool), validated as
/// CreateUserPool validates them. The id, ARN, creation date, sign-in
/// attributes, schema, case sensitivity, MFA factors (SetUserPoolMfaConfig),
/// signing keys, users and domain stay.
pub(crate) fn update(issuer: &Issuer, pool_id: &str, u: PoolUpdate) -> Result<()> {
    let (old, old_style) = issuer.pool(pool_id)?;
    if u.name.as_deref() == Some("") {
        return Err(Error::invalid_parameter(
            "1 validation error detected: Value '' at 'poolName' failed to satisfy constraint: \
             Member must have length greater than or equal to 1",
        ));
    }
    let mut extra = u.extra;
    extra.retain(|k, _| !FIXED_MEMBERS.contains(&k.as_str()));
    // The issuer style decides `iss`: tokens already issued must keep
    // verifying, so it stays what the pool was created with.
    let mut tags = u.tags;
    match tags
        .get(STYLE_TAG)
        .map(|v| v.as_str().and_then(IssuerStyle::parse))
    {
        None if old_style != IssuerStyle::Local => {
            tags.insert(STYLE_TAG.into(), old_style.as_str().into());
        }
        Some(Some(style)) if style != old_style => {
            return Err(Error::invalid_parameter(format!(
                "{STYLE_TAG} cannot change after the pool is created (it is {})",
                old_style.as_str()
            )));
        }
        // Absent on a local pool, the same style, or an invalid value
        // (refused by `build` as CreateUserPool refuses it).
        _ => {}
    }
    let spec = PoolSpec {
        id: Some(old.id.clone()),
        region: None,
        name: u.name.unwrap_or_else(|| old.name.clone()),
        policies: u.policies,
        username_attributes: old.username_attributes.clone(),
        alias_attributes: old.alias_attributes.clone(),
        auto_verified_attributes: u.auto_verified_attributes,
        schema: old.schema_attributes.iter().cloned().map(Some).collect(),
        mfa_configuration: u.mfa_configuration,
        username_configuration: old.username_configuration.clone(),
        device_configuration: u.device_configuration,
        lambda_config: u.lambda_config,
        tags,
        extra,
    };
    let (mut pool, style) = build(spec)?;
    pool.creation_date = old.creation_date;
    pool.software_token_mfa_configuration = old.software_token_mfa_configuration;
    pool.sms_mfa_configuration = old.sms_mfa_configuration;
    pool.email_mfa_configuration = old.email_mfa_configuration;
    issuer.write(|tx| {
        // A pool deleted meanwhile is not brought back.
        if pool_rows::get_pool(tx, pool_id)?.is_none() {
            return Err(pool_not_found(pool_id));
        }
        Ok(pool_rows::put_pool(tx, &pool, style)?)
    })
}

/// Deletes a pool and everything in it (DeleteUserPool).
pub(crate) fn delete(issuer: &Issuer, pool_id: &str) -> Result<()> {
    issuer.pool(pool_id)?;
    issuer.write(|tx| Ok(pool_rows::delete_pool(tx, pool_id)?))?;
    issuer.keys.invalidate(pool_id);
    Ok(())
}

/// Whether two documents are equal ignoring their timestamps.
pub(crate) fn same_ignoring_dates<T: serde::Serialize>(a: &T, b: &T) -> bool {
    fn comparable(v: Option<Value>) -> Option<Value> {
        let mut v = v?;
        if let Some(o) = v.as_object_mut() {
            for k in ["CreationDate", "LastModifiedDate"] {
                o.remove(k);
            }
        }
        Some(v)
    }
    comparable(serde_json::to_value(a).ok()) == comparable(serde_json::to_value(b).ok())
}

/// Creates the pool or, when one with the spec's id (or, without an id,
/// its name) exists, updates it when its settings differ; unchanged pools
/// are left alone. Idempotent (configuration files).
pub(crate) fn create_or_update(issuer: &Issuer, mut spec: PoolSpec) -> Result<Pool> {
    let existing = issuer.read(|c| {
        let all = pool_rows::list_pools(c)?;
        Ok(match &spec.id {
            Some(id) => all.into_iter().find(|(p, _)| &p.id == id),
            None => all.into_iter().find(|(p, _)| p.name == spec.name),
        })
    })?;
    if spec.id.is_none() {
        spec.id = existing.as_ref().map(|(p, _)| p.id.clone());
    }
    let (mut pool, style) = build(spec)?;
    match existing {
        Some((old, old_style)) => {
            pool.creation_date = old.creation_date;
            if same_ignoring_dates(&pool, &old) && style == old_style {
                pool = old;
            } else {
                issuer.write(|tx| {
                    pool_rows::put_pool(tx, &pool, style)?;
                    keys::ensure_keys(tx, &pool.id)
                })?;
                tracing::info!(pool = %pool.id, "configuration updated pool");
            }
        }
        None => {
            insert(issuer, &pool, style)?;
            tracing::info!(pool = %pool.id, "configuration created pool");
        }
    }
    Ok(pool)
}
