//! The three segments of a compact JWS: finding them, strict base64url
//! (`base64-simd`, canonical, padding exactly as the [`SegmentEncoding`]
//! says), and the small decoded parts a [`DecodedJws`](super::DecodedJws)
//! keeps inline ([`Kid`], [`Signature`]) so a typical token costs no
//! allocation for them.

use crate::error::{Cause, Malformed};

/// How the three segments are base64url-encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SegmentEncoding {
    /// Canonical base64url without `=` (RFC 7515).
    Unpadded,
    /// Canonical base64url with exactly the `=` padding needed (what an ALB
    /// emits); a missing or extra `=` is malformed.
    Padded,
}

/// `kid`s of up to this many bytes (Cognito's are 44, an ALB's 36) are kept
/// inline in [`Kid`].
const INLINE_KID: usize = 64;

/// A header's `kid`: inline when it fits, on the heap otherwise. Derefs to
/// the text.
pub(crate) enum Kid {
    /// The first `len` bytes of `bytes`, copied from a `str`.
    Inline {
        /// The buffer.
        bytes: [u8; INLINE_KID],
        /// How much of it is the kid.
        len: usize,
    },
    /// A kid too long for the inline buffer.
    Heap(Box<str>),
}

impl Kid {
    pub(super) fn new(kid: &str) -> Kid {
        let mut bytes = [0u8; INLINE_KID];
        match bytes.get_mut(..kid.len()) {
            Some(inline) => {
                inline.copy_from_slice(kid.as_bytes());
                Kid::Inline {
                    bytes,
                    len: kid.len(),
                }
            }
            None => Kid::Heap(kid.into()),
        }
    }
}

impl std::ops::Deref for Kid {
    type Target = str;

    fn deref(&self) -> &str {
        match self {
            // A copy of a whole `str`, so always UTF-8 (checking costs a
            // few nanoseconds on 44 bytes and keeps this crate free of `unsafe`).
            Kid::Inline { bytes, len } => bytes
                .get(..*len)
                .and_then(|b| std::str::from_utf8(b).ok())
                .unwrap_or_default(),
            Kid::Heap(kid) => kid,
        }
    }
}

/// Signatures of up to this many bytes (RSA-2048's 256, ES256's 64) are
/// kept inline in [`Signature`] rather than on the heap.
const INLINE_SIGNATURE: usize = 264;

/// A decoded signature: inline when it fits (Cognito's RSA-2048, an ALB's
/// ES256), on the heap otherwise (larger RSA keys). Derefs to its bytes.
// The inline variant is the point: the heap one is the rare case.
#[allow(clippy::large_enum_variant)]
pub(crate) enum Signature {
    /// The first `len` bytes of `bytes`.
    Inline {
        /// The buffer.
        bytes: [u8; INLINE_SIGNATURE],
        /// How much of it is the signature.
        len: usize,
    },
    /// A signature too long for the inline buffer.
    Heap(Vec<u8>),
}

impl std::ops::Deref for Signature {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        match self {
            Signature::Inline { bytes, len } => bytes.get(..*len).unwrap_or_default(),
            Signature::Heap(bytes) => bytes,
        }
    }
}

impl Signature {
    /// Decodes `segment` (strictly, in `encoding`).
    pub(super) fn decode(segment: &str, encoding: SegmentEncoding) -> Result<Signature, Cause> {
        // Three bytes per full quad, fewer than the remainder's characters
        // for the rest: at least the decoded length.
        if segment.len() / 4 * 3 + segment.len() % 4 <= INLINE_SIGNATURE {
            let mut bytes = [0u8; INLINE_SIGNATURE];
            let len = b64_into(segment, encoding, &mut bytes)?;
            Ok(Signature::Inline { bytes, len })
        } else {
            b64(segment, encoding).map(Signature::Heap)
        }
    }
}

/// The three dot-separated segments of `token` (SIMD search for the dots:
/// a token is ~1 KiB), or `None` unless there are exactly three.
pub(super) fn segments(token: &str) -> Option<(&str, &str, &str)> {
    let first = memchr::memchr(b'.', token.as_bytes())?;
    let (header, rest) = (token.get(..first)?, token.get(first + 1..)?);
    let second = memchr::memchr(b'.', rest.as_bytes())?;
    let (payload, signature) = (rest.get(..second)?, rest.get(second + 1..)?);
    match memchr::memchr(b'.', signature.as_bytes()) {
        Some(_) => None,
        None => Some((header, payload, signature)),
    }
}

