//! ALB mode: the pieces of an Application Load Balancer's `authenticate-oidc`
//! action (session cookies, login state, the signed `x-amzn-oidc-data`).

pub mod cookies;
pub mod data_cache;
pub mod seal;
pub mod session;
pub mod signer;
pub mod state;

pub use cookies::{CookieAttrs, Joined, TooLarge};
pub use data_cache::DataCache;
pub use seal::{CryptoError, SessionKeys};
pub use session::Session;
pub use signer::{AlbSigner, DataHeader};
pub use state::LoginState;
