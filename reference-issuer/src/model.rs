//! Domain records: user pools, app clients, users, groups and resource
//! servers, in the shapes Cognito's JSON API uses for them.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// How a pool's tokens name their issuer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum IssuerStyle {
    /// `iss = <public-url>/<poolId>`.
    #[default]
    Local,
    /// `iss = https://cognito-idp.<region>.amazonaws.com/<poolId>`, with the
    /// JWKS still served locally.
    Aws,
}

impl IssuerStyle {
    /// Parses `local` or `aws` (case-insensitive).
    pub fn parse(s: &str) -> Option<Self> {
        match s.to_ascii_lowercase().as_str() {
            "local" => Some(Self::Local),
            "aws" => Some(Self::Aws),
            _ => None,
        }
    }

    /// The canonical lowercase name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Local => "local",
            Self::Aws => "aws",
        }
    }
}

/// A pool's password policy (Cognito's `PasswordPolicyType`).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "PascalCase")]
pub struct PasswordPolicy {
    /// Minimum length (6–99).
    #[serde(default = "default_min_len")]
    pub minimum_length: u32,
    /// Require an uppercase letter.
    #[serde(default)]
    pub require_uppercase: bool,
    /// Require a lowercase letter.
    #[serde(default)]
    pub require_lowercase: bool,
    /// Require a digit.
    #[serde(default)]
    pub require_numbers: bool,
    /// Require a symbol.
    #[serde(default)]
    pub require_symbols: bool,
    /// Days an administrator-set temporary password stays usable.
    #[serde(default = "default_temp_days")]
    pub temporary_password_validity_days: u32,
}

fn default_min_len() -> u32 {
    8
}
fn default_temp_days() -> u32 {
    7
}

impl Default for PasswordPolicy {
    fn default() -> Self {
        Self {
            minimum_length: 8,
            require_uppercase: true,
            require_lowercase: true,
            require_numbers: true,
            require_symbols: true,
            temporary_password_validity_days: 7,
        }
    }
}

/// Cognito's `UserPoolPolicyType`.
#[derive(Debug, Clone, Serialize, Deserialize, Default, PartialEq)]
#[serde(rename_all = "PascalCase")]
pub struct Policies {
    /// The password policy.
    #[serde(default)]
    pub password_policy: PasswordPolicy,
}

/// Cognito's `UsernameConfigurationType`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "PascalCase")]
pub struct UsernameConfiguration {
    /// Whether usernames (and aliases) are matched case-sensitively.
    pub case_sensitive: bool,
}

/// A user pool, stored and returned in the `UserPoolType` shape. Fields the
/// issuer does not interpret are kept verbatim in `extra` so Describe echoes
/// what Create received.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Pool {
    /// Pool id, e.g. `us-east-1_AbC123xyz`.
    pub id: String,
    /// Pool name.
    pub name: String,
    /// ARN (`arn:aws:cognito-idp:<region>:000000000000:userpool/<id>`).
    pub arn: String,
    /// Creation time (epoch seconds).
    pub creation_date: f64,
    /// Last modification time (epoch seconds).
    pub last_modified_date: f64,
    /// Password policy.
    #[serde(default)]
    pub policies: Policies,
    /// Attributes usable as the username itself (`email`, `phone_number`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub username_attributes: Vec<String>,
    /// Attributes usable as sign-in aliases (`email`, `phone_number`,
    /// `preferred_username`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub alias_attributes: Vec<String>,
    /// Attributes verified by a code sent on sign-up.
    #[serde(default)]
    pub auto_verified_attributes: Vec<String>,
    /// Schema attributes (standard and `custom:*`).
    #[serde(default)]
    pub schema_attributes: Vec<Value>,
    /// MFA configuration (`OFF`, `ON`, `OPTIONAL`).
    #[serde(default = "default_mfa")]
    pub mfa_configuration: String,
    /// Username case sensitivity.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username_configuration: Option<UsernameConfiguration>,
    /// Everything else, echoed back as received.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

fn default_mfa() -> String {
    "OFF".to_string()
}

impl Pool {
    /// Whether usernames compare case-insensitively.
    pub fn case_insensitive(&self) -> bool {
        self.username_configuration
            .as_ref()
            .map(|c| !c.case_sensitive)
            .unwrap_or(false)
    }

    /// The key a username is stored and looked up under.
    pub fn username_key(&self, username: &str) -> String {
        if self.case_insensitive() {
            username.to_lowercase()
        } else {
            username.to_string()
        }
    }

    /// Names of the pool's custom attributes, with their `custom:` prefix.
    pub fn custom_attribute_names(&self) -> Vec<String> {
        self.schema_attributes
            .iter()
            .filter_map(|a| a.get("Name").and_then(Value::as_str))
            .filter(|n| n.starts_with("custom:"))
            .map(str::to_string)
            .collect()
    }

    /// Names of attributes the schema marks as required.
    pub fn required_attribute_names(&self) -> Vec<String> {
        self.schema_attributes
            .iter()
            .filter(|a| a.get("Required").and_then(Value::as_bool) == Some(true))
            .filter_map(|a| a.get("Name").and_then(Value::as_str))
            .map(str::to_string)
            .collect()
    }

    /// Attributes that identify a user at sign-in besides the username.
    pub fn sign_in_attributes(&self) -> Vec<String> {
        let mut v = self.username_attributes.clone();
        v.extend(self.alias_attributes.iter().cloned());
        v
    }
}

