//! Applying a configuration: each configured object becomes a typed
//! directory spec handed to its idempotent `create_or_update`.

use serde_json::{Map, Value};

use super::{
    ClientConfig, GroupConfig, IssuerConfig, LambdaConfigToml, PoolConfig, ResourceServerConfig,
    UiCustomizationConfig, VersionedLambdaToml,
};
use crate::directory::clients::{self, ClientSpec, RotationSpec};
use crate::directory::domains::{self, DomainSpec};
use crate::directory::groups::{self, GroupSpec};
use crate::directory::pools::{self, PoolSpec, STYLE_TAG};
use crate::directory::resource_servers::{self, ResourceServerSpec, ScopeSpec};
use crate::directory::seed::{self, UserSeed};
use crate::directory::ui_customization::{self, UiSpec};
use crate::error::{Error, IssuerError};
use crate::issuer::Issuer;
use crate::model::{
    AuthFactor, DeviceConfiguration, ExplicitAuthFlow, LambdaConfig, PasswordPolicy, Policies,
    PreTokenGenerationConfig, PreventUserExistenceErrors, RotationFeature, SchemaAttribute,
    SignInPolicy, UsernameConfiguration,
};

/// The ids applied for one configured pool.
#[derive(Debug, Clone)]
pub(crate) struct AppliedPool {
    /// Pool id.
    pub pool_id: String,
    /// Client ids, in configuration order.
    pub client_ids: Vec<String>,
}

fn cfg_err(what: &str) -> impl Fn(Error) -> IssuerError + '_ {
    move |e| IssuerError::Config(format!("{what}: {e}"))
}

/// Applies a configuration; returns the ids of every configured pool.
pub(crate) fn apply(
    issuer: &Issuer,
    config: &IssuerConfig,
) -> Result<Vec<AppliedPool>, IssuerError> {
    let mut out = Vec::new();
    for pc in &config.pools {
        out.push(apply_pool(issuer, pc)?);
    }
    Ok(out)
}

/// The pool spec of a configured pool.
fn pool_spec(pc: &PoolConfig) -> PoolSpec {
    let mut schema: Vec<SchemaAttribute> = pc
        .custom_attributes
        .iter()
        .map(|n| {
            let mut extra = Map::new();
            extra.insert("AttributeDataType".into(), "String".into());
            extra.insert("Mutable".into(), true.into());
            SchemaAttribute {
                name: n.clone(),
                required: None,
                extra,
            }
        })
        .collect();
    schema.sort_by_key(|a| serde_json::to_string(a).unwrap_or_default());
    let schema = schema.into_iter().map(Some).collect();
    let password_policy = pc.password_policy.as_ref().map(|p| PasswordPolicy {
        minimum_length: p.minimum_length,
        require_uppercase: p.require_uppercase,
        require_lowercase: p.require_lowercase,
        require_numbers: p.require_numbers,
        require_symbols: p.require_symbols,
        temporary_password_validity_days: p.temporary_password_validity_days,
    });
    let sign_in_policy = pc
        .allowed_first_auth_factors
        .as_ref()
        .map(|f| SignInPolicy {
            allowed_first_auth_factors: f.iter().cloned().map(AuthFactor::from).collect(),
        });
    let policies = (password_policy.is_some() || sign_in_policy.is_some()).then(|| Policies {
        password_policy: password_policy.unwrap_or_default(),
        sign_in_policy: sign_in_policy.unwrap_or_default(),
    });
    let mut tags = Map::new();
    tags.insert(
        STYLE_TAG.into(),
        Value::String(pc.issuer_style.clone().unwrap_or_else(|| "local".into())),
    );
    PoolSpec {
        id: pc.id.clone(),
        region: Some(pc.region.clone().unwrap_or_else(|| "us-east-1".into())),
        name: pc.name.clone(),
        policies,
        username_attributes: pc.username_attributes.clone(),
        alias_attributes: pc.alias_attributes.clone(),
        auto_verified_attributes: pc
            .auto_verified_attributes
            .clone()
            .unwrap_or_else(|| vec!["email".into()]),
        schema,
        mfa_configuration: None,
        username_configuration: Some(UsernameConfiguration {
            case_sensitive: pc.case_sensitive,
        }),
        device_configuration: pc.device_configuration.map(|d| DeviceConfiguration {
            challenge_required_on_new_device: d.challenge_required_on_new_device,
            device_only_remembered_on_user_prompt: d.device_only_remembered_on_user_prompt,
        }),
        lambda_config: pc.lambda_config.as_ref().map(lambda_config),
        tags,
        extra: Map::new(),
    }
}

