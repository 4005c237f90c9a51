//! OpenAPI import: the fixtures (a REST and an HTTP API export) become a
//! configuration that round-trips through the normal loader, every
//! unsupported extension is reported, and the imported gatekeeper (the
//! binary, `--openapi`) passes the conformance table's cases that an API
//! Gateway definition can express; CORS from `x-amazon-apigateway-cors`.

use crate::common;

use std::convert::Infallible;
use std::ffi::OsString;
use std::net::SocketAddr;

use bytes::Bytes;
use cognito_gatekeeper::openapi::{self, ApiKind, Options, Override};
use cognito_gatekeeper::{config, runtime::Runtime};
use cognito_test_support::conformance::{self, Fixture, Recipes};
use common::{Gatekeeper, closed_port};
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;

const POOL: &str = "us-east-1_TestPool1";
const DOWN_POOL: &str = "us-east-1_DownPool";
const CLIENT: &str = "testclient0123456789abcdef";

fn fixture(name: &str) -> String {
    format!(
        "{}/tests/fixtures/openapi/{name}",
        env!("CARGO_MANIFEST_DIR")
    )
}

/// An upstream answering `hello`, with its own `Access-Control-Allow-Origin: *`
/// (which CORS must replace) and the `x-user-sub` it received as `x-seen-sub`.
async fn hello_upstream() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            tokio::spawn(async move {
                let service = service_fn(|req: Request<Incoming>| async move {
                    let seen: Vec<String> = req
                        .headers()
                        .get_all("x-user-sub")
                        .iter()
                        .map(|v| v.to_str().unwrap_or("").to_owned())
                        .collect();
                    Ok::<_, Infallible>(
                        Response::builder()
                            .header("access-control-allow-origin", "*")
                            .header("x-seen-sub", seen.join("|"))
                            .body(Full::new(Bytes::from_static(b"hello")))
                            .unwrap(),
                    )
                });
                let _ = http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    });
    addr
}

fn options() -> Options {
    Options {
        upstream: "http://127.0.0.1:8080".into(),
        listen: "127.0.0.1:8000".into(),
        ..Options::default()
    }
}

#[test]
fn rest_export_imports_and_round_trips() {
    let imported = openapi::import_file(&fixture("rest-api.json"), &options()).unwrap();
    assert_eq!(imported.kind, ApiKind::Rest);
    let keys: Vec<&str> = imported
        .file
        .routes
        .iter()
        .map(|r| r.route.get_ref().as_str())
        .collect();
    assert_eq!(
        keys,
        [
            "GET /hello",
            "GET /keyed",
            "GET /public",
            "GET /scoped/hello",
            "ANY /{proxy+}"
        ]
    );
    let scoped = &imported.file.routes[3];
    assert_eq!(scoped.scopes, ["orders/read"]);
    assert_eq!(imported.file.routes[2].authorizer.get_ref(), "none");
    let pools = &imported.file.pools;
    assert!(pools[POOL].any_client && pools[DOWN_POOL].any_client);
    assert_eq!(
        imported.file.mappings["get-hello"]["integration.request.header.x-user-sub"],
        "context.authorizer.claims.sub"
    );
    let paths: Vec<&str> = imported.warnings.iter().map(|w| w.path.as_str()).collect();
    for expected in [
        "$.basePath",
        "$.x-amazon-apigateway-request-validators",
        "$.x-amazon-apigateway-gateway-responses",
        "$.securityDefinitions.legacy-lambda",
        "$.paths['/legacy'].get.security",
        "$.paths['/keyed'].get.security.api_key",
        "$.paths['/hello'].options.x-amazon-apigateway-integration",
        "$.paths['/hello'].get.x-amazon-apigateway-integration.timeoutInMillis",
        "$.paths['/{proxy+}'].x-amazon-apigateway-any-method.x-amazon-apigateway-request-validator",
        "$.paths['/{proxy+}'].x-amazon-apigateway-any-method.x-amazon-apigateway-integration.cacheKeyParameters",
    ] {
        assert!(
            paths.contains(&expected),
            "no warning at {expected}: {paths:#?}"
        );
    }
    round_trip(&imported);
}

