//! AWS Signature Version 4 verification of the JSON API's IAM-authorized
//! operations (`Authorization: AWS4-HMAC-SHA256 Credential=..., SignedHeaders=...,
//! Signature=...`), against the access keys configured for the issuer.
//!
//! The canonical request is rebuilt from the request as received (method,
//! path, query, the signed headers, SHA-256 of the body), the signing key is
//! derived with HMAC-SHA256 (aws-lc-rs) and the signature compared in
//! constant time. `host` and `x-amz-date` must be signed; the date must be
//! within 15 minutes of now and the credential scope must be
//! `<date of x-amz-date>/<issuer region>/cognito-idp/aws4_request`.

use std::collections::HashMap;
use std::fmt::Write as _;

mod canonical;

use aws_lc_rs::{digest, hmac};
use axum::http::{HeaderMap, Method, Uri};
#[cfg(test)]
use canonical::{canonical_path, canonical_query};
use canonical::{canonical_request, hex, unhex};
use time::{Date, Duration, Month, OffsetDateTime, PrimitiveDateTime, Time};

/// The only algorithm SigV4 for this service uses.
const ALGORITHM: &str = "AWS4-HMAC-SHA256";
/// The signing name of Cognito user pools.
const SERVICE: &str = "cognito-idp";
/// How far `x-amz-date` may be from now, as AWS allows.
const MAX_SKEW: Duration = Duration::minutes(15);

/// Access keys and the region their signatures must be scoped to.
#[derive(Clone)]
pub(crate) struct Verifier {
    secrets: HashMap<String, String>,
    region: String,
}

impl std::fmt::Debug for Verifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Verifier")
            .field("access_key_ids", &self.secrets.keys().collect::<Vec<_>>())
            .field("region", &self.region)
            .finish()
    }
}

/// Why a request's signature was refused, each with AWS's error name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Refusal {
    /// No `Authorization` header (`MissingAuthenticationTokenException`).
    Missing,
    /// The header is not a complete SigV4 header (`IncompleteSignatureException`).
    Incomplete(String),
    /// The access key id is not configured (`UnrecognizedClientException`).
    UnknownKey,
    /// Signature, date window or scope wrong (`InvalidSignatureException`).
    Invalid(String),
}

impl Refusal {
    /// AWS's exception name.
    pub(crate) fn type_name(&self) -> &'static str {
        match self {
            Refusal::Missing => "MissingAuthenticationTokenException",
            Refusal::Incomplete(_) => "IncompleteSignatureException",
            Refusal::UnknownKey => "UnrecognizedClientException",
            Refusal::Invalid(_) => "InvalidSignatureException",
        }
    }

    /// AWS's message.
    pub(crate) fn message(&self) -> String {
        match self {
            Refusal::Missing => "Request is missing Authentication Token".into(),
            Refusal::UnknownKey => "The security token included in the request is invalid.".into(),
            Refusal::Incomplete(m) | Refusal::Invalid(m) => m.clone(),
        }
    }
}

const MISMATCH: &str = "The request signature we calculated does not match the signature you \
                        provided. Check your AWS Secret Access Key and signing method. Consult \
                        the service documentation for details.";

/// The parts of the `Authorization` header.
struct Authorization<'a> {
    access_key_id: &'a str,
    scope_date: &'a str,
    scope_region: &'a str,
    scope_service: &'a str,
    scope_terminator: &'a str,
    scope: &'a str,
    signed_headers: Vec<&'a str>,
    signed_headers_raw: &'a str,
    signature: &'a str,
}

impl Verifier {
    /// A verifier for `keys` (access key id, secret) scoped to `region`.
    pub(crate) fn new(keys: impl IntoIterator<Item = (String, String)>, region: String) -> Self {
        Self {
            secrets: keys.into_iter().collect(),
            region,
        }
    }

    /// How many access keys are configured.
    pub(crate) fn key_count(&self) -> usize {
        self.secrets.len()
    }

