//! App clients: validation of their settings (token lifetimes, auth flows,
//! OAuth scopes), creation, lookup, update, deletion and idempotent
//! create-or-update for configuration files.

use serde::Deserialize;
use serde_json::{Map, Value};

use crate::directory::client_oauth;
use crate::directory::pools::same_ignoring_dates;
use crate::error::{Error, Result};
use crate::ids;
use crate::issuer::{Issuer, client_not_found};
use crate::model::{
    AppClient, ExplicitAuthFlow, OAuthFlow, PreventUserExistenceErrors, RefreshTokenRotation,
    RotationFeature, TimeUnit, TokenValidityUnits,
};
use crate::store::clients as client_rows;

/// An app client's settings (Create/UpdateUserPoolClient, typed). Absent
/// settings take Cognito's defaults.
#[derive(Debug, Clone, Default)]
pub(crate) struct ClientSpec {
    /// The owning pool.
    pub user_pool_id: String,
    /// Client name (required on creation; kept on update when absent).
    pub client_name: Option<String>,
    /// Generate a secret on creation.
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
    /// Hide user existence (default `LEGACY`).
    pub prevent_user_existence_errors: Option<PreventUserExistenceErrors>,
    /// Token revocation (default on).
    pub enable_token_revocation: Option<bool>,
    /// Refresh token rotation (default disabled).
    pub refresh_token_rotation: Option<RotationSpec>,
    /// OAuth flows enabled.
    pub allowed_oauth_flows_user_pool_client: Option<bool>,
    /// OAuth flows.
    pub allowed_oauth_flows: Option<Vec<OAuthFlow>>,
    /// OAuth scopes (standard or `<resource-server>/<scope>`).
    pub allowed_oauth_scopes: Option<Vec<String>>,
    /// Callback URLs.
    pub callback_urls: Option<Vec<String>>,
    /// Logout URLs.
    pub logout_urls: Option<Vec<String>>,
    /// Default redirect URI.
    pub default_redirect_uri: Option<String>,
    /// Identity providers.
    pub supported_identity_providers: Option<Vec<String>>,
    /// Settings the issuer only echoes.
    pub extra: Map<String, Value>,
}

/// `RefreshTokenRotation` as requested (`Feature` is required; checked by
/// validation so the message is AWS's).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct RotationSpec {
    /// `ENABLED` or `DISABLED`.
    pub feature: Option<RotationFeature>,
    /// Grace period of a rotated-out token, 0..=60 seconds (default 0).
    pub retry_grace_period_seconds: Option<i64>,
}

impl RotationSpec {
    /// The validated setting, with AWS's validation messages.
    fn validate(self) -> Result<RefreshTokenRotation> {
        let feature = self
            .feature
            .ok_or_else(|| missing("refreshTokenRotation.feature"))?;
        if let RotationFeature::Unknown(v) = &feature {
            return Err(Error::invalid_parameter(format!(
                "1 validation error detected: Value '{v}' at 'refreshTokenRotation.feature' \
                 failed to satisfy constraint: Member must satisfy enum value set: \
                 [ENABLED, DISABLED]"
            )));
        }
        let grace = self.retry_grace_period_seconds.unwrap_or(0);
        crate::error::check_range("refreshTokenRotation.retryGracePeriodSeconds", grace, 0, 60)?;
        Ok(RefreshTokenRotation {
            feature,
            retry_grace_period_seconds: grace,
        })
    }
}

/// The message of a missing required parameter.
fn missing(name: &str) -> Error {
    Error::invalid_parameter(format!(
        "1 validation error detected: Value null at '{name}' failed to satisfy constraint: \
         Member must not be null"
    ))
}

fn check_range(value: i64, unit: &TimeUnit, min_s: i64, max_s: i64, what: &str) -> Result<()> {
    let per_unit = unit.seconds().ok_or_else(|| {
        Error::invalid_parameter(format!("Invalid time unit {} for {what}", unit.as_str()))
    })?;
    let secs = value.saturating_mul(per_unit);
    if secs < min_s || secs > max_s {
        return Err(Error::invalid_parameter(format!(
            "{what} must be between {min_s} seconds and {max_s} seconds"
        )));
    }
    Ok(())
}

