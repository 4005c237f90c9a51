//! Group operations: CreateGroup, GetGroup, ListGroups, DeleteGroup.

use serde::Deserialize;
use serde_json::{Value, json};

use super::{decode, paginate, required};
use crate::error::{Error, Result};
use crate::ids;
use crate::issuer::Issuer;
use crate::model::Group;
use crate::store::groups as group_rows;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct GroupInput {
    user_pool_id: Option<String>,
    group_name: Option<String>,
    description: Option<String>,
    role_arn: Option<String>,
    precedence: Option<i64>,
}

/// `ResourceNotFoundException: Group not found.`
pub(crate) fn group_not_found() -> Error {
    Error::resource_not_found("Group not found.")
}

/// Creates a group; `GroupExistsException` if it exists.
pub(crate) fn insert_group(
    issuer: &Issuer,
    pool_id: &str,
    name: &str,
    description: Option<String>,
    role_arn: Option<String>,
    precedence: Option<i64>,
) -> Result<Group> {
    issuer.pool(pool_id)?;
    if name.is_empty() || name.len() > 128 {
        return Err(Error::invalid_parameter(
            "GroupName must be 1 to 128 characters",
        ));
    }
    if precedence.is_some_and(|p| p < 0) {
        return Err(Error::invalid_parameter("Precedence must be 0 or greater"));
    }
    let now = ids::now_f64();
    let group = Group {
        pool_id: pool_id.to_string(),
        name: name.to_string(),
        description,
        role_arn,
        precedence,
        created_at: now,
        modified_at: now,
    };
    issuer.write(|tx| {
        if group_rows::get_group(tx, pool_id, name)?.is_some() {
            return Err(Error::group_exists("A group with the name already exists."));
        }
        Ok(group_rows::put_group(tx, &group)?)
    })?;
    Ok(group)
}

/// CreateGroup.
pub(crate) fn create_group(issuer: &Issuer, input: Value) -> Result<Value> {
    let i: GroupInput = decode(input)?;
    let pool_id = required(&i.user_pool_id, "userPoolId")?;
    let name = required(&i.group_name, "groupName")?;
    let g = insert_group(
        issuer,
        pool_id,
        name,
        i.description,
        i.role_arn,
        i.precedence,
    )?;
    Ok(json!({ "Group": g.to_json() }))
}

/// GetGroup.
pub(crate) fn get_group(issuer: &Issuer, input: Value) -> Result<Value> {
    let i: GroupInput = decode(input)?;
    let pool_id = required(&i.user_pool_id, "userPoolId")?;
    let name = required(&i.group_name, "groupName")?;
    issuer.pool(pool_id)?;
    let g = issuer
        .read(|c| Ok(group_rows::get_group(c, pool_id, name)?))?
        .ok_or_else(group_not_found)?;
    Ok(json!({ "Group": g.to_json() }))
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ListInput {
    user_pool_id: Option<String>,
    limit: Option<i64>,
    next_token: Option<String>,
}

/// ListGroups.
pub(crate) fn list_groups(issuer: &Issuer, input: Value) -> Result<Value> {
    let i: ListInput = decode(input)?;
    let pool_id = required(&i.user_pool_id, "userPoolId")?;
    issuer.pool(pool_id)?;
    let groups = issuer.read(|c| Ok(group_rows::list_groups(c, pool_id)?))?;
    let (page, next) = paginate(groups, i.limit, 60, i.next_token.as_deref())?;
    let mut out = json!({ "Groups": page.iter().map(Group::to_json).collect::<Vec<_>>() });
    if let Some(t) = next {
        out["NextToken"] = t.into();
    }
    Ok(out)
}

/// DeleteGroup.
pub(crate) fn delete_group(issuer: &Issuer, input: Value) -> Result<Value> {
    let i: GroupInput = decode(input)?;
    let pool_id = required(&i.user_pool_id, "userPoolId")?;
    let name = required(&i.group_name, "groupName")?;
    issuer.pool(pool_id)?;
    issuer.write(|tx| {
        group_rows::get_group(tx, pool_id, name)?.ok_or_else(group_not_found)?;
        Ok(group_rows::delete_group(tx, pool_id, name)?)
    })?;
    Ok(json!({}))
}
