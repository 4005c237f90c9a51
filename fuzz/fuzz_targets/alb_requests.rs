//! The ALB modes' parsers, fed as a browser or an attacker would: byte 0
//! picks the input, the rest is split on `\n` (which no header value holds).
//! - 0..=3: a request to a gate in authenticate mode (byte 0 = the
//!   `on_unauthenticated` action and the opt-ins): the request target, the
//!   `Cookie` value, then `Accept`, `Sec-Fetch-Mode`, `Authorization`, `Host`
//!   (default `app.example`; a bad one is 400). Its
//!   IdP is a closed loopback port, so nothing forged may ever reach it.
//! - 4: `x-amzn-oidc-data` for an `AlbVerifier` (decoding, signer and issuer
//!   checks; no key is ever cached, so nothing can verify).
//! - 5: cookie shards joined and opened as a session, and a `state` opened.
//!
//! Must never panic; a forged request is never admitted with an identity,
//! and every answer is a redirect, a refusal or a guest.
#![no_main]

use std::sync::OnceLock;

use cognito_fuzz::harness;
use cognito_verifier::alb::AlbVerifier;
use cognito_verifier::gate::alb::{
    AlbAuth, IdentityProvider, Joined, LoginState, OnUnauthenticated, Session, SessionKeys,
    cookies,
};
use cognito_verifier::gate::{Gate, HeaderView, RequestHead};
use libfuzzer_sys::fuzz_target;

const ARN: &str =
    "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/fuzz/50dc6c495c0c9188";
const COOKIE: &str = "AWSELBAuthSessionCookie";

struct Headers(Vec<(&'static str, Vec<u8>)>);

impl HeaderView for Headers {
    fn values<'s>(&'s self, name: &str) -> impl Iterator<Item = &'s [u8]> + 's {
        let name = name.to_owned();
        self.0
            .iter()
            .filter(move |(n, _)| *n == name)
            .map(|(_, v)| v.as_slice())
    }
}

fn keys() -> SessionKeys {
    SessionKeys::new(vec![[0x5a; 32]]).expect("key")
}

/// One gate per `on_unauthenticated` action and opt-in combination.
fn gate(config: u8) -> &'static Gate {
    static GATES: OnceLock<Vec<Gate>> = OnceLock::new();
    let gates = GATES.get_or_init(|| {
        // A port nothing listens on: bind, note, release.
        let dead = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("loopback");
        let idp = IdentityProvider::from_endpoints(
            "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_FuzzPool1",
            &format!("http://{dead}/oauth2/authorize"),
            &format!("http://{dead}/oauth2/token"),
            &format!("http://{dead}/oauth2/userInfo"),
            Some(&format!("http://{dead}/logout")),
        )
        .expect("endpoints");
        let actions = [
            OnUnauthenticated::Authenticate,
            OnUnauthenticated::Deny,
            OnUnauthenticated::Allow,
            OnUnauthenticated::Authenticate,
        ];
        actions
            .into_iter()
            .enumerate()
            .map(|(i, action)| {
                let auth = AlbAuth::builder(idp.clone(), cognito_fuzz::CLIENT_ID, "secret")
                    .session_keys(keys())
                    .signer(ARN)
                    .on_unauthenticated(action)
                    .accept_bearer(i == 3)
                    .api_requests_get_401(i == 3)
                    .logout_path("/logout", Some("https://app.example/"))
                    .build()
                    .expect("ALB configuration");
                Gate::new(harness().verifier.clone()).alb_authenticate(auth)
            })
            .collect()
    });
    &gates[usize::from(config) % gates.len()]
}

fn request(config: u8, rest: &[u8]) {
    let mut parts = rest.split(|&b| b == b'\n');
    let target = String::from_utf8_lossy(parts.next().unwrap_or(b"/")).into_owned();
    let target = if target.starts_with('/') { target } else { format!("/{target}") };
    let mut headers = Vec::new();
    for name in ["cookie", "accept", "sec-fetch-mode", "authorization", "host"] {
        match parts.next() {
            Some(value) if !value.is_empty() => headers.push((name, value.to_vec())),
            _ if name == "host" => headers.push((name, b"app.example".to_vec())),
            _ => {}
        }
    }
    let headers = Headers(headers);
    let gate = gate(config);
    let head = RequestHead::new("GET", &target, &headers);
    let decided = match gate.admit_now(&head) {
        Some(decided) => decided,
        None => harness().runtime.block_on(gate.admit(&head)),
    };
    match decided {
        // Only a bearer token signed with the fixed key (opt-in gate) can
        // carry an identity here: a session cannot be forged.
        Ok(admitted) => {
            if admitted.auth.claims().is_some() {
                let bearer = headers.values("authorization").next().expect("a bearer token");
                let token = std::str::from_utf8(bearer).expect("UTF-8");
                let token = token.split_once(' ').map_or(token, |(_, t)| t.trim());
                harness().assert_signed_by_fixed_key(token);
            }
        }
        Err(rejection) => assert!(
            matches!(rejection.status, 302 | 400 | 401 | 403 | 500 | 503 | 561),
            "unexpected status {}",
            rejection.status
        ),
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    match selector % 6 {
        choice @ 0..=3 => request(choice, rest),
        4 => {
            static VERIFIER: OnceLock<AlbVerifier> = OnceLock::new();
            let verifier = VERIFIER.get_or_init(|| {
                AlbVerifier::builder()
                    .alb_arn(ARN)
                    .client_id(cognito_fuzz::CLIENT_ID)
                    .issuer(cognito_fuzz::ISSUER)
                    .key_base_url("http://127.0.0.1:9/keys")
                    .build()
                    .expect("verifier")
            });
            if let Ok(text) = std::str::from_utf8(rest)
                && let Some(Ok(_)) = verifier.verify_cached(text)
            {
                panic!("a data token verified without any key");
            }
        }
        _ => {
            if let Joined::Value(text) = cookies::join(COOKIE, [rest]) {
                assert!(Session::open(&keys(), COOKIE, &text).is_none(), "a forged session opened");
            }
            if let Ok(text) = std::str::from_utf8(rest) {
                assert!(LoginState::open(&keys(), text, 1_800_000_000).is_none(), "a forged state opened");
            }
        }
    }
});
