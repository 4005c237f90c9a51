//! User pools: the `UserPoolType` record, its password policy, username
//! configuration and MFA configuration.

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
pub(crate) struct PasswordPolicy {
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
pub(crate) struct Policies {
    /// The password policy.
    #[serde(default)]
    pub password_policy: PasswordPolicy,
    /// The first factors choice-based sign-in (`USER_AUTH`) offers.
    #[serde(default)]
    pub sign_in_policy: SignInPolicy,
}

/// Cognito's `SignInPolicyType`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct SignInPolicy {
    /// `AllowedFirstAuthFactors` (default `[PASSWORD]`).
    #[serde(default = "password_only")]
    pub allowed_first_auth_factors: Vec<AuthFactor>,
}

fn password_only() -> Vec<AuthFactor> {
    vec![AuthFactor::Password]
}

impl Default for SignInPolicy {
    fn default() -> Self {
        Self {
            allowed_first_auth_factors: password_only(),
        }
    }
}

/// An entry of `AllowedFirstAuthFactors` (`AuthFactorType`). A value
/// outside the enum is kept as `Unknown` so validation can name it;
/// validated pools never hold it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "String", into = "String")]
pub(crate) enum AuthFactor {
    /// `PASSWORD` (choice-based `PASSWORD` and `PASSWORD_SRP`).
    Password,
    /// `EMAIL_OTP`: a one-time code by email.
    EmailOtp,
    /// `SMS_OTP`: a one-time code by SMS.
    SmsOtp,
    /// `WEB_AUTHN`: passkeys (accepted and echoed; no user has one here).
    WebAuthn,
    /// `SOFTWARE_TOKEN`: in the enum, refused as a first factor.
    SoftwareToken,
    /// A value outside the enum (refused by validation, never stored).
    Unknown(String),
}

impl AuthFactor {
    /// The wire name.
    pub(crate) fn as_str(&self) -> &str {
        match self {
            Self::Password => "PASSWORD",
            Self::EmailOtp => "EMAIL_OTP",
            Self::SmsOtp => "SMS_OTP",
            Self::WebAuthn => "WEB_AUTHN",
            Self::SoftwareToken => "SOFTWARE_TOKEN",
            Self::Unknown(s) => s,
        }
    }

    /// Whether this is a one-time-password factor (`EMAIL_OTP`, `SMS_OTP`).
    pub(crate) fn is_otp(&self) -> bool {
        matches!(self, Self::EmailOtp | Self::SmsOtp)
    }
}

impl From<String> for AuthFactor {
    fn from(s: String) -> Self {
        match s.as_str() {
            "PASSWORD" => Self::Password,
            "EMAIL_OTP" => Self::EmailOtp,
            "SMS_OTP" => Self::SmsOtp,
            "WEB_AUTHN" => Self::WebAuthn,
            "SOFTWARE_TOKEN" => Self::SoftwareToken,
            _ => Self::Unknown(s),
        }
    }
}

impl From<AuthFactor> for String {
    fn from(f: AuthFactor) -> String {
        match f {
            AuthFactor::Unknown(s) => s,
            known => known.as_str().to_string(),
        }
    }
}

/// Cognito's `UsernameConfigurationType`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct UsernameConfiguration {
    /// Whether usernames (and aliases) are matched case-sensitively.
    pub case_sensitive: bool,
}

/// One schema attribute (`SchemaAttributeType`): the issuer interprets
/// `Name` and `Required`; the rest is echoed. It (de)serializes through one
/// JSON object so the stored and returned form is exactly the object
/// received (a non-boolean `Required` stays an echoed field).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "Map<String, Value>", into = "Map<String, Value>")]
pub(crate) struct SchemaAttribute {
    /// Attribute name (`email`, `custom:tenant`, ...).
    pub name: String,
    /// Whether sign-up must supply the attribute.
    pub required: Option<bool>,
    /// Everything else (`AttributeDataType`, `Mutable`, constraints, ...).
    pub extra: Map<String, Value>,
}

impl TryFrom<Map<String, Value>> for SchemaAttribute {
    type Error = String;

