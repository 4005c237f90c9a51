//! A user's MFA settings (stored as one JSON document).

use serde::{Deserialize, Serialize};

use super::MfaFactor;

/// A user's MFA state (stored as JSON in `user_mfa`).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub(crate) struct UserMfa {
    /// Verified TOTP secret (base32).
    #[serde(default)]
    pub totp_secret: Option<String>,
    /// Secret from AssociateSoftwareToken awaiting VerifySoftwareToken.
    #[serde(default)]
    pub totp_pending: Option<String>,
    /// The last TOTP time step accepted (codes at or before it are refused).
    #[serde(default)]
    pub totp_last_step: i64,
    /// Software token MFA enabled.
    #[serde(default)]
    pub totp_enabled: bool,
    /// SMS MFA enabled.
    #[serde(default)]
    pub sms_enabled: bool,
    /// Email MFA enabled.
    #[serde(default)]
    pub email_enabled: bool,
    /// Preferred factor (`SOFTWARE_TOKEN_MFA`, `SMS_MFA`, `EMAIL_OTP`).
    #[serde(default)]
    pub preferred: Option<MfaFactor>,
}

impl UserMfa {
    /// The enabled factors, in Cognito's `UserMFASettingList` order.
    pub(crate) fn enabled(&self) -> Vec<MfaFactor> {
        let mut v = Vec::new();
        if self.sms_enabled {
            v.push(MfaFactor::Sms);
        }
        if self.totp_enabled && self.totp_secret.is_some() {
            v.push(MfaFactor::SoftwareToken);
        }
        if self.email_enabled {
            v.push(MfaFactor::Email);
        }
        v
    }
}
