//! ALB signing keys: one PEM `SubjectPublicKeyInfo` per kid at `<base>/<kid>`,
//! fetched with the crate's bounded GET, parsed once and kept (a kid names
//! one key for good). Concurrent callers for one kid share one fetch; a
//! failed fetch fails fast for that kid during the cool-down; the number of
//! kept keys, remembered failures and fetches in flight are all bounded, so
//! tokens with made-up kids cannot grow memory or fan out fetches.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use aws_lc_rs::signature::{ECDSA_P256_SHA256_FIXED, ParsedPublicKey};
use tokio::sync::OnceCell;

use crate::error::Cause;
use crate::fetch::{self, FetchLimits};

/// Most keys kept (an ALB region rotates rarely; aws-jwt-verify keeps two).
pub(crate) const MAX_KEYS: usize = 64;

/// Most kids whose failed fetch is remembered.
const MAX_FAILURES: usize = 256;

/// Most distinct kids fetched at once; more fail fast (503).
const MAX_FLIGHTS: usize = 8;

/// A P-256 public key, parsed once.
pub(crate) struct AlbKey {
    parsed: ParsedPublicKey,
}

impl AlbKey {
    /// Parses a PEM `-----BEGIN PUBLIC KEY-----` block holding a P-256
    /// `SubjectPublicKeyInfo`.
    pub(crate) fn from_pem(body: &[u8]) -> Result<AlbKey, String> {
        const BEGIN: &str = "-----BEGIN PUBLIC KEY-----";
        const END: &str = "-----END PUBLIC KEY-----";
        let text = std::str::from_utf8(body).map_err(|_| "key is not PEM text".to_owned())?;
        let inner = text
            .trim()
            .strip_prefix(BEGIN)
            .and_then(|rest| rest.strip_suffix(END))
            .ok_or_else(|| "key is not a PEM PUBLIC KEY block".to_owned())?;
        let base64: String = inner.chars().filter(|c| !c.is_ascii_whitespace()).collect();
        let der = base64_simd::STANDARD
            .decode_to_vec(base64.as_bytes())
            .map_err(|_| "PEM body is not base64".to_owned())?;
        let parsed = ParsedPublicKey::new(&ECDSA_P256_SHA256_FIXED, der)
            .map_err(|e| format!("key is not a P-256 public key: {e}"))?;
        Ok(AlbKey { parsed })
    }

    /// Whether `signature` (raw `r || s`) is a valid ES256 signature of `message`.
    pub(crate) fn verify(&self, message: &[u8], signature: &[u8]) -> bool {
        self.parsed.verify_sig(message, signature).is_ok()
    }
}

type Flight = Arc<OnceCell<Result<Arc<AlbKey>, String>>>;

#[derive(Default)]
struct State {
    keys: HashMap<String, Arc<AlbKey>>,
    /// When a kid's fetch failed, and why.
    failed: HashMap<String, (Instant, String)>,
    flights: HashMap<String, Flight>,
}

/// The keys of one key server.
pub(crate) struct AlbKeys {
    /// `<base>` without a trailing slash.
    base: String,
    http: reqwest::Client,
    limits: FetchLimits,
    cooldown: Duration,
    state: Mutex<State>,
}

impl AlbKeys {
    pub(crate) fn new(
        base: &str,
        http: reqwest::Client,
        limits: FetchLimits,
        cooldown: Duration,
    ) -> Self {
        AlbKeys {
            base: base.trim_end_matches('/').to_owned(),
            http,
            limits,
            cooldown,
            state: Mutex::new(State::default()),
        }
    }

    fn state(&self) -> MutexGuard<'_, State> {
        // A panic while holding the lock leaves only maps behind: keep going.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The key for `kid` without waiting: `None` when it must be fetched.
    pub(crate) fn key_cached(&self, kid: &str) -> Option<Result<Arc<AlbKey>, Cause>> {
        let state = self.state();
        if let Some(key) = state.keys.get(kid) {
            return Some(Ok(key.clone()));
        }
        match state.failed.get(kid) {
            Some((at, error)) if at.elapsed() < self.cooldown => {
                Some(Err(Cause::JwksUnavailable(error.clone())))
            }
            _ => None,
        }
    }

