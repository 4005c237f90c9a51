//! An API Gateway route table: which rules apply to a method and path.
//!
//! Routes are written as API Gateway writes route keys: `GET /users/{sub}/files`,
//! `ANY /admin/{proxy+}`, or `$default`. A path segment is a literal, a
//! `{param}` (exactly one non-empty segment) or, as the last segment only, a
//! greedy `{proxy+}` (one or more segments). When several routes match, the
//! most specific wins, as in API Gateway: segments are compared left to
//! right, a literal beating a `{param}` beating a `{proxy+}`; on a tie a
//! method route beats `ANY`. `$default` answers when nothing else matches.
//!
//! Each route carries [`RouteRules`]: [`Guard`]s (groups, scopes, owner) and
//! whether guests (no token) may pass. Matching is framework-free and returns
//! the route and its path parameters, so a Lambda authorizer (which sees only
//! a method ARN) and an HTTP gatekeeper share one table.
//!
//! ```
//! use cognito_verifier::gate::{RouteRules, RouteTable};
//! let table = RouteTable::new()
//!     .route("GET /users/{sub}/files", RouteRules::new().owner("sub"))
//!     .unwrap()
//!     .route("ANY /admin/{proxy+}", RouteRules::new().groups_any(["admin"]))
//!     .unwrap();
//! let found = table.find("GET", "/users/abc/files").unwrap();
//! assert_eq!(found.param("sub"), Some("abc"));
//! assert!(table.find("GET", "/nowhere").is_none());
//! ```

use std::cmp::Ordering;

use crate::policy::Requirement;

use super::AuthContext;
use super::guard::Guard;
use super::response::Rejection;

/// A route key that could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid route {route:?}: {reason}")]
pub struct RouteError {
    /// The route key as written.
    pub route: String,
    /// What is wrong with it.
    pub reason: &'static str,
}

/// What a route requires of a request.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RouteRules {
    guards: Vec<Guard>,
    guests: bool,
}

impl RouteRules {
    /// No requirement beyond a valid token.
    pub fn new() -> Self {
        RouteRules::default()
    }

    /// Adds a guard.
    pub fn guard(mut self, guard: Guard) -> Self {
        self.guards.push(guard);
        self
    }

    /// Membership in at least one of `groups` (none listed: no requirement).
    pub fn groups_any<I: IntoIterator<Item = S>, S: Into<String>>(self, groups: I) -> Self {
        self.guard(Guard::Groups(Requirement::any_of(groups)))
    }

    /// Membership in every one of `groups`.
    pub fn groups_all<I: IntoIterator<Item = S>, S: Into<String>>(self, groups: I) -> Self {
        self.guard(Guard::Groups(Requirement::all_of(groups)))
    }

    /// At least one of `scopes` (none listed: no requirement).
    pub fn scopes_any<I: IntoIterator<Item = S>, S: Into<String>>(self, scopes: I) -> Self {
        self.guard(Guard::Scopes(Requirement::any_of(scopes)))
    }

    /// Every one of `scopes`.
    pub fn scopes_all<I: IntoIterator<Item = S>, S: Into<String>>(self, scopes: I) -> Self {
        self.guard(Guard::Scopes(Requirement::all_of(scopes)))
    }

    /// Path parameter `param` must equal the token's `sub`.
    pub fn owner(self, param: impl Into<String>) -> Self {
        self.guard(Guard::owner(param))
    }

    /// Path parameter `param` must equal the token's string claim `claim`.
    pub fn owner_by(self, param: impl Into<String>, claim: impl Into<String>) -> Self {
        self.guard(Guard::owner_by(param, claim))
    }

    /// Lets requests without any token pass as guests (an invalid token is
    /// still refused, and a guest fails every guard).
    pub fn guests(mut self, allowed: bool) -> Self {
        self.guests = allowed;
        self
    }

    /// The guards, in the order they are checked.
    pub fn guards(&self) -> &[Guard] {
        &self.guards
    }

    /// Whether guests may pass.
    pub fn allows_guests(&self) -> bool {
        self.guests
    }

