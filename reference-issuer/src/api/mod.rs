//! The `AWSCognitoIdentityProviderService` JSON API: operation dispatch by
//! `X-Amz-Target`, request decoding and shared helpers.
//!
//! Operations are synchronous (they run on tokio's blocking pool): they use
//! SQLite and argon2, both blocking.

pub(crate) mod admin_users;
pub(crate) mod auth;
pub(crate) mod clients;
pub(crate) mod devices;
pub(crate) mod domains;
pub(crate) mod error;
pub(crate) mod groups;
pub(crate) mod mfa;
pub(crate) mod pools;
#[cfg(feature = "fuzzing")]
pub(crate) mod probe;
pub(crate) mod resource_servers;
pub(crate) mod shapes;
pub(crate) mod ui_customization;
pub(crate) mod users;

use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::error::{Error, Result};
use crate::issuer::Issuer;

pub use error::ApiError;

/// The service prefix of `X-Amz-Target`.
pub(crate) const TARGET_PREFIX: &str = "AWSCognitoIdentityProviderService.";

/// Runs the operation named by `target` with the raw JSON `body`.
pub(crate) fn dispatch(issuer: &Issuer, target: Option<&str>, body: &[u8]) -> Result<Value> {
    let (op, input) = request(target, body)?;
    let (_, run) = operation(op).ok_or_else(|| {
        Error::unknown_operation(format!("Operation {op} is not supported by cognito-issuer"))
    })?;
    run(issuer, input)
}

/// Who may call an operation, as AWS's API reference says: the public
/// (unauthenticated or access-token-authorized) operations, and the ones
/// Amazon Cognito authorizes with IAM policies, which need a SigV4-signed
/// request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Access {
    /// No AWS credentials (SignUp, InitiateAuth, GetUser, ...).
    Public,
    /// IAM-authorized: SigV4 with the issuer's access keys (Admin*, pool,
    /// client, group and resource-server management, ListUsers, ...).
    Iam,
}

/// An operation's implementation.
type Handler = fn(&Issuer, Value) -> Result<Value>;

fn iam(run: Handler) -> (Access, Handler) {
    (Access::Iam, run)
}

fn public(run: Handler) -> (Access, Handler) {
    (Access::Public, run)
}

