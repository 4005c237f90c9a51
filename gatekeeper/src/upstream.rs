//! Upstream connections. Each client connection keeps the upstream
//! connection its last request used and sends its next request on it: no
//! pool lookup, lock or URI parsing per request. A client connection that
//! ends hands its upstream connection to a small idle list per upstream,
//! where the next new client connection picks it up; so clients that open a
//! connection per request still reuse upstream connections.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use http::uri::Authority;
use http::{Request, Response};
use hyper::body::Incoming;
use hyper::client::conn::http1;
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;

/// The sending half of one HTTP/1 upstream connection.
type Sender = http1::SendRequest<Incoming>;

/// Idle connections kept per upstream (as many as the old pool kept).
const MAX_IDLE: usize = 64;
/// An idle connection older than this is closed rather than reused.
const IDLE_TIMEOUT: Duration = Duration::from_secs(60);

/// Why no response came back.
#[derive(Debug, thiserror::Error)]
pub enum UpstreamError {
    /// No TCP connection within the connect timeout.
    #[error("connect timed out after {0:?}")]
    ConnectTimeout(Duration),
    /// The TCP connection failed.
    #[error("connect failed: {0}")]
    Connect(#[from] std::io::Error),
    /// The HTTP exchange failed.
    #[error(transparent)]
    Http(#[from] hyper::Error),
}

/// Idle upstream connections, shared by every client connection; touched
/// when a client connection sends its first request or ends, not per request.
#[derive(Default)]
pub struct Pool {
    idle: Mutex<HashMap<Authority, Vec<(Instant, Sender)>>>,
}

impl Pool {
    fn pop(&self, authority: &Authority) -> Option<Sender> {
        let mut idle = self.idle.lock().unwrap_or_else(|e| e.into_inner());
        let list = idle.get_mut(authority)?;
        while let Some((since, sender)) = list.pop() {
            if !sender.is_closed() && since.elapsed() < IDLE_TIMEOUT {
                return Some(sender);
            }
        }
        None
    }

    fn push(&self, authority: Authority, sender: Sender) {
        if sender.is_closed() {
            return;
        }
        let mut idle = self.idle.lock().unwrap_or_else(|e| e.into_inner());
        let list = idle.entry(authority).or_default();
        list.retain(|(since, s)| !s.is_closed() && since.elapsed() < IDLE_TIMEOUT);
        if list.len() < MAX_IDLE {
            list.push((Instant::now(), sender));
        }
    }
}

/// One client connection's upstream connection (at most one at a time:
/// HTTP/1 serves a connection's requests one after the other).
pub struct Held {
    pool: Arc<Pool>,
    slot: Mutex<Option<(Authority, Sender)>>,
}

impl Held {
    /// Nothing held yet; idle connections come from and go back to `pool`.
    pub fn new(pool: Arc<Pool>) -> Held {
        Held {
            pool,
            slot: Mutex::new(None),
        }
    }

    /// The connection to reuse for `authority`, if any.
    fn take(&self, authority: &Authority) -> Option<Sender> {
        let held = self.slot.lock().unwrap_or_else(|e| e.into_inner()).take();
        match held {
            Some((a, sender)) if a == *authority => Some(sender),
            Some((a, sender)) => {
                self.pool.push(a, sender);
                self.pool.pop(authority)
            }
            None => self.pool.pop(authority),
        }
    }

    fn put(&self, authority: &Authority, sender: Sender) {
        *self.slot.lock().unwrap_or_else(|e| e.into_inner()) = Some((authority.clone(), sender));
    }

    /// Sends `req` to `authority` on the held connection, or an idle one,
    /// or a new one. A reused connection that turns out closed before the
    /// request went out is replaced by a new one, once.
    pub async fn send(
        &self,
        authority: &Authority,
        connect_timeout: Duration,
        mut req: Request<Incoming>,
    ) -> Result<Response<Incoming>, UpstreamError> {
        let mut reused = self.take(authority);
        loop {
            let fresh = reused.is_none();
            let mut sender = match reused.take() {
                Some(mut sender) => match sender.ready().await {
                    Ok(()) => sender,
                    Err(_) => continue,
                },
                None => connect(authority, connect_timeout).await?,
            };
            match sender.try_send_request(req).await {
                Ok(response) => {
                    self.put(authority, sender);
                    return Ok(response);
                }
                Err(mut error) => match error.take_message() {
                    Some(unsent) if !fresh => req = unsent,
                    _ => return Err(error.into_error().into()),
                },
            }
        }
    }
}

impl Drop for Held {
    fn drop(&mut self) {
        let held = self
            .slot
            .get_mut()
            .unwrap_or_else(|e| e.into_inner())
            .take();
        if let Some((authority, sender)) = held {
            self.pool.push(authority, sender);
        }
    }
}

/// A new HTTP/1 connection to `authority` (port 80 unless given), its
/// connection task spawned.
async fn connect(authority: &Authority, timeout: Duration) -> Result<Sender, UpstreamError> {
    // An IPv6 host comes bracketed (`[::1]`); resolving wants it bare.
    let host = authority
        .host()
        .trim_start_matches('[')
        .trim_end_matches(']');
    let addr = (host, authority.port_u16().unwrap_or(80));
    let stream = tokio::time::timeout(timeout, TcpStream::connect(addr))
        .await
        .map_err(|_| UpstreamError::ConnectTimeout(timeout))??;
    stream.set_nodelay(true)?;
    let (sender, conn) = http1::handshake(TokioIo::new(stream)).await?;
    tokio::spawn(async move {
        if let Err(error) = conn.await {
            tracing::debug!(%error, "upstream connection ended with an error");
        }
    });
    Ok(sender)
}
