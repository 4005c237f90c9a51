//! cognito-actix
