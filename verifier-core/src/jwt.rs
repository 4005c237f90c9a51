//! Splitting and decoding a compact JWS: strict base64url, strict JSON,
//! header rules (RFC 8725). No signature or claim checks happen here.

use std::fmt;

use serde::de::{Deserializer, MapAccess, Visitor};

use crate::claims::Payload;
use crate::error::{Cause, Malformed};
use crate::strict_json::{self, Key, Names, Scalar, ScalarSeed, Skip};

/// The only algorithm Cognito user pools sign with.
pub(crate) const ALG_RS256: &str = "RS256";

/// Longest `kid` accepted; Cognito's are 44 characters.
const MAX_KID_LEN: usize = 256;

/// Headers up to this many base64url characters are decoded on the stack.
const STACK_HEADER: usize = 1024;

/// A token whose structure and header are acceptable.
pub(crate) struct DecodedJwt<'a> {
    pub kid: String,
    /// `base64url(header) "." base64url(payload)`, the signed bytes.
    pub signing_input: &'a [u8],
    pub signature: Vec<u8>,
    /// Parsed, duplicate-free claims; their types are checked after the signature.
    pub claims: Payload,
}

/// Decodes `token`, enforcing size, shape and header rules.
///
/// `jku`, `x5u`, `jwk` and `x5c` header members are ignored: keys only ever
/// come from the configured JWKS URI.
pub(crate) fn decode(token: &str, max_len: usize) -> Result<DecodedJwt<'_>, Cause> {
    if token.len() > max_len {
        return Err(Cause::TooLarge {
            size: token.len(),
            max: max_len,
        });
    }
    let mut parts = token.split('.');
    let (Some(header_b64), Some(payload_b64), Some(signature_b64), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(Malformed::Segments.into());
    };
    if header_b64.is_empty() {
        return Err(Malformed::Segments.into());
    }

    let mut stack = [0u8; STACK_HEADER / 4 * 3];
    let kid = match stack.get_mut(..decoded_len(header_b64.len())?) {
        Some(buf) => {
            b64_into(header_b64.as_bytes(), buf)?;
            check_header(buf)?
        }
        None => check_header(&b64(header_b64)?)?,
    };

    if payload_b64.is_empty() || signature_b64.is_empty() {
        return Err(Malformed::Segments.into());
    }
    let claims = Payload::parse(b64(payload_b64)?).ok_or(Malformed::Json)?;
    let signature = b64(signature_b64)?;
    let signing_input = &token.as_bytes()[..header_b64.len() + 1 + payload_b64.len()];
    Ok(DecodedJwt {
        kid,
        signing_input,
        signature,
        claims,
    })
}

/// Parses the header and applies its rules, returning the `kid`.
fn check_header(bytes: &[u8]) -> Result<String, Cause> {
    let header = {
        // One UTF-8 check for the whole header instead of one per string.
        let text = std::str::from_utf8(bytes).map_err(|_| Malformed::Json)?;
        let mut de = serde_json::Deserializer::from_str(text);
        let header = de
            .deserialize_map(HeaderVisitor)
            .map_err(|_| Malformed::Json)?;
        de.end().map_err(|_| Malformed::Json)?;
        header
    };
    // Algorithm first, so `alg: none` is named as such even with an empty signature.
    match header.alg {
        Some(Scalar::Str(alg)) if alg == ALG_RS256 => {}
        Some(Scalar::Str(alg)) => return Err(Cause::UnsupportedAlg(alg.into_owned())),
        _ => return Err(Cause::UnsupportedAlg(String::new())),
    }
    if header.crit {
        return Err(Malformed::Crit.into());
    }
    match header.kid {
        Some(Scalar::Str(kid)) if !kid.is_empty() && kid.len() <= MAX_KID_LEN => {
            Ok(kid.into_owned())
        }
        _ => Err(Malformed::Kid.into()),
    }
}

/// The header members this verifier reads.
struct Header<'h> {
    alg: Option<Scalar<'h>>,
    kid: Option<Scalar<'h>>,
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
            crit: false,
        };
        let mut others = Names::<'de, 8>::new();
        while let Some(name) = access.next_key_seed(Key)? {
            match &*name {
                "alg" | "kid" => {
                    let slot = if name == "alg" {
                        &mut header.alg
                    } else {
                        &mut header.kid
                    };
                    if slot.is_some() {
                        return Err(strict_json::duplicate());
                    }
                    *slot = Some(access.next_value_seed(ScalarSeed)?);
                }
                "crit" => {
                    if header.crit {
                        return Err(strict_json::duplicate());
                    }
                    header.crit = true;
                    access.next_value_seed(Skip)?;
                }
                _ => {
                    if !others.insert(name) {
                        return Err(strict_json::duplicate());
                    }
                    access.next_value_seed(Skip)?;
                }
            }
        }
        if others.finish() {
            Ok(header)
        } else {
            Err(strict_json::duplicate())
        }
    }
}

