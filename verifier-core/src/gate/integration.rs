//! What a gatekeeper in front of a backend answers when the backend (API
//! Gateway's "integration") does not: the status and body each preset's
//! API Gateway sends.
//!
//! Sources:
//! - REST API: the gateway response types `INTEGRATION_TIMEOUT` and
//!   `INTEGRATION_FAILURE` both default to **504** with the body
//!   `{"message":$context.error.messageString}` (AWS developer guide,
//!   "Gateway response types for API Gateway",
//!   `supported-gateway-response-types`). The timeout's message string is
//!   `Endpoint request timed out` (observed: request/request-promise#154,
//!   ks888/LambStatus#36). The failure's message string is not documented;
//!   we send `Network error communicating with endpoint`, the wording AWS's
//!   knowledge-center article `api-gateway-network-endpoint-error` quotes
//!   for that case (UNCONFIRMED as a response body).
//! - HTTP API: a timed-out integration answers **503**
//!   `{"message":"Service Unavailable"}` (observed capture with an
//!   `apigw-requestid` header: cortexlabs/cortex#1225; AWS's 504 article
//!   `api-gateway-504-errors` speaks of the REST API's timeout parameter).
//!   The answer to a refused connection is not documented; we send the same
//!   503 (UNCONFIRMED).
//! - Strict: RFC 9110's 504 Gateway Timeout and 502 Bad Gateway, JSON bodies
//!   in the strict preset's `error` / `error_description` form.

use std::borrow::Cow;

use super::Preset;
use super::response::Rejection;

const JSON: (&str, Cow<'static, str>) = ("content-type", Cow::Borrowed("application/json"));

impl Preset {
    /// No route matches the request's method and path. REST APIs answer
    /// the `MISSING_AUTHENTICATION_TOKEN` gateway response, 403 (AWS
    /// developer guide, `supported-gateway-response-types`), whose message
    /// string `Missing Authentication Token` is the widely captured one;
    /// HTTP APIs answer 404 `{"message":"Not Found"}` (observed, UNCONFIRMED
    /// in AWS's documentation).
    pub fn route_not_found(self) -> Rejection {
        let (status, body) = match self {
            Preset::ApiGatewayRest => (403, r#"{"message":"Missing Authentication Token"}"#),
            Preset::ApiGatewayHttp => (404, r#"{"message":"Not Found"}"#),
            Preset::Strict => (
                404,
                r#"{"error":"not_found","error_description":"no route matches the request"}"#,
            ),
        };
        Rejection {
            status,
            headers: vec![JSON],
            body: Cow::Borrowed(body),
            reason: "no_route",
        }
    }

    /// The backend did not answer within the integration timeout.
    pub fn integration_timeout(self) -> Rejection {
        let (status, headers, body) = match self {
            Preset::ApiGatewayRest => (
                504,
                vec![JSON],
                r#"{"message": "Endpoint request timed out"}"#,
            ),
            Preset::ApiGatewayHttp => (503, vec![JSON], r#"{"message":"Service Unavailable"}"#),
            Preset::Strict => (
                504,
                vec![JSON],
                r#"{"error":"gateway_timeout","error_description":"the upstream did not answer in time"}"#,
            ),
        };
        Rejection {
            status,
            headers,
            body: Cow::Borrowed(body),
            reason: "integration_timeout",
        }
    }

    /// The backend could not be reached or broke the connection.
    pub fn integration_failure(self) -> Rejection {
        let (status, headers, body) = match self {
            Preset::ApiGatewayRest => (
                504,
                vec![JSON],
                r#"{"message": "Network error communicating with endpoint"}"#,
            ),
            Preset::ApiGatewayHttp => (503, vec![JSON], r#"{"message":"Service Unavailable"}"#),
            Preset::Strict => (
                502,
                vec![JSON],
                r#"{"error":"bad_gateway","error_description":"the upstream could not be reached"}"#,
            ),
        };
        Rejection {
            status,
            headers,
            body: Cow::Borrowed(body),
            reason: "integration_failure",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_per_preset() {
        let statuses = |p: Preset| {
            (
                p.integration_timeout().status,
                p.integration_failure().status,
            )
        };
        assert_eq!(statuses(Preset::ApiGatewayRest), (504, 504));
        assert_eq!(statuses(Preset::ApiGatewayHttp), (503, 503));
        assert_eq!(statuses(Preset::Strict), (504, 502));
        assert_eq!(
            Preset::ApiGatewayRest.integration_timeout().body,
            r#"{"message": "Endpoint request timed out"}"#
        );
        for p in [
            Preset::Strict,
            Preset::ApiGatewayRest,
            Preset::ApiGatewayHttp,
        ] {
            let body = p.integration_failure().body;
            assert!(
                serde_json::from_str::<serde_json::Value>(&body).is_ok(),
                "{body}"
            );
        }
    }
}
