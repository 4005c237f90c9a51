//! The input decoding of every operation, without running it (and so
//! without a store): what the `fuzzing` feature exposes of this layer.
//! The table mirrors [`super::dispatch`]'s; an operation missing here is
//! reported as unknown.

use serde_json::Value;

use super::{
    admin_users, auth, clients, decode, devices, domains, groups, mfa, pools, resource_servers,
    ui_customization, users,
};
use crate::error::{Error, Result};

/// Decodes `input` as the input of `op` (the same decoders, and the pure
/// conversions to directory specs, that the operation runs first).
pub(crate) fn decode_input(op: &str, input: Value) -> Result<()> {
    match op {
        "CreateUserPool" => decode::<pools::CreatePoolInput>(input)?
            .into_spec()
            .map(drop),
        "DescribeUserPool" | "DeleteUserPool" => decode::<pools::PoolIdInput>(input).map(drop),
        "ListUserPools" => decode::<pools::ListInput>(input).map(drop),
        "UpdateUserPool" => decode::<pools::UpdatePoolInput>(input)?
            .into_update()
            .map(drop),
        "CreateUserPoolDomain" | "DescribeUserPoolDomain" | "DeleteUserPoolDomain" => {
            decode::<domains::DomainInput>(input).map(drop)
        }
        "SetUICustomization" | "GetUICustomization" => {
            decode::<ui_customization::UiInput>(input).map(drop)
        }
        "CreateUserPoolClient" => decode::<clients::ClientInput>(input)?.into_spec().map(drop),
        "UpdateUserPoolClient" => {
            decode::<clients::ClientRef>(input.clone())?.ids()?;
            decode::<clients::ClientInput>(input)?.into_spec().map(drop)
        }
        "DescribeUserPoolClient" | "DeleteUserPoolClient" => {
            decode::<clients::ClientRef>(input)?.ids().map(drop)
        }
        "ListUserPoolClients" => decode::<clients::ListInput>(input).map(drop),
        "CreateGroup" | "GetGroup" | "DeleteGroup" => decode::<groups::GroupInput>(input).map(drop),
        "ListGroups" => decode::<groups::ListInput>(input).map(drop),
        "CreateResourceServer" | "DescribeResourceServer" => {
            decode::<resource_servers::Input>(input).map(drop)
        }
        "ListResourceServers" => decode::<resource_servers::ListInput>(input).map(drop),
        "AdminCreateUser" => decode::<admin_users::CreateInput>(input).map(drop),
        "AdminGetUser"
        | "AdminDeleteUser"
        | "AdminResetUserPassword"
        | "AdminConfirmSignUp"
        | "AdminDisableUser"
        | "AdminEnableUser"
        | "AdminUserGlobalSignOut" => decode::<admin_users::UserRef>(input).map(drop),
        "AdminSetUserPassword" => decode::<admin_users::SetPasswordInput>(input).map(drop),
        "AdminUpdateUserAttributes" | "AdminDeleteUserAttributes" => {
            decode::<admin_users::UpdateAttrsInput>(input).map(drop)
        }
        "AdminAddUserToGroup"
        | "AdminRemoveUserFromGroup"
        | "AdminListGroupsForUser"
        | "ListUsersInGroup" => decode::<admin_users::GroupUserInput>(input).map(drop),
        "ListUsers" => decode::<admin_users::ListUsersInput>(input).map(drop),
        "InitiateAuth" | "AdminInitiateAuth" => decode::<auth::InitiateInput>(input).map(drop),
        "RespondToAuthChallenge" | "AdminRespondToAuthChallenge" => {
            decode::<auth::RespondInput>(input).map(drop)
        }
        "GetTokensFromRefreshToken" => decode::<auth::GetTokensInput>(input).map(drop),
        "SignUp"
        | "ConfirmSignUp"
        | "ResendConfirmationCode"
        | "ForgotPassword"
        | "ConfirmForgotPassword" => decode::<users::ClientUserInput>(input).map(drop),
        "ChangePassword"
        | "GetUser"
        | "UpdateUserAttributes"
        | "DeleteUserAttributes"
        | "GetUserAttributeVerificationCode"
        | "VerifyUserAttribute"
        | "DeleteUser"
        | "GlobalSignOut" => decode::<users::TokenInput>(input).map(drop),
        "RevokeToken" => decode::<users::RevokeInput>(input).map(drop),
        "SetUserPoolMfaConfig" | "GetUserPoolMfaConfig" => {
            decode::<mfa::PoolMfaInput>(input).map(drop)
        }
        "AssociateSoftwareToken" | "VerifySoftwareToken" => {
            decode::<mfa::SoftwareTokenInput>(input).map(drop)
        }
        "SetUserMFAPreference" | "AdminSetUserMFAPreference" => {
            decode::<mfa::PreferenceInput>(input).map(drop)
        }
        "ConfirmDevice"
        | "ListDevices"
        | "GetDevice"
        | "UpdateDeviceStatus"
        | "ForgetDevice"
        | "AdminListDevices"
        | "AdminGetDevice"
        | "AdminUpdateDeviceStatus"
        | "AdminForgetDevice" => decode::<devices::DeviceInput>(input).map(drop),
        other => Err(Error::unknown_operation(format!(
            "Operation {other} is not supported by cognito-issuer"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;

    /// Every operation `dispatch` runs (read from its source) has a decoder
    /// here, so the table cannot silently fall behind.
    #[test]
    fn every_dispatched_operation_is_decoded() {
        let source = include_str!("mod.rs");
        let table = &source[source.find("match op {").expect("dispatch table")..];
        let ops: Vec<&str> = table
            .lines()
            .map(str::trim_start)
            .take_while(|line| !line.starts_with("_ =>") && !line.starts_with("other =>"))
            .filter_map(|line| line.strip_prefix('"')?.split('"').next())
            .collect();
        assert!(ops.len() > 50, "found only {ops:?}");
        for op in ops {
            let result = decode_input(op, Value::Object(Default::default()));
            assert!(
                !matches!(&result, Err(e) if e.kind == ErrorKind::UnknownOperation),
                "{op} has no decoder in api::probe"
            );
        }
        let unknown = decode_input("NoSuchOperation", Value::Object(Default::default()));
        assert!(matches!(unknown, Err(e) if e.kind == ErrorKind::UnknownOperation));
    }
}
