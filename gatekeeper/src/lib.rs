//! `cognito-gatekeeper`: API Gateway's Cognito gatekeeping in front of any
//! backend. The binary reads a TOML file ([`config::File`], which an
//! importer of API Gateway definitions can also produce), builds it into a
//! [`runtime::Runtime`] and serves it ([`server`]) as a reverse proxy
//! ([`proxy`]) and a forward-auth endpoint ([`forward_auth`]). Every
//! decision is `cognito_verifier::gate`'s; this crate moves bytes.

pub mod admit;
pub mod config;
pub mod cors;
pub mod forward_auth;
pub mod headers;
pub mod metrics;
pub mod openapi;
pub mod proxy;
pub mod runtime;
pub mod server;
pub mod upstream;