    fn try_from(mut extra: Map<String, Value>) -> Result<Self, String> {
        let name = match extra.remove("Name") {
            Some(Value::String(n)) => n,
            other => {
                if let Some(v) = other {
                    extra.insert("Name".into(), v);
                }
                return Err("Schema attribute without Name".into());
            }
        };
        let required = match extra.remove("Required") {
            Some(Value::Bool(b)) => Some(b),
            Some(other) => {
                extra.insert("Required".into(), other);
                None
            }
            None => None,
        };
        Ok(Self {
            name,
            required,
            extra,
        })
    }
}

impl From<SchemaAttribute> for Map<String, Value> {
    fn from(a: SchemaAttribute) -> Self {
        let mut m = a.extra;
        m.insert("Name".into(), Value::String(a.name));
        if let Some(r) = a.required {
            m.insert("Required".into(), Value::Bool(r));
        }
        m
    }
}

/// A user pool, stored and returned in the `UserPoolType` shape. Fields the
/// issuer does not interpret are kept verbatim in `extra` so Describe echoes
/// what Create received.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct Pool {
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
    pub schema_attributes: Vec<SchemaAttribute>,
    /// MFA configuration (`OFF`, `ON`, `OPTIONAL`).
    #[serde(default)]
    pub mfa_configuration: MfaConfiguration,
    /// `SoftwareTokenMfaConfiguration` (TOTP enabled for the pool).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub software_token_mfa_configuration: Option<SoftwareTokenMfaConfig>,
    /// `SmsMfaConfiguration`: SMS MFA is possible when present.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sms_mfa_configuration: Option<Map<String, Value>>,
    /// `EmailMfaConfiguration`: email MFA is possible when present.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email_mfa_configuration: Option<Map<String, Value>>,
    /// Username case sensitivity.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username_configuration: Option<UsernameConfiguration>,
    /// `DeviceConfiguration`: remembered devices (absent: devices are not
    /// tracked).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_configuration: Option<DeviceConfiguration>,
    /// `LambdaConfig`: the triggers' functions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lambda_config: Option<super::LambdaConfig>,
    /// Everything else, echoed back as received.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Pool {
    /// Whether usernames compare case-insensitively.
    pub(crate) fn case_insensitive(&self) -> bool {
        self.username_configuration
            .as_ref()
            .map(|c| !c.case_sensitive)
            .unwrap_or(false)
    }

    /// The key a username is stored and looked up under.
    pub(crate) fn username_key(&self, username: &str) -> String {
        if self.case_insensitive() {
            username.to_lowercase()
        } else {
            username.to_string()
        }
    }

    /// Names of the pool's custom attributes, with their `custom:` prefix.
    pub(crate) fn custom_attribute_names(&self) -> Vec<String> {
        self.schema_attributes
            .iter()
            .map(|a| a.name.as_str())
            .filter(|n| n.starts_with("custom:"))
            .map(str::to_string)
            .collect()
    }

    /// Names of attributes the schema marks as required.
    pub(crate) fn required_attribute_names(&self) -> Vec<String> {
        self.schema_attributes
            .iter()
            .filter(|a| a.required == Some(true))
            .map(|a| a.name.clone())
            .collect()
    }

    /// Attributes that identify a user at sign-in besides the username.
    pub(crate) fn sign_in_attributes(&self) -> Vec<String> {
        let mut v = self.username_attributes.clone();
        v.extend(self.alias_attributes.iter().cloned());
        v
    }

    /// Whether choice-based sign-in may start with `factor`.
    pub(crate) fn allows_first_factor(&self, factor: &AuthFactor) -> bool {
        self.policies
            .sign_in_policy
            .allowed_first_auth_factors
            .contains(factor)
    }

    /// The device configuration, when it activates device tracking.
    pub(crate) fn devices(&self) -> Option<DeviceConfiguration> {
        self.device_configuration
            .filter(DeviceConfiguration::active)
    }

    /// Whether the pool offers `factor` (its configuration is present and,
    /// for TOTP, enabled).
    pub(crate) fn offers(&self, factor: MfaFactor) -> bool {
        match factor {
            MfaFactor::SoftwareToken => self
                .software_token_mfa_configuration
                .is_some_and(|c| c.enabled),
            MfaFactor::Sms => self.sms_mfa_configuration.is_some(),
            MfaFactor::Email => self.email_mfa_configuration.is_some(),
        }
    }
}

