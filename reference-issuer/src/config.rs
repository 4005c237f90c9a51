//! The TOML configuration file: pools, app clients, groups, resource servers
//! and seed users. Applying a configuration is idempotent: objects are
//! matched by id (or name) and only created or updated when they differ, so
//! applying the same file twice changes nothing.
//!
//! ```toml
//! [[pools]]
//! name = "dev"
//! id = "us-east-1_DevPool01"        # optional; generated when absent
//! issuer_style = "aws"              # "local" (default) or "aws"
//! alias_attributes = ["email"]
//! custom_attributes = ["tenant"]
//!
//! [[pools.clients]]
//! name = "web"
//! explicit_auth_flows = ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
//!
//! [[pools.users]]
//! username = "alice"
//! password = "Passw0rd!"
//! attributes = { email = "alice@example.com", email_verified = "true" }
//! groups = ["admins"]
//!
//! [[pools.groups]]
//! name = "admins"
//! precedence = 1
//! ```

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;
use serde_json::{Value, json};

use crate::api::admin_users::{insert_new_user, new_user};
use crate::api::clients::{ClientInput, build_client};
use crate::api::pools::{CreatePoolInput, STYLE_TAG, build_pool, insert_pool};
use crate::api::resource_servers::put_resource_server;
use crate::api::shapes::AttributeIn;
use crate::directory::attributes::{STANDARD_ATTRIBUTES, validate_attributes};
use crate::directory::lookup::find_user;
use crate::directory::password;
use crate::error::{Error, IssuerError, Result};
use crate::ids;
use crate::issuer::Issuer;
use crate::model::{Group, ResourceServer, UserStatus};
use crate::store::{
    clients as client_rows, groups as group_rows, pools as pool_rows, resource_servers as rs_rows,
    users as user_rows,
};

/// A whole configuration file.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct IssuerConfig {
    /// Pools, in order; the first is the default pool.
    #[serde(default)]
    pub pools: Vec<PoolConfig>,
}

/// Password policy settings.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PasswordPolicyConfig {
    /// Minimum length (default 8).
    #[serde(default = "eight")]
    pub minimum_length: u32,
    /// Require uppercase (default true).
    #[serde(default = "yes")]
    pub require_uppercase: bool,
    /// Require lowercase (default true).
    #[serde(default = "yes")]
    pub require_lowercase: bool,
    /// Require digits (default true).
    #[serde(default = "yes")]
    pub require_numbers: bool,
    /// Require symbols (default true).
    #[serde(default = "yes")]
    pub require_symbols: bool,
    /// Temporary password validity in days (default 7).
    #[serde(default = "seven")]
    pub temporary_password_validity_days: u32,
}

fn eight() -> u32 {
    8
}
fn seven() -> u32 {
    7
}
fn yes() -> bool {
    true
}

/// One pool.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PoolConfig {
    /// Pool name (also the identity when `id` is absent).
    pub name: String,
    /// Fixed pool id (`<region>_<alphanumerics>`).
    pub id: Option<String>,
    /// Region for a generated id (default `us-east-1`).
    pub region: Option<String>,
    /// `local` (default) or `aws`.
    pub issuer_style: Option<String>,
    /// Username attributes (`email`, `phone_number`).
    #[serde(default)]
    pub username_attributes: Vec<String>,
    /// Alias attributes.
    #[serde(default)]
    pub alias_attributes: Vec<String>,
    /// Auto-verified attributes (default `["email"]`).
    pub auto_verified_attributes: Option<Vec<String>>,
    /// Case-sensitive usernames (default false).
    #[serde(default)]
    pub case_sensitive: bool,
    /// Custom attribute names (without the `custom:` prefix).
    #[serde(default)]
    pub custom_attributes: Vec<String>,
    /// Password policy.
    pub password_policy: Option<PasswordPolicyConfig>,
    /// Optional cap on authentication requests per second
    /// (`TooManyRequestsException` above it). 0 or absent: unlimited.
    pub auth_rate_limit: Option<u32>,
    /// App clients.
    #[serde(default)]
    pub clients: Vec<ClientConfig>,
    /// Groups.
    #[serde(default)]
    pub groups: Vec<GroupConfig>,
    /// Resource servers.
    #[serde(default)]
    pub resource_servers: Vec<ResourceServerConfig>,
    /// Seed users.
    #[serde(default)]
    pub users: Vec<UserConfig>,
}

