//! Self-service user operations: SignUp, ConfirmSignUp,
//! ResendConfirmationCode, ForgotPassword, ConfirmForgotPassword,
//! ChangePassword, GetUser, UpdateUserAttributes, DeleteUserAttributes,
//! GetUserAttributeVerificationCode, VerifyUserAttribute, DeleteUser,
//! GlobalSignOut, RevokeToken. None of them needs AWS credentials.

use serde::Deserialize;
use serde_json::{Value, json};

use super::admin_users::{insert_new_user, new_user};
use super::shapes;
use super::{decode, required};
use crate::directory::attributes::{
    AttributeIn, apply_attributes, ensure_alias_unique, validate_attributes,
};
use crate::directory::codes::{CodePurpose, consume_code, delivery_destination, issue_code};
use crate::directory::lookup::{find_user, user_not_found};
use crate::directory::outbox::{self, MessageKind};
use crate::directory::password;
use crate::error::{Error, Result};
use crate::ids;
use crate::issuer::Issuer;
use crate::model::{AppClient, Pool, User, UserStatus};
use crate::signin::secret_hash::check_secret_hash;
use crate::store::{refresh as refresh_rows, users as user_rows};
use crate::tokens::{AccessContext, validate_access_token};

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ClientUserInput {
    client_id: Option<String>,
    secret_hash: Option<String>,
    username: Option<String>,
    password: Option<String>,
    confirmation_code: Option<String>,
    #[serde(default)]
    user_attributes: Vec<AttributeIn>,
    #[serde(default)]
    force_alias_creation: bool,
}

fn client_and_pool(issuer: &Issuer, i: &ClientUserInput) -> Result<(AppClient, Pool, String)> {
    let client_id = required(&i.client_id, "clientId")?;
    let username = required(&i.username, "username")?.to_string();
    let client = issuer.client(client_id)?;
    let (pool, _) = issuer.pool(&client.user_pool_id)?;
    check_secret_hash(&client, &[&username], i.secret_hash.as_deref())?;
    Ok((client, pool, username))
}

/// SignUp.
pub(crate) fn sign_up(issuer: &Issuer, input: Value) -> Result<Value> {
    let i: ClientUserInput = decode(input)?;
    let (_, pool, username) = client_and_pool(issuer, &i)?;
    let pw = required(&i.password, "password")?;
    password::check_policy(&pool.policies.password_policy, pw)?;
    validate_attributes(&pool, &i.user_attributes, false)?;
    let mut user = new_user(
        &pool,
        &username,
        &i.user_attributes,
        UserStatus::Unconfirmed,
    )?;
    user.password_hash = Some(password::hash(pw)?);
    let details = issuer.write(|tx| {
        insert_new_user(tx, &pool, &user, false).map_err(|e| {
            if e.message == "User account already exists" {
                Error::username_exists("User already exists")
            } else {
                e
            }
        })?;
        crate::directory::credentials::remember_password(tx, &user, pw)?;
        let dest = pool
            .auto_verified_attributes
            .iter()
            .find_map(|a| outbox::Destination::for_attribute(&user, a));
        match dest {
            Some(d) => Ok(Some(issue_code(
                tx,
                &user,
                CodePurpose::SignUp,
                MessageKind::SignUp,
                &d,
            )?)),
            None => Ok(None),
        }
    })?;
    let mut out = json!({ "UserConfirmed": false, "UserSub": user.sub });
    if let Some(d) = details {
        out["CodeDeliveryDetails"] = d;
    }
    Ok(out)
}

fn missing_user(client: &AppClient, hidden: Error) -> Error {
    if client.prevents_user_existence_errors() {
        hidden
    } else {
        user_not_found()
    }
}

