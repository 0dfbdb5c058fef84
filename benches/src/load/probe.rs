//! What the server costs while it is under load, read from `/proc` and
//! from its `/metrics`: CPU seconds, resident memory (now and peak), open
//! files, and the queue's backlog.

use std::time::{Duration, Instant};

/// One look at the server process.
#[derive(Debug, Clone, Copy, Default)]
pub struct Sample {
    /// Since the sampling started.
    pub at: Duration,
    /// User + system CPU seconds of the process so far.
    pub cpu_seconds: f64,
    /// Resident set size, bytes.
    pub rss: u64,
    /// Peak resident set size (`VmHWM`), bytes.
    pub peak_rss: u64,
    /// Open file descriptors.
    pub open_files: u64,
    /// `veil_queue_unconsumed_records`.
    pub queue_records: u64,
    /// `veil_queue_unconsumed_bytes`.
    pub queue_bytes: u64,
    /// Sessions whose masking state the server holds.
    pub masking_sessions: u64,
}

/// Clock ticks per second of `/proc` CPU times. Linux has used 100 on
/// every architecture Veil runs on; `getconf CLK_TCK` says, asked once.
pub fn clock_ticks() -> f64 {
    static TICKS: std::sync::OnceLock<f64> = std::sync::OnceLock::new();
    *TICKS.get_or_init(|| {
        std::process::Command::new("getconf")
            .arg("CLK_TCK")
            .output()
            .ok()
            .and_then(|o| String::from_utf8_lossy(&o.stdout).trim().parse().ok())
            .unwrap_or(100.0)
    })
}

/// CPU seconds (user + system) of `pid`, or `None` once it is gone.
pub fn cpu_seconds(pid: u32) -> Option<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // Fields after the command name, which is in parentheses and may hold spaces.
    let rest = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // utime and stime are fields 14 and 15 of the whole line: 11 and 12 here.
    let utime: f64 = fields.get(11)?.parse().ok()?;
    let stime: f64 = fields.get(12)?.parse().ok()?;
    Some((utime + stime) / clock_ticks())
}

fn status_kb(status: &str, name: &str) -> u64 {
    status
        .lines()
        .find_map(|l| l.strip_prefix(name))
        .and_then(|v| v.trim().trim_end_matches(" kB").trim().parse::<u64>().ok())
        .map_or(0, |kb| kb * 1024)
}

/// A metric's value in a Prometheus text exposition (unlabelled series).
pub fn metric(metrics: &str, name: &str) -> Option<f64> {
    metrics.lines().find_map(|line| line.strip_prefix(name)?.strip_prefix(' ')?.trim().parse().ok())
}

/// Samples `pid` (and the server's `/metrics` at `base_url`).
pub struct Probe {
    pid: u32,
    base_url: String,
    started: Instant,
}

impl Probe {
    /// Starts the clock.
    pub fn new(pid: u32, base_url: &str) -> Probe {
        Probe { pid, base_url: base_url.to_owned(), started: Instant::now() }
    }

    /// One sample, or `None` when the process is gone.
    pub fn sample(&self) -> Option<Sample> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid)).ok()?;
        let open_files = std::fs::read_dir(format!("/proc/{}/fd", self.pid)).map_or(0, |d| d.count() as u64);
        let metrics =
            veil_test_support::http_get(&self.base_url, "/metrics").map(|(_, m)| m).unwrap_or_default();
        Some(Sample {
            at: self.started.elapsed(),
            cpu_seconds: cpu_seconds(self.pid)?,
            rss: status_kb(&status, "VmRSS:"),
            peak_rss: status_kb(&status, "VmHWM:"),
            open_files,
            queue_records: metric(&metrics, "veil_queue_unconsumed_records").unwrap_or(0.0) as u64,
            queue_bytes: metric(&metrics, "veil_queue_unconsumed_bytes").unwrap_or(0.0) as u64,
            masking_sessions: metric(&metrics, "veil_ingest_masking_sessions").unwrap_or(0.0) as u64,
        })
    }
}
