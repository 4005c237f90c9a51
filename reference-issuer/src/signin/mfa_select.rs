//! `SELECT_MFA_TYPE`: a user with several MFA factors enabled and none
//! preferred chooses one (`MFAS_CAN_CHOOSE`), as Cognito asks; the answer
//! (`ANSWER`) leads to that factor's challenge.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::{Challenge, FlowContext, Outcome, param, session};
use crate::error::{Error, Result};
use crate::issuer::Issuer;
use crate::model::{MfaFactor, Pool, User, UserMfa};
use crate::store::sessions::SessionRow;

/// The factors to choose from, when there is a choice: at least two
/// enabled (and offered by the pool) and none preferred.
pub(super) fn choices(pool: &Pool, m: &UserMfa) -> Option<Vec<MfaFactor>> {
    let enabled = m.enabled();
    if m.preferred.is_some_and(|p| enabled.contains(&p)) {
        return None;
    }
    let offered: Vec<MfaFactor> = enabled.into_iter().filter(|f| pool.offers(*f)).collect();
    (offered.len() > 1).then_some(offered)
}

/// The `SELECT_MFA_TYPE` challenge offering `factors`.
pub(super) fn offer(
    issuer: &Issuer,
    ctx: &FlowContext,
    user: &User,
    factors: &[MfaFactor],
) -> Result<Outcome> {
    let names: Vec<&str> = factors.iter().map(|f| f.challenge_name()).collect();
    let session = session::create(
        issuer,
        ctx,
        user,
        "SELECT_MFA_TYPE",
        json!({ "choices": names }),
    )?;
    Ok(Outcome::Challenge(Challenge {
        name: "SELECT_MFA_TYPE",
        session: Some(session),
        parameters: BTreeMap::from([
            (
                "MFAS_CAN_CHOOSE".to_string(),
                serde_json::to_string(&names).unwrap_or_default(),
            ),
            ("USER_ID_FOR_SRP".to_string(), user.username.clone()),
        ]),
    }))
}

/// Answers `SELECT_MFA_TYPE` (session already checked to be `user`'s):
/// `ANSWER` must be one of the offered factors; the session is spent and
/// the chosen factor's challenge follows.
pub(super) fn respond(
    issuer: &Issuer,
    ctx: &FlowContext,
    session_hash: &str,
    row: &SessionRow,
    user: &User,
    responses: &BTreeMap<String, String>,
) -> Result<Outcome> {
    let answer = param(responses, "ANSWER")?;
    let data: Value = serde_json::from_str(&row.data).unwrap_or(Value::Null);
    let offered = data["choices"]
        .as_array()
        .is_some_and(|a| a.iter().any(|c| c.as_str() == Some(answer)));
    let factor = [MfaFactor::SoftwareToken, MfaFactor::Sms, MfaFactor::Email]
        .into_iter()
        .find(|f| f.challenge_name() == answer)
        .filter(|_| offered)
        .ok_or_else(|| {
            Error::invalid_parameter(format!(
                "{answer} is not one of the MFAS_CAN_CHOOSE of this session"
            ))
        })?;
    session::take(issuer, session_hash)?;
    super::mfa::factor_challenge(issuer, ctx, user, factor)
}
