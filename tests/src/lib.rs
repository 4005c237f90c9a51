//! cognito-e2e
