//! The command line (SPEC §2). Parsing only; each command lives in its own
//! module under `commands/`.

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::config::Role;

/// Veil: self-hosted, privacy-first session recording and heatmaps.
#[derive(Debug, Parser)]
#[command(name = "veil", version, about, propagate_version = true)]
pub struct Cli {
    /// Log output: human-readable text or JSON lines.
    #[arg(long, global = true, value_enum, env = "VEIL_LOG_FORMAT", default_value = "pretty")]
    pub log_format: LogFormat,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// How logs are written to stderr.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    /// One JSON object per line, for log shippers.
    Json,
    /// Text for people.
    Pretty,
}

/// How `veil mask` writes its report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    /// `rule<TAB>kind<TAB>count` lines.
    Text,
    /// One JSON object.
    Json,
}

/// `--config`, shared by the commands that read the configuration.
#[derive(Debug, Clone, Args)]
pub struct ConfigArg {
    /// Configuration file [default: $VEIL_CONFIG, else ./veil.toml].
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the HTTP server: ingest, consent, query API, metrics.
    Serve(ConfigArg),
    /// Create or upgrade the ClickHouse schema (idempotent).
    Migrate(ConfigArg),
    /// Mask a batch or an array of rrweb events from stdin as ingest would;
    /// masked JSON on stdout, the redaction report on stderr.
    Mask {
        /// `--config`.
        #[command(flatten)]
        config: ConfigArg,
        /// Use this site's masking rules on top of the defaults.
        #[arg(long)]
        site: Option<String>,
        /// Report format on stderr.
        #[arg(long, value_enum, default_value = "text")]
        report: ReportFormat,
    },
    /// Check the configuration and print it as Veil reads it.
    #[command(subcommand)]
    Config(ConfigCommand),
    /// Consent tokens.
    #[command(subcommand)]
    Token(TokenCommand),
    /// Consent-signing keys.
    #[command(subcommand)]
    Keys(KeysCommand),
    /// API keys for the query API and console.
    #[command(subcommand)]
    Apikey(ApikeyCommand),
    /// Data retention.
    #[command(subcommand)]
    Retention(RetentionCommand),
    /// Compaction of idle sessions.
    #[command(subcommand)]
    Compaction(CompactionCommand),
    /// Send realistic demo visits (a webshop: product pages, browsing, a
    /// checkout form) through a running server's consent and ingest
    /// endpoints, so the console has pages, heatmaps and replays to show.
    Demo {
        /// `--config`: the server's address and the site are read from it.
        #[command(flatten)]
        config: ConfigArg,
        /// Site to send for [default: the first configured site].
        #[arg(long)]
        site: Option<String>,
        /// Server to send to [default: http:// + `server.listen`].
        #[arg(long, value_name = "URL")]
        url: Option<String>,
        /// `Origin` of the visits and of their page URLs [default: the
        /// site's first origin].
        #[arg(long)]
        origin: Option<String>,
        /// Visits to send.
        #[arg(long, default_value_t = 300)]
        visits: usize,
        /// Visits sent at once.
        #[arg(long, default_value_t = 8)]
        clients: usize,
        /// Seed: the same seed sends the same visits (with new ids).
        #[arg(long, default_value_t = 7)]
        seed: u64,
    },
}

/// `veil compaction …`
#[derive(Debug, Subcommand)]
pub enum CompactionCommand {
    /// Compact idle sessions now (`serve` also does it every
    /// `compaction.interval`), until none is left.
    Run {
        /// `--config`.
        #[command(flatten)]
        config: ConfigArg,
        /// Treat sessions idle for this long as ended (default:
        /// `compaction.session_timeout`); `0s` compacts every session.
        #[arg(long, value_parser = humantime::parse_duration)]
        idle: Option<std::time::Duration>,
    },
}

/// `veil retention …`
#[derive(Debug, Subcommand)]
pub enum RetentionCommand {
    /// Remove expired data now (`serve` also does it every hour).
    Run {
        /// `--config`.
        #[command(flatten)]
        config: ConfigArg,
        /// Act as if today were this day (YYYY-MM-DD, UTC).
        #[arg(long, value_parser = crate::retention::parse_day)]
        today: Option<i64>,
    },
}

/// `veil config …`
#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Validate the file plus `VEIL_…` overrides, as `serve` would, and
    /// print the effective configuration (secrets left out).
    Check(ConfigArg),
}

/// `veil token …`
#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Print a consent token signed with the newest configured key.
    Mint {
        /// `--config`.
        #[command(flatten)]
        config: ConfigArg,
        /// Site id the token is valid for.
        #[arg(long)]
        site: String,
        /// Comma-separated purposes: recording, heatmaps.
        #[arg(long, value_delimiter = ',', required = true)]
        purposes: Vec<String>,
        /// Lifetime [default: consent.token_ttl].
        #[arg(long, value_parser = humantime::parse_duration)]
        ttl: Option<Duration>,
        /// Visitor id [default: a random one].
        #[arg(long)]
        visitor: Option<String>,
    },
}

/// `veil keys …`
#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// Print a new random consent-signing key (`hex:…`).
    Generate,
}

/// `veil apikey …`
#[derive(Debug, Subcommand)]
pub enum ApikeyCommand {
    /// Print a new API key, then the `[[api_keys]]` entry holding its hash.
    Create {
        /// Who will hold the key.
        #[arg(long)]
        name: String,
        /// What the key may do.
        #[arg(long, value_enum)]
        role: Role,
    },
}
