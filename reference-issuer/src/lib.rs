//! cognito-issuer
