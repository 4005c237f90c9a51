//! The framework-free gatekeeper shared by the HTTP adapters.
//!
//! A [`Gate`] turns "the values of the token header (and cookies)" into either
//! an [`AuthContext`] to attach to the request, or a [`Rejection`] to send
//! back, following one of three [`Preset`]s. [`Guard`]s check per-route
//! requirements the same way, and [`require_context`] is the one rule for an
//! extractor or guard used on a route without the gate; a [`RouteTable`] maps API
//! Gateway route keys to [`RouteRules`] (guards, guests) for callers that
//! see only a method and path, such as a Lambda authorizer. `cognito-axum` and
//! `cognito-actix` only move bytes between their framework and this module,
//! so both answer every case byte for byte alike.
//!
//! ```no_run
//! use cognito_verifier::gate::{Gate, Preset};
//! # async fn run(verifier: cognito_verifier::CognitoVerifier) {
//! let gate = Gate::new(verifier).preset(Preset::ApiGatewayHttp);
//! let header: &[u8] = b"Bearer eyJ...";
//! // Every value of the token header, then every value of `Cookie`.
//! match gate.authenticate([header], []).await {
//!     Ok(auth) => println!("sub = {:?}", auth.claims().map(|c| c.sub())),
//!     Err(rejection) => println!("{} {}", rejection.status, rejection.body),
//! }
//! # }
//! ```

pub mod alb;
mod apigw;
mod behind_alb;
mod cors;
mod guard;
mod integration;
mod mapping;
mod request;
mod response;
mod routes;
mod token_source;
mod unconfigured;

pub use apigw::{HttpAuthorizer, HttpJwt, RestAuthorizer, java_date_utc};
pub use cors::{Cors, CorsError, is_preflight};
pub use guard::Guard;
pub use mapping::{HeaderOp, Mapping, MappingError};
pub use request::{Admitted, HeaderView, RequestHead};
pub use response::{Denial, Rejection, describe};
pub use routes::{Route, RouteError, RouteMatch, RouteRules, RouteTable};
pub use token_source::{Presented, TokenSource};
pub use unconfigured::{Installation, NOT_CONFIGURED_STATUS, not_configured, require_context};

use crate::claims::CognitoClaims;
use crate::policy::{ClientMatch, ExpectedTokenUse, Policy, Requirement};
use crate::verifier::CognitoVerifier;

/// Which gatekeeper to behave like.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum Preset {
    /// The default: token use and app client as configured in the verifier;
    /// RFC 6750 answers (`WWW-Authenticate: Bearer error="invalid_token"`,
    /// `error="insufficient_scope"`) with JSON bodies.
    #[default]
    Strict,
    /// API Gateway REST API with a Cognito user pool authorizer: an ID token,
    /// unless the gate requires scopes, in which case an access token whose
    /// scopes intersect them; `{"message":"Unauthorized"}` /
    /// `{"message":"The incoming token has expired"}`.
    ApiGatewayRest,
    /// API Gateway HTTP API with a JWT authorizer: `iss`, audience (`aud`,
    /// else `client_id`) and times, no `token_use` check;
    /// `{"message":"Unauthorized"}` with a `www-authenticate` challenge, and
    /// `{"message":"Forbidden"}` for scope misses.
    ApiGatewayHttp,
}

impl Preset {
    /// The preset for a configuration name: `strict`, `api-gateway-rest`
    /// (also `apigw-rest`, `rest`) or `api-gateway-http` (also `apigw-http`,
    /// `http`); one parser for every tool's config (the gatekeeper's TOML,
    /// the Lambda authorizer's, the example apps' `COGNITO_PRESET`).
    pub fn from_name(name: &str) -> Option<Preset> {
        match name {
            "strict" => Some(Preset::Strict),
            "api-gateway-rest" | "apigw-rest" | "rest" => Some(Preset::ApiGatewayRest),
            "api-gateway-http" | "apigw-http" | "http" => Some(Preset::ApiGatewayHttp),
            _ => None,
        }
    }
}

/// What the gate attached to an admitted request: the claims, or none for a
/// guest on an optional gate. Cheap to clone.
#[derive(Debug, Clone)]
pub struct AuthContext {
    claims: Option<CognitoClaims>,
    preset: Preset,
}

impl AuthContext {
    /// A guest (no claims) under `preset`: what a route without an
    /// authorizer hands its guards and mappings. It carries no identity,
    /// so every guard refuses it and mappings find no claim.
    pub fn guest(preset: Preset) -> Self {
        AuthContext {
            claims: None,
            preset,
        }
    }

