//! The outbox: where codes and invitations "go" instead of email or SMS. Each
//! message is logged on the console and stored, readable as JSON at the
//! local-only `GET /_issuer/outbox` endpoint.

use crate::store::Conn as Connection;

use crate::error::Result;
use crate::ids;
use crate::model::User;
use crate::store::outbox::{OutboxMessage, insert_outbox};

/// The kind of a delivered message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum MessageKind {
    /// Sign-up confirmation code.
    SignUp,
    /// Re-sent sign-up confirmation code.
    ResendCode,
    /// Forgot-password code.
    ForgotPassword,
    /// Attribute verification code.
    VerifyAttribute,
    /// Admin-created user invitation with a temporary password.
    Invitation,
}

impl MessageKind {
    fn as_str(self) -> &'static str {
        match self {
            Self::SignUp => "SIGN_UP",
            Self::ResendCode => "RESEND_CODE",
            Self::ForgotPassword => "FORGOT_PASSWORD",
            Self::VerifyAttribute => "VERIFY_ATTRIBUTE",
            Self::Invitation => "INVITATION",
        }
    }
}

/// Where a code goes: the attribute, its medium and the unmasked address.
#[derive(Debug, Clone)]
pub(crate) struct Destination {
    /// `email` or `phone_number`.
    pub attribute: String,
    /// `EMAIL` or `SMS`.
    pub medium: &'static str,
    /// The address.
    pub address: String,
}

impl Destination {
    /// The delivery destination for `attribute` of `user`, if set.
    pub(crate) fn for_attribute(user: &User, attribute: &str) -> Option<Self> {
        let address = user.attr(attribute)?.to_string();
        let medium = match attribute {
            "email" => "EMAIL",
            "phone_number" => "SMS",
            _ => return None,
        };
        Some(Self {
            attribute: attribute.to_string(),
            medium,
            address,
        })
    }
}

/// Masks an address the way Cognito does (`a***@e***`, `+*******1234`).
pub(crate) fn mask(address: &str) -> String {
    if let Some((local, domain)) = address.split_once('@') {
        let l = local.chars().next().unwrap_or('*');
        let d = domain.chars().next().unwrap_or('*');
        format!("{l}***@{d}***")
    } else {
        let n = address.chars().count();
        let tail: String = address.chars().skip(n.saturating_sub(4)).collect();
        format!("+{}{tail}", "*".repeat(n.saturating_sub(5)))
    }
}

/// Stores and logs a message to `user` at `dest`.
pub(crate) fn send(
    conn: &Connection,
    user: &User,
    kind: MessageKind,
    dest: &Destination,
    code: Option<&str>,
    message: String,
) -> Result<()> {
    let msg = OutboxMessage {
        id: 0,
        pool_id: user.pool_id.clone(),
        username: user.username.clone(),
        sub: user.sub.clone(),
        kind: kind.as_str().to_string(),
        medium: dest.medium.to_string(),
        destination: dest.address.clone(),
        code: code.map(str::to_string),
        message,
        created_at: ids::now_f64(),
    };
    insert_outbox(conn, &msg)?;
    // Codes are printed on purpose: the console is one of the outbox's
    // delivery channels. Temporary passwords are not printed (they are only
    // in the stored message).
    tracing::info!(
        target: "cognito_issuer::outbox",
        pool = %msg.pool_id,
        username = %msg.username,
        kind = %msg.kind,
        to = %msg.destination,
        code = code.unwrap_or("-"),
        "outbox message"
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_like_cognito() {
        assert_eq!(mask("alice@example.com"), "a***@e***");
        assert_eq!(mask("+15551234567"), "+*******4567");
    }
}
