//! STUB of the contract's triggers API (helper "triggers-core" owns this
//! file; its version replaces this one at merge). Nothing fires here.

pub(crate) mod pre_token;

use crate::error::Error;
use crate::issuer::Issuer;

/// Which trigger (the LambdaConfig field).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TriggerKind {
    /// `PreTokenGeneration`.
    PreTokenGeneration,
}

/// One firing.
#[allow(dead_code)] // stub: replaced by triggers-core
#[derive(Debug)]
pub(crate) struct Invocation<'a> {
    /// Which trigger.
    pub kind: TriggerKind,
    /// triggerSource.
    pub source: &'a str,
    /// The pool.
    pub pool_id: &'a str,
    /// userName.
    pub user_name: &'a str,
    /// callerContext.clientId.
    pub client_id: Option<&'a str>,
    /// The `request` object.
    pub request: serde_json::Value,
    /// The initial `response` object.
    pub response: serde_json::Value,
}

/// Typed failure of a trigger.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub(crate) enum TriggerError {
    /// The handler's output is not a usable event.
    #[error("Unrecognizable lambda output")]
    Unrecognizable {
        /// Which trigger.
        kind: TriggerKind,
    },
}

impl From<TriggerError> for Error {
    fn from(e: TriggerError) -> Self {
        Error::invalid_parameter(e.to_string())
    }
}

impl Issuer {
    /// Stub: no trigger is ever configured.
    pub(crate) fn fire(
        &self,
        inv: Invocation<'_>,
    ) -> Result<Option<serde_json::Value>, TriggerError> {
        let _ = inv;
        Ok(None)
    }

    /// Stub: no PreTokenGeneration trigger.
    pub(crate) fn pre_token_version(&self, pool_id: &str) -> Result<Option<u8>, TriggerError> {
        let _ = pool_id;
        Ok(None)
    }
}
