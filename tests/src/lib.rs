//! Shared test support for the workspace: [`test_issuer`] mints Cognito-shaped
//! tokens and serves their JWKS on loopback. The end-to-end tests live in
//! `tests/tests/`.

pub mod apps;
pub mod conformance;
pub mod issuer_pool;
pub mod test_issuer;
