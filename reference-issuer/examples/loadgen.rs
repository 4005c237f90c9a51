//! Load generator: password sign-ins/s and refreshes/s against the issuer.
//!
//! ```text
//! cargo run --release -p cognito-issuer --example loadgen -- \
//!     --signins 3000 --refreshes 30000 --concurrency 32
//! ```
//!
//! Without `--url` it starts a release issuer in-process on a free loopback
//! port with a temporary data directory; with `--url` (and `--pool-id`,
//! `--client-id`) it targets a running issuer. Request counts are bounded;
//! the run stops by itself.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use clap::Parser;
use serde_json::{Value, json};

#[derive(Debug, Parser)]
struct Args {
    /// Base URL of a running issuer (default: start one in-process).
    #[arg(long)]
    url: Option<String>,
    /// Pool id (with --url).
    #[arg(long)]
    pool_id: Option<String>,
    /// Client id (with --url; needs USER_PASSWORD_AUTH and no secret).
    #[arg(long)]
    client_id: Option<String>,
    /// Number of password sign-ins.
    #[arg(long, default_value_t = 2000)]
    signins: usize,
    /// Number of refreshes.
    #[arg(long, default_value_t = 20000)]
    refreshes: usize,
    /// Concurrent requests in flight.
    #[arg(long, default_value_t = 32)]
    concurrency: usize,
    /// PID of an external issuer process (with --url): its CPU time is
    /// measured too.
    #[arg(long)]
    server_pid: Option<u32>,
    /// Distinct users.
    #[arg(long, default_value_t = 50)]
    users: usize,
}

mod common;

use common::{PASSWORD, call};

struct Phase {
    name: &'static str,
    count: usize,
    elapsed: Duration,
    errors: usize,
    latencies: Vec<Duration>,
    cpu: Option<f64>,
    /// CPU seconds used by other processes during the phase.
    others: Option<f64>,
    /// CPU seconds of the external server process during the phase.
    server_cpu: Option<f64>,
}

/// CPU seconds (user + system, all threads) this process has used, from
/// /proc/self/stat (Linux; `None` elsewhere).
fn process_cpu_seconds() -> Option<f64> {
    cpu_seconds_of("self")
}

static SERVER_PID: std::sync::OnceLock<u32> = std::sync::OnceLock::new();

/// CPU seconds of the external server process, if `--server-pid` was given.
fn server_cpu_seconds() -> Option<f64> {
    cpu_seconds_of(&SERVER_PID.get()?.to_string())
}

fn cpu_seconds_of(pid: &str) -> Option<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let rest = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let utime: f64 = fields.get(11)?.parse().ok()?;
    let stime: f64 = fields.get(12)?.parse().ok()?;
    Some((utime + stime) / 100.0)
}

/// (busy, total) CPU seconds of the whole machine, from /proc/stat.
fn machine_cpu_seconds() -> Option<(f64, f64)> {
    let stat = std::fs::read_to_string("/proc/stat").ok()?;
    let line = stat.lines().next()?;
    let v: Vec<f64> = line
        .split_whitespace()
        .skip(1)
        .take(8)
        .filter_map(|x| x.parse().ok())
        .collect();
    let total: f64 = v.iter().sum();
    let idle = v.get(3)? + v.get(4)?;
    Some(((total - idle) / 100.0, total / 100.0))
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_default()
}

impl Phase {
    fn report(&self) {
        let mut l = self.latencies.clone();
        l.sort();
        let pct = |p: f64| {
            l.get(((l.len() as f64 * p) as usize).min(l.len().saturating_sub(1)))
                .copied()
                .unwrap_or_default()
        };
        println!(
            "{:<8} {:>6} requests in {:>6.2}s = {:>7.1}/s wall-clock  errors={}  p50={:.1?} p99={:.1?}",
            self.name,
            self.count,
            self.elapsed.as_secs_f64(),
            self.count as f64 / self.elapsed.as_secs_f64(),
            self.errors,
            pct(0.50),
            pct(0.99),
        );
        if let Some(cpu) = self.cpu {
            let per = cpu / self.count as f64;
            let cores = std::thread::available_parallelism()
                .map(|n| n.get())
                .unwrap_or(1) as f64;
            println!(
                "{:<8} CPU {:.2} ms/request ({}) => {:.1}/s on {} idle cores; load average now {}",
                "",
                per * 1000.0,
                if SERVER_PID.get().is_some() {
                    "load generator"
                } else {
                    "server + load generator"
                },
                cores / per,
                cores,
                load_average(),
            );
            if let Some(sc) = self.server_cpu {
                let per = sc / self.count as f64;
                println!(
                    "{:<8} server process alone: CPU {:.2} ms/request => {:.1}/s on {} idle cores",
                    "",
                    per * 1000.0,
                    cores / per,
                    cores,
                );
            }
            if let Some(o) = self.others {
                println!(
                    "{:<8} other processes used {:.0}% of the machine's CPU during this phase",
                    "",
                    100.0 * o / (cores * self.elapsed.as_secs_f64()),
                );
            }
        }
    }
}

