//! Management operations and SigV4: with access keys configured, the
//! IAM-authorized operations answer only requests signed by a real SigV4
//! signer (the `aws-sigv4` crate) with one of the keys; without keys the
//! issuer keeps them open on loopback only and refuses to start open on any
//! other address.

use crate::common;

use std::time::{Duration, SystemTime};

use aws_credential_types::Credentials;
use aws_sigv4::http_request::{SignableBody, SignableRequest, SigningSettings, sign};
use aws_sigv4::sign::v4;
use cognito_issuer::{AccessKey, IssuerError, IssuerOptions, IssuerServer, RunningIssuer};
use common::PASSWORD;
use serde_json::{Value, json};

const KEY_ID: &str = "AKIDLOCALTEST";
const SECRET: &str = "local/test+secret";
const TARGET: &str = "AWSCognitoIdentityProviderService.";

async fn start_with_keys(dir: &std::path::Path) -> RunningIssuer {
    let mut options = IssuerOptions::new(dir);
    options.access_keys = vec![AccessKey {
        access_key_id: KEY_ID.into(),
        secret_access_key: SECRET.into(),
    }];
    IssuerServer::start(options).await.expect("issuer starts")
}

/// How to sign a request in a test.
struct Signer<'a> {
    key_id: &'a str,
    secret: &'a str,
    region: &'a str,
    service: &'a str,
    time: SystemTime,
}

impl Default for Signer<'_> {
    fn default() -> Self {
        Self {
            key_id: KEY_ID,
            secret: SECRET,
            region: "us-east-1",
            service: "cognito-idp",
            time: SystemTime::now(),
        }
    }
}

impl Signer<'_> {
    /// The headers `aws-sigv4` adds to a JSON API request of `op` with `body`.
    fn headers(&self, url: &str, op: &str, body: &[u8]) -> Vec<(String, String)> {
        let base = [
            ("content-type", "application/x-amz-json-1.1".to_string()),
            ("x-amz-target", format!("{TARGET}{op}")),
        ];
        let identity = Credentials::new(self.key_id, self.secret, None, None, "test").into();
        let params = v4::SigningParams::builder()
            .identity(&identity)
            .region(self.region)
            .name(self.service)
            .time(self.time)
            .settings(SigningSettings::default())
            .build()
            .expect("signing params")
            .into();
        let signable = SignableRequest::new(
            "POST",
            url,
            base.iter().map(|(k, v)| (*k, v.as_str())),
            SignableBody::Bytes(body),
        )
        .expect("signable request");
        let (instructions, _) = sign(signable, &params).expect("signed").into_parts();
        let mut request = http::Request::builder()
            .method("POST")
            .uri(url)
            .body(())
            .expect("request");
        instructions.apply_to_request_http1x(&mut request);
        base.iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .chain(
                request
                    .headers()
                    .iter()
                    .map(|(k, v)| (k.as_str().to_string(), v.to_str().unwrap().to_string())),
            )
            .collect()
    }
}

/// POSTs `body` with `headers`; returns (status, JSON body).
async fn post(url: &str, headers: &[(String, String)], body: Vec<u8>) -> (u16, Value) {
    let mut req = reqwest::Client::new().post(url).body(body);
    for (k, v) in headers {
        req = req.header(k, v);
    }
    let resp = req.send().await.expect("request reaches the issuer");
    let status = resp.status().as_u16();
    (status, resp.json().await.unwrap_or(Value::Null))
}

async fn signed(
    issuer: &RunningIssuer,
    signer: &Signer<'_>,
    op: &str,
    input: Value,
) -> (u16, Value) {
    let url = format!("{}/", issuer.base_url());
    let body = input.to_string().into_bytes();
    post(&url, &signer.headers(&url, op, &body), body).await
}