/// The operation table: every supported operation, its access and handler.
fn operation(op: &str) -> Option<(Access, Handler)> {
    Some(match op {
        "CreateUserPool" => iam(pools::create_user_pool),
        "DescribeUserPool" => iam(pools::describe_user_pool),
        "ListUserPools" => iam(pools::list_user_pools),
        "UpdateUserPool" => iam(pools::update_user_pool),
        "DeleteUserPool" => iam(pools::delete_user_pool),
        "CreateUserPoolDomain" => iam(domains::create_user_pool_domain),
        "DescribeUserPoolDomain" => iam(domains::describe_user_pool_domain),
        "DeleteUserPoolDomain" => iam(domains::delete_user_pool_domain),
        "SetUICustomization" => iam(ui_customization::set_ui_customization),
        "GetUICustomization" => iam(ui_customization::get_ui_customization),
        "CreateUserPoolClient" => iam(clients::create_user_pool_client),
        "DescribeUserPoolClient" => iam(clients::describe_user_pool_client),
        "ListUserPoolClients" => iam(clients::list_user_pool_clients),
        "UpdateUserPoolClient" => iam(clients::update_user_pool_client),
        "DeleteUserPoolClient" => iam(clients::delete_user_pool_client),
        "CreateGroup" => iam(groups::create_group),
        "GetGroup" => iam(groups::get_group),
        "ListGroups" => iam(groups::list_groups),
        "DeleteGroup" => iam(groups::delete_group),
        "CreateResourceServer" => iam(resource_servers::create_resource_server),
        "DescribeResourceServer" => iam(resource_servers::describe_resource_server),
        "ListResourceServers" => iam(resource_servers::list_resource_servers),
        "AdminCreateUser" => iam(admin_users::admin_create_user),
        "AdminGetUser" => iam(admin_users::admin_get_user),
        "AdminDeleteUser" => iam(admin_users::admin_delete_user),
        "AdminSetUserPassword" => iam(admin_users::admin_set_user_password),
        "AdminResetUserPassword" => iam(admin_users::admin_reset_user_password),
        "AdminConfirmSignUp" => iam(admin_users::admin_confirm_sign_up),
        "AdminUpdateUserAttributes" => iam(admin_users::admin_update_user_attributes),
        "AdminDeleteUserAttributes" => iam(admin_users::admin_delete_user_attributes),
        "AdminDisableUser" => {
            iam(|issuer, input| admin_users::admin_set_enabled(issuer, input, false))
        }
        "AdminEnableUser" => {
            iam(|issuer, input| admin_users::admin_set_enabled(issuer, input, true))
        }
        "AdminAddUserToGroup" => iam(admin_users::admin_add_user_to_group),
        "AdminRemoveUserFromGroup" => iam(admin_users::admin_remove_user_from_group),
        "AdminListGroupsForUser" => iam(admin_users::admin_list_groups_for_user),
        "ListUsersInGroup" => iam(admin_users::list_users_in_group),
        "ListUsers" => iam(admin_users::list_users),
        "AdminUserGlobalSignOut" => iam(admin_users::admin_user_global_sign_out),
        "AdminInitiateAuth" => iam(auth::admin_initiate_auth),
        "AdminRespondToAuthChallenge" => iam(auth::admin_respond_to_auth_challenge),
        "InitiateAuth" => public(auth::initiate_auth),
        "RespondToAuthChallenge" => public(auth::respond_to_auth_challenge),
        "GetTokensFromRefreshToken" => public(auth::get_tokens_from_refresh_token),
        "SignUp" => public(users::sign_up),
        "ConfirmSignUp" => public(users::confirm_sign_up),
        "ResendConfirmationCode" => public(users::resend_confirmation_code),
        "ForgotPassword" => public(users::forgot_password),
        "ConfirmForgotPassword" => public(users::confirm_forgot_password),
        "ChangePassword" => public(users::change_password),
        "GetUser" => public(users::get_user),
        "UpdateUserAttributes" => public(users::update_user_attributes),
        "DeleteUserAttributes" => public(users::delete_user_attributes),
        "GetUserAttributeVerificationCode" => public(users::get_user_attribute_verification_code),
        "VerifyUserAttribute" => public(users::verify_user_attribute),
        "DeleteUser" => public(users::delete_user),
        "GlobalSignOut" => public(users::global_sign_out),
        "RevokeToken" => public(users::revoke_token),
        "SetUserPoolMfaConfig" => iam(mfa::set_user_pool_mfa_config),
        "GetUserPoolMfaConfig" => iam(mfa::get_user_pool_mfa_config),
        "AssociateSoftwareToken" => public(mfa::associate_software_token),
        "VerifySoftwareToken" => public(mfa::verify_software_token),
        "SetUserMFAPreference" => public(mfa::set_user_mfa_preference),
        "AdminSetUserMFAPreference" => iam(mfa::admin_set_user_mfa_preference),
        "ConfirmDevice" => public(devices::confirm_device),
        "ListDevices" => public(devices::list_devices),
        "GetDevice" => public(devices::get_device),
        "UpdateDeviceStatus" => public(devices::update_device_status),
        "ForgetDevice" => public(devices::forget_device),
        "AdminListDevices" => iam(devices::admin_list_devices),
        "AdminGetDevice" => iam(devices::admin_get_device),
        "AdminUpdateDeviceStatus" => iam(devices::admin_update_device_status),
        "AdminForgetDevice" => iam(devices::admin_forget_device),
        _ => return None,
    })
}

/// The access the operation named by an `X-Amz-Target` value requires;
/// `None` for targets that name no supported operation (which [`dispatch`]
/// refuses without touching anything).
pub(crate) fn access_of(target: Option<&str>) -> Option<Access> {
    operation(target?.strip_prefix(TARGET_PREFIX)?).map(|(access, _)| access)
}

/// The operation name and input of a request: `target` must name an
/// operation of the service, `body` must be empty (no input) or a JSON
/// object.
pub(crate) fn request<'t>(target: Option<&'t str>, body: &[u8]) -> Result<(&'t str, Value)> {
    let target = target.ok_or_else(|| {
        Error::unknown_operation("Missing X-Amz-Target header naming the operation")
    })?;
    let op = target.strip_prefix(TARGET_PREFIX).ok_or_else(|| {
        Error::unknown_operation(format!(
            "Unknown service target {target:?}; expected {TARGET_PREFIX}<Operation>"
        ))
    })?;
    let input: Value = if body.iter().all(u8::is_ascii_whitespace) {
        Value::Object(Default::default())
    } else {
        serde_json::from_slice(body)
            .map_err(|e| Error::serialization(format!("Request body is not valid JSON: {e}")))?
    };
    if !input.is_object() {
        return Err(Error::serialization("Request body must be a JSON object"));
    }
    Ok((op, input))
}

/// Decodes an operation's input, mapping shape errors to
/// `InvalidParameterException` the way AWS's validation reports them.
pub(crate) fn decode<T: DeserializeOwned>(input: Value) -> Result<T> {
    serde_json::from_value(input)
        .map_err(|e| Error::invalid_parameter(format!("1 validation error detected: {e}")))
}

