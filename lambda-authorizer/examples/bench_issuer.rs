//! The benchmark's token issuer (`scripts/bench/lambda-authorizer.sh`): a
//! loopback JWKS server (test-support's `TestIssuer`), one ID token in group
//! `admin`, and AWS's sample REST `TOKEN` event carrying it.
//!
//! `bench_issuer DIR` writes `DIR/event.json` and `DIR/env` (shell
//! assignments: `JWKS_URL`, `POOL_ID`, `CLIENT_ID`), then serves the JWKS
//! until its standard input closes.

use std::io::Read;

use cognito_test_support::test_issuer::TestIssuer;
use serde_json::json;

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let dir = std::env::args().nth(1).unwrap_or_else(|| ".".to_owned());
    let issuer = TestIssuer::start().await;
    let token = issuer.mint(&issuer.id_claims(&["admin"]));
    // AWS's sample TOKEN event (Lambda authorizer input), with our token.
    let event = json!({
        "type": "TOKEN",
        "authorizationToken": format!("Bearer {token}"),
        "methodArn": "arn:aws:execute-api:us-east-1:123456789012:example/prod/GET/hello",
    });
    std::fs::write(format!("{dir}/event.json"), event.to_string())?;
    std::fs::write(
        format!("{dir}/env"),
        format!(
            "JWKS_URL={}\nPOOL_ID={}\nCLIENT_ID={}\n",
            issuer.jwks.url(),
            issuer.pool_id,
            issuer.client_id
        ),
    )?;
    println!("ready");
    // Serve until the script closes our standard input.
    tokio::task::spawn_blocking(|| {
        let mut sink = Vec::new();
        let _ = std::io::stdin().read_to_end(&mut sink);
    })
    .await?;
    Ok(())
}
