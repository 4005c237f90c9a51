//! Sign-in on the wire: InitiateAuth, AdminInitiateAuth,
//! RespondToAuthChallenge, AdminRespondToAuthChallenge and
//! GetTokensFromRefreshToken decode their input, run [`crate::signin`] and
//! render its [`Outcome`].

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::{Value, json};

use super::{decode, required};
use crate::error::{Error, Result};
use crate::issuer::Issuer;
use crate::signin::{self, FlowContext, Outcome, TokenSet, challenge, refresh};

/// InitiateAuth / AdminInitiateAuth input.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct InitiateInput {
    user_pool_id: Option<String>,
    client_id: Option<String>,
    auth_flow: Option<String>,
    #[serde(default)]
    auth_parameters: BTreeMap<String, String>,
    client_metadata: Option<BTreeMap<String, String>>,
}

/// RespondToAuthChallenge / AdminRespondToAuthChallenge input.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct RespondInput {
    user_pool_id: Option<String>,
    client_id: Option<String>,
    challenge_name: Option<String>,
    session: Option<String>,
    #[serde(default)]
    challenge_responses: BTreeMap<String, String>,
    client_metadata: Option<BTreeMap<String, String>>,
}

/// GetTokensFromRefreshToken input.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct GetTokensInput {
    client_id: Option<String>,
    refresh_token: Option<String>,
    client_secret: Option<String>,
    device_key: Option<String>,
    /// The pre token generation trigger's `clientMetadata`.
    client_metadata: Option<BTreeMap<String, String>>,
}

/// An `AuthenticationResultType`.
fn authentication_result(t: TokenSet) -> Value {
    let mut result = json!({
        "AccessToken": t.access_token,
        "ExpiresIn": t.expires_in,
        "TokenType": "Bearer",
    });
    if let Some(id) = t.id_token {
        result["IdToken"] = Value::from(id);
    }
    if let Some(r) = t.refresh_token {
        result["RefreshToken"] = Value::from(r);
    }
    if let Some(d) = t.new_device {
        result["NewDeviceMetadata"] = json!({
            "DeviceKey": d.device_key,
            "DeviceGroupKey": d.device_group_key,
        });
    }
    result
}

/// The `AuthenticationResult` or challenge of a sign-in step.
pub(crate) fn render(outcome: Outcome) -> Result<Value> {
    Ok(match outcome {
        Outcome::Tokens(t) => {
            json!({ "ChallengeParameters": {}, "AuthenticationResult": authentication_result(t) })
        }
        Outcome::Challenge(c) => {
            let mut out = json!({
                "ChallengeName": c.name,
                "ChallengeParameters": c.parameters,
            });
            if let Some(s) = c.session {
                out["Session"] = Value::from(s);
            }
            out
        }
        Outcome::SelectChallenge { session, available } => json!({
            "ChallengeName": "SELECT_CHALLENGE",
            "Session": session,
            "ChallengeParameters": {},
            "AvailableChallenges": available,
        }),
        // Only a hosted-UI context completes this way; the API never builds one.
        Outcome::SignedIn(_) => return Err(Error::internal("unexpected hosted-UI completion")),
    })
}

fn initiate(issuer: &Issuer, input: Value, admin: bool) -> Result<Value> {
    let i: InitiateInput = decode(input)?;
    let pool_id = if admin {
        Some(required(&i.user_pool_id, "userPoolId")?)
    } else {
        None
    };
    let client_id = required(&i.client_id, "clientId")?;
    let flow = required(&i.auth_flow, "authFlow")?;
    let ctx = FlowContext::load(issuer, pool_id, client_id)?
        .with_device_key(i.auth_parameters.get("DEVICE_KEY").cloned())
        .with_metadata(i.client_metadata);
    signin::start(issuer, &ctx, flow, &i.auth_parameters).and_then(render)
}

fn respond(issuer: &Issuer, input: Value, admin: bool) -> Result<Value> {
    let i: RespondInput = decode(input)?;
    let pool_id = if admin {
        Some(required(&i.user_pool_id, "userPoolId")?)
    } else {
        None
    };
    let client_id = required(&i.client_id, "clientId")?;
    let ctx = FlowContext::load(issuer, pool_id, client_id)?
        .with_device_key(i.challenge_responses.get("DEVICE_KEY").cloned())
        .with_metadata(i.client_metadata);
    let name = required(&i.challenge_name, "challengeName")?;
    challenge::respond(
        issuer,
        &ctx,
        name,
        i.session.as_deref(),
        &i.challenge_responses,
    )
    .and_then(render)
}

/// InitiateAuth.
pub(crate) fn initiate_auth(issuer: &Issuer, input: Value) -> Result<Value> {
    initiate(issuer, input, false)
}

/// AdminInitiateAuth.
pub(crate) fn admin_initiate_auth(issuer: &Issuer, input: Value) -> Result<Value> {
    initiate(issuer, input, true)
}

/// RespondToAuthChallenge.
pub(crate) fn respond_to_auth_challenge(issuer: &Issuer, input: Value) -> Result<Value> {
    respond(issuer, input, false)
}

/// AdminRespondToAuthChallenge.
pub(crate) fn admin_respond_to_auth_challenge(issuer: &Issuer, input: Value) -> Result<Value> {
    respond(issuer, input, true)
}

/// GetTokensFromRefreshToken: `{AuthenticationResult}` (with a
/// `RefreshToken` only when the client rotates refresh tokens).
pub(crate) fn get_tokens_from_refresh_token(issuer: &Issuer, input: Value) -> Result<Value> {
    let i: GetTokensInput = decode(input)?;
    let client_id = required(&i.client_id, "clientId")?;
    let token = required(&i.refresh_token, "refreshToken")?;
    let ctx = FlowContext::load(issuer, None, client_id)?.with_metadata(i.client_metadata);
    let tokens = refresh::get_tokens(
        issuer,
        &ctx,
        token,
        i.client_secret.as_deref(),
        i.device_key.as_deref(),
    )?;
    Ok(json!({ "AuthenticationResult": authentication_result(tokens) }))
}
