//! The pre token generation trigger (`PreTokenGeneration`), event versions
//! V1_0, V2_0 and V3_0 as the Cognito developer guide documents them: the
//! `triggerSource` of each way tokens are minted ([`TokenSource`]), the
//! `request` (userAttributes, groupConfiguration, clientMetadata, and from
//! V2 `scopes`), and the response read and applied to the claims being
//! signed ([`overrides`]). V1 changes the ID token (and, through the group
//! override, `cognito:groups` of the access token); V2 and V3 change both
//! tokens and the scopes; only V3 fires for client credentials.
//!
//! [`customize`] is the one call the minting paths make.

pub(crate) mod overrides;
#[cfg(test)]
mod tests;

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

pub(crate) use overrides::Overrides;

use super::{Invocation, TriggerError, TriggerKind, calls};
use crate::issuer::Issuer;
use crate::model::{Group, Pool, User};

/// How tokens are being minted: the event's `triggerSource`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TokenSource {
    /// The hosted UI's OAuth2 grants (authorization code, implicit).
    HostedAuth,
    /// A completed sign-in through the user pool API.
    Authentication,
    /// A sign-in completed by answering `NEW_PASSWORD_REQUIRED`.
    NewPasswordChallenge,
    /// A sign-in completed by a remembered device's SRP.
    AuthenticateDevice,
    /// A refresh token redeemed.
    RefreshTokens,
    /// The `client_credentials` grant (V3 only).
    ClientCredentials,
}

impl TokenSource {
    /// The `triggerSource` value.
    pub(crate) fn trigger_source(self) -> &'static str {
        match self {
            Self::HostedAuth => "TokenGeneration_HostedAuth",
            Self::Authentication => "TokenGeneration_Authentication",
            Self::NewPasswordChallenge => "TokenGeneration_NewPasswordChallenge",
            Self::AuthenticateDevice => "TokenGeneration_AuthenticateDevice",
            Self::RefreshTokens => "TokenGeneration_RefreshTokens",
            Self::ClientCredentials => "TokenGeneration_ClientCredentials",
        }
    }
}

/// The event version (`PreTokenGenerationConfig.LambdaVersion`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum EventVersion {
    /// `V1_0`: ID token claims and groups.
    V1,
    /// `V2_0`: also access token claims and scopes of user sign-ins.
    V2,
    /// `V3_0`: also machine-to-machine access tokens.
    V3,
}

impl EventVersion {
    /// The version numbered `n` (1, 2 or 3).
    pub(crate) fn from_number(n: u8) -> Option<Self> {
        match n {
            1 => Some(Self::V1),
            2 => Some(Self::V2),
            3 => Some(Self::V3),
            _ => None,
        }
    }

    /// Whether an event of this version is sent for `source`: client
    /// credentials only fire V3 triggers.
    pub(crate) fn fires_for(self, source: TokenSource) -> bool {
        source != TokenSource::ClientCredentials || self == Self::V3
    }
}

/// A user's groups as the tokens carry them and as the event's
/// `groupConfiguration` / `groupOverrideDetails` describe them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct GroupConfiguration {
    /// Group names, by precedence (`cognito:groups`).
    pub groups: Vec<String>,
    /// The groups' IAM roles (`cognito:roles`, ID token).
    pub iam_roles: Vec<String>,
    /// The role of the highest-precedence group that has one
    /// (`cognito:preferred_role`, ID token).
    pub preferred_role: Option<String>,
}

impl GroupConfiguration {
    /// The configuration of `groups` (already ordered by precedence).
    pub(crate) fn of(groups: &[Group]) -> Self {
        Self {
            groups: groups.iter().map(|g| g.name.clone()).collect(),
            iam_roles: groups.iter().filter_map(|g| g.role_arn.clone()).collect(),
            preferred_role: groups
                .iter()
                .find(|g| g.role_arn.is_some() && g.precedence.is_some())
                .and_then(|g| g.role_arn.clone()),
        }
    }

