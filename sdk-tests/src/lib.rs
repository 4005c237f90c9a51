//! The AWS SDK for Rust (`aws-sdk-cognitoidentityprovider`) against the
//! reference issuer: a harness that starts the issuer in-process on loopback
//! with an access key (so the SDK's SigV4 signatures are verified), and an SDK
//! client configured explicitly (endpoint, region, static credentials) so
//! nothing reads the environment or reaches the network.
//!
//! The tests live in `tests/`; this library holds only what they share,
//! including the harness of the hosted-UI tests: [`browser`] (headless
//! Chromium over WebDriver), [`loopback`] (an application's callback page)
//! and [`hosted`] (pools, code-grant clients, TOTP, authorize URLs).

pub mod browser;
pub mod hosted;
pub mod loopback;

use aws_sdk_cognitoidentityprovider::Client;
use aws_sdk_cognitoidentityprovider::config::{BehaviorVersion, Credentials, Region};
use aws_sdk_cognitoidentityprovider::types::{AttributeType, AuthFlowType, ExplicitAuthFlowsType};
use cognito_issuer::{AccessKey, IssuerOptions, IssuerServer, RunningIssuer};
use cognito_verifier::{CognitoClaims, CognitoVerifier, ExpectedTokenUse, PoolConfig};

/// The access key id the issuer accepts.
pub const ACCESS_KEY_ID: &str = "AKIDSDKTEST";
/// Its secret access key (with the characters SigV4 must not mangle).
pub const SECRET_ACCESS_KEY: &str = "sdk/test+secret=key";
/// The region of the issuer's credential scope and of the SDK client.
pub const REGION: &str = "us-east-1";
/// A password that satisfies the default policy.
pub const PASSWORD: &str = "Corr3ct-Horse!";
/// Another password that satisfies it.
pub const NEW_PASSWORD: &str = "N3w-Batt3ry-Staple!";

/// A running issuer with access keys and an SDK client signed with them.
pub struct SdkIssuer {
    /// The issuer (its default pool and client are unused by most tests).
    pub issuer: RunningIssuer,
    /// An SDK client with the right credentials.
    pub client: Client,
    _data: tempfile::TempDir,
}

impl SdkIssuer {
    /// Starts an issuer on a free loopback port with [`ACCESS_KEY_ID`].
    pub async fn start() -> Self {
        let data = tempfile::tempdir().expect("temporary data directory");
        let mut options = IssuerOptions::new(data.path());
        options.region = REGION.to_string();
        options.access_keys = vec![AccessKey {
            access_key_id: ACCESS_KEY_ID.into(),
            secret_access_key: SECRET_ACCESS_KEY.into(),
        }];
        let issuer = IssuerServer::start(options).await.expect("issuer starts");
        let client = sdk_client(issuer.base_url(), ACCESS_KEY_ID, SECRET_ACCESS_KEY);
        Self {
            issuer,
            client,
            _data: data,
        }
    }

    /// Another SDK client on the same issuer with other credentials.
    pub fn client_with(&self, access_key_id: &str, secret_access_key: &str) -> Client {
        sdk_client(self.issuer.base_url(), access_key_id, secret_access_key)
    }

    /// Creates a pool named `name` that verifies email addresses on sign-up;
    /// returns its id.
    pub async fn create_pool(&self, name: &str) -> String {
        let out = self
            .client
            .create_user_pool()
            .pool_name(name)
            .auto_verified_attributes(
                aws_sdk_cognitoidentityprovider::types::VerifiedAttributeType::Email,
            )
            .send()
            .await
            .expect("CreateUserPool");
        let pool = out.user_pool().expect("UserPool in the output");
        assert_eq!(pool.name(), Some(name));
        pool.id().expect("pool Id").to_string()
    }

    /// Creates an app client allowing password and refresh sign-ins, with a
    /// generated secret when `secret`; returns its id and secret.
    pub async fn create_client(
        &self,
        pool_id: &str,
        name: &str,
        secret: bool,
    ) -> (String, Option<String>) {
        let out = self
            .client
            .create_user_pool_client()
            .user_pool_id(pool_id)
            .client_name(name)
            .generate_secret(secret)
            .explicit_auth_flows(ExplicitAuthFlowsType::AllowUserPasswordAuth)
            .explicit_auth_flows(ExplicitAuthFlowsType::AllowRefreshTokenAuth)
            .send()
            .await
            .expect("CreateUserPoolClient");
        let client = out
            .user_pool_client()
            .expect("UserPoolClient in the output");
        assert_eq!(client.user_pool_id(), Some(pool_id));
        assert_eq!(client.client_secret().is_some(), secret);
        (
            client.client_id().expect("ClientId").to_string(),
            client.client_secret().map(str::to_string),
        )
    }

