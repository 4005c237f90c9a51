//! Cognito's SRP-6a variant (`USER_SRP_AUTH` → `PASSWORD_VERIFIER`): the
//! math of both sides, public so tests and tools can act as the client.
//! (The stored verifiers live in `directory::credentials`, the pending
//! challenges in `signin::srp_pending`.)
//!
//! Exactly what AWS's client libraries (amazon-cognito-identity-js,
//! pycognito, Amplify) compute:
//!
//! * the 3072-bit RFC 5054 group, `g = 2`, `H = SHA-256`;
//! * `PAD(n)`: the minimal big-endian bytes of `n`, with a leading `0x00`
//!   when the top bit is set (the libraries' `padHex`);
//! * `k = H(PAD(N) ‖ PAD(g))`, `u = H(PAD(A) ‖ PAD(B))`;
//! * `x = H(PAD(salt) ‖ H(poolName ‖ USER_ID_FOR_SRP ‖ ":" ‖ password))`
//!   where `poolName` is the part of the pool id after `_`;
//! * `v = g^x`, `B = k·v + g^b`, `S = (A·v^u)^b` (all mod N);
//! * `K = HKDF-SHA256(salt = PAD(u), ikm = PAD(S), info = "Caldera Derived
//!   Key")`, 16 bytes;
//! * `PASSWORD_CLAIM_SIGNATURE = Base64(HMAC-SHA256(K, poolName ‖
//!   USER_ID_FOR_SRP ‖ SECRET_BLOCK bytes ‖ TIMESTAMP))` with the timestamp
//!   formatted `EEE MMM d HH:mm:ss 'UTC' yyyy`.
//!
//! The server never keeps `x` or the password: only the verifier `v` and its
//! salt, bound to the argon2id hash they were derived with (a password set
//! through a path that did not refresh the verifier makes SRP fail closed).

use std::sync::OnceLock;

use aws_lc_rs::{digest, hkdf, hmac};
use num_bigint::BigUint;
use rand::Rng;

/// The RFC 5054 3072-bit group prime, as Cognito uses it.
pub const N_HEX: &str = concat!(
    "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74",
    "020BBEA63B139B22514A08798E3404DDEF9519B3CD3A431B302B0A6DF25F1437",
    "4FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED",
    "EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF05",
    "98DA48361C55D39A69163FA8FD24CF5F83655D23DCA3AD961C62F356208552BB",
    "9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B",
    "E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF695581718",
    "3995497CEA956AE515D2261898FA051015728E5A8AAAC42DAD33170D04507A33",
    "A85521ABDF1CBA64ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7",
    "ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6BF12FFA06D98A0864",
    "D87602733EC86A64521F2B18177B200CBBE117577A615D6C770988C0BAD946E2",
    "08E24FA074E5AB3143DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF"
);

/// HKDF `info` of Cognito's SRP session key.
pub const HKDF_INFO: &[u8] = b"Caldera Derived Key";

/// Accepted clock skew of a `TIMESTAMP` in a PASSWORD_VERIFIER response.
pub const TIMESTAMP_SKEW: i64 = 300;

/// The group parameters and the derived multiplier `k`.
#[derive(Debug)]
pub struct Group {
    /// The prime modulus.
    pub n: BigUint,
    /// The generator (2).
    pub g: BigUint,
    /// `k = H(PAD(N) ‖ PAD(g))`.
    pub k: BigUint,
}

/// The shared group (computed once).
pub fn group() -> &'static Group {
    static GROUP: OnceLock<Group> = OnceLock::new();
    GROUP.get_or_init(|| {
        // N_HEX is a valid constant; parse_bytes only fails on non-hex input.
        let n = BigUint::parse_bytes(N_HEX.as_bytes(), 16).unwrap_or_default();
        let g = BigUint::from(2u32);
        let k = hash_to_int(&[&pad(&n), &pad(&g)]);
        Group { n, g, k }
    })
}

/// `PAD(n)`: minimal big-endian bytes, prefixed with `0x00` when the most
/// significant bit is set (the client libraries' `padHex`, as bytes).
pub fn pad(n: &BigUint) -> Vec<u8> {
    let bytes = n.to_bytes_be();
    if bytes.first().is_some_and(|b| *b >= 0x80) {
        let mut v = Vec::with_capacity(bytes.len() + 1);
        v.push(0);
        v.extend_from_slice(&bytes);
        v
    } else {
        bytes
    }
}

