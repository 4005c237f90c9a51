//! Self-service flows an app client runs for a user who is not signed in:
//! SignUp, ConfirmSignUp, ResendConfirmationCode, ForgotPassword and
//! ConfirmForgotPassword, with PreventUserExistenceErrors (unknown names
//! answered through [`super::code_decoys`]).

use crate::directory::accounts::{insert_new_user, new_user};
use crate::directory::attributes::{AttributeIn, ensure_alias_unique, validate_attributes};
use crate::directory::codes::{
    CodePurpose, Requester, consume_code, count_send, delivery_destination, issue_code_with,
};
use crate::directory::credentials::remember_password;
use crate::directory::lookup::{find_user, user_not_found};
use crate::directory::migration;
use crate::directory::outbox::{Destination, MessageKind};
use crate::directory::password;
use crate::error::{Error, Result};
use crate::ids;
use crate::issuer::Issuer;
use crate::model::{AppClient, Pool, User, UserStatus};
use crate::signin::secret_hash::check_secret_hash;
use crate::store::Conn as Connection;
use crate::store::users as user_rows;
use crate::triggers::calls::{self, Caller, CustomText, Metadata, PreSignUp};
use std::collections::BTreeMap;

/// The app client a self-service call came through, its pool and the
/// username it names (the secret hash already checked).
#[derive(Debug, Clone)]
pub(crate) struct ClientCall {
    /// The app client.
    pub client: AppClient,
    /// The client's pool.
    pub pool: Pool,
    /// The username (or sign-in attribute value) of the request.
    pub username: String,
    /// `ClientMetadata`, passed to the triggers.
    pub metadata: Metadata,
    /// `ValidationData` (SignUp), passed to the pre sign-up trigger.
    pub validation_data: Metadata,
}

impl ClientCall {
    /// The triggers' view of the caller.
    pub(crate) fn caller(&self) -> Caller<'_> {
        Caller {
            client_id: Some(&self.client.client_id),
            metadata: self.metadata.as_ref(),
        }
    }
}

/// Resolves the app client and its pool and checks the secret hash over
/// `username`.
pub(crate) fn client_call(
    issuer: &Issuer,
    client_id: &str,
    username: &str,
    secret_hash: Option<&str>,
) -> Result<ClientCall> {
    let call = hosted_call(issuer, client_id, username)?;
    check_secret_hash(&call.client, &[username], secret_hash)?;
    Ok(call)
}

/// Resolves the app client and its pool for the hosted UI's pages: the
/// client's own sign-up page, so no secret hash (as in Cognito's managed
/// login, which works for clients with a secret).
pub(crate) fn hosted_call(issuer: &Issuer, client_id: &str, username: &str) -> Result<ClientCall> {
    let client = issuer.client(client_id)?;
    let (pool, _) = issuer.pool(&client.user_pool_id)?;
    Ok(ClientCall {
        client,
        pool,
        username: username.to_string(),
        metadata: None,
        validation_data: None,
    })
}

/// What SignUp created.
#[derive(Debug, Clone)]
pub(crate) struct SignedUp {
    /// The new user's `sub`.
    pub sub: String,
    /// Where the confirmation code went, if the pool auto-verifies an
    /// attribute the user has (none when the user is confirmed already).
    pub delivery: Option<Destination>,
    /// Whether the pre sign-up trigger confirmed the user.
    pub confirmed: bool,
}

/// SignUp: creates an unconfirmed user and sends a confirmation code to the
/// first auto-verified attribute present.
pub(crate) fn sign_up(
    issuer: &Issuer,
    call: &ClientCall,
    pw: &str,
    attrs: &[AttributeIn],
) -> Result<SignedUp> {
    let pool = &call.pool;
    password::check_policy(&pool.policies.password_policy, pw)?;
    validate_attributes(pool, attrs, false)?;
    let mut user = new_user(pool, &call.username, attrs, UserStatus::Unconfirmed)?;
    // The trigger runs before anything is stored: a refusal stores nothing.
    let pre = calls::pre_sign_up(
        issuer,
        &user,
        "PreSignUp_SignUp",
        &submitted(attrs),
        call.validation_data.as_ref(),
        call.caller(),
    )?;
    apply_pre_sign_up(&mut user, pre, true);
    let dest = (user.status == UserStatus::Unconfirmed)
        .then(|| {
            pool.auto_verified_attributes
                .iter()
                .find_map(|a| Destination::for_attribute(&user, a))
        })
        .flatten();
    let text = match &dest {
        Some(_) => custom_text(issuer, &user, "CustomMessage_SignUp", call.caller())?,
        None => None,
    };
    user.password_hash = Some(password::hash(pw)?);
    let delivery = issuer.write(|tx| {
        insert_new_user(tx, pool, &user, false, "User already exists")?;
        remember_password(tx, &user, pw)?;
        match &dest {
            Some(d) => Ok(Some(issue_code_with(
                tx,
                &user,
                CodePurpose::SignUp,
                MessageKind::SignUp,
                d,
                Requester::User,
                text.as_ref(),
            )?)),
            None => Ok(None),
        }
    })?;
    Ok(SignedUp {
        sub: user.sub,
        delivery,
        confirmed: user.status == UserStatus::Confirmed,
    })
}

