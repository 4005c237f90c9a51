//! Per-pool documents: JWKS, OpenID discovery and (beyond Cognito) the
//! revocation list.

use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode};
use axum::response::Response;
use serde_json::{Value, json};

use super::errors::{api_error, json_response, not_found_json};
use super::{AppState, blocking};
use crate::error::{Error, ErrorKind};
use crate::issuer::Issuer;
use crate::model::IssuerStyle;
use crate::oauth::revocation;

/// Unknown pools answer `404 {"message"}`; faults the JSON API's 500.
fn refuse(e: Error) -> Response {
    match e.kind {
        ErrorKind::ResourceNotFound | ErrorKind::InvalidParameter => not_found_json(e.message),
        _ => api_error(e),
    }
}

/// `GET /{pool}/.well-known/jwks.json`.
pub(super) async fn jwks(State(state): State<AppState>, Path(pool_id): Path<String>) -> Response {
    match blocking(&state, move |issuer| issuer.jwks(&pool_id)).await {
        Ok(keys) => json_response(StatusCode::OK, keys, "application/json"),
        Err(e) => refuse(e),
    }
}

/// The OpenID discovery document of a pool.
fn discovery_document(issuer: &Issuer, pool_id: &str, style: IssuerStyle) -> Value {
    let base = &issuer.public_url;
    json!({
        "issuer": issuer.issuer_url(pool_id, style),
        "jwks_uri": issuer.jwks_url(pool_id),
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "response_types_supported": ["code", "token"],
        "scopes_supported": ["openid", "email", "phone", "profile"],
        "claims_supported": ["sub", "iss", "aud", "exp", "iat", "auth_time", "token_use",
                             "cognito:username", "cognito:groups", "email", "email_verified",
                             "nonce", "at_hash"],
        "authorization_endpoint": format!("{base}/oauth2/authorize"),
        "token_endpoint": format!("{base}/oauth2/token"),
        "userinfo_endpoint": format!("{base}/oauth2/userInfo"),
        "revocation_endpoint": format!("{base}/oauth2/revoke"),
        "end_session_endpoint": format!("{base}/logout"),
        "revocation_list_uri": revocation::list_url(issuer, pool_id),
        "grant_types_supported": ["authorization_code", "implicit", "refresh_token",
                                  "client_credentials"],
        "code_challenge_methods_supported": ["S256"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
    })
}

/// `GET /{pool}/.well-known/openid-configuration`.
pub(super) async fn discovery(
    State(state): State<AppState>,
    Path(pool_id): Path<String>,
) -> Response {
    let res = blocking(&state, move |issuer| {
        let (_, style) = issuer.pool(&pool_id)?;
        Ok(discovery_document(issuer, &pool_id, style))
    })
    .await;
    match res {
        Ok(doc) => json_response(StatusCode::OK, doc, "application/json"),
        Err(e) => refuse(e),
    }
}

/// `GET /{pool}/revocations.json` (not in Cognito): the `origin_jti`s of
/// revoked sign-ins whose tokens may still be alive.
pub(super) async fn revocations(
    State(state): State<AppState>,
    Path(pool_id): Path<String>,
) -> Response {
    match blocking(&state, move |issuer| revocation::list(issuer, &pool_id)).await {
        Ok(list) => {
            let body = json!({
                "revoked_origin_jtis": list.origin_jtis,
                "generated_at": list.generated_at,
            });
            let mut resp = json_response(StatusCode::OK, body, "application/json");
            resp.headers_mut()
                .insert("cache-control", HeaderValue::from_static("no-cache"));
            resp
        }
        Err(e) => refuse(e),
    }
}