pub(crate) fn sha256(parts: &[&[u8]]) -> [u8; 32] {
    let mut ctx = digest::Context::new(&digest::SHA256);
    for p in parts {
        ctx.update(p);
    }
    let d = ctx.finish();
    let mut out = [0u8; 32];
    out.copy_from_slice(d.as_ref());
    out
}

fn hash_to_int(parts: &[&[u8]]) -> BigUint {
    BigUint::from_bytes_be(&sha256(parts))
}

/// The pool name used in `x` and in the signature: the part of the pool id
/// after `_`.
pub fn pool_name(pool_id: &str) -> &str {
    pool_id.split_once('_').map(|(_, n)| n).unwrap_or(pool_id)
}

/// `x = H(PAD(salt) ‖ H(poolName ‖ userId ‖ ":" ‖ password))`.
pub fn private_key(pool_id: &str, user_id: &str, password: &str, salt: &BigUint) -> BigUint {
    private_key_in(pool_name(pool_id), user_id, password, salt)
}

/// `x = H(PAD(salt) ‖ H(realm ‖ userId ‖ ":" ‖ password))`: the realm is
/// the pool name for a user's password and the device group key for a
/// device's secret (`DEVICE_SRP_AUTH`, where the user id is the device key).
pub fn private_key_in(realm: &str, user_id: &str, password: &str, salt: &BigUint) -> BigUint {
    let inner = sha256(&[
        realm.as_bytes(),
        user_id.as_bytes(),
        b":",
        password.as_bytes(),
    ]);
    hash_to_int(&[&pad(salt), &inner])
}

/// A stored password verifier: `salt` and `v = g^x mod N`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verifier {
    /// The salt (sent as `SALT`, hex).
    pub salt: BigUint,
    /// The verifier `v`.
    pub v: BigUint,
}

impl Verifier {
    /// Derives a verifier with a fresh random 128-bit salt.
    pub fn derive(pool_id: &str, user_id: &str, password: &str) -> Self {
        let mut salt = [0u8; 16];
        rand::rng().fill(&mut salt);
        // Keep the top byte non-zero so the salt's hex has its full length
        // (clients that pad the SALT string rather than the number agree).
        salt[0] |= 0x10;
        Self::with_salt(pool_id, user_id, password, BigUint::from_bytes_be(&salt))
    }

    /// Derives the verifier for a given salt.
    pub fn with_salt(pool_id: &str, user_id: &str, password: &str, salt: BigUint) -> Self {
        Self::in_realm(pool_name(pool_id), user_id, password, salt)
    }

    /// Derives the verifier for a given salt in `realm` (see
    /// [`private_key_in`]): a device's verifier is
    /// `Verifier::in_realm(device_group_key, device_key, device_secret, salt)`,
    /// what Amplify's `generateHashDevice` sends to ConfirmDevice.
    pub fn in_realm(realm: &str, user_id: &str, password: &str, salt: BigUint) -> Self {
        let grp = group();
        let x = private_key_in(realm, user_id, password, &salt);
        let v = grp.g.modpow(&x, &grp.n);
        Self { salt, v }
    }
}

/// The server's half of one SRP exchange.
#[derive(Debug, Clone)]
pub struct ServerEphemeral {
    /// Secret `b`.
    pub b: BigUint,
    /// Public `B = k·v + g^b mod N`.
    pub big_b: BigUint,
}

impl ServerEphemeral {
    /// Generates `b` (256 random bits) and `B` for verifier `v`.
    pub fn generate(v: &BigUint) -> Self {
        loop {
            let mut bytes = [0u8; 32];
            rand::rng().fill(&mut bytes);
            let b = BigUint::from_bytes_be(&bytes);
            let eph = Self::with_secret(v, b);
            if eph.big_b.bits() > 0 {
                return eph;
            }
        }
    }

    /// `B` for a given `b` (tests and known-answer vectors).
    pub fn with_secret(v: &BigUint, b: BigUint) -> Self {
        let grp = group();
        let big_b = (&grp.k * v + grp.g.modpow(&b, &grp.n)) % &grp.n;
        Self { b, big_b }
    }
}

/// Parses a client's `SRP_A` (hex) and rejects `A ≡ 0 (mod N)`.
pub fn parse_a(hex: &str) -> Option<BigUint> {
    if hex.is_empty() || hex.len() > 2048 || !hex.bytes().all(|c| c.is_ascii_hexdigit()) {
        return None;
    }
    let a = BigUint::parse_bytes(hex.as_bytes(), 16)?;
    let zero = BigUint::default();
    ((&a % &group().n) != zero).then_some(a)
}

