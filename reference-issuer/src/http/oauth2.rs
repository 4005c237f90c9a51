//! `/oauth2/token`, `/oauth2/userInfo` and `/oauth2/revoke`: form and
//! header decoding (client credentials by HTTP Basic or in the body), the
//! `oauth` domain call, and RFC 6749 JSON answers, as Cognito gives them.

use std::collections::HashMap;

use axum::extract::rejection::FormRejection;
use axum::extract::{Form, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Value, json};

use super::errors::{api_error, oauth_error};
use super::{AppState, blocking};
use crate::error::Error;
use crate::oauth::{
    OAuthError, OAuthErrorKind, TokenResponse, authorization_code, client_auth, client_credentials,
    refresh_token, revoke as revocation, userinfo,
};

/// The form as sent, in order (repeated names kept, to be refused).
type Form_ = Result<Form<Vec<(String, String)>>, FormRejection>;

fn bad_request(e: &OAuthError) -> Response {
    oauth_error(e, StatusCode::BAD_REQUEST)
}

/// The form's parameters; a repeated one is `invalid_request` (RFC 6749
/// §3.1 and §3.2: parameters must not be included more than once).
fn parameters(form: Form_) -> Result<HashMap<String, String>, OAuthError> {
    let Ok(Form(pairs)) = form else {
        return Err(OAuthErrorKind::InvalidRequest.into());
    };
    let mut map = HashMap::with_capacity(pairs.len());
    for (k, v) in pairs {
        if map.insert(k, v).is_some() {
            return Err(
                OAuthError::new(OAuthErrorKind::InvalidRequest).describe("A parameter is repeated")
            );
        }
    }
    Ok(map)
}

fn basic_credentials(headers: &HeaderMap) -> Option<&str> {
    let auth = headers.get("authorization")?.to_str().ok()?;
    auth.strip_prefix("Basic ")
        .or_else(|| auth.strip_prefix("basic "))
}

/// An error answer of the token or revocation endpoint. Failed client
/// authentication (`invalid_client`) is 401 with `WWW-Authenticate: Basic`
/// when the client used Basic (RFC 6749 §5.2), else `body_status` (400 at
/// the token endpoint as Cognito documents it, 401 at revocation).
fn refusal(e: &OAuthError, headers: &HeaderMap, body_status: StatusCode) -> Response {
    if e.kind == OAuthErrorKind::ServerError {
        return oauth_error(e, StatusCode::INTERNAL_SERVER_ERROR);
    }
    if e.kind != OAuthErrorKind::InvalidClient {
        return bad_request(e);
    }
    let status = if basic_credentials(headers).is_some() {
        StatusCode::UNAUTHORIZED
    } else {
        body_status
    };
    let mut resp = oauth_error(e, status);
    if status == StatusCode::UNAUTHORIZED {
        resp.headers_mut().insert(
            "www-authenticate",
            HeaderValue::from_static("Basic realm=\"cognito-issuer\""),
        );
    }
    resp
}

fn json_ok(body: Value) -> Response {
    let mut resp = (StatusCode::OK, body.to_string()).into_response();
    resp.headers_mut().insert(
        "content-type",
        HeaderValue::from_static("application/json;charset=UTF-8"),
    );
    resp.headers_mut()
        .insert("cache-control", HeaderValue::from_static("no-store"));
    resp
}

/// Client credentials from the Basic header or the form body.
fn client_credentials_of(
    headers: &HeaderMap,
    form: &HashMap<String, String>,
) -> Result<(String, Option<String>), OAuthError> {
    let invalid = || OAuthError::new(OAuthErrorKind::InvalidClient);
    if let Some(b64) = basic_credentials(headers) {
        let raw = STANDARD
            .decode(b64.trim())
            .ok()
            .and_then(|b| String::from_utf8(b).ok())
            .ok_or_else(invalid)?;
        let (id, secret) = raw.split_once(':').ok_or_else(invalid)?;
        let (id, secret) = (
            form_decode(id).ok_or_else(invalid)?,
            form_decode(secret).ok_or_else(invalid)?,
        );
        let (id, secret) = (id.as_str(), secret.as_str());
        // A body naming another client is ambiguous: refused.
        if form.get("client_id").is_some_and(|body_id| body_id != id) {
            return Err(invalid().describe("client_id differs from the Basic credentials"));
        }
        return Ok((id.to_string(), Some(secret.to_string())));
    }
    let id = form
        .get("client_id")
        .filter(|s| !s.is_empty())
        .ok_or_else(invalid)?;
    Ok((id.clone(), form.get("client_secret").cloned()))
}

