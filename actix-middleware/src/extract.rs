//! Extractors for handlers behind [`CognitoAuth`](crate::CognitoAuth).

use std::future::{Ready, ready};

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpMessage, HttpRequest, HttpResponse, ResponseError};
use cognito_verifier::CognitoClaims;
use cognito_verifier::gate::{self, AuthContext, Denial, Installation};
use serde::de::DeserializeOwned;

use crate::response::to_response;

/// The verified claims. Refuses (401, in the middleware's format) on a guest
/// request; `Option<Claims>` yields `None` for guests.
#[derive(Debug, Clone)]
pub struct Claims(pub CognitoClaims);

/// The claims mapped onto your own type; 403 when they do not fit it.
#[derive(Debug, Clone)]
pub struct TypedClaims<T>(pub T);

/// The claims exactly as API Gateway hands them to a Lambda backend, as
/// `requestContext.authorizer` JSON (REST form, or HTTP API form under
/// [`Preset::ApiGatewayHttp`](crate::Preset::ApiGatewayHttp)).
#[derive(Debug, Clone)]
pub struct ApiGatewayClaims(pub serde_json::Value);

/// How the log line of a route without the middleware tells users to fix it.
pub(crate) const INSTALLATION: Installation = Installation {
    component: "the CognitoAuth middleware",
    fix: "`.wrap(CognitoAuth::new(verifier))` to the App, scope or resource",
};

/// Why an extractor could not produce its value.
#[derive(Debug)]
#[non_exhaustive]
pub enum ClaimsError {
    /// The route is not wrapped by [`CognitoAuth`](crate::CognitoAuth): a
    /// server configuration error (500), logged.
    MissingLayer,
    /// The request is a guest's (optional middleware, no token).
    Unauthenticated(AuthContext),
    /// The claims do not fit the requested type.
    Unfit(AuthContext),
}

impl std::fmt::Display for ClaimsError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            ClaimsError::MissingLayer => "authentication is not configured for this route",
            ClaimsError::Unauthenticated(_) => "a token is required",
            ClaimsError::Unfit(_) => "the token's claims do not fit",
        })
    }
}

impl ResponseError for ClaimsError {
    fn error_response(&self) -> HttpResponse {
        match self {
            ClaimsError::MissingLayer => to_response(gate::not_configured()),
            ClaimsError::Unauthenticated(auth) => to_response(auth.preset().missing_token()),
            ClaimsError::Unfit(auth) => to_response(auth.preset().denied(&Denial::Custom)),
        }
    }
}

/// The middleware's [`AuthContext`]; without the middleware, the core's
/// logged configuration error.
fn context(request: &HttpRequest) -> Result<AuthContext, ClaimsError> {
    let extensions = request.extensions();
    gate::require_context(
        extensions.get::<AuthContext>(),
        &INSTALLATION,
        Some(request.path()),
    )
    .cloned()
    .map_err(|_| ClaimsError::MissingLayer)
}

fn required_claims(request: &HttpRequest) -> Result<(AuthContext, CognitoClaims), ClaimsError> {
    let auth = context(request)?;
    match auth.claims().cloned() {
        Some(claims) => Ok((auth, claims)),
        None => Err(ClaimsError::Unauthenticated(auth)),
    }
}

impl FromRequest for Claims {
    type Error = ClaimsError;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(request: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(required_claims(request).map(|(_, claims)| Claims(claims)))
    }
}

impl<T: DeserializeOwned> FromRequest for TypedClaims<T> {
    type Error = ClaimsError;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(request: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(required_claims(request).and_then(|(auth, claims)| {
            claims.deserialize().map(TypedClaims).map_err(|error| {
                tracing::debug!(%error, "claims do not fit the handler's type");
                ClaimsError::Unfit(auth)
            })
        }))
    }
}

impl FromRequest for ApiGatewayClaims {
    type Error = ClaimsError;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(request: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(
            context(request).and_then(|auth| match auth.api_gateway_authorizer() {
                Some(json) => Ok(ApiGatewayClaims(json)),
                None => Err(ClaimsError::Unauthenticated(auth)),
            }),
        )
    }
}