/// `u = H(PAD(A) ‖ PAD(B))`.
pub fn scrambler(a: &BigUint, b: &BigUint) -> BigUint {
    hash_to_int(&[&pad(a), &pad(b)])
}

/// The server's session key `K` (16 bytes), or `None` when `u = 0`.
pub fn server_key(a: &BigUint, eph: &ServerEphemeral, v: &BigUint) -> Option<[u8; 16]> {
    let grp = group();
    let u = scrambler(a, &eph.big_b);
    if u.bits() == 0 {
        return None;
    }
    let base = (a * v.modpow(&u, &grp.n)) % &grp.n;
    let s = base.modpow(&eph.b, &grp.n);
    Some(session_key(&s, &u))
}

/// The client's session key (used by tests and the load generator):
/// `S = (B − k·g^x)^(a + u·x) mod N`.
pub fn client_key(
    pool_id: &str,
    user_id: &str,
    password: &str,
    salt: &BigUint,
    a: &BigUint,
    big_b: &BigUint,
) -> Option<[u8; 16]> {
    client_key_in(pool_name(pool_id), user_id, password, salt, a, big_b)
}

/// [`client_key`] in `realm` (see [`private_key_in`]): the device side of
/// `DEVICE_PASSWORD_VERIFIER` with the device group key, device key and
/// device secret.
pub fn client_key_in(
    realm: &str,
    user_id: &str,
    password: &str,
    salt: &BigUint,
    a: &BigUint,
    big_b: &BigUint,
) -> Option<[u8; 16]> {
    let grp = group();
    let big_a = grp.g.modpow(a, &grp.n);
    let u = scrambler(&big_a, big_b);
    if u.bits() == 0 || (big_b % &grp.n).bits() == 0 {
        return None;
    }
    let x = private_key_in(realm, user_id, password, salt);
    let gx = grp.g.modpow(&x, &grp.n);
    let kgx = (&grp.k * gx) % &grp.n;
    // (B - k g^x) mod N, kept non-negative.
    let base = ((big_b % &grp.n) + &grp.n - kgx) % &grp.n;
    let s = base.modpow(&(a + &u * &x), &grp.n);
    Some(session_key(&s, &u))
}

/// `HKDF-SHA256(salt = PAD(u), ikm = PAD(S), info = "Caldera Derived Key")`,
/// first 16 bytes.
pub fn session_key(s: &BigUint, u: &BigUint) -> [u8; 16] {
    struct Len16;
    impl hkdf::KeyType for Len16 {
        fn len(&self) -> usize {
            16
        }
    }
    let salt = hkdf::Salt::new(hkdf::HKDF_SHA256, &pad(u));
    let prk = salt.extract(&pad(s));
    let mut out = [0u8; 16];
    // 16 bytes is far below HKDF-SHA256's 255 * 32 limit: expand/fill
    // cannot fail.
    if let Ok(okm) = prk.expand(&[HKDF_INFO], Len16) {
        let _ = okm.fill(&mut out);
    }
    out
}

/// The expected `PASSWORD_CLAIM_SIGNATURE` bytes.
pub fn claim_signature(
    key: &[u8; 16],
    pool_id: &str,
    user_id: &str,
    secret_block: &[u8],
    timestamp: &str,
) -> Vec<u8> {
    claim_signature_in(key, pool_name(pool_id), user_id, secret_block, timestamp)
}

/// [`claim_signature`] in `realm`: `HMAC-SHA256(K, realm ‖ userId ‖
/// SECRET_BLOCK ‖ TIMESTAMP)` (for a device: the device group key and the
/// device key).
pub fn claim_signature_in(
    key: &[u8; 16],
    realm: &str,
    user_id: &str,
    secret_block: &[u8],
    timestamp: &str,
) -> Vec<u8> {
    let k = hmac::Key::new(hmac::HMAC_SHA256, key);
    let mut ctx = hmac::Context::with_key(&k);
    ctx.update(realm.as_bytes());
    ctx.update(user_id.as_bytes());
    ctx.update(secret_block);
    ctx.update(timestamp.as_bytes());
    ctx.sign().as_ref().to_vec()
}

/// Verifies a signature in constant time.
pub fn verify_signature(
    key: &[u8; 16],
    pool_id: &str,
    user_id: &str,
    secret_block: &[u8],
    timestamp: &str,
    signature: &[u8],
) -> bool {
    verify_signature_in(
        key,
        pool_name(pool_id),
        user_id,
        secret_block,
        timestamp,
        signature,
    )
}

