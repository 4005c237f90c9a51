//! Administrative user operations on one user of a pool (AdminCreateUser,
//! AdminDeleteUser, AdminSetUserPassword, AdminResetUserPassword,
//! AdminConfirmSignUp, AdminUpdateUserAttributes, AdminDeleteUserAttributes,
//! AdminDisableUser / AdminEnableUser) and ListUsers.

use crate::directory::accounts::{insert_new_user, new_user};
use crate::directory::attributes::{
    AttributeIn, apply_attributes, ensure_alias_unique, remove, validate_attributes,
    validate_deletion,
};
use crate::directory::codes::{CodePurpose, Requester, delivery_destination, issue_code_with};
use crate::directory::credentials::remember_password;
use crate::directory::filter::Filter;
use crate::directory::lookup::{require_user, user_not_found};
use crate::directory::outbox::{self, Destination, MessageKind};
use crate::directory::password;
use crate::directory::users::{apply_pre_sign_up, custom_text, submitted};
use crate::error::{Error, Result};
use crate::ids;
use crate::issuer::Issuer;
use crate::model::{Pool, User, UserStatus};
use crate::store::Conn as Connection;
use crate::store::{refresh as refresh_rows, users as user_rows};
use crate::triggers::calls::{self, Caller, CustomText};
use std::collections::BTreeMap;

/// Resolves a pool and one of its users by username (or sign-in
/// attribute); `ResourceNotFoundException` / `UserNotFoundException`.
pub(crate) fn resolve_user(issuer: &Issuer, pool_id: &str, username: &str) -> Result<(Pool, User)> {
    let (pool, _) = issuer.pool(pool_id)?;
    let user = issuer.read(|c| require_user(c, &pool, username))?;
    Ok((pool, user))
}

/// The user as stored now, by `sub`.
fn reload(tx: &Connection, pool: &Pool, user: &User) -> Result<User> {
    user_rows::get_user_by_sub(tx, &pool.id, &user.sub)?.ok_or_else(user_not_found)
}

/// AdminCreateUser's request, past the required fields.
#[derive(Debug, Clone)]
pub(crate) struct NewUserRequest<'a> {
    /// The username (or, in email/phone username pools, that value).
    pub username: &'a str,
    /// Initial attributes.
    pub attributes: &'a [AttributeIn],
    /// The temporary password; generated when absent.
    pub temporary_password: Option<&'a str>,
    /// Cognito's `ForceAliasCreation`.
    pub force_alias_creation: bool,
    /// `MessageAction` as received (`RESEND`, `SUPPRESS` or none).
    pub message_action: Option<&'a str>,
    /// `DesiredDeliveryMediums` (`EMAIL`, `SMS`).
    pub desired_delivery_mediums: &'a [String],
    /// `ClientMetadata`, passed to the triggers.
    pub metadata: Option<&'a BTreeMap<String, String>>,
    /// `ValidationData`, passed to the pre sign-up trigger.
    pub validation_data: Option<&'a BTreeMap<String, String>>,
}

fn send_invitation(
    conn: &Connection,
    user: &User,
    temp: &str,
    mediums: &[String],
    custom: Option<&CustomText>,
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
    for a in attrs {
        if let Some(dest) = Destination::for_attribute(user, a) {
            let display = user
                .attr("email")
                .filter(|_| user.username == user.sub)
                .unwrap_or(&user.username);
            let text = custom
                .and_then(|c| c.render(dest.medium, temp, display))
                .unwrap_or_else(|| {
                    format!("Your username is {display} and temporary password is {temp}")
                });
            outbox::send(conn, user, MessageKind::Invitation, &dest, None, text)?;
        }
    }
    Ok(())
}

