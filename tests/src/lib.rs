//! End-to-end tests (in `tests/tests/`) against the reference issuer and both
//! adapters, and what they share: [`apps`], the conformance routes on each
//! adapter, and [`issuer_pool`], a running reference issuer driven over its
//! real HTTP API.
//!
//! Test support that needs neither the issuer nor a web framework (the test
//! token issuer, the conformance table and runner, the Cognito JSON API
//! client) lives in `cognito-test-support`.

pub mod apps;
pub mod issuer_pool;
