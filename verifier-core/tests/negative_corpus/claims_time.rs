//! NumericDate claims (`exp`, `iat`, `nbf`, `auth_time`): types, values,
//! leeway, and the maximum lifetime.

use super::Which::{Any, Leeway};
use super::*;

pub(super) fn cases(ctx: &Ctx) -> Vec<Case> {
    let now = ctx.now;
    let iat = ctx.id["iat"].as_i64().unwrap();
    let exp = ctx.id["exp"].as_i64().unwrap();
    let day = 86_400;
    let too_long = |lifetime: i64| Cause::LifetimeTooLong { lifetime, max: day };
    let expired = |exp: i64| Cause::Expired { exp, now };
    let exp_raw = |raw: &str| {
        ctx.with_payload(
            &ctx.id
                .to_string()
                .replace(&format!("\"exp\":{exp}"), &format!("\"exp\":{raw}")),
        )
    };
    vec![
        // exp: a required JSON number.
        case("exp missing", Any, ctx.id_unset("exp"), missing("exp")),
        case(
            "exp as string",
            Any,
            ctx.id_set("exp", json!((now + 3600).to_string())),
            invalid("exp"),
        ),
        case(
            "exp as float string",
            Any,
            ctx.id_set("exp", json!(format!("{}.5", now + 3600))),
            invalid("exp"),
        ),
        case(
            "exp null",
            Any,
            ctx.id_set("exp", Value::Null),
            invalid("exp"),
        ),
        case(
            "exp bool",
            Any,
            ctx.id_set("exp", json!(true)),
            invalid("exp"),
        ),
        case(
            "exp array",
            Any,
            ctx.id_set("exp", json!([now + 3600])),
            invalid("exp"),
        ),
        case(
            "exp object",
            Any,
            ctx.id_set("exp", json!({"$date": now + 3600})),
            invalid("exp"),
        ),
        case(
            "exp 2^63 (past i64)",
            Any,
            exp_raw("9223372036854775808"),
            invalid("exp"),
        ),
        case(
            "exp 2^64",
            Any,
            exp_raw("18446744073709551616"),
            invalid("exp"),
        ),
        case("exp 1e15 as a float", Any, exp_raw("1e15"), invalid("exp")),
        case("exp -1e300", Any, exp_raw("-1e300"), invalid("exp")),
        case(
            "exp 1e400 (not a finite number)",
            Any,
            exp_raw("1e400"),
            Malformed::Json,
        ),
        case(
            "exp past",
            Any,
            ctx.id_set("exp", json!(now - 10)),
            expired(now - 10),
        ),
        case("exp now", Any, ctx.id_set("exp", json!(now)), expired(now)),
        case("exp zero", Any, ctx.id_set("exp", json!(0)), expired(0)),
        case(
            "exp negative",
            Any,
            ctx.id_set("exp", json!(-1)),
            expired(-1),
        ),
        case(
            "exp i64 minimum",
            Any,
            ctx.id_set("exp", json!(i64::MIN)),
            expired(i64::MIN),
        ),
        case(
            "exp past beyond the leeway",
            Leeway,
            ctx.id_set("exp", json!(now - 120)),
            expired(now - 120),
        ),
        // Lifetime: at most a day (Cognito's longest), from iat or from now.
        case(
            "lifetime of ten years",
            Any,
            ctx.id_set("exp", json!(iat + 10 * 365 * day)),
            too_long(10 * 365 * day),
        ),
        case(
            "lifetime of a day and a second",
            Any,
            ctx.id_set("exp", json!(iat + day + 1)),
            too_long(day + 1),
        ),
        case(
            "exp i64 maximum",
            Any,
            ctx.id_set("exp", json!(i64::MAX)),
            too_long(i64::MAX - iat),
        ),
        case(
            "exp 9.9e14 as a float",
            Any,
            exp_raw("9.9e14"),
            too_long(990_000_000_000_000 - iat),
        ),
        case(
            "iat zero makes the lifetime decades",
            Any,
            ctx.id_set("iat", json!(0)),
            too_long(exp),
        ),
        case(
            "iat negative",
            Any,
            ctx.id_set("iat", json!(-86_400)),
            too_long(exp + day),
        ),
        case(
            "iat i64 minimum",
            Any,
            ctx.id_set("iat", json!(i64::MIN)),
            too_long(i64::MAX),
        ),
        case(
            "no iat, exp beyond a day from now",
            Any,
            ctx.edit(&ctx.id, |c| {
                c.remove("iat");
                c.insert("exp".into(), json!(now + day + 600));
            }),
            too_long(day + 600),
        ),
        // iat, nbf, auth_time: optional, but numbers when present.
        case(
            "iat as string",
            Any,
            ctx.id_set("iat", json!(iat.to_string())),
            invalid("iat"),
        ),
        case(
            "iat null",
            Any,
            ctx.id_set("iat", Value::Null),
            invalid("iat"),
        ),
        case(
            "iat bool",
            Any,
            ctx.id_set("iat", json!(false)),
            invalid("iat"),
        ),
        case(
            "iat future",
            Any,
            ctx.id_set("iat", json!(now + 600)),
            Cause::IssuedInFuture {
                iat: now + 600,
                now,
            },
        ),
        case(
            "iat future beyond the leeway",
            Leeway,
            ctx.id_set("iat", json!(now + 120)),
            Cause::IssuedInFuture {
                iat: now + 120,
                now,
            },
        ),
        case(
            "nbf as string",
            Any,
            ctx.id_set("nbf", json!(now.to_string())),
            invalid("nbf"),
        ),
        case(
            "nbf array",
            Any,
            ctx.id_set("nbf", json!([now])),
            invalid("nbf"),
        ),
        case(
            "nbf future",
            Any,
            ctx.id_set("nbf", json!(now + 600)),
            Cause::NotYetValid {
                nbf: now + 600,
                now,
            },
        ),
        case(
            "nbf future beyond the leeway",
            Leeway,
            ctx.id_set("nbf", json!(now + 120)),
            Cause::NotYetValid {
                nbf: now + 120,
                now,
            },
        ),
        case(
            "auth_time as string",
            Any,
            ctx.id_set("auth_time", json!(now.to_string())),
            invalid("auth_time"),
        ),
        case(
            "auth_time null",
            Any,
            ctx.id_set("auth_time", Value::Null),
            invalid("auth_time"),
        ),
        // Order: dates before strings, exp first.
        case(
            "exp and iat both strings: exp named",
            Any,
            ctx.edit(&ctx.id, |c| {
                c.insert("exp".into(), json!("soon"));
                c.insert("iat".into(), json!("now"));
            }),
            invalid("exp"),
        ),
        case(
            "sub a number and exp missing: exp named",
            Any,
            ctx.edit(&ctx.id, |c| {
                c.remove("exp");
                c.insert("sub".into(), json!(1));
            }),
            missing("exp"),
        ),
        case(
            "expired and ten years long: expiry named",
            Any,
            ctx.edit(&ctx.id, |c| {
                c.insert("iat".into(), json!(now - 10 * 365 * day));
                c.insert("exp".into(), json!(now - 1));
            }),
            expired(now - 1),
        ),
    ]
}
