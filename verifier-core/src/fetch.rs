//! Bounded HTTP GETs for JWKS documents and revocation lists: connect and
//! total timeouts, a size cap, no redirects, status 200 only.

use crate::jwks_cache::JwksSettings;

/// The HTTP client for key and revocation fetches: bounded time, no redirects, rustls.
pub(crate) fn http_client(settings: &JwksSettings) -> Result<reqwest::Client, String> {
    reqwest::Client::builder()
        .connect_timeout(settings.connect_timeout)
        .timeout(settings.timeout)
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("cognito-verifier/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| e.to_string())
}

/// GETs `uri`, refusing anything but a 200 of at most `settings.max_bytes`
/// within `settings.timeout` (which also covers a slow body).
pub(crate) async fn bounded_get(
    http: &reqwest::Client,
    uri: &str,
    settings: &JwksSettings,
) -> Result<Vec<u8>, String> {
    let max = settings.max_bytes;
    let fetch = async {
        let mut response = http
            .get(uri)
            .header(reqwest::header::ACCEPT, "application/json")
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
    tokio::time::timeout(settings.timeout, fetch)
        .await
        .unwrap_or_else(|_| {
            Err(format!(
                "fetch from {uri} timed out after {:?}",
                settings.timeout
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
