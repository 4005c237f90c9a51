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
//! domain = "dev-app"                # recorded like CreateUserPoolDomain
//! ui_customization = { css_file = "brand.css", logo_file = "logo.png" }
//!
//! [[pools.clients]]
//! name = "web"
//! explicit_auth_flows = ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
//! allowed_oauth_flows = ["code"]
//! allowed_oauth_scopes = ["openid", "email", "profile"]
//! callback_urls = ["http://localhost:3000/callback"]
//! logout_urls = ["http://localhost:3000/"]
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
//!
//! # Management operations (Admin*, ListUsers, ...) then need SigV4
//! # signatures by one of these keys.
//! [[access_keys]]
//! access_key_id = "AKIDLOCALADMIN"
//! secret_access_key = "local-admin-secret"
//!
//! # Browser origins allowed by CORS (default: any origin). The command
//! # line's --cors-origin list wins when given.
//! cors_origins = ["http://localhost:3000"]
//!
//! # Lambda triggers: the pool names functions, the issuer maps each
//! # function ARN to what runs it locally.
//! [pools.lambda_config]
//! pre_sign_up = "arn:aws:lambda:us-east-1:000000000000:function:pre-sign-up"
//!
//! [triggers."arn:aws:lambda:us-east-1:000000000000:function:pre-sign-up"]
//! command = ["node", "lambdas/pre-sign-up/index.mjs"]
//! ```

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::error::IssuerError;

mod apply;

pub(crate) use apply::apply;

/// A whole configuration file.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct IssuerConfig {
    /// Pools, in order; the first is the default pool.
    #[serde(default)]
    pub pools: Vec<PoolConfig>,
    /// Access keys that sign management (IAM-authorized) operations.
    #[serde(default)]
    pub access_keys: Vec<AccessKey>,
    /// Browser origins CORS answers (`http(s)://host[:port]`, or `*`);
    /// empty: [`IssuerOptions::cors_origins`](crate::IssuerOptions) decides.
    #[serde(default)]
    pub cors_origins: Vec<String>,
    /// The handler of each Lambda function ARN a pool's `lambda_config`
    /// (or `LambdaConfig` set through the API) names.
    #[serde(default)]
    pub triggers: BTreeMap<String, TriggerHandlerConfig>,
}

/// What runs a Lambda function locally: exactly one of `url` or `command`.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct TriggerHandlerConfig {
    /// `http://host:port/path`: the event JSON is POSTed there and the
    /// answer's JSON body is the function's return value.
    pub url: Option<String>,
    /// The team's real handler module run through the shim the issuer
    /// ships: `["node", "path/index.mjs"]` (export `handler`, or a third
    /// element naming it) or `["python3", "path/module.py"]` (function
    /// `lambda_handler`, or a third element naming it). The module path is
    /// relative to the configuration file.
    pub command: Option<Vec<String>>,
    /// Extra environment variables of the command's process.
    #[serde(default)]
    pub env: BTreeMap<String, String>,
}

/// A pool's `LambdaConfig` in the configuration file: snake_case names
/// (AWS's PascalCase names are accepted too).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LambdaConfigToml {
    /// `PreSignUp`.
    #[serde(alias = "PreSignUp")]
    pub pre_sign_up: Option<String>,
    /// `CustomMessage`.
    #[serde(alias = "CustomMessage")]
    pub custom_message: Option<String>,
    /// `PostConfirmation`.
    #[serde(alias = "PostConfirmation")]
    pub post_confirmation: Option<String>,
    /// `PreAuthentication`.
    #[serde(alias = "PreAuthentication")]
    pub pre_authentication: Option<String>,
    /// `PostAuthentication`.
    #[serde(alias = "PostAuthentication")]
    pub post_authentication: Option<String>,
    /// `DefineAuthChallenge`.
    #[serde(alias = "DefineAuthChallenge")]
    pub define_auth_challenge: Option<String>,
    /// `CreateAuthChallenge`.
    #[serde(alias = "CreateAuthChallenge")]
    pub create_auth_challenge: Option<String>,
    /// `VerifyAuthChallengeResponse`.
    #[serde(alias = "VerifyAuthChallengeResponse")]
    pub verify_auth_challenge_response: Option<String>,
    /// `PreTokenGeneration` (version 1).
    #[serde(alias = "PreTokenGeneration")]
    pub pre_token_generation: Option<String>,
    /// `PreTokenGenerationConfig`.
    #[serde(alias = "PreTokenGenerationConfig")]
    pub pre_token_generation_config: Option<VersionedLambdaToml>,
    /// `UserMigration`.
    #[serde(alias = "UserMigration")]
    pub user_migration: Option<String>,
    /// `CustomSMSSender` (stored and described only).
    #[serde(alias = "CustomSMSSender")]
    pub custom_sms_sender: Option<VersionedLambdaToml>,
    /// `CustomEmailSender` (stored and described only).
    #[serde(alias = "CustomEmailSender")]
    pub custom_email_sender: Option<VersionedLambdaToml>,
    /// `KMSKeyID` (stored and described only).
    #[serde(alias = "KMSKeyID")]
    pub kms_key_id: Option<String>,
}

