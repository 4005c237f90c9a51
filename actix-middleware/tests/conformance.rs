//! The shared conformance table, run against the actix-web adapter.

use crate::actix_app;

use cognito_test_support::{conformance, conformance_alb};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn actix_passes_the_conformance_table() {
    let ran = conformance::run("actix", actix_app::serve).await;
    assert!(ran >= 60, "only {ran} cases");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn actix_passes_the_alb_rows_of_the_table() {
    let fixture = conformance::Fixture::start().await;
    let ran = conformance_alb::run("actix", &fixture, actix_app::serve).await;
    assert!(ran >= 40, "only {ran} ALB cases");
}
