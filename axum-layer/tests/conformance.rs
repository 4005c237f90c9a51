//! The shared conformance table, run against the axum adapter.

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn axum_passes_the_conformance_table() {
    let ran = cognito_e2e::conformance::run("axum", cognito_e2e::apps::axum_app::serve).await;
    assert!(ran >= 60, "only {ran} cases");
}
