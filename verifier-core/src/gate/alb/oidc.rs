//! The OpenID Connect client of authenticate mode: discovery, the code and
//! refresh grants at the token endpoint (`client_secret_basic`), userInfo.
//!
//! Every call is bounded like a JWKS fetch ([`FetchLimits`]: connect and
//! total timeouts, a body size cap, no redirects).

use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::{Map, Value};
use url::form_urlencoded;

use crate::error::ConfigError;
use crate::fetch::{FetchLimits, http_client};

/// What went wrong talking to the identity provider.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum IdpError {
    /// Unreachable, timed out, a 5xx, or an answer over the size cap.
    #[error("identity provider unavailable: {0}")]
    Unavailable(String),
    /// A 4xx answer (an OAuth error such as `invalid_grant`).
    #[error("identity provider refused: {0}")]
    Refused(String),
    /// A 2xx answer that is not what the protocol requires.
    #[error("identity provider answered an invalid document: {0}")]
    Invalid(String),
    /// A discovered or configured endpoint is not an absolute http(s) URL.
    #[error(transparent)]
    Config(#[from] ConfigError),
}

/// The endpoints of an OpenID provider (a Cognito user pool domain or any
/// OIDC issuer).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdentityProvider {
    issuer: String,
    authorization: String,
    token: String,
    userinfo: String,
    end_session: Option<String>,
    limits: FetchLimits,
}

impl IdentityProvider {
    /// Reads `<issuer>/.well-known/openid-configuration`: `issuer` must equal
    /// the given issuer (OIDC Discovery 4.3), and `authorization_endpoint`,
    /// `token_endpoint` and `userinfo_endpoint` are required.
    /// `end_session_endpoint` is optional; a provider without one whose
    /// authorization endpoint ends in `/oauth2/authorize` (a Cognito domain)
    /// gets `<domain>/logout`.
    pub async fn discover(issuer: &str, limits: &FetchLimits) -> Result<Self, IdpError> {
        let issuer = issuer.trim_end_matches('/');
        let http = http_client(limits).map_err(IdpError::Unavailable)?;
        let uri = format!("{issuer}/.well-known/openid-configuration");
        let body = crate::fetch::bounded_get(&http, &uri, limits)
            .await
            .map_err(IdpError::Unavailable)?;
        let doc: Map<String, Value> = serde_json::from_slice(&body)
            .map_err(|_| IdpError::Invalid(format!("{uri}: not a JSON object")))?;
        let text = |name: &'static str| -> Result<Option<&str>, IdpError> {
            match doc.get(name) {
                None | Some(Value::Null) => Ok(None),
                Some(Value::String(s)) => Ok(Some(s.as_str())),
                Some(_) => Err(IdpError::Invalid(format!("{uri}: {name} is not a string"))),
            }
        };
        let required = |name: &'static str| {
            text(name)?.ok_or_else(|| IdpError::Invalid(format!("{uri}: {name} is missing")))
        };
        let found = required("issuer")?;
        if found.trim_end_matches('/') != issuer {
            return Err(IdpError::Invalid(format!(
                "{uri}: issuer {found:?} is not {issuer:?}"
            )));
        }
        let authorization = required("authorization_endpoint")?;
        let end_session = text("end_session_endpoint")?
            .map(str::to_owned)
            .or_else(|| {
                authorization
                    .strip_suffix("/oauth2/authorize")
                    .map(|domain| format!("{domain}/logout"))
            });
        Ok(Self::from_endpoints(
            found,
            authorization,
            required("token_endpoint")?,
            required("userinfo_endpoint")?,
            end_session.as_deref(),
        )?
        .with_fetch_limits(*limits))
    }

    /// A provider from its endpoints, each an absolute http(s) URL.
    pub fn from_endpoints(
        issuer: &str,
        authorization: &str,
        token: &str,
        userinfo: &str,
        end_session: Option<&str>,
    ) -> Result<Self, ConfigError> {
        Ok(IdentityProvider {
            issuer: checked_url(issuer)?,
            authorization: checked_url(authorization)?,
            token: checked_url(token)?,
            userinfo: checked_url(userinfo)?,
            end_session: end_session.map(checked_url).transpose()?,
            limits: FetchLimits::default(),
        })
    }

    /// Bounds of the token and userInfo calls (default [`FetchLimits::default`]).
    pub fn with_fetch_limits(mut self, limits: FetchLimits) -> Self {
        self.limits = limits;
        self
    }

    /// The issuer (`iss` of its tokens).
    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    /// The authorization endpoint browsers are sent to.
    pub fn authorization_endpoint(&self) -> &str {
        &self.authorization
    }

    /// The token endpoint.
    pub fn token_endpoint(&self) -> &str {
        &self.token
    }

    /// The userInfo endpoint.
    pub fn userinfo_endpoint(&self) -> &str {
        &self.userinfo
    }

    /// The logout endpoint, if known.
    pub fn end_session_endpoint(&self) -> Option<&str> {
        self.end_session.as_deref()
    }

    pub(crate) fn limits(&self) -> &FetchLimits {
        &self.limits
    }
}

