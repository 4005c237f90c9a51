//! [`CognitoAuthLayer`]: authenticates every request before the inner service sees it.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use axum::body::Body;
use cognito_verifier::CognitoVerifier;
use cognito_verifier::Requirement;
use cognito_verifier::gate::{Admitted, Gate, HeaderView, Preset, RequestHead};
use http::{HeaderMap, HeaderName, HeaderValue, Request, Response};
use tower_layer::Layer;
use tower_service::Service;

use crate::response::to_response;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// A tower [`Layer`] that verifies the Cognito token of every request.
///
/// Admitted requests carry an [`AuthContext`](cognito_verifier::gate::AuthContext)
/// extension (read it with [`Claims`](crate::Claims) and friends); refused
/// ones are answered with 401, 403 or 503 in the [`Preset`]'s exact format
/// and never reach the inner service.
///
/// ```no_run
/// use axum::{Router, routing::get};
/// use cognito_axum::{Claims, CognitoAuthLayer, Preset, require_group};
/// use cognito_verifier::{CognitoVerifier, PoolConfig};
///
/// # fn app() -> Result<Router, Box<dyn std::error::Error>> {
/// let verifier = CognitoVerifier::builder()
///     .pool(PoolConfig::new("us-east-1_AbCdEf123").client_id("4b1gq2example"))
///     .build()?;
/// async fn admin(Claims(claims): Claims) -> String {
///     format!("hello admin {}", claims.sub())
/// }
/// let app = Router::new()
///     .route("/admin", get(admin).route_layer(require_group("admin")))
///     .layer(CognitoAuthLayer::new(verifier).preset(Preset::ApiGatewayHttp));
/// # Ok(app) }
/// ```
#[derive(Clone, Debug)]
pub struct CognitoAuthLayer {
    gate: Arc<Gate>,
}

impl CognitoAuthLayer {
    /// A strict, mandatory layer reading `Authorization`.
    pub fn new(verifier: CognitoVerifier) -> Self {
        Self::from_gate(Gate::new(verifier))
    }

    /// A layer around a fully configured [`Gate`].
    pub fn from_gate(gate: Gate) -> Self {
        CognitoAuthLayer {
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

    /// The gate this layer applies.
    pub fn gate(&self) -> &Gate {
        &self.gate
    }
}

impl<S> Layer<S> for CognitoAuthLayer {
    type Service = CognitoAuthService<S>;

    fn layer(&self, inner: S) -> Self::Service {
        CognitoAuthService {
            inner,
            gate: self.gate.clone(),
        }
    }
}

/// The [`Service`] produced by [`CognitoAuthLayer`].
#[derive(Clone, Debug)]
pub struct CognitoAuthService<S> {
    inner: S,
    gate: Arc<Gate>,
}

/// A boxed response future, for the paths that must wait on something
/// (a JWKS fetch, or axum's async extractors in guards).
pub struct BoxResponseFuture<E> {
    inner: Pin<Box<dyn Future<Output = Result<Response<Body>, E>> + Send>>,
}

impl<E> BoxResponseFuture<E> {
    pub(crate) fn new(
        future: impl Future<Output = Result<Response<Body>, E>> + Send + 'static,
    ) -> Self {
        BoxResponseFuture {
            inner: Box::pin(future),
        }
    }
}

impl<E> Future for BoxResponseFuture<E> {
    type Output = Result<Response<Body>, E>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        self.inner.as_mut().poll(cx)
    }
}

pin_project_lite::pin_project! {
    /// Response future of [`CognitoAuthService`].
    ///
    /// A token already in the verified-token cache is decided synchronously
    /// in `call`, so the common case is the inner service's own future with
    /// no allocation; only a token that needs a full verification takes the
    /// boxed path.
    #[project = ResponseFutureProj]
    #[allow(missing_docs)] // variant fields: the inner future, or the refusal
    pub enum ResponseFuture<F, E> {
        /// Admitted without waiting: the inner service's future, and the
        /// headers the gate adds to its response (usually none).
        Inner {
            #[pin]
            future: F,
            response_headers: Vec<(&'static str, String)>,
        },
        /// Refused without waiting.
        Refused {
            response: Option<Response<Body>>,
        },
        /// Verification had to wait (e.g. on a JWKS fetch).
        Waiting {
            #[pin]
            future: BoxResponseFuture<E>,
        },
    }
}

impl<F, E, ResBody> Future for ResponseFuture<F, E>
where
    F: Future<Output = Result<Response<ResBody>, E>>,
    ResBody: http_body::Body<Data = bytes::Bytes> + Send + 'static,
    ResBody::Error: Into<BoxError>,
{
    type Output = Result<Response<Body>, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match self.project() {
            ResponseFutureProj::Inner {
                future,
                response_headers,
            } => future.poll(cx).map_ok(|response| {
                let mut response = response.map(Body::new);
                append(response.headers_mut(), std::mem::take(response_headers));
                response
            }),
            ResponseFutureProj::Refused { response } => Poll::Ready(Ok(response
                .take()
                .expect("ResponseFuture polled after completion"))),
            ResponseFutureProj::Waiting { future } => future.poll(cx),
        }
    }
}

impl<S, ReqBody, ResBody> Service<Request<ReqBody>> for CognitoAuthService<S>
where
    S: Service<Request<ReqBody>, Response = Response<ResBody>> + Clone + Send + 'static,
    S::Future: Send + 'static,
    ReqBody: Send + 'static,
    ResBody: http_body::Body<Data = bytes::Bytes> + Send + 'static,
    ResBody::Error: Into<BoxError>,
{
    type Response = Response<Body>;
    type Error = S::Error;
    type Future = ResponseFuture<S::Future, S::Error>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut request: Request<ReqBody>) -> Self::Future {
        if self.gate.strips_any() {
            strip(&self.gate, request.headers_mut());
        }
        let decided = self.gate.admit_now(&RequestHead::new(
            request.method().as_str(),
            target(&request),
            &Headers(request.headers()),
        ));
        match decided {
            Some(Ok(admitted)) => {
                let response_headers = admit(&mut request, admitted);
                ResponseFuture::Inner {
                    future: self.inner.call(request),
                    response_headers,
                }
            }
            Some(Err(rejection)) => ResponseFuture::Refused {
                response: Some(to_response(rejection)),
            },
            None => {
                // The clone is not ready; the ready one goes into the future.
                let clone = self.inner.clone();
                let mut inner = std::mem::replace(&mut self.inner, clone);
                let gate = self.gate.clone();
                ResponseFuture::Waiting {
                    future: BoxResponseFuture::new(async move {
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
                                let mut response = inner.call(request).await?.map(Body::new);
                                append(response.headers_mut(), response_headers);
                                Ok(response)
                            }
                            Err(rejection) => Ok(to_response(rejection)),
                        }
                    }),
                }
            }
        }
    }
}

/// The gate's view of an `http` header map.
struct Headers<'r>(&'r HeaderMap);

impl HeaderView for Headers<'_> {
    fn values<'s>(&'s self, name: &str) -> impl Iterator<Item = &'s [u8]> + 's {
        self.0.get_all(name).into_iter().map(HeaderValue::as_bytes)
    }
}

/// The request target in origin form (path and query).
fn target<B>(request: &Request<B>) -> &str {
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
fn admit<B>(request: &mut Request<B>, admitted: Admitted) -> Vec<(&'static str, String)> {
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
            Ok(value) => {
                headers.append(HeaderName::from_static(name), value);
            }
            Err(_) => tracing::error!(header = name, "the gate produced an invalid header value"),
        }
    }
}