/// One app client.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClientConfig {
    /// Client name (also the identity when `id` is absent).
    pub name: String,
    /// Fixed client id.
    pub id: Option<String>,
    /// Fixed client secret.
    pub secret: Option<String>,
    /// Generate a secret on first creation.
    #[serde(default)]
    pub generate_secret: bool,
    /// Allowed flows (default: password, SRP, refresh, admin password).
    pub explicit_auth_flows: Option<Vec<String>>,
    /// Access token lifetime in minutes (default 60).
    pub access_token_validity_minutes: Option<i64>,
    /// ID token lifetime in minutes (default 60).
    pub id_token_validity_minutes: Option<i64>,
    /// Refresh token lifetime in days (default 30).
    pub refresh_token_validity_days: Option<i64>,
    /// Hide user existence (default true).
    pub prevent_user_existence_errors: Option<bool>,
    /// Allowed OAuth scopes.
    #[serde(default)]
    pub allowed_oauth_scopes: Vec<String>,
    /// Allowed OAuth flows.
    #[serde(default)]
    pub allowed_oauth_flows: Vec<crate::model::OAuthFlow>,
    /// Callback URLs.
    #[serde(default)]
    pub callback_urls: Vec<String>,
}

/// One group.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GroupConfig {
    /// Name.
    pub name: String,
    /// Description.
    pub description: Option<String>,
    /// Precedence.
    pub precedence: Option<i64>,
    /// IAM role ARN.
    pub role_arn: Option<String>,
}

/// One resource server.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResourceServerConfig {
    /// Identifier.
    pub identifier: String,
    /// Name.
    pub name: String,
    /// Scopes.
    #[serde(default)]
    pub scopes: Vec<ScopeConfig>,
}

/// One custom scope.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScopeConfig {
    /// Scope name.
    pub name: String,
    /// Description.
    #[serde(default)]
    pub description: String,
}

/// One seed user.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UserConfig {
    /// Username (an email/phone in pools with username attributes).
    pub username: String,
    /// Permanent password (status CONFIRMED).
    pub password: Option<String>,
    /// Temporary password (status FORCE_CHANGE_PASSWORD).
    pub temporary_password: Option<String>,
    /// Attributes.
    #[serde(default)]
    pub attributes: BTreeMap<String, String>,
    /// Group names.
    #[serde(default)]
    pub groups: Vec<String>,
    /// Enabled (default true).
    #[serde(default = "yes")]
    pub enabled: bool,
}

impl IssuerConfig {
    /// Parses TOML text.
    pub fn from_toml_str(s: &str) -> Result<Self, IssuerError> {
        toml::from_str(s).map_err(|e| IssuerError::Config(e.to_string()))
    }

    /// Reads and parses a TOML file.
    pub fn from_file(path: &Path) -> Result<Self, IssuerError> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| IssuerError::Config(format!("{}: {e}", path.display())))?;
        Self::from_toml_str(&text)
    }
}

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

fn comparable(mut v: Value) -> Value {
    if let Some(o) = v.as_object_mut() {
        for k in [
            "CreationDate",
            "LastModifiedDate",
            "creation_date",
            "last_modified_date",
        ] {
            o.remove(k);
        }
    }
    v
}

