//! Every integration test of this crate in one binary (one link instead of
//! one per file: CI's disk and time). Each file below is a module; run one
//! with `cargo test -p <crate> --test integration <module>::`.

// The conformance routes, shared with cognito-e2e (where its items are
// public API) and run there with tokens from the reference issuer.
#[allow(unreachable_pub)]
#[path = "../../tests/src/apps/actix_app.rs"]
mod actix_app;
mod conformance;
mod extractors;
mod preflight;
