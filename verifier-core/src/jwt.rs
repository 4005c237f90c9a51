//! Cognito's compact JWS: [`jws::decode`] under [`COGNITO_RULES`] (RS256
//! only, unpadded strict base64url, any short `kid`, `crit` refused; RFC 8725).
//! No signature or claim checks happen here.

use crate::error::Cause;
use crate::jws::{self, COGNITO_RULES, JwsRules, SegmentEncoding};

/// The only algorithm Cognito user pools sign with.
pub(crate) const ALG_RS256: &str = jws::Alg::Rs256.name();

/// A Cognito token whose structure and header are acceptable.
pub(crate) type DecodedJwt<'a> = jws::DecodedJws<'a>;

/// Decodes a Cognito `token` of at most `max_len` bytes, enforcing shape and
/// header rules.
///
/// `jku`, `x5u`, `jwk` and `x5c` header members are ignored: keys only ever
/// come from the configured JWKS URI.
pub(crate) fn decode(token: &str, max_len: usize) -> Result<DecodedJwt<'_>, Cause> {
    jws::decode(
        token,
        &JwsRules {
            max_len,
            ..COGNITO_RULES
        },
    )
}

/// Strict unpadded base64url (JWK members, Cognito segments).
pub(crate) fn b64(segment: &str) -> Result<Vec<u8>, Cause> {
    jws::b64(segment, SegmentEncoding::Unpadded)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Malformed;
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
        assert_eq!(&*jwt.kid, "k1");
        assert_eq!(jwt.claims["sub"], "x");
        assert_eq!(&*jwt.signature, b"sig");
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
}
