//! A minimal blocking HTTP client for ClickHouse's HTTP interface, so the
//! helpers (and `Drop`) work without an async runtime.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

/// POSTs `sql` to ClickHouse on `127.0.0.1:port` (with `database` as the
/// default database) and returns the body, or the error text ClickHouse (or
/// the socket) gave.
pub(crate) fn query(port: u16, database: Option<&str>, sql: &str) -> Result<String, String> {
    let path = database.map_or_else(|| "/".to_owned(), |db| format!("/?database={db}"));
    // Generous: a bench loads millions of rows in one statement, on a
    // machine that may be busy with a build.
    let response = request_within(
        &format!("http://127.0.0.1:{port}"),
        "POST",
        &path,
        &[],
        sql.as_bytes(),
        Duration::from_secs(300),
    )?;
    // Aggregate states and compressed payloads are binary: kept lossy so
    // scans of whole tables can still look for text in them.
    let body = String::from_utf8_lossy(&response.body).into_owned();
    if response.status == 200 { Ok(body) } else { Err(body.trim().to_owned()) }
}

/// True when something answers `Ok.` on `/ping`.
pub(crate) fn ping(port: u16) -> bool {
    request_within(&format!("http://127.0.0.1:{port}"), "GET", "/ping", &[], b"", Duration::from_secs(2))
        .is_ok_and(|r| r.status == 200 && r.body.starts_with(b"Ok."))
}

/// A blocking `GET base_url + path`; status and body.
pub fn get(base_url: &str, path: &str) -> Result<(u16, String), String> {
    let response = request_within(base_url, "GET", path, &[], b"", Duration::from_secs(10))?;
    Ok((response.status, String::from_utf8_lossy(&response.body).into_owned()))
}

/// An HTTP response as tests look at it.
#[derive(Debug, Clone)]
pub struct Response {
    /// Status code.
    pub status: u16,
    /// Headers, names lower-cased.
    pub headers: Vec<(String, String)>,
    /// Body bytes.
    pub body: Vec<u8>,
}

impl Response {
    /// A header's value.
    pub fn header(&self, name: &str) -> Option<&str> {
        let name = name.to_ascii_lowercase();
        self.headers.iter().find(|(n, _)| *n == name).map(|(_, v)| v.as_str())
    }

    /// The body as JSON (panics with the body when it is not).
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&String::from_utf8_lossy(&self.body))
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }

    /// `error.code` of a JSON error body.
    pub fn error_code(&self) -> String {
        self.json()["error"]["code"].as_str().unwrap_or("").to_owned()
    }
}

/// A blocking request with any method, headers and body (HTTP/1.0, so the
/// server closes the connection after answering), waiting up to 30 s.
pub fn request(
    base_url: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> Result<Response, String> {
    request_within(base_url, method, path, headers, body, Duration::from_secs(30))
}

fn request_within(
    base_url: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
    timeout: Duration,
) -> Result<Response, String> {
    let authority = base_url.strip_prefix("http://").ok_or("only http:// URLs")?;
    let mut stream = TcpStream::connect(authority).map_err(|e| e.to_string())?;
    stream.set_read_timeout(Some(timeout)).map_err(|e| e.to_string())?;
    let mut head =
        format!("{method} {path} HTTP/1.0\r\nHost: {authority}\r\nContent-Length: {}\r\n", body.len());
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes()).map_err(|e| e.to_string())?;
    // The server may answer (413) before reading the whole body and close.
    let _ = stream.write_all(body);
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).map_err(|e| e.to_string())?;
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n").ok_or("truncated HTTP response")?;
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|s| s.parse().ok())
        .ok_or("no status line")?;
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    let chunked = headers.iter().any(|(n, v)| n == "transfer-encoding" && v.eq_ignore_ascii_case("chunked"));
    let body = &raw[split + 4..];
    let body = if chunked { dechunk(body)? } else { body.to_vec() };
    Ok(Response { status, headers, body })
}

/// Decodes a chunked body (streamed answers use it even for HTTP/1.0
/// clients). A body cut before its last chunk is an error: that is how a
/// streamed answer reports a failure after its status line.
fn dechunk(mut raw: &[u8]) -> Result<Vec<u8>, String> {
    let mut body = Vec::new();
    loop {
        let line_end = raw.windows(2).position(|w| w == b"\r\n").ok_or("chunked body cut short")?;
        let size_text = String::from_utf8_lossy(&raw[..line_end]);
        let size_text = size_text.split(';').next().unwrap_or("").trim().to_owned();
        let size =
            usize::from_str_radix(&size_text, 16).map_err(|_| format!("bad chunk size {size_text:?}"))?;
        raw = &raw[line_end + 2..];
        if size == 0 {
            return Ok(body);
        }
        if raw.len() < size + 2 {
            return Err("chunked body cut short".into());
        }
        body.extend_from_slice(&raw[..size]);
        raw = &raw[size + 2..];
    }
}
