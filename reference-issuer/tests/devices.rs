//! Remembered devices over real HTTP with the real SQLite file, the client
//! side computed as Amplify computes it (`generateHashDevice` for
//! ConfirmDevice, `handleDeviceSRPAuth` for the device's SRP proof):
//! `DeviceConfiguration` echoed, `NewDeviceMetadata` and `device_key` only
//! in pools that track devices, ConfirmDevice, `DEVICE_SRP_AUTH` /
//! `DEVICE_PASSWORD_VERIFIER` skipping TOTP MFA for a remembered device and
//! not for a new, not-remembered or forgotten one, wrong device proofs
//! counted by the lockout, the device operations and their Admin forms,
//! and refresh tokens bound to their device.

use crate::common;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use cognito_issuer::srp;
use cognito_issuer::{IssuerConfig, IssuerOptions, IssuerServer, RunningIssuer};
use common::{PASSWORD, call, claims, ok};
use num_bigint::BigUint;
use serde_json::{Value, json};

const POOL: &str = "us-east-1_DevicePl1";
const CLIENT: &str = "devicesclient0000000000001";
const PLAIN_POOL: &str = "us-east-1_NoDevice1";
const PLAIN_CLIENT: &str = "devicesplainclient00000001";
const PROMPT_POOL: &str = "us-east-1_PromptDv1";
const PROMPT_CLIENT: &str = "devicespromptclient0000001";

const CONFIG: &str = r#"
[[pools]]
name = "devices"
id = "us-east-1_DevicePl1"
device_configuration = { challenge_required_on_new_device = true, device_only_remembered_on_user_prompt = false }

[[pools.clients]]
name = "spa"
id = "devicesclient0000000000001"
explicit_auth_flows = ["ALLOW_USER_SRP_AUTH", "ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]

[[pools.users]]
username = "alice"
password = "Corr3ct-Horse!"

[[pools.users]]
username = "bob"
password = "Corr3ct-Horse!"

[[pools]]
name = "plain"
id = "us-east-1_NoDevice1"

[[pools.clients]]
name = "plain"
id = "devicesplainclient00000001"
explicit_auth_flows = ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]

[[pools.users]]
username = "carol"
password = "Corr3ct-Horse!"

[[pools]]
name = "prompt"
id = "us-east-1_PromptDv1"
device_configuration = { challenge_required_on_new_device = true, device_only_remembered_on_user_prompt = true }

[[pools.clients]]
name = "prompt"
id = "devicespromptclient0000001"
explicit_auth_flows = ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]

[[pools.users]]
username = "dave"
password = "Corr3ct-Horse!"
"#;

