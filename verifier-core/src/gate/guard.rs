//! Per-route guards: groups, scopes, and resource ownership.

use crate::claims::CognitoClaims;
use crate::policy::{Requirement, TokenUse};

use super::response::{Denial, Rejection};
use super::{AuthContext, Preset};

/// A per-route requirement checked after the gate authenticated the request.
///
/// Failures answer 403 in the preset's format, except that API Gateway REST
/// treats a scope miss (or an ID token on a scoped method) as 401.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Guard {
    /// `cognito:groups` must satisfy the requirement.
    Groups(Requirement),
    /// `scope` must satisfy the requirement.
    Scopes(Requirement),
    /// The path parameter `param` must equal the string claim `claim`
    /// (API Gateway identity-pool style `${sub}` per-user resources).
    Owner {
        /// Name of the path parameter, e.g. `sub` in `/users/{sub}/files`.
        param: String,
        /// The claim it must equal, `sub` by default.
        claim: String,
    },
}

impl Guard {
    /// Membership in `group`.
    pub fn group(group: impl Into<String>) -> Self {
        Guard::Groups(Requirement::AnyOf(vec![group.into()]))
    }

    /// The `scope` claim must contain `scope`.
    pub fn scope(scope: impl Into<String>) -> Self {
        Guard::Scopes(Requirement::AnyOf(vec![scope.into()]))
    }

    /// Path parameter `param` must equal the token's `sub`.
    pub fn owner(param: impl Into<String>) -> Self {
        Guard::owner_by(param, "sub")
    }

    /// Path parameter `param` must equal the token's string claim `claim`.
    pub fn owner_by(param: impl Into<String>, claim: impl Into<String>) -> Self {
        Guard::Owner {
            param: param.into(),
            claim: claim.into(),
        }
    }

    /// The path parameter the adapter must look up for this guard, if any.
    pub fn path_param(&self) -> Option<&str> {
        match self {
            Guard::Owner { param, .. } => Some(param),
            _ => None,
        }
    }

    /// Checks the guard. `path_value` is the value of [`path_param`](Self::path_param)
    /// in the matched route.
    pub fn check(&self, auth: &AuthContext, path_value: Option<&str>) -> Result<(), Rejection> {
        let preset = auth.preset();
        let Some(claims) = auth.claims() else {
            // A guest reaching a guarded route must authenticate first.
            return Err(preset.missing_token());
        };
        let result = self.decide(claims, preset, path_value);
        if let Err(denial) = &result {
            tracing::debug!(outcome = "denied", guard = ?self, ?denial, sub = claims.sub(), "route guard refused");
        }
        result.map_err(|denial| preset.denied(&denial))
    }

    fn decide(
        &self,
        claims: &CognitoClaims,
        preset: Preset,
        path_value: Option<&str>,
    ) -> Result<(), Denial> {
        match self {
            Guard::Groups(required) => {
                if required.is_satisfied_by(claims.groups().iter().map(String::as_str)) {
                    Ok(())
                } else {
                    Err(Denial::Group(required.clone()))
                }
            }
            Guard::Scopes(required) => {
                let needs_access = preset == Preset::ApiGatewayRest;
                let is_access = claims.token_use() == Some(TokenUse::Access);
                if (!needs_access || is_access)
                    && required.is_satisfied_by(claims.scopes().iter().map(String::as_str))
                {
                    Ok(())
                } else {
                    Err(Denial::Scope(required.clone()))
                }
            }
            Guard::Owner { claim, .. } => match (path_value, claims.str(claim)) {
                (Some(value), Some(owner)) if value == owner => Ok(()),
                _ => Err(Denial::Owner),
            },
        }
    }
}
