//! Load generator for SRP sign-ins (`USER_SRP_AUTH` → `PASSWORD_VERIFIER`,
//! two requests per sign-in) against the issuer.
//!
//! ```text
//! cargo run --release -p cognito-issuer --example srp_loadgen -- \
//!     --signins 2000 --concurrency 16
//! ```
//!
//! Starts a release issuer in-process on a free loopback port with a
//! temporary data directory; the client side of SRP (A, the session key and
//! the signature, with `cognito_issuer::srp`, whose compatibility the
//! pycognito, amazon-cognito-identity-js and AWS SDK v3 suites establish)
//! runs in the same process, and its CPU time is reported separately so the
//! server's cost per sign-in can be read off. Request counts are bounded.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use clap::Parser;
use cognito_issuer::srp;
use num_bigint::BigUint;
use rand::Rng;
use serde_json::json;

#[derive(Debug, Parser)]
struct Args {
    /// Number of SRP sign-ins.
    #[arg(long, default_value_t = 2000)]
    signins: usize,
    /// Concurrent sign-ins in flight.
    #[arg(long, default_value_t = 16)]
    concurrency: usize,
    /// Distinct users.
    #[arg(long, default_value_t = 20)]
    users: usize,
    /// Also print the result as a row of `loadgen --markdown`'s table
    /// (operation, count, per second, p50, p99, CPU ms per op, other
    /// processes' CPU %, errors).
    #[arg(long)]
    markdown: bool,
}

mod common;

use common::{PASSWORD, call};

fn process_cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    let rest = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let utime: f64 = fields.get(11)?.parse().ok()?;
    let stime: f64 = fields.get(12)?.parse().ok()?;
    Some((utime + stime) / 100.0)
}

