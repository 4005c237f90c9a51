//! Group operations: CreateGroup, GetGroup, ListGroups, DeleteGroup.

use serde::Deserialize;
use serde_json::{Value, json};

use super::{Paging, decode, paginate, required};
use crate::directory::groups::{self, GroupSpec};
use crate::error::Result;
use crate::issuer::Issuer;
use crate::model::Group;

/// CreateGroup / GetGroup / DeleteGroup input.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct GroupInput {
    user_pool_id: Option<String>,
    group_name: Option<String>,
    description: Option<String>,
    role_arn: Option<String>,
    precedence: Option<i64>,
}

/// CreateGroup.
pub(crate) fn create_group(issuer: &Issuer, input: Value) -> Result<Value> {
    let i: GroupInput = decode(input)?;
    let pool_id = required(&i.user_pool_id, "userPoolId")?;
    let name = required(&i.group_name, "groupName")?;
    let g = groups::create(
        issuer,
        GroupSpec {
            pool_id: pool_id.to_string(),
            name: name.to_string(),
            description: i.description,
            role_arn: i.role_arn,
            precedence: i.precedence,
        },
    )?;
    Ok(json!({ "Group": g.to_json() }))
}

/// GetGroup.
pub(crate) fn get_group(issuer: &Issuer, input: Value) -> Result<Value> {
    let i: GroupInput = decode(input)?;
    let pool_id = required(&i.user_pool_id, "userPoolId")?;
    let name = required(&i.group_name, "groupName")?;
    let g = groups::get(issuer, pool_id, name)?;
    Ok(json!({ "Group": g.to_json() }))
}

/// ListGroups input.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct ListInput {
    user_pool_id: Option<String>,
    limit: Option<i64>,
    next_token: Option<String>,
}

/// ListGroups.
pub(crate) fn list_groups(issuer: &Issuer, input: Value) -> Result<Value> {
    let i: ListInput = decode(input)?;
    let pool_id = required(&i.user_pool_id, "userPoolId")?;
    let all = groups::list(issuer, pool_id)?;
    let (page, next) = paginate(
        all,
        Paging {
            op: "ListGroups",
            scope: pool_id,
            limit: i.limit,
            limit_field: "limit",
            range: (0, 60),
            token: i.next_token.as_deref(),
        },
    )?;
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
    groups::delete(issuer, pool_id, name)?;
    Ok(json!({}))
}
