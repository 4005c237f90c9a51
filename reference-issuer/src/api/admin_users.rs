//! Administrative user operations (AdminCreateUser, AdminGetUser, ...,
//! ListUsers, ListUsersInGroup, AdminUserGlobalSignOut).

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::{Value, json};

use super::groups::group_not_found;
use super::shapes;
use super::{decode, paginate, required};
use crate::directory::attributes::{
    AttributeIn, apply_attributes, ensure_alias_unique, looks_like_email, looks_like_phone,
    validate_attributes,
};
use crate::directory::codes::{CodePurpose, delivery_destination, issue_code};
use crate::directory::filter::Filter;
use crate::directory::lookup::{require_user, user_not_found};
use crate::directory::outbox::{self, MessageKind};
use crate::directory::password;
use crate::error::{Error, Result};
use crate::ids;
use crate::issuer::Issuer;
use crate::model::{Pool, User, UserStatus};
use crate::store::{groups as group_rows, refresh as refresh_rows, users as user_rows};

/// Builds a new user record. In pools whose `UsernameAttributes` include
/// email/phone, `username` must be such a value: it becomes that attribute
/// and the stored username is the user's `sub` (as in Cognito).
pub(crate) fn new_user(
    pool: &Pool,
    username: &str,
    attrs: &[AttributeIn],
    status: UserStatus,
) -> Result<User> {
    if username.is_empty()
        || username.chars().count() > 128
        || username
            .chars()
            .any(|c| c.is_whitespace() || c.is_control())
    {
        return Err(Error::invalid_parameter(
            "1 validation error detected: Value at 'username' failed to satisfy constraint: \
             Member must satisfy regular expression pattern: [\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}]+",
        ));
    }
    let sub = ids::uuid();
    let now = ids::now_f64();
    let mut user = User {
        pool_id: pool.id.clone(),
        sub: sub.clone(),
        username: username.to_string(),
        status,
        enabled: true,
        password_hash: None,
        password_set_at: ids::now(),
        attributes: BTreeMap::new(),
        created_at: now,
        modified_at: now,
    };
    apply_attributes(&mut user, attrs);
    if !pool.username_attributes.is_empty() {
        let as_email =
            pool.username_attributes.iter().any(|a| a == "email") && looks_like_email(username);
        let as_phone = pool.username_attributes.iter().any(|a| a == "phone_number")
            && looks_like_phone(username);
        let attr = if as_email {
            "email"
        } else if as_phone {
            "phone_number"
        } else {
            return Err(Error::invalid_parameter(
                "Username should be either an email or a phone number.",
            ));
        };
        if user.attr(attr).is_some_and(|v| v != username) {
            return Err(Error::invalid_parameter(format!(
                "The {attr} attribute must match the username"
            )));
        }
        user.attributes
            .insert(attr.to_string(), username.to_string());
        user.attributes
            .entry(format!("{attr}_verified"))
            .or_insert_with(|| "false".into());
        user.username = sub.clone();
    }
    user.attributes.insert("sub".into(), sub);
    for req in pool.required_attribute_names() {
        if user.attr(&req).is_none_or(str::is_empty) {
            return Err(Error::invalid_parameter(format!(
                "Attributes did not conform to the schema: {req}: The attribute is required"
            )));
        }
    }
    Ok(user)
}

