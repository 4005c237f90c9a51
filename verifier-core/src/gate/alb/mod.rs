//! ALB mode: the pieces of an Application Load Balancer's `authenticate-oidc`
//! action (session cookies, login state, the signed `x-amzn-oidc-data`).

mod callback;
mod config;
pub mod cookies;
pub mod data_cache;
pub(crate) mod flow;
mod logout;
mod oidc;
mod refresh;
pub mod seal;
pub mod session;
pub mod signer;
pub mod state;

pub use config::{
    AlbAuth, AlbAuthBuilder, DEFAULT_CALLBACK_PATH, DEFAULT_SESSION_COOKIE,
    DEFAULT_SESSION_TIMEOUT, NONCE_COOKIE, OnUnauthenticated,
};
pub use cookies::{CookieAttrs, Joined, TooLarge};
pub use data_cache::DataCache;
pub use oidc::{IdentityProvider, IdpError};
pub use seal::{CryptoError, SessionKeys};
pub use session::Session;
pub use signer::{AlbSigner, DataHeader};
pub use state::LoginState;
