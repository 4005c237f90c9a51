//! Password hashing (argon2id) and the pool password policy.
//!
//! Parameters: m = 7168 KiB, t = 5, p = 1 — the last of OWASP's equivalent
//! minimum argon2id configurations, and the fastest of them on the reference
//! 2-core machine (see the README's benchmark). Hashes are PHC strings, so the
//! parameters travel with each hash and can be raised later without breaking
//! stored users. Passwords are never logged.

use std::cell::RefCell;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Condvar, Mutex, OnceLock};

use argon2::password_hash::{PasswordHash, PasswordHasher, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use rand::Rng;

use crate::error::{Error, Result};
use crate::model::PasswordPolicy;

/// argon2id memory cost in KiB.
pub const M_COST: u32 = 7168;
/// argon2id iterations.
pub const T_COST: u32 = 5;
/// argon2id lanes.
pub const P_COST: u32 = 1;

fn hasher() -> Argon2<'static> {
    // The constants are valid argon2 parameters; `Params::new` only fails
    // for out-of-range values.
    let params = Params::new(M_COST, T_COST, P_COST, Some(32)).unwrap_or_default();
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Limits concurrent argon2 computations to the number of CPU cores: more
/// would only add cache pressure (each needs 7 MiB of working memory).
struct Slots {
    free: Mutex<usize>,
    cv: Condvar,
}

struct SlotGuard(&'static Slots);

impl Drop for SlotGuard {
    fn drop(&mut self) {
        *self.0.free.lock().unwrap_or_else(|e| e.into_inner()) += 1;
        self.0.cv.notify_one();
    }
}

fn slot() -> SlotGuard {
    static SLOTS: OnceLock<Slots> = OnceLock::new();
    let slots = SLOTS.get_or_init(|| Slots {
        free: Mutex::new(
            std::thread::available_parallelism()
                .map(|n| n.get())
                .unwrap_or(2),
        ),
        cv: Condvar::new(),
    });
    // Poisoning cannot leave the counter inconsistent (no panics while held).
    let mut n = slots.free.lock().unwrap_or_else(|e| e.into_inner());
    while *n == 0 {
        n = slots.cv.wait(n).unwrap_or_else(|e| e.into_inner());
    }
    *n -= 1;
    drop(n);
    SlotGuard(slots)
}

/// Hashes a password into an argon2id PHC string. CPU-heavy (~12 ms): call
/// it from a blocking thread.
pub(crate) fn hash(password: &str) -> Result<String> {
    HASH_COUNT.fetch_add(1, Ordering::Relaxed);
    let _slot = slot();
    let mut salt = [0u8; 16];
    rand::rng().fill(&mut salt);
    let salt = SaltString::encode_b64(&salt).map_err(|e| Error::internal(e.to_string()))?;
    hasher()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| Error::internal(format!("password hashing failed: {e}")))
}

static HASH_COUNT: AtomicU64 = AtomicU64::new(0);
static VERIFY_COUNT: AtomicU64 = AtomicU64::new(0);

/// Passwords hashed by this process (for tests that check which path a
/// request took).
pub fn hash_count() -> u64 {
    HASH_COUNT.load(Ordering::Relaxed)
}
static VERIFY_NANOS: AtomicU64 = AtomicU64::new(0);

/// Password verifications performed by this process and the wall-clock
/// nanoseconds spent computing them (excluding waits for a free core), for
/// benchmarks.
pub fn verify_stats() -> (u64, u64) {
    (
        VERIFY_COUNT.load(Ordering::Relaxed),
        VERIFY_NANOS.load(Ordering::Relaxed),
    )
}

thread_local! {
    static MEMORY: RefCell<Vec<Block>> = const { RefCell::new(Vec::new()) };
}

/// Verifies `password` against a PHC string in constant time, reusing a
/// per-thread argon2 work buffer. Returns `false` for malformed hashes.
pub(crate) fn verify(password: &str, phc: &str) -> bool {
    let Ok(parsed) = PasswordHash::new(phc) else {
        return false;
    };
    let (Some(salt), Some(expected)) = (parsed.salt, parsed.hash) else {
        return false;
    };
    let Ok(params) = Params::try_from(&parsed) else {
        return false;
    };
    let algorithm = match parsed.algorithm.as_str() {
        "argon2id" => Algorithm::Argon2id,
        "argon2i" => Algorithm::Argon2i,
        "argon2d" => Algorithm::Argon2d,
        _ => return false,
    };
    let mut salt_buf = [0u8; 64];
    let Ok(salt_bytes) = salt.decode_b64(&mut salt_buf) else {
        return false;
    };
    let expected = expected.as_bytes();
    let mut out = vec![0u8; expected.len()];
    let blocks = params.block_count();
    let ctx = Argon2::new(algorithm, Version::V0x13, params);
    let _slot = slot();
    let started = std::time::Instant::now();
    let ok = MEMORY.with(|mem| {
        let mut mem = mem.borrow_mut();
        if mem.len() < blocks {
            mem.resize(blocks, Block::default());
        }
        ctx.hash_password_into_with_memory(
            password.as_bytes(),
            salt_bytes,
            &mut out,
            &mut mem[..blocks],
        )
        .is_ok()
    });
    VERIFY_COUNT.fetch_add(1, Ordering::Relaxed);
    VERIFY_NANOS.fetch_add(started.elapsed().as_nanos() as u64, Ordering::Relaxed);
    ok && aws_lc_rs::constant_time::verify_slices_are_equal(&out, expected).is_ok()
}

/// Burns the same time as a real verification, for unknown users when user
/// existence must not leak through timing.
pub(crate) fn verify_dummy(password: &str) {
    static DUMMY: OnceLock<String> = OnceLock::new();
    let phc = DUMMY.get_or_init(|| hash("dummy-password-for-timing").unwrap_or_default());
    let _ = verify(password, phc);
}

const SYMBOLS: &str = "^$*.[]{}()?\"!@#%&/\\,><':;|_~`=+- ";

/// Checks a password against a pool's policy, with Cognito's messages.
pub(crate) fn check_policy(policy: &PasswordPolicy, password: &str) -> Result<()> {
    if password.chars().count() > 256 {
        return Err(Error::invalid_parameter(
            "1 validation error detected: Value at 'password' failed to satisfy constraint: \
             Member must have length less than or equal to 256",
        ));
    }
    let fail = |what: &str| {
        Err(Error::invalid_password(format!(
            "Password did not conform with policy: {what}"
        )))
    };
    if (password.chars().count() as u32) < policy.minimum_length {
        return fail("Password not long enough");
    }
    if policy.require_lowercase && !password.chars().any(|c| c.is_lowercase()) {
        return fail("Password must have lowercase characters");
    }
    if policy.require_uppercase && !password.chars().any(|c| c.is_uppercase()) {
        return fail("Password must have uppercase characters");
    }
    if policy.require_numbers && !password.chars().any(|c| c.is_ascii_digit()) {
        return fail("Password must have numeric characters");
    }
    if policy.require_symbols && !password.chars().any(|c| SYMBOLS.contains(c)) {
        return fail("Password must have symbol characters");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_and_verify_roundtrip() {
        let h = hash("Correct-Horse-1").unwrap();
        assert!(h.starts_with("$argon2id$v=19$m=7168,t=5,p=1$"));
        assert!(verify("Correct-Horse-1", &h));
        assert!(!verify("correct-horse-1", &h));
        assert!(!verify("x", "not a hash"));
    }

    #[test]
    fn policy_messages() {
        let p = PasswordPolicy::default();
        assert!(check_policy(&p, "Aa1!aaaa").is_ok());
        let e = check_policy(&p, "Aa1!").unwrap_err();
        assert_eq!(e.kind, crate::error::ErrorKind::InvalidPassword);
        assert!(e.message.contains("not long enough"));
        assert!(
            check_policy(&p, "aa1!aaaa")
                .unwrap_err()
                .message
                .contains("uppercase")
        );
        assert!(
            check_policy(&p, "Aa!aaaaa")
                .unwrap_err()
                .message
                .contains("numeric")
        );
        assert!(
            check_policy(&p, "Aa1aaaaa")
                .unwrap_err()
                .message
                .contains("symbol")
        );
    }
}
