//! User pool domains (`DomainDescriptionType`).

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// A pool's domain, stored as the parts of its `DomainDescriptionType`
/// that do not change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct PoolDomain {
    /// The prefix (`my-app`) or, for a custom domain, the full name.
    pub domain: String,
    /// The pool it belongs to.
    pub user_pool_id: String,
    /// `CustomDomainConfig` (present for custom domains), echoed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_domain_config: Option<Map<String, Value>>,
    /// `ManagedLoginVersion` (1: classic hosted UI, 2: managed login).
    pub managed_login_version: i64,
    /// The CloudFront name AWS would serve the domain from (a made-up,
    /// stable `*.cloudfront.net` name; nothing is served there).
    pub cloud_front_distribution: String,
}

impl PoolDomain {
    /// Whether this is a custom domain (as opposed to a prefix).
    pub(crate) fn is_custom(&self) -> bool {
        self.custom_domain_config.is_some()
    }
}
