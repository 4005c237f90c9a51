//! App client operations: CreateUserPoolClient, DescribeUserPoolClient,
//! ListUserPoolClients, UpdateUserPoolClient, DeleteUserPoolClient.

use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::{decode, paginate, required};
use crate::error::{Error, Result};
use crate::ids;
use crate::issuer::{Issuer, client_not_found};
use crate::model::{AppClient, OAuthFlow, TokenValidityUnits};
use crate::store::{clients as client_rows, resource_servers as rs_rows};

const NEW_FLOWS: &[&str] = &[
    "ALLOW_ADMIN_USER_PASSWORD_AUTH",
    "ALLOW_CUSTOM_AUTH",
    "ALLOW_USER_PASSWORD_AUTH",
    "ALLOW_USER_SRP_AUTH",
    "ALLOW_REFRESH_TOKEN_AUTH",
    "ALLOW_USER_AUTH",
];
const LEGACY_FLOWS: &[&str] = &[
    "ADMIN_NO_SRP_AUTH",
    "CUSTOM_AUTH_FLOW_ONLY",
    "USER_PASSWORD_AUTH",
];
const STANDARD_SCOPES: &[&str] = &[
    "openid",
    "email",
    "phone",
    "profile",
    "aws.cognito.signin.user.admin",
];

/// Create/UpdateUserPoolClient input.
#[derive(Debug, Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct ClientInput {
    /// Pool id.
    pub user_pool_id: Option<String>,
    /// Client name.
    pub client_name: Option<String>,
    /// Generate a secret (Create only).
    #[serde(default)]
    pub generate_secret: bool,
    /// Refresh token lifetime.
    pub refresh_token_validity: Option<i64>,
    /// Access token lifetime.
    pub access_token_validity: Option<i64>,
    /// ID token lifetime.
    pub id_token_validity: Option<i64>,
    /// Lifetime units.
    pub token_validity_units: Option<TokenValidityUnits>,
    /// Allowed auth flows.
    pub explicit_auth_flows: Option<Vec<String>>,
    /// `ENABLED` or `LEGACY`.
    pub prevent_user_existence_errors: Option<String>,
    /// Token revocation.
    pub enable_token_revocation: Option<bool>,
    /// `AllowedOAuthFlowsUserPoolClient`.
    #[serde(rename = "AllowedOAuthFlowsUserPoolClient")]
    pub allowed_oauth_flows_user_pool_client: Option<bool>,
    /// `AllowedOAuthFlows`.
    #[serde(rename = "AllowedOAuthFlows")]
    pub allowed_oauth_flows: Option<Vec<OAuthFlow>>,
    /// `AllowedOAuthScopes`.
    #[serde(rename = "AllowedOAuthScopes")]
    pub allowed_oauth_scopes: Option<Vec<String>>,
    /// `CallbackURLs`.
    #[serde(rename = "CallbackURLs")]
    pub callback_urls: Option<Vec<String>>,
    /// `LogoutURLs`.
    #[serde(rename = "LogoutURLs")]
    pub logout_urls: Option<Vec<String>>,
    /// `DefaultRedirectURI`.
    #[serde(rename = "DefaultRedirectURI")]
    pub default_redirect_uri: Option<String>,
    /// `SupportedIdentityProviders`.
    #[serde(rename = "SupportedIdentityProviders")]
    pub supported_identity_providers: Option<Vec<String>>,
    /// Everything else (OAuth settings, read/write attributes, ...).
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

fn check_range(value: i64, unit: &str, min_s: i64, max_s: i64, what: &str) -> Result<()> {
    let secs = value
        * match unit {
            "seconds" => 1,
            "minutes" => 60,
            "hours" => 3600,
            "days" => 86400,
            other => {
                return Err(Error::invalid_parameter(format!(
                    "Invalid time unit {other} for {what}"
                )));
            }
        };
    if secs < min_s || secs > max_s {
        return Err(Error::invalid_parameter(format!(
            "{what} must be between {min_s} seconds and {max_s} seconds"
        )));
    }
    Ok(())
}

