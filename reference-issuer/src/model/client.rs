//! App clients: the `UserPoolClientType` record, its token lifetimes, auth
//! flows and OAuth settings.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// Defines an enum of wire names that (de)serializes as its wire string.
/// A value outside the enum is kept as `Unknown` so validation can name it
/// in its error message (and so decoding errors stay those of a string);
/// validated records never hold `Unknown`.
macro_rules! wire_enum {
    ($(#[$m:meta])* $name:ident { $($(#[$vm:meta])* $variant:ident => $wire:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
        #[serde(from = "String", into = "String")]
        pub(crate) enum $name {
            $($(#[$vm])* $variant,)+
            /// A value outside the enum (refused by validation, never stored).
            Unknown(String),
        }

        impl $name {
            /// The wire name.
            pub(crate) fn as_str(&self) -> &str {
                match self {
                    $(Self::$variant => $wire,)+
                    Self::Unknown(s) => s,
                }
            }
        }

        impl From<String> for $name {
            fn from(s: String) -> Self {
                match s.as_str() {
                    $($wire => Self::$variant,)+
                    _ => Self::Unknown(s),
                }
            }
        }

        impl From<$name> for String {
            fn from(v: $name) -> String {
                match v {
                    $name::Unknown(s) => s,
                    known => known.as_str().to_string(),
                }
            }
        }
    };
}

wire_enum! {
    /// A token lifetime unit (`TimeUnitsType`).
    TimeUnit {
        /// `seconds`.
        Seconds => "seconds",
        /// `minutes`.
        Minutes => "minutes",
        /// `hours`.
        Hours => "hours",
        /// `days`.
        Days => "days",
    }
}

impl TimeUnit {
    /// Seconds per unit (`None` for an unknown unit).
    pub(crate) fn seconds(&self) -> Option<i64> {
        match self {
            Self::Seconds => Some(1),
            Self::Minutes => Some(60),
            Self::Hours => Some(3600),
            Self::Days => Some(86400),
            Self::Unknown(_) => None,
        }
    }
}

wire_enum! {
    /// An entry of `ExplicitAuthFlows` (`ExplicitAuthFlowsType`).
    ExplicitAuthFlow {
        /// `ALLOW_ADMIN_USER_PASSWORD_AUTH`.
        AllowAdminUserPasswordAuth => "ALLOW_ADMIN_USER_PASSWORD_AUTH",
        /// `ALLOW_CUSTOM_AUTH`.
        AllowCustomAuth => "ALLOW_CUSTOM_AUTH",
        /// `ALLOW_USER_PASSWORD_AUTH`.
        AllowUserPasswordAuth => "ALLOW_USER_PASSWORD_AUTH",
        /// `ALLOW_USER_SRP_AUTH`.
        AllowUserSrpAuth => "ALLOW_USER_SRP_AUTH",
        /// `ALLOW_REFRESH_TOKEN_AUTH`.
        AllowRefreshTokenAuth => "ALLOW_REFRESH_TOKEN_AUTH",
        /// `ALLOW_USER_AUTH`.
        AllowUserAuth => "ALLOW_USER_AUTH",
        /// Legacy `ADMIN_NO_SRP_AUTH`.
        AdminNoSrpAuth => "ADMIN_NO_SRP_AUTH",
        /// Legacy `CUSTOM_AUTH_FLOW_ONLY`.
        CustomAuthFlowOnly => "CUSTOM_AUTH_FLOW_ONLY",
        /// Legacy `USER_PASSWORD_AUTH`.
        UserPasswordAuth => "USER_PASSWORD_AUTH",
    }
}

impl ExplicitAuthFlow {
    /// Whether this is a legacy (non-`ALLOW_*`) value.
    pub(crate) fn is_legacy(&self) -> bool {
        matches!(
            self,
            Self::AdminNoSrpAuth | Self::CustomAuthFlowOnly | Self::UserPasswordAuth
        )
    }
}

wire_enum! {
    /// `PreventUserExistenceErrors` (`PreventUserExistenceErrorTypes`).
    PreventUserExistenceErrors {
        /// User-existence errors are hidden.
        Enabled => "ENABLED",
        /// User-existence errors are reported.
        Legacy => "LEGACY",
    }
}

wire_enum! {
    /// `RefreshTokenRotation.Feature` (`FeatureType`).
    RotationFeature {
        /// Refreshes return a new refresh token and retire the old one.
        Enabled => "ENABLED",
        /// Refreshes return ID and access tokens only.
        Disabled => "DISABLED",
    }
}

/// An app client's refresh token rotation (`RefreshTokenRotationType`).
/// Cognito describes every client with one, `DISABLED` with no grace
/// period by default.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct RefreshTokenRotation {
    /// `ENABLED` or `DISABLED`.
    pub feature: RotationFeature,
    /// How long (0..=60 s) a rotated-out token keeps working, for retries.
    #[serde(default)]
    pub retry_grace_period_seconds: i64,
}

impl Default for RefreshTokenRotation {
    fn default() -> Self {
        Self {
            feature: RotationFeature::Disabled,
            retry_grace_period_seconds: 0,
        }
    }
}

/// Token lifetime units of an app client (Cognito's `TokenValidityUnitsType`).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct TokenValidityUnits {
    /// Unit of `AccessTokenValidity`.
    #[serde(default = "minutes")]
    pub access_token: TimeUnit,
    /// Unit of `IdTokenValidity`.
    #[serde(default = "minutes")]
    pub id_token: TimeUnit,
    /// Unit of `RefreshTokenValidity`.
    #[serde(default = "days")]
    pub refresh_token: TimeUnit,
}

fn minutes() -> TimeUnit {
    TimeUnit::Minutes
}

fn days() -> TimeUnit {
    TimeUnit::Days
}

impl Default for TokenValidityUnits {
    fn default() -> Self {
        Self {
            access_token: minutes(),
            id_token: minutes(),
            refresh_token: days(),
        }
    }
}

/// An app client, stored and returned in the `UserPoolClientType` shape.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct AppClient {
    /// The owning pool.
    pub user_pool_id: String,
    /// Client name.
    pub client_name: String,
    /// Client id.
    pub client_id: String,
    /// Client secret, when the client has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_secret: Option<String>,
    /// Creation time.
    pub creation_date: f64,
    /// Last modification time.
    pub last_modified_date: f64,
    /// Refresh token lifetime, in `TokenValidityUnits.RefreshToken`.
    pub refresh_token_validity: i64,
    /// Access token lifetime, in `TokenValidityUnits.AccessToken`.
    pub access_token_validity: i64,
    /// ID token lifetime, in `TokenValidityUnits.IdToken`.
    pub id_token_validity: i64,
    /// Units of the three lifetimes.
    pub token_validity_units: TokenValidityUnits,
    /// Allowed auth flows (`ALLOW_USER_PASSWORD_AUTH`, ...).
    pub explicit_auth_flows: Vec<ExplicitAuthFlow>,
    /// `ENABLED` or `LEGACY`.
    pub prevent_user_existence_errors: PreventUserExistenceErrors,
    /// Whether RevokeToken is allowed.
    pub enable_token_revocation: bool,
    /// Refresh token rotation (absent in documents stored before it
    /// existed: disabled).
    #[serde(default)]
    pub refresh_token_rotation: RefreshTokenRotation,
    /// `AllowedOAuthFlowsUserPoolClient`: the OAuth flows are enabled.
    #[serde(
        rename = "AllowedOAuthFlowsUserPoolClient",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub allowed_oauth_flows_user_pool_client: Option<bool>,
    /// `AllowedOAuthFlows`.
    #[serde(
        rename = "AllowedOAuthFlows",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub allowed_oauth_flows: Option<Vec<OAuthFlow>>,
    /// `AllowedOAuthScopes` (standard scopes and `<resource-server>/<scope>`).
    #[serde(
        rename = "AllowedOAuthScopes",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub allowed_oauth_scopes: Option<Vec<String>>,
    /// `CallbackURLs`: the redirect URIs the hosted UI may send codes to.
    #[serde(
        rename = "CallbackURLs",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub callback_urls: Option<Vec<String>>,
    /// `LogoutURLs`: where `/logout` may redirect.
    #[serde(
        rename = "LogoutURLs",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub logout_urls: Option<Vec<String>>,
    /// `DefaultRedirectURI`.
    #[serde(
        rename = "DefaultRedirectURI",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub default_redirect_uri: Option<String>,
    /// `SupportedIdentityProviders` (`COGNITO` and federated providers).
    #[serde(
        rename = "SupportedIdentityProviders",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub supported_identity_providers: Option<Vec<String>>,
    /// Everything else, echoed back as received.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

fn unit_seconds(unit: &TimeUnit) -> i64 {
    unit.seconds().unwrap_or(60)
}

impl AppClient {
    /// Access token lifetime in seconds.
    pub(crate) fn access_ttl(&self) -> i64 {
        self.access_token_validity * unit_seconds(&self.token_validity_units.access_token)
    }
    /// ID token lifetime in seconds.
    pub(crate) fn id_ttl(&self) -> i64 {
        self.id_token_validity * unit_seconds(&self.token_validity_units.id_token)
    }
    /// Refresh token lifetime in seconds.
    pub(crate) fn refresh_ttl(&self) -> i64 {
        self.refresh_token_validity * unit_seconds(&self.token_validity_units.refresh_token)
    }

    /// Whether the client allows `flow` (given as an AuthFlow name such as
    /// `USER_PASSWORD_AUTH`); legacy and `ALLOW_` spellings both count.
    pub(crate) fn allows_flow(&self, flow: &str) -> bool {
        let legacy = match flow {
            "ADMIN_USER_PASSWORD_AUTH" | "ADMIN_NO_SRP_AUTH" => {
                &["ADMIN_NO_SRP_AUTH", "ALLOW_ADMIN_USER_PASSWORD_AUTH"][..]
            }
            "USER_PASSWORD_AUTH" => &["USER_PASSWORD_AUTH", "ALLOW_USER_PASSWORD_AUTH"][..],
            "USER_SRP_AUTH" => &["ALLOW_USER_SRP_AUTH"][..],
            "REFRESH_TOKEN_AUTH" | "REFRESH_TOKEN" => &["ALLOW_REFRESH_TOKEN_AUTH"][..],
            "CUSTOM_AUTH" => &["ALLOW_CUSTOM_AUTH", "CUSTOM_AUTH_FLOW_ONLY"][..],
            _ => &[][..],
        };
        // Cognito always allows refresh when any ALLOW_ flow is configured
        // with ALLOW_REFRESH_TOKEN_AUTH; legacy-only clients allow refresh.
        if matches!(flow, "REFRESH_TOKEN_AUTH" | "REFRESH_TOKEN")
            && !self
                .explicit_auth_flows
                .iter()
                .any(|f| f.as_str().starts_with("ALLOW_"))
        {
            return true;
        }
        self.explicit_auth_flows
            .iter()
            .any(|f| legacy.contains(&f.as_str()))
    }

    /// Whether refreshes rotate the refresh token.
    pub(crate) fn rotates_refresh_tokens(&self) -> bool {
        self.refresh_token_rotation.feature == RotationFeature::Enabled
    }

    /// Whether user-existence errors are hidden (`ENABLED`).
    pub(crate) fn prevents_user_existence_errors(&self) -> bool {
        self.prevent_user_existence_errors == PreventUserExistenceErrors::Enabled
    }

    /// Whether the client may use the OAuth `flow` (the OAuth flows are
    /// enabled and `flow` is among them).
    pub(crate) fn allows_oauth_flow(&self, flow: OAuthFlow) -> bool {
        self.allowed_oauth_flows_user_pool_client == Some(true)
            && self
                .allowed_oauth_flows
                .as_deref()
                .is_some_and(|f| f.contains(&flow))
    }

    /// The client's allowed OAuth scopes.
    pub(crate) fn oauth_scopes(&self) -> &[String] {
        self.allowed_oauth_scopes.as_deref().unwrap_or_default()
    }
}

/// An OAuth 2.0 flow of `AllowedOAuthFlows`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum OAuthFlow {
    /// Authorization code grant.
    #[serde(rename = "code")]
    Code,
    /// Implicit grant.
    #[serde(rename = "implicit")]
    Implicit,
    /// Client credentials grant (machine to machine).
    #[serde(rename = "client_credentials")]
    ClientCredentials,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_enums_keep_their_wire_strings() {
        let flows: Vec<ExplicitAuthFlow> =
            serde_json::from_str(r#"["ALLOW_USER_SRP_AUTH","USER_PASSWORD_AUTH","BOGUS"]"#)
                .unwrap();
        assert_eq!(
            flows,
            [
                ExplicitAuthFlow::AllowUserSrpAuth,
                ExplicitAuthFlow::UserPasswordAuth,
                ExplicitAuthFlow::Unknown("BOGUS".into())
            ]
        );
        assert_eq!(
            serde_json::to_string(&flows).unwrap(),
            r#"["ALLOW_USER_SRP_AUTH","USER_PASSWORD_AUTH","BOGUS"]"#
        );
        let units: TokenValidityUnits = serde_json::from_str(r#"{"IdToken":"hours"}"#).unwrap();
        assert_eq!(
            serde_json::to_string(&units).unwrap(),
            r#"{"AccessToken":"minutes","IdToken":"hours","RefreshToken":"days"}"#
        );
        let e = serde_json::from_str::<Vec<ExplicitAuthFlow>>("[5]").unwrap_err();
        assert_eq!(
            e.to_string(),
            serde_json::from_str::<Vec<String>>("[5]")
                .unwrap_err()
                .to_string()
        );
        assert_eq!(
            serde_json::from_str::<PreventUserExistenceErrors>(r#""ENABLED""#).unwrap(),
            PreventUserExistenceErrors::Enabled
        );
    }
}
