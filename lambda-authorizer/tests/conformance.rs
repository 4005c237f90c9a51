//! The shared conformance table (`test-support/conformance/cases.json`)
//! driven through the Lambda authorizer: every token row becomes a REST
//! `TOKEN`, a REST `REQUEST`, an HTTP API 1.0 and an HTTP API 2.0 event, and
//! the decision class must match the row's status (200 Allow, 401
//! `Unauthorized`, 403 Deny, 503 authorizer failure). The table's routes are
//! configured as an equivalent route table (as `tests/src/apps/*.rs` serve
//! them). ALB rows are not applicable (an ALB is not behind API Gateway).

use std::collections::BTreeMap;

use cognito_lambda_authorizer::{Config, Verdict};
use cognito_test_support::conformance::{AppSpec, Case, Fixture, Recipes, cases};
use serde_json::{Value, json};

const ARN_PREFIX: &str = "arn:aws:execute-api:us-east-1:123456789012:abcdef123/test";

/// The table's routes (`routes` in cases.json) as a route table; guests
/// pass every route when the app's gate is optional (a guest still fails
/// every guard, as on the adapters).
fn config(app: &AppSpec) -> Config {
    let guests = app.optional;
    let route = |key: &str, rules: &str| {
        format!("[[routes]]\nroute = \"{key}\"\nguests = {guests}\n{rules}\n")
    };
    let mut toml = format!("preset = \"{}\"\n", app.preset);
    if let Some(scopes) = &app.scopes {
        toml += &format!("scopes = {}\n", json!(scopes));
    }
    toml += "[token]\n";
    if let Some(header) = &app.header {
        toml += &format!("header = \"{header}\"\n");
    }
    if let Some(cookie) = &app.cookie {
        toml += &format!("cookie = \"{cookie}\"\n");
    }
    for (key, rules) in [
        ("GET /hello", ""),
        ("GET /me", ""),
        ("GET /apigw", ""),
        ("GET /admin", "groups_any = [\"admin\"]"),
        ("GET /admin-dev", "groups_all = [\"admin\", \"dev\"]"),
        ("GET /staff", "groups_any = [\"admin\", \"ops\"]"),
        ("GET /orders", "scopes_any = [\"orders/read\"]"),
        (
            "GET /orders-rw",
            "scopes_all = [\"orders/read\", \"orders/write\"]",
        ),
        ("GET /users/{sub}/files", "owner = \"sub\""),
    ] {
        toml += &route(key, rules);
    }
    Config::from_toml(&toml).expect("the conformance route table parses")
}

/// The headers a row sends: (lower-case name, value), in order.
fn sent(case: &Case, token: &str) -> Vec<(String, String)> {
    const JUNK: &str = "not.a.jwt";
    let mut headers = Vec::new();
    let mut add = |name: &str, value: String| headers.push((name.to_owned(), value));
    for part in case.send.split('+') {
        match part {
            "none" => {}
            "bearer" => add("authorization", format!("Bearer {token}")),
            "lower_bearer" => add("authorization", format!("bearer {token}")),
            "raw" => add("authorization", token.to_owned()),
            "basic" => add("authorization", "Basic dXNlcjpwYXNzd29yZA==".into()),
            "bearer_only" => add("authorization", "Bearer".into()),
            "junk" => add("authorization", format!("Bearer {JUNK}")),
            "empty" => add("authorization", String::new()),
            "theme" => add("cookie", "theme=light".into()),
            other => match other.split_once(':') {
                Some(("header", name)) => add(name, token.to_owned()),
                Some(("header_junk", name)) => add(name, JUNK.into()),
                Some(("cookie", name)) => add("cookie", format!("theme=dark; {name}={token}")),
                Some(("cookie_junk", name)) => add("cookie", format!("{name}={JUNK}")),
                Some(("cookie_twice", name)) => add(
                    "cookie",
                    format!("{name}={token}; theme=dark; {name}={JUNK}"),
                ),
                _ => panic!("unknown send part {other:?} in {:?}", case.name),
            },
        }
    }
    headers
}

/// Why a row has no `TOKEN` event: it carries one header value and nothing else.
fn token_skip(
    case: &Case,
    headers: &[(String, String)],
    token_header: &str,
) -> Option<&'static str> {
    if headers.iter().any(|(n, _)| n == "cookie") {
        return Some("a TOKEN event carries one header, never cookies");
    }
    if headers.iter().filter(|(n, _)| n == token_header).count() > 1 {
        return Some(
            "a TOKEN event carries one value; how API Gateway folds a repeated header is undocumented",
        );
    }
    let _ = case;
    None
}

/// A header map with repeated names comma-joined (HTTP API's `headers`);
/// repeated `Cookie` headers joined with `; ` (as HTTP/2 joins cookie
/// crumbs; API Gateway does not document how a 1.0 event folds them).
fn joined(headers: &[(String, String)]) -> BTreeMap<String, String> {
    let mut map: BTreeMap<String, String> = BTreeMap::new();
    for (name, value) in headers {
        let separator = if name == "cookie" { "; " } else { "," };
        map.entry(name.clone())
            .and_modify(|v| {
                v.push_str(separator);
                v.push_str(value);
            })
            .or_insert_with(|| value.clone());
    }
    map
}

