//! A running reference issuer with users, groups and a second app client,
//! reached over its real HTTP JSON API, for end-to-end tests.

use std::net::SocketAddr;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use cognito_issuer::testing::KeyPurpose;
use cognito_issuer::{IssuerOptions, IssuerServer, RunningIssuer};
use cognito_verifier::{CognitoVerifier, CognitoVerifierBuilder, PoolConfig};
use serde_json::{Value, json};

use cognito_test_support::cognito_api;
use cognito_test_support::conformance::Recipes;
use cognito_test_support::test_issuer::{TestIssuer, TestKey, b64, now};

/// The default password of every user created here.
pub const PASSWORD: &str = "Correct-Horse-42";

/// A reference issuer on loopback with helpers to drive its JSON API.
pub struct IssuerPool {
    /// The running issuer (`None` while stopped).
    pub issuer: Option<RunningIssuer>,
    /// Its data directory (kept across restarts).
    pub data: tempfile::TempDir,
    /// Where it listens.
    pub addr: SocketAddr,
    /// The default pool id.
    pub pool_id: String,
    /// The default app client id.
    pub client_id: String,
    /// `iss` of the pool's tokens.
    pub iss: String,
    /// The pool's JWKS URL.
    pub jwks_url: String,
    http: reqwest::Client,
}

impl IssuerPool {
    /// Starts an issuer with a fresh data directory.
    pub async fn start() -> Self {
        let data = tempfile::tempdir().unwrap();
        let issuer = IssuerServer::start(IssuerOptions::new(data.path()))
            .await
            .unwrap();
        IssuerPool {
            addr: issuer.local_addr(),
            pool_id: issuer.pool_id().to_owned(),
            client_id: issuer.client_id().to_owned(),
            iss: issuer.issuer().to_owned(),
            jwks_url: issuer.jwks_url().to_owned(),
            issuer: Some(issuer),
            data,
            http: reqwest::Client::builder().no_proxy().build().unwrap(),
        }
    }

    /// Stops the server (the data stays).
    pub async fn stop(&mut self) {
        if let Some(issuer) = self.issuer.take() {
            issuer.shutdown().await.unwrap();
        }
    }

    /// Starts it again on the same address and data directory.
    pub async fn restart(&mut self) {
        let mut options = IssuerOptions::new(self.data.path());
        options.bind = self.addr;
        self.issuer = Some(IssuerServer::start(options).await.unwrap());
    }

    /// A verifier builder trusting this pool (and nothing else).
    pub fn verifier_builder(&self) -> CognitoVerifierBuilder {
        CognitoVerifier::builder().pool(
            PoolConfig::new(&self.pool_id)
                .issuer(&self.iss)
                .jwks_uri(&self.jwks_url)
                .client_id(&self.client_id),
        )
    }

    /// One Cognito JSON API call; `Err(__type)` on an AWS-shaped error
    /// (`<operation>: <error>` if the call itself failed).
    pub async fn call(&self, operation: &str, body: Value) -> Result<Value, String> {
        cognito_api::call(
            &self.http,
            &format!("http://{}", self.addr),
            operation,
            &body,
        )
        .await
        .map_err(|e| e.to_string())
    }

    /// Creates a confirmed user with a verified email, in `groups`.
    pub async fn create_user(&self, username: &str, groups: &[&str]) {
        let pool = &self.pool_id;
        self.call(
            "AdminCreateUser",
            json!({"UserPoolId": pool, "Username": username, "MessageAction": "SUPPRESS",
                   "TemporaryPassword": "Temp-Pass-123",
                   "UserAttributes": [{"Name": "email", "Value": format!("{username}@example.com")},
                                      {"Name": "email_verified", "Value": "true"}]}),
        )
        .await
        .unwrap();
        self.call(
            "AdminSetUserPassword",
            json!({"UserPoolId": pool, "Username": username, "Password": PASSWORD, "Permanent": true}),
        )
        .await
        .unwrap();
        for group in groups {
            // The group may exist already.
            let _ = self
                .call(
                    "CreateGroup",
                    json!({"UserPoolId": pool, "GroupName": group}),
                )
                .await;
            self.call(
                "AdminAddUserToGroup",
                json!({"UserPoolId": pool, "Username": username, "GroupName": group}),
            )
            .await
            .unwrap();
        }
    }

