//! Pagination tokens bound to their operation and pool, and numeric inputs
//! range-checked as AWS's shapes declare them, over real HTTP.

use crate::common;

use cognito_issuer::{IssuerOptions, IssuerServer};
use common::{call, create_user, ok};
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pagination_tokens_are_bound_to_their_operation_and_pool() {
    let dir = tempfile::tempdir().unwrap();
    let issuer = IssuerServer::start(IssuerOptions::new(dir.path()))
        .await
        .unwrap();
    let base = issuer.base_url().to_string();
    let pool = issuer.pool_id().to_string();
    let other = ok(&base, "CreateUserPool", json!({ "PoolName": "other" })).await["UserPool"]["Id"]
        .as_str()
        .unwrap()
        .to_string();
    for p in [&pool, &other] {
        for g in ["a", "b", "c"] {
            ok(
                &base,
                "CreateGroup",
                json!({ "UserPoolId": p, "GroupName": g }),
            )
            .await;
        }
    }
    for u in ["u1", "u2", "u3"] {
        create_user(&base, &pool, u, &format!("{u}@example.com")).await;
    }

    let groups = ok(
        &base,
        "ListGroups",
        json!({ "UserPoolId": pool, "Limit": 1 }),
    )
    .await;
    let group_token = groups["NextToken"].as_str().unwrap().to_string();
    let users = ok(
        &base,
        "ListUsers",
        json!({ "UserPoolId": pool, "Limit": 1 }),
    )
    .await;
    let user_token = users["PaginationToken"].as_str().unwrap().to_string();

    // Each token works where it came from.
    let next = ok(
        &base,
        "ListGroups",
        json!({ "UserPoolId": pool, "Limit": 1, "NextToken": group_token }),
    )
    .await;
    assert_eq!(next["Groups"][0]["GroupName"], "b");
    ok(
        &base,
        "ListUsers",
        json!({ "UserPoolId": pool, "Limit": 1, "PaginationToken": user_token }),
    )
    .await;

    // ... and nowhere else.
    let refused = [
        (
            "ListGroups",
            json!({ "UserPoolId": other, "NextToken": group_token }),
        ),
        (
            "ListGroups",
            json!({ "UserPoolId": pool, "NextToken": user_token }),
        ),
        (
            "ListUsers",
            json!({ "UserPoolId": pool, "PaginationToken": group_token }),
        ),
        (
            "ListUserPoolClients",
            json!({ "UserPoolId": pool, "MaxResults": 10, "NextToken": group_token }),
        ),
        (
            "ListUsersInGroup",
            json!({ "UserPoolId": pool, "GroupName": "a", "NextToken": group_token }),
        ),
    ];
    for (op, body) in refused {
        let e = call(&base, op, body.clone()).await.unwrap_err();
        assert_eq!(e.0, "InvalidParameterException", "{op} {body}");
    }
    issuer.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn numeric_fields_are_range_checked_like_aws() {
    let dir = tempfile::tempdir().unwrap();
    let issuer = IssuerServer::start(IssuerOptions::new(dir.path()))
        .await
        .unwrap();
    let base = issuer.base_url().to_string();
    let pool = issuer.pool_id().to_string();
    let invalid = |field: &str, value: i64, rel: &str, bound: i64| {
        (
            "InvalidParameterException".to_string(),
            format!(
                "1 validation error detected: Value '{value}' at '{field}' failed to satisfy \
                 constraint: Member must have value {rel} than or equal to {bound}"
            ),
        )
    };

    // Group precedence: a non-negative 32-bit integer.
    let e = call(
        &base,
        "CreateGroup",
        json!({ "UserPoolId": pool, "GroupName": "big", "Precedence": 2_147_483_648_i64 }),
    )
    .await
    .unwrap_err();
    assert_eq!(
        e,
        invalid("precedence", 2_147_483_648, "less", 2_147_483_647)
    );
    let e = call(
        &base,
        "CreateGroup",
        json!({ "UserPoolId": pool, "GroupName": "neg", "Precedence": -1 }),
    )
    .await
    .unwrap_err();
    assert_eq!(e, invalid("precedence", -1, "greater", 0));
    ok(
        &base,
        "CreateGroup",
        json!({ "UserPoolId": pool, "GroupName": "max", "Precedence": 2_147_483_647_i64 }),
    )
    .await;

    // List limits per operation: Limit 0..60 (0 = the default page),
    // MaxResults 1..60 or 1..50.
    let e = call(
        &base,
        "ListUsers",
        json!({ "UserPoolId": pool, "Limit": 61 }),
    )
    .await
    .unwrap_err();
    assert_eq!(e, invalid("limit", 61, "less", 60));
    ok(
        &base,
        "ListUsers",
        json!({ "UserPoolId": pool, "Limit": 0 }),
    )
    .await;
    let e = call(
        &base,
        "ListResourceServers",
        json!({ "UserPoolId": pool, "MaxResults": 51 }),
    )
    .await
    .unwrap_err();
    assert_eq!(e, invalid("maxResults", 51, "less", 50));
    let e = call(
        &base,
        "ListUserPoolClients",
        json!({ "UserPoolId": pool, "MaxResults": 0 }),
    )
    .await
    .unwrap_err();
    assert_eq!(e, invalid("maxResults", 0, "greater", 1));

    // Token validity: the fields' own ranges, before any unit arithmetic
    // (an i64::MAX of days must not overflow).
    let e = call(
        &base,
        "CreateUserPoolClient",
        json!({ "UserPoolId": pool, "ClientName": "x", "AccessTokenValidity": i64::MAX,
                "TokenValidityUnits": { "AccessToken": "days" } }),
    )
    .await
    .unwrap_err();
    assert_eq!(e, invalid("accessTokenValidity", i64::MAX, "less", 86_400));
    let e = call(
        &base,
        "CreateUserPoolClient",
        json!({ "UserPoolId": pool, "ClientName": "x", "RefreshTokenValidity": 315_360_001_i64 }),
    )
    .await
    .unwrap_err();
    assert_eq!(
        e,
        invalid("refreshTokenValidity", 315_360_001, "less", 315_360_000)
    );
    issuer.shutdown().await.unwrap();
}
