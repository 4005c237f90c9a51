//! ListUsers' `Filter` parser (the string AWS's SDKs send). Must never
//! panic; a parsed filter names a filterable attribute, and parsing is
//! insensitive to surrounding whitespace.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(filter) = std::str::from_utf8(data) else {
        return;
    };
    let parsed = cognito_issuer::fuzzing::list_users_filter(filter);
    if let Ok(Some((attribute, _, _))) = &parsed {
        assert!(!attribute.is_empty());
    }
    let padded = cognito_issuer::fuzzing::list_users_filter(&format!("  {filter}\t"));
    assert_eq!(
        parsed, padded,
        "whitespace around the filter changed its meaning"
    );
});
