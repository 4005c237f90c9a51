//! Extractors for handlers behind [`CognitoAuthLayer`](crate::CognitoAuthLayer).

use axum::extract::{FromRequestParts, OptionalFromRequestParts};
use axum::response::{IntoResponse, Response};
use cognito_verifier::CognitoClaims;
use cognito_verifier::gate::{AuthContext, Denial};
use http::StatusCode;
use http::request::Parts;
use serde::de::DeserializeOwned;

use crate::response::to_response;

/// The verified claims. Refuses (401, in the layer's format) on a guest
/// request; use `Option<Claims>` on routes that allow guests.
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

/// Why an extractor could not produce its value.
#[derive(Debug)]
pub enum ClaimsRejection {
    /// The route is not behind a [`CognitoAuthLayer`](crate::CognitoAuthLayer):
    /// a server configuration error (500), logged.
    MissingLayer,
    /// The request is a guest's (optional layer, no token).
    Unauthenticated(AuthContext),
    /// The claims do not fit the requested type.
    Unfit(AuthContext),
}

impl IntoResponse for ClaimsRejection {
    fn into_response(self) -> Response {
        match self {
            ClaimsRejection::MissingLayer => {
                tracing::error!(
                    "a Cognito claims extractor ran on a route without CognitoAuthLayer; \
                     add `.layer(CognitoAuthLayer::new(verifier))` to the router"
                );
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "authentication is not configured for this route",
                )
                    .into_response()
            }
            ClaimsRejection::Unauthenticated(auth) => to_response(auth.preset().missing_token()),
            ClaimsRejection::Unfit(auth) => to_response(auth.preset().denied(&Denial::Custom)),
        }
    }
}

fn context(parts: &Parts) -> Result<&AuthContext, ClaimsRejection> {
    parts
        .extensions
        .get::<AuthContext>()
        .ok_or(ClaimsRejection::MissingLayer)
}

/// The claims of an authenticated request; a guest is refused.
fn required_claims(parts: &Parts) -> Result<(&AuthContext, &CognitoClaims), ClaimsRejection> {
    let auth = context(parts)?;
    match auth.claims() {
        Some(claims) => Ok((auth, claims)),
        None => Err(ClaimsRejection::Unauthenticated(auth.clone())),
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Claims {
    type Rejection = ClaimsRejection;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        required_claims(parts).map(|(_, claims)| Claims(claims.clone()))
    }
}

impl<S: Send + Sync> OptionalFromRequestParts<S> for Claims {
    type Rejection = ClaimsRejection;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Option<Self>, Self::Rejection> {
        Ok(context(parts)?.claims().cloned().map(Claims))
    }
}

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for TypedClaims<T> {
    type Rejection = ClaimsRejection;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let (auth, claims) = required_claims(parts)?;
        claims.deserialize().map(TypedClaims).map_err(|error| {
            tracing::debug!(%error, "claims do not fit the handler's type");
            ClaimsRejection::Unfit(auth.clone())
        })
    }
}

impl<S: Send + Sync> FromRequestParts<S> for ApiGatewayClaims {
    type Rejection = ClaimsRejection;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let auth = context(parts)?;
        auth.api_gateway_authorizer()
            .map(ApiGatewayClaims)
            .ok_or_else(|| ClaimsRejection::Unauthenticated(auth.clone()))
    }
}
