//! The `[cors]` section (API Gateway HTTP API's CORS configuration, also
//! what the importer makes of `x-amazon-apigateway-cors`) and how the
//! server applies it. The decisions are `cognito_verifier::gate::Cors`'s.
//!
//! ```toml
//! [cors]
//! allow_origins = ["https://app.example"]
//! allow_methods = ["GET", "POST"]
//! allow_headers = ["authorization", "content-type"]
//! expose_headers = ["x-request-id"]
//! max_age = 300
//! allow_credentials = true
//! ```

use cognito_verifier::gate::{Cors, RequestHead};
use http::{HeaderValue, Response};
use serde::{Deserialize, Serialize};

use crate::headers::View;
use crate::server::{Body, rejection_response};

/// The `[cors]` table.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct CorsSection {
    /// Origins allowed: exact, `*`, `https://*` or `http://*`.
    #[serde(default)]
    pub allow_origins: Vec<String>,
    /// Methods a preflight may ask for (`*`: any).
    #[serde(default)]
    pub allow_methods: Vec<String>,
    /// Request headers a preflight may ask for (`*`: any).
    #[serde(default)]
    pub allow_headers: Vec<String>,
    /// Response headers scripts may read.
    #[serde(default)]
    pub expose_headers: Vec<String>,
    /// Seconds a browser may cache a preflight answer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_age: Option<u32>,
    /// Whether credentials (cookies, `Authorization`) may be sent.
    #[serde(default)]
    pub allow_credentials: bool,
}

impl CorsSection {
    /// The checked configuration.
    pub fn build(&self) -> Result<Cors, cognito_verifier::gate::CorsError> {
        let mut cors = Cors::new()
            .allow_origins(self.allow_origins.iter().cloned())
            .allow_methods(self.allow_methods.iter().cloned())
            .allow_headers(self.allow_headers.iter().cloned())
            .expose_headers(self.expose_headers.iter().cloned())
            .allow_credentials(self.allow_credentials);
        if let Some(age) = self.max_age {
            cors = cors.max_age(age);
        }
        cors.build()
    }
}

/// What CORS makes of a request before it is gated.
pub enum Check {
    /// A preflight: answer this, without authentication.
    Preflight(Response<Body>),
    /// Anything else: these headers go on whatever the answer is.
    Headers(Vec<(&'static str, String)>),
}

/// Looks at a request's method, target and `Origin`.
pub fn check<B>(cors: &Cors, req: &http::Request<B>) -> Check {
    let view = View(req.headers());
    let target = req.uri().path_and_query().map_or("/", |pq| pq.as_str());
    let head = RequestHead::new(req.method().as_str(), target, &view);
    match cors.preflight(&head) {
        Some(answer) => Check::Preflight(rejection_response(answer)),
        None => Check::Headers(cors.response_headers(&head)),
    }
}

/// Replaces the `Access-Control-*` headers of `response` (an upstream's
/// answer or a refusal) with `cors_headers`.
pub fn apply(cors_headers: Vec<(&'static str, String)>, response: &mut Response<Body>) {
    let headers = response.headers_mut();
    let owned: Vec<http::HeaderName> = headers
        .keys()
        .filter(|name| Cors::owns(name.as_str()))
        .cloned()
        .collect();
    for name in owned {
        headers.remove(name);
    }
    for (name, value) in cors_headers {
        if let Ok(value) = HeaderValue::from_str(&value) {
            headers.append(name, value);
        }
    }
}
