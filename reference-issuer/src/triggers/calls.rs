//! Each trigger's request and response, as the domain flows fire them:
//! the one place each trigger is fired ([`Issuer::fire`]) and its answer
//! read. The flows call these; nothing else fires a trigger.

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

use super::{Invocation, TriggerError, TriggerKind};
use crate::issuer::Issuer;
use crate::model::User;

/// `ClientMetadata` / `ValidationData` as received (string values).
pub(crate) type Metadata = Option<BTreeMap<String, String>>;

/// Who fired a trigger: the app client (absent for admin operations) and
/// the caller's `ClientMetadata`.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Caller<'a> {
    /// The app client.
    pub client_id: Option<&'a str>,
    /// `ClientMetadata`.
    pub metadata: Option<&'a BTreeMap<String, String>>,
}

/// `userAttributes` of a stored user: every attribute plus
/// `cognito:user_status`, as AWS sends them.
pub(crate) fn user_attributes(user: &User) -> Value {
    let mut m: Map<String, Value> = user
        .attributes
        .iter()
        .map(|(k, v)| (k.clone(), Value::String(v.clone())))
        .collect();
    m.insert("cognito:user_status".into(), user.status.as_str().into());
    Value::Object(m)
}

fn request(attrs: Value, caller: Caller<'_>) -> Map<String, Value> {
    let mut r = Map::new();
    r.insert("userAttributes".into(), attrs);
    if let Some(m) = caller.metadata {
        r.insert("clientMetadata".into(), json!(m));
    }
    r
}

/// A boolean member of a response (absent or `null`: false); another
/// type is unrecognizable output.
pub(super) fn flag(kind: TriggerKind, response: &Value, name: &str) -> Result<bool, TriggerError> {
    match response.get(name) {
        None | Some(Value::Null) => Ok(false),
        Some(Value::Bool(b)) => Ok(*b),
        Some(_) => Err(TriggerError::Unrecognizable { kind }),
    }
}

/// A string member of a response (absent or `null`: none).
pub(super) fn text(
    kind: TriggerKind,
    response: &Value,
    name: &str,
) -> Result<Option<String>, TriggerError> {
    match response.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(TriggerError::Unrecognizable { kind }),
    }
}

/// What a pre sign-up trigger decided.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct PreSignUp {
    /// `autoConfirmUser`.
    pub auto_confirm: bool,
    /// `autoVerifyEmail`.
    pub verify_email: bool,
    /// `autoVerifyPhone`.
    pub verify_phone: bool,
}

/// Fires `PreSignUp` (`PreSignUp_SignUp` or `PreSignUp_AdminCreateUser`)
/// for `user` (not stored yet) with the attributes the caller sent.
pub(crate) fn pre_sign_up(
    issuer: &Issuer,
    user: &User,
    source: &str,
    submitted: &BTreeMap<String, String>,
    validation_data: Option<&BTreeMap<String, String>>,
    caller: Caller<'_>,
) -> Result<PreSignUp, TriggerError> {
    let kind = TriggerKind::PreSignUp;
    let mut req = request(json!(submitted), caller);
    req.insert("validationData".into(), json!(validation_data));
    let answer = issuer.fire(Invocation {
        kind,
        source,
        pool_id: &user.pool_id,
        user_name: &user.username,
        client_id: caller.client_id,
        request: Value::Object(req),
        response: json!({ "autoConfirmUser": false, "autoVerifyEmail": false,
                          "autoVerifyPhone": false }),
    })?;
    let Some(r) = answer else {
        return Ok(PreSignUp::default());
    };
    Ok(PreSignUp {
        auto_confirm: flag(kind, &r, "autoConfirmUser")?,
        verify_email: flag(kind, &r, "autoVerifyEmail")?,
        verify_phone: flag(kind, &r, "autoVerifyPhone")?,
    })
}

/// Fires `PostConfirmation` (`PostConfirmation_ConfirmSignUp` or
/// `PostConfirmation_ConfirmForgotPassword`) for the confirmed `user`.
pub(crate) fn post_confirmation(
    issuer: &Issuer,
    user: &User,
    source: &str,
    caller: Caller<'_>,
) -> Result<(), TriggerError> {
    issuer.fire(Invocation {
        kind: TriggerKind::PostConfirmation,
        source,
        pool_id: &user.pool_id,
        user_name: &user.username,
        client_id: caller.client_id,
        request: Value::Object(request(user_attributes(user), caller)),
        response: json!({}),
    })?;
    Ok(())
}

