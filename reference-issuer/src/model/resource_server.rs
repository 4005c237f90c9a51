//! Resource servers (custom OAuth scopes).

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// A resource server (for custom OAuth scopes).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct ResourceServer {
    /// Pool id.
    pub user_pool_id: String,
    /// Identifier, e.g. `https://api.example.com`.
    pub identifier: String,
    /// Name.
    pub name: String,
    /// Scopes: `[{ScopeName, ScopeDescription}]`.
    #[serde(default)]
    pub scopes: Vec<Value>,
}
