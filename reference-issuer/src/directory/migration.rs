//! User migration: a name no user holds, at sign-in (with the password) or
//! at ForgotPassword, is offered to the pool's user migration trigger; the
//! user it returns is created here with its `finalUserStatus`, and welcomed
//! unless `messageAction` is `SUPPRESS`.

use crate::directory::accounts::{insert_new_user, new_user};
use crate::directory::attributes::{AttributeIn, validate_attributes};
use crate::directory::credentials::remember_password;
use crate::directory::outbox::{self, Destination, MessageKind};
use crate::directory::password;
use crate::directory::users::ClientCall;
use crate::error::{Error, Result};
use crate::issuer::Issuer;
use crate::model::{Pool, User, UserStatus};
use crate::signin::FlowContext;
use crate::triggers::calls::{self, Caller, Migrated};

/// `UserMigration_Authentication`: the user the trigger returns for
/// `username` and `pw`, created `CONFIRMED` with that password (or
/// `RESET_REQUIRED`); `None` without a trigger or a returned user.
pub(crate) fn on_sign_in(
    issuer: &Issuer,
    ctx: &FlowContext,
    username: &str,
    pw: &str,
) -> Result<Option<User>> {
    if !has_trigger(&ctx.pool) {
        return Ok(None);
    }
    let caller = Caller {
        client_id: Some(&ctx.client.client_id),
        metadata: None,
    };
    let migrated = calls::user_migration(
        issuer,
        &ctx.pool.id,
        username,
        Some(pw),
        ctx.metadata.as_ref(),
        caller,
    )?;
    let Some(m) = migrated else {
        return Ok(None);
    };
    create(
        issuer,
        &ctx.pool,
        username,
        Some(pw),
        m,
        UserStatus::Confirmed,
    )
    .map(Some)
}

/// `UserMigration_ForgotPassword`: creates the user the trigger returns
/// for `call.username` (`RESET_REQUIRED` unless it says otherwise);
/// returns whether one was created.
pub(crate) fn on_forgot_password(issuer: &Issuer, call: &ClientCall) -> Result<bool> {
    if !has_trigger(&call.pool) {
        return Ok(false);
    }
    let caller = Caller {
        client_id: Some(&call.client.client_id),
        metadata: None,
    };
    let migrated = calls::user_migration(
        issuer,
        &call.pool.id,
        &call.username,
        None,
        call.metadata.as_ref(),
        caller,
    )?;
    let Some(m) = migrated else {
        return Ok(false);
    };
    create(
        issuer,
        &call.pool,
        &call.username,
        None,
        m,
        UserStatus::ResetRequired,
    )?;
    Ok(true)
}

fn has_trigger(pool: &Pool) -> bool {
    pool.lambda_config
        .as_ref()
        .is_some_and(|c| c.user_migration.is_some())
}

fn create(
    issuer: &Issuer,
    pool: &Pool,
    username: &str,
    pw: Option<&str>,
    m: Migrated,
    default_status: UserStatus,
) -> Result<User> {
    let status = match m.final_status.as_deref() {
        None => default_status,
        Some("CONFIRMED") => UserStatus::Confirmed,
        Some("RESET_REQUIRED") => UserStatus::ResetRequired,
        Some(other) => {
            return Err(Error::new(
                crate::error::ErrorKind::InvalidLambdaResponse,
                format!("Invalid finalUserStatus {other}"),
            ));
        }
    };
    let suppress = match m.message_action.as_deref() {
        None => false,
        Some("SUPPRESS") => true,
        Some(other) => {
            return Err(Error::new(
                crate::error::ErrorKind::InvalidLambdaResponse,
                format!("Invalid messageAction {other}"),
            ));
        }
    };
    let attrs: Vec<AttributeIn> = m
        .attributes
        .iter()
        .filter(|(k, _)| k.as_str() != "sub" && k.as_str() != "username")
        .map(|(k, v)| AttributeIn {
            name: k.clone(),
            value: Some(v.clone()),
        })
        .collect();
    validate_attributes(pool, &attrs, true)?;
    let mut user = new_user(pool, username, &attrs, status)?;
    // With the password known (sign-in), it is kept even for
    // RESET_REQUIRED, so the sign-in ends in PasswordResetRequiredException.
    let known_pw = pw;
    if let Some(p) = known_pw {
        user.password_hash = Some(password::hash(p)?);
    }
    issuer.write(|tx| {
        insert_new_user(
            tx,
            pool,
            &user,
            m.force_alias_creation,
            "User already exists",
        )?;
        if let Some(p) = known_pw {
            remember_password(tx, &user, p)?;
        }
        if !suppress {
            welcome(tx, &user, &m.desired_delivery_mediums)?;
        }
        Ok(())
    })?;
    tracing::info!(pool = %pool.id, username = %user.username, status = user.status.as_str(), "user migrated by the user migration trigger");
    Ok(user)
}

/// The welcome message AWS sends a migrated user (email unless
/// `desiredDeliveryMediums` names SMS only).
fn welcome(conn: &crate::store::Conn, user: &User, mediums: &[String]) -> Result<()> {
    let wants = |m: &str| mediums.iter().any(|x| x == m);
    let attrs: &[&str] = match (wants("EMAIL"), wants("SMS")) {
        (false, true) => &["phone_number"],
        (true, true) => &["email", "phone_number"],
        _ => &["email"],
    };
    for a in attrs {
        if let Some(dest) = Destination::for_attribute(user, a) {
            outbox::send(
                conn,
                user,
                MessageKind::Invitation,
                &dest,
                None,
                format!("Welcome! Your account {} is ready.", user.username),
            )?;
        }
    }
    Ok(())
}
