//! The Rust side of `scripts/bench/lambda-authorizer.sh`: the authorizer's
//! handler invoked in-process with a sample event.
//!
//! - `bench_invoke cold EVENT`: configure from the environment as the
//!   Lambda binary does (`COGNITO_AUTHORIZER_CONFIG` etc.), decide once
//!   (fetching the JWKS), print the answer, exit. The script times the process.
//! - `bench_invoke warm EVENT SECONDS`: decide repeatedly and print decisions
//!   per second, with the verified-token cache (the same token again, as
//!   API Gateway sends it) and without it (every decision checks the RSA
//!   signature, as aws-jwt-verify does).

use std::time::{Duration, Instant};

use cognito_lambda_authorizer::{Config, Verdict};
use cognito_verifier::{CognitoVerifier, PoolConfig};
use serde_json::Value;

fn usage() -> ! {
    eprintln!("usage: bench_invoke cold EVENT | warm EVENT SECONDS");
    std::process::exit(2)
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let (Some(mode), Some(path)) = (args.get(1), args.get(2)) else {
        usage()
    };
    let event: Value = serde_json::from_str(&std::fs::read_to_string(path)?)?;
    let config = Config::from_env("", |name| std::env::var(name).ok())?;
    match mode.as_str() {
        "cold" => {
            let authorizer = config.build()?;
            let answer = authorizer.handle(event).await.into_result()?;
            println!("{}", answer["policyDocument"]["Statement"][0]["Effect"]);
        }
        "warm" => {
            let seconds: u64 = args
                .get(3)
                .and_then(|s| s.parse().ok())
                .unwrap_or_else(|| usage());
            let cached = config.build()?;
            let pool = &config.pools[0];
            let mut uncached = CognitoVerifier::builder().disable_token_cache();
            let mut p = PoolConfig::new(&pool.id).client_ids(&pool.client_ids);
            if let Some(uri) = &pool.jwks_uri {
                p = p.jwks_uri(uri);
            }
            uncached = uncached.pool(p);
            let uncached = config.build_with(uncached.build()?)?;
            for (name, authorizer) in [("cached", &cached), ("uncached", &uncached)] {
                let deadline = Instant::now() + Duration::from_secs(seconds);
                let (mut n, start) = (0u64, Instant::now());
                while Instant::now() < deadline {
                    for _ in 0..100 {
                        let outcome = authorizer.handle(event.clone()).await;
                        if outcome.verdict() != Verdict::Allow {
                            return Err(format!("not allowed: {outcome:?}").into());
                        }
                    }
                    n += 100;
                }
                println!("{name} {:.0}", n as f64 / start.elapsed().as_secs_f64());
            }
        }
        _ => usage(),
    }
    Ok(())
}
