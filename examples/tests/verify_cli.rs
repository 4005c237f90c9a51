//! The `verify` CLI as users script it: exit codes and JSON shapes.

use std::io::Write;
use std::process::{Command, Output, Stdio};

use cognito_test_support::test_issuer::TestIssuer;
use serde_json::Value;

fn verify(issuer: &TestIssuer, extra: &[&str], stdin: Option<&str>) -> Output {
    verify_bytes(issuer, extra, stdin.map(str::as_bytes))
}

fn verify_bytes(issuer: &TestIssuer, extra: &[&str], stdin: Option<&[u8]>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_verify"))
        .args([
            "--user-pool-id",
            &issuer.pool_id,
            "--jwks-uri",
            &issuer.jwks.url(),
        ])
        .args(extra)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    if let Some(input) = stdin {
        child.stdin.take().unwrap().write_all(input).unwrap();
    }
    drop(child.stdin.take());
    child.wait_with_output().unwrap()
}

fn json(output: &Output) -> Value {
    serde_json::from_slice(&output.stdout).unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn accepts_and_rejects_with_exit_codes() {
    let issuer = TestIssuer::start().await;
    let id = issuer.mint(&issuer.id_claims(&["admin"]));
    let client = ["--client-id", issuer.client_id.as_str()];

    let ok = verify(
        &issuer,
        &[&client[..], &["--group", "admin", &id]].concat(),
        None,
    );
    assert_eq!(
        ok.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    assert_eq!(json(&ok)["cognito:username"], "alice");

    let wrong_group = verify(
        &issuer,
        &[&client[..], &["--group", "ops", &id]].concat(),
        None,
    );
    assert_eq!(wrong_group.status.code(), Some(1));
    assert_eq!(json(&wrong_group)["error"], "missing_group");

    let access_only = verify(
        &issuer,
        &[&client[..], &["--token-use", "access", &id]].concat(),
        None,
    );
    assert_eq!(json(&access_only)["error"], "wrong_token_use");

    let other_client = verify(&issuer, &["--client-id", "someone-else", &id], None);
    assert_eq!(json(&other_client)["error"], "wrong_client");

    let from_stdin = verify(&issuer, &client, Some(&format!("{id}\n")));
    assert_eq!(from_stdin.status.code(), Some(0));
}

#[tokio::test(flavor = "multi_thread")]
async fn usage_errors_exit_2() {
    let issuer = TestIssuer::start().await;
    let no_client = verify(&issuer, &["token"], None);
    assert_eq!(no_client.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&no_client.stderr).contains("--no-client-check"));
    let bad_pool = Command::new(env!("CARGO_BIN_EXE_verify"))
        .args(["--user-pool-id", "not-a-pool", "--no-client-check", "t"])
        .output()
        .unwrap();
    assert_eq!(bad_pool.status.code(), Some(2));
    let bad_flag = verify(&issuer, &["--token-use", "refresh", "t"], None);
    assert_eq!(bad_flag.status.code(), Some(2));
}

#[tokio::test(flavor = "multi_thread")]
async fn batch_prints_one_decision_per_line_in_order() {
    let issuer = TestIssuer::start().await;
    let good = issuer.mint(&issuer.id_claims(&[]));
    let mut claims = issuer.id_claims(&[]);
    claims["cognito:username"] = "mallory".into();
    let forged_payload = issuer.mint(&claims);
    let (forged_input, _) = forged_payload.rsplit_once('.').unwrap();
    let (_, good_signature) = good.rsplit_once('.').unwrap();
    let tampered = format!("{forged_input}.{good_signature}");
    let input = format!("{good}\nnot-a-token\n{tampered}\n{good}\n");
    let out = verify(&issuer, &["--no-client-check", "--batch"], Some(&input));
    assert_eq!(out.status.code(), Some(1));
    let lines: Vec<Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let oks: Vec<_> = lines.iter().map(|l| l["ok"].as_bool().unwrap()).collect();
    assert_eq!(oks, [true, false, false, true]);
    assert_eq!(lines[0]["sub"], "11111111-2222-3333-4444-555555555555");
    assert_eq!(lines[1]["error"], "malformed");
    assert_eq!(lines[2]["error"], "bad_signature");
}

/// Unreadable lines are refusals, not the end of the input: every line gets
/// a decision and the exit code says something was refused.
#[tokio::test(flavor = "multi_thread")]
async fn batch_refuses_unreadable_lines_and_goes_on() {
    let issuer = TestIssuer::start().await;
    let good = issuer.mint(&issuer.id_claims(&[]));
    let mut input = Vec::new();
    input.extend_from_slice(good.as_bytes());
    input.extend_from_slice(b"\n\xff\xfe not UTF-8\r\n");
    input.extend_from_slice(good.as_bytes());
    input.extend_from_slice(b"\r\n\n");
    // The last line has no newline.
    input.extend_from_slice(good.as_bytes());
    let out = verify_bytes(&issuer, &["--no-client-check", "--batch"], Some(&input));
    assert_eq!(
        out.status.code(),
        Some(1),
        "an unreadable line is a refusal"
    );
    let lines: Vec<Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let oks: Vec<_> = lines.iter().map(|l| l["ok"].as_bool().unwrap()).collect();
    assert_eq!(oks, [true, false, true, false, true]);
    assert_eq!(lines[1]["error"], "unreadable");
    assert_eq!(lines[3]["error"], "malformed");

    // All lines accepted: exit 0.
    let all_good = format!("{good}\n{good}\n");
    let out = verify(&issuer, &["--no-client-check", "--batch"], Some(&all_good));
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(String::from_utf8(out.stdout).unwrap().lines().count(), 2);
}
