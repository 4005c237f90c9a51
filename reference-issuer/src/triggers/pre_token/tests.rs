use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

use super::overrides::{GroupOverride, Unrecognizable};
use super::*;
use crate::model::UserStatus;

const CLIENT: &str = "client123";

fn obj(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}

fn id_claims() -> Map<String, Value> {
    obj(json!({
        "sub": "s-1", "email": "a@example.com", "email_verified": true,
        "cognito:username": "alice", "aud": CLIENT, "token_use": "id", "exp": 10,
        "cognito:groups": ["g1"], "cognito:roles": ["arn:r1"],
        "cognito:preferred_role": "arn:r1", "dev:note": "x",
    }))
}

fn access_claims() -> Map<String, Value> {
    obj(json!({
        "sub": "s-1", "client_id": CLIENT, "token_use": "access", "username": "alice",
        "scope": "aws.cognito.signin.user.admin", "cognito:groups": ["g1"], "exp": 10,
    }))
}

fn parse(version: EventVersion, response: Value) -> Overrides {
    match Overrides::from_response(version, &response, CLIENT) {
        Ok(o) => o,
        Err(e) => panic!("response refused: {e}"),
    }
}

fn user() -> User {
    User {
        pool_id: "us-east-1_abc".into(),
        sub: "s-1".into(),
        username: "alice".into(),
        status: UserStatus::Confirmed,
        enabled: true,
        password_hash: None,
        password_set_at: 0,
        attributes: BTreeMap::from([
            ("sub".to_string(), "s-1".to_string()),
            ("email".to_string(), "a@example.com".to_string()),
            ("email_verified".to_string(), "true".to_string()),
        ]),
        created_at: 0.0,
        modified_at: 0.0,
    }
}

fn group(name: &str, role: Option<&str>, precedence: Option<i64>) -> Group {
    Group {
        pool_id: "us-east-1_abc".into(),
        name: name.into(),
        description: None,
        role_arn: role.map(str::to_string),
        precedence,
        created_at: 0.0,
        modified_at: 0.0,
    }
}

#[test]
fn trigger_sources_are_awss_names() {
    let names: Vec<&str> = [
        TokenSource::HostedAuth,
        TokenSource::Authentication,
        TokenSource::NewPasswordChallenge,
        TokenSource::AuthenticateDevice,
        TokenSource::RefreshTokens,
        TokenSource::ClientCredentials,
    ]
    .iter()
    .map(|s| s.trigger_source())
    .collect();
    assert_eq!(
        names,
        [
            "TokenGeneration_HostedAuth",
            "TokenGeneration_Authentication",
            "TokenGeneration_NewPasswordChallenge",
            "TokenGeneration_AuthenticateDevice",
            "TokenGeneration_RefreshTokens",
            "TokenGeneration_ClientCredentials",
        ]
    );
}

#[test]
fn client_credentials_fire_only_version_three() {
    use EventVersion::*;
    assert_eq!(EventVersion::from_number(0), None);
    for v in [V1, V2, V3] {
        assert!(v.fires_for(TokenSource::RefreshTokens));
    }
    assert!(!V1.fires_for(TokenSource::ClientCredentials));
    assert!(!V2.fires_for(TokenSource::ClientCredentials));
    assert!(V3.fires_for(TokenSource::ClientCredentials));
}

#[test]
fn user_request_has_attributes_groups_and_scopes_from_v2() {
    let u = user();
    let groups = [
        group("admins", Some("arn:admin"), Some(1)),
        group("staff", Some("arn:staff"), None),
        group("all", None, Some(9)),
    ];
    let scopes = ["openid".to_string(), "email".to_string()];
    let meta = BTreeMap::from([("k".to_string(), "v".to_string())]);
    let m = Minting {
        source: TokenSource::Authentication,
        client_id: CLIENT,
        user: Some((&u, &groups)),
        scopes: &scopes,
        client_metadata: Some(&meta),
    };
    let v1 = request(EventVersion::V1, &m);
    assert_eq!(
        v1,
        json!({
            "userAttributes": {
                "sub": "s-1", "cognito:user_status": "CONFIRMED",
                "email": "a@example.com", "email_verified": "true",
            },
            "groupConfiguration": {
                "groupsToOverride": ["admins", "staff", "all"],
                "iamRolesToOverride": ["arn:admin", "arn:staff"],
                "preferredRole": "arn:admin",
            },
            "clientMetadata": {"k": "v"},
        })
    );
    let v2 = request(
        EventVersion::V2,
        &Minting {
            client_metadata: None,
            ..m
        },
    );
    assert_eq!(v2["scopes"], json!(["openid", "email"]));
    assert!(v2.get("clientMetadata").is_none());
    assert_eq!(
        initial_response(EventVersion::V1),
        json!({"claimsOverrideDetails": null})
    );
    assert_eq!(
        initial_response(EventVersion::V3),
        json!({"claimsAndScopeOverrideDetails": null})
    );
}

