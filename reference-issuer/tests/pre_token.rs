//! Pre token generation with the team's real handler code: a Node module
//! (async style, V2_0 and V3_0 events) and a Python module (V1_0), run
//! through the issuer's shims. Tokens come from InitiateAuth, the answer to
//! NEW_PASSWORD_REQUIRED, a refresh,
//! the hosted UI's code grant and the client credentials grant over real
//! HTTP, and are checked with cognito-verifier; a handler that throws fails
//! the refresh with AWS's error, an in-process hook's malformed response
//! refuses the grant, and the claims AWS does not let a handler change stay
//! unchanged.

use crate::common;

use cognito_issuer::{IssuerConfig, IssuerOptions, IssuerServer, RunningIssuer};
use cognito_verifier::{CognitoVerifier, ExpectedTokenUse, PoolConfig, Requirement};
use common::hosted::{code_for, oauth_client, token};
use common::{PASSWORD, call, claims, create_user, ok};
use serde_json::{Value, json};

const NODE_ARN: &str = "arn:aws:lambda:us-east-1:000000000000:function:pre-token-node";
const PYTHON_ARN: &str = "arn:aws:lambda:us-east-1:000000000000:function:pre-token-python";
/// An in-process hook answering a response of the wrong shape.
const GARBAGE_ARN: &str = "arn:aws:lambda:us-east-1:000000000000:function:pre-token-garbage";

fn fixture(name: &str) -> String {
    format!("{}/tests/triggers/{name}", env!("CARGO_MANIFEST_DIR"))
}

/// An issuer whose configuration maps the two functions to the fixtures.
async fn start(dir: &std::path::Path) -> RunningIssuer {
    let toml = format!(
        "[triggers.\"{NODE_ARN}\"]\ncommand = [\"node\", {:?}]\n\
         [triggers.\"{PYTHON_ARN}\"]\ncommand = [\"python3\", {:?}]\n",
        fixture("pre-token.mjs"),
        fixture("pre_token_v1.py"),
    );
    let mut opts = IssuerOptions::new(dir);
    opts.config = Some(IssuerConfig::from_toml_str(&toml).unwrap());
    opts.trigger_hooks.insert(GARBAGE_ARN, |mut event| {
        event["response"] = json!({"claimsAndScopeOverrideDetails":
            {"accessTokenGeneration": {"scopesToAdd": "not-a-list"}}});
        Ok(event)
    });
    IssuerServer::start(opts).await.unwrap()
}

/// A pool whose pre token generation trigger is `arn` at `version`.
async fn pool_with_trigger(base: &str, arn: &str, version: &str) -> String {
    let p = ok(
        base,
        "CreateUserPool",
        json!({ "PoolName": format!("pre-token-{version}"),
                "LambdaConfig": {"PreTokenGenerationConfig":
                                 {"LambdaArn": arn, "LambdaVersion": version}} }),
    )
    .await;
    p["UserPool"]["Id"].as_str().unwrap().to_string()
}

