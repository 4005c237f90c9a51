//! Self-service user operations on the wire: SignUp, ConfirmSignUp,
//! ResendConfirmationCode, ForgotPassword, ConfirmForgotPassword,
//! ChangePassword, GetUser, UpdateUserAttributes, DeleteUserAttributes,
//! GetUserAttributeVerificationCode, VerifyUserAttribute, DeleteUser,
//! GlobalSignOut, RevokeToken. None of them needs AWS credentials. The
//! rules live in `directory::{users, profile, sign_out}`.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::{Value, json};

use super::shapes;
use super::{decode, required};
use crate::directory::attributes::AttributeIn;
use crate::directory::users::{self as flows, ClientCall};
use crate::directory::{profile, sign_out};
use crate::error::Result;
use crate::issuer::Issuer;
use crate::tokens::{AccessContext, validate_access_token};

/// The input of the client-side user operations (SignUp, confirmations, ForgotPassword).
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct ClientUserInput {
    client_id: Option<String>,
    secret_hash: Option<String>,
    username: Option<String>,
    password: Option<String>,
    confirmation_code: Option<String>,
    #[serde(default)]
    user_attributes: Vec<AttributeIn>,
    #[serde(default)]
    force_alias_creation: bool,
    client_metadata: Option<BTreeMap<String, String>>,
    validation_data: Option<Vec<AttributeIn>>,
}

fn client_call(issuer: &Issuer, i: &ClientUserInput) -> Result<ClientCall> {
    let client_id = required(&i.client_id, "clientId")?;
    let username = required(&i.username, "username")?;
    let mut call = flows::client_call(issuer, client_id, username, i.secret_hash.as_deref())?;
    call.metadata = i.client_metadata.clone();
    call.validation_data = i.validation_data.as_deref().map(flows::submitted);
    Ok(call)
}

/// SignUp.
pub(crate) fn sign_up(issuer: &Issuer, input: Value) -> Result<Value> {
    let i: ClientUserInput = decode(input)?;
    let call = client_call(issuer, &i)?;
    let pw = required(&i.password, "password")?;
    let done = flows::sign_up(issuer, &call, pw, &i.user_attributes)?;
    let mut out = json!({ "UserConfirmed": done.confirmed, "UserSub": done.sub });
    if let Some(d) = &done.delivery {
        out["CodeDeliveryDetails"] = shapes::code_delivery(d);
    }
    Ok(out)
}

/// ConfirmSignUp.
pub(crate) fn confirm_sign_up(issuer: &Issuer, input: Value) -> Result<Value> {
    let i: ClientUserInput = decode(input)?;
    let call = client_call(issuer, &i)?;
    let code = required(&i.confirmation_code, "confirmationCode")?;
    flows::confirm_sign_up(issuer, &call, code, i.force_alias_creation)?;
    Ok(json!({}))
}

/// ResendConfirmationCode.
pub(crate) fn resend_confirmation_code(issuer: &Issuer, input: Value) -> Result<Value> {
    let i: ClientUserInput = decode(input)?;
    let call = client_call(issuer, &i)?;
    let dest = flows::resend_confirmation_code(issuer, &call)?;
    Ok(json!({ "CodeDeliveryDetails": shapes::code_delivery(&dest) }))
}

/// ForgotPassword.
pub(crate) fn forgot_password(issuer: &Issuer, input: Value) -> Result<Value> {
    let i: ClientUserInput = decode(input)?;
    let call = client_call(issuer, &i)?;
    let dest = flows::forgot_password(issuer, &call)?;
    Ok(json!({ "CodeDeliveryDetails": shapes::code_delivery(&dest) }))
}

/// ConfirmForgotPassword.
pub(crate) fn confirm_forgot_password(issuer: &Issuer, input: Value) -> Result<Value> {
    let i: ClientUserInput = decode(input)?;
    let call = client_call(issuer, &i)?;
    let code = required(&i.confirmation_code, "confirmationCode")?;
    let pw = required(&i.password, "password")?;
    flows::confirm_forgot_password(issuer, &call, code, pw)?;
    Ok(json!({}))
}

/// The input of the operations authorised by an access token.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct TokenInput {
    access_token: Option<String>,
    previous_password: Option<String>,
    proposed_password: Option<String>,
    #[serde(default)]
    user_attributes: Vec<AttributeIn>,
    #[serde(default)]
    user_attribute_names: Vec<String>,
    attribute_name: Option<String>,
    code: Option<String>,
}

