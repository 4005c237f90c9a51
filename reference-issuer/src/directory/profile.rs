//! The signed-in user's own account, authenticated by an access token:
//! ChangePassword, UpdateUserAttributes, DeleteUserAttributes,
//! GetUserAttributeVerificationCode, VerifyUserAttribute and DeleteUser.

use crate::directory::attributes::{
    AttributeIn, apply_attributes, ensure_alias_unique, remove, validate_attributes,
    validate_deletion,
};
use crate::directory::codes::{CodePurpose, Requester, consume_code, issue_code_with};
use crate::directory::credentials::remember_password;
use crate::directory::outbox::{Destination, MessageKind};
use crate::directory::password;
use crate::directory::users::custom_text;
use crate::error::{Error, Result};
use crate::ids;
use crate::issuer::Issuer;
use crate::model::User;
use crate::signin::lockout::{self, Subject};
use crate::store::Conn as Connection;
use crate::store::users as user_rows;
use crate::tokens::AccessContext;
use crate::triggers::calls::Caller;

/// The token's user as stored now.
fn reload(tx: &Connection, user: &User) -> Result<User> {
    user_rows::get_user_by_sub(tx, &user.pool_id, &user.sub)?
        .ok_or_else(|| Error::not_authorized("User does not exist."))
}

/// ChangePassword: checks the previous password (with the sign-in lockout)
/// and sets the proposed one.
pub(crate) fn change_password(
    issuer: &Issuer,
    ctx: &AccessContext,
    previous: &str,
    proposed: &str,
) -> Result<()> {
    let attempt = lockout::reserve(issuer, &ctx.pool.id, Subject::User(&ctx.user.sub))?;
    let ok = ctx
        .user
        .password_hash
        .as_deref()
        .is_some_and(|h| password::verify(previous, h));
    if !ok {
        attempt.failed();
        return Err(Error::not_authorized("Incorrect username or password."));
    }
    attempt.passed();
    password::check_policy(&ctx.pool.policies.password_policy, proposed)?;
    let hash = password::hash(proposed)?;
    issuer.write(|tx| {
        let mut user = reload(tx, &ctx.user)?;
        user.password_hash = Some(hash.clone());
        user.password_set_at = ids::now();
        user.modified_at = ids::now_f64();
        user_rows::update_user(tx, &user)?;
        remember_password(tx, &user, proposed)
    })?;
    lockout::succeeded(issuer, &ctx.pool.id, &ctx.user.sub);
    Ok(())
}

/// UpdateUserAttributes: a changed auto-verified attribute gets a code;
/// returns where the codes went.
pub(crate) fn update_user_attributes(
    issuer: &Issuer,
    ctx: &AccessContext,
    attrs: &[AttributeIn],
) -> Result<Vec<Destination>> {
    validate_attributes(&ctx.pool, attrs, false)?;
    let pool = &ctx.pool;
    // The custom message trigger runs before the write transaction, on the
    // user as the update will leave them.
    let mut preview = ctx.user.clone();
    let will_send = apply_attributes(&mut preview, attrs)
        .iter()
        .any(|a| pool.auto_verified_attributes.contains(a));
    let text = match will_send {
        true => custom_text(
            issuer,
            &preview,
            "CustomMessage_UpdateUserAttribute",
            Caller::default(),
        )?,
        false => None,
    };
    issuer.write(|tx| {
        let mut user = reload(tx, &ctx.user)?;
        let changed = apply_attributes(&mut user, attrs);
        ensure_alias_unique(tx, pool, &user, false)?;
        user_rows::update_user(tx, &user)?;
        let mut details = Vec::new();
        for attr in changed {
            if pool.auto_verified_attributes.contains(&attr)
                && let Some(dest) = Destination::for_attribute(&user, &attr)
            {
                details.push(issue_code_with(
                    tx,
                    &user,
                    CodePurpose::verify(&attr)?,
                    MessageKind::VerifyAttribute,
                    &dest,
                    Requester::User,
                    text.as_ref(),
                )?);
            }
        }
        Ok(details)
    })
}

/// DeleteUserAttributes.
pub(crate) fn delete_user_attributes(
    issuer: &Issuer,
    ctx: &AccessContext,
    names: &[String],
) -> Result<()> {
    validate_deletion(&ctx.pool, names, false)?;
    issuer.write(|tx| {
        let mut user = reload(tx, &ctx.user)?;
        remove(&mut user, names);
        Ok(user_rows::update_user(tx, &user)?)
    })
}

/// GetUserAttributeVerificationCode: sends a code to verify `attr`.
pub(crate) fn get_user_attribute_verification_code(
    issuer: &Issuer,
    ctx: &AccessContext,
    attr: &str,
) -> Result<Destination> {
    let purpose = CodePurpose::verify(attr)?;
    let dest = Destination::for_attribute(&ctx.user, attr).ok_or_else(|| {
        Error::invalid_parameter(format!(
            "User does not have a value for the attribute: {attr}"
        ))
    })?;
    let text = custom_text(
        issuer,
        &ctx.user,
        "CustomMessage_VerifyUserAttribute",
        Caller::default(),
    )?;
    issuer.write(|tx| {
        issue_code_with(
            tx,
            &ctx.user,
            purpose,
            MessageKind::VerifyAttribute,
            &dest,
            Requester::User,
            text.as_ref(),
        )
    })
}

/// VerifyUserAttribute: the code marks `attr` verified.
pub(crate) fn verify_user_attribute(
    issuer: &Issuer,
    ctx: &AccessContext,
    attr: &str,
    code: &str,
) -> Result<()> {
    let purpose = CodePurpose::verify(attr)?;
    let pool = &ctx.pool;
    issuer.write_keeping_failures(|tx| {
        let mut user = reload(tx, &ctx.user)?;
        user.attributes
            .insert(format!("{attr}_verified"), "true".into());
        ensure_alias_unique(tx, pool, &user, false)?;
        consume_code(tx, &user, purpose, code)?;
        user.modified_at = ids::now_f64();
        Ok(user_rows::update_user(tx, &user)?)
    })
}

/// DeleteUser: the user deletes their own account.
pub(crate) fn delete_user(issuer: &Issuer, ctx: &AccessContext) -> Result<()> {
    issuer.write(|tx| Ok(user_rows::delete_user(tx, &ctx.pool.id, &ctx.user.sub)?))
}