/// The attributes a sign-up sent, as the pre sign-up trigger sees them.
pub(crate) fn submitted(attrs: &[AttributeIn]) -> BTreeMap<String, String> {
    attrs
        .iter()
        .map(|a| (a.name.clone(), a.value.clone().unwrap_or_default()))
        .collect()
}

/// Applies a pre sign-up trigger's answer to a new user: confirmation
/// (unless `may_confirm` is false: AdminCreateUser's users must change
/// their password) and verified email / phone.
pub(crate) fn apply_pre_sign_up(user: &mut User, pre: PreSignUp, may_confirm: bool) {
    if pre.auto_confirm && may_confirm {
        user.status = UserStatus::Confirmed;
    }
    for (wanted, attr) in [
        (pre.verify_email, "email"),
        (pre.verify_phone, "phone_number"),
    ] {
        if wanted && user.attr(attr).is_some() {
            user.attributes
                .insert(format!("{attr}_verified"), "true".into());
        }
    }
}

/// The custom message trigger's texts for a message to `user`.
pub(crate) fn custom_text(
    issuer: &Issuer,
    user: &User,
    source: &str,
    caller: Caller<'_>,
) -> Result<Option<CustomText>> {
    Ok(calls::custom_message(issuer, user, source, caller)?)
}

fn code_mismatch() -> Error {
    Error::code_mismatch("Invalid verification code provided, please try again.")
}

/// Whose code a code-checking call names: a user, or (when the client
/// hides user existence) an unknown name answered by
/// [`CodeDecoys::attempt`](crate::directory::code_decoys::CodeDecoys::attempt).
fn code_owner(tx: &Connection, call: &ClientCall) -> Result<Option<User>> {
    match find_user(tx, &call.pool, &call.username)? {
        Some(user) => Ok(Some(user)),
        None if call.client.prevents_user_existence_errors() => Ok(None),
        None => Err(user_not_found()),
    }
}

/// ConfirmSignUp: the code confirms the account and verifies the attribute
/// it was sent to.
pub(crate) fn confirm_sign_up(
    issuer: &Issuer,
    call: &ClientCall,
    code: &str,
    force_alias_creation: bool,
) -> Result<()> {
    let pool = &call.pool;
    let known = issuer.write_keeping_failures(|tx| {
        let Some(mut user) = code_owner(tx, call)? else {
            return Ok(None);
        };
        if user.status != UserStatus::Unconfirmed {
            return Err(Error::not_authorized(format!(
                "User cannot be confirmed. Current status is {}",
                user.status.as_str()
            )));
        }
        if let Some(d) = pool
            .auto_verified_attributes
            .iter()
            .find_map(|a| Destination::for_attribute(&user, a))
        {
            user.attributes
                .insert(format!("{}_verified", d.attribute), "true".into());
        }
        ensure_alias_unique(tx, pool, &user, force_alias_creation)?;
        consume_code(tx, &user, CodePurpose::SignUp, code)?;
        user.status = UserStatus::Confirmed;
        user.modified_at = ids::now_f64();
        user_rows::update_user(tx, &user)?;
        Ok(Some(user))
    })?;
    if let Some(user) = known {
        // The confirmation stands even when the trigger fails; the caller
        // gets its error (as AWS answers).
        calls::post_confirmation(
            issuer,
            &user,
            "PostConfirmation_ConfirmSignUp",
            call.caller(),
        )?;
        return Ok(());
    }
    issuer
        .code_decoys
        .attempt(pool, &call.username, CodePurpose::SignUp)
        .and(Err(code_mismatch()))
}

/// A code-sending call's answer when no code is sent: an unknown name (the
/// send counted in memory) or a user without a verified contact (counted on
/// their budget), both only when the client hides user existence.
enum Decoy {
    Unknown,
    Sent(Destination),
}

/// ResendConfirmationCode: a new sign-up code for an unconfirmed user.
pub(crate) fn resend_confirmation_code(issuer: &Issuer, call: &ClientCall) -> Result<Destination> {
    let pool = &call.pool;
    let decoy = decoy_destination(issuer, call)?;
    let text = message_for(issuer, call, "CustomMessage_ResendCode", |user| {
        user.status == UserStatus::Unconfirmed
    })?;
    let sent = issuer.write(|tx| {
        let Some(user) = code_owner(tx, call)? else {
            return Ok(Decoy::Unknown);
        };
        if user.status != UserStatus::Unconfirmed {
            return Err(Error::invalid_parameter("User is already confirmed."));
        }
        let dest = pool
            .auto_verified_attributes
            .iter()
            .find_map(|a| Destination::for_attribute(&user, a))
            .ok_or_else(|| {
                Error::invalid_parameter("Cannot resend codes. Auto verification not turned on.")
            })?;
        issue_code_with(
            tx,
            &user,
            CodePurpose::SignUp,
            MessageKind::ResendCode,
            &dest,
            Requester::User,
            text.as_ref(),
        )
        .map(Decoy::Sent)
    })?;
    answer(issuer, call, sent, decoy, CodePurpose::SignUp)
}

