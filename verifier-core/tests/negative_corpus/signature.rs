//! Signatures that do not verify under the published key.

use aws_lc_rs::hmac;

use super::Which::Any;
use super::*;

pub(super) fn cases(ctx: &Ctx) -> Vec<Case> {
    let input = ctx.good_input();
    let sig = ctx.good_signature();
    let s = ctx.good.rsplit_once('.').unwrap().1;
    let with_sig = |bytes: &[u8]| format!("{input}.{}", b64(bytes));
    let flipped = |at: usize| {
        let mut sig = sig.clone();
        sig[at] ^= 0x01;
        with_sig(&sig)
    };
    let other_token = ctx.issuer.mint(&ctx.access);
    let other_sig = other_token.rsplit_once('.').unwrap().1;
    let modulus = decode(ctx.issuer.key.jwk()["n"].as_str().unwrap());
    let bad = || Cause::BadSignature;
    let tampered_payload = {
        let mut evil = ctx.id.clone();
        evil["cognito:groups"] = json!(["admin", "root"]);
        format!(
            "{}.{}.{s}",
            input.split('.').next().unwrap(),
            b64(evil.to_string())
        )
    };
    let respaced_header = format!(
        "{}.{}.{s}",
        b64(format!(r#"{{ "alg": "RS256", "kid": "{}" }}"#, ctx.kid())),
        input.split('.').nth(1).unwrap()
    );
    vec![
        case("tampered payload", Any, tampered_payload, bad()),
        case(
            "header re-serialized with the old signature",
            Any,
            respaced_header,
            bad(),
        ),
        case("bit flip in the middle", Any, flipped(128), bad()),
        case("bit flip in the first byte", Any, flipped(0), bad()),
        case(
            "bit flip in the last byte",
            Any,
            flipped(sig.len() - 1),
            bad(),
        ),
        case(
            "signature by another key with the pool's kid",
            Any,
            ctx.impostor.mint(&ctx.id),
            bad(),
        ),
        case(
            "signature of another token",
            Any,
            format!("{input}.{other_sig}"),
            bad(),
        ),
        case(
            "signature over the payload only",
            Any,
            with_sig(
                &ctx.issuer
                    .key
                    .signature(input.split('.').nth(1).unwrap().as_bytes(), "RS256"),
            ),
            bad(),
        ),
        case(
            "signature over the input and a trailing dot",
            Any,
            with_sig(
                &ctx.issuer
                    .key
                    .signature(format!("{input}.").as_bytes(), "RS256"),
            ),
            bad(),
        ),
        case(
            "RS512 signature under an RS256 header",
            Any,
            with_sig(&ctx.issuer.key.signature(input.as_bytes(), "RS512")),
            bad(),
        ),
        case(
            "PS256 signature under an RS256 header",
            Any,
            with_sig(&ctx.issuer.key.signature(input.as_bytes(), "PS256")),
            bad(),
        ),
        case(
            "HMAC tag under an RS256 header",
            Any,
            with_sig(
                hmac::sign(
                    &hmac::Key::new(
                        hmac::HMAC_SHA256,
                        ctx.issuer.key.jwk().to_string().as_bytes(),
                    ),
                    input.as_bytes(),
                )
                .as_ref(),
            ),
            bad(),
        ),
        case(
            "signature truncated by one character",
            Any,
            format!("{input}.{}", &s[..s.len() - 1]),
            Malformed::Base64,
        ),
        case(
            "signature truncated by three bytes",
            Any,
            with_sig(&sig[..sig.len() - 3]),
            bad(),
        ),
        case(
            "signature with two bytes appended",
            Any,
            with_sig(&[sig.as_slice(), &[0, 0]].concat()),
            bad(),
        ),
        case(
            "signature with a leading zero byte",
            Any,
            with_sig(&[&[0u8][..], sig.as_slice()].concat()),
            bad(),
        ),
        case("signature of one byte", Any, with_sig(&[1]), bad()),
        case("signature all zeros", Any, with_sig(&[0; 256]), bad()),
        case("signature all ones", Any, with_sig(&[0xff; 256]), bad()),
        case(
            "signature of 512 bytes",
            Any,
            with_sig(&[sig.as_slice(), sig.as_slice()].concat()),
            bad(),
        ),
        case(
            "signature equal to the modulus",
            Any,
            with_sig(&modulus),
            bad(),
        ),
    ]
}
