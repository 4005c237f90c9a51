//! ALB mode: the pieces of an Application Load Balancer's `authenticate-oidc`
//! action (session cookies, login state, the signed `x-amzn-oidc-data`).

pub mod seal;
pub mod signer;

pub use seal::{CryptoError, SessionKeys};
pub use signer::{AlbSigner, DataHeader};
