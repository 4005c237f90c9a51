//! The decision: an authorizer event in, an [`Outcome`] out.
//!
//! The gate decides everything: [`Gate::authenticate`] (token source,
//! preset, verification) and the matched route's [`RouteRules`](cognito_verifier::gate::RouteRules)
//! (groups, scopes, owner). Its HTTP status maps onto what API Gateway
//! understands from a Lambda authorizer:
//!
//! | gate | authorizer | API Gateway answers |
//! |---|---|---|
//! | admitted | `Allow` policy / `isAuthorized: true` | the integration runs |
//! | 401 (missing, malformed, invalid, expired, revoked token) | error `Unauthorized` | 401 |
//! | 403 (group, scope, owner, no route) | `Deny` policy / `isAuthorized: false` | 403 |
//! | 503 (keys unavailable) | any other error | 500 |

use std::collections::HashSet;

use cognito_verifier::gate::{AuthContext, Gate, Rejection, RouteTable};
use serde_json::{Map, Value};

use crate::event::{EventKind, Incoming};
use crate::output::{Effect, Response, SimpleResponse, claims_context};

/// `principalId` when there is no `sub` to name (a guest, or a refusal
/// before the claims were known).
pub const ANONYMOUS: &str = "anonymous";

/// The decision class, as the conformance table names statuses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Verdict {
    /// 200: an Allow policy (or `isAuthorized: true`).
    Allow,
    /// 403: a Deny policy (or `isAuthorized: false`).
    Deny,
    /// 401: the `Unauthorized` error.
    Unauthorized,
    /// 500: any other function error (e.g. keys unavailable).
    Failed,
}

/// What the function answers.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// Return this JSON (Allow or Deny).
    Respond {
        /// Allow or Deny.
        verdict: Verdict,
        /// The JSON to return.
        response: Response,
    },
    /// Fail the invocation with the error message `Unauthorized` (401).
    Unauthorized,
    /// Fail the invocation with another error (500); the reason is logged,
    /// API Gateway shows the caller only its generic 500.
    Failed(String),
}

/// The invocation error an [`Outcome`] maps to: the runtime reports its
/// `Display` as the error message, which API Gateway matches exactly.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuthorizerError {
    /// `Unauthorized`: API Gateway answers 401.
    #[error("Unauthorized")]
    Unauthorized,
    /// Anything else: API Gateway answers 500.
    #[error("authorizer failure: {0}")]
    Failed(String),
}

impl Outcome {
    /// The decision class.
    pub fn verdict(&self) -> Verdict {
        match self {
            Outcome::Respond { verdict, .. } => *verdict,
            Outcome::Unauthorized => Verdict::Unauthorized,
            Outcome::Failed(_) => Verdict::Failed,
        }
    }

    /// The function's result: the response JSON, or the error to report.
    pub fn into_result(self) -> Result<Value, AuthorizerError> {
        match self {
            Outcome::Respond { response, .. } => Ok(response.to_json()),
            Outcome::Unauthorized => Err(AuthorizerError::Unauthorized),
            Outcome::Failed(reason) => Err(AuthorizerError::Failed(reason)),
        }
    }
}

/// A configured Lambda authorizer. Cheap to share across invocations.
#[derive(Debug, Clone)]
pub struct Authorizer {
    gate: Gate,
    guest_gate: Gate,
    routes: RouteTable,
    denied_jtis: HashSet<String>,
    simple_responses: bool,
}

impl Authorizer {
    /// An authorizer over `gate` (mandatory; routes marked for guests use an
    /// optional copy) and `routes`.
    pub fn new(gate: Gate, routes: RouteTable) -> Self {
        Authorizer {
            guest_gate: gate.clone().optional(),
            gate,
            routes,
            denied_jtis: HashSet::new(),
            simple_responses: false,
        }
    }

    /// Refuses (401) tokens whose `jti` or `origin_jti` is listed: a static
    /// denylist, e.g. of sign-ins revoked after a leak.
    pub fn deny_jtis<I: IntoIterator<Item = S>, S: Into<String>>(mut self, jtis: I) -> Self {
        self.denied_jtis.extend(jtis.into_iter().map(Into::into));
        self
    }