/// Undoes the `application/x-www-form-urlencoded` encoding RFC 6749
/// §2.3.1 applies to the client id and secret before they are joined and
/// Base64-encoded for HTTP Basic (`+` is a space, `%XX` a byte); `None` if
/// the result is not UTF-8.
fn form_decode(s: &str) -> Option<String> {
    let spaced = s.replace('+', " ");
    percent_encoding::percent_decode_str(&spaced)
        .decode_utf8()
        .ok()
        .map(|c| c.into_owned())
}

fn required<'a>(form: &'a HashMap<String, String>, name: &str) -> Result<&'a str, OAuthError> {
    form.get(name)
        .map(String::as_str)
        .filter(|v| !v.is_empty())
        .ok_or_else(|| OAuthError::new(OAuthErrorKind::InvalidRequest))
}

/// Runs an OAuth call on the blocking pool; a fault is the JSON API's 500.
async fn run<T: Send + 'static>(
    state: &AppState,
    f: impl FnOnce(&crate::issuer::Issuer) -> Result<T, OAuthError> + Send + 'static,
) -> Result<Result<T, OAuthError>, Error> {
    blocking(state, move |issuer| Ok(f(issuer))).await
}

/// `POST /oauth2/token`.
pub(super) async fn token(
    State(state): State<AppState>,
    headers: HeaderMap,
    form: Form_,
) -> Response {
    let form = match parameters(form) {
        Ok(f) => f,
        Err(e) => return bad_request(&e),
    };
    let hdrs = headers.clone();
    let res = run(&state, move |issuer| {
        let grant = required(&form, "grant_type")?.to_string();
        let (id, secret) = client_credentials_of(&headers, &form)?;
        let client = client_auth::authenticate(issuer, &id, secret.as_deref())?;
        match grant.as_str() {
            "client_credentials" => {
                let scope = form.get("scope").map(String::as_str);
                let metadata = form.get("aws_client_metadata").map(String::as_str);
                client_credentials::grant(issuer, &client, scope, metadata)
            }
            "refresh_token" => {
                refresh_token::grant(issuer, &client, required(&form, "refresh_token")?)
            }
            "authorization_code" => {
                let redemption = authorization_code::Redemption {
                    code: required(&form, "code")?,
                    redirect_uri: required(&form, "redirect_uri")?,
                    code_verifier: form.get("code_verifier").map(String::as_str),
                };
                authorization_code::grant(issuer, &client, redemption)
            }
            _ => Err(OAuthErrorKind::UnsupportedGrantType.into()),
        }
    })
    .await;
    match res {
        Ok(Ok(TokenResponse {
            access_token,
            id_token,
            refresh_token,
            expires_in,
        })) => {
            let mut body = json!({
                "access_token": access_token,
                "expires_in": expires_in,
                "token_type": "Bearer",
            });
            if let Some(id) = id_token {
                body["id_token"] = Value::from(id);
            }
            if let Some(r) = refresh_token {
                body["refresh_token"] = Value::from(r);
            }
            json_ok(body)
        }
        Ok(Err(e)) => refusal(&e, &hdrs, StatusCode::BAD_REQUEST),
        Err(e) => api_error(e),
    }
}

fn bearer(headers: &HeaderMap) -> Option<String> {
    let v = headers.get("authorization")?.to_str().ok()?;
    let t = v
        .strip_prefix("Bearer ")
        .or_else(|| v.strip_prefix("bearer "))?;
    Some(t.trim().to_string())
}