/// Fires `PreAuthentication_Authentication` for `user` about to sign in.
pub(crate) fn pre_authentication(
    issuer: &Issuer,
    user: &User,
    validation_data: Option<&BTreeMap<String, String>>,
    caller: Caller<'_>,
) -> Result<(), TriggerError> {
    let mut req = request(user_attributes(user), caller);
    req.insert("validationData".into(), json!(validation_data));
    req.insert("userNotFound".into(), false.into());
    issuer.fire(Invocation {
        kind: TriggerKind::PreAuthentication,
        source: "PreAuthentication_Authentication",
        pool_id: &user.pool_id,
        user_name: &user.username,
        client_id: caller.client_id,
        request: Value::Object(req),
        response: json!({}),
    })?;
    Ok(())
}

/// Fires `PostAuthentication_Authentication` for `user`, signed in.
pub(crate) fn post_authentication(
    issuer: &Issuer,
    user: &User,
    new_device_used: bool,
    caller: Caller<'_>,
) -> Result<(), TriggerError> {
    let mut req = request(user_attributes(user), caller);
    req.insert("newDeviceUsed".into(), new_device_used.into());
    issuer.fire(Invocation {
        kind: TriggerKind::PostAuthentication,
        source: "PostAuthentication_Authentication",
        pool_id: &user.pool_id,
        user_name: &user.username,
        client_id: caller.client_id,
        request: Value::Object(req),
        response: json!({}),
    })?;
    Ok(())
}

/// The code placeholder of custom messages.
pub(crate) const CODE_PARAMETER: &str = "{####}";
/// The username placeholder of `CustomMessage_AdminCreateUser`.
pub(crate) const USERNAME_PARAMETER: &str = "{username}";

/// A custom message trigger's texts, with the placeholders still in.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct CustomText {
    /// `emailMessage`.
    pub email_message: Option<String>,
    /// `emailSubject`.
    pub email_subject: Option<String>,
    /// `smsMessage`.
    pub sms_message: Option<String>,
    /// Whether `{username}` must be present too (AdminCreateUser).
    pub needs_username: bool,
}

impl CustomText {
    /// The final text for `medium` (`EMAIL` or `SMS`) with `code` (and
    /// `username`) in place of the placeholders; `None` when the trigger
    /// set no text for the medium or left a required placeholder out (AWS
    /// then sends its default message).
    pub(crate) fn render(&self, medium: &str, code: &str, username: &str) -> Option<String> {
        let template = match medium {
            "SMS" => self.sms_message.as_deref(),
            _ => self.email_message.as_deref(),
        }?;
        if !template.contains(CODE_PARAMETER)
            || (self.needs_username && !template.contains(USERNAME_PARAMETER))
        {
            tracing::warn!(
                target: "cognito_issuer::triggers",
                "CustomMessage left out a required placeholder; the default message is sent"
            );
            return None;
        }
        Some(
            template
                .replace(USERNAME_PARAMETER, username)
                .replace(CODE_PARAMETER, code),
        )
    }
}

/// Fires `CustomMessage` (`source`: `CustomMessage_SignUp`, `_ResendCode`,
/// `_ForgotPassword`, `_UpdateUserAttribute`, `_VerifyUserAttribute`,
/// `_AdminCreateUser`, `_Authentication`) for a message to `user`.
pub(crate) fn custom_message(
    issuer: &Issuer,
    user: &User,
    source: &str,
    caller: Caller<'_>,
) -> Result<Option<CustomText>, TriggerError> {
    let kind = TriggerKind::CustomMessage;
    let admin = source == "CustomMessage_AdminCreateUser";
    let mut req = request(user_attributes(user), caller);
    req.insert("codeParameter".into(), CODE_PARAMETER.into());
    req.insert("linkParameter".into(), "{##Click Here##}".into());
    req.insert(
        "usernameParameter".into(),
        if admin {
            USERNAME_PARAMETER.into()
        } else {
            Value::Null
        },
    );
    let answer = issuer.fire(Invocation {
        kind,
        source,
        pool_id: &user.pool_id,
        user_name: &user.username,
        client_id: caller.client_id,
        request: Value::Object(req),
        response: json!({ "smsMessage": null, "emailMessage": null, "emailSubject": null }),
    })?;
    let Some(r) = answer else {
        return Ok(None);
    };
    Ok(Some(CustomText {
        email_message: text(kind, &r, "emailMessage")?,
        email_subject: text(kind, &r, "emailSubject")?,
        sms_message: text(kind, &r, "smsMessage")?,
        needs_username: admin,
    }))
}

