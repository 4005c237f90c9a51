//! The example API, once for axum and once for actix-web, over one configuration.

use cognito_verifier::gate::{Gate, Preset};
use cognito_verifier::{CognitoVerifier, ConfigError, PoolConfig};

use cognito_verifier::gate::alb::DEFAULT_CALLBACK_PATH;

use crate::alb_mode::{AlbSettings, KEYS_PATH, LOGOUT_PATH};

/// The scope every Cognito user access token carries.
pub const USER_SCOPE: &str = "aws.cognito.signin.user.admin";
/// The custom scope the `/orders` route requires.
pub const ORDERS_SCOPE: &str = "orders/read";

/// Where the example apps find their user pool.
#[derive(Debug, Clone)]
pub struct ExampleConfig {
    /// `COGNITO_USER_POOL_ID` (required; in ALB mode taken from the issuer
    /// URL when it ends in the pool id, as Cognito's does).
    pub user_pool_id: String,
    /// `COGNITO_CLIENT_ID`: comma-separated allowed app client ids (required).
    pub client_ids: Vec<String>,
    /// `COGNITO_JWKS_URI`: JWKS override (for the reference issuer or emulators).
    pub jwks_uri: Option<String>,
    /// `COGNITO_ISSUER`: issuer override.
    pub issuer: Option<String>,
    /// `COGNITO_PRESET`: `strict` (default), `apigw-rest` or `apigw-http`.
    pub preset: Preset,
    /// `PORT` (default 3000).
    pub port: u16,
    /// `COGNITO_MODE=alb`: the apps are the load balancer's authenticate
    /// action (see [`alb_mode`](crate::alb_mode)); `None` (`COGNITO_MODE`
    /// unset or `bearer`): bearer tokens.
    pub alb: Option<AlbSettings>,
}

impl ExampleConfig {
    /// Reads the configuration from the environment.
    pub fn from_env() -> Result<Self, String> {
        Self::from_vars(&|name| std::env::var(name).ok())
    }

    /// Reads the configuration through `var` (the environment, or a table
    /// in tests); empty values count as unset.
    pub fn from_vars(var: &dyn Fn(&str) -> Option<String>) -> Result<Self, String> {
        let var = |name: &str| var(name).filter(|v| !v.is_empty());
        let alb = match var("COGNITO_MODE").as_deref() {
            None | Some("bearer") => None,
            Some("alb") => Some(AlbSettings::from_vars(&var)?),
            Some(other) => return Err(format!("COGNITO_MODE {other:?}: use bearer or alb")),
        };
        let user_pool_id = match (var("COGNITO_USER_POOL_ID"), &alb) {
            (Some(id), _) => id,
            (None, Some(alb)) => alb.pool_id().ok_or(
                "COGNITO_USER_POOL_ID is required: COGNITO_OIDC_ISSUER does not end in a pool id",
            )?,
            (None, None) => return Err("COGNITO_USER_POOL_ID is required".into()),
        };
        let client_ids: Vec<String> = var("COGNITO_CLIENT_ID")
            .ok_or("COGNITO_CLIENT_ID is required (comma-separated app client ids)")?
            .split(',')
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())
            .collect();
        let preset = match var("COGNITO_PRESET") {
            None => Preset::Strict,
            Some(name) => Preset::from_name(&name).ok_or_else(|| {
                format!("COGNITO_PRESET {name:?}: use strict, apigw-rest or apigw-http")
            })?,
        };
        let port = match var("PORT") {
            Some(p) => p
                .parse()
                .map_err(|_| format!("PORT {p:?} is not a port number"))?,
            None => 3000,
        };
        // In ALB mode the session's access token is verified against the
        // IdP's own issuer and keys unless overridden.
        let oidc = alb.as_ref().map(|a| a.oidc_issuer.clone());
        Ok(ExampleConfig {
            user_pool_id,
            client_ids,
            jwks_uri: var("COGNITO_JWKS_URI")
                .or_else(|| oidc.as_ref().map(|i| format!("{i}/.well-known/jwks.json"))),
            issuer: var("COGNITO_ISSUER").or(oidc),
            preset,
            port,
            alb,
        })
    }

    /// The verifier for this pool.
    pub fn verifier(&self) -> Result<CognitoVerifier, ConfigError> {
        let mut pool = PoolConfig::new(&self.user_pool_id).client_ids(&self.client_ids);
        if let Some(uri) = &self.jwks_uri {
            pool = pool.jwks_uri(uri);
        }
        if let Some(issuer) = &self.issuer {
            pool = pool.issuer(issuer);
        }
        CognitoVerifier::builder().pool(pool).build()
    }

    /// Logging, configuration from the environment, and a gate whose keys are
    /// fetched up front: the start of both example binaries.
    pub async fn start() -> Result<(ExampleConfig, Gate), Box<dyn std::error::Error>> {
        tracing_subscriber::fmt()
            .with_env_filter(
                tracing_subscriber::EnvFilter::try_from_default_env()
                    .unwrap_or_else(|_| "info".into()),
            )
            .init();
        let config = ExampleConfig::from_env()?;
        let gate = config.any_gate().await?;
        if let Err(e) = gate.verifier().hydrate().await {
            eprintln!("warning: JWKS not loaded yet: {e}");
        }
        Ok((config, gate))
    }

    /// The gate both apps put in front of their protected routes (bearer
    /// mode; see [`any_gate`](Self::any_gate) for ALB mode).
    pub fn gate(&self) -> Result<Gate, ConfigError> {
        Ok(Gate::new(self.verifier()?).preset(self.preset))
    }

    /// The gate of the configured mode: in ALB mode the IdP is discovered
    /// first (`COGNITO_OIDC_ISSUER/.well-known/openid-configuration`).
    pub async fn any_gate(&self) -> Result<Gate, String> {
        let gate = self.gate().map_err(|e| e.to_string())?;
        match &self.alb {
            None => Ok(gate),
            Some(alb) => Ok(gate.alb_authenticate(alb.auth().await?)),
        }
    }
}