/// A function with its event version (`PreTokenGenerationConfig`,
/// `CustomSMSSender`, `CustomEmailSender`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VersionedLambdaToml {
    /// `LambdaVersion`: `V1_0`, `V2_0` or `V3_0` for pre token generation.
    #[serde(alias = "LambdaVersion")]
    pub lambda_version: String,
    /// `LambdaArn`.
    #[serde(alias = "LambdaArn")]
    pub lambda_arn: String,
}

/// An access key for SigV4-signed management operations. `Debug` never
/// shows the secret.
#[derive(Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct AccessKey {
    /// The access key id (`Credential=<id>/...`).
    pub access_key_id: String,
    /// The secret access key.
    pub secret_access_key: String,
}

impl std::fmt::Debug for AccessKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AccessKey")
            .field("access_key_id", &self.access_key_id)
            .field("secret_access_key", &"<redacted>")
            .finish()
    }
}

impl std::str::FromStr for AccessKey {
    type Err = IssuerError;

    /// `ACCESS_KEY_ID:SECRET_ACCESS_KEY` (the command line's form).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (id, secret) = s.split_once(':').ok_or_else(|| {
            IssuerError::Config("an access key must be given as ACCESS_KEY_ID:SECRET".into())
        })?;
        let key = Self {
            access_key_id: id.trim().to_string(),
            secret_access_key: secret.trim().to_string(),
        };
        key.validate()?;
        Ok(key)
    }
}

impl AccessKey {
    /// Refuses ids that cannot appear in a SigV4 credential and empty secrets.
    pub fn validate(&self) -> Result<(), IssuerError> {
        let id_ok = !self.access_key_id.is_empty()
            && self
                .access_key_id
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
        if !id_ok {
            return Err(IssuerError::Config(format!(
                "invalid access key id {:?}: use letters, digits, '_' or '-'",
                self.access_key_id
            )));
        }
        if self.secret_access_key.is_empty() {
            return Err(IssuerError::Config(format!(
                "access key {} has an empty secret",
                self.access_key_id
            )));
        }
        Ok(())
    }
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
    /// `Policies.SignInPolicy.AllowedFirstAuthFactors` of choice-based
    /// sign-in (`USER_AUTH`): `PASSWORD` (always required), `EMAIL_OTP`,
    /// `SMS_OTP`, `WEB_AUTHN`. Default `["PASSWORD"]`.
    pub allowed_first_auth_factors: Option<Vec<String>>,
    /// Remembered devices (`DeviceConfiguration`); absent: devices are not
    /// tracked.
    pub device_configuration: Option<DeviceConfigurationConfig>,
    /// Optional cap on authentication requests per second
    /// (`TooManyRequestsException` above it). 0 or absent: unlimited.
    pub auth_rate_limit: Option<u32>,
    /// The pool's domain prefix (CreateUserPoolDomain; recorded and
    /// described only: the hosted UI is served on the issuer's own URL).
    /// Required by `ui_customization`, as in AWS.
    pub domain: Option<String>,
    /// The hosted UI look of every client without its own (SetUICustomization
    /// with `ClientId` `ALL`).
    pub ui_customization: Option<UiCustomizationConfig>,
    /// The triggers' functions (`LambdaConfig`); map each ARN to a handler
    /// under `[triggers]`.
    pub lambda_config: Option<LambdaConfigToml>,
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

/// A pool's `DeviceConfiguration` in the configuration file.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeviceConfigurationConfig {
    /// `ChallengeRequiredOnNewDevice`: a remembered device replaces MFA.
    pub challenge_required_on_new_device: Option<bool>,
    /// `DeviceOnlyRememberedOnUserPrompt`: ConfirmDevice leaves the device
    /// not remembered until UpdateDeviceStatus.
    pub device_only_remembered_on_user_prompt: Option<bool>,
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
    /// Allowed flows (default: password, SRP, refresh, admin password,
    /// choice-based `ALLOW_USER_AUTH`).
    pub explicit_auth_flows: Option<Vec<String>>,
    /// Access token lifetime in minutes (default 60).
    pub access_token_validity_minutes: Option<i64>,
    /// ID token lifetime in minutes (default 60).
    pub id_token_validity_minutes: Option<i64>,
    /// Refresh token lifetime in days (default 30).
    pub refresh_token_validity_days: Option<i64>,
    /// Hide user existence (default true).
    pub prevent_user_existence_errors: Option<bool>,
    /// Refresh token rotation (default false): refreshes return a new
    /// refresh token and retire the old one.
    #[serde(default)]
    pub refresh_token_rotation: bool,
    /// How long (0..=60 s, default 0) a rotated-out refresh token keeps
    /// working, for client retries.
    pub refresh_token_grace_seconds: Option<i64>,
    /// Allowed OAuth scopes.
    #[serde(default)]
    pub allowed_oauth_scopes: Vec<String>,
    /// Allowed OAuth flows.
    #[serde(default)]
    pub allowed_oauth_flows: Vec<crate::model::OAuthFlow>,
    /// Callback URLs: where the hosted UI may send codes or tokens
    /// (`https`, or `http` for a loopback host).
    #[serde(default)]
    pub callback_urls: Vec<String>,
    /// Sign-out URLs (`/logout?logout_uri=`).
    #[serde(default)]
    pub logout_urls: Vec<String>,
    /// `DefaultRedirectURI` (one of `callback_urls`).
    pub default_redirect_uri: Option<String>,
    /// `SupportedIdentityProviders` (only `COGNITO` here).
    pub supported_identity_providers: Option<Vec<String>>,
    /// `AllowedOAuthFlowsUserPoolClient`; absent: true when
    /// `allowed_oauth_scopes` is not empty.
    pub allowed_oauth_flows_user_pool_client: Option<bool>,
    /// This client's own hosted UI look (replaces the pool's).
    pub ui_customization: Option<UiCustomizationConfig>,
}

