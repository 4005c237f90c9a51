//! What the hosted-UI tests share: a pool whose users sign in with their
//! email address, app clients of the authorization-code grant, TOTP codes,
//! authorize URLs and the code redemption at `/oauth2/token`.
//!
//! Pools and clients are made through [`RunningIssuer::call`] (the JSON API
//! in-process), so these tests do not depend on the SDK's model of the
//! newer OAuth fields.
//!
//! [`RunningIssuer::call`]: cognito_issuer::RunningIssuer::call

use openidconnect::url::Url;
use openidconnect::{PkceCodeChallenge, PkceCodeVerifier};
use serde_json::{Value, json};

use crate::{PASSWORD, SdkIssuer};

/// The scopes every test client is allowed.
pub const SCOPES: &str = "openid email profile";

/// Runs `operation` with `input` in-process; panics with the error.
pub async fn call(sdk: &SdkIssuer, operation: &str, input: Value) -> Value {
    sdk.issuer
        .call(operation, input.clone())
        .await
        .unwrap_or_else(|e| panic!("{operation} {input}: {e:?}"))
}

/// MFA setting of a test pool (TOTP is the only factor enabled).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mfa {
    /// No MFA.
    Off,
    /// Users who enrolled a factor are asked for it.
    Optional,
    /// Every user must use MFA; those without a factor set TOTP up first.
    Required,
}

/// Creates a pool whose usernames are email addresses, verified by a code on
/// sign-up; returns its id.
pub async fn create_pool(sdk: &SdkIssuer, name: &str, mfa: Mfa) -> String {
    let out = call(
        sdk,
        "CreateUserPool",
        json!({ "PoolName": name, "UsernameAttributes": ["email"],
                "AutoVerifiedAttributes": ["email"] }),
    )
    .await;
    let pool_id = out["UserPool"]["Id"].as_str().expect("pool Id").to_string();
    if mfa != Mfa::Off {
        let config = if mfa == Mfa::Required {
            "ON"
        } else {
            "OPTIONAL"
        };
        call(
            sdk,
            "SetUserPoolMfaConfig",
            json!({ "UserPoolId": pool_id, "MfaConfiguration": config,
                    "SoftwareTokenMfaConfiguration": { "Enabled": true } }),
        )
        .await;
    }
    pool_id
}

/// An app client of the authorization-code grant.
#[derive(Debug, Clone)]
pub struct CodeClient {
    /// Client id.
    pub id: String,
    /// Client secret (confidential clients).
    pub secret: Option<String>,
    /// Its one callback URL.
    pub callback: String,
}

