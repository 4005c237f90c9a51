//! The demo's ALB step: both example apps in `COGNITO_MODE=alb` (the load
//! balancer's `authenticate` action) and a browser-style client with a
//! cookie jar and no browser: protected page -> 302 to `/oauth2/authorize`
//! -> hosted login form -> callback -> session cookie -> `/me` shows the
//! three `x-amzn-oidc-*` headers -> logout.

use std::collections::HashMap;
use std::net::TcpListener;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE;
use cognito_examples::{ExampleConfig, ServerLimits, actix_app, axum_app, serve_axum, spawn_actix};
use cognito_issuer::RunningIssuer;
use cognito_test_support::hosted_login;
use reqwest::Url;
use serde_json::{Value, json};

use super::Demo;

/// A demo session key (base64 of 32 bytes); a real deployment keeps its own secret.
const SESSION_KEY: &str = "ZGVtby1zZXNzaW9uLWtleS0zMi1ieXRlcy1sb25nISE=";
/// alice's password (she signed up earlier in the demo).
const PASSWORD: &str = "Correct-Horse-42";

/// A loopback port for `localhost` (IPv4, and IPv6 on the same port when
/// available): the plain-http callback URLs Cognito accepts.
fn bind_localhost() -> std::io::Result<(u16, Vec<TcpListener>)> {
    let v4 = TcpListener::bind(("127.0.0.1", 0))?;
    let port = v4.local_addr()?.port();
    let mut listeners = vec![v4];
    if let Ok(v6) = TcpListener::bind(("::1", port)) {
        listeners.push(v6);
    }
    Ok((port, listeners))
}

/// Both apps in ALB mode for a new confidential client of the default
/// pool, then the login walk on each; returns the apps' origins.
pub(super) async fn alb_sign_in(
    demo: &mut Demo,
    issuer: &RunningIssuer,
) -> Result<Vec<(&'static str, String)>, Box<dyn std::error::Error>> {
    let (axum_port, axum_listeners) = bind_localhost()?;
    let (actix_port, actix_listeners) = bind_localhost()?;
    let origins = [
        ("axum", format!("http://localhost:{axum_port}")),
        ("actix", format!("http://localhost:{actix_port}")),
    ];
    let client = demo
        .must(
            "CreateUserPoolClient",
            json!({"UserPoolId": issuer.pool_id(), "ClientName": "alb", "GenerateSecret": true,
                   "AllowedOAuthFlows": ["code"], "AllowedOAuthFlowsUserPoolClient": true,
                   "AllowedOAuthScopes": ["openid", "email", "profile"],
                   "CallbackURLs": origins.iter().map(|(_, o)| format!("{o}/oauth2/idpresponse")).collect::<Vec<_>>(),
                   "LogoutURLs": origins.iter().map(|(_, o)| format!("{o}/public")).collect::<Vec<_>>(),
                   "SupportedIdentityProviders": ["COGNITO"]}),
        )
        .await;
    let client = &client["UserPoolClient"];
    let text = |v: &Value| v.as_str().unwrap_or_default().to_owned();
    let (client_id, secret) = (text(&client["ClientId"]), text(&client["ClientSecret"]));

    let mut listeners = [axum_listeners, actix_listeners].into_iter();
    for (name, origin) in &origins {
        let vars: HashMap<&str, String> = HashMap::from([
            ("COGNITO_MODE", "alb".to_owned()),
            ("COGNITO_OIDC_ISSUER", issuer.issuer().to_owned()),
            ("COGNITO_CLIENT_ID", client_id.clone()),
            ("COGNITO_CLIENT_SECRET", secret.clone()),
            ("COGNITO_ALB_SESSION_KEY", SESSION_KEY.to_owned()),
            ("COGNITO_ALB_PUBLIC_URL", origin.clone()),
        ]);
        let gate = ExampleConfig::from_vars(&|n| vars.get(n).cloned())?
            .any_gate()
            .await?;
        let bound = listeners.next().unwrap_or_default();
        if *name == "axum" {
            let app = axum_app(gate);
            for l in bound {
                l.set_nonblocking(true)?;
                let l = tokio::net::TcpListener::from_std(l)?;
                tokio::spawn(serve_axum(l, app.clone(), ServerLimits::default()));
            }
        } else {
            spawn_actix(actix_app(gate), bound, ServerLimits::default())?;
        }
        println!("  {name:<5} as ALB {origin}  (COGNITO_MODE=alb)");
    }
    for (name, origin) in &origins {
        walk(demo, issuer.base_url(), name, origin).await;
    }
    Ok(origins.into())
}

/// One response, reduced to what the demo shows.
struct Answer {
    status: u16,
    location: Option<String>,
    cookies: Vec<String>,
    body: String,
}

async fn get(http: &reqwest::Client, url: &str, extra: Option<(&str, &str)>) -> Answer {
    let mut request = http.get(url);
    if let Some((name, value)) = extra {
        request = request.header(name, value);
    }
    match request.send().await {
        Ok(r) => Answer {
            status: r.status().as_u16(),
            location: r
                .headers()
                .get("location")
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned),
            cookies: r
                .headers()
                .get_all("set-cookie")
                .iter()
                .filter_map(|v| v.to_str().ok())
                .map(|c| c.split(';').next().unwrap_or_default().to_owned())
                .collect(),
            body: r.text().await.unwrap_or_default(),
        },
        Err(e) => Answer {
            status: 0,
            location: None,
            cookies: Vec::new(),
            body: e.to_string(),
        },
    }
}

