//! The example API, once for axum and once for actix-web, over one configuration.

use cognito_verifier::gate::{Gate, Preset};
use cognito_verifier::{CognitoVerifier, ConfigError, PoolConfig};

/// The scope every Cognito user access token carries.
pub const USER_SCOPE: &str = "aws.cognito.signin.user.admin";
/// The custom scope the `/orders` route requires.
pub const ORDERS_SCOPE: &str = "orders/read";

/// Where the example apps find their user pool.
#[derive(Debug, Clone)]
pub struct ExampleConfig {
    /// `COGNITO_USER_POOL_ID` (required).
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
}

impl ExampleConfig {
    /// Reads the configuration from the environment.
    pub fn from_env() -> Result<Self, String> {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
        let user_pool_id = var("COGNITO_USER_POOL_ID").ok_or("COGNITO_USER_POOL_ID is required")?;
        let client_ids: Vec<String> = var("COGNITO_CLIENT_ID")
            .ok_or("COGNITO_CLIENT_ID is required (comma-separated app client ids)")?
            .split(',')
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())
            .collect();
        let preset = match var("COGNITO_PRESET").as_deref() {
            None | Some("strict") => Preset::Strict,
            Some("apigw-rest") => Preset::ApiGatewayRest,
            Some("apigw-http") => Preset::ApiGatewayHttp,
            Some(other) => {
                return Err(format!(
                    "COGNITO_PRESET {other:?}: use strict, apigw-rest or apigw-http"
                ));
            }
        };
        let port = match var("PORT") {
            Some(p) => p
                .parse()
                .map_err(|_| format!("PORT {p:?} is not a port number"))?,
            None => 3000,
        };
        Ok(ExampleConfig {
            user_pool_id,
            client_ids,
            jwks_uri: var("COGNITO_JWKS_URI"),
            issuer: var("COGNITO_ISSUER"),
            preset,
            port,
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
        let gate = config.gate()?;
        if let Err(e) = gate.verifier().hydrate().await {
            eprintln!("warning: JWKS not loaded yet: {e}");
        }
        Ok((config, gate))
    }

    /// The gate both apps put in front of their protected routes.
    pub fn gate(&self) -> Result<Gate, ConfigError> {
        Ok(Gate::new(self.verifier()?).preset(self.preset))
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

    let protected = axum::Router::new()
        .route("/hello", get(hello))
        .route("/me", get(me))
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
        )
        .layer(CognitoAuthLayer::from_gate(gate));
    axum::Router::new()
        .route("/public", get(public))
        .merge(protected)
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

    let auth = CognitoAuth::from_gate(gate);
    move |cfg: &mut web::ServiceConfig| {
        cfg.route("/public", web::get().to(public)).service(
            web::scope("")
                .wrap(auth.clone())
                .route("/hello", web::get().to(hello))
                .route("/me", web::get().to(me))
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