    /// Writes the group claims (none for an empty list; roles and the
    /// preferred role only in ID tokens).
    pub(crate) fn insert_claims(&self, claims: &mut Map<String, Value>, id_token: bool) {
        if !self.groups.is_empty() {
            claims.insert("cognito:groups".into(), json!(self.groups));
        }
        if !id_token {
            return;
        }
        if !self.iam_roles.is_empty() {
            claims.insert("cognito:roles".into(), json!(self.iam_roles));
        }
        if let Some(role) = &self.preferred_role {
            claims.insert("cognito:preferred_role".into(), role.clone().into());
        }
    }

    /// The event's `groupConfiguration` object.
    fn to_event(&self) -> Value {
        json!({
            "groupsToOverride": self.groups,
            "iamRolesToOverride": self.iam_roles,
            "preferredRole": self.preferred_role,
        })
    }
}

/// Tokens about to be minted, as the trigger is told about them.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Minting<'a> {
    /// The `triggerSource`.
    pub source: TokenSource,
    /// The app client (`callerContext.clientId`, the only allowed `aud`).
    pub client_id: &'a str,
    /// The user and their groups; `None` for client credentials.
    pub user: Option<(&'a User, &'a [Group])>,
    /// The access token's scopes before customization.
    pub scopes: &'a [String],
    /// `ClientMetadata` of the request, where Cognito passes it on.
    pub client_metadata: Option<&'a BTreeMap<String, String>>,
}

/// The event's `request` object.
pub(crate) fn request(version: EventVersion, m: &Minting<'_>) -> Value {
    let mut req = Map::new();
    let (attrs, groups) = match m.user {
        Some((user, groups)) => (
            calls::user_attributes(user),
            GroupConfiguration::of(groups).to_event(),
        ),
        None => (json!({}), Value::Null),
    };
    req.insert("userAttributes".into(), attrs);
    req.insert("groupConfiguration".into(), groups);
    if version != EventVersion::V1 {
        req.insert("scopes".into(), json!(m.scopes));
    }
    if let Some(meta) = m.client_metadata {
        req.insert("clientMetadata".into(), json!(meta));
    }
    Value::Object(req)
}

/// The `response` object the event starts with.
pub(crate) fn initial_response(version: EventVersion) -> Value {
    match version {
        EventVersion::V1 => json!({ "claimsOverrideDetails": null }),
        _ => json!({ "claimsAndScopeOverrideDetails": null }),
    }
}

/// Fires `pool`'s pre token generation trigger, if it has one that fires
/// for `m.source`, and returns the changes its response asks for.
/// A response Cognito could not read fails the minting
/// ([`TriggerError::Unrecognizable`]); changes Cognito ignores are logged.
pub(crate) fn customize(
    issuer: &Issuer,
    pool: &Pool,
    m: &Minting<'_>,
) -> Result<Option<Overrides>, TriggerError> {
    // The pool at hand answers without a read for the many pools that
    // have no trigger.
    let Some((_, n)) = pool.lambda_config.as_ref().and_then(|c| c.pre_token()) else {
        return Ok(None);
    };
    let version = EventVersion::from_number(n).unwrap_or(EventVersion::V1);
    if !version.fires_for(m.source) {
        return Ok(None);
    }
    let user_name = m
        .user
        .map_or("ClientCredentials", |(u, _)| u.username.as_str());
    let inv = Invocation {
        kind: TriggerKind::PreTokenGeneration,
        source: m.source.trigger_source(),
        pool_id: &pool.id,
        user_name,
        client_id: Some(m.client_id),
        request: request(version, m),
        response: initial_response(version),
    };
    let Some(response) = issuer.fire(inv)? else {
        return Ok(None);
    };
    let mut overrides = Overrides::from_response(version, &response, m.client_id).map_err(|e| {
        tracing::warn!(pool = %pool.id, error = %e, "pre token generation response refused");
        TriggerError::Unrecognizable {
            kind: TriggerKind::PreTokenGeneration,
        }
    })?;
    if m.user.is_none() && overrides.groups != overrides::GroupOverride::Keep {
        // Machine identities have no groups.
        overrides.groups = overrides::GroupOverride::Keep;
        overrides
            .ignored
            .push("groupOverrideDetails (no user)".into());
    }
    for change in &overrides.ignored {
        tracing::warn!(
            pool = %pool.id,
            "pre token generation: {change} ignored, as Cognito ignores it"
        );
    }
    Ok(Some(overrides))
}
