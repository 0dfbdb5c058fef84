//! `veil mask`: runs the server's masking on a batch or an array of rrweb
//! events read from stdin, so a site owner can try rules before deploying
//! them. Same code as ingest (for a batch, the envelope is masked too, as
//! ingest does); the masked events go to stdout as a JSON array (SPEC §2),
//! the redaction report (rules and counts, never values) to stderr.

use std::io::{Read, Write};
use std::time::Instant;

use anyhow::{Context, anyhow, bail};
use veil_events::{decode, encode};
use veil_masking::{CacheConfig, MaskingRules, Report, SessionCache};

use crate::cli::ReportFormat;
use crate::config::Config;

/// The most stdin is read, like ingest's decompressed limit default.
const MAX_INPUT: u64 = 256 * 1024 * 1024;

/// Masks stdin to stdout; the report goes to stderr.
pub fn run(config: Option<&Config>, site: Option<&str>, report: ReportFormat) -> anyhow::Result<()> {
    let rules = match (config, site) {
        (_, None) => MaskingRules::default(),
        (None, Some(_)) => bail!("--site needs a configuration (--config, VEIL_CONFIG or ./veil.toml)"),
        (Some(config), Some(site)) => config
            .sites
            .iter()
            .find(|s| s.id == site)
            .ok_or_else(|| anyhow!("--site: site `{site}` is not configured"))?
            .masking_rules()
            .with_context(|| format!("site `{site}`: masking rules"))?,
    };
    let mut input = Vec::new();
    std::io::stdin().take(MAX_INPUT + 1).read_to_end(&mut input).context("reading stdin")?;
    if input.len() as u64 > MAX_INPUT {
        bail!("stdin is larger than {MAX_INPUT} bytes");
    }
    let (output, redactions) = mask(&input, &rules)?;
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(&output).and_then(|()| stdout.write_all(b"\n")).context("writing stdout")?;
    eprint!("{}", render(&redactions, report));
    Ok(())
}

/// Masks a JSON or MessagePack batch or event array; returns the masked
/// events as a JSON array.
pub fn mask(input: &[u8], rules: &MaskingRules) -> anyhow::Result<(Vec<u8>, Report)> {
    let sessions = SessionCache::new(CacheConfig::default());
    let first =
        input.iter().find(|b| !b.is_ascii_whitespace()).copied().ok_or_else(|| anyhow!("stdin is empty"))?;
    let is_msgpack_map = matches!(first, 0x80..=0x8f | 0xde | 0xdf);
    let is_msgpack_array = matches!(first, 0x90..=0x9f | 0xdc | 0xdd);
    if first == b'{' || is_msgpack_map {
        let mut batch =
            if first == b'{' { decode::batch_from_json(input) } else { decode::batch_from_msgpack(input) }
                .context("stdin is not a valid batch")?;
        let session = sessions.get_or_create(&batch.site, &batch.session, Instant::now());
        let report = veil_masking::mask_batch(&mut batch, rules, &mut session.lock());
        Ok((encode::events_to_json(&batch.events).context("encoding JSON")?, report))
    } else if first == b'[' || is_msgpack_array {
        let mut events =
            if first == b'[' { decode::events_from_json(input) } else { decode::events_from_msgpack(input) }
                .context("stdin is not a valid array of rrweb events")?;
        let session = sessions.get_or_create("mask", "stdin", Instant::now());
        let report = veil_masking::mask_events(&mut events, rules, &mut session.lock());
        Ok((encode::events_to_json(&events).context("encoding JSON")?, report))
    } else {
        bail!("stdin must be a batch or an array of rrweb events, as JSON or MessagePack")
    }
}

/// The report: one line per rule and field kind, or one JSON object.
pub fn render(report: &Report, format: ReportFormat) -> String {
    match format {
        ReportFormat::Text => {
            let mut out = String::new();
            for (rule, kind, count) in report.iter() {
                out.push_str(&format!("{rule}\t{}\t{count}\n", kind.as_str()));
            }
            if report.events_removed() > 0 {
                out.push_str(&format!("events removed\t{}\n", report.events_removed()));
            }
            if out.is_empty() {
                out.push_str("nothing masked\n");
            }
            out
        }
        ReportFormat::Json => {
            let redactions: Vec<_> = report
                .iter()
                .map(|(rule, kind, count)| serde_json::json!({"rule": rule, "kind": kind.as_str(), "count": count}))
                .collect();
            format!(
                "{}\n",
                serde_json::json!({"redactions": redactions, "events_removed": report.events_removed(), "total": report.total()})
            )
        }
    }
}