/// Runs `count` requests with `concurrency` workers; `make(i)` builds the
/// i-th request as (operation, body).
async fn run_phase<F>(
    name: &'static str,
    http: &reqwest::Client,
    base: &str,
    count: usize,
    concurrency: usize,
    make: F,
) -> (Phase, Vec<Value>)
where
    F: Fn(usize) -> (&'static str, Value) + Send + Sync + 'static,
{
    let next = Arc::new(AtomicUsize::new(0));
    let make = Arc::new(make);
    let cpu_start = process_cpu_seconds();
    let machine_start = machine_cpu_seconds();
    let server_start = server_cpu_seconds();
    let start = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..concurrency {
        let (next, make, http, base) = (next.clone(), make.clone(), http.clone(), base.to_string());
        tasks.push(tokio::spawn(async move {
            let mut lat = Vec::new();
            let mut errors = 0usize;
            let mut results = Vec::new();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= count {
                    break;
                }
                let (op, body) = make(i);
                let t = Instant::now();
                match call(&http, &base, op, &body).await {
                    Ok(v) => results.push(v),
                    Err(e) => {
                        if errors == 0 {
                            eprintln!("{name}: first error: {e}");
                        }
                        errors += 1;
                    }
                }
                lat.push(t.elapsed());
            }
            (lat, errors, results)
        }));
    }
    let mut phase = Phase {
        name,
        count,
        elapsed: Duration::ZERO,
        errors: 0,
        latencies: Vec::new(),
        cpu: None,
        others: None,
        server_cpu: None,
    };
    let mut results = Vec::new();
    for t in tasks {
        let (lat, errors, r) = t.await.expect("worker");
        phase.latencies.extend(lat);
        phase.errors += errors;
        results.extend(r);
    }
    phase.elapsed = start.elapsed();
    phase.cpu = cpu_start.zip(process_cpu_seconds()).map(|(a, b)| b - a);
    phase.server_cpu = server_start.zip(server_cpu_seconds()).map(|(a, b)| b - a);
    if let (Some(ours), Some((b0, _)), Some((b1, _))) =
        (phase.cpu, machine_start, machine_cpu_seconds())
    {
        let server = phase.server_cpu.unwrap_or(0.0);
        phase.others = Some((b1 - b0 - ours - server).max(0.0));
    }
    (phase, results)
}

#[tokio::main]
async fn main() {
    let args = Args::parse();
    if let Some(pid) = args.server_pid {
        let _ = SERVER_PID.set(pid);
    }
    let _tmp;
    let _server;
    let (base, pool_id, client_id) = match &args.url {
        Some(u) => (
            u.trim_end_matches('/').to_string(),
            args.pool_id
                .clone()
                .expect("--pool-id is required with --url"),
            args.client_id
                .clone()
                .expect("--client-id is required with --url"),
        ),
        None => {
            _tmp = tempfile::tempdir().expect("temp dir");
            let s = cognito_issuer::IssuerServer::start(cognito_issuer::IssuerOptions::new(
                _tmp.path(),
            ))
            .await
            .expect("issuer starts");
            let ids = (
                s.base_url().to_string(),
                s.pool_id().to_string(),
                s.client_id().to_string(),
            );
            _server = s;
            ids
        }
    };
    println!("load average before: {}", load_average());
    println!(
        "target {base}  pool {pool_id}  argon2id m={} t={} p={}  cores={}",
        cognito_issuer::testing::M_COST,
        cognito_issuer::testing::T_COST,
        cognito_issuer::testing::P_COST,
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
    );
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(args.concurrency)
        .build()
        .expect("http client");

    let run = std::process::id();
    let names: Vec<String> = (0..args.users).map(|i| format!("load-{run}-{i}")).collect();
    for n in &names {
        call(
            &http,
            &base,
            "AdminCreateUser",
            &json!({
            "UserPoolId": pool_id, "Username": n, "MessageAction": "SUPPRESS" }),
        )
        .await
        .expect("create user");
        call(
            &http,
            &base,
            "AdminSetUserPassword",
            &json!({
            "UserPoolId": pool_id, "Username": n, "Password": PASSWORD, "Permanent": true }),
        )
        .await
        .expect("set password");
    }

    let argon_before = cognito_issuer::testing::verify_stats();
    let (n2, c2) = (names.clone(), client_id.clone());
    let (signins, results) = run_phase(
        "sign-in",
        &http,
        &base,
        args.signins,
        args.concurrency,
        move |i| {
            (
                "InitiateAuth",
                json!({ "ClientId": c2, "AuthFlow": "USER_PASSWORD_AUTH",
            "AuthParameters": { "USERNAME": n2[i % n2.len()], "PASSWORD": PASSWORD } }),
            )
        },
    )
    .await;
    signins.report();
    let argon_after = cognito_issuer::testing::verify_stats();
    let n = argon_after.0 - argon_before.0;
    if n > 0 && args.url.is_none() {
        println!(
            "{:<8} argon2id verification: {:.2} ms wall-clock each ({} verifications, at most one per core at a time)",
            "",
            (argon_after.1 - argon_before.1) as f64 / n as f64 / 1e6,
            n
        );
    }

    let tokens: Vec<String> = results
        .iter()
        .filter_map(|r| {
            r["AuthenticationResult"]["RefreshToken"]
                .as_str()
                .map(str::to_string)
        })
        .collect();
    assert!(!tokens.is_empty(), "no sign-in succeeded");
    let c3 = client_id.clone();
    let (refreshes, _) = run_phase(
        "refresh",
        &http,
        &base,
        args.refreshes,
        args.concurrency,
        move |i| {
            (
                "InitiateAuth",
                json!({ "ClientId": c3, "AuthFlow": "REFRESH_TOKEN_AUTH",
            "AuthParameters": { "REFRESH_TOKEN": tokens[i % tokens.len()] } }),
            )
        },
    )
    .await;
    refreshes.report();
    if signins.errors + refreshes.errors > 0 {
        std::process::exit(1);
    }
}
