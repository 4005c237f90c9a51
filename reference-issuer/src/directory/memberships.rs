//! Group membership of users: AdminAddUserToGroup,
//! AdminRemoveUserFromGroup, AdminListGroupsForUser and ListUsersInGroup.

use crate::directory::groups::group_not_found;
use crate::error::Result;
use crate::issuer::Issuer;
use crate::model::{Group, Pool, User};
use crate::store::groups as group_rows;

/// AdminAddUserToGroup: the group must exist; adding a member twice is a
/// no-op.
pub(crate) fn add_user_to_group(
    issuer: &Issuer,
    pool: &Pool,
    user: &User,
    group: &str,
) -> Result<()> {
    issuer.write(|tx| {
        group_rows::get_group(tx, &pool.id, group)?.ok_or_else(group_not_found)?;
        Ok(group_rows::add_member(tx, &pool.id, group, &user.sub)?)
    })
}

/// AdminRemoveUserFromGroup: the group must exist.
pub(crate) fn remove_user_from_group(
    issuer: &Issuer,
    pool: &Pool,
    user: &User,
    group: &str,
) -> Result<()> {
    issuer.write(|tx| {
        group_rows::get_group(tx, &pool.id, group)?.ok_or_else(group_not_found)?;
        Ok(group_rows::remove_member(tx, &pool.id, group, &user.sub)?)
    })
}

/// AdminListGroupsForUser: the groups `user` belongs to.
pub(crate) fn groups_of_user(issuer: &Issuer, pool: &Pool, user: &User) -> Result<Vec<Group>> {
    issuer.read(|c| Ok(group_rows::groups_of_user(c, &pool.id, &user.sub)?))
}

/// ListUsersInGroup: the members of an existing group of an existing pool.
pub(crate) fn users_in_group(issuer: &Issuer, pool_id: &str, group: &str) -> Result<Vec<User>> {
    issuer.pool(pool_id)?;
    issuer.read(|c| {
        group_rows::get_group(c, pool_id, group)?.ok_or_else(group_not_found)?;
        Ok(group_rows::users_in_group(c, pool_id, group)?)
    })
}