    /// Creates a confirmed user with [`PASSWORD`] and a verified `email`
    /// through the admin operations.
    pub async fn create_user(&self, pool_id: &str, username: &str, email: &str) {
        self.client
            .admin_create_user()
            .user_pool_id(pool_id)
            .username(username)
            .message_action(aws_sdk_cognitoidentityprovider::types::MessageActionType::Suppress)
            .user_attributes(attr("email", email))
            .user_attributes(attr("email_verified", "true"))
            .send()
            .await
            .expect("AdminCreateUser");
        self.client
            .admin_set_user_password()
            .user_pool_id(pool_id)
            .username(username)
            .password(PASSWORD)
            .permanent(true)
            .send()
            .await
            .expect("AdminSetUserPassword");
    }

    /// The newest code of `kind` (`SIGN_UP`, `FORGOT_PASSWORD`, ...) the issuer
    /// "sent" to `username`, read from its outbox.
    pub fn latest_code(&self, pool_id: &str, username: &str, kind: &str) -> String {
        self.issuer
            .outbox(Some(pool_id), Some(username))
            .expect("outbox readable")
            .into_iter()
            .find(|m| m.kind == kind)
            .and_then(|m| m.code)
            .unwrap_or_else(|| panic!("a {kind} code for {username} in the outbox"))
    }

    /// A verifier of `pool_id`'s tokens for `client_id` and `token_use`,
    /// configured as an application would (issuer and JWKS from the pool).
    pub fn verifier(
        &self,
        pool_id: &str,
        client_id: &str,
        token_use: ExpectedTokenUse,
    ) -> CognitoVerifier {
        let pool = self.issuer.pool(pool_id).expect("pool exists");
        CognitoVerifier::builder()
            .pool(
                PoolConfig::new(pool_id)
                    .issuer(pool.issuer)
                    .jwks_uri(pool.jwks_url)
                    .client_id(client_id)
                    .token_use(token_use),
            )
            .build()
            .expect("verifier configuration")
    }

    /// Verifies an ID and an access token of `client_id` with
    /// `cognito-verifier`; returns their claims (ID, access).
    pub async fn verify_tokens(
        &self,
        pool_id: &str,
        client_id: &str,
        id_token: &str,
        access_token: &str,
    ) -> (CognitoClaims, CognitoClaims) {
        let id = self
            .verifier(pool_id, client_id, ExpectedTokenUse::Id)
            .verify(id_token)
            .await
            .expect("ID token verifies");
        let access = self
            .verifier(pool_id, client_id, ExpectedTokenUse::Access)
            .verify(access_token)
            .await
            .expect("access token verifies");
        (id, access)
    }

    /// Stops the issuer.
    pub async fn shutdown(self) {
        self.issuer.shutdown().await.expect("issuer stops");
    }
}

/// An SDK client for the issuer at `endpoint` (`http://127.0.0.1:PORT`),
/// configured without the environment: fixed region, static credentials,
/// the latest behaviour version.
pub fn sdk_client(endpoint: &str, access_key_id: &str, secret_access_key: &str) -> Client {
    let credentials = Credentials::new(access_key_id, secret_access_key, None, None, "sdk-tests");
    let config = aws_sdk_cognitoidentityprovider::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .endpoint_url(endpoint)
        .region(Region::new(REGION))
        .credentials_provider(credentials)
        .build();
    Client::from_conf(config)
}

/// A user attribute.
pub fn attr(name: &str, value: &str) -> AttributeType {
    AttributeType::builder()
        .name(name)
        .value(value)
        .build()
        .expect("attribute with a name")
}

/// The value of attribute `name` in `attributes`.
pub fn attribute<'a>(attributes: &'a [AttributeType], name: &str) -> Option<&'a str> {
    attributes
        .iter()
        .find(|a| a.name() == name)
        .and_then(|a| a.value())
}

/// `USER_PASSWORD_AUTH` parameters for `username` / `password`, with the
/// `SECRET_HASH` when the client has a secret.
pub fn password_auth(
    client: &Client,
    client_id: &str,
    secret: Option<&str>,
    username: &str,
    password: &str,
) -> aws_sdk_cognitoidentityprovider::operation::initiate_auth::builders::InitiateAuthFluentBuilder
{
    let mut req = client
        .initiate_auth()
        .client_id(client_id)
        .auth_flow(AuthFlowType::UserPasswordAuth)
        .auth_parameters("USERNAME", username)
        .auth_parameters("PASSWORD", password);
    if let Some(secret) = secret {
        req = req.auth_parameters(
            "SECRET_HASH",
            cognito_issuer::secret_hash(secret, username, client_id),
        );
    }
    req
}
