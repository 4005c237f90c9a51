//! Multi-factor authentication: the pool's MFA configuration
//! (SetUserPoolMfaConfig / GetUserPoolMfaConfig), TOTP enrolment
//! (AssociateSoftwareToken, VerifySoftwareToken), user preferences
//! (SetUserMFAPreference, AdminSetUserMFAPreference), and the sign-in
//! challenges that follow a proven password: `SOFTWARE_TOKEN_MFA`,
//! `SMS_MFA`, `EMAIL_OTP` (codes to the outbox) and `MFA_SETUP`.
//!
//! TOTP is RFC 6238 (SHA-1, 6 digits, 30 s steps, ±1 step) via `totp-rs`;
//! a code's time step is remembered so the same code (or an older one) is
//! never accepted twice.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use totp_rs::{Algorithm, Secret, TOTP};

use super::auth::{FlowContext, complete_sign_in, new_session};
use super::{decode, required};
use crate::errors::{ApiError, ApiResult};
use crate::ids;
use crate::issuer::Issuer;
use crate::model::{Pool, User};
use crate::store::auth::{self as auth_rows, OutboxMessage};
use crate::store::optional;
use crate::store::pools as pool_rows;
use crate::store::users as user_rows;
use crate::tokens::validate_access_token;

/// A user's MFA state (stored as JSON in `user_mfa`).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct UserMfa {
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
    pub preferred: Option<String>,
}

impl UserMfa {
    /// The enabled factors, in Cognito's `UserMFASettingList` order.
    pub fn enabled(&self) -> Vec<&'static str> {
        let mut v = Vec::new();
        if self.sms_enabled {
            v.push("SMS_MFA");
        }
        if self.totp_enabled && self.totp_secret.is_some() {
            v.push("SOFTWARE_TOKEN_MFA");
        }
        if self.email_enabled {
            v.push("EMAIL_OTP");
        }
        v
    }
}

/// Loads a user's MFA state (default when none is stored).
pub fn load(conn: &rusqlite::Connection, pool_id: &str, sub: &str) -> ApiResult<UserMfa> {
    let doc: Option<String> = optional(conn.query_row(
        "SELECT doc FROM user_mfa WHERE pool_id = ?1 AND sub = ?2",
        rusqlite::params![pool_id, sub],
        |r| r.get(0),
    ))?;
    Ok(doc
        .and_then(|d| serde_json::from_str(&d).ok())
        .unwrap_or_default())
}

/// Stores a user's MFA state.
pub fn save(conn: &rusqlite::Connection, pool_id: &str, sub: &str, m: &UserMfa) -> ApiResult<()> {
    let doc = serde_json::to_string(m).map_err(|e| ApiError::internal(e.to_string()))?;
    conn.execute(
        "INSERT INTO user_mfa(pool_id, sub, doc) VALUES (?1, ?2, ?3)
         ON CONFLICT(pool_id, sub) DO UPDATE SET doc = excluded.doc",
        rusqlite::params![pool_id, sub, doc],
    )?;
    Ok(())
}

