//! cognito-examples