fn checked_url(text: &str) -> Result<String, ConfigError> {
    let invalid = |reason: &str| ConfigError::InvalidUrl {
        url: text.to_owned(),
        reason: reason.to_owned(),
    };
    let url = url::Url::parse(text).map_err(|e| invalid(&e.to_string()))?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(invalid("must be an absolute http(s) URL"));
    }
    if url.fragment().is_some() {
        return Err(invalid("must not have a fragment"));
    }
    Ok(text.to_owned())
}

/// What the token endpoint answered.
#[derive(Debug, Clone)]
pub(crate) struct Tokens {
    pub(crate) access_token: String,
    pub(crate) id_token: Option<String>,
    pub(crate) refresh_token: Option<String>,
    /// Expiry of the access token: its `exp` claim if it is a JWT, else now + `expires_in`.
    pub(crate) access_exp: i64,
}

/// The OIDC calls of one configured client.
#[derive(Debug, Clone)]
pub(crate) struct OidcClient {
    pub(crate) idp: IdentityProvider,
    pub(crate) client_id: String,
    basic: String,
    http: reqwest::Client,
}

impl OidcClient {
    pub(crate) fn new(
        idp: IdentityProvider,
        client_id: &str,
        client_secret: &str,
    ) -> Result<Self, ConfigError> {
        let http = http_client(idp.limits())
            .map_err(|_| ConfigError::InvalidSetting("alb: HTTP client could not be built"))?;
        // RFC 6749 2.3.1: both parts form-encoded before base64.
        let pair = format!(
            "{}:{}",
            form_urlencoded::byte_serialize(client_id.as_bytes()).collect::<String>(),
            form_urlencoded::byte_serialize(client_secret.as_bytes()).collect::<String>()
        );
        let basic = format!("Basic {}", base64_simd::STANDARD.encode_to_string(pair));
        Ok(OidcClient {
            idp,
            client_id: client_id.to_owned(),
            basic,
            http,
        })
    }

    /// `grant_type=authorization_code`.
    pub(crate) async fn redeem(&self, code: &str, redirect_uri: &str) -> Result<Tokens, IdpError> {
        let form = form_urlencoded::Serializer::new(String::new())
            .append_pair("grant_type", "authorization_code")
            .append_pair("client_id", &self.client_id)
            .append_pair("code", code)
            .append_pair("redirect_uri", redirect_uri)
            .finish();
        self.token_call(form).await
    }

    /// `grant_type=refresh_token`.
    pub(crate) async fn refresh(&self, refresh_token: &str) -> Result<Tokens, IdpError> {
        let form = form_urlencoded::Serializer::new(String::new())
            .append_pair("grant_type", "refresh_token")
            .append_pair("client_id", &self.client_id)
            .append_pair("refresh_token", refresh_token)
            .finish();
        self.token_call(form).await
    }