/// Cookie names set (or expired, when the value is empty); session shards
/// folded as `AWSELBAuthSessionCookie-{1,2,3}`.
fn names(cookies: &[String], expired: bool) -> String {
    const SHARD: &str = "AWSELBAuthSessionCookie-";
    let picked: Vec<&str> = cookies
        .iter()
        .filter(|c| c.ends_with('=') == expired)
        .filter_map(|c| c.split('=').next())
        .collect();
    let shards: Vec<&str> = picked
        .iter()
        .filter_map(|n| n.strip_prefix(SHARD))
        .collect();
    let mut out: Vec<String> = match shards.as_slice() {
        [] => Vec::new(),
        [one] => vec![format!("{SHARD}{one}")],
        many => vec![format!("{SHARD}{{{}}}", many.join(","))],
    };
    out.extend(
        picked
            .iter()
            .filter(|n| !n.starts_with(SHARD))
            .map(|n| (*n).to_owned()),
    );
    out.join(", ")
}

/// The login walk through one app, with a fresh cookie jar.
async fn walk(demo: &mut Demo, base: &str, name: &str, origin: &str) {
    let http = hosted_login::browser_client();
    let line = |path: &str, label: &str| format!("{name:<5} GET {path:<20} {label:<20} ->");

    let first = get(&http, &format!("{origin}/hello"), None).await;
    let authorize = first
        .location
        .as_deref()
        .and_then(|l| Url::parse(l).ok())
        .filter(|u| u.path().ends_with("/oauth2/authorize"));
    demo.check(
        &format!(
            "{} {} to /oauth2/authorize, sets {}",
            line("/hello", "(no session)"),
            first.status,
            names(&first.cookies, false)
        ),
        first.status == 302 && authorize.is_some(),
    );
    let Some(authorize) = authorize else { return };
    let query: Vec<(String, String)> = authorize.query_pairs().into_owned().collect();
    let pairs: Vec<(&str, &str)> = query
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let back = hosted_login::sign_in(&http, base, &pairs, "alice", PASSWORD).await;
    let callback = back.as_ref().ok().filter(|u| {
        u.as_str()
            .starts_with(&format!("{origin}/oauth2/idpresponse?"))
    });
    demo.check(
        &format!(
            "{name:<5} {:<45} -> 302 {}",
            "hosted login form, POST (alice)",
            match &back {
                Ok(u) => format!("{}?code=...&state=...", u.path()),
                Err(e) => e.clone(),
            }
        ),
        callback.is_some(),
    );
    let Some(callback) = callback else { return };

    let landed = get(&http, callback.as_str(), None).await;
    demo.check(
        &format!(
            "{} {} {}, sets {}; expires {}",
            line("/oauth2/idpresponse", "(callback)"),
            landed.status,
            landed.location.as_deref().unwrap_or("?"),
            names(&landed.cookies, false),
            names(&landed.cookies, true)
        ),
        landed.status == 302
            && landed
                .location
                .as_deref()
                .is_some_and(|l| l.ends_with("/hello"))
            && landed
                .cookies
                .iter()
                .any(|c| c.starts_with("AWSELBAuthSessionCookie-0=")),
    );

    let hello = get(&http, &format!("{origin}/hello"), None).await;
    demo.check(
        &format!(
            "{} {} {}",
            line("/hello", "(session cookie)"),
            hello.status,
            hello.body.trim()
        ),
        hello.status == 200 && hello.body.starts_with("hello "),
    );

    // A spoofed header is stripped: the backend sees the layer's own.
    let me = get(
        &http,
        &format!("{origin}/me"),
        Some(("x-amzn-oidc-identity", "mallory")),
    )
    .await;
    let headers: Value = serde_json::from_str(&me.body).unwrap_or(Value::Null);
    let data_header = headers["data"]
        .as_str()
        .and_then(|d| d.split('.').next())
        .and_then(|h| URL_SAFE.decode(h).ok())
        .and_then(|h| serde_json::from_slice::<Value>(&h).ok())
        .unwrap_or(Value::Null);
    let all_three = ["accesstoken", "identity", "data"]
        .iter()
        .all(|h| headers[h].is_string());
    demo.check(
        &format!(
            "{} {} x-amzn-oidc-accesstoken, -identity {}, -data (ES256, kid {})",
            line("/me", "(spoofed identity)"),
            me.status,
            headers["identity"],
            data_header["kid"].as_str().unwrap_or("?")
        ),
        me.status == 200
            && all_three
            && headers["identity"] != json!("mallory")
            && data_header["alg"] == json!("ES256"),
    );

    let bye = get(&http, &format!("{origin}/logout"), None).await;
    demo.check(
        &format!(
            "{} {} to the IdP's /logout, expires {}",
            line("/logout", ""),
            bye.status,
            names(&bye.cookies, true)
        ),
        bye.status == 302
            && bye
                .location
                .as_deref()
                .is_some_and(|l| l.contains("/logout?"))
            && bye
                .cookies
                .iter()
                .any(|c| c == "AWSELBAuthSessionCookie-0="),
    );
    let after = get(&http, &format!("{origin}/hello"), None).await;
    demo.check(
        &format!(
            "{} {} to /oauth2/authorize again",
            line("/hello", "(after logout)"),
            after.status
        ),
        after.status == 302,
    );
}
