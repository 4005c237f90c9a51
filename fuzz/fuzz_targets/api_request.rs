//! The issuer's JSON API request decoding: `X-Amz-Target` and the body,
//! decoded as the named operation's input (no store). Input: the target
//! up to the first `\n` (no `\n`: no target header), then the body. Must
//! never panic; every error is a 4xx Cognito exception.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (target, body) = match data.iter().position(|&b| b == b'\n') {
        Some(i) => (Some(&data[..i]), &data[i + 1..]),
        None => (None, data),
    };
    if let Err(error) = cognito_issuer::fuzzing::api_request(target, body) {
        assert!(
            (400..500).contains(&error.status),
            "request decoding answered {} {}: {}",
            error.status,
            error.type_name,
            error.message
        );
    }
});
