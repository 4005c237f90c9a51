//! The directory: pools, clients, users, groups, attributes, codes and
//! resource servers, with their invariants.

pub mod attributes;
pub mod codes;
pub mod credentials;
pub mod filter;
pub mod lookup;
pub mod mfa;
pub mod outbox;
pub mod password;