    /// Checks every guard against an authenticated (or guest) request;
    /// `param` looks up the matched route's path parameters.
    pub fn check<'p>(
        &self,
        auth: &AuthContext,
        param: impl Fn(&str) -> Option<&'p str>,
    ) -> Result<(), Rejection> {
        self.guards
            .iter()
            .try_for_each(|guard| guard.check(auth, guard.path_param().and_then(&param)))
    }
}

/// The method part of a route key.
#[derive(Debug, Clone, PartialEq, Eq)]
enum MethodKey {
    Any,
    Verb(String),
}

/// One segment of a route's resource path.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    Literal(String),
    Param(String),
    Greedy(String),
}

impl Segment {
    /// Lower is more specific.
    fn rank(&self) -> u8 {
        match self {
            Segment::Literal(_) => 0,
            Segment::Param(_) => 1,
            Segment::Greedy(_) => 2,
        }
    }
}

/// One route of a [`RouteTable`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Route {
    key: String,
    method: MethodKey,
    segments: Vec<Segment>,
    rules: RouteRules,
}

impl Route {
    /// The route key as written (`GET /users/{sub}/files`, `$default`).
    pub fn key(&self) -> &str {
        &self.key
    }

    /// What the route requires.
    pub fn rules(&self) -> &RouteRules {
        &self.rules
    }

    fn parse(key: &str, rules: RouteRules) -> Result<Route, RouteError> {
        let fail = |reason| RouteError {
            route: key.to_owned(),
            reason,
        };
        let (method, path) = key
            .split_once(' ')
            .ok_or_else(|| fail("expected `METHOD /path` or `$default`"))?;
        let method = match method {
            "ANY" => MethodKey::Any,
            verb if !verb.is_empty() && verb.bytes().all(|b| b.is_ascii_uppercase()) => {
                MethodKey::Verb(verb.to_owned())
            }
            _ => return Err(fail("the method must be upper-case letters or ANY")),
        };
        let rest = path
            .strip_prefix('/')
            .ok_or_else(|| fail("the path must start with /"))?;
        let parts: Vec<&str> = if rest.is_empty() {
            Vec::new()
        } else {
            rest.split('/').collect()
        };
        let mut segments = Vec::with_capacity(parts.len());
        for (i, part) in parts.iter().enumerate() {
            let segment = match part.strip_prefix('{').and_then(|p| p.strip_suffix('}')) {
                Some(inner) => match inner.strip_suffix('+') {
                    Some(name) if i + 1 == parts.len() && valid_name(name) => {
                        Segment::Greedy(name.to_owned())
                    }
                    Some(_) => return Err(fail("{name+} must be the last segment")),
                    None if valid_name(inner) => Segment::Param(inner.to_owned()),
                    None => return Err(fail("invalid parameter name")),
                },
                None if part.is_empty() => return Err(fail("empty path segment")),
                None if part.contains(['{', '}']) => {
                    return Err(fail("braces must enclose a whole segment"));
                }
                None => Segment::Literal((*part).to_owned()),
            };
            segments.push(segment);
        }
        Ok(Route {
            key: key.to_owned(),
            method,
            segments,
            rules,
        })
    }

    /// The path parameters when `parts` matches this route's path.
    fn matches(&self, parts: &[&str]) -> Option<Vec<(&str, String)>> {
        let mut params = Vec::new();
        for (i, segment) in self.segments.iter().enumerate() {
            match segment {
                Segment::Literal(text) => (parts.get(i)? == text).then_some(())?,
                Segment::Param(name) => {
                    let value = parts.get(i).filter(|v| !v.is_empty())?;
                    params.push((name.as_str(), (*value).to_owned()));
                }
                Segment::Greedy(name) => {
                    let rest = parts.get(i..).filter(|r| !r.is_empty())?;
                    params.push((name.as_str(), rest.join("/")));
                    return Some(params);
                }
            }
        }
        (parts.len() == self.segments.len()).then_some(params)
    }

    /// `Less` when `self` is more specific than `other`.
    fn specificity(&self, other: &Route) -> Ordering {
        let ranks = |r: &Route| r.segments.iter().map(Segment::rank).collect::<Vec<_>>();
        let method = |r: &Route| u8::from(r.method == MethodKey::Any);
        ranks(self)
            .cmp(&ranks(other))
            .then_with(|| method(self).cmp(&method(other)))
    }
}

