//! Administrative user operations on the wire (AdminCreateUser,
//! AdminGetUser, ..., ListUsers, ListUsersInGroup, AdminUserGlobalSignOut).
//! The rules live in `directory::{admin_users, memberships, sign_out}`.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::{Value, json};

use super::shapes;
use super::{Paging, decode, paginate, required};
use crate::directory::admin_users::{self as admin, NewUserRequest};
use crate::directory::attributes::AttributeIn;
use crate::directory::{memberships, sign_out};
use crate::error::Result;
use crate::issuer::Issuer;
use crate::model::{Pool, User};

/// A pool and a user: the input of most Admin* user operations.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct UserRef {
    user_pool_id: Option<String>,
    username: Option<String>,
}

fn resolve(
    issuer: &Issuer,
    pool_id: &Option<String>,
    username: &Option<String>,
) -> Result<(Pool, User)> {
    let pool_id = required(pool_id, "userPoolId")?;
    let username = required(username, "username")?;
    admin::resolve_user(issuer, pool_id, username)
}

/// AdminCreateUser input.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct CreateInput {
    user_pool_id: Option<String>,
    username: Option<String>,
    #[serde(default)]
    user_attributes: Vec<AttributeIn>,
    temporary_password: Option<String>,
    #[serde(default)]
    force_alias_creation: bool,
    message_action: Option<String>,
    #[serde(default)]
    desired_delivery_mediums: Vec<String>,
    client_metadata: Option<BTreeMap<String, String>>,
    validation_data: Option<Vec<AttributeIn>>,
}

/// AdminCreateUser.
pub(crate) fn admin_create_user(issuer: &Issuer, input: Value) -> Result<Value> {
    let i: CreateInput = decode(input)?;
    let pool_id = required(&i.user_pool_id, "userPoolId")?;
    let username = required(&i.username, "username")?;
    let validation_data = i
        .validation_data
        .as_deref()
        .map(crate::directory::users::submitted);
    let req = NewUserRequest {
        username,
        attributes: &i.user_attributes,
        temporary_password: i.temporary_password.as_deref(),
        force_alias_creation: i.force_alias_creation,
        message_action: i.message_action.as_deref(),
        desired_delivery_mediums: &i.desired_delivery_mediums,
        metadata: i.client_metadata.as_ref(),
        validation_data: validation_data.as_ref(),
    };
    let user = admin::admin_create_user(issuer, pool_id, &req)?;
    Ok(json!({ "User": shapes::user_type(&user, None) }))
}

/// AdminGetUser.
pub(crate) fn admin_get_user(issuer: &Issuer, input: Value) -> Result<Value> {
    let r: UserRef = decode(input)?;
    let (_, user) = resolve(issuer, &r.user_pool_id, &r.username)?;
    let mut out = shapes::admin_get_user(&user);
    super::mfa::decorate(issuer, &user, &mut out)?;
    Ok(out)
}

/// AdminDeleteUser.
pub(crate) fn admin_delete_user(issuer: &Issuer, input: Value) -> Result<Value> {
    let r: UserRef = decode(input)?;
    let (pool, user) = resolve(issuer, &r.user_pool_id, &r.username)?;
    admin::admin_delete_user(issuer, &pool, &user)?;
    Ok(json!({}))
}

/// AdminSetUserPassword input.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct SetPasswordInput {
    user_pool_id: Option<String>,
    username: Option<String>,
    password: Option<String>,
    #[serde(default)]
    permanent: bool,
}

/// AdminSetUserPassword.
pub(crate) fn admin_set_user_password(issuer: &Issuer, input: Value) -> Result<Value> {
    let i: SetPasswordInput = decode(input)?;
    let (pool, user) = resolve(issuer, &i.user_pool_id, &i.username)?;
    let pw = required(&i.password, "password")?;
    admin::admin_set_user_password(issuer, &pool, &user, pw, i.permanent)?;
    Ok(json!({}))
}

/// AdminResetUserPassword.
pub(crate) fn admin_reset_user_password(issuer: &Issuer, input: Value) -> Result<Value> {
    let r: UserRef = decode(input)?;
    let (pool, user) = resolve(issuer, &r.user_pool_id, &r.username)?;
    admin::admin_reset_user_password(issuer, &pool, &user)?;
    Ok(json!({}))
}

/// AdminConfirmSignUp.
pub(crate) fn admin_confirm_sign_up(issuer: &Issuer, input: Value) -> Result<Value> {
    let r: UserRef = decode(input)?;
    let (pool, user) = resolve(issuer, &r.user_pool_id, &r.username)?;
    admin::admin_confirm_sign_up(issuer, &pool, &user)?;
    Ok(json!({}))
}

/// AdminUpdateUserAttributes / AdminDeleteUserAttributes input.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct UpdateAttrsInput {
    user_pool_id: Option<String>,
    username: Option<String>,
    #[serde(default)]
    user_attributes: Vec<AttributeIn>,
    #[serde(default)]
    user_attribute_names: Vec<String>,
}

/// AdminUpdateUserAttributes.
pub(crate) fn admin_update_user_attributes(issuer: &Issuer, input: Value) -> Result<Value> {
    let i: UpdateAttrsInput = decode(input)?;
    let (pool, user) = resolve(issuer, &i.user_pool_id, &i.username)?;
    admin::admin_update_user_attributes(issuer, &pool, &user, &i.user_attributes)?;
    Ok(json!({}))
}

