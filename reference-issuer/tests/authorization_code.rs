//! The authorization-code grant over real HTTP: `/oauth2/authorize` ->
//! the hosted login form (GET, `_csrf` scraped, POST with the cookies) ->
//! a code at the callback -> `/oauth2/token` with PKCE. Then what the
//! tokens carry (scope, nonce, at_hash), userInfo by scope, refreshes that
//! keep the scopes, and every refusal of a code: wrong or missing verifier,
//! another client, another redirect_uri, a replay (which revokes), an
//! expired code, two concurrent redemptions. Discovery's endpoints are
//! each reached.

use crate::common;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use cognito_issuer::{IssuerOptions, IssuerServer, RunningIssuer};
use common::hosted::{
    Browser, CB, SCOPES, authorize_query, code_for, form_body, hosted_sign_in, oauth_client, param,
    token,
};
use common::{claims, create_user, ok};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

async fn start(dir: &std::path::Path) -> RunningIssuer {
    IssuerServer::start(IssuerOptions::new(dir)).await.unwrap()
}

async fn user_info(base: &str, access: &str) -> (u16, Value) {
    let resp = reqwest::Client::new()
        .get(format!("{base}/oauth2/userInfo"))
        .bearer_auth(access)
        .send()
        .await
        .unwrap();
    let status = resp.status().as_u16();
    let body = resp.text().await.unwrap();
    (status, serde_json::from_str(&body).unwrap_or(Value::Null))
}

