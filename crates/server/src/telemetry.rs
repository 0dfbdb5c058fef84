//! Logging: tracing to stderr as JSON lines or text, filtered by `VEIL_LOG`
//! (`RUST_LOG` syntax, default `info`). Nothing logged may carry a masked
//! value, a token, an IP address or a key; call sites log ids and counts.

use std::io::IsTerminal;

use tracing_subscriber::EnvFilter;

use crate::cli::LogFormat;

/// Installs the global subscriber; call once, first thing.
pub fn init(format: LogFormat) {
    // actix-server narrates every worker start and stop at info.
    let filter =
        EnvFilter::try_from_env("VEIL_LOG").unwrap_or_else(|_| EnvFilter::new("info,actix_server=warn"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal());
    match format {
        LogFormat::Json => builder.json().flatten_event(true).with_current_span(false).init(),
        LogFormat::Pretty => builder.with_target(false).init(),
    }
}
