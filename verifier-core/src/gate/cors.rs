//! CORS as API Gateway HTTP APIs do it (`allowOrigins`, `allowMethods`,
//! `allowHeaders`, `exposeHeaders`, `maxAge`, `allowCredentials`; AWS
//! developer guide "Configuring CORS for an HTTP API"), decided without a
//! web framework.
//!
//! - A *preflight* is an `OPTIONS` request with `Origin` and
//!   `Access-Control-Request-Method` (the guide: "For the OPTIONS method,
//!   your request must include the origin header and the
//!   Access-Control-Request-Method header"). It is answered here, before and
//!   without authentication (a browser never sends credentials on a
//!   preflight), with `204 No Content`. An origin that is not allowed gets
//!   the same 204 without any `Access-Control-*` header, so the browser
//!   refuses it. The guide states neither the 204 nor the disallowed-origin
//!   answer; both follow what emulators that test against API Gateway
//!   report (UNCONFIRMED against the live service).
//! - Every other request with an `Origin` gets the CORS headers on its
//!   answer, *including the gate's own 401/403/503 refusals*. API Gateway
//!   leaves its gateway responses without them unless each is configured,
//!   so browsers report a CORS error instead of the 401; fixing that is
//!   deliberate. The backend's own `Access-Control-*` headers are dropped
//!   ([`Cors::owns`]), as API Gateway ignores them once CORS is configured.
//! - `allowCredentials` with an `allowOrigins` of `*` is refused at
//!   configuration, as API Gateway refuses it with a 400 ("allow-credentials
//!   is not supported if 'allow-origin' is *", quoted in aws/aws-cdk#9076). Origins are exact (`https://app.example`),
//!   `*`, or the two prefixes the guide lists, `https://*` and `http://*`.
//!   With credentials, a `*` in the methods or headers is answered with the
//!   requested ones (the Fetch standard reads `*` literally then).

use std::borrow::Cow;

use super::request::{HeaderView, RequestHead};
use super::response::Rejection;

/// A CORS configuration that API Gateway would refuse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CorsError {
    /// `allowCredentials` together with the `*` origin.
    #[error("allow_credentials is not supported when allow_origins contains \"*\"")]
    CredentialsWithAnyOrigin,
    /// An origin pattern other than exact, `*`, `https://*` or `http://*`.
    #[error("invalid origin {0:?}: use an exact origin, \"*\", \"https://*\" or \"http://*\"")]
    Origin(String),
    /// A value that cannot be sent in a header.
    #[error("invalid value {0:?}: not a token (letters, digits and !#$%&'*+-.^_`|~)")]
    Token(String),
}

/// Which origins may call.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Origin {
    Any,
    /// Every origin of a scheme (`https://*`): the prefix, `https://`.
    Scheme(String),
    /// One origin, lower case.
    Exact(String),
}

/// A CORS configuration; see the [module docs](self).
///
/// ```
/// use cognito_verifier::gate::Cors;
/// let cors = Cors::new()
///     .allow_origins(["https://app.example"])
///     .allow_headers(["authorization"])
///     .max_age(300)
///     .build()
///     .unwrap();
/// assert!(Cors::owns("access-control-allow-origin"));
/// # let _ = cors;
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Cors {
    origins: Vec<String>,
    parsed: Vec<Origin>,
    methods: Vec<String>,
    headers: Vec<String>,
    expose: Vec<String>,
    max_age: Option<u32>,
    credentials: bool,
}

