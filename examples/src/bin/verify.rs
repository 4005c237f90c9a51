//! `verify`: check Cognito tokens from scripts.
//!
//! ```text
//! verify --user-pool-id ID [--client-id C]... [--no-client-check] [--token-use id|access|any]
//!        [--jwks-uri URL] [--issuer URL] [--group G]... [--scope S]... [--leeway SECS]
//!        [--batch] [TOKEN]
//! ```
//!
//! Accepted: prints the claims as JSON, exits 0. Rejected: prints
//! `{"error":"<cause>","message":"..."}`, exits 1. Usage errors exit 2.
//! With `--batch`, reads one token per line from stdin and prints one JSON
//! decision per line, each with `"ok": true|false`: every line gets one, a
//! line that is not UTF-8 is refused as `"error":"unreadable"`, and the exit
//! code is 1 if any line was refused (2 if stdin or stdout failed).
//! Without TOKEN and `--batch`, the token is read from stdin.

use std::io::{BufRead, Write};
use std::process::ExitCode;
use std::time::Duration;

use clap::{Parser, ValueEnum};
use cognito_verifier::{CognitoVerifier, ExpectedTokenUse, PoolConfig, Requirement, VerifyError};
use serde_json::{Value, json};

#[derive(Parser)]
#[command(
    name = "verify",
    about = "Verify Amazon Cognito user pool tokens",
    version
)]
struct Args {
    /// The user pool id, e.g. us-east-1_AbCdEf123.
    #[arg(long, env = "COGNITO_USER_POOL_ID")]
    user_pool_id: String,
    /// An allowed app client id (aud for ID tokens, client_id for access tokens). Repeatable.
    #[arg(long = "client-id")]
    client_ids: Vec<String>,
    /// Accept tokens of any app client of the pool (explicit opt-out of the client check).
    #[arg(long, conflicts_with = "client_ids")]
    no_client_check: bool,
    /// Which tokens to accept.
    #[arg(long, value_enum, default_value_t = TokenUseArg::Any)]
    token_use: TokenUseArg,
    /// Where to fetch the JWKS (default: derived from the issuer).
    #[arg(long)]
    jwks_uri: Option<String>,
    /// Expected `iss` (default: https://cognito-idp.<region>.amazonaws.com/<poolId>).
    #[arg(long)]
    issuer: Option<String>,
    /// A required group (all listed groups are required). Repeatable.
    #[arg(long = "group")]
    groups: Vec<String>,
    /// A required scope (all listed scopes are required). Repeatable.
    #[arg(long = "scope")]
    scopes: Vec<String>,
    /// Tolerance for exp/nbf/iat, in seconds.
    #[arg(long, default_value_t = 0)]
    leeway: u64,
    /// Read one token per line from stdin; print one JSON decision per line.
    #[arg(long, conflicts_with = "token")]
    batch: bool,
    /// The token (default: read from stdin).
    token: Option<String>,
}

#[derive(Clone, Copy, ValueEnum)]
enum TokenUseArg {
    Id,
    Access,
    Any,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let verifier = match build(&args) {
        Ok(v) => v,
        Err(message) => {
            eprintln!("verify: {message}");
            return ExitCode::from(2);
        }
    };
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("verify: cannot start runtime: {e}");
            return ExitCode::from(2);
        }
    };
    runtime.block_on(run(args, verifier))
}

fn build(args: &Args) -> Result<CognitoVerifier, String> {
    let mut pool = PoolConfig::new(&args.user_pool_id).token_use(match args.token_use {
        TokenUseArg::Id => ExpectedTokenUse::Id,
        TokenUseArg::Access => ExpectedTokenUse::Access,
        TokenUseArg::Any => ExpectedTokenUse::Any,
    });
    if args.no_client_check {
        pool = pool.skip_client_check();
    } else if args.client_ids.is_empty() {
        return Err(
            "give --client-id (repeatable), or --no-client-check to accept any app client".into(),
        );
    } else {
        pool = pool.client_ids(&args.client_ids);
    }
    if let Some(uri) = &args.jwks_uri {
        pool = pool.jwks_uri(uri);
    }
    if let Some(issuer) = &args.issuer {
        pool = pool.issuer(issuer);
    }
    if !args.groups.is_empty() {
        pool = pool.require_groups(Requirement::all_of(&args.groups));
    }
    if !args.scopes.is_empty() {
        pool = pool.require_scopes(Requirement::all_of(&args.scopes));
    }
    CognitoVerifier::builder()
        .pool(pool)
        .leeway(Duration::from_secs(args.leeway))
        .build()
        .map_err(|e| e.to_string())
}

async fn run(args: Args, verifier: CognitoVerifier) -> ExitCode {
    let stdout = std::io::stdout();
    if args.batch {
        return batch(&verifier, std::io::stdin().lock(), &mut stdout.lock()).await;
    }
    let token = match args.token {
        Some(token) => token,
        None => {
            let mut line = String::new();
            if std::io::stdin().read_line(&mut line).is_err() {
                eprintln!("verify: cannot read a token from stdin");
                return ExitCode::from(2);
            }
            line
        }
    };
    match decide(&verifier, token.trim()).await {
        Ok(claims) => {
            println!("{claims}");
            ExitCode::SUCCESS
        }
        Err(error) => {
            println!("{error}");
            ExitCode::from(1)
        }
    }
}

/// One decision line per input line, in order; fails closed: an unreadable
/// line is a refusal and so is a read error (which also ends the batch).
async fn batch(
    verifier: &CognitoVerifier,
    mut input: impl BufRead,
    out: &mut impl Write,
) -> ExitCode {
    let mut all_ok = true;
    let mut line = Vec::new();
    loop {
        line.clear();
        let read = input.read_until(b'\n', &mut line);
        let read_failed = read.is_err();
        let decision = match read {
            Ok(0) => break,
            Ok(_) => {
                let text = line.strip_suffix(b"\n").unwrap_or(&line);
                let text = text.strip_suffix(b"\r").unwrap_or(text);
                match std::str::from_utf8(text) {
                    Ok(token) => decide(verifier, token.trim()).await,
                    Err(_) => Err(json!({ "error": "unreadable", "message": "line is not UTF-8" })),
                }
            }
            Err(e) => {
                Err(json!({ "error": "unreadable", "message": format!("cannot read stdin: {e}") }))
            }
        };
        let (mut object, ok) = match decision {
            Ok(claims) => (claims, true),
            Err(error) => (error, false),
        };
        object["ok"] = json!(ok);
        all_ok &= ok;
        if writeln!(out, "{object}")
            .and_then(|()| out.flush())
            .is_err()
        {
            return ExitCode::from(2);
        }
        if read_failed {
            return ExitCode::from(2);
        }
    }
    if all_ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

/// `Ok(claims)` or `Err({"error","message"})`, both as JSON objects.
async fn decide(verifier: &CognitoVerifier, token: &str) -> Result<Value, Value> {
    verifier
        .verify(token)
        .await
        .map(|claims| Value::Object(claims.raw().clone()))
        .map_err(|e: VerifyError| json!({ "error": e.code(), "message": e.to_string() }))
}
