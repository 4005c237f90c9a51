//! JSON shapes shared by several operations: attributes, users and code
//! deliveries.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use crate::directory::outbox::{Destination, mask};
use crate::model::User;

/// Attributes as a `[{"Name","Value"}]` list, optionally restricted to `only`.
pub(crate) fn attribute_list(attrs: &BTreeMap<String, String>, only: Option<&[String]>) -> Value {
    Value::Array(
        attrs
            .iter()
            .filter(|(k, _)| only.is_none_or(|o| o.iter().any(|n| n == *k)))
            .map(|(k, v)| json!({ "Name": k, "Value": v }))
            .collect(),
    )
}

/// The `UserType` shape used by ListUsers, ListUsersInGroup and AdminCreateUser.
pub(crate) fn user_type(user: &User, only: Option<&[String]>) -> Value {
    json!({
        "Username": user.username,
        "Attributes": attribute_list(&user.attributes, only),
        "UserCreateDate": user.created_at,
        "UserLastModifiedDate": user.modified_at,
        "Enabled": user.enabled,
        "UserStatus": user.status.as_str(),
    })
}

/// The AdminGetUser response shape.
pub(crate) fn admin_get_user(user: &User) -> Value {
    json!({
        "Username": user.username,
        "UserAttributes": attribute_list(&user.attributes, None),
        "UserCreateDate": user.created_at,
        "UserLastModifiedDate": user.modified_at,
        "Enabled": user.enabled,
        "UserStatus": user.status.as_str(),
        "UserMFASettingList": [],
    })
}

/// The GetUser response shape.
pub(crate) fn get_user(user: &User) -> Value {
    json!({
        "Username": user.username,
        "UserAttributes": attribute_list(&user.attributes, None),
        "UserMFASettingList": [],
    })
}

/// Cognito's `CodeDeliveryDetailsType`, with the destination masked.
pub(crate) fn code_delivery(dest: &Destination) -> Value {
    json!({
        "Destination": mask(&dest.address),
        "DeliveryMedium": dest.medium,
        "AttributeName": dest.attribute,
    })
}