fn apply_pool(issuer: &Issuer, pc: &PoolConfig) -> Result<AppliedPool, IssuerError> {
    let err = cfg_err(&pc.name);
    let existing = issuer
        .read(|c| {
            let all = pool_rows::list_pools(c)?;
            Ok(match &pc.id {
                Some(id) => all.into_iter().find(|(p, _)| &p.id == id),
                None => all.into_iter().find(|(p, _)| p.name == pc.name),
            })
        })
        .map_err(&err)?;
    let mut schema: Vec<Value> = pc
        .custom_attributes
        .iter()
        .map(|n| json!({ "Name": n, "AttributeDataType": "String", "Mutable": true }))
        .collect();
    schema.sort_by_key(|v| v.to_string());
    let policy = pc.password_policy.as_ref().map(|p| {
        json!({ "PasswordPolicy": {
            "MinimumLength": p.minimum_length,
            "RequireUppercase": p.require_uppercase,
            "RequireLowercase": p.require_lowercase,
            "RequireNumbers": p.require_numbers,
            "RequireSymbols": p.require_symbols,
            "TemporaryPasswordValidityDays": p.temporary_password_validity_days,
        }})
    });
    let mut input = json!({
        "PoolName": pc.name,
        "UsernameAttributes": pc.username_attributes,
        "AliasAttributes": pc.alias_attributes,
        "AutoVerifiedAttributes": pc.auto_verified_attributes.clone().unwrap_or_else(|| vec!["email".into()]),
        "Schema": schema,
        "UsernameConfiguration": { "CaseSensitive": pc.case_sensitive },
        "UserPoolTags": { STYLE_TAG: pc.issuer_style.clone().unwrap_or_else(|| "local".into()) },
    });
    if let Some(p) = policy {
        input["Policies"] = p;
    }
    let input: CreatePoolInput = crate::api::decode(input).map_err(&err)?;
    let region = pc.region.clone().unwrap_or_else(|| "us-east-1".into());
    let forced_id = pc
        .id
        .clone()
        .or_else(|| existing.as_ref().map(|(p, _)| p.id.clone()));
    let (mut pool, style) = build_pool(input, forced_id, &region).map_err(&err)?;
    match existing {
        Some((old, old_style)) => {
            pool.creation_date = old.creation_date;
            let same = comparable(serde_json::to_value(&pool)?)
                == comparable(serde_json::to_value(&old)?)
                && style == old_style;
            if !same {
                issuer
                    .write(|tx| {
                        pool_rows::put_pool(tx, &pool, style)?;
                        crate::tokens::keys::ensure_keys(tx, &pool.id)
                    })
                    .map_err(&err)?;
                tracing::info!(pool = %pool.id, "configuration updated pool");
            } else {
                pool = old;
            }
        }
        None => {
            insert_pool(issuer, &pool, style).map_err(&err)?;
            tracing::info!(pool = %pool.id, "configuration created pool");
        }
    }
    issuer
        .rate_limits
        .set(&pool.id, pc.auth_rate_limit.unwrap_or(0));

    for rs in &pc.resource_servers {
        let want = ResourceServer {
            user_pool_id: pool.id.clone(),
            identifier: rs.identifier.clone(),
            name: rs.name.clone(),
            scopes: rs
                .scopes
                .iter()
                .map(|s| json!({ "ScopeName": s.name, "ScopeDescription": s.description }))
                .collect(),
        };
        let have = issuer
            .read(|c| Ok(rs_rows::get_resource_server(c, &pool.id, &rs.identifier)?))
            .map_err(&err)?;
        if have.is_none_or(|h| serde_json::to_value(&h).ok() != serde_json::to_value(&want).ok()) {
            put_resource_server(issuer, want, true).map_err(&err)?;
        }
    }

    let mut client_ids = Vec::new();
    for cc in &pc.clients {
        client_ids.push(apply_client(issuer, &pool.id, cc)?);
    }

    for gc in &pc.groups {
        let have = issuer
            .read(|c| Ok(group_rows::get_group(c, &pool.id, &gc.name)?))
            .map_err(&err)?;
        let changed = match &have {
            None => true,
            Some(g) => {
                g.description != gc.description
                    || g.precedence != gc.precedence
                    || g.role_arn != gc.role_arn
            }
        };
        if changed {
            let now = ids::now_f64();
            let g = Group {
                pool_id: pool.id.clone(),
                name: gc.name.clone(),
                description: gc.description.clone(),
                role_arn: gc.role_arn.clone(),
                precedence: gc.precedence,
                created_at: have.as_ref().map(|h| h.created_at).unwrap_or(now),
                modified_at: now,
            };
            issuer
                .write(|tx| Ok(group_rows::put_group(tx, &g)?))
                .map_err(&err)?;
        }
    }

    for uc in &pc.users {
        apply_user(issuer, &pool, uc).map_err(&err)?;
    }
    Ok(AppliedPool {
        pool_id: pool.id,
        client_ids,
    })
}

fn apply_client(issuer: &Issuer, pool_id: &str, cc: &ClientConfig) -> Result<String, IssuerError> {
    let err = cfg_err(&cc.name);
    let clients = issuer
        .read(|c| Ok(client_rows::list_clients(c, pool_id)?))
        .map_err(&err)?;
    let existing = match &cc.id {
        Some(id) => clients.into_iter().find(|c| &c.client_id == id),
        None => clients.into_iter().find(|c| c.client_name == cc.name),
    };
    let input = ClientInput {
        user_pool_id: Some(pool_id.to_string()),
        client_name: Some(cc.name.clone()),
        generate_secret: cc.generate_secret,
        refresh_token_validity: Some(cc.refresh_token_validity_days.unwrap_or(30)),
        access_token_validity: Some(cc.access_token_validity_minutes.unwrap_or(60)),
        id_token_validity: Some(cc.id_token_validity_minutes.unwrap_or(60)),
        token_validity_units: None,
        explicit_auth_flows: Some(cc.explicit_auth_flows.clone().unwrap_or_else(default_flows)),
        prevent_user_existence_errors: Some(
            if cc.prevent_user_existence_errors.unwrap_or(true) {
                "ENABLED"
            } else {
                "LEGACY"
            }
            .into(),
        ),
        enable_token_revocation: Some(true),
        allowed_oauth_flows_user_pool_client: (!cc.allowed_oauth_scopes.is_empty()).then_some(true),
        allowed_oauth_flows: (!cc.allowed_oauth_flows.is_empty())
            .then(|| cc.allowed_oauth_flows.clone()),
        allowed_oauth_scopes: (!cc.allowed_oauth_scopes.is_empty())
            .then(|| cc.allowed_oauth_scopes.clone()),
        callback_urls: (!cc.callback_urls.is_empty()).then(|| cc.callback_urls.clone()),
        logout_urls: None,
        default_redirect_uri: None,
        supported_identity_providers: None,
        extra: serde_json::Map::new(),
    };
    let fixed = match (&existing, &cc.id, &cc.secret) {
        (None, Some(id), secret) => Some((id.clone(), secret.clone())),
        (None, None, Some(secret)) => Some((ids::client_id(), Some(secret.clone()))),
        (Some(e), _, Some(secret)) => Some((e.client_id.clone(), Some(secret.clone()))),
        _ => None,
    };
    let client = build_client(issuer, input, existing.as_ref(), fixed).map_err(&err)?;
    let same = existing.as_ref().is_some_and(|e| {
        comparable(serde_json::to_value(e).unwrap_or_default())
            == comparable(serde_json::to_value(&client).unwrap_or_default())
    });
    if !same {
        if issuer
            .read(|c| Ok(client_rows::get_client(c, &client.client_id)?))
            .map_err(&err)?
            .is_some_and(|c| c.user_pool_id != pool_id)
        {
            return Err(IssuerError::Config(format!(
                "client id {} already belongs to another pool",
                client.client_id
            )));
        }
        issuer
            .write(|tx| Ok(client_rows::put_client(tx, &client)?))
            .map_err(&err)?;
    }
    Ok(client.client_id)
}

