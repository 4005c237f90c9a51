//! The `AWSCognitoIdentityProviderService` JSON API: operation dispatch by
//! `X-Amz-Target`, request decoding and shared helpers.
//!
//! Operations are synchronous (they run on tokio's blocking pool): they use
//! SQLite and argon2, both blocking.

pub(crate) mod admin_users;
pub(crate) mod auth;
pub(crate) mod clients;
pub(crate) mod error;
pub(crate) mod groups;
pub(crate) mod mfa;
pub(crate) mod pools;
#[cfg(feature = "fuzzing")]
pub(crate) mod probe;
pub(crate) mod resource_servers;
pub(crate) mod shapes;
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
    match op {
        "CreateUserPool" => pools::create_user_pool(issuer, input),
        "DescribeUserPool" => pools::describe_user_pool(issuer, input),
        "ListUserPools" => pools::list_user_pools(issuer, input),
        "DeleteUserPool" => pools::delete_user_pool(issuer, input),
        "CreateUserPoolClient" => clients::create_user_pool_client(issuer, input),
        "DescribeUserPoolClient" => clients::describe_user_pool_client(issuer, input),
        "ListUserPoolClients" => clients::list_user_pool_clients(issuer, input),
        "UpdateUserPoolClient" => clients::update_user_pool_client(issuer, input),
        "DeleteUserPoolClient" => clients::delete_user_pool_client(issuer, input),
        "CreateGroup" => groups::create_group(issuer, input),
        "GetGroup" => groups::get_group(issuer, input),
        "ListGroups" => groups::list_groups(issuer, input),
        "DeleteGroup" => groups::delete_group(issuer, input),
        "CreateResourceServer" => resource_servers::create_resource_server(issuer, input),
        "DescribeResourceServer" => resource_servers::describe_resource_server(issuer, input),
        "ListResourceServers" => resource_servers::list_resource_servers(issuer, input),
        "AdminCreateUser" => admin_users::admin_create_user(issuer, input),
        "AdminGetUser" => admin_users::admin_get_user(issuer, input),
        "AdminDeleteUser" => admin_users::admin_delete_user(issuer, input),
        "AdminSetUserPassword" => admin_users::admin_set_user_password(issuer, input),
        "AdminResetUserPassword" => admin_users::admin_reset_user_password(issuer, input),
        "AdminConfirmSignUp" => admin_users::admin_confirm_sign_up(issuer, input),
        "AdminUpdateUserAttributes" => admin_users::admin_update_user_attributes(issuer, input),
        "AdminDeleteUserAttributes" => admin_users::admin_delete_user_attributes(issuer, input),
        "AdminDisableUser" => admin_users::admin_set_enabled(issuer, input, false),
        "AdminEnableUser" => admin_users::admin_set_enabled(issuer, input, true),
        "AdminAddUserToGroup" => admin_users::admin_add_user_to_group(issuer, input),
        "AdminRemoveUserFromGroup" => admin_users::admin_remove_user_from_group(issuer, input),
        "AdminListGroupsForUser" => admin_users::admin_list_groups_for_user(issuer, input),
        "ListUsersInGroup" => admin_users::list_users_in_group(issuer, input),
        "ListUsers" => admin_users::list_users(issuer, input),
        "AdminUserGlobalSignOut" => admin_users::admin_user_global_sign_out(issuer, input),
        "AdminInitiateAuth" => auth::admin_initiate_auth(issuer, input),
        "AdminRespondToAuthChallenge" => auth::admin_respond_to_auth_challenge(issuer, input),
        "InitiateAuth" => auth::initiate_auth(issuer, input),
        "RespondToAuthChallenge" => auth::respond_to_auth_challenge(issuer, input),
        "SignUp" => users::sign_up(issuer, input),
        "ConfirmSignUp" => users::confirm_sign_up(issuer, input),
        "ResendConfirmationCode" => users::resend_confirmation_code(issuer, input),
        "ForgotPassword" => users::forgot_password(issuer, input),
        "ConfirmForgotPassword" => users::confirm_forgot_password(issuer, input),
        "ChangePassword" => users::change_password(issuer, input),
        "GetUser" => users::get_user(issuer, input),
        "UpdateUserAttributes" => users::update_user_attributes(issuer, input),
        "DeleteUserAttributes" => users::delete_user_attributes(issuer, input),
        "GetUserAttributeVerificationCode" => {
            users::get_user_attribute_verification_code(issuer, input)
        }
        "VerifyUserAttribute" => users::verify_user_attribute(issuer, input),
        "DeleteUser" => users::delete_user(issuer, input),
        "GlobalSignOut" => users::global_sign_out(issuer, input),
        "RevokeToken" => users::revoke_token(issuer, input),
        "SetUserPoolMfaConfig" => mfa::set_user_pool_mfa_config(issuer, input),
        "GetUserPoolMfaConfig" => mfa::get_user_pool_mfa_config(issuer, input),
        "AssociateSoftwareToken" => mfa::associate_software_token(issuer, input),
        "VerifySoftwareToken" => mfa::verify_software_token(issuer, input),
        "SetUserMFAPreference" => mfa::set_user_mfa_preference(issuer, input),
        "AdminSetUserMFAPreference" => mfa::admin_set_user_mfa_preference(issuer, input),
        other => Err(Error::unknown_operation(format!(
            "Operation {other} is not supported by cognito-issuer"
        ))),
    }
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

/// Splits `items` into one page. The token is the next offset, encoded.
pub(crate) fn paginate<T>(
    items: Vec<T>,
    limit: Option<i64>,
    max: i64,
    token: Option<&str>,
) -> Result<(Vec<T>, Option<String>)> {
    use base64::Engine;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let limit = limit.unwrap_or(max);
    if limit < 1 || limit > max {
        return Err(Error::invalid_parameter(format!(
            "1 validation error detected: Value '{limit}' at 'limit' failed to satisfy \
             constraint: Member must have value between 1 and {max}"
        )));
    }
    let offset = match token {
        None => 0usize,
        Some(t) => URL_SAFE_NO_PAD
            .decode(t)
            .ok()
            .and_then(|b| String::from_utf8(b).ok())
            .and_then(|s| s.strip_prefix("offset:").and_then(|n| n.parse().ok()))
            .ok_or_else(|| Error::invalid_parameter("Invalid pagination token"))?,
    };
    let total = items.len();
    let page: Vec<T> = items
        .into_iter()
        .skip(offset)
        .take(limit as usize)
        .collect();
    let next = offset + page.len();
    let token = (next < total).then(|| URL_SAFE_NO_PAD.encode(format!("offset:{next}")));
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
