//! Load generator: password sign-ins/s, hosted-UI logins/s and
//! refreshes/s against the issuer.
//!
//! ```text
//! cargo run --release -p cognito-issuer --example loadgen -- \
//!     --signins 2000 --hosted-logins 2000 --redeem --refreshes 20000 --concurrency 32
//! ```
//!
//! Without `--url` it starts a release issuer in-process on a free loopback
//! port with a temporary data directory; with `--url` (and `--pool-id`,
//! `--client-id`) it targets a running issuer whose management operations
//! are open (it creates the users, and for `--hosted-logins` an OAuth
//! client). Phases, in order: password sign-ins (`USER_PASSWORD_AUTH`),
//! hosted-UI logins (authorize -> login page -> form POST -> code, see
//! `loadgen/hosted.rs`), code redemptions at `/oauth2/token` (`--redeem`),
//! refreshes. Job counts are bounded; the run stops by itself.

use std::sync::Arc;
use std::time::Duration;

use clap::Parser;
use serde_json::json;

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
    /// Number of hosted-UI logins (three requests each).
    #[arg(long, default_value_t = 0)]
    hosted_logins: usize,
    /// Also redeem each hosted-UI login's code at /oauth2/token (a phase
    /// of its own).
    #[arg(long)]
    redeem: bool,
    /// Number of refreshes.
    #[arg(long, default_value_t = 20000)]
    refreshes: usize,
    /// Concurrent jobs in flight.
    #[arg(long, default_value_t = 32)]
    concurrency: usize,
    /// PID of an external issuer process (with --url): its CPU time is
    /// measured too.
    #[arg(long)]
    server_pid: Option<u32>,
    /// Distinct users.
    #[arg(long, default_value_t = 50)]
    users: usize,
    /// Print a Markdown table of the phases at the end.
    #[arg(long)]
    markdown: bool,
}

mod common;
#[path = "loadgen/hosted.rs"]
mod hosted;
#[path = "loadgen/phase.rs"]
mod phase;

use common::{PASSWORD, call};
use phase::{MARKDOWN_HEADER, Phase, load_average};

/// Argon2id verifications (count, nanoseconds) since `before`, printed
/// for an in-process issuer.
fn report_argon(before: (u64, u64), in_process: bool) {
    let after = cognito_issuer::testing::verify_stats();
    let n = after.0 - before.0;
    if n > 0 && in_process {
        println!(
            "{:<8} argon2id verification: {:.2} ms wall-clock each ({} verifications, at most one per core at a time)",
            "",
            (after.1 - before.1) as f64 / n as f64 / 1e6,
            n
        );
    }
}

/// The mean of each hosted-UI login step.
fn report_steps(logins: &[hosted::Login]) {
    if logins.is_empty() {
        return;
    }
    let n = logins.len() as u32;
    let sum = |f: fn(&hosted::Steps) -> Duration| -> Duration {
        logins.iter().map(|l| f(&l.steps)).sum::<Duration>() / n
    };
    println!(
        "{:<8} mean per step: authorize {:.2?}, login page {:.2?}, form POST {:.2?}",
        "",
        sum(|s| s.authorize),
        sum(|s| s.page),
        sum(|s| s.submit),
    );
}

/// Creates the users the phases sign in as.
async fn create_users(
    http: &reqwest::Client,
    base: &str,
    pool_id: &str,
    names: &[String],
) -> Result<(), String> {
    for n in names {
        call(
            http,
            base,
            "AdminCreateUser",
            &json!({ "UserPoolId": pool_id, "Username": n, "MessageAction": "SUPPRESS" }),
        )
        .await?;
        call(
            http,
            base,
            "AdminSetUserPassword",
            &json!({ "UserPoolId": pool_id, "Username": n, "Password": PASSWORD, "Permanent": true }),
        )
        .await?;
    }
    Ok(())
}

/// Password sign-ins (USER_PASSWORD_AUTH); returns the refresh tokens.
async fn sign_ins(
    args: &Args,
    http: &reqwest::Client,
    base: &str,
    client_id: &str,
    names: &Arc<Vec<String>>,
) -> (Phase, Vec<String>) {
    let (http, base, client_id, names) = (
        http.clone(),
        base.to_string(),
        client_id.to_string(),
        names.clone(),
    );
    phase::run("sign-in", args.signins, args.concurrency, move |i| {
        let (http, base) = (http.clone(), base.clone());
        let body = json!({ "ClientId": client_id, "AuthFlow": "USER_PASSWORD_AUTH",
            "AuthParameters": { "USERNAME": names[i % names.len()], "PASSWORD": PASSWORD } });
        async move {
            let r = call(&http, &base, "InitiateAuth", &body).await?;
            r["AuthenticationResult"]["RefreshToken"]
                .as_str()
                .map(str::to_string)
                .ok_or_else(|| format!("no refresh token in {r}"))
        }
    })
    .await
}