/// The default access/ID token lifetime in `unit`.
fn default_token_validity(unit: &TimeUnit) -> i64 {
    match unit {
        TimeUnit::Hours | TimeUnit::Days => 1,
        TimeUnit::Seconds => 3600,
        _ => 60,
    }
}

/// The default refresh token lifetime (30 days) in `unit`.
fn default_refresh_validity(unit: &TimeUnit) -> i64 {
    match unit {
        TimeUnit::Seconds => 30 * 86400,
        TimeUnit::Minutes => 30 * 1440,
        TimeUnit::Hours => 30 * 24,
        _ => 30,
    }
}

/// Validates `spec` and builds the client document. `existing` keeps the
/// id, secret and creation date on update; `fixed` forces id and secret
/// (configuration files).
fn build(
    issuer: &Issuer,
    spec: ClientSpec,
    existing: Option<&AppClient>,
    fixed: Option<(String, Option<String>)>,
) -> Result<AppClient> {
    let pool_id = spec.user_pool_id.clone();
    issuer.pool(&pool_id)?;
    let name = match (&spec.client_name, existing) {
        (Some(n), _) if !n.is_empty() => n.clone(),
        (_, Some(e)) => e.client_name.clone(),
        _ => return Err(missing("clientName")),
    };
    let has_secret = match (&fixed, existing) {
        (Some((_, secret)), _) => secret.is_some() || spec.generate_secret,
        (None, Some(e)) => e.client_secret.is_some(),
        (None, None) => spec.generate_secret,
    };
    client_oauth::check(issuer, &pool_id, &spec, has_secret)?;
    let units = spec.token_validity_units.unwrap_or_default();
    let access = spec
        .access_token_validity
        .unwrap_or_else(|| default_token_validity(&units.access_token));
    let id = spec
        .id_token_validity
        .unwrap_or_else(|| default_token_validity(&units.id_token));
    let refresh = spec
        .refresh_token_validity
        .unwrap_or_else(|| default_refresh_validity(&units.refresh_token));
    // The fields' own ranges in AWS's shapes, then the lifetimes they make
    // in their units.
    crate::error::check_range("accessTokenValidity", access, 1, 86_400)?;
    crate::error::check_range("idTokenValidity", id, 1, 86_400)?;
    crate::error::check_range("refreshTokenValidity", refresh, 0, 315_360_000)?;
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
    let flows = spec.explicit_auth_flows.unwrap_or_else(|| {
        vec![
            ExplicitAuthFlow::AllowRefreshTokenAuth,
            ExplicitAuthFlow::AllowUserSrpAuth,
            ExplicitAuthFlow::AllowCustomAuth,
        ]
    });
    if let Some(bad) = flows
        .iter()
        .find(|f| matches!(f, ExplicitAuthFlow::Unknown(_)))
    {
        return Err(Error::invalid_parameter(format!(
            "1 validation error detected: Value '[{}]' at 'explicitAuthFlows' failed to \
             satisfy constraint: Member must satisfy enum value set",
            bad.as_str()
        )));
    }
    let has_legacy = flows.iter().any(ExplicitAuthFlow::is_legacy);
    let has_new = flows.iter().any(|f| !f.is_legacy());
    if has_new && has_legacy {
        return Err(Error::invalid_parameter(
            "ExplicitAuthFlows cannot contain both legacy and new (ALLOW_*) flow values.",
        ));
    }
    let rotation = spec
        .refresh_token_rotation
        .map(RotationSpec::validate)
        .transpose()?
        .unwrap_or_default();
    let prevent = spec
        .prevent_user_existence_errors
        .unwrap_or(PreventUserExistenceErrors::Legacy);
    if let PreventUserExistenceErrors::Unknown(v) = &prevent {
        return Err(Error::invalid_parameter(format!(
            "Invalid PreventUserExistenceErrors value {v}"
        )));
    }
    let now = ids::now_f64();
    let (client_id, secret, created) = match (existing, fixed) {
        (_, Some((id, secret))) => (
            id,
            secret.or_else(|| spec.generate_secret.then(ids::client_secret)),
            existing.map(|e| e.creation_date).unwrap_or(now),
        ),
        (Some(e), None) => (
            e.client_id.clone(),
            e.client_secret.clone(),
            e.creation_date,
        ),
        (None, None) => (
            ids::client_id(),
            spec.generate_secret.then(ids::client_secret),
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
        enable_token_revocation: spec.enable_token_revocation.unwrap_or(true),
        refresh_token_rotation: rotation,
        allowed_oauth_flows_user_pool_client: spec.allowed_oauth_flows_user_pool_client,
        allowed_oauth_flows: spec.allowed_oauth_flows,
        allowed_oauth_scopes: spec.allowed_oauth_scopes,
        callback_urls: spec.callback_urls,
        logout_urls: spec.logout_urls,
        default_redirect_uri: spec.default_redirect_uri,
        supported_identity_providers: spec.supported_identity_providers,
        extra: spec.extra,
    })
}