/// Strict base64url in `encoding`: the URL-safe alphabet, canonical
/// trailing bits, and padding exactly as the encoding demands.
/// `base64-simd` decodes the ~1 KiB of a token several times faster than a
/// scalar decoder, with the same strictness (tested against `base64`).
pub(crate) fn b64(segment: &str, encoding: SegmentEncoding) -> Result<Vec<u8>, Cause> {
    engine(encoding)
        .decode_to_vec(segment)
        .map_err(|_| Malformed::Base64.into())
}

/// [`b64`] into `out`, returning the decoded length; fails if `out` is too small.
pub(crate) fn b64_into(
    segment: &str,
    encoding: SegmentEncoding,
    out: &mut [u8],
) -> Result<usize, Cause> {
    b64_out(segment, encoding, base64_simd::Out::from_slice(out)).map(|decoded| decoded.len())
}

/// [`b64`] into `out` (which may be uninitialised), returning the decoded
/// bytes; fails if `out` is too small.
pub(super) fn b64_out<'o>(
    segment: &str,
    encoding: SegmentEncoding,
    out: base64_simd::Out<'o, [u8]>,
) -> Result<&'o mut [u8], Cause> {
    let engine = engine(encoding);
    match engine.decoded_length(segment.as_bytes()) {
        // `decode` would panic on a buffer too small.
        Ok(len) if len <= out.len() => engine
            .decode(segment.as_bytes(), out)
            .map_err(|_| Malformed::Base64.into()),
        _ => Err(Malformed::Base64.into()),
    }
}

fn engine(encoding: SegmentEncoding) -> &'static base64_simd::Base64 {
    match encoding {
        SegmentEncoding::Unpadded => &base64_simd::URL_SAFE_NO_PAD,
        SegmentEncoding::Padded => &base64_simd::URL_SAFE,
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

    #[test]
    fn signatures_inline_or_on_the_heap_decode_alike() {
        for len in [0, 1, 64, 255, 256, 257, 263, 264, 265, 384, 512] {
            let bytes: Vec<u8> = (0..len).map(|i| (i * 7 + 3) as u8).collect();
            for (encoding, text) in [
                (SegmentEncoding::Unpadded, URL_SAFE_NO_PAD.encode(&bytes)),
                (SegmentEncoding::Padded, URL_SAFE.encode(&bytes)),
            ] {
                let signature = Signature::decode(&text, encoding).unwrap();
                assert_eq!(&*signature, bytes.as_slice(), "{len} {encoding:?}");
                let inline = matches!(signature, Signature::Inline { .. });
                if len <= 256 {
                    assert!(inline, "{len} {encoding:?}");
                } else if len >= 384 {
                    assert!(!inline, "{len} {encoding:?}");
                }
            }
        }
        let bad = format!("{}=", URL_SAFE_NO_PAD.encode([1u8; 256]));
        assert!(Signature::decode(&bad, SegmentEncoding::Unpadded).is_err());
    }

    #[test]
    fn both_segment_encodings_are_exactly_as_strict_as_the_base64_crate() {
        let alphabet: Vec<char> = "AQgw_-+/=. \u{e9}".chars().collect();
        let mut inputs = vec![String::new()];
        for _ in 0..4 {
            let longer: Vec<String> = inputs
                .iter()
                .flat_map(|p| alphabet.iter().map(move |c| format!("{p}{c}")))
                .collect();
            inputs.extend(longer);
        }
        inputs.push(padded(r#"{"alg":"ES256","kid":"k"}"#));
        inputs.push(URL_SAFE_NO_PAD.encode(r#"{"alg":"RS256","kid":"k"}"#));
        for (encoding, engine) in [
            (SegmentEncoding::Padded, &URL_SAFE),
            (SegmentEncoding::Unpadded, &URL_SAFE_NO_PAD),
        ] {
            for input in &inputs {
                let reference = engine.decode(input).ok();
                let ours = b64(input, encoding).ok();
                assert_eq!(ours, reference, "{input:?} ({encoding:?})");
                let mut buf = [0u8; 64];
                let into = b64_into(input, encoding, &mut buf)
                    .ok()
                    .map(|n| buf[..n].to_vec());
                assert_eq!(into, reference, "{input:?} ({encoding:?}, into a slice)");
            }
        }
    }
}