#[test]
fn machine_request_has_no_user() {
    let scopes = ["api/read".to_string()];
    let m = Minting {
        source: TokenSource::ClientCredentials,
        client_id: CLIENT,
        user: None,
        scopes: &scopes,
        client_metadata: None,
    };
    assert_eq!(
        request(EventVersion::V3, &m),
        json!({"userAttributes": {}, "groupConfiguration": null, "scopes": ["api/read"]})
    );
}

#[test]
fn v1_changes_the_id_token_only_with_string_values() {
    let o = parse(
        EventVersion::V1,
        json!({"claimsOverrideDetails": {
            "claimsToAddOrOverride": {"tenant": "acme", "level": 3, "beta": true},
            "claimsToSuppress": ["email"],
        }}),
    );
    let mut id = id_claims();
    o.apply_to_id(&mut id);
    assert_eq!(id["tenant"], "acme");
    assert_eq!(id["level"], "3");
    assert_eq!(id["beta"], "true");
    assert!(id.get("email").is_none());
    let mut access = access_claims();
    o.apply_to_access(&mut access);
    assert_eq!(access, access_claims());
    let complex = json!({"claimsOverrideDetails": {"claimsToAddOrOverride": {"a": [1]}}});
    assert!(Overrides::from_response(EventVersion::V1, &complex, CLIENT).is_err());
}

#[test]
fn v2_adds_complex_values_to_both_tokens() {
    let o = parse(
        EventVersion::V2,
        json!({"claimsAndScopeOverrideDetails": {
            "idTokenGeneration": {"claimsToAddOrOverride": {"tenant": {"id": 7}}},
            "accessTokenGeneration": {"claimsToAddOrOverride": {"perms": ["r", 1, true]}},
        }}),
    );
    let mut id = id_claims();
    o.apply_to_id(&mut id);
    assert_eq!(id["tenant"], json!({"id": 7}));
    assert!(id.get("perms").is_none());
    let mut access = access_claims();
    o.apply_to_access(&mut access);
    assert_eq!(access["perms"], json!(["r", 1, true]));
    assert!(access.get("tenant").is_none());
}

#[test]
fn non_modifiable_claims_are_ignored_and_reported() {
    let o = parse(
        EventVersion::V2,
        json!({"claimsAndScopeOverrideDetails": {
            "idTokenGeneration": {
                "claimsToAddOrOverride": {
                    "sub": "x", "cognito:username": "x", "exp": 1, "aud": CLIENT,
                    "cognito:mfa": "x", "dev:note": "y", "cognito:groups": ["z"],
                    "email_verified": ["no"], "ok": "yes",
                },
                "claimsToSuppress": ["token_use", "iss", "identities"],
            },
            "accessTokenGeneration": {
                "claimsToAddOrOverride": {"username": "x", "client_id": "x", "version": 3,
                                           "scope": "all", "device_key": "d"},
                "claimsToSuppress": ["jti", "event_id", "origin_jti"],
            },
        }}),
    );
    let mut id = id_claims();
    o.apply_to_id(&mut id);
    let mut want = id_claims();
    want.insert("ok".into(), "yes".into());
    assert_eq!(id, want);
    let mut access = access_claims();
    o.apply_to_access(&mut access);
    assert_eq!(access, access_claims());
    assert_eq!(o.ignored.len(), 19, "{:?}", o.ignored);
    assert!(
        o.ignored
            .iter()
            .any(|i| i == "ID token claim email_verified (complex value not allowed)")
    );
}

#[test]
fn access_token_aud_only_when_it_is_the_client() {
    let response = |aud: &str| {
        json!({"claimsAndScopeOverrideDetails": {
            "accessTokenGeneration": {"claimsToAddOrOverride": {"aud": aud}},
        }})
    };
    let mut access = access_claims();
    parse(EventVersion::V2, response(CLIENT)).apply_to_access(&mut access);
    assert_eq!(access["aud"], CLIENT);
    let other = parse(EventVersion::V2, response("someone-else"));
    let mut access = access_claims();
    other.apply_to_access(&mut access);
    assert!(access.get("aud").is_none());
    assert_eq!(other.ignored.len(), 1);
}