/// AdminCreateUser: creates a user who must change the temporary password
/// (and sends the invitation unless suppressed), or with `RESEND` sends a
/// new temporary password to an existing user who has not signed in yet.
pub(crate) fn admin_create_user(
    issuer: &Issuer,
    pool_id: &str,
    req: &NewUserRequest<'_>,
) -> Result<User> {
    let (pool, _) = issuer.pool(pool_id)?;
    validate_attributes(&pool, req.attributes, true)?;
    let policy = &pool.policies.password_policy;
    let temp = match req.temporary_password {
        Some(t) => {
            password::check_policy(policy, t)?;
            t.to_string()
        }
        None => ids::temporary_password(policy.minimum_length as usize),
    };
    let hash = password::hash(&temp)?;
    match req.message_action {
        None | Some("SUPPRESS") | Some("RESEND") => {}
        Some(other) => {
            return Err(Error::invalid_parameter(format!(
                "1 validation error detected: Value '{other}' at 'messageAction' failed to \
                 satisfy constraint: Member must satisfy enum value set: [RESEND, SUPPRESS]"
            )));
        }
    }
    let caller = Caller {
        client_id: None,
        metadata: req.metadata,
    };
    if req.message_action == Some("RESEND") {
        let current = issuer.read(|c| require_user(c, &pool, req.username))?;
        let text = custom_text(issuer, &current, "CustomMessage_AdminCreateUser", caller)?;
        return issuer.write(|tx| {
            let mut user = require_user(tx, &pool, req.username)?;
            if user.status != UserStatus::ForceChangePassword {
                return Err(Error::unsupported_user_state(
                    "Resend not possible. User has already signed in.",
                ));
            }
            user.password_hash = Some(hash.clone());
            user.password_set_at = ids::now();
            user.modified_at = ids::now_f64();
            user_rows::update_user(tx, &user)?;
            remember_password(tx, &user, &temp)?;
            send_invitation(
                tx,
                &user,
                &temp,
                req.desired_delivery_mediums,
                text.as_ref(),
            )?;
            Ok(user)
        });
    }
    let mut user = new_user(
        &pool,
        req.username,
        req.attributes,
        UserStatus::ForceChangePassword,
    )?;
    // Nothing is stored when the pre sign-up trigger refuses.
    let pre = calls::pre_sign_up(
        issuer,
        &user,
        "PreSignUp_AdminCreateUser",
        &submitted(req.attributes),
        req.validation_data,
        caller,
    )?;
    apply_pre_sign_up(&mut user, pre, false);
    user.password_hash = Some(hash);
    let suppress = req.message_action == Some("SUPPRESS");
    let text = match suppress {
        true => None,
        false => custom_text(issuer, &user, "CustomMessage_AdminCreateUser", caller)?,
    };
    issuer.write(|tx| {
        insert_new_user(
            tx,
            &pool,
            &user,
            req.force_alias_creation,
            "User account already exists",
        )?;
        remember_password(tx, &user, &temp)?;
        if !suppress {
            send_invitation(
                tx,
                &user,
                &temp,
                req.desired_delivery_mediums,
                text.as_ref(),
            )?;
        }
        Ok(())
    })?;
    Ok(user)
}

/// AdminDeleteUser.
pub(crate) fn admin_delete_user(issuer: &Issuer, pool: &Pool, user: &User) -> Result<()> {
    issuer.write(|tx| Ok(user_rows::delete_user(tx, &pool.id, &user.sub)?))?;
    crate::signin::lockout::succeeded(issuer, &pool.id, &user.sub);
    Ok(())
}

/// AdminSetUserPassword: a permanent password confirms the user, a
/// temporary one forces a change at the next sign-in.
pub(crate) fn admin_set_user_password(
    issuer: &Issuer,
    pool: &Pool,
    user: &User,
    pw: &str,
    permanent: bool,
) -> Result<()> {
    password::check_policy(&pool.policies.password_policy, pw)?;
    let hash = password::hash(pw)?;
    issuer.write(|tx| {
        let mut user = reload(tx, pool, user)?;
        user.password_hash = Some(hash.clone());
        user.password_set_at = ids::now();
        user.status = if permanent {
            UserStatus::Confirmed
        } else {
            UserStatus::ForceChangePassword
        };
        user.modified_at = ids::now_f64();
        user_rows::update_user(tx, &user)?;
        remember_password(tx, &user, pw)
    })?;
    crate::signin::lockout::succeeded(issuer, &pool.id, &user.sub);
    Ok(())
}

