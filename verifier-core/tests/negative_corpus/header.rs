//! JOSE header variants: algorithms, key ids, `crit`, duplicates, shapes,
//! and keys offered by the token itself.

use aws_lc_rs::hmac;

use super::Which::Any;
use super::*;

/// `alg` set to `alg` (JSON value), the pool's kid, the ID claims, signed RS256.
fn alg(ctx: &Ctx, alg: Value) -> String {
    ctx.with_header(&json!({"alg": alg, "kid": ctx.kid()}).to_string())
}

/// The pool's algorithm with `kid` set to `kid` (JSON value).
fn kid(ctx: &Ctx, kid: Value) -> String {
    ctx.with_header(&json!({"alg": "RS256", "kid": kid}).to_string())
}

fn hs(ctx: &Ctx, name: &str, algorithm: hmac::Algorithm) -> String {
    // Keyed with the RSA public key as published: the algorithm-confusion attack.
    let input = format!(
        "{}.{}",
        b64(json!({"alg": name, "kid": ctx.kid()}).to_string()),
        b64(ctx.id.to_string())
    );
    let key = hmac::Key::new(algorithm, ctx.issuer.key.jwk().to_string().as_bytes());
    format!("{input}.{}", b64(hmac::sign(&key, input.as_bytes())))
}