/// [`verify_signature`] in `realm` (see [`claim_signature_in`]).
pub fn verify_signature_in(
    key: &[u8; 16],
    realm: &str,
    user_id: &str,
    secret_block: &[u8],
    timestamp: &str,
    signature: &[u8],
) -> bool {
    let k = hmac::Key::new(hmac::HMAC_SHA256, key);
    let mut msg = Vec::with_capacity(64 + secret_block.len());
    msg.extend_from_slice(realm.as_bytes());
    msg.extend_from_slice(user_id.as_bytes());
    msg.extend_from_slice(secret_block);
    msg.extend_from_slice(timestamp.as_bytes());
    hmac::verify(&k, &msg, signature).is_ok()
}

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];
const WEEKDAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

/// Parses Cognito's SRP timestamp `EEE MMM d HH:mm:ss 'UTC' yyyy` (the day
/// may also be zero-padded) into epoch seconds. The weekday must match.
pub fn parse_timestamp(s: &str) -> Option<i64> {
    let parts: Vec<&str> = s.split(' ').filter(|p| !p.is_empty()).collect();
    let [wd, mon, day, hms, utc, year] = parts.as_slice() else {
        return None;
    };
    if *utc != "UTC" {
        return None;
    }
    let month_idx = MONTHS.iter().position(|m| m == mon)?;
    let month = time::Month::try_from(month_idx as u8 + 1).ok()?;
    let day: u8 = day.parse().ok()?;
    let year: i32 = year.parse().ok()?;
    let mut t = hms.split(':');
    let (h, m, sec) = (t.next()?, t.next()?, t.next()?);
    if t.next().is_some() || h.len() != 2 || m.len() != 2 || sec.len() != 2 {
        return None;
    }
    let time = time::Time::from_hms(h.parse().ok()?, m.parse().ok()?, sec.parse().ok()?).ok()?;
    let date = time::Date::from_calendar_date(year, month, day).ok()?;
    let weekday = WEEKDAYS[date.weekday().number_days_from_monday() as usize];
    if weekday != *wd {
        return None;
    }
    Some(
        time::PrimitiveDateTime::new(date, time)
            .assume_utc()
            .unix_timestamp(),
    )
}

/// Formats epoch seconds the way the client libraries do (day not padded).
pub fn format_timestamp(epoch: i64) -> String {
    let Ok(dt) = time::OffsetDateTime::from_unix_timestamp(epoch) else {
        return String::new();
    };
    format!(
        "{} {} {} {:02}:{:02}:{:02} UTC {}",
        WEEKDAYS[dt.weekday().number_days_from_monday() as usize],
        MONTHS[dt.month() as usize - 1],
        dt.day(),
        dt.hour(),
        dt.minute(),
        dt.second(),
        dt.year()
    )
}

