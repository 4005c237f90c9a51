//! Who the token is for and from: `sub`, `iss`, `token_use`, `aud`,
//! `client_id`, usernames.

use super::Which::{AccessOnly, Any, IdOnly};
use super::*;

pub(super) fn cases(ctx: &Ctx) -> Vec<Case> {
    let iss = ctx.issuer.issuer.as_str();
    let client = ctx.issuer.client_id.as_str();
    let wrong_iss = |value: &str| {
        (
            ctx.id_set("iss", json!(value)),
            Cause::WrongIssuer(value.to_owned()),
        )
    };
    let wrong_use = |expected: &str, found: &str| Cause::WrongTokenUse {
        expected: expected.to_owned(),
        found: found.to_owned(),
    };
    let wrong_client = |id: &str| Cause::WrongClient(id.to_owned());
    let mut cases = vec![
        // sub: a required string.
        case("sub missing", Any, ctx.id_unset("sub"), missing("sub")),
        case(
            "sub number",
            Any,
            ctx.id_set("sub", json!(1)),
            invalid("sub"),
        ),
        case(
            "sub null",
            Any,
            ctx.id_set("sub", Value::Null),
            invalid("sub"),
        ),
        case(
            "sub array",
            Any,
            ctx.id_set("sub", json!(["a", "b"])),
            invalid("sub"),
        ),
        case(
            "sub bool",
            Any,
            ctx.id_set("sub", json!(true)),
            invalid("sub"),
        ),
        case(
            "sub object",
            Any,
            ctx.id_set("sub", json!({"id": 1})),
            invalid("sub"),
        ),
        // iss: exactly a configured issuer; a non-string never picks a pool.
        case("iss missing", Any, ctx.id_unset("iss"), missing("iss")),
        case(
            "iss number",
            Any,
            ctx.id_set("iss", json!(1)),
            invalid("iss"),
        ),
        case(
            "iss null",
            Any,
            ctx.id_set("iss", Value::Null),
            invalid("iss"),
        ),
        case(
            "iss array",
            Any,
            ctx.id_set("iss", json!([iss])),
            invalid("iss"),
        ),
        case(
            "iss bool",
            Any,
            ctx.id_set("iss", json!(true)),
            invalid("iss"),
        ),
        case(
            "iss object",
            Any,
            ctx.id_set("iss", json!({"url": iss})),
            invalid("iss"),
        ),
        // token_use: id or access, exactly.
        case(
            "token_use number",
            Any,
            ctx.id_set("token_use", json!(1)),
            invalid("token_use"),
        ),
        case(
            "token_use null",
            Any,
            ctx.id_set("token_use", Value::Null),
            invalid("token_use"),
        ),
        case(
            "token_use array",
            Any,
            ctx.id_set("token_use", json!(["id"])),
            invalid("token_use"),
        ),
        case(
            "token_use refresh",
            Any,
            ctx.id_set("token_use", json!("refresh")),
            wrong_use("id or access", "refresh"),
        ),
        case(
            "token_use in upper case",
            Any,
            ctx.id_set("token_use", json!("ID")),
            wrong_use("id or access", "ID"),
        ),
        case(
            "token_use with a trailing space",
            Any,
            ctx.id_set("token_use", json!("id ")),
            wrong_use("id or access", "id "),
        ),
        case(
            "token_use empty",
            Any,
            ctx.id_set("token_use", json!("")),
            wrong_use("id or access", ""),
        ),
        case(
            "token_use missing",
            Any,
            ctx.id_unset("token_use"),
            wrong_use("id or access", ""),
        ),
        case(
            "access token where ID expected",
            IdOnly,
            ctx.issuer.mint(&ctx.access),
            wrong_use("id", "access"),
        ),
        case(
            "ID token where access expected",
            AccessOnly,
            ctx.good.clone(),
            wrong_use("access", "id"),
        ),
        case(
            "ID token relabelled access",
            AccessOnly,
            ctx.id_set("token_use", json!("access")),
            wrong_client(""),
        ),
        // Usernames: strings when present.
        case(
            "cognito:username number",
            Any,
            ctx.id_set("cognito:username", json!(7)),
            invalid("cognito:username"),
        ),
        case(
            "cognito:username array",
            Any,
            ctx.id_set("cognito:username", json!(["alice"])),
            invalid("cognito:username"),
        ),
        case(
            "username number",
            Any,
            ctx.access_set("username", json!(7)),
            invalid("username"),
        ),
        // aud (ID tokens) and client_id (access tokens): the configured client.
        case(
            "aud array",
            Any,
            ctx.id_set("aud", json!([client])),
            invalid("aud"),
        ),
        case(
            "aud number",
            Any,
            ctx.id_set("aud", json!(1)),
            invalid("aud"),
        ),
        case(
            "aud null",
            Any,
            ctx.id_set("aud", Value::Null),
            invalid("aud"),
        ),
        case(
            "aud object",
            Any,
            ctx.id_set("aud", json!({"client": client})),
            invalid("aud"),
        ),
        case(
            "ID token with wrong aud",
            Any,
            ctx.id_set("aud", json!("otherclient")),
            wrong_client("otherclient"),
        ),
        case(
            "ID token with aud in upper case",
            Any,
            ctx.id_set("aud", json!(client.to_uppercase())),
            wrong_client(&client.to_uppercase()),
        ),
        case(
            "ID token with aud empty",
            Any,
            ctx.id_set("aud", json!("")),
            wrong_client(""),
        ),
        case(
            "ID token without aud",
            Any,
            ctx.id_unset("aud"),
            wrong_client(""),
        ),
        case(
            "ID token with the right client_id but wrong aud",
            Any,
            ctx.edit(&ctx.id, |c| {
                c.insert("aud".into(), json!("otherclient"));
                c.insert("client_id".into(), json!(client));
            }),
            wrong_client("otherclient"),
        ),
        case(
            "client_id number",
            Any,
            ctx.access_set("client_id", json!(1)),
            invalid("client_id"),
        ),
        case(
            "client_id array",
            Any,
            ctx.access_set("client_id", json!([client])),
            invalid("client_id"),
        ),
        case(
            "access token with wrong client_id",
            Any,
            ctx.access_set("client_id", json!("otherclient")),
            wrong_client("otherclient"),
        ),
        case(
            "access token with client_id and a trailing space",
            Any,
            ctx.access_set("client_id", json!(format!("{client} "))),
            wrong_client(&format!("{client} ")),
        ),
        case(
            "access token without client_id",
            Any,
            ctx.edit(&ctx.access, |c| {
                c.remove("client_id");
            }),
            wrong_client(""),
        ),
        case(
            "access token with the right aud but wrong client_id",
            Any,
            ctx.edit(&ctx.access, |c| {
                c.insert("aud".into(), json!(client));
                c.insert("client_id".into(), json!("otherclient"));
            }),
            wrong_client("otherclient"),
        ),
        case(
            "token_use unknown and no client claims",
            Any,
            ctx.edit(&ctx.id, |c| {
                c.remove("aud");
                c.insert("token_use".into(), json!("refresh"));
            }),
            wrong_use("id or access", "refresh"),
        ),
    ];
    // iss strings that are not exactly the pool's issuer.
    let other_region = iss.replace("us-east-1.amazonaws", "eu-west-1.amazonaws");
    let pool_lower = iss.replace(&ctx.issuer.pool_id, &ctx.issuer.pool_id.to_lowercase());
    for (name, value) in [
        ("iss with trailing slash", format!("{iss}/")),
        (
            "iss of another pool",
            "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Other".to_owned(),
        ),
        ("iss prefix trick", format!("{iss}.evil.example")),
        ("iss in upper case", iss.to_uppercase()),
        ("iss of another region, same pool id", other_region),
        ("iss over http", iss.replacen("https://", "http://", 1)),
        (
            "iss with the default port",
            iss.replacen(".com/", ".com:443/", 1),
        ),
        ("iss with a query", format!("{iss}?x=1")),
        ("iss with a fragment", format!("{iss}#x")),
        (
            "iss of the JWKS document",
            format!("{iss}/.well-known/jwks.json"),
        ),
        ("iss with a leading space", format!(" {iss}")),
        ("iss with the pool id in lower case", pool_lower),
        ("iss empty", String::new()),
        (
            "iss with a Cyrillic look-alike",
            iss.replacen("cognito", "c\u{43e}gnito", 1),
        ),
        (
            "iss with user info",
            iss.replacen("https://", "https://user@", 1),
        ),
    ] {
        let (token, want) = wrong_iss(&value);
        cases.push(case(name, Any, token, want));
    }
    cases
}
