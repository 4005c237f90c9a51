//! The deployable Lambda authorizer: the embedded `authorizer.toml` (or the
//! environment, see `cognito_lambda_authorizer::config`) and the Lambda
//! runtime. Build for Lambda with `cargo lambda build --release
//! -p cognito-lambda-authorizer --features runtime`.

use cognito_lambda_authorizer::{AuthorizerError, Config};
use lambda_runtime::{Diagnostic, LambdaEvent, service_fn};
use serde_json::Value;

/// The configuration compiled in.
const EMBEDDED: &str = include_str!("../../authorizer.toml");

/// The invocation error: API Gateway answers 401 only for the exact
/// message `Unauthorized`, 500 for any other.
fn diagnostic(error: AuthorizerError) -> Diagnostic {
    let error_type = match error {
        AuthorizerError::Unauthorized => "Unauthorized",
        AuthorizerError::Failed(_) => "AuthorizerFailure",
    };
    Diagnostic {
        error_type: error_type.to_owned(),
        error_message: error.to_string(),
    }
}

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    let config = Config::from_env(EMBEDDED, |name| std::env::var(name).ok())?;
    let authorizer = config.build()?;
    let authorizer = &authorizer;
    lambda_runtime::run(service_fn(move |event: LambdaEvent<Value>| async move {
        authorizer
            .handle(event.payload)
            .await
            .into_result()
            .map_err(diagnostic)
    }))
    .await
}
