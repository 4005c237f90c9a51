//! Lambda triggers: a pool's `LambdaConfig` names a function per trigger;
//! the issuer's configuration maps each function ARN to a handler (a URL,
//! a command running the team's real Node or Python module through a
//! shipped shim, or an in-process Rust hook). [`Issuer::fire`] builds
//! AWS's event envelope, runs the handler with AWS's 5 s limit and returns
//! the event's `response`. Domain flows call it, one call site per trigger,
//! so the JSON API, the hosted UI and the OAuth2 endpoints fire alike.

pub(crate) mod calls;
mod command;
pub(crate) mod custom_auth;
mod error;
mod hooks;
pub(crate) mod pre_token;
mod registry;
mod url;

use serde_json::{Value, json};

pub(crate) use error::TriggerError;
pub use hooks::{TriggerHook, TriggerHooks};
pub(crate) use registry::Handlers;

use crate::issuer::Issuer;
use crate::model::LambdaConfig;

/// AWS's limit on a synchronous trigger.
pub(crate) const TIMEOUT: std::time::Duration = std::time::Duration::from_secs(5);

/// The largest answer taken from a handler (Lambda's synchronous response
/// limit, 6 MB).
pub(crate) const MAX_RESPONSE: usize = 6 * 1024 * 1024;

/// Which trigger (the `LambdaConfig` member).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum TriggerKind {
    /// `PreSignUp`.
    PreSignUp,
    /// `PostConfirmation`.
    PostConfirmation,
    /// `PreAuthentication`.
    PreAuthentication,
    /// `PostAuthentication`.
    PostAuthentication,
    /// `PreTokenGeneration`.
    PreTokenGeneration,
    /// `CustomMessage`.
    CustomMessage,
    /// `UserMigration`.
    UserMigration,
    /// `DefineAuthChallenge`.
    DefineAuthChallenge,
    /// `CreateAuthChallenge`.
    CreateAuthChallenge,
    /// `VerifyAuthChallengeResponse`.
    VerifyAuthChallengeResponse,
}

impl TriggerKind {
    /// The name AWS puts in "<Trigger> failed with error <message>.".
    pub(crate) fn name(self) -> &'static str {
        match self {
            Self::PreSignUp => "PreSignUp",
            Self::PostConfirmation => "PostConfirmation",
            Self::PreAuthentication => "PreAuthentication",
            Self::PostAuthentication => "PostAuthentication",
            Self::PreTokenGeneration => "PreTokenGeneration",
            Self::CustomMessage => "CustomMessage",
            Self::UserMigration => "UserMigration",
            Self::DefineAuthChallenge => "DefineAuthChallenge",
            Self::CreateAuthChallenge => "CreateAuthChallenge",
            Self::VerifyAuthChallengeResponse => "VerifyAuthChallengeResponse",
        }
    }

    /// The pool's function for this trigger (and the event version).
    fn function(self, c: &LambdaConfig) -> Option<(&str, u8)> {
        let arn = match self {
            Self::PreSignUp => &c.pre_sign_up,
            Self::PostConfirmation => &c.post_confirmation,
            Self::PreAuthentication => &c.pre_authentication,
            Self::PostAuthentication => &c.post_authentication,
            Self::PreTokenGeneration => return c.pre_token(),
            Self::CustomMessage => &c.custom_message,
            Self::UserMigration => &c.user_migration,
            Self::DefineAuthChallenge => &c.define_auth_challenge,
            Self::CreateAuthChallenge => &c.create_auth_challenge,
            Self::VerifyAuthChallengeResponse => &c.verify_auth_challenge_response,
        };
        arn.as_deref().map(|a| (a, 1))
    }
}

/// One firing. The envelope (`version`, `triggerSource`, `region`,
/// `userPoolId`, `userName`, `callerContext{awsSdkVersion, clientId}`,
/// `request`, `response`) is built by [`Issuer::fire`].
#[derive(Debug, Clone)]
pub(crate) struct Invocation<'a> {
    /// The trigger.
    pub kind: TriggerKind,
    /// `triggerSource`, e.g. `PreSignUp_SignUp`.
    pub source: &'a str,
    /// The pool.
    pub pool_id: &'a str,
    /// `userName`.
    pub user_name: &'a str,
    /// `callerContext.clientId` (`CLIENT_ID_NOT_APPLICABLE` when absent, as
    /// AWS sends for admin operations).
    pub client_id: Option<&'a str>,
    /// The `request` object.
    pub request: Value,
    /// The initial `response` object.
    pub response: Value,
}

