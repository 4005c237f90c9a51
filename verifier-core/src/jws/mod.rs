//! Generic compact-JWS decoding, parameterised by [`JwsRules`]: the one
//! accepted algorithm, the segment encoding (Cognito's unpadded base64url or
//! an ALB's padded one), a size bound and the `kid` rule. Strict base64url,
//! strict JSON (no duplicate members), `crit` refused (RFC 8725). No
//! signature or claim checks happen here; the signing input is kept exactly
//! as received, so a padded token is verified over its padded text.

use std::fmt;
use std::mem::MaybeUninit;

use serde::de::{Deserializer, MapAccess, Visitor};

use crate::claims::Payload;
use crate::error::{Cause, Malformed};
use crate::strict_json::{self, Key, Names, Scalar, ScalarSeed, Skip};

mod segment;

pub(crate) use segment::{Kid, SegmentEncoding, Signature, b64};
use segment::{b64_out, segments};

/// The signature algorithm a token must name in its `alg` header member.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Alg {
    /// RSASSA-PKCS1-v1_5 with SHA-256: Cognito user pools.
    Rs256,
    /// ECDSA P-256 with SHA-256, signature as raw `r || s`: ALB's `x-amzn-oidc-data`.
    Es256,
}

impl Alg {
    /// The `alg` header value.
    pub(crate) const fn name(self) -> &'static str {
        match self {
            Alg::Rs256 => "RS256",
            Alg::Es256 => "ES256",
        }
    }
}

/// What a `kid` must look like.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum KidRule {
    /// Any non-empty string of at most [`MAX_KID_LEN`] bytes.
    Any,
    /// A UUID in its 8-4-4-4-12 hex form (ALB key ids), since the kid becomes
    /// part of the key URL.
    Uuid,
}

/// The rules a token is decoded under.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct JwsRules {
    /// The only algorithm accepted.
    pub(crate) alg: Alg,
    /// The segments' encoding.
    pub(crate) encoding: SegmentEncoding,
    /// Longest token accepted, in bytes.
    pub(crate) max_len: usize,
    /// The `kid` rule.
    pub(crate) kid: KidRule,
}

/// Cognito user pool tokens: RS256, unpadded, any kid (`max_len` is the
/// verifier's configured bound).
pub(crate) const COGNITO_RULES: JwsRules = JwsRules {
    alg: Alg::Rs256,
    encoding: SegmentEncoding::Unpadded,
    max_len: crate::DEFAULT_MAX_TOKEN_SIZE,
    kid: KidRule::Any,
};

/// An ALB's `x-amzn-oidc-data`: ES256, padded, UUID kid.
pub(crate) const ALB_RULES: JwsRules = JwsRules {
    alg: Alg::Es256,
    encoding: SegmentEncoding::Padded,
    max_len: crate::DEFAULT_MAX_TOKEN_SIZE,
    kid: KidRule::Uuid,
};

/// Longest `kid` accepted; Cognito's are 44 characters.
const MAX_KID_LEN: usize = 256;

/// Headers up to this many base64url characters are decoded on the stack.
const STACK_HEADER: usize = 1024;

/// A NumericDate header member, as found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) enum HeaderDate {
    /// Not in the header.
    #[default]
    Absent,
    /// A number of seconds.
    Valid(i64),
    /// Present but not a number.
    Invalid,
}

/// The header members an ALB adds (`signer`, `client`, `iss`, `exp`); absent
/// from Cognito tokens, so they cost nothing there.
#[derive(Debug, Default)]
pub(crate) struct HeaderClaims {
    /// The ARN of the load balancer that signed (ALB); `None` if absent or not a string.
    pub(crate) signer: Option<String>,
    /// The app client id (ALB).
    pub(crate) client: Option<String>,
    /// The issuer (ALB copies the IdP's).
    pub(crate) iss: Option<String>,
    /// The expiry (ALB).
    pub(crate) exp: HeaderDate,
}