/// Validates input and builds the client document. `existing` keeps the
/// id, secret and creation date on update; `fixed` forces id and secret
/// (configuration files).
pub(crate) fn build_client(
    issuer: &Issuer,
    input: ClientInput,
    existing: Option<&AppClient>,
    fixed: Option<(String, Option<String>)>,
) -> Result<AppClient> {
    let pool_id = required(&input.user_pool_id, "userPoolId")?.to_string();
    issuer.pool(&pool_id)?;
    let name = match (&input.client_name, existing) {
        (Some(n), _) if !n.is_empty() => n.clone(),
        (_, Some(e)) => e.client_name.clone(),
        _ => required(&None, "clientName")?.to_string(),
    };
    let units = input.token_validity_units.unwrap_or_default();
    let access = input
        .access_token_validity
        .unwrap_or(match units.access_token.as_str() {
            "hours" => 1,
            "days" => 1,
            "seconds" => 3600,
            _ => 60,
        });
    let id = input
        .id_token_validity
        .unwrap_or(match units.id_token.as_str() {
            "hours" => 1,
            "days" => 1,
            "seconds" => 3600,
            _ => 60,
        });
    let refresh = input
        .refresh_token_validity
        .unwrap_or(match units.refresh_token.as_str() {
            "seconds" => 30 * 86400,
            "minutes" => 30 * 1440,
            "hours" => 30 * 24,
            _ => 30,
        });
    check_range(
        access,
        &units.access_token,
        300,
        86400,
        "AccessTokenValidity",
    )?;
    check_range(id, &units.id_token, 300, 86400, "IdTokenValidity")?;
    check_range(
        refresh,
        &units.refresh_token,
        3600,
        3650 * 86400,
        "RefreshTokenValidity",
    )?;
    let flows = input.explicit_auth_flows.unwrap_or_else(|| {
        vec![
            "ALLOW_REFRESH_TOKEN_AUTH".into(),
            "ALLOW_USER_SRP_AUTH".into(),
            "ALLOW_CUSTOM_AUTH".into(),
        ]
    });
    let has_new = flows.iter().any(|f| NEW_FLOWS.contains(&f.as_str()));
    let has_legacy = flows.iter().any(|f| LEGACY_FLOWS.contains(&f.as_str()));
    if let Some(bad) = flows
        .iter()
        .find(|f| !NEW_FLOWS.contains(&f.as_str()) && !LEGACY_FLOWS.contains(&f.as_str()))
    {
        return Err(Error::invalid_parameter(format!(
            "1 validation error detected: Value '[{bad}]' at 'explicitAuthFlows' failed to \
             satisfy constraint: Member must satisfy enum value set"
        )));
    }
    if has_new && has_legacy {
        return Err(Error::invalid_parameter(
            "ExplicitAuthFlows cannot contain both legacy and new (ALLOW_*) flow values.",
        ));
    }
    let prevent = input
        .prevent_user_existence_errors
        .unwrap_or_else(|| "LEGACY".into());
    if !matches!(prevent.as_str(), "ENABLED" | "LEGACY") {
        return Err(Error::invalid_parameter(format!(
            "Invalid PreventUserExistenceErrors value {prevent}"
        )));
    }
    if let Some(scopes) = &input.allowed_oauth_scopes {
        let servers = issuer.read(|c| Ok(rs_rows::list_resource_servers(c, &pool_id)?))?;
        for s in scopes.iter().map(String::as_str) {
            let custom = servers.iter().any(|rs| {
                rs.scopes.iter().any(|sc| {
                    sc.get("ScopeName")
                        .and_then(Value::as_str)
                        .is_some_and(|n| format!("{}/{n}", rs.identifier) == s)
                })
            });
            if !STANDARD_SCOPES.contains(&s) && !custom {
                return Err(Error::scope_does_not_exist(format!(
                    "Invalid scope requested: {s}"
                )));
            }
        }
    }
    let now = ids::now_f64();
    let (client_id, secret, created) = match (existing, fixed) {
        (_, Some((id, secret))) => (
            id,
            secret.or_else(|| input.generate_secret.then(ids::client_secret)),
            existing.map(|e| e.creation_date).unwrap_or(now),
        ),
        (Some(e), None) => (
            e.client_id.clone(),
            e.client_secret.clone(),
            e.creation_date,
        ),
        (None, None) => (
            ids::client_id(),
            input.generate_secret.then(ids::client_secret),
            now,
        ),
    };
    Ok(AppClient {
        user_pool_id: pool_id,
        client_name: name,
        client_id,
        client_secret: secret,
        creation_date: created,
        last_modified_date: now,
        refresh_token_validity: refresh,
        access_token_validity: access,
        id_token_validity: id,
        token_validity_units: units,
        explicit_auth_flows: flows,
        prevent_user_existence_errors: prevent,
        enable_token_revocation: input.enable_token_revocation.unwrap_or(true),
        allowed_oauth_flows_user_pool_client: input.allowed_oauth_flows_user_pool_client,
        allowed_oauth_flows: input.allowed_oauth_flows,
        allowed_oauth_scopes: input.allowed_oauth_scopes,
        callback_urls: input.callback_urls,
        logout_urls: input.logout_urls,
        default_redirect_uri: input.default_redirect_uri,
        supported_identity_providers: input.supported_identity_providers,
        extra: input.extra,
    })
}

