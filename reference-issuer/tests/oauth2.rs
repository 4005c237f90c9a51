//! The OAuth2 endpoints over real HTTP: client_credentials tokens accepted by
//! `cognito-verifier` with scope checks, Cognito-shaped errors, userInfo,
//! /oauth2/revoke and the revocation list (a revoked token refused by a
//! verifier with revocation checking on, accepted with it off).

use crate::common;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use cognito_issuer::{IssuerOptions, IssuerServer, RunningIssuer};
use cognito_verifier::{CognitoVerifier, ExpectedTokenUse, Policy, PoolConfig, Requirement};
use common::{claims, create_user, ok, sign_in};
use serde_json::{Value, json};

async fn start(dir: &std::path::Path) -> RunningIssuer {
    IssuerServer::start(IssuerOptions::new(dir)).await.unwrap()
}

/// The sequence the demo and the conformance suites use: a resource server
/// `orders` with scope `read` (and `write`), then a confidential M2M client.
async fn m2m_client(base: &str, pool_id: &str) -> (String, String) {
    ok(
        base,
        "CreateResourceServer",
        json!({ "UserPoolId": pool_id, "Identifier": "orders", "Name": "Orders",
                "Scopes": [{"ScopeName": "read", "ScopeDescription": "Read orders"},
                           {"ScopeName": "write", "ScopeDescription": "Write orders"}] }),
    )
    .await;
    let c = ok(
        base,
        "CreateUserPoolClient",
        json!({ "UserPoolId": pool_id, "ClientName": "m2m", "GenerateSecret": true,
                "AllowedOAuthFlows": ["client_credentials"],
                "AllowedOAuthScopes": ["orders/read"],
                "AllowedOAuthFlowsUserPoolClient": true }),
    )
    .await;
    let c = &c["UserPoolClient"];
    (
        c["ClientId"].as_str().unwrap().to_string(),
        c["ClientSecret"].as_str().unwrap().to_string(),
    )
}

async fn post_form(url: &str, basic: Option<(&str, &str)>, form: &[(&str, &str)]) -> (u16, String) {
    let (status, _, body) = post_form_full(url, basic, form).await;
    (status, body)
}

