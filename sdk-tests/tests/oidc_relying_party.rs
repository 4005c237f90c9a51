//! A real OpenID Connect relying party (the `openidconnect` crate) against
//! the issuer on loopback: discovery from the pool's
//! `/.well-known/openid-configuration`, an authorization URL with PKCE
//! S256, a nonce and a state, the hosted login form submitted over plain
//! HTTP with a cookie jar (the CSRF token scraped from the page, redirects
//! read from `Location` instead of followed), the code exchanged by the
//! library, the ID token verified by it (signature from the JWKS, issuer,
//! audience, nonce, `at_hash`), and userInfo fetched by it. For a public
//! client and for a confidential one (`client_secret_basic`).

use cognito_sdk_tests::hosted::{CodeClient, Mfa, create_client, create_pool, create_user};
use cognito_sdk_tests::loopback::CallbackServer;
use cognito_sdk_tests::{PASSWORD, SdkIssuer};
use openidconnect::core::{
    CoreAuthenticationFlow, CoreClient, CoreProviderMetadata, CoreUserInfoClaims,
};
use openidconnect::url::Url;
use openidconnect::{
    AccessTokenHash, AuthorizationCode, ClientId, ClientSecret, CsrfToken, HttpRequest,
    HttpResponse, IssuerUrl, Nonce, OAuth2TokenResponse, PkceCodeChallenge, RedirectUrl, Scope,
    TokenResponse,
};

/// A transport failure of the relying party's HTTP client.
#[derive(Debug)]
struct HttpError(String);

impl std::fmt::Display for HttpError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for HttpError {}

/// The relying party's HTTP client: the workspace's reqwest, never
/// following redirects (as the library requires, against SSRF).
fn rp_http() -> impl Fn(
    HttpRequest,
) -> std::pin::Pin<
    Box<dyn Future<Output = Result<HttpResponse, HttpError>> + Send>,
> {
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("HTTP client");
    move |req: HttpRequest| {
        let client = client.clone();
        Box::pin(async move {
            let (parts, body) = req.into_parts();
            let resp = client
                .request(parts.method, parts.uri.to_string())
                .headers(parts.headers)
                .body(body)
                .send()
                .await
                .map_err(|e| HttpError(e.to_string()))?;
            let mut out = openidconnect::http::Response::builder().status(resp.status());
            for (name, value) in resp.headers() {
                out = out.header(name, value);
            }
            let body = resp.bytes().await.map_err(|e| HttpError(e.to_string()))?;
            out.body(body.to_vec())
                .map_err(|e| HttpError(e.to_string()))
        })
    }
}

/// The value of the `value` attribute of the `<input>` named `name` in
/// `html` (entities `&amp;`, `&quot;`, `&#39;`, `&lt;`, `&gt;` decoded).
fn input_value(html: &str, name: &str) -> Option<String> {
    html.split("<input").skip(1).find_map(|rest| {
        let tag = &rest[..rest.find('>')?];
        if !tag.contains(&format!("name=\"{name}\"")) {
            return None;
        }
        let start = tag.find("value=\"")? + "value=\"".len();
        let end = start + tag[start..].find('"')?;
        Some(
            tag[start..end]
                .replace("&quot;", "\"")
                .replace("&#39;", "'")
                .replace("&lt;", "<")
                .replace("&gt;", ">")
                .replace("&amp;", "&"),
        )
    })
}

/// A 302's `Location`, resolved against `from`.
fn location(resp: &reqwest::Response, from: &str) -> String {
    assert_eq!(resp.status().as_u16(), 302, "a redirect from {from}");
    let loc = resp
        .headers()
        .get("location")
        .expect("Location")
        .to_str()
        .expect("ASCII Location");
    Url::parse(from)
        .and_then(|u| u.join(loc))
        .expect("a valid Location")
        .to_string()
}

