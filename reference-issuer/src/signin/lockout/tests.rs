//! Unit tests of the lockout: budgets, reservations, persistence.
use super::*;

fn store(dir: &tempfile::TempDir) -> Store {
    Store::open(&dir.path().join("db.sqlite3")).unwrap()
}

#[test]
fn locks_after_five_failures_and_doubles() {
    let dir = tempfile::tempdir().unwrap();
    let s = store(&dir);
    let l = Lockout::default();
    let t = 1_000_000;
    for _ in 0..4 {
        l.reserve_at(&s, "p", Subject::User("u"), t)
            .unwrap()
            .failed_at(t);
    }
    l.reserve_at(&s, "p", Subject::User("u"), t)
        .unwrap()
        .failed_at(t);
    let e = l
        .reserve_at(&s, "p", Subject::User("u"), t + 999)
        .unwrap_err();
    assert_eq!(e.message, "Password attempts exceeded");
    // 1 s, then 2 s after the next failure.
    l.reserve_at(&s, "p", Subject::User("u"), t + 1000)
        .unwrap()
        .failed_at(t + 1000);
    assert!(l.reserve_at(&s, "p", Subject::User("u"), t + 2999).is_err());
    assert!(l.reserve_at(&s, "p", Subject::User("u"), t + 3000).is_ok());
    // A correct password does not reset; a completed sign-in does.
    l.reserve_at(&s, "p", Subject::User("u"), t + 3000)
        .unwrap()
        .passed();
    assert!(l.reserve_at(&s, "p", Subject::User("u"), t + 3000).is_ok());
    l.succeeded(&s, "p", "u");
    for _ in 0..4 {
        l.reserve_at(&s, "p", Subject::User("u"), t + 4000)
            .unwrap()
            .failed_at(t + 4000);
    }
    assert!(l.reserve_at(&s, "p", Subject::User("u"), t + 4000).is_ok());
}

#[test]
fn in_flight_attempts_count_until_settled() {
    let dir = tempfile::tempdir().unwrap();
    let s = store(&dir);
    let l = Lockout::default();
    let held: Vec<_> = (0..5)
        .map(|_| l.reserve_at(&s, "p", Subject::User("u"), 0).unwrap())
        .collect();
    assert!(l.reserve_at(&s, "p", Subject::User("u"), 0).is_err());
    // Unsettled (dropped) attempts are released uncounted.
    drop(held);
    assert!(l.reserve_at(&s, "p", Subject::User("u"), 0).is_ok());
}

#[test]
fn concurrent_attempts_wait_for_the_budget_they_may_spend() {
    let dir = tempfile::tempdir().unwrap();
    let s = store(&dir);
    let l = Lockout::default();
    let checked = std::sync::atomic::AtomicU32::new(0);
    // 16 threads with wrong passwords: at most 5 are checked.
    std::thread::scope(|scope| {
        for _ in 0..16 {
            scope.spawn(|| {
                if let Ok(a) = l.reserve(&s, "p", Subject::User("wrong")) {
                    checked.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                    std::thread::sleep(Duration::from_millis(20));
                    a.failed();
                }
            });
        }
    });
    assert_eq!(checked.into_inner(), FAILURES_BEFORE_LOCKOUT);
    // 16 threads with right passwords: all pass, none is refused.
    std::thread::scope(|scope| {
        for _ in 0..16 {
            scope.spawn(|| {
                let a = l.reserve(&s, "p", Subject::User("right")).unwrap();
                std::thread::sleep(Duration::from_millis(20));
                a.passed();
            });
        }
    });
}

#[test]
fn failures_survive_a_restart_and_are_forgotten_after_an_hour() {
    let dir = tempfile::tempdir().unwrap();
    let t = 1_000_000;
    {
        let s = store(&dir);
        let l = Lockout::default();
        for _ in 0..5 {
            l.reserve_at(&s, "p", Subject::User("u"), t)
                .unwrap()
                .failed_at(t);
        }
    }
    let s = store(&dir);
    let l = Lockout::default();
    assert!(l.reserve_at(&s, "p", Subject::User("u"), t + 10).is_err());
    // Unknown names are counted too, but not on disk.
    for _ in 0..5 {
        l.reserve_at(&s, "p", Subject::Unknown("nobody"), t)
            .unwrap()
            .failed_at(t);
    }
    assert!(
        l.reserve_at(&s, "p", Subject::Unknown("nobody"), t + 10)
            .is_err()
    );
    let memory = FAILURE_MEMORY.as_millis() as i64;
    let a = l
        .reserve_at(&s, "p", Subject::User("u"), t + memory)
        .unwrap();
    a.failed_at(t + memory);
    // Forgotten, so this is the first failure again: no lockout.
    assert!(
        l.reserve_at(&s, "p", Subject::User("u"), t + memory)
            .is_ok()
    );
}

#[test]
fn memory_is_bounded() {
    let dir = tempfile::tempdir().unwrap();
    let s = store(&dir);
    let l = Lockout::default();
    for i in 0..(MAX_ENTRIES + 50) {
        let name = format!("n{i}");
        l.reserve_at(&s, "p", Subject::Unknown(&name), i as i64)
            .unwrap()
            .failed_at(i as i64);
    }
    assert!(l.lock().len() <= MAX_ENTRIES);
}