/// What each route answers, shared by both apps.
mod reply {
    use cognito_verifier::CognitoClaims;

    fn who(claims: &CognitoClaims) -> &str {
        claims.username().unwrap_or(claims.sub())
    }

    pub(super) fn public() -> &'static str {
        "public: no token needed\n"
    }

    pub(super) fn hello(claims: &CognitoClaims) -> String {
        format!("hello {}\n", who(claims))
    }

    pub(super) fn admin(claims: &CognitoClaims) -> String {
        format!("admin area: welcome {}\n", who(claims))
    }

    pub(super) fn profile(claims: &CognitoClaims) -> String {
        format!("profile of {}\n", who(claims))
    }

    pub(super) fn orders(claims: &CognitoClaims) -> String {
        format!(
            "orders for client {}\n",
            claims.client_id().unwrap_or_default()
        )
    }

    pub(super) fn files(sub: &str) -> String {
        format!("files of {sub}\n")
    }

    /// ALB mode's `/me`: the `x-amzn-oidc-*` headers the handler received.
    pub(super) fn alb_headers<'a>(header: impl Fn(&str) -> Option<&'a str>) -> serde_json::Value {
        serde_json::json!({
            "accesstoken": header("x-amzn-oidc-accesstoken"),
            "identity": header("x-amzn-oidc-identity"),
            "data": header("x-amzn-oidc-data"),
        })
    }

    /// `/alb-keys/{kid}`: the PEM of the one signing key, or `None` (404).
    pub(super) fn alb_key<'a>(keys: &'a Option<(String, String)>, kid: &str) -> Option<&'a str> {
        keys.as_ref()
            .filter(|(k, _)| k == kid)
            .map(|(_, pem)| pem.as_str())
    }

    /// Routes the gate answers itself (callback, logout); reached only if
    /// it did not.
    pub(super) const GATE_ONLY: &str = "handled by the gate\n";
}

/// The signing key of `x-amzn-oidc-data` of an ALB-mode gate: (kid, PEM).
fn alb_key_of(gate: &Gate) -> Option<(String, String)> {
    gate.alb_auth()
        .map(|a| (a.kid().to_owned(), a.public_key_pem().to_owned()))
}

