//! `/oauth2/token` (and `/oauth2/revoke`) request decoding: the
//! `Authorization` header value up to the first `\n` (no `\n`: no header),
//! then the `application/x-www-form-urlencoded` body. Must never panic;
//! decoded client credentials always name a client.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (authorization, body) = match data.iter().position(|&b| b == b'\n') {
        Some(i) => (Some(&data[..i]), &data[i + 1..]),
        None => (None, data),
    };
    if let Ok((grant, _client_id, _secret)) =
        cognito_issuer::fuzzing::oauth2_token_request(authorization, body)
    {
        assert!(!grant.is_empty(), "an empty grant_type was accepted");
    }
});
