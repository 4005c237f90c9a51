//! Amazon Cognito gatekeeping for axum and any tower stack.
//!
//! - [`CognitoAuthLayer`]: verifies the token of every request with
//!   [`cognito_verifier`] and answers refusals like the AWS gatekeeper you
//!   pick ([`Preset::Strict`], [`Preset::ApiGatewayRest`],
//!   [`Preset::ApiGatewayHttp`]); 503 with `Retry-After` when keys are unavailable.
//! - Extractors: [`Claims`] (and `Option<Claims>` on optional routes),
//!   [`TypedClaims`] for your own claim struct, [`ApiGatewayClaims`] for the
//!   `requestContext.authorizer` object Lambda handlers read.
//! - Route guards for `route_layer`: [`require_group`], [`require_scope`],
//!   [`require_owner`] and their any-of/all-of variants.
//!
//! All decisions are made by [`cognito_verifier::gate`], shared with the
//! actix-web adapter, so both answer every request byte for byte alike.
//!
//! The layer does not protect the server it runs in: `axum::serve` has no
//! header-read timeout and no connection limit. The README's section
//! "Serving: timeouts and a connection limit" shows the settings a server
//! facing clients needs, as code compiled by this crate's doc tests.
//!
//! ```no_run
//! use axum::{Router, routing::get};
//! use cognito_axum::{Claims, CognitoAuthLayer, require_group, require_owner, require_scope};
//! use cognito_verifier::{CognitoVerifier, PoolConfig};
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let verifier = CognitoVerifier::builder()
//!     .pool(PoolConfig::new("us-east-1_AbCdEf123").client_id("4b1gq2example"))
//!     .build()?;
//! async fn me(Claims(claims): Claims) -> String {
//!     claims.username().unwrap_or(claims.sub()).to_owned()
//! }
//! let app: Router = Router::new()
//!     .route("/admin", get(me).route_layer(require_group("admin")))
//!     .route("/orders", get(me).route_layer(require_scope("orders/read")))
//!     .route("/users/{sub}/files", get(me).route_layer(require_owner("sub")))
//!     .layer(CognitoAuthLayer::new(verifier));
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:3000").await?;
//! axum::serve(listener, app).await?;
//! # Ok(()) }
//! ```

/// The README's code blocks, compiled as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;

mod extract;
mod guard;
mod layer;
mod response;

pub use cognito_verifier::gate::{AuthContext, Guard, Preset, Rejection};
pub use extract::{ApiGatewayClaims, Claims, ClaimsRejection, TypedClaims};
pub use guard::{
    GuardLayer, GuardService, require_all_groups, require_all_scopes, require_any_group,
    require_any_scope, require_group, require_owner, require_owner_by, require_scope,
};
pub use layer::{BoxResponseFuture, CognitoAuthLayer, CognitoAuthService, ResponseFuture};
pub use response::RejectionResponse;
