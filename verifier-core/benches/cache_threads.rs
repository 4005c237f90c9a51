//! Verified-token cache hits on one and on two threads (issue 18): what a
//! 2-worker server pays per request when tokens repeat. Two threads hit
//! either the same cached token or a token each; the time is wall-clock per
//! hit per thread (both threads run the same number of hits at once, so a
//! time equal to the one-thread case means no contention).
//!
//! `cargo bench -p cognito-verifier --bench cache_threads`

use std::hint::black_box;
use std::sync::Barrier;
use std::time::{Duration, Instant};

use cognito_test_support::test_issuer::TestIssuer;
use cognito_verifier::{CognitoVerifier, PoolConfig};
use criterion::{Criterion, Throughput, criterion_main};

/// `iters` cache hits on each of `tokens.len()` threads started together;
/// the wall time from the start to the last thread's end.
fn hits(verifier: &CognitoVerifier, tokens: &[&str], iters: u64) -> Duration {
    let start = Barrier::new(tokens.len() + 1);
    std::thread::scope(|s| {
        let workers: Vec<_> = tokens
            .iter()
            .map(|token| {
                let start = &start;
                s.spawn(move || {
                    start.wait();
                    for _ in 0..iters {
                        black_box(verifier.verify_sync(black_box(token)).unwrap());
                    }
                })
            })
            .collect();
        start.wait();
        let began = Instant::now();
        for worker in workers {
            worker.join().unwrap();
        }
        began.elapsed()
    })
}

fn bench(c: &mut Criterion) {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let issuer = runtime.block_on(TestIssuer::start());
    let mint = |jti: &str| {
        let mut claims = issuer.access_claims("openid profile orders/read", &["admin"]);
        claims["jti"] = serde_json::json!(jti);
        issuer.mint(&claims)
    };
    let (a, b) = (mint("bench-a"), mint("bench-b"));
    let verifier = CognitoVerifier::builder()
        .pool(
            PoolConfig::new(&issuer.pool_id)
                .jwks_uri(issuer.jwks.url())
                .client_id(&issuer.client_id),
        )
        .build()
        .unwrap();
    runtime.block_on(verifier.hydrate()).unwrap();
    verifier.verify_sync(&a).unwrap();
    verifier.verify_sync(&b).unwrap();

    let mut group = c.benchmark_group("cache_hit_threads");
    group.throughput(Throughput::Elements(1));
    for (name, tokens) in [
        ("1 thread", vec![a.as_str()]),
        ("2 threads, same token", vec![a.as_str(), a.as_str()]),
        ("2 threads, a token each", vec![a.as_str(), b.as_str()]),
    ] {
        group.bench_function(name, |bench| {
            bench.iter_custom(|iters| hits(&verifier, &tokens, iters))
        });
    }
    group.finish();
}

/// The criterion group (its macro generates an undocumented `pub fn`).
#[allow(missing_docs)]
mod group {
    criterion::criterion_group!(benches, super::bench);
}
criterion_main!(group::benches);