/// The destination an unknown name would be answered with, computed before
/// the lookup so every call does the same work; `None` unless the client
/// hides user existence.
fn decoy_destination(issuer: &Issuer, call: &ClientCall) -> Result<Option<Destination>> {
    call.client
        .prevents_user_existence_errors()
        .then(|| {
            issuer
                .code_decoys
                .destination(issuer, &call.pool, &call.username)
        })
        .transpose()
}

fn answer(
    issuer: &Issuer,
    call: &ClientCall,
    sent: Decoy,
    decoy: Option<Destination>,
    purpose: CodePurpose,
) -> Result<Destination> {
    match (sent, decoy) {
        (Decoy::Sent(d), _) => Ok(d),
        (Decoy::Unknown, Some(decoy)) => {
            issuer
                .code_decoys
                .send(&call.pool, &call.username, purpose)?;
            Ok(decoy)
        }
        (Decoy::Unknown, None) => Err(user_not_found()),
    }
}

/// ForgotPassword: sends a reset code to a verified email or phone. When
/// the client hides user existence, unknown names and users without a
/// verified contact get the same kind of answer as everyone (a stable
/// plausible destination), and the same send throttle.
pub(crate) fn forgot_password(issuer: &Issuer, call: &ClientCall) -> Result<Destination> {
    let pool = &call.pool;
    if issuer
        .read(|c| find_user(c, pool, &call.username))?
        .is_none()
    {
        migration::on_forgot_password(issuer, call)?;
    }
    let decoy = decoy_destination(issuer, call)?;
    let text = message_for(issuer, call, "CustomMessage_ForgotPassword", |user| {
        user.enabled
            && user.status != UserStatus::ForceChangePassword
            && delivery_destination(pool, user, true).is_some()
    })?;
    let sent = issuer.write(|tx| {
        let Some(user) = code_owner(tx, call)? else {
            return Ok(Decoy::Unknown);
        };
        if !user.enabled {
            return Err(Error::not_authorized("User is disabled."));
        }
        if user.status == UserStatus::ForceChangePassword {
            return Err(Error::not_authorized(
                "User password cannot be reset in the current state.",
            ));
        }
        let purpose = CodePurpose::ForgotPassword;
        match (delivery_destination(pool, &user, true), &decoy) {
            (Some(dest), _) => issue_code_with(
                tx,
                &user,
                purpose,
                MessageKind::ForgotPassword,
                &dest,
                Requester::User,
                text.as_ref(),
            )
            .map(Decoy::Sent),
            (None, Some(decoy)) => {
                count_send(tx, &user, purpose)?;
                Ok(Decoy::Sent(decoy.clone()))
            }
            (None, None) => Err(Error::invalid_parameter(
                "Cannot reset password for the user as there is no registered/verified email or phone_number",
            )),
        }
    })?;
    answer(issuer, call, sent, decoy, CodePurpose::ForgotPassword)
}

/// ConfirmForgotPassword: the code sets a new password (and confirms a
/// user whose reset an administrator required). The code is checked (and
/// consumed) before the new password is hashed: wrong codes cost no argon2.
pub(crate) fn confirm_forgot_password(
    issuer: &Issuer,
    call: &ClientCall,
    code: &str,
    pw: &str,
) -> Result<()> {
    let pool = &call.pool;
    password::check_policy(&pool.policies.password_policy, pw)?;
    let sub = issuer.write_keeping_failures(|tx| {
        let Some(user) = code_owner(tx, call)? else {
            return Ok(None);
        };
        consume_code(tx, &user, CodePurpose::ForgotPassword, code)?;
        Ok(Some(user.sub))
    })?;
    let Some(sub) = sub else {
        return issuer
            .code_decoys
            .attempt(pool, &call.username, CodePurpose::ForgotPassword)
            .and(Err(code_mismatch()));
    };
    let hash = password::hash(pw)?;
    let user = issuer.write(|tx| {
        let mut user =
            user_rows::get_user_by_sub(tx, &pool.id, &sub)?.ok_or_else(user_not_found)?;
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
        remember_password(tx, &user, pw)?;
        Ok(user)
    })?;
    crate::signin::lockout::succeeded(issuer, &pool.id, &sub);
    // The new password stands even when the trigger fails; the caller gets
    // its error.
    calls::post_confirmation(
        issuer,
        &user,
        "PostConfirmation_ConfirmForgotPassword",
        call.caller(),
    )?;
    Ok(())
}

/// The custom message trigger's texts for the code a self-service call is
/// about to send, fired before the write transaction (a handler may take
/// seconds and must not hold the writer): only for a user `will_send`
/// accepts, never for unknown names.
fn message_for(
    issuer: &Issuer,
    call: &ClientCall,
    source: &str,
    will_send: impl FnOnce(&User) -> bool,
) -> Result<Option<CustomText>> {
    match issuer.read(|c| find_user(c, &call.pool, &call.username))? {
        Some(user) if will_send(&user) => custom_text(issuer, &user, source, call.caller()),
        _ => Ok(None),
    }
}