/// CreateUserPoolClient.
pub(crate) fn create_user_pool_client(issuer: &Issuer, input: Value) -> Result<Value> {
    let input: ClientInput = decode(input)?;
    let client = build_client(issuer, input, None, None)?;
    issuer.write(|tx| Ok(client_rows::put_client(tx, &client)?))?;
    Ok(json!({ "UserPoolClient": client }))
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ClientRef {
    user_pool_id: Option<String>,
    client_id: Option<String>,
}

fn load_client(issuer: &Issuer, r: &ClientRef) -> Result<AppClient> {
    let pool_id = required(&r.user_pool_id, "userPoolId")?;
    let client_id = required(&r.client_id, "clientId")?;
    issuer.pool(pool_id)?;
    let client = issuer.client(client_id)?;
    if client.user_pool_id != pool_id {
        return Err(client_not_found(client_id));
    }
    Ok(client)
}

/// DescribeUserPoolClient.
pub(crate) fn describe_user_pool_client(issuer: &Issuer, input: Value) -> Result<Value> {
    let r: ClientRef = decode(input)?;
    Ok(json!({ "UserPoolClient": load_client(issuer, &r)? }))
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ListInput {
    user_pool_id: Option<String>,
    max_results: Option<i64>,
    next_token: Option<String>,
}

/// ListUserPoolClients.
pub(crate) fn list_user_pool_clients(issuer: &Issuer, input: Value) -> Result<Value> {
    let input: ListInput = decode(input)?;
    let pool_id = required(&input.user_pool_id, "userPoolId")?;
    issuer.pool(pool_id)?;
    let clients = issuer.read(|c| Ok(client_rows::list_clients(c, pool_id)?))?;
    let (page, next) = paginate(clients, input.max_results, 60, input.next_token.as_deref())?;
    let items: Vec<Value> = page
        .iter()
        .map(|c| json!({ "ClientId": c.client_id, "UserPoolId": c.user_pool_id, "ClientName": c.client_name }))
        .collect();
    let mut out = json!({ "UserPoolClients": items });
    if let Some(t) = next {
        out["NextToken"] = t.into();
    }
    Ok(out)
}

/// UpdateUserPoolClient (like AWS, unspecified settings revert to defaults).
pub(crate) fn update_user_pool_client(issuer: &Issuer, input: Value) -> Result<Value> {
    let r: ClientRef = decode(input.clone())?;
    let existing = load_client(issuer, &r)?;
    let mut input: ClientInput = decode(input)?;
    input.extra.remove("ClientId");
    input.generate_secret = false;
    let client = build_client(issuer, input, Some(&existing), None)?;
    issuer.write(|tx| Ok(client_rows::put_client(tx, &client)?))?;
    Ok(json!({ "UserPoolClient": client }))
}

/// DeleteUserPoolClient.
pub(crate) fn delete_user_pool_client(issuer: &Issuer, input: Value) -> Result<Value> {
    let r: ClientRef = decode(input)?;
    let client = load_client(issuer, &r)?;
    issuer.write(|tx| Ok(client_rows::delete_client(tx, &client.client_id)?))?;
    Ok(json!({}))
}
