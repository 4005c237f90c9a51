//! The one accept loop of the loopback test servers (JWKS, ALB keys, IdP).

use std::future::Future;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::{Request, Response};

/// Serves `listener` with `answer` until the task is aborted; each
/// connection (HTTP/1.1, keep-alive) runs on its own task. When the accept
/// loop stops, every connection shuts down gracefully: idle keep-alive
/// connections close at once, a request in flight is answered first (as
/// `axum::serve` does).
pub(crate) async fn serve<F, Fut>(listener: tokio::net::TcpListener, answer: F)
where
    F: Fn(Request<Incoming>) -> Fut + Clone + Send + Sync + 'static,
    Fut: Future<Output = Response<Full<Bytes>>> + Send + 'static,
{
    // Dropped with this task; connections watch for that.
    let (stopped, _running) = tokio::sync::watch::channel(());
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            // Out of file descriptors or similar: back off instead of spinning.
            tokio::time::sleep(Duration::from_millis(10)).await;
            continue;
        };
        let answer = answer.clone();
        let stopped = stopped.clone();
        tokio::spawn(async move {
            let service = hyper::service::service_fn(move |request| {
                let answer = answer.clone();
                async move { Ok::<_, std::convert::Infallible>(answer(request).await) }
            });
            let connection = hyper::server::conn::http1::Builder::new()
                .serve_connection(hyper_util::rt::TokioIo::new(stream), service);
            let mut connection = std::pin::pin!(connection);
            tokio::select! {
                _ = connection.as_mut() => return,
                _ = stopped.closed() => connection.as_mut().graceful_shutdown(),
            }
            connection.await.ok();
        });
    }
}
