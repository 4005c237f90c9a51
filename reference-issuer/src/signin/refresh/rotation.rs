//! Refresh token rotation: the presented token is retired (usable for the
//! client's `RetryGracePeriodSeconds`, for retries) and a new token of the
//! same sign-in takes its place, with the same expiry. Tokens are stored as
//! hashes only, so a retry within the grace period gets another new token,
//! not the one already issued; both belong to the sign-in and are revoked
//! with it.

use crate::error::{Error, Result};
use crate::ids;
use crate::issuer::Issuer;
use crate::model::AppClient;
use crate::store::refresh::{self as refresh_rows, RefreshRow};

/// Retires `row` (unless a retry within its grace period finds it already
/// retired) and stores a new token of the same sign-in; returns it.
/// `recheck` validates the stored row again inside the write transaction
/// when another request retired or revoked it since it was read.
pub(super) fn rotate(
    issuer: &Issuer,
    client: &AppClient,
    row: &RefreshRow,
    recheck: impl Fn(&RefreshRow) -> Result<()>,
) -> Result<String> {
    let token = ids::opaque_token(64);
    let now = ids::now();
    let successor = RefreshRow {
        token_hash: ids::sha256_hex(&token),
        issued_at: now,
        revoked_at: None,
        retired_at_ms: None,
        grace_until_ms: None,
        ..row.clone()
    };
    let grace_ms = client
        .refresh_token_rotation
        .retry_grace_period_seconds
        .clamp(0, 60)
        * 1000;
    issuer.write(|tx| {
        let now_ms = ids::now_ms();
        let retired = refresh_rows::retire_refresh(tx, &row.token_hash, now_ms, now_ms + grace_ms)?;
        if !retired {
            // Retired or revoked since it was read: decide on what is stored.
            match refresh_rows::get_refresh(tx, &row.token_hash)? {
                Some(current) => recheck(&current)?,
                None => return Err(Error::not_authorized("Invalid Refresh Token")),
            }
        }
        refresh_rows::insert_refresh(tx, &successor)?;
        Ok(())
    })?;
    Ok(token)
}