/// The browser's part over plain HTTP: follows the authorize redirect to
/// the login form, submits it with the CSRF token and the cookie jar, and
/// returns the callback URL the issuer redirects to (not visited).
async fn sign_in_over_http(auth_url: &str, email: &str) -> String {
    let browser = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let resp = browser.get(auth_url).send().await.unwrap();
    let login_url = location(&resp, auth_url);
    assert!(
        Url::parse(&login_url).unwrap().path() == "/login",
        "authorize without a session leads to /login, got {login_url}"
    );

    let resp = browser.get(&login_url).send().await.unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    let html = resp.text().await.unwrap();
    assert!(html.contains("data-page=\"login\""), "{html}");
    let csrf = input_value(&html, "_csrf").expect("a _csrf field on the login form");

    let resp = browser
        .post(&login_url)
        .form(&[
            ("_csrf", csrf.as_str()),
            ("username", email),
            ("password", PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    location(&resp, &login_url)
}

/// The whole relying-party flow for `client`; returns the verified email.
async fn relying_party_flow(sdk: &SdkIssuer, pool_id: &str, client: &CodeClient, email: &str) {
    let http = rp_http();
    let pool = sdk.issuer.pool(pool_id).unwrap();
    assert_eq!(
        pool.issuer,
        format!("{}/{pool_id}", sdk.issuer.base_url()),
        "a local-style issuer, discoverable on loopback"
    );
    let metadata =
        CoreProviderMetadata::discover_async(IssuerUrl::new(pool.issuer).unwrap(), &http)
            .await
            .unwrap_or_else(|e| panic!("discovery: {e:?}"));
    let rp = CoreClient::from_provider_metadata(
        metadata,
        ClientId::new(client.id.clone()),
        client.secret.clone().map(ClientSecret::new),
    )
    .set_redirect_uri(RedirectUrl::new(client.callback.clone()).unwrap());

    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let (auth_url, state, nonce) = rp
        .authorize_url(
            CoreAuthenticationFlow::AuthorizationCode,
            CsrfToken::new_random,
            Nonce::new_random,
        )
        .add_scope(Scope::new("email".into()))
        .add_scope(Scope::new("profile".into()))
        .set_pkce_challenge(challenge)
        .url();

    let callback = sign_in_over_http(auth_url.as_str(), email).await;
    assert!(
        callback.starts_with(&format!("{}?", client.callback)),
        "redirected to the client's callback: {callback}"
    );
    let callback = Url::parse(&callback).unwrap();
    let param = |name: &str| {
        callback
            .query_pairs()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
    };
    assert_eq!(param("state").as_deref(), Some(state.secret().as_str()));
    let code = param("code").expect("a code in the callback");

    let tokens = rp
        .exchange_code(AuthorizationCode::new(code))
        .expect("discovery named a token endpoint")
        .set_pkce_verifier(verifier)
        .request_async(&http)
        .await
        .unwrap_or_else(|e| panic!("code exchange: {e:?}"));
    let id_token = tokens.id_token().expect("an ID token (scope openid)");
    let id_verifier = rp.id_token_verifier();
    let claims = id_token
        .claims(&id_verifier, &nonce)
        .unwrap_or_else(|e| panic!("ID token verification: {e:?}"));
    assert_eq!(claims.email().map(|e| e.as_str()), Some(email));
    let expected_hash = claims.access_token_hash().expect("at_hash in the ID token");
    let actual_hash = AccessTokenHash::from_token(
        tokens.access_token(),
        id_token.signing_alg().unwrap(),
        id_token.signing_key(&id_verifier).unwrap(),
    )
    .unwrap();
    assert_eq!(
        &actual_hash, expected_hash,
        "at_hash matches the access token"
    );
    assert!(tokens.refresh_token().is_some());

    let info: CoreUserInfoClaims = rp
        .user_info(
            tokens.access_token().clone(),
            Some(claims.subject().clone()),
        )
        .expect("discovery named a userinfo endpoint")
        .request_async(&http)
        .await
        .unwrap_or_else(|e| panic!("userInfo: {e:?}"));
    assert_eq!(info.subject(), claims.subject());
    assert_eq!(info.email().map(|e| e.as_str()), Some(email));
    assert_eq!(info.email_verified(), Some(true));
}

async fn setup(secret: bool) -> (SdkIssuer, String, CodeClient, CallbackServer) {
    let sdk = SdkIssuer::start().await;
    let app = CallbackServer::start().await;
    let pool_id = create_pool(&sdk, "oidc-rp", Mfa::Off).await;
    let client = create_client(
        &sdk,
        &pool_id,
        "rp",
        &app.url("/callback"),
        &app.url("/signed-out"),
        secret,
    )
    .await;
    assert_eq!(client.secret.is_some(), secret);
    (sdk, pool_id, client, app)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn public_client_code_flow_with_pkce_and_nonce() {
    let (sdk, pool_id, client, app) = setup(false).await;
    create_user(&sdk, &pool_id, "rp.user@example.com").await;
    relying_party_flow(&sdk, &pool_id, &client, "rp.user@example.com").await;
    assert!(
        app.requests().is_empty(),
        "the callback is read, not visited"
    );
    sdk.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn confidential_client_with_client_secret_basic() {
    let (sdk, pool_id, client, _app) = setup(true).await;
    create_user(&sdk, &pool_id, "rp.confidential@example.com").await;
    relying_party_flow(&sdk, &pool_id, &client, "rp.confidential@example.com").await;
    sdk.shutdown().await;
}
