//! The gate's header and cookie parsing, as the adapters call it: byte 0
//! configures the gate (preset, optional, header name, cookie, scopes);
//! the rest, split on `\n` (which no header value can hold), is the
//! `Cookie` header value (empty: absent) then each value of the token
//! header, in order. `$ID` / `$AT` become a valid ID / access token. Must
//! never panic; an admitted request carried a token signed with the fixed key.
#![no_main]

use cognito_fuzz::{harness, with_fresh_tokens};
use cognito_verifier::gate::{Gate, Presented};
use libfuzzer_sys::fuzz_target;

/// The gate's decision on these header values, as an adapter asks for it
/// (every value of the token header and of `Cookie`): the cached path
/// first, then the full one.
fn decide(gate: &Gate, headers: &[&[u8]], cookie: Option<&[u8]>) -> (Option<String>, bool) {
    let cookies = || cookie.into_iter();
    let admitted = match gate.authenticate_now(headers.iter().copied(), cookies()) {
        Some(decision) => decision,
        None => harness()
            .runtime
            .block_on(gate.authenticate(headers.iter().copied(), cookies())),
    };
    let admitted = match admitted {
        Ok(context) => {
            let _ = context.api_gateway_authorizer();
            context.claims().is_some()
        }
        Err(rejection) => {
            assert!(matches!(rejection.status, 401 | 403 | 503));
            false
        }
    };
    let presented = match gate.source().find(headers.iter().copied(), cookies()) {
        Presented::Token(token) => Some(token.to_owned()),
        _ => None,
    };
    // Several token header values never admit a request.
    assert!(!(admitted && headers.len() > 1), "ambiguous credentials admitted");
    (presented, admitted)
}

fuzz_target!(|data: &[u8]| {
    let Some((&config, rest)) = data.split_first() else {
        return;
    };
    let h = harness();
    let rest = with_fresh_tokens(rest, &h.fresh_tokens());
    let mut parts = rest.split(|&b| b == b'\n');
    let cookie = parts.next().filter(|c| !c.is_empty());
    let headers: Vec<&[u8]> = parts.take(8).collect();
    let gate = h.gate(config);
    let (presented, admitted) = decide(&gate, &headers, cookie);
    if admitted {
        let token = presented.expect("admitted a request without a token");
        h.assert_signed_by_fixed_key(&token);
    }
});
