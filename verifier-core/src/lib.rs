//! cognito-verifier
