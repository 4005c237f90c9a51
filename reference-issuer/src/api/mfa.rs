//! MFA operations on the wire: SetUserPoolMfaConfig, GetUserPoolMfaConfig,
//! AssociateSoftwareToken, VerifySoftwareToken, SetUserMFAPreference and
//! AdminSetUserMFAPreference. The rules live in `directory::mfa` and
//! `signin::totp`.

use serde::Deserialize;
use serde_json::{Value, json};

use super::{decode, required};
use crate::directory::lookup::require_user;
use crate::directory::mfa::{self, FactorSettings, PoolMfaUpdate};
use crate::error::Result;
use crate::issuer::Issuer;
use crate::model::{Pool, SoftwareTokenMfaConfig, User};
use crate::signin::totp;
use crate::tokens::validate_access_token;

/// Adds `UserMFASettingList` / `PreferredMfaSetting` to a GetUser or
/// AdminGetUser response.
pub(crate) fn decorate(issuer: &Issuer, user: &User, out: &mut Value) -> Result<()> {
    let m = mfa::user_mfa(issuer, user)?;
    let enabled = m.enabled();
    out["UserMFASettingList"] = json!(enabled);
    if let Some(p) = m.preferred.filter(|p| enabled.contains(p)) {
        out["PreferredMfaSetting"] = json!(p);
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// Pool configuration
// ---------------------------------------------------------------------------

fn pool_mfa_config(pool: &Pool) -> Value {
    let mut v = json!({ "MfaConfiguration": pool.mfa_configuration });
    if let Some(c) = &pool.software_token_mfa_configuration {
        v["SoftwareTokenMfaConfiguration"] = json!(c);
    }
    if let Some(c) = &pool.sms_mfa_configuration {
        v["SmsMfaConfiguration"] = Value::Object(c.clone());
    }
    if let Some(c) = &pool.email_mfa_configuration {
        v["EmailMfaConfiguration"] = Value::Object(c.clone());
    }
    v
}

/// Set/GetUserPoolMfaConfig input.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct PoolMfaInput {
    user_pool_id: Option<String>,
    mfa_configuration: Option<String>,
    software_token_mfa_configuration: Option<SoftwareTokenMfaConfig>,
    sms_mfa_configuration: Option<Value>,
    email_mfa_configuration: Option<Value>,
}

/// SetUserPoolMfaConfig.
pub(crate) fn set_user_pool_mfa_config(issuer: &Issuer, input: Value) -> Result<Value> {
    let i: PoolMfaInput = decode(input)?;
    let pool_id = required(&i.user_pool_id, "userPoolId")?;
    let update = PoolMfaUpdate {
        mfa_configuration: i.mfa_configuration,
        software_token_mfa_configuration: i.software_token_mfa_configuration,
        sms_mfa_configuration: i.sms_mfa_configuration,
        email_mfa_configuration: i.email_mfa_configuration,
    };
    let pool = mfa::set_pool_mfa(issuer, pool_id, update)?;
    Ok(pool_mfa_config(&pool))
}

/// GetUserPoolMfaConfig.
pub(crate) fn get_user_pool_mfa_config(issuer: &Issuer, input: Value) -> Result<Value> {
    let i: PoolMfaInput = decode(input)?;
    let pool_id = required(&i.user_pool_id, "userPoolId")?;
    let (pool, _) = issuer.pool(pool_id)?;
    Ok(pool_mfa_config(&pool))
}

// ---------------------------------------------------------------------------
// TOTP
// ---------------------------------------------------------------------------

/// AssociateSoftwareToken / VerifySoftwareToken input.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct SoftwareTokenInput {
    access_token: Option<String>,
    session: Option<String>,
    user_code: Option<String>,
}

/// AssociateSoftwareToken.
pub(crate) fn associate_software_token(issuer: &Issuer, input: Value) -> Result<Value> {
    let i: SoftwareTokenInput = decode(input)?;
    let (secret, session) =
        totp::associate(issuer, i.access_token.as_deref(), i.session.as_deref())?;
    Ok(match session {
        None => json!({ "SecretCode": secret }),
        Some(s) => json!({ "SecretCode": secret, "Session": s }),
    })
}

/// VerifySoftwareToken.
pub(crate) fn verify_software_token(issuer: &Issuer, input: Value) -> Result<Value> {
    let i: SoftwareTokenInput = decode(input)?;
    let code = required(&i.user_code, "userCode")?;
    let session = totp::verify(
        issuer,
        i.access_token.as_deref(),
        i.session.as_deref(),
        code,
    )?;
    Ok(match session {
        None => json!({ "Status": "SUCCESS" }),
        Some(s) => json!({ "Status": "SUCCESS", "Session": s }),
    })
}

/// (Admin)SetUserMFAPreference input.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct PreferenceInput {
    access_token: Option<String>,
    user_pool_id: Option<String>,
    username: Option<String>,
    #[serde(rename = "SMSMfaSettings")]
    sms_mfa_settings: Option<FactorSettings>,
    software_token_mfa_settings: Option<FactorSettings>,
    email_mfa_settings: Option<FactorSettings>,
}

fn apply_preferences(issuer: &Issuer, user: &User, i: PreferenceInput) -> Result<Value> {
    mfa::set_preferences(
        issuer,
        user,
        i.sms_mfa_settings,
        i.software_token_mfa_settings,
        i.email_mfa_settings,
    )?;
    Ok(json!({}))
}

/// SetUserMFAPreference.
pub(crate) fn set_user_mfa_preference(issuer: &Issuer, input: Value) -> Result<Value> {
    let i: PreferenceInput = decode(input)?;
    let token = required(&i.access_token, "accessToken")?;
    let ctx = validate_access_token(&issuer.keys, &issuer.store, token)?;
    apply_preferences(issuer, &ctx.user, i)
}

/// AdminSetUserMFAPreference.
pub(crate) fn admin_set_user_mfa_preference(issuer: &Issuer, input: Value) -> Result<Value> {
    let i: PreferenceInput = decode(input)?;
    let pool_id = required(&i.user_pool_id, "userPoolId")?;
    let username = required(&i.username, "username")?;
    let (pool, _) = issuer.pool(pool_id)?;
    let user = issuer.read(|c| require_user(c, &pool, username))?;
    apply_preferences(issuer, &user, i)
}
