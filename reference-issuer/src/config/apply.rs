//! Applying a configuration: each configured object becomes a typed
//! directory spec handed to its idempotent `create_or_update`.

use serde_json::{Map, Value};

use super::{ClientConfig, GroupConfig, IssuerConfig, PoolConfig, ResourceServerConfig};
use crate::directory::clients::{self, ClientSpec, RotationSpec};
use crate::directory::groups::{self, GroupSpec};
use crate::directory::pools::{self, PoolSpec, STYLE_TAG};
use crate::directory::resource_servers::{self, ResourceServerSpec, ScopeSpec};
use crate::directory::seed::{self, UserSeed};
use crate::error::{Error, IssuerError};
use crate::issuer::Issuer;
use crate::model::{
    ExplicitAuthFlow, PasswordPolicy, Policies, PreventUserExistenceErrors, RotationFeature,
    SchemaAttribute, UsernameConfiguration,
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
    let policies = pc.password_policy.as_ref().map(|p| Policies {
        password_policy: PasswordPolicy {
            minimum_length: p.minimum_length,
            require_uppercase: p.require_uppercase,
            require_lowercase: p.require_lowercase,
            require_numbers: p.require_numbers,
            require_symbols: p.require_symbols,
            temporary_password_validity_days: p.temporary_password_validity_days,
        },
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
        tags,
        extra: Map::new(),
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
        allowed_oauth_flows_user_pool_client: oauth.then_some(true),
        allowed_oauth_flows: (!cc.allowed_oauth_flows.is_empty())
            .then(|| cc.allowed_oauth_flows.clone()),
        allowed_oauth_scopes: oauth.then(|| cc.allowed_oauth_scopes.clone()),
        callback_urls: (!cc.callback_urls.is_empty()).then(|| cc.callback_urls.clone()),
        logout_urls: None,
        default_redirect_uri: None,
        supported_identity_providers: None,
        extra: Map::new(),
    }
}

/// The auth flows of clients declared without `explicit_auth_flows` and of
/// the default client.
fn default_flows() -> Vec<ExplicitAuthFlow> {
    vec![
        ExplicitAuthFlow::AllowUserPasswordAuth,
        ExplicitAuthFlow::AllowUserSrpAuth,
        ExplicitAuthFlow::AllowRefreshTokenAuth,
        ExplicitAuthFlow::AllowAdminUserPasswordAuth,
    ]
}
