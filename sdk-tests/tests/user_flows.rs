//! Password flows without SRP through the AWS SDK for Rust (unsigned public
//! operations): sign-up and confirmation, USER_PASSWORD_AUTH with and
//! without a client secret, REFRESH_TOKEN_AUTH, NEW_PASSWORD_REQUIRED, the
//! signed-in user's operations, forgotten passwords (sign-out and
//! revocation: sign_out.rs).

use aws_sdk_cognitoidentityprovider::operation::change_password::ChangePasswordError;
use aws_sdk_cognitoidentityprovider::operation::confirm_forgot_password::ConfirmForgotPasswordError;
use aws_sdk_cognitoidentityprovider::operation::confirm_sign_up::ConfirmSignUpError;
use aws_sdk_cognitoidentityprovider::operation::initiate_auth::InitiateAuthError;
use aws_sdk_cognitoidentityprovider::operation::sign_up::SignUpError;
use aws_sdk_cognitoidentityprovider::types::{
    AuthFlowType, ChallengeNameType, DeliveryMediumType, MessageActionType,
};
use cognito_sdk_tests::{NEW_PASSWORD, PASSWORD, SdkIssuer, attr, attribute, password_auth};

/// A code other than `code`.
fn wrong(code: &str) -> &'static str {
    if code == "000000" { "111111" } else { "000000" }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_up_confirm_and_sign_in_with_a_client_secret() {
    let sdk = SdkIssuer::start().await;
    let c = &sdk.client;
    let pool = sdk.create_pool("sdk-signup").await;
    let (client_id, secret) = sdk.create_client(&pool, "confidential", true).await;
    let secret = secret.expect("generated secret");
    let hash = |user: &str| cognito_issuer::secret_hash(&secret, user, &client_id);

    let signed_up = c
        .sign_up()
        .client_id(&client_id)
        .secret_hash(hash("dave"))
        .username("dave")
        .password(PASSWORD)
        .user_attributes(attr("email", "dave@example.com"))
        .send()
        .await
        .expect("SignUp");
    assert!(!signed_up.user_confirmed());
    let sub = signed_up.user_sub().to_string();
    assert!(!sub.is_empty());
    let delivery = signed_up
        .code_delivery_details()
        .expect("CodeDeliveryDetails");
    assert_eq!(delivery.delivery_medium(), Some(&DeliveryMediumType::Email));
    assert_eq!(delivery.attribute_name(), Some("email"));
    assert_ne!(delivery.destination(), Some("dave@example.com"), "masked");

    // Without SECRET_HASH a secret client refuses SignUp.
    let err = c
        .sign_up()
        .client_id(&client_id)
        .username("eve")
        .password(PASSWORD)
        .send()
        .await
        .expect_err("no SECRET_HASH");
    assert!(
        matches!(
            err.as_service_error(),
            Some(SignUpError::NotAuthorizedException(_))
        ),
        "{err:?}"
    );
    // The same name again.
    let err = c
        .sign_up()
        .client_id(&client_id)
        .secret_hash(hash("dave"))
        .username("dave")
        .password(PASSWORD)
        .send()
        .await
        .expect_err("taken");
    assert!(
        matches!(
            err.as_service_error(),
            Some(SignUpError::UsernameExistsException(_))
        ),
        "{err:?}"
    );
    // A password the policy refuses.
    let err = c
        .sign_up()
        .client_id(&client_id)
        .secret_hash(hash("frank"))
        .username("frank")
        .password("password")
        .send()
        .await
        .expect_err("weak password");
    assert!(
        matches!(
            err.as_service_error(),
            Some(SignUpError::InvalidPasswordException(_))
        ),
        "{err:?}"
    );

    // Not confirmed yet: the SDK's UserNotConfirmedException.
    let err = password_auth(c, &client_id, Some(&secret), "dave", PASSWORD)
        .send()
        .await
        .expect_err("unconfirmed");
    assert!(
        matches!(
            err.as_service_error(),
            Some(InitiateAuthError::UserNotConfirmedException(_))
        ),
        "{err:?}"
    );

    // ConfirmSignUp with the outbox's code (a wrong one first).
    let code = sdk.latest_code(&pool, "dave", "SIGN_UP");
    let err = c
        .confirm_sign_up()
        .client_id(&client_id)
        .secret_hash(hash("dave"))
        .username("dave")
        .confirmation_code(wrong(&code))
        .send()
        .await
        .expect_err("wrong code");
    assert!(
        matches!(
            err.as_service_error(),
            Some(ConfirmSignUpError::CodeMismatchException(_))
        ),
        "{err:?}"
    );
    c.confirm_sign_up()
        .client_id(&client_id)
        .secret_hash(hash("dave"))
        .username("dave")
        .confirmation_code(&code)
        .send()
        .await
        .expect("ConfirmSignUp");

    // USER_PASSWORD_AUTH: without SECRET_HASH, with a wrong password, then right.
    let err = password_auth(c, &client_id, None, "dave", PASSWORD)
        .send()
        .await
        .expect_err("no SECRET_HASH");
    assert!(
        matches!(
            err.as_service_error(),
            Some(InitiateAuthError::NotAuthorizedException(_))
        ),
        "{err:?}"
    );
    let err = password_auth(c, &client_id, Some(&secret), "dave", NEW_PASSWORD)
        .send()
        .await
        .expect_err("wrong password");
    assert!(
        matches!(
            err.as_service_error(),
            Some(InitiateAuthError::NotAuthorizedException(_))
        ),
        "{err:?}"
    );
    let out = password_auth(c, &client_id, Some(&secret), "dave", PASSWORD)
        .send()
        .await
        .expect("InitiateAuth");
    assert!(out.challenge_name().is_none());
    let tokens = out.authentication_result().expect("AuthenticationResult");
    assert_eq!(tokens.token_type(), Some("Bearer"));
    assert_eq!(tokens.expires_in(), 3600);
    let refresh = tokens.refresh_token().expect("RefreshToken").to_string();
    let (id, access) = sdk
        .verify_tokens(
            &pool,
            &client_id,
            tokens.id_token().expect("IdToken"),
            tokens.access_token().expect("AccessToken"),
        )
        .await;
    assert_eq!(id.sub(), sub);
    assert_eq!(access.sub(), sub);
    assert_eq!(id.email(), Some("dave@example.com"));
    assert_eq!(id.email_verified(), Some(true), "auto-verified by the code");
    assert_eq!(access.client_id(), Some(client_id.as_str()));

    // REFRESH_TOKEN_AUTH with SECRET_HASH: new ID and access tokens, no new
    // refresh token (no rotation).
    let refreshed = c
        .initiate_auth()
        .client_id(&client_id)
        .auth_flow(AuthFlowType::RefreshTokenAuth)
        .auth_parameters("REFRESH_TOKEN", &refresh)
        .auth_parameters("SECRET_HASH", hash("dave"))
        .send()
        .await
        .expect("REFRESH_TOKEN_AUTH");
    let renewed = refreshed.authentication_result().expect("tokens");
    assert!(renewed.refresh_token().is_none());
    let (id2, _) = sdk
        .verify_tokens(
            &pool,
            &client_id,
            renewed.id_token().expect("IdToken"),
            renewed.access_token().expect("AccessToken"),
        )
        .await;
    assert_eq!(id2.sub(), sub);
    assert_eq!(id2.origin_jti(), id.origin_jti(), "same sign-in");
    // ... and without SECRET_HASH it is refused.
    let err = c
        .initiate_auth()
        .client_id(&client_id)
        .auth_flow(AuthFlowType::RefreshTokenAuth)
        .auth_parameters("REFRESH_TOKEN", &refresh)
        .send()
        .await
        .expect_err("no SECRET_HASH");
    assert!(
        matches!(
            err.as_service_error(),
            Some(InitiateAuthError::NotAuthorizedException(_))
        ),
        "{err:?}"
    );
    sdk.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn new_password_required_then_the_users_own_operations() {
    let sdk = SdkIssuer::start().await;
    let c = &sdk.client;
    let pool = sdk.create_pool("sdk-self").await;
    let (client_id, _) = sdk.create_client(&pool, "public", false).await;
    c.admin_create_user()
        .user_pool_id(&pool)
        .username("gina")
        .temporary_password(PASSWORD)
        .message_action(MessageActionType::Suppress)
        .user_attributes(attr("email", "gina@example.com"))
        .user_attributes(attr("email_verified", "true"))
        .send()
        .await
        .expect("AdminCreateUser");

    // The temporary password leads to NEW_PASSWORD_REQUIRED.
    let out = password_auth(c, &client_id, None, "gina", PASSWORD)
        .send()
        .await
        .expect("InitiateAuth");
    assert_eq!(
        out.challenge_name(),
        Some(&ChallengeNameType::NewPasswordRequired)
    );
    assert!(out.authentication_result().is_none());
    let session = out.session().expect("Session").to_string();
    let params = out.challenge_parameters().expect("ChallengeParameters");
    assert!(params.contains_key("USER_ID_FOR_SRP"), "{params:?}");
    let answered = c
        .respond_to_auth_challenge()
        .client_id(&client_id)
        .challenge_name(ChallengeNameType::NewPasswordRequired)
        .session(&session)
        .challenge_responses("USERNAME", "gina")
        .challenge_responses("NEW_PASSWORD", NEW_PASSWORD)
        .send()
        .await
        .expect("RespondToAuthChallenge");
    assert!(answered.challenge_name().is_none());
    let tokens = answered.authentication_result().expect("tokens");
    let access = tokens.access_token().expect("AccessToken").to_string();
    sdk.verify_tokens(
        &pool,
        &client_id,
        tokens.id_token().expect("IdToken"),
        &access,
    )
    .await;

    // GetUser with the access token.
    let me = c
        .get_user()
        .access_token(&access)
        .send()
        .await
        .expect("GetUser");
    assert_eq!(me.username(), "gina");
    assert_eq!(
        attribute(me.user_attributes(), "email"),
        Some("gina@example.com")
    );

    // ChangePassword: wrong previous password, weak new one, then right.
    let err = c
        .change_password()
        .access_token(&access)
        .previous_password(PASSWORD)
        .proposed_password("An0ther-Good-One!")
        .send()
        .await
        .expect_err("wrong previous password");
    assert!(
        matches!(
            err.as_service_error(),
            Some(ChangePasswordError::NotAuthorizedException(_))
        ),
        "{err:?}"
    );
    let err = c
        .change_password()
        .access_token(&access)
        .previous_password(NEW_PASSWORD)
        .proposed_password("weak")
        .send()
        .await
        .expect_err("weak password");
    assert!(
        matches!(
            err.as_service_error(),
            Some(ChangePasswordError::InvalidPasswordException(_))
        ),
        "{err:?}"
    );
    let changed = "An0ther-Good-One!";
    c.change_password()
        .access_token(&access)
        .previous_password(NEW_PASSWORD)
        .proposed_password(changed)
        .send()
        .await
        .expect("ChangePassword");
    password_auth(c, &client_id, None, "gina", changed)
        .send()
        .await
        .expect("the changed password signs in");

    // ForgotPassword / ConfirmForgotPassword with the outbox's code.
    let forgot = c
        .forgot_password()
        .client_id(&client_id)
        .username("gina")
        .send()
        .await
        .expect("ForgotPassword");
    let delivery = forgot.code_delivery_details().expect("CodeDeliveryDetails");
    assert_eq!(delivery.delivery_medium(), Some(&DeliveryMediumType::Email));
    let code = sdk.latest_code(&pool, "gina", "FORGOT_PASSWORD");
    let reset = "Res3t-Passw0rd!";
    let err = c
        .confirm_forgot_password()
        .client_id(&client_id)
        .username("gina")
        .confirmation_code(wrong(&code))
        .password(reset)
        .send()
        .await
        .expect_err("wrong code");
    assert!(
        matches!(
            err.as_service_error(),
            Some(ConfirmForgotPasswordError::CodeMismatchException(_))
        ),
        "{err:?}"
    );
    c.confirm_forgot_password()
        .client_id(&client_id)
        .username("gina")
        .confirmation_code(&code)
        .password(reset)
        .send()
        .await
        .expect("ConfirmForgotPassword");
    let err = password_auth(c, &client_id, None, "gina", changed)
        .send()
        .await
        .expect_err("the old password no longer works");
    assert!(
        matches!(
            err.as_service_error(),
            Some(InitiateAuthError::NotAuthorizedException(_))
        ),
        "{err:?}"
    );
    password_auth(c, &client_id, None, "gina", reset)
        .send()
        .await
        .expect("the reset password signs in");

    // An unknown user (the client keeps LEGACY user-existence errors).
    let err = password_auth(c, &client_id, None, "nobody", PASSWORD)
        .send()
        .await
        .expect_err("unknown user");
    assert!(
        matches!(
            err.as_service_error(),
            Some(InitiateAuthError::UserNotFoundException(_))
        ),
        "{err:?}"
    );
    sdk.shutdown().await;
}
