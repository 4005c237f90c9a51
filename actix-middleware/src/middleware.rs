//! [`CognitoAuth`]: authenticates every request before the wrapped service sees it.

use std::future::{Future, Ready, ready};
use std::pin::Pin;
use std::rc::Rc;
use std::sync::Arc;

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{Service, ServiceRequest, ServiceResponse, Transform, forward_ready};
use actix_web::http::header::{self, HeaderValue};
use actix_web::{Error, HttpMessage};
use cognito_verifier::gate::{Gate, Preset};
use cognito_verifier::{CognitoVerifier, Requirement};

use crate::response::to_response;

/// actix-web middleware that verifies the Cognito token of every request.
///
/// Wrap an `App`, a `scope` or a `resource`. Admitted requests carry an
/// [`AuthContext`](cognito_verifier::gate::AuthContext) extension (read it
/// with [`Claims`](crate::Claims) and friends); refused ones get 401, 403 or
/// 503 in the [`Preset`]'s exact format.
///
/// ```no_run
/// use actix_web::{App, HttpServer, web};
/// use cognito_actix::{Claims, CognitoAuth, require_group};
/// use cognito_verifier::{CognitoVerifier, PoolConfig};
///
/// # async fn run() -> std::io::Result<()> {
/// let verifier = CognitoVerifier::builder()
///     .pool(PoolConfig::new("us-east-1_AbCdEf123").client_id("4b1gq2example"))
///     .build()
///     .expect("valid configuration");
/// async fn admin(Claims(claims): Claims) -> String {
///     format!("hello admin {}", claims.sub())
/// }
/// HttpServer::new(move || {
///     App::new()
///         .wrap(CognitoAuth::new(verifier.clone()))
///         .service(web::resource("/admin").wrap(require_group("admin")).route(web::get().to(admin)))
/// })
/// .bind("127.0.0.1:8080")?
/// .run()
/// .await
/// # }
/// ```
#[derive(Clone, Debug)]
pub struct CognitoAuth {
    gate: Arc<Gate>,
}

impl CognitoAuth {
    /// A strict, mandatory middleware reading `Authorization`.
    pub fn new(verifier: CognitoVerifier) -> Self {
        Self::from_gate(Gate::new(verifier))
    }

    /// A middleware around a fully configured [`Gate`].
    pub fn from_gate(gate: Gate) -> Self {
        CognitoAuth {
            gate: Arc::new(gate),
        }
    }

    fn map(self, f: impl FnOnce(Gate) -> Gate) -> Self {
        Self::from_gate(f(Arc::unwrap_or_clone(self.gate)))
    }

    /// Behaves like `preset` (default [`Preset::Strict`]).
    pub fn preset(self, preset: Preset) -> Self {
        self.map(|g| g.preset(preset))
    }

    /// Reads the token from another header (API Gateway's identity source).
    pub fn header(self, name: &str) -> Self {
        self.map(|g| g.header(name))
    }

    /// Also reads the token from cookie `name` when the header is absent.
    pub fn cookie(self, name: &str) -> Self {
        self.map(|g| g.cookie(name))
    }

    /// Lets requests without a token through as guests (invalid tokens are still refused).
    pub fn optional(self) -> Self {
        self.map(Gate::optional)
    }

    /// Scopes every request must carry (API Gateway method/route scopes).
    pub fn require_scopes(self, scopes: Requirement) -> Self {
        self.map(|g| g.require_scopes(scopes))
    }
}

impl<S, B> Transform<S, ServiceRequest> for CognitoAuth
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error> + 'static,
    B: MessageBody + 'static,
{
    type Response = ServiceResponse<EitherBody<B>>;
    type Error = Error;
    type Transform = CognitoAuthMiddleware<S>;
    type InitError = ();
    type Future = Ready<Result<Self::Transform, Self::InitError>>;

    fn new_transform(&self, service: S) -> Self::Future {
        ready(Ok(CognitoAuthMiddleware {
            service: Rc::new(service),
            gate: self.gate.clone(),
        }))
    }
}

/// The service produced by [`CognitoAuth`].
pub struct CognitoAuthMiddleware<S> {
    service: Rc<S>,
    gate: Arc<Gate>,
}

impl<S, B> Service<ServiceRequest> for CognitoAuthMiddleware<S>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error> + 'static,
    B: MessageBody + 'static,
{
    type Response = ServiceResponse<EitherBody<B>>;
    type Error = Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, Self::Error>>>>;

    forward_ready!(service);

    fn call(&self, request: ServiceRequest) -> Self::Future {
        // A token already in the verified-token cache is decided right here.
        let (token_header, cookies) = token_inputs(&self.gate, &request);
        match self.gate.authenticate_now(token_header, cookies) {
            Some(Ok(auth)) => {
                request.extensions_mut().insert(auth);
                let response = self.service.call(request);
                Box::pin(async move { Ok(response.await?.map_into_left_body()) })
            }
            Some(Err(rejection)) => {
                let response = request
                    .into_response(to_response(rejection))
                    .map_into_right_body();
                Box::pin(std::future::ready(Ok(response)))
            }
            None => {
                let service = self.service.clone();
                let gate = self.gate.clone();
                Box::pin(async move {
                    let (token_header, cookies) = token_inputs(&gate, &request);
                    match gate.authenticate(token_header, cookies).await {
                        Ok(auth) => {
                            request.extensions_mut().insert(auth);
                            Ok(service.call(request).await?.map_into_left_body())
                        }
                        Err(rejection) => Ok(request
                            .into_response(to_response(rejection))
                            .map_into_right_body()),
                    }
                })
            }
        }
    }
}

/// Every raw value of the token header and of `Cookie`, in request order:
/// the gate decides what they mean (including that two are one too many).
fn token_inputs<'r>(
    gate: &Gate,
    request: &'r ServiceRequest,
) -> (
    impl Iterator<Item = &'r [u8]> + 'r,
    impl Iterator<Item = &'r [u8]> + 'r,
) {
    let headers = request.headers();
    (
        headers
            .get_all(gate.source().header_name())
            .map(HeaderValue::as_bytes),
        // Looked up only if the gate reads a cookie (it iterates lazily).
        std::iter::once(headers)
            .flat_map(|headers| headers.get_all(header::COOKIE))
            .map(HeaderValue::as_bytes),
    )
}