fn authenticate(issuer: &Issuer, i: &TokenInput) -> Result<AccessContext> {
    let token = required(&i.access_token, "accessToken")?;
    validate_access_token(&issuer.keys, &issuer.store, token)
}

/// ChangePassword.
pub(crate) fn change_password(issuer: &Issuer, input: Value) -> Result<Value> {
    let i: TokenInput = decode(input)?;
    let ctx = authenticate(issuer, &i)?;
    let prev = required(&i.previous_password, "previousPassword")?;
    let proposed = required(&i.proposed_password, "proposedPassword")?;
    profile::change_password(issuer, &ctx, prev, proposed)?;
    Ok(json!({}))
}

/// GetUser.
pub(crate) fn get_user(issuer: &Issuer, input: Value) -> Result<Value> {
    let i: TokenInput = decode(input)?;
    let ctx = authenticate(issuer, &i)?;
    let mut out = shapes::get_user(&ctx.user);
    super::mfa::decorate(issuer, &ctx.user, &mut out)?;
    Ok(out)
}

/// UpdateUserAttributes.
pub(crate) fn update_user_attributes(issuer: &Issuer, input: Value) -> Result<Value> {
    let i: TokenInput = decode(input)?;
    let ctx = authenticate(issuer, &i)?;
    let sent = profile::update_user_attributes(issuer, &ctx, &i.user_attributes)?;
    let details: Vec<Value> = sent.iter().map(shapes::code_delivery).collect();
    Ok(json!({ "CodeDeliveryDetailsList": details }))
}

/// DeleteUserAttributes.
pub(crate) fn delete_user_attributes(issuer: &Issuer, input: Value) -> Result<Value> {
    let i: TokenInput = decode(input)?;
    let ctx = authenticate(issuer, &i)?;
    profile::delete_user_attributes(issuer, &ctx, &i.user_attribute_names)?;
    Ok(json!({}))
}

/// GetUserAttributeVerificationCode.
pub(crate) fn get_user_attribute_verification_code(issuer: &Issuer, input: Value) -> Result<Value> {
    let i: TokenInput = decode(input)?;
    let ctx = authenticate(issuer, &i)?;
    let attr = required(&i.attribute_name, "attributeName")?;
    let dest = profile::get_user_attribute_verification_code(issuer, &ctx, attr)?;
    Ok(json!({ "CodeDeliveryDetails": shapes::code_delivery(&dest) }))
}

/// VerifyUserAttribute.
pub(crate) fn verify_user_attribute(issuer: &Issuer, input: Value) -> Result<Value> {
    let i: TokenInput = decode(input)?;
    let ctx = authenticate(issuer, &i)?;
    let attr = required(&i.attribute_name, "attributeName")?;
    let code = required(&i.code, "code")?;
    profile::verify_user_attribute(issuer, &ctx, attr, code)?;
    Ok(json!({}))
}

/// DeleteUser.
pub(crate) fn delete_user(issuer: &Issuer, input: Value) -> Result<Value> {
    let i: TokenInput = decode(input)?;
    let ctx = authenticate(issuer, &i)?;
    profile::delete_user(issuer, &ctx)?;
    Ok(json!({}))
}

/// GlobalSignOut: revokes all of the user's refresh tokens; their access
/// tokens are then refused by this issuer's user operations.
pub(crate) fn global_sign_out(issuer: &Issuer, input: Value) -> Result<Value> {
    let i: TokenInput = decode(input)?;
    let ctx = authenticate(issuer, &i)?;
    sign_out::global_sign_out(issuer, &ctx.pool.id, &ctx.user.sub)?;
    Ok(json!({}))
}

/// RevokeToken input.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct RevokeInput {
    token: Option<String>,
    client_id: Option<String>,
    client_secret: Option<String>,
}

/// RevokeToken: revokes a refresh token and the access tokens of the same
/// sign-in. Unknown tokens are accepted silently (RFC 7009).
pub(crate) fn revoke_token(issuer: &Issuer, input: Value) -> Result<Value> {
    let i: RevokeInput = decode(input)?;
    let token = required(&i.token, "token")?;
    let client_id = required(&i.client_id, "clientId")?;
    sign_out::revoke_token(issuer, client_id, i.client_secret.as_deref(), token)?;
    Ok(json!({}))
}
