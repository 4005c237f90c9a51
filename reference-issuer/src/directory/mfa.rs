//! MFA settings: the pool's MFA configuration and a user's factors and
//! preference.

use serde::Deserialize;
use serde_json::Value;

use crate::error::{Error, Result};
use crate::ids;
use crate::issuer::Issuer;
use crate::model::{MfaConfiguration, MfaFactor, Pool, SoftwareTokenMfaConfig, User, UserMfa};
use crate::store::{mfa as mfa_rows, pools as pool_rows};

/// A user's MFA state.
pub(crate) fn user_mfa(issuer: &Issuer, user: &User) -> Result<UserMfa> {
    issuer.read(|c| Ok(mfa_rows::load(c, &user.pool_id, &user.sub)?))
}

/// One factor's settings of Set/AdminSetUserMFAPreference.
#[derive(Debug, Clone, Copy, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct FactorSettings {
    /// Enable or disable the factor.
    pub enabled: Option<bool>,
    /// Make it (or stop it being) the preferred factor.
    pub preferred_mfa: Option<bool>,
}

/// Applies MFA preferences for the SMS, TOTP and email factors.
pub(crate) fn set_preferences(
    issuer: &Issuer,
    user: &User,
    sms: Option<FactorSettings>,
    totp: Option<FactorSettings>,
    email: Option<FactorSettings>,
) -> Result<()> {
    issuer.write(|tx| {
        let mut m = mfa_rows::load(tx, &user.pool_id, &user.sub)?;
        let factors = [
            (MfaFactor::Sms, sms),
            (MfaFactor::SoftwareToken, totp),
            (MfaFactor::Email, email),
        ];
        for (factor, settings) in factors {
            let Some(s) = settings else { continue };
            if let Some(enabled) = s.enabled {
                if enabled {
                    match factor {
                        MfaFactor::SoftwareToken if m.totp_secret.is_none() => {
                            return Err(Error::invalid_parameter(
                                "User has not verified software token mfa",
                            ));
                        }
                        MfaFactor::Sms if user.attr("phone_number").is_none() => {
                            return Err(Error::invalid_parameter(
                                "User does not have a phone number to receive SMS MFA codes",
                            ));
                        }
                        MfaFactor::Email if user.attr("email").is_none() => {
                            return Err(Error::invalid_parameter(
                                "User does not have an email address to receive MFA codes",
                            ));
                        }
                        _ => {}
                    }
                }
                match factor {
                    MfaFactor::Sms => m.sms_enabled = enabled,
                    MfaFactor::SoftwareToken => m.totp_enabled = enabled,
                    MfaFactor::Email => m.email_enabled = enabled,
                }
                if !enabled && m.preferred == Some(factor) {
                    m.preferred = None;
                }
            }
            if s.preferred_mfa == Some(true) {
                m.preferred = Some(factor);
            } else if s.preferred_mfa == Some(false) && m.preferred == Some(factor) {
                m.preferred = None;
            }
        }
        Ok(mfa_rows::save(tx, &user.pool_id, &user.sub, &m)?)
    })
}

/// The parts of SetUserPoolMfaConfig; absent parts stay as they are.
#[derive(Debug, Default)]
pub(crate) struct PoolMfaUpdate {
    /// `MfaConfiguration` (`OFF`, `ON`, `OPTIONAL`).
    pub mfa_configuration: Option<String>,
    /// `SoftwareTokenMfaConfiguration`.
    pub software_token_mfa_configuration: Option<SoftwareTokenMfaConfig>,
    /// `SmsMfaConfiguration` (must be an object).
    pub sms_mfa_configuration: Option<Value>,
    /// `EmailMfaConfiguration` (must be an object).
    pub email_mfa_configuration: Option<Value>,
}

/// Updates a pool's MFA configuration; a pool that requires or offers MFA
/// must keep at least one factor. Returns the updated pool.
pub(crate) fn set_pool_mfa(issuer: &Issuer, pool_id: &str, i: PoolMfaUpdate) -> Result<Pool> {
    let (mut pool, style) = issuer.pool(pool_id)?;
    if let Some(m) = &i.mfa_configuration {
        pool.mfa_configuration = MfaConfiguration::parse(m).ok_or_else(|| {
            Error::invalid_parameter(format!(
                "1 validation error detected: Value '{m}' at 'mfaConfiguration' failed to \
                 satisfy constraint: Member must satisfy enum value set: [OFF, ON, OPTIONAL]"
            ))
        })?;
    }
    if let Some(c) = i.software_token_mfa_configuration {
        pool.software_token_mfa_configuration = Some(c);
    }
    for (key, v, slot) in [
        (
            "SmsMfaConfiguration",
            i.sms_mfa_configuration,
            &mut pool.sms_mfa_configuration,
        ),
        (
            "EmailMfaConfiguration",
            i.email_mfa_configuration,
            &mut pool.email_mfa_configuration,
        ),
    ] {
        match v {
            Some(Value::Object(o)) => *slot = Some(o),
            Some(_) => {
                return Err(Error::invalid_parameter(format!("{key} must be an object")));
            }
            None => {}
        }
    }
    if pool.mfa_configuration != MfaConfiguration::Off
        && ![MfaFactor::SoftwareToken, MfaFactor::Sms, MfaFactor::Email]
            .into_iter()
            .any(|f| pool.offers(f))
    {
        return Err(Error::invalid_parameter(
            "Invalid MFA configuration given, can't turn off all MFAs and set MFA to \
             OPTIONAL or ON.",
        ));
    }
    crate::directory::pools::check_sign_in_policy(
        &pool.policies.sign_in_policy,
        pool.mfa_configuration,
    )?;
    pool.last_modified_date = ids::now_f64();
    issuer.write(|tx| Ok(pool_rows::put_pool(tx, &pool, style)?))?;
    Ok(pool)
}
