//! `command` handlers: the team's real Node or Python module run through
//! the shim the issuer ships. One warm process per function: events go in
//! as JSON lines on stdin, answers come back as JSON lines on stdout, the
//! handler's own output (stdout and stderr) goes to the issuer's log.
//! Events to one function are handled one at a time (like one Lambda
//! instance). A process that crashes is restarted on the next event; one
//! that misses AWS's 5 s limit is killed and restarted.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::Mutex;
use std::sync::mpsc::{Receiver, RecvTimeoutError, sync_channel};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::{Value, json};

use super::registry::Answer;
use super::{MAX_RESPONSE, TIMEOUT};
use crate::error::IssuerError;

const NODE_SHIM: &str = include_str!("shims/node-shim.mjs");
const PYTHON_SHIM: &str = include_str!("shims/python-shim.py");

/// The longest line of the handler's own output copied to the log.
const MAX_LOG_LINE: u64 = 16 * 1024;

/// Which shim runs the module.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Runtime {
    /// `node`: an ES module or CommonJS file exporting the handler.
    Node,
    /// `python3`: a module file defining the function.
    Python,
}

impl Runtime {
    /// The runtime of `[interpreter, module, (function)]`: by the
    /// interpreter's name, else by the module's extension.
    pub(super) fn of(command: &[String]) -> Result<Self, String> {
        let [program, module, rest @ ..] = command else {
            return Err("command must be [interpreter, module path, (handler name)]".into());
        };
        if rest.len() > 1 {
            return Err("command takes at most a handler name after the module path".into());
        }
        let base = Path::new(program)
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default();
        let ext = Path::new(module).extension().and_then(|e| e.to_str());
        if base.starts_with("node")
            || (base.is_empty() && matches!(ext, Some("js" | "mjs" | "cjs")))
        {
            Ok(Self::Node)
        } else if base.starts_with("python") {
            Ok(Self::Python)
        } else {
            Err(format!(
                "cannot tell whether {program:?} runs Node or Python (name it node or python3)"
            ))
        }
    }

    /// Writes this runtime's shim to `dir` (unless already there) and
    /// returns its path.
    pub(super) fn write_shim(self, dir: &Path) -> Result<PathBuf, IssuerError> {
        let (name, text) = match self {
            Self::Node => ("node-shim.mjs", NODE_SHIM),
            Self::Python => ("python-shim.py", PYTHON_SHIM),
        };
        std::fs::create_dir_all(dir)?;
        let path = dir.join(name);
        if std::fs::read_to_string(&path).ok().as_deref() != Some(text) {
            std::fs::write(&path, text)?;
        }
        Ok(path)
    }

    fn default_export(self) -> &'static str {
        match self {
            Self::Node => "handler",
            Self::Python => "lambda_handler",
        }
    }
}

/// A running shim process.
struct Warm {
    child: Child,
    stdin: ChildStdin,
    answers: Receiver<Line>,
}

impl Drop for Warm {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One line of the shim's protocol output.
enum Line {
    Text(Vec<u8>),
    TooLong,
}

/// A function run by a command.
pub(super) struct CommandHandler {
    arn: String,
    program: String,
    args: Vec<String>,
    env: BTreeMap<String, String>,
    warm: Mutex<Option<Warm>>,
}

impl std::fmt::Debug for CommandHandler {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CommandHandler")
            .field("arn", &self.arn)
            .field("program", &self.program)
            .field("args", &self.args)
            .finish_non_exhaustive()
    }
}

impl CommandHandler {
    /// The handler of `arn` running `command` (checked by [`Runtime::of`])
    /// through `shim`.
    pub(super) fn new(
        arn: &str,
        runtime: Runtime,
        shim: PathBuf,
        command: &[String],
        env: &BTreeMap<String, String>,
    ) -> Self {
        let export = command
            .get(2)
            .cloned()
            .unwrap_or_else(|| runtime.default_export().to_string());
        let name = arn.rsplit(':').next().unwrap_or(arn).to_string();
        Self {
            arn: arn.to_string(),
            program: command.first().cloned().unwrap_or_default(),
            args: vec![
                shim.display().to_string(),
                command.get(1).cloned().unwrap_or_default(),
                export,
                name,
            ],
            env: env.clone(),
            warm: Mutex::new(None),
        }
    }

    fn spawn(&self) -> std::io::Result<Warm> {
        let mut child = Command::new(&self.program)
            .args(&self.args)
            .envs(&self.env)
            .env("COGNITO_ISSUER_FUNCTION_ARN", &self.arn)
            .env(
                "AWS_LAMBDA_FUNCTION_NAME",
                self.args.get(3).map(String::as_str).unwrap_or(""),
            )
            .env("PYTHONUNBUFFERED", "1")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()?;
        let (stdin, stdout, stderr) =
            match (child.stdin.take(), child.stdout.take(), child.stderr.take()) {
                (Some(i), Some(o), Some(e)) => (i, o, e),
                _ => {
                    let _ = child.kill();
                    let _ = child.wait();
                    return Err(std::io::Error::other("the handler's pipes are missing"));
                }
            };
        let (tx, answers) = sync_channel(1);
        let arn = self.arn.clone();
        std::thread::Builder::new()
            .name("trigger-out".into())
            .spawn(move || {
                let mut reader = BufReader::new(stdout);
                loop {
                    let mut line = Vec::new();
                    match reader
                        .by_ref()
                        .take(MAX_RESPONSE as u64 + 1)
                        .read_until(b'\n', &mut line)
                    {
                        Ok(0) | Err(_) => return,
                        Ok(_) if line.last() != Some(&b'\n') => {
                            let _ = tx.send(Line::TooLong);
                            return;
                        }
                        Ok(_) => {
                            if tx.send(Line::Text(line)).is_err() {
                                return;
                            }
                        }
                    }
                }
            })?;
        std::thread::Builder::new()
            .name("trigger-log".into())
            .spawn(move || log_lines(&arn, stderr))?;
        tracing::info!(target: "cognito_issuer::triggers", function = %self.arn, program = %self.program, "started trigger handler process");
        Ok(Warm {
            child,
            stdin,
            answers,
        })
    }

