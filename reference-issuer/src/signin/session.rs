//! Server-side challenge sessions: the opaque `Session` a challenge hands
//! out is single use and expires after [`SESSION_TTL`]; only its hash is
//! stored.

use serde_json::Value;

use super::{FlowContext, session_expired};
use crate::error::Result;
use crate::ids;
use crate::issuer::Issuer;
use crate::model::User;
use crate::store::sessions::{self as session_rows, SessionRow};

/// Lifetime of a challenge `Session` (Cognito's default: 3 minutes).
pub(crate) const SESSION_TTL: i64 = 180;

/// Creates a challenge session and returns its opaque handle.
pub(crate) fn create(
    issuer: &Issuer,
    ctx: &FlowContext,
    user: &User,
    challenge: &str,
    data: Value,
) -> Result<String> {
    create_for(issuer, ctx, &user.sub, challenge, data)
}

/// Creates a challenge session of the user `sub` (empty for the decoy
/// session of a name nobody owns, see [`super::user_auth`]).
pub(crate) fn create_for(
    issuer: &Issuer,
    ctx: &FlowContext,
    sub: &str,
    challenge: &str,
    mut data: Value,
) -> Result<String> {
    // The sign-in's device key outlives the request that sent it.
    super::device::carry_into(ctx, &mut data);
    if ctx.completion == super::Completion::HostedUi
        && let Some(o) = data.as_object_mut()
    {
        o.insert("hosted".into(), true.into());
    }
    let session = ids::opaque_token(96);
    let row = SessionRow {
        pool_id: ctx.pool.id.clone(),
        client_id: ctx.client.client_id.clone(),
        sub: sub.to_string(),
        challenge: challenge.to_string(),
        data: data.to_string(),
        expires_at: ids::now() + SESSION_TTL,
    };
    let hash = ids::sha256_hex(&session);
    issuer.write(|tx| {
        session_rows::purge_sessions(tx, ids::now())?;
        Ok(session_rows::insert_session(tx, &hash, &row)?)
    })?;
    Ok(session)
}

/// Reads a session by the hash of its handle (without consuming it).
pub(crate) fn find(issuer: &Issuer, session_hash: &str) -> Result<Option<SessionRow>> {
    issuer.read(|c| Ok(session_rows::get_session(c, session_hash)?))
}

/// Consumes a session; fails if it was already used.
pub(crate) fn take(issuer: &Issuer, session_hash: &str) -> Result<()> {
    if issuer.write(|tx| Ok(session_rows::take_session(tx, session_hash)?))? {
        Ok(())
    } else {
        Err(session_expired())
    }
}

/// How a sign-in whose challenge session holds `data` completes: a session
/// opened by the hosted UI is answered there only, and an API session
/// only through the API.
pub(crate) fn completion_of(data: &str) -> super::Completion {
    let hosted = serde_json::from_str::<serde_json::Value>(data)
        .ok()
        .and_then(|d| d.get("hosted").and_then(serde_json::Value::as_bool))
        .unwrap_or(false);
    if hosted {
        super::Completion::HostedUi
    } else {
        super::Completion::Tokens
    }
}