/// Token lifetime units of an app client (Cognito's `TokenValidityUnitsType`).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "PascalCase")]
pub struct TokenValidityUnits {
    /// Unit of `AccessTokenValidity`.
    #[serde(default = "minutes")]
    pub access_token: String,
    /// Unit of `IdTokenValidity`.
    #[serde(default = "minutes")]
    pub id_token: String,
    /// Unit of `RefreshTokenValidity`.
    #[serde(default = "days")]
    pub refresh_token: String,
}

fn minutes() -> String {
    "minutes".into()
}
fn days() -> String {
    "days".into()
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
pub struct AppClient {
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
    pub explicit_auth_flows: Vec<String>,
    /// `ENABLED` or `LEGACY`.
    pub prevent_user_existence_errors: String,
    /// Whether RevokeToken is allowed.
    pub enable_token_revocation: bool,
    /// Everything else, echoed back as received.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

fn unit_seconds(unit: &str) -> i64 {
    match unit {
        "seconds" => 1,
        "minutes" => 60,
        "hours" => 3600,
        "days" => 86400,
        _ => 60,
    }
}

impl AppClient {
    /// Access token lifetime in seconds.
    pub fn access_ttl(&self) -> i64 {
        self.access_token_validity * unit_seconds(&self.token_validity_units.access_token)
    }
    /// ID token lifetime in seconds.
    pub fn id_ttl(&self) -> i64 {
        self.id_token_validity * unit_seconds(&self.token_validity_units.id_token)
    }
    /// Refresh token lifetime in seconds.
    pub fn refresh_ttl(&self) -> i64 {
        self.refresh_token_validity * unit_seconds(&self.token_validity_units.refresh_token)
    }

    /// Whether the client allows `flow` (given as an AuthFlow name such as
    /// `USER_PASSWORD_AUTH`); legacy and `ALLOW_` spellings both count.
    pub fn allows_flow(&self, flow: &str) -> bool {
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
                .any(|f| f.starts_with("ALLOW_"))
        {
            return true;
        }
        self.explicit_auth_flows
            .iter()
            .any(|f| legacy.contains(&f.as_str()))
    }

    /// Whether user-existence errors are hidden (`ENABLED`).
    pub fn prevents_user_existence_errors(&self) -> bool {
        self.prevent_user_existence_errors == "ENABLED"
    }
}

/// Account status of a user (`UserStatusType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UserStatus {
    /// Signed up, not yet confirmed.
    Unconfirmed,
    /// Confirmed.
    Confirmed,
    /// Created by an admin with a temporary password.
    ForceChangePassword,
    /// An admin required a password reset.
    ResetRequired,
}

impl UserStatus {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Unconfirmed => "UNCONFIRMED",
            Self::Confirmed => "CONFIRMED",
            Self::ForceChangePassword => "FORCE_CHANGE_PASSWORD",
            Self::ResetRequired => "RESET_REQUIRED",
        }
    }

    /// Parses a wire name.
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "UNCONFIRMED" => Self::Unconfirmed,
            "CONFIRMED" => Self::Confirmed,
            "FORCE_CHANGE_PASSWORD" => Self::ForceChangePassword,
            "RESET_REQUIRED" => Self::ResetRequired,
            _ => return None,
        })
    }
}

/// A stored user.
#[derive(Debug, Clone)]
pub struct User {
    /// Owning pool.
    pub pool_id: String,
    /// Immutable subject id (UUID).
    pub sub: String,
    /// Username as created.
    pub username: String,
    /// Account status.
    pub status: UserStatus,
    /// Whether the account is enabled.
    pub enabled: bool,
    /// argon2id PHC string, if a password is set.
    pub password_hash: Option<String>,
    /// When the current password was set (epoch seconds).
    pub password_set_at: i64,
    /// Attributes, including `sub`, as strings (Cognito's model).
    pub attributes: BTreeMap<String, String>,
    /// Creation time.
    pub created_at: f64,
    /// Last modification time.
    pub modified_at: f64,
}

impl User {
    /// An attribute value.
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attributes.get(name).map(String::as_str)
    }

    /// Whether `email_verified` / `phone_number_verified` is "true" for `attr`.
    pub fn is_verified(&self, attr: &str) -> bool {
        self.attr(&format!("{attr}_verified")) == Some("true")
    }
}

/// A group.
#[derive(Debug, Clone)]
pub struct Group {
    /// Pool id.
    pub pool_id: String,
    /// Group name.
    pub name: String,
    /// Description.
    pub description: Option<String>,
    /// IAM role ARN.
    pub role_arn: Option<String>,
    /// Precedence (lower wins).
    pub precedence: Option<i64>,
    /// Creation time.
    pub created_at: f64,
    /// Last modification time.
    pub modified_at: f64,
}

impl Group {
    /// The `GroupType` JSON shape.
    pub fn to_json(&self) -> Value {
        let mut m = Map::new();
        m.insert("GroupName".into(), self.name.clone().into());
        m.insert("UserPoolId".into(), self.pool_id.clone().into());
        if let Some(d) = &self.description {
            m.insert("Description".into(), d.clone().into());
        }
        if let Some(r) = &self.role_arn {
            m.insert("RoleArn".into(), r.clone().into());
        }
        if let Some(p) = self.precedence {
            m.insert("Precedence".into(), p.into());
        }
        m.insert("CreationDate".into(), self.created_at.into());
        m.insert("LastModifiedDate".into(), self.modified_at.into());
        Value::Object(m)
    }
}

/// A resource server (for custom OAuth scopes).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ResourceServer {
    /// Pool id.
    pub user_pool_id: String,
    /// Identifier, e.g. `https://api.example.com`.
    pub identifier: String,
    /// Name.
    pub name: String,
    /// Scopes: `[{ScopeName, ScopeDescription}]`.
    #[serde(default)]
    pub scopes: Vec<Value>,
}
