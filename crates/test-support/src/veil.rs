//! A real `veil serve` process for end-to-end tests: written config, free
//! port, log captured to a file, killed on `Drop`.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::{free_port, repo_root};

/// A running `veil serve`.
#[derive(Debug)]
pub struct VeilProcess {
    child: Option<Child>,
    base_url: String,
    log: PathBuf,
    _dir: TempDir,
}

/// Configuration for [`VeilProcess::start`]: a TOML body (without
/// `[server].listen`, which is set to a free port) and extra environment.
#[derive(Debug, Default, Clone)]
pub struct VeilOptions {
    /// The configuration file's text.
    pub config: String,
    /// Extra environment variables.
    pub env: Vec<(String, String)>,
    /// Listen on this port instead of a free one (a restart that must find
    /// its queue again).
    pub port: Option<u16>,
}

impl VeilProcess {
    /// Starts `bin serve` and waits until `/healthz` answers.
    pub fn start(bin: &Path, options: VeilOptions) -> VeilProcess {
        let dir = TempDir::new("veil");
        let config = dir.path().join("veil.toml");
        std::fs::write(&config, &options.config).expect("writing the test config");
        let port = options.port.unwrap_or_else(free_port);
        let log = dir.path().join("veil.log");
        let log_file = std::fs::File::create(&log).expect("creating the log file");
        let mut command = Command::new(bin);
        command
            .args(["--log-format", "json", "serve", "--config"])
            .arg(&config)
            .env("VEIL_SERVER__LISTEN", format!("127.0.0.1:{port}"))
            .env("VEIL_LOG", "info")
            // Each server its own durable queue (a directory takes one).
            .env("VEIL_QUEUE__DIR", dir.path().join("queue"))
            .env_remove("VEIL_CONFIG")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log_file);
        for (key, value) in &options.env {
            command.env(key, value);
        }
        let child = command.spawn().unwrap_or_else(|e| panic!("starting {}: {e}", bin.display()));
        let mut process =
            VeilProcess { child: Some(child), base_url: format!("http://127.0.0.1:{port}"), log, _dir: dir };
        process.wait_until(Duration::from_secs(20), |p| {
            p.get("/healthz").map(|(s, _)| s == 200).unwrap_or(false)
        });
        process
    }

    /// `http://127.0.0.1:<port>`.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The server's log so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// A blocking request; panics when the server cannot be reached.
    pub fn request(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> crate::Response {
        crate::http::request(&self.base_url, method, path, headers, body)
            .unwrap_or_else(|e| panic!("{method} {path}: {e}\n{}", self.log()))
    }

    /// A blocking POST.
    pub fn post(&self, path: &str, headers: &[(&str, &str)], body: &[u8]) -> crate::Response {
        self.request("POST", path, headers, body)
    }

    /// The process id, for reading `/proc/<pid>/status`.
    pub fn pid(&self) -> u32 {
        self.child.as_ref().map(std::process::Child::id).expect("process still owned")
    }

    /// A blocking GET; status and body.
    pub fn get(&self, path: &str) -> Result<(u16, String), String> {
        crate::http::get(&self.base_url, path)
    }

    /// Polls `check` every 100 ms until it holds, panicking with the log
    /// after `timeout`. Returns how long it took.
    pub fn wait_until(&mut self, timeout: Duration, mut check: impl FnMut(&Self) -> bool) -> Duration {
        let started = Instant::now();
        loop {
            if check(self) {
                return started.elapsed();
            }
            if let Some(status) = self.child.as_mut().and_then(|c| c.try_wait().ok().flatten()) {
                panic!("veil exited with {status} while the test waited:\n{}", self.log());
            }
            if started.elapsed() > timeout {
                panic!("condition not met within {timeout:?}; veil log:\n{}", self.log());
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Sends SIGTERM without waiting.
    pub fn signal_term(&self) {
        let pid = self.pid().to_string();
        let status = Command::new("kill").args(["-TERM", &pid]).status();
        assert!(status.is_ok_and(|s| s.success()), "kill -TERM failed");
    }

    /// Waits for the process to exit; returns whether it exited
    /// successfully and how long it took.
    pub fn wait_exit(&mut self, timeout: Duration) -> (bool, Duration) {
        let mut child = self.child.take().expect("process still owned");
        let started = Instant::now();
        loop {
            if let Some(status) = child.try_wait().expect("waiting for veil") {
                return (status.success(), started.elapsed());
            }
            if started.elapsed() > timeout {
                let _ = child.kill();
                panic!("veil did not exit within {timeout:?}:\n{}", self.log());
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Peak and current resident memory in bytes (`VmHWM`, `VmRSS`).
    pub fn memory(&self) -> (u64, u64) {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid())).expect("reading /proc");
        let field = |name: &str| {
            status
                .lines()
                .find_map(|l| l.strip_prefix(name))
                .and_then(|v| v.trim().trim_end_matches(" kB").trim().parse::<u64>().ok())
                .map(|kb| kb * 1024)
                .unwrap_or_else(|| panic!("no {name} in /proc status"))
        };
        (field("VmHWM:"), field("VmRSS:"))
    }

    /// SIGKILL, as a crash or the OOM killer would: nothing is flushed or
    /// drained. Waits until the process is gone.
    pub fn kill(&mut self) {
        let mut child = self.child.take().expect("process still owned");
        child.kill().expect("kill -9 of veil");
        let _ = child.wait();
    }

    /// Sends SIGTERM and waits for the exit; returns whether it exited
    /// successfully and how long it took.
    pub fn terminate(&mut self, timeout: Duration) -> (bool, Duration) {
        self.signal_term();
        self.wait_exit(timeout)
    }
}

impl Drop for VeilProcess {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// A directory under `target/test-tmp/` removed on drop.
#[derive(Debug)]
pub struct TempDir(PathBuf);

impl TempDir {
    /// Creates `target/test-tmp/<prefix>-<random>`.
    pub fn new(prefix: &str) -> TempDir {
        let suffix: u64 = rand::random();
        let path = repo_root().join("target/test-tmp").join(format!("{prefix}-{suffix:016x}"));
        std::fs::create_dir_all(&path).expect("creating a temporary directory");
        TempDir(path)
    }

    /// Its path.
    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
