//! Serving the example API with the limits a server facing the network needs:
//! a deadline for request headers (which also closes idle keep-alive
//! connections) and a bound on open connections, so stalled clients
//! ("slowloris") cannot lock everyone else out.
//!
//! `axum::serve` sets neither, so [`serve_axum`] drives hyper's HTTP/1
//! connection builder itself; actix-web has both built in, and the example
//! apps set them explicitly from the same [`ServerLimits`].

use std::sync::Arc;
use std::time::Duration;

use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;

/// Timeouts and connection bound of the example servers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ServerLimits {
    /// A client must send complete request headers within this time after
    /// connecting or after its previous response; otherwise the connection
    /// is closed. For actix-web this is `client_request_timeout` and
    /// `keep_alive`.
    pub header_read_timeout: Duration,
    /// Most connections open at once (actix-web: per worker). Further
    /// clients wait in the listen backlog until a connection closes.
    pub max_connections: usize,
}

impl Default for ServerLimits {
    /// 5 s for headers and idle keep-alive (actix-web's own defaults), 1024 connections.
    fn default() -> Self {
        ServerLimits {
            header_read_timeout: Duration::from_secs(5),
            max_connections: 1024,
        }
    }
}

/// Serves `app` on `listener` over HTTP/1.1 with `limits`; runs until the
/// task is dropped.
pub async fn serve_axum(listener: TcpListener, app: axum::Router, limits: ServerLimits) {
    let permits = Arc::new(Semaphore::new(limits.max_connections));
    loop {
        // Take a permit before accepting: at the limit, new clients queue in
        // the kernel's backlog instead of holding a task and a socket here.
        let Ok(permit) = permits.clone().acquire_owned().await else {
            return;
        };
        let stream = match listener.accept().await {
            Ok((stream, _)) => stream,
            Err(error) => {
                // Out of file descriptors or similar: back off instead of spinning.
                tracing::warn!(%error, "accept failed");
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let service = TowerToHyperService::new(app.clone());
        tokio::spawn(async move {
            let connection = hyper::server::conn::http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(limits.header_read_timeout)
                .serve_connection(TokioIo::new(stream), service);
            if let Err(error) = connection.await {
                tracing::debug!(%error, "connection closed");
            }
            drop(permit);
        });
    }
}

/// Serves the actix-web `routes` on `listeners` (one worker, `limits`) from
/// a thread of its own, as actix-web servers run on the thread whose
/// runtime drives them; returns once it listens, with the handle that stops it.
pub fn spawn_actix<F>(
    routes: F,
    listeners: Vec<std::net::TcpListener>,
    limits: ServerLimits,
) -> std::io::Result<actix_web::dev::ServerHandle>
where
    F: Fn(&mut actix_web::web::ServiceConfig) + Clone + Send + 'static,
{
    let (started_tx, started) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        actix_web::rt::System::new().block_on(async move {
            let mut server =
                actix_web::HttpServer::new(move || actix_web::App::new().configure(routes.clone()))
                    .workers(1)
                    .client_request_timeout(limits.header_read_timeout)
                    .keep_alive(actix_web::http::KeepAlive::Timeout(
                        limits.header_read_timeout,
                    ))
                    .max_connections(limits.max_connections);
            for listener in listeners {
                server = match server.listen(listener) {
                    Ok(server) => server,
                    Err(e) => {
                        let _ = started_tx.send(Err(e));
                        return;
                    }
                };
            }
            let server = server.run();
            let _ = started_tx.send(Ok(server.handle()));
            if let Err(error) = server.await {
                tracing::warn!(%error, "actix server stopped");
            }
        });
    });
    started
        .recv()
        .map_err(|_| std::io::Error::other("actix server thread exited"))?
}
