//! The directory: pools, clients, users, groups, attributes, codes,
//! resource servers and devices, with their invariants.

pub(crate) mod accounts;
pub(crate) mod admin_users;
pub(crate) mod attributes;
pub(crate) mod client_oauth;
pub(crate) mod clients;
pub(crate) mod code_decoys;
pub(crate) mod codes;
pub(crate) mod credentials;
pub(crate) mod devices;
pub(crate) mod domains;
pub(crate) mod filter;
pub(crate) mod groups;
pub(crate) mod lookup;
pub(crate) mod memberships;
pub(crate) mod mfa;
pub(crate) mod migration;
pub(crate) mod outbox;
pub(crate) mod password;
pub(crate) mod pools;
pub(crate) mod profile;
pub(crate) mod resource_servers;
pub(crate) mod seed;
pub(crate) mod sign_out;
pub(crate) mod ui_customization;
pub(crate) mod users;
