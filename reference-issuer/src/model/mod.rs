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

pub use client::{AppClient, OAuthFlow, TokenValidityUnits};
pub use group::Group;
pub use mfa::UserMfa;
pub use pool::{
    IssuerStyle, MfaConfiguration, MfaFactor, PasswordPolicy, Policies, Pool,
    SoftwareTokenMfaConfig, UsernameConfiguration,
};
pub use resource_server::ResourceServer;
pub use user::{User, UserStatus};
