//! Shared harness of the verifier targets: one fixed RSA key (committed,
//! for fuzzing only), its JWKS served from memory on loopback, a verifier
//! loaded with it, and the oracle "anything accepted was signed with the
//! fixed key".

use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa::KeyPair;
use aws_lc_rs::signature::{self, KeyPair as _, RSA_PKCS1_SHA256, UnparsedPublicKey};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use cognito_verifier::gate::{Gate, Preset};
use cognito_verifier::{CognitoVerifier, PoolConfig};

/// The pool whose tokens the verifier accepts.
pub const POOL_ID: &str = "us-east-1_FuzzPool1";
/// The pool's issuer (`iss`).
pub const ISSUER: &str = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_FuzzPool1";
/// The app client the verifier expects.
pub const CLIENT_ID: &str = "fuzzclient0123456789abcdef";
/// The kid of the fixed key.
pub const KID: &str = "fuzz-key";

/// A 2048-bit RSA key made for these targets only (PKCS#8 DER).
const KEY_PKCS8: &[u8] = include_bytes!("../keys/fuzz-rsa-2048.pk8");
/// Tokens minted by the harness are re-minted after this long.
const FRESH_FOR: Duration = Duration::from_secs(600);

/// The verifier, the gates and the key.
pub struct Harness {
    /// Accepts tokens of [`POOL_ID`] for [`CLIENT_ID`] signed with the fixed key.
    pub verifier: CognitoVerifier,
    /// Runs the gate's asynchronous path.
    pub runtime: tokio::runtime::Runtime,
    key: KeyPair,
    public: UnparsedPublicKey<Vec<u8>>,
    fresh: Mutex<Option<(Instant, FreshTokens)>>,
}

/// An ID and an access token minted by the harness, valid now.
#[derive(Clone)]
pub struct FreshTokens {
    /// ID token, groups `admin`.
    pub id: String,
    /// Access token, scopes `orders/read orders/write`, groups `admin`.
    pub access: String,
}

/// Seconds since the epoch.
pub fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

/// The one harness of this process.
pub fn harness() -> &'static Harness {
    static HARNESS: OnceLock<Harness> = OnceLock::new();
    HARNESS.get_or_init(Harness::new)
}

impl Harness {
    fn new() -> Self {
        let key = KeyPair::from_pkcs8(KEY_PKCS8).expect("fuzz key");
        let public_der = key.public_key().as_ref().to_vec();
        let public = UnparsedPublicKey::new(&signature::RSA_PKCS1_2048_8192_SHA256, public_der);
        let url = serve_jwks(jwks(&key));
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        let week = Duration::from_secs(7 * 24 * 3600);
        let verifier = CognitoVerifier::builder()
            .pool(PoolConfig::new(POOL_ID).jwks_uri(url).client_id(CLIENT_ID))
            .jwks_ttl(week)
            .jwks_cooldown(week)
            .build()
            .expect("verifier");
        runtime
            .block_on(verifier.hydrate())
            .expect("JWKS from loopback");
        Harness {
            verifier,
            runtime,
            key,
            public,
            fresh: Mutex::new(None),
        }
    }

