//! The exact JSON API Gateway expects back from a Lambda authorizer.
//!
//! - IAM policy (REST `TOKEN`/`REQUEST`, HTTP API 1.0 and 2.0):
//!   `{"principalId", "policyDocument": {"Version": "2012-10-17", "Statement":
//!   [{"Action": "execute-api:Invoke", "Effect": "Allow"|"Deny", "Resource": ARN}]}, "context"}`.
//! - Simple response (HTTP API 2.0 with simple responses enabled):
//!   `{"isAuthorized": bool, "context"}`.
//!
//! Our own types rather than `aws_lambda_events`' response structs: those
//! always write `"usageIdentifierKey": null` and `Action`/`Resource` as
//! arrays; AWS's documented samples use plain strings (the tests check that
//! our output still reads back into `aws_lambda_events`' types).
//!
//! `context` values must be strings, numbers or booleans (API Gateway
//! refuses objects and arrays): see [`claims_context`].

use cognito_verifier::CognitoClaims;
use serde::Serialize;
use serde_json::{Map, Value};

/// The policy's `Version`.
pub const POLICY_VERSION: &str = "2012-10-17";

/// The one action an authorizer policy grants or denies.
pub const INVOKE: &str = "execute-api:Invoke";

/// `Allow` or `Deny`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Effect {
    /// The request goes on to the integration.
    Allow,
    /// API Gateway answers 403.
    Deny,
}

/// One statement of the policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Statement {
    /// Always [`INVOKE`].
    pub action: &'static str,
    /// Allow or Deny.
    pub effect: Effect,
    /// The method ARN, or every method of the stage (`.../<stage>/*/*`).
    pub resource: String,
}

/// `policyDocument`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct PolicyDocument {
    /// Always [`POLICY_VERSION`].
    pub version: &'static str,
    /// Exactly one statement.
    pub statement: [Statement; 1],
}

/// The IAM policy response.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PolicyResponse {
    /// The token's `sub` (`anonymous` for a guest or an unknown caller).
    pub principal_id: String,
    /// The policy.
    pub policy_document: PolicyDocument,
    /// Primitive values only; reaches the backend as `requestContext.authorizer.<key>`.
    pub context: Map<String, Value>,
}

/// HTTP API 2.0's simple response.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SimpleResponse {
    /// `true`: the request goes on; `false`: 403.
    pub is_authorized: bool,
    /// Reaches the backend as `requestContext.authorizer.lambda.<key>`.
    pub context: Map<String, Value>,
}

/// What the function returns when it decides (Allow or Deny).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Response {
    /// An IAM policy.
    Policy(PolicyResponse),
    /// A simple response.
    Simple(SimpleResponse),
}

impl Response {
    /// A one-statement policy.
    pub fn policy(
        principal_id: impl Into<String>,
        effect: Effect,
        resource: impl Into<String>,
        context: Map<String, Value>,
    ) -> Response {
        Response::Policy(PolicyResponse {
            principal_id: principal_id.into(),
            policy_document: PolicyDocument {
                version: POLICY_VERSION,
                statement: [Statement {
                    action: INVOKE,
                    effect,
                    resource: resource.into(),
                }],
            },
            context,
        })
    }

    /// The response as JSON.
    pub fn to_json(&self) -> Value {
        // Serialising these plain structs cannot fail; Null is unreachable.
        serde_json::to_value(self).unwrap_or(Value::Null)
    }
}

/// The claims as an authorizer `context`: strings, numbers and booleans as
/// they are; arrays of such values comma-joined (`"cognito:groups":
/// "admin,dev"`, as the REST Cognito authorizer renders them); objects and
/// other arrays as JSON text; `null` claims left out.
pub fn claims_context(claims: &CognitoClaims) -> Map<String, Value> {
    claims
        .raw()
        .iter()
        .filter_map(|(name, value)| {
            let primitive = match value {
                Value::Null => return None,
                Value::String(_) | Value::Number(_) | Value::Bool(_) => value.clone(),
                Value::Array(items) if items.iter().all(is_scalar) => {
                    Value::String(items.iter().map(scalar_text).collect::<Vec<_>>().join(","))
                }
                Value::Array(_) | Value::Object(_) => Value::String(value.to_string()),
            };
            Some((name.clone(), primitive))
        })
        .collect()
}

fn is_scalar(value: &Value) -> bool {
    matches!(value, Value::String(_) | Value::Number(_) | Value::Bool(_))
}

fn scalar_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}