/// The user a user migration trigger returned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Migrated {
    /// `userAttributes` (string values).
    pub attributes: BTreeMap<String, String>,
    /// `finalUserStatus`: `CONFIRMED` or `RESET_REQUIRED` (default
    /// `RESET_REQUIRED` for `_ForgotPassword`, `CONFIRMED` for
    /// `_Authentication`, as the password is then known).
    pub final_status: Option<String>,
    /// `messageAction`: `SUPPRESS` or none.
    pub message_action: Option<String>,
    /// `desiredDeliveryMediums`.
    pub desired_delivery_mediums: Vec<String>,
    /// `forceAliasCreation`.
    pub force_alias_creation: bool,
}

/// Fires `UserMigration` (`UserMigration_Authentication` with the
/// password, or `UserMigration_ForgotPassword` without) for a name no
/// user holds. `Ok(None)`: no trigger, or the handler returned no
/// `userAttributes` (the user stays unknown).
pub(crate) fn user_migration(
    issuer: &Issuer,
    pool_id: &str,
    username: &str,
    password: Option<&str>,
    validation_data: Option<&BTreeMap<String, String>>,
    caller: Caller<'_>,
) -> Result<Option<Migrated>, TriggerError> {
    let kind = TriggerKind::UserMigration;
    let source = match password {
        Some(_) => "UserMigration_Authentication",
        None => "UserMigration_ForgotPassword",
    };
    let mut req = Map::new();
    if let Some(p) = password {
        req.insert("password".into(), p.into());
    }
    req.insert("validationData".into(), json!(validation_data));
    if let Some(m) = caller.metadata {
        req.insert("clientMetadata".into(), json!(m));
    }
    let answer = issuer.fire(Invocation {
        kind,
        source,
        pool_id,
        user_name: username,
        client_id: caller.client_id,
        request: Value::Object(req),
        response: json!({ "userAttributes": null, "finalUserStatus": null,
                          "messageAction": null, "desiredDeliveryMediums": null,
                          "forceAliasCreation": null }),
    })?;
    let Some(r) = answer else {
        return Ok(None);
    };
    let attributes = match r.get("userAttributes") {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::Object(m)) => m
            .iter()
            .map(|(k, v)| match v {
                Value::String(s) => Ok((k.clone(), s.clone())),
                Value::Bool(b) => Ok((k.clone(), b.to_string())),
                Value::Number(n) => Ok((k.clone(), n.to_string())),
                _ => Err(TriggerError::Unrecognizable { kind }),
            })
            .collect::<Result<BTreeMap<_, _>, _>>()?,
        Some(_) => return Err(TriggerError::Unrecognizable { kind }),
    };
    let mediums = match r.get("desiredDeliveryMediums") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(a)) => a
            .iter()
            .map(|m| m.as_str().map(str::to_string))
            .collect::<Option<Vec<_>>>()
            .ok_or(TriggerError::Unrecognizable { kind })?,
        Some(_) => return Err(TriggerError::Unrecognizable { kind }),
    };
    Ok(Some(Migrated {
        attributes,
        final_status: text(kind, &r, "finalUserStatus")?,
        message_action: text(kind, &r, "messageAction")?,
        desired_delivery_mediums: mediums,
        force_alias_creation: flag(kind, &r, "forceAliasCreation")?,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn custom_texts_need_their_placeholders() {
        let t = CustomText {
            email_message: Some("Hi {username}, code {####}".into()),
            sms_message: Some("no code here".into()),
            ..Default::default()
        };
        assert_eq!(
            t.render("EMAIL", "123456", "bob").as_deref(),
            Some("Hi bob, code 123456")
        );
        assert_eq!(t.render("SMS", "123456", "bob"), None);
        let admin = CustomText {
            email_message: Some("code {####}".into()),
            needs_username: true,
            ..Default::default()
        };
        assert_eq!(admin.render("EMAIL", "1", "bob"), None);
    }

    #[test]
    fn flags_must_be_booleans() {
        let k = TriggerKind::PreSignUp;
        let r = json!({"autoConfirmUser": true, "autoVerifyEmail": null, "x": "true"});
        assert_eq!(flag(k, &r, "autoConfirmUser"), Ok(true));
        assert_eq!(flag(k, &r, "autoVerifyEmail"), Ok(false));
        assert_eq!(flag(k, &r, "missing"), Ok(false));
        assert!(flag(k, &r, "x").is_err());
    }
}
