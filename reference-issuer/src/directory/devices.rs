//! Users' devices ("remember this device"): a device key issued at
//! sign-in, ConfirmDevice registering the device's SRP verifier, its
//! remembered status, listing and forgetting. The device's part of a
//! sign-in lives in `signin::device`.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use num_bigint::BigUint;

use crate::error::{Error, Result};
use crate::ids;
use crate::issuer::Issuer;
use crate::model::{Device, DeviceConfiguration, RememberedStatus};
use crate::srp;
use crate::store::Conn as Connection;
use crate::store::devices as device_rows;

/// Unconfirmed devices kept per user (every sign-in without a device key
/// issues one; the oldest unconfirmed ones are dropped beyond this).
pub(crate) const MAX_UNCONFIRMED: i64 = 20;

/// `ResourceNotFoundException: Device does not exist.` (what Amplify
/// recognises to drop a stale device key and sign in again).
pub(crate) fn device_not_found() -> Error {
    Error::resource_not_found("Device does not exist.")
}

/// Checks a `DeviceKey` against its shape (`[\w-]+_[0-9a-f-]+`, 1–55).
pub(crate) fn check_key(key: &str) -> Result<()> {
    let shaped = key.len() <= 55
        && key.rsplit_once('_').is_some_and(|(head, tail)| {
            !head.is_empty()
                && !tail.is_empty()
                && head
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
                && tail
                    .chars()
                    .all(|c| c.is_ascii_digit() || ('a'..='f').contains(&c) || c == '-')
        });
    if shaped {
        Ok(())
    } else {
        Err(Error::invalid_parameter(format!(
            "1 validation error detected: Value '{key}' at 'deviceKey' failed to satisfy \
             constraint: Member must satisfy regular expression pattern: [\\w-]+_[0-9a-f-]+"
        )))
    }
}

/// A device of the user, by key (`Device does not exist.` otherwise).
pub(crate) fn find(issuer: &Issuer, pool_id: &str, sub: &str, key: &str) -> Result<Device> {
    check_key(key)?;
    issuer
        .read(|c| Ok(device_rows::get_device(c, pool_id, sub, key)?))?
        .ok_or_else(device_not_found)
}

/// A new device for a sign-in of the user (not stored): a fresh key, and
/// the user's device group key (one per user, made with their first device).
pub(crate) fn new_device(conn: &Connection, pool_id: &str, sub: &str) -> Result<Device> {
    let group_key = device_rows::list_devices(conn, pool_id, sub, false)?
        .into_iter()
        .next()
        .map(|d| d.group_key)
        .unwrap_or_else(ids::device_group_key);
    let now = ids::now_f64();
    Ok(Device {
        key: ids::device_key(pool_id),
        pool_id: pool_id.to_string(),
        sub: sub.to_string(),
        group_key,
        name: None,
        verifier: None,
        status: None,
        created_at: now,
        modified_at: now,
        last_authenticated_at: Some(now),
    })
}

/// Stores a device issued by a sign-in, dropping the user's oldest
/// unconfirmed devices beyond [`MAX_UNCONFIRMED`].
pub(crate) fn store_new(conn: &Connection, device: &Device) -> Result<()> {
    device_rows::put_device(conn, device)?;
    device_rows::prune_unconfirmed(conn, &device.pool_id, &device.sub, MAX_UNCONFIRMED)?;
    Ok(())
}

/// ConfirmDevice's `DeviceSecretVerifierConfig` (base64, as Amplify sends
/// it: the bytes of the padded hex salt and verifier).
#[derive(Debug, Clone, Copy)]
pub(crate) struct VerifierConfig<'a> {
    /// `PasswordVerifier`.
    pub password_verifier: Option<&'a str>,
    /// `Salt`.
    pub salt: Option<&'a str>,
}

impl VerifierConfig<'_> {
    /// The salt and verifier as numbers; refuses what cannot be an SRP
    /// verifier (`0`, `≥ N`, empty, not base64).
    fn parse(self) -> Result<(BigUint, BigUint)> {
        let bad = || {
            Error::invalid_parameter(
                "DeviceSecretVerifierConfig must carry a base64 PasswordVerifier and Salt",
            )
        };
        let number = |s: Option<&str>| -> Result<BigUint> {
            let bytes = STANDARD.decode(s.unwrap_or_default()).map_err(|_| bad())?;
            if bytes.is_empty() || bytes.len() > 1024 {
                return Err(bad());
            }
            Ok(BigUint::from_bytes_be(&bytes))
        };
        let salt = number(self.salt)?;
        let v = number(self.password_verifier)?;
        if v.bits() == 0 || v >= srp::group().n || salt.bits() == 0 {
            return Err(bad());
        }
        Ok((salt, v))
    }
}