/// ConfirmSignUp: the code confirms the account and verifies the attribute
/// it was sent to.
pub(crate) fn confirm_sign_up(issuer: &Issuer, input: Value) -> Result<Value> {
    let i: ClientUserInput = decode(input)?;
    let (client, pool, username) = client_and_pool(issuer, &i)?;
    let code = required(&i.confirmation_code, "confirmationCode")?;
    let mismatch = || Error::code_mismatch("Invalid verification code provided, please try again.");
    issuer.write_keeping_failures(|tx| {
        let mut user =
            find_user(tx, &pool, &username)?.ok_or_else(|| missing_user(&client, mismatch()))?;
        if user.status != UserStatus::Unconfirmed {
            return Err(Error::not_authorized(format!(
                "User cannot be confirmed. Current status is {}",
                user.status.as_str()
            )));
        }
        if let Some(d) = pool
            .auto_verified_attributes
            .iter()
            .find_map(|a| outbox::Destination::for_attribute(&user, a))
        {
            user.attributes
                .insert(format!("{}_verified", d.attribute), "true".into());
        }
        ensure_alias_unique(tx, &pool, &user, i.force_alias_creation)?;
        consume_code(tx, &user, CodePurpose::SignUp, code)?;
        user.status = UserStatus::Confirmed;
        user.modified_at = ids::now_f64();
        Ok(user_rows::update_user(tx, &user)?)
    })?;
    Ok(json!({}))
}

fn fake_details(username: &str) -> Value {
    json!({
        "Destination": outbox::mask(if username.contains('@') { username } else { "user@example.com" }),
        "DeliveryMedium": "EMAIL",
        "AttributeName": "email",
    })
}

/// ResendConfirmationCode.
pub(crate) fn resend_confirmation_code(issuer: &Issuer, input: Value) -> Result<Value> {
    let i: ClientUserInput = decode(input)?;
    let (client, pool, username) = client_and_pool(issuer, &i)?;
    let details = issuer.write(|tx| {
        let Some(user) = find_user(tx, &pool, &username)? else {
            if client.prevents_user_existence_errors() {
                return Ok(fake_details(&username));
            }
            return Err(user_not_found());
        };
        if user.status != UserStatus::Unconfirmed {
            return Err(Error::invalid_parameter("User is already confirmed."));
        }
        let dest = pool
            .auto_verified_attributes
            .iter()
            .find_map(|a| outbox::Destination::for_attribute(&user, a))
            .ok_or_else(|| {
                Error::invalid_parameter("Cannot resend codes. Auto verification not turned on.")
            })?;
        issue_code(
            tx,
            &user,
            CodePurpose::SignUp,
            MessageKind::ResendCode,
            &dest,
        )
    })?;
    Ok(json!({ "CodeDeliveryDetails": details }))
}

/// ForgotPassword: sends a reset code to a verified email or phone.
pub(crate) fn forgot_password(issuer: &Issuer, input: Value) -> Result<Value> {
    let i: ClientUserInput = decode(input)?;
    let (client, pool, username) = client_and_pool(issuer, &i)?;
    let details = issuer.write(|tx| {
        let Some(user) = find_user(tx, &pool, &username)? else {
            if client.prevents_user_existence_errors() {
                return Ok(fake_details(&username));
            }
            return Err(user_not_found());
        };
        if !user.enabled {
            return Err(Error::not_authorized("User is disabled."));
        }
        if user.status == UserStatus::ForceChangePassword {
            return Err(Error::not_authorized(
                "User password cannot be reset in the current state.",
            ));
        }
        let dest = delivery_destination(&pool, &user, true).ok_or_else(|| {
            Error::invalid_parameter(
                "Cannot reset password for the user as there is no registered/verified email or phone_number",
            )
        })?;
        issue_code(tx, &user, CodePurpose::ForgotPassword, MessageKind::ForgotPassword, &dest)
    })?;
    Ok(json!({ "CodeDeliveryDetails": details }))
}

