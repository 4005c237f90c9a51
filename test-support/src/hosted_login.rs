//! A browser-style sign-in through a hosted login UI, over plain HTTP:
//! follows `/oauth2/authorize` to the login page, submits the form (with
//! its CSRF token) from a cookie jar, and returns where the issuer sends
//! the browser back to. With [`Pkce`] and [`redeem`], the code becomes
//! tokens as an OAuth 2.0 public client would redeem it (RFC 7636).
//!
//! No HTML parser: the hosted pages are small and the form fields are
//! named by the issuer's documented markup (`_csrf`, `username`,
//! `password`).

use aws_lc_rs::digest::{SHA256, digest};
use aws_lc_rs::rand::{SecureRandom, SystemRandom};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use reqwest::Url;
use serde_json::Value;

/// A PKCE verifier and its S256 challenge.
#[derive(Debug, Clone)]
pub struct Pkce {
    /// `code_verifier`: 43 base64url characters from 32 random bytes.
    pub verifier: String,
    /// `code_challenge`: base64url(SHA-256(verifier)).
    pub challenge: String,
}

impl Pkce {
    /// A fresh verifier and its challenge.
    pub fn new() -> Self {
        let mut bytes = [0u8; 32];
        SystemRandom::new()
            .fill(&mut bytes)
            .expect("the system random source works");
        let verifier = URL_SAFE_NO_PAD.encode(bytes);
        let challenge = URL_SAFE_NO_PAD.encode(digest(&SHA256, verifier.as_bytes()));
        Self {
            verifier,
            challenge,
        }
    }
}

impl Default for Pkce {
    fn default() -> Self {
        Self::new()
    }
}

/// An HTTP client for hosted-UI flows: a cookie jar, no redirects followed
/// (each hop is checked), no proxy (loopback only).
pub fn browser_client() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .build()
        .expect("a reqwest client builds")
}

/// The value of the hidden `_csrf` input of an HTML page, if any.
pub fn csrf_of(html: &str) -> Option<String> {
    let at = html.find("name=\"_csrf\"")?;
    let start = html[..at].rfind('<')?;
    let end = at + html[at..].find('>')?;
    let tag = &html[start..end];
    let v = tag.find("value=\"")? + "value=\"".len();
    let len = tag[v..].find('"')?;
    Some(tag[v..v + len].to_string())
}

fn location(resp: &reqwest::Response, base: &Url) -> Result<Url, String> {
    let loc = resp
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| format!("expected a redirect, got {}", resp.status()))?;
    base.join(loc)
        .map_err(|e| format!("bad Location {loc}: {e}"))
}

/// Signs in through the hosted UI at `base` with the authorize request
/// `query` (`response_type`, `client_id`, `redirect_uri`, ...): follows
/// `/oauth2/authorize` to the login page (or straight back, with a session
/// already open), submits `username` and `password`, and returns the URL
/// the issuer redirects the browser to (the client's `redirect_uri` with
/// `code` and `state`, or an error).
pub async fn sign_in(
    http: &reqwest::Client,
    base: &str,
    query: &[(&str, &str)],
    username: &str,
    password: &str,
) -> Result<Url, String> {
    let base = Url::parse(base).map_err(|e| e.to_string())?;
    let mut authorize = base.join("/oauth2/authorize").map_err(|e| e.to_string())?;
    authorize.query_pairs_mut().extend_pairs(query);
    let resp = http
        .get(authorize.clone())
        .send()
        .await
        .map_err(|e| e.to_string())?;
    let next = location(&resp, &authorize)?;
    if next.path() != "/login" {
        return Ok(next); // a session was open already, or an error redirect
    }
    let page = http
        .get(next.clone())
        .send()
        .await
        .map_err(|e| e.to_string())?;
    if !page.status().is_success() {
        return Err(format!("login page answered {}", page.status()));
    }
    let html = page.text().await.map_err(|e| e.to_string())?;
    let csrf = csrf_of(&html).ok_or("the login page has no _csrf field")?;
    let resp = http
        .post(next.clone())
        .form(&[
            ("_csrf", csrf.as_str()),
            ("username", username),
            ("password", password),
        ])
        .send()
        .await
        .map_err(|e| e.to_string())?;
    if resp.status().is_redirection() {
        return location(&resp, &next);
    }
    let status = resp.status();
    let body = resp.text().await.unwrap_or_default();
    let error = body
        .split("id=\"error\"")
        .nth(1)
        .and_then(|s| s.split('>').nth(1))
        .and_then(|s| s.split('<').next())
        .unwrap_or("no error message");
    Err(format!(
        "the login form answered {status}: {}",
        error.trim()
    ))
}

/// The value of query parameter `name` of `url`.
pub fn query_param(url: &Url, name: &str) -> Option<String> {
    url.query_pairs()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

/// Redeems an authorization code at `<base>/oauth2/token` as a public
/// client (PKCE verifier, no secret); returns the JSON answer, or the
/// status and body of a refusal.
pub async fn redeem(
    http: &reqwest::Client,
    base: &str,
    client_id: &str,
    code: &str,
    redirect_uri: &str,
    verifier: &str,
) -> Result<Value, (u16, String)> {
    let resp = http
        .post(format!("{}/oauth2/token", base.trim_end_matches('/')))
        .form(&[
            ("grant_type", "authorization_code"),
            ("client_id", client_id),
            ("code", code),
            ("redirect_uri", redirect_uri),
            ("code_verifier", verifier),
        ])
        .send()
        .await
        .map_err(|e| (0, e.to_string()))?;
    let status = resp.status().as_u16();
    let body = resp.text().await.map_err(|e| (status, e.to_string()))?;
    if status != 200 {
        return Err((status, body));
    }
    serde_json::from_str(&body).map_err(|e| (status, e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csrf_is_read_from_the_hidden_input_whatever_the_attribute_order() {
        let a = r#"<form><input type="hidden" name="_csrf" value="abc-1"><input name="username"></form>"#;
        let b = r#"<input value="xyz_2" type="hidden" name="_csrf" id="_csrf">"#;
        assert_eq!(csrf_of(a).as_deref(), Some("abc-1"));
        assert_eq!(csrf_of(b).as_deref(), Some("xyz_2"));
        assert_eq!(csrf_of("<input name=\"username\">"), None);
    }

    #[test]
    fn pkce_challenge_is_the_s256_of_the_verifier() {
        // RFC 7636 appendix B.
        let v = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
        let c = URL_SAFE_NO_PAD.encode(digest(&SHA256, v.as_bytes()));
        assert_eq!(c, "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
        let p = Pkce::new();
        assert_eq!(p.verifier.len(), 43);
        assert_eq!(
            p.challenge,
            URL_SAFE_NO_PAD.encode(digest(&SHA256, p.verifier.as_bytes()))
        );
        assert_ne!(Pkce::new().verifier, p.verifier);
    }
}
