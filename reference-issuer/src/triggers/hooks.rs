//! In-process Rust trigger handlers for library users and Rust tests.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde_json::Value;

type HookFn = dyn Fn(Value) -> Result<Value, String> + Send + Sync;

/// A Rust function standing in for a Lambda function: it gets the event
/// (AWS's envelope) and returns the event with its `response` filled in,
/// or `Err(message)` as a handler that throws (AWS then answers
/// `UserLambdaValidationException` "`<Trigger>` failed with error
/// `<message>`."). It runs on the issuer's blocking thread pool.
#[derive(Clone)]
pub struct TriggerHook(Arc<HookFn>);

impl TriggerHook {
    /// Wraps a function.
    pub fn new(f: impl Fn(Value) -> Result<Value, String> + Send + Sync + 'static) -> Self {
        Self(Arc::new(f))
    }

    /// Runs the hook on one event.
    pub(crate) fn call(&self, event: Value) -> Result<Value, String> {
        (self.0)(event)
    }
}

impl std::fmt::Debug for TriggerHook {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TriggerHook(..)")
    }
}

/// In-process handlers by function ARN (see
/// [`IssuerOptions::trigger_hooks`](crate::IssuerOptions)); they win over
/// the configuration file's `[triggers]` for the same ARN.
#[derive(Debug, Clone, Default)]
pub struct TriggerHooks(BTreeMap<String, TriggerHook>);

impl TriggerHooks {
    /// No hooks.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds (or replaces) the handler of the function `arn`.
    pub fn insert(
        &mut self,
        arn: impl Into<String>,
        f: impl Fn(Value) -> Result<Value, String> + Send + Sync + 'static,
    ) -> &mut Self {
        self.0.insert(arn.into(), TriggerHook::new(f));
        self
    }

    /// The hooks, by ARN.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (&String, &TriggerHook)> {
        self.0.iter()
    }
}
