//! Users: the stored record and its account status.

use std::collections::BTreeMap;

/// Account status of a user (`UserStatusType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum UserStatus {
    /// Signed up, not yet confirmed.
    Unconfirmed,
    /// Confirmed.
    Confirmed,
    /// Created by an admin with a temporary password.
    ForceChangePassword,
    /// An admin required a password reset.
    ResetRequired,
}

impl UserStatus {
    /// The wire name.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::Unconfirmed => "UNCONFIRMED",
            Self::Confirmed => "CONFIRMED",
            Self::ForceChangePassword => "FORCE_CHANGE_PASSWORD",
            Self::ResetRequired => "RESET_REQUIRED",
        }
    }

    /// Parses a wire name.
    pub(crate) fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "UNCONFIRMED" => Self::Unconfirmed,
            "CONFIRMED" => Self::Confirmed,
            "FORCE_CHANGE_PASSWORD" => Self::ForceChangePassword,
            "RESET_REQUIRED" => Self::ResetRequired,
            _ => return None,
        })
    }
}

/// A stored user.
#[derive(Debug, Clone)]
pub(crate) struct User {
    /// Owning pool.
    pub pool_id: String,
    /// Immutable subject id (UUID).
    pub sub: String,
    /// Username as created.
    pub username: String,
    /// Account status.
    pub status: UserStatus,
    /// Whether the account is enabled.
    pub enabled: bool,
    /// argon2id PHC string, if a password is set.
    pub password_hash: Option<String>,
    /// When the current password was set (epoch seconds).
    pub password_set_at: i64,
    /// Attributes, including `sub`, as strings (Cognito's model).
    pub attributes: BTreeMap<String, String>,
    /// Creation time.
    pub created_at: f64,
    /// Last modification time.
    pub modified_at: f64,
}

impl User {
    /// An attribute value.
    pub(crate) fn attr(&self, name: &str) -> Option<&str> {
        self.attributes.get(name).map(String::as_str)
    }

    /// Whether `email_verified` / `phone_number_verified` is "true" for `attr`.
    pub(crate) fn is_verified(&self, attr: &str) -> bool {
        self.attr(&format!("{attr}_verified")) == Some("true")
    }
}
