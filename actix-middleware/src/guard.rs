//! Guards for a `scope` or `resource`: `.wrap(require_group("admin"))` and friends.

use std::future::{Future, Ready, ready};
use std::pin::Pin;
use std::rc::Rc;
use std::sync::Arc;

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{Service, ServiceRequest, ServiceResponse, Transform, forward_ready};
use actix_web::{Error, HttpMessage};
use cognito_verifier::Requirement;
use cognito_verifier::gate::{self, AuthContext, Guard};

use crate::extract::INSTALLATION;
use crate::response::to_response;

/// Middleware checking one [`Guard`] on requests admitted by
/// [`CognitoAuth`](crate::CognitoAuth). Wrap the `scope` or `resource` it protects.
#[derive(Clone, Debug)]
pub struct CognitoGuard {
    guard: Arc<Guard>,
}

impl CognitoGuard {
    /// A middleware for any [`Guard`].
    pub fn new(guard: Guard) -> Self {
        CognitoGuard {
            guard: Arc::new(guard),
        }
    }
}

/// Membership in `group` (`cognito:groups`).
pub fn require_group(group: impl Into<String>) -> CognitoGuard {
    CognitoGuard::new(Guard::group(group))
}

/// Membership in at least one of `groups`.
pub fn require_any_group<I: IntoIterator<Item = S>, S: Into<String>>(groups: I) -> CognitoGuard {
    CognitoGuard::new(Guard::Groups(Requirement::any_of(groups)))
}

/// Membership in every one of `groups`.
pub fn require_all_groups<I: IntoIterator<Item = S>, S: Into<String>>(groups: I) -> CognitoGuard {
    CognitoGuard::new(Guard::Groups(Requirement::all_of(groups)))
}

/// `scope` in the access token's `scope` claim.
pub fn require_scope(scope: impl Into<String>) -> CognitoGuard {
    CognitoGuard::new(Guard::scope(scope))
}

/// At least one of `scopes`.
pub fn require_any_scope<I: IntoIterator<Item = S>, S: Into<String>>(scopes: I) -> CognitoGuard {
    CognitoGuard::new(Guard::Scopes(Requirement::any_of(scopes)))
}

/// Every one of `scopes`.
pub fn require_all_scopes<I: IntoIterator<Item = S>, S: Into<String>>(scopes: I) -> CognitoGuard {
    CognitoGuard::new(Guard::Scopes(Requirement::all_of(scopes)))
}

/// The path parameter `param` must equal the token's `sub`
/// (e.g. `/users/{sub}/files` with `require_owner("sub")`).
pub fn require_owner(param: impl Into<String>) -> CognitoGuard {
    CognitoGuard::new(Guard::owner(param))
}

/// The path parameter `param` must equal the token's string claim `claim`.
pub fn require_owner_by(param: impl Into<String>, claim: impl Into<String>) -> CognitoGuard {
    CognitoGuard::new(Guard::owner_by(param, claim))
}

impl<S, B> Transform<S, ServiceRequest> for CognitoGuard
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error> + 'static,
    B: MessageBody + 'static,
{
    type Response = ServiceResponse<EitherBody<B>>;
    type Error = Error;
    type Transform = CognitoGuardMiddleware<S>;
    type InitError = ();
    type Future = Ready<Result<Self::Transform, Self::InitError>>;

    fn new_transform(&self, service: S) -> Self::Future {
        ready(Ok(CognitoGuardMiddleware {
            service: Rc::new(service),
            guard: self.guard.clone(),
        }))
    }
}

/// The service produced by [`CognitoGuard`].
pub struct CognitoGuardMiddleware<S> {
    service: Rc<S>,
    guard: Arc<Guard>,
}

impl<S, B> Service<ServiceRequest> for CognitoGuardMiddleware<S>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error> + 'static,
    B: MessageBody + 'static,
{
    type Response = ServiceResponse<EitherBody<B>>;
    type Error = Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, Self::Error>>>>;

    forward_ready!(service);

    fn call(&self, request: ServiceRequest) -> Self::Future {
        let service = self.service.clone();
        let guard = self.guard.clone();
        Box::pin(async move {
            let decision = {
                let extensions = request.extensions();
                gate::require_context(
                    extensions.get::<AuthContext>(),
                    &INSTALLATION,
                    Some(request.path()),
                )
                .and_then(|auth| {
                    let path_value = guard
                        .path_param()
                        .and_then(|name| request.match_info().get(name));
                    guard.check(auth, path_value)
                })
                .map_err(to_response)
            };
            match decision {
                Ok(()) => Ok(service.call(request).await?.map_into_left_body()),
                Err(response) => Ok(request.into_response(response).map_into_right_body()),
            }
        })
    }
}
