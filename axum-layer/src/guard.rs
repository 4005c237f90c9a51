//! Route guards: `route_layer(require_group("admin"))` and friends.

use std::sync::Arc;
use std::task::{Context, Poll};

use crate::layer::BoxResponseFuture;

use axum::body::Body;
use axum::extract::{FromRequestParts, RawPathParams};
use axum::response::IntoResponse;
use cognito_verifier::Requirement;
use cognito_verifier::gate::Guard;
use http::{Request, Response};
use tower_layer::Layer;
use tower_service::Service;

use crate::extract::context;
use crate::response::to_response;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// A tower [`Layer`] checking one [`Guard`] on requests admitted by
/// [`CognitoAuthLayer`](crate::CognitoAuthLayer). Use with `route_layer`.
#[derive(Clone, Debug)]
pub struct GuardLayer {
    guard: Arc<Guard>,
}

impl GuardLayer {
    /// A layer for any [`Guard`].
    pub fn new(guard: Guard) -> Self {
        GuardLayer {
            guard: Arc::new(guard),
        }
    }
}

/// Membership in `group` (`cognito:groups`).
pub fn require_group(group: impl Into<String>) -> GuardLayer {
    GuardLayer::new(Guard::group(group))
}

/// Membership in at least one of `groups`.
pub fn require_any_group<I: IntoIterator<Item = S>, S: Into<String>>(groups: I) -> GuardLayer {
    GuardLayer::new(Guard::Groups(Requirement::any_of(groups)))
}

/// Membership in every one of `groups`.
pub fn require_all_groups<I: IntoIterator<Item = S>, S: Into<String>>(groups: I) -> GuardLayer {
    GuardLayer::new(Guard::Groups(Requirement::all_of(groups)))
}

/// `scope` in the access token's `scope` claim.
pub fn require_scope(scope: impl Into<String>) -> GuardLayer {
    GuardLayer::new(Guard::scope(scope))
}

/// At least one of `scopes`.
pub fn require_any_scope<I: IntoIterator<Item = S>, S: Into<String>>(scopes: I) -> GuardLayer {
    GuardLayer::new(Guard::Scopes(Requirement::any_of(scopes)))
}

/// Every one of `scopes`.
pub fn require_all_scopes<I: IntoIterator<Item = S>, S: Into<String>>(scopes: I) -> GuardLayer {
    GuardLayer::new(Guard::Scopes(Requirement::all_of(scopes)))
}

/// The path parameter `param` must equal the token's `sub`
/// (e.g. `/users/{sub}/files` with `require_owner("sub")`).
pub fn require_owner(param: impl Into<String>) -> GuardLayer {
    GuardLayer::new(Guard::owner(param))
}

/// The path parameter `param` must equal the token's string claim `claim`.
pub fn require_owner_by(param: impl Into<String>, claim: impl Into<String>) -> GuardLayer {
    GuardLayer::new(Guard::owner_by(param, claim))
}

impl<S> Layer<S> for GuardLayer {
    type Service = GuardService<S>;

    fn layer(&self, inner: S) -> Self::Service {
        GuardService {
            inner,
            guard: self.guard.clone(),
        }
    }
}

/// The [`Service`] produced by [`GuardLayer`].
#[derive(Clone, Debug)]
pub struct GuardService<S> {
    inner: S,
    guard: Arc<Guard>,
}

impl<S, ReqBody, ResBody> Service<Request<ReqBody>> for GuardService<S>
where
    S: Service<Request<ReqBody>, Response = Response<ResBody>> + Clone + Send + 'static,
    S::Future: Send + 'static,
    ReqBody: Send + 'static,
    ResBody: http_body::Body<Data = bytes::Bytes> + Send + 'static,
    ResBody::Error: Into<BoxError>,
{
    type Response = Response<Body>;
    type Error = S::Error;
    type Future = BoxResponseFuture<S::Error>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<ReqBody>) -> Self::Future {
        let clone = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, clone);
        let guard = self.guard.clone();
        BoxResponseFuture::new(async move {
            let (mut parts, body) = request.into_parts();
            let auth = match context(&parts) {
                Ok(auth) => auth.clone(),
                Err(rejection) => return Ok(rejection.into_response()),
            };
            let path_value = match guard.path_param() {
                Some(name) => RawPathParams::from_request_parts(&mut parts, &())
                    .await
                    .ok()
                    .and_then(|params| {
                        params
                            .iter()
                            .find(|(n, _)| *n == name)
                            .map(|(_, v)| v.to_owned())
                    }),
                None => None,
            };
            if let Err(rejection) = guard.check(&auth, path_value.as_deref()) {
                return Ok(to_response(rejection));
            }
            let response = inner.call(Request::from_parts(parts, body)).await?;
            Ok(response.map(Body::new))
        })
    }
}
