//! Prometheus text exposition, hand-rolled: a few counters and one
//! histogram do not need a metrics crate.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use cognito_verifier::CognitoVerifier;

/// Upper bounds of the decision latency histogram, in seconds.
const BUCKETS: [f64; 10] = [
    0.000_05, 0.000_1, 0.000_25, 0.000_5, 0.001, 0.005, 0.01, 0.05, 0.25, 1.0,
];

/// Every metric the gatekeeper exposes.
#[derive(Debug, Default)]
pub struct Metrics {
    /// (outcome, cause) -> count.
    decisions: Mutex<BTreeMap<(&'static str, &'static str), u64>>,
    /// Cumulative bucket counts, then +Inf.
    latency: [AtomicU64; BUCKETS.len() + 1],
    latency_sum_micros: AtomicU64,
    /// Upstream status (or `timeout` / `failure`) -> count.
    upstream: Mutex<BTreeMap<String, u64>>,
    /// Reloads by result.
    reloads_ok: AtomicU64,
    reloads_failed: AtomicU64,
}

impl Metrics {
    /// Counts one gate decision: `outcome` is `allowed`, `guest`, `open`
    /// or `denied`; `cause` the rejection's reason (empty when allowed).
    pub fn decision(&self, outcome: &'static str, cause: &'static str, took: Duration) {
        *self
            .decisions
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .entry((outcome, cause))
            .or_default() += 1;
        let secs = took.as_secs_f64();
        let bucket = BUCKETS
            .iter()
            .position(|b| secs <= *b)
            .unwrap_or(BUCKETS.len());
        self.latency[bucket].fetch_add(1, Ordering::Relaxed);
        self.latency_sum_micros
            .fetch_add(took.as_micros() as u64, Ordering::Relaxed);
    }

    /// Counts one upstream answer (`200`, `502`, ..., `timeout`, `failure`).
    pub fn upstream(&self, status: &str) {
        let mut counts = self.upstream.lock().unwrap_or_else(|e| e.into_inner());
        // Allocates only for a status not seen before.
        match counts.get_mut(status) {
            Some(n) => *n += 1,
            None => {
                counts.insert(status.to_owned(), 1);
            }
        }
    }

    /// Counts a reload.
    pub fn reload(&self, ok: bool) {
        let counter = if ok {
            &self.reloads_ok
        } else {
            &self.reloads_failed
        };
        counter.fetch_add(1, Ordering::Relaxed);
    }

    /// The text exposition (format 0.0.4), with the verifiers' JWKS counters.
    pub fn render(&self, verifiers: &[CognitoVerifier]) -> String {
        let mut out = String::new();
        out.push_str("# HELP gatekeeper_decisions_total Gate decisions by outcome and cause.\n");
        out.push_str("# TYPE gatekeeper_decisions_total counter\n");
        for ((outcome, cause), n) in self
            .decisions
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
        {
            let _ = writeln!(
                out,
                "gatekeeper_decisions_total{{outcome=\"{outcome}\",cause=\"{cause}\"}} {n}"
            );
        }
        out.push_str("# HELP gatekeeper_decision_seconds Time to decide on a request.\n");
        out.push_str("# TYPE gatekeeper_decision_seconds histogram\n");
        let mut cumulative = 0;
        for (i, bound) in BUCKETS.iter().enumerate() {
            cumulative += self.latency[i].load(Ordering::Relaxed);
            let _ = writeln!(
                out,
                "gatekeeper_decision_seconds_bucket{{le=\"{bound}\"}} {cumulative}"
            );
        }
        cumulative += self.latency[BUCKETS.len()].load(Ordering::Relaxed);
        let _ = writeln!(
            out,
            "gatekeeper_decision_seconds_bucket{{le=\"+Inf\"}} {cumulative}"
        );
        let sum = self.latency_sum_micros.load(Ordering::Relaxed) as f64 / 1e6;
        let _ = writeln!(out, "gatekeeper_decision_seconds_sum {sum}");
        let _ = writeln!(out, "gatekeeper_decision_seconds_count {cumulative}");
        out.push_str("# HELP gatekeeper_upstream_responses_total Upstream answers by status.\n");
        out.push_str("# TYPE gatekeeper_upstream_responses_total counter\n");
        for (status, n) in self
            .upstream
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
        {
            let _ = writeln!(
                out,
                "gatekeeper_upstream_responses_total{{status=\"{status}\"}} {n}"
            );
        }
        out.push_str("# HELP gatekeeper_jwks_fetches_total JWKS fetches by issuer (since the last reload).\n");
        out.push_str("# TYPE gatekeeper_jwks_fetches_total counter\n");
        out.push_str(
            "# HELP gatekeeper_jwks_fetch_failures_total Failed JWKS fetches by issuer.\n",
        );
        out.push_str("# TYPE gatekeeper_jwks_fetch_failures_total counter\n");
        out.push_str("# HELP gatekeeper_jwks_loaded Whether the issuer's keys are loaded.\n");
        out.push_str("# TYPE gatekeeper_jwks_loaded gauge\n");
        for status in verifiers.iter().flat_map(CognitoVerifier::jwks_status) {
            let issuer = status.issuer.replace(['"', '\\', '\n'], "_");
            let _ = writeln!(
                out,
                "gatekeeper_jwks_fetches_total{{issuer=\"{issuer}\"}} {}\n\
                 gatekeeper_jwks_fetch_failures_total{{issuer=\"{issuer}\"}} {}\n\
                 gatekeeper_jwks_loaded{{issuer=\"{issuer}\"}} {}",
                status.fetches,
                status.failures,
                u8::from(status.loaded)
            );
        }
        out.push_str("# TYPE gatekeeper_reloads_total counter\n");
        let _ = writeln!(
            out,
            "gatekeeper_reloads_total{{result=\"ok\"}} {}\ngatekeeper_reloads_total{{result=\"failed\"}} {}",
            self.reloads_ok.load(Ordering::Relaxed),
            self.reloads_failed.load(Ordering::Relaxed)
        );
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exposition() {
        let m = Metrics::default();
        m.decision("allowed", "", Duration::from_micros(30));
        m.decision("denied", "expired", Duration::from_secs(2));
        m.upstream("200");
        let text = m.render(&[]);
        assert!(
            text.contains("gatekeeper_decisions_total{outcome=\"denied\",cause=\"expired\"} 1")
        );
        assert!(text.contains("gatekeeper_decision_seconds_bucket{le=\"0.00005\"} 1"));
        assert!(text.contains("gatekeeper_decision_seconds_bucket{le=\"+Inf\"} 2"));
        assert!(text.contains("gatekeeper_upstream_responses_total{status=\"200\"} 1"));
    }
}
