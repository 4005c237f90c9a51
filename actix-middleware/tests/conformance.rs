//! The shared conformance table, run against the actix-web adapter.

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn actix_passes_the_conformance_table() {
    let ran = cognito_e2e::conformance::run("actix", cognito_e2e::apps::actix_app::serve).await;
    assert!(ran >= 60, "only {ran} cases");
}
