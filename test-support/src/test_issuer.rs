//! A test token issuer: RSA keys generated at run time, tokens with Cognito's
//! claim sets, and a real JWKS HTTP server on loopback whose behaviour tests
//! can change (keys, delay, status, raw body) and whose fetches are counted.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use aws_lc_rs::encoding::AsDer;
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa::{KeyPair, KeySize};
use aws_lc_rs::signature::{KeyPair as _, RSA_PKCS1_SHA256, RSA_PKCS1_SHA512, RSA_PSS_SHA256};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use bytes::Bytes;
use http_body_util::Full;
use hyper::header::{CONTENT_TYPE, LOCATION};
use hyper::{Response, StatusCode};
use serde_json::{Value, json};

/// Base64url without padding.
pub fn b64(bytes: impl AsRef<[u8]>) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Seconds since the Unix epoch.
pub fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

/// An RSA-2048 signing key with a `kid`.
pub struct TestKey {
    /// The key id published in the JWKS.
    pub kid: String,
    pair: KeyPair,
    encoding: jsonwebtoken::EncodingKey,
}

impl TestKey {
    /// Generates a fresh RSA-2048 key.
    pub fn generate(kid: &str) -> Self {
        let pair = KeyPair::generate(KeySize::Rsa2048).expect("RSA key generation");
        let der = pair.as_der().expect("PKCS#8 export");
        let encoding = jsonwebtoken::EncodingKey::from_rsa_der(pkcs1_from_pkcs8(der.as_ref()));
        TestKey {
            kid: kid.to_owned(),
            pair,
            encoding,
        }
    }

    /// The public JWK, as Cognito publishes it (`alg`, `e`, `kid`, `kty`, `n`, `use`).
    pub fn jwk(&self) -> Value {
        let public = self.pair.public_key();
        json!({
            "alg": "RS256",
            "e": b64(public.exponent().big_endian_without_leading_zero()),
            "kid": self.kid,
            "kty": "RSA",
            "n": b64(public.modulus().big_endian_without_leading_zero()),
            "use": "sig",
        })
    }

    /// A signer of claim sets with this key, for servers that mint tokens
    /// on their own tasks (see [`TestIdp`](crate::test_idp::TestIdp)).
    pub fn minter(&self) -> crate::test_idp::Minter {
        let (kid, encoding) = (self.kid.clone(), self.encoding.clone());
        std::sync::Arc::new(move |claims: &Value| {
            let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::RS256);
            header.kid = Some(kid.clone());
            jsonwebtoken::encode(&header, claims, &encoding).expect("encode")
        })
    }

    /// An RS256 token with the standard header, encoded by `jsonwebtoken`.
    pub fn mint(&self, claims: &Value) -> String {
        let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::RS256);
        header.kid = Some(self.kid.clone());
        jsonwebtoken::encode(&header, claims, &self.encoding).expect("encode")
    }

    /// A token with an arbitrary header and payload (raw JSON text, so
    /// duplicate members are possible), signed with `alg` (`RS256`, `RS512`, `PS256`).
    pub fn sign_raw(&self, header_json: &str, payload_json: &str, alg: &str) -> String {
        let input = format!("{}.{}", b64(header_json), b64(payload_json));
        format!("{input}.{}", b64(self.signature(input.as_bytes(), alg)))
    }

    /// The raw signature of `message` under `alg`.
    pub fn signature(&self, message: &[u8], alg: &str) -> Vec<u8> {
        let padding: &'static dyn aws_lc_rs::signature::RsaEncoding = match alg {
            "RS512" => &RSA_PKCS1_SHA512,
            "PS256" => &RSA_PSS_SHA256,
            _ => &RSA_PKCS1_SHA256,
        };
        let mut sig = vec![0; self.pair.public_modulus_len()];
        self.pair
            .sign(padding, &SystemRandom::new(), message, &mut sig)
            .expect("sign");
        sig
    }
}

