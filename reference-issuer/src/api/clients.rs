//! App client operations: CreateUserPoolClient, DescribeUserPoolClient,
//! ListUserPoolClients, UpdateUserPoolClient, DeleteUserPoolClient.

use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::{Paging, decode, paginate, required};
use crate::directory::clients::{self, ClientSpec, RotationSpec};
use crate::error::Result;
use crate::issuer::Issuer;
use crate::model::{ExplicitAuthFlow, OAuthFlow, PreventUserExistenceErrors, TokenValidityUnits};

/// Create/UpdateUserPoolClient input.
#[derive(Debug, Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
pub(super) struct ClientInput {
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
    pub explicit_auth_flows: Option<Vec<ExplicitAuthFlow>>,
    /// `ENABLED` or `LEGACY`.
    pub prevent_user_existence_errors: Option<PreventUserExistenceErrors>,
    /// Token revocation.
    pub enable_token_revocation: Option<bool>,
    /// Refresh token rotation.
    pub refresh_token_rotation: Option<RotationSpec>,
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

impl ClientInput {
    /// The typed spec (`UserPoolId` is required).
    pub(super) fn into_spec(self) -> Result<ClientSpec> {
        Ok(ClientSpec {
            user_pool_id: required(&self.user_pool_id, "userPoolId")?.to_string(),
            client_name: self.client_name,
            generate_secret: self.generate_secret,
            refresh_token_validity: self.refresh_token_validity,
            access_token_validity: self.access_token_validity,
            id_token_validity: self.id_token_validity,
            token_validity_units: self.token_validity_units,
            explicit_auth_flows: self.explicit_auth_flows,
            prevent_user_existence_errors: self.prevent_user_existence_errors,
            enable_token_revocation: self.enable_token_revocation,
            refresh_token_rotation: self.refresh_token_rotation,
            allowed_oauth_flows_user_pool_client: self.allowed_oauth_flows_user_pool_client,
            allowed_oauth_flows: self.allowed_oauth_flows,
            allowed_oauth_scopes: self.allowed_oauth_scopes,
            callback_urls: self.callback_urls,
            logout_urls: self.logout_urls,
            default_redirect_uri: self.default_redirect_uri,
            supported_identity_providers: self.supported_identity_providers,
            extra: self.extra,
        })
    }
}

/// CreateUserPoolClient.
pub(crate) fn create_user_pool_client(issuer: &Issuer, input: Value) -> Result<Value> {
    let input: ClientInput = decode(input)?;
    let client = clients::create(issuer, input.into_spec()?)?;
    Ok(json!({ "UserPoolClient": client }))
}

/// A pool and an app client.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct ClientRef {
    user_pool_id: Option<String>,
    client_id: Option<String>,
}

impl ClientRef {
    /// The required pool and client ids.
    pub(super) fn ids(&self) -> Result<(&str, &str)> {
        Ok((
            required(&self.user_pool_id, "userPoolId")?,
            required(&self.client_id, "clientId")?,
        ))
    }
}

/// DescribeUserPoolClient.
pub(crate) fn describe_user_pool_client(issuer: &Issuer, input: Value) -> Result<Value> {
    let r: ClientRef = decode(input)?;
    let (pool_id, client_id) = r.ids()?;
    Ok(json!({ "UserPoolClient": clients::get(issuer, pool_id, client_id)? }))
}

/// ListUserPoolClients input.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct ListInput {
    user_pool_id: Option<String>,
    max_results: Option<i64>,
    next_token: Option<String>,
}

/// ListUserPoolClients.
pub(crate) fn list_user_pool_clients(issuer: &Issuer, input: Value) -> Result<Value> {
    let input: ListInput = decode(input)?;
    let pool_id = required(&input.user_pool_id, "userPoolId")?;
    let all = clients::list(issuer, pool_id)?;
    let (page, next) = paginate(
        all,
        Paging {
            op: "ListUserPoolClients",
            scope: pool_id,
            limit: input.max_results,
            limit_field: "maxResults",
            range: (1, 60),
            token: input.next_token.as_deref(),
        },
    )?;
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
    let (pool_id, client_id) = r.ids()?;
    // A missing pool or client is reported before any error in the other
    // settings, as before.
    clients::get(issuer, pool_id, client_id)?;
    let mut input: ClientInput = decode(input)?;
    input.extra.remove("ClientId");
    let client = clients::update(issuer, client_id, input.into_spec()?)?;
    Ok(json!({ "UserPoolClient": client }))
}

/// DeleteUserPoolClient.
pub(crate) fn delete_user_pool_client(issuer: &Issuer, input: Value) -> Result<Value> {
    let r: ClientRef = decode(input)?;
    let (pool_id, client_id) = r.ids()?;
    clients::delete(issuer, pool_id, client_id)?;
    Ok(json!({}))
}