/// A client for USER_PASSWORD_AUTH and refreshes.
async fn api_client(base: &str, pool: &str) -> String {
    let c = ok(
        base,
        "CreateUserPoolClient",
        json!({ "UserPoolId": pool, "ClientName": "app",
                "ExplicitAuthFlows": ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"] }),
    )
    .await;
    c["UserPoolClient"]["ClientId"]
        .as_str()
        .unwrap()
        .to_string()
}

fn verifier(base: &str, pool: &str, client: &str, token_use: ExpectedTokenUse) -> CognitoVerifier {
    CognitoVerifier::builder()
        .pool(
            PoolConfig::new(pool)
                .issuer(format!("{base}/{pool}"))
                .jwks_uri(format!("{base}/{pool}/.well-known/jwks.json"))
                .client_id(client)
                .token_use(token_use),
        )
        .build()
        .unwrap()
}

fn str_of<'a>(v: &'a Value, k: &str) -> &'a str {
    v[k].as_str().unwrap_or_else(|| panic!("{k} in {v}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn v2_node_handler_customizes_new_password_refresh_and_hosted_ui_tokens() {
    let dir = tempfile::tempdir().unwrap();
    let issuer = start(dir.path()).await;
    let base = issuer.base_url().to_string();
    let pool = pool_with_trigger(&base, NODE_ARN, "V2_0").await;
    let client = api_client(&base, &pool).await;
    // The first sign-in answers NEW_PASSWORD_REQUIRED; only the answer's
    // ClientMetadata reaches the trigger.
    ok(
        &base,
        "AdminCreateUser",
        json!({ "UserPoolId": pool, "Username": "alice", "MessageAction": "SUPPRESS",
                "TemporaryPassword": "Temp-Passw0rd!",
                "UserAttributes": [{"Name": "email", "Value": "alice@example.com"}] }),
    )
    .await;
    let c = ok(
        &base,
        "InitiateAuth",
        json!({ "ClientId": client, "AuthFlow": "USER_PASSWORD_AUTH",
                "AuthParameters": {"USERNAME": "alice", "PASSWORD": "Temp-Passw0rd!"},
                "ClientMetadata": {"tag": "initiate"} }),
    )
    .await;
    assert_eq!(c["ChallengeName"], "NEW_PASSWORD_REQUIRED");
    let t = ok(
        &base,
        "RespondToAuthChallenge",
        json!({ "ClientId": client, "ChallengeName": "NEW_PASSWORD_REQUIRED",
                "Session": c["Session"],
                "ChallengeResponses": {"USERNAME": "alice", "NEW_PASSWORD": PASSWORD},
                "ClientMetadata": {"tag": "respond"} }),
    )
    .await;
    let t = &t["AuthenticationResult"];
    let (id, access) = (str_of(t, "IdToken"), str_of(t, "AccessToken"));
    let refresh = str_of(t, "RefreshToken");
    let idc = verifier(&base, &pool, &client, ExpectedTokenUse::Id)
        .verify(id)
        .await
        .unwrap();
    assert_eq!(idc.username(), Some("alice"));
    let (idj, atj) = (claims(id), claims(access));
    assert_eq!(idj["tenant"], "acme");
    assert_eq!(idj["source"], "TokenGeneration_NewPasswordChallenge");
    assert_eq!(idj["meta"], "respond");
    assert_ne!(idj["sub"], "forged", "sub is not modifiable");
    assert_eq!(atj["sub"], idj["sub"]);
    assert_eq!(atj["perms"], json!(["read", "write"]));
    assert_eq!(
        atj["aud"],
        json!(client),
        "aud equal to the client is allowed"
    );
    assert_eq!(atj["username"], "alice", "username is not modifiable");
    assert!(
        atj.get("tenant").is_none(),
        "the ID token's claims stay there"
    );
    let access_verifier = CognitoVerifier::builder()
        .pool(
            PoolConfig::new(&pool)
                .issuer(format!("{base}/{pool}"))
                .jwks_uri(format!("{base}/{pool}/.well-known/jwks.json"))
                .client_id(&client)
                .token_use(ExpectedTokenUse::Access)
                .require_scopes(Requirement::all_of([
                    "aws.cognito.signin.user.admin",
                    "orders/read",
                ])),
        )
        .build()
        .unwrap();
    access_verifier.verify(access).await.unwrap();

    // A refresh fires the trigger again, as TokenGeneration_RefreshTokens,
    // with GetTokensFromRefreshToken's ClientMetadata.
    let r = ok(
        &base,
        "GetTokensFromRefreshToken",
        json!({ "ClientId": client, "RefreshToken": refresh,
                "ClientMetadata": {"tag": "refresh"} }),
    )
    .await;
    let r = &r["AuthenticationResult"];
    let idj = claims(str_of(r, "IdToken"));
    assert_eq!(idj["source"], "TokenGeneration_RefreshTokens");
    assert_eq!(idj["meta"], "refresh");
    access_verifier
        .verify(str_of(r, "AccessToken"))
        .await
        .unwrap();

    // The hosted UI's code grant: TokenGeneration_HostedAuth, and the
    // scopes added to the granted ones.
    let (web, _) = oauth_client(&base, &pool, false).await;
    let code = code_for(&base, &web, "alice", &[("scope", "openid email")]).await;
    let (status, hosted) = token(
        &base,
        None,
        &[
            ("grant_type", "authorization_code"),
            ("client_id", &web),
            ("code", &code),
            ("redirect_uri", common::hosted::CB),
        ],
    )
    .await;
    assert_eq!(status, 200, "{hosted}");
    let idj = claims(str_of(&hosted, "id_token"));
    assert_eq!(idj["source"], "TokenGeneration_HostedAuth");
    verifier(&base, &pool, &web, ExpectedTokenUse::Id)
        .verify(str_of(&hosted, "id_token"))
        .await
        .unwrap();
    assert_eq!(
        claims(str_of(&hosted, "access_token"))["scope"],
        "openid email orders/read"
    );

    // A handler that throws fails the refresh (REFRESH_TOKEN_AUTH) with
    // AWS's error.
    ok(
        &base,
        "AdminUpdateUserAttributes",
        json!({ "UserPoolId": pool, "Username": "alice",
                "UserAttributes": [{"Name": "family_name", "Value": "Blocked"}] }),
    )
    .await;
    let refused = call(
        &base,
        "InitiateAuth",
        json!({ "ClientId": client, "AuthFlow": "REFRESH_TOKEN_AUTH",
                "AuthParameters": {"REFRESH_TOKEN": refresh} }),
    )
    .await;
    assert_eq!(
        refused,
        Err((
            "UserLambdaValidationException".to_string(),
            "PreTokenGeneration failed with error No tokens for blocked users.".to_string()
        ))
    );
    issuer.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn v1_python_handler_changes_the_id_token_and_the_groups() {
    let dir = tempfile::tempdir().unwrap();
    let issuer = start(dir.path()).await;
    let base = issuer.base_url().to_string();
    let pool = pool_with_trigger(&base, PYTHON_ARN, "V1_0").await;
    let client = api_client(&base, &pool).await;
    create_user(&base, &pool, "alice", "alice@example.com").await;
    ok(
        &base,
        "CreateGroup",
        json!({"UserPoolId": pool, "GroupName": "staff"}),
    )
    .await;
    ok(
        &base,
        "AdminAddUserToGroup",
        json!({"UserPoolId": pool, "Username": "alice", "GroupName": "staff"}),
    )
    .await;
    let t = ok(
        &base,
        "InitiateAuth",
        json!({ "ClientId": client, "AuthFlow": "USER_PASSWORD_AUTH",
                "AuthParameters": {"USERNAME": "alice", "PASSWORD": PASSWORD},
                "ClientMetadata": {"tag": "initiate"} }),
    )
    .await;
    let t = &t["AuthenticationResult"];
    let (id, access) = (
        claims(str_of(t, "IdToken")),
        claims(str_of(t, "AccessToken")),
    );
    assert_eq!(id["tier"], "gold");
    assert_eq!(id["source"], "TokenGeneration_Authentication");
    assert_eq!(
        id["meta"], "none",
        "InitiateAuth's ClientMetadata is not passed"
    );
    assert!(id.get("email").is_none());
    assert_eq!(id["cognito:groups"], json!(["vip"]));
    assert_eq!(
        id["cognito:preferred_role"],
        "arn:aws:iam::000000000000:role/vip"
    );
    // V1 reaches the access token through the group override only.
    assert_eq!(access["cognito:groups"], json!(["vip"]));
    assert!(access.get("tier").is_none());
    assert_eq!(access["scope"], "aws.cognito.signin.user.admin");
    issuer.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn v3_customizes_client_credentials_tokens() {
    let dir = tempfile::tempdir().unwrap();
    let issuer = start(dir.path()).await;
    let base = issuer.base_url().to_string();
    let pool = pool_with_trigger(&base, NODE_ARN, "V3_0").await;
    ok(
        &base,
        "CreateResourceServer",
        json!({ "UserPoolId": pool, "Identifier": "orders", "Name": "Orders",
                "Scopes": [{"ScopeName": "read", "ScopeDescription": "Read orders"}] }),
    )
    .await;
    let c = ok(
        &base,
        "CreateUserPoolClient",
        json!({ "UserPoolId": pool, "ClientName": "m2m", "GenerateSecret": true,
                "AllowedOAuthFlows": ["client_credentials"],
                "AllowedOAuthScopes": ["orders/read"],
                "AllowedOAuthFlowsUserPoolClient": true }),
    )
    .await;
    let (id, secret) = (
        str_of(&c["UserPoolClient"], "ClientId"),
        str_of(&c["UserPoolClient"], "ClientSecret"),
    );
    let (status, t) = token(
        &base,
        Some((id, secret)),
        &[
            ("grant_type", "client_credentials"),
            ("aws_client_metadata", r#"{"tenant":"acme"}"#),
        ],
    )
    .await;
    assert_eq!(status, 200, "{t}");
    let access = str_of(&t, "access_token");
    let c = verifier(&base, &pool, id, ExpectedTokenUse::Access)
        .verify(access)
        .await
        .unwrap();
    assert_eq!(c.client_id(), Some(id), "client_id is not modifiable");
    let c = claims(access);
    assert_eq!(c["tenant"], "acme");
    assert_eq!(c["scope"], "orders/read orders/audit");

    let grant = [("grant_type", "client_credentials")];
    let set_trigger = |arn: &'static str, version: &'static str| {
        let (base, pool) = (base.clone(), pool.clone());
        async move {
            ok(
                &base,
                "UpdateUserPool",
                json!({ "UserPoolId": pool,
                        "LambdaConfig": {"PreTokenGenerationConfig":
                                         {"LambdaArn": arn, "LambdaVersion": version}} }),
            )
            .await;
        }
    };
    // A V2 trigger does not fire for client credentials.
    set_trigger(NODE_ARN, "V2_0").await;
    let (status, t) = token(&base, Some((id, secret)), &grant).await;
    assert_eq!(status, 200, "{t}");
    let c = claims(str_of(&t, "access_token"));
    assert!(c.get("tenant").is_none());
    assert_eq!(c["scope"], "orders/read");

    // A response of the wrong shape refuses the grant.
    set_trigger(GARBAGE_ARN, "V3_0").await;
    let (status, t) = token(&base, Some((id, secret)), &grant).await;
    assert_eq!(status, 400);
    assert_eq!(
        t,
        json!({"error": "invalid_request", "error_description": "Unrecognizable lambda output"})
    );
    issuer.shutdown().await.unwrap();
}
