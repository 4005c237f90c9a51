//! Pending `PASSWORD_VERIFIER` challenges of `USER_SRP_AUTH`, sealed into
//! their `SECRET_BLOCK` so they cost the server no memory.
//!
//! The block is `nonce ‖ AES-256-GCM(state)` with the pool and client ids
//! as associated data, so a block only opens for the pool and client it
//! was issued to. The key is generated when the issuer starts and never
//! leaves memory: the server secret `b` never touches disk, and a restart
//! voids the challenges younger than three minutes (a key kept in the store
//! would let a block outlive the in-memory record of used blocks, i.e. be
//! replayed after a restart). Random 96-bit nonces under one key stay far
//! below the 2^32 messages AES-GCM allows per key in any realistic run.
//!
//! Replay: a block that produced a verified proof is remembered (by its
//! nonce) until it expires; only proven blocks are recorded, so the record
//! grows with successful sign-ins, not with unauthenticated starts.

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

use aws_lc_rs::aead::{AES_256_GCM, Aad, LessSafeKey, NONCE_LEN, Nonce, UnboundKey};
use num_bigint::BigUint;

use crate::ids;
use crate::srp::ServerEphemeral;

/// Server state of one PASSWORD_VERIFIER challenge, carried (sealed) by its
/// `SECRET_BLOCK`.
#[derive(Debug, Clone)]
pub(crate) struct Pending {
    /// The user's sub, or `None` for a decoy challenge (unknown user).
    pub sub: Option<String>,
    /// For a decoy challenge, the unknown name's lockout key
    /// ([`crate::signin::lockout::unknown_key`]), so a wrong proof counts
    /// against the same budget as a wrong password for that name; empty
    /// otherwise.
    pub unknown_key: String,
    /// USER_ID_FOR_SRP sent with the challenge.
    pub user_id: String,
    /// The client's `A`.
    pub a: BigUint,
    /// The server's ephemeral.
    pub eph: ServerEphemeral,
    /// SHA-256 of the verifier the challenge was computed with (a password
    /// changed since then no longer matches).
    pub v_hash: [u8; 32],
    /// When it was issued (epoch seconds).
    pub issued_at: i64,
    /// When it expires (epoch seconds).
    pub expires_at: i64,
}

/// Most proven blocks remembered at once (expired ones are dropped first).
/// Each entry needs a correct password proof, and 100,000 within the
/// three-minute lifetime is several times what the server can verify.
pub(crate) const MAX_USED: usize = 100_000;

const VERSION: u8 = 1;
/// Room for a sub (a UUID, 36 characters) or an unknown name's lockout key
/// (32 characters).
const SUB_WIDTH: usize = 40;

/// Why a presented block was refused.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Refused {
    /// Not a block of this run for this pool and client (tampered, forged,
    /// issued before a restart, or for another pool or client).
    Invalid,
    /// The block has already produced a sign-in.
    Replayed,
    /// Too many proven blocks are remembered.
    Full,
}

/// The sealing key and the record of proven blocks.
pub(crate) struct SealedChallenges {
    key: LessSafeKey,
    used: Mutex<HashMap<[u8; NONCE_LEN], i64>>,
    /// The per-store decoy key, once read (see `super::srp_decoy`).
    pub(crate) decoy_key: OnceLock<String>,
}

impl std::fmt::Debug for SealedChallenges {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SealedChallenges").finish_non_exhaustive()
    }
}

impl Default for SealedChallenges {
    fn default() -> Self {
        let mut bytes = [0u8; 32];
        // The system RNG failing leaves nothing sensible to do.
        aws_lc_rs::rand::fill(&mut bytes).expect("system random generator");
        let key = UnboundKey::new(&AES_256_GCM, &bytes).expect("AES-256 key length");
        Self {
            key: LessSafeKey::new(key),
            used: Mutex::new(HashMap::new()),
            decoy_key: OnceLock::new(),
        }
    }
}

fn aad(pool_id: &str, client_id: &str) -> Vec<u8> {
    let mut v = b"cognito-issuer srp v1\0".to_vec();
    v.extend_from_slice(pool_id.as_bytes());
    v.push(0);
    v.extend_from_slice(client_id.as_bytes());
    v
}

impl SealedChallenges {
    /// Seals `p` for `pool_id` / `client_id` into a `SECRET_BLOCK`.
    pub(crate) fn seal(&self, pool_id: &str, client_id: &str, p: &Pending) -> Vec<u8> {
        let mut nonce = [0u8; NONCE_LEN];
        aws_lc_rs::rand::fill(&mut nonce).expect("system random generator");
        let mut body = encode(p);
        self.key
            .seal_in_place_append_tag(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(aad(pool_id, client_id)),
                &mut body,
            )
            .expect("AES-GCM sealing of a bounded buffer");
        let mut block = nonce.to_vec();
        block.extend_from_slice(&body);
        block
    }