    /// Signs `username` in through `client_id` with USER_PASSWORD_AUTH; returns the AuthenticationResult.
    pub async fn sign_in_with(&self, client_id: &str, username: &str) -> Value {
        let result = self
            .call(
                "InitiateAuth",
                json!({"ClientId": client_id, "AuthFlow": "USER_PASSWORD_AUTH",
                       "AuthParameters": {"USERNAME": username, "PASSWORD": PASSWORD}}),
            )
            .await
            .unwrap();
        result["AuthenticationResult"].clone()
    }

    /// Signs `username` in through the default client.
    pub async fn sign_in(&self, username: &str) -> Value {
        self.sign_in_with(&self.client_id, username).await
    }

    /// Creates another public app client of the pool.
    pub async fn create_client(&self, name: &str) -> String {
        let created = self
            .call(
                "CreateUserPoolClient",
                json!({"UserPoolId": self.pool_id, "ClientName": name,
                       "ExplicitAuthFlows": ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]}),
            )
            .await
            .unwrap();
        created["UserPoolClient"]["ClientId"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    /// Creates resource server `orders` (scope `read`) and a confidential
    /// client allowed `orders/read` by client_credentials; returns (id, secret).
    pub async fn create_m2m_client(&self) -> (String, String) {
        self.call(
            "CreateResourceServer",
            json!({"UserPoolId": self.pool_id, "Identifier": "orders", "Name": "Orders",
                   "Scopes": [{"ScopeName": "read", "ScopeDescription": "read orders"}]}),
        )
        .await
        .unwrap();
        let created = self
            .call(
                "CreateUserPoolClient",
                json!({"UserPoolId": self.pool_id, "ClientName": "orders-service", "GenerateSecret": true,
                       "AllowedOAuthFlows": ["client_credentials"], "AllowedOAuthScopes": ["orders/read"],
                       "AllowedOAuthFlowsUserPoolClient": true}),
            )
            .await
            .unwrap();
        let client = &created["UserPoolClient"];
        (
            client["ClientId"].as_str().unwrap().to_owned(),
            client["ClientSecret"].as_str().unwrap().to_owned(),
        )
    }

    /// A client_credentials access token from `POST /oauth2/token`.
    pub async fn client_credentials(&self, client_id: &str, secret: &str, scope: &str) -> String {
        let response = self
            .http
            .post(format!("http://{}/oauth2/token", self.addr))
            .basic_auth(client_id, Some(secret))
            .form(&[("grant_type", "client_credentials"), ("scope", scope)])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        let grant: Value = response.json().await.unwrap();
        grant["access_token"].as_str().unwrap().to_owned()
    }

    /// Rotates the pool's signing keys through the issuer's admin endpoint.
    pub async fn rotate_keys(&self) {
        let response = self
            .http
            .post(format!(
                "http://{}/_issuer/pools/{}/rotate-keys",
                self.addr, self.pool_id
            ))
            .send()
            .await
            .unwrap();
        assert!(
            response.status().is_success(),
            "rotation failed: {}",
            response.status()
        );
    }

    /// Signs arbitrary claims with the pool's current key for `purpose`
    /// (to make tokens no real flow issues: expired, odd token_use, ...).
    pub fn sign(&self, purpose: KeyPurpose, claims: &Value) -> String {
        self.issuer
            .as_ref()
            .expect("issuer running")
            .sign_claims(&self.pool_id, purpose, claims)
            .unwrap()
    }
}

/// The claims of a token, decoded without verification.
pub fn claims_of(token: &str) -> Value {
    let payload = token.split('.').nth(1).unwrap_or_default();
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap_or_default())
        .unwrap_or(Value::Null)
}

/// The conformance table's recipes, served by the reference issuer: tokens
/// from real sign-ins where a real flow produces them, otherwise claims of a
/// real token edited and re-signed with the pool's own key.
pub struct IssuerRecipes {
    pool: IssuerPool,
    tokens: std::collections::HashMap<&'static str, String>,
    verifier: CognitoVerifier,
}

