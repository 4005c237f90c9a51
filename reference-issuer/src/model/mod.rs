//! Typed records: user pools, app clients, users, groups, resource servers,
//! MFA settings and devices. Every field the issuer interprets is typed; fields it
//! only echoes (Describe returns what Create received) stay in an `extra`
//! map. Records (de)serialize in Cognito's PascalCase shapes, which are
//! also their stored form. Nothing here imports another module of the
//! crate.

mod client;
mod device;
mod domain;
mod group;
mod lambda_config;
mod mfa;
mod pool;
mod resource_server;
mod schema;
mod ui_customization;
mod user;

pub(crate) use client::{
    AppClient, ExplicitAuthFlow, OAuthFlow, PreventUserExistenceErrors, RefreshTokenRotation,
    RotationFeature, TimeUnit, TokenValidityUnits,
};
pub(crate) use device::{Device, RememberedStatus};
pub(crate) use domain::PoolDomain;
pub(crate) use group::Group;
pub(crate) use lambda_config::{LambdaConfig, PreTokenGenerationConfig};
pub(crate) use mfa::UserMfa;
pub use pool::IssuerStyle;
pub(crate) use pool::{
    AuthFactor, DeviceConfiguration, MfaConfiguration, MfaFactor, PasswordPolicy, Policies, Pool,
    SchemaAttribute, SignInPolicy, SoftwareTokenMfaConfig, UsernameConfiguration,
};
pub(crate) use resource_server::{ResourceServer, ResourceServerScope};
pub(crate) use schema::{STANDARD_ATTRIBUTES, described as described_schema};
pub(crate) use ui_customization::{ALL_CLIENTS, ImageType, UiCustomization};
pub(crate) use user::{User, UserStatus};