/// Creates a client (CreateUserPoolClient).
pub(crate) fn create(issuer: &Issuer, spec: ClientSpec) -> Result<AppClient> {
    let client = build(issuer, spec, None, None)?;
    issuer.write(|tx| Ok(client_rows::put_client(tx, &client)?))?;
    Ok(client)
}

/// A client of a pool; `ResourceNotFoundException` when the pool or the
/// client does not exist or the client belongs to another pool.
pub(crate) fn get(issuer: &Issuer, pool_id: &str, client_id: &str) -> Result<AppClient> {
    issuer.pool(pool_id)?;
    let client = issuer.client(client_id)?;
    if client.user_pool_id != pool_id {
        return Err(client_not_found(client_id));
    }
    Ok(client)
}

/// The clients of a pool, in creation order.
pub(crate) fn list(issuer: &Issuer, pool_id: &str) -> Result<Vec<AppClient>> {
    issuer.pool(pool_id)?;
    issuer.clients_of(pool_id)
}

/// Replaces a client's settings (UpdateUserPoolClient: like AWS,
/// unspecified settings revert to defaults; id, secret and creation date
/// are kept).
pub(crate) fn update(issuer: &Issuer, client_id: &str, mut spec: ClientSpec) -> Result<AppClient> {
    let existing = get(issuer, &spec.user_pool_id, client_id)?;
    spec.generate_secret = false;
    let client = build(issuer, spec, Some(&existing), None)?;
    issuer.write(|tx| Ok(client_rows::put_client(tx, &client)?))?;
    Ok(client)
}

/// Deletes a client of a pool.
pub(crate) fn delete(issuer: &Issuer, pool_id: &str, client_id: &str) -> Result<()> {
    let client = get(issuer, pool_id, client_id)?;
    issuer.write(|tx| Ok(client_rows::delete_client(tx, &client.client_id)?))
}

/// Creates the client or, when the pool has one with `id` (or, without an
/// id, with the spec's name), updates it when its settings differ. `secret`
/// forces the client secret. Idempotent (configuration files).
pub(crate) fn create_or_update(
    issuer: &Issuer,
    spec: ClientSpec,
    id: Option<&str>,
    secret: Option<&str>,
) -> Result<AppClient> {
    let pool_id = spec.user_pool_id.clone();
    let clients = issuer.read(|c| Ok(client_rows::list_clients(c, &pool_id)?))?;
    let existing = match id {
        Some(id) => clients.into_iter().find(|c| c.client_id == id),
        None => clients
            .into_iter()
            .find(|c| spec.client_name.as_deref() == Some(c.client_name.as_str())),
    };
    let secret = secret.map(str::to_string);
    let fixed = match (&existing, id, secret) {
        (None, Some(id), secret) => Some((id.to_string(), secret)),
        (None, None, Some(secret)) => Some((ids::client_id(), Some(secret))),
        (Some(e), _, Some(secret)) => Some((e.client_id.clone(), Some(secret))),
        _ => None,
    };
    let client = build(issuer, spec, existing.as_ref(), fixed)?;
    if existing
        .as_ref()
        .is_some_and(|e| same_ignoring_dates(e, &client))
    {
        return Ok(client);
    }
    issuer.write(|tx| {
        if client_rows::get_client(tx, &client.client_id)?
            .is_some_and(|c| c.user_pool_id != pool_id)
        {
            return Err(Error::invalid_parameter(format!(
                "client id {} already belongs to another pool",
                client.client_id
            )));
        }
        Ok(client_rows::put_client(tx, &client)?)
    })?;
    Ok(client)
}