/// Strict base64url: the URL-safe alphabet, no padding, canonical trailing bits.
///
/// Accepts exactly what `base64`'s `URL_SAFE_NO_PAD` engine accepts (a test
/// checks this), about three times faster, since a cold verification decodes
/// about a kilobyte of it.
pub(crate) fn b64(segment: &str) -> Result<Vec<u8>, Cause> {
    let mut out = vec![0; decoded_len(segment.len())?];
    b64_into(segment.as_bytes(), &mut out)?;
    Ok(out)
}

/// The decoded length of `len` base64url characters; a length of the form
/// `4n + 1` is never valid.
fn decoded_len(len: usize) -> Result<usize, Cause> {
    match len % 4 {
        1 => Err(Malformed::Base64.into()),
        rem => Ok(len / 4 * 3 + rem.saturating_sub(1)),
    }
}

/// Set in a [`B64_TABLES`] entry for bytes outside the base64url alphabet.
const NOT_B64: u32 = 1 << 31;

/// For each position in a group of four characters, each byte's 6-bit value
/// already shifted into place in the group's 24 bits, or [`NOT_B64`].
static B64_TABLES: [[u32; 256]; 4] = {
    let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut tables = [[NOT_B64; 256]; 4];
    let mut position = 0;
    while position < 4 {
        let mut i = 0;
        while i < alphabet.len() {
            tables[position][alphabet[i] as usize] = (i as u32) << (18 - 6 * position);
            i += 1;
        }
        position += 1;
    }
    tables
};