/// A hosted UI customization (SetUICustomization) in the configuration
/// file: CSS inline or from a file, and a PNG or JPEG logo. Relative paths
/// are relative to the configuration file (to the working directory for a
/// configuration given as text).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UiCustomizationConfig {
    /// The CSS, inline.
    pub css: Option<String>,
    /// A file holding the CSS (instead of `css`).
    pub css_file: Option<PathBuf>,
    /// A PNG or JPEG logo file (at most 100 KB).
    pub logo_file: Option<PathBuf>,
}

impl UiCustomizationConfig {
    fn resolve(&mut self, base: &Path) {
        for p in [&mut self.css_file, &mut self.logo_file]
            .into_iter()
            .flatten()
        {
            if p.is_relative() {
                *p = base.join(&*p);
            }
        }
    }
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
        let mut cfg = Self::from_toml_str(&text)?;
        let base = path.parent().unwrap_or(Path::new("."));
        for handler in cfg.triggers.values_mut() {
            if let Some(module) = handler.command.as_mut().and_then(|c| c.get_mut(1))
                && Path::new(module.as_str()).is_relative()
            {
                *module = base.join(module.as_str()).display().to_string();
            }
        }
        for pool in &mut cfg.pools {
            let clients = pool.clients.iter_mut().map(|c| &mut c.ui_customization);
            for ui in std::iter::once(&mut pool.ui_customization)
                .chain(clients)
                .flatten()
            {
                ui.resolve(base);
            }
        }
        Ok(cfg)
    }
}

#[cfg(test)]
mod access_key_tests {
    use super::*;

    #[test]
    fn access_keys_parse_from_the_command_line_and_the_file() {
        let k: AccessKey = "AKID_1:se/cr+et".parse().unwrap();
        assert_eq!(k.access_key_id, "AKID_1");
        assert_eq!(k.secret_access_key, "se/cr+et");
        assert!(!format!("{k:?}").contains("se/cr+et"));
        for bad in [
            "nosecret",
            ":secret",
            "AKID:",
            "AK/ID:secret",
            "AK ID:secret",
        ] {
            assert!(bad.parse::<AccessKey>().is_err(), "{bad}");
        }
        let cfg = IssuerConfig::from_toml_str(
            "[[access_keys]]\naccess_key_id = \"A\"\nsecret_access_key = \"s\"\n",
        )
        .unwrap();
        assert_eq!(cfg.access_keys.len(), 1);
    }
}

#[cfg(test)]
mod trigger_tests {
    use super::*;

    #[test]
    fn lambda_config_and_trigger_handlers_parse_and_resolve() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("issuer.toml");
        std::fs::write(
            &path,
            r#"
[[pools]]
name = "p"
[pools.lambda_config]
pre_sign_up = "arn:aws:lambda:us-east-1:000000000000:function:a"
PostConfirmation = "arn:aws:lambda:us-east-1:000000000000:function:b"
pre_token_generation_config = { lambda_version = "V2_0", lambda_arn = "arn:aws:lambda:us-east-1:000000000000:function:c" }

[triggers."arn:aws:lambda:us-east-1:000000000000:function:a"]
command = ["node", "lambdas/a/index.mjs"]
env = { STAGE = "dev" }

[triggers."arn:aws:lambda:us-east-1:000000000000:function:b"]
url = "http://127.0.0.1:9000/b"
"#,
        )
        .unwrap();
        let cfg = IssuerConfig::from_file(&path).unwrap();
        let lc = cfg.pools[0].lambda_config.as_ref().unwrap();
        assert!(lc.post_confirmation.as_deref().unwrap().ends_with(":b"));
        assert_eq!(
            lc.pre_token_generation_config
                .as_ref()
                .unwrap()
                .lambda_version,
            "V2_0"
        );
        let a = &cfg.triggers["arn:aws:lambda:us-east-1:000000000000:function:a"];
        let module = a.command.as_ref().unwrap()[1].clone();
        assert_eq!(
            Path::new(&module),
            dir.path().join("lambdas/a/index.mjs").as_path()
        );
        assert_eq!(a.env["STAGE"], "dev");
        assert!(IssuerConfig::from_toml_str("[triggers.x]\nfoo = 1\n").is_err());
    }
}