/// `callerContext.awsSdkVersion` (AWS sends the caller's SDK; the issuer
/// does not know it).
const SDK_VERSION: &str = "aws-sdk-unknown-unknown";

/// Builds AWS's event envelope.
pub(crate) fn envelope(inv: &Invocation<'_>, version: u8) -> Value {
    json!({
        "version": version.to_string(),
        "triggerSource": inv.source,
        "region": crate::ids::region_of(inv.pool_id),
        "userPoolId": inv.pool_id,
        "userName": inv.user_name,
        "callerContext": {
            "awsSdkVersion": SDK_VERSION,
            "clientId": inv.client_id.unwrap_or("CLIENT_ID_NOT_APPLICABLE"),
        },
        "request": inv.request,
        "response": inv.response,
    })
}

/// The `response` of a returned event: an object (`null` reads as `{}`);
/// anything else is unrecognizable.
fn response_of(kind: TriggerKind, returned: Value) -> Result<Value, TriggerError> {
    let Value::Object(mut event) = returned else {
        return Err(TriggerError::Unrecognizable { kind });
    };
    match event.remove("response") {
        Some(Value::Object(r)) => Ok(Value::Object(r)),
        Some(Value::Null) => Ok(json!({})),
        _ => Err(TriggerError::Unrecognizable { kind }),
    }
}

impl Issuer {
    /// The pool's `LambdaConfig` (empty when it has none).
    fn lambda_config(&self, pool_id: &str) -> Result<LambdaConfig, TriggerError> {
        let (pool, _) = self.pool(pool_id).map_err(TriggerError::Pool)?;
        Ok(pool.lambda_config.unwrap_or_default())
    }

    /// Fires the pool's trigger of `inv.kind`: `Ok(None)` when the pool has
    /// none configured, `Ok(Some(response))` = the returned event's
    /// `response` object. For `PreTokenGeneration` the envelope's `version`
    /// is the configured `LambdaVersion` (1, 2 or 3).
    pub(crate) fn fire(&self, inv: Invocation<'_>) -> Result<Option<Value>, TriggerError> {
        let config = self.lambda_config(inv.pool_id)?;
        let Some((arn, version)) = inv.kind.function(&config) else {
            return Ok(None);
        };
        let event = envelope(&inv, version);
        tracing::debug!(
            target: "cognito_issuer::triggers",
            trigger = inv.kind.name(),
            source = inv.source,
            function = arn,
            "firing trigger"
        );
        let returned = self.triggers.invoke(inv.kind, arn, &event)?;
        response_of(inv.kind, returned).map(Some)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_envelope_has_aws_members() {
        let inv = Invocation {
            kind: TriggerKind::PreSignUp,
            source: "PreSignUp_SignUp",
            pool_id: "eu-west-1_Abc",
            user_name: "alice",
            client_id: None,
            request: json!({"userAttributes": {}}),
            response: json!({"autoConfirmUser": false}),
        };
        let e = envelope(&inv, 1);
        assert_eq!(e["version"], "1");
        assert_eq!(e["region"], "eu-west-1");
        assert_eq!(e["callerContext"]["clientId"], "CLIENT_ID_NOT_APPLICABLE");
        assert_eq!(e["response"]["autoConfirmUser"], false);
    }

    #[test]
    fn only_an_event_with_a_response_object_is_recognized() {
        let k = TriggerKind::PreSignUp;
        assert_eq!(
            response_of(k, json!({"response": {"a": 1}})).ok(),
            Some(json!({"a": 1}))
        );
        assert_eq!(
            response_of(k, json!({"response": null})).ok(),
            Some(json!({}))
        );
        for bad in [
            json!("garbage"),
            json!({}),
            json!({"response": 5}),
            json!(null),
        ] {
            assert_eq!(
                response_of(k, bad),
                Err(TriggerError::Unrecognizable { kind: k })
            );
        }
    }
}
