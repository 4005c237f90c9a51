//! Every integration test of this crate in one binary (one link instead of
//! one per file: CI's disk and time). Each file below is a module; run one
//! with `cargo test -p <crate> --test integration <module>::`.

mod admin;
mod alb_browser;
mod hosted_ui_browser;
mod oidc_relying_party;
mod refresh_tokens;
mod sign_out;
mod user_flows;