/// Adds `UserMFASettingList` / `PreferredMfaSetting` to a GetUser or
/// AdminGetUser response.
pub fn decorate(issuer: &Issuer, user: &User, out: &mut Value) -> ApiResult<()> {
    let m = issuer.store.read(|c| load(c, &user.pool_id, &user.sub))?;
    out["UserMFASettingList"] = json!(m.enabled());
    if let Some(p) = m.preferred.as_deref().filter(|p| m.enabled().contains(p)) {
        out["PreferredMfaSetting"] = Value::from(p);
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// Pool configuration
// ---------------------------------------------------------------------------

fn pool_factor(pool: &Pool, key: &str) -> bool {
    match pool.extra.get(key) {
        Some(Value::Object(o)) if key == "SoftwareTokenMfaConfiguration" => {
            o.get("Enabled").and_then(Value::as_bool).unwrap_or(false)
        }
        Some(Value::Object(_)) => true,
        _ => false,
    }
}

fn pool_mfa_config(pool: &Pool) -> Value {
    let mut v = json!({ "MfaConfiguration": pool.mfa_configuration });
    for key in [
        "SoftwareTokenMfaConfiguration",
        "SmsMfaConfiguration",
        "EmailMfaConfiguration",
    ] {
        if let Some(c) = pool.extra.get(key) {
            v[key] = c.clone();
        }
    }
    v
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct PoolMfaInput {
    user_pool_id: Option<String>,
    mfa_configuration: Option<String>,
    software_token_mfa_configuration: Option<Value>,
    sms_mfa_configuration: Option<Value>,
    email_mfa_configuration: Option<Value>,
}

/// SetUserPoolMfaConfig.
pub fn set_user_pool_mfa_config(issuer: &Issuer, input: Value) -> ApiResult<Value> {
    let i: PoolMfaInput = decode(input)?;
    let pool_id = required(&i.user_pool_id, "userPoolId")?;
    let (mut pool, style) = issuer.pool(pool_id)?;
    if let Some(m) = &i.mfa_configuration {
        if !matches!(m.as_str(), "OFF" | "ON" | "OPTIONAL") {
            return Err(ApiError::invalid_parameter(format!(
                "1 validation error detected: Value '{m}' at 'mfaConfiguration' failed to \
                 satisfy constraint: Member must satisfy enum value set: [OFF, ON, OPTIONAL]"
            )));
        }
        pool.mfa_configuration = m.clone();
    }
    for (key, v) in [
        (
            "SoftwareTokenMfaConfiguration",
            &i.software_token_mfa_configuration,
        ),
        ("SmsMfaConfiguration", &i.sms_mfa_configuration),
        ("EmailMfaConfiguration", &i.email_mfa_configuration),
    ] {
        if let Some(v) = v {
            if !v.is_object() {
                return Err(ApiError::invalid_parameter(format!(
                    "{key} must be an object"
                )));
            }
            pool.extra.insert(key.to_string(), v.clone());
        }
    }
    if pool.mfa_configuration != "OFF"
        && !pool_factor(&pool, "SoftwareTokenMfaConfiguration")
        && !pool_factor(&pool, "SmsMfaConfiguration")
        && !pool_factor(&pool, "EmailMfaConfiguration")
    {
        return Err(ApiError::invalid_parameter(
            "Invalid MFA configuration given, can't turn off all MFAs and set MFA to \
             OPTIONAL or ON.",
        ));
    }
    pool.last_modified_date = ids::now_f64();
    issuer
        .store
        .write(|tx| pool_rows::put_pool(tx, &pool, style))?;
    Ok(pool_mfa_config(&pool))
}

/// GetUserPoolMfaConfig.
pub fn get_user_pool_mfa_config(issuer: &Issuer, input: Value) -> ApiResult<Value> {
    let i: PoolMfaInput = decode(input)?;
    let pool_id = required(&i.user_pool_id, "userPoolId")?;
    let (pool, _) = issuer.pool(pool_id)?;
    Ok(pool_mfa_config(&pool))
}

// ---------------------------------------------------------------------------
// TOTP
// ---------------------------------------------------------------------------

/// TOTP time step length in seconds.
pub const TOTP_STEP: i64 = 30;

fn totp_for(secret_b32: &str) -> Option<TOTP> {
    let bytes = Secret::Encoded(secret_b32.to_string()).to_bytes().ok()?;
    Some(TOTP::new_unchecked(
        Algorithm::SHA1,
        6,
        1,
        TOTP_STEP as u64,
        bytes,
    ))
}

/// The time step at which `code` is valid for `secret_b32` (now ±1 step),
/// if it is and the step is later than `after`.
pub fn totp_step(secret_b32: &str, code: &str, now: i64, after: i64) -> Option<i64> {
    let totp = totp_for(secret_b32)?;
    if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let step = now / TOTP_STEP;
    let mut found = None;
    for s in [step - 1, step, step + 1] {
        if s <= after || s < 0 {
            continue;
        }
        let expected = totp.generate((s * TOTP_STEP) as u64);
        let same = expected
            .bytes()
            .zip(code.bytes())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0;
        if same && found.is_none() {
            found = Some(s);
        }
    }
    found
}

/// Whether `code` was valid (±1 step) but at or before `after` — a replay.
fn totp_replayed(secret_b32: &str, code: &str, now: i64, after: i64) -> bool {
    totp_step(secret_b32, code, now, i64::MIN).is_some_and(|s| s <= after)
}

fn new_secret() -> String {
    let mut raw = [0u8; 20];
    rand::Rng::fill(&mut rand::rng(), &mut raw);
    match Secret::Raw(raw.to_vec()).to_encoded() {
        Secret::Encoded(s) => s,
        Secret::Raw(_) => String::new(),
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct SoftwareTokenInput {
    access_token: Option<String>,
    session: Option<String>,
    user_code: Option<String>,
}

/// Who an Associate/VerifySoftwareToken call is for: a signed-in user, or
/// a user in the middle of an `MFA_SETUP` challenge.
enum Subject {
    Token(User),
    Setup {
        user: User,
        ctx: Box<FlowContext>,
        session_hash: String,
        stage: String,
    },
}

fn session_expired() -> ApiError {
    ApiError::not_authorized("Invalid session for the user, session is expired.")
}

fn subject(issuer: &Issuer, i: &SoftwareTokenInput) -> ApiResult<Subject> {
    if let Some(t) = i.access_token.as_deref().filter(|t| !t.is_empty()) {
        let ctx = validate_access_token(&issuer.keys, &issuer.store, t)?;
        return Ok(Subject::Token(ctx.user));
    }
    let session = i
        .session
        .as_deref()
        .filter(|s| !s.is_empty())
        .ok_or_else(|| ApiError::invalid_parameter("AccessToken or Session is required"))?;
    let hash = ids::sha256_hex(session);
    let row = issuer
        .store
        .read(|c| auth_rows::get_session(c, &hash))?
        .ok_or_else(session_expired)?;
    if row.challenge != "MFA_SETUP" || row.expires_at <= ids::now() {
        return Err(session_expired());
    }
    let (pool, style) = issuer.pool(&row.pool_id)?;
    let client = issuer.client(&row.client_id)?;
    let user = issuer
        .store
        .read(|c| user_rows::get_user_by_sub(c, &row.pool_id, &row.sub))?
        .ok_or_else(session_expired)?;
    let stage = serde_json::from_str::<Value>(&row.data)
        .ok()
        .and_then(|d| d["stage"].as_str().map(str::to_string))
        .unwrap_or_default();
    Ok(Subject::Setup {
        user,
        ctx: Box::new(FlowContext {
            pool,
            style,
            client,
            admin: false,
        }),
        session_hash: hash,
        stage,
    })
}

/// Replaces an `MFA_SETUP` session by a new one at `stage`.
fn next_setup_session(
    issuer: &Issuer,
    ctx: &FlowContext,
    user: &User,
    old_hash: &str,
    stage: &str,
) -> ApiResult<String> {
    if !issuer
        .store
        .write(|tx| auth_rows::take_session(tx, old_hash))?
    {
        return Err(session_expired());
    }
    new_session(issuer, ctx, user, "MFA_SETUP", json!({ "stage": stage }))
}

/// AssociateSoftwareToken: a new TOTP secret (pending until verified).
pub fn associate_software_token(issuer: &Issuer, input: Value) -> ApiResult<Value> {
    let i: SoftwareTokenInput = decode(input)?;
    let subj = subject(issuer, &i)?;
    let secret = new_secret();
    let user = match &subj {
        Subject::Token(u) => u,
        Subject::Setup { user, .. } => user,
    };
    issuer.store.write(|tx| {
        let mut m = load(tx, &user.pool_id, &user.sub)?;
        m.totp_pending = Some(secret.clone());
        save(tx, &user.pool_id, &user.sub, &m)
    })?;
    match subj {
        Subject::Token(_) => Ok(json!({ "SecretCode": secret })),
        Subject::Setup {
            user,
            ctx,
            session_hash,
            ..
        } => {
            let s = next_setup_session(issuer, &ctx, &user, &session_hash, "associated")?;
            Ok(json!({ "SecretCode": secret, "Session": s }))
        }
    }
}

/// VerifySoftwareToken: checks a code against the pending secret and makes
/// it the user's software token.
pub fn verify_software_token(issuer: &Issuer, input: Value) -> ApiResult<Value> {
    let i: SoftwareTokenInput = decode(input)?;
    let code = required(&i.user_code, "userCode")?.to_string();
    let subj = subject(issuer, &i)?;
    let user = match &subj {
        Subject::Token(u) => u.clone(),
        Subject::Setup { user, .. } => user.clone(),
    };
    issuer.lockout.check(&user.pool_id, &user.sub)?;
    let now = ids::now();
    let verified = issuer.store.write(|tx| {
        let mut m = load(tx, &user.pool_id, &user.sub)?;
        let pending = m.totp_pending.clone().ok_or_else(|| {
            ApiError::invalid_parameter("Software token has not been associated for this user")
        })?;
        // A new secret: steps used with a previous one do not matter.
        let Some(step) = totp_step(&pending, &code, now, i64::MIN) else {
            return Ok(false);
        };
        m.totp_secret = Some(pending);
        m.totp_pending = None;
        m.totp_last_step = step;
        // Enrolment during MFA_SETUP (a pool that requires MFA) enables it.
        if matches!(subj, Subject::Setup { .. }) {
            m.totp_enabled = true;
            m.preferred = Some("SOFTWARE_TOKEN_MFA".into());
        }
        save(tx, &user.pool_id, &user.sub, &m)?;
        Ok(true)
    })?;
    if !verified {
        issuer.lockout.failed(&user.pool_id, &user.sub);
        return Err(ApiError {
            type_name: "EnableSoftwareTokenMFAException",
            message: "Code mismatch and fail enable Software Token MFA".into(),
            status: 400,
        });
    }
    issuer.lockout.succeeded(&user.pool_id, &user.sub);
    match subj {
        Subject::Token(_) => Ok(json!({ "Status": "SUCCESS" })),
        Subject::Setup {
            user,
            ctx,
            session_hash,
            stage,
        } => {
            if stage != "associated" {
                return Err(session_expired());
            }
            let s = next_setup_session(issuer, &ctx, &user, &session_hash, "verified")?;
            Ok(json!({ "Status": "SUCCESS", "Session": s }))
        }
    }
}

// ---------------------------------------------------------------------------
// Preferences
// ---------------------------------------------------------------------------

#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
struct FactorSettings {
    enabled: Option<bool>,
    preferred_mfa: Option<bool>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct PreferenceInput {
    access_token: Option<String>,
    user_pool_id: Option<String>,
    username: Option<String>,
    #[serde(rename = "SMSMfaSettings")]
    sms_mfa_settings: Option<FactorSettings>,
    software_token_mfa_settings: Option<FactorSettings>,
    email_mfa_settings: Option<FactorSettings>,
}

fn apply_preferences(issuer: &Issuer, user: &User, i: &PreferenceInput) -> ApiResult<Value> {
    issuer.store.write(|tx| {
        let mut m = load(tx, &user.pool_id, &user.sub)?;
        let factors: [(&str, &Option<FactorSettings>); 3] = [
            ("SMS_MFA", &i.sms_mfa_settings),
            ("SOFTWARE_TOKEN_MFA", &i.software_token_mfa_settings),
            ("EMAIL_OTP", &i.email_mfa_settings),
        ];
        for (name, settings) in factors {
            let Some(s) = settings else { continue };
            if let Some(enabled) = s.enabled {
                if enabled {
                    match name {
                        "SOFTWARE_TOKEN_MFA" if m.totp_secret.is_none() => {
                            return Err(ApiError::invalid_parameter(
                                "User has not verified software token mfa",
                            ));
                        }
                        "SMS_MFA" if user.attr("phone_number").is_none() => {
                            return Err(ApiError::invalid_parameter(
                                "User does not have a phone number to receive SMS MFA codes",
                            ));
                        }
                        "EMAIL_OTP" if user.attr("email").is_none() => {
                            return Err(ApiError::invalid_parameter(
                                "User does not have an email address to receive MFA codes",
                            ));
                        }
                        _ => {}
                    }
                }
                match name {
                    "SMS_MFA" => m.sms_enabled = enabled,
                    "SOFTWARE_TOKEN_MFA" => m.totp_enabled = enabled,
                    _ => m.email_enabled = enabled,
                }
                if !enabled && m.preferred.as_deref() == Some(name) {
                    m.preferred = None;
                }
            }
            if s.preferred_mfa == Some(true) {
                m.preferred = Some(name.to_string());
            } else if s.preferred_mfa == Some(false) && m.preferred.as_deref() == Some(name) {
                m.preferred = None;
            }
        }
        save(tx, &user.pool_id, &user.sub, &m)
    })?;
    Ok(json!({}))
}

/// SetUserMFAPreference.
pub fn set_user_mfa_preference(issuer: &Issuer, input: Value) -> ApiResult<Value> {
    let i: PreferenceInput = decode(input)?;
    let token = required(&i.access_token, "accessToken")?;
    let ctx = validate_access_token(&issuer.keys, &issuer.store, token)?;
    apply_preferences(issuer, &ctx.user, &i)
}

/// AdminSetUserMFAPreference.
pub fn admin_set_user_mfa_preference(issuer: &Issuer, input: Value) -> ApiResult<Value> {
    let i: PreferenceInput = decode(input)?;
    let pool_id = required(&i.user_pool_id, "userPoolId")?;
    let username = required(&i.username, "username")?;
    let (pool, _) = issuer.pool(pool_id)?;
    let user = issuer
        .store
        .read(|c| super::common::require_user(c, &pool, username))?;
    apply_preferences(issuer, &user, &i)
}

// ---------------------------------------------------------------------------
// Sign-in challenges
// ---------------------------------------------------------------------------

/// Lifetime of SMS / email MFA codes (the challenge session's lifetime).
pub const MFA_CODE_TTL: i64 = super::auth::SESSION_TTL;

fn choose_factor(pool: &Pool, user: &User, m: &UserMfa) -> Option<&'static str> {
    let enabled = m.enabled();
    if let Some(p) = m.preferred.as_deref()
        && let Some(f) = enabled.iter().find(|f| **f == p)
    {
        return Some(f);
    }
    for f in ["SOFTWARE_TOKEN_MFA", "SMS_MFA", "EMAIL_OTP"] {
        if enabled.contains(&f) {
            return Some(f);
        }
    }
    if pool.mfa_configuration != "ON" {
        return None;
    }
    // Required MFA without a chosen factor: whatever the user can receive.
    if m.totp_secret.is_some() {
        return Some("SOFTWARE_TOKEN_MFA");
    }
    if pool_factor(pool, "SmsMfaConfiguration") && user.attr("phone_number").is_some() {
        return Some("SMS_MFA");
    }
    if pool_factor(pool, "EmailMfaConfiguration") && user.attr("email").is_some() {
        return Some("EMAIL_OTP");
    }
    None
}

/// After the first factor (password or SRP) of a confirmed user: tokens,
/// or the MFA challenge the pool and the user's settings call for.
pub fn second_factor(issuer: &Issuer, ctx: &FlowContext, user: &User) -> ApiResult<Value> {
    if ctx.pool.mfa_configuration == "OFF" {
        return complete_sign_in(issuer, ctx, user);
    }
    let m = issuer.store.read(|c| load(c, &user.pool_id, &user.sub))?;
    let Some(factor) = choose_factor(&ctx.pool, user, &m) else {
        if ctx.pool.mfa_configuration != "ON" {
            return complete_sign_in(issuer, ctx, user);
        }
        let session = new_session(issuer, ctx, user, "MFA_SETUP", json!({ "stage": "new" }))?;
        return Ok(json!({
            "ChallengeName": "MFA_SETUP",
            "Session": session,
            "ChallengeParameters": {
                "MFAS_CAN_SETUP": "[\"SOFTWARE_TOKEN_MFA\"]",
                "USER_ID_FOR_SRP": user.username,
            },
        }));
    };
    match factor {
        "SOFTWARE_TOKEN_MFA" => {
            let session = new_session(issuer, ctx, user, factor, json!({}))?;
            Ok(json!({
                "ChallengeName": factor,
                "Session": session,
                "ChallengeParameters": { "USER_ID_FOR_SRP": user.username },
            }))
        }
        _ => {
            let (attr, medium) = if factor == "SMS_MFA" {
                ("phone_number", "SMS")
            } else {
                ("email", "EMAIL")
            };
            let address = user.attr(attr).unwrap_or_default().to_string();
            let code = ids::numeric_code();
            let session = new_session(
                issuer,
                ctx,
                user,
                factor,
                json!({ "code_hash": ids::sha256_hex(&code) }),
            )?;
            let msg = OutboxMessage {
                id: 0,
                pool_id: user.pool_id.clone(),
                username: user.username.clone(),
                sub: user.sub.clone(),
                kind: "MFA_CODE".into(),
                medium: medium.into(),
                destination: address.clone(),
                code: Some(code.clone()),
                message: format!("Your authentication code is {code}."),
                created_at: ids::now_f64(),
            };
            issuer
                .store
                .write(|tx| auth_rows::insert_outbox(tx, &msg).map(|_| ()))?;
            tracing::info!(
                target: "cognito_issuer::outbox",
                pool = %msg.pool_id,
                username = %msg.username,
                kind = "MFA_CODE",
                to = %address,
                code = %code,
                "outbox message"
            );
            Ok(json!({
                "ChallengeName": factor,
                "Session": session,
                "ChallengeParameters": {
                    "CODE_DELIVERY_DELIVERY_MEDIUM": medium,
                    "CODE_DELIVERY_DESTINATION": crate::outbox::mask(&address),
                    "USER_ID_FOR_SRP": user.username,
                },
            }))
        }
    }
}

fn code_mismatch() -> ApiError {
    ApiError::code_mismatch("Invalid code received for user")
}

/// Answers `SOFTWARE_TOKEN_MFA`, `SMS_MFA`, `EMAIL_OTP` and `MFA_SETUP`
/// for the session `session_hash` (already checked to belong to `user`,
/// this client and `challenge`). Wrong codes leave the session usable until
/// it expires; the lockout counts them.
pub fn respond(
    issuer: &Issuer,
    ctx: &FlowContext,
    challenge: &str,
    session_hash: &str,
    user: User,
    responses: &BTreeMap<String, String>,
) -> ApiResult<Value> {
    let param = |name: &str| {
        responses
            .get(name)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
            .ok_or_else(|| {
                ApiError::invalid_parameter(format!("Missing required parameter {name}"))
            })
    };
    issuer.lockout.check(&ctx.pool.id, &user.sub)?;
    let row = issuer
        .store
        .read(|c| auth_rows::get_session(c, session_hash))?
        .ok_or_else(session_expired)?;
    let data: Value = serde_json::from_str(&row.data).unwrap_or(Value::Null);
    let take = |issuer: &Issuer| -> ApiResult<()> {
        if issuer
            .store
            .write(|tx| auth_rows::take_session(tx, session_hash))?
        {
            Ok(())
        } else {
            Err(session_expired())
        }
    };
    match challenge {
        "SOFTWARE_TOKEN_MFA" => {
            let code = param("SOFTWARE_TOKEN_MFA_CODE")?;
            let now = ids::now();
            let ok = issuer.store.write(|tx| {
                let mut m = load(tx, &user.pool_id, &user.sub)?;
                let Some(secret) = m.totp_secret.clone() else {
                    return Ok(Err(code_mismatch()));
                };
                match totp_step(&secret, code, now, m.totp_last_step) {
                    Some(step) => {
                        if !auth_rows::take_session(tx, session_hash)? {
                            return Ok(Err(session_expired()));
                        }
                        m.totp_last_step = step;
                        save(tx, &user.pool_id, &user.sub, &m)?;
                        Ok(Ok(()))
                    }
                    None if totp_replayed(&secret, code, now, m.totp_last_step) => Ok(Err(
                        ApiError::expired_code("Your software token has already been used once."),
                    )),
                    None => Ok(Err(code_mismatch())),
                }
            })?;
            if let Err(e) = ok {
                if e.type_name != "NotAuthorizedException" {
                    issuer.lockout.failed(&ctx.pool.id, &user.sub);
                }
                return Err(e);
            }
        }
        "SMS_MFA" | "EMAIL_OTP" => {
            let name = if challenge == "SMS_MFA" {
                "SMS_MFA_CODE"
            } else {
                "EMAIL_OTP_CODE"
            };
            let code = param(name)?;
            let expected = data["code_hash"].as_str().unwrap_or_default();
            let given = ids::sha256_hex(code);
            let same = expected.len() == given.len()
                && expected
                    .bytes()
                    .zip(given.bytes())
                    .fold(0u8, |acc, (a, b)| acc | (a ^ b))
                    == 0;
            if !same {
                issuer.lockout.failed(&ctx.pool.id, &user.sub);
                return Err(code_mismatch());
            }
            take(issuer)?;
        }
        "MFA_SETUP" => {
            if data["stage"].as_str() != Some("verified") {
                return Err(ApiError::invalid_parameter(
                    "Software token MFA has not been set up: call AssociateSoftwareToken \
                     and VerifySoftwareToken with this Session first",
                ));
            }
            take(issuer)?;
        }
        other => {
            return Err(ApiError::invalid_parameter(format!(
                "Challenge {other} is not supported by this issuer"
            )));
        }
    }
    issuer.lockout.succeeded(&ctx.pool.id, &user.sub);
    complete_sign_in(issuer, ctx, &user)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn totp_codes_are_single_use_and_time_bound() {
        let secret = new_secret();
        assert_eq!(secret.len(), 32);
        let totp = totp_for(&secret).expect("valid secret");
        let now = 1_700_000_000i64;
        let code = totp.generate(now as u64);
        let step = totp_step(&secret, &code, now, 0).expect("current code");
        assert_eq!(step, now / TOTP_STEP);
        // Used once: refused, and recognised as a replay.
        assert!(totp_step(&secret, &code, now, step).is_none());
        assert!(totp_replayed(&secret, &code, now, step));
        // Far in the future the code is simply wrong.
        assert!(totp_step(&secret, &code, now + 300, 0).is_none());
        assert!(totp_step(&secret, "12345", now, 0).is_none());
        assert!(totp_step(&secret, "abcdef", now, 0).is_none());
    }
}