fn challenge_of(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

const VERIFIER: &str = "a-verifier-of-at-least-43-unreserved-characters.~_";

struct Setup {
    _dir: tempfile::TempDir,
    issuer: RunningIssuer,
    base: String,
    client: String,
}

async fn setup() -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let issuer = start(dir.path()).await;
    let base = issuer.base_url().to_string();
    let pool = issuer.pool_id().to_string();
    create_user(&base, &pool, "alice", "alice@example.com").await;
    ok(
        &base,
        "AdminUpdateUserAttributes",
        json!({ "UserPoolId": pool, "Username": "alice",
                "UserAttributes": [{"Name": "phone_number", "Value": "+15555550100"},
                                   {"Name": "given_name", "Value": "Alice"}] }),
    )
    .await;
    let (client, _) = oauth_client(&base, &pool, false).await;
    Setup {
        _dir: dir,
        issuer,
        base,
        client,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn code_grant_with_pkce_and_nonce_end_to_end() {
    let s = setup().await;
    let (base, client) = (&s.base, &s.client);
    let challenge = challenge_of(VERIFIER);
    let mut browser = Browser::new(base);
    let query = authorize_query(
        client,
        &[
            ("scope", "openid email"),
            ("nonce", "n-0S6_WzA2Mj"),
            ("code_challenge", &challenge),
            ("code_challenge_method", "S256"),
        ],
    );
    let cb = hosted_sign_in(&mut browser, &query, "alice").await;
    let code = param(cb.strip_prefix(&format!("{CB}?")).unwrap(), "code").unwrap();
    let (status, t) = token(
        base,
        None,
        &[
            ("grant_type", "authorization_code"),
            ("client_id", client),
            ("code", &code),
            ("redirect_uri", CB),
            ("code_verifier", VERIFIER),
        ],
    )
    .await;
    assert_eq!(status, 200, "{t}");
    assert_eq!(t["token_type"], "Bearer");
    assert_eq!(t["expires_in"], 3600);
    let access = t["access_token"].as_str().unwrap();
    let at = claims(access);
    assert_eq!(at["scope"], "openid email");
    assert_eq!(at["client_id"], client.as_str());
    assert_eq!(at["username"], "alice");
    let id = claims(t["id_token"].as_str().unwrap());
    assert_eq!(id["nonce"], "n-0S6_WzA2Mj");
    assert_eq!(id["aud"], client.as_str());
    assert_eq!(id["email"], "alice@example.com");
    let half = &Sha256::digest(access.as_bytes())[..16];
    assert_eq!(id["at_hash"], URL_SAFE_NO_PAD.encode(half));
    assert_eq!(id["origin_jti"], at["origin_jti"]);

    // userInfo by scope: email -> email, email_verified (a string), no phone.
    let (status, ui) = user_info(base, access).await;
    assert_eq!(status, 200, "{ui}");
    assert_eq!(ui["username"], "alice");
    assert_eq!(ui["sub"], id["sub"]);
    assert_eq!(ui["email"], "alice@example.com");
    assert_eq!(ui["email_verified"], "true");
    assert!(
        ui.get("phone_number").is_none() && ui.get("given_name").is_none(),
        "{ui}"
    );

    // The refresh token keeps the scopes at /oauth2/token, in
    // REFRESH_TOKEN_AUTH and in GetTokensFromRefreshToken.
    let refresh = t["refresh_token"].as_str().unwrap();
    let (status, r) = token(
        base,
        None,
        &[
            ("grant_type", "refresh_token"),
            ("client_id", client),
            ("refresh_token", refresh),
        ],
    )
    .await;
    assert_eq!(status, 200, "{r}");
    assert_eq!(
        claims(r["access_token"].as_str().unwrap())["scope"],
        "openid email"
    );
    assert!(r["id_token"].is_string());
    let r = ok(
        base,
        "InitiateAuth",
        json!({ "ClientId": client, "AuthFlow": "REFRESH_TOKEN_AUTH",
                "AuthParameters": { "REFRESH_TOKEN": refresh } }),
    )
    .await;
    let a = &r["AuthenticationResult"];
    assert_eq!(
        claims(a["AccessToken"].as_str().unwrap())["scope"],
        "openid email"
    );
    let r = ok(
        base,
        "GetTokensFromRefreshToken",
        json!({ "ClientId": client, "RefreshToken": refresh }),
    )
    .await;
    let a = &r["AuthenticationResult"];
    assert_eq!(
        claims(a["AccessToken"].as_str().unwrap())["scope"],
        "openid email"
    );

    // A second authorize in the same browser needs no form (the hosted-UI
    // session), and every scope (omitted = all the client's) reaches
    // userInfo.
    let r = browser
        .get(&format!(
            "/oauth2/authorize?{}",
            authorize_query(client, &[])
        ))
        .await;
    assert_eq!(r.status, 302, "{}", r.body);
    let cb = r.location.unwrap();
    let q = cb
        .strip_prefix(&format!("{CB}?"))
        .expect("straight to the callback");
    assert_eq!(param(q, "state").as_deref(), Some("xyz 1&2"));
    let code = param(q, "code").unwrap();
    let (status, t) = token(
        base,
        None,
        &[
            ("grant_type", "authorization_code"),
            ("client_id", client),
            ("code", &code),
            ("redirect_uri", CB),
        ],
    )
    .await;
    assert_eq!(status, 200, "{t}");
    let access = t["access_token"].as_str().unwrap();
    assert_eq!(claims(access)["scope"], SCOPES.join(" "));
    let (_, ui) = user_info(base, access).await;
    assert_eq!(ui["phone_number"], "+15555550100");
    assert_eq!(ui["given_name"], "Alice");
    assert_eq!(ui["email_verified"], "true");
    s.issuer.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn confidential_clients_authenticate_by_basic_or_post() {
    let s = setup().await;
    let base = &s.base;
    let (client, secret) = oauth_client(base, s.issuer.pool_id(), true).await;
    let secret = secret.unwrap();
    let redeem = |code: String, how: &'static str| {
        let (client, secret) = (client.clone(), secret.clone());
        async move {
            let mut form = vec![
                ("grant_type", "authorization_code"),
                ("code", code.as_str()),
                ("redirect_uri", CB),
            ];
            match how {
                "basic" => token(base, Some((&client, &secret)), &form).await,
                "post" => {
                    form.push(("client_id", &client));
                    form.push(("client_secret", &secret));
                    token(base, None, &form).await
                }
                _ => {
                    form.push(("client_id", &client));
                    token(base, None, &form).await
                }
            }
        }
    };
    let code = code_for(base, &client, "alice", &[("scope", "openid")]).await;
    let (status, body) = redeem(code.clone(), "none").await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_client"))
    );
    let (status, body) = redeem(code, "basic").await;
    assert_eq!(status, 200, "{body}");
    let code = code_for(base, &client, "alice", &[("scope", "openid")]).await;
    let (status, body) = redeem(code, "post").await;
    assert_eq!(status, 200, "{body}");
    s.issuer.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refused_redemptions_leave_the_code_usable_until_it_is_redeemed() {
    let s = setup().await;
    let (base, client) = (&s.base, &s.client);
    let (other, _) = oauth_client(base, s.issuer.pool_id(), false).await;
    let challenge = challenge_of(VERIFIER);
    let code = code_for(
        base,
        client,
        "alice",
        &[
            ("code_challenge", &challenge),
            ("code_challenge_method", "S256"),
        ],
    )
    .await;
    let wrong = "b".repeat(43);
    let cases: [(&[(&str, &str)], &str); 6] = [
        (
            &[("client_id", client), ("redirect_uri", CB)],
            "invalid_grant",
        ),
        (
            &[
                ("client_id", client),
                ("redirect_uri", CB),
                ("code_verifier", &wrong),
            ],
            "invalid_grant",
        ),
        (
            &[
                ("client_id", client),
                ("redirect_uri", CB),
                ("code_verifier", "short"),
            ],
            "invalid_request",
        ),
        (
            &[
                ("client_id", &other),
                ("redirect_uri", CB),
                ("code_verifier", VERIFIER),
            ],
            "invalid_grant",
        ),
        (
            &[
                ("client_id", client),
                ("redirect_uri", "https://app.example/other"),
                ("code_verifier", VERIFIER),
            ],
            "invalid_grant",
        ),
        (
            &[("client_id", client), ("code_verifier", VERIFIER)],
            "invalid_request",
        ),
    ];
    for (extra, error) in cases {
        let mut form = vec![
            ("grant_type", "authorization_code"),
            ("code", code.as_str()),
        ];
        form.extend_from_slice(extra);
        let (status, body) = token(base, None, &form).await;
        assert_eq!(
            (status, body["error"].as_str()),
            (400, Some(error)),
            "{extra:?}"
        );
    }
    let (status, body) = token(
        base,
        None,
        &[
            ("grant_type", "authorization_code"),
            ("client_id", client),
            ("code", "not-a-code"),
            ("redirect_uri", CB),
        ],
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_grant"))
    );
    let form = [
        ("grant_type", "authorization_code"),
        ("client_id", client.as_str()),
        ("code", code.as_str()),
        ("redirect_uri", CB),
        ("code_verifier", VERIFIER),
    ];
    let (status, first) = token(base, None, &form).await;
    assert_eq!(status, 200, "{first}");
    let access = first["access_token"].as_str().unwrap();
    assert_eq!(user_info(base, access).await.0, 200);

    // Replayed: refused, and the tokens of the first redemption revoked.
    let (status, body) = token(base, None, &form).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_grant"))
    );
    let (status, ui) = user_info(base, access).await;
    assert_eq!((status, ui["error"].as_str()), (401, Some("invalid_token")));
    let (status, body) = token(
        base,
        None,
        &[
            ("grant_type", "refresh_token"),
            ("client_id", client),
            ("refresh_token", first["refresh_token"].as_str().unwrap()),
        ],
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_grant"))
    );
    s.issuer.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_expired_code_is_refused() {
    let s = setup().await;
    let (base, client) = (&s.base, &s.client);
    let code = code_for(base, client, "alice", &[]).await;
    // Age the stored code past its five minutes, in the issuer's own file.
    let db = rusqlite::Connection::open(s._dir.path().join("issuer.sqlite3")).unwrap();
    let hash: String = Sha256::digest(code.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let n = db
        .execute(
            "UPDATE authorization_codes SET expires_at = expires_at - 301 WHERE code_hash = ?1",
            [&hash],
        )
        .unwrap();
    assert_eq!(n, 1);
    let (status, body) = token(
        base,
        None,
        &[
            ("grant_type", "authorization_code"),
            ("client_id", client),
            ("code", &code),
            ("redirect_uri", CB),
        ],
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_grant"))
    );
    s.issuer.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn of_two_concurrent_redemptions_exactly_one_wins() {
    let s = setup().await;
    let (base, client) = (&s.base, &s.client);
    for _ in 0..3 {
        let code = code_for(base, client, "alice", &[]).await;
        let form = [
            ("grant_type", "authorization_code"),
            ("client_id", client.as_str()),
            ("code", code.as_str()),
            ("redirect_uri", CB),
        ];
        let (a, b) = tokio::join!(token(base, None, &form), token(base, None, &form));
        let mut statuses = [a.0, b.0];
        statuses.sort();
        assert_eq!(statuses, [200, 400], "{a:?} {b:?}");
    }
    s.issuer.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn discovery_endpoints_are_all_reachable() {
    let s = setup().await;
    let disc: Value = reqwest::get(s.issuer.discovery_url())
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let base = &s.base;
    assert_eq!(
        disc["authorization_endpoint"],
        format!("{base}/oauth2/authorize")
    );
    assert_eq!(disc["end_session_endpoint"], format!("{base}/logout"));
    assert_eq!(disc["code_challenge_methods_supported"], json!(["S256"]));
    assert_eq!(disc["response_types_supported"], json!(["code", "token"]));
    for g in ["authorization_code", "refresh_token", "client_credentials"] {
        assert!(
            disc["grant_types_supported"]
                .as_array()
                .unwrap()
                .contains(&json!(g))
        );
    }
    let url = |k: &str| disc[k].as_str().unwrap().to_string();
    let mut b = Browser::new(base);
    // authorize: a valid request redirects to the login page.
    let q = authorize_query(&s.client, &[]);
    let r = b
        .get(&format!("{}?{q}", url("authorization_endpoint")))
        .await;
    assert_eq!(r.status, 302);
    assert!(r.location.unwrap().contains("/login?"));
    // token: an OAuth error in JSON.
    let r = b
        .post(&url("token_endpoint"), &[("grant_type", "password")])
        .await;
    assert_eq!(r.status, 400);
    assert!(serde_json::from_str::<Value>(&r.body).unwrap()["error"].is_string());
    // userInfo: no token -> 400 invalid_request.
    let r = b.get(&url("userinfo_endpoint")).await;
    assert_eq!(r.status, 400);
    assert_eq!(
        serde_json::from_str::<Value>(&r.body).unwrap()["error"],
        "invalid_request"
    );
    // revocation: no token -> 400 invalid_request.
    let r = b
        .post(&url("revocation_endpoint"), &[("client_id", &s.client)])
        .await;
    assert_eq!(r.status, 400);
    // end session: not a 404 (a redirect, or the error page for a bad request).
    let r = b
        .get(&format!(
            "{}?client_id={}",
            url("end_session_endpoint"),
            s.client
        ))
        .await;
    assert_ne!(r.status, 404);
    assert!(r.status < 500, "{}", r.status);
    let r = b.get(&url("jwks_uri")).await;
    assert_eq!(r.status, 200);
    s.issuer.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_implicit_grant_and_authorize_errors() {
    let s = setup().await;
    let (base, client) = (&s.base, &s.client);
    // response_type=token: the tokens in the fragment, no refresh token.
    let mut b = Browser::new(base);
    let q = form_body(&[
        ("response_type", "token"),
        ("client_id", client),
        ("redirect_uri", CB),
        ("scope", "openid phone"),
        ("nonce", "abc"),
        ("state", "s1"),
    ]);
    let cb = hosted_sign_in(&mut b, &q, "alice").await;
    let frag = cb.strip_prefix(&format!("{CB}#")).expect("a fragment");
    assert_eq!(param(frag, "token_type").as_deref(), Some("bearer"));
    assert_eq!(param(frag, "expires_in").as_deref(), Some("3600"));
    assert_eq!(param(frag, "state").as_deref(), Some("s1"));
    assert!(param(frag, "refresh_token").is_none());
    let access = param(frag, "access_token").unwrap();
    assert_eq!(claims(&access)["scope"], "phone openid");
    let id = claims(&param(frag, "id_token").unwrap());
    assert_eq!(id["nonce"], "abc");
    let (status, ui) = user_info(base, &access).await;
    assert_eq!(status, 200, "{ui}");
    assert_eq!(ui["phone_number"], "+15555550100");
    assert!(ui.get("email").is_none(), "{ui}");

    // Errors the client may hear redirect to it, URL-encoded, with state.
    let q = authorize_query(client, &[("scope", "profile")]);
    let r = b.get(&format!("/oauth2/authorize?{q}")).await;
    assert_eq!(r.status, 302);
    let loc = r.location.unwrap();
    let q = loc.strip_prefix(&format!("{CB}?")).expect("the callback");
    assert_eq!(param(q, "error").as_deref(), Some("invalid_scope"));
    assert_eq!(param(q, "state").as_deref(), Some("xyz 1&2"));
    let q = authorize_query(
        client,
        &[
            ("code_challenge", &"a".repeat(43)),
            ("code_challenge_method", "plain"),
        ],
    );
    let r = b.get(&format!("/oauth2/authorize?{q}")).await;
    let loc = r.location.unwrap();
    assert!(
        loc.starts_with(&format!("{CB}?error=invalid_request&")),
        "{loc}"
    );
    // An unregistered redirect URI never redirects.
    let q = form_body(&[
        ("response_type", "code"),
        ("client_id", client),
        ("redirect_uri", "https://evil.example/cb"),
    ]);
    let r = b.get(&format!("/oauth2/authorize?{q}")).await;
    assert!(r.location.is_none() && r.status >= 400, "{}", r.status);
    assert!(!r.body.contains("evil.example/cb?"), "{}", r.body);
    s.issuer.shutdown().await.unwrap();
}
