//! The conformance table against both adapters, with tokens from the real
//! reference issuer (signed by its keys, published on its JWKS endpoint).

use cognito_e2e::apps::{actix_app, axum_app};
use cognito_e2e::issuer_pool::IssuerRecipes;
use cognito_test_support::conformance::run_with;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn both_adapters_pass_the_table_with_issuer_tokens() {
    let recipes = IssuerRecipes::start().await;
    let axum = run_with("axum + issuer", &recipes, axum_app::serve).await;
    let actix = run_with("actix + issuer", &recipes, actix_app::serve).await;
    assert_eq!(axum, actix);
    assert!(axum >= 60);
}
