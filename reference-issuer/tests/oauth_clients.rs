//! The OAuth settings of app clients over real HTTP: Create / Update /
//! Describe round trips of CallbackURLs, LogoutURLs, DefaultRedirectURI,
//! AllowedOAuthFlows, AllowedOAuthScopes, AllowedOAuthFlowsUserPoolClient
//! and SupportedIdentityProviders; every refusal with Cognito's exception
//! (and message where AWS's is known) and nothing stored; the first-start
//! default client's code flow and the banner's hosted UI sign-in URL.

use crate::common;

use cognito_issuer::{IssuerOptions, IssuerServer, RunningIssuer};
use common::{call, ok};
use serde_json::{Value, json};

async fn start(dir: &std::path::Path) -> RunningIssuer {
    IssuerServer::start(IssuerOptions::new(dir)).await.unwrap()
}

/// A resource server with `orders/read`, so custom scopes exist.
async fn with_orders(base: &str, pool: &str) {
    ok(
        base,
        "CreateResourceServer",
        json!({ "UserPoolId": pool, "Identifier": "orders", "Name": "Orders",
                "Scopes": [{"ScopeName": "read", "ScopeDescription": "Read"}] }),
    )
    .await;
}

fn web_client(pool: &str) -> Value {
    json!({
        "UserPoolId": pool, "ClientName": "web",
        "AllowedOAuthFlows": ["code", "implicit"],
        "AllowedOAuthScopes": ["openid", "email", "orders/read"],
        "AllowedOAuthFlowsUserPoolClient": true,
        "CallbackURLs": ["https://app.example.com/cb", "http://localhost:5173/cb",
                         "http://127.0.0.1:8080/cb", "myapp://callback"],
        "LogoutURLs": ["https://app.example.com/", "http://[::1]:8080/bye"],
        "DefaultRedirectURI": "https://app.example.com/cb",
        "SupportedIdentityProviders": ["COGNITO"],
    })
}

const OAUTH_FIELDS: [&str; 7] = [
    "AllowedOAuthFlows",
    "AllowedOAuthScopes",
    "AllowedOAuthFlowsUserPoolClient",
    "CallbackURLs",
    "LogoutURLs",
    "DefaultRedirectURI",
    "SupportedIdentityProviders",
];

#[tokio::test]
async fn oauth_settings_round_trip_through_create_update_and_describe() {
    let dir = tempfile::tempdir().unwrap();
    let issuer = start(dir.path()).await;
    let (base, pool) = (issuer.base_url(), issuer.pool_id());
    with_orders(base, pool).await;

    let input = web_client(pool);
    let created = ok(base, "CreateUserPoolClient", input.clone()).await["UserPoolClient"].clone();
    let id = created["ClientId"].as_str().unwrap().to_string();
    let described = ok(
        base,
        "DescribeUserPoolClient",
        json!({ "UserPoolId": pool, "ClientId": id }),
    )
    .await["UserPoolClient"]
        .clone();
    for f in OAUTH_FIELDS {
        assert_eq!(created[f], input[f], "{f} as created");
        assert_eq!(described[f], input[f], "{f} as described");
    }

    // A confidential machine client: client_credentials with a secret.
    let m2m = ok(
        base,
        "CreateUserPoolClient",
        json!({ "UserPoolId": pool, "ClientName": "m2m", "GenerateSecret": true,
                "AllowedOAuthFlows": ["client_credentials"], "AllowedOAuthScopes": ["orders/read"],
                "AllowedOAuthFlowsUserPoolClient": true }),
    )
    .await["UserPoolClient"]
        .clone();
    // Updating it keeps its secret, so client_credentials stays allowed.
    let m2m_id = m2m["ClientId"].as_str().unwrap();
    ok(
        base,
        "UpdateUserPoolClient",
        json!({ "UserPoolId": pool, "ClientId": m2m_id, "ClientName": "m2m",
                "AllowedOAuthFlows": ["client_credentials"], "AllowedOAuthScopes": ["orders/read"],
                "AllowedOAuthFlowsUserPoolClient": true }),
    )
    .await;

    // Update replaces the settings (omitted ones go, as in AWS).
    let updated = ok(
        base,
        "UpdateUserPoolClient",
        json!({ "UserPoolId": pool, "ClientId": id, "ClientName": "web",
                "AllowedOAuthFlows": ["code"], "AllowedOAuthScopes": ["openid"],
                "AllowedOAuthFlowsUserPoolClient": true,
                "CallbackURLs": ["https://new.example.com/cb"] }),
    )
    .await["UserPoolClient"]
        .clone();
    assert_eq!(updated["AllowedOAuthFlows"], json!(["code"]));
    assert_eq!(
        updated["CallbackURLs"],
        json!(["https://new.example.com/cb"])
    );
    for gone in [
        "LogoutURLs",
        "DefaultRedirectURI",
        "SupportedIdentityProviders",
    ] {
        assert!(updated.get(gone).is_none(), "{gone} reverted: {updated}");
    }
    let described = ok(
        base,
        "DescribeUserPoolClient",
        json!({ "UserPoolId": pool, "ClientId": id }),
    )
    .await["UserPoolClient"]
        .clone();
    for f in OAUTH_FIELDS {
        assert_eq!(described.get(f), updated.get(f), "{f}");
    }
}

