//! Claim sets exactly as Cognito issues them: ID and access tokens of a
//! sign-in, and machine-to-machine access tokens.

use serde_json::{Map, Value, json};

use super::{ADMIN_SCOPE, TokenRequest};
use crate::ids;
use crate::model::AppClient;
use crate::triggers::pre_token::GroupConfiguration;

/// Converts a stored attribute to its ID-token claim value, as Cognito does:
/// `*_verified` as booleans, `updated_at` as a number, `address` as an
/// object, everything else (including `custom:*`) as a string.
fn attribute_claim(name: &str, value: &str) -> Value {
    match name {
        "email_verified" | "phone_number_verified" => Value::Bool(value == "true"),
        "updated_at" => value
            .parse::<i64>()
            .map(Value::from)
            .unwrap_or_else(|_| Value::from(value)),
        "address" => json!({ "formatted": value }),
        _ => Value::from(value),
    }
}

/// The ID token claim set.
pub(crate) fn id_claims(req: &TokenRequest<'_>, now: i64) -> Value {
    let mut m = Map::new();
    for (name, value) in &req.user.attributes {
        m.insert(name.clone(), attribute_claim(name, value));
    }
    m.insert("sub".into(), req.user.sub.clone().into());
    GroupConfiguration::of(req.groups).insert_claims(&mut m, true);
    m.insert("iss".into(), req.issuer.into());
    m.insert("cognito:username".into(), req.user.username.clone().into());
    m.insert("origin_jti".into(), req.event.origin_jti.clone().into());
    m.insert("aud".into(), req.client.client_id.clone().into());
    m.insert("event_id".into(), req.event.event_id.clone().into());
    m.insert("token_use".into(), "id".into());
    m.insert("auth_time".into(), req.event.auth_time.into());
    if let Some(nonce) = req.oauth.and_then(|o| o.nonce.as_deref()) {
        m.insert("nonce".into(), nonce.into());
    }
    m.insert("exp".into(), (now + req.client.id_ttl()).into());
    m.insert("iat".into(), now.into());
    m.insert("jti".into(), ids::uuid().into());
    Value::Object(m)
}

/// The access token claim set (no `aud`, as in Cognito).
pub(crate) fn access_claims(req: &TokenRequest<'_>, now: i64) -> Value {
    let mut m = Map::new();
    m.insert("sub".into(), req.user.sub.clone().into());
    if let Some(k) = req.device_key {
        m.insert("device_key".into(), k.into());
    }
    GroupConfiguration::of(req.groups).insert_claims(&mut m, false);
    m.insert("iss".into(), req.issuer.into());
    m.insert("client_id".into(), req.client.client_id.clone().into());
    m.insert("origin_jti".into(), req.event.origin_jti.clone().into());
    m.insert("event_id".into(), req.event.event_id.clone().into());
    m.insert("token_use".into(), "access".into());
    match req.oauth {
        // OAuth2-issued access tokens carry the granted scopes and `version`.
        Some(o) => {
            m.insert("version".into(), 2.into());
            m.insert("scope".into(), o.scope().into());
        }
        None => {
            m.insert("scope".into(), ADMIN_SCOPE.into());
        }
    }
    m.insert("auth_time".into(), req.event.auth_time.into());
    m.insert("exp".into(), (now + req.client.access_ttl()).into());
    m.insert("iat".into(), now.into());
    m.insert("jti".into(), ids::uuid().into());
    m.insert("username".into(), req.user.username.clone().into());
    Value::Object(m)
}

/// Machine-to-machine access token claims, as Cognito issues them for
/// `client_credentials`: no `username`, `cognito:groups` or `origin_jti`.
pub(crate) fn m2m_claims(iss: &str, client: &AppClient, scope: &str, now: i64) -> Value {
    json!({
        "sub": client.client_id,
        "token_use": "access",
        "scope": scope,
        "auth_time": now,
        "iss": iss,
        "exp": now + client.access_ttl(),
        "iat": now,
        "version": 2,
        "jti": ids::uuid(),
        "client_id": client.client_id,
    })
}