/// The PKCS#1 `RSAPrivateKey` inside a PKCS#8 `PrivateKeyInfo` (which
/// jsonwebtoken's `from_rsa_der` wants): the last member, an OCTET STRING.
fn pkcs1_from_pkcs8(der: &[u8]) -> &[u8] {
    // (tag, header length, content length) of the DER element at `at`.
    fn element(der: &[u8], at: usize) -> (u8, usize, usize) {
        let len_byte = der[at + 1] as usize;
        if len_byte < 0x80 {
            return (der[at], 2, len_byte);
        }
        let n = len_byte & 0x7f;
        let len = der[at + 2..at + 2 + n]
            .iter()
            .fold(0, |acc, b| (acc << 8) | *b as usize);
        (der[at], 2 + n, len)
    }
    let (_, outer_header, _) = element(der, 0);
    let mut at = outer_header;
    loop {
        let (tag, header, len) = element(der, at);
        if tag == 0x04 {
            return &der[at + header..at + header + len];
        }
        at += header + len;
    }
}

/// What the JWKS server answers.
#[derive(Clone)]
pub enum JwksBehaviour {
    /// 200 with `{"keys": [...]}`.
    Keys(Vec<Value>),
    /// This status with an empty body.
    Status(u16),
    /// 200 with these bytes.
    Raw(Vec<u8>),
    /// 302 to this location.
    Redirect(String),
}

struct ServerState {
    behaviour: Mutex<JwksBehaviour>,
    delay: Mutex<Duration>,
    fetches: AtomicUsize,
}

/// A JWKS endpoint on 127.0.0.1, served by a real HTTP server.
pub struct JwksServer {
    addr: SocketAddr,
    state: Arc<ServerState>,
    task: tokio::task::JoinHandle<()>,
}

impl JwksServer {
    /// Starts serving `behaviour` on a free loopback port.
    pub async fn start(behaviour: JwksBehaviour) -> Self {
        Self::start_on("127.0.0.1:0".parse().unwrap(), behaviour).await
    }

    /// Starts serving on `addr` (to restart on the port of a stopped server).
    pub async fn start_on(addr: SocketAddr, behaviour: JwksBehaviour) -> Self {
        let state = Arc::new(ServerState {
            behaviour: Mutex::new(behaviour),
            delay: Mutex::new(Duration::ZERO),
            fetches: AtomicUsize::new(0),
        });
        let listener = tokio::net::TcpListener::bind(addr).await.expect("bind");
        let addr = listener.local_addr().unwrap();
        let served = state.clone();
        let task = tokio::spawn(crate::loopback::serve(listener, move |_request| {
            let state = served.clone();
            async move { serve_jwks(&state).await }
        }));
        JwksServer { addr, state, task }
    }

    /// The JWKS URL.
    pub fn url(&self) -> String {
        format!("http://{}/.well-known/jwks.json", self.addr)
    }

    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// How many requests the server has received.
    pub fn fetches(&self) -> usize {
        self.state.fetches.load(Ordering::SeqCst)
    }

    /// Changes what the server answers.
    pub fn set(&self, behaviour: JwksBehaviour) {
        *self.state.behaviour.lock().unwrap() = behaviour;
    }

    /// Delays every answer.
    pub fn set_delay(&self, delay: Duration) {
        *self.state.delay.lock().unwrap() = delay;
    }

    /// Stops the server: further connections are refused.
    pub fn stop(&self) {
        self.task.abort();
    }
}

