//! Groups: creation, lookup, listing, deletion and idempotent
//! create-or-update for configuration files.

use crate::error::{Error, Result};
use crate::ids;
use crate::issuer::Issuer;
use crate::model::Group;
use crate::store::groups as group_rows;

/// A group's settings (CreateGroup, typed).
#[derive(Debug, Clone, Default)]
pub(crate) struct GroupSpec {
    /// The owning pool.
    pub pool_id: String,
    /// Group name.
    pub name: String,
    /// Description.
    pub description: Option<String>,
    /// IAM role ARN.
    pub role_arn: Option<String>,
    /// Precedence (lower wins).
    pub precedence: Option<i64>,
}

/// `ResourceNotFoundException: Group not found.`
pub(crate) fn group_not_found() -> Error {
    Error::resource_not_found("Group not found.")
}

/// `Precedence` is a non-negative 32-bit integer in AWS's shape.
fn check_precedence(p: Option<i64>) -> Result<()> {
    p.map_or(Ok(()), |p| {
        crate::error::check_range("precedence", p, 0, i64::from(i32::MAX))
    })
}

/// Creates a group; `GroupExistsException` if it exists.
pub(crate) fn create(issuer: &Issuer, spec: GroupSpec) -> Result<Group> {
    issuer.pool(&spec.pool_id)?;
    if spec.name.is_empty() || spec.name.len() > 128 {
        return Err(Error::invalid_parameter(
            "GroupName must be 1 to 128 characters",
        ));
    }
    check_precedence(spec.precedence)?;
    let now = ids::now_f64();
    let group = Group {
        pool_id: spec.pool_id,
        name: spec.name,
        description: spec.description,
        role_arn: spec.role_arn,
        precedence: spec.precedence,
        created_at: now,
        modified_at: now,
    };
    issuer.write(|tx| {
        if group_rows::get_group(tx, &group.pool_id, &group.name)?.is_some() {
            return Err(Error::group_exists("A group with the name already exists."));
        }
        Ok(group_rows::put_group(tx, &group)?)
    })?;
    Ok(group)
}

/// A group of a pool; `ResourceNotFoundException` when either is missing.
pub(crate) fn get(issuer: &Issuer, pool_id: &str, name: &str) -> Result<Group> {
    issuer.pool(pool_id)?;
    issuer
        .read(|c| Ok(group_rows::get_group(c, pool_id, name)?))?
        .ok_or_else(group_not_found)
}

/// The groups of a pool.
pub(crate) fn list(issuer: &Issuer, pool_id: &str) -> Result<Vec<Group>> {
    issuer.pool(pool_id)?;
    issuer.read(|c| Ok(group_rows::list_groups(c, pool_id)?))
}

/// Deletes a group of a pool.
pub(crate) fn delete(issuer: &Issuer, pool_id: &str, name: &str) -> Result<()> {
    issuer.pool(pool_id)?;
    issuer.write(|tx| {
        group_rows::get_group(tx, pool_id, name)?.ok_or_else(group_not_found)?;
        Ok(group_rows::delete_group(tx, pool_id, name)?)
    })
}

/// Creates the group or updates its description, precedence and role when
/// they differ (the creation date is kept). Idempotent (configuration
/// files); the pool must exist.
pub(crate) fn create_or_update(issuer: &Issuer, spec: GroupSpec) -> Result<Group> {
    check_precedence(spec.precedence)?;
    let have = issuer.read(|c| Ok(group_rows::get_group(c, &spec.pool_id, &spec.name)?))?;
    if let Some(g) = &have
        && g.description == spec.description
        && g.precedence == spec.precedence
        && g.role_arn == spec.role_arn
    {
        return Ok(g.clone());
    }
    let now = ids::now_f64();
    let group = Group {
        created_at: have.as_ref().map(|h| h.created_at).unwrap_or(now),
        modified_at: now,
        pool_id: spec.pool_id,
        name: spec.name,
        description: spec.description,
        role_arn: spec.role_arn,
        precedence: spec.precedence,
    };
    issuer.write(|tx| Ok(group_rows::put_group(tx, &group)?))?;
    Ok(group)
}
