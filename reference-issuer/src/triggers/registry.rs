//! The handlers of the configured function ARNs: URL, command (through a
//! shipped shim) or in-process hook, built once at start-up.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use serde_json::Value;

use super::command::{CommandHandler, Runtime};
use super::url::UrlHandler;
use super::{TriggerError, TriggerHook, TriggerHooks, TriggerKind};
use crate::config::TriggerHandlerConfig;
use crate::error::IssuerError;

/// What a handler answered.
#[derive(Debug)]
pub(super) enum Answer {
    /// The returned event.
    Event(Value),
    /// The handler threw (or answered an error) with this message.
    Threw(String),
    /// Not JSON, or too large.
    Unrecognizable,
    /// No answer within [`super::TIMEOUT`].
    Timeout,
}

#[derive(Debug)]
enum Handler {
    Url(UrlHandler),
    Command(CommandHandler),
    Hook(TriggerHook),
}

/// Every configured handler, by function ARN.
#[derive(Debug, Default)]
pub(crate) struct Handlers {
    by_arn: HashMap<String, Handler>,
}

impl Handlers {
    /// Builds the handlers of the configuration's `[triggers]` and the
    /// in-process `hooks` (which win for the same ARN); command handlers'
    /// shims are written to `shim_dir`. Processes start on first use.
    pub(crate) fn build(
        config: &BTreeMap<String, TriggerHandlerConfig>,
        hooks: &TriggerHooks,
        shim_dir: &Path,
    ) -> Result<Self, IssuerError> {
        let mut by_arn = HashMap::new();
        for (arn, h) in config {
            let bad = |why: &str| IssuerError::Config(format!("[triggers.\"{arn}\"]: {why}"));
            let handler = match (&h.url, &h.command) {
                (Some(url), None) => Handler::Url(UrlHandler::new(url).map_err(|e| bad(&e))?),
                (None, Some(command)) => {
                    let runtime = Runtime::of(command).map_err(|e| bad(&e))?;
                    if let Some(module) = command.get(1).filter(|m| !Path::new(m).is_file()) {
                        return Err(bad(&format!("the module {module} does not exist")));
                    }
                    let shim = runtime.write_shim(shim_dir)?;
                    Handler::Command(CommandHandler::new(arn, runtime, shim, command, &h.env))
                }
                _ => return Err(bad("set exactly one of `url` or `command`")),
            };
            by_arn.insert(arn.clone(), handler);
        }
        for (arn, hook) in hooks.iter() {
            by_arn.insert(arn.clone(), Handler::Hook(hook.clone()));
        }
        Ok(Self { by_arn })
    }

    /// Runs the handler of `arn` on `event`; the returned event.
    pub(crate) fn invoke(
        &self,
        kind: TriggerKind,
        arn: &str,
        event: &Value,
    ) -> Result<Value, TriggerError> {
        let Some(handler) = self.by_arn.get(arn) else {
            return Err(TriggerError::NotMapped {
                kind,
                arn: arn.to_string(),
            });
        };
        let answer = match handler {
            Handler::Url(h) => h.invoke(event),
            Handler::Command(h) => h.invoke(event),
            Handler::Hook(h) => match h.call(event.clone()) {
                Ok(v) => Answer::Event(v),
                Err(message) => Answer::Threw(message),
            },
        };
        match answer {
            Answer::Event(v) => Ok(v),
            Answer::Threw(message) => Err(TriggerError::Failed { kind, message }),
            Answer::Unrecognizable => Err(TriggerError::Unrecognizable { kind }),
            Answer::Timeout => Err(TriggerError::Timeout { kind }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn config(toml_text: &str) -> BTreeMap<String, TriggerHandlerConfig> {
        crate::config::IssuerConfig::from_toml_str(toml_text)
            .unwrap()
            .triggers
    }

    #[test]
    fn handlers_are_checked_at_start_up() {
        let dir = tempfile::tempdir().unwrap();
        let hooks = TriggerHooks::new();
        for bad in [
            "[triggers.a]\nurl = \"http://127.0.0.1:1/\"\ncommand = [\"node\", \"x.mjs\"]\n",
            "[triggers.a]\n",
            "[triggers.a]\ncommand = [\"node\", \"/nonexistent/index.mjs\"]\n",
            "[triggers.a]\ncommand = [\"ruby\", \"h.rb\"]\n",
            "[triggers.a]\nurl = \"https://example.com/\"\n",
        ] {
            assert!(
                Handlers::build(&config(bad), &hooks, dir.path()).is_err(),
                "{bad}"
            );
        }
    }

    #[test]
    fn hooks_answer_and_unmapped_functions_are_named() {
        let dir = tempfile::tempdir().unwrap();
        let mut hooks = TriggerHooks::new();
        hooks.insert("arn:ok", Ok);
        hooks.insert("arn:no", |_| Err("Nope".to_string()));
        let h = Handlers::build(&BTreeMap::new(), &hooks, dir.path()).unwrap();
        let k = TriggerKind::PreSignUp;
        let event = json!({"response": {}});
        assert_eq!(h.invoke(k, "arn:ok", &event), Ok(event.clone()));
        assert_eq!(
            h.invoke(k, "arn:no", &event),
            Err(TriggerError::Failed {
                kind: k,
                message: "Nope".into()
            })
        );
        assert_eq!(
            h.invoke(k, "arn:other", &event),
            Err(TriggerError::NotMapped {
                kind: k,
                arn: "arn:other".into()
            })
        );
    }
}