/// The auth flows of clients declared without `explicit_auth_flows` and of
/// the default client.
pub(crate) fn default_flows() -> Vec<String> {
    [
        "ALLOW_USER_PASSWORD_AUTH",
        "ALLOW_USER_SRP_AUTH",
        "ALLOW_REFRESH_TOKEN_AUTH",
        "ALLOW_ADMIN_USER_PASSWORD_AUTH",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect()
}

fn apply_user(issuer: &Issuer, pool: &crate::model::Pool, uc: &UserConfig) -> Result<(), Error> {
    let attrs: Vec<AttributeIn> = uc
        .attributes
        .iter()
        .map(|(k, v)| AttributeIn {
            name: if STANDARD_ATTRIBUTES.contains(&k.as_str()) || k.starts_with("custom:") {
                k.clone()
            } else {
                format!("custom:{k}")
            },
            value: Some(v.clone()),
        })
        .collect();
    validate_attributes(pool, &attrs, true)?;
    let existing = issuer.read(|c| find_user(c, pool, &uc.username))?;
    let (pw, status) = match (&uc.password, &uc.temporary_password) {
        (Some(p), _) => (Some(p.as_str()), UserStatus::Confirmed),
        (None, Some(t)) => (Some(t.as_str()), UserStatus::ForceChangePassword),
        (None, None) => (None, UserStatus::Confirmed),
    };
    let user = match existing {
        Some(mut user) => {
            let mut changed = false;
            for a in &attrs {
                if user.attr(&a.name) != a.value.as_deref() {
                    user.attributes
                        .insert(a.name.clone(), a.value.clone().unwrap_or_default());
                    changed = true;
                }
            }
            if user.enabled != uc.enabled {
                user.enabled = uc.enabled;
                changed = true;
            }
            if let Some(p) = pw
                && !user
                    .password_hash
                    .as_deref()
                    .is_some_and(|h| password::verify(p, h))
            {
                user.password_hash = Some(password::hash(p)?);
                user.password_set_at = ids::now();
                user.status = status;
                changed = true;
            }
            if changed {
                user.modified_at = ids::now_f64();
                issuer.write(|tx| Ok(user_rows::update_user(tx, &user)?))?;
            }
            if let Some(p) = pw {
                issuer.write(|tx| crate::directory::credentials::ensure_password(tx, &user, p))?;
            }
            user
        }
        None => {
            let mut user = new_user(pool, &uc.username, &attrs, status)?;
            user.enabled = uc.enabled;
            if let Some(p) = pw {
                user.password_hash = Some(password::hash(p)?);
            }
            issuer.write(|tx| {
                insert_new_user(tx, pool, &user, false)?;
                match pw {
                    Some(p) => crate::directory::credentials::remember_password(tx, &user, p),
                    None => Ok(()),
                }
            })?;
            user
        }
    };
    for g in &uc.groups {
        issuer.write(|tx| {
            group_rows::get_group(tx, &pool.id, g)?.ok_or_else(|| {
                Error::resource_not_found(format!("group {g} is not declared in this pool"))
            })?;
            Ok(group_rows::add_member(tx, &pool.id, g, &user.sub)?)
        })?;
    }
    Ok(())
}
