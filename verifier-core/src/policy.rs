//! What a token must carry to be accepted: token use, app client, groups, scopes.

use std::fmt;

/// The value of Cognito's `token_use` claim.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TokenUse {
    /// An ID token (`token_use = "id"`): identifies the user, `aud` is the app client.
    Id,
    /// An access token (`token_use = "access"`): carries `scope`, `client_id` is the app client.
    Access,
}

impl TokenUse {
    /// The claim value, `"id"` or `"access"`.
    pub fn as_str(self) -> &'static str {
        match self {
            TokenUse::Id => "id",
            TokenUse::Access => "access",
        }
    }

    pub(crate) fn parse(value: &str) -> Option<Self> {
        match value {
            "id" => Some(TokenUse::Id),
            "access" => Some(TokenUse::Access),
            _ => None,
        }
    }
}

impl fmt::Display for TokenUse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Which `token_use` a verifier accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum ExpectedTokenUse {
    /// Only ID tokens.
    Id,
    /// Only access tokens.
    Access,
    /// ID or access tokens (the default); the app client is still checked
    /// against `aud` or `client_id` according to the token's kind.
    #[default]
    Any,
    /// No `token_use` check at all, as API Gateway's HTTP API JWT authorizer
    /// does; tokens without `token_use` are accepted. Combine with
    /// [`ClientMatch::AudOrClientId`].
    Unchecked,
}

impl ExpectedTokenUse {
    pub(crate) fn describe(self) -> &'static str {
        match self {
            ExpectedTokenUse::Id => "id",
            ExpectedTokenUse::Access => "access",
            ExpectedTokenUse::Any => "id or access",
            ExpectedTokenUse::Unchecked => "anything",
        }
    }
}

/// Which claim names the app client.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum ClientMatch {
    /// Cognito's rule: `aud` for ID tokens, `client_id` for access tokens (the default).
    #[default]
    ByTokenUse,
    /// API Gateway HTTP API's rule: `aud` if present, else `client_id`.
    AudOrClientId,
}

/// A set of names (groups or scopes) a token must hold.
///
/// An empty list is no requirement at all.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Requirement {
    /// At least one of the names.
    AnyOf(Vec<String>),
    /// Every one of the names.
    AllOf(Vec<String>),
}

impl Requirement {
    /// At least one of `names`.
    pub fn any_of<I, S>(names: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        Requirement::AnyOf(names.into_iter().map(Into::into).collect())
    }

    /// Every one of `names`.
    pub fn all_of<I, S>(names: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        Requirement::AllOf(names.into_iter().map(Into::into).collect())
    }

    /// The names this requirement lists.
    pub fn names(&self) -> &[String] {
        match self {
            Requirement::AnyOf(names) | Requirement::AllOf(names) => names,
        }
    }

    /// Whether a holder of `held` satisfies the requirement.
    pub fn is_satisfied_by<'a, I>(&self, held: I) -> bool
    where
        I: IntoIterator<Item = &'a str> + Clone,
    {
        let holds = |name: &String| held.clone().into_iter().any(|h| h == name);
        match self {
            Requirement::AnyOf(names) => names.is_empty() || names.iter().any(holds),
            Requirement::AllOf(names) => names.iter().all(holds),
        }
    }
}

impl fmt::Display for Requirement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (word, names) = match self {
            Requirement::AnyOf(names) => ("any of", names),
            Requirement::AllOf(names) => ("all of", names),
        };
        write!(f, "{word} [{}]", names.join(", "))
    }
}

/// Per-call adjustments on top of a pool's configuration.
///
/// HTTP adapters use it to express API Gateway's rules (e.g. "an ID token
/// unless the method requires scopes"). Requirements here are applied *in
/// addition to* the pool's own; `token_use` and `client_match` replace the
/// pool's when set.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Policy {
    /// Replaces the pool's expected token use.
    pub token_use: Option<ExpectedTokenUse>,
    /// Replaces how the app client is read from the token.
    pub client_match: Option<ClientMatch>,
    /// Groups required in addition to the pool's.
    pub groups: Option<Requirement>,
    /// Scopes required in addition to the pool's.
    pub scopes: Option<Requirement>,
}

impl Policy {
    /// The empty policy: the pool's configuration applies unchanged.
    pub const NONE: Policy = Policy {
        token_use: None,
        client_match: None,
        groups: None,
        scopes: None,
    };
}
