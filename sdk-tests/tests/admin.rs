//! Admin user management through the AWS SDK for Rust, every call signed
//! with SigV4 and verified by the issuer; the SDK's typed outputs and typed
//! error variants.

use aws_sdk_cognitoidentityprovider::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_cognitoidentityprovider::operation::admin_create_user::AdminCreateUserError;
use aws_sdk_cognitoidentityprovider::operation::admin_get_user::AdminGetUserError;
use aws_sdk_cognitoidentityprovider::operation::admin_set_user_password::AdminSetUserPasswordError;
use aws_sdk_cognitoidentityprovider::operation::describe_user_pool::DescribeUserPoolError;
use aws_sdk_cognitoidentityprovider::operation::initiate_auth::InitiateAuthError;
use aws_sdk_cognitoidentityprovider::operation::list_users::ListUsersError;
use aws_sdk_cognitoidentityprovider::types::{MessageActionType, UserStatusType};
use cognito_sdk_tests::{
    ACCESS_KEY_ID, NEW_PASSWORD, PASSWORD, SdkIssuer, attr, attribute, password_auth,
};
use cognito_test_support::cognito_api;
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admin_user_lifecycle_through_the_sdk() {
    let sdk = SdkIssuer::start().await;
    let c = &sdk.client;
    let pool = sdk.create_pool("sdk-admin").await;
    let (client_id, _) = sdk.create_client(&pool, "admin-web", false).await;

    // AdminCreateUser with a temporary password: FORCE_CHANGE_PASSWORD.
    let created = c
        .admin_create_user()
        .user_pool_id(&pool)
        .username("alice")
        .temporary_password(PASSWORD)
        .message_action(MessageActionType::Suppress)
        .user_attributes(attr("email", "alice@example.com"))
        .user_attributes(attr("email_verified", "true"))
        .send()
        .await
        .expect("AdminCreateUser");
    let user = created.user().expect("User in the output");
    assert_eq!(user.username(), Some("alice"));
    assert_eq!(
        user.user_status(),
        Some(&UserStatusType::ForceChangePassword)
    );
    assert!(user.enabled());
    assert!(user.user_create_date().is_some());
    assert_eq!(
        attribute(user.attributes(), "email"),
        Some("alice@example.com")
    );

    // The same name again: the SDK's UsernameExistsException variant.
    let err = c
        .admin_create_user()
        .user_pool_id(&pool)
        .username("alice")
        .message_action(MessageActionType::Suppress)
        .send()
        .await
        .expect_err("duplicate username refused");
    assert!(
        matches!(
            err.as_service_error(),
            Some(AdminCreateUserError::UsernameExistsException(_))
        ),
        "{err:?}"
    );

    // AdminGetUser.
    let got = c
        .admin_get_user()
        .user_pool_id(&pool)
        .username("alice")
        .send()
        .await
        .expect("AdminGetUser");
    assert_eq!(got.username(), "alice");
    assert_eq!(
        got.user_status(),
        Some(&UserStatusType::ForceChangePassword)
    );
    assert!(got.enabled());
    let sub = attribute(got.user_attributes(), "sub")
        .expect("sub attribute")
        .to_string();
    assert_eq!(
        attribute(got.user_attributes(), "email_verified"),
        Some("true")
    );

    // A second user, then ListUsers with a filter finds exactly one.
    sdk.create_user(&pool, "bob", "bob@example.com").await;
    let listed = c
        .list_users()
        .user_pool_id(&pool)
        .filter("email = \"alice@example.com\"")
        .send()
        .await
        .expect("ListUsers");
    let names: Vec<_> = listed.users().iter().filter_map(|u| u.username()).collect();
    assert_eq!(names, ["alice"]);
    let prefix = c
        .list_users()
        .user_pool_id(&pool)
        .filter("username ^= \"b\"")
        .send()
        .await
        .expect("ListUsers with a prefix filter");
    let names: Vec<_> = prefix.users().iter().filter_map(|u| u.username()).collect();
    assert_eq!(names, ["bob"]);
    let all = c
        .list_users()
        .user_pool_id(&pool)
        .send()
        .await
        .expect("ListUsers");
    assert_eq!(all.users().len(), 2);
    // An unparsable filter is the SDK's InvalidParameterException.
    let err = c
        .list_users()
        .user_pool_id(&pool)
        .filter("email === nonsense")
        .send()
        .await
        .expect_err("bad filter refused");
    assert!(
        matches!(
            err.as_service_error(),
            Some(ListUsersError::InvalidParameterException(_))
        ),
        "{err:?}"
    );

    // AdminUpdateUserAttributes.
    c.admin_update_user_attributes()
        .user_pool_id(&pool)
        .username("alice")
        .user_attributes(attr("given_name", "Alice"))
        .user_attributes(attr("email", "alice@example.org"))
        .user_attributes(attr("email_verified", "true"))
        .send()
        .await
        .expect("AdminUpdateUserAttributes");
    let got = c
        .admin_get_user()
        .user_pool_id(&pool)
        .username("alice")
        .send()
        .await
        .expect("AdminGetUser");
    assert_eq!(
        attribute(got.user_attributes(), "given_name"),
        Some("Alice")
    );
    assert_eq!(
        attribute(got.user_attributes(), "email"),
        Some("alice@example.org")
    );
    assert_eq!(attribute(got.user_attributes(), "sub"), Some(sub.as_str()));

    // AdminSetUserPassword: a weak password is InvalidPasswordException, a
    // permanent one makes the user CONFIRMED and able to sign in.
    let err = c
        .admin_set_user_password()
        .user_pool_id(&pool)
        .username("alice")
        .password("short")
        .permanent(true)
        .send()
        .await
        .expect_err("weak password refused");
    assert!(
        matches!(
            err.as_service_error(),
            Some(AdminSetUserPasswordError::InvalidPasswordException(_))
        ),
        "{err:?}"
    );
    c.admin_set_user_password()
        .user_pool_id(&pool)
        .username("alice")
        .password(NEW_PASSWORD)
        .permanent(true)
        .send()
        .await
        .expect("AdminSetUserPassword");
    let got = c
        .admin_get_user()
        .user_pool_id(&pool)
        .username("alice")
        .send()
        .await
        .expect("AdminGetUser");
    assert_eq!(got.user_status(), Some(&UserStatusType::Confirmed));
    let signed_in = password_auth(c, &client_id, None, "alice", NEW_PASSWORD)
        .send()
        .await
        .expect("sign-in with the permanent password");
    assert!(signed_in.challenge_name().is_none());
    assert!(signed_in.authentication_result().is_some());

    // AdminDisableUser: sign-in refused (NotAuthorizedException), and
    // AdminGetUser reports it; AdminEnableUser restores it.
    c.admin_disable_user()
        .user_pool_id(&pool)
        .username("alice")
        .send()
        .await
        .expect("AdminDisableUser");
    let got = c
        .admin_get_user()
        .user_pool_id(&pool)
        .username("alice")
        .send()
        .await
        .expect("AdminGetUser");
    assert!(!got.enabled());
    let err = password_auth(c, &client_id, None, "alice", NEW_PASSWORD)
        .send()
        .await
        .expect_err("disabled user cannot sign in");
    assert!(
        matches!(
            err.as_service_error(),
            Some(InitiateAuthError::NotAuthorizedException(_))
        ),
        "{err:?}"
    );
    c.admin_enable_user()
        .user_pool_id(&pool)
        .username("alice")
        .send()
        .await
        .expect("AdminEnableUser");
    password_auth(c, &client_id, None, "alice", NEW_PASSWORD)
        .send()
        .await
        .expect("enabled user signs in again");

    // AdminDeleteUser: then the SDK's UserNotFoundException.
    c.admin_delete_user()
        .user_pool_id(&pool)
        .username("alice")
        .send()
        .await
        .expect("AdminDeleteUser");
    let err = c
        .admin_get_user()
        .user_pool_id(&pool)
        .username("alice")
        .send()
        .await
        .expect_err("deleted user is gone");
    assert!(
        matches!(
            err.as_service_error(),
            Some(AdminGetUserError::UserNotFoundException(_))
        ),
        "{err:?}"
    );
    assert_eq!(err.code(), Some("UserNotFoundException"));
    sdk.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn groups_show_in_the_sdk_and_in_verified_tokens() {
    let sdk = SdkIssuer::start().await;
    let c = &sdk.client;
    let pool = sdk.create_pool("sdk-groups").await;
    let (client_id, _) = sdk.create_client(&pool, "groups-web", false).await;
    sdk.create_user(&pool, "carol", "carol@example.com").await;

    let created = c
        .create_group()
        .user_pool_id(&pool)
        .group_name("admins")
        .description("administrators")
        .precedence(1)
        .send()
        .await
        .expect("CreateGroup");
    let group = created.group().expect("Group in the output");
    assert_eq!(group.group_name(), Some("admins"));
    assert_eq!(group.precedence(), Some(1));
    c.create_group()
        .user_pool_id(&pool)
        .group_name("readers")
        .send()
        .await
        .expect("CreateGroup");
    for g in ["admins", "readers"] {
        c.admin_add_user_to_group()
            .user_pool_id(&pool)
            .username("carol")
            .group_name(g)
            .send()
            .await
            .expect("AdminAddUserToGroup");
    }
    let groups = c
        .admin_list_groups_for_user()
        .user_pool_id(&pool)
        .username("carol")
        .send()
        .await
        .expect("AdminListGroupsForUser");
    let mut names: Vec<_> = groups
        .groups()
        .iter()
        .filter_map(|g| g.group_name())
        .collect();
    names.sort_unstable();
    assert_eq!(names, ["admins", "readers"]);

    // The groups reach the tokens the SDK receives, verified by cognito-verifier.
    let out = password_auth(c, &client_id, None, "carol", PASSWORD)
        .send()
        .await
        .expect("InitiateAuth");
    let tokens = out.authentication_result().expect("tokens");
    let (id, access) = sdk
        .verify_tokens(
            &pool,
            &client_id,
            tokens.id_token().expect("IdToken"),
            tokens.access_token().expect("AccessToken"),
        )
        .await;
    for claims in [&id, &access] {
        assert!(claims.in_group("admins") && claims.in_group("readers"));
        assert_eq!(claims.username(), Some("carol"));
    }
    assert_eq!(id.email(), Some("carol@example.com"));
    sdk.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_pool_is_resource_not_found() {
    let sdk = SdkIssuer::start().await;
    let err = sdk
        .client
        .describe_user_pool()
        .user_pool_id("us-east-1_NoSuchPool")
        .send()
        .await
        .expect_err("unknown pool");
    assert!(
        matches!(
            err.as_service_error(),
            Some(DescribeUserPoolError::ResourceNotFoundException(_))
        ),
        "{err:?}"
    );
    // The default pool the issuer bootstraps is visible to the SDK.
    let listed = sdk
        .client
        .list_user_pools()
        .max_results(10)
        .send()
        .await
        .expect("ListUserPools");
    let ids: Vec<_> = listed.user_pools().iter().filter_map(|p| p.id()).collect();
    assert_eq!(ids, [sdk.issuer.pool_id()]);
    sdk.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrongly_signed_and_unsigned_admin_calls_are_refused() {
    let sdk = SdkIssuer::start().await;
    let pool = sdk.issuer.pool_id().to_string();

    // The right key id with a wrong secret: the signature does not match.
    let wrong_secret = sdk.client_with(ACCESS_KEY_ID, "not-the-secret");
    let err = wrong_secret
        .admin_create_user()
        .user_pool_id(&pool)
        .username("mallory")
        .message_action(MessageActionType::Suppress)
        .send()
        .await
        .expect_err("wrong secret refused");
    // Not one of the operation's modelled errors: the SDK's unhandled
    // variant, with the issuer's error code.
    assert!(matches!(err, SdkError::ServiceError(_)), "{err:?}");
    assert_eq!(err.code(), Some("InvalidSignatureException"), "{err:?}");
    let status = err.raw_response().map(|r| r.status().as_u16());
    assert!(matches!(status, Some(400 | 403)), "{status:?}");

    // An access key id the issuer does not know.
    let unknown = sdk.client_with("AKIDUNKNOWN", "whatever");
    let err = unknown
        .admin_create_user()
        .user_pool_id(&pool)
        .username("mallory")
        .message_action(MessageActionType::Suppress)
        .send()
        .await
        .expect_err("unknown key refused");
    assert!(matches!(err, SdkError::ServiceError(_)), "{err:?}");
    assert_eq!(err.code(), Some("UnrecognizedClientException"), "{err:?}");

    // The SDK cannot send an unsigned admin call; the workspace's raw client can.
    let raw = cognito_api::call(
        &reqwest::Client::new(),
        sdk.issuer.base_url(),
        "AdminCreateUser",
        &json!({ "UserPoolId": pool, "Username": "mallory", "MessageAction": "SUPPRESS" }),
    )
    .await
    .expect_err("unsigned call refused");
    assert_eq!(raw.aws_type(), Some("MissingAuthenticationTokenException"));

    // None of them created the user; the right signature still works.
    let err = sdk
        .client
        .admin_get_user()
        .user_pool_id(&pool)
        .username("mallory")
        .send()
        .await
        .expect_err("no such user");
    assert!(
        matches!(
            err.as_service_error(),
            Some(AdminGetUserError::UserNotFoundException(_))
        ),
        "{err:?}"
    );
    sdk.shutdown().await;
}