impl IssuerRecipes {
    /// Starts an issuer, creates the users and clients the table needs, and signs them in.
    pub async fn start() -> Self {
        let pool = IssuerPool::start().await;
        pool.create_user("alice", &[]).await;
        pool.create_user("amy", &["admin"]).await;
        pool.create_user("adam", &["admin", "dev"]).await;
        pool.create_user("olga", &["ops"]).await;
        let other_client = pool.create_client("someone-elses-app").await;

        let alice = pool.sign_in("alice").await;
        let text = |v: &Value, k: &str| v[k].as_str().unwrap().to_owned();
        let id = text(&alice, "IdToken");
        let access = text(&alice, "AccessToken");
        let elsewhere = pool.sign_in_with(&other_client, "alice").await;
        let with = |token: &str, f: &dyn Fn(&mut Value)| {
            let mut claims = claims_of(token);
            f(&mut claims);
            claims
        };
        let scoped = |scope: &str| {
            let scope = scope.to_owned();
            pool.sign(
                KeyPurpose::Access,
                &with(&access, &move |c| c["scope"] = json!(scope)),
            )
        };
        let (m2m_id, m2m_secret) = pool.create_m2m_client().await;
        let stranger = TestKey::generate("stranger-kid");
        let other_pool = TestIssuer::start().await;
        let mut tokens = std::collections::HashMap::new();
        tokens.insert("id_admin", text(&pool.sign_in("amy").await, "IdToken"));
        tokens.insert("id_admin_dev", text(&pool.sign_in("adam").await, "IdToken"));
        tokens.insert("id_ops", text(&pool.sign_in("olga").await, "IdToken"));
        tokens.insert("access", scoped("openid orders/read"));
        tokens.insert("access_rw", scoped("openid orders/read orders/write"));
        tokens.insert("access_noscope", access.clone());
        tokens.insert(
            "m2m",
            pool.client_credentials(&m2m_id, &m2m_secret, "orders/read")
                .await,
        );
        tokens.insert(
            "expired",
            pool.sign(
                KeyPurpose::Id,
                &with(&id, &|c| c["exp"] = json!(now() - 60)),
            ),
        );
        tokens.insert(
            "expired_access",
            pool.sign(
                KeyPurpose::Access,
                &with(&access, &|c| {
                    c["exp"] = json!(now() - 60);
                    c["scope"] = json!("openid orders/read");
                }),
            ),
        );
        tokens.insert("wrong_aud", text(&elsewhere, "IdToken"));
        tokens.insert("wrong_client", text(&elsewhere, "AccessToken"));
        tokens.insert(
            "wrong_token_use",
            pool.sign(
                KeyPurpose::Id,
                &with(&id, &|c| c["token_use"] = json!("refresh")),
            ),
        );
        tokens.insert("unknown_kid", stranger.mint(&claims_of(&id)));
        let parts: Vec<&str> = id.split('.').collect();
        let evil = with(&id, &|c| c["cognito:groups"] = json!(["admin"]));
        tokens.insert(
            "tampered",
            format!("{}.{}.{}", parts[0], b64(evil.to_string()), parts[2]),
        );
        tokens.insert(
            "alg_none",
            format!(
                "{}.{}.",
                b64(json!({"alg": "none", "kid": "x"}).to_string()),
                b64(claims_of(&id).to_string())
            ),
        );
        tokens.insert("malformed", "not.a.jwt".to_owned());
        tokens.insert("other_issuer", other_pool.mint(&other_pool.id_claims(&[])));
        let down_iss = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_DownPool";
        tokens.insert(
            "unavailable",
            stranger.mint(&with(&id, &|c| c["iss"] = json!(down_iss))),
        );
        tokens.insert("id", id);

        let dead = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap();
        let verifier = CognitoVerifier::builder()
            .pool(
                PoolConfig::new(&pool.pool_id)
                    .issuer(&pool.iss)
                    .jwks_uri(&pool.jwks_url)
                    .client_ids([pool.client_id.clone(), m2m_id]),
            )
            .pool(
                PoolConfig::new("us-east-1_DownPool")
                    .jwks_uri(format!("http://{dead}/jwks.json"))
                    .client_id(&pool.client_id),
            )
            .build()
            .unwrap();
        IssuerRecipes {
            pool,
            tokens,
            verifier,
        }
    }

    /// The issuer behind the recipes.
    pub fn pool(&self) -> &IssuerPool {
        &self.pool
    }
}

impl Recipes for IssuerRecipes {
    fn verifier(&self) -> CognitoVerifier {
        self.verifier.clone()
    }

    fn token(&self, recipe: &str) -> Option<String> {
        if recipe == "none" {
            return None;
        }
        Some(
            self.tokens
                .get(recipe)
                .unwrap_or_else(|| panic!("unknown recipe {recipe:?}"))
                .clone(),
        )
    }
}