    /// Answers HTTP API 2.0 events with the simple response
    /// (`EnableSimpleResponses` on the authorizer) instead of a policy.
    pub fn simple_responses(mut self, enabled: bool) -> Self {
        self.simple_responses = enabled;
        self
    }

    /// The route table.
    pub fn routes(&self) -> &RouteTable {
        &self.routes
    }

    /// Decides on a raw event (any of the four); an event that is not an
    /// authorizer event fails the invocation (500).
    pub async fn handle(&self, event: Value) -> Outcome {
        match Incoming::parse(event) {
            Ok(incoming) => self.decide(&incoming).await,
            Err(error) => {
                tracing::warn!(%error, "not an authorizer event");
                Outcome::Failed(error.to_string())
            }
        }
    }

    /// Decides on a parsed event.
    pub async fn decide(&self, incoming: &Incoming) -> Outcome {
        let found = self.routes.find(incoming.arn.verb(), incoming.arn.path());
        let guests = found
            .as_ref()
            .is_some_and(|m| m.route.rules().allows_guests());
        let gate = if guests { &self.guest_gate } else { &self.gate };
        let headers = incoming.header_values(gate.source().header_name());
        let cookies = incoming.cookie_values();
        let auth = match gate
            .authenticate(headers.iter().copied(), cookies.iter().copied())
            .await
        {
            Ok(auth) => auth,
            Err(rejection) => return self.refused(incoming, None, &rejection),
        };
        if let Some(claims) = auth.claims()
            && [claims.jti(), claims.origin_jti()]
                .into_iter()
                .flatten()
                .any(|jti| self.denied_jtis.contains(jti))
        {
            tracing::debug!(sub = claims.sub(), "token on the denylist");
            return Outcome::Unauthorized;
        }
        let Some(found) = found else {
            tracing::debug!(arn = incoming.arn.as_str(), "no route matches");
            return self.respond(incoming, Some(&auth), Effect::Deny);
        };
        match found.check(&auth) {
            Ok(()) => self.respond(incoming, Some(&auth), Effect::Allow),
            Err(rejection) => self.refused(incoming, Some(&auth), &rejection),
        }
    }

    /// Maps the gate's refusal: 401 -> `Unauthorized`, 403 -> Deny, else failure.
    fn refused(
        &self,
        incoming: &Incoming,
        auth: Option<&AuthContext>,
        rejection: &Rejection,
    ) -> Outcome {
        tracing::debug!(
            status = rejection.status,
            reason = rejection.reason,
            "refused"
        );
        match rejection.status {
            401 => Outcome::Unauthorized,
            403 => self.respond(incoming, auth, Effect::Deny),
            _ => Outcome::Failed(rejection.reason.to_owned()),
        }
    }

    fn respond(&self, incoming: &Incoming, auth: Option<&AuthContext>, effect: Effect) -> Outcome {
        let claims = auth.and_then(AuthContext::claims);
        let context = match (effect, claims) {
            (Effect::Allow, Some(claims)) => claims_context(claims),
            _ => Map::new(),
        };
        let verdict = match effect {
            Effect::Allow => Verdict::Allow,
            Effect::Deny => Verdict::Deny,
        };
        let response = if incoming.kind == EventKind::HttpV2 && self.simple_responses {
            Response::Simple(SimpleResponse {
                is_authorized: effect == Effect::Allow,
                context,
            })
        } else {
            // API Gateway caches the policy per identity source and reuses it
            // for every method: only a table whose decision is the same for
            // every route may cover them all (see the README's caching note).
            let resource = if self.routes.is_uniform() {
                incoming.arn.any_method()
            } else {
                incoming.arn.as_str().to_owned()
            };
            let principal = claims.map_or(ANONYMOUS, |c| c.sub());
            Response::policy(principal, effect, resource, context)
        };
        Outcome::Respond { verdict, response }
    }
}
