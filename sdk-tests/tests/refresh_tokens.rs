//! GetTokensFromRefreshToken through the AWS SDK for Rust: without
//! rotation (no new refresh token), with `RefreshTokenRotation` enabled on
//! the client (a new refresh token, the old one retired:
//! RefreshTokenReuseException), and NotAuthorizedException for bad tokens
//! and secrets.

use aws_sdk_cognitoidentityprovider::operation::get_tokens_from_refresh_token::GetTokensFromRefreshTokenError;
use aws_sdk_cognitoidentityprovider::types::{
    ExplicitAuthFlowsType, FeatureType, RefreshTokenRotationType,
};
use cognito_sdk_tests::{PASSWORD, SdkIssuer, password_auth};

/// Signs `username` in on `client_id`; returns its refresh token.
async fn refresh_token_of(
    sdk: &SdkIssuer,
    client_id: &str,
    secret: Option<&str>,
    username: &str,
) -> String {
    let out = password_auth(&sdk.client, client_id, secret, username, PASSWORD)
        .send()
        .await
        .expect("InitiateAuth");
    out.authentication_result()
        .and_then(|t| t.refresh_token())
        .expect("RefreshToken")
        .to_string()
}

/// Asserts `err` is the SDK's NotAuthorizedException variant.
fn assert_not_authorized<R: std::fmt::Debug>(
    err: aws_sdk_cognitoidentityprovider::error::SdkError<GetTokensFromRefreshTokenError, R>,
) {
    assert!(
        matches!(
            err.as_service_error(),
            Some(GetTokensFromRefreshTokenError::NotAuthorizedException(_))
        ),
        "{err:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_rotation_only_id_and_access_tokens_are_issued() {
    let sdk = SdkIssuer::start().await;
    let c = &sdk.client;
    let pool = sdk.create_pool("sdk-gtfrt").await;
    let (client_id, secret) = sdk.create_client(&pool, "confidential", true).await;
    let secret = secret.expect("generated secret");
    let (other_id, _) = sdk.create_client(&pool, "other", false).await;
    sdk.create_user(&pool, "ivy", "ivy@example.com").await;
    let refresh = refresh_token_of(&sdk, &client_id, Some(&secret), "ivy").await;

    let out = c
        .get_tokens_from_refresh_token()
        .client_id(&client_id)
        .client_secret(&secret)
        .refresh_token(&refresh)
        .send()
        .await
        .expect("GetTokensFromRefreshToken");
    let tokens = out.authentication_result().expect("AuthenticationResult");
    assert!(tokens.refresh_token().is_none(), "no rotation");
    assert_eq!(tokens.token_type(), Some("Bearer"));
    assert_eq!(tokens.expires_in(), 3600);
    let (id, access) = sdk
        .verify_tokens(
            &pool,
            &client_id,
            tokens.id_token().expect("IdToken"),
            tokens.access_token().expect("AccessToken"),
        )
        .await;
    assert_eq!(id.username(), Some("ivy"));
    assert_eq!(access.client_id(), Some(client_id.as_str()));
    // The same refresh token keeps working.
    c.get_tokens_from_refresh_token()
        .client_id(&client_id)
        .client_secret(&secret)
        .refresh_token(&refresh)
        .send()
        .await
        .expect("the refresh token is reusable without rotation");

    // A wrong secret, no secret, an unknown token, another client.
    let err = c
        .get_tokens_from_refresh_token()
        .client_id(&client_id)
        .client_secret("not-the-secret")
        .refresh_token(&refresh)
        .send()
        .await
        .expect_err("wrong secret");
    assert_not_authorized(err);
    let err = c
        .get_tokens_from_refresh_token()
        .client_id(&client_id)
        .refresh_token(&refresh)
        .send()
        .await
        .expect_err("no secret");
    assert_not_authorized(err);
    let err = c
        .get_tokens_from_refresh_token()
        .client_id(&client_id)
        .client_secret(&secret)
        .refresh_token("not-a-refresh-token")
        .send()
        .await
        .expect_err("unknown token");
    assert_not_authorized(err);
    let err = c
        .get_tokens_from_refresh_token()
        .client_id(&other_id)
        .refresh_token(&refresh)
        .send()
        .await
        .expect_err("another client's token");
    assert_not_authorized(err);

    // Revoked: NotAuthorizedException too.
    c.revoke_token()
        .client_id(&client_id)
        .client_secret(&secret)
        .token(&refresh)
        .send()
        .await
        .expect("RevokeToken");
    let err = c
        .get_tokens_from_refresh_token()
        .client_id(&client_id)
        .client_secret(&secret)
        .refresh_token(&refresh)
        .send()
        .await
        .expect_err("revoked");
    assert_not_authorized(err);
    sdk.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_rotation_a_new_refresh_token_replaces_the_old_one() {
    let sdk = SdkIssuer::start().await;
    let c = &sdk.client;
    let pool = sdk.create_pool("sdk-rotation").await;
    // Rotation without a grace period: the old token is retired at once.
    let created = c
        .create_user_pool_client()
        .user_pool_id(&pool)
        .client_name("rotating")
        .explicit_auth_flows(ExplicitAuthFlowsType::AllowUserPasswordAuth)
        .explicit_auth_flows(ExplicitAuthFlowsType::AllowRefreshTokenAuth)
        .refresh_token_rotation(
            RefreshTokenRotationType::builder()
                .feature(FeatureType::Enabled)
                .retry_grace_period_seconds(0)
                .build()
                .expect("rotation settings"),
        )
        .send()
        .await
        .expect("CreateUserPoolClient with RefreshTokenRotation");
    let client = created.user_pool_client().expect("UserPoolClient");
    let rotation = client
        .refresh_token_rotation()
        .expect("RefreshTokenRotation echoed");
    assert_eq!(rotation.feature(), &FeatureType::Enabled);
    assert_eq!(rotation.retry_grace_period_seconds(), Some(0));
    let client_id = client.client_id().expect("ClientId").to_string();
    sdk.create_user(&pool, "jack", "jack@example.com").await;
    let first = refresh_token_of(&sdk, &client_id, None, "jack").await;

    let out = c
        .get_tokens_from_refresh_token()
        .client_id(&client_id)
        .refresh_token(&first)
        .send()
        .await
        .expect("GetTokensFromRefreshToken");
    let tokens = out.authentication_result().expect("AuthenticationResult");
    let second = tokens
        .refresh_token()
        .expect("a new refresh token")
        .to_string();
    assert_ne!(second, first);
    let (id, _) = sdk
        .verify_tokens(
            &pool,
            &client_id,
            tokens.id_token().expect("IdToken"),
            tokens.access_token().expect("AccessToken"),
        )
        .await;
    assert_eq!(id.username(), Some("jack"));

    // The old token is retired: the SDK's dedicated reuse variant (as the
    // model documents for rotated-out tokens); the new one works and
    // rotates again.
    let err = c
        .get_tokens_from_refresh_token()
        .client_id(&client_id)
        .refresh_token(&first)
        .send()
        .await
        .expect_err("rotated-out token");
    assert!(
        matches!(
            err.as_service_error(),
            Some(GetTokensFromRefreshTokenError::RefreshTokenReuseException(
                _
            ))
        ),
        "{err:?}"
    );
    let out = c
        .get_tokens_from_refresh_token()
        .client_id(&client_id)
        .refresh_token(&second)
        .send()
        .await
        .expect("the new refresh token works");
    let third = out
        .authentication_result()
        .and_then(|t| t.refresh_token())
        .expect("rotated again");
    assert_ne!(third, second);

    // UpdateUserPoolClient turns rotation off again (DescribeUserPoolClient
    // shows it); then no new refresh token.
    c.update_user_pool_client()
        .user_pool_id(&pool)
        .client_id(&client_id)
        .explicit_auth_flows(ExplicitAuthFlowsType::AllowUserPasswordAuth)
        .explicit_auth_flows(ExplicitAuthFlowsType::AllowRefreshTokenAuth)
        .refresh_token_rotation(
            RefreshTokenRotationType::builder()
                .feature(FeatureType::Disabled)
                .build()
                .expect("rotation settings"),
        )
        .send()
        .await
        .expect("UpdateUserPoolClient");
    let described = c
        .describe_user_pool_client()
        .user_pool_id(&pool)
        .client_id(&client_id)
        .send()
        .await
        .expect("DescribeUserPoolClient");
    let feature = described
        .user_pool_client()
        .and_then(|c| c.refresh_token_rotation())
        .map(|r| r.feature().clone());
    assert!(
        matches!(feature, None | Some(FeatureType::Disabled)),
        "{feature:?}"
    );
    let out = c
        .get_tokens_from_refresh_token()
        .client_id(&client_id)
        .refresh_token(third)
        .send()
        .await
        .expect("refresh without rotation");
    let tokens = out.authentication_result().expect("AuthenticationResult");
    assert!(tokens.refresh_token().is_none());
    sdk.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_a_grace_period_the_old_token_still_works_briefly() {
    let sdk = SdkIssuer::start().await;
    let c = &sdk.client;
    let pool = sdk.create_pool("sdk-grace").await;
    let created = c
        .create_user_pool_client()
        .user_pool_id(&pool)
        .client_name("graceful")
        .explicit_auth_flows(ExplicitAuthFlowsType::AllowUserPasswordAuth)
        .explicit_auth_flows(ExplicitAuthFlowsType::AllowRefreshTokenAuth)
        .refresh_token_rotation(
            RefreshTokenRotationType::builder()
                .feature(FeatureType::Enabled)
                .retry_grace_period_seconds(60)
                .build()
                .expect("rotation settings"),
        )
        .send()
        .await
        .expect("CreateUserPoolClient");
    let client_id = created
        .user_pool_client()
        .and_then(|c| c.client_id())
        .expect("ClientId")
        .to_string();
    sdk.create_user(&pool, "kim", "kim@example.com").await;
    let first = refresh_token_of(&sdk, &client_id, None, "kim").await;
    for attempt in 0..2 {
        // A client retrying within the 60 s grace period gets tokens again.
        let out = c
            .get_tokens_from_refresh_token()
            .client_id(&client_id)
            .refresh_token(&first)
            .send()
            .await
            .unwrap_or_else(|e| panic!("attempt {attempt} within the grace period: {e:?}"));
        let tokens = out.authentication_result().expect("AuthenticationResult");
        assert!(tokens.access_token().is_some());
        assert_ne!(tokens.refresh_token(), Some(first.as_str()));
    }
    sdk.shutdown().await;
}
