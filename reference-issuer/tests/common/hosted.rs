//! The hosted UI and `/oauth2/token` driven over real HTTP like a browser
//! without JavaScript: a cookie jar, the login form's `_csrf`, codes at
//! the callback.

use std::collections::BTreeMap;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Value, json};

use super::{PASSWORD, ok};

pub(crate) const CB: &str = "https://app.example/callback";
pub(crate) const SCOPES: [&str; 5] = [
    "phone",
    "openid",
    "email",
    "profile",
    "aws.cognito.signin.user.admin",
];

/// A hosted-UI client of the pool (public, or confidential with a secret).
pub(crate) async fn oauth_client(
    base: &str,
    pool_id: &str,
    secret: bool,
) -> (String, Option<String>) {
    let c = ok(
        base,
        "CreateUserPoolClient",
        json!({ "UserPoolId": pool_id, "ClientName": "web", "GenerateSecret": secret,
                "AllowedOAuthFlows": ["code", "implicit"],
                "AllowedOAuthScopes": SCOPES,
                "AllowedOAuthFlowsUserPoolClient": true,
                "CallbackURLs": [CB, "https://app.example/other"],
                "SupportedIdentityProviders": ["COGNITO"],
                "ExplicitAuthFlows": ["ALLOW_REFRESH_TOKEN_AUTH"] }),
    )
    .await;
    let c = &c["UserPoolClient"];
    (
        c["ClientId"].as_str().unwrap().to_string(),
        c["ClientSecret"].as_str().map(str::to_string),
    )
}

pub(crate) fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

pub(crate) fn form_body(form: &[(&str, &str)]) -> String {
    form.iter()
        .map(|(k, v)| format!("{k}={}", enc(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// The value of `name` in a query string (percent-decoded).
pub(crate) fn param(query: &str, name: &str) -> Option<String> {
    query.split('&').find_map(|kv| {
        let (k, v) = kv.split_once('=')?;
        (k == name).then(|| {
            percent_encoding::percent_decode_str(&v.replace('+', " "))
                .decode_utf8()
                .unwrap()
                .into_owned()
        })
    })
}

/// A browser without JavaScript: a cookie jar, redirects not followed.
pub(crate) struct Browser {
    http: reqwest::Client,
    base: String,
    cookies: BTreeMap<String, String>,
}

pub(crate) struct Page {
    /// HTTP status.
    pub status: u16,
    /// `Location`, if any.
    pub location: Option<String>,
    /// The body.
    pub body: String,
}

impl Browser {
    pub(crate) fn new(base: &str) -> Self {
        Self {
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            base: base.to_string(),
            cookies: BTreeMap::new(),
        }
    }

    pub(crate) fn absolute(&self, url: &str) -> String {
        if url.starts_with('/') {
            format!("{}{url}", self.base)
        } else {
            url.to_string()
        }
    }

    pub(crate) async fn send(&mut self, req: reqwest::RequestBuilder) -> Page {
        let mut req = req;
        if !self.cookies.is_empty() {
            let jar: Vec<String> = self
                .cookies
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect();
            req = req.header("cookie", jar.join("; "));
        }
        let resp = req.send().await.unwrap();
        for c in resp.headers().get_all("set-cookie") {
            let c = c.to_str().unwrap();
            let (kv, _) = c.split_once(';').unwrap_or((c, ""));
            if let Some((k, v)) = kv.split_once('=') {
                self.cookies
                    .insert(k.trim().to_string(), v.trim().to_string());
            }
        }
        Page {
            status: resp.status().as_u16(),
            location: resp
                .headers()
                .get("location")
                .map(|l| l.to_str().unwrap().to_string()),
            body: resp.text().await.unwrap(),
        }
    }

    pub(crate) async fn get(&mut self, url: &str) -> Page {
        let url = self.absolute(url);
        let req = self.http.get(url);
        self.send(req).await
    }

    pub(crate) async fn post(&mut self, url: &str, form: &[(&str, &str)]) -> Page {
        let url = self.absolute(url);
        let req = self
            .http
            .post(url)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(form_body(form));
        self.send(req).await
    }
}

/// The `value` of the hidden `_csrf` input of a page.
pub(crate) fn csrf_of(html: &str) -> String {
    let at = html.find("name=\"_csrf\"").expect("a _csrf field");
    let start = html[..at].rfind('<').unwrap();
    let end = at + html[at..].find('>').unwrap();
    let tag = &html[start..end];
    let v = tag.find("value=\"").expect("a value") + 7;
    let len = tag[v..].find('"').unwrap();
    tag[v..v + len].to_string()
}

/// The authorization request's query.
pub(crate) fn authorize_query(client_id: &str, extra: &[(&str, &str)]) -> String {
    let mut q = vec![
        ("response_type", "code"),
        ("client_id", client_id),
        ("redirect_uri", CB),
        ("state", "xyz 1&2"),
    ];
    q.extend_from_slice(extra);
    form_body(&q)
}

/// Signs `username` in through the hosted UI; returns the callback URL
/// the browser is sent to.
pub(crate) async fn hosted_sign_in(b: &mut Browser, query: &str, username: &str) -> String {
    let r = b.get(&format!("/oauth2/authorize?{query}")).await;
    assert_eq!(r.status, 302, "{}", r.body);
    let login = r.location.unwrap();
    assert!(login.contains("/login?"), "{login}");
    let page = b.get(&login).await;
    assert_eq!(page.status, 200, "{}", page.body);
    let csrf = csrf_of(&page.body);
    let r = b
        .post(
            &login,
            &[
                ("_csrf", &csrf),
                ("username", username),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(r.status, 302, "{}", r.body);
    r.location.unwrap()
}

/// A code for `username` (with the callback's `state` checked).
pub(crate) async fn code_for(
    base: &str,
    client_id: &str,
    username: &str,
    extra: &[(&str, &str)],
) -> String {
    let mut b = Browser::new(base);
    let cb = hosted_sign_in(&mut b, &authorize_query(client_id, extra), username).await;
    let q = cb.strip_prefix(&format!("{CB}?")).expect("the callback");
    assert_eq!(param(q, "state").as_deref(), Some("xyz 1&2"));
    param(q, "code").unwrap()
}

/// `POST /oauth2/token`; (status, JSON body).
pub(crate) async fn token(
    base: &str,
    basic: Option<(&str, &str)>,
    form: &[(&str, &str)],
) -> (u16, Value) {
    let mut req = reqwest::Client::new()
        .post(format!("{base}/oauth2/token"))
        .header("content-type", "application/x-www-form-urlencoded");
    if let Some((id, secret)) = basic {
        let b64 = STANDARD.encode(format!("{id}:{secret}"));
        req = req.header("authorization", format!("Basic {b64}"));
    }
    let resp = req.body(form_body(form)).send().await.unwrap();
    let status = resp.status().as_u16();
    (status, resp.json().await.unwrap())
}
