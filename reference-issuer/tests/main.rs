//! Every integration test of this crate in one binary (one link instead of
//! one per file: CI's disk and time). Each file below is a module; run one
//! with `cargo test -p <crate> --test integration <module>::`.

mod api_limits;
mod attempt_budgets;
mod authorization_code;
mod common;
mod cors;
mod custom_auth;
mod data_dir;
mod devices;
mod durability;
mod edge;
mod hosted_ui;
mod oauth2;
mod oauth_clients;
mod pool_updates;
mod pre_token;
mod refresh_tokens;
mod sigv4;
mod srp;
mod triggers;
mod ui_customization;
mod user_auth;
mod usernames;
mod verifier;
