//! Devices on the wire: ConfirmDevice, ListDevices, GetDevice,
//! UpdateDeviceStatus, ForgetDevice (authorized by the user's access
//! token) and their Admin* forms (IAM). The rules live in
//! `directory::devices`.

use serde::Deserialize;
use serde_json::{Value, json};

use super::{Paging, decode, paginate, required};
use crate::directory::admin_users::resolve_user;
use crate::directory::devices::{self, VerifierConfig};
use crate::error::Result;
use crate::issuer::Issuer;
use crate::model::{Device, Pool, User};
use crate::tokens::validate_access_token;

/// `DeviceSecretVerifierConfigType`.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct VerifierInput {
    password_verifier: Option<String>,
    salt: Option<String>,
}

/// The input of every device operation.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct DeviceInput {
    access_token: Option<String>,
    user_pool_id: Option<String>,
    username: Option<String>,
    device_key: Option<String>,
    device_name: Option<String>,
    device_secret_verifier_config: Option<VerifierInput>,
    device_remembered_status: Option<String>,
    limit: Option<i64>,
    pagination_token: Option<String>,
}

/// The pool and user an operation acts for: the access token's (user
/// operations) or `UserPoolId` + `Username` (Admin*).
fn subject(issuer: &Issuer, i: &DeviceInput, admin: bool) -> Result<(Pool, User)> {
    if admin {
        let pool_id = required(&i.user_pool_id, "userPoolId")?;
        let username = required(&i.username, "username")?;
        resolve_user(issuer, pool_id, username)
    } else {
        let token = required(&i.access_token, "accessToken")?;
        let ctx = validate_access_token(&issuer.keys, &issuer.store, token)?;
        Ok((ctx.pool, ctx.user))
    }
}

/// `DeviceType`.
fn device_json(d: &Device) -> Value {
    let mut attrs = vec![json!({ "Name": "device_status", "Value": "valid" })];
    if let Some(n) = &d.name {
        attrs.push(json!({ "Name": "device_name", "Value": n }));
    }
    if let Some(s) = d.status {
        attrs.push(json!({ "Name": "dev:device_remembered_status", "Value": s.as_str() }));
    }
    let mut out = json!({
        "DeviceKey": d.key,
        "DeviceAttributes": attrs,
        "DeviceCreateDate": d.created_at,
        "DeviceLastModifiedDate": d.modified_at,
    });
    if let Some(t) = d.last_authenticated_at {
        out["DeviceLastAuthenticatedDate"] = t.into();
    }
    out
}

/// ConfirmDevice.
pub(crate) fn confirm_device(issuer: &Issuer, input: Value) -> Result<Value> {
    let i: DeviceInput = decode(input)?;
    let (pool, user) = subject(issuer, &i, false)?;
    let key = required(&i.device_key, "deviceKey")?;
    let verifier = i
        .device_secret_verifier_config
        .as_ref()
        .map(|v| VerifierConfig {
            password_verifier: v.password_verifier.as_deref(),
            salt: v.salt.as_deref(),
        });
    let necessary = devices::confirm(
        issuer,
        pool.devices(),
        &pool.id,
        &user.sub,
        key,
        verifier,
        i.device_name.as_deref(),
    )?;
    Ok(json!({ "UserConfirmationNecessary": necessary }))
}

fn list(issuer: &Issuer, input: Value, admin: bool) -> Result<Value> {
    let i: DeviceInput = decode(input)?;
    let (pool, user) = subject(issuer, &i, admin)?;
    let all = devices::list(issuer, &pool.id, &user.sub)?;
    let scope = format!("{}\0{}", pool.id, user.sub);
    let (page, next) = paginate(
        all,
        Paging {
            op: "ListDevices",
            scope: &scope,
            limit: i.limit,
            limit_field: "limit",
            range: (0, 60),
            token: i.pagination_token.as_deref(),
        },
    )?;
    let mut out = json!({ "Devices": page.iter().map(device_json).collect::<Vec<_>>() });
    if let Some(t) = next {
        out["PaginationToken"] = t.into();
    }
    Ok(out)
}

fn get(issuer: &Issuer, input: Value, admin: bool) -> Result<Value> {
    let i: DeviceInput = decode(input)?;
    let (pool, user) = subject(issuer, &i, admin)?;
    let key = required(&i.device_key, "deviceKey")?;
    let d = devices::find(issuer, &pool.id, &user.sub, key)?;
    Ok(json!({ "Device": device_json(&d) }))
}

fn update_status(issuer: &Issuer, input: Value, admin: bool) -> Result<Value> {
    let i: DeviceInput = decode(input)?;
    let (pool, user) = subject(issuer, &i, admin)?;
    let key = required(&i.device_key, "deviceKey")?;
    devices::set_status(
        issuer,
        &pool.id,
        &user.sub,
        key,
        i.device_remembered_status.as_deref(),
    )?;
    Ok(json!({}))
}

fn forget(issuer: &Issuer, input: Value, admin: bool) -> Result<Value> {
    let i: DeviceInput = decode(input)?;
    let (pool, user) = subject(issuer, &i, admin)?;
    let key = required(&i.device_key, "deviceKey")?;
    devices::forget(issuer, &pool.id, &user.sub, key)?;
    Ok(json!({}))
}

/// ListDevices.
pub(crate) fn list_devices(issuer: &Issuer, input: Value) -> Result<Value> {
    list(issuer, input, false)
}

/// AdminListDevices.
pub(crate) fn admin_list_devices(issuer: &Issuer, input: Value) -> Result<Value> {
    list(issuer, input, true)
}

/// GetDevice.
pub(crate) fn get_device(issuer: &Issuer, input: Value) -> Result<Value> {
    get(issuer, input, false)
}

/// AdminGetDevice.
pub(crate) fn admin_get_device(issuer: &Issuer, input: Value) -> Result<Value> {
    get(issuer, input, true)
}

/// UpdateDeviceStatus.
pub(crate) fn update_device_status(issuer: &Issuer, input: Value) -> Result<Value> {
    update_status(issuer, input, false)
}

/// AdminUpdateDeviceStatus.
pub(crate) fn admin_update_device_status(issuer: &Issuer, input: Value) -> Result<Value> {
    update_status(issuer, input, true)
}

/// ForgetDevice.
pub(crate) fn forget_device(issuer: &Issuer, input: Value) -> Result<Value> {
    forget(issuer, input, false)
}

/// AdminForgetDevice.
pub(crate) fn admin_forget_device(issuer: &Issuer, input: Value) -> Result<Value> {
    forget(issuer, input, true)
}