/// Creates an app client allowing the code grant with [`SCOPES`], the
/// `callback` URL, `logout` as its sign-out URL, and (for the JSON API
/// steps of the tests) `USER_PASSWORD_AUTH`.
pub async fn create_client(
    sdk: &SdkIssuer,
    pool_id: &str,
    name: &str,
    callback: &str,
    logout: &str,
    secret: bool,
) -> CodeClient {
    let out = call(
        sdk,
        "CreateUserPoolClient",
        json!({ "UserPoolId": pool_id, "ClientName": name, "GenerateSecret": secret,
                "AllowedOAuthFlows": ["code"], "AllowedOAuthFlowsUserPoolClient": true,
                "AllowedOAuthScopes": SCOPES.split(' ').collect::<Vec<_>>(),
                "CallbackURLs": [callback], "LogoutURLs": [logout],
                "SupportedIdentityProviders": ["COGNITO"],
                "ExplicitAuthFlows": ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"] }),
    )
    .await;
    let c = &out["UserPoolClient"];
    CodeClient {
        id: c["ClientId"].as_str().expect("ClientId").to_string(),
        secret: c["ClientSecret"].as_str().map(str::to_string),
        callback: callback.to_string(),
    }
}

/// Creates a confirmed user `email` (also the username) with [`PASSWORD`].
pub async fn create_user(sdk: &SdkIssuer, pool_id: &str, email: &str) {
    call(
        sdk,
        "AdminCreateUser",
        json!({ "UserPoolId": pool_id, "Username": email, "MessageAction": "SUPPRESS",
                "UserAttributes": [{ "Name": "email", "Value": email },
                                   { "Name": "email_verified", "Value": "true" }] }),
    )
    .await;
    call(
        sdk,
        "AdminSetUserPassword",
        json!({ "UserPoolId": pool_id, "Username": email, "Password": PASSWORD,
                "Permanent": true }),
    )
    .await;
}

/// The TOTP code (SHA-1, 6 digits, 30 s) of a Base32 `secret` at `at`.
pub fn totp(secret: &str, at: u64) -> String {
    let bytes = totp_rs::Secret::Encoded(secret.to_string())
        .to_bytes()
        .expect("Base32 TOTP secret");
    totp_rs::TOTP::new_unchecked(totp_rs::Algorithm::SHA1, 6, 1, 30, bytes).generate(at)
}

/// Seconds since the epoch.
pub fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock after 1970")
        .as_secs()
}

/// Enrols a TOTP authenticator for `email` through the JSON API
/// (AssociateSoftwareToken, VerifySoftwareToken with the previous time
/// step's code, SetUserMFAPreference) and makes it preferred; returns its
/// secret. The current and the next step's codes stay unused for sign-ins.
pub async fn enrol_totp(sdk: &SdkIssuer, client: &CodeClient, email: &str) -> String {
    let mut params = json!({ "USERNAME": email, "PASSWORD": PASSWORD });
    if let Some(secret) = &client.secret {
        params["SECRET_HASH"] = json!(cognito_issuer::secret_hash(secret, email, &client.id));
    }
    let out = call(
        sdk,
        "InitiateAuth",
        json!({ "ClientId": client.id, "AuthFlow": "USER_PASSWORD_AUTH",
                "AuthParameters": params }),
    )
    .await;
    let access = out["AuthenticationResult"]["AccessToken"]
        .as_str()
        .unwrap_or_else(|| panic!("tokens for {email}: {out}"))
        .to_string();
    let assoc = call(
        sdk,
        "AssociateSoftwareToken",
        json!({ "AccessToken": access }),
    )
    .await;
    let secret = assoc["SecretCode"]
        .as_str()
        .expect("SecretCode")
        .to_string();
    let verified = call(
        sdk,
        "VerifySoftwareToken",
        json!({ "AccessToken": access, "UserCode": totp(&secret, now() - 30) }),
    )
    .await;
    assert_eq!(verified["Status"], "SUCCESS", "{verified}");
    call(
        sdk,
        "SetUserMFAPreference",
        json!({ "AccessToken": access,
                "SoftwareTokenMfaSettings": { "Enabled": true, "PreferredMfa": true } }),
    )
    .await;
    secret
}

/// One authorization request's secrets: state, nonce and PKCE verifier.
pub struct AuthRequest {
    /// The full `/oauth2/authorize` URL.
    pub url: String,
    /// The `state` sent.
    pub state: String,
    /// The `nonce` sent.
    pub nonce: String,
    /// The PKCE verifier whose S256 challenge was sent.
    pub verifier: PkceCodeVerifier,
}

/// An authorization-code request of `client` with PKCE S256, a nonce and a
/// state, for all of [`SCOPES`].
pub fn authorize(base: &str, client: &CodeClient) -> AuthRequest {
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let state = openidconnect::CsrfToken::new_random().secret().clone();
    let nonce = openidconnect::Nonce::new_random().secret().clone();
    let url = Url::parse_with_params(
        &format!("{base}/oauth2/authorize"),
        [
            ("response_type", "code"),
            ("client_id", client.id.as_str()),
            ("redirect_uri", client.callback.as_str()),
            ("scope", SCOPES),
            ("state", state.as_str()),
            ("nonce", nonce.as_str()),
            ("code_challenge", challenge.as_str()),
            ("code_challenge_method", "S256"),
        ],
    )
    .expect("authorize URL");
    AuthRequest {
        url: url.to_string(),
        state,
        nonce,
        verifier,
    }
}

/// The value of query parameter `name` in `url` (absolute, or a request
/// target such as `/callback?code=..`).
pub fn query_param(url: &str, name: &str) -> Option<String> {
    let url = Url::parse(url)
        .or_else(|_| Url::parse("http://target.invalid/")?.join(url))
        .ok()?;
    url.query_pairs()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

/// Redeems `code` at `/oauth2/token` with the PKCE `verifier` (client id in
/// the form, or HTTP Basic for a confidential client); returns the status
/// and the JSON body.
pub async fn redeem(
    base: &str,
    client: &CodeClient,
    code: &str,
    verifier: &PkceCodeVerifier,
) -> (u16, Value) {
    let mut form = vec![
        ("grant_type", "authorization_code"),
        ("code", code),
        ("redirect_uri", client.callback.as_str()),
        ("code_verifier", verifier.secret().as_str()),
        ("client_id", client.id.as_str()),
    ];
    let mut req = reqwest::Client::new().post(format!("{base}/oauth2/token"));
    if let Some(secret) = &client.secret {
        form.pop();
        req = req.basic_auth(&client.id, Some(secret));
    }
    let body = form
        .iter()
        .map(|(k, v)| format!("{k}={}", form_encode(v)))
        .collect::<Vec<_>>()
        .join("&");
    let resp = req
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .expect("POST /oauth2/token");
    let status = resp.status().as_u16();
    let text = resp.text().await.expect("token response body");
    let json = serde_json::from_str(&text).unwrap_or(Value::String(text));
    (status, json)
}

/// `application/x-www-form-urlencoded` encoding of one value.
pub fn form_encode(s: &str) -> String {
    openidconnect::url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}