/// The four events for a row, shaped after AWS's documented samples.
fn events(
    case: &Case,
    token: &str,
    path: &str,
) -> Vec<(&'static str, Result<Value, &'static str>)> {
    let headers = sent(case, token);
    let token_header = case.app.header.as_deref().unwrap_or("authorization");
    let arn = format!("{ARN_PREFIX}/GET{path}");
    let rest_token = match token_skip(case, &headers, token_header) {
        Some(reason) => Err(reason),
        None => {
            let value = headers
                .iter()
                .find(|(n, _)| n == token_header)
                .map(|(_, v)| v.clone());
            Ok(json!({"type": "TOKEN", "authorizationToken": value, "methodArn": arn}))
        }
    };
    let mut multi: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (name, value) in &headers {
        multi.entry(name.clone()).or_default().push(value.clone());
    }
    let single: BTreeMap<&String, &String> = multi
        .iter()
        .filter_map(|(n, v)| Some((n, v.last()?)))
        .collect();
    let rest_request = json!({
        "type": "REQUEST", "methodArn": arn, "resource": path, "path": path, "httpMethod": "GET",
        "headers": single, "multiValueHeaders": multi,
        "queryStringParameters": {}, "pathParameters": {}, "stageVariables": {},
        "requestContext": {"path": format!("/test{path}"), "accountId": "123456789012", "resourceId": "05c7jb",
            "stage": "test", "requestId": "r-1", "identity": {"sourceIp": "127.0.0.1"},
            "resourcePath": path, "httpMethod": "GET", "apiId": "abcdef123"}
    });
    let http_headers = joined(&headers);
    let http_v1 = json!({
        "version": "1.0", "type": "REQUEST", "methodArn": arn,
        "identitySource": http_headers.get(token_header), "authorizationToken": http_headers.get(token_header),
        "resource": path, "path": path, "httpMethod": "GET", "headers": http_headers,
        "queryStringParameters": {}, "pathParameters": {}, "stageVariables": {},
        "requestContext": {"path": path, "accountId": "123456789012", "resourceId": "05c7jb", "stage": "test",
            "requestId": "r-1", "identity": {"sourceIp": "127.0.0.1"}, "resourcePath": path,
            "httpMethod": "GET", "apiId": "abcdef123"}
    });
    // HTTP API 2.0 moves every Cookie header into `cookies`, one item per cookie.
    let cookies: Vec<&str> = headers
        .iter()
        .filter(|(n, _)| n == "cookie")
        .flat_map(|(_, v)| v.split("; "))
        .collect();
    let mut v2_headers = joined(&headers);
    v2_headers.remove("cookie");
    let http_v2 = json!({
        "version": "2.0", "type": "REQUEST", "routeArn": arn,
        "identitySource": v2_headers.get(token_header).map(|v| vec![v]),
        "routeKey": format!("GET {path}"), "rawPath": path, "rawQueryString": "",
        "cookies": cookies, "headers": v2_headers, "queryStringParameters": {},
        "requestContext": {"accountId": "123456789012", "apiId": "abcdef123", "domainName": "abcdef123.execute-api.us-east-1.amazonaws.com",
            "domainPrefix": "abcdef123", "http": {"method": "GET", "path": path, "protocol": "HTTP/1.1",
            "sourceIp": "127.0.0.1", "userAgent": "conformance"}, "requestId": "r-1", "routeKey": format!("GET {path}"),
            "stage": "test", "time": "28/Nov/2026:00:00:00 +0000", "timeEpoch": 1795824000000_u64},
        "pathParameters": {}, "stageVariables": {}
    });
    vec![
        ("rest-token", rest_token),
        ("rest-request", Ok(rest_request)),
        ("http-1.0", Ok(http_v1)),
        ("http-2.0", Ok(http_v2)),
    ]
}

fn expected(status: u16) -> Verdict {
    match status {
        200 => Verdict::Allow,
        401 => Verdict::Unauthorized,
        403 => Verdict::Deny,
        503 => Verdict::Failed,
        other => panic!("status {other} has no authorizer decision"),
    }
}

/// The `sub` of a token, unverified (for `{sub}` in paths).
fn sub_of(token: &str) -> String {
    let payload = token.split('.').nth(1).unwrap_or_default();
    use base64::Engine;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .unwrap_or_default();
    serde_json::from_slice::<Value>(&bytes)
        .ok()
        .and_then(|v| v["sub"].as_str().map(str::to_owned))
        .unwrap_or_default()
}

#[tokio::test]
async fn the_conformance_table_decides_alike_for_every_event_type() {
    let fixture = Fixture::start().await;
    let (mut run, mut failures, mut skipped) =
        (0, Vec::new(), BTreeMap::<&str, Vec<String>>::new());
    let table = cases();
    for case in &table {
        let authorizer = config(&case.app).build_with(fixture.verifier()).unwrap();
        let token = fixture.token(&case.token).unwrap_or_default();
        let path = case.path.replace("{sub}", &sub_of(&token));
        let want = expected(case.expected.status);
        for (kind, event) in events(case, &token, &path) {
            let event = match event {
                Ok(event) => event,
                Err(reason) => {
                    skipped
                        .entry(reason)
                        .or_default()
                        .push(format!("{kind}: {}", case.name));
                    continue;
                }
            };
            run += 1;
            let got = authorizer.handle(event).await;
            if got.verdict() != want {
                failures.push(format!(
                    "[{kind}] {}: {:?}, expected {want:?}",
                    case.name, got
                ));
            }
        }
    }
    let skips: usize = skipped.values().map(Vec::len).sum();
    eprintln!("{run} decisions checked, {skips} skipped:");
    for (reason, rows) in &skipped {
        eprintln!("  {reason}: {}", rows.len());
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
    // Only the REST TOKEN event skips, and only rows sending cookies or a repeated header.
    assert!(skips <= 15, "the skip list grew: {skipped:#?}");
    assert_eq!(run + skips, table.len() * 4);
}