    async fn token_call(&self, form: String) -> Result<Tokens, IdpError> {
        let request = self
            .http
            .post(&self.idp.token)
            .header(reqwest::header::AUTHORIZATION, &self.basic)
            .header(
                reqwest::header::CONTENT_TYPE,
                "application/x-www-form-urlencoded",
            )
            .header(reqwest::header::ACCEPT, "application/json")
            .body(form);
        let doc = self.call(request, &self.idp.token).await?;
        let text = |name: &str| doc.get(name).and_then(Value::as_str).map(str::to_owned);
        let access_token = text("access_token")
            .filter(|t| !t.is_empty())
            .ok_or_else(|| IdpError::Invalid("token answer without access_token".into()))?;
        let expires_in = doc.get("expires_in").and_then(Value::as_i64);
        let access_exp = jwt_payload(&access_token)
            .and_then(|p| p.get("exp").and_then(Value::as_i64))
            .or_else(|| expires_in.map(|s| unix_now().saturating_add(s)))
            // Neither: treat as one hour, Cognito's default.
            .unwrap_or_else(|| unix_now() + 3600);
        Ok(Tokens {
            access_token,
            id_token: text("id_token"),
            refresh_token: text("refresh_token").filter(|t| !t.is_empty()),
            access_exp,
        })
    }

    /// `GET userInfo` with the access token.
    pub(crate) async fn userinfo(
        &self,
        access_token: &str,
    ) -> Result<Map<String, Value>, IdpError> {
        let request = self
            .http
            .get(&self.idp.userinfo)
            .bearer_auth(access_token)
            .header(reqwest::header::ACCEPT, "application/json");
        let doc = self.call(request, &self.idp.userinfo).await?;
        match doc.get("sub") {
            Some(Value::String(sub)) if !sub.is_empty() => Ok(doc),
            _ => Err(IdpError::Invalid("userInfo without sub".into())),
        }
    }

    /// Sends `request`; a 200 JSON object within the limits, else an error.
    async fn call(
        &self,
        request: reqwest::RequestBuilder,
        uri: &str,
    ) -> Result<Map<String, Value>, IdpError> {
        let limits = self.idp.limits;
        let max = limits.max_bytes;
        let call = async {
            let mut response = request
                .send()
                .await
                .map_err(|e| IdpError::Unavailable(format!("{uri}: {e}")))?;
            let status = response.status();
            let mut body = Vec::new();
            while let Some(chunk) = response
                .chunk()
                .await
                .map_err(|e| IdpError::Unavailable(format!("{uri}: {e}")))?
            {
                if body.len() + chunk.len() > max {
                    return Err(IdpError::Unavailable(format!(
                        "{uri} answered more than {max} bytes"
                    )));
                }
                body.extend_from_slice(&chunk);
            }
            if status.is_client_error() {
                let error = serde_json::from_slice::<Map<String, Value>>(&body)
                    .ok()
                    .and_then(|m| m.get("error").and_then(Value::as_str).map(str::to_owned))
                    .unwrap_or_default();
                return Err(IdpError::Refused(format!("{uri}: HTTP {status} {error}")));
            }
            if status != reqwest::StatusCode::OK {
                return Err(IdpError::Unavailable(format!("{uri}: HTTP {status}")));
            }
            serde_json::from_slice::<Map<String, Value>>(&body)
                .map_err(|_| IdpError::Invalid(format!("{uri}: not a JSON object")))
        };
        tokio::time::timeout(limits.timeout, call)
            .await
            .unwrap_or_else(|_| Err(IdpError::Unavailable(format!("{uri}: timed out"))))
    }
}

/// The payload of a compact JWT, unverified (the token came straight from the
/// token endpoint over the back channel; OIDC Core 3.1.3.7 lets a client
/// skip the ID token's signature then). `None` if it is not one.
pub(crate) fn jwt_payload(token: &str) -> Option<Map<String, Value>> {
    let mut parts = token.split('.');
    let (_, payload, _, None) = (parts.next()?, parts.next()?, parts.next()?, parts.next()) else {
        return None;
    };
    let json = base64_simd::URL_SAFE_NO_PAD
        .decode_to_vec(payload.trim_end_matches('='))
        .ok()?;
    serde_json::from_slice(&json).ok()
}