#[test]
fn suppression_wins_and_groups_take_roles_along() {
    let o = parse(
        EventVersion::V1,
        json!({"claimsOverrideDetails": {
            "claimsToAddOrOverride": {"email": "new@example.com"},
            "claimsToSuppress": ["email", "cognito:groups", "dev:note"],
        }}),
    );
    let mut id = id_claims();
    o.apply_to_id(&mut id);
    for gone in [
        "email",
        "cognito:groups",
        "cognito:roles",
        "cognito:preferred_role",
        "dev:note",
    ] {
        assert!(id.get(gone).is_none(), "{gone} kept");
    }
    assert_eq!(id["sub"], "s-1");
}

#[test]
fn group_override_replaces_both_tokens_groups() {
    let o = parse(
        EventVersion::V1,
        json!({"claimsOverrideDetails": {"groupOverrideDetails": {
            "groupsToOverride": ["a", "b"], "iamRolesToOverride": ["arn:a"],
            "preferredRole": "arn:a",
        }}}),
    );
    let mut id = id_claims();
    o.apply_to_id(&mut id);
    assert_eq!(id["cognito:groups"], json!(["a", "b"]));
    assert_eq!(id["cognito:roles"], json!(["arn:a"]));
    assert_eq!(id["cognito:preferred_role"], "arn:a");
    let mut access = access_claims();
    o.apply_to_access(&mut access);
    assert_eq!(access["cognito:groups"], json!(["a", "b"]));
    assert!(access.get("cognito:roles").is_none());
}

#[test]
fn empty_or_null_group_override_suppresses_groups_absent_keeps_them() {
    for details in [json!({}), Value::Null] {
        let o = parse(
            EventVersion::V2,
            json!({"claimsAndScopeOverrideDetails": {"groupOverrideDetails": details}}),
        );
        assert_eq!(
            o.groups,
            GroupOverride::Replace(GroupConfiguration::default())
        );
        let mut id = id_claims();
        o.apply_to_id(&mut id);
        assert!(id.get("cognito:groups").is_none());
        assert!(id.get("cognito:roles").is_none());
        let mut access = access_claims();
        o.apply_to_access(&mut access);
        assert!(access.get("cognito:groups").is_none());
    }
    let keep = parse(
        EventVersion::V2,
        json!({"claimsAndScopeOverrideDetails": {"idTokenGeneration": {}}}),
    );
    assert_eq!(keep.groups, GroupOverride::Keep);
}

#[test]
fn scopes_are_added_and_suppressed_in_the_access_token() {
    let o = parse(
        EventVersion::V2,
        json!({"claimsAndScopeOverrideDetails": {"accessTokenGeneration": {
            "scopesToAdd": ["api/read", "openid", "two words", "openid"],
            "scopesToSuppress": ["aws.cognito.signin.user.admin"],
        }}}),
    );
    assert_eq!(o.ignored, ["scopesToAdd \"two words\" (blank)"]);
    let mut access = access_claims();
    o.apply_to_access(&mut access);
    assert_eq!(access["scope"], "api/read openid");
    let all_gone = parse(
        EventVersion::V2,
        json!({"claimsAndScopeOverrideDetails": {"accessTokenGeneration": {
            "scopesToSuppress": ["aws.cognito.signin.user.admin"],
        }}}),
    );
    let mut access = access_claims();
    all_gone.apply_to_access(&mut access);
    assert!(access.get("scope").is_none());
}

#[test]
fn unchanged_events_change_nothing() {
    for (version, response) in [
        (EventVersion::V1, json!({"claimsOverrideDetails": null})),
        (EventVersion::V1, json!({})),
        (
            EventVersion::V2,
            json!({"claimsAndScopeOverrideDetails": null}),
        ),
        (
            EventVersion::V3,
            json!({"claimsAndScopeOverrideDetails": []}),
        ),
    ] {
        assert_eq!(parse(version, response), Overrides::default());
    }
}

#[test]
fn malformed_responses_are_unrecognizable() {
    for (version, response) in [
        (EventVersion::V1, json!([])),
        (EventVersion::V1, json!({"claimsOverrideDetails": "x"})),
        (
            EventVersion::V1,
            json!({"claimsOverrideDetails": {"claimsToSuppress": "email"}}),
        ),
        (
            EventVersion::V2,
            json!({"claimsAndScopeOverrideDetails": [1]}),
        ),
        (
            EventVersion::V2,
            json!({"claimsAndScopeOverrideDetails": {"accessTokenGeneration": {"scopesToAdd": [1]}}}),
        ),
        (
            EventVersion::V2,
            json!({"claimsAndScopeOverrideDetails": {"groupOverrideDetails": {"preferredRole": 1}}}),
        ),
    ] {
        let got = Overrides::from_response(version, &response, CLIENT);
        assert!(
            matches!(got, Err(Unrecognizable(_))),
            "{response} gave {got:?}"
        );
    }
}
