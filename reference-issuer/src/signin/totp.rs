//! TOTP (RFC 6238: SHA-1, 6 digits, 30 s steps, ±1 step, via `totp-rs`)
//! and software-token enrolment (AssociateSoftwareToken,
//! VerifySoftwareToken), for a signed-in user or during `MFA_SETUP`. A
//! code's time step is remembered so the same code (or an older one) is
//! never accepted twice.

use serde_json::{Value, json};
use totp_rs::{Algorithm, Secret, TOTP};

use super::lockout::{self, Subject as Whose};
use super::{FlowContext, session, session_expired};
use crate::error::{Error, Result};
use crate::ids;
use crate::issuer::Issuer;
use crate::model::{MfaFactor, User};
use crate::store::{mfa as mfa_rows, users as user_rows};
use crate::tokens::validate_access_token;
use crate::triggers::pre_token::TokenSource;

/// TOTP time step length in seconds.
pub(crate) const TOTP_STEP: i64 = 30;

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
pub(crate) fn totp_step(secret_b32: &str, code: &str, now: i64, after: i64) -> Option<i64> {
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
pub(super) fn totp_replayed(secret_b32: &str, code: &str, now: i64, after: i64) -> bool {
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

fn subject(issuer: &Issuer, access_token: Option<&str>, session: Option<&str>) -> Result<Subject> {
    if let Some(t) = access_token.filter(|t| !t.is_empty()) {
        let ctx = validate_access_token(&issuer.keys, &issuer.store, t)?;
        return Ok(Subject::Token(ctx.user));
    }
    let session = session
        .filter(|s| !s.is_empty())
        .ok_or_else(|| Error::invalid_parameter("AccessToken or Session is required"))?;
    let hash = ids::sha256_hex(session);
    let row = session::find(issuer, &hash)?.ok_or_else(session_expired)?;
    if row.challenge != "MFA_SETUP" || row.expires_at <= ids::now() {
        return Err(session_expired());
    }
    let (pool, style) = issuer.pool(&row.pool_id)?;
    let client = issuer.client(&row.client_id)?;
    let user = issuer
        .read(|c| Ok(user_rows::get_user_by_sub(c, &row.pool_id, &row.sub)?))?
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
            device_key: super::device::key_in_session(&row.data),
            completion: super::session::completion_of(&row.data),
            token_source: TokenSource::Authentication,
            metadata_to_tokens: true,
            metadata: None,
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
) -> Result<String> {
    session::take(issuer, old_hash)?;
    session::create(issuer, ctx, user, "MFA_SETUP", json!({ "stage": stage }))
}

/// AssociateSoftwareToken: a new TOTP secret (pending until verified),
/// for the holder of `access_token` or of an `MFA_SETUP` `session`.
/// Returns the secret and, for a session, the next session.
pub(crate) fn associate(
    issuer: &Issuer,
    access_token: Option<&str>,
    session: Option<&str>,
) -> Result<(String, Option<String>)> {
    let subj = subject(issuer, access_token, session)?;
    let secret = new_secret();
    let user = match &subj {
        Subject::Token(u) => u,
        Subject::Setup { user, .. } => user,
    };
    issuer.write(|tx| {
        let mut m = mfa_rows::load(tx, &user.pool_id, &user.sub)?;
        m.totp_pending = Some(secret.clone());
        Ok(mfa_rows::save(tx, &user.pool_id, &user.sub, &m)?)
    })?;
    match subj {
        Subject::Token(_) => Ok((secret, None)),
        Subject::Setup {
            user,
            ctx,
            session_hash,
            ..
        } => {
            let s = next_setup_session(issuer, &ctx, &user, &session_hash, "associated")?;
            Ok((secret, Some(s)))
        }
    }
}

/// VerifySoftwareToken: checks a code against the pending secret and makes
/// it the user's software token. Returns the next session for `MFA_SETUP`.
pub(crate) fn verify(
    issuer: &Issuer,
    access_token: Option<&str>,
    session: Option<&str>,
    code: &str,
) -> Result<Option<String>> {
    let subj = subject(issuer, access_token, session)?;
    let user = match &subj {
        Subject::Token(u) => u.clone(),
        Subject::Setup { user, .. } => user.clone(),
    };
    let attempt = lockout::reserve(issuer, &user.pool_id, Whose::User(&user.sub))?;
    let now = ids::now();
    let verified = issuer.write(|tx| {
        let mut m = mfa_rows::load(tx, &user.pool_id, &user.sub)?;
        let pending = m.totp_pending.clone().ok_or_else(|| {
            Error::invalid_parameter("Software token has not been associated for this user")
        })?;
        // A new secret: steps used with a previous one do not matter.
        let Some(step) = totp_step(&pending, code, now, i64::MIN) else {
            return Ok(false);
        };
        m.totp_secret = Some(pending);
        m.totp_pending = None;
        m.totp_last_step = step;
        // Enrolment during MFA_SETUP (a pool that requires MFA) enables it.
        if matches!(subj, Subject::Setup { .. }) {
            m.totp_enabled = true;
            m.preferred = Some(MfaFactor::SoftwareToken);
        }
        mfa_rows::save(tx, &user.pool_id, &user.sub, &m)?;
        Ok(true)
    })?;
    if !verified {
        attempt.failed();
        return Err(Error::enable_software_token_mfa(
            "Code mismatch and fail enable Software Token MFA",
        ));
    }
    // Enrolment is not a sign-in: the lockout counter stays.
    attempt.passed();
    match subj {
        Subject::Token(_) => Ok(None),
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
            Ok(Some(s))
        }
    }
}

// ---------------------------------------------------------------------------
// Preferences
// ---------------------------------------------------------------------------

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