/// Each case: a change to [`web_client`] (a field set, or removed when
/// null), the exception, and a part of its message.
fn refusals() -> Vec<(Value, &'static str, &'static str)> {
    vec![
        (
            json!({"CallbackURLs": ["http://app.example.com/cb"]}),
            "InvalidParameterException",
            "HTTPS is required except for http://localhost",
        ),
        (
            json!({"CallbackURLs": ["https://app.example.com/cb#x"]}),
            "InvalidParameterException",
            "must not include a fragment",
        ),
        (
            json!({"CallbackURLs": ["/cb"], "DefaultRedirectURI": null}),
            "InvalidParameterException",
            "must be an absolute URI",
        ),
        (
            json!({"CallbackURLs": ["javascript:alert(1)"], "DefaultRedirectURI": null}),
            "InvalidParameterException",
            "Invalid CallbackURL javascript:alert(1)",
        ),
        (
            json!({"CallbackURLs": ["http://localhost.evil.example/cb"], "DefaultRedirectURI": null}),
            "InvalidParameterException",
            "HTTPS is required",
        ),
        (
            json!({"LogoutURLs": ["http://app.example.com/"]}),
            "InvalidParameterException",
            "Invalid LogoutURL http://app.example.com/",
        ),
        (
            json!({"DefaultRedirectURI": "https://elsewhere.example.com/cb"}),
            "InvalidParameterException",
            "must be one of the CallbackURLs",
        ),
        (
            json!({"SupportedIdentityProviders": ["COGNITO", "Google"]}),
            "InvalidParameterException",
            "The provider Google does not exist for User Pool",
        ),
        (
            json!({"AllowedOAuthScopes": ["openid", "orders/write"]}),
            "ScopeDoesNotExistException",
            "Invalid scope requested: orders/write",
        ),
        (
            json!({"CallbackURLs": null, "DefaultRedirectURI": null}),
            "InvalidOAuthFlowException",
            "CallbackUrls can not be empty when code flow or implicit flow is selected",
        ),
        (
            json!({"AllowedOAuthFlows": ["code", "client_credentials"]}),
            "InvalidOAuthFlowException",
            "client_credentials flow can not be selected along with code flow or implicit flow.",
        ),
        (
            json!({"AllowedOAuthFlows": ["client_credentials"], "AllowedOAuthScopes": ["orders/read"]}),
            "InvalidOAuthFlowException",
            "client_credentials flow can not be selected if client does not have a client secret.",
        ),
        (
            json!({"AllowedOAuthFlows": null}),
            "InvalidOAuthFlowException",
            "AllowedOAuthFlows and AllowedOAuthScopes are required if user pool client is allowed to use OAuth flows.",
        ),
        (
            json!({"AllowedOAuthScopes": null}),
            "InvalidOAuthFlowException",
            "AllowedOAuthFlows and AllowedOAuthScopes are required if user pool client is allowed to use OAuth flows.",
        ),
        (
            json!({"AllowedOAuthFlows": ["password"]}),
            "InvalidParameterException",
            "1 validation error detected",
        ),
        (
            json!({"CallbackURLs": [format!("https://app.example.com/{}", "a".repeat(1024))],
                   "DefaultRedirectURI": null}),
            "InvalidParameterException",
            "Member must have length less than or equal to 1024",
        ),
    ]
}

