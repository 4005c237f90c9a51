//! SRP parameter parsing and the server math's input checks: `SRP_A`,
//! `PASSWORD_CLAIM_SECRET_BLOCK`, `PASSWORD_CLAIM_SIGNATURE` and
//! `TIMESTAMP`, separated by `\n`. Must never panic; no input proves the
//! fixed (unknown) password; a parsed timestamp formats back to itself.
#![no_main]

use cognito_issuer::fuzzing::{srp_format_timestamp, srp_parameters};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut fields = text.splitn(4, '\n');
    let (a, block, sig, ts) = (
        fields.next().unwrap_or(""),
        fields.next().unwrap_or(""),
        fields.next().unwrap_or(""),
        fields.next().unwrap_or(""),
    );
    let outcome = srp_parameters(a, block, sig, ts);
    assert!(!outcome.proven, "a proof without the password: {outcome:?}");
    assert!(!outcome.block_opened, "a forged secret block opened: {outcome:?}");
    if let Some(epoch) = outcome.timestamp {
        let formatted = srp_format_timestamp(epoch);
        let again = srp_parameters("", "", "", &formatted).timestamp;
        assert_eq!(again, Some(epoch), "{ts:?} -> {epoch} -> {formatted:?}");
    }
});
