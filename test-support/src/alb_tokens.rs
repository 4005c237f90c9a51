//! ALB `x-amzn-oidc-data` tokens for tests: an ES256 key (aws-lc-rs) with a
//! UUID kid, [`AlbMint`] signing tokens as an ALB does (base64url segments
//! **with** padding, signed over the padded text, `signer`/`client`/`iss`/
//! `exp` in the header) plus [`Knobs`] for every bad variant, and
//! [`AlbKeyServer`], a loopback PEM key server (`<url>/<kid>`) tests can steer.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use aws_lc_rs::encoding::AsDer;
use aws_lc_rs::rand::{SecureRandom, SystemRandom};
use aws_lc_rs::signature::{
    ECDSA_P256_SHA256_ASN1_SIGNING, ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, KeyPair,
};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE, URL_SAFE_NO_PAD};
use bytes::Bytes;
use http_body_util::Full;
use hyper::header::CONTENT_TYPE;
use hyper::{Response, StatusCode};
use serde_json::{Value, json};

use crate::test_issuer::now;

/// The ALB ARN tests use by default.
pub const TEST_ALB_ARN: &str = "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/test-alb/50dc6c495c0c9188";

/// An ES256 (P-256) signing key with a random UUID kid.
pub struct AlbSigningKey {
    /// The key id (a v4 UUID).
    pub kid: String,
    fixed: EcdsaKeyPair,
    asn1: EcdsaKeyPair,
}

impl AlbSigningKey {
    /// Generates a fresh key.
    pub fn generate() -> Self {
        let fixed = EcdsaKeyPair::generate(&ECDSA_P256_SHA256_FIXED_SIGNING).expect("P-256 key");
        let pkcs8 = fixed.to_pkcs8v1().expect("PKCS#8 export");
        let asn1 = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_ASN1_SIGNING, pkcs8.as_ref())
            .expect("PKCS#8 import");
        AlbSigningKey {
            kid: random_uuid(),
            fixed,
            asn1,
        }
    }

    /// The public key as the ALB key server serves it: PEM SubjectPublicKeyInfo.
    pub fn public_key_pem(&self) -> String {
        let der = self.fixed.public_key().as_der().expect("SPKI export");
        let body = STANDARD.encode(der.as_ref());
        let lines: Vec<&str> = body
            .as_bytes()
            .chunks(64)
            .map(|line| std::str::from_utf8(line).expect("base64 is ASCII"))
            .collect();
        format!(
            "-----BEGIN PUBLIC KEY-----\n{}\n-----END PUBLIC KEY-----\n",
            lines.join("\n")
        )
    }

    /// An ES256 signature of `message`: raw `r || s` (64 bytes), or DER when `der`.
    pub fn sign(&self, message: &[u8], der: bool) -> Vec<u8> {
        let pair = if der { &self.asn1 } else { &self.fixed };
        pair.sign(&SystemRandom::new(), message)
            .expect("sign")
            .as_ref()
            .to_vec()
    }
}