/// A token whose structure and header are acceptable.
pub(crate) struct DecodedJws<'a> {
    /// The header's `kid`, checked against the [`KidRule`].
    pub(crate) kid: Kid,
    /// The ALB header members, when present.
    pub(crate) header: HeaderClaims,
    /// `header "." payload` exactly as received: the signed bytes.
    pub(crate) signing_input: &'a [u8],
    /// The decoded signature.
    pub(crate) signature: Signature,
    /// Parsed, duplicate-free claims; their types are checked after the signature.
    pub(crate) claims: Payload,
}

/// Decodes `token` under `rules`, enforcing size, shape and header rules.
///
/// `jku`, `x5u`, `jwk` and `x5c` header members are ignored: keys only ever
/// come from the configured location.
pub(crate) fn decode<'t>(token: &'t str, rules: &JwsRules) -> Result<DecodedJws<'t>, Cause> {
    if token.len() > rules.max_len {
        return Err(Cause::TooLarge {
            size: token.len(),
            max: rules.max_len,
        });
    }
    let (header_b64, payload_b64, signature_b64) = segments(token).ok_or(Malformed::Segments)?;
    if header_b64.is_empty() {
        return Err(Malformed::Segments.into());
    }
    let encoding = rules.encoding;
    let (kid, header) = if header_b64.len() <= STACK_HEADER {
        // Not zeroed first: the decoder hands back only what it wrote.
        let mut stack = [const { MaybeUninit::<u8>::uninit() }; STACK_HEADER / 4 * 3];
        let out = base64_simd::Out::from_uninit_slice(&mut stack);
        check_header(b64_out(header_b64, encoding, out)?, rules)?
    } else {
        check_header(&b64(header_b64, encoding)?, rules)?
    };

    if payload_b64.is_empty() || signature_b64.is_empty() {
        return Err(Malformed::Segments.into());
    }
    let claims = Payload::parse(b64(payload_b64, encoding)?).ok_or(Malformed::Json)?;
    let signature = Signature::decode(signature_b64, encoding)?;
    let signing_input = &token.as_bytes()[..header_b64.len() + 1 + payload_b64.len()];
    Ok(DecodedJws {
        kid,
        header,
        signing_input,
        signature,
        claims,
    })
}

/// Parses the header and applies `rules`, returning the `kid` and the ALB members.
fn check_header(bytes: &[u8], rules: &JwsRules) -> Result<(Kid, HeaderClaims), Cause> {
    // One UTF-8 check for the whole header instead of one per string.
    let text = std::str::from_utf8(bytes).map_err(|_| Malformed::Json)?;
    let mut de = serde_json::Deserializer::from_str(text);
    let header = de
        .deserialize_map(HeaderVisitor)
        .map_err(|_| Malformed::Json)?;
    de.end().map_err(|_| Malformed::Json)?;
    // Algorithm first, so `alg: none` is named as such even with an empty signature.
    match header.alg {
        Some(Scalar::Str(alg)) if alg == rules.alg.name() => {}
        Some(Scalar::Str(alg)) => return Err(Cause::UnsupportedAlg(alg.into_owned())),
        _ => return Err(Cause::UnsupportedAlg(String::new())),
    }
    if header.crit {
        return Err(Malformed::Crit.into());
    }
    let kid = match header.kid {
        Some(Scalar::Str(kid)) if !kid.is_empty() && kid.len() <= MAX_KID_LEN => kid,
        _ => return Err(Malformed::Kid.into()),
    };
    if rules.kid == KidRule::Uuid && !is_uuid(&kid) {
        return Err(Malformed::Kid.into());
    }
    let string = |value: Option<Scalar<'_>>| match value {
        Some(Scalar::Str(s)) => Some(s.into_owned()),
        _ => None,
    };
    let exp = match header.exp {
        None => HeaderDate::Absent,
        Some(Scalar::I64(v)) => HeaderDate::Valid(v),
        Some(Scalar::U64(v)) => i64::try_from(v).map_or(HeaderDate::Invalid, HeaderDate::Valid),
        // ALB writes an integer; a fractional NumericDate is truncated.
        Some(Scalar::F64(v)) if v.is_finite() && v.abs() < 1e15 => HeaderDate::Valid(v as i64),
        Some(_) => HeaderDate::Invalid,
    };
    Ok((
        Kid::new(&kid),
        HeaderClaims {
            signer: string(header.signer),
            client: string(header.client),
            iss: string(header.iss),
            exp,
        },
    ))
}