fn duplicate(key: &str) -> RouteError {
    RouteError {
        route: key.to_owned(),
        reason: "duplicate route",
    }
}

fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// A matched route and its path parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteMatch<'t> {
    /// The route that answers.
    pub route: &'t Route,
    params: Vec<(&'t str, String)>,
}

impl RouteMatch<'_> {
    /// The value of path parameter `name` (a `{proxy+}` holds the rest of the path).
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
    }

    /// Every path parameter, in path order.
    pub fn params(&self) -> impl Iterator<Item = (&str, &str)> {
        self.params.iter().map(|(n, v)| (*n, v.as_str()))
    }

    /// Checks the route's rules (see [`RouteRules::check`]).
    pub fn check(&self, auth: &AuthContext) -> Result<(), Rejection> {
        self.route.rules.check(auth, |name| self.param(name))
    }
}

/// API Gateway routes with their rules; see the [module docs](self).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RouteTable {
    routes: Vec<Route>,
    default: Option<Route>,
}

impl RouteTable {
    /// An empty table: nothing matches.
    pub fn new() -> Self {
        RouteTable::default()
    }

    /// Adds a route (`$default` sets the fallback). A key given twice is
    /// refused, as API Gateway refuses it.
    pub fn route(mut self, key: &str, rules: RouteRules) -> Result<Self, RouteError> {
        if key == "$default" {
            if self.default.is_some() {
                return Err(duplicate(key));
            }
            self.default = Some(Route {
                key: key.to_owned(),
                method: MethodKey::Any,
                segments: Vec::new(),
                rules,
            });
            return Ok(self);
        }
        let route = Route::parse(key, rules)?;
        let same = |r: &Route| r.method == route.method && r.segments == route.segments;
        if self.routes.iter().any(same) {
            return Err(duplicate(key));
        }
        self.routes.push(route);
        Ok(self)
    }

    /// Every route, `$default` last.
    pub fn routes(&self) -> impl Iterator<Item = &Route> {
        self.routes.iter().chain(&self.default)
    }