async fn start(dir: &std::path::Path) -> RunningIssuer {
    let mut opts = IssuerOptions::new(dir);
    opts.config = Some(IssuerConfig::from_toml_str(CONFIG).unwrap());
    IssuerServer::start(opts).await.unwrap()
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

fn random(n: usize) -> Vec<u8> {
    use rand::Rng;
    let mut b = vec![0u8; n];
    rand::rng().fill(&mut b[..]);
    b
}

/// What a client keeps of a confirmed device (Amplify's device metadata).
#[derive(Clone)]
struct DeviceSecret {
    key: String,
    group_key: String,
    password: String,
}

impl DeviceSecret {
    /// The device of a result's `NewDeviceMetadata`, with a fresh secret.
    fn from_result(result: &Value) -> Self {
        let m = &result["NewDeviceMetadata"];
        Self {
            key: m["DeviceKey"].as_str().expect("DeviceKey").to_string(),
            group_key: m["DeviceGroupKey"]
                .as_str()
                .expect("DeviceGroupKey")
                .to_string(),
            password: STANDARD.encode(random(40)),
        }
    }

    /// ConfirmDevice's `DeviceSecretVerifierConfig`, as Amplify's
    /// `generateHashDevice` makes it: base64 of the padded-hex bytes of a
    /// random 16-byte salt and of `g^x`, `x` over the group key, the
    /// device key and the secret.
    fn verifier_config(&self) -> Value {
        let salt = BigUint::from_bytes_be(&random(16));
        let ver = srp::Verifier::in_realm(&self.group_key, &self.key, &self.password, salt);
        json!({
            "Salt": STANDARD.encode(srp::pad(&ver.salt)),
            "PasswordVerifier": STANDARD.encode(srp::pad(&ver.v)),
        })
    }
}

async fn password_sign_in(
    base: &str,
    client: &str,
    user: &str,
    device_key: Option<&str>,
) -> Result<Value, (String, String)> {
    let mut params = json!({ "USERNAME": user, "PASSWORD": PASSWORD });
    if let Some(k) = device_key {
        params["DEVICE_KEY"] = k.into();
    }
    call(
        base,
        "InitiateAuth",
        json!({ "ClientId": client, "AuthFlow": "USER_PASSWORD_AUTH", "AuthParameters": params }),
    )
    .await
}

/// USER_SRP_AUTH with `DEVICE_KEY`, as Amplify sends it (in AuthParameters
/// and in the PASSWORD_VERIFIER answer): the step after the password proof.
async fn srp_sign_in(base: &str, user: &str, device_key: &str) -> Value {
    let a = BigUint::from_bytes_be(&random(32));
    let big_a = srp::group().g.modpow(&a, &srp::group().n);
    let r = ok(
        base,
        "InitiateAuth",
        json!({ "ClientId": CLIENT, "AuthFlow": "USER_SRP_AUTH",
                "AuthParameters": { "USERNAME": user, "SRP_A": format!("{big_a:x}"),
                                    "DEVICE_KEY": device_key } }),
    )
    .await;
    assert_eq!(r["ChallengeName"], "PASSWORD_VERIFIER");
    let p = &r["ChallengeParameters"];
    let s = |k: &str| p[k].as_str().unwrap().to_string();
    let salt = BigUint::parse_bytes(s("SALT").as_bytes(), 16).unwrap();
    let big_b = BigUint::parse_bytes(s("SRP_B").as_bytes(), 16).unwrap();
    let user_id = s("USER_ID_FOR_SRP");
    let key = srp::client_key(POOL, &user_id, PASSWORD, &salt, &a, &big_b).unwrap();
    let block = STANDARD.decode(s("SECRET_BLOCK")).unwrap();
    let ts = srp::format_timestamp(now());
    let sig = srp::claim_signature(&key, POOL, &user_id, &block, &ts);
    ok(
        base,
        "RespondToAuthChallenge",
        json!({ "ClientId": CLIENT, "ChallengeName": "PASSWORD_VERIFIER",
                "ChallengeResponses": { "USERNAME": user_id, "PASSWORD_CLAIM_SECRET_BLOCK": s("SECRET_BLOCK"),
                    "TIMESTAMP": ts, "PASSWORD_CLAIM_SIGNATURE": STANDARD.encode(sig),
                    "DEVICE_KEY": device_key } }),
    )
    .await
}

/// Answers `DEVICE_SRP_AUTH` and `DEVICE_PASSWORD_VERIFIER` as Amplify's
/// `handleDeviceSRPAuth` does, proving `secret` (whose key may be another
/// device's secret, to fail).
async fn device_proof(
    base: &str,
    client: &str,
    challenge: &Value,
    device: &DeviceSecret,
    secret: &str,
) -> Result<Value, (String, String)> {
    assert_eq!(challenge["ChallengeName"], "DEVICE_SRP_AUTH");
    let username = challenge["ChallengeParameters"]["USERNAME"]
        .as_str()
        .unwrap()
        .to_string();
    let a = BigUint::from_bytes_be(&random(32));
    let big_a = srp::group().g.modpow(&a, &srp::group().n);
    let r = ok(
        base,
        "RespondToAuthChallenge",
        json!({ "ClientId": client, "ChallengeName": "DEVICE_SRP_AUTH", "Session": challenge["Session"],
                "ChallengeResponses": { "USERNAME": username, "DEVICE_KEY": device.key,
                                        "SRP_A": format!("{big_a:x}") } }),
    )
    .await;
    assert_eq!(r["ChallengeName"], "DEVICE_PASSWORD_VERIFIER");
    let p = &r["ChallengeParameters"];
    let mut names: Vec<&str> = p.as_object().unwrap().keys().map(String::as_str).collect();
    names.sort_unstable();
    assert_eq!(
        names,
        ["DEVICE_KEY", "SALT", "SECRET_BLOCK", "SRP_B", "USERNAME"]
    );
    assert_eq!(p["DEVICE_KEY"], device.key.as_str());
    let s = |k: &str| p[k].as_str().unwrap().to_string();
    let salt = BigUint::parse_bytes(s("SALT").as_bytes(), 16).unwrap();
    let big_b = BigUint::parse_bytes(s("SRP_B").as_bytes(), 16).unwrap();
    let key = srp::client_key_in(&device.group_key, &device.key, secret, &salt, &a, &big_b)
        .expect("valid B");
    let block = STANDARD.decode(s("SECRET_BLOCK")).unwrap();
    let ts = srp::format_timestamp(now());
    let sig = srp::claim_signature_in(&key, &device.group_key, &device.key, &block, &ts);
    call(
        base,
        "RespondToAuthChallenge",
        json!({ "ClientId": client, "ChallengeName": "DEVICE_PASSWORD_VERIFIER", "Session": r["Session"],
                "ChallengeResponses": { "USERNAME": s("USERNAME"), "DEVICE_KEY": device.key,
                    "PASSWORD_CLAIM_SECRET_BLOCK": s("SECRET_BLOCK"), "TIMESTAMP": ts,
                    "PASSWORD_CLAIM_SIGNATURE": STANDARD.encode(sig) } }),
    )
    .await
}

async fn confirm(base: &str, access_token: &str, device: &DeviceSecret) -> Value {
    ok(
        base,
        "ConfirmDevice",
        json!({ "AccessToken": access_token, "DeviceKey": device.key, "DeviceName": "test laptop",
                "DeviceSecretVerifierConfig": device.verifier_config() }),
    )
    .await
}

fn totp(secret_b32: &str, at: i64) -> String {
    let bytes = totp_rs::Secret::Encoded(secret_b32.to_string())
        .to_bytes()
        .unwrap();
    totp_rs::TOTP::new_unchecked(totp_rs::Algorithm::SHA1, 6, 1, 30, bytes).generate(at as u64)
}

fn is_device_key(k: &str) -> bool {
    k.strip_prefix("us-east-1_")
        .is_some_and(|u| u.len() == 36 && u.chars().all(|c| c.is_ascii_hexdigit() || c == '-'))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn new_device_metadata_only_where_the_pool_tracks_devices() {
    let dir = tempfile::tempdir().unwrap();
    let issuer = start(dir.path()).await;
    let base = issuer.base_url().to_string();

    // DescribeUserPool echoes the configuration exactly; none: no member.
    let d = issuer
        .call("DescribeUserPool", json!({ "UserPoolId": POOL }))
        .await
        .unwrap();
    assert_eq!(
        d["UserPool"]["DeviceConfiguration"],
        json!({ "ChallengeRequiredOnNewDevice": true, "DeviceOnlyRememberedOnUserPrompt": false })
    );
    let d = issuer
        .call("DescribeUserPool", json!({ "UserPoolId": PLAIN_POOL }))
        .await
        .unwrap();
    assert!(d["UserPool"].get("DeviceConfiguration").is_none());
    let created = issuer
        .call(
            "CreateUserPool",
            json!({ "PoolName": "echo", "DeviceConfiguration": { "ChallengeRequiredOnNewDevice": true } }),
        )
        .await
        .unwrap();
    let id = created["UserPool"]["Id"].as_str().unwrap();
    assert_eq!(
        created["UserPool"]["DeviceConfiguration"],
        json!({ "ChallengeRequiredOnNewDevice": true })
    );
    let d = issuer
        .call("DescribeUserPool", json!({ "UserPoolId": id }))
        .await
        .unwrap();
    assert_eq!(
        d["UserPool"]["DeviceConfiguration"],
        json!({ "ChallengeRequiredOnNewDevice": true })
    );

    // No DeviceConfiguration: no device, no device_key.
    let r = password_sign_in(&base, PLAIN_CLIENT, "carol", None)
        .await
        .unwrap();
    let result = &r["AuthenticationResult"];
    assert!(result.get("NewDeviceMetadata").is_none());
    assert!(
        claims(result["AccessToken"].as_str().unwrap())
            .get("device_key")
            .is_none()
    );

    // With one: every sign-in without a DEVICE_KEY gets a new device; the
    // user's devices share one group key.
    let r = password_sign_in(&base, CLIENT, "alice", None)
        .await
        .unwrap();
    let result = &r["AuthenticationResult"];
    let mut members: Vec<&str> = result
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    members.sort_unstable();
    assert_eq!(
        members,
        [
            "AccessToken",
            "ExpiresIn",
            "IdToken",
            "NewDeviceMetadata",
            "RefreshToken",
            "TokenType"
        ]
    );
    let meta = &result["NewDeviceMetadata"];
    assert_eq!(meta.as_object().unwrap().len(), 2);
    let key = meta["DeviceKey"].as_str().unwrap();
    assert!(is_device_key(key), "{key}");
    let group = meta["DeviceGroupKey"].as_str().unwrap();
    assert!(!group.is_empty());
    let at = claims(result["AccessToken"].as_str().unwrap());
    assert_eq!(at["device_key"], key);
    assert!(
        claims(result["IdToken"].as_str().unwrap())
            .get("device_key")
            .is_none()
    );
    let again = password_sign_in(&base, CLIENT, "alice", None)
        .await
        .unwrap();
    let meta2 = &again["AuthenticationResult"]["NewDeviceMetadata"];
    assert_ne!(meta2["DeviceKey"], key);
    assert_eq!(meta2["DeviceGroupKey"], group);
    // An unconfirmed device is not listed.
    let list = ok(
        &base,
        "ListDevices",
        json!({ "AccessToken": result["AccessToken"] }),
    )
    .await;
    assert_eq!(list, json!({ "Devices": [] }));
    issuer.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_remembered_device_replaces_totp_mfa_and_others_do_not() {
    let dir = tempfile::tempdir().unwrap();
    let issuer = start(dir.path()).await;
    let base = issuer.base_url().to_string();

    // Alice signs in (MFA off), confirms her device and enrols TOTP.
    let r = password_sign_in(&base, CLIENT, "alice", None)
        .await
        .unwrap();
    let first = r["AuthenticationResult"].clone();
    let device = DeviceSecret::from_result(&first);
    let access = first["AccessToken"].as_str().unwrap();
    assert_eq!(
        confirm(&base, access, &device).await,
        json!({ "UserConfirmationNecessary": false })
    );
    let secret = ok(
        &base,
        "AssociateSoftwareToken",
        json!({ "AccessToken": access }),
    )
    .await["SecretCode"]
        .as_str()
        .unwrap()
        .to_string();
    let t = now();
    ok(
        &base,
        "VerifySoftwareToken",
        json!({ "AccessToken": access, "UserCode": totp(&secret, t) }),
    )
    .await;
    issuer
        .call(
            "SetUserPoolMfaConfig",
            json!({ "UserPoolId": POOL, "MfaConfiguration": "ON",
                    "SoftwareTokenMfaConfiguration": { "Enabled": true } }),
        )
        .await
        .unwrap();

    // The remembered device: SRP password proof, then the device's proof,
    // then tokens without MFA (and without a new device).
    let r = srp_sign_in(&base, "alice", &device.key).await;
    let mut names: Vec<&str> = r["ChallengeParameters"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    names.sort_unstable();
    assert_eq!(names, ["USERNAME"]);
    assert!(r["Session"].is_string());
    let done = device_proof(&base, CLIENT, &r, &device, &device.password)
        .await
        .unwrap();
    let result = &done["AuthenticationResult"];
    assert!(result.get("NewDeviceMetadata").is_none());
    assert!(result["RefreshToken"].is_string());
    assert_eq!(
        claims(result["AccessToken"].as_str().unwrap())["device_key"],
        device.key.as_str()
    );

    // A new device (no DEVICE_KEY) still gets the TOTP challenge, and its
    // answer issues a device.
    let r = password_sign_in(&base, CLIENT, "alice", None)
        .await
        .unwrap();
    assert_eq!(r["ChallengeName"], "SOFTWARE_TOKEN_MFA");
    let done = ok(
        &base,
        "RespondToAuthChallenge",
        json!({ "ClientId": CLIENT, "ChallengeName": "SOFTWARE_TOKEN_MFA", "Session": r["Session"],
                "ChallengeResponses": { "USERNAME": "alice",
                                        "SOFTWARE_TOKEN_MFA_CODE": totp(&secret, t + 30) } }),
    )
    .await;
    let other = DeviceSecret::from_result(&done["AuthenticationResult"]);
    assert_ne!(other.key, device.key);
    assert_eq!(other.group_key, device.group_key);

    // Not remembered: the key is known (no new device) but MFA comes back.
    ok(
        &base,
        "UpdateDeviceStatus",
        json!({ "AccessToken": access, "DeviceKey": device.key,
                "DeviceRememberedStatus": "not_remembered" }),
    )
    .await;
    let r = password_sign_in(&base, CLIENT, "alice", Some(&device.key))
        .await
        .unwrap();
    assert_eq!(r["ChallengeName"], "SOFTWARE_TOKEN_MFA");
    // Remembered again: device authentication again (after a password
    // first factor too), and a wrong device secret is refused.
    ok(
        &base,
        "UpdateDeviceStatus",
        json!({ "AccessToken": access, "DeviceKey": device.key,
                "DeviceRememberedStatus": "remembered" }),
    )
    .await;
    let r = password_sign_in(&base, CLIENT, "alice", Some(&device.key))
        .await
        .unwrap();
    let wrong = device_proof(&base, CLIENT, &r, &device, "not-the-device-secret")
        .await
        .unwrap_err();
    assert_eq!(
        wrong,
        (
            "NotAuthorizedException".to_string(),
            "Incorrect username or password.".to_string()
        )
    );

    // Forgotten: the key no longer signs in (the error Amplify recognises
    // to drop its stored key).
    ok(
        &base,
        "ForgetDevice",
        json!({ "AccessToken": access, "DeviceKey": device.key }),
    )
    .await;
    for r in [
        password_sign_in(&base, CLIENT, "alice", Some(&device.key)).await,
        password_sign_in(
            &base,
            CLIENT,
            "alice",
            Some("us-east-1_00000000-0000-4000-8000-000000000000"),
        )
        .await,
    ] {
        assert_eq!(
            r.unwrap_err(),
            (
                "ResourceNotFoundException".to_string(),
                "Device does not exist.".to_string()
            )
        );
    }
    // Another user's device is not theirs to use.
    let r = password_sign_in(&base, CLIENT, "bob", Some(&other.key))
        .await
        .unwrap_err();
    assert_eq!(r.0, "ResourceNotFoundException");
    issuer.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_device_proofs_count_towards_the_lockout() {
    let dir = tempfile::tempdir().unwrap();
    let issuer = start(dir.path()).await;
    let base = issuer.base_url().to_string();
    let r = password_sign_in(&base, CLIENT, "bob", None).await.unwrap();
    let device = DeviceSecret::from_result(&r["AuthenticationResult"]);
    confirm(
        &base,
        r["AuthenticationResult"]["AccessToken"].as_str().unwrap(),
        &device,
    )
    .await;
    // Five wrong device proofs, each after a right password.
    for _ in 0..5 {
        let r = password_sign_in(&base, CLIENT, "bob", Some(&device.key))
            .await
            .unwrap();
        let e = device_proof(&base, CLIENT, &r, &device, "guess").await;
        assert_eq!(e.unwrap_err().0, "NotAuthorizedException");
    }
    let (kind, message) = password_sign_in(&base, CLIENT, "bob", Some(&device.key))
        .await
        .unwrap_err();
    assert_eq!(
        (kind.as_str(), message.as_str()),
        ("NotAuthorizedException", "Password attempts exceeded")
    );
    issuer.shutdown().await.unwrap();
}

/// The exact `DeviceType` of a confirmed device.
fn assert_device_shape(d: &Value, key: &str, status: &str) {
    let mut members: Vec<&str> = d.as_object().unwrap().keys().map(String::as_str).collect();
    members.sort_unstable();
    assert_eq!(
        members,
        [
            "DeviceAttributes",
            "DeviceCreateDate",
            "DeviceKey",
            "DeviceLastAuthenticatedDate",
            "DeviceLastModifiedDate"
        ]
    );
    assert_eq!(d["DeviceKey"], key);
    assert_eq!(
        d["DeviceAttributes"],
        json!([
            { "Name": "device_status", "Value": "valid" },
            { "Name": "device_name", "Value": "test laptop" },
            { "Name": "dev:device_remembered_status", "Value": status },
        ])
    );
    for date in [
        "DeviceCreateDate",
        "DeviceLastModifiedDate",
        "DeviceLastAuthenticatedDate",
    ] {
        let t = d[date].as_f64().unwrap();
        assert!((t - now() as f64).abs() < 600.0, "{date}: {t}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn device_operations_and_their_admin_forms() {
    let dir = tempfile::tempdir().unwrap();
    let issuer = start(dir.path()).await;
    let base = issuer.base_url().to_string();
    let r = password_sign_in(&base, CLIENT, "alice", None)
        .await
        .unwrap();
    let access = r["AuthenticationResult"]["AccessToken"]
        .as_str()
        .unwrap()
        .to_string();
    let device = DeviceSecret::from_result(&r["AuthenticationResult"]);
    confirm(&base, &access, &device).await;
    // Confirming twice is refused.
    let e = call(
        &base,
        "ConfirmDevice",
        json!({ "AccessToken": access, "DeviceKey": device.key,
                "DeviceSecretVerifierConfig": device.verifier_config() }),
    )
    .await
    .unwrap_err();
    assert_eq!(e.0, "DeviceKeyExistsException");
    // A verifier that is no SRP value is refused.
    let r2 = password_sign_in(&base, CLIENT, "alice", None)
        .await
        .unwrap();
    let second = DeviceSecret::from_result(&r2["AuthenticationResult"]);
    let e = call(
        &base,
        "ConfirmDevice",
        json!({ "AccessToken": access, "DeviceKey": second.key,
                "DeviceSecretVerifierConfig": { "PasswordVerifier": "AAAA", "Salt": "AQID" } }),
    )
    .await
    .unwrap_err();
    assert_eq!(e.0, "InvalidParameterException");

    let list = ok(&base, "ListDevices", json!({ "AccessToken": access })).await;
    assert_eq!(list.as_object().unwrap().len(), 1, "{list}");
    assert_eq!(list["Devices"].as_array().unwrap().len(), 1);
    assert_device_shape(&list["Devices"][0], &device.key, "remembered");
    let admin_list = issuer
        .call(
            "AdminListDevices",
            json!({ "UserPoolId": POOL, "Username": "alice" }),
        )
        .await
        .unwrap();
    assert_eq!(admin_list, list);

    let got = ok(
        &base,
        "GetDevice",
        json!({ "AccessToken": access, "DeviceKey": device.key }),
    )
    .await;
    assert_eq!(got.as_object().unwrap().len(), 1);
    assert_device_shape(&got["Device"], &device.key, "remembered");

    assert_eq!(
        issuer
            .call(
                "AdminUpdateDeviceStatus",
                json!({ "UserPoolId": POOL, "Username": "alice", "DeviceKey": device.key,
                        "DeviceRememberedStatus": "not_remembered" }),
            )
            .await
            .unwrap(),
        json!({})
    );
    let got = issuer
        .call(
            "AdminGetDevice",
            json!({ "UserPoolId": POOL, "Username": "alice", "DeviceKey": device.key }),
        )
        .await
        .unwrap();
    assert_device_shape(&got["Device"], &device.key, "not_remembered");
    let e = call(
        &base,
        "UpdateDeviceStatus",
        json!({ "AccessToken": access, "DeviceKey": device.key,
                "DeviceRememberedStatus": "forever" }),
    )
    .await
    .unwrap_err();
    assert_eq!(
        e,
        (
            "InvalidParameterException".to_string(),
            "1 validation error detected: Value 'forever' at 'deviceRememberedStatus' failed to \
             satisfy constraint: Member must satisfy enum value set: [remembered, not_remembered]"
                .to_string()
        )
    );

    // Another user cannot see or touch it.
    let bob = password_sign_in(&base, CLIENT, "bob", None).await.unwrap();
    let bob_access = bob["AuthenticationResult"]["AccessToken"].as_str().unwrap();
    for op in ["GetDevice", "ForgetDevice", "UpdateDeviceStatus"] {
        let e = call(
            &base,
            op,
            json!({ "AccessToken": bob_access, "DeviceKey": device.key,
                    "DeviceRememberedStatus": "remembered" }),
        )
        .await
        .unwrap_err();
        assert_eq!(
            e,
            (
                "ResourceNotFoundException".to_string(),
                "Device does not exist.".to_string()
            ),
            "{op}"
        );
    }
    // Admin* operations are IAM operations: refused unsigned when the
    // issuer has access keys is covered by tests/sigv4.rs; here the
    // unknown user.
    let e = issuer
        .call(
            "AdminListDevices",
            json!({ "UserPoolId": POOL, "Username": "nobody" }),
        )
        .await
        .unwrap_err();
    assert_eq!(e.type_name, "UserNotFoundException");

    assert_eq!(
        issuer
            .call(
                "AdminForgetDevice",
                json!({ "UserPoolId": POOL, "Username": "alice", "DeviceKey": device.key }),
            )
            .await
            .unwrap(),
        json!({})
    );
    let list = ok(&base, "ListDevices", json!({ "AccessToken": access })).await;
    assert_eq!(list, json!({ "Devices": [] }));
    let e = call(
        &base,
        "ForgetDevice",
        json!({ "AccessToken": access, "DeviceKey": device.key }),
    )
    .await
    .unwrap_err();
    assert_eq!(e.0, "ResourceNotFoundException");
    issuer.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refresh_tokens_are_bound_to_their_device() {
    let dir = tempfile::tempdir().unwrap();
    let issuer = start(dir.path()).await;
    let base = issuer.base_url().to_string();
    let r = password_sign_in(&base, CLIENT, "alice", None)
        .await
        .unwrap();
    let result = r["AuthenticationResult"].clone();
    let device = DeviceSecret::from_result(&result);
    let access = result["AccessToken"].as_str().unwrap();
    confirm(&base, access, &device).await;
    let refresh = |device_key: Option<String>, token: Value| {
        let base = base.clone();
        async move {
            let mut params = json!({ "REFRESH_TOKEN": token });
            if let Some(k) = device_key {
                params["DEVICE_KEY"] = k.into();
            }
            call(
                &base,
                "InitiateAuth",
                json!({ "ClientId": CLIENT, "AuthFlow": "REFRESH_TOKEN_AUTH", "AuthParameters": params }),
            )
            .await
        }
    };
    let token = result["RefreshToken"].clone();
    let invalid = (
        "NotAuthorizedException".to_string(),
        "Invalid Refresh Token".to_string(),
    );
    // Without the device key, or with another one: refused.
    assert_eq!(refresh(None, token.clone()).await.unwrap_err(), invalid);
    let r2 = password_sign_in(&base, CLIENT, "alice", None)
        .await
        .unwrap();
    let other = DeviceSecret::from_result(&r2["AuthenticationResult"]);
    assert_eq!(
        refresh(Some(other.key.clone()), token.clone())
            .await
            .unwrap_err(),
        invalid
    );
    // With it: new tokens naming the same device, no new device.
    let r = refresh(Some(device.key.clone()), token.clone())
        .await
        .unwrap();
    let refreshed = &r["AuthenticationResult"];
    assert!(refreshed.get("NewDeviceMetadata").is_none());
    assert!(refreshed.get("RefreshToken").is_none());
    assert_eq!(
        claims(refreshed["AccessToken"].as_str().unwrap())["device_key"],
        device.key.as_str()
    );
    // GetTokensFromRefreshToken binds the token to its device the same way
    // (what Amplify sends once it remembers a device).
    let get_tokens = |device_key: Option<&str>, token: &Value| {
        let mut input = json!({ "ClientId": CLIENT, "RefreshToken": token });
        if let Some(k) = device_key {
            input["DeviceKey"] = k.into();
        }
        call(&base, "GetTokensFromRefreshToken", input)
    };
    let (kind, _) = get_tokens(None, &token).await.unwrap_err();
    assert_eq!(kind, "NotAuthorizedException");
    let (kind, _) = get_tokens(Some(&other.key), &token).await.unwrap_err();
    assert_eq!(kind, "NotAuthorizedException");
    let r = get_tokens(Some(&device.key), &token).await.unwrap();
    assert_eq!(
        claims(r["AuthenticationResult"]["AccessToken"].as_str().unwrap())["device_key"],
        device.key.as_str()
    );
    // The device signs in with its key (MFA is off: the device proof, then
    // tokens) and that sign-in's refresh token is bound to it too.
    let r = password_sign_in(&base, CLIENT, "alice", Some(&device.key))
        .await
        .unwrap();
    let done = device_proof(&base, CLIENT, &r, &device, &device.password)
        .await
        .unwrap();
    let token2 = done["AuthenticationResult"]["RefreshToken"].clone();
    assert!(
        refresh(Some(device.key.clone()), token2.clone())
            .await
            .is_ok()
    );
    // A forgotten device's refresh tokens stop working.
    ok(
        &base,
        "ForgetDevice",
        json!({ "AccessToken": access, "DeviceKey": device.key }),
    )
    .await;
    for t in [token, token2] {
        assert_eq!(
            refresh(Some(device.key.clone()), t).await.unwrap_err(),
            invalid
        );
    }
    // A pool without devices ignores a DEVICE_KEY.
    let plain = password_sign_in(&base, PLAIN_CLIENT, "carol", None)
        .await
        .unwrap();
    let r = call(
        &base,
        "InitiateAuth",
        json!({ "ClientId": PLAIN_CLIENT, "AuthFlow": "REFRESH_TOKEN_AUTH",
                "AuthParameters": { "REFRESH_TOKEN": plain["AuthenticationResult"]["RefreshToken"],
                                    "DEVICE_KEY": device.key } }),
    )
    .await
    .unwrap();
    assert!(r["AuthenticationResult"]["AccessToken"].is_string());
    issuer.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn opt_in_devices_are_remembered_only_when_the_user_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let issuer = start(dir.path()).await;
    let base = issuer.base_url().to_string();
    let r = password_sign_in(&base, PROMPT_CLIENT, "dave", None)
        .await
        .unwrap();
    let device = DeviceSecret::from_result(&r["AuthenticationResult"]);
    let access = r["AuthenticationResult"]["AccessToken"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        confirm(&base, &access, &device).await,
        json!({ "UserConfirmationNecessary": true })
    );
    let got = issuer
        .call(
            "AdminGetDevice",
            json!({ "UserPoolId": PROMPT_POOL, "Username": "dave", "DeviceKey": device.key }),
        )
        .await
        .unwrap();
    assert_eq!(
        got["Device"]["DeviceAttributes"][2],
        json!({ "Name": "dev:device_remembered_status", "Value": "not_remembered" })
    );
    // Confirmed but not remembered: signs in without device authentication,
    // naming the device, issuing no new one.
    let r = password_sign_in(&base, PROMPT_CLIENT, "dave", Some(&device.key))
        .await
        .unwrap();
    let result = &r["AuthenticationResult"];
    assert!(result.get("NewDeviceMetadata").is_none());
    assert_eq!(
        claims(result["AccessToken"].as_str().unwrap())["device_key"],
        device.key.as_str()
    );
    // Remembered on the user's word: device authentication from then on.
    ok(
        &base,
        "UpdateDeviceStatus",
        json!({ "AccessToken": access, "DeviceKey": device.key,
                "DeviceRememberedStatus": "remembered" }),
    )
    .await;
    let r = password_sign_in(&base, PROMPT_CLIENT, "dave", Some(&device.key))
        .await
        .unwrap();
    let done = device_proof(&base, PROMPT_CLIENT, &r, &device, &device.password)
        .await
        .unwrap();
    assert!(done["AuthenticationResult"]["IdToken"].is_string());
    // A session answers once: replaying the DEVICE_SRP_AUTH step fails.
    let e = call(
        &base,
        "RespondToAuthChallenge",
        json!({ "ClientId": PROMPT_CLIENT, "ChallengeName": "DEVICE_SRP_AUTH", "Session": r["Session"],
                "ChallengeResponses": { "USERNAME": "dave", "DEVICE_KEY": device.key, "SRP_A": "02" } }),
    )
    .await
    .unwrap_err();
    assert_eq!(e.0, "NotAuthorizedException");
    issuer.shutdown().await.unwrap();
}