/// One SRP sign-in; returns the client-side math time.
async fn sign_in(
    http: &reqwest::Client,
    base: &str,
    pool_id: &str,
    client_id: &str,
    username: &str,
) -> Result<Duration, String> {
    let (a, big_a, mut client_time) = tokio::task::spawn_blocking(|| {
        let t0 = Instant::now();
        let mut bytes = [0u8; 32];
        rand::rng().fill(&mut bytes);
        let a = BigUint::from_bytes_be(&bytes);
        let g = srp::group();
        let big_a = g.g.modpow(&a, &g.n);
        (a, big_a, t0.elapsed())
    })
    .await
    .map_err(|e| e.to_string())?;
    let init = call(
        http,
        base,
        "InitiateAuth",
        &json!({ "ClientId": client_id, "AuthFlow": "USER_SRP_AUTH",
                 "AuthParameters": { "USERNAME": username, "SRP_A": format!("{big_a:x}") } }),
    )
    .await?;
    let p = init["ChallengeParameters"].clone();
    let pool = pool_id.to_string();
    let (responses, t1) = tokio::task::spawn_blocking(move || {
        let t1 = Instant::now();
        let s = |k: &str| p[k].as_str().unwrap_or_default().to_string();
        let salt = BigUint::parse_bytes(s("SALT").as_bytes(), 16).unwrap_or_default();
        let big_b = BigUint::parse_bytes(s("SRP_B").as_bytes(), 16).unwrap_or_default();
        let user_id = s("USER_ID_FOR_SRP");
        let key = srp::client_key(&pool, &user_id, PASSWORD, &salt, &a, &big_b)?;
        let block = STANDARD.decode(s("SECRET_BLOCK")).ok()?;
        let ts = srp::format_timestamp(
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_secs() as i64)
                .unwrap_or_default(),
        );
        let sig = srp::claim_signature(&key, &pool, &user_id, &block, &ts);
        let r = json!({
            "USERNAME": user_id,
            "PASSWORD_CLAIM_SECRET_BLOCK": s("SECRET_BLOCK"),
            "TIMESTAMP": ts,
            "PASSWORD_CLAIM_SIGNATURE": STANDARD.encode(sig),
        });
        Some((r, t1.elapsed()))
    })
    .await
    .map_err(|e| e.to_string())?
    .ok_or("bad challenge")?;
    client_time += t1;
    let out = call(
        http,
        base,
        "RespondToAuthChallenge",
        &json!({ "ClientId": client_id, "ChallengeName": "PASSWORD_VERIFIER",
                 "ChallengeResponses": responses }),
    )
    .await?;
    if out["AuthenticationResult"]["AccessToken"].is_string() {
        Ok(client_time)
    } else {
        Err(format!("no tokens: {out}"))
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = Args::parse();
    let dir = tempfile::tempdir()?;
    let issuer =
        cognito_issuer::IssuerServer::start(cognito_issuer::IssuerOptions::new(dir.path())).await?;
    let base = issuer.base_url().to_string();
    let pool_id = issuer.pool_id().to_string();
    let client_id = issuer.client_id().to_string();
    let http = reqwest::Client::new();
    for i in 0..args.users {
        let u = format!("srpuser{i}");
        call(
            &http,
            &base,
            "AdminCreateUser",
            &json!({ "UserPoolId": pool_id, "Username": u, "MessageAction": "SUPPRESS" }),
        )
        .await?;
        call(
            &http,
            &base,
            "AdminSetUserPassword",
            &json!({ "UserPoolId": pool_id, "Username": u, "Password": PASSWORD, "Permanent": true }),
        )
        .await?;
    }
    // Warm-up (connections, key cache).
    for i in 0..args.users.min(4) {
        sign_in(&http, &base, &pool_id, &client_id, &format!("srpuser{i}")).await?;
    }

    // Calibrate the client's SRP math alone (one thread, sequential).
    let calib = 50u32;
    let per_client = tokio::task::spawn_blocking(move || {
        let g = srp::group();
        let salt = BigUint::from(0x1234_5678_9abc_def0u64);
        let big_b = g.g.modpow(&BigUint::from(987_654_321u64), &g.n);
        let t = Instant::now();
        for _ in 0..calib {
            let mut bytes = [0u8; 32];
            rand::rng().fill(&mut bytes);
            let a = BigUint::from_bytes_be(&bytes);
            let _ = g.g.modpow(&a, &g.n);
            let _ = srp::client_key("us-east-1_Calib", "u", PASSWORD, &salt, &a, &big_b);
        }
        t.elapsed() / calib
    })
    .await?;

    let next = Arc::new(AtomicUsize::new(0));
    let errors = Arc::new(AtomicUsize::new(0));
    let client_ns = Arc::new(AtomicU64::new(0));
    let cpu0 = process_cpu_seconds();
    let start = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..args.concurrency {
        let (http, base, pool_id, client_id) = (
            http.clone(),
            base.clone(),
            pool_id.clone(),
            client_id.clone(),
        );
        let (next, errors, client_ns) = (next.clone(), errors.clone(), client_ns.clone());
        let (n, users) = (args.signins, args.users);
        tasks.push(tokio::spawn(async move {
            let mut lat = Vec::new();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= n {
                    break;
                }
                let t = Instant::now();
                match sign_in(
                    &http,
                    &base,
                    &pool_id,
                    &client_id,
                    &format!("srpuser{}", i % users),
                )
                .await
                {
                    Ok(c) => {
                        client_ns.fetch_add(c.as_nanos() as u64, Ordering::Relaxed);
                        lat.push(t.elapsed());
                    }
                    Err(e) => {
                        if errors.fetch_add(1, Ordering::Relaxed) < 3 {
                            eprintln!("sign-in failed: {e}");
                        }
                    }
                }
            }
            lat
        }));
    }
    let mut lat = Vec::new();
    for t in tasks {
        lat.extend(t.await?);
    }
    let elapsed = start.elapsed();
    let cpu = process_cpu_seconds().zip(cpu0).map(|(b, a)| b - a);
    lat.sort();
    let pct = |p: f64| {
        lat.get(((lat.len() as f64 * p) as usize).min(lat.len().saturating_sub(1)))
            .copied()
            .unwrap_or_default()
    };
    let n = args.signins;
    println!(
        "srp      {n:>6} sign-ins (2 requests each) in {:>6.2}s = {:>7.1}/s wall-clock  errors={}  p50={:.1?} p99={:.1?}",
        elapsed.as_secs_f64(),
        n as f64 / elapsed.as_secs_f64(),
        errors.load(Ordering::Relaxed),
        pct(0.50),
        pct(0.99)
    );
    let errors = errors.load(Ordering::Relaxed);
    if args.markdown {
        println!(
            "| SRP sign-in (USER_SRP_AUTH + PASSWORD_VERIFIER, client math in-process) | {n} | {:.1} | {:.1?} | {:.1?} | {} | – | {errors} |",
            n as f64 / elapsed.as_secs_f64(),
            pct(0.50),
            pct(0.99),
            cpu.map_or("–".to_string(), |c| format!(
                "{:.2}",
                c / n as f64 * 1000.0
            )),
        );
    }
    if let Some(cpu) = cpu {
        let client = per_client.as_secs_f64() * n as f64;
        let cores = std::thread::available_parallelism()
            .map(|x| x.get())
            .unwrap_or(1) as f64;
        let server = (cpu - client).max(0.0) / n as f64;
        println!(
            "         CPU {:.2} ms/sign-in total, of which client SRP math ~{:.2} ms (calibrated alone); server + HTTP ~{:.2} ms => ~{:.0} sign-ins/s on {} cores without the client",
            cpu / n as f64 * 1000.0,
            client / n as f64 * 1000.0,
            server * 1000.0,
            cores / server,
            cores
        );
    }
    issuer.shutdown().await?;
    if errors > 0 {
        return Err(format!("{errors} sign-ins failed").into());
    }
    Ok(())
}
