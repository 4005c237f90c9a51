//! Token parsing and verification: arbitrary bytes as a token (mode bit
//! 0x80 clear), or an arbitrary header and payload signed with the fixed
//! key (bit set; `header \0 payload`, or only a payload under the default
//! header; `$NOW` / `$EXP` become the current time / an hour later).
//! Must never panic, and anything accepted must be signed with the fixed key.
#![no_main]

use cognito_fuzz::{KID, harness, with_times};
use cognito_verifier::{ClientMatch, ExpectedTokenUse, Policy, Requirement};
use libfuzzer_sys::fuzz_target;

fn policy(mode: u8) -> Policy {
    Policy {
        token_use: match mode & 0x03 {
            0 => None,
            1 => Some(ExpectedTokenUse::Id),
            2 => Some(ExpectedTokenUse::Access),
            _ => Some(ExpectedTokenUse::Unchecked),
        },
        client_match: (mode & 0x04 != 0).then_some(ClientMatch::AudOrClientId),
        groups: (mode & 0x08 != 0).then(|| Requirement::any_of(["admin"])),
        scopes: (mode & 0x10 != 0).then(|| Requirement::all_of(["orders/read"])),
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let h = harness();
    let token = if mode & 0x80 != 0 {
        let default_header = format!(r#"{{"alg":"RS256","kid":"{KID}"}}"#);
        let (header, payload) = match rest.iter().position(|&b| b == 0) {
            Some(i) => (&rest[..i], &rest[i + 1..]),
            None => (default_header.as_bytes(), rest),
        };
        h.sign(header, &with_times(payload))
    } else {
        match std::str::from_utf8(rest) {
            Ok(token) => token.to_owned(),
            Err(_) => return,
        }
    };
    match h.verifier.verify_sync_with(&token, &policy(mode)) {
        Ok(claims) => {
            h.assert_signed_by_fixed_key(&token);
            let _ = format!("{claims:?}");
            let _ = claims.deserialize::<serde_json::Value>();
        }
        Err(error) => {
            let _ = (error.to_string(), error.code(), error.category());
        }
    }
});