#[test]
fn http_export_imports_and_round_trips() {
    let imported = openapi::import_file(&fixture("http-api.json"), &options()).unwrap();
    assert_eq!(imported.kind, ApiKind::Http);
    let keys: Vec<&str> = imported
        .file
        .routes
        .iter()
        .map(|r| r.route.get_ref().as_str())
        .collect();
    assert_eq!(
        keys,
        [
            "$default",
            "GET /hello",
            "ANY /items/{id}",
            "GET /scoped/hello"
        ]
    );
    assert_eq!(imported.file.routes[2].scopes, ["orders/write"]);
    let pool = &imported.file.pools[POOL];
    assert_eq!(
        (pool.client_ids.as_slice(), pool.issuer.as_ref()),
        ([CLIENT.to_owned()].as_slice(), None)
    );
    let mapping = &imported.file.mappings["get-hello"];
    assert_eq!(
        mapping.len(),
        3,
        "the querystring mapping is left out: {mapping:?}"
    );
    let cors = imported.file.cors.as_ref().unwrap().get_ref();
    assert_eq!(cors.allow_origins, ["https://app.example"]);
    assert!(cors.allow_credentials);
    let paths: Vec<&str> = imported.warnings.iter().map(|w| w.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            "$.paths['/hello'].get.x-amazon-apigateway-integration.requestParameters['overwrite:querystring.user']",
            "$.paths['/items/{id}'].x-amazon-apigateway-any-method.x-amazon-apigateway-integration.timeoutInMillis",
        ]
    );
    round_trip(&imported);
}

/// The printed TOML loads through the normal loader and prints back the same.
fn round_trip(imported: &openapi::Imported) {
    let (text, _runtime) = openapi::load(imported).unwrap();
    let reparsed = config::parse("printed.toml", &text).unwrap();
    Runtime::build(&reparsed).unwrap();
    assert_eq!(openapi::to_toml(&reparsed).unwrap(), text);
}

#[test]
fn overrides_and_refusals() {
    let mut opts = options();
    opts.jwks_uris = vec!["http://127.0.0.1:1/jwks.json".parse::<Override>().unwrap()];
    let err = openapi::import_file(&fixture("rest-api.json"), &opts).unwrap_err();
    assert!(err.to_string().contains("several pools"), "{err}");
    opts.jwks_uris = vec![
        format!("{POOL}=http://127.0.0.1:1/jwks.json")
            .parse()
            .unwrap(),
    ];
    opts.client_ids = vec![format!("{POOL}={CLIENT}").parse().unwrap()];
    let imported = openapi::import_file(&fixture("rest-api.json"), &opts).unwrap();
    let pool = &imported.file.pools[POOL];
    assert_eq!(
        pool.jwks_uri.as_deref(),
        Some("http://127.0.0.1:1/jwks.json")
    );
    assert!(!pool.any_client && pool.client_ids == [CLIENT]);
    assert!(imported.file.pools[DOWN_POOL].any_client);

    // A real regex on `aud` cannot be honoured: refused, never widened.
    let mut doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(fixture("rest-api.json")).unwrap()).unwrap();
    doc["securityDefinitions"]["orders-cognito"]["x-amazon-apigateway-authorizer"]["identityValidationExpression"] =
        "^web-[a-z]+$".into();
    let err = openapi::import(&doc, &options()).unwrap_err();
    assert!(
        err.to_string().contains("identityValidationExpression"),
        "{err}"
    );
    // A list of client ids is.
    doc["securityDefinitions"]["orders-cognito"]["x-amazon-apigateway-authorizer"]["identityValidationExpression"] =
        "^(abc|def)$".into();
    let imported = openapi::import(&doc, &options()).unwrap();
    assert_eq!(imported.file.pools[POOL].client_ids, ["abc", "def"]);
}