/// Hosted-UI logins, then (with `--redeem`) their codes redeemed.
async fn hosted_logins(
    args: &Args,
    base: &str,
    pool_id: &str,
    names: &Arc<Vec<String>>,
) -> Result<Vec<Phase>, String> {
    let http = hosted::http_client(args.concurrency)?;
    let client_id = Arc::new(hosted::create_client(&http, base, pool_id).await?);
    let url = reqwest::Url::parse(base).map_err(|e| e.to_string())?;
    let argon_before = cognito_issuer::testing::verify_stats();
    let (h, c, n) = (http.clone(), client_id.clone(), names.clone());
    let (logins, done) = phase::run("hosted", args.hosted_logins, args.concurrency, move |i| {
        let (h, c, n, url) = (h.clone(), c.clone(), n.clone(), url.clone());
        async move {
            let state = format!("lg-{i}");
            hosted::login(&h, &url, &c, &n[i % n.len()], PASSWORD, &state).await
        }
    })
    .await;
    logins.report();
    report_argon(argon_before, args.url.is_none());
    report_steps(&done);
    let mut phases = vec![logins];
    if args.redeem && !done.is_empty() {
        let done = Arc::new(done);
        let base = base.to_string();
        let (redeems, _) = phase::run("redeem", done.len(), args.concurrency, move |i| {
            let (h, c, base, done) = (http.clone(), client_id.clone(), base.clone(), done.clone());
            async move {
                let l = &done[i];
                hosted::redeem_code(&h, &base, &c, &l.code, &l.verifier).await
            }
        })
        .await;
        redeems.report();
        phases.push(redeems);
    }
    Ok(phases)
}

#[tokio::main]
async fn main() -> Result<(), String> {
    let args = Args::parse();
    if let Some(pid) = args.server_pid {
        phase::set_server_pid(pid);
    }
    let _tmp;
    let _server;
    let (base, pool_id, client_id) = match &args.url {
        Some(u) => (
            u.trim_end_matches('/').to_string(),
            args.pool_id
                .clone()
                .ok_or("--pool-id is required with --url")?,
            args.client_id
                .clone()
                .ok_or("--client-id is required with --url")?,
        ),
        None => {
            _tmp = tempfile::tempdir().map_err(|e| e.to_string())?;
            let s = cognito_issuer::IssuerServer::start(cognito_issuer::IssuerOptions::new(
                _tmp.path(),
            ))
            .await
            .map_err(|e| e.to_string())?;
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
        .map_err(|e| e.to_string())?;

    let run = std::process::id();
    let names: Arc<Vec<String>> =
        Arc::new((0..args.users).map(|i| format!("load-{run}-{i}")).collect());
    create_users(&http, &base, &pool_id, &names).await?;

    let mut phases = Vec::new();
    let mut tokens = Vec::new();
    if args.signins > 0 {
        let argon_before = cognito_issuer::testing::verify_stats();
        let (signins, t) = sign_ins(&args, &http, &base, &client_id, &names).await;
        signins.report();
        report_argon(argon_before, args.url.is_none());
        phases.push(signins);
        tokens = t;
    }

    if args.hosted_logins > 0 {
        phases.extend(hosted_logins(&args, &base, &pool_id, &names).await?);
    }

    if args.refreshes > 0 {
        if tokens.is_empty() {
            return Err("no sign-in succeeded: nothing to refresh".into());
        }
        let (http, base, tokens) = (http.clone(), base.clone(), Arc::new(tokens));
        let (refreshes, _) = phase::run("refresh", args.refreshes, args.concurrency, move |i| {
            let (http, base) = (http.clone(), base.clone());
            let body = json!({ "ClientId": client_id, "AuthFlow": "REFRESH_TOKEN_AUTH",
                "AuthParameters": { "REFRESH_TOKEN": tokens[i % tokens.len()] } });
            async move { call(&http, &base, "InitiateAuth", &body).await.map(drop) }
        })
        .await;
        refreshes.report();
        phases.push(refreshes);
    }

    if args.markdown {
        println!("\n{MARKDOWN_HEADER}");
        for p in &phases {
            println!("{}", p.markdown_row(describe(p.name)));
        }
    }
    if phases.iter().any(|p| p.errors > 0) {
        return Err("some jobs failed (see above)".into());
    }
    Ok(())
}

/// What a phase measures, for the Markdown table.
fn describe(name: &str) -> &'static str {
    match name {
        "sign-in" => "password sign-in (USER_PASSWORD_AUTH)",
        "hosted" => "hosted-UI login (authorize + login page + form POST)",
        "redeem" => "code redemption (/oauth2/token, PKCE)",
        "refresh" => "refresh (REFRESH_TOKEN_AUTH)",
        _ => "other",
    }
}
