//! The revocation list of a pool (not in Cognito): `origin_jti`s revoked
//! within the pool clients' longest ID/access token lifetime (after that,
//! every token of the sign-in has expired anyway).

use crate::error::Result;
use crate::ids;
use crate::issuer::Issuer;
use crate::store::refresh as refresh_rows;

/// A pool's revocation list.
#[derive(Debug, Clone)]
pub(crate) struct RevocationList {
    /// Revoked sign-ins, oldest first.
    pub origin_jtis: Vec<String>,
    /// When the list was made (epoch seconds).
    pub generated_at: i64,
}

/// The revocation list URL of a pool.
pub(crate) fn list_url(issuer: &Issuer, pool_id: &str) -> String {
    format!("{}/{pool_id}/revocations.json", issuer.public_url)
}

/// The revocation list of a pool.
pub(crate) fn list(issuer: &Issuer, pool_id: &str) -> Result<RevocationList> {
    issuer.pool(pool_id)?;
    let now = ids::now();
    let ttl = issuer
        .clients_of(pool_id)?
        .iter()
        .map(|cl| cl.access_ttl().max(cl.id_ttl()))
        .max()
        .unwrap_or(3600);
    let origin_jtis = issuer.read(|c| Ok(refresh_rows::revoked_since(c, pool_id, now - ttl)?))?;
    Ok(RevocationList {
        origin_jtis,
        generated_at: now,
    })
}