fn with_changes(mut input: Value, changes: &Value) -> Value {
    for (k, v) in changes.as_object().unwrap() {
        if v.is_null() {
            input.as_object_mut().unwrap().remove(k);
        } else {
            input[k] = v.clone();
        }
    }
    input
}

#[tokio::test]
async fn invalid_oauth_settings_are_refused_with_cognitos_exceptions_and_store_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let issuer = start(dir.path()).await;
    let (base, pool) = (issuer.base_url(), issuer.pool_id());
    with_orders(base, pool).await;
    let existing =
        ok(base, "CreateUserPoolClient", web_client(pool)).await["UserPoolClient"].clone();
    let id = existing["ClientId"].as_str().unwrap();
    let list = json!({ "UserPoolId": pool, "MaxResults": 60 });
    let before = ok(base, "ListUserPoolClients", list.clone()).await;

    for (changes, kind, message) in refusals() {
        let input = with_changes(web_client(pool), &changes);
        let (k, m) = call(base, "CreateUserPoolClient", input.clone())
            .await
            .unwrap_err();
        assert_eq!(k, kind, "Create with {changes}: {m}");
        assert!(m.contains(message), "Create with {changes}: {m}");

        let mut update = input;
        update["ClientId"] = id.into();
        let (k, m) = call(base, "UpdateUserPoolClient", update)
            .await
            .unwrap_err();
        assert_eq!(k, kind, "Update with {changes}: {m}");
        assert!(m.contains(message), "Update with {changes}: {m}");
    }
    assert_eq!(ok(base, "ListUserPoolClients", list).await, before);
    let after = ok(
        base,
        "DescribeUserPoolClient",
        json!({ "UserPoolId": pool, "ClientId": id }),
    )
    .await["UserPoolClient"]
        .clone();
    assert_eq!(after, existing, "refused updates change nothing");
}

#[tokio::test]
async fn the_default_client_has_the_code_flow_and_a_hosted_ui_login_url() {
    let dir = tempfile::tempdir().unwrap();
    let issuer = start(dir.path()).await;
    let c = ok(
        issuer.base_url(),
        "DescribeUserPoolClient",
        json!({ "UserPoolId": issuer.pool_id(), "ClientId": issuer.client_id() }),
    )
    .await["UserPoolClient"]
        .clone();
    assert_eq!(c["AllowedOAuthFlows"], json!(["code"]));
    assert_eq!(
        c["AllowedOAuthScopes"],
        json!([
            "openid",
            "email",
            "phone",
            "profile",
            "aws.cognito.signin.user.admin"
        ])
    );
    assert_eq!(c["CallbackURLs"], json!(["http://localhost:3000/callback"]));
    assert_eq!(c["LogoutURLs"], json!(["http://localhost:3000/"]));
    assert_eq!(c["AllowedOAuthFlowsUserPoolClient"], json!(true));
    assert_eq!(c["SupportedIdentityProviders"], json!(["COGNITO"]));
    assert!(c.get("ClientSecret").is_none());
    assert_eq!(
        issuer.hosted_ui_login_url().unwrap(),
        format!(
            "{}/login?client_id={}&response_type=code&scope=openid+email+profile\
             &redirect_uri=http%3A%2F%2Flocalhost%3A3000%2Fcallback",
            issuer.base_url(),
            issuer.client_id()
        )
    );

    // A client without the code flow has no sign-in URL.
    let plain_dir = tempfile::tempdir().unwrap();
    let mut no_oauth = IssuerOptions::new(plain_dir.path());
    no_oauth.config = Some(
        cognito_issuer::IssuerConfig::from_toml_str(
            "[[pools]]\nname = \"p\"\n[[pools.clients]]\nname = \"c\"\n",
        )
        .unwrap(),
    );
    let plain = IssuerServer::start(no_oauth).await.unwrap();
    assert_eq!(plain.hosted_ui_login_url(), None);
}
