//! The custom authentication challenge triggers of `CUSTOM_AUTH`:
//! `DefineAuthChallenge`, `CreateAuthChallenge` and
//! `VerifyAuthChallengeResponse`, each fired here only (the sign-in flow,
//! `signin::custom_auth`, calls these) with AWS's request, and its
//! response read into typed values.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use super::calls::{Caller, flag, text, user_attributes};
use super::{Invocation, TriggerError, TriggerKind};
use crate::issuer::Issuer;
use crate::model::User;

/// One entry of the `session` array: a challenge presented and its result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ChallengeResult {
    /// `CUSTOM_CHALLENGE` (the only challenge this issuer presents).
    pub challenge_name: String,
    /// Whether the answer was right.
    pub challenge_result: bool,
    /// What `CreateAuthChallenge` named the challenge (`null` if nothing).
    pub challenge_metadata: Option<String>,
}

/// Whose sign-in: a stored user, or a name nobody holds (clients with
/// `PreventUserExistenceErrors`: `userNotFound` is true, no attributes).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Subject<'a> {
    /// The pool.
    pub pool_id: &'a str,
    /// `userName`: the user's username, or the name given.
    pub user_name: &'a str,
    /// The user, when there is one.
    pub user: Option<&'a User>,
}

impl Subject<'_> {
    fn request(&self, caller: Caller<'_>) -> Map<String, Value> {
        let mut r = Map::new();
        r.insert(
            "userAttributes".into(),
            self.user.map_or_else(|| json!({}), user_attributes),
        );
        if let Some(m) = caller.metadata {
            r.insert("clientMetadata".into(), json!(m));
        }
        r.insert("userNotFound".into(), self.user.is_none().into());
        r
    }

    fn fire(
        &self,
        issuer: &Issuer,
        kind: TriggerKind,
        source: &str,
        caller: Caller<'_>,
        request: Map<String, Value>,
        response: Value,
    ) -> Result<Option<Value>, TriggerError> {
        issuer.fire(Invocation {
            kind,
            source,
            pool_id: self.pool_id,
            user_name: self.user_name,
            client_id: caller.client_id,
            request: Value::Object(request),
            response,
        })
    }
}

/// What `DefineAuthChallenge` decided.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct Defined {
    /// `challengeName`: the next challenge.
    pub challenge_name: Option<String>,
    /// `issueTokens`.
    pub issue_tokens: bool,
    /// `failAuthentication`.
    pub fail: bool,
}

/// Fires `DefineAuthChallenge_Authentication` with the challenges so far;
/// `Ok(None)`: the pool has no define auth challenge trigger.
pub(crate) fn define(
    issuer: &Issuer,
    who: Subject<'_>,
    session: &[ChallengeResult],
    caller: Caller<'_>,
) -> Result<Option<Defined>, TriggerError> {
    let kind = TriggerKind::DefineAuthChallenge;
    let mut req = who.request(caller);
    req.insert("session".into(), json!(session));
    let answer = who.fire(
        issuer,
        kind,
        "DefineAuthChallenge_Authentication",
        caller,
        req,
        json!({ "challengeName": null, "issueTokens": null, "failAuthentication": null }),
    )?;
    let Some(r) = answer else {
        return Ok(None);
    };
    Ok(Some(Defined {
        challenge_name: text(kind, &r, "challengeName")?,
        issue_tokens: flag(kind, &r, "issueTokens")?,
        fail: flag(kind, &r, "failAuthentication")?,
    }))
}

/// What `CreateAuthChallenge` made.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct Created {
    /// `publicChallengeParameters`: what the client is shown.
    pub public: BTreeMap<String, String>,
    /// `privateChallengeParameters`: kept server-side for the verifier.
    pub private: BTreeMap<String, String>,
    /// `challengeMetadata`.
    pub metadata: Option<String>,
}

/// Fires `CreateAuthChallenge_Authentication` for the challenge
/// `challenge_name`; `Ok(None)`: the pool has no such trigger.
pub(crate) fn create(
    issuer: &Issuer,
    who: Subject<'_>,
    challenge_name: &str,
    session: &[ChallengeResult],
    caller: Caller<'_>,
) -> Result<Option<Created>, TriggerError> {
    let kind = TriggerKind::CreateAuthChallenge;
    let mut req = who.request(caller);
    req.insert("challengeName".into(), challenge_name.into());
    req.insert("session".into(), json!(session));
    let answer = who.fire(
        issuer,
        kind,
        "CreateAuthChallenge_Authentication",
        caller,
        req,
        json!({ "publicChallengeParameters": null, "privateChallengeParameters": null,
                "challengeMetadata": null }),
    )?;
    let Some(r) = answer else {
        return Ok(None);
    };
    Ok(Some(Created {
        public: string_map(kind, &r, "publicChallengeParameters")?,
        private: string_map(kind, &r, "privateChallengeParameters")?,
        metadata: text(kind, &r, "challengeMetadata")?,
    }))
}

/// Fires `VerifyAuthChallengeResponse_Authentication` for the user's
/// `answer`; `Ok(None)`: the pool has no such trigger.
pub(crate) fn verify(
    issuer: &Issuer,
    who: Subject<'_>,
    private: &BTreeMap<String, String>,
    answer: &str,
    caller: Caller<'_>,
) -> Result<Option<bool>, TriggerError> {
    let kind = TriggerKind::VerifyAuthChallengeResponse;
    let mut req = who.request(caller);
    req.insert("privateChallengeParameters".into(), json!(private));
    req.insert("challengeAnswer".into(), answer.into());
    let answer = who.fire(
        issuer,
        kind,
        "VerifyAuthChallengeResponse_Authentication",
        caller,
        req,
        json!({ "answerCorrect": null }),
    )?;
    answer.map(|r| flag(kind, &r, "answerCorrect")).transpose()
}

/// A map of strings (AWS's `MapOfStringToString`); numbers and booleans
/// are taken as their text, as Lambda's JSON marshalling does.
fn string_map(
    kind: TriggerKind,
    response: &Value,
    name: &str,
) -> Result<BTreeMap<String, String>, TriggerError> {
    match response.get(name) {
        None | Some(Value::Null) => Ok(BTreeMap::new()),
        Some(Value::Object(m)) => m
            .iter()
            .map(|(k, v)| match v {
                Value::String(s) => Ok((k.clone(), s.clone())),
                Value::Number(n) => Ok((k.clone(), n.to_string())),
                Value::Bool(b) => Ok((k.clone(), b.to_string())),
                _ => Err(TriggerError::Unrecognizable { kind }),
            })
            .collect(),
        Some(_) => Err(TriggerError::Unrecognizable { kind }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_session_array_has_aws_member_names() {
        let s = vec![ChallengeResult {
            challenge_name: "CUSTOM_CHALLENGE".into(),
            challenge_result: false,
            challenge_metadata: None,
        }];
        assert_eq!(
            json!(s),
            json!([{"challengeName": "CUSTOM_CHALLENGE", "challengeResult": false,
                    "challengeMetadata": null}])
        );
    }

    #[test]
    fn challenge_parameters_are_string_maps() {
        let k = TriggerKind::CreateAuthChallenge;
        let r = json!({"p": {"a": "x", "n": 3, "b": true}, "bad": {"o": {}}, "arr": []});
        let m = string_map(k, &r, "p").unwrap();
        assert_eq!(m["n"], "3");
        assert_eq!(m["b"], "true");
        assert!(string_map(k, &r, "missing").unwrap().is_empty());
        assert!(string_map(k, &r, "bad").is_err());
        assert!(string_map(k, &r, "arr").is_err());
    }
}