/// ConfirmForgotPassword.
pub(crate) fn confirm_forgot_password(issuer: &Issuer, input: Value) -> Result<Value> {
    let i: ClientUserInput = decode(input)?;
    let (client, pool, username) = client_and_pool(issuer, &i)?;
    let code = required(&i.confirmation_code, "confirmationCode")?;
    let pw = required(&i.password, "password")?;
    password::check_policy(&pool.policies.password_policy, pw)?;
    let hash = password::hash(pw)?;
    let mismatch = || Error::code_mismatch("Invalid verification code provided, please try again.");
    let sub = issuer.write_keeping_failures(|tx| {
        let mut user =
            find_user(tx, &pool, &username)?.ok_or_else(|| missing_user(&client, mismatch()))?;
        consume_code(tx, &user, CodePurpose::ForgotPassword, code)?;
        user.password_hash = Some(hash.clone());
        user.password_set_at = ids::now();
        if matches!(
            user.status,
            UserStatus::ResetRequired | UserStatus::Confirmed
        ) {
            user.status = UserStatus::Confirmed;
        }
        user.modified_at = ids::now_f64();
        user_rows::update_user(tx, &user)?;
        crate::directory::credentials::remember_password(tx, &user, pw)?;
        Ok(user.sub)
    })?;
    issuer.lockout.succeeded(&pool.id, &sub);
    Ok(json!({}))
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct TokenInput {
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

fn reload(tx: &rusqlite::Connection, user: &User) -> Result<User> {
    user_rows::get_user_by_sub(tx, &user.pool_id, &user.sub)?
        .ok_or_else(|| Error::not_authorized("User does not exist."))
}

/// ChangePassword.
pub(crate) fn change_password(issuer: &Issuer, input: Value) -> Result<Value> {
    let i: TokenInput = decode(input)?;
    let ctx = authenticate(issuer, &i)?;
    let prev = required(&i.previous_password, "previousPassword")?;
    let proposed = required(&i.proposed_password, "proposedPassword")?;
    issuer.lockout.check(&ctx.pool.id, &ctx.user.sub)?;
    let ok = ctx
        .user
        .password_hash
        .as_deref()
        .is_some_and(|h| password::verify(prev, h));
    if !ok {
        issuer.lockout.failed(&ctx.pool.id, &ctx.user.sub);
        return Err(Error::not_authorized("Incorrect username or password."));
    }
    password::check_policy(&ctx.pool.policies.password_policy, proposed)?;
    let hash = password::hash(proposed)?;
    issuer.write(|tx| {
        let mut user = reload(tx, &ctx.user)?;
        user.password_hash = Some(hash.clone());
        user.password_set_at = ids::now();
        user.modified_at = ids::now_f64();
        user_rows::update_user(tx, &user)?;
        crate::directory::credentials::remember_password(tx, &user, proposed)
    })?;
    issuer.lockout.succeeded(&ctx.pool.id, &ctx.user.sub);
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

/// UpdateUserAttributes: a changed auto-verified attribute gets a code.
pub(crate) fn update_user_attributes(issuer: &Issuer, input: Value) -> Result<Value> {
    let i: TokenInput = decode(input)?;
    let ctx = authenticate(issuer, &i)?;
    validate_attributes(&ctx.pool, &i.user_attributes, false)?;
    let pool = &ctx.pool;
    let details = issuer.write(|tx| {
        let mut user = reload(tx, &ctx.user)?;
        let changed = apply_attributes(&mut user, &i.user_attributes);
        ensure_alias_unique(tx, pool, &user, false)?;
        user_rows::update_user(tx, &user)?;
        let mut details = Vec::new();
        for attr in changed {
            if pool.auto_verified_attributes.contains(&attr)
                && let Some(dest) = outbox::Destination::for_attribute(&user, &attr)
            {
                details.push(issue_code(
                    tx,
                    &user,
                    CodePurpose::verify(&attr)?,
                    MessageKind::VerifyAttribute,
                    &dest,
                )?);
            }
        }
        Ok(details)
    })?;
    Ok(json!({ "CodeDeliveryDetailsList": details }))
}

/// DeleteUserAttributes.
pub(crate) fn delete_user_attributes(issuer: &Issuer, input: Value) -> Result<Value> {
    let i: TokenInput = decode(input)?;
    let ctx = authenticate(issuer, &i)?;
    let attrs: Vec<AttributeIn> = i
        .user_attribute_names
        .iter()
        .map(|n| AttributeIn {
            name: n.clone(),
            value: None,
        })
        .collect();
    validate_attributes(&ctx.pool, &attrs, false)?;
    issuer.write(|tx| {
        let mut user = reload(tx, &ctx.user)?;
        for n in &i.user_attribute_names {
            user.attributes.remove(n);
        }
        user.modified_at = ids::now_f64();
        Ok(user_rows::update_user(tx, &user)?)
    })?;
    Ok(json!({}))
}

/// GetUserAttributeVerificationCode.
pub(crate) fn get_user_attribute_verification_code(issuer: &Issuer, input: Value) -> Result<Value> {
    let i: TokenInput = decode(input)?;
    let ctx = authenticate(issuer, &i)?;
    let attr = required(&i.attribute_name, "attributeName")?;
    let purpose = CodePurpose::verify(attr)?;
    let dest = outbox::Destination::for_attribute(&ctx.user, attr).ok_or_else(|| {
        Error::invalid_parameter(format!(
            "User does not have a value for the attribute: {attr}"
        ))
    })?;
    let details = issuer
        .write(|tx| issue_code(tx, &ctx.user, purpose, MessageKind::VerifyAttribute, &dest))?;
    Ok(json!({ "CodeDeliveryDetails": details }))
}

/// VerifyUserAttribute.
pub(crate) fn verify_user_attribute(issuer: &Issuer, input: Value) -> Result<Value> {
    let i: TokenInput = decode(input)?;
    let ctx = authenticate(issuer, &i)?;
    let attr = required(&i.attribute_name, "attributeName")?.to_string();
    let code = required(&i.code, "code")?;
    let purpose = CodePurpose::verify(&attr)?;
    let pool = &ctx.pool;
    issuer.write_keeping_failures(|tx| {
        let mut user = reload(tx, &ctx.user)?;
        user.attributes
            .insert(format!("{attr}_verified"), "true".into());
        ensure_alias_unique(tx, pool, &user, false)?;
        consume_code(tx, &user, purpose, code)?;
        user.modified_at = ids::now_f64();
        Ok(user_rows::update_user(tx, &user)?)
    })?;
    Ok(json!({}))
}

/// DeleteUser.
pub(crate) fn delete_user(issuer: &Issuer, input: Value) -> Result<Value> {
    let i: TokenInput = decode(input)?;
    let ctx = authenticate(issuer, &i)?;
    issuer.write(|tx| Ok(user_rows::delete_user(tx, &ctx.pool.id, &ctx.user.sub)?))?;
    Ok(json!({}))
}

/// GlobalSignOut: revokes all of the user's refresh tokens; their access
/// tokens are then refused by this issuer's user operations.
pub(crate) fn global_sign_out(issuer: &Issuer, input: Value) -> Result<Value> {
    let i: TokenInput = decode(input)?;
    let ctx = authenticate(issuer, &i)?;
    issuer.write(|tx| {
        Ok(refresh_rows::revoke_user(
            tx,
            &ctx.pool.id,
            &ctx.user.sub,
            ids::now(),
        )?)
    })?;
    Ok(json!({}))
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct RevokeInput {
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
    let client = issuer.client(client_id)?;
    if let Some(secret) = &client.client_secret
        && i.client_secret.as_deref() != Some(secret.as_str())
    {
        return Err(Error::not_authorized(format!(
            "Client {client_id} is configured with secret but no valid ClientSecret was received"
        )));
    }
    if !client.enable_token_revocation {
        return Err(Error::unsupported_operation(
            "Token revocation is not enabled for this client",
        ));
    }
    let hash = ids::sha256_hex(token);
    issuer.write(|tx| {
        match refresh_rows::get_refresh(tx, &hash)? {
            Some(row) if row.client_id == client.client_id => {
                refresh_rows::revoke_origin(tx, &row.origin_jti, ids::now())?;
            }
            Some(_) => {
                return Err(Error::not_authorized(
                    "The refresh token was not issued to this client",
                ));
            }
            None => {}
        }
        Ok(())
    })?;
    Ok(json!({}))
}
