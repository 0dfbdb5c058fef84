//! The browser tests' harness: Debian's Chromium driven by a node script
//! of `tests/browser/` (playwright-core), a test shop served from its own
//! origin, a real `veil serve` on a real ClickHouse. The driver reports
//! phases as JSON lines and waits for a line on stdin before going on, so
//! a test can look at the server in between.

#![allow(clippy::unwrap_used, clippy::disallowed_methods)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, ChildStdin, Command, Stdio};

use serde_json::Value;
use veil_test_support::{TestDatabase, VeilProcess, repo_root};

use super::server_with_keys_for;

pub fn browser_dir() -> PathBuf {
    repo_root().join("tests/browser")
}

pub fn chromium() -> String {
    std::env::var("CHROMIUM_PATH").unwrap_or_else(|_| "/usr/bin/chromium".into())
}

/// Fails (never skips) when the browser or the driver is missing.
pub fn check_prerequisites() {
    let install = "run deploy/local/test.sh, which installs them, or: apt-get install chromium nodejs npm && \
                   (cd tests/browser && npm ci)";
    assert!(std::path::Path::new(&chromium()).exists(), "no Chromium at {}: {install}", chromium());
    assert!(
        browser_dir().join("node_modules/playwright-core").is_dir(),
        "tests/browser/node_modules/playwright-core is missing: {install}"
    );
    let node = Command::new("node").arg("--version").output();
    assert!(node.is_ok_and(|o| o.status.success()), "node is not installed: {install}");
}

/// Serves the test shop for one scenario from its own origin (the
/// listener's): `/shop.html` with the veil URL and the CMP stub filled in.
pub fn serve_shop(listener: TcpListener, veil_url: &str, scenario: &str) {
    let pages = browser_dir().join("pages");
    let (cmp, kind) = match scenario {
        "tcf" => (std::fs::read_to_string(pages.join("cmp-tcf.js")).unwrap(), "tcf"),
        "gcm" => (std::fs::read_to_string(pages.join("cmp-gcm.js")).unwrap(), "gcm"),
        _ => (String::new(), "none"),
    };
    let page = std::fs::read_to_string(pages.join("shop.html"))
        .unwrap()
        .replace("/*VEIL*/", veil_url)
        .replace("/*CMP_KIND*/", kind)
        .replace("/*CMP*/", &cmp);
    serve(listener, move |path| path.starts_with("/shop").then(|| ("text/html", page.clone().into_bytes())));
}

/// Serves a test site from the listener's origin, on a thread of its own:
/// `answer` gets each GET's path and gives the content type and body, or
/// `None` for a 404.
pub fn serve(
    listener: TcpListener,
    answer: impl Fn(&str) -> Option<(&'static str, Vec<u8>)> + Send + 'static,
) {
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut request = [0u8; 4096];
            let read = stream.read(&mut request).unwrap_or(0);
            let line = String::from_utf8_lossy(&request[..read]);
            let path = line.strip_prefix("GET ").and_then(|rest| rest.split(' ').next());
            let (status, kind, body) = match path.and_then(&answer) {
                Some((kind, body)) => ("200 OK", kind, body),
                None => ("404 Not Found", "text/plain", Vec::new()),
            };
            let _ = write!(
                stream,
                "HTTP/1.1 {status}\r\nContent-Type: {kind}; charset=utf-8\r\nContent-Length: {}\r\n\
                 Connection: close\r\n\r\n",
                body.len()
            );
            let _ = stream.write_all(&body);
        }
    });
}

/// The driver process and its phases.
pub struct Driver {
    child: Child,
    stdin: ChildStdin,
    stdout: BufReader<std::process::ChildStdout>,
}

impl Driver {
    pub fn start(script: &str, args: &[&str]) -> Driver {
        let mut child = Command::new("node")
            .arg(browser_dir().join(script))
            .args(args)
            .env("CHROMIUM_PATH", chromium())
            .current_dir(browser_dir())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("starting node");
        let stdin = child.stdin.take().unwrap();
        let stdout = BufReader::new(child.stdout.take().unwrap());
        Driver { child, stdin, stdout }
    }

    /// Waits for the next phase report.
    pub fn phase(&mut self, name: &str) -> Value {
        let mut line = String::new();
        self.stdout.read_line(&mut line).expect("reading the driver");
        let report: Value = serde_json::from_str(&line).unwrap_or_else(|_| panic!("driver said {line:?}"));
        assert_eq!(report["phase"], name, "{report}");
        assert_eq!(report["consoleErrors"], serde_json::json!([]), "the page logged errors: {report}");
        report
    }

    /// Lets the driver go on to its next phase.
    pub fn go_on(&mut self) {
        writeln!(self.stdin, "continue").expect("writing to the driver");
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A server, the shop and a driver.
pub struct Run {
    pub db: TestDatabase,
    pub veil: VeilProcess,
    pub page_url: String,
    pub driver: Driver,
}

/// Starts everything for `script` (a file of `tests/browser/`) and
/// `scenario`; extra arguments follow the page and veil URLs.
pub fn start(script: &str, scenario: &str, extra: &[&str]) -> Run {
    check_prerequisites();
    // The shop's origin must be in the server's configuration, and the
    // server's URL in the shop's page: bind first, serve once both exist.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let origin = format!("http://{}", listener.local_addr().unwrap());
    let (db, veil) = server_with_keys_for(&origin, &[]);
    serve_shop(listener, veil.base_url(), scenario);
    let page_url = format!("{origin}/shop.html");
    let mut args = vec![scenario, page_url.as_str(), veil.base_url()];
    args.extend_from_slice(extra);
    let driver = Driver::start(script, &args);
    Run { db, veil, page_url, driver }
}
