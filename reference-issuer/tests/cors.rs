//! CORS over real HTTP, as a browser sends it: preflights with `Origin`,
//! `Access-Control-Request-Method` and `-Headers`, then the actual requests
//! with `Origin`. Browser-facing paths answer; IAM operations and
//! `/_issuer/*` never do.

use crate::common;

use cognito_issuer::{CorsOrigins, IssuerOptions, IssuerServer, RunningIssuer};
use reqwest::header::HeaderMap;
use reqwest::{Method, Response};
use serde_json::{Value, json};

const APP: &str = "http://localhost:3000";
/// The headers the AWS SDK for JavaScript v3 and Amplify send.
const SDK_HEADERS: &str = "amz-sdk-invocation-id,amz-sdk-request,cache-control,content-type,\
                           x-amz-target,x-amz-user-agent";

async fn start(origins: CorsOrigins) -> (tempfile::TempDir, RunningIssuer) {
    let dir = tempfile::tempdir().unwrap();
    let mut options = IssuerOptions::new(dir.path());
    options.cors_origins = origins;
    let issuer = IssuerServer::start(options).await.unwrap();
    (dir, issuer)
}

async fn preflight(url: &str, origin: &str, method: &str, headers: &str) -> Response {
    reqwest::Client::new()
        .request(Method::OPTIONS, url)
        .header("origin", origin)
        .header("access-control-request-method", method)
        .header("access-control-request-headers", headers)
        .send()
        .await
        .unwrap()
}

async fn api_from(base: &str, origin: &str, op: &str, body: Value) -> Response {
    reqwest::Client::new()
        .post(format!("{base}/"))
        .header("origin", origin)
        .header("content-type", "application/x-amz-json-1.1")
        .header(
            "x-amz-target",
            format!("AWSCognitoIdentityProviderService.{op}"),
        )
        .body(body.to_string())
        .send()
        .await
        .unwrap()
}

