//! The claims object API Gateway hands a backend, so handlers ported from
//! Lambda keep their claim-reading code.
//!
//! - REST API (Cognito user pool authorizer): `requestContext.authorizer.claims`,
//!   every value a string; `exp` and `iat` in Java's `Date.toString()` form
//!   (`Wed May 01 13:10:22 UTC 2024`), arrays comma-joined, objects as JSON text.
//! - HTTP API (JWT authorizer): `requestContext.authorizer.jwt.claims`, every
//!   value a string, arrays as `[a b]`; plus `jwt.scopes` (or `null`).

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::Value;

use crate::claims::CognitoClaims;

/// `requestContext.authorizer` of a REST API with a Cognito user pool authorizer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RestAuthorizer {
    /// Claim name to string value.
    pub claims: BTreeMap<String, String>,
}

/// `requestContext.authorizer` of an HTTP API with a JWT authorizer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HttpAuthorizer {
    /// The `jwt` member.
    pub jwt: HttpJwt,
}

/// `requestContext.authorizer.jwt` of an HTTP API.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HttpJwt {
    /// Claim name to string value.
    pub claims: BTreeMap<String, String>,
    /// The `scope` claim split on spaces, `null` when absent.
    pub scopes: Option<Vec<String>>,
}

impl RestAuthorizer {
    /// The REST authorizer context for `claims`.
    pub fn from_claims(claims: &CognitoClaims) -> Self {
        let claims = claims
            .raw()
            .iter()
            .map(|(name, value)| (name.clone(), rest_claim_text(name, value)))
            .collect();
        RestAuthorizer { claims }
    }
}

impl HttpAuthorizer {
    /// The HTTP API authorizer context for `claims`.
    pub fn from_claims(claims: &CognitoClaims) -> Self {
        let map = claims
            .raw()
            .iter()
            .map(|(name, value)| (name.clone(), http_claim_text(value)))
            .collect();
        let scopes = claims
            .str("scope")
            .map(|s| s.split_ascii_whitespace().map(str::to_owned).collect());
        HttpAuthorizer {
            jwt: HttpJwt {
                claims: map,
                scopes,
            },
        }
    }
}

/// One claim as a REST API Cognito authorizer renders it.
pub(crate) fn rest_claim_text(name: &str, value: &Value) -> String {
    match (name, value) {
        ("exp" | "iat", Value::Number(n)) => {
            n.as_i64().map_or_else(|| n.to_string(), java_date_utc)
        }
        (_, Value::Array(items)) if items.iter().all(is_scalar) => {
            items.iter().map(scalar_text).collect::<Vec<_>>().join(",")
        }
        _ => scalar_text(value),
    }
}

/// One claim as an HTTP API JWT authorizer renders it.
pub(crate) fn http_claim_text(value: &Value) -> String {
    match value {
        Value::Array(items) if items.iter().all(is_scalar) => format!(
            "[{}]",
            items.iter().map(scalar_text).collect::<Vec<_>>().join(" ")
        ),
        _ => scalar_text(value),
    }
}

fn is_scalar(value: &Value) -> bool {
    !matches!(value, Value::Array(_) | Value::Object(_))
}

fn scalar_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Java's `Date.toString()` in UTC: `EEE MMM dd HH:mm:ss zzz yyyy`.
pub fn java_date_utc(epoch_seconds: i64) -> String {
    const DAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let days = epoch_seconds.div_euclid(86_400);
    let secs = epoch_seconds.rem_euclid(86_400);
    let (year, month, day) = civil_from_days(days);
    format!(
        "{} {} {:02} {:02}:{:02}:{:02} UTC {}",
        DAYS[days.rem_euclid(7) as usize],
        MONTHS[(month - 1) as usize],
        day,
        secs / 3600,
        secs % 3600 / 60,
        secs % 60,
        year
    )
}

/// Days since 1970-01-01 to (year, month, day), proleptic Gregorian
/// (Howard Hinnant's algorithm).
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn claims() -> CognitoClaims {
        let v = json!({
            "sub": "u", "cognito:groups": ["admin", "dev"], "email_verified": true,
            "exp": 1714569022, "iat": 1714565422, "auth_time": 1714565422,
            "token_use": "access", "scope": "openid orders/read",
            "identities": [{"providerName": "Google"}], "custom:n": "1"
        });
        CognitoClaims::from_map(v.as_object().unwrap().clone()).unwrap()
    }

    #[test]
    fn java_dates() {
        assert_eq!(java_date_utc(1714569022), "Wed May 01 13:10:22 UTC 2024");
        assert_eq!(java_date_utc(0), "Thu Jan 01 00:00:00 UTC 1970");
        assert_eq!(java_date_utc(951_782_400), "Tue Feb 29 00:00:00 UTC 2000");
        assert_eq!(java_date_utc(1_500_009_442), "Fri Jul 14 05:17:22 UTC 2017");
    }

    #[test]
    fn rest_context() {
        let ctx = RestAuthorizer::from_claims(&claims());
        assert_eq!(ctx.claims["exp"], "Wed May 01 13:10:22 UTC 2024");
        assert_eq!(ctx.claims["iat"], "Wed May 01 12:10:22 UTC 2024");
        assert_eq!(ctx.claims["auth_time"], "1714565422");
        assert_eq!(ctx.claims["cognito:groups"], "admin,dev");
        assert_eq!(ctx.claims["email_verified"], "true");
        assert_eq!(ctx.claims["identities"], r#"[{"providerName":"Google"}]"#);
        let json = serde_json::to_value(&ctx).unwrap();
        assert_eq!(json["claims"]["sub"], "u");
    }

    #[test]
    fn http_context() {
        let ctx = HttpAuthorizer::from_claims(&claims());
        assert_eq!(ctx.jwt.claims["cognito:groups"], "[admin dev]");
        assert_eq!(ctx.jwt.claims["exp"], "1714569022");
        assert_eq!(
            ctx.jwt.scopes.as_deref(),
            Some(&["openid".to_owned(), "orders/read".to_owned()][..])
        );
        let json = serde_json::to_value(&ctx).unwrap();
        assert_eq!(json["jwt"]["claims"]["email_verified"], "true");
        assert_eq!(json["jwt"]["scopes"][1], "orders/read");
    }
}