    /// Verifies the request's signature at `now`.
    pub(crate) fn verify(
        &self,
        method: &Method,
        uri: &Uri,
        headers: &HeaderMap,
        body: &[u8],
        now: OffsetDateTime,
    ) -> Result<(), Refusal> {
        let mut values = headers.get_all("authorization").iter();
        let header = match (values.next(), values.next()) {
            (None, _) => return Err(Refusal::Missing),
            (Some(v), None) => v
                .to_str()
                .map_err(|_| Refusal::Incomplete("Authorization header is not ASCII".into()))?,
            (Some(_), Some(_)) => {
                return Err(Refusal::Incomplete(
                    "Only one Authorization header is allowed".into(),
                ));
            }
        };
        let auth = parse_authorization(header)?;
        for required in ["host", "x-amz-date"] {
            if !auth.signed_headers.contains(&required) {
                return Err(Refusal::Incomplete(format!(
                    "'{required}' must be a 'SignedHeader' in the AWS Authorization."
                )));
            }
        }
        let amz_date = single_header(headers, "x-amz-date")?.ok_or_else(|| {
            Refusal::Incomplete(
                "Authorization header requires existence of a 'X-Amz-Date' header.".into(),
            )
        })?;
        let signed_at = parse_amz_date(amz_date).ok_or_else(|| {
            Refusal::Incomplete(format!("Invalid X-Amz-Date header value '{amz_date}'"))
        })?;
        let secret = self
            .secrets
            .get(auth.access_key_id)
            .ok_or(Refusal::UnknownKey)?;
        self.check_scope(&auth, amz_date)?;
        check_window(signed_at, amz_date, now)?;

        // Always the body actually received: a client's x-amz-content-sha256
        // (or UNSIGNED-PAYLOAD) never stands in for it.
        let payload_hash = hex(digest::digest(&digest::SHA256, body).as_ref());
        let canonical = canonical_request(method, uri, headers, &auth, &payload_hash)?;
        let string_to_sign = format!(
            "{ALGORITHM}\n{amz_date}\n{}\n{}",
            auth.scope,
            hex(digest::digest(&digest::SHA256, canonical.as_bytes()).as_ref()),
        );
        let key = signing_key(
            secret,
            auth.scope_date,
            auth.scope_region,
            auth.scope_service,
        );
        let provided = unhex(auth.signature).ok_or_else(|| Refusal::Invalid(MISMATCH.into()))?;
        hmac::verify(&key, string_to_sign.as_bytes(), &provided)
            .map_err(|_| Refusal::Invalid(MISMATCH.into()))
    }

    fn check_scope(&self, auth: &Authorization<'_>, amz_date: &str) -> Result<(), Refusal> {
        let day = &amz_date[..8];
        if auth.scope_date != day {
            return Err(Refusal::Invalid(format!(
                "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date \
                 from HTTP: '{}' != '{day}', from '{amz_date}'.",
                auth.scope_date
            )));
        }
        if auth.scope_region != self.region {
            return Err(Refusal::Invalid(format!(
                "Credential should be scoped to a valid region, not '{}'. ",
                auth.scope_region
            )));
        }
        if auth.scope_service != SERVICE {
            return Err(Refusal::Invalid(format!(
                "Credential should be scoped to correct service: '{SERVICE}'. "
            )));
        }
        if auth.scope_terminator != "aws4_request" {
            return Err(Refusal::Invalid(format!(
                "Credential should be scoped with a valid terminator: 'aws4_request', not '{}'. ",
                auth.scope_terminator
            )));
        }
        Ok(())
    }
}

fn parse_authorization(header: &str) -> Result<Authorization<'_>, Refusal> {
    let Some(rest) = header.strip_prefix(ALGORITHM) else {
        return Err(Refusal::Incomplete(format!(
            "Authorization header must use the {ALGORITHM} algorithm"
        )));
    };
    let (mut credential, mut signed, mut signature) = (None, None, None);
    for part in rest.split(',') {
        let part = part.trim();
        if let Some(v) = part.strip_prefix("Credential=") {
            credential = Some(v);
        } else if let Some(v) = part.strip_prefix("SignedHeaders=") {
            signed = Some(v);
        } else if let Some(v) = part.strip_prefix("Signature=") {
            signature = Some(v);
        }
    }
    let mut missing = String::new();
    for (name, v) in [
        ("Credential", credential),
        ("Signature", signature),
        ("SignedHeaders", signed),
    ] {
        if v.is_none_or(str::is_empty) {
            let _ = write!(
                missing,
                "Authorization header requires '{name}' parameter. "
            );
        }
    }
    let (Some(credential), Some(signed), Some(signature)) = (credential, signed, signature) else {
        return Err(Refusal::Incomplete(missing));
    };
    if !missing.is_empty() {
        return Err(Refusal::Incomplete(missing));
    }
    let parts: Vec<&str> = credential.split('/').collect();
    let [access_key_id, date, region, service, terminator] = parts[..] else {
        return Err(Refusal::Incomplete(format!(
            "Credential must have exactly 5 slash-delimited elements, e.g. \
             keyid/date/region/service/term, got '{credential}'"
        )));
    };
    let scope = &credential[access_key_id.len() + 1..];
    Ok(Authorization {
        access_key_id,
        scope_date: date,
        scope_region: region,
        scope_service: service,
        scope_terminator: terminator,
        scope,
        signed_headers: signed.split(';').collect(),
        signed_headers_raw: signed,
        signature,
    })
}

/// One header's value; several of the same name are refused.
fn single_header<'a>(headers: &'a HeaderMap, name: &str) -> Result<Option<&'a str>, Refusal> {
    let mut it = headers.get_all(name).iter();
    match (it.next(), it.next()) {
        (None, _) => Ok(None),
        (Some(v), None) => v
            .to_str()
            .map(Some)
            .map_err(|_| Refusal::Incomplete(format!("{name} is not ASCII"))),
        _ => Err(Refusal::Incomplete(format!(
            "Only one {name} header is allowed"
        ))),
    }
}

