//! Bounded HTTP GETs for JWKS documents and revocation lists: connect and
//! total timeouts, a size cap, no redirects, status 200 only.

use std::time::Duration;

/// The bounds of every fetch: connect timeout (default 2 s), total timeout
/// (5 s) and body size (64 KiB). Set through
/// [`CognitoVerifierBuilder`](crate::CognitoVerifierBuilder)'s `jwks_*`
/// methods, or given whole to
/// [`AlbVerifierBuilder::fetch_limits`](crate::alb::AlbVerifierBuilder::fetch_limits).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FetchLimits {
    pub(crate) connect_timeout: Duration,
    /// Covers connecting, the headers and a slow body.
    pub(crate) timeout: Duration,
    pub(crate) max_bytes: usize,
}

impl Default for FetchLimits {
    fn default() -> Self {
        FetchLimits {
            connect_timeout: Duration::from_secs(2),
            timeout: Duration::from_secs(5),
            max_bytes: 64 * 1024,
        }
    }
}

impl FetchLimits {
    /// These connect and total timeouts (both must be positive).
    pub fn with_timeouts(mut self, connect: Duration, total: Duration) -> Self {
        self.connect_timeout = connect;
        self.timeout = total;
        self
    }

    /// At most this many body bytes (must be positive).
    pub fn with_max_bytes(mut self, bytes: usize) -> Self {
        self.max_bytes = bytes;
        self
    }
}

/// The HTTP client for key and revocation fetches: bounded time, no redirects, rustls.
pub(crate) fn http_client(limits: &FetchLimits) -> Result<reqwest::Client, String> {
    reqwest::Client::builder()
        .connect_timeout(limits.connect_timeout)
        .timeout(limits.timeout)
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("cognito-verifier/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| e.to_string())
}

/// GETs `uri`, refusing anything but a 200 of at most `limits.max_bytes`
/// within `limits.timeout` (which also covers a slow body).
pub(crate) async fn bounded_get(
    http: &reqwest::Client,
    uri: &str,
    limits: &FetchLimits,
) -> Result<Vec<u8>, String> {
    bounded_get_as(http, uri, limits, "application/json").await
}

/// [`bounded_get`] asking for `accept` (an ALB key server answers PEM).
pub(crate) async fn bounded_get_as(
    http: &reqwest::Client,
    uri: &str,
    limits: &FetchLimits,
    accept: &str,
) -> Result<Vec<u8>, String> {
    let max = limits.max_bytes;
    let fetch = async {
        let mut response = http
            .get(uri)
            .header(reqwest::header::ACCEPT, accept)
            .send()
            .await
            .map_err(|e| describe(uri, &e))?;
        if response.status() != reqwest::StatusCode::OK {
            return Err(format!("{uri} answered HTTP {}", response.status()));
        }
        let too_large = || format!("{uri} answered more than {max} bytes");
        if response
            .content_length()
            .is_some_and(|len| len > max as u64)
        {
            return Err(too_large());
        }
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(|e| describe(uri, &e))? {
            if body.len() + chunk.len() > max {
                return Err(too_large());
            }
            body.extend_from_slice(&chunk);
        }
        Ok(body)
    };
    tokio::time::timeout(limits.timeout, fetch)
        .await
        .unwrap_or_else(|_| {
            Err(format!(
                "fetch from {uri} timed out after {:?}",
                limits.timeout
            ))
        })
}

fn describe(uri: &str, error: &reqwest::Error) -> String {
    let what = if error.is_timeout() {
        "timed out"
    } else if error.is_connect() {
        "could not connect"
    } else if error.is_redirect() {
        "redirected (redirects are not followed)"
    } else {
        "failed"
    };
    format!("fetch from {uri} {what}: {error}")
}