/// ConfirmDevice: registers the device's verifier and name. Returns
/// `UserConfirmationNecessary`: with `DeviceOnlyRememberedOnUserPrompt`
/// the device stays not remembered until UpdateDeviceStatus; otherwise it
/// is remembered now.
pub(crate) fn confirm(
    issuer: &Issuer,
    config: Option<DeviceConfiguration>,
    pool_id: &str,
    sub: &str,
    key: &str,
    verifier: Option<VerifierConfig<'_>>,
    name: Option<&str>,
) -> Result<bool> {
    check_key(key)?;
    if let Some(n) = name
        && (n.is_empty() || n.chars().count() > 1024)
    {
        return Err(Error::invalid_parameter(
            "1 validation error detected: Value at 'deviceName' failed to satisfy constraint: \
             Member must have length between 1 and 1024",
        ));
    }
    let verifier = verifier
        .ok_or_else(|| Error::invalid_parameter("DeviceSecretVerifierConfig is required"))?
        .parse()?;
    let prompt = config.is_some_and(|c| c.remembered_on_prompt());
    issuer.write(|tx| {
        let mut d = device_rows::get_device(tx, pool_id, sub, key)?.ok_or_else(device_not_found)?;
        if d.confirmed() {
            return Err(Error::device_key_exists(
                "Device has already been confirmed.",
            ));
        }
        d.verifier = Some(verifier.clone());
        d.name = name.map(str::to_string);
        d.status = Some(if prompt {
            RememberedStatus::NotRemembered
        } else {
            RememberedStatus::Remembered
        });
        d.modified_at = ids::now_f64();
        device_rows::put_device(tx, &d).map_err(Error::from)
    })?;
    Ok(prompt)
}

/// The user's confirmed devices, oldest first (ListDevices).
pub(crate) fn list(issuer: &Issuer, pool_id: &str, sub: &str) -> Result<Vec<Device>> {
    issuer.read(|c| Ok(device_rows::list_devices(c, pool_id, sub, true)?))
}

/// UpdateDeviceStatus: `remembered` or `not_remembered` (absent: no
/// change).
pub(crate) fn set_status(
    issuer: &Issuer,
    pool_id: &str,
    sub: &str,
    key: &str,
    status: Option<&str>,
) -> Result<()> {
    check_key(key)?;
    let status = status
        .map(|s| {
            RememberedStatus::parse(s).ok_or_else(|| {
                Error::invalid_parameter(format!(
                    "1 validation error detected: Value '{s}' at 'deviceRememberedStatus' failed \
                     to satisfy constraint: Member must satisfy enum value set: [remembered, \
                     not_remembered]"
                ))
            })
        })
        .transpose()?;
    issuer.write(|tx| {
        let mut d = device_rows::get_device(tx, pool_id, sub, key)?.ok_or_else(device_not_found)?;
        if let Some(s) = status {
            d.status = Some(s);
            d.modified_at = ids::now_f64();
            device_rows::put_device(tx, &d)?;
        }
        Ok(())
    })
}

/// ForgetDevice: the device can no longer sign in, and the refresh tokens
/// of its sign-ins stop working.
pub(crate) fn forget(issuer: &Issuer, pool_id: &str, sub: &str, key: &str) -> Result<()> {
    check_key(key)?;
    issuer.write(|tx| {
        if device_rows::delete_device(tx, pool_id, sub, key)? {
            Ok(())
        } else {
            Err(device_not_found())
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn device_keys_are_checked_against_their_shape() {
        assert!(check_key("us-east-1_5b1c0c5e-0d5b-4a8e-9c43-2b9e1f0a7d21").is_ok());
        assert!(check_key(&ids::device_key("eu-west-2_AbCdEf123")).is_ok());
        for bad in [
            "",
            "nounderscore",
            "us-east-1_XYZ",
            "_abc",
            "us-east-1_",
            &"a".repeat(60),
        ] {
            assert!(check_key(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn verifier_configs_must_be_usable_srp_values() {
        let ok = VerifierConfig {
            password_verifier: Some("AQID"),
            salt: Some("BAUG"),
        };
        assert_eq!(
            ok.parse().unwrap(),
            (BigUint::from(0x040506u32), BigUint::from(0x010203u32))
        );
        for (v, s) in [
            (None, Some("BAUG")),
            (Some("AQID"), None),
            (Some("not base64!"), Some("BAUG")),
            (Some("AAAA"), Some("BAUG")),
            (Some(""), Some("BAUG")),
        ] {
            let c = VerifierConfig {
                password_verifier: v,
                salt: s,
            };
            assert!(c.parse().is_err(), "{v:?} {s:?}");
        }
        let n = STANDARD.encode(srp::group().n.to_bytes_be());
        let c = VerifierConfig {
            password_verifier: Some(&n),
            salt: Some("BAUG"),
        };
        assert!(c.parse().is_err());
    }
}
