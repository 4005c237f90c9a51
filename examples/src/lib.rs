//! Runnable programs for cognito-gatekeeper, and the example API they share.
//!
//! Binaries (`cargo run -p cognito-examples --bin NAME`):
//! - `demo`: the end-to-end demo (issuer + axum API + actix API + a real sign-in).
//! - `verify`: verify tokens from scripts.
//! - `adapter-bench`: the hello-world app for load tools (with our layer, without it,
//!   or with [`handwritten_auth`], the baseline a team would write on `jsonwebtoken`).
//! - `axum-app`, `actix-app`: the example API, protected by each adapter,
//!   configured from the environment (see [`ExampleConfig::from_env`]).
//!
//! Both example apps serve the same routes:
//!
//! | route | protection |
//! |---|---|
//! | `GET /public` | none |
//! | `GET /hello` | any valid token |
//! | `GET /me` | any valid token; echoes the claims |
//! | `GET /admin` | group `admin` |
//! | `GET /profile` | scope `aws.cognito.signin.user.admin` (every user access token) |
//! | `GET /orders` | scope `orders/read` (e.g. a client_credentials token) |
//! | `GET /users/{sub}/files` | the token's `sub` must be `{sub}` |
//!
//! With `COGNITO_MODE=alb` ([`alb_mode`]) the apps are the load balancer's
//! `authenticate` action instead: a browser without a session is sent to
//! the IdP's login page, and the same routes see session identities.
//! `/me` then answers the three `x-amzn-oidc-*` headers it received
//! (`{"accesstoken", "identity", "data"}`), `GET /alb-keys/{kid}` (no gate)
//! serves the public key of `x-amzn-oidc-data` as PEM, `/oauth2/idpresponse`
//! is the callback and `/logout` ends the session.

pub mod alb_mode;
pub mod apps;
pub mod handwritten_auth;
pub mod server;

pub use apps::{ExampleConfig, actix_app, axum_app};
pub use server::{ServerLimits, serve_axum, spawn_actix};