async fn unsigned(
    issuer: &RunningIssuer,
    op: &str,
    input: Value,
    auth: Option<&str>,
) -> (u16, Value) {
    let url = format!("{}/", issuer.base_url());
    let mut headers = vec![
        (
            "content-type".to_string(),
            "application/x-amz-json-1.1".to_string(),
        ),
        ("x-amz-target".to_string(), format!("{TARGET}{op}")),
    ];
    if let Some(a) = auth {
        headers.push(("authorization".into(), a.into()));
        headers.push(("x-amz-date".into(), "20260101T000000Z".into()));
    }
    post(&url, &headers, input.to_string().into_bytes()).await
}

fn create_user(pool: &str, name: &str) -> Value {
    json!({ "UserPoolId": pool, "Username": name, "MessageAction": "SUPPRESS",
            "TemporaryPassword": PASSWORD })
}

fn error_type(v: &Value) -> &str {
    v["__type"].as_str().unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_signed_with_a_configured_key_is_accepted() {
    let dir = tempfile::tempdir().unwrap();
    let issuer = start_with_keys(dir.path()).await;
    let pool = issuer.pool_id().to_string();
    let (status, body) = signed(
        &issuer,
        &Signer::default(),
        "AdminCreateUser",
        create_user(&pool, "carol"),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["User"]["Username"], "carol");
    let (status, body) = signed(
        &issuer,
        &Signer::default(),
        "ListUsers",
        json!({ "UserPoolId": pool }),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["Users"].as_array().map(Vec::len), Some(1));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unsigned_and_forged_management_calls_are_refused_before_the_store() {
    let dir = tempfile::tempdir().unwrap();
    let issuer = start_with_keys(dir.path()).await;
    let pool = issuer.pool_id().to_string();

    let (status, body) = unsigned(
        &issuer,
        "AdminCreateUser",
        create_user(&pool, "mallory"),
        None,
    )
    .await;
    assert_eq!(
        (status, error_type(&body)),
        (400, "MissingAuthenticationTokenException"),
        "{body}"
    );

    let forged = format!(
        "AWS4-HMAC-SHA256 Credential={KEY_ID}/20260101/us-east-1/cognito-idp/aws4_request, \
         SignedHeaders=host;x-amz-date, Signature={}",
        "0".repeat(64)
    );
    let (status, body) = unsigned(
        &issuer,
        "AdminCreateUser",
        create_user(&pool, "mallory"),
        Some(&forged),
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(error_type(&body), "InvalidSignatureException", "{body}");

    let unknown = forged.replace(KEY_ID, "AKIDNOBODY");
    let (_, body) = unsigned(
        &issuer,
        "AdminCreateUser",
        create_user(&pool, "mallory"),
        Some(&unknown),
    )
    .await;
    assert_eq!(error_type(&body), "UnrecognizedClientException", "{body}");
    assert_eq!(
        body["message"],
        "The security token included in the request is invalid."
    );

    let (_, body) = unsigned(
        &issuer,
        "AdminCreateUser",
        create_user(&pool, "mallory"),
        Some("AWS4-HMAC-SHA256 Credential=x"),
    )
    .await;
    assert_eq!(error_type(&body), "IncompleteSignatureException", "{body}");

    // None of them created the user.
    let (status, body) = signed(
        &issuer,
        &Signer::default(),
        "AdminGetUser",
        json!({ "UserPoolId": pool, "Username": "mallory" }),
    )
    .await;
    assert_eq!(
        (status, error_type(&body)),
        (400, "UserNotFoundException"),
        "{body}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_secret_scope_date_or_body_is_an_invalid_signature() {
    let dir = tempfile::tempdir().unwrap();
    let issuer = start_with_keys(dir.path()).await;
    let pool = issuer.pool_id().to_string();
    let input = json!({ "UserPoolId": pool });
    let cases: [(&str, Signer<'_>, &str); 5] = [
        (
            "wrong secret",
            Signer {
                secret: "not-the-secret",
                ..Signer::default()
            },
            "does not match",
        ),
        (
            "other region",
            Signer {
                region: "eu-west-1",
                ..Signer::default()
            },
            "valid region",
        ),
        (
            "other service",
            Signer {
                service: "dynamodb",
                ..Signer::default()
            },
            "correct service",
        ),
        (
            "20 minutes old",
            Signer {
                time: SystemTime::now() - Duration::from_secs(20 * 60),
                ..Signer::default()
            },
            "Signature expired",
        ),
        (
            "20 minutes ahead",
            Signer {
                time: SystemTime::now() + Duration::from_secs(20 * 60),
                ..Signer::default()
            },
            "not yet current",
        ),
    ];
    for (what, signer, message) in cases {
        let (status, body) = signed(&issuer, &signer, "ListUsers", input.clone()).await;
        assert_eq!(
            (status, error_type(&body)),
            (400, "InvalidSignatureException"),
            "{what}: {body}"
        );
        assert!(
            body["message"].as_str().unwrap().contains(message),
            "{what}: {body}"
        );
    }

    // A valid signature over another body.
    let url = format!("{}/", issuer.base_url());
    let headers = Signer::default().headers(&url, "ListUsers", input.to_string().as_bytes());
    let other = json!({ "UserPoolId": "us-east-1_Other0001" })
        .to_string()
        .into_bytes();
    let (status, body) = post(&url, &headers, other).await;
    assert_eq!(
        (status, error_type(&body)),
        (400, "InvalidSignatureException"),
        "{body}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn public_operations_need_no_signature_when_keys_are_configured() {
    let dir = tempfile::tempdir().unwrap();
    let issuer = start_with_keys(dir.path()).await;
    let (status, body) = unsigned(
        &issuer,
        "SignUp",
        json!({ "ClientId": issuer.client_id(), "Username": "dave", "Password": PASSWORD,
                "UserAttributes": [{"Name": "email", "Value": "dave@example.com"}] }),
        None,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = unsigned(
        &issuer,
        "InitiateAuth",
        json!({ "ClientId": issuer.client_id(), "AuthFlow": "USER_PASSWORD_AUTH",
                "AuthParameters": { "USERNAME": "dave", "PASSWORD": PASSWORD } }),
        None,
    )
    .await;
    // The user exists but is unconfirmed: the call reached the domain.
    assert_eq!(
        (status, error_type(&body)),
        (400, "UserNotConfirmedException"),
        "{body}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_keys_a_non_loopback_bind_needs_the_explicit_flag() {
    let dir = tempfile::tempdir().unwrap();
    let mut options = IssuerOptions::new(dir.path());
    options.bind = "0.0.0.0:0".parse().unwrap();
    match IssuerServer::start(options.clone()).await {
        Err(IssuerError::Config(m)) => assert!(m.contains("--insecure-open-admin"), "{m}"),
        other => panic!("an open non-loopback issuer must not start: {other:?}"),
    }

    options.insecure_open_admin = true;
    let issuer = IssuerServer::start(options)
        .await
        .expect("starts when asked explicitly");
    assert_eq!(
        issuer.management_mode(),
        cognito_issuer::ManagementMode::OpenInsecure
    );
    // A wildcard bind is no URL: iss and the URLs use the loopback address.
    let port = issuer.local_addr().port();
    assert_eq!(issuer.base_url(), format!("http://127.0.0.1:{port}"));
    assert!(
        issuer
            .issuer()
            .starts_with(&format!("http://127.0.0.1:{port}/")),
        "{}",
        issuer.issuer()
    );
    assert!(!issuer.jwks_url().contains("0.0.0.0"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_keys_loopback_management_stays_open() {
    let dir = tempfile::tempdir().unwrap();
    let issuer = IssuerServer::start(IssuerOptions::new(dir.path()))
        .await
        .unwrap();
    assert_eq!(
        issuer.management_mode(),
        cognito_issuer::ManagementMode::OpenLoopback
    );
    let pool = issuer.pool_id().to_string();
    let (status, body) =
        unsigned(&issuer, "AdminCreateUser", create_user(&pool, "erin"), None).await;
    assert_eq!(status, 200, "{body}");
}
