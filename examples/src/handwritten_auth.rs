//! A benchmark baseline, not a recommendation: the axum middleware a team
//! would write itself on `jsonwebtoken` instead of using cognito-axum.
//!
//! Used by `adapter-bench --auth handwritten` (`scripts/bench/side-by-side.sh`).
//! It is kept deliberately straightforward, as found in tutorials and
//! internal code bases: the JWKS is fetched once at start (no rotation, no
//! refetch on an unknown `kid`), each request's `Authorization: Bearer`
//! token is decoded with `jsonwebtoken::decode` (RS256 pinned, `exp` and
//! `iss` required and checked), then `token_use == "access"` and `client_id`
//! are compared: the same policy the cognito layer applies to the bench's
//! access tokens. Any failure is a bare 401. There is no verified-token
//! cache, so every request pays an RSA verification.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::http::header::AUTHORIZATION;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::Deserialize;

/// The claims the middleware reads and hands to handlers (as a request extension).
#[derive(Debug, Clone, Deserialize)]
pub struct AccessClaims {
    /// The user (or client) the token was issued for.
    pub sub: String,
    /// `access` for access tokens.
    pub token_use: String,
    /// The app client the access token was issued to.
    pub client_id: String,
    /// Space-separated scopes.
    #[serde(default)]
    pub scope: String,
    /// Cognito groups of the user.
    #[serde(default, rename = "cognito:groups")]
    pub groups: Vec<String>,
}

/// The keys and expectations, fetched and built once at start.
pub struct HandwrittenAuth {
    keys: HashMap<String, DecodingKey>,
    validation: Validation,
    client_id: String,
}

/// Why [`HandwrittenAuth::fetch`] failed.
#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    /// The JWKS could not be downloaded or parsed.
    #[error("JWKS fetch: {0}")]
    Fetch(#[from] reqwest::Error),
    /// A JWK could not be turned into a key.
    #[error("JWK: {0}")]
    Key(#[from] jsonwebtoken::errors::Error),
}

impl HandwrittenAuth {
    /// Downloads the JWKS at `jwks_url` once and expects tokens from
    /// `issuer` for `client_id`.
    pub async fn fetch(jwks_url: &str, issuer: &str, client_id: &str) -> Result<Self, SetupError> {
        let http = reqwest::Client::builder().no_proxy().build()?;
        let jwks: JwkSet = http
            .get(jwks_url)
            .send()
            .await?
            .error_for_status()?
            .json()
            .await?;
        let mut keys = HashMap::new();
        for jwk in &jwks.keys {
            if let Some(kid) = &jwk.common.key_id {
                keys.insert(kid.clone(), DecodingKey::from_jwk(jwk)?);
            }
        }
        let mut validation = Validation::new(Algorithm::RS256);
        validation.set_issuer(&[issuer]);
        validation.set_required_spec_claims(&["exp", "iss"]);
        // Access tokens carry client_id, not aud (checked below).
        validation.validate_aud = false;
        Ok(HandwrittenAuth {
            keys,
            validation,
            client_id: client_id.to_owned(),
        })
    }

    /// The verified claims of `token`, or `None`.
    fn verify(&self, token: &str) -> Option<AccessClaims> {
        let header = jsonwebtoken::decode_header(token).ok()?;
        let key = self.keys.get(header.kid.as_deref()?)?;
        let claims = jsonwebtoken::decode::<AccessClaims>(token, key, &self.validation)
            .ok()?
            .claims;
        (claims.token_use == "access" && claims.client_id == self.client_id).then_some(claims)
    }
}

/// The middleware: `axum::middleware::from_fn_with_state(Arc<HandwrittenAuth>, require_token)`.
pub async fn require_token(
    State(auth): State<Arc<HandwrittenAuth>>,
    mut request: Request,
    next: Next,
) -> Response {
    let claims = request
        .headers()
        .get(AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Bearer "))
        .and_then(|token| auth.verify(token));
    match claims {
        Some(claims) => {
            request.extensions_mut().insert(claims);
            next.run(request).await
        }
        None => StatusCode::UNAUTHORIZED.into_response(),
    }
}
