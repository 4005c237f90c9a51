//! From a request head to the gate's verdict: route lookup, the route's
//! gate, its guards and its mapping. Every decision is the gate's; this
//! only calls it in order and counts the outcome.

use std::time::Instant;

use cognito_verifier::gate::{AuthContext, HeaderOp, Rejection, RequestHead};
use http::HeaderMap;

use crate::headers::View;
use crate::metrics::Metrics;
use crate::runtime::{RouteEntry, Runtime};

/// What to do with a request.
pub enum Verdict<'r> {
    /// Let it through with these header changes.
    Admit {
        /// The matched route.
        entry: &'r RouteEntry,
        /// Mapped identity headers.
        ops: Vec<HeaderOp>,
        /// Headers the gate adds to the response.
        response_headers: Vec<(&'static str, String)>,
    },
    /// Answer with this refusal.
    Refuse(Rejection),
}

/// Decides on `method` + `target` with the client's `headers`.
pub async fn decide<'r>(
    rt: &'r Runtime,
    metrics: &Metrics,
    method: &str,
    target: &str,
    headers: &HeaderMap,
) -> Verdict<'r> {
    let started = Instant::now();
    let verdict = run(rt, method, target, headers).await;
    let (outcome, cause) = match &verdict {
        Verdict::Admit { .. } => ("allowed", ""),
        Verdict::Refuse(r) => ("denied", r.reason),
    };
    metrics.decision(outcome, cause, started.elapsed());
    verdict
}

async fn run<'r>(rt: &'r Runtime, method: &str, target: &str, headers: &HeaderMap) -> Verdict<'r> {
    let view = View(headers);
    let head = RequestHead::new(method, target, &view);
    let Some(found) = rt.table.find(method, head.path()) else {
        return Verdict::Refuse(rt.default_preset.route_not_found());
    };
    let Some(entry) = rt.routes.get(found.route.key()) else {
        return Verdict::Refuse(rt.default_preset.route_not_found());
    };
    let (auth, response_headers) = match &entry.gate {
        None => (AuthContext::guest(entry.preset), Vec::new()),
        Some(gate) => {
            let admitted = match gate.admit_now(&head) {
                Some(result) => result,
                None => gate.admit(&head).await,
            };
            match admitted {
                Ok(a) => (a.auth, a.response_headers),
                Err(rejection) => return Verdict::Refuse(rejection),
            }
        }
    };
    if let Err(rejection) = found.check(&auth) {
        return Verdict::Refuse(rejection);
    }
    let ops = entry.mapping.apply(&auth, &view, |name| found.param(name));
    Verdict::Admit {
        entry,
        ops,
        response_headers,
    }
}
