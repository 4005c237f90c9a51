//! The data directory's permissions, checked on the files the running
//! binary writes (under the common umask 022): our directory is 0700, the
//! database and its -wal / -shm files (private keys) are 0600, and a
//! directory we did not create keeps its mode.

#![cfg(unix)]

use crate::common;

use std::io::{BufRead, BufReader};
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Child, Command, Stdio};

/// Starts the binary under umask 022; returns the child and its base URL.
fn spawn(data_dir: &Path) -> (Child, String) {
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(r#"umask 022 && exec "$0" "$@""#)
        .arg(env!("CARGO_BIN_EXE_cognito-issuer"))
        .args(["--bind", "127.0.0.1:0", "--data-dir"])
        .arg(data_dir)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn cognito-issuer");
    let stdout = child.stdout.take().unwrap();
    let mut lines = BufReader::new(stdout).lines();
    let url = loop {
        let line = lines.next().expect("issuer printed its address").unwrap();
        if let Some(u) = line.strip_prefix("cognito-issuer listening on ") {
            break u.trim().to_string();
        }
    };
    std::thread::spawn(move || for _ in lines {});
    (child, url)
}

fn mode(p: &Path) -> u32 {
    std::fs::metadata(p)
        .unwrap_or_else(|e| panic!("{}: {e}", p.display()))
        .permissions()
        .mode()
        & 0o777
}

/// Runs the binary on `dir`, writes through the API, and stops it after
/// `check` looked at the files while it runs.
async fn while_running(dir: &Path, check: impl FnOnce()) {
    let (mut child, base) = spawn(dir);
    let pools: serde_json::Value = reqwest::get(format!("{base}/_issuer/pools"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let pool = pools["pools"][0]["pool_id"].as_str().unwrap().to_string();
    common::create_user(&base, &pool, "erin", "erin@example.com").await;
    check();
    child.kill().unwrap();
    child.wait().unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn our_files_are_owner_only_and_foreign_directories_keep_their_mode() {
    let tmp = tempfile::tempdir().unwrap();

    // A directory we create (with a missing parent): 0700, files 0600.
    let ours = tmp.path().join("new").join("data");
    while_running(&ours, || {
        assert_eq!(mode(&tmp.path().join("new")), 0o700);
        assert_eq!(mode(&ours), 0o700);
        for f in ["issuer.sqlite3", "issuer.sqlite3-wal", "issuer.sqlite3-shm"] {
            assert_eq!(mode(&ours.join(f)), 0o600, "{f}");
        }
    })
    .await;

    // A directory that already exists (shared, like /tmp): left alone.
    let shared = tmp.path().join("shared");
    std::fs::create_dir(&shared).unwrap();
    std::fs::set_permissions(&shared, std::fs::Permissions::from_mode(0o755)).unwrap();
    while_running(&shared, || {
        assert_eq!(mode(&shared), 0o755);
        for f in ["issuer.sqlite3", "issuer.sqlite3-wal", "issuer.sqlite3-shm"] {
            assert_eq!(mode(&shared.join(f)), 0o600, "{f}");
        }
    })
    .await;
}
