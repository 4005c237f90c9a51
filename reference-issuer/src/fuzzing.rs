//! Entry points for the fuzz targets in `fuzz/` (feature `fuzzing`; not a
//! stable API). Each function hands raw bytes to the real parser of one
//! input the issuer receives from the network, as the serving code does,
//! without a store. Keep them thin: they name the parsers, nothing more.

use std::sync::OnceLock;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use num_bigint::BigUint;

use crate::api::{self, ApiError};
use crate::directory::filter::Filter;
use crate::signin::srp_pending::SealedChallenges;
use crate::srp::{self, ServerEphemeral, Verifier};

/// The JSON API request decoding: `X-Amz-Target` (absent when not a valid
/// header string, as the HTTP edge reads it) and the body, decoded as the
/// named operation's input; errors rendered as on the wire.
pub fn api_request(target: Option<&[u8]>, body: &[u8]) -> Result<(), ApiError> {
    let target = target.and_then(|t| std::str::from_utf8(t).ok());
    let decoded =
        api::request(target, body).and_then(|(op, input)| api::probe::decode_input(op, input));
    decoded.map_err(|e| {
        let e = ApiError::from(e);
        let _ = e.body();
        e
    })
}

/// ListUsers' `Filter`: `Ok(None)` for no filter, else the attribute, the
/// operator (`true` for `^=`) and the value.
pub fn list_users_filter(filter: &str) -> Result<Option<(String, bool, String)>, String> {
    Filter::parse(filter)
        .map(|f| f.map(|f| (f.attribute, f.prefix, f.value)))
        .map_err(|e| e.message)
}

/// `/oauth2/token` and `/oauth2/revoke` request decoding: the form body and
/// the `Authorization` header give `(grant_type, client_id, client_secret)`,
/// or the OAuth2 error code.
pub fn oauth2_token_request(
    authorization: Option<&[u8]>,
    body: &[u8],
) -> Result<(String, String, Option<String>), String> {
    crate::http::decode_token_request(authorization, body).map_err(|e| format!("{:?}", e.kind))
}

/// What the SRP parameters of one sign-in decoded to.
#[derive(Debug)]
pub struct SrpOutcome {
    /// `SRP_A` was a valid public value.
    pub a_valid: bool,
    /// `TIMESTAMP` parsed, as epoch seconds.
    pub timestamp: Option<i64>,
    /// The `PASSWORD_CLAIM_SIGNATURE` proved the fixed test password.
    pub proven: bool,
    /// The secret block opened as a sealed challenge of this run (it never
    /// should: only the issuer can seal one).
    pub block_opened: bool,
}

/// The pool, user and server ephemeral [`srp_parameters`] checks against.
pub const SRP_POOL_ID: &str = "us-east-1_Fuzz";
/// The user of [`SRP_POOL_ID`] the proof is checked for.
pub const SRP_USER_ID: &str = "fuzz-user";

fn srp_server() -> &'static (Verifier, ServerEphemeral) {
    static SERVER: OnceLock<(Verifier, ServerEphemeral)> = OnceLock::new();
    SERVER.get_or_init(|| {
        // A password nobody is given: a proof can only be forged.
        let verifier = Verifier::with_salt(
            SRP_POOL_ID,
            SRP_USER_ID,
            "fuzzing cannot know this password 7#",
            BigUint::from(0x1234_5678_9abc_def0_u64),
        );
        let eph = ServerEphemeral::with_secret(&verifier.v, BigUint::from(0xfeed_beef_u64) << 200);
        (verifier, eph)
    })
}

/// The SRP parameters as `USER_SRP_AUTH` and `PASSWORD_VERIFIER` decode
/// them: `SRP_A` (hex, not 0 mod N), `PASSWORD_CLAIM_SECRET_BLOCK` and
/// `PASSWORD_CLAIM_SIGNATURE` (base64), `TIMESTAMP`; then the server key
/// and the signature check against a fixed server ephemeral.
pub fn srp_parameters(
    srp_a: &str,
    secret_block: &str,
    signature: &str,
    timestamp: &str,
) -> SrpOutcome {
    let a = srp::parse_a(srp_a);
    let block = STANDARD.decode(secret_block).ok();
    let sig = STANDARD.decode(signature).ok();
    let parsed_ts = srp::parse_timestamp(timestamp);
    let (verifier, eph) = srp_server();
    static SEALED: OnceLock<SealedChallenges> = OnceLock::new();
    let block_opened = block.as_deref().is_some_and(|b| {
        SEALED
            .get_or_init(SealedChallenges::default)
            .open(SRP_POOL_ID, "fuzz-client", b)
            .is_ok()
    });
    let proven = match (&a, block, sig) {
        // Only an HMAC-SHA256-sized signature can verify: the slow math is
        // skipped otherwise (the issuer runs it, but here it would hold the
        // fuzzer to a few dozen inputs a second).
        (Some(a), Some(block), Some(sig)) if sig.len() == 32 => {
            srp::server_key(a, eph, &verifier.v).is_some_and(|k| {
                srp::verify_signature(&k, SRP_POOL_ID, SRP_USER_ID, &block, timestamp, &sig)
            })
        }
        _ => false,
    };
    SrpOutcome {
        a_valid: a.is_some(),
        timestamp: parsed_ts,
        proven,
        block_opened,
    }
}

/// Formats epoch seconds as an SRP `TIMESTAMP` (for round-trip checks).
pub fn srp_format_timestamp(epoch: i64) -> String {
    srp::format_timestamp(epoch)
}