/// Like [`post_form`], with the response headers.
async fn post_form_full(
    url: &str,
    basic: Option<(&str, &str)>,
    form: &[(&str, &str)],
) -> (u16, reqwest::header::HeaderMap, String) {
    let mut req = reqwest::Client::new()
        .post(url)
        .header("content-type", "application/x-www-form-urlencoded");
    if let Some((id, secret)) = basic {
        req = req.header(
            "authorization",
            format!("Basic {}", STANDARD.encode(format!("{id}:{secret}"))),
        );
    }
    let body = form
        .iter()
        .map(|(k, v)| format!("{k}={}", urlencode(v)))
        .collect::<Vec<_>>()
        .join("&");
    let resp = req.body(body).send().await.unwrap();
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    (status, headers, resp.text().await.unwrap())
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn error_of(body: &str) -> String {
    serde_json::from_str::<Value>(body).unwrap()["error"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn client_credentials_token_passes_the_verifier_with_scope_checks() {
    let dir = tempfile::tempdir().unwrap();
    let issuer = start(dir.path()).await;
    let base = issuer.base_url().to_string();
    let (client_id, secret) = m2m_client(&base, issuer.pool_id()).await;
    let token_url = format!("{base}/oauth2/token");

    let (status, body) = post_form(
        &token_url,
        Some((&client_id, &secret)),
        &[
            ("grant_type", "client_credentials"),
            ("scope", "orders/read"),
        ],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let v: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["token_type"], "Bearer");
    assert_eq!(v["expires_in"], 3600);
    assert!(v.get("refresh_token").is_none() && v.get("id_token").is_none());
    let token = v["access_token"].as_str().unwrap();
    let c = claims(token);
    assert_eq!(c["sub"], json!(client_id));
    assert_eq!(c["client_id"], json!(client_id));
    assert_eq!(c["scope"], "orders/read");
    assert_eq!(c["token_use"], "access");
    assert_eq!(c["version"], 2);
    assert_eq!(c["iss"], json!(issuer.issuer()));
    for absent in ["username", "cognito:groups", "origin_jti", "aud"] {
        assert!(c.get(absent).is_none(), "{absent} in an M2M token");
    }

    // Client secret in the body works too, and no scope means every allowed
    // custom scope.
    let (status, body) = post_form(
        &token_url,
        None,
        &[
            ("grant_type", "client_credentials"),
            ("client_id", &client_id),
            ("client_secret", &secret),
        ],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let v: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(
        claims(v["access_token"].as_str().unwrap())["scope"],
        "orders/read"
    );

    let verifier = CognitoVerifier::builder()
        .pool(
            PoolConfig::new(issuer.pool_id())
                .issuer(issuer.issuer())
                .jwks_uri(issuer.jwks_url())
                .client_id(&client_id)
                .token_use(ExpectedTokenUse::Access),
        )
        .build()
        .unwrap();
    let got = verifier
        .verify_with(
            token,
            &Policy {
                scopes: Some(Requirement::all_of(["orders/read"])),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(got.client_id(), Some(client_id.as_str()));
    assert!(
        verifier
            .verify_with(
                token,
                &Policy {
                    scopes: Some(Requirement::all_of(["orders/read", "orders/write"])),
                    ..Default::default()
                },
            )
            .await
            .is_err()
    );

    // Cognito's errors.
    type Case<'a> = (Option<(&'a str, &'a str)>, Vec<(&'a str, &'a str)>, &'a str);
    let cases: &[Case<'_>] = &[
        (
            Some((&client_id, "wrong")),
            vec![("grant_type", "client_credentials")],
            "invalid_client",
        ),
        (
            Some(("nosuchclient", "x")),
            vec![("grant_type", "client_credentials")],
            "invalid_client",
        ),
        (
            Some((&client_id, &secret)),
            vec![
                ("grant_type", "client_credentials"),
                ("scope", "orders/write"),
            ],
            "invalid_scope",
        ),
        (
            Some((&client_id, &secret)),
            vec![("grant_type", "password")],
            "unsupported_grant_type",
        ),
        (Some((&client_id, &secret)), vec![], "invalid_request"),
        (
            Some((&client_id, &secret)),
            vec![("grant_type", "refresh_token"), ("refresh_token", "nope")],
            "invalid_grant",
        ),
        // The default client is public: no client_credentials.
        (
            None,
            vec![
                ("grant_type", "client_credentials"),
                ("client_id", issuer.client_id()),
            ],
            "invalid_client",
        ),
    ];
    for (basic, form, expected) in cases {
        let (status, body) = post_form(&token_url, *basic, form).await;
        // Failed Basic authentication is 401 (RFC 6749 §5.2).
        let want = if basic.is_some() && *expected == "invalid_client" {
            401
        } else {
            400
        };
        assert_eq!(
            (status, error_of(&body).as_str()),
            (want, *expected),
            "{form:?}"
        );
    }

    // An M2M token is not a user's: the user API refuses it.
    let r = common::call(&base, "GetUser", json!({ "AccessToken": token })).await;
    assert_eq!(r.unwrap_err().0, "NotAuthorizedException");

    // Discovery lists the endpoints.
    let disc: Value = reqwest::get(issuer.discovery_url())
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(disc["token_endpoint"], json!(token_url));
    assert_eq!(
        disc["userinfo_endpoint"],
        json!(format!("{base}/oauth2/userInfo"))
    );
    assert_eq!(
        disc["revocation_endpoint"],
        json!(format!("{base}/oauth2/revoke"))
    );
    assert_eq!(
        disc["revocation_list_uri"],
        json!(format!("{base}/{}/revocations.json", issuer.pool_id()))
    );
    issuer.shutdown().await.unwrap();
}

async fn revocations(issuer: &RunningIssuer) -> Vec<String> {
    let url = format!(
        "{}/{}/revocations.json",
        issuer.base_url(),
        issuer.pool_id()
    );
    let resp = reqwest::get(&url).await.unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(
        resp.headers()["content-type"].to_str().unwrap(),
        "application/json"
    );
    let v: Value = resp.json().await.unwrap();
    assert!(v["generated_at"].as_i64().unwrap() > 0);
    v["revoked_origin_jtis"]
        .as_array()
        .unwrap()
        .iter()
        .map(|j| j.as_str().unwrap().to_string())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn revoke_user_info_and_the_revocation_list() {
    let dir = tempfile::tempdir().unwrap();
    let issuer = start(dir.path()).await;
    let base = issuer.base_url().to_string();
    create_user(&base, issuer.pool_id(), "alice", "alice@example.com").await;
    create_user(&base, issuer.pool_id(), "bob", "bob@example.com").await;
    let a = sign_in(&base, issuer.client_id(), "alice").await;
    let a_access = a["AccessToken"].as_str().unwrap().to_string();
    let a_origin = claims(&a_access)["origin_jti"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(revocations(&issuer).await.is_empty());

    // userInfo refuses an access token of the user pool API (no openid
    // scope), as Cognito documents; tokens of the code grant are tested in
    // tests/authorization_code.rs.
    let client = reqwest::Client::new();
    let ui = client
        .get(format!("{base}/oauth2/userInfo"))
        .bearer_auth(&a_access)
        .send()
        .await
        .unwrap();
    assert_eq!(ui.status(), 401);
    assert_eq!(
        ui.headers()["www-authenticate"],
        "error=\"invalid_token\", error_description=\"Access token does not contain openid scope\""
    );

    let verifier = |revocation: bool| {
        let mut pool = PoolConfig::new(issuer.pool_id())
            .issuer(issuer.issuer())
            .jwks_uri(issuer.jwks_url())
            .client_id(issuer.client_id());
        if revocation {
            pool = pool.revocation_list(format!("{base}/{}/revocations.json", issuer.pool_id()));
        }
        CognitoVerifier::builder().pool(pool).build().unwrap()
    };
    assert!(verifier(true).verify(&a_access).await.is_ok());

    // Unknown tokens: 200 with an empty body, nothing listed.
    let revoke_url = format!("{base}/oauth2/revoke");
    let (status, body) = post_form(
        &revoke_url,
        None,
        &[("token", "not-a-token"), ("client_id", issuer.client_id())],
    )
    .await;
    assert_eq!((status, body.as_str()), (200, ""));
    assert!(revocations(&issuer).await.is_empty());

    let (status, body) = post_form(
        &revoke_url,
        None,
        &[
            ("token", a["RefreshToken"].as_str().unwrap()),
            ("client_id", issuer.client_id()),
        ],
    )
    .await;
    assert_eq!((status, body.as_str()), (200, ""));
    assert_eq!(revocations(&issuer).await, vec![a_origin.clone()]);

    // Still a valid signature: accepted with revocation checking off,
    // refused with it on; the issuer's own endpoints refuse it.
    assert!(verifier(false).verify(&a_access).await.is_ok());
    assert!(verifier(true).verify(&a_access).await.is_err());
    let ui = client
        .get(format!("{base}/oauth2/userInfo"))
        .bearer_auth(&a_access)
        .send()
        .await
        .unwrap();
    assert_eq!(ui.status(), 401);
    assert_eq!(
        ui.headers()["www-authenticate"],
        "error=\"invalid_token\", error_description=\"Access token is expired, disabled, or \
         deleted, or the user has globally signed out.\""
    );
    assert_eq!(error_of(&ui.text().await.unwrap()), "invalid_token");

    // refresh_token grant on /oauth2/token: refused for the revoked token,
    // works for a live one.
    let b1 = sign_in(&base, issuer.client_id(), "bob").await;
    let b2 = sign_in(&base, issuer.client_id(), "bob").await;
    let (status, body) = post_form(
        &format!("{base}/oauth2/token"),
        None,
        &[
            ("grant_type", "refresh_token"),
            ("client_id", issuer.client_id()),
            ("refresh_token", a["RefreshToken"].as_str().unwrap()),
        ],
    )
    .await;
    assert_eq!((status, error_of(&body).as_str()), (400, "invalid_grant"));
    let (status, body) = post_form(
        &format!("{base}/oauth2/token"),
        None,
        &[
            ("grant_type", "refresh_token"),
            ("client_id", issuer.client_id()),
            ("refresh_token", b1["RefreshToken"].as_str().unwrap()),
        ],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let v: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["token_type"], "Bearer");
    assert_eq!(
        claims(v["id_token"].as_str().unwrap())["cognito:username"],
        "bob"
    );

    // GlobalSignOut lists every live sign-in of the user.
    ok(
        &base,
        "GlobalSignOut",
        json!({ "AccessToken": b1["AccessToken"] }),
    )
    .await;
    let listed = revocations(&issuer).await;
    for t in [&b1, &b2] {
        let o = claims(t["AccessToken"].as_str().unwrap())["origin_jti"]
            .as_str()
            .unwrap()
            .to_string();
        assert!(listed.contains(&o), "{o} not listed");
    }
    assert_eq!(listed.len(), 3);

    // Unknown pool: 404.
    let resp = reqwest::get(format!("{base}/us-east-1_Nope12345/revocations.json"))
        .await
        .unwrap();
    assert_eq!(resp.status(), 404);
    issuer.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn token_endpoint_client_authentication_follows_rfc_6749() {
    let dir = tempfile::tempdir().unwrap();
    let issuer = start(dir.path()).await;
    let base = issuer.base_url().to_string();
    let (client_id, secret) = m2m_client(&base, issuer.pool_id()).await;
    let (other_id, _) = m2m_client_named(&base, issuer.pool_id(), "m2m-2").await;
    let token_url = format!("{base}/oauth2/token");
    let grant = ("grant_type", "client_credentials");

    // The credentials work: Basic, and in the body.
    let (status, _, _) = post_form_full(&token_url, Some((&client_id, &secret)), &[grant]).await;
    assert_eq!(status, 200);
    let (status, _, _) = post_form_full(
        &token_url,
        None,
        &[grant, ("client_id", &client_id), ("client_secret", &secret)],
    )
    .await;
    assert_eq!(status, 200);

    // A Basic client differing from the body's client_id is invalid_client,
    // 401 with a Basic challenge since the client used Basic.
    let (status, headers, body) = post_form_full(
        &token_url,
        Some((&client_id, &secret)),
        &[grant, ("client_id", &other_id)],
    )
    .await;
    assert_eq!((status, error_of(&body).as_str()), (401, "invalid_client"));
    let challenge = headers["www-authenticate"].to_str().unwrap();
    assert!(challenge.starts_with("Basic "), "{challenge}");

    // A wrong secret by Basic: 401 + Basic challenge; in the body: 400.
    let (status, headers, body) =
        post_form_full(&token_url, Some((&client_id, "wrong")), &[grant]).await;
    assert_eq!((status, error_of(&body).as_str()), (401, "invalid_client"));
    assert!(
        headers["www-authenticate"]
            .to_str()
            .unwrap()
            .starts_with("Basic ")
    );
    let (status, _, body) = post_form_full(
        &token_url,
        None,
        &[grant, ("client_id", &client_id), ("client_secret", "wrong")],
    )
    .await;
    assert_eq!((status, error_of(&body).as_str()), (400, "invalid_client"));

    // Repeated parameters are invalid_request, whichever they are.
    for form in [
        vec![grant, grant],
        vec![grant, ("scope", "orders/read"), ("scope", "orders/read")],
    ] {
        let (status, _, body) =
            post_form_full(&token_url, Some((&client_id, &secret)), &form).await;
        assert_eq!(
            (status, error_of(&body).as_str()),
            (400, "invalid_request"),
            "{form:?}"
        );
    }
    let (status, _, body) = post_form_full(
        &format!("{base}/oauth2/revoke"),
        None,
        &[
            ("token", "a"),
            ("token", "b"),
            ("client_id", issuer.client_id()),
        ],
    )
    .await;
    assert_eq!((status, error_of(&body).as_str()), (400, "invalid_request"));
    issuer.shutdown().await.unwrap();
}

/// A second confidential M2M client (the resource server exists already).
async fn m2m_client_named(base: &str, pool_id: &str, name: &str) -> (String, String) {
    let c = ok(
        base,
        "CreateUserPoolClient",
        json!({ "UserPoolId": pool_id, "ClientName": name, "GenerateSecret": true,
                "AllowedOAuthFlows": ["client_credentials"],
                "AllowedOAuthScopes": ["orders/read"],
                "AllowedOAuthFlowsUserPoolClient": true }),
    )
    .await;
    let c = &c["UserPoolClient"];
    (
        c["ClientId"].as_str().unwrap().to_string(),
        c["ClientSecret"].as_str().unwrap().to_string(),
    )
}

/// RFC 6749 §2.3.1: the client id and secret are form-encoded before they
/// are joined and Base64-encoded. A configured secret with characters that
/// form encoding changes only works when the issuer decodes them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn basic_credentials_are_form_decoded_at_the_token_endpoint() {
    let secret = "s3cr+t/with=chars&: yes%";
    let config = cognito_issuer::IssuerConfig::from_toml_str(&format!(
        r#"
[[pools]]
name = "encoded"
id = "us-east-1_Encoded1"

[[pools.resource_servers]]
identifier = "orders"
name = "Orders"
scopes = [{{ name = "read", description = "Read orders" }}]

[[pools.clients]]
name = "m2m"
id = "m2mencodedclient"
secret = "{secret}"
allowed_oauth_flows = ["client_credentials"]
allowed_oauth_scopes = ["orders/read"]
"#
    ))
    .expect("config parses");
    let dir = tempfile::tempdir().unwrap();
    let mut options = IssuerOptions::new(dir.path());
    options.config = Some(config);
    let issuer = IssuerServer::start(options).await.unwrap();
    let token_url = format!("{}/oauth2/token", issuer.base_url());
    let grant = [("grant_type", "client_credentials")];

    // What standard OAuth libraries send: each part form-encoded.
    let encoded = urlencode(secret);
    assert_ne!(
        encoded, secret,
        "the secret must change under form encoding"
    );
    let (status, body) = post_form(&token_url, Some(("m2mencodedclient", &encoded)), &grant).await;
    assert_eq!(status, 200, "{body}");
    let token: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(token["token_type"], "Bearer");

    // The raw secret decodes to something else ('+' is a space, '%' starts
    // an escape): refused like any wrong secret.
    let (status, body) = post_form(&token_url, Some(("m2mencodedclient", secret)), &grant).await;
    assert_eq!((status, error_of(&body).as_str()), (401, "invalid_client"));

    // In the body, the form encoding of the whole body is the only one.
    let (status, body) = post_form(
        &token_url,
        None,
        &[
            grant[0],
            ("client_id", "m2mencodedclient"),
            ("client_secret", secret),
        ],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    issuer.shutdown().await.unwrap();
}
