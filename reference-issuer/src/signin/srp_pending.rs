//! Pending `PASSWORD_VERIFIER` challenges of `USER_SRP_AUTH`: in memory,
//! single use, expiring, bounded in number.

use std::collections::HashMap;
use std::sync::Mutex;

use num_bigint::BigUint;
use rand::Rng;

use crate::ids;
use crate::srp::{ServerEphemeral, sha256};

/// Server state of one PASSWORD_VERIFIER challenge, found by the hash of
/// its `SECRET_BLOCK`.
#[derive(Debug, Clone)]
pub(crate) struct Pending {
    /// Pool id.
    pub pool_id: String,
    /// Client id.
    pub client_id: String,
    /// The user's sub, or `None` for a decoy challenge (unknown user).
    pub sub: Option<String>,
    /// USER_ID_FOR_SRP sent with the challenge.
    pub user_id: String,
    /// The client's `A`.
    pub a: BigUint,
    /// The server's ephemeral.
    pub eph: ServerEphemeral,
    /// The verifier the challenge was computed with.
    pub v: BigUint,
    /// When it expires.
    pub expires_at: i64,
}

/// Most pending challenges kept at once (expired ones are dropped first;
/// about 1.5 KiB each).
pub(crate) const MAX_PENDING: usize = 20_000;

/// Pending PASSWORD_VERIFIER challenges. Kept in memory only: the secret
/// `b` never touches disk, and a restart merely voids challenges younger
/// than three minutes.
#[derive(Debug, Default)]
pub(crate) struct PendingChallenges {
    map: Mutex<HashMap<[u8; 32], Pending>>,
}

impl PendingChallenges {
    /// Stores a challenge and returns its `SECRET_BLOCK` (random bytes).
    /// `None` when too many challenges are pending.
    pub(crate) fn insert(&self, p: Pending) -> Option<Vec<u8>> {
        let mut block = vec![0u8; 64];
        rand::rng().fill(&mut block[..]);
        let key = sha256(&[&block]);
        let mut map = self.map.lock().unwrap_or_else(|e| e.into_inner());
        if map.len() >= MAX_PENDING {
            let now = ids::now();
            map.retain(|_, v| v.expires_at > now);
            if map.len() >= MAX_PENDING {
                return None;
            }
        }
        map.insert(key, p);
        Some(block)
    }

    /// Removes and returns the challenge for `secret_block` (single use).
    pub(crate) fn take(&self, secret_block: &[u8]) -> Option<Pending> {
        let key = sha256(&[secret_block]);
        let mut map = self.map.lock().unwrap_or_else(|e| e.into_inner());
        map.remove(&key)
    }
}
