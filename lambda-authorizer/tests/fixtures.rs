//! AWS's sample events for each event type and payload version
//! (`tests/fixtures/events/`), decided for valid / expired / wrong-pool /
//! wrong-client / group-miss / scope-miss / missing tokens and unavailable
//! keys; the answers must be exactly those of `tests/fixtures/expected.json`.

use aws_lambda_events::apigw::{
    ApiGatewayCustomAuthorizerResponse, ApiGatewayV2CustomAuthorizerSimpleResponse,
};
use cognito_lambda_authorizer::{Authorizer, Config};
use cognito_test_support::conformance::{Fixture, Recipes};
use serde_json::{Value, json};

const EXPECTED: &str = include_str!("fixtures/expected.json");

fn event(name: &str) -> Value {
    let text = match name {
        "rest-token" => include_str!("fixtures/events/rest-token.json"),
        "rest-request" => include_str!("fixtures/events/rest-request.json"),
        "http-v1" => include_str!("fixtures/events/http-v1.json"),
        "http-v2" => include_str!("fixtures/events/http-v2.json"),
        other => panic!("no event {other}"),
    };
    serde_json::from_str(text).unwrap()
}

/// The rules the fixtures run under: a valid token on `/hello`, a group on
/// `/admin`, a scope on `/orders`.
fn authorizer(fixture: &Fixture, preset: &str, extra: &str) -> Authorizer {
    let toml = format!(
        "preset = \"{preset}\"\n{extra}\n\
         [[routes]]\nroute = \"GET /hello\"\n\
         [[routes]]\nroute = \"GET /admin\"\ngroups_any = [\"admin\"]\n\
         [[routes]]\nroute = \"GET /orders\"\nscopes_any = [\"orders/read\"]\n"
    );
    Config::from_toml(&toml)
        .unwrap()
        .build_with(fixture.verifier())
        .unwrap()
}

/// Case name -> (token, path) for a preset family (`rest` wants ID tokens).
fn case(fixture: &Fixture, family: &str, name: &str) -> (Option<String>, &'static str) {
    let i = &fixture.issuer;
    let valid = if family == "rest" || family == "uniform" {
        i.id_claims(&["admin", "dev"])
    } else {
        i.access_claims("openid orders/read", &[])
    };
    match name {
        "valid" => (Some(i.mint(&valid)), "/hello"),
        "expired" => (fixture.token("expired"), "/hello"),
        "wrong_pool" => (fixture.token("other_issuer"), "/hello"),
        "wrong_client" if family == "rest" => (fixture.token("wrong_aud"), "/hello"),
        "wrong_client" => (fixture.token("wrong_client"), "/hello"),
        "group_miss" if family == "uniform" => (Some(i.mint(&valid)), "/admin"),
        "group_miss" => (fixture.token("id"), "/admin"),
        "scope_miss" if family == "rest" => (fixture.token("id"), "/orders"),
        "scope_miss" => (fixture.token("access_noscope"), "/orders"),
        "missing" => (None, "/hello"),
        "keys_unavailable" => (fixture.token("unavailable"), "/hello"),
        other => panic!("no case {other}"),
    }
}

/// The sample event with the token put where API Gateway puts it and the
/// method ARN's path set; returns (event, its ARN, every method of its stage).
fn prepare(mut event: Value, token: Option<&str>, path: &str) -> (Value, String, String) {
    let arn_key = if event.get("routeArn").is_some() {
        "routeArn"
    } else {
        "methodArn"
    };
    let sample = event[arn_key].as_str().unwrap().to_owned();
    let stage = sample.strip_suffix("/GET/hello").unwrap().to_owned();
    let arn = format!("{stage}/GET{path}");
    event[arn_key] = json!(arn);
    let value = token.map(|t| format!("Bearer {t}"));
    if event["type"] == "TOKEN" {
        event["authorizationToken"] = json!(value);
    } else if let Some(value) = value {
        event["headers"]["Authorization"] = json!(value);
        if let Some(multi) = event.get_mut("multiValueHeaders") {
            multi["Authorization"] = json!([value]);
        }
    }
    (event, arn, format!("{stage}/*/*"))
}

/// `expected` with `{arn}`, `{any}` and the token's times filled in.
fn fill(expected: &Value, values: &[(&str, Value)]) -> Value {
    match expected {
        Value::String(s) => values
            .iter()
            .find(|(k, _)| k == s)
            .map_or_else(|| expected.clone(), |(_, v)| v.clone()),
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (k.clone(), fill(v, values)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(|v| fill(v, values)).collect()),
        other => other.clone(),
    }
}