/// The example API on axum.
pub fn axum_app(gate: Gate) -> axum::Router {
    use axum::Json;
    use axum::extract::Path;
    use axum::routing::get;
    use cognito_axum::{Claims, CognitoAuthLayer, require_group, require_owner, require_scope};

    async fn public() -> &'static str {
        reply::public()
    }
    async fn hello(Claims(claims): Claims) -> String {
        reply::hello(&claims)
    }
    async fn me(Claims(claims): Claims) -> Json<cognito_verifier::CognitoClaims> {
        Json(claims)
    }
    async fn admin(Claims(claims): Claims) -> String {
        reply::admin(&claims)
    }
    async fn profile(Claims(claims): Claims) -> String {
        reply::profile(&claims)
    }
    async fn orders(Claims(claims): Claims) -> String {
        reply::orders(&claims)
    }
    async fn files(Path(sub): Path<String>) -> String {
        reply::files(&sub)
    }
    async fn alb_me(headers: axum::http::HeaderMap) -> Json<serde_json::Value> {
        Json(reply::alb_headers(|name| {
            headers.get(name).and_then(|v| v.to_str().ok())
        }))
    }
    async fn gate_only() -> (axum::http::StatusCode, &'static str) {
        (axum::http::StatusCode::NOT_FOUND, reply::GATE_ONLY)
    }

    let alb_key = alb_key_of(&gate);
    let mut protected = axum::Router::new()
        .route("/hello", get(hello))
        .route(
            "/me",
            if alb_key.is_some() {
                get(alb_me)
            } else {
                get(me)
            },
        )
        .route("/admin", get(admin).route_layer(require_group("admin")))
        .route(
            "/profile",
            get(profile).route_layer(require_scope(USER_SCOPE)),
        )
        .route(
            "/orders",
            get(orders).route_layer(require_scope(ORDERS_SCOPE)),
        )
        .route(
            "/users/{sub}/files",
            get(files).route_layer(require_owner("sub")),
        );
    let mut open = axum::Router::new().route("/public", get(public));
    if alb_key.is_some() {
        protected = protected
            .route(DEFAULT_CALLBACK_PATH, get(gate_only))
            .route(LOGOUT_PATH, get(gate_only));
        let keys = std::sync::Arc::new(alb_key);
        open = open.route(
            &format!("{KEYS_PATH}/{{kid}}"),
            get(move |Path(kid): Path<String>| async move {
                use axum::response::IntoResponse;
                match reply::alb_key(&keys, &kid) {
                    Some(pem) => ([("content-type", "text/plain")], pem.to_owned()).into_response(),
                    None => axum::http::StatusCode::NOT_FOUND.into_response(),
                }
            }),
        );
    }
    open.merge(protected.layer(CognitoAuthLayer::from_gate(gate)))
}