    /// Opens a block issued for `pool_id` / `client_id` and not yet
    /// expired.
    pub(crate) fn open(
        &self,
        pool_id: &str,
        client_id: &str,
        block: &[u8],
    ) -> Result<Pending, Refused> {
        let (nonce, sealed) = split_nonce(block).ok_or(Refused::Invalid)?;
        let mut body = sealed.to_vec();
        let plain = self
            .key
            .open_in_place(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(aad(pool_id, client_id)),
                &mut body,
            )
            .map_err(|_| Refused::Invalid)?;
        let p = decode(plain).ok_or(Refused::Invalid)?;
        if p.expires_at <= ids::now() {
            return Err(Refused::Invalid);
        }
        Ok(p)
    }

    /// Records that `block` (valid, expiring at `expires_at`) produced a
    /// verified proof; refuses a block already recorded.
    pub(crate) fn mark_used(&self, block: &[u8], expires_at: i64) -> Result<(), Refused> {
        let (nonce, _) = split_nonce(block).ok_or(Refused::Invalid)?;
        let mut used = self.used.lock().unwrap_or_else(|e| e.into_inner());
        if used.contains_key(&nonce) {
            return Err(Refused::Replayed);
        }
        if used.len() >= MAX_USED {
            let now = ids::now();
            used.retain(|_, exp| *exp > now);
            if used.len() >= MAX_USED {
                return Err(Refused::Full);
            }
        }
        used.insert(nonce, expires_at);
        Ok(())
    }
}

fn split_nonce(block: &[u8]) -> Option<([u8; NONCE_LEN], &[u8])> {
    if block.len() < NONCE_LEN {
        return None;
    }
    let (n, rest) = block.split_at(NONCE_LEN);
    Some((n.try_into().ok()?, rest))
}

fn put(out: &mut Vec<u8>, bytes: &[u8]) {
    // Lengths are bounded by the callers (ids, usernames, SRP values).
    let len = u16::try_from(bytes.len()).unwrap_or(u16::MAX);
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(&bytes[..usize::from(len)]);
}

/// A field padded to `width` bytes (length-prefixed), so that a decoy's
/// block is as long as a real one's.
fn put_fixed(out: &mut Vec<u8>, bytes: &[u8], width: usize) {
    put(out, bytes);
    out.resize(out.len() + width.saturating_sub(bytes.len()), 0);
}

fn encode(p: &Pending) -> Vec<u8> {
    let mut out = Vec::with_capacity(1024);
    out.push(VERSION);
    out.extend_from_slice(&p.issued_at.to_be_bytes());
    out.extend_from_slice(&p.expires_at.to_be_bytes());
    out.push(u8::from(p.sub.is_some()));
    put_fixed(
        &mut out,
        p.sub.as_deref().unwrap_or(&p.unknown_key).as_bytes(),
        SUB_WIDTH,
    );
    put(&mut out, p.user_id.as_bytes());
    // Padded: a client's A (like B) is one byte shorter now and then.
    put_fixed(&mut out, &p.a.to_bytes_be(), 384);
    put_fixed(&mut out, &p.eph.b.to_bytes_be(), 32);
    put_fixed(&mut out, &p.eph.big_b.to_bytes_be(), 384);
    out.extend_from_slice(&p.v_hash);
    out
}

struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        if self.0.len() < n {
            return None;
        }
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        Some(head)
    }
    fn i64(&mut self) -> Option<i64> {
        Some(i64::from_be_bytes(self.take(8)?.try_into().ok()?))
    }
    fn field(&mut self) -> Option<&'a [u8]> {
        let len = u16::from_be_bytes(self.take(2)?.try_into().ok()?);
        self.take(usize::from(len))
    }
    fn string(&mut self) -> Option<String> {
        String::from_utf8(self.field()?.to_vec()).ok()
    }
    fn fixed(&mut self, width: usize) -> Option<&'a [u8]> {
        let v = self.field()?;
        self.take(width.saturating_sub(v.len()))?;
        Some(v)
    }
}