/// `GET|POST /oauth2/userInfo`: the attributes within the token's scopes
/// (as strings, like Cognito), `sub` and `username`. A missing bearer token
/// is Cognito's 400 `invalid_request`; a refused token 401 `invalid_token`.
pub(super) async fn user_info(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let Some(token) = bearer(&headers) else {
        let e = OAuthError::new(OAuthErrorKind::InvalidRequest)
            .describe("Bad OAuth2 request at UserInfo Endpoint");
        return user_info_refusal(&e, StatusCode::BAD_REQUEST);
    };
    match run(&state, move |issuer| userinfo::claims(issuer, &token)).await {
        Ok(Ok(claims)) => {
            let m: serde_json::Map<String, Value> = claims
                .into_iter()
                .map(|(k, v)| (k, Value::from(v)))
                .collect();
            json_ok(Value::Object(m))
        }
        Ok(Err(e)) if e.kind == OAuthErrorKind::ServerError => {
            oauth_error(&e, StatusCode::INTERNAL_SERVER_ERROR)
        }
        Ok(Err(e)) => user_info_refusal(&e, StatusCode::UNAUTHORIZED),
        Err(e) => api_error(e),
    }
}

/// A refusal of userInfo, with `WWW-Authenticate` exactly as Cognito's
/// documentation gives it (`error="..", error_description=".."`, no scheme).
fn user_info_refusal(e: &OAuthError, status: StatusCode) -> Response {
    let mut resp = oauth_error(e, status);
    if let Ok(v) = HeaderValue::from_str(&format!(
        "error=\"{}\", error_description=\"{}\"",
        e.kind.code(),
        e.description.as_deref().unwrap_or_default()
    )) {
        resp.headers_mut().insert("www-authenticate", v);
    }
    resp
}

/// `POST /oauth2/revoke`.
pub(super) async fn revoke(
    State(state): State<AppState>,
    headers: HeaderMap,
    form: Form_,
) -> Response {
    let form = match parameters(form) {
        Ok(f) => f,
        Err(e) => return bad_request(&e),
    };
    let hdrs = headers.clone();
    let res = run(&state, move |issuer| {
        let token = required(&form, "token")?.to_string();
        let (id, secret) = client_credentials_of(&headers, &form)?;
        let client = client_auth::authenticate(issuer, &id, secret.as_deref())?;
        revocation::revoke(issuer, &client, &token)
    })
    .await;
    match res {
        Ok(Ok(())) => (StatusCode::OK, "").into_response(),
        Ok(Err(e)) => refusal(&e, &hdrs, StatusCode::UNAUTHORIZED),
        Err(e) => api_error(e),
    }
}

/// The request decoding of `/oauth2/token` and `/oauth2/revoke` on raw
/// bytes, for the `fuzzing` feature: the form body as the handlers extract
/// it, `grant_type`, then the client credentials (HTTP Basic or the body).
/// A header value HTTP cannot carry is treated as absent.
#[cfg(feature = "fuzzing")]
pub(crate) fn decode_token_request(
    authorization: Option<&[u8]>,
    body: &[u8],
) -> Result<(String, String, Option<String>), OAuthError> {
    use axum::extract::FromRequest;
    use std::future::Future;
    use std::task::{Context, Poll, Waker};

    let mut request = axum::http::Request::post("/oauth2/token")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(axum::body::Body::from(body.to_vec()))
        .map_err(|_| OAuthError::new(OAuthErrorKind::InvalidRequest))?;
    if let Some(value) = authorization.and_then(|v| HeaderValue::from_bytes(v).ok()) {
        request.headers_mut().insert("authorization", value);
    }
    let headers = request.headers().clone();
    // A body already in memory: the extractor completes on its first poll.
    let extract = Form::<Vec<(String, String)>>::from_request(request, &());
    let Poll::Ready(form) = std::pin::pin!(extract).poll(&mut Context::from_waker(Waker::noop()))
    else {
        return Err(OAuthError::new(OAuthErrorKind::InvalidRequest));
    };
    let form = parameters(form)?;
    let grant = required(&form, "grant_type")?.to_string();
    let (id, secret) = client_credentials_of(&headers, &form)?;
    Ok((grant, id, secret))
}

#[cfg(test)]
mod tests {
    use super::form_decode;

    #[test]
    fn basic_credentials_are_form_decoded() {
        assert_eq!(
            form_decode("a-fixed-secret").as_deref(),
            Some("a-fixed-secret")
        );
        assert_eq!(
            form_decode("s%2Bcr%3At%20x+y").as_deref(),
            Some("s+cr:t x y")
        );
        assert_eq!(form_decode("%C3%A9").as_deref(), Some("\u{e9}"));
        assert_eq!(form_decode("%FF"), None);
    }
}