fn is_token(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

fn own<I: IntoIterator<Item = S>, S: Into<String>>(items: I) -> Vec<String> {
    items.into_iter().map(Into::into).collect()
}

impl Cors {
    /// Nothing allowed yet; add origins, then [`build`](Self::build).
    pub fn new() -> Self {
        Cors::default()
    }

    /// `allowOrigins`.
    pub fn allow_origins<I: IntoIterator<Item = S>, S: Into<String>>(mut self, origins: I) -> Self {
        self.origins = own(origins);
        self
    }

    /// `allowMethods` (`*`: any).
    pub fn allow_methods<I: IntoIterator<Item = S>, S: Into<String>>(mut self, methods: I) -> Self {
        self.methods = own(methods);
        self
    }

    /// `allowHeaders` (`*`: any).
    pub fn allow_headers<I: IntoIterator<Item = S>, S: Into<String>>(mut self, headers: I) -> Self {
        self.headers = own(headers);
        self
    }

    /// `exposeHeaders`.
    pub fn expose_headers<I: IntoIterator<Item = S>, S: Into<String>>(
        mut self,
        headers: I,
    ) -> Self {
        self.expose = own(headers);
        self
    }

    /// `maxAge` in seconds.
    pub fn max_age(mut self, seconds: u32) -> Self {
        self.max_age = Some(seconds);
        self
    }

    /// `allowCredentials`.
    pub fn allow_credentials(mut self, allowed: bool) -> Self {
        self.credentials = allowed;
        self
    }

    /// Checks the configuration as API Gateway does.
    pub fn build(mut self) -> Result<Cors, CorsError> {
        self.parsed = self
            .origins
            .iter()
            .map(|o| match o.as_str() {
                "*" => Ok(Origin::Any),
                "https://*" | "http://*" => Ok(Origin::Scheme(o.trim_end_matches('*').to_owned())),
                _ if o.contains('*') || !o.contains("://") => Err(CorsError::Origin(o.clone())),
                _ => Ok(Origin::Exact(o.trim_end_matches('/').to_ascii_lowercase())),
            })
            .collect::<Result<_, _>>()?;
        if self.credentials && self.parsed.contains(&Origin::Any) {
            return Err(CorsError::CredentialsWithAnyOrigin);
        }
        for value in self.methods.iter().chain(&self.headers).chain(&self.expose) {
            if !is_token(value) {
                return Err(CorsError::Token(value.clone()));
            }
        }
        Ok(self)
    }

    /// Whether a response header is CORS's (`access-control-*`): the
    /// backend's copies are dropped so only this configuration answers.
    pub fn owns(lower_case_name: &str) -> bool {
        lower_case_name.starts_with("access-control-")
    }

    fn allows(&self, origin: &str) -> bool {
        let lower = origin.to_ascii_lowercase();
        self.parsed.iter().any(|rule| match rule {
            Origin::Any => true,
            Origin::Scheme(prefix) => {
                lower.starts_with(prefix.as_str()) && lower.len() > prefix.len()
            }
            Origin::Exact(exact) => *exact == lower,
        })
    }

    /// `Access-Control-Allow-Origin` (and `Vary`) for an allowed `origin`.
    fn origin_headers(&self, origin: &str, out: &mut Vec<(&'static str, String)>) {
        if self.parsed.contains(&Origin::Any) && !self.credentials {
            out.push(("access-control-allow-origin", "*".to_owned()));
        } else {
            out.push(("access-control-allow-origin", origin.to_owned()));
            out.push(("vary", "Origin".to_owned()));
        }
        if self.credentials {
            out.push(("access-control-allow-credentials", "true".to_owned()));
        }
    }

    /// The answer to a preflight, or `None` when the request is not one
    /// (see [`is_preflight`]). Always 204; the CORS headers only when the
    /// origin is allowed.
    pub fn preflight<H: HeaderView>(&self, head: &RequestHead<'_, H>) -> Option<Rejection> {
        if !is_preflight(head) {
            return None;
        }
        let mut headers: Vec<(&'static str, String)> = Vec::new();
        if let Some(origin) = head.single("origin").filter(|o| self.allows(o)) {
            self.origin_headers(origin, &mut headers);
            let wild = |list: &[String]| list.iter().any(|v| v == "*");
            let requested = |name| head.single(name).unwrap_or_default().to_owned();
            let methods = if wild(&self.methods) && self.credentials {
                requested("access-control-request-method")
            } else {
                self.methods.join(",")
            };
            if !methods.is_empty() {
                headers.push(("access-control-allow-methods", methods));
            }
            let allowed_headers = if wild(&self.headers) && self.credentials {
                requested("access-control-request-headers")
            } else {
                self.headers.join(",")
            };
            if !allowed_headers.is_empty() {
                headers.push(("access-control-allow-headers", allowed_headers));
            }
            if let Some(age) = self.max_age {
                headers.push(("access-control-max-age", age.to_string()));
            }
        }
        Some(Rejection {
            status: 204,
            headers: headers
                .into_iter()
                .map(|(n, v)| (n, Cow::Owned(v)))
                .collect(),
            body: Cow::Borrowed(""),
            reason: "cors_preflight",
        })
    }

    /// The CORS headers of the answer to a request that is not a
    /// preflight (an upstream's answer or a refusal): empty without an
    /// allowed `Origin`.
    pub fn response_headers<H: HeaderView>(
        &self,
        head: &RequestHead<'_, H>,
    ) -> Vec<(&'static str, String)> {
        let mut out = Vec::new();
        if let Some(origin) = head.single("origin").filter(|o| self.allows(o)) {
            self.origin_headers(origin, &mut out);
            if !self.expose.is_empty() {
                out.push(("access-control-expose-headers", self.expose.join(",")));
            }
        }
        out
    }
}

/// Whether a request is a CORS preflight: `OPTIONS` with an `Origin` and an
/// `Access-Control-Request-Method`. A gate with
/// [`pass_preflight`](super::Gate::pass_preflight) admits these as guests.
pub fn is_preflight<H: HeaderView>(head: &RequestHead<'_, H>) -> bool {
    head.method == "OPTIONS"
        && head.headers.values("origin").next().is_some()
        && head
            .headers
            .values("access-control-request-method")
            .next()
            .is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::gate::request::TestHeaders;

    fn preflight_from(origin: &'static str) -> TestHeaders {
        TestHeaders::text(&[
            ("origin", origin),
            ("access-control-request-method", "PUT"),
            ("access-control-request-headers", "authorization,x-trace"),
        ])
    }

    fn header<'a>(h: &'a [(&'static str, Cow<'static, str>)], name: &str) -> Option<&'a str> {
        h.iter().find(|(n, _)| *n == name).map(|(_, v)| v.as_ref())
    }

    #[test]
    fn credentials_with_any_origin_is_refused() {
        let err = Cors::new()
            .allow_origins(["*"])
            .allow_credentials(true)
            .build()
            .unwrap_err();
        assert_eq!(err, CorsError::CredentialsWithAnyOrigin);
        for bad in ["https://*.example.com", "example.com"] {
            assert!(Cors::new().allow_origins([bad]).build().is_err(), "{bad}");
        }
        assert!(Cors::new().allow_headers(["bad header"]).build().is_err());
    }

    #[test]
    fn preflight_from_an_allowed_origin() {
        let cors = Cors::new()
            .allow_origins(["https://app.example"])
            .allow_methods(["GET", "PUT"])
            .allow_headers(["authorization"])
            .max_age(300)
            .build()
            .unwrap();
        let map = preflight_from("https://APP.example");
        let answer = cors
            .preflight(&RequestHead::new("OPTIONS", "/x", &map))
            .unwrap();
        assert_eq!(answer.status, 204);
        let h = &answer.headers;
        assert_eq!(
            header(h, "access-control-allow-origin"),
            Some("https://APP.example")
        );
        assert_eq!(header(h, "vary"), Some("Origin"));
        assert_eq!(header(h, "access-control-allow-methods"), Some("GET,PUT"));
        assert_eq!(
            header(h, "access-control-allow-headers"),
            Some("authorization")
        );
        assert_eq!(header(h, "access-control-max-age"), Some("300"));
        assert_eq!(header(h, "access-control-allow-credentials"), None);
    }

    #[test]
    fn preflight_from_a_disallowed_origin_has_no_cors_headers() {
        let cors = Cors::new()
            .allow_origins(["https://app.example"])
            .build()
            .unwrap();
        let map = preflight_from("https://evil.example");
        let answer = cors
            .preflight(&RequestHead::new("OPTIONS", "/x", &map))
            .unwrap();
        assert_eq!((answer.status, answer.headers.len()), (204, 0));
    }

    #[test]
    fn not_a_preflight() {
        let cors = Cors::new().allow_origins(["*"]).build().unwrap();
        let only_origin = TestHeaders::text(&[("origin", "https://a.example")]);
        assert!(
            cors.preflight(&RequestHead::new("OPTIONS", "/", &only_origin))
                .is_none()
        );
        let map = preflight_from("https://a.example");
        assert!(
            cors.preflight(&RequestHead::new("GET", "/", &map))
                .is_none()
        );
    }

    #[test]
    fn wildcards() {
        let any = Cors::new()
            .allow_origins(["*"])
            .allow_methods(["*"])
            .allow_headers(["*"])
            .build()
            .unwrap();
        let map = preflight_from("https://a.example");
        let answer = any
            .preflight(&RequestHead::new("OPTIONS", "/", &map))
            .unwrap();
        assert_eq!(
            header(&answer.headers, "access-control-allow-origin"),
            Some("*")
        );
        assert_eq!(
            header(&answer.headers, "access-control-allow-methods"),
            Some("*")
        );
        assert_eq!(header(&answer.headers, "vary"), None);

        let creds = Cors::new()
            .allow_origins(["https://*"])
            .allow_methods(["*"])
            .allow_headers(["*"])
            .allow_credentials(true)
            .build()
            .unwrap();
        let answer = creds
            .preflight(&RequestHead::new("OPTIONS", "/", &map))
            .unwrap();
        let h = &answer.headers;
        assert_eq!(
            header(h, "access-control-allow-origin"),
            Some("https://a.example")
        );
        assert_eq!(header(h, "access-control-allow-credentials"), Some("true"));
        assert_eq!(header(h, "access-control-allow-methods"), Some("PUT"));
        assert_eq!(
            header(h, "access-control-allow-headers"),
            Some("authorization,x-trace")
        );
        let plain_http = preflight_from("http://a.example");
        let answer = creds
            .preflight(&RequestHead::new("OPTIONS", "/", &plain_http))
            .unwrap();
        assert!(
            answer.headers.is_empty(),
            "https://* does not match http://"
        );
    }

    #[test]
    fn actual_request_headers() {
        let cors = Cors::new()
            .allow_origins(["https://app.example"])
            .expose_headers(["x-request-id"])
            .allow_credentials(true)
            .build()
            .unwrap();
        let map = TestHeaders::text(&[("origin", "https://app.example")]);
        let out = cors.response_headers(&RequestHead::new("GET", "/", &map));
        assert_eq!(
            out,
            vec![
                (
                    "access-control-allow-origin",
                    "https://app.example".to_owned()
                ),
                ("vary", "Origin".to_owned()),
                ("access-control-allow-credentials", "true".to_owned()),
                ("access-control-expose-headers", "x-request-id".to_owned()),
            ]
        );
        let none = TestHeaders::text(&[]);
        assert!(
            cors.response_headers(&RequestHead::new("GET", "/", &none))
                .is_empty()
        );
        let other = TestHeaders::text(&[("origin", "https://other.example")]);
        assert!(
            cors.response_headers(&RequestHead::new("GET", "/", &other))
                .is_empty()
        );
    }
}