#[test]
fn print_config_from_the_binary() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_cognito-gatekeeper"))
        .args([
            "--openapi",
            &fixture("http-api.json"),
            "--upstream",
            "http://127.0.0.1:9999",
        ])
        .args(["--listen", "127.0.0.1:0", "--print-config"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let file = config::parse("printed.toml", &text).unwrap();
    Runtime::build(&file).unwrap();
    assert!(
        text.contains("[cors]") && text.contains("url = \"http://127.0.0.1:9999\""),
        "{text}"
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("warning: $.paths['/hello']"), "{stderr}");
}

/// Starts the imported gatekeeper in front of the hello upstream.
async fn imported(export: &str, fx: &Fixture, extra: &[String]) -> Gatekeeper {
    let upstream = hello_upstream().await;
    let mut args: Vec<OsString> = vec![
        "--openapi".into(),
        fixture(export).into(),
        "--upstream".into(),
        format!("http://{upstream}").into(),
        "--listen".into(),
        "127.0.0.1:0".into(),
        "--jwks-uri".into(),
        format!("{POOL}={}", fx.issuer.jwks.url()).into(),
    ];
    args.extend(extra.iter().map(OsString::from));
    Gatekeeper::start_args(tempfile::tempdir().unwrap(), &args)
}

/// Runs the table's cases an API Gateway definition can express: the
/// preset's own authorizer on `/hello` (or `/scoped/hello` for the cases
/// with `orders/read` scopes), no guests, no cookie, the default header.
async fn conformance_cases(preset: &str, gk: &Gatekeeper, fx: &Fixture, skip: &[&str]) -> usize {
    let client = reqwest::Client::builder().no_proxy().build().unwrap();
    let mut failures = Vec::new();
    let mut ran = 0;
    for case in conformance::cases() {
        let app = &case.app;
        if app.preset != preset
            || app.optional
            || app.cookie.is_some()
            || app.header.is_some()
            || case.path != "/hello"
            || skip.contains(&case.token.as_str())
        {
            continue;
        }
        let base = match &app.scopes {
            None => gk.url(""),
            Some(scopes) if scopes == &["orders/read"] => gk.url("/scoped"),
            Some(other) => panic!("no fixture route for scopes {other:?}"),
        };
        ran += 1;
        if let Err(problem) = conformance::check_case(&client, fx, &base, &case).await {
            failures.push(format!("{}: {problem}", case.name));
        }
    }
    assert!(
        failures.is_empty(),
        "{} failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
    ran
}

#[tokio::test]
async fn imported_rest_api_passes_conformance() {
    let fx = Fixture::start().await;
    let extra = [
        "--jwks-uri".to_owned(),
        format!("{DOWN_POOL}=http://127.0.0.1:{}/jwks.json", closed_port()),
        // The table's verifier checks the app client; a REST authorizer
        // does that only when told (identityValidationExpression / --client-id).
        "--client-id".to_owned(),
        format!("{POOL}={CLIENT}"),
        "--client-id".to_owned(),
        format!("{DOWN_POOL}={CLIENT}"),
    ];
    let gk = imported("rest-api.json", &fx, &extra).await;
    let ran = conformance_cases("rest", &gk, &fx, &[]).await;
    assert_eq!(ran, 18);
}

#[tokio::test]
async fn imported_http_api_passes_conformance() {
    let fx = Fixture::start().await;
    let gk = imported("http-api.json", &fx, &[]).await;
    // An HTTP API JWT authorizer has one issuer: the table's second
    // (unreachable) pool cannot be part of it.
    let ran = conformance_cases("http", &gk, &fx, &["unavailable"]).await;
    assert_eq!(ran, 18);
}

#[tokio::test]
async fn cors_from_the_http_export() {
    let fx = Fixture::start().await;
    let gk = imported("http-api.json", &fx, &[]).await;
    let client = reqwest::Client::builder().no_proxy().build().unwrap();
    let token = fx.token("id").unwrap();

    // Preflight: answered without a token, 204, the configured headers.
    let r = client
        .request(reqwest::Method::OPTIONS, gk.url("/hello"))
        .header("origin", "https://app.example")
        .header("access-control-request-method", "GET")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    let h = r.headers();
    assert_eq!(h["access-control-allow-origin"], "https://app.example");
    assert_eq!(h["access-control-allow-credentials"], "true");
    assert_eq!(h["access-control-allow-methods"], "GET,POST,OPTIONS");
    assert_eq!(
        h["access-control-allow-headers"],
        "authorization,content-type"
    );
    assert_eq!(h["access-control-max-age"], "300");

    // A disallowed origin: 204 without CORS headers.
    let r = client
        .request(reqwest::Method::OPTIONS, gk.url("/hello"))
        .header("origin", "https://evil.example")
        .header("access-control-request-method", "GET")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    assert!(r.headers().get("access-control-allow-origin").is_none());

    // A refusal carries the CORS headers, so the browser shows the 401.
    let r = client
        .get(gk.url("/hello"))
        .header("origin", "https://app.example")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    assert_eq!(
        r.headers()["access-control-allow-origin"],
        "https://app.example"
    );
    assert_eq!(r.headers()["access-control-expose-headers"], "x-request-id");

    // Admitted: the upstream's own `*` is replaced; the mapping's header
    // reaches it and a spoofed copy does not.
    let r = client
        .get(gk.url("/hello"))
        .header("origin", "https://app.example")
        .header("authorization", format!("Bearer {token}"))
        .header("x-user-sub", "spoofed")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let h = r.headers();
    assert_eq!(h.get_all("access-control-allow-origin").iter().count(), 1);
    assert_eq!(h["access-control-allow-origin"], "https://app.example");
    let sub = fx.issuer.id_claims(&[])["sub"].as_str().unwrap().to_owned();
    assert_eq!(h["x-seen-sub"], sub.as_str());
}