/// The 8-4-4-4-12 hex form (either case), as aws-jwt-verify's ALB cache requires.
fn is_uuid(kid: &str) -> bool {
    let bytes = kid.as_bytes();
    bytes.len() == 36
        && bytes.iter().enumerate().all(|(i, b)| match i {
            8 | 13 | 18 | 23 => *b == b'-',
            _ => b.is_ascii_hexdigit(),
        })
}

/// The header members this module reads.
struct Header<'h> {
    alg: Option<Scalar<'h>>,
    kid: Option<Scalar<'h>>,
    signer: Option<Scalar<'h>>,
    client: Option<Scalar<'h>>,
    iss: Option<Scalar<'h>>,
    exp: Option<Scalar<'h>>,
    crit: bool,
}

struct HeaderVisitor;

impl<'de> Visitor<'de> for HeaderVisitor {
    type Value = Header<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JOSE header")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Header<'de>, A::Error> {
        let mut header = Header {
            alg: None,
            kid: None,
            signer: None,
            client: None,
            iss: None,
            exp: None,
            crit: false,
        };
        let mut others = Names::<'de, 8>::new();
        while let Some(name) = access.next_key_seed(Key)? {
            let slot = match &*name {
                "alg" => &mut header.alg,
                "kid" => &mut header.kid,
                "signer" => &mut header.signer,
                "client" => &mut header.client,
                "iss" => &mut header.iss,
                "exp" => &mut header.exp,
                "crit" => {
                    if header.crit {
                        return Err(strict_json::duplicate());
                    }
                    header.crit = true;
                    access.next_value_seed(Skip)?;
                    continue;
                }
                _ => {
                    if !others.insert(name) {
                        return Err(strict_json::duplicate());
                    }
                    access.next_value_seed(Skip)?;
                    continue;
                }
            };
            if slot.is_some() {
                return Err(strict_json::duplicate());
            }
            *slot = Some(access.next_value_seed(ScalarSeed)?);
        }
        if others.finish() {
            Ok(header)
        } else {
            Err(strict_json::duplicate())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine;
    use base64::engine::general_purpose::{URL_SAFE, URL_SAFE_NO_PAD};

    fn padded(json: &str) -> String {
        URL_SAFE.encode(json)
    }

    const KID: &str = "c2f80c8b-1234-4abc-9def-0123456789ab";

    fn alb(header: &str, payload: &str) -> String {
        format!("{}.{}.{}", padded(header), padded(payload), padded("sig"))
    }

    #[test]
    fn decodes_an_alb_header() {
        let h = format!(
            r#"{{"typ":"JWT","kid":"{KID}","alg":"ES256","iss":"https://i","client":"c","signer":"arn:x","exp":1687748045}}"#
        );
        let t = alb(&h, r#"{"sub":"x"}"#);
        let jws = decode(&t, &ALB_RULES).unwrap();
        assert_eq!(&*jws.kid, KID);
        assert_eq!(jws.header.signer.as_deref(), Some("arn:x"));
        assert_eq!(jws.header.client.as_deref(), Some("c"));
        assert_eq!(jws.header.iss.as_deref(), Some("https://i"));
        assert_eq!(jws.header.exp, HeaderDate::Valid(1687748045));
        assert_eq!(&*jws.signature, b"sig");
        // The signing input keeps its padding.
        assert_eq!(jws.signing_input, t.rsplit_once('.').unwrap().0.as_bytes());
    }

    #[test]
    fn alb_rules_refuse_by_exact_cause() {
        // A header whose encoding needs padding.
        let h = (0..3)
            .map(|n| format!(r#"{{"alg":"ES256","kid":"{KID}","x":"{}"}}"#, "x".repeat(n)))
            .find(|h| padded(h).ends_with('='))
            .unwrap();
        let unpadded = format!(
            "{}.{}.{}",
            URL_SAFE_NO_PAD.encode(&h),
            padded(r#"{"sub":"x"}"#),
            padded("sig")
        );
        let extra = format!("{}=.{}.{}", padded(&h), padded("{}"), padded("sig"));
        let cases: Vec<(String, Cause)> = vec![
            (unpadded, Malformed::Base64.into()),
            (extra, Malformed::Base64.into()),
            (
                alb(r#"{"alg":"ES256","kid":"not-a-uuid"}"#, "{}"),
                Malformed::Kid.into(),
            ),
            (
                alb(&format!(r#"{{"alg":"RS256","kid":"{KID}"}}"#), "{}"),
                Cause::UnsupportedAlg("RS256".into()),
            ),
            (
                alb(&format!(r#"{{"alg":"none","kid":"{KID}"}}"#), "{}"),
                Cause::UnsupportedAlg("none".into()),
            ),
            (
                alb(
                    &format!(r#"{{"alg":"ES256","kid":"{KID}","signer":"a","signer":"b"}}"#),
                    "{}",
                ),
                Malformed::Json.into(),
            ),
        ];
        for (t, want) in cases {
            assert_eq!(decode(&t, &ALB_RULES).err(), Some(want), "{t}");
        }
        // A header exp that is not a number is reported, not dropped.
        let t = alb(
            &format!(r#"{{"alg":"ES256","kid":"{KID}","exp":"1"}}"#),
            "{}",
        );
        assert_eq!(
            decode(&t, &ALB_RULES).unwrap().header.exp,
            HeaderDate::Invalid
        );
    }

    #[test]
    fn cognito_rules_refuse_es256_and_padding() {
        let h = r#"{"alg":"ES256","kid":"k"}"#;
        let t = format!(
            "{}.{}.c2ln",
            URL_SAFE_NO_PAD.encode(h),
            URL_SAFE_NO_PAD.encode("{}")
        );
        assert_eq!(
            decode(&t, &COGNITO_RULES).err(),
            Some(Cause::UnsupportedAlg("ES256".into()))
        );
        let t = alb(r#"{"alg":"RS256","kid":"k"}"#, r#"{"a":1}"#);
        assert_eq!(
            decode(&t, &COGNITO_RULES).err(),
            Some(Malformed::Base64.into())
        );
    }

    #[test]
    fn kids_inline_or_on_the_heap_read_back_alike() {
        for kid in [
            "k",
            "\u{e9}t\u{e9}",
            &"a".repeat(64),
            &"b".repeat(65),
            &"c".repeat(256),
        ] {
            let h = format!(r#"{{"alg":"RS256","kid":"{kid}"}}"#);
            let t = format!(
                "{}.{}.c2ln",
                URL_SAFE_NO_PAD.encode(h),
                URL_SAFE_NO_PAD.encode("{}")
            );
            let decoded = decode(&t, &COGNITO_RULES).unwrap();
            assert_eq!(&*decoded.kid, kid);
            assert_eq!(matches!(decoded.kid, Kid::Inline { .. }), kid.len() <= 64);
        }
    }

    #[test]
    fn uuid_rule() {
        assert!(is_uuid(KID));
        assert!(is_uuid(&KID.to_uppercase()));
        for bad in [
            "",
            "c2f80c8b12344abc9def0123456789ab",
            &KID.replace('-', "_"),
            &format!("{KID}0"),
            "../../etc/passwd-0000-0000-000000000",
        ] {
            assert!(!is_uuid(bad), "{bad}");
        }
    }
}
