//! UpdateUserPool and the user pool domain operations over real HTTP with
//! the real SQLite file: updated settings take effect (password policy at
//! SignUp, sign-in factors at USER_AUTH, device tracking at sign-in),
//! omitted settings return to their defaults, refusals are CreateUserPool's
//! and change nothing, and domains are created, described (also in
//! DescribeUserPool), refused when invalid or taken, and deleted.

use crate::common;

use cognito_issuer::{IssuerConfig, IssuerOptions, IssuerServer, RunningIssuer};
use common::{PASSWORD, call, ok};
use serde_json::{Value, json};

const POOL: &str = "us-east-1_PoolUpd001";
const CLIENT: &str = "poolupdateclient0000000001";

const CONFIG: &str = r#"
[[pools]]
name = "updates"
id = "us-east-1_PoolUpd001"

[[pools.clients]]
name = "app"
id = "poolupdateclient0000000001"
explicit_auth_flows = ["ALLOW_USER_AUTH", "ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]

[[pools.users]]
username = "alice"
password = "Corr3ct-Horse!"
attributes = { email = "alice@example.com", email_verified = "true" }
"#;

async fn start(dir: &std::path::Path) -> RunningIssuer {
    let mut opts = IssuerOptions::new(dir);
    opts.config = Some(IssuerConfig::from_toml_str(CONFIG).unwrap());
    IssuerServer::start(opts).await.unwrap()
}

async fn describe(base: &str, pool: &str) -> Value {
    ok(base, "DescribeUserPool", json!({ "UserPoolId": pool })).await["UserPool"].clone()
}

async fn sign_up(base: &str, username: &str, password: &str) -> Result<Value, (String, String)> {
    call(
        base,
        "SignUp",
        json!({ "ClientId": CLIENT, "Username": username, "Password": password,
                "UserAttributes": [{"Name": "email", "Value": format!("{username}@example.com")}] }),
    )
    .await
}

async fn jwks(base: &str, pool: &str) -> Value {
    reqwest::get(format!("{base}/{pool}/.well-known/jwks.json"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

#[tokio::test]
async fn update_replaces_the_password_policy_and_keeps_identity_keys_and_users() {
    let dir = tempfile::tempdir().unwrap();
    let issuer = start(dir.path()).await;
    let base = issuer.base_url().to_string();
    let before = describe(&base, POOL).await;
    let keys_before = jwks(&base, POOL).await;
    let (kind, _) = sign_up(&base, "weak1", "password").await.unwrap_err();
    assert_eq!(kind, "InvalidPasswordException");

    // Let the clock move so the new LastModifiedDate is later.
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    let lax = json!({ "PasswordPolicy": { "MinimumLength": 6, "RequireUppercase": false,
        "RequireLowercase": false, "RequireNumbers": false, "RequireSymbols": false,
        "TemporaryPasswordValidityDays": 3 } });
    let r = ok(
        &base,
        "UpdateUserPool",
        json!({ "UserPoolId": POOL, "Policies": lax }),
    )
    .await;
    assert_eq!(r, json!({}));
    sign_up(&base, "weak1", "password").await.unwrap();

    let after = describe(&base, POOL).await;
    assert_eq!(after["Policies"]["PasswordPolicy"], lax["PasswordPolicy"]);
    for key in ["Id", "Name", "Arn", "CreationDate"] {
        assert_eq!(after[key], before[key], "{key}");
    }
    assert!(
        after["LastModifiedDate"].as_f64().unwrap() > before["LastModifiedDate"].as_f64().unwrap()
    );
    assert_eq!(after["EstimatedNumberOfUsers"], 2);
    assert_eq!(jwks(&base, POOL).await, keys_before);
    // The configured user still signs in.
    let r = ok(
        &base,
        "InitiateAuth",
        json!({ "ClientId": CLIENT, "AuthFlow": "USER_PASSWORD_AUTH",
                "AuthParameters": { "USERNAME": "alice", "PASSWORD": PASSWORD } }),
    )
    .await;
    assert!(r["AuthenticationResult"]["IdToken"].is_string(), "{r}");

    // Back to a strict policy: the weak password is refused again.
    ok(
        &base,
        "UpdateUserPool",
        json!({ "UserPoolId": POOL, "Policies": { "PasswordPolicy": { "MinimumLength": 12 } } }),
    )
    .await;
    let (kind, m) = sign_up(&base, "weak2", "password").await.unwrap_err();
    assert_eq!(kind, "InvalidPasswordException", "{m}");
    sign_up(&base, "long2", "long-enough-password")
        .await
        .unwrap();
    issuer.shutdown().await.unwrap();
}

#[tokio::test]
async fn update_sign_in_policy_offers_email_otp_to_user_auth() {
    let dir = tempfile::tempdir().unwrap();
    let issuer = start(dir.path()).await;
    let base = issuer.base_url().to_string();
    let start_auth = |preferred: Option<&str>| {
        let mut params = json!({ "USERNAME": "alice" });
        if let Some(p) = preferred {
            params["PREFERRED_CHALLENGE"] = p.into();
        }
        let base = base.clone();
        async move {
            ok(
                &base,
                "InitiateAuth",
                json!({ "ClientId": CLIENT, "AuthFlow": "USER_AUTH", "AuthParameters": params }),
            )
            .await
        }
    };
    let r = start_auth(None).await;
    assert_eq!(r["ChallengeName"], "SELECT_CHALLENGE", "{r}");
    assert_eq!(
        r["AvailableChallenges"],
        json!(["PASSWORD", "PASSWORD_SRP"])
    );

    let policies =
        json!({ "SignInPolicy": { "AllowedFirstAuthFactors": ["PASSWORD", "EMAIL_OTP"] } });
    ok(
        &base,
        "UpdateUserPool",
        json!({ "UserPoolId": POOL, "Policies": policies }),
    )
    .await;
    let d = describe(&base, POOL).await;
    assert_eq!(d["Policies"]["SignInPolicy"], policies["SignInPolicy"]);
    let r = start_auth(None).await;
    assert_eq!(
        r["AvailableChallenges"],
        json!(["PASSWORD", "PASSWORD_SRP", "EMAIL_OTP"])
    );
    let r = start_auth(Some("EMAIL_OTP")).await;
    assert_eq!(r["ChallengeName"], "EMAIL_OTP", "{r}");
    let code = issuer
        .outbox(Some(POOL), Some("alice"))
        .unwrap()
        .into_iter()
        .find(|m| m.kind == "MFA_CODE")
        .and_then(|m| m.code)
        .expect("a code in the outbox");
    let r = ok(
        &base,
        "RespondToAuthChallenge",
        json!({ "ClientId": CLIENT, "ChallengeName": "EMAIL_OTP", "Session": r["Session"],
                "ChallengeResponses": { "USERNAME": "alice", "EMAIL_OTP_CODE": code } }),
    )
    .await;
    assert!(r["AuthenticationResult"]["AccessToken"].is_string(), "{r}");

    // Requiring MFA with an OTP first factor is refused as Create refuses it.
    let (kind, m) = call(
        &base,
        "UpdateUserPool",
        json!({ "UserPoolId": POOL, "Policies": policies, "MfaConfiguration": "ON" }),
    )
    .await
    .unwrap_err();
    assert_eq!(kind, "InvalidParameterException");
    assert!(m.starts_with("Only PASSWORD and WEB_AUTHN"), "{m}");
    assert_eq!(describe(&base, POOL).await, d);
    issuer.shutdown().await.unwrap();
}

#[tokio::test]
async fn update_device_configuration_turns_device_tracking_on_and_off() {
    let dir = tempfile::tempdir().unwrap();
    let issuer = start(dir.path()).await;
    let base = issuer.base_url().to_string();
    let sign_in = || async {
        ok(
            &base,
            "InitiateAuth",
            json!({ "ClientId": CLIENT, "AuthFlow": "USER_PASSWORD_AUTH",
                    "AuthParameters": { "USERNAME": "alice", "PASSWORD": PASSWORD } }),
        )
        .await["AuthenticationResult"]
            .clone()
    };
    assert!(sign_in().await.get("NewDeviceMetadata").is_none());
    let devices = json!({ "ChallengeRequiredOnNewDevice": true,
                          "DeviceOnlyRememberedOnUserPrompt": false });
    ok(
        &base,
        "UpdateUserPool",
        json!({ "UserPoolId": POOL, "DeviceConfiguration": devices }),
    )
    .await;
    assert_eq!(describe(&base, POOL).await["DeviceConfiguration"], devices);
    let r = sign_in().await;
    assert!(r["NewDeviceMetadata"]["DeviceKey"].is_string(), "{r}");
    // Left out: devices are no longer tracked.
    ok(&base, "UpdateUserPool", json!({ "UserPoolId": POOL })).await;
    assert!(
        describe(&base, POOL)
            .await
            .get("DeviceConfiguration")
            .is_none()
    );
    assert!(sign_in().await.get("NewDeviceMetadata").is_none());
    issuer.shutdown().await.unwrap();
}

#[tokio::test]
async fn omitted_settings_return_to_defaults_and_fixed_ones_stay() {
    let dir = tempfile::tempdir().unwrap();
    let issuer = start(dir.path()).await;
    let base = issuer.base_url().to_string();
    let created = ok(
        &base,
        "CreateUserPool",
        json!({
            "PoolName": "full",
            "Policies": { "PasswordPolicy": { "MinimumLength": 10, "RequireNumbers": true },
                          "SignInPolicy": { "AllowedFirstAuthFactors": ["PASSWORD", "EMAIL_OTP"] } },
            "UsernameAttributes": ["email"],
            "AutoVerifiedAttributes": ["email"],
            "Schema": [{ "Name": "tenant", "AttributeDataType": "String", "Mutable": true }],
            "MfaConfiguration": "OPTIONAL",
            "UsernameConfiguration": { "CaseSensitive": false },
            "DeviceConfiguration": { "ChallengeRequiredOnNewDevice": true },
            "LambdaConfig": { "PreSignUp": "arn:aws:lambda:us-east-1:000000000000:function:f" },
            "VerificationMessageTemplate": { "DefaultEmailOption": "CONFIRM_WITH_LINK" },
            "EmailConfiguration": { "EmailSendingAccount": "COGNITO_DEFAULT" },
            "AdminCreateUserConfig": { "AllowAdminCreateUserOnly": true },
            "AccountRecoverySetting": { "RecoveryMechanisms": [{ "Priority": 1, "Name": "verified_email" }] },
            "UserAttributeUpdateSettings": { "AttributesRequireVerificationBeforeUpdate": ["email"] },
            "DeletionProtection": "ACTIVE",
            "UserPoolTags": { "team": "auth" }
        }),
    )
    .await;
    let id = created["UserPool"]["Id"].as_str().unwrap().to_string();
    let before = describe(&base, &id).await;
    ok(&base, "UpdateUserPool", json!({ "UserPoolId": id })).await;
    let after = describe(&base, &id).await;
    assert_eq!(
        after["Policies"],
        json!({ "PasswordPolicy": { "MinimumLength": 8, "RequireUppercase": true,
                    "RequireLowercase": true, "RequireNumbers": true, "RequireSymbols": true,
                    "TemporaryPasswordValidityDays": 7 },
                "SignInPolicy": { "AllowedFirstAuthFactors": ["PASSWORD"] } })
    );
    assert_eq!(after["MfaConfiguration"], "OFF");
    assert_eq!(after["AutoVerifiedAttributes"], json!([]));
    assert_eq!(after["LambdaConfig"], json!({}));
    for gone in [
        "DeviceConfiguration",
        "VerificationMessageTemplate",
        "EmailConfiguration",
        "AdminCreateUserConfig",
        "AccountRecoverySetting",
        "UserAttributeUpdateSettings",
        "DeletionProtection",
        "UserPoolTags",
    ] {
        assert!(after.get(gone).is_none(), "{gone} kept: {after}");
    }
    for kept in [
        "Id",
        "Name",
        "Arn",
        "CreationDate",
        "UsernameAttributes",
        "SchemaAttributes",
        "UsernameConfiguration",
    ] {
        assert_eq!(after[kept], before[kept], "{kept}");
    }
    // Fields given are echoed; a new name is taken; fixed members sent
    // anyway change nothing.
    ok(
        &base,
        "UpdateUserPool",
        json!({ "UserPoolId": id, "PoolName": "renamed", "DeletionProtection": "INACTIVE",
                "UserPoolTags": { "team": "identity" },
                "UsernameAttributes": ["phone_number"], "Id": "us-east-1_Other1234" }),
    )
    .await;
    let renamed = describe(&base, &id).await;
    assert_eq!(renamed["Name"], "renamed");
    assert_eq!(renamed["DeletionProtection"], "INACTIVE");
    assert_eq!(renamed["UserPoolTags"], json!({ "team": "identity" }));
    assert_eq!(renamed["UsernameAttributes"], json!(["email"]));
    assert_eq!(renamed["Id"], id);
    issuer.shutdown().await.unwrap();
}

#[tokio::test]
async fn update_refusals_are_create_refusals_and_change_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let issuer = start(dir.path()).await;
    let base = issuer.base_url().to_string();
    let before = describe(&base, POOL).await;
    let bad = [
        json!({ "Policies": { "PasswordPolicy": { "MinimumLength": 5 } } }),
        json!({ "MfaConfiguration": "SOMETIMES" }),
        json!({ "AutoVerifiedAttributes": ["address"] }),
        json!({ "Policies": { "SignInPolicy": { "AllowedFirstAuthFactors": [] } } }),
        json!({ "Policies": { "SignInPolicy": { "AllowedFirstAuthFactors": ["EMAIL_OTP"] } } }),
        json!({ "Policies": { "SignInPolicy": { "AllowedFirstAuthFactors": ["PASSWORD", "SMS_OTP"] } },
                "MfaConfiguration": "ON" }),
        json!({ "UserPoolTags": { "cognito-issuer:issuer-style": "remote" } }),
        json!({ "DeviceConfiguration": { "ChallengeRequiredOnNewDevice": "yes" } }),
    ];
    for fields in bad {
        let mut create = fields.clone();
        create["PoolName"] = "refused".into();
        let created = call(&base, "CreateUserPool", create).await.unwrap_err();
        let mut update = fields.clone();
        update["UserPoolId"] = POOL.into();
        let updated = call(&base, "UpdateUserPool", update).await.unwrap_err();
        assert_eq!(updated, created, "{fields}");
        assert_eq!(updated.0, "InvalidParameterException", "{fields}");
    }
    assert_eq!(describe(&base, POOL).await, before);
    issuer.shutdown().await.unwrap();
}

/// The issuer style decides `iss`: an update that leaves out the tag keeps
/// it (tokens already issued keep verifying), and one that names another
/// style is refused.
#[tokio::test]
async fn update_keeps_the_issuer_style() {
    let dir = tempfile::tempdir().unwrap();
    let issuer = start(dir.path()).await;
    let base = issuer.base_url().to_string();
    let created = ok(
        &base,
        "CreateUserPool",
        json!({ "PoolName": "aws-styled",
                "UserPoolTags": { "cognito-issuer:issuer-style": "aws" } }),
    )
    .await;
    let pool = created["UserPool"]["Id"].as_str().unwrap().to_string();
    let iss_before = issuer.pool(&pool).unwrap().issuer;
    assert!(
        iss_before.starts_with("https://cognito-idp."),
        "{iss_before}"
    );

    ok(
        &base,
        "UpdateUserPool",
        json!({ "UserPoolId": pool, "UserPoolTags": { "team": "identity" } }),
    )
    .await;
    assert_eq!(issuer.pool(&pool).unwrap().issuer, iss_before);
    let tags = &describe(&base, &pool).await["UserPoolTags"];
    assert_eq!(tags["team"], "identity");
    assert_eq!(tags["cognito-issuer:issuer-style"], "aws");

    let (kind, message) = call(
        &base,
        "UpdateUserPool",
        json!({ "UserPoolId": pool,
                "UserPoolTags": { "cognito-issuer:issuer-style": "local" } }),
    )
    .await
    .unwrap_err();
    assert_eq!(kind, "InvalidParameterException");
    assert!(message.contains("cannot change"), "{message}");
    assert_eq!(issuer.pool(&pool).unwrap().issuer, iss_before);
    issuer.shutdown().await.unwrap();
}

#[tokio::test]
async fn update_of_an_unknown_or_unnamed_pool_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let issuer = start(dir.path()).await;
    let base = issuer.base_url().to_string();
    let (kind, m) = call(
        &base,
        "UpdateUserPool",
        json!({ "UserPoolId": "us-east-1_NoSuchPool" }),
    )
    .await
    .unwrap_err();
    assert_eq!(kind, "ResourceNotFoundException");
    assert_eq!(m, "User pool us-east-1_NoSuchPool does not exist.");
    let (kind, m) = call(
        &base,
        "UpdateUserPool",
        json!({ "UserPoolId": POOL, "PoolName": "" }),
    )
    .await
    .unwrap_err();
    assert_eq!(kind, "InvalidParameterException");
    assert!(m.contains("'poolName'"), "{m}");
    assert_eq!(describe(&base, POOL).await["Name"], "updates");
    let (kind, m) = call(&base, "UpdateUserPool", json!({})).await.unwrap_err();
    assert_eq!(kind, "InvalidParameterException");
    assert!(m.contains("'userPoolId'"), "{m}");
    issuer.shutdown().await.unwrap();
}

#[tokio::test]
async fn domains_are_created_described_refused_and_deleted() {
    let dir = tempfile::tempdir().unwrap();
    let issuer = start(dir.path()).await;
    let base = issuer.base_url().to_string();
    let other = ok(&base, "CreateUserPool", json!({ "PoolName": "other" })).await["UserPool"]["Id"]
        .as_str()
        .unwrap()
        .to_string();

    let r = ok(
        &base,
        "CreateUserPoolDomain",
        json!({ "Domain": "my-app-1", "UserPoolId": POOL }),
    )
    .await;
    assert_eq!(r, json!({ "ManagedLoginVersion": 1 }));
    let d = ok(
        &base,
        "DescribeUserPoolDomain",
        json!({ "Domain": "my-app-1" }),
    )
    .await;
    let desc = &d["DomainDescription"];
    let mut keys: Vec<&String> = desc.as_object().unwrap().keys().collect();
    keys.sort();
    assert_eq!(
        keys,
        [
            "AWSAccountId",
            "CloudFrontDistribution",
            "Domain",
            "ManagedLoginVersion",
            "Status",
            "UserPoolId"
        ]
    );
    assert_eq!(desc["UserPoolId"], POOL);
    assert_eq!(desc["Domain"], "my-app-1");
    assert_eq!(desc["Status"], "ACTIVE");
    assert_eq!(desc["AWSAccountId"], "000000000000");
    assert!(
        desc["CloudFrontDistribution"]
            .as_str()
            .unwrap()
            .ends_with(".cloudfront.net")
    );
    assert_eq!(describe(&base, POOL).await["Domain"], "my-app-1");
    // UpdateUserPool keeps the domain.
    ok(&base, "UpdateUserPool", json!({ "UserPoolId": POOL })).await;
    assert_eq!(describe(&base, POOL).await["Domain"], "my-app-1");

    let refused = |domain: &str, pool: &str, message: &str| {
        let (base, body, message) = (
            base.clone(),
            json!({ "Domain": domain, "UserPoolId": pool }),
            message.to_string(),
        );
        async move {
            let (kind, m) = call(&base, "CreateUserPoolDomain", body.clone())
                .await
                .unwrap_err();
            assert_eq!(kind, "InvalidParameterException", "{body}");
            assert_eq!(m, message, "{body}");
        }
    };
    refused(
        "my-app-2",
        POOL,
        "User pool already has a domain configured.",
    )
    .await;
    refused(
        "my-app-1",
        &other,
        "Domain already associated with another user pool.",
    )
    .await;
    let invalid = "The domain name contains an invalid character. Domain names can only contain \
                   lower-case letters, numbers, and hyphens. Please enter a different name that \
                   follows this format: ^[a-z0-9](?:[a-z0-9\\-]{0,61}[a-z0-9])?$";
    let long = "a".repeat(64);
    for bad in ["My-App", "-app", "app-", "my_app", "my.app", long.as_str()] {
        refused(bad, &other, invalid).await;
    }
    for (bad, word) in [
        ("my-aws-app", "aws"),
        ("amazonapp", "amazon"),
        ("cognito1", "cognito"),
    ] {
        refused(
            bad,
            &other,
            &format!("Domain cannot contain reserved word: {word}"),
        )
        .await;
    }
    let (kind, _) = call(
        &base,
        "CreateUserPoolDomain",
        json!({ "Domain": "free-name", "UserPoolId": "us-east-1_NoSuchPool" }),
    )
    .await
    .unwrap_err();
    assert_eq!(kind, "ResourceNotFoundException");

    // A custom domain needs a certificate and reports its CloudFront name.
    let (kind, m) = call(
        &base,
        "CreateUserPoolDomain",
        json!({ "Domain": "auth.example.com", "UserPoolId": other, "CustomDomainConfig": {} }),
    )
    .await
    .unwrap_err();
    assert_eq!(kind, "InvalidParameterException");
    assert!(m.contains("customDomainConfig.certificateArn"), "{m}");
    let cert = json!({ "CertificateArn": "arn:aws:acm:us-east-1:000000000000:certificate/x" });
    let r = ok(
        &base,
        "CreateUserPoolDomain",
        json!({ "Domain": "auth.example.com", "UserPoolId": other,
                "CustomDomainConfig": cert, "ManagedLoginVersion": 2 }),
    )
    .await;
    assert_eq!(r["ManagedLoginVersion"], 2);
    let cloudfront = r["CloudFrontDomain"].as_str().unwrap().to_string();
    let d = ok(
        &base,
        "DescribeUserPoolDomain",
        json!({ "Domain": "auth.example.com" }),
    )
    .await;
    assert_eq!(d["DomainDescription"]["CustomDomainConfig"], cert);
    assert_eq!(d["DomainDescription"]["CloudFrontDistribution"], cloudfront);
    let o = describe(&base, &other).await;
    assert_eq!(o["CustomDomain"], "auth.example.com");
    assert!(o.get("Domain").is_none());

    // Unknown domains describe as empty.
    let d = ok(
        &base,
        "DescribeUserPoolDomain",
        json!({ "Domain": "nobody-here" }),
    )
    .await;
    assert_eq!(d, json!({ "DomainDescription": {} }));

    // Deleting needs the owning pool.
    let (kind, m) = call(
        &base,
        "DeleteUserPoolDomain",
        json!({ "Domain": "my-app-1", "UserPoolId": other }),
    )
    .await
    .unwrap_err();
    assert_eq!(
        (kind.as_str(), m.as_str()),
        (
            "InvalidParameterException",
            "No such domain or user pool exists."
        )
    );
    let (kind, _) = call(
        &base,
        "DeleteUserPoolDomain",
        json!({ "Domain": "my-app-1", "UserPoolId": "us-east-1_NoSuchPool" }),
    )
    .await
    .unwrap_err();
    assert_eq!(kind, "ResourceNotFoundException");
    let r = ok(
        &base,
        "DeleteUserPoolDomain",
        json!({ "Domain": "my-app-1", "UserPoolId": POOL }),
    )
    .await;
    assert_eq!(r, json!({}));
    let d = ok(
        &base,
        "DescribeUserPoolDomain",
        json!({ "Domain": "my-app-1" }),
    )
    .await;
    assert_eq!(d, json!({ "DomainDescription": {} }));
    assert!(describe(&base, POOL).await.get("Domain").is_none());
    // The name is free again, and the pool may take another.
    ok(
        &base,
        "CreateUserPoolDomain",
        json!({ "Domain": "my-app-2", "UserPoolId": POOL }),
    )
    .await;

    // Deleting a pool deletes its domain.
    ok(&base, "DeleteUserPool", json!({ "UserPoolId": other })).await;
    let d = ok(
        &base,
        "DescribeUserPoolDomain",
        json!({ "Domain": "auth.example.com" }),
    )
    .await;
    assert_eq!(d, json!({ "DomainDescription": {} }));

    let (kind, m) = call(&base, "DescribeUserPoolDomain", json!({}))
        .await
        .unwrap_err();
    assert_eq!(kind, "InvalidParameterException");
    assert!(m.contains("'domain'"), "{m}");
    issuer.shutdown().await.unwrap();
}

#[tokio::test]
async fn domains_survive_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let issuer = start(dir.path()).await;
    let base = issuer.base_url().to_string();
    ok(
        &base,
        "CreateUserPoolDomain",
        json!({ "Domain": "kept-app", "UserPoolId": POOL }),
    )
    .await;
    issuer.shutdown().await.unwrap();
    let issuer = start(dir.path()).await;
    let base = issuer.base_url().to_string();
    let d = ok(
        &base,
        "DescribeUserPoolDomain",
        json!({ "Domain": "kept-app" }),
    )
    .await;
    assert_eq!(d["DomainDescription"]["UserPoolId"], POOL);
    issuer.shutdown().await.unwrap();
}