/// AdminResetUserPassword: the user must reset with a code sent to them.
pub(crate) fn admin_reset_user_password(issuer: &Issuer, pool: &Pool, user: &User) -> Result<()> {
    let text = match delivery_destination(pool, user, false) {
        Some(_) if user.status != UserStatus::Unconfirmed => custom_text(
            issuer,
            user,
            "CustomMessage_ForgotPassword",
            Caller::default(),
        )?,
        _ => None,
    };
    issuer.write(|tx| {
        let mut user = reload(tx, pool, user)?;
        if user.status == UserStatus::Unconfirmed {
            return Err(Error::not_authorized(
                "User password cannot be reset in the current state.",
            ));
        }
        user.status = UserStatus::ResetRequired;
        user.modified_at = ids::now_f64();
        user_rows::update_user(tx, &user)?;
        if let Some(dest) = delivery_destination(pool, &user, false) {
            issue_code_with(
                tx,
                &user,
                CodePurpose::ForgotPassword,
                MessageKind::ForgotPassword,
                &dest,
                Requester::Admin,
                text.as_ref(),
            )?;
        }
        Ok(())
    })
}

/// AdminConfirmSignUp.
pub(crate) fn admin_confirm_sign_up(issuer: &Issuer, pool: &Pool, user: &User) -> Result<()> {
    let confirmed = issuer.write(|tx| {
        let mut user = reload(tx, pool, user)?;
        if user.status != UserStatus::Unconfirmed {
            return Err(Error::not_authorized(format!(
                "User cannot be confirmed. Current status is {}",
                user.status.as_str()
            )));
        }
        user.status = UserStatus::Confirmed;
        user.modified_at = ids::now_f64();
        user_rows::update_user(tx, &user)?;
        Ok(user)
    })?;
    calls::post_confirmation(
        issuer,
        &confirmed,
        "PostConfirmation_ConfirmSignUp",
        Caller::default(),
    )?;
    Ok(())
}

/// AdminUpdateUserAttributes. A changed email/phone becomes unverified
/// (unless the same call sets `*_verified`) and, in pools that auto-verify
/// it, a verification code is sent.
pub(crate) fn admin_update_user_attributes(
    issuer: &Issuer,
    pool: &Pool,
    user: &User,
    attrs: &[AttributeIn],
) -> Result<()> {
    validate_attributes(pool, attrs, true)?;
    let mut preview = user.clone();
    let will_send = apply_attributes(&mut preview, attrs)
        .iter()
        .any(|a| pool.auto_verified_attributes.contains(a) && !preview.is_verified(a));
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
        let mut user = reload(tx, pool, user)?;
        let changed = apply_attributes(&mut user, attrs);
        ensure_alias_unique(tx, pool, &user, false)?;
        user_rows::update_user(tx, &user)?;
        for attr in changed {
            if pool.auto_verified_attributes.contains(&attr)
                && !user.is_verified(&attr)
                && let Some(dest) = Destination::for_attribute(&user, &attr)
            {
                issue_code_with(
                    tx,
                    &user,
                    CodePurpose::verify(&attr)?,
                    MessageKind::VerifyAttribute,
                    &dest,
                    Requester::Admin,
                    text.as_ref(),
                )?;
            }
        }
        Ok(())
    })
}

/// AdminDeleteUserAttributes.
pub(crate) fn admin_delete_user_attributes(
    issuer: &Issuer,
    pool: &Pool,
    user: &User,
    names: &[String],
) -> Result<()> {
    validate_deletion(pool, names, true)?;
    issuer.write(|tx| {
        let mut user = reload(tx, pool, user)?;
        remove(&mut user, names);
        Ok(user_rows::update_user(tx, &user)?)
    })
}

/// AdminDisableUser / AdminEnableUser. Disabling also revokes the user's
/// tokens.
pub(crate) fn admin_set_enabled(
    issuer: &Issuer,
    pool: &Pool,
    user: &User,
    enabled: bool,
) -> Result<()> {
    issuer.write(|tx| {
        let mut user = reload(tx, pool, user)?;
        user.enabled = enabled;
        user.modified_at = ids::now_f64();
        user_rows::update_user(tx, &user)?;
        if !enabled {
            refresh_rows::revoke_user(tx, &pool.id, &user.sub, ids::now())?;
        }
        Ok(())
    })
}

/// ListUsers: the pool's users matching Cognito's `Filter` syntax (all
/// users when `filter` is empty), in storage order.
pub(crate) fn list_users(issuer: &Issuer, pool_id: &str, filter: &str) -> Result<Vec<User>> {
    let (pool, _) = issuer.pool(pool_id)?;
    let filter = Filter::parse(filter)?;
    let users = issuer.read(|c| Ok(user_rows::list_users(c, pool_id)?))?;
    Ok(users
        .into_iter()
        .filter(|u| filter.as_ref().is_none_or(|f| f.matches(&pool, u)))
        .collect())
}