fn header<'h>(h: &'h HeaderMap, name: &str) -> Option<&'h str> {
    h.get(name).map(|v| v.to_str().unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_json_api_answers_browser_preflights_and_requests() {
    let (_dir, issuer) = start(CorsOrigins::Any).await;
    let base = issuer.base_url().to_string();

    let resp = preflight(&format!("{base}/"), APP, "POST", SDK_HEADERS).await;
    assert_eq!(resp.status(), 200);
    let h = resp.headers();
    assert_eq!(header(h, "access-control-allow-origin"), Some("*"));
    assert_eq!(header(h, "access-control-allow-methods"), Some("POST"));
    let allowed = header(h, "access-control-allow-headers").unwrap();
    for name in SDK_HEADERS.split(',') {
        assert!(
            allowed.split(", ").any(|a| a == name),
            "{name} in {allowed}"
        );
    }
    assert_eq!(header(h, "access-control-max-age"), Some("7200"));

    // A public operation: the answer (error included) is readable, with the
    // AWS error headers exposed.
    let resp = api_from(
        &base,
        APP,
        "InitiateAuth",
        json!({ "ClientId": issuer.client_id(), "AuthFlow": "USER_PASSWORD_AUTH",
                "AuthParameters": { "USERNAME": "nobody", "PASSWORD": "Wrong-passw0rd" } }),
    )
    .await;
    assert_eq!(resp.status(), 400);
    let h = resp.headers().clone();
    assert_eq!(header(&h, "access-control-allow-origin"), Some("*"));
    let exposed = header(&h, "access-control-expose-headers").unwrap();
    for name in [
        "x-amzn-RequestId",
        "x-amzn-ErrorType",
        "x-amzn-ErrorMessage",
    ] {
        assert!(exposed.contains(name), "{name} exposed: {exposed}");
    }
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["__type"], "NotAuthorizedException");

    // An IAM operation from a browser origin is refused before it runs and
    // gets no CORS headers: the page cannot read, and nothing is created.
    let resp = api_from(
        &base,
        APP,
        "AdminCreateUser",
        json!({ "UserPoolId": issuer.pool_id(), "Username": "planted",
                "MessageAction": "SUPPRESS" }),
    )
    .await;
    assert_eq!(resp.status(), 403);
    assert_eq!(header(resp.headers(), "access-control-allow-origin"), None);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["__type"], "AccessDeniedException");
    let (kind, _) = common::call(
        &base,
        "AdminGetUser",
        json!({ "UserPoolId": issuer.pool_id(), "Username": "planted" }),
    )
    .await
    .unwrap_err();
    assert_eq!(kind, "UserNotFoundException");

    // A header outside what the SDKs send is not granted.
    let resp = preflight(&format!("{base}/"), APP, "POST", "content-type,x-evil").await;
    assert_eq!(resp.status(), 200);
    let allowed = header(resp.headers(), "access-control-allow-headers").unwrap();
    assert_eq!(allowed, "content-type");
    // Another method is refused.
    let resp = preflight(&format!("{base}/"), APP, "DELETE", "content-type").await;
    assert_eq!(resp.status(), 403);
    assert_eq!(header(resp.headers(), "access-control-allow-origin"), None);
    issuer.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn documents_and_oauth2_endpoints_answer_cors_and_issuer_admin_never_does() {
    let (_dir, issuer) = start(CorsOrigins::Any).await;
    let base = issuer.base_url().to_string();
    let pool = issuer.pool_id().to_string();
    let http = reqwest::Client::new();

    for path in [
        format!("/{pool}/.well-known/jwks.json"),
        format!("/{pool}/.well-known/openid-configuration"),
    ] {
        let resp = http
            .get(format!("{base}{path}"))
            .header("origin", APP)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200, "{path}");
        assert_eq!(
            header(resp.headers(), "access-control-allow-origin"),
            Some("*"),
            "{path}"
        );
    }
    let resp = preflight(
        &format!("{base}/oauth2/token"),
        APP,
        "POST",
        "content-type,authorization",
    )
    .await;
    assert_eq!(resp.status(), 200);
    assert_eq!(
        header(resp.headers(), "access-control-allow-headers"),
        Some("content-type, authorization")
    );
    let resp = http
        .post(format!("{base}/oauth2/token"))
        .header("origin", APP)
        .header("content-type", "application/x-www-form-urlencoded")
        .body("grant_type=refresh_token&refresh_token=bogus")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 400);
    assert_eq!(
        header(resp.headers(), "access-control-allow-origin"),
        Some("*")
    );
    let resp = preflight(
        &format!("{base}/oauth2/userInfo"),
        APP,
        "GET",
        "authorization",
    )
    .await;
    assert_eq!(resp.status(), 200);
    assert_eq!(
        header(resp.headers(), "access-control-allow-methods"),
        Some("GET, POST")
    );

    // /_issuer/* has no CORS at all: no preflight answer, no header on a
    // request (the guard refuses the cross-origin request outright).
    let resp = preflight(&format!("{base}/_issuer/pools"), APP, "GET", "").await;
    assert_ne!(resp.status(), 200);
    assert_eq!(header(resp.headers(), "access-control-allow-origin"), None);
    let resp = http
        .get(format!("{base}/_issuer/pools"))
        .header("origin", APP)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 403);
    assert_eq!(header(resp.headers(), "access-control-allow-origin"), None);
    issuer.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_configured_origin_list_is_enforced() {
    let origins = CorsOrigins::parse(&[APP, "https://app.example"]).unwrap();
    let (_dir, issuer) = start(origins).await;
    let base = issuer.base_url().to_string();
    let jwks = format!("{base}/{}/.well-known/jwks.json", issuer.pool_id());

    let resp = preflight(
        &format!("{base}/"),
        "https://app.example",
        "POST",
        "content-type",
    )
    .await;
    assert_eq!(resp.status(), 200);
    assert_eq!(
        header(resp.headers(), "access-control-allow-origin"),
        Some("https://app.example")
    );
    assert_eq!(header(resp.headers(), "vary"), Some("Origin"));

    let resp = preflight(
        &format!("{base}/"),
        "https://evil.example",
        "POST",
        "content-type",
    )
    .await;
    assert_eq!(resp.status(), 403);
    assert_eq!(header(resp.headers(), "access-control-allow-origin"), None);

    let http = reqwest::Client::new();
    let resp = http.get(&jwks).header("origin", APP).send().await.unwrap();
    assert_eq!(
        header(resp.headers(), "access-control-allow-origin"),
        Some(APP)
    );
    let resp = http
        .get(&jwks)
        .header("origin", "https://evil.example")
        .send()
        .await
        .unwrap();
    // The document is public anyway; the browser just may not read it.
    assert_eq!(resp.status(), 200);
    assert_eq!(header(resp.headers(), "access-control-allow-origin"), None);
    assert_eq!(header(resp.headers(), "vary"), Some("Origin"));
    issuer.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn origins_come_from_the_configuration_file_and_bad_ones_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let mut options = IssuerOptions::new(dir.path());
    options.config = Some(
        cognito_issuer::IssuerConfig::from_toml_str(r#"cors_origins = ["not an origin"]"#).unwrap(),
    );
    let err = IssuerServer::start(options).await.unwrap_err();
    assert!(err.to_string().contains("not an origin"), "{err}");

    let mut options = IssuerOptions::new(dir.path());
    options.config = Some(
        cognito_issuer::IssuerConfig::from_toml_str(
            r#"cors_origins = ["https://from-file.example"]"#,
        )
        .unwrap(),
    );
    let issuer = IssuerServer::start(options).await.unwrap();
    let resp = preflight(
        &format!("{}/", issuer.base_url()),
        "https://from-file.example",
        "POST",
        "content-type",
    )
    .await;
    assert_eq!(
        header(resp.headers(), "access-control-allow-origin"),
        Some("https://from-file.example")
    );
    issuer.shutdown().await.unwrap();
}