fn decode(bytes: &[u8]) -> Option<Pending> {
    let mut r = Reader(bytes);
    if r.take(1)? != [VERSION] {
        return None;
    }
    let issued_at = r.i64()?;
    let expires_at = r.i64()?;
    let has_sub = r.take(1)?[0] == 1;
    let sub = String::from_utf8(r.fixed(SUB_WIDTH)?.to_vec()).ok()?;
    let user_id = r.string()?;
    let a = BigUint::from_bytes_be(r.fixed(384)?);
    let b = BigUint::from_bytes_be(r.fixed(32)?);
    let big_b = BigUint::from_bytes_be(r.fixed(384)?);
    let v_hash = r.take(32)?.try_into().ok()?;
    if !r.0.is_empty() {
        return None;
    }
    let (sub, unknown_key) = if has_sub {
        (Some(sub), String::new())
    } else {
        (None, sub)
    };
    Some(Pending {
        sub,
        unknown_key,
        user_id,
        a,
        eph: ServerEphemeral { b, big_b },
        v_hash,
        issued_at,
        expires_at,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pending(expires_at: i64) -> Pending {
        Pending {
            sub: Some("sub-1".into()),
            unknown_key: String::new(),
            user_id: "alice".into(),
            a: BigUint::from(12345u32),
            eph: ServerEphemeral {
                b: BigUint::from(7u32),
                big_b: BigUint::from(99u32),
            },
            v_hash: [3; 32],
            issued_at: ids::now(),
            expires_at,
        }
    }

    #[test]
    fn a_block_opens_only_for_its_pool_and_client_and_unaltered() {
        let s = SealedChallenges::default();
        let block = s.seal("p1", "c1", &pending(ids::now() + 60));
        let back = s.open("p1", "c1", &block).unwrap();
        assert_eq!(back.user_id, "alice");
        assert_eq!(back.sub.as_deref(), Some("sub-1"));
        assert_eq!(back.eph.big_b, BigUint::from(99u32));
        assert_eq!(s.open("p2", "c1", &block).unwrap_err(), Refused::Invalid);
        assert_eq!(s.open("p1", "c2", &block).unwrap_err(), Refused::Invalid);
        for i in [0, NONCE_LEN, block.len() - 1] {
            let mut t = block.clone();
            t[i] ^= 1;
            assert_eq!(s.open("p1", "c1", &t).unwrap_err(), Refused::Invalid);
        }
        assert_eq!(
            s.open("p1", "c1", &block[..5]).unwrap_err(),
            Refused::Invalid
        );
        // Another run (another key) cannot open it.
        let other = SealedChallenges::default();
        assert_eq!(
            other.open("p1", "c1", &block).unwrap_err(),
            Refused::Invalid
        );
    }

    #[test]
    fn expired_blocks_are_refused_and_used_blocks_once() {
        let s = SealedChallenges::default();
        let old = s.seal("p1", "c1", &pending(ids::now() - 1));
        assert_eq!(s.open("p1", "c1", &old).unwrap_err(), Refused::Invalid);
        let block = s.seal("p1", "c1", &pending(ids::now() + 60));
        s.mark_used(&block, ids::now() + 60).unwrap();
        assert_eq!(
            s.mark_used(&block, ids::now() + 60).unwrap_err(),
            Refused::Replayed
        );
    }

    #[test]
    fn more_starts_than_the_old_global_cap_all_stay_answerable() {
        // The in-memory map this replaces refused every start, in every
        // pool, once 20,000 challenges were pending.
        let s = SealedChallenges::default();
        let first = s.seal("p1", "c1", &pending(ids::now() + 60));
        for _ in 0..25_000 {
            s.seal("p2", "c2", &pending(ids::now() + 60));
        }
        let last = s.seal("p1", "c1", &pending(ids::now() + 60));
        assert!(s.open("p1", "c1", &first).is_ok());
        assert!(s.open("p1", "c1", &last).is_ok());
        assert!(s.used.lock().unwrap().is_empty());
    }

    #[test]
    fn a_decoy_block_is_as_long_as_a_real_one() {
        let s = SealedChallenges::default();
        let mut real = pending(ids::now() + 60);
        real.sub = Some(ids::uuid());
        real.eph = ServerEphemeral {
            b: BigUint::from_bytes_be(&[0xff; 32]),
            big_b: BigUint::from_bytes_be(&[0xff; 384]),
        };
        let mut decoy = pending(ids::now() + 60);
        decoy.sub = None;
        decoy.unknown_key = "k".repeat(32);
        assert_eq!(
            s.seal("p1", "c1", &real).len(),
            s.seal("p1", "c1", &decoy).len()
        );
        let back = s.open("p1", "c1", &s.seal("p1", "c1", &decoy)).unwrap();
        assert_eq!(back.sub, None);
        assert_eq!(back.unknown_key, "k".repeat(32));
        assert_eq!(back.eph.big_b, BigUint::from(99u32));
    }

    #[test]
    fn the_block_length_does_not_follow_the_clients_a() {
        let s = SealedChallenges::default();
        let with_a = |a: BigUint| {
            let mut p = pending(ids::now() + 60);
            p.a = a;
            p
        };
        let full = with_a(BigUint::from_bytes_be(&[0xff; 384]));
        let short = with_a(BigUint::from_bytes_be(&[0xff; 383]));
        assert_eq!(
            s.seal("p1", "c1", &full).len(),
            s.seal("p1", "c1", &short).len()
        );
        // An A longer than N (parse_a does not reduce it) still round-trips.
        let long = with_a(BigUint::from_bytes_be(&[0xff; 500]));
        let back = s.open("p1", "c1", &s.seal("p1", "c1", &long)).unwrap();
        assert_eq!(back.a, long.a);
        let back = s.open("p1", "c1", &s.seal("p1", "c1", &short)).unwrap();
        assert_eq!(back.a, short.a);
    }
}
