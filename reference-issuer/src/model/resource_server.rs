//! Resource servers (custom OAuth scopes).

use serde::{Deserialize, Serialize};

/// A resource server (for custom OAuth scopes).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct ResourceServer {
    /// Pool id.
    pub user_pool_id: String,
    /// Identifier, e.g. `https://api.example.com`.
    pub identifier: String,
    /// Name.
    pub name: String,
    /// Scopes.
    #[serde(default)]
    pub scopes: Vec<ResourceServerScope>,
}

/// One custom scope (`ResourceServerScopeType`). Fields are declared in
/// alphabetical order so the JSON keeps the key order of the former
/// free-form map.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct ResourceServerScope {
    /// Description.
    pub scope_description: String,
    /// Scope name (the token scope is `<identifier>/<name>`).
    pub scope_name: String,
}

impl ResourceServer {
    /// Whether `scope` (`<identifier>/<name>`) is one of this server's scopes.
    pub(crate) fn has_scope(&self, scope: &str) -> bool {
        self.scopes
            .iter()
            .any(|sc| format!("{}/{}", self.identifier, sc.scope_name) == scope)
    }
}