    /// The route for `method` on the concrete `path`, with its path parameters.
    pub fn find(&self, method: &str, path: &str) -> Option<RouteMatch<'_>> {
        let rest = path.strip_prefix('/').unwrap_or(path);
        let parts: Vec<&str> = if rest.is_empty() {
            Vec::new()
        } else {
            rest.split('/').collect()
        };
        let mut best: Option<RouteMatch<'_>> = None;
        for route in &self.routes {
            if let MethodKey::Verb(verb) = &route.method
                && verb != method
            {
                continue;
            }
            let Some(params) = route.matches(&parts) else {
                continue;
            };
            if best
                .as_ref()
                .is_none_or(|b| route.specificity(b.route) == Ordering::Less)
            {
                best = Some(RouteMatch { route, params });
            }
        }
        best.or_else(|| {
            self.default.as_ref().map(|route| RouteMatch {
                route,
                params: Vec::new(),
            })
        })
    }

    /// Whether a decision for one request holds for every route: every
    /// route has the same rules and none depends on the path (no owner
    /// guard). Only then may a Lambda authorizer answer with a policy for
    /// all methods, which API Gateway's authorizer cache reuses across them.
    pub fn is_uniform(&self) -> bool {
        let mut all = self.routes();
        let Some(first) = all.next() else {
            return true;
        };
        let path_free = |r: &Route| r.rules.guards.iter().all(|g| g.path_param().is_none());
        path_free(first) && all.all(|r| r.rules == first.rules && path_free(r))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(keys: &[&str]) -> RouteTable {
        keys.iter().fold(RouteTable::new(), |t, k| {
            t.route(k, RouteRules::new()).unwrap()
        })
    }

    /// The key of the winning route, empty when none matches.
    fn winner(t: &RouteTable, method: &str, path: &str) -> String {
        t.find(method, path)
            .map_or_else(String::new, |m| m.route.key().to_owned())
    }

    #[test]
    fn literal_beats_param_beats_greedy() {
        let t = table(&["GET /pets/{id}", "GET /pets/dog", "GET /{proxy+}"]);
        assert_eq!(winner(&t, "GET", "/pets/dog"), "GET /pets/dog");
        assert_eq!(winner(&t, "GET", "/pets/cat"), "GET /pets/{id}");
        assert_eq!(winner(&t, "GET", "/pets/cat/toys"), "GET /{proxy+}");
        assert_eq!(winner(&t, "GET", "/"), "", "{{proxy+}} needs a segment");
    }

    #[test]
    fn earlier_segments_decide_first() {
        let t = table(&["GET /{a}/b", "GET /a/{b}"]);
        assert_eq!(winner(&t, "GET", "/a/b"), "GET /a/{b}");
        assert_eq!(winner(&t, "GET", "/x/b"), "GET /{a}/b");
    }

    #[test]
    fn method_beats_any_and_other_methods_miss() {
        let t = table(&["ANY /orders", "POST /orders"]);
        assert_eq!(winner(&t, "POST", "/orders"), "POST /orders");
        assert_eq!(winner(&t, "GET", "/orders"), "ANY /orders");
        let only_get = table(&["GET /orders"]);
        assert_eq!(winner(&only_get, "DELETE", "/orders"), "");
    }

    #[test]
    fn a_more_specific_path_beats_a_method() {
        let t = table(&["GET /{proxy+}", "ANY /orders"]);
        assert_eq!(winner(&t, "GET", "/orders"), "ANY /orders");
    }

    #[test]
    fn default_answers_only_when_nothing_matches() {
        let t = table(&["GET /hello", "$default"]);
        assert_eq!(winner(&t, "GET", "/hello"), "GET /hello");
        assert_eq!(winner(&t, "PUT", "/hello"), "$default");
        assert_eq!(winner(&t, "GET", "/other/x"), "$default");
    }

    #[test]
    fn params_and_greedy_values() {
        let t = table(&["GET /users/{sub}/files/{proxy+}", "GET /"]);
        let m = t.find("GET", "/users/u-1/files/a/b.txt").unwrap();
        assert_eq!(m.param("sub"), Some("u-1"));
        assert_eq!(m.param("proxy"), Some("a/b.txt"));
        assert_eq!(m.params().count(), 2);
        assert_eq!(winner(&t, "GET", "/"), "GET /");
        assert_eq!(winner(&t, "GET", "/users//files/x"), "", "empty {{sub}}");
    }

    #[test]
    fn bad_keys_are_refused() {
        for key in
            "get /x|/x|GET x|GET /{proxy+}/x|GET /a{b}|GET /{}|GET /a//b|GET /{a b}".split('|')
        {
            assert!(
                RouteTable::new().route(key, RouteRules::new()).is_err(),
                "{key}"
            );
        }
        let dup = RouteTable::new()
            .route("GET /x", RouteRules::new())
            .unwrap();
        assert!(dup.clone().route("GET /x", RouteRules::new()).is_err());
        let dup = dup.route("$default", RouteRules::new()).unwrap();
        assert!(dup.route("$default", RouteRules::new()).is_err());
    }

    #[test]
    fn guests_pass_only_routes_without_guards() {
        let guest = AuthContext {
            claims: None,
            preset: super::super::Preset::Strict,
        };
        let t = RouteTable::new()
            .route("GET /open", RouteRules::new().guests(true))
            .unwrap()
            .route("GET /u/{sub}", RouteRules::new().guests(true).owner("sub"))
            .unwrap();
        assert!(t.find("GET", "/open").unwrap().check(&guest).is_ok());
        let refused = t.find("GET", "/u/x").unwrap().check(&guest).unwrap_err();
        assert_eq!((refused.status, refused.reason), (401, "missing_token"));
    }

    #[test]
    fn uniformity() {
        assert!(RouteTable::new().is_uniform());
        let same = RouteRules::new().groups_any(["admin"]);
        let t = RouteTable::new()
            .route("GET /a", same.clone())
            .unwrap()
            .route("$default", same)
            .unwrap();
        assert!(t.is_uniform());
        let t = t.route("GET /b", RouteRules::new()).unwrap();
        assert!(!t.is_uniform());
        let owner = RouteTable::new()
            .route("GET /u/{sub}", RouteRules::new().owner("sub"))
            .unwrap();
        assert!(!owner.is_uniform());
    }
}
