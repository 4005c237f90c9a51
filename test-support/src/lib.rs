//! Test and tool support shared by the workspace. It depends on no web
//! framework and not on the reference issuer, so the verifier's and the
//! adapters' tests can use it without compiling either.
//!
//! - [`test_issuer`]: RSA keys generated at run time, tokens with Cognito's
//!   claim sets, and a real JWKS HTTP server on loopback whose behaviour
//!   tests can change.
//! - [`alb_tokens`]: ALB `x-amzn-oidc-data` tokens (ES256, padded) with knobs
//!   for each bad variant, and a loopback PEM key server.
//! - [`conformance`]: the adapter conformance table
//!   (`test-support/conformance/cases.json`) and its runner, which drives any
//!   HTTP adapter over real loopback HTTP; [`conformance_alb`] runs its ALB
//!   rows (being an ALB, and behind one).
//! - [`cognito_api`]: the one client of the Cognito JSON API
//!   (`application/x-amz-json-1.1` with `X-Amz-Target`), used by the
//!   end-to-end tests, the reference issuer's tests and load generators, and
//!   the demo.
//! - [`hosted_login`]: a browser-style sign-in through the issuer's hosted
//!   login page (cookie jar, CSRF token, PKCE), used by the demo and tests.
//! - [`headers`]: `PairHeaders`, a request's headers for driving the gate
//!   without a web framework.
//! - [`test_idp`]: a loopback OpenID Connect identity provider (instant
//!   login, code and refresh grants, userInfo) for the ALB-mode tests.

pub mod alb_tokens;
pub mod cognito_api;
pub mod conformance;
pub mod conformance_alb;
pub mod headers;
pub mod hosted_login;
mod loopback;
pub mod test_idp;
pub mod test_issuer;
