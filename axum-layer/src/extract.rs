//! Extractors for handlers behind [`CognitoAuthLayer`](crate::CognitoAuthLayer).

use std::fmt;

use axum::extract::{FromRequestParts, OptionalFromRequestParts};
use axum::response::{IntoResponse, Response};
use cognito_verifier::CognitoClaims;
use cognito_verifier::gate::{self, AuthContext, Denial, Installation, Rejection};
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

/// How the log line of a route without the layer tells users to fix it.
pub(crate) const INSTALLATION: Installation = Installation {
    component: "CognitoAuthLayer",
    fix: "`.layer(CognitoAuthLayer::new(verifier))` to the router",
};

/// Why an extractor could not produce its value.
///
/// Like axum's own rejections it has a [`status`](Self::status), a
/// `Display` text and an [`IntoResponse`] rendering (the layer's exact
/// answer for the request's preset).
#[derive(Debug)]
#[non_exhaustive]
pub enum ClaimsRejection {
    /// The route is not behind a [`CognitoAuthLayer`](crate::CognitoAuthLayer):
    /// a server configuration error (500), logged.
    MissingLayer,
    /// The request is a guest's (optional layer, no token).
    Unauthenticated(AuthContext),
    /// The claims do not fit the requested type.
    Unfit(AuthContext),
}

impl ClaimsRejection {
    /// The HTTP status of the response: 500 without the layer, else the
    /// preset's 401 (guest) or 403 (claims that do not fit).
    pub fn status(&self) -> StatusCode {
        let status = match self {
            ClaimsRejection::MissingLayer => gate::NOT_CONFIGURED_STATUS,
            other => other.rejection().status,
        };
        StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }

    fn rejection(&self) -> Rejection {
        match self {
            ClaimsRejection::MissingLayer => gate::not_configured(),
            ClaimsRejection::Unauthenticated(auth) => auth.preset().missing_token(),
            ClaimsRejection::Unfit(auth) => auth.preset().denied(&Denial::Custom),
        }
    }
}

impl fmt::Display for ClaimsRejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ClaimsRejection::MissingLayer => "authentication is not configured for this route",
            ClaimsRejection::Unauthenticated(_) => "a token is required",
            ClaimsRejection::Unfit(_) => "the token's claims do not fit",
        })
    }
}

impl std::error::Error for ClaimsRejection {}

impl IntoResponse for ClaimsRejection {
    fn into_response(self) -> Response {
        to_response(self.rejection())
    }
}

/// The layer's [`AuthContext`]; without the layer, the core's logged
/// configuration error.
pub(crate) fn context(parts: &Parts) -> Result<&AuthContext, ClaimsRejection> {
    gate::require_context(parts.extensions.get::<AuthContext>(), &INSTALLATION, None)
        .map_err(|_| ClaimsRejection::MissingLayer)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejection_has_status_display_and_error() {
        let rejection = ClaimsRejection::MissingLayer;
        assert_eq!(rejection.status(), StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(
            rejection.to_string(),
            "authentication is not configured for this route"
        );
        let error: &dyn std::error::Error = &rejection;
        assert!(error.source().is_none());
        assert_eq!(
            rejection.into_response().status(),
            StatusCode::INTERNAL_SERVER_ERROR
        );
    }
}