/// A random v4 UUID in its 8-4-4-4-12 form.
pub fn random_uuid() -> String {
    let mut b = [0u8; 16];
    SystemRandom::new().fill(&mut b).expect("random");
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

/// Deviations from a good token, one knob per bad variant (default: none).
#[derive(Debug, Clone, Default)]
pub struct Knobs {
    /// Segments without `=` padding (signed as emitted).
    pub unpadded: bool,
    /// One `=` too many after the header segment (signed as emitted).
    pub extra_padding: bool,
    /// Header `signer` instead of the mint's; `Some(Value::Null)` drops it.
    pub signer: Option<Value>,
    /// Header `client` instead of the mint's.
    pub client: Option<String>,
    /// Header `kid` instead of the key's.
    pub kid: Option<String>,
    /// Header `alg` instead of `ES256`.
    pub alg: Option<String>,
    /// Header `iss` instead of the mint's.
    pub header_iss: Option<String>,
    /// Header `exp` instead of the payload's (any JSON value).
    pub header_exp: Option<Value>,
    /// A DER signature instead of raw `r || s`.
    pub der_signature: bool,
    /// Replaces the payload after signing (the signature then no longer matches).
    pub tampered_payload: Option<Value>,
    /// An empty signature segment with `alg` as given (e.g. `none`).
    pub no_signature: bool,
}

/// Mints `x-amzn-oidc-data` tokens as one ALB would.
pub struct AlbMint {
    /// The signing key.
    pub key: AlbSigningKey,
    /// The ALB ARN put in `signer`.
    pub signer: String,
    /// The app client id put in `client`.
    pub client: String,
    /// The IdP issuer put in `iss` (header and payload).
    pub issuer: String,
}

impl AlbMint {
    /// A mint with a fresh key for `signer`, `client` and `issuer`.
    pub fn new(signer: &str, client: &str, issuer: &str) -> Self {
        AlbMint {
            key: AlbSigningKey::generate(),
            signer: signer.to_owned(),
            client: client.to_owned(),
            issuer: issuer.to_owned(),
        }
    }

    /// The key id.
    pub fn kid(&self) -> &str {
        &self.key.kid
    }

    /// The PEM the key server must serve at `<base>/<kid>`.
    pub fn public_key_pem(&self) -> String {
        self.key.public_key_pem()
    }

    /// Cognito userInfo-shaped claims for `sub`, as an ALB forwards them
    /// (`email_verified` a string), with `exp` in an hour and `iss`.
    pub fn claims(&self, sub: &str) -> Value {
        json!({
            "sub": sub,
            "email_verified": "true",
            "email": "alice@example.com",
            "username": "alice",
            "exp": now() + 3600,
            "iss": self.issuer,
        })
    }

    /// A good token carrying `claims` (its `exp` also goes in the header).
    pub fn mint(&self, claims: &Value) -> String {
        self.mint_with(claims, &Knobs::default())
    }

    /// A token carrying `claims`, bent by `knobs`.
    pub fn mint_with(&self, claims: &Value, knobs: &Knobs) -> String {
        let mut header = serde_json::Map::new();
        header.insert("typ".into(), "JWT".into());
        header.insert(
            "kid".into(),
            knobs
                .kid
                .clone()
                .unwrap_or_else(|| self.key.kid.clone())
                .into(),
        );
        header.insert(
            "alg".into(),
            knobs.alg.clone().unwrap_or_else(|| "ES256".into()).into(),
        );
        header.insert(
            "iss".into(),
            knobs
                .header_iss
                .clone()
                .unwrap_or_else(|| self.issuer.clone())
                .into(),
        );
        header.insert(
            "client".into(),
            knobs
                .client
                .clone()
                .unwrap_or_else(|| self.client.clone())
                .into(),
        );
        match &knobs.signer {
            Some(Value::Null) => {}
            Some(signer) => {
                header.insert("signer".into(), signer.clone());
            }
            None => {
                header.insert("signer".into(), self.signer.clone().into());
            }
        }
        let exp = knobs
            .header_exp
            .clone()
            .or_else(|| claims.get("exp").cloned());
        if let Some(exp) = exp {
            header.insert("exp".into(), exp);
        }
        let enc = |bytes: &[u8]| {
            if knobs.unpadded {
                URL_SAFE_NO_PAD.encode(bytes)
            } else {
                URL_SAFE.encode(bytes)
            }
        };
        let mut header_b64 = enc(Value::Object(header).to_string().as_bytes());
        if knobs.extra_padding {
            header_b64.push('=');
        }
        let input = format!("{header_b64}.{}", enc(claims.to_string().as_bytes()));
        let signature = if knobs.no_signature {
            String::new()
        } else {
            enc(&self.key.sign(input.as_bytes(), knobs.der_signature))
        };
        match &knobs.tampered_payload {
            Some(payload) => format!(
                "{header_b64}.{}.{signature}",
                enc(payload.to_string().as_bytes())
            ),
            None => format!("{input}.{signature}"),
        }
    }
}

/// What the key server answers for one kid.
#[derive(Debug, Clone)]
pub enum KeyBehaviour {
    /// 200 with this PEM.
    Pem(String),
    /// This status with an empty body.
    Status(u16),
    /// 200 with these bytes.
    Raw(Vec<u8>),
}

#[derive(Default)]
struct KeyServerState {
    keys: Mutex<HashMap<String, KeyBehaviour>>,
    delay: Mutex<Duration>,
    fetches: AtomicUsize,
}

/// An ALB public key server on 127.0.0.1: `GET <url>/<kid>` answers the
/// kid's [`KeyBehaviour`] (404 for an unknown kid); requests are counted.
pub struct AlbKeyServer {
    addr: SocketAddr,
    state: Arc<KeyServerState>,
    task: tokio::task::JoinHandle<()>,
}

impl AlbKeyServer {
    /// Starts an empty key server on a free loopback port.
    pub async fn start() -> Self {
        let state = Arc::new(KeyServerState::default());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("local addr");
        let served = state.clone();
        let task = tokio::spawn(crate::loopback::serve(
            listener,
            move |request: hyper::Request<hyper::body::Incoming>| {
                let state = served.clone();
                let path = request.uri().path().to_owned();
                async move { serve_key(&state, &path).await }
            },
        ));
        AlbKeyServer { addr, state, task }
    }

    /// Starts a key server publishing `mint`'s key.
    pub async fn serving(mint: &AlbMint) -> Self {
        let server = Self::start().await;
        server.publish(mint);
        server
    }

    /// The key base URL (`key_base_url`): keys are at `<url>/<kid>`.
    pub fn url(&self) -> String {
        format!("http://{}/alb-keys", self.addr)
    }

    /// Publishes `mint`'s PEM under its kid.
    pub fn publish(&self, mint: &AlbMint) {
        self.set(mint.kid(), KeyBehaviour::Pem(mint.public_key_pem()));
    }

    /// Sets what `kid` answers.
    pub fn set(&self, kid: &str, behaviour: KeyBehaviour) {
        self.state
            .keys
            .lock()
            .expect("key map")
            .insert(kid.to_owned(), behaviour);
    }

    /// Delays every answer.
    pub fn set_delay(&self, delay: Duration) {
        *self.state.delay.lock().expect("delay") = delay;
    }

    /// How many requests the server has received.
    pub fn fetches(&self) -> usize {
        self.state.fetches.load(Ordering::SeqCst)
    }
}

impl Drop for AlbKeyServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn serve_key(state: &KeyServerState, path: &str) -> Response<Full<Bytes>> {
    state.fetches.fetch_add(1, Ordering::SeqCst);
    let delay = *state.delay.lock().expect("delay");
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    let behaviour = path
        .strip_prefix("/alb-keys/")
        .and_then(|kid| state.keys.lock().expect("key map").get(kid).cloned())
        .unwrap_or(KeyBehaviour::Status(404));
    let response = Response::builder();
    match behaviour {
        KeyBehaviour::Pem(pem) => response
            .header(CONTENT_TYPE, "application/x-pem-file")
            .body(Full::from(pem)),
        KeyBehaviour::Status(code) => response
            .status(StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR))
            .body(Full::default()),
        KeyBehaviour::Raw(bytes) => response.body(Full::from(bytes)),
    }
    .expect("valid response")
}
