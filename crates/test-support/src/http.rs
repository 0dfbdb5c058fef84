//! A minimal blocking HTTP client for ClickHouse's HTTP interface, so the
//! helpers (and `Drop`) work without an async runtime.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

/// POSTs `sql` to ClickHouse on `127.0.0.1:port` (with `database` as the
/// default database) and returns the body, or the error text ClickHouse (or
/// the socket) gave.
pub(crate) fn query(port: u16, database: Option<&str>, sql: &str) -> Result<String, String> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).map_err(|e| e.to_string())?;
    stream.set_read_timeout(Some(Duration::from_secs(30))).map_err(|e| e.to_string())?;
    let request = format!(
        "POST /{} HTTP/1.0\r\nHost: 127.0.0.1\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{sql}",
        database.map(|db| format!("?database={db}")).unwrap_or_default(),
        sql.len()
    );
    stream.write_all(request.as_bytes()).map_err(|e| e.to_string())?;
    let mut response = String::new();
    stream.read_to_string(&mut response).map_err(|e| e.to_string())?;
    let (head, body) = response.split_once("\r\n\r\n").ok_or("truncated HTTP response")?;
    if head.starts_with("HTTP/1.1 200") || head.starts_with("HTTP/1.0 200") {
        Ok(body.to_owned())
    } else {
        Err(body.trim().to_owned())
    }
}

/// True when something answers `Ok.` on `/ping`.
pub(crate) fn ping(port: u16) -> bool {
    let Ok(mut stream) = TcpStream::connect(("127.0.0.1", port)) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
    if stream.write_all(b"GET /ping HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n").is_err() {
        return false;
    }
    let mut response = String::new();
    let _ = stream.read_to_string(&mut response);
    response.contains("\r\n\r\nOk.")
}

/// A blocking `GET base_url + path` over HTTP/1.0; status and body.
pub(crate) fn get(base_url: &str, path: &str) -> Result<(u16, String), String> {
    let authority = base_url.strip_prefix("http://").ok_or("only http:// URLs")?;
    let mut stream = TcpStream::connect(authority).map_err(|e| e.to_string())?;
    stream.set_read_timeout(Some(Duration::from_secs(10))).map_err(|e| e.to_string())?;
    let request = format!("GET {path} HTTP/1.0\r\nHost: {authority}\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).map_err(|e| e.to_string())?;
    let mut response = String::new();
    stream.read_to_string(&mut response).map_err(|e| e.to_string())?;
    let (head, body) = response.split_once("\r\n\r\n").ok_or("truncated HTTP response")?;
    let status =
        head.split_whitespace().nth(1).and_then(|s| s.parse().ok()).ok_or("no status in the response")?;
    Ok((status, body.to_owned()))
}