/// Checks an ID token from the code grant (OIDC Core 3.1.3.7 without the
/// signature): `iss`, `aud` contains the client, `exp` in the future, and
/// `nonce` equal to the nonce cookie. Returns its `sub`.
pub(crate) fn check_id_token(
    id_token: &str,
    issuer: &str,
    client_id: &str,
    nonce: &str,
    now: i64,
) -> Result<String, &'static str> {
    let claims = jwt_payload(id_token).ok_or("id token is not a JWT")?;
    let text = |name| claims.get(name).and_then(Value::as_str);
    if text("iss").map(|i| i.trim_end_matches('/')) != Some(issuer.trim_end_matches('/')) {
        return Err("id token issuer");
    }
    let audience_ok = match claims.get("aud") {
        Some(Value::String(aud)) => aud == client_id,
        Some(Value::Array(auds)) => auds.iter().any(|a| a.as_str() == Some(client_id)),
        _ => false,
    };
    if !audience_ok {
        return Err("id token audience");
    }
    if claims
        .get("exp")
        .and_then(Value::as_i64)
        .is_none_or(|exp| exp + 60 < now)
    {
        return Err("id token expired");
    }
    let nonce_ok = text("nonce").is_some_and(|n| {
        aws_lc_rs::constant_time::verify_slices_are_equal(n.as_bytes(), nonce.as_bytes()).is_ok()
    });
    if !nonce_ok {
        return Err("id token nonce");
    }
    text("sub")
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .ok_or("id token without sub")
}

pub(crate) fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jwt(payload: &Value) -> String {
        let enc = |v: &[u8]| base64_simd::URL_SAFE_NO_PAD.encode_to_string(v);
        format!(
            "{}.{}.sig",
            enc(br#"{"alg":"RS256"}"#),
            enc(payload.to_string().as_bytes())
        )
    }

    #[test]
    fn id_token_checks() {
        let iss = "http://127.0.0.1:1/us-east-1_X";
        let good =
            serde_json::json!({"iss": iss, "aud": "c", "exp": 2000, "nonce": "n", "sub": "u"});
        assert_eq!(
            check_id_token(&jwt(&good), iss, "c", "n", 1000),
            Ok("u".into())
        );
        let cases = [
            ("nonce", serde_json::json!("other"), "id token nonce"),
            ("aud", serde_json::json!("d"), "id token audience"),
            ("aud", serde_json::json!(["d", "c"]), ""),
            ("iss", serde_json::json!("http://evil"), "id token issuer"),
            ("exp", serde_json::json!(100), "id token expired"),
        ];
        for (name, value, want) in cases {
            let mut claims = good.clone();
            claims[name] = value;
            let got = check_id_token(&jwt(&claims), iss, "c", "n", 1000);
            if want.is_empty() {
                assert!(got.is_ok(), "{name}");
            } else {
                assert_eq!(got, Err(want), "{name}");
            }
        }
        assert!(check_id_token("not-a-jwt", iss, "c", "n", 1000).is_err());
        let mut no_nonce = good;
        no_nonce.as_object_mut().unwrap().remove("nonce");
        assert_eq!(
            check_id_token(&jwt(&no_nonce), iss, "c", "n", 1000),
            Err("id token nonce")
        );
    }

    #[test]
    fn endpoints_are_checked() {
        assert!(
            IdentityProvider::from_endpoints(
                "https://i",
                "https://i/a",
                "https://i/t",
                "https://i/u",
                None
            )
            .is_ok()
        );
        assert!(
            IdentityProvider::from_endpoints("https://i", "/a", "https://i/t", "https://i/u", None)
                .is_err()
        );
        assert!(
            IdentityProvider::from_endpoints(
                "https://i",
                "ftp://i/a",
                "https://i/t",
                "https://i/u",
                None
            )
            .is_err()
        );
    }
}