    /// The verified claims; `None` for a guest.
    pub fn claims(&self) -> Option<&CognitoClaims> {
        self.claims.as_ref()
    }

    /// The preset of the gate that admitted the request.
    pub fn preset(&self) -> Preset {
        self.preset
    }

    /// The claims as a REST API Cognito authorizer passes them.
    pub fn rest_authorizer(&self) -> Option<RestAuthorizer> {
        self.claims.as_ref().map(RestAuthorizer::from_claims)
    }

    /// The claims as an HTTP API JWT authorizer passes them.
    pub fn http_authorizer(&self) -> Option<HttpAuthorizer> {
        self.claims.as_ref().map(HttpAuthorizer::from_claims)
    }

    /// `requestContext.authorizer` as JSON, in the form of this gate's preset
    /// (REST form for [`Preset::Strict`]); `None` for a guest.
    pub fn api_gateway_authorizer(&self) -> Option<serde_json::Value> {
        let value = match self.preset {
            Preset::ApiGatewayHttp => serde_json::to_value(self.http_authorizer()?),
            Preset::Strict | Preset::ApiGatewayRest => {
                serde_json::to_value(self.rest_authorizer()?)
            }
        };
        value.ok()
    }
}

/// Authenticates requests for one route tree; see the [module docs](self).
#[derive(Debug, Clone)]
pub struct Gate {
    verifier: CognitoVerifier,
    preset: Preset,
    source: TokenSource,
    optional: bool,
    scopes: Option<Requirement>,
    retry_after_secs: u64,
    policy: Policy,
    mode: Mode,
    pass_preflight: bool,
}

/// What the gate reads a request's identity from.
#[derive(Debug, Clone)]
enum Mode {
    /// A bearer token from the [`TokenSource`].
    Token,
    /// Being the ALB: sessions, the login flow, `x-amzn-oidc-*` headers.
    Authenticate(std::sync::Arc<alb::AlbAuth>),
    /// `x-amzn-oidc-data` (and optionally the access token) from an ALB.
    BehindAlb(std::sync::Arc<behind_alb::BehindAlb>),
}

impl Gate {
    /// A strict, mandatory gate reading `Authorization`.
    pub fn new(verifier: CognitoVerifier) -> Self {
        Gate {
            verifier,
            preset: Preset::Strict,
            source: TokenSource::default(),
            optional: false,
            scopes: None,
            retry_after_secs: 10,
            policy: Policy::NONE,
            mode: Mode::Token,
            pass_preflight: false,
        }
        .with_policy()
    }

    /// Authenticate mode: the gate does what an ALB `authenticate-oidc` /
    /// `authenticate-cognito` action does (login redirect, callback,
    /// encrypted session cookie, refresh, `x-amzn-oidc-*` request headers);
    /// see [`alb`]. The verifier checks the session's access token (unless
    /// [`AlbAuthBuilder::verify_access_token`](alb::AlbAuthBuilder::verify_access_token)
    /// is off) and bearer tokens (with
    /// [`AlbAuthBuilder::accept_bearer`](alb::AlbAuthBuilder::accept_bearer)).
    pub fn alb_authenticate(mut self, auth: impl Into<std::sync::Arc<alb::AlbAuth>>) -> Self {
        self.mode = Mode::Authenticate(auth.into());
        self
    }

    /// The authenticate-mode configuration, if the gate is in that mode
    /// (e.g. to serve [`AlbAuth::public_key_pem`](alb::AlbAuth::public_key_pem)).
    pub fn alb_auth(&self) -> Option<&alb::AlbAuth> {
        match &self.mode {
            Mode::Authenticate(auth) => Some(auth),
            Mode::Token | Mode::BehindAlb(_) => None,
        }
    }

    /// Behaves like `preset`.
    pub fn preset(mut self, preset: Preset) -> Self {
        self.preset = preset;
        self.with_policy()
    }

    /// Reads the token from `source` (default: the `Authorization` header).
    pub fn token_source(mut self, source: TokenSource) -> Self {
        self.source = source;
        self
    }

    /// Reads the token from header `name` (API Gateway's identity source),
    /// keeping any configured cookie.
    pub fn header(mut self, name: &str) -> Self {
        self.source = self.source.with_header(name);
        self
    }

    /// Also reads the token from cookie `name` when the header is absent.
    pub fn cookie(mut self, name: &str) -> Self {
        self.source = self.source.with_cookie(name);
        self
    }

    /// Lets requests without any token through as guests (no claims). A
    /// token that is present but invalid is still refused.
    pub fn optional(mut self) -> Self {
        self.optional = true;
        self
    }