/// The model's `LambdaConfig` of a configured one (validated by the
/// directory as CreateUserPool's).
fn lambda_config(c: &LambdaConfigToml) -> LambdaConfig {
    let versioned = |v: &VersionedLambdaToml| serde_json::json!({ "LambdaVersion": v.lambda_version, "LambdaArn": v.lambda_arn });
    let mut extra = Map::new();
    if let Some(v) = &c.custom_sms_sender {
        extra.insert("CustomSMSSender".into(), versioned(v));
    }
    if let Some(v) = &c.custom_email_sender {
        extra.insert("CustomEmailSender".into(), versioned(v));
    }
    if let Some(k) = &c.kms_key_id {
        extra.insert("KMSKeyID".into(), k.clone().into());
    }
    LambdaConfig {
        pre_sign_up: c.pre_sign_up.clone(),
        custom_message: c.custom_message.clone(),
        post_confirmation: c.post_confirmation.clone(),
        pre_authentication: c.pre_authentication.clone(),
        post_authentication: c.post_authentication.clone(),
        define_auth_challenge: c.define_auth_challenge.clone(),
        create_auth_challenge: c.create_auth_challenge.clone(),
        verify_auth_challenge_response: c.verify_auth_challenge_response.clone(),
        pre_token_generation: c.pre_token_generation.clone(),
        pre_token_generation_config: c.pre_token_generation_config.as_ref().map(|v| {
            PreTokenGenerationConfig {
                lambda_version: v.lambda_version.clone(),
                lambda_arn: v.lambda_arn.clone(),
            }
        }),
        user_migration: c.user_migration.clone(),
        extra,
    }
}

fn apply_pool(issuer: &Issuer, pc: &PoolConfig) -> Result<AppliedPool, IssuerError> {
    let err = cfg_err(&pc.name);
    let pool = pools::create_or_update(issuer, pool_spec(pc)).map_err(&err)?;
    issuer
        .rate_limits
        .set(&pool.id, pc.auth_rate_limit.unwrap_or(0));

    for rs in &pc.resource_servers {
        resource_servers::create_or_update(issuer, resource_server_spec(&pool.id, rs))
            .map_err(&err)?;
    }

    let mut client_ids = Vec::new();
    for cc in &pc.clients {
        let client = clients::create_or_update(
            issuer,
            client_spec(&pool.id, cc),
            cc.id.as_deref(),
            cc.secret.as_deref(),
        )
        .map_err(cfg_err(&cc.name))?;
        client_ids.push(client.client_id);
    }

    if let Some(domain) = &pc.domain {
        apply_domain(issuer, &pool.id, domain).map_err(&err)?;
    }
    if let Some(ui) = &pc.ui_customization {
        apply_ui(issuer, &pool.id, None, ui, &pc.name)?;
    }
    for (cc, id) in pc.clients.iter().zip(&client_ids) {
        if let Some(ui) = &cc.ui_customization {
            apply_ui(issuer, &pool.id, Some(id), ui, &cc.name)?;
        }
    }

    for gc in &pc.groups {
        groups::create_or_update(issuer, group_spec(&pool.id, gc)).map_err(&err)?;
    }

    for uc in &pc.users {
        let user = UserSeed {
            username: uc.username.clone(),
            password: uc.password.clone(),
            temporary_password: uc.temporary_password.clone(),
            attributes: uc.attributes.clone(),
            groups: uc.groups.clone(),
            enabled: uc.enabled,
        };
        seed::seed_user(issuer, &pool, &user).map_err(&err)?;
    }
    Ok(AppliedPool {
        pool_id: pool.id,
        client_ids,
    })
}

fn resource_server_spec(pool_id: &str, rs: &ResourceServerConfig) -> ResourceServerSpec {
    ResourceServerSpec {
        pool_id: pool_id.to_string(),
        identifier: rs.identifier.clone(),
        name: rs.name.clone(),
        scopes: rs
            .scopes
            .iter()
            .map(|s| ScopeSpec {
                name: Some(s.name.clone()),
                description: Some(s.description.clone()),
            })
            .collect(),
    }
}

fn group_spec(pool_id: &str, gc: &GroupConfig) -> GroupSpec {
    GroupSpec {
        pool_id: pool_id.to_string(),
        name: gc.name.clone(),
        description: gc.description.clone(),
        role_arn: gc.role_arn.clone(),
        precedence: gc.precedence,
    }
}

