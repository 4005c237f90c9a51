//! `url` handlers: the event JSON is POSTed to a local HTTP server and the
//! answer's JSON body is the function's return value. HTTP/1.1 over a
//! plain TCP connection (`http://` only: the handler runs on the developer's
//! machine), one connection per event, AWS's 5 s limit on the whole
//! exchange and Lambda's 6 MB limit on the answer.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::time::Instant;

use serde_json::Value;

use super::registry::Answer;
use super::{MAX_RESPONSE, TIMEOUT};

/// A handler reached over HTTP.
#[derive(Debug)]
pub(super) struct UrlHandler {
    /// `host[:port]` as the `Host` header names it.
    authority: String,
    /// The request target (path and query).
    target: String,
}

impl UrlHandler {
    /// Parses `http://host[:port][/path]`.
    pub(super) fn new(url: &str) -> Result<Self, String> {
        let rest = url
            .strip_prefix("http://")
            .ok_or_else(|| format!("url {url:?} must start with http://"))?;
        let (authority, path) = match rest.find('/') {
            Some(i) => rest.split_at(i),
            None => (rest, "/"),
        };
        if authority.is_empty() || authority.contains('@') {
            return Err(format!("url {url:?} names no host"));
        }
        Ok(Self {
            authority: authority.to_string(),
            target: path.to_string(),
        })
    }

    fn addrs(&self) -> std::io::Result<Vec<SocketAddr>> {
        let with_port = if self
            .authority
            .rsplit_once(':')
            .is_some_and(|(_, p)| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
        {
            self.authority.clone()
        } else {
            format!("{}:80", self.authority)
        };
        Ok(with_port.to_socket_addrs()?.collect())
    }

    /// POSTs the event; a 2xx JSON answer is the returned event, another
    /// status is the handler's error (`errorMessage` of a Lambda-style
    /// error body, else the status line).
    pub(super) fn invoke(&self, event: &Value) -> Answer {
        let deadline = Instant::now() + TIMEOUT;
        match self.exchange(event, deadline) {
            Ok((status, body)) => answer(status, &body),
            Err(e) if Instant::now() >= deadline || is_timeout(&e) => Answer::Timeout,
            Err(e) => {
                tracing::warn!(target: "cognito_issuer::triggers", url = %self.target, error = %e, "trigger handler unreachable");
                Answer::Threw(format!(
                    "handler at http://{}{} unreachable: {e}",
                    self.authority, self.target
                ))
            }
        }
    }

    fn exchange(&self, event: &Value, deadline: Instant) -> std::io::Result<(u16, Vec<u8>)> {
        let left = || {
            deadline
                .checked_duration_since(Instant::now())
                .filter(|d| !d.is_zero())
                .ok_or_else(|| std::io::Error::from(std::io::ErrorKind::TimedOut))
        };
        let addr = self
            .addrs()?
            .into_iter()
            .next()
            .ok_or_else(|| std::io::Error::other("the host resolves to no address"))?;
        let mut stream = TcpStream::connect_timeout(&addr, left()?)?;
        let body = event.to_string();
        let head = format!(
            "POST {} HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\n\
             Content-Length: {}\r\nConnection: close\r\n\r\n",
            self.target,
            self.authority,
            body.len()
        );
        stream.set_write_timeout(Some(left()?))?;
        stream.write_all(head.as_bytes())?;
        stream.write_all(body.as_bytes())?;
        let mut raw = Vec::new();
        let mut buf = [0u8; 16 * 1024];
        loop {
            stream.set_read_timeout(Some(left()?))?;
            let n = stream.read(&mut buf)?;
            if n == 0 {
                break;
            }
            raw.extend_from_slice(&buf[..n]);
            if raw.len() > MAX_RESPONSE + 64 * 1024 {
                return Err(std::io::Error::other("answer too large"));
            }
        }
        parse_response(&raw).ok_or_else(|| std::io::Error::other("malformed HTTP answer"))
    }
}

fn is_timeout(e: &std::io::Error) -> bool {
    matches!(
        e.kind(),
        std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock
    )
}

fn answer(status: u16, body: &[u8]) -> Answer {
    let json = serde_json::from_slice::<Value>(body).ok();
    if (200..300).contains(&status) {
        return match json {
            Some(v) if body.len() <= MAX_RESPONSE => Answer::Event(v),
            _ => Answer::Unrecognizable,
        };
    }
    match json
        .as_ref()
        .and_then(|v| v.get("errorMessage"))
        .and_then(Value::as_str)
    {
        Some(m) => Answer::Threw(m.to_string()),
        None => Answer::Threw(format!("handler answered HTTP {status}")),
    }
}

/// Splits an HTTP/1.1 answer read to EOF into status and body
/// (`Content-Length`, chunked, or the rest of the stream).
fn parse_response(raw: &[u8]) -> Option<(u16, Vec<u8>)> {
    let end = raw.windows(4).position(|w| w == b"\r\n\r\n")?;
    let head = std::str::from_utf8(&raw[..end]).ok()?;
    let rest = &raw[end + 4..];
    let mut lines = head.split("\r\n");
    let status: u16 = lines.next()?.split(' ').nth(1)?.parse().ok()?;
    let mut length = None;
    let mut chunked = false;
    for line in lines {
        let (name, value) = line.split_once(':')?;
        let value = value.trim();
        if name.eq_ignore_ascii_case("content-length") {
            length = Some(value.parse::<usize>().ok()?);
        } else if name.eq_ignore_ascii_case("transfer-encoding") {
            chunked = value.eq_ignore_ascii_case("chunked");
        }
    }
    let body = if chunked {
        dechunk(rest)?
    } else if let Some(n) = length {
        rest.get(..n)?.to_vec()
    } else {
        rest.to_vec()
    };
    Some((status, body))
}

fn dechunk(mut rest: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    loop {
        let eol = rest.windows(2).position(|w| w == b"\r\n")?;
        let size_text = std::str::from_utf8(&rest[..eol]).ok()?;
        let size = usize::from_str_radix(size_text.split(';').next()?.trim(), 16).ok()?;
        rest = &rest[eol + 2..];
        if size == 0 {
            return Some(out);
        }
        out.extend_from_slice(rest.get(..size)?);
        rest = rest.get(size + 2..)?;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_parse_with_length_chunks_or_eof() {
        let r = parse_response(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}xx").unwrap();
        assert_eq!(r, (200, b"{}".to_vec()));
        let r = parse_response(
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{\"\r\n3\r\na\":\r\n2\r\n1}\r\n0\r\n\r\n",
        )
        .unwrap();
        assert_eq!(r, (200, b"{\"a\":1}".to_vec()));
        let r = parse_response(b"HTTP/1.0 500 Oops\r\n\r\n{\"errorMessage\":\"no\"}").unwrap();
        assert!(matches!(answer(r.0, &r.1), Answer::Threw(m) if m == "no"));
        assert!(parse_response(b"garbage").is_none());
        assert!(matches!(answer(200, b"nope"), Answer::Unrecognizable));
    }

    #[test]
    fn only_plain_http_urls_are_accepted() {
        let h = UrlHandler::new("http://127.0.0.1:9000/pre-sign-up").unwrap();
        assert_eq!(
            (h.authority.as_str(), h.target.as_str()),
            ("127.0.0.1:9000", "/pre-sign-up")
        );
        assert!(UrlHandler::new("https://example.com/").is_err());
        assert!(UrlHandler::new("http:///x").is_err());
    }
}