impl Drop for JwksServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Answers any request (any method, any path) with the current behaviour.
async fn serve_jwks(state: &ServerState) -> Response<Full<Bytes>> {
    state.fetches.fetch_add(1, Ordering::SeqCst);
    let delay = *state.delay.lock().unwrap();
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    let behaviour = state.behaviour.lock().unwrap().clone();
    let response = Response::builder();
    match behaviour {
        JwksBehaviour::Keys(keys) => response
            .header(CONTENT_TYPE, "application/json")
            .body(Full::from(json!({ "keys": keys }).to_string())),
        JwksBehaviour::Status(code) => response
            .status(StatusCode::from_u16(code).unwrap())
            .body(Full::default()),
        JwksBehaviour::Raw(bytes) => response
            .header(CONTENT_TYPE, "application/json")
            .body(Full::from(bytes)),
        JwksBehaviour::Redirect(to) => response
            .status(StatusCode::FOUND)
            .header(LOCATION, to)
            .body(Full::default()),
    }
    .expect("valid response")
}

/// A Cognito-like pool for tests: one signing key, a JWKS server, and
/// helpers that mint ID, access and M2M tokens with Cognito's claim sets.
pub struct TestIssuer {
    /// The user pool id.
    pub pool_id: String,
    /// The app client the tokens are issued to.
    pub client_id: String,
    /// The `iss` of minted tokens.
    pub issuer: String,
    /// The signing key.
    pub key: TestKey,
    /// The loopback JWKS server publishing `key`.
    pub jwks: JwksServer,
}

impl TestIssuer {
    /// A pool `us-east-1_TestPool1` whose JWKS is served on loopback and whose
    /// `iss` has the AWS form (so the JWKS URI must be overridden).
    pub async fn start() -> Self {
        let key = TestKey::generate("test-key-1");
        let jwks = JwksServer::start(JwksBehaviour::Keys(vec![key.jwk()])).await;
        let pool_id = "us-east-1_TestPool1".to_owned();
        TestIssuer {
            issuer: format!("https://cognito-idp.us-east-1.amazonaws.com/{pool_id}"),
            pool_id,
            client_id: "testclient0123456789abcdef".to_owned(),
            key,
            jwks,
        }
    }

    /// ID token claims for user `alice` in groups `groups`, valid for an hour.
    pub fn id_claims(&self, groups: &[&str]) -> Value {
        let now = now();
        let mut claims = json!({
            "sub": "11111111-2222-3333-4444-555555555555",
            "email_verified": true,
            "iss": self.issuer,
            "cognito:username": "alice",
            "origin_jti": "0a9b8c7d-origin",
            "aud": self.client_id,
            "event_id": "e1e2e3e4-event",
            "token_use": "id",
            "auth_time": now,
            "exp": now + 3600,
            "iat": now,
            "jti": "j1j2j3j4-id",
            "email": "alice@example.com",
            "custom:tenant": "acme",
        });
        if !groups.is_empty() {
            claims["cognito:groups"] = json!(groups);
        }
        claims
    }

    /// Access token claims for user `alice` with `scope` and `groups`.
    pub fn access_claims(&self, scope: &str, groups: &[&str]) -> Value {
        let now = now();
        let mut claims = json!({
            "sub": "11111111-2222-3333-4444-555555555555",
            "iss": self.issuer,
            "client_id": self.client_id,
            "origin_jti": "0a9b8c7d-origin",
            "event_id": "e1e2e3e4-event",
            "token_use": "access",
            "scope": scope,
            "auth_time": now,
            "exp": now + 3600,
            "iat": now,
            "jti": "j1j2j3j4-access",
            "username": "alice",
        });
        if !groups.is_empty() {
            claims["cognito:groups"] = json!(groups);
        }
        claims
    }

    /// Machine-to-machine (client_credentials) access token claims.
    pub fn m2m_claims(&self, scope: &str) -> Value {
        let now = now();
        json!({
            "sub": self.client_id,
            "token_use": "access",
            "scope": scope,
            "auth_time": now,
            "iss": self.issuer,
            "exp": now + 3600,
            "iat": now,
            "version": 2,
            "jti": "j1j2j3j4-m2m",
            "client_id": self.client_id,
        })
    }

    /// Signs `claims` with the pool's key.
    pub fn mint(&self, claims: &Value) -> String {
        self.key.mint(claims)
    }
}
