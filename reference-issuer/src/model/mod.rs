//! Typed records: user pools, app clients, users, groups, resource servers
//! and MFA settings. Every field the issuer interprets is typed; fields it
//! only echoes (Describe returns what Create received) stay in an `extra`
//! map. Records (de)serialize in Cognito's PascalCase shapes, which are
//! also their stored form. Nothing here imports another module of the
//! crate.

mod client;
mod group;
mod mfa;
mod pool;
mod resource_server;
mod user;

pub(crate) use client::{
    AppClient, ExplicitAuthFlow, OAuthFlow, PreventUserExistenceErrors, RefreshTokenRotation,
    RotationFeature, TimeUnit, TokenValidityUnits,
};
pub(crate) use group::Group;
pub(crate) use mfa::UserMfa;
pub use pool::IssuerStyle;
pub(crate) use pool::{
    MfaConfiguration, MfaFactor, PasswordPolicy, Policies, Pool, SchemaAttribute,
    SoftwareTokenMfaConfig, UsernameConfiguration,
};
pub(crate) use resource_server::{ResourceServer, ResourceServerScope};
pub(crate) use user::{User, UserStatus};
