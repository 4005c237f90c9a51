//! The standard conformance routes (listed in
//! `test-support/conformance/cases.json`), served by each adapter on a free
//! loopback port.

pub mod actix_app;
pub mod axum_app;