/// One page request of a list operation.
pub(crate) struct Paging<'a> {
    /// The operation (its tokens are refused by other operations).
    pub op: &'a str,
    /// What is listed (pool id, plus group or user where it applies): a
    /// token is refused for another scope.
    pub scope: &'a str,
    /// The `Limit` / `MaxResults` asked for.
    pub limit: Option<i64>,
    /// How AWS names the limit field in validation errors.
    pub limit_field: &'a str,
    /// The limit's range in the operation's AWS shape; 0 (where allowed)
    /// means the maximum.
    pub range: (i64, i64),
    /// The `NextToken` / `PaginationToken` given.
    pub token: Option<&'a str>,
}

/// Splits `items` into one page. The token names the operation, the scope
/// and the next offset; a token of another operation or scope is refused.
pub(crate) fn paginate<T>(items: Vec<T>, p: Paging<'_>) -> Result<(Vec<T>, Option<String>)> {
    use base64::Engine;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let (min, max) = p.range;
    let limit = p.limit.unwrap_or(max);
    crate::error::check_range(p.limit_field, limit, min, max)?;
    let limit = if limit == 0 { max } else { limit };
    let offset = match p.token {
        None => 0usize,
        Some(t) => URL_SAFE_NO_PAD
            .decode(t)
            .ok()
            .and_then(|b| String::from_utf8(b).ok())
            .and_then(|s| {
                let mut parts = s.split('\0');
                let ok = parts.next() == Some("v1")
                    && parts.next() == Some(p.op)
                    && parts.next() == Some(p.scope);
                let offset = parts.next()?.parse().ok()?;
                (ok && parts.next().is_none()).then_some(offset)
            })
            .ok_or_else(|| Error::invalid_parameter("Invalid pagination token"))?,
    };
    let total = items.len();
    let page: Vec<T> = items
        .into_iter()
        .skip(offset)
        .take(usize::try_from(limit).unwrap_or(usize::MAX))
        .collect();
    let next = offset + page.len();
    let token = (next < total)
        .then(|| URL_SAFE_NO_PAD.encode(format!("v1\0{}\0{}\0{next}", p.op, p.scope)));
    Ok((page, token))
}

/// Requires a non-empty string parameter.
pub(crate) fn required<'a>(value: &'a Option<String>, name: &str) -> Result<&'a str> {
    match value.as_deref() {
        Some(v) if !v.is_empty() => Ok(v),
        _ => Err(Error::invalid_parameter(format!(
            "1 validation error detected: Value null at '{name}' failed to satisfy constraint: \
             Member must not be null"
        ))),
    }
}

#[cfg(test)]
mod access_tests {
    use super::*;

    /// The operations whose AWS API reference says "Amazon Cognito doesn't
    /// evaluate IAM policies" (botocore `authtype: none`); all others we
    /// implement are IAM-authorized.
    const PUBLIC: [&str; 25] = [
        "InitiateAuth",
        "RespondToAuthChallenge",
        "GetTokensFromRefreshToken",
        "SignUp",
        "ConfirmSignUp",
        "ResendConfirmationCode",
        "ForgotPassword",
        "ConfirmForgotPassword",
        "ChangePassword",
        "GetUser",
        "UpdateUserAttributes",
        "DeleteUserAttributes",
        "GetUserAttributeVerificationCode",
        "VerifyUserAttribute",
        "DeleteUser",
        "GlobalSignOut",
        "RevokeToken",
        "AssociateSoftwareToken",
        "VerifySoftwareToken",
        "SetUserMFAPreference",
        "ConfirmDevice",
        "ListDevices",
        "GetDevice",
        "UpdateDeviceStatus",
        "ForgetDevice",
    ];

    fn access(op: &str) -> Option<Access> {
        access_of(Some(&format!("{TARGET_PREFIX}{op}")))
    }

    #[test]
    fn public_operations_are_exactly_the_unauthenticated_ones() {
        for op in PUBLIC {
            assert_eq!(access(op), Some(Access::Public), "{op}");
        }
        for op in [
            "AdminCreateUser",
            "AdminInitiateAuth",
            "ListUsers",
            "ListUsersInGroup",
            "ListGroups",
            "CreateUserPool",
            "DescribeUserPool",
            "UpdateUserPool",
            "CreateUserPoolDomain",
            "DescribeUserPoolDomain",
            "DeleteUserPoolDomain",
            "SetUICustomization",
            "GetUICustomization",
            "DescribeUserPoolClient",
            "CreateGroup",
            "CreateResourceServer",
            "SetUserPoolMfaConfig",
            "GetUserPoolMfaConfig",
            "AdminSetUserMFAPreference",
            "AdminListDevices",
            "AdminGetDevice",
            "AdminUpdateDeviceStatus",
            "AdminForgetDevice",
        ] {
            assert_eq!(access(op), Some(Access::Iam), "{op}");
        }
        assert_eq!(access("NoSuchOperation"), None);
        assert_eq!(access_of(Some("Other.ListUsers")), None);
        assert_eq!(access_of(None), None);
    }
}
