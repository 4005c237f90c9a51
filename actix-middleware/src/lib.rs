//! Amazon Cognito gatekeeping for actix-web.
//!
//! - [`CognitoAuth`]: middleware for an `App`, `scope` or `resource` that
//!   verifies every request's token with [`cognito_verifier`] and answers
//!   refusals like the AWS gatekeeper you pick ([`Preset::Strict`],
//!   [`Preset::ApiGatewayRest`], [`Preset::ApiGatewayHttp`]); 503 with
//!   `Retry-After` when keys are unavailable.
//! - Extractors: [`Claims`] (and `Option<Claims>` for optional routes),
//!   [`TypedClaims`], [`ApiGatewayClaims`].
//! - Guards for a `scope` or `resource`: [`require_group`], [`require_scope`],
//!   [`require_owner`] and their any-of/all-of variants.
//!
//! Every decision comes from [`cognito_verifier::gate`], shared with
//! `cognito-axum`; the shared conformance table proves both answer alike.
//!
//! Note: actix-web's `Option<T>` extractor turns any extraction error into
//! `None`, so `Option<Claims>` on a route without the middleware yields
//! `None`; the configuration error is still logged at `error` level.

mod extract;
mod guard;
mod middleware;
mod response;

pub use cognito_verifier::gate::{AuthContext, Guard, Preset, Rejection};
pub use extract::{ApiGatewayClaims, Claims, ClaimsError, TypedClaims};
pub use guard::{
    CognitoGuard, CognitoGuardMiddleware, require_all_groups, require_all_scopes,
    require_any_group, require_any_scope, require_group, require_owner, require_owner_by,
    require_scope,
};
pub use middleware::{CognitoAuth, CognitoAuthMiddleware};
pub use response::to_response;
