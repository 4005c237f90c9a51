//! SRP password verifiers, stored beside the argon2id hash and bound to it:
//! a password set through a path that did not refresh the verifier makes
//! SRP fail closed.

use num_bigint::BigUint;

use crate::error::Result;
use crate::ids;
use crate::model::User;
use crate::srp::Verifier;
use crate::store::Conn as Connection;
use crate::store::srp::{self as srp_rows, VerifierRow};

fn binding(password_hash: &str) -> String {
    ids::sha256_hex(password_hash)
}

/// Derives and stores the SRP verifier for `user`'s new password. Call it in
/// the same transaction that stores the user's new argon2id hash (after
/// `user.password_hash` is set): the verifier is bound to that hash.
pub(crate) fn remember_password(conn: &Connection, user: &User, password: &str) -> Result<()> {
    let Some(phc) = user.password_hash.as_deref() else {
        return Ok(());
    };
    let ver = Verifier::derive(&user.pool_id, &user.username, password);
    let row = VerifierRow {
        salt: ver.salt.to_bytes_be(),
        verifier: ver.v.to_bytes_be(),
        bound_to: binding(phc),
    };
    Ok(srp_rows::put(conn, &user.pool_id, &user.sub, &row)?)
}

/// Stores a verifier only when the user has none for the current password
/// hash (used by configuration seeding, which does not re-hash unchanged
/// passwords).
pub(crate) fn ensure_password(conn: &Connection, user: &User, password: &str) -> Result<()> {
    if load_verifier(conn, user)?.is_none() {
        remember_password(conn, user, password)?;
    }
    Ok(())
}

/// The user's verifier, if one exists for their current password hash.
pub(crate) fn load_verifier(conn: &Connection, user: &User) -> Result<Option<Verifier>> {
    let Some(phc) = user.password_hash.as_deref() else {
        return Ok(None);
    };
    let row = srp_rows::get(conn, &user.pool_id, &user.sub)?;
    Ok(row
        .filter(|r| r.bound_to == binding(phc))
        .map(|r| Verifier {
            salt: BigUint::from_bytes_be(&r.salt),
            v: BigUint::from_bytes_be(&r.verifier),
        }))
}