/// The example API on actix-web, as a function for `App::configure`.
pub fn actix_app(
    gate: Gate,
) -> impl Fn(&mut actix_web::web::ServiceConfig) + Clone + Send + 'static {
    use actix_web::{HttpResponse, web};
    use cognito_actix::{Claims, CognitoAuth, require_group, require_owner, require_scope};

    async fn public() -> &'static str {
        reply::public()
    }
    async fn hello(Claims(claims): Claims) -> String {
        reply::hello(&claims)
    }
    async fn me(Claims(claims): Claims) -> HttpResponse {
        HttpResponse::Ok().json(claims)
    }
    async fn admin(Claims(claims): Claims) -> String {
        reply::admin(&claims)
    }
    async fn profile(Claims(claims): Claims) -> String {
        reply::profile(&claims)
    }
    async fn orders(Claims(claims): Claims) -> String {
        reply::orders(&claims)
    }
    async fn files(sub: web::Path<String>) -> String {
        reply::files(&sub)
    }
    async fn alb_me(request: actix_web::HttpRequest) -> HttpResponse {
        let headers = request.headers();
        HttpResponse::Ok().json(reply::alb_headers(|name| {
            headers.get(name).and_then(|v| v.to_str().ok())
        }))
    }
    async fn gate_only() -> HttpResponse {
        HttpResponse::NotFound().body(reply::GATE_ONLY)
    }

    let alb_key = std::sync::Arc::new(alb_key_of(&gate));
    let auth = CognitoAuth::from_gate(gate);
    move |cfg: &mut web::ServiceConfig| {
        let alb = alb_key.is_some();
        cfg.route("/public", web::get().to(public));
        if alb {
            let keys = alb_key.clone();
            cfg.route(
                &format!("{KEYS_PATH}/{{kid}}"),
                web::get().to(move |kid: web::Path<String>| {
                    let keys = keys.clone();
                    async move {
                        match reply::alb_key(&keys, &kid) {
                            Some(pem) => HttpResponse::Ok()
                                .content_type("text/plain")
                                .body(pem.to_owned()),
                            None => HttpResponse::NotFound().finish(),
                        }
                    }
                }),
            );
        }
        let mut protected = web::scope("").wrap(auth.clone());
        if alb {
            protected = protected
                .route(DEFAULT_CALLBACK_PATH, web::get().to(gate_only))
                .route(LOGOUT_PATH, web::get().to(gate_only))
                .route("/me", web::get().to(alb_me));
        } else {
            protected = protected.route("/me", web::get().to(me));
        }
        cfg.service(
            protected
                .route("/hello", web::get().to(hello))
                .service(
                    web::resource("/admin")
                        .wrap(require_group("admin"))
                        .route(web::get().to(admin)),
                )
                .service(
                    web::resource("/profile")
                        .wrap(require_scope(USER_SCOPE))
                        .route(web::get().to(profile)),
                )
                .service(
                    web::resource("/orders")
                        .wrap(require_scope(ORDERS_SCOPE))
                        .route(web::get().to(orders)),
                )
                .service(
                    web::resource("/users/{sub}/files")
                        .wrap(require_owner("sub"))
                        .route(web::get().to(files)),
                ),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(vars: &[(&str, &str)]) -> Result<ExampleConfig, String> {
        ExampleConfig::from_vars(&|name| {
            vars.iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| (*v).to_owned())
        })
    }

    const ALB: [(&str, &str); 5] = [
        ("COGNITO_MODE", "alb"),
        (
            "COGNITO_OIDC_ISSUER",
            "http://127.0.0.1:9229/us-east-1_AbC123xyz",
        ),
        ("COGNITO_CLIENT_ID", "client-1"),
        ("COGNITO_CLIENT_SECRET", "s3cret"),
        (
            "COGNITO_ALB_SESSION_KEY",
            "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
        ),
    ];

    #[test]
    fn bearer_mode_is_unchanged() {
        let c = config(&[
            ("COGNITO_USER_POOL_ID", "us-east-1_AbC123xyz"),
            ("COGNITO_CLIENT_ID", "a, b"),
            ("COGNITO_PRESET", "apigw-http"),
            ("PORT", "8080"),
        ])
        .unwrap();
        assert!(c.alb.is_none());
        assert_eq!(c.client_ids, ["a", "b"]);
        assert_eq!(c.preset, Preset::ApiGatewayHttp);
        assert_eq!((c.port, c.jwks_uri, c.issuer), (8080, None, None));
        let explicit = config(&[
            ("COGNITO_MODE", "bearer"),
            ("COGNITO_USER_POOL_ID", "us-east-1_AbC123xyz"),
            ("COGNITO_CLIENT_ID", "a"),
        ]);
        assert!(explicit.unwrap().alb.is_none());
        let e = config(&[("COGNITO_CLIENT_ID", "a")]).unwrap_err();
        assert_eq!(e, "COGNITO_USER_POOL_ID is required");
    }

    #[test]
    fn alb_mode_verifies_access_tokens_against_the_idp() {
        let c = config(&ALB).unwrap();
        let alb = c.alb.as_ref().expect("ALB mode");
        assert_eq!(alb.client_id, "client-1");
        assert_eq!(c.user_pool_id, "us-east-1_AbC123xyz");
        assert_eq!(c.client_ids, ["client-1"]);
        assert_eq!(
            c.issuer.as_deref(),
            Some("http://127.0.0.1:9229/us-east-1_AbC123xyz")
        );
        assert_eq!(
            c.jwks_uri.as_deref(),
            Some("http://127.0.0.1:9229/us-east-1_AbC123xyz/.well-known/jwks.json")
        );
        c.gate().expect("a gate builds");
    }

    #[test]
    fn alb_mode_needs_a_pool_id_when_the_issuer_has_none() {
        let mut vars = ALB.to_vec();
        vars[1].1 = "https://login.example.com/oidc";
        let e = config(&vars).unwrap_err();
        assert!(e.starts_with("COGNITO_USER_POOL_ID is required"), "{e}");
        vars.push(("COGNITO_USER_POOL_ID", "eu-west-1_Xyz"));
        vars.push(("COGNITO_JWKS_URI", "https://login.example.com/keys"));
        let c = config(&vars).unwrap();
        assert_eq!(c.user_pool_id, "eu-west-1_Xyz");
        assert_eq!(
            c.jwks_uri.as_deref(),
            Some("https://login.example.com/keys")
        );
    }

    #[test]
    fn an_unknown_mode_is_refused() {
        let e = config(&[("COGNITO_MODE", "oidc")]).unwrap_err();
        assert_eq!(e, "COGNITO_MODE \"oidc\": use bearer or alb");
    }
}