    /// A compact JWS of `header` and `payload` (any bytes) signed RS256
    /// with the fixed key.
    pub fn sign(&self, header: &[u8], payload: &[u8]) -> String {
        let input = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(header),
            URL_SAFE_NO_PAD.encode(payload)
        );
        let mut sig = vec![0; self.key.public_modulus_len()];
        self.key
            .sign(
                &RSA_PKCS1_SHA256,
                &SystemRandom::new(),
                input.as_bytes(),
                &mut sig,
            )
            .expect("sign");
        format!("{input}.{}", URL_SAFE_NO_PAD.encode(sig))
    }

    /// Valid tokens of the pool, minted at most [`FRESH_FOR`] ago.
    pub fn fresh_tokens(&self) -> FreshTokens {
        let mut fresh = self.fresh.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((at, tokens)) = fresh.as_ref()
            && at.elapsed() < FRESH_FOR
        {
            return tokens.clone();
        }
        let (iat, exp) = (now(), now() + 3600);
        let header = format!(r#"{{"alg":"RS256","kid":"{KID}"}}"#);
        let id = format!(
            r#"{{"sub":"5f1c0e4e-fuzz","iss":"{ISSUER}","aud":"{CLIENT_ID}","token_use":"id","auth_time":{iat},"iat":{iat},"exp":{exp},"cognito:username":"fuzz","cognito:groups":["admin"],"email":"fuzz@example.com"}}"#
        );
        let access = format!(
            r#"{{"sub":"5f1c0e4e-fuzz","iss":"{ISSUER}","client_id":"{CLIENT_ID}","token_use":"access","scope":"orders/read orders/write","auth_time":{iat},"iat":{iat},"exp":{exp},"jti":"j-1","username":"fuzz","cognito:groups":["admin"]}}"#
        );
        let tokens = FreshTokens {
            id: self.sign(header.as_bytes(), id.as_bytes()),
            access: self.sign(header.as_bytes(), access.as_bytes()),
        };
        *fresh = Some((Instant::now(), tokens.clone()));
        tokens
    }

    /// The oracle: `token` was accepted, so it must be a compact JWS with
    /// an RS256 header naming the fixed key, signed by that key, of the
    /// configured issuer. Panics (a finding) otherwise.
    pub fn assert_signed_by_fixed_key(&self, token: &str) {
        let parts: Vec<&str> = token.split('.').collect();
        assert_eq!(parts.len(), 3, "accepted a token that is not a compact JWS");
        let signing_input = &token[..parts[0].len() + 1 + parts[1].len()];
        let sig = URL_SAFE_NO_PAD
            .decode(parts[2])
            .expect("accepted a token whose signature is not base64url");
        assert!(
            self.public.verify(signing_input.as_bytes(), &sig).is_ok(),
            "accepted a token not signed with the fixed key"
        );
        let header: serde_json::Value = URL_SAFE_NO_PAD
            .decode(parts[0])
            .ok()
            .and_then(|h| serde_json::from_slice(&h).ok())
            .expect("accepted a token whose header is not JSON");
        assert_eq!(
            header["alg"], "RS256",
            "accepted a header without alg RS256"
        );
        assert_eq!(header["kid"], KID, "accepted a header naming another key");
        let payload: serde_json::Value = URL_SAFE_NO_PAD
            .decode(parts[1])
            .ok()
            .and_then(|p| serde_json::from_slice(&p).ok())
            .expect("accepted a token whose payload is not JSON");
        assert_eq!(payload["iss"], ISSUER, "accepted a token of another issuer");
    }

    /// A gate over the verifier, configured by the bits of `config`:
    /// preset, optional, token header and cookie.
    pub fn gate(&self, config: u8) -> Gate {
        let preset = match config % 3 {
            0 => Preset::Strict,
            1 => Preset::ApiGatewayRest,
            _ => Preset::ApiGatewayHttp,
        };
        let mut gate = Gate::new(self.verifier.clone()).preset(preset);
        if config & 0x04 != 0 {
            gate = gate.optional();
        }
        if config & 0x08 != 0 {
            gate = gate.header("X-Id-Token");
        }
        if config & 0x10 != 0 {
            gate = gate.cookie("id_token");
        }
        if config & 0x20 != 0 {
            gate = gate.require_scopes(cognito_verifier::Requirement::any_of(["orders/read"]));
        }
        gate
    }
}

/// The JWKS: the fixed key, plus entries the verifier must find unusable.
fn jwks(key: &KeyPair) -> String {
    let modulus = key.public_key().modulus().big_endian_without_leading_zero();
    let exponent = key
        .public_key()
        .exponent()
        .big_endian_without_leading_zero();
    let (n, e) = (
        URL_SAFE_NO_PAD.encode(modulus),
        URL_SAFE_NO_PAD.encode(exponent),
    );
    serde_json::json!({ "keys": [
        { "kty": "RSA", "kid": KID, "use": "sig", "alg": "RS256", "n": n, "e": e },
        { "kty": "RSA", "kid": "enc-key", "use": "enc", "alg": "RS256", "n": n, "e": e },
        { "kty": "RSA", "kid": "ps-key", "alg": "PS256", "n": n, "e": e },
        { "kty": "RSA", "kid": "short-key", "alg": "RS256", "n": "sXch", "e": "AQAB" },
        { "kty": "EC", "kid": "ec-key", "crv": "P-256", "x": "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU", "y": "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0" },
    ]})
    .to_string()
}

/// Serves `body` to every request on a loopback port, from a thread.
fn serve_jwks(body: String) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
    let url = format!(
        "http://{}/{POOL_ID}/.well-known/jwks.json",
        listener.local_addr().expect("addr")
    );
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut request = Vec::new();
            let mut buf = [0u8; 1024];
            while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                match stream.read(&mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => request.extend_from_slice(&buf[..n]),
                }
            }
            let _ = write!(
                stream,
                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    url
}

/// Replaces the placeholders `$ID` and `$AT` in `value` with fresh tokens
/// (so mutations around a valid token reach the accepting paths).
pub fn with_fresh_tokens(value: &[u8], tokens: &FreshTokens) -> Vec<u8> {
    replace(
        value,
        &[
            (b"$ID", tokens.id.as_bytes()),
            (b"$AT", tokens.access.as_bytes()),
        ],
    )
}

/// Replaces `$NOW` and `$EXP` (now + 1 h) in a payload with those times.
pub fn with_times(payload: &[u8]) -> Vec<u8> {
    let (now, exp) = (now().to_string(), (now() + 3600).to_string());
    replace(
        payload,
        &[(b"$NOW", now.as_bytes()), (b"$EXP", exp.as_bytes())],
    )
}

/// `value` with each placeholder (starting with `$`) replaced.
fn replace(value: &[u8], placeholders: &[(&[u8], &[u8])]) -> Vec<u8> {
    let mut out = Vec::with_capacity(value.len());
    let mut rest = value;
    while let Some(pos) = rest.iter().position(|&b| b == b'$') {
        out.extend_from_slice(&rest[..pos]);
        let tail = &rest[pos..];
        match placeholders.iter().find(|(p, _)| tail.starts_with(p)) {
            Some((p, with)) => {
                out.extend_from_slice(with);
                rest = &tail[p.len()..];
            }
            None => {
                out.push(b'$');
                rest = &tail[1..];
            }
        }
    }
    out.extend_from_slice(rest);
    out
}