/// AdminDeleteUserAttributes.
pub(crate) fn admin_delete_user_attributes(issuer: &Issuer, input: Value) -> Result<Value> {
    let i: UpdateAttrsInput = decode(input)?;
    let (pool, user) = resolve(issuer, &i.user_pool_id, &i.username)?;
    admin::admin_delete_user_attributes(issuer, &pool, &user, &i.user_attribute_names)?;
    Ok(json!({}))
}

/// AdminDisableUser / AdminEnableUser.
pub(crate) fn admin_set_enabled(issuer: &Issuer, input: Value, enabled: bool) -> Result<Value> {
    let r: UserRef = decode(input)?;
    let (pool, user) = resolve(issuer, &r.user_pool_id, &r.username)?;
    admin::admin_set_enabled(issuer, &pool, &user, enabled)?;
    Ok(json!({}))
}

/// A pool, a group and a user (group membership operations).
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct GroupUserInput {
    user_pool_id: Option<String>,
    username: Option<String>,
    group_name: Option<String>,
    limit: Option<i64>,
    next_token: Option<String>,
}

/// AdminAddUserToGroup.
pub(crate) fn admin_add_user_to_group(issuer: &Issuer, input: Value) -> Result<Value> {
    let i: GroupUserInput = decode(input)?;
    let group = required(&i.group_name, "groupName")?;
    let (pool, user) = resolve(issuer, &i.user_pool_id, &i.username)?;
    memberships::add_user_to_group(issuer, &pool, &user, group)?;
    Ok(json!({}))
}

/// AdminRemoveUserFromGroup.
pub(crate) fn admin_remove_user_from_group(issuer: &Issuer, input: Value) -> Result<Value> {
    let i: GroupUserInput = decode(input)?;
    let group = required(&i.group_name, "groupName")?;
    let (pool, user) = resolve(issuer, &i.user_pool_id, &i.username)?;
    memberships::remove_user_from_group(issuer, &pool, &user, group)?;
    Ok(json!({}))
}

/// AdminListGroupsForUser.
pub(crate) fn admin_list_groups_for_user(issuer: &Issuer, input: Value) -> Result<Value> {
    let i: GroupUserInput = decode(input)?;
    let (pool, user) = resolve(issuer, &i.user_pool_id, &i.username)?;
    let groups = memberships::groups_of_user(issuer, &pool, &user)?;
    let (page, next) = paginate(
        groups,
        Paging {
            op: "AdminListGroupsForUser",
            scope: &format!("{}\u{1}{}", pool.id, user.sub),
            limit: i.limit,
            limit_field: "limit",
            range: (0, 60),
            token: i.next_token.as_deref(),
        },
    )?;
    let mut out = json!({ "Groups": page.iter().map(|g| g.to_json()).collect::<Vec<_>>() });
    if let Some(t) = next {
        out["NextToken"] = t.into();
    }
    Ok(out)
}

/// ListUsersInGroup.
pub(crate) fn list_users_in_group(issuer: &Issuer, input: Value) -> Result<Value> {
    let i: GroupUserInput = decode(input)?;
    let pool_id = required(&i.user_pool_id, "userPoolId")?;
    let group = required(&i.group_name, "groupName")?;
    let users = memberships::users_in_group(issuer, pool_id, group)?;
    let (page, next) = paginate(
        users,
        Paging {
            op: "ListUsersInGroup",
            scope: &format!("{pool_id}\u{1}{group}"),
            limit: i.limit,
            limit_field: "limit",
            range: (0, 60),
            token: i.next_token.as_deref(),
        },
    )?;
    let mut out =
        json!({ "Users": page.iter().map(|u| shapes::user_type(u, None)).collect::<Vec<_>>() });
    if let Some(t) = next {
        out["NextToken"] = t.into();
    }
    Ok(out)
}

/// ListUsers input.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct ListUsersInput {
    user_pool_id: Option<String>,
    attributes_to_get: Option<Vec<String>>,
    limit: Option<i64>,
    pagination_token: Option<String>,
    filter: Option<String>,
}

/// ListUsers, with Cognito's `Filter` syntax.
pub(crate) fn list_users(issuer: &Issuer, input: Value) -> Result<Value> {
    let i: ListUsersInput = decode(input)?;
    let pool_id = required(&i.user_pool_id, "userPoolId")?;
    let users = admin::list_users(issuer, pool_id, i.filter.as_deref().unwrap_or(""))?;
    let (page, next) = paginate(
        users,
        Paging {
            op: "ListUsers",
            scope: pool_id,
            limit: i.limit,
            limit_field: "limit",
            range: (0, 60),
            token: i.pagination_token.as_deref(),
        },
    )?;
    let only = i.attributes_to_get.as_deref();
    let mut out =
        json!({ "Users": page.iter().map(|u| shapes::user_type(u, only)).collect::<Vec<_>>() });
    if let Some(t) = next {
        out["PaginationToken"] = t.into();
    }
    Ok(out)
}

/// AdminUserGlobalSignOut: revokes every refresh token of the user (and,
/// for this issuer's own checks, their access tokens).
pub(crate) fn admin_user_global_sign_out(issuer: &Issuer, input: Value) -> Result<Value> {
    let r: UserRef = decode(input)?;
    let (pool, user) = resolve(issuer, &r.user_pool_id, &r.username)?;
    sign_out::global_sign_out(issuer, &pool.id, &user.sub)?;
    Ok(json!({}))
}
