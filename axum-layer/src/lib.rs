//! cognito-axum
