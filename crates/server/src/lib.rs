//! The `veil` binary's library: configuration, wiring, the HTTP surface
//! (query API, console, metrics) and the command line. The decisions live
//! in the pure crates (`veil-consent`, `veil-masking`, …); this crate only
//! connects them to the outside world.

pub mod cli;
pub mod commands;
pub mod compaction;
pub mod config;
pub mod http;
pub mod metrics;
pub mod privacy;
#[cfg(test)]
mod privacy_doc_tests;
pub mod readiness;
pub mod replay;
pub mod retention;
pub mod telemetry;

use cli::{
    ApikeyCommand, Cli, Command, CompactionCommand, ConfigCommand, KeysCommand, RetentionCommand,
    TokenCommand,
};

/// Runs one command line to completion.
pub fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Keys(KeysCommand::Generate) => {
            commands::keys::generate();
            Ok(())
        }
        Command::Apikey(ApikeyCommand::Create { name, role }) => {
            print!("{}", commands::apikey::create(&name, role)?);
            Ok(())
        }
        Command::Serve(arg) => {
            telemetry::init(cli.log_format);
            let (config, path) = config::load(arg.config.as_deref())?;
            match &path {
                Some(path) => tracing::info!(config = %path.display(), "configuration loaded"),
                None => tracing::info!("no configuration file; defaults and VEIL_ environment variables"),
            }
            actix_web::rt::System::new().block_on(commands::serve::run(config))
        }
        Command::Migrate(arg) => {
            telemetry::init(cli.log_format);
            let (config, _) = config::load(arg.config.as_deref())?;
            actix_web::rt::System::new().block_on(commands::migrate::run(&config))
        }
        Command::Mask { config: arg, site, report } => {
            // The configuration is optional here: without one the built-in
            // rules apply.
            let explicit = arg.config.is_some() || std::env::var_os("VEIL_CONFIG").is_some();
            let config = if explicit || std::path::Path::new(config::DEFAULT_PATH).is_file() {
                Some(config::load(arg.config.as_deref())?.0)
            } else {
                None
            };
            commands::mask::run(config.as_ref(), site.as_deref(), report)
        }
        Command::Config(ConfigCommand::Check(arg)) => {
            let (config, path) = config::load(arg.config.as_deref())?;
            if let Err(problems) = config.validate_for_serving() {
                let list: Vec<String> = problems.iter().map(ToString::to_string).collect();
                anyhow::bail!("invalid configuration for serving\n  {}", list.join("\n  "));
            }
            let source = path.map_or_else(|| "defaults".to_owned(), |p| p.display().to_string());
            println!("# configuration is valid: {source} with VEIL_ environment overrides");
            print!("{}", toml::to_string(&config)?);
            Ok(())
        }
        Command::Retention(RetentionCommand::Run { config: arg, today }) => {
            telemetry::init(cli.log_format);
            let (config, _) = config::load(arg.config.as_deref())?;
            let today = today.unwrap_or_else(retention::today);
            actix_web::rt::System::new().block_on(async move {
                let store = veil_store::Store::connect(&config.connect_options())?;
                let report = retention::run_once(&store, &config, today).await?;
                println!("heatmap partitions dropped: {}", report.heatmap_partitions);
                println!("recording partitions dropped: {}", report.recording_partitions);
                println!("expired recording rows deleted: {}", report.recording_rows);
                println!("console logout partitions dropped: {}", report.console_logout_partitions);
                println!("unreferenced chunks deleted: {}", report.chunks);
                Ok(())
            })
        }
        Command::Compaction(CompactionCommand::Run { config: arg, idle }) => {
            telemetry::init(cli.log_format);
            let (mut config, _) = config::load(arg.config.as_deref())?;
            if let Some(idle) = idle {
                config.compaction.session_timeout = idle;
            }
            actix_web::rt::System::new().block_on(async move {
                let store = veil_store::Store::connect(&config.connect_options())?;
                let metrics = metrics::Metrics::new();
                let mut total = compaction::CompactionRun::default();
                loop {
                    // Up to this very second included: `--idle 0s` means
                    // every session (a batch arriving later is a late
                    // batch, stored and compacted next time).
                    let now = veil_ingest::clock::now_secs() + 1;
                    let run =
                        compaction::run_once(&store, &config.compaction, &metrics.compaction, now).await?;
                    let done = run.sessions == 0 || run.failed > 0;
                    total += run;
                    if done {
                        break;
                    }
                }
                println!("sessions compacted: {}", total.sessions);
                println!("batches compacted: {}", total.batches);
                println!("bytes before: {}", total.bytes_before);
                println!("bytes after: {}", total.bytes_after);
                if total.failed > 0 {
                    anyhow::bail!("{} sessions could not be compacted (see the log)", total.failed);
                }
                Ok(())
            })
        }
        Command::Demo { config: arg, site, url, origin, visits, clients, seed } => {
            let (config, _) = config::load(arg.config.as_deref())?;
            let (url, origin, site) = commands::demo::DemoOptions::from_config(
                &config,
                site.as_deref(),
                url.as_deref(),
                origin.as_deref(),
            )?;
            let options = commands::demo::DemoOptions { url, origin, site, visits, clients, seed };
            let report = commands::demo::run(&options)?;
            println!(
                "sent {} demo visits to {} (site `{}`): {} batches, {} events accepted",
                report.visits, options.url, options.site, report.batches, report.events
            );
            Ok(())
        }
        Command::Token(TokenCommand::Mint { config: arg, site, purposes, ttl, visitor }) => {
            let (config, _) = config::load(arg.config.as_deref())?;
            println!("{}", commands::token::mint(&config, &site, &purposes, ttl, visitor.as_deref())?);
            Ok(())
        }
    }
}