/// Cognito's `DeviceConfigurationType`, echoed exactly as received (a
/// member left out stays out).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct DeviceConfiguration {
    /// When true, a remembered device's authentication replaces the MFA
    /// challenge; new or not-remembered devices still get MFA.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub challenge_required_on_new_device: Option<bool>,
    /// When true, ConfirmDevice leaves the device not remembered until
    /// UpdateDeviceStatus remembers it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_only_remembered_on_user_prompt: Option<bool>,
}

impl DeviceConfiguration {
    /// Whether devices are tracked: Cognito activates device remembering
    /// when any member has a value.
    pub(crate) fn active(&self) -> bool {
        self.challenge_required_on_new_device.is_some()
            || self.device_only_remembered_on_user_prompt.is_some()
    }

    /// Whether a remembered device skips the MFA challenge.
    pub(crate) fn replaces_mfa(&self) -> bool {
        self.challenge_required_on_new_device == Some(true)
    }

    /// Whether ConfirmDevice leaves the choice to the user.
    pub(crate) fn remembered_on_prompt(&self) -> bool {
        self.device_only_remembered_on_user_prompt == Some(true)
    }
}

/// A pool's `MfaConfiguration`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub(crate) enum MfaConfiguration {
    /// No MFA.
    #[default]
    Off,
    /// MFA required for every user.
    On,
    /// MFA for users who enabled a factor.
    Optional,
}

impl MfaConfiguration {
    /// Parses the wire name (`OFF`, `ON`, `OPTIONAL`).
    pub(crate) fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "OFF" => Self::Off,
            "ON" => Self::On,
            "OPTIONAL" => Self::Optional,
            _ => return None,
        })
    }
}

/// `SoftwareTokenMfaConfigType`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct SoftwareTokenMfaConfig {
    /// Whether TOTP MFA is enabled for the pool.
    #[serde(default)]
    pub enabled: bool,
}

/// The second factors of a sign-in, by their challenge names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) enum MfaFactor {
    /// TOTP (`SOFTWARE_TOKEN_MFA`).
    #[serde(rename = "SOFTWARE_TOKEN_MFA")]
    SoftwareToken,
    /// A code by SMS (`SMS_MFA`).
    #[serde(rename = "SMS_MFA")]
    Sms,
    /// A code by email (`EMAIL_OTP`).
    #[serde(rename = "EMAIL_OTP")]
    Email,
}

impl MfaFactor {
    /// The challenge name (also the name in `UserMFASettingList`).
    pub(crate) fn challenge_name(self) -> &'static str {
        match self {
            Self::SoftwareToken => "SOFTWARE_TOKEN_MFA",
            Self::Sms => "SMS_MFA",
            Self::Email => "EMAIL_OTP",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schema_attribute_round_trips_the_received_object() {
        for text in [
            r#"{"AttributeDataType":"String","Mutable":true,"Name":"custom:a","Required":true}"#,
            r#"{"Name":"x","Required":"yes"}"#,
            r#"{"Name":"email"}"#,
        ] {
            let a: SchemaAttribute = serde_json::from_str(text).unwrap();
            assert_eq!(serde_json::to_string(&a).unwrap(), text);
        }
        let a: SchemaAttribute = serde_json::from_str(r#"{"Name":"n","Required":true}"#).unwrap();
        assert_eq!((a.name.as_str(), a.required), ("n", Some(true)));
        let a: SchemaAttribute = serde_json::from_str(r#"{"Name":"n","Required":1}"#).unwrap();
        assert_eq!(a.required, None);
        assert!(serde_json::from_str::<SchemaAttribute>(r#"{"Name":5}"#).is_err());
    }
}