    /// Scopes every request must carry, like the authorization scopes of an
    /// API Gateway method or route. For [`Preset::ApiGatewayRest`] this also
    /// switches the expected token from ID to access token.
    pub fn require_scopes(mut self, scopes: Requirement) -> Self {
        self.scopes = Some(scopes);
        self.with_policy()
    }

    /// Passes CORS preflights ([`is_preflight`]: `OPTIONS` with `Origin` and
    /// `Access-Control-Request-Method`) to the inner service as guests,
    /// without authentication, for applications that answer CORS with
    /// their own layer inside this one (browsers never send credentials on
    /// a preflight). Off by default.
    pub fn pass_preflight(mut self, enabled: bool) -> Self {
        self.pass_preflight = enabled;
        self
    }

    /// `Retry-After` seconds on 503 answers (default 10).
    pub fn retry_after(mut self, seconds: u64) -> Self {
        self.retry_after_secs = seconds;
        self
    }

    /// The configured token source.
    pub fn source(&self) -> &TokenSource {
        &self.source
    }

    /// The configured preset.
    pub fn current_preset(&self) -> Preset {
        self.preset
    }

    /// The verifier this gate uses.
    pub fn verifier(&self) -> &CognitoVerifier {
        &self.verifier
    }

    fn with_policy(mut self) -> Self {
        self.policy = match self.preset {
            Preset::Strict => Policy {
                scopes: self.scopes.clone(),
                ..Policy::NONE
            },
            Preset::ApiGatewayRest => Policy {
                token_use: Some(if self.scopes.is_some() {
                    ExpectedTokenUse::Access
                } else {
                    ExpectedTokenUse::Id
                }),
                scopes: self.scopes.clone(),
                ..Policy::NONE
            },
            Preset::ApiGatewayHttp => Policy {
                token_use: Some(ExpectedTokenUse::Unchecked),
                client_match: Some(ClientMatch::AudOrClientId),
                scopes: self.scopes.clone(),
                ..Policy::NONE
            },
        };
        self
    }

