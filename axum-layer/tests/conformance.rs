//! The shared conformance table, run against the axum adapter.

use crate::axum_app;

use cognito_test_support::{conformance, conformance_alb};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn axum_passes_the_conformance_table() {
    let ran = conformance::run("axum", axum_app::serve).await;
    assert!(ran >= 60, "only {ran} cases");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn axum_passes_the_alb_rows_of_the_table() {
    let fixture = conformance::Fixture::start().await;
    let ran = conformance_alb::run("axum", &fixture, axum_app::serve).await;
    assert!(ran >= 40, "only {ran} ALB cases");
}