/// `YYYYMMDD'T'HHMMSS'Z'`.
fn parse_amz_date(s: &str) -> Option<OffsetDateTime> {
    let b = s.as_bytes();
    if b.len() != 16 || b[8] != b'T' || b[15] != b'Z' {
        return None;
    }
    let digits = |r: std::ops::Range<usize>| -> Option<u32> {
        let part = s.get(r)?;
        part.bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| part.parse().ok())?
    };
    let date = Date::from_calendar_date(
        i32::try_from(digits(0..4)?).ok()?,
        Month::try_from(u8::try_from(digits(4..6)?).ok()?).ok()?,
        u8::try_from(digits(6..8)?).ok()?,
    )
    .ok()?;
    let time = Time::from_hms(
        u8::try_from(digits(9..11)?).ok()?,
        u8::try_from(digits(11..13)?).ok()?,
        u8::try_from(digits(13..15)?).ok()?,
    )
    .ok()?;
    Some(PrimitiveDateTime::new(date, time).assume_utc())
}

fn amz_format(t: OffsetDateTime) -> String {
    format!(
        "{:04}{:02}{:02}T{:02}{:02}{:02}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

fn check_window(signed_at: OffsetDateTime, raw: &str, now: OffsetDateTime) -> Result<(), Refusal> {
    if signed_at < now - MAX_SKEW {
        return Err(Refusal::Invalid(format!(
            "Signature expired: {raw} is now earlier than {} ({} - 15 min.)",
            amz_format(now - MAX_SKEW),
            amz_format(now)
        )));
    }
    if signed_at > now + MAX_SKEW {
        return Err(Refusal::Invalid(format!(
            "Signature not yet current: {raw} is still later than {} ({} + 15 min.)",
            amz_format(now + MAX_SKEW),
            amz_format(now)
        )));
    }
    Ok(())
}

fn signing_key(secret: &str, date: &str, region: &str, service: &str) -> hmac::Key {
    let step = |key: &[u8], data: &str| {
        hmac::sign(&hmac::Key::new(hmac::HMAC_SHA256, key), data.as_bytes())
    };
    let k_date = step(format!("AWS4{secret}").as_bytes(), date);
    let k_region = step(k_date.as_ref(), region);
    let k_service = step(k_region.as_ref(), service);
    let k_signing = step(k_service.as_ref(), "aws4_request");
    hmac::Key::new(hmac::HMAC_SHA256, k_signing.as_ref())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// AWS's documented SigV4 example (IAM ListUsers, 2015-08-30).
    #[test]
    fn canonicalisation_matches_the_aws_documentation_example() {
        let uri: Uri = "https://iam.amazonaws.com/?Version=2010-05-08&Action=ListUsers"
            .parse()
            .unwrap();
        let mut headers = HeaderMap::new();
        headers.insert(
            "content-type",
            "application/x-www-form-urlencoded; charset=utf-8"
                .parse()
                .unwrap(),
        );
        headers.insert("host", "iam.amazonaws.com".parse().unwrap());
        headers.insert("x-amz-date", "20150830T123600Z".parse().unwrap());
        let header = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, \
                      SignedHeaders=content-type;host;x-amz-date, \
                      Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7";
        let auth = parse_authorization(header).unwrap();
        let empty = hex(digest::digest(&digest::SHA256, b"").as_ref());
        let canonical = canonical_request(&Method::GET, &uri, &headers, &auth, &empty).unwrap();
        assert_eq!(
            hex(digest::digest(&digest::SHA256, canonical.as_bytes()).as_ref()),
            "f536975d06c0309214f805bb90ccff089219ecd68b2577efef23edd43b7e1a59"
        );
        let to_sign = format!(
            "{ALGORITHM}\n20150830T123600Z\n{}\n{}",
            auth.scope,
            hex(digest::digest(&digest::SHA256, canonical.as_bytes()).as_ref())
        );
        let key = signing_key(
            "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
            "20150830",
            "us-east-1",
            "iam",
        );
        assert_eq!(
            hex(hmac::sign(&key, to_sign.as_bytes()).as_ref()),
            auth.signature
        );
    }

    #[test]
    fn malformed_headers_and_dates_are_typed_refusals() {
        assert!(matches!(
            parse_authorization("Bearer x"),
            Err(Refusal::Incomplete(_))
        ));
        assert!(matches!(
            parse_authorization(
                "AWS4-HMAC-SHA256 Credential=a/b/c, SignedHeaders=host, Signature=00"
            ),
            Err(Refusal::Incomplete(_))
        ));
        for bad in [
            "",
            "20150830T1236Z",
            "2015083OT123600Z",
            "20151330T123600Z",
            "20150830T126000Z",
        ] {
            assert_eq!(parse_amz_date(bad), None, "{bad}");
        }
        assert!(parse_amz_date("20150830T123600Z").is_some());
        assert_eq!(unhex("0g"), None);
        assert_eq!(canonical_path("/a b/%2F"), "/a%20b/%252F");
        assert_eq!(canonical_query("b=2&a=%7e&a=1"), "a=1&a=~&b=2");
    }
}