    /// Runs the handler on one event (starting its process if needed).
    pub(super) fn invoke(&self, event: &Value) -> Answer {
        let mut warm = self.warm.lock().unwrap_or_else(|p| p.into_inner());
        if warm.is_none() {
            match self.spawn() {
                Ok(w) => *warm = Some(w),
                Err(e) => {
                    tracing::error!(target: "cognito_issuer::triggers", function = %self.arn, program = %self.program, error = %e, "cannot start trigger handler");
                    return Answer::Threw(format!("cannot start {}: {e}", self.program));
                }
            }
        }
        let Some(w) = warm.as_mut() else {
            return Answer::Threw("no handler process".into());
        };
        let deadline_ms = SystemTime::now()
            .checked_add(TIMEOUT)
            .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
            .map(|d| d.as_millis() as u64)
            .unwrap_or_default();
        let line = json!({ "event": event, "deadline_ms": deadline_ms }).to_string() + "\n";
        let sent = w
            .stdin
            .write_all(line.as_bytes())
            .and_then(|()| w.stdin.flush());
        let received = match sent {
            Ok(()) => w.answers.recv_timeout(TIMEOUT),
            Err(_) => Err(RecvTimeoutError::Disconnected),
        };
        let answer = match received {
            Ok(Line::Text(text)) => return parse(&text),
            Ok(Line::TooLong) => Answer::Unrecognizable,
            Err(RecvTimeoutError::Timeout) => Answer::Timeout,
            Err(RecvTimeoutError::Disconnected) => {
                let status = w.child.wait_timeout_status();
                Answer::Threw(format!("Runtime exited with error: {status}"))
            }
        };
        tracing::warn!(target: "cognito_issuer::triggers", function = %self.arn, "trigger handler process stopped; restarting it on the next event");
        *warm = None;
        answer
    }
}

/// The shim's answer line: `{"result": event}` or `{"error": {...}}`.
fn parse(text: &[u8]) -> Answer {
    let Ok(Value::Object(mut v)) = serde_json::from_slice::<Value>(text) else {
        return Answer::Unrecognizable;
    };
    if let Some(e) = v.remove("error") {
        let message = match e.get("errorMessage") {
            Some(Value::String(m)) => m.clone(),
            Some(other) => other.to_string(),
            None => e.to_string(),
        };
        return Answer::Threw(message);
    }
    match v.remove("result") {
        Some(event) => Answer::Event(event),
        None => Answer::Unrecognizable,
    }
}

trait ExitStatusText {
    fn wait_timeout_status(&mut self) -> String;
}

impl ExitStatusText for Child {
    /// How the process ended (it closed its stdout: it is exiting), waited
    /// for a moment at most.
    fn wait_timeout_status(&mut self) -> String {
        for _ in 0..50 {
            if let Ok(Some(status)) = self.try_wait() {
                return status.to_string();
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        "the handler closed its output".into()
    }
}

/// Copies the handler's output to the log, line by line.
fn log_lines(arn: &str, out: impl Read) {
    let mut reader = BufReader::new(out);
    loop {
        let mut line = Vec::new();
        match reader
            .by_ref()
            .take(MAX_LOG_LINE)
            .read_until(b'\n', &mut line)
        {
            Ok(0) | Err(_) => return,
            Ok(_) => {
                let text = String::from_utf8_lossy(&line);
                tracing::info!(target: "cognito_issuer::triggers::handler", function = %arn, "{}", text.trim_end());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runtimes_are_told_by_interpreter() {
        let c = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(Runtime::of(&c(&["node", "a/index.mjs"])), Ok(Runtime::Node));
        assert_eq!(
            Runtime::of(&c(&["/usr/bin/python3", "h.py", "f"])),
            Ok(Runtime::Python)
        );
        assert!(Runtime::of(&c(&["node"])).is_err());
        assert!(Runtime::of(&c(&["ruby", "h.rb"])).is_err());
        assert!(Runtime::of(&c(&["node", "a.js", "h", "extra"])).is_err());
    }

    #[test]
    fn answers_parse() {
        assert!(matches!(
            parse(b"{\"result\":{\"response\":{}}}\n"),
            Answer::Event(_)
        ));
        assert!(
            matches!(parse(b"{\"error\":{\"errorMessage\":\"no\"}}"), Answer::Threw(m) if m == "no")
        );
        assert!(matches!(parse(b"{}"), Answer::Unrecognizable));
        assert!(matches!(parse(b"nope"), Answer::Unrecognizable));
    }
}
