//! The loopback IdP keeps the promises the ALB-mode tests rely on.

use cognito_test_support::test_idp::TestIdp;
use cognito_test_support::test_issuer::TestIssuer;
use serde_json::Value;

#[tokio::test]
async fn code_is_single_use_refresh_and_userinfo_work() {
    let issuer = TestIssuer::start().await;
    let idp = TestIdp::start(issuer.key.minter(), &issuer.issuer, "client", "secret").await;
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let discovery: Value = http
        .get(format!("{}/.well-known/openid-configuration", idp.url()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(discovery["issuer"], idp.url());
    let callback = "http://127.0.0.1:1/oauth2/idpresponse";
    let mut authorize =
        url::Url::parse(discovery["authorization_endpoint"].as_str().unwrap()).unwrap();
    authorize
        .query_pairs_mut()
        .append_pair("response_type", "code")
        .append_pair("client_id", "client")
        .append_pair("redirect_uri", callback)
        .append_pair("state", "s t")
        .append_pair("nonce", "n1");
    let login = http.get(authorize).send().await.unwrap();
    assert_eq!(login.status(), 302);
    let location = url::Url::parse(login.headers()["location"].to_str().unwrap()).unwrap();
    let pairs: std::collections::HashMap<_, _> = location.query_pairs().into_owned().collect();
    assert_eq!(pairs["state"], "s t");
    let redeem = |code: String| {
        http.post(format!("{}/oauth2/token", idp.url()))
            .basic_auth("client", Some("secret"))
            .form(&[
                ("grant_type", "authorization_code"),
                ("code", code.as_str()),
                ("redirect_uri", callback),
            ])
            .send()
    };
    let tokens: Value = redeem(pairs["code"].clone())
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let replay = redeem(pairs["code"].clone()).await.unwrap();
    assert_eq!(replay.status(), 400, "a code is single use");

    let access = tokens["access_token"].as_str().unwrap();
    let info: Value = http
        .get(format!("{}/oauth2/userInfo", idp.url()))
        .bearer_auth(access)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(info["email_verified"], "true");
    assert_eq!(info["sub"], "11111111-2222-3333-4444-555555555555");

    idp.refuse_refresh(true);
    let refresh = |token: String| {
        http.post(format!("{}/oauth2/token", idp.url()))
            .basic_auth("client", Some("secret"))
            .form(&[
                ("grant_type", "refresh_token"),
                ("refresh_token", token.as_str()),
            ])
            .send()
    };
    let refresh_token = tokens["refresh_token"].as_str().unwrap().to_owned();
    assert_eq!(refresh(refresh_token.clone()).await.unwrap().status(), 400);
    idp.refuse_refresh(false);
    let refreshed: Value = refresh(refresh_token).await.unwrap().json().await.unwrap();
    assert_ne!(refreshed["access_token"], tokens["access_token"]);
    let calls = idp.calls();
    assert_eq!(
        (calls.authorize, calls.code, calls.refresh, calls.userinfo),
        (1, 2, 2, 1)
    );
}
