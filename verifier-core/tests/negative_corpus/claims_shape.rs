//! The shape of the payload: `scope`, `cognito:groups`, repeated claims,
//! payloads that are not one JSON object.

use super::Which::{Any, Grouped, Scoped};
use super::*;

pub(super) fn cases(ctx: &Ctx) -> Vec<Case> {
    let k = ctx.kid();
    let id_json = ctx.id.to_string();
    let scoped = |scope: Value| ctx.access_set("scope", scope);
    let missing_scope = || Cause::MissingScope("any of [orders/read]".into());
    let grouped = |groups: Value| ctx.id_set("cognito:groups", groups);
    let missing_group = || Cause::MissingGroup("any of [admin]".into());
    let groups_invalid = || invalid("cognito:groups");
    vec![
        // scope: a space-separated string.
        case("scope number", Any, scoped(json!(1)), invalid("scope")),
        case(
            "scope array",
            Any,
            scoped(json!(["openid", "orders/read"])),
            invalid("scope"),
        ),
        case("scope null", Any, scoped(Value::Null), invalid("scope")),
        case(
            "scope object",
            Any,
            scoped(json!({"orders/read": true})),
            invalid("scope"),
        ),
        case(
            "required scope absent",
            Scoped,
            scoped(json!("openid")),
            missing_scope(),
        ),
        case(
            "required scope as a prefix",
            Scoped,
            scoped(json!("orders/readwrite")),
            missing_scope(),
        ),
        case(
            "required scope in upper case",
            Scoped,
            scoped(json!("ORDERS/READ")),
            missing_scope(),
        ),
        case(
            "required scope comma-joined",
            Scoped,
            scoped(json!("openid,orders/read")),
            missing_scope(),
        ),
        case(
            "required scope empty",
            Scoped,
            scoped(json!("")),
            missing_scope(),
        ),
        case(
            "required scope, token without scope",
            Scoped,
            ctx.edit(&ctx.access, |c| {
                c.remove("scope");
            }),
            missing_scope(),
        ),
        // cognito:groups: an array of strings.
        case(
            "groups a string",
            Any,
            grouped(json!("admin")),
            groups_invalid(),
        ),
        case("groups a number", Any, grouped(json!(1)), groups_invalid()),
        case("groups null", Any, grouped(Value::Null), groups_invalid()),
        case("groups bool", Any, grouped(json!(true)), groups_invalid()),
        case(
            "groups an object",
            Any,
            grouped(json!({"admin": true})),
            groups_invalid(),
        ),
        case(
            "groups with a number",
            Any,
            grouped(json!(["admin", 1])),
            groups_invalid(),
        ),
        case(
            "groups with null",
            Any,
            grouped(json!([null, "admin"])),
            groups_invalid(),
        ),
        case(
            "groups nested",
            Any,
            grouped(json!([["admin"]])),
            groups_invalid(),
        ),
        case(
            "groups with an object",
            Any,
            grouped(json!([{"name": "admin"}])),
            groups_invalid(),
        ),
        case(
            "required group in another case",
            Grouped,
            grouped(json!(["Admin"])),
            missing_group(),
        ),
        case(
            "required group with a space",
            Grouped,
            grouped(json!(["admin "])),
            missing_group(),
        ),
        case(
            "required group, groups empty",
            Grouped,
            grouped(json!([])),
            missing_group(),
        ),
        case(
            "required group, groups absent",
            Grouped,
            ctx.id_unset("cognito:groups"),
            missing_group(),
        ),
        case(
            "required group only in a custom claim",
            Grouped,
            ctx.edit(&ctx.id, |c| {
                c.remove("cognito:groups");
                c.insert("custom:groups".into(), json!("admin"));
            }),
            missing_group(),
        ),
        // Repeated claims: refused outright, whichever value would win.
        case(
            "sub twice",
            Any,
            ctx.with_payload(&ctx.id_prefixed(r#""sub":"mallory""#)),
            Malformed::Json,
        ),
        case(
            "exp twice",
            Any,
            ctx.with_payload(&ctx.id_prefixed(r#""exp":9999999999"#)),
            Malformed::Json,
        ),
        case(
            "iss twice",
            Any,
            ctx.with_payload(&ctx.id_prefixed(r#""iss":"https://evil.example""#)),
            Malformed::Json,
        ),
        case(
            "token_use twice",
            Any,
            ctx.with_payload(&ctx.id_prefixed(r#""token_use":"access""#)),
            Malformed::Json,
        ),
        case(
            "aud twice",
            Any,
            ctx.with_payload(&ctx.id_prefixed(r#""aud":"otherclient""#)),
            Malformed::Json,
        ),
        case(
            "cognito:groups twice",
            Any,
            ctx.with_payload(&ctx.id_prefixed(r#""cognito:groups":["root"]"#)),
            Malformed::Json,
        ),
        case(
            "sub twice, once escaped",
            Any,
            ctx.with_payload(&ctx.id_prefixed(r#""s\u0075b":"mallory""#)),
            Malformed::Json,
        ),
        case(
            "custom claim twice",
            Any,
            ctx.with_payload(&ctx.id_prefixed(r#""custom:tenant":"evil""#)),
            Malformed::Json,
        ),
        case(
            "duplicate inside a custom claim",
            Any,
            ctx.with_payload(&ctx.id_prefixed(r#""custom:x":{"a":1,"a":2}"#)),
            Malformed::Json,
        ),
        case(
            "duplicate inside an array of objects",
            Any,
            ctx.with_payload(&ctx.id_prefixed(r#""custom:x":[{"a":1,"a":2}]"#)),
            Malformed::Json,
        ),
        // Payloads that are not one JSON object.
        case(
            "payload an array",
            Any,
            ctx.with_payload(&format!("[{id_json}]")),
            Malformed::Json,
        ),
        case(
            "payload a string",
            Any,
            ctx.with_payload(r#""sub""#),
            Malformed::Json,
        ),
        case(
            "payload a number",
            Any,
            ctx.with_payload("1"),
            Malformed::Json,
        ),
        case(
            "payload null",
            Any,
            ctx.with_payload("null"),
            Malformed::Json,
        ),
        case(
            "payload with trailing garbage",
            Any,
            ctx.with_payload(&format!("{id_json}{{}}")),
            Malformed::Json,
        ),
        case(
            "payload with a trailing comma",
            Any,
            ctx.with_payload(&id_json.replacen('}', "},", 1).replacen("},", ",}", 1)),
            Malformed::Json,
        ),
        case(
            "payload with a byte order mark",
            Any,
            ctx.with_payload(&format!("\u{feff}{id_json}")),
            Malformed::Json,
        ),
        case(
            "payload with a lone surrogate in sub",
            Any,
            ctx.with_payload(&ctx.id_prefixed(r#""custom:y":1"#).replacen(
                r#""sub":""#,
                r#""sub":"\ud800"#,
                1,
            )),
            Malformed::Json,
        ),
        case(
            "payload with a lone surrogate in a custom claim",
            Any,
            ctx.with_payload(&ctx.id_prefixed(r#""custom:y":"\udc00""#)),
            Malformed::Json,
        ),
        case(
            "payload not UTF-8",
            Any,
            {
                let input = format!("{}.{}", b64(ctx.header()), b64(b"{\"sub\":\"\xff\"}"));
                format!(
                    "{input}.{}",
                    b64(ctx.issuer.key.signature(input.as_bytes(), "RS256"))
                )
            },
            Malformed::Json,
        ),
        case(
            "payload empty object: iss is needed first",
            Any,
            ctx.with_payload("{}"),
            missing("iss"),
        ),
        case(
            "payload nested too deeply",
            Any,
            ctx.with_payload(&ctx.id_prefixed(&format!(
                r#""custom:deep":{}{}"#,
                "[".repeat(200),
                "]".repeat(200)
            ))),
            Malformed::Json,
        ),
        case(
            "payload under a header for another kid",
            Any,
            ctx.sign(
                &json!({"alg":"RS256","kid":format!("{k}-old")}).to_string(),
                &id_json,
            ),
            Cause::UnknownKid(format!("{k}-old")),
        ),
    ]
}
