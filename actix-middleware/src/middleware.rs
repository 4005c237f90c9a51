//! [`CognitoAuth`]: authenticates every request before the wrapped service sees it.

use std::future::{Future, Ready, ready};
use std::pin::Pin;
use std::rc::Rc;
use std::sync::Arc;

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{Service, ServiceRequest, ServiceResponse, Transform, forward_ready};
use actix_web::http::header::{HeaderMap, HeaderName, HeaderValue};
use actix_web::{Error, HttpMessage};
use cognito_verifier::gate::{Admitted, Gate, HeaderView, Preset, RequestHead};
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

    /// Passes CORS preflights (`OPTIONS` with `Origin` and
    /// `Access-Control-Request-Method`) to the inner service without
    /// authentication, for a CORS layer inside this one; see
    /// `Gate::pass_preflight`.
    pub fn pass_preflight(self, enabled: bool) -> Self {
        self.map(|g| g.pass_preflight(enabled))
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

    fn call(&self, mut request: ServiceRequest) -> Self::Future {
        if self.gate.strips_any() {
            strip(&self.gate, request.headers_mut());
        }
        // A token already in the verified-token cache (or a live session) is decided right here.
        let decided = self.gate.admit_now(&RequestHead::new(
            request.method().as_str(),
            target(&request),
            &Headers(request.headers()),
        ));
        match decided {
            Some(Ok(admitted)) => {
                let response_headers = admit(&mut request, admitted);
                let response = self.service.call(request);
                Box::pin(async move {
                    let mut response = response.await?;
                    append(response.headers_mut(), response_headers);
                    Ok(response.map_into_left_body())
                })
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
                    let decided = gate
                        .admit(&RequestHead::new(
                            request.method().as_str(),
                            target(&request),
                            &Headers(request.headers()),
                        ))
                        .await;
                    match decided {
                        Ok(admitted) => {
                            let response_headers = admit(&mut request, admitted);
                            let mut response = service.call(request).await?;
                            append(response.headers_mut(), response_headers);
                            Ok(response.map_into_left_body())
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

/// The gate's view of an actix-web header map.
struct Headers<'r>(&'r HeaderMap);

impl HeaderView for Headers<'_> {
    fn values<'s>(&'s self, name: &str) -> impl Iterator<Item = &'s [u8]> + 's {
        self.0.get_all(name).map(HeaderValue::as_bytes)
    }
}

/// The request target in origin form (path and query).
fn target(request: &ServiceRequest) -> &str {
    request
        .uri()
        .path_and_query()
        .map_or("/", |target| target.as_str())
}

/// Deletes every header the gate says a client may not send.
fn strip(gate: &Gate, headers: &mut HeaderMap) {
    let names: Vec<HeaderName> = headers
        .keys()
        .filter(|name| gate.strips(name.as_str()))
        .cloned()
        .collect();
    for name in names {
        headers.remove(name);
    }
}

/// Sets the gate's request headers and identity on `request`; returns the
/// headers for the response.
fn admit(request: &mut ServiceRequest, admitted: Admitted) -> Vec<(&'static str, String)> {
    let headers = request.headers_mut();
    // One growth of the map for the (up to three) headers, not one per insert.
    headers.reserve(admitted.request_headers.len());
    for (name, value) in admitted.request_headers {
        match HeaderValue::from_maybe_shared(value) {
            Ok(value) => {
                headers.insert(HeaderName::from_static(name), value);
            }
            Err(_) => tracing::error!(header = name, "the gate produced an invalid header value"),
        }
    }
    request.extensions_mut().insert(admitted.auth);
    admitted.response_headers
}

/// Appends the gate's response headers.
fn append(headers: &mut HeaderMap, extra: Vec<(&'static str, String)>) {
    for (name, value) in extra {
        match HeaderValue::try_from(value) {
            Ok(value) => headers.append(HeaderName::from_static(name), value),
            Err(_) => tracing::error!(header = name, "the gate produced an invalid header value"),
        }
    }
}
