//! The compact serialization: segments, strict unpadded base64url, size.

use super::Which::Any;
use super::*;

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// `segment` with the unused low bit of its last character set: the same
/// bytes under a lax decoder, refused by a canonical one.
fn non_canonical(segment: &str) -> String {
    assert_ne!(segment.len() % 4, 0, "no unused bits");
    let last = *segment.as_bytes().last().unwrap();
    let index = ALPHABET.iter().position(|c| *c == last).unwrap();
    let mut out = segment[..segment.len() - 1].to_owned();
    out.push(ALPHABET[index ^ 1] as char);
    out
}

pub(super) fn cases(ctx: &Ctx) -> Vec<Case> {
    let good = ctx.good.as_str();
    let mut parts = good.split('.');
    let (h, p, s) = (
        parts.next().unwrap(),
        parts.next().unwrap(),
        parts.next().unwrap(),
    );
    // A payload whose base64url has both '-' and '_' (from "~~~" and "???").
    let dashed = ctx.edit(&ctx.id, |c| {
        c.insert("custom:pad".into(), json!("~~~~~~~~~??????????"));
    });
    let dashed_payload = dashed.split('.').nth(1).unwrap().to_owned();
    assert!(dashed_payload.contains('-') && dashed_payload.contains('_'));
    let (dh, ds) = (
        dashed.split('.').next().unwrap(),
        dashed.rsplit('.').next().unwrap(),
    );
    let max = 16 * 1024;
    let segments = || Cause::from(Malformed::Segments);
    let base64 = || Cause::from(Malformed::Base64);
    vec![
        case("empty token", Any, String::new(), segments()),
        case("one segment", Any, h.to_owned(), segments()),
        case("two segments", Any, format!("{h}.{p}"), segments()),
        case("four segments", Any, format!("{good}.{s}"), segments()),
        case("five segments", Any, format!("{good}.{s}.{s}"), segments()),
        case("trailing dot", Any, format!("{good}."), segments()),
        case("dots only", Any, "..".to_owned(), segments()),
        case("empty header segment", Any, format!(".{p}.{s}"), segments()),
        case(
            "empty payload segment",
            Any,
            format!("{h}..{s}"),
            segments(),
        ),
        case(
            "empty signature segment",
            Any,
            format!("{h}.{p}."),
            segments(),
        ),
        case(
            "dots percent-encoded",
            Any,
            good.replace('.', "%2E"),
            segments(),
        ),
        case(
            "dots as full-width full stops",
            Any,
            good.replace('.', "\u{ff0e}"),
            segments(),
        ),
        case(
            "the whole token base64url-encoded again",
            Any,
            b64(good),
            segments(),
        ),
        case(
            "non-base64url characters",
            Any,
            format!("{h}.{}+/.{s}", &p[..p.len() - 2]),
            base64(),
        ),
        case("padded payload", Any, format!("{h}.{p}==.{s}"), base64()),
        case("padded header", Any, format!("{h}=.{p}.{s}"), base64()),
        case("padded signature", Any, format!("{h}.{p}.{s}=="), base64()),
        case(
            "non-canonical bits in the header",
            Any,
            format!("{}.{p}.{s}", non_canonical(h)),
            base64(),
        ),
        case(
            "non-canonical bits in the signature",
            Any,
            format!("{h}.{p}.{}", non_canonical(s)),
            base64(),
        ),
        case(
            "standard alphabet '/' for '_'",
            Any,
            format!("{dh}.{}.{ds}", dashed_payload.replace('_', "/")),
            base64(),
        ),
        case(
            "standard alphabet '+' for '-'",
            Any,
            format!("{dh}.{}.{ds}", dashed_payload.replace('-', "+")),
            base64(),
        ),
        case(
            "header segment of one character",
            Any,
            format!("e.{p}.{s}"),
            base64(),
        ),
        case("leading space", Any, format!(" {good}"), base64()),
        case("trailing newline", Any, format!("{good}\n"), base64()),
        case("trailing CRLF", Any, format!("{good}\r\n"), base64()),
        case(
            "space inside the payload",
            Any,
            format!("{h}.{} {}.{s}", &p[..10], &p[10..]),
            base64(),
        ),
        case(
            "tab inside the signature",
            Any,
            format!("{h}.{p}.{}\t{}", &s[..10], &s[10..]),
            base64(),
        ),
        case(
            "line breaks every 76 characters",
            Any,
            {
                let wrapped: Vec<&str> = s
                    .as_bytes()
                    .chunks(76)
                    .map(|c| std::str::from_utf8(c).unwrap())
                    .collect();
                format!("{h}.{p}.{}", wrapped.join("\r\n"))
            },
            base64(),
        ),
        case(
            "non-ASCII letter in the payload",
            Any,
            format!("{h}.{}\u{e9}{}.{s}", &p[..10], &p[10..]),
            base64(),
        ),
        case(
            "zero-width space in the header",
            Any,
            format!("{}\u{200b}{}.{p}.{s}", &h[..5], &h[5..]),
            base64(),
        ),
        case(
            "percent-encoded character in the payload",
            Any,
            format!("{h}.{}%41{}.{s}", &p[..8], &p[8..]),
            base64(),
        ),
        case(
            "NUL inside the header",
            Any,
            format!("{}\u{0}{}.{p}.{s}", &h[..5], &h[5..]),
            base64(),
        ),
        case(
            "Bearer prefix left on",
            Any,
            format!("Bearer {good}"),
            base64(),
        ),
        case(
            "payload decoding to binary",
            Any,
            format!("{h}.{}.{s}", b64([0u8, 159, 146, 150])),
            Malformed::Json,
        ),
        case(
            "oversized token",
            Any,
            ctx.id_set("pad", json!("x".repeat(20_000))),
            Cause::TooLarge { size: 0, max },
        ),
        case(
            "oversized junk without dots",
            Any,
            "A".repeat(max + 1),
            Cause::TooLarge { size: max + 1, max },
        ),
        case(
            "oversized header",
            Any,
            ctx.with_header(
                &json!({"alg":"RS256","kid":ctx.kid(),"x":"y".repeat(20_000)}).to_string(),
            ),
            Cause::TooLarge { size: 0, max },
        ),
    ]
}
