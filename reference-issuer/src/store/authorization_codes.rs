//! OAuth2 authorization codes (stored by SHA-256 only). A code is consumed
//! by one conditional update, so of two concurrent redemptions exactly one
//! wins; the consumed row keeps the `origin_jti` its redemption issued,
//! for the revocation a replay causes.

use rusqlite::{Connection, params};

use super::{Result, optional};

/// An authorization code and the request it answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CodeRow {
    /// SHA-256 hex of the code.
    pub code_hash: String,
    /// Pool id.
    pub pool_id: String,
    /// The client the code was issued to.
    pub client_id: String,
    /// The signed-in user.
    pub sub: String,
    /// The authorization request's `redirect_uri`.
    pub redirect_uri: String,
    /// The granted scopes, space-separated.
    pub scopes: String,
    /// The request's `nonce`.
    pub nonce: Option<String>,
    /// The request's S256 `code_challenge`.
    pub code_challenge: Option<String>,
    /// When the user signed in.
    pub auth_time: i64,
    /// Expiry (epoch seconds).
    pub expires_at: i64,
    /// When it was redeemed, if it was.
    pub consumed_at: Option<i64>,
    /// The sign-in its redemption issued.
    pub origin_jti: Option<String>,
}

/// Stores a new code (and forgets codes expired for a day).
pub(crate) fn insert(conn: &Connection, c: &CodeRow, now: i64) -> Result<()> {
    conn.execute(
        "DELETE FROM authorization_codes WHERE expires_at < ?1",
        [now - 86400],
    )?;
    conn.execute(
        "INSERT INTO authorization_codes(code_hash, pool_id, client_id, sub, redirect_uri, scopes,
                                         nonce, code_challenge, auth_time, expires_at,
                                         consumed_at, origin_jti)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
        params![
            c.code_hash,
            c.pool_id,
            c.client_id,
            c.sub,
            c.redirect_uri,
            c.scopes,
            c.nonce,
            c.code_challenge,
            c.auth_time,
            c.expires_at,
            c.consumed_at,
            c.origin_jti
        ],
    )?;
    Ok(())
}

/// Looks a code up by hash.
pub(crate) fn get(conn: &Connection, code_hash: &str) -> Result<Option<CodeRow>> {
    Ok(optional(conn.query_row(
        "SELECT code_hash, pool_id, client_id, sub, redirect_uri, scopes, nonce, code_challenge,
                auth_time, expires_at, consumed_at, origin_jti
         FROM authorization_codes WHERE code_hash = ?1",
        [code_hash],
        |r| {
            Ok(CodeRow {
                code_hash: r.get(0)?,
                pool_id: r.get(1)?,
                client_id: r.get(2)?,
                sub: r.get(3)?,
                redirect_uri: r.get(4)?,
                scopes: r.get(5)?,
                nonce: r.get(6)?,
                code_challenge: r.get(7)?,
                auth_time: r.get(8)?,
                expires_at: r.get(9)?,
                consumed_at: r.get(10)?,
                origin_jti: r.get(11)?,
            })
        },
    ))?)
}

/// Consumes a code for the sign-in `origin_jti`; false when it was
/// already consumed (another redemption won).
pub(crate) fn consume(
    conn: &Connection,
    code_hash: &str,
    origin_jti: &str,
    now: i64,
) -> Result<bool> {
    let n = conn.execute(
        "UPDATE authorization_codes SET consumed_at = ?2, origin_jti = ?3
         WHERE code_hash = ?1 AND consumed_at IS NULL",
        params![code_hash, now, origin_jti],
    )?;
    Ok(n == 1)
}