    /// Decides on a request, given every raw value of the token header and
    /// every raw value of the `Cookie` header, in request order (empty when
    /// absent). Adapters pass all values: a repeated credential is refused
    /// here (see [`TokenSource`]), never resolved by picking one.
    pub async fn authenticate<'a>(
        &self,
        headers: impl IntoIterator<Item = &'a [u8]>,
        cookies: impl IntoIterator<Item = &'a [u8]>,
    ) -> Result<AuthContext, Rejection> {
        let presented = self.source.find(headers, cookies);
        self.decide(self.verdict(presented).await)
    }

    /// [`authenticate`](Self::authenticate) without waiting: `None` when
    /// deciding needs a full (possibly fetching) verification, i.e. the token
    /// is not in the verified-token cache. Adapters call this first and fall
    /// back to `authenticate`, which keeps the common case free of
    /// allocation and task switching.
    pub fn authenticate_now<'a>(
        &self,
        headers: impl IntoIterator<Item = &'a [u8]>,
        cookies: impl IntoIterator<Item = &'a [u8]>,
    ) -> Option<Result<AuthContext, Rejection>> {
        let verdict = match self.source.find(headers, cookies) {
            Presented::Token(token) => {
                Verdict::Verified(self.verifier.verify_cached(token, &self.policy)?)
            }
            Presented::Missing => Verdict::Missing,
            Presented::Malformed => Verdict::Malformed,
            Presented::Ambiguous => Verdict::Ambiguous,
        };
        Some(self.decide(verdict))
    }

    /// Decides on a request without waiting: `None` when deciding needs
    /// something asynchronous (a full token verification, a key fetch, a
    /// call to the identity provider). Adapters call this first and fall
    /// back to [`admit`](Self::admit), which keeps the common case free of
    /// allocation and task switching.
    pub fn admit_now<H: HeaderView>(
        &self,
        head: &RequestHead<'_, H>,
    ) -> Option<Result<Admitted, Rejection>> {
        if self.pass_preflight && is_preflight(head) {
            return Some(Ok(self.preflight_guest()));
        }
        match &self.mode {
            Mode::Token => self
                .authenticate_now(
                    head.headers.values(self.source.header_name()),
                    head.headers.values("cookie"),
                )
                .map(|result| result.map(Admitted::plain)),
            Mode::Authenticate(auth) => alb::flow::admit_now(self, auth, head),
            Mode::BehindAlb(alb) => self.admit_behind_alb_now(alb, head),
        }
    }

    /// Decides on a request: the identity and headers to attach, or the
    /// answer to send instead (a refusal or a redirect).
    pub async fn admit<H: HeaderView + Sync>(
        &self,
        head: &RequestHead<'_, H>,
    ) -> Result<Admitted, Rejection> {
        if self.pass_preflight && is_preflight(head) {
            return Ok(self.preflight_guest());
        }
        match &self.mode {
            Mode::Token => {
                // Found before the await: no header iterator lives across it.
                let presented = self.source.find(
                    head.headers.values(self.source.header_name()),
                    head.headers.values("cookie"),
                );
                self.decide(self.verdict(presented).await)
                    .map(Admitted::plain)
            }
            Mode::Authenticate(auth) => alb::flow::admit(self, auth, head).await,
            Mode::BehindAlb(alb) => self.admit_behind_alb(alb, head).await,
        }
    }

    /// Whether an adapter must delete request header `lower_case_name`
    /// before the inner service sees it (a client must not be able to send
    /// headers the gate itself sets).
    pub fn strips(&self, lower_case_name: &str) -> bool {
        match &self.mode {
            // Behind an ALB nothing is stripped: the ALB sets the headers.
            Mode::Token | Mode::BehindAlb(_) => {
                let _ = lower_case_name;
                false
            }
            Mode::Authenticate(_) => lower_case_name.starts_with("x-amzn-oidc-"),
        }
    }

    /// Whether [`strips`](Self::strips) can name any header at all, so an
    /// adapter can skip the walk over the header names.
    pub fn strips_any(&self) -> bool {
        match &self.mode {
            Mode::Token | Mode::BehindAlb(_) => false,
            Mode::Authenticate(_) => true,
        }
    }

    /// A preflight let through by [`pass_preflight`](Self::pass_preflight).
    fn preflight_guest(&self) -> Admitted {
        tracing::debug!("CORS preflight passed through without authentication");
        Admitted::plain(AuthContext::guest(self.preset))
    }

    async fn verdict(&self, presented: Presented<'_>) -> Verdict {
        match presented {
            Presented::Token(token) => {
                Verdict::Verified(self.verifier.verify_with(token, &self.policy).await)
            }
            Presented::Missing => Verdict::Missing,
            Presented::Malformed => Verdict::Malformed,
            Presented::Ambiguous => Verdict::Ambiguous,
        }
    }

    /// Turns what the request carried into the answer, recorded in a span.
    fn decide(&self, verdict: Verdict) -> Result<AuthContext, Rejection> {
        let span = tracing::debug_span!(
            "cognito_auth",
            preset = ?self.preset,
            outcome = tracing::field::Empty,
            cause = tracing::field::Empty,
            sub = tracing::field::Empty,
        );
        let result = match verdict {
            Verdict::Missing if self.optional => Ok(None),
            Verdict::Missing => Err(self.preset.missing_token()),
            Verdict::Malformed => Err(self.preset.malformed_header()),
            // Even on an optional gate: a guest sends no credential at all.
            Verdict::Ambiguous => Err(self.preset.ambiguous_credentials()),
            Verdict::Verified(Ok(claims)) => Ok(Some(claims)),
            Verdict::Verified(Err(error)) => {
                Err(self
                    .preset
                    .rejection(&error, self.retry_after_secs, self.scopes.as_ref()))
            }
        };
        match &result {
            Ok(Some(claims)) => {
                span.record("outcome", "authenticated");
                span.record("sub", claims.sub());
            }
            Ok(None) => {
                span.record("outcome", "guest");
            }
            Err(rejection) => {
                span.record("outcome", "rejected");
                span.record("cause", rejection.reason);
            }
        }
        span.in_scope(|| tracing::debug!("gate decision"));
        result.map(|claims| AuthContext {
            claims,
            preset: self.preset,
        })
    }
}

/// What a request carried, once the token (if any) is verified.
enum Verdict {
    Missing,
    Malformed,
    Ambiguous,
    Verified(Result<CognitoClaims, crate::error::VerifyError>),
}

#[cfg(test)]
mod tests {
    use super::Preset;

    #[test]
    fn preset_names_of_every_tool_parse_to_one_preset() {
        for (names, preset) in [
            (&["strict"][..], Preset::Strict),
            (
                &["api-gateway-rest", "apigw-rest", "rest"],
                Preset::ApiGatewayRest,
            ),
            (
                &["api-gateway-http", "apigw-http", "http"],
                Preset::ApiGatewayHttp,
            ),
        ] {
            for name in names {
                assert_eq!(Preset::from_name(name), Some(preset), "{name}");
            }
        }
        assert_eq!(Preset::from_name("REST"), None);
        assert_eq!(Preset::from_name(""), None);
    }
}