/// Decodes `input` into `out`, which must be exactly
/// [`decoded_len`]`(input.len())` bytes long.
fn b64_into(input: &[u8], out: &mut [u8]) -> Result<(), Cause> {
    let [t0, t1, t2, t3] = &B64_TABLES;
    let (quads, tail) = input.as_chunks::<4>();
    let (triples, out_tail) = out.as_chunks_mut::<3>();
    if quads.len() != triples.len() {
        return Err(Malformed::Base64.into());
    }
    let mut seen = 0;
    for ([a, b, c, d], triple) in quads.iter().zip(triples) {
        let n =
            t0[usize::from(*a)] | t1[usize::from(*b)] | t2[usize::from(*c)] | t3[usize::from(*d)];
        seen |= n;
        let [_, x, y, z] = n.to_be_bytes();
        *triple = [x, y, z];
    }
    // Unpadded tails: the bits past the last whole byte must be zero.
    match (tail, out_tail) {
        ([], []) => {}
        ([a, b], [x]) => {
            let n = t0[usize::from(*a)] | t1[usize::from(*b)];
            if n & 0xf000 != 0 {
                return Err(Malformed::Base64.into());
            }
            seen |= n;
            [_, *x, _, _] = n.to_be_bytes();
        }
        ([a, b, c], [x, y]) => {
            let n = t0[usize::from(*a)] | t1[usize::from(*b)] | t2[usize::from(*c)];
            if n & 0xc0 != 0 {
                return Err(Malformed::Base64.into());
            }
            seen |= n;
            [_, *x, *y, _] = n.to_be_bytes();
        }
        _ => return Err(Malformed::Base64.into()),
    }
    if seen & NOT_B64 == 0 {
        Ok(())
    } else {
        Err(Malformed::Base64.into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;

    fn enc(json: &str) -> String {
        URL_SAFE_NO_PAD.encode(json)
    }

    fn token(header: &str, payload: &str) -> String {
        format!("{}.{}.c2ln", enc(header), enc(payload))
    }

    const H: &str = r#"{"alg":"RS256","kid":"k1"}"#;

    #[test]
    fn decodes_a_well_formed_token() {
        let t = token(H, r#"{"sub":"x"}"#);
        let jwt = decode(&t, 16 * 1024).unwrap();
        assert_eq!(jwt.kid, "k1");
        assert_eq!(jwt.claims["sub"], "x");
        assert_eq!(jwt.signature, b"sig");
        assert_eq!(jwt.signing_input, t.rsplit_once('.').unwrap().0.as_bytes());
    }

    #[test]
    fn ignores_key_location_headers() {
        let h = r#"{"alg":"RS256","kid":"k1","jku":"https://evil/jwks","x5u":"https://evil","jwk":{"kty":"RSA"}}"#;
        assert!(decode(&token(h, "{}"), 16 * 1024).is_ok());
    }

    #[test]
    fn rejects_by_exact_cause() {
        let cases: Vec<(String, Cause)> = vec![
            ("a.b".into(), Malformed::Segments.into()),
            ("a.b.c.d".into(), Malformed::Segments.into()),
            (format!(".{}.c2ln", enc("{}")), Malformed::Segments.into()),
            (format!("{}..c2ln", enc(H)), Malformed::Segments.into()),
            (
                format!("{}.{}.", enc(H), enc("{}")),
                Malformed::Segments.into(),
            ),
            (
                format!("{}=.{}.c2ln", enc(H), enc("{}")),
                Malformed::Base64.into(),
            ),
            (
                format!("{}.{}.c2l+", enc(H), enc("{}")),
                Malformed::Base64.into(),
            ),
            (token("not json", "{}"), Malformed::Json.into()),
            (
                token(r#"{"alg":"RS256","alg":"RS256","kid":"k"}"#, "{}"),
                Malformed::Json.into(),
            ),
            (token(H, r#"{"sub":"a","sub":"b"}"#), Malformed::Json.into()),
            (
                token(r#"{"alg":"none","kid":"k"}"#, "{}"),
                Cause::UnsupportedAlg("none".into()),
            ),
            (
                token(r#"{"alg":"HS256","kid":"k"}"#, "{}"),
                Cause::UnsupportedAlg("HS256".into()),
            ),
            (
                token(r#"{"kid":"k"}"#, "{}"),
                Cause::UnsupportedAlg(String::new()),
            ),
            (token(r#"{"alg":"RS256"}"#, "{}"), Malformed::Kid.into()),
            (
                token(r#"{"alg":"RS256","kid":5}"#, "{}"),
                Malformed::Kid.into(),
            ),
            (
                token(r#"{"alg":"RS256","kid":"k","crit":["exp"]}"#, "{}"),
                Malformed::Crit.into(),
            ),
        ];
        for (t, want) in cases {
            let got = decode(&t, 16 * 1024).err();
            assert_eq!(got.as_ref(), Some(&want), "{t}");
        }
        // alg none with an empty signature is still named as alg none.
        let t = format!("{}.{}.", enc(r#"{"alg":"none"}"#), enc("{}"));
        assert_eq!(
            decode(&t, 1024).err(),
            Some(Cause::UnsupportedAlg("none".into()))
        );
    }

    #[test]
    fn bounds_input_size() {
        let t = token(H, &format!(r#"{{"x":"{}"}}"#, "a".repeat(100)));
        assert!(matches!(
            decode(&t, 64),
            Err(Cause::TooLarge { max: 64, .. })
        ));
    }

    #[test]
    fn base64url_matches_the_base64_crate() {
        let reference = |s: &[u8]| URL_SAFE_NO_PAD.decode(s).ok();
        let ours = |s: &[u8]| std::str::from_utf8(s).ok().and_then(|s| b64(s).ok());
        // Every string of up to three characters over the alphabet and its neighbours.
        let chars: Vec<u8> = (b'0'..=b'9')
            .chain(b'A'..=b'Z')
            .chain(b'a'..=b'z')
            .chain(*b"-_+/=. ")
            .collect();
        let mut inputs: Vec<Vec<u8>> = vec![vec![]];
        for len in 1..=3 {
            let mut next = Vec::new();
            for prefix in inputs.iter().filter(|i| i.len() == len - 1) {
                for &c in &chars {
                    let mut s = prefix.clone();
                    s.push(c);
                    next.push(s);
                }
            }
            inputs.extend(next);
        }
        // Longer strings: encodings of pseudo-random bytes, then mutated.
        let mut seed = 0x2545_f491_4f6c_dd1d_u64;
        let mut rand = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for len in 0..200 {
            let bytes: Vec<u8> = (0..len).map(|_| rand() as u8).collect();
            let encoded = URL_SAFE_NO_PAD.encode(&bytes).into_bytes();
            inputs.push(encoded.clone());
            if !encoded.is_empty() {
                for _ in 0..8 {
                    let mut mutated = encoded.clone();
                    let at = rand() as usize % mutated.len();
                    mutated[at] = chars[rand() as usize % chars.len()];
                    inputs.push(mutated);
                }
                let mut truncated = encoded.clone();
                truncated.pop();
                inputs.push(truncated);
                let mut padded = encoded.clone();
                padded.push(b'=');
                inputs.push(padded);
            }
        }
        for input in &inputs {
            assert_eq!(
                ours(input),
                reference(input),
                "{:?}",
                String::from_utf8_lossy(input)
            );
        }
    }
}
