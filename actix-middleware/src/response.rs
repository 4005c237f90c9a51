//! Turning the core's framework-free [`Rejection`] into an actix-web response.

use actix_web::HttpResponse;
use actix_web::http::StatusCode;
use cognito_verifier::gate::Rejection;

/// The response for a [`Rejection`]: status, headers and body byte for byte
/// as the core renders them (and as the axum adapter sends them).
pub fn to_response(rejection: Rejection) -> HttpResponse {
    let mut builder = HttpResponse::build(
        StatusCode::from_u16(rejection.status).unwrap_or(StatusCode::UNAUTHORIZED),
    );
    for (name, value) in rejection.headers {
        builder.append_header((name, value.into_owned()));
    }
    builder.body(rejection.body.into_owned())
}