fn claim(token: &str, name: &str) -> Value {
    use base64::Engine;
    let payload = token.split('.').nth(1).unwrap();
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .unwrap();
    serde_json::from_slice::<Value>(&bytes).unwrap()[name].clone()
}

#[tokio::test]
async fn sample_events_get_the_exact_documented_answers() {
    let fixture = Fixture::start().await;
    let expected: Value = serde_json::from_str(EXPECTED).unwrap();
    let families = [
        (
            "rest",
            authorizer(&fixture, "rest", ""),
            vec!["rest-token", "rest-request"],
        ),
        (
            "http",
            authorizer(&fixture, "http", ""),
            vec!["http-v1", "http-v2"],
        ),
        (
            "http_simple",
            authorizer(&fixture, "http", "simple_responses = true"),
            vec!["http-v2"],
        ),
        (
            "uniform",
            Config::from_toml("preset = \"rest\"")
                .unwrap()
                .build_with(fixture.verifier())
                .unwrap(),
            vec!["rest-token", "rest-request", "http-v1"],
        ),
    ];
    let mut checked = 0;
    let mut failures = Vec::new();
    for (family, authorizer, events) in &families {
        let cases = expected[family].as_object().unwrap();
        for (name, want) in cases {
            let (token, path) = case(&fixture, family, name);
            for event_name in events {
                let (event, arn, any) = prepare(event(event_name), token.as_deref(), path);
                let mut values = vec![("{arn}", json!(arn)), ("{any}", json!(any))];
                if let Some(t) = &token {
                    for time in ["exp", "iat", "auth_time"] {
                        values.push((["{", time, "}"].concat().leak(), claim(t, time)));
                    }
                }
                let want = fill(want, &values);
                let got = match authorizer.handle(event).await.into_result() {
                    Ok(json) => json,
                    Err(error) => json!(error.to_string()),
                };
                checked += 1;
                if got != want {
                    failures.push(format!(
                        "{family}/{name}/{event_name}:\n got  {got}\n want {want}"
                    ));
                }
                // What we return reads back into aws_lambda_events' own response types.
                if got.get("policyDocument").is_some() {
                    serde_json::from_value::<ApiGatewayCustomAuthorizerResponse>(got.clone())
                        .unwrap();
                } else if got.get("isAuthorized").is_some() {
                    serde_json::from_value::<ApiGatewayV2CustomAuthorizerSimpleResponse>(got)
                        .unwrap();
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert_eq!(checked, 8 * 2 + 8 * 2 + 8 + 3 * 3);
}

#[tokio::test]
async fn context_values_are_primitives_only() {
    let fixture = Fixture::start().await;
    let authorizer = authorizer(&fixture, "rest", "");
    let mut claims = fixture.issuer.id_claims(&["admin", "dev"]);
    claims["identities"] = json!([{"providerName": "Google", "userId": "1"}]);
    claims["nickname"] = Value::Null;
    let token = fixture.issuer.mint(&claims);
    let (event, _, _) = prepare(event("rest-token"), Some(&token), "/hello");
    let got = authorizer.handle(event).await.into_result().unwrap();
    let context = got["context"].as_object().unwrap();
    assert!(
        context
            .values()
            .all(|v| v.is_string() || v.is_number() || v.is_boolean())
    );
    assert_eq!(context["cognito:groups"], "admin,dev");
    assert_eq!(
        context["identities"],
        r#"[{"providerName":"Google","userId":"1"}]"#
    );
    assert!(!context.contains_key("nickname"));
    assert_eq!(context["email_verified"], true);
}

#[tokio::test]
async fn denylisted_sign_ins_and_foreign_events_are_refused() {
    let fixture = Fixture::start().await;
    let listed = authorizer(&fixture, "rest", "deny_jti = [\"0a9b8c7d-origin\"]");
    let (event_json, _, _) = prepare(
        event("rest-token"),
        fixture.token("id").as_deref(),
        "/hello",
    );
    let got = listed.handle(event_json.clone()).await.into_result();
    assert_eq!(got.unwrap_err().to_string(), "Unauthorized");
    let open = authorizer(&fixture, "rest", "");
    assert!(open.handle(event_json).await.into_result().is_ok());
    let s3 = json!({"Records": [{"eventSource": "aws:s3"}]});
    let error = open.handle(s3).await.into_result().unwrap_err();
    assert!(
        error
            .to_string()
            .starts_with("authorizer failure: not an API Gateway authorizer event")
    );
    let no_arn = json!({"type": "TOKEN", "authorizationToken": "x"});
    assert!(open.handle(no_arn).await.into_result().is_err());
}
