//! The loopback HTTP/1.1 server under xtask's stand-ins (the bundler's ERC-7562 guard, the
//! public-chain stand-in): one request per connection, each on its own thread, answered by a
//! handler that sees the request line and the body.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;

use crate::Result;

/// The largest body read; a larger one is cut there (these servers face only our own tests).
const MAX_BODY: usize = 16 * 1024 * 1024;

/// One HTTP request, as the handlers need it.
pub struct Request {
    /// `GET`, `POST`, …
    pub method: String,
    /// The request target, e.g. `/` or `/stats`.
    pub path: String,
    /// The body, as text.
    pub body: String,
}

/// One HTTP answer.
pub struct Reply {
    /// The status code (200, 429, …).
    pub status: u16,
    /// `application/json` or `text/plain`.
    pub content_type: &'static str,
    /// The body.
    pub body: String,
}

impl Reply {
    /// A 200 answer with a JSON body.
    pub fn json(body: String) -> Reply {
        Reply {
            status: 200,
            content_type: "application/json",
            body,
        }
    }
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        400 => "Bad Request",
        404 => "Not Found",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        _ => "Status",
    }
}

fn read_request(stream: &TcpStream) -> std::io::Result<Request> {
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut line = String::new();
    reader.read_line(&mut line)?;
    let mut length = 0usize;
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header)? == 0 || header == "\r\n" {
            break;
        }
        if let Some((name, value)) = header.split_once(':')
            && name.eq_ignore_ascii_case("content-length")
        {
            length = value.trim().parse().unwrap_or(0);
        }
    }
    let mut body = vec![0u8; length.min(MAX_BODY)];
    reader.read_exact(&mut body)?;
    let mut parts = line.split_whitespace();
    Ok(Request {
        method: parts.next().unwrap_or_default().to_owned(),
        path: parts.next().unwrap_or("/").to_owned(),
        body: String::from_utf8_lossy(&body).into_owned(),
    })
}

fn respond(mut stream: TcpStream, handler: &dyn Fn(&Request) -> Reply) -> std::io::Result<()> {
    let request = read_request(&stream)?;
    let reply = handler(&request);
    write!(
        stream,
        "HTTP/1.1 {} {}\r\nContent-Type: {}\r\nContent-Length: {}\r\nAccess-Control-Allow-Origin: *\r\nConnection: close\r\n\r\n",
        reply.status,
        reason(reply.status),
        reply.content_type,
        reply.body.len()
    )?;
    stream.write_all(reply.body.as_bytes())
}

/// Serves `handler` on `127.0.0.1:port` (0: a free port) from a background thread; returns
/// the port it listens on.
pub fn serve(
    what: &str,
    port: u16,
    handler: impl Fn(&Request) -> Reply + Send + Sync + 'static,
) -> Result<u16> {
    let listener = TcpListener::bind(("127.0.0.1", port))
        .map_err(|e| format!("cannot serve {what} on 127.0.0.1:{port}: {e}"))?;
    let port = listener.local_addr().map_err(|e| e.to_string())?.port();
    let handler: Arc<dyn Fn(&Request) -> Reply + Send + Sync> = Arc::new(handler);
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let handler = handler.clone();
            std::thread::spawn(move || {
                let _ = respond(stream, &*handler);
            });
        }
    });
    Ok(port)
}
