//! A user's device (`DeviceType`): issued at sign-in, confirmed with an
//! SRP verifier, remembered or not.

use num_bigint::BigUint;

/// `DeviceRememberedStatusType`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RememberedStatus {
    /// `remembered`: device authentication replaces MFA (where the pool says so).
    Remembered,
    /// `not_remembered`: tracked only.
    NotRemembered,
}

impl RememberedStatus {
    /// Parses the wire value.
    pub(crate) fn parse(s: &str) -> Option<Self> {
        match s {
            "remembered" => Some(Self::Remembered),
            "not_remembered" => Some(Self::NotRemembered),
            _ => None,
        }
    }

    /// The wire value.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::Remembered => "remembered",
            Self::NotRemembered => "not_remembered",
        }
    }
}

/// A device of a user.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Device {
    /// `DeviceKey` (`<region>_<uuid>`).
    pub key: String,
    /// Pool id.
    pub pool_id: String,
    /// The user's sub.
    pub sub: String,
    /// `DeviceGroupKey`: the SRP realm of the device's verifier.
    pub group_key: String,
    /// `device_name`, set by ConfirmDevice.
    pub name: Option<String>,
    /// The SRP salt and verifier of the device secret; `None` until the
    /// device is confirmed.
    pub verifier: Option<(BigUint, BigUint)>,
    /// Remembered status; `None` until confirmed.
    pub status: Option<RememberedStatus>,
    /// `DeviceCreateDate` (epoch seconds).
    pub created_at: f64,
    /// `DeviceLastModifiedDate`.
    pub modified_at: f64,
    /// `DeviceLastAuthenticatedDate`.
    pub last_authenticated_at: Option<f64>,
}

impl Device {
    /// Whether ConfirmDevice registered the device.
    pub(crate) fn confirmed(&self) -> bool {
        self.verifier.is_some()
    }

    /// Whether device authentication may stand in for MFA.
    pub(crate) fn remembered(&self) -> bool {
        self.confirmed() && self.status == Some(RememberedStatus::Remembered)
    }
}
