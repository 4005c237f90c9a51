//! Authenticate mode: the gate does what an Application Load Balancer's
//! `authenticate-oidc` / `authenticate-cognito` action does (aws-behaviour.md
//! 5.1), so an app gets ALB's browser login without an ALB.
//!
//! ```no_run
//! use std::time::Duration;
//! use cognito_verifier::FetchLimits;
//! use cognito_verifier::gate::Gate;
//! use cognito_verifier::gate::alb::{AlbAuth, IdentityProvider, OnUnauthenticated, SessionKeys};
//! # async fn run(verifier: cognito_verifier::CognitoVerifier) -> Result<(), Box<dyn std::error::Error>> {
//! let idp = IdentityProvider::discover(
//!     "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_X", &FetchLimits::default()).await?;
//! let auth = AlbAuth::builder(idp, "client-id", "client-secret")
//!     .session_keys(SessionKeys::from_base64("<base64 of 32 bytes>")?)
//!     .signer("arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/my-alb/50dc6c495c0c9188")
//!     .on_unauthenticated(OnUnauthenticated::Authenticate)
//!     .session_timeout(Duration::from_secs(8 * 3600))
//!     .build()?;
//! let (kid, pem) = (auth.kid().to_owned(), auth.public_key_pem().to_owned()); // serve at /alb-keys/{kid}
//! let gate = Gate::new(verifier).alb_authenticate(auth);
//! # Ok(()) }
//! ```
//!
//! # The flow
//! 1. **No session** (`authenticate`, the default): 302 to the IdP's
//!    authorization endpoint with `response_type=code`, `client_id`,
//!    `redirect_uri=<origin><callback_path>`, `scope`, `state`, `nonce` and
//!    the extra parameters; `Set-Cookie: AWSALBAuthNonce=<nonce>` (HttpOnly,
//!    SameSite=Lax, Path=/, Max-Age=900, Secure unless the origin is
//!    `http://`). `state` is sealed (AES-256-GCM under the session keys) and
//!    holds the nonce's SHA-256, the original path and query (only a local
//!    path: anything else returns to `/`) and the start time.
//!    `deny`: 401 `{"message":"Unauthorized"}`. `allow`: forwarded as a guest
//!    (`AuthContext::claims()` is `None`, no `x-amzn-oidc-*` headers).
//! 2. **Callback** (`GET <callback_path>?code&state`): the state must open and
//!    be at most 15 minutes old, the `AWSALBAuthNonce` cookie must hash to
//!    the state's nonce hash, and the state must not have been used before
//!    (remembered 15 minutes, in this process). Then the code is redeemed at
//!    the token endpoint (`client_secret_basic`), the ID token's `iss`, `aud`,
//!    `exp` and `nonce` are checked (its signature is not: it came over the
//!    back channel, OIDC Core 3.1.3.7), userInfo is fetched with the access
//!    token (its `sub` must be the ID token's), the session cookie is set,
//!    the nonce cookie expired, and the browser is sent back (302) to where
//!    the login started.
//! 3. **Session requests**: the shards are joined and opened, the session
//!    must be within its timeout (from sign-in, refreshes included) and not
//!    logged out; the request goes on with `x-amzn-oidc-accesstoken` (the
//!    IdP access token), `x-amzn-oidc-identity` (`sub`) and
//!    `x-amzn-oidc-data` (ES256, padded base64url segments, header
//!    `{typ,kid,alg,iss,client,signer,exp}`, payload = the userInfo claims
//!    plus `iss` and `exp` = the access token's expiry; signed once per
//!    access token and cached). This is synchronous (`Gate::admit_now`)
//!    once the access token is in the verifier's cache. An opened session
//!    is kept by its exact cookie text with the header values ready (until
//!    its access token expires or the session ends, whichever is first), so
//!    later requests neither decrypt nor parse it; logout and the
//!    verifier's answer on the access token are still checked each time.
//! 4. **Refresh**: an expired access token is refreshed with the refresh
//!    token (`grant_type=refresh_token`), then userInfo is read again; the
//!    new session cookie is appended to the response. One refresh runs per
//!    session; concurrent requests of that session wait for it, and its
//!    outcome serves requests still carrying the old cookie for a minute.
//!
//! Any `x-amzn-oidc-*` header a client sends is removed before the app sees
//! it (`Gate::strips`), in every case, including guests and bearer requests.
//!
//! # Answers
//! | case | status | `reason` |
//! |---|---|---|
//! | no session, `authenticate` | 302 to the IdP | `alb_login_redirect` |
//! | no session, `deny` (or `api_requests_get_401` and not a navigation) | 401 | `alb_unauthenticated` |
//! | callback: state missing / invalid or older than 15 min | 401 | `alb_state_missing` / `alb_state_invalid` |
//! | callback: nonce cookie missing / not the state's | 401 | `alb_nonce_missing` / `alb_nonce_invalid` |
//! | callback: state used before | 401 | `alb_state_replayed` |
//! | callback: no code | 401 | `alb_code_missing` |
//! | callback: IdP sent `error=` / refused the code / bad ID token or userInfo | 561 | `alb_idp_error` / `alb_code_rejected` / `alb_id_token_invalid` / `alb_userinfo_invalid` |
//! | IdP unreachable, timed out, 5xx (callback or refresh) | 500 | `alb_idp_unavailable` |
//! | session over 4 cookies of 4096 bytes | 500 | `alb_session_too_large` |
//! | callback done | 302 to the original URL | `alb_login_complete` |
//! | logout path | 302 to the IdP's logout | `alb_logout` |
//!
//! 500 and 561 are what an ALB answers when it cannot reach the IdP or the
//! IdP returns an error. Every answer of the mode carries
//! `cache-control: no-store`; bodies are `{"message":...}` JSON.
//!
//! A session that existed but ended (its timeout passed, or its access
//! token expired and could not be refreshed, or the verifier refuses its
//! access token) is answered like a missing session, except that `deny`
//! still redirects to log in again, as ALB does. Broken (a missing, repeated
//! or extra shard), tampered, undecryptable and logged-out sessions count
//! as no session, and their shards are expired in the answer.
//!
//! # Options ([`AlbAuthBuilder`])
//! - `callback_path` (default `/oauth2/idpresponse`), `scope` (default
//!   `openid`, must contain it), `extra_param` (ALB's
//!   `AuthenticationRequestExtraParams`: at most 10, alphanumeric names,
//!   not the protocol's own), `session_cookie` (default
//!   `AWSELBAuthSessionCookie`), `session_timeout` (default and maximum 7
//!   days), `on_unauthenticated` (`Authenticate` | `Deny` | `Allow`).
//! - `session_keys` (mandatory): AES-256-GCM keys; the first encrypts, all
//!   decrypt (rotation: put the new key first, drop the old one after a
//!   session timeout). Every instance behind one site needs the same keys.
//! - `signer` (mandatory): the ALB ARN written as `signer`; `signing_key`
//!   (default: generated at start; give every instance the same key).
//! - `public_origin` (default `https://` + the `Host` header): the origin
//!   of the callback URL; an `http://` origin drops `Secure` from cookies.
//! - Beyond ALB, each off by default: `accept_bearer` (a request with
//!   `Authorization: Bearer` is verified as a bearer token by the gate's
//!   verifier instead), `api_requests_get_401` (`Sec-Fetch-Mode` other than
//!   `navigate`, or no `Sec-Fetch-Mode` and an `Accept` without `text/html`:
//!   401 instead of 302), `logout_path` (expires every shard, revokes the
//!   session id in this process, 302 to the IdP's logout endpoint with
//!   `client_id` and `logout_uri`).
//! - `verify_access_token` (default true): the identity extractors and
//!   guards see is the session's access token verified by the gate's
//!   verifier (groups, scopes), so configure that verifier for access
//!   tokens of the pool; false: the userInfo claims with `iss` and `exp`.
//!
//! # Cookies and limits
//! - Session: `<name>-0` .. `<name>-3`, each `name=value` at most 4096
//!   bytes; `Path=/; HttpOnly; SameSite=Lax`, `Secure` unless the origin is
//!   `http://`, `Max-Age` = the session's remaining time. The sealed session
//!   holds the access and refresh tokens and the userInfo claims; a session
//!   needing more than 4 shards is refused with 500 (ALB:
//!   `ELBAuthUserClaimsSizeExceeded`).
//! - Login state: 15 minutes. Used states, logged-out session ids, signed
//!   data tokens and refresh outcomes are kept in bounded memory
//!   (100 000 entries each), opened sessions in at most 64 MiB, all in
//!   this process: a logout is not seen by other instances.
//! - IdP calls: `FetchLimits` of the [`IdentityProvider`] (default 2 s
//!   connect, 5 s total, 64 KiB), no redirects.

mod callback;
mod config;
// The session's building blocks are public for the benches and fuzz targets
// (which use only the public API) but are not part of the stable API.
#[doc(hidden)]
pub mod cookies;
#[doc(hidden)]
pub mod data_cache;
pub(crate) mod flow;
mod logout;
mod oidc;
mod opened;
mod refresh;
pub mod seal;
#[doc(hidden)]
pub mod session;
pub mod signer;
#[doc(hidden)]
pub mod state;
mod visit;

pub use config::{
    AlbAuth, AlbAuthBuilder, DEFAULT_CALLBACK_PATH, DEFAULT_SESSION_COOKIE,
    DEFAULT_SESSION_TIMEOUT, NONCE_COOKIE, OnUnauthenticated,
};
#[doc(hidden)]
pub use cookies::{CookieAttrs, Joined, TooLarge};
#[doc(hidden)]
pub use data_cache::DataCache;
pub use oidc::{IdentityProvider, IdpError};
pub use seal::{CryptoError, SessionKeys};
#[doc(hidden)]
pub use session::Session;
pub use signer::{AlbSigner, DataHeader};
#[doc(hidden)]
pub use state::LoginState;
