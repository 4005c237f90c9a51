//! One measured phase of the load generator: a bounded number of jobs run
//! by a fixed number of workers, with wall-clock rate, latency
//! percentiles, this process's CPU time, the external server's (with
//! `--server-pid`) and how much CPU other processes took meanwhile (the
//! machine is shared; such runs are not comparable).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

/// The measurements of one phase.
pub(crate) struct Phase {
    /// What was run (`sign-in`, `refresh`, ...).
    pub(crate) name: &'static str,
    /// Jobs run.
    pub(crate) count: usize,
    /// Wall-clock time of the whole phase.
    pub(crate) elapsed: Duration,
    /// Jobs that failed.
    pub(crate) errors: usize,
    latencies: Vec<Duration>,
    cpu: Option<f64>,
    /// CPU seconds used by other processes during the phase.
    others: Option<f64>,
    /// CPU seconds of the external server process during the phase.
    server_cpu: Option<f64>,
}

static SERVER_PID: OnceLock<u32> = OnceLock::new();

/// Measures the CPU time of the issuer process `pid` too.
pub(crate) fn set_server_pid(pid: u32) {
    let _ = SERVER_PID.set(pid);
}

/// CPU seconds (user + system, all threads) this process has used, from
/// /proc/self/stat (Linux; `None` elsewhere).
fn process_cpu_seconds() -> Option<f64> {
    cpu_seconds_of("self")
}

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

/// The 1, 5 and 15 minute load averages.
pub(crate) fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_default()
}

fn cores() -> f64 {
    std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1) as f64
}

impl Phase {
    fn percentile(&self, p: f64) -> Duration {
        let mut l = self.latencies.clone();
        l.sort();
        l.get(((l.len() as f64 * p) as usize).min(l.len().saturating_sub(1)))
            .copied()
            .unwrap_or_default()
    }

    /// Jobs per second, wall-clock.
    pub(crate) fn rate(&self) -> f64 {
        self.count as f64 / self.elapsed.as_secs_f64()
    }

    /// CPU milliseconds per job: the server's alone with `--server-pid`,
    /// else this process's (server and load generator together).
    fn cpu_ms(&self) -> Option<f64> {
        self.server_cpu
            .or(self.cpu)
            .map(|c| c * 1000.0 / self.count as f64)
    }

    /// Prints the phase's measurements.
    pub(crate) fn report(&self) {
        println!(
            "{:<8} {:>6} jobs in {:>6.2}s = {:>7.1}/s wall-clock  errors={}  p50={:.1?} p99={:.1?}",
            self.name,
            self.count,
            self.elapsed.as_secs_f64(),
            self.rate(),
            self.errors,
            self.percentile(0.50),
            self.percentile(0.99),
        );
        let Some(cpu) = self.cpu else { return };
        let per = cpu / self.count as f64;
        println!(
            "{:<8} CPU {:.2} ms/job ({}) => {:.1}/s on {} idle cores; load average now {}",
            "",
            per * 1000.0,
            if SERVER_PID.get().is_some() {
                "load generator"
            } else {
                "server + load generator"
            },
            cores() / per,
            cores(),
            load_average(),
        );
        if let Some(sc) = self.server_cpu {
            let per = sc / self.count as f64;
            println!(
                "{:<8} server process alone: CPU {:.2} ms/job => {:.1}/s on {} idle cores",
                "",
                per * 1000.0,
                cores() / per,
                cores(),
            );
        }
        if let Some(o) = self.others {
            println!(
                "{:<8} other processes used {:.0}% of the machine's CPU during this phase",
                "",
                self.others_percent(o),
            );
        }
    }

    fn others_percent(&self, others: f64) -> f64 {
        100.0 * others / (cores() * self.elapsed.as_secs_f64())
    }

    /// The phase as a Markdown table row (see [`MARKDOWN_HEADER`]).
    pub(crate) fn markdown_row(&self, what: &str) -> String {
        let opt =
            |v: Option<f64>, prec: usize| v.map_or("–".to_string(), |v| format!("{v:.prec$}"));
        format!(
            "| {what} | {} | {:.1} | {:.1?} | {:.1?} | {} | {} | {} |",
            self.count,
            self.rate(),
            self.percentile(0.50),
            self.percentile(0.99),
            opt(self.cpu_ms(), 2),
            opt(self.others.map(|o| self.others_percent(o)), 0),
            self.errors,
        )
    }
}

/// The header of the rows [`Phase::markdown_row`] prints.
pub(crate) const MARKDOWN_HEADER: &str = "| operation | count | per second (wall-clock) | p50 | p99 | CPU ms per op | other processes' CPU % | errors |\n|---|---|---|---|---|---|---|---|";

/// Runs jobs `0..count` on `concurrency` workers; `job(i)` is the i-th.
/// Returns the measurements and the successful jobs' results.
pub(crate) async fn run<T, F, Fut>(
    name: &'static str,
    count: usize,
    concurrency: usize,
    job: F,
) -> (Phase, Vec<T>)
where
    T: Send + 'static,
    F: Fn(usize) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<T, String>> + Send + 'static,
{
    let next = Arc::new(AtomicUsize::new(0));
    let job = Arc::new(job);
    let cpu_start = process_cpu_seconds();
    let machine_start = machine_cpu_seconds();
    let server_start = server_cpu_seconds();
    let start = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..concurrency {
        let (next, job) = (next.clone(), job.clone());
        tasks.push(tokio::spawn(async move {
            let mut lat = Vec::new();
            let mut errors = 0usize;
            let mut results = Vec::new();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= count {
                    break;
                }
                let t = Instant::now();
                match job(i).await {
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
        match t.await {
            Ok((lat, errors, r)) => {
                phase.latencies.extend(lat);
                phase.errors += errors;
                results.extend(r);
            }
            Err(e) => {
                eprintln!("{name}: a worker failed: {e}");
                phase.errors += 1;
            }
        }
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