fn client_spec(pool_id: &str, cc: &ClientConfig) -> ClientSpec {
    let oauth = !cc.allowed_oauth_scopes.is_empty();
    ClientSpec {
        user_pool_id: pool_id.to_string(),
        client_name: Some(cc.name.clone()),
        generate_secret: cc.generate_secret,
        refresh_token_validity: Some(cc.refresh_token_validity_days.unwrap_or(30)),
        access_token_validity: Some(cc.access_token_validity_minutes.unwrap_or(60)),
        id_token_validity: Some(cc.id_token_validity_minutes.unwrap_or(60)),
        token_validity_units: None,
        explicit_auth_flows: Some(match &cc.explicit_auth_flows {
            Some(flows) => flows.iter().cloned().map(ExplicitAuthFlow::from).collect(),
            None => default_flows(),
        }),
        prevent_user_existence_errors: Some(if cc.prevent_user_existence_errors.unwrap_or(true) {
            PreventUserExistenceErrors::Enabled
        } else {
            PreventUserExistenceErrors::Legacy
        }),
        enable_token_revocation: Some(true),
        refresh_token_rotation: Some(RotationSpec {
            feature: Some(if cc.refresh_token_rotation {
                RotationFeature::Enabled
            } else {
                RotationFeature::Disabled
            }),
            retry_grace_period_seconds: cc.refresh_token_grace_seconds,
        }),
        allowed_oauth_flows_user_pool_client: cc
            .allowed_oauth_flows_user_pool_client
            .or(oauth.then_some(true)),
        allowed_oauth_flows: (!cc.allowed_oauth_flows.is_empty())
            .then(|| cc.allowed_oauth_flows.clone()),
        allowed_oauth_scopes: oauth.then(|| cc.allowed_oauth_scopes.clone()),
        callback_urls: (!cc.callback_urls.is_empty()).then(|| cc.callback_urls.clone()),
        logout_urls: (!cc.logout_urls.is_empty()).then(|| cc.logout_urls.clone()),
        default_redirect_uri: cc.default_redirect_uri.clone(),
        supported_identity_providers: cc.supported_identity_providers.clone(),
        extra: Map::new(),
    }
}

/// Records the pool's domain prefix unless it already has it.
fn apply_domain(issuer: &Issuer, pool_id: &str, domain: &str) -> Result<(), Error> {
    if domains::describe(issuer, domain)?.is_some_and(|d| d.user_pool_id == pool_id) {
        return Ok(());
    }
    domains::create(
        issuer,
        DomainSpec {
            domain: domain.to_string(),
            user_pool_id: pool_id.to_string(),
            custom_domain_config: None,
            managed_login_version: None,
        },
    )
    .map(drop)
}

/// Sets a pool's (`client_id` `None`) or a client's hosted UI look from
/// its configuration, reading the files it names.
fn apply_ui(
    issuer: &Issuer,
    pool_id: &str,
    client_id: Option<&str>,
    ui: &UiCustomizationConfig,
    owner: &str,
) -> Result<(), IssuerError> {
    let read_err = |path: &std::path::Path, e: std::io::Error| {
        IssuerError::Config(format!(
            "{owner}: ui_customization: {}: {e}",
            path.display()
        ))
    };
    let css = match (&ui.css, &ui.css_file) {
        (Some(_), Some(_)) => {
            return Err(IssuerError::Config(format!(
                "{owner}: ui_customization: give css or css_file, not both"
            )));
        }
        (Some(css), None) => Some(css.clone()),
        (None, Some(path)) => Some(std::fs::read_to_string(path).map_err(|e| read_err(path, e))?),
        (None, None) => None,
    };
    let image = match &ui.logo_file {
        Some(path) => Some(std::fs::read(path).map_err(|e| read_err(path, e))?),
        None => None,
    };
    ui_customization::set_if_changed(
        issuer,
        UiSpec {
            user_pool_id: pool_id.to_string(),
            client_id: client_id.map(str::to_string),
            css,
            image,
        },
    )
    .map_err(|e| IssuerError::Config(format!("{owner}: ui_customization: {e}")))
}

/// The auth flows of clients declared without `explicit_auth_flows` and of
/// the default client.
fn default_flows() -> Vec<ExplicitAuthFlow> {
    vec![
        ExplicitAuthFlow::AllowUserPasswordAuth,
        ExplicitAuthFlow::AllowUserSrpAuth,
        ExplicitAuthFlow::AllowRefreshTokenAuth,
        ExplicitAuthFlow::AllowAdminUserPasswordAuth,
        ExplicitAuthFlow::AllowUserAuth,
    ]
}
