//! Ending sessions through the AWS SDK for Rust: GlobalSignOut and
//! RevokeToken, after which GetUser and REFRESH_TOKEN_AUTH answer the SDK's
//! NotAuthorizedException variants.

use aws_sdk_cognitoidentityprovider::operation::get_user::GetUserError;
use aws_sdk_cognitoidentityprovider::operation::initiate_auth::InitiateAuthError;
use aws_sdk_cognitoidentityprovider::types::AuthFlowType;
use cognito_sdk_tests::{PASSWORD, SdkIssuer, password_auth};
use cognito_verifier::ExpectedTokenUse;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn global_sign_out_and_revoke_token_end_sessions() {
    let sdk = SdkIssuer::start().await;
    let c = &sdk.client;
    let pool = sdk.create_pool("sdk-signout").await;
    let (client_id, _) = sdk.create_client(&pool, "public", false).await;
    sdk.create_user(&pool, "hank", "hank@example.com").await;

    // GlobalSignOut: the access token and the refresh token stop working.
    let out = password_auth(c, &client_id, None, "hank", PASSWORD)
        .send()
        .await
        .expect("InitiateAuth");
    let tokens = out.authentication_result().expect("tokens");
    let access = tokens.access_token().expect("AccessToken").to_string();
    let refresh = tokens.refresh_token().expect("RefreshToken").to_string();
    c.get_user()
        .access_token(&access)
        .send()
        .await
        .expect("GetUser before sign-out");
    c.global_sign_out()
        .access_token(&access)
        .send()
        .await
        .expect("GlobalSignOut");
    let err = c
        .get_user()
        .access_token(&access)
        .send()
        .await
        .expect_err("signed out");
    assert!(
        matches!(
            err.as_service_error(),
            Some(GetUserError::NotAuthorizedException(_))
        ),
        "{err:?}"
    );
    let err = refresh_auth(c, &client_id, &refresh)
        .await
        .expect_err("refresh token signed out");
    assert!(
        matches!(
            err.as_service_error(),
            Some(InitiateAuthError::NotAuthorizedException(_))
        ),
        "{err:?}"
    );

    // A new sign-in refreshes, then RevokeToken ends it.
    let out = password_auth(c, &client_id, None, "hank", PASSWORD)
        .send()
        .await
        .expect("InitiateAuth");
    let tokens = out.authentication_result().expect("tokens");
    let access = tokens.access_token().expect("AccessToken").to_string();
    let refresh = tokens.refresh_token().expect("RefreshToken").to_string();
    let renewed = refresh_auth(c, &client_id, &refresh)
        .await
        .expect("REFRESH_TOKEN_AUTH");
    let renewed = renewed.authentication_result().expect("tokens");
    assert!(renewed.refresh_token().is_none());
    let renewed_access = renewed.access_token().expect("AccessToken").to_string();
    let (_, claims) = sdk
        .verify_tokens(
            &pool,
            &client_id,
            renewed.id_token().expect("IdToken"),
            &renewed_access,
        )
        .await;
    assert_eq!(claims.username(), Some("hank"));
    c.revoke_token()
        .client_id(&client_id)
        .token(&refresh)
        .send()
        .await
        .expect("RevokeToken");
    let err = refresh_auth(c, &client_id, &refresh)
        .await
        .expect_err("revoked refresh token");
    assert!(
        matches!(
            err.as_service_error(),
            Some(InitiateAuthError::NotAuthorizedException(_))
        ),
        "{err:?}"
    );
    for token in [&access, &renewed_access] {
        let err = c
            .get_user()
            .access_token(token)
            .send()
            .await
            .expect_err("access tokens of the revoked sign-in");
        assert!(
            matches!(
                err.as_service_error(),
                Some(GetUserError::NotAuthorizedException(_))
            ),
            "{err:?}"
        );
    }
    // Still correctly signed, as in AWS: a verifier without the revocation
    // list accepts the access token.
    sdk.verifier(&pool, &client_id, ExpectedTokenUse::Access)
        .verify(&renewed_access)
        .await
        .expect("signature still valid");
    sdk.shutdown().await;
}

/// REFRESH_TOKEN_AUTH on a client without a secret.
async fn refresh_auth(
    c: &aws_sdk_cognitoidentityprovider::Client,
    client_id: &str,
    refresh: &str,
) -> Result<
    aws_sdk_cognitoidentityprovider::operation::initiate_auth::InitiateAuthOutput,
    aws_sdk_cognitoidentityprovider::error::SdkError<
        InitiateAuthError,
        aws_sdk_cognitoidentityprovider::config::http::HttpResponse,
    >,
> {
    c.initiate_auth()
        .client_id(client_id)
        .auth_flow(AuthFlowType::RefreshTokenAuth)
        .auth_parameters("REFRESH_TOKEN", refresh)
        .send()
        .await
}