    /// The key for `kid`, fetched once if needed (concurrent callers share the fetch).
    pub(crate) async fn key(&self, kid: &str) -> Result<Arc<AlbKey>, Cause> {
        if let Some(known) = self.key_cached(kid) {
            return known;
        }
        let flight = {
            let mut state = self.state();
            match state.flights.get(kid) {
                Some(flight) => flight.clone(),
                None if state.flights.len() >= MAX_FLIGHTS => {
                    return Err(Cause::JwksUnavailable(format!(
                        "{MAX_FLIGHTS} ALB key fetches already in flight"
                    )));
                }
                None => state.flights.entry(kid.to_owned()).or_default().clone(),
            }
        };
        // Removes the flight however this call ends, cancelled included, so an
        // abandoned fetch never holds one of the MAX_FLIGHTS places.
        let _guard = FlightGuard {
            keys: self,
            kid,
            flight: flight.clone(),
        };
        let result = flight.get_or_init(|| self.fetch(kid)).await.clone();
        let mut state = self.state();
        match &result {
            Ok(key) => {
                state.failed.remove(kid);
                if !state.keys.contains_key(kid) && state.keys.len() >= MAX_KEYS {
                    evict_one(&mut state.keys);
                }
                state.keys.insert(kid.to_owned(), key.clone());
            }
            Err(error) => {
                if !state.failed.contains_key(kid) && state.failed.len() >= MAX_FAILURES {
                    let cooldown = self.cooldown;
                    state.failed.retain(|_, (at, _)| at.elapsed() < cooldown);
                    if state.failed.len() >= MAX_FAILURES {
                        evict_one(&mut state.failed);
                    }
                }
                state
                    .failed
                    .insert(kid.to_owned(), (Instant::now(), error.clone()));
            }
        }
        // Before the guard takes the lock again.
        drop(state);
        result.map_err(Cause::JwksUnavailable)
    }

    async fn fetch(&self, kid: &str) -> Result<Arc<AlbKey>, String> {
        // The kid is a UUID (checked at decode), so it needs no escaping.
        let uri = format!("{}/{kid}", self.base);
        let body = fetch::bounded_get_as(
            &self.http,
            &uri,
            &self.limits,
            "application/x-pem-file, */*",
        )
        .await?;
        let key = AlbKey::from_pem(&body).map_err(|e| format!("{uri}: {e}"))?;
        tracing::debug!(%uri, "fetched ALB public key");
        Ok(Arc::new(key))
    }
}

/// Takes a kid's flight out of the map when its caller is done or dropped.
struct FlightGuard<'a> {
    keys: &'a AlbKeys,
    kid: &'a str,
    flight: Flight,
}

impl Drop for FlightGuard<'_> {
    fn drop(&mut self) {
        let mut state = self.keys.state();
        if state
            .flights
            .get(self.kid)
            .is_some_and(|f| Arc::ptr_eq(f, &self.flight))
        {
            state.flights.remove(self.kid);
        }
    }
}

fn evict_one<V>(map: &mut HashMap<String, V>) {
    if let Some(victim) = map.keys().next().cloned() {
        map.remove(&victim);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_lc_rs::encoding::AsDer;
    use aws_lc_rs::rand::SystemRandom;
    use aws_lc_rs::signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, KeyPair};

    fn pem(der: &[u8]) -> String {
        let b64 = base64_simd::STANDARD.encode_to_string(der);
        let lines: Vec<&str> = b64
            .as_bytes()
            .chunks(64)
            .map(|c| std::str::from_utf8(c).unwrap())
            .collect();
        format!(
            "-----BEGIN PUBLIC KEY-----\n{}\n-----END PUBLIC KEY-----\n",
            lines.join("\n")
        )
    }

    #[test]
    fn parses_a_pem_spki_and_verifies() {
        let pair = EcdsaKeyPair::generate(&ECDSA_P256_SHA256_FIXED_SIGNING).unwrap();
        let spki = pair.public_key().as_der().unwrap();
        let key = AlbKey::from_pem(pem(spki.as_ref()).as_bytes()).unwrap();
        let sig = pair.sign(&SystemRandom::new(), b"msg").unwrap();
        assert!(key.verify(b"msg", sig.as_ref()));
        assert!(!key.verify(b"msg2", sig.as_ref()));
    }

    #[test]
    fn refuses_what_is_not_a_p256_pem() {
        for body in [
            &b"\xff\xfe"[..],
            b"not pem",
            b"-----BEGIN PUBLIC KEY-----\n!!!\n-----END PUBLIC KEY-----",
            b"-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----",
            b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----",
        ] {
            assert!(AlbKey::from_pem(body).is_err(), "{body:?}");
        }
    }
}
