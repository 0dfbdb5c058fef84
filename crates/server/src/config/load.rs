//! Reading the configuration: the TOML file, then `VEIL_…` environment
//! variables over it (`VEIL_CLICKHOUSE__URL` sets `clickhouse.url`), then
//! validation. Errors name the key and where its value came from.

use std::fmt;
use std::path::{Path, PathBuf};

use figment::Figment;
use figment::providers::{Env, Format, Toml};

use super::{Config, ValidationError};

/// Used when neither `--config` nor `VEIL_CONFIG` names a file.
pub const DEFAULT_PATH: &str = "veil.toml";

/// Top-level sections: only `VEIL_<SECTION>__…` variables are read. Other
/// `VEIL_` variables are not ours to judge: Kubernetes, for one, injects
/// `VEIL_PORT` and `VEIL_SERVICE_HOST` into every pod of a namespace with a
/// Service named `veil`. Inside a section unknown keys stay errors, so
/// `VEIL_CLICKHOUSE__URLL` is caught.
const SECTIONS: &[&str] =
    &["server", "clickhouse", "consent", "ingest", "queue", "compaction", "sites", "api_keys"];

/// Why the configuration cannot be used.
#[derive(Debug)]
pub enum ConfigError {
    /// The file named by `--config` or `VEIL_CONFIG` does not exist.
    NotFound(PathBuf),
    /// Values that do not parse, or unknown keys.
    Parse(Vec<KeyError>),
    /// Values that parse but make no sense.
    Invalid(Vec<ValidationError>),
}

/// One parse problem, located.
#[derive(Debug)]
pub struct KeyError {
    /// Dotted key (`server.listen`), empty for a file-level error.
    pub key: String,
    /// Where the value came from (a file or an environment variable).
    pub origin: Option<String>,
    /// What is wrong.
    pub reason: String,
}

impl std::error::Error for ConfigError {}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConfigError::NotFound(path) => {
                write!(f, "configuration file {} not found", path.display())
            }
            ConfigError::Parse(errors) => {
                write!(f, "invalid configuration")?;
                for error in errors {
                    write!(f, "\n  ")?;
                    if !error.key.is_empty() {
                        write!(f, "`{}`: ", error.key)?;
                    }
                    write!(f, "{}", error.reason)?;
                    if let Some(origin) = &error.origin {
                        write!(f, " (from {origin})")?;
                    }
                }
                Ok(())
            }
            ConfigError::Invalid(errors) => {
                write!(f, "invalid configuration")?;
                for error in errors {
                    write!(f, "\n  {error}")?;
                }
                Ok(())
            }
        }
    }
}

/// Loads and validates the configuration. `explicit` is `--config`; then
/// `VEIL_CONFIG`; then `veil.toml` in the working directory, which may be
/// absent (defaults and environment variables only).
pub fn load(explicit: Option<&Path>) -> Result<(Config, Option<PathBuf>), ConfigError> {
    let env_path = std::env::var_os("VEIL_CONFIG").map(PathBuf::from);
    let (path, required) = match (explicit, env_path) {
        (Some(path), _) => (path.to_path_buf(), true),
        (None, Some(path)) => (path, true),
        (None, None) => (PathBuf::from(DEFAULT_PATH), false),
    };
    let exists = path.is_file();
    if required && !exists {
        return Err(ConfigError::NotFound(path));
    }
    let mut figment = Figment::new();
    if exists {
        figment = figment.merge(Toml::file_exact(&path));
    }
    let ignored = ignored_variables();
    if !ignored.is_empty() {
        tracing::warn!(variables = %ignored.join(", "), "ignoring VEIL_ environment variables that name no configuration section");
    }
    figment = figment.merge(Env::prefixed("VEIL_").filter(|key| is_section_key(key.as_str())).split("__"));
    let config = extract(&figment)?;
    config.validate().map_err(ConfigError::Invalid)?;
    Ok((config, exists.then_some(path)))
}

/// Whether a variable name without the `VEIL_` prefix (`CLICKHOUSE__URL`,
/// `SITES`) belongs to a configuration section; `PORT`, `SERVICE_HOST` and
/// `CLICKHOUSE_URL` (one underscore) do not.
fn is_section_key(key: &str) -> bool {
    let section = key.split("__").next().unwrap_or(key);
    SECTIONS.iter().any(|s| s.eq_ignore_ascii_case(section))
}

/// Names of `VEIL_` variables that are neither config keys nor Veil's own
/// (`VEIL_CONFIG`, `VEIL_LOG`, `VEIL_LOG_FORMAT`).
fn ignored_variables() -> Vec<String> {
    let mut names: Vec<String> = std::env::vars_os()
        .filter_map(|(name, _)| name.into_string().ok())
        .filter(|name| {
            name.strip_prefix("VEIL_")
                .is_some_and(|rest| !["CONFIG", "LOG", "LOG_FORMAT"].contains(&rest) && !is_section_key(rest))
        })
        .collect();
    names.sort();
    names
}

/// Parses a TOML string without the environment: for tests and tools.
pub fn from_toml(text: &str) -> Result<Config, ConfigError> {
    let config = extract(&Figment::new().merge(Toml::string(text)))?;
    config.validate().map_err(ConfigError::Invalid)?;
    Ok(config)
}

fn extract(figment: &Figment) -> Result<Config, ConfigError> {
    figment.extract::<Config>().map_err(|error| {
        ConfigError::Parse(
            error
                .into_iter()
                .map(|e| {
                    let origin = e.metadata.as_ref().map(|meta| match &meta.source {
                        _ if meta.name.contains("environment") => {
                            format!("environment variable VEIL_{}", e.path.join("__").to_uppercase())
                        }
                        Some(source) => source.to_string(),
                        None => meta.name.to_string(),
                    });
                    KeyError { key: dotted(&e.path), origin, reason: e.kind.to_string() }
                })
                .collect(),
        )
    })
}

/// `["sites", "1", "origins"]` → `sites[1].origins`, as validation names keys.
fn dotted(path: &[String]) -> String {
    let mut key = String::new();
    for segment in path {
        if !segment.is_empty() && segment.bytes().all(|b| b.is_ascii_digit()) {
            key.push_str(&format!("[{segment}]"));
        } else {
            if !key.is_empty() {
                key.push('.');
            }
            key.push_str(segment);
        }
    }
    key
}
