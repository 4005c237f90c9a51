//! [`TriggerError`]: why a trigger did not give a usable answer, turned
//! into AWS's wire error only at the edges (through [`crate::error::Error`]).

use super::TriggerKind;
use crate::error::{Error, ErrorKind};

/// A trigger's failure. Its `Display` is the message AWS puts on the wire.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub(crate) enum TriggerError {
    /// The handler threw (or answered an error):
    /// `UserLambdaValidationException`.
    #[error("{} failed with error {message}.", kind.name())]
    Failed {
        /// The trigger.
        kind: TriggerKind,
        /// The handler's error message.
        message: String,
    },
    /// The handler's answer is not an event with a `response`:
    /// `InvalidLambdaResponseException`.
    #[error("Unrecognizable lambda output")]
    Unrecognizable {
        /// The trigger.
        kind: TriggerKind,
    },
    /// No answer within AWS's 5 seconds: `UnexpectedLambdaException`
    /// (AWS's wording for a trigger that timed out).
    #[error("{} invocation failed due to error Socket timeout while invoking Lambda function.", kind.name())]
    Timeout {
        /// The trigger.
        kind: TriggerKind,
    },
    /// The pool names a function the issuer's configuration maps to no
    /// handler: `UnexpectedLambdaException` naming the ARN.
    #[error(
        "{} invocation failed due to error ResourceNotFoundException: no handler is configured for function {arn} ([triggers] in the issuer's configuration).",
        kind.name()
    )]
    NotMapped {
        /// The trigger.
        kind: TriggerKind,
        /// The function ARN.
        arn: String,
    },
    /// The pool could not be read (missing pool, storage fault).
    #[error("{0}")]
    Pool(Error),
}

impl From<TriggerError> for Error {
    fn from(e: TriggerError) -> Self {
        let kind = match &e {
            TriggerError::Failed { .. } => ErrorKind::UserLambdaValidation,
            TriggerError::Unrecognizable { .. } => ErrorKind::InvalidLambdaResponse,
            TriggerError::Timeout { .. } | TriggerError::NotMapped { .. } => {
                ErrorKind::UnexpectedLambda
            }
            TriggerError::Pool(e) => return e.clone(),
        };
        Error::new(kind, e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_are_aws_wording() {
        let failed = TriggerError::Failed {
            kind: TriggerKind::PreSignUp,
            message: "Only company emails".into(),
        };
        let e = Error::from(failed);
        assert_eq!(e.kind, ErrorKind::UserLambdaValidation);
        assert_eq!(
            e.message,
            "PreSignUp failed with error Only company emails."
        );
        let e = Error::from(TriggerError::Unrecognizable {
            kind: TriggerKind::CustomMessage,
        });
        assert_eq!(
            (e.kind, e.message.as_str()),
            (
                ErrorKind::InvalidLambdaResponse,
                "Unrecognizable lambda output"
            )
        );
        let e = Error::from(TriggerError::Timeout {
            kind: TriggerKind::PostConfirmation,
        });
        assert_eq!(e.kind, ErrorKind::UnexpectedLambda);
        assert_eq!(
            e.message,
            "PostConfirmation invocation failed due to error Socket timeout while invoking Lambda function."
        );
    }
}