// ---------------------------------------------------------------------------
// Stored verifiers
// ---------------------------------------------------------------------------

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn k_matches_the_client_libraries() {
        // k = H(padHex(N) + padHex(g)) as amazon-cognito-identity-js and
        // pycognito compute it.
        let k = format!("{:x}", group().k);
        assert_eq!(
            k,
            "538282c4354742d7cbbde2359fcf67f9f5b3a6b08791e5011b43b8a5b66d9ee6"
        );
    }

    #[test]
    fn pad_adds_a_zero_byte_only_for_high_bit() {
        assert_eq!(pad(&BigUint::from(0x7fu32)), vec![0x7f]);
        assert_eq!(pad(&BigUint::from(0x80u32)), vec![0x00, 0x80]);
        assert_eq!(pad(&BigUint::from(2u32)), vec![0x02]);
    }

    #[test]
    fn client_and_server_agree_and_wrong_password_differs() {
        let pool = "us-east-1_AbCdEf123";
        let ver = Verifier::derive(pool, "alice", "Corr3ct-Horse!");
        let eph = ServerEphemeral::generate(&ver.v);
        let a = BigUint::from_bytes_be(&[7u8; 128]);
        let big_a = group().g.modpow(&a, &group().n);
        let server = server_key(&big_a, &eph, &ver.v).expect("u != 0");
        let client = client_key(pool, "alice", "Corr3ct-Horse!", &ver.salt, &a, &eph.big_b)
            .expect("valid B");
        assert_eq!(server, client);
        let wrong =
            client_key(pool, "alice", "wrong-Horse!1", &ver.salt, &a, &eph.big_b).expect("valid B");
        assert_ne!(server, wrong);
        let ts = format_timestamp(crate::ids::now());
        let sig = claim_signature(&client, pool, "alice", b"block", &ts);
        assert!(verify_signature(
            &server, pool, "alice", b"block", &ts, &sig
        ));
        assert!(!verify_signature(
            &server, pool, "alice", b"other", &ts, &sig
        ));
    }

    /// A known-answer vector computed with pycognito 2024.5.1's `aws_srp`
    /// (an independent implementation: its client key for the server's
    /// `B`, and the signature over a fixed block and timestamp).
    #[test]
    fn known_answer_vector_from_pycognito() {
        let pool = "eu-west-1_KnownVec1";
        let salt = BigUint::parse_bytes(b"1f3a5c7e9b2d4f6a8c0e1a3b5c7d9e0f", 16).unwrap();
        let a = BigUint::parse_bytes("6b1e".repeat(16).as_bytes(), 16).unwrap();
        let b = BigUint::parse_bytes("3c9d".repeat(16).as_bytes(), 16).unwrap();
        let ver = Verifier::with_salt(pool, "alice", "Corr3ct-Horse!", salt.clone());
        let eph = ServerEphemeral::with_secret(&ver.v, b);
        assert!(format!("{:x}", eph.big_b).starts_with("87721ad5d9ef03e527dfb321d982be3f"));
        let big_a = group().g.modpow(&a, &group().n);
        let key = server_key(&big_a, &eph, &ver.v).unwrap();
        let hex: String = key.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(hex, "327ba7285bb12debf1f95c28af410744");
        assert_eq!(
            client_key(pool, "alice", "Corr3ct-Horse!", &salt, &a, &eph.big_b),
            Some(key)
        );
        let sig = claim_signature(
            &key,
            pool,
            "alice",
            b"known-answer secret block",
            "Tue Mar 3 09:05:07 UTC 2026",
        );
        use base64::Engine;
        assert_eq!(
            base64::engine::general_purpose::STANDARD.encode(sig),
            "0I4f8yApsz5IDWV52QdW3WhWknvRQLHp0zg+q1C4N/g="
        );
    }

    #[test]
    fn a_device_realm_agrees_and_differs_from_the_pool_realm() {
        // DEVICE_SRP_AUTH: realm = device group key, user id = device key.
        let (group_key, device_key) = (
            "-aBcD3fGh",
            "us-east-1_5b1c0c5e-0d5b-4a8e-9c43-2b9e1f0a7d21",
        );
        let salt = BigUint::from_bytes_be(&[0x9a; 16]);
        let ver = Verifier::in_realm(group_key, device_key, "device-secret", salt.clone());
        let eph = ServerEphemeral::generate(&ver.v);
        let a = BigUint::from_bytes_be(&[5u8; 128]);
        let big_a = group().g.modpow(&a, &group().n);
        let server = server_key(&big_a, &eph, &ver.v).unwrap();
        let client = client_key_in(
            group_key,
            device_key,
            "device-secret",
            &salt,
            &a,
            &eph.big_b,
        )
        .unwrap();
        assert_eq!(server, client);
        let ts = format_timestamp(crate::ids::now());
        let sig = claim_signature_in(&client, group_key, device_key, b"block", &ts);
        assert!(verify_signature_in(
            &server, group_key, device_key, b"block", &ts, &sig
        ));
        // The pool-name form is the realm form with the pool's name.
        let pool = "us-east-1_AbCdEf123";
        assert_eq!(
            private_key(pool, "alice", "pw", &salt),
            private_key_in("AbCdEf123", "alice", "pw", &salt)
        );
        assert!(!verify_signature(
            &server, pool, device_key, b"block", &ts, &sig
        ));
    }

    #[test]
    fn rejects_a_multiple_of_n() {
        assert!(parse_a("0").is_none());
        assert!(parse_a(N_HEX).is_none());
        assert!(parse_a("zz").is_none());
        assert!(parse_a("02").is_some());
    }

    #[test]
    fn timestamps_round_trip_like_the_clients_format_them() {
        // 2026-03-03 09:05:07 UTC was a Tuesday.
        let t = parse_timestamp("Tue Mar 3 09:05:07 UTC 2026").expect("parses");
        assert_eq!(format_timestamp(t), "Tue Mar 3 09:05:07 UTC 2026");
        assert_eq!(parse_timestamp("Tue Mar 03 09:05:07 UTC 2026"), Some(t));
        assert!(parse_timestamp("Wed Mar 3 09:05:07 UTC 2026").is_none());
        assert!(parse_timestamp("Tue Mar 3 9:05:07 UTC 2026").is_none());
        assert!(parse_timestamp("garbage").is_none());
    }
}