/// Inserts a new user, enforcing username and alias uniqueness.
pub(crate) fn insert_new_user(
    conn: &rusqlite::Connection,
    pool: &Pool,
    user: &User,
    force_alias: bool,
) -> Result<()> {
    for attr in &pool.username_attributes {
        if let Some(v) = user.attr(attr)
            && !user_rows::find_users_by_attribute(conn, pool, attr, v, false)?.is_empty()
        {
            return Err(Error::username_exists(format!(
                "An account with the given {attr} already exists."
            )));
        }
    }
    ensure_alias_unique(conn, pool, user, force_alias)?;
    if !user_rows::insert_user(conn, pool, user)? {
        return Err(Error::username_exists("User account already exists"));
    }
    Ok(())
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct UserRef {
    user_pool_id: Option<String>,
    username: Option<String>,
}

fn resolve(issuer: &Issuer, r: &UserRef) -> Result<(Pool, User)> {
    let pool_id = required(&r.user_pool_id, "userPoolId")?;
    let username = required(&r.username, "username")?;
    let (pool, _) = issuer.pool(pool_id)?;
    let user = issuer.read(|c| require_user(c, &pool, username))?;
    Ok((pool, user))
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct CreateInput {
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
}

fn send_invitation(
    conn: &rusqlite::Connection,
    pool: &Pool,
    user: &User,
    temp: &str,
    mediums: &[String],
) -> Result<()> {
    let wants_sms = mediums.iter().any(|m| m == "SMS");
    let wants_email = mediums.is_empty() || mediums.iter().any(|m| m == "EMAIL");
    let mut attrs = Vec::new();
    if wants_email {
        attrs.push("email");
    }
    if wants_sms || mediums.is_empty() {
        attrs.push("phone_number");
    }
    let _ = pool;
    for a in attrs {
        if let Some(dest) = outbox::Destination::for_attribute(user, a) {
            let display = user
                .attr("email")
                .filter(|_| user.username == user.sub)
                .unwrap_or(&user.username);
            outbox::send(
                conn,
                user,
                MessageKind::Invitation,
                &dest,
                None,
                format!("Your username is {display} and temporary password is {temp}"),
            )?;
        }
    }
    Ok(())
}

/// AdminCreateUser.
pub(crate) fn admin_create_user(issuer: &Issuer, input: Value) -> Result<Value> {
    let i: CreateInput = decode(input)?;
    let pool_id = required(&i.user_pool_id, "userPoolId")?;
    let username = required(&i.username, "username")?;
    let (pool, _) = issuer.pool(pool_id)?;
    validate_attributes(&pool, &i.user_attributes, true)?;
    let policy = &pool.policies.password_policy;
    let temp = match &i.temporary_password {
        Some(t) => {
            password::check_policy(policy, t)?;
            t.clone()
        }
        None => ids::temporary_password(policy.minimum_length as usize),
    };
    let hash = password::hash(&temp)?;
    match i.message_action.as_deref() {
        None | Some("SUPPRESS") | Some("RESEND") => {}
        Some(other) => {
            return Err(Error::invalid_parameter(format!(
                "1 validation error detected: Value '{other}' at 'messageAction' failed to \
                 satisfy constraint: Member must satisfy enum value set: [RESEND, SUPPRESS]"
            )));
        }
    }
    if i.message_action.as_deref() == Some("RESEND") {
        let user = issuer.write(|tx| {
            let mut user = require_user(tx, &pool, username)?;
            if user.status != UserStatus::ForceChangePassword {
                return Err(Error::unsupported_user_state(
                    "Resend not possible. User has already signed in.",
                ));
            }
            user.password_hash = Some(hash.clone());
            user.password_set_at = ids::now();
            user.modified_at = ids::now_f64();
            user_rows::update_user(tx, &user)?;
            crate::directory::credentials::remember_password(tx, &user, &temp)?;
            send_invitation(tx, &pool, &user, &temp, &i.desired_delivery_mediums)?;
            Ok(user)
        })?;
        return Ok(json!({ "User": shapes::user_type(&user, None) }));
    }
    let mut user = new_user(
        &pool,
        username,
        &i.user_attributes,
        UserStatus::ForceChangePassword,
    )?;
    user.password_hash = Some(hash);
    let suppress = i.message_action.as_deref() == Some("SUPPRESS");
    issuer.write(|tx| {
        insert_new_user(tx, &pool, &user, i.force_alias_creation)?;
        crate::directory::credentials::remember_password(tx, &user, &temp)?;
        if !suppress {
            send_invitation(tx, &pool, &user, &temp, &i.desired_delivery_mediums)?;
        }
        Ok(())
    })?;
    Ok(json!({ "User": shapes::user_type(&user, None) }))
}

/// AdminGetUser.
pub(crate) fn admin_get_user(issuer: &Issuer, input: Value) -> Result<Value> {
    let r: UserRef = decode(input)?;
    let (_, user) = resolve(issuer, &r)?;
    let mut out = shapes::admin_get_user(&user);
    super::mfa::decorate(issuer, &user, &mut out)?;
    Ok(out)
}

/// AdminDeleteUser.
pub(crate) fn admin_delete_user(issuer: &Issuer, input: Value) -> Result<Value> {
    let r: UserRef = decode(input)?;
    let (pool, user) = resolve(issuer, &r)?;
    issuer.write(|tx| Ok(user_rows::delete_user(tx, &pool.id, &user.sub)?))?;
    issuer.lockout.succeeded(&pool.id, &user.sub);
    Ok(json!({}))
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct SetPasswordInput {
    user_pool_id: Option<String>,
    username: Option<String>,
    password: Option<String>,
    #[serde(default)]
    permanent: bool,
}

/// AdminSetUserPassword.
pub(crate) fn admin_set_user_password(issuer: &Issuer, input: Value) -> Result<Value> {
    let i: SetPasswordInput = decode(input)?;
    let r = UserRef {
        user_pool_id: i.user_pool_id.clone(),
        username: i.username.clone(),
    };
    let (pool, user) = resolve(issuer, &r)?;
    let pw = required(&i.password, "password")?;
    password::check_policy(&pool.policies.password_policy, pw)?;
    let hash = password::hash(pw)?;
    issuer.write(|tx| {
        let mut user =
            user_rows::get_user_by_sub(tx, &pool.id, &user.sub)?.ok_or_else(user_not_found)?;
        user.password_hash = Some(hash.clone());
        user.password_set_at = ids::now();
        user.status = if i.permanent {
            UserStatus::Confirmed
        } else {
            UserStatus::ForceChangePassword
        };
        user.modified_at = ids::now_f64();
        user_rows::update_user(tx, &user)?;
        crate::directory::credentials::remember_password(tx, &user, pw)
    })?;
    issuer.lockout.succeeded(&pool.id, &user.sub);
    Ok(json!({}))
}

/// AdminResetUserPassword: the user must reset with a code sent to them.
pub(crate) fn admin_reset_user_password(issuer: &Issuer, input: Value) -> Result<Value> {
    let r: UserRef = decode(input)?;
    let (pool, user) = resolve(issuer, &r)?;
    issuer.write(|tx| {
        let mut user =
            user_rows::get_user_by_sub(tx, &pool.id, &user.sub)?.ok_or_else(user_not_found)?;
        if user.status == UserStatus::Unconfirmed {
            return Err(Error::not_authorized(
                "User password cannot be reset in the current state.",
            ));
        }
        user.status = UserStatus::ResetRequired;
        user.modified_at = ids::now_f64();
        user_rows::update_user(tx, &user)?;
        if let Some(dest) = delivery_destination(&pool, &user, false) {
            issue_code(
                tx,
                &user,
                CodePurpose::ForgotPassword,
                MessageKind::ForgotPassword,
                &dest,
            )?;
        }
        Ok(())
    })?;
    Ok(json!({}))
}

/// AdminConfirmSignUp.
pub(crate) fn admin_confirm_sign_up(issuer: &Issuer, input: Value) -> Result<Value> {
    let r: UserRef = decode(input)?;
    let (pool, user) = resolve(issuer, &r)?;
    issuer.write(|tx| {
        let mut user =
            user_rows::get_user_by_sub(tx, &pool.id, &user.sub)?.ok_or_else(user_not_found)?;
        if user.status != UserStatus::Unconfirmed {
            return Err(Error::not_authorized(format!(
                "User cannot be confirmed. Current status is {}",
                user.status.as_str()
            )));
        }
        user.status = UserStatus::Confirmed;
        user.modified_at = ids::now_f64();
        Ok(user_rows::update_user(tx, &user)?)
    })?;
    Ok(json!({}))
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct UpdateAttrsInput {
    user_pool_id: Option<String>,
    username: Option<String>,
    #[serde(default)]
    user_attributes: Vec<AttributeIn>,
    #[serde(default)]
    user_attribute_names: Vec<String>,
}

/// AdminUpdateUserAttributes. A changed email/phone becomes unverified
/// (unless the same call sets `*_verified`) and, in pools that auto-verify
/// it, a verification code is sent.
pub(crate) fn admin_update_user_attributes(issuer: &Issuer, input: Value) -> Result<Value> {
    let i: UpdateAttrsInput = decode(input)?;
    let r = UserRef {
        user_pool_id: i.user_pool_id.clone(),
        username: i.username.clone(),
    };
    let (pool, user) = resolve(issuer, &r)?;
    validate_attributes(&pool, &i.user_attributes, true)?;
    issuer.write(|tx| {
        let mut user =
            user_rows::get_user_by_sub(tx, &pool.id, &user.sub)?.ok_or_else(user_not_found)?;
        let changed = apply_attributes(&mut user, &i.user_attributes);
        ensure_alias_unique(tx, &pool, &user, false)?;
        user_rows::update_user(tx, &user)?;
        for attr in changed {
            if pool.auto_verified_attributes.contains(&attr)
                && !user.is_verified(&attr)
                && let Some(dest) = outbox::Destination::for_attribute(&user, &attr)
            {
                issue_code(
                    tx,
                    &user,
                    CodePurpose::verify(&attr)?,
                    MessageKind::VerifyAttribute,
                    &dest,
                )?;
            }
        }
        Ok(())
    })?;
    Ok(json!({}))
}

/// AdminDeleteUserAttributes.
pub(crate) fn admin_delete_user_attributes(issuer: &Issuer, input: Value) -> Result<Value> {
    let i: UpdateAttrsInput = decode(input)?;
    let r = UserRef {
        user_pool_id: i.user_pool_id.clone(),
        username: i.username.clone(),
    };
    let (pool, user) = resolve(issuer, &r)?;
    let attrs: Vec<AttributeIn> = i
        .user_attribute_names
        .iter()
        .map(|n| AttributeIn {
            name: n.clone(),
            value: None,
        })
        .collect();
    validate_attributes(&pool, &attrs, true)?;
    issuer.write(|tx| {
        let mut user =
            user_rows::get_user_by_sub(tx, &pool.id, &user.sub)?.ok_or_else(user_not_found)?;
        for n in &i.user_attribute_names {
            user.attributes.remove(n);
        }
        user.modified_at = ids::now_f64();
        Ok(user_rows::update_user(tx, &user)?)
    })?;
    Ok(json!({}))
}

/// AdminDisableUser / AdminEnableUser. Disabling also revokes the user's
/// tokens.
pub(crate) fn admin_set_enabled(issuer: &Issuer, input: Value, enabled: bool) -> Result<Value> {
    let r: UserRef = decode(input)?;
    let (pool, user) = resolve(issuer, &r)?;
    issuer.write(|tx| {
        let mut user =
            user_rows::get_user_by_sub(tx, &pool.id, &user.sub)?.ok_or_else(user_not_found)?;
        user.enabled = enabled;
        user.modified_at = ids::now_f64();
        user_rows::update_user(tx, &user)?;
        if !enabled {
            refresh_rows::revoke_user(tx, &pool.id, &user.sub, ids::now())?;
        }
        Ok(())
    })?;
    Ok(json!({}))
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct GroupUserInput {
    user_pool_id: Option<String>,
    username: Option<String>,
    group_name: Option<String>,
    limit: Option<i64>,
    next_token: Option<String>,
}

/// AdminAddUserToGroup.
pub(crate) fn admin_add_user_to_group(issuer: &Issuer, input: Value) -> Result<Value> {
    let i: GroupUserInput = decode(input)?;
    let group = required(&i.group_name, "groupName")?.to_string();
    let (pool, user) = resolve(
        issuer,
        &UserRef {
            user_pool_id: i.user_pool_id,
            username: i.username,
        },
    )?;
    issuer.write(|tx| {
        group_rows::get_group(tx, &pool.id, &group)?.ok_or_else(group_not_found)?;
        Ok(group_rows::add_member(tx, &pool.id, &group, &user.sub)?)
    })?;
    Ok(json!({}))
}

/// AdminRemoveUserFromGroup.
pub(crate) fn admin_remove_user_from_group(issuer: &Issuer, input: Value) -> Result<Value> {
    let i: GroupUserInput = decode(input)?;
    let group = required(&i.group_name, "groupName")?.to_string();
    let (pool, user) = resolve(
        issuer,
        &UserRef {
            user_pool_id: i.user_pool_id,
            username: i.username,
        },
    )?;
    issuer.write(|tx| {
        group_rows::get_group(tx, &pool.id, &group)?.ok_or_else(group_not_found)?;
        Ok(group_rows::remove_member(tx, &pool.id, &group, &user.sub)?)
    })?;
    Ok(json!({}))
}

/// AdminListGroupsForUser.
pub(crate) fn admin_list_groups_for_user(issuer: &Issuer, input: Value) -> Result<Value> {
    let i: GroupUserInput = decode(input)?;
    let (pool, user) = resolve(
        issuer,
        &UserRef {
            user_pool_id: i.user_pool_id,
            username: i.username,
        },
    )?;
    let groups = issuer.read(|c| Ok(group_rows::groups_of_user(c, &pool.id, &user.sub)?))?;
    let (page, next) = paginate(groups, i.limit, 60, i.next_token.as_deref())?;
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
    issuer.pool(pool_id)?;
    let users = issuer.read(|c| {
        group_rows::get_group(c, pool_id, group)?.ok_or_else(group_not_found)?;
        Ok(group_rows::users_in_group(c, pool_id, group)?)
    })?;
    let (page, next) = paginate(users, i.limit, 60, i.next_token.as_deref())?;
    let mut out =
        json!({ "Users": page.iter().map(|u| shapes::user_type(u, None)).collect::<Vec<_>>() });
    if let Some(t) = next {
        out["NextToken"] = t.into();
    }
    Ok(out)
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ListUsersInput {
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
    let (pool, _) = issuer.pool(pool_id)?;
    let filter = Filter::parse(i.filter.as_deref().unwrap_or(""))?;
    let users = issuer.read(|c| Ok(user_rows::list_users(c, pool_id)?))?;
    let users: Vec<User> = users
        .into_iter()
        .filter(|u| filter.as_ref().is_none_or(|f| f.matches(&pool, u)))
        .collect();
    let (page, next) = paginate(users, i.limit, 60, i.pagination_token.as_deref())?;
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
    let (pool, user) = resolve(issuer, &r)?;
    issuer.write(|tx| {
        Ok(refresh_rows::revoke_user(
            tx,
            &pool.id,
            &user.sub,
            ids::now(),
        )?)
    })?;
    Ok(json!({}))
}