pub(super) fn cases(ctx: &Ctx) -> Vec<Case> {
    let id_json = ctx.id.to_string();
    let k = ctx.kid();
    let unsupported = |a: &str| Cause::UnsupportedAlg(a.to_owned());
    let unknown = |kid: &str| Cause::UnknownKid(kid.to_owned());
    let none_header = json!({"alg": "none", "kid": k}).to_string();
    let long_kid = "k".repeat(256);
    let too_long_kid = "k".repeat(257);
    let attacker = |header: Value| {
        ctx.impostor
            .sign_raw(&header.to_string(), &id_json, "RS256")
    };
    vec![
        // Algorithms: only RS256, named before anything else is looked at.
        case(
            "alg none",
            Any,
            format!("{}.{}.", b64(&none_header), b64(&id_json)),
            unsupported("none"),
        ),
        case(
            "alg none with a signature",
            Any,
            ctx.with_header(&none_header),
            unsupported("none"),
        ),
        case(
            "alg None",
            Any,
            alg(ctx, json!("None")),
            unsupported("None"),
        ),
        case(
            "alg NONE",
            Any,
            alg(ctx, json!("NONE")),
            unsupported("NONE"),
        ),
        case("alg empty", Any, alg(ctx, json!("")), unsupported("")),
        case(
            "alg missing",
            Any,
            ctx.with_header(&json!({"kid": k}).to_string()),
            unsupported(""),
        ),
        case("alg null", Any, alg(ctx, Value::Null), unsupported("")),
        case("alg number", Any, alg(ctx, json!(256)), unsupported("")),
        case("alg bool", Any, alg(ctx, json!(true)), unsupported("")),
        case(
            "alg array",
            Any,
            alg(ctx, json!(["RS256"])),
            unsupported(""),
        ),
        case(
            "alg object",
            Any,
            alg(ctx, json!({"name": "RS256"})),
            unsupported(""),
        ),
        case(
            "alg lower-case rs256",
            Any,
            alg(ctx, json!("rs256")),
            unsupported("rs256"),
        ),
        case(
            "alg RS256 with a trailing space",
            Any,
            alg(ctx, json!("RS256 ")),
            unsupported("RS256 "),
        ),
        case(
            "alg RS256 with a NUL",
            Any,
            alg(ctx, json!("RS256\u{0}")),
            unsupported("RS256\u{0}"),
        ),
        case(
            "HS256 keyed with the public JWK",
            Any,
            hs(ctx, "HS256", hmac::HMAC_SHA256),
            unsupported("HS256"),
        ),
        case(
            "HS384 keyed with the public JWK",
            Any,
            hs(ctx, "HS384", hmac::HMAC_SHA384),
            unsupported("HS384"),
        ),
        case(
            "HS512 keyed with the public JWK",
            Any,
            hs(ctx, "HS512", hmac::HMAC_SHA512),
            unsupported("HS512"),
        ),
        case("RS384", Any, alg(ctx, json!("RS384")), unsupported("RS384")),
        case(
            "RS512 signed RS512",
            Any,
            ctx.issuer.key.sign_raw(
                &json!({"alg":"RS512","kid":k}).to_string(),
                &id_json,
                "RS512",
            ),
            unsupported("RS512"),
        ),
        case(
            "PS256 signed PS256",
            Any,
            ctx.issuer.key.sign_raw(
                &json!({"alg":"PS256","kid":k}).to_string(),
                &id_json,
                "PS256",
            ),
            unsupported("PS256"),
        ),
        case("PS384", Any, alg(ctx, json!("PS384")), unsupported("PS384")),
        case("PS512", Any, alg(ctx, json!("PS512")), unsupported("PS512")),
        case(
            "ES256",
            Any,
            format!(
                "{}.{}.{}",
                b64(json!({"alg":"ES256","kid":k}).to_string()),
                b64(&id_json),
                b64([7u8; 64])
            ),
            unsupported("ES256"),
        ),
        case("ES384", Any, alg(ctx, json!("ES384")), unsupported("ES384")),
        case("ES512", Any, alg(ctx, json!("ES512")), unsupported("ES512")),
        case("EdDSA", Any, alg(ctx, json!("EdDSA")), unsupported("EdDSA")),
        case(
            "alg RSA-OAEP (encryption)",
            Any,
            alg(ctx, json!("RSA-OAEP")),
            unsupported("RSA-OAEP"),
        ),
        case(
            "alg none and crit: alg named first",
            Any,
            ctx.with_header(&json!({"alg":"none","kid":k,"crit":["exp"]}).to_string()),
            unsupported("none"),
        ),
        case(
            "alg HS256 without kid: alg named first",
            Any,
            ctx.with_header(r#"{"alg":"HS256"}"#),
            unsupported("HS256"),
        ),
        // Key ids: a short non-empty string naming a published, usable key.
        case(
            "kid missing",
            Any,
            ctx.with_header(r#"{"alg":"RS256"}"#),
            Malformed::Kid,
        ),
        case("kid null", Any, kid(ctx, Value::Null), Malformed::Kid),
        case("kid number", Any, kid(ctx, json!(1)), Malformed::Kid),
        case("kid bool", Any, kid(ctx, json!(false)), Malformed::Kid),
        case("kid array", Any, kid(ctx, json!([k])), Malformed::Kid),
        case(
            "kid object",
            Any,
            kid(ctx, json!({"kid": k})),
            Malformed::Kid,
        ),
        case("kid empty", Any, kid(ctx, json!("")), Malformed::Kid),
        case(
            "kid of 257 characters",
            Any,
            kid(ctx, json!(too_long_kid)),
            Malformed::Kid,
        ),
        case(
            "kid of 256 characters, unknown",
            Any,
            kid(ctx, json!(long_kid)),
            unknown(&long_kid),
        ),
        case("unknown kid", Any, kid(ctx, json!("nope")), unknown("nope")),
        case(
            "kid with a path",
            Any,
            kid(ctx, json!("../../etc/passwd")),
            unknown("../../etc/passwd"),
        ),
        case(
            "kid with a URL",
            Any,
            kid(ctx, json!("https://evil.example/jwks.json")),
            unknown("https://evil.example/jwks.json"),
        ),
        case(
            "kid in upper case",
            Any,
            kid(ctx, json!(k.to_uppercase())),
            unknown(&k.to_uppercase()),
        ),
        case(
            "kid with a leading space",
            Any,
            kid(ctx, json!(format!(" {k}"))),
            unknown(&format!(" {k}")),
        ),
        case(
            "kid with a trailing NUL",
            Any,
            kid(ctx, json!(format!("{k}\u{0}"))),
            unknown(&format!("{k}\u{0}")),
        ),
        case(
            "kid with look-alike hyphens",
            Any,
            kid(ctx, json!(k.replace('-', "\u{2010}"))),
            unknown(&k.replace('-', "\u{2010}")),
        ),
        case(
            "kid of a JWK with use=enc",
            Any,
            ctx.enc_key.mint(&ctx.id),
            Cause::UnusableKey {
                kid: "enc-key".into(),
                reason: "use is \"enc\", not \"sig\"".into(),
            },
        ),
        case(
            "kid of a JWK with alg RS512",
            Any,
            ctx.rs512_key.mint(&ctx.id),
            Cause::UnusableKey {
                kid: "rs512-key".into(),
                reason: "alg is \"RS512\", not \"RS256\"".into(),
            },
        ),
        // crit: never understood, so never accepted (RFC 7515 §4.1.11).
        case(
            "crit with exp",
            Any,
            ctx.with_header(&json!({"alg":"RS256","kid":k,"crit":["exp"]}).to_string()),
            Malformed::Crit,
        ),
        case(
            "crit empty",
            Any,
            ctx.with_header(&json!({"alg":"RS256","kid":k,"crit":[]}).to_string()),
            Malformed::Crit,
        ),
        case(
            "crit null",
            Any,
            ctx.with_header(&json!({"alg":"RS256","kid":k,"crit":null}).to_string()),
            Malformed::Crit,
        ),
        case(
            "crit string",
            Any,
            ctx.with_header(&json!({"alg":"RS256","kid":k,"crit":"b64"}).to_string()),
            Malformed::Crit,
        ),
        case(
            "crit b64 with b64 false",
            Any,
            ctx.with_header(&json!({"alg":"RS256","kid":k,"b64":false,"crit":["b64"]}).to_string()),
            Malformed::Crit,
        ),
        case(
            "crit without kid: crit named first",
            Any,
            ctx.with_header(r#"{"alg":"RS256","crit":["x"]}"#),
            Malformed::Crit,
        ),
        // Repeated member names, at any depth.
        case(
            "kid twice",
            Any,
            ctx.with_header(&format!(r#"{{"alg":"RS256","kid":"{k}","kid":"other"}}"#)),
            Malformed::Json,
        ),
        case(
            "alg twice, same value",
            Any,
            ctx.with_header(&format!(r#"{{"alg":"RS256","alg":"RS256","kid":"{k}"}}"#)),
            Malformed::Json,
        ),
        case(
            "alg twice, none then RS256",
            Any,
            ctx.with_header(&format!(r#"{{"alg":"none","alg":"RS256","kid":"{k}"}}"#)),
            Malformed::Json,
        ),
        case(
            "crit twice",
            Any,
            ctx.with_header(&format!(
                r#"{{"alg":"RS256","kid":"{k}","crit":[],"crit":[]}}"#
            )),
            Malformed::Json,
        ),
        case(
            "typ twice",
            Any,
            ctx.with_header(&format!(
                r#"{{"typ":"JWT","alg":"RS256","kid":"{k}","typ":"at+jwt"}}"#
            )),
            Malformed::Json,
        ),
        case(
            "kid twice, once escaped",
            Any,
            ctx.with_header(&format!(
                r#"{{"alg":"RS256","kid":"{k}","k\u0069d":"other"}}"#
            )),
            Malformed::Json,
        ),
        case(
            "duplicate inside a nested member",
            Any,
            ctx.with_header(&format!(
                r#"{{"alg":"RS256","kid":"{k}","jwk":{{"kty":"RSA","kty":"EC"}}}}"#
            )),
            Malformed::Json,
        ),
        // Headers that are not one JSON object.
        case(
            "header not JSON",
            Any,
            ctx.with_header("RS256"),
            Malformed::Json,
        ),
        case(
            "header an array",
            Any,
            ctx.with_header(&json!(["RS256", k]).to_string()),
            Malformed::Json,
        ),
        case(
            "header a string",
            Any,
            ctx.with_header(r#""RS256""#),
            Malformed::Json,
        ),
        case("header null", Any, ctx.with_header("null"), Malformed::Json),
        case(
            "header with trailing garbage",
            Any,
            ctx.with_header(&format!("{} x", ctx.header())),
            Malformed::Json,
        ),
        case(
            "header with a comment",
            Any,
            ctx.with_header(&format!(r#"{{"alg":"RS256",/* hi */"kid":"{k}"}}"#)),
            Malformed::Json,
        ),
        case(
            "header with a byte order mark",
            Any,
            ctx.with_header(&format!("\u{feff}{}", ctx.header())),
            Malformed::Json,
        ),
        case(
            "header with a trailing comma",
            Any,
            ctx.with_header(&format!(r#"{{"alg":"RS256","kid":"{k}",}}"#)),
            Malformed::Json,
        ),
        case(
            "header an empty object",
            Any,
            ctx.with_header("{}"),
            unsupported(""),
        ),
        case(
            "header not UTF-8",
            Any,
            {
                let input = format!(
                    "{}.{}",
                    b64(b"{\"alg\":\"RS256\",\"kid\":\"\xff\"}"),
                    b64(&id_json)
                );
                format!(
                    "{input}.{}",
                    b64(ctx.issuer.key.signature(input.as_bytes(), "RS256"))
                )
            },
            Malformed::Json,
        ),
        // Keys the token offers itself are never used: only the configured JWKS.
        case(
            "jku to an attacker's JWKS, attacker's kid",
            Any,
            ctx.stranger.sign_raw(
                &json!({"alg":"RS256","kid":"stranger","jku":"http://127.0.0.1:9/jwks.json"})
                    .to_string(),
                &id_json,
                "RS256",
            ),
            unknown("stranger"),
        ),
        case(
            "jku to an attacker's JWKS, the pool's kid",
            Any,
            attacker(json!({"alg":"RS256","kid":k,"jku":"http://127.0.0.1:9/jwks.json"})),
            Cause::BadSignature,
        ),
        case(
            "x5u to an attacker's certificate",
            Any,
            attacker(json!({"alg":"RS256","kid":k,"x5u":"http://127.0.0.1:9/cert.pem"})),
            Cause::BadSignature,
        ),
        case(
            "jwk embedding the attacker's key",
            Any,
            attacker(json!({"alg":"RS256","kid":k,"jwk":ctx.impostor.jwk()})),
            Cause::BadSignature,
        ),
        case(
            "jwk embedding the attacker's key, no kid",
            Any,
            attacker(json!({"alg":"RS256","jwk":ctx.impostor.jwk()})),
            Malformed::Kid,
        ),
        case(
            "x5c embedding an attacker's chain",
            Any,
            attacker(json!({"alg":"RS256","kid":k,"x5c":["MIIBIjAN"]})),
            Cause::BadSignature,
        ),
    ]
}
