//! `veil demo`: realistic visits of the demo shop (`server.demo_site`)
//! sent through a running server's real consent and ingest endpoints, so
//! a first run's console shows pages, heatmaps, scroll maps, sessions and
//! replays at once.
//!
//! The visits are made of the demo pages as Chromium serialised them with
//! rrweb (`demo/pages.json`, kept true by `tests/demo_fixtures.rs`): each
//! page view is the page's Meta and FullSnapshot, then scrolling, mouse
//! moves, clicks on the page's real links, buttons and fields (rrweb
//! MouseInteraction plus `veil.click`, as Veil's recorder sends them),
//! typing already masked to `*`, and a walk through the shop (landing,
//! products, a product, checkout) with the drop-offs of a real one. Their
//! heatmaps therefore sit on the pages the demo shop serves.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use anyhow::{Context, anyhow, bail};
use serde_json::Value;

use crate::config::Config;

mod walk;

use walk::{Shop, make_visit};

/// How many times one request is tried before the demo gives up on it.
const ATTEMPTS: usize = 8;

/// What to send.
#[derive(Debug, Clone)]
pub struct DemoOptions {
    /// `http://host:port` of the running `veil serve`.
    pub url: String,
    /// The site's allowed origin, sent as `Origin` and used in page URLs.
    pub origin: String,
    /// The site id.
    pub site: String,
    /// Visits to send.
    pub visits: usize,
    /// Visits sent at once.
    pub clients: usize,
    /// Seed of the visits: the same seed sends the same visits.
    pub seed: u64,
}

impl DemoOptions {
    /// The defaults for `config`: the server it listens on and the first
    /// site with its first origin.
    pub fn from_config(
        config: &Config,
        site: Option<&str>,
        url: Option<&str>,
        origin: Option<&str>,
    ) -> anyhow::Result<(String, String, String)> {
        let site_config = match site {
            Some(id) => config.sites.iter().find(|s| s.id == id),
            None => config.sites.first(),
        }
        .ok_or_else(|| match site {
            Some(id) => anyhow!("--site: site `{id}` is not configured"),
            None => anyhow!("no site is configured: add a [[sites]] entry"),
        })?;
        if !site_config.purposes.iter().any(|p| p == "recording") {
            bail!("site `{}` does not enable the `recording` purpose: the demo needs it", site_config.id);
        }
        let origin = match origin {
            Some(origin) => origin.to_owned(),
            None => site_config.origins.first().cloned().ok_or_else(|| {
                anyhow!("site `{}` has no origins: give --origin or add one to the site", site_config.id)
            })?,
        };
        let url = match url {
            Some(url) => url.trim_end_matches('/').to_owned(),
            None => {
                let listen = config.server.listen;
                let host = if listen.ip().is_unspecified() {
                    "127.0.0.1".to_owned()
                } else {
                    listen.ip().to_string()
                };
                let host = if host.contains(':') { format!("[{host}]") } else { host };
                format!("http://{host}:{}", listen.port())
            }
        };
        Ok((url, origin.trim_end_matches('/').to_owned(), site_config.id.clone()))
    }
}

/// What was sent.
#[derive(Debug, Default)]
pub struct DemoReport {
    /// Visits whose consent was granted.
    pub visits: usize,
    /// Batches answered 202.
    pub batches: u64,
    /// Events the server accepted.
    pub events: u64,
}

/// One visit ready to send.
pub(crate) struct Visit {
    visitor: String,
    user_agent: &'static str,
    bodies: Vec<Vec<u8>>,
}

/// Sends `options.visits` visits and reports what the server accepted.
/// Fails on the first refusal that retrying cannot mend (an origin or site
/// the server does not know, a server that is not there).
pub fn run(options: &DemoOptions) -> anyhow::Result<DemoReport> {
    let now_ms =
        i64::try_from(SystemTime::now().duration_since(UNIX_EPOCH).context("system clock")?.as_millis())
            .context("system clock")?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("starting the demo's runtime")?;
    runtime.block_on(send_all(options, now_ms))
}

async fn send_all(options: &DemoOptions, now_ms: i64) -> anyhow::Result<DemoReport> {
    let http = reqwest::Client::builder().timeout(Duration::from_secs(30)).build().context("HTTP client")?;
    let next = Arc::new(AtomicUsize::new(0));
    let batches = Arc::new(AtomicU64::new(0));
    let events = Arc::new(AtomicU64::new(0));
    let visitors = Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
    let shop = Arc::new(Shop::load(&options.origin)?);
    let mut tasks = Vec::new();
    for _ in 0..options.clients.max(1) {
        let (options, http, next, batches, events, visitors, shop) = (
            options.clone(),
            http.clone(),
            next.clone(),
            batches.clone(),
            events.clone(),
            visitors.clone(),
            shop.clone(),
        );
        tasks.push(tokio::spawn(async move {
            let mut sent = 0;
            loop {
                let index = next.fetch_add(1, Ordering::Relaxed);
                if index >= options.visits {
                    return Ok::<usize, anyhow::Error>(sent);
                }
                let visit = {
                    let mut known = visitors.lock().map_err(|_| anyhow!("visitor list poisoned"))?;
                    make_visit(&shop, &options, index, now_ms, &mut known)?
                };
                let token = consent(&http, &options, &visit).await?;
                for body in &visit.bodies {
                    let accepted = post_batch(&http, &options, &token, visit.user_agent, body).await?;
                    batches.fetch_add(1, Ordering::Relaxed);
                    events.fetch_add(accepted, Ordering::Relaxed);
                }
                sent += 1;
            }
        }));
    }
    let mut visits = 0;
    for task in tasks {
        visits += task.await.context("a demo client stopped")??;
    }
    Ok(DemoReport {
        visits,
        batches: batches.load(Ordering::Relaxed),
        events: events.load(Ordering::Relaxed),
    })
}

async fn consent(http: &reqwest::Client, options: &DemoOptions, visit: &Visit) -> anyhow::Result<String> {
    let grant = serde_json::json!({
        "site": options.site, "purposes": ["recording", "heatmaps"], "visitor": visit.visitor,
    })
    .to_string();
    let url = format!("{}/v1/consent", options.url);
    let (status, body) = with_retries(&url, || {
        http.post(&url)
            .header("Origin", &options.origin)
            .header("Content-Type", "application/json")
            .header("User-Agent", visit.user_agent)
            .body(grant.clone())
    })
    .await?;
    if status != 201 {
        bail!("{url} answered {status}: {}", String::from_utf8_lossy(&body));
    }
    #[allow(clippy::disallowed_methods, reason = "the consent answer of the server the demo was pointed at")]
    let answer: Value =
        serde_json::from_slice(&body).with_context(|| format!("{url}: answer is not JSON"))?;
    answer["token"].as_str().map(str::to_owned).ok_or_else(|| anyhow!("{url}: answer has no token"))
}

/// Posts one batch; the number of events the server accepted.
async fn post_batch(
    http: &reqwest::Client,
    options: &DemoOptions,
    token: &str,
    user_agent: &str,
    body: &[u8],
) -> anyhow::Result<u64> {
    let url = format!("{}/v1/ingest", options.url);
    let (status, answer) = with_retries(&url, || {
        http.post(&url)
            .header("Origin", &options.origin)
            .header("Content-Type", "application/msgpack")
            .header("Content-Encoding", "zstd")
            .header("X-Consent-Token", token)
            .header("User-Agent", user_agent)
            .body(body.to_vec())
    })
    .await?;
    if status != 202 {
        bail!("{url} answered {status}: {}", String::from_utf8_lossy(&answer));
    }
    #[allow(clippy::disallowed_methods, reason = "the ingest answer of the server the demo was pointed at")]
    let answer: Value =
        serde_json::from_slice(&answer).with_context(|| format!("{url}: answer is not JSON"))?;
    Ok(answer["accepted"].as_u64().unwrap_or(0))
}

/// Sends until an answer other than 429/503 comes, as the recorder does
/// (waiting `Retry-After`, at most 5 s), or the attempts run out.
async fn with_retries(
    url: &str,
    make: impl Fn() -> reqwest::RequestBuilder,
) -> anyhow::Result<(u16, Vec<u8>)> {
    let mut last = String::new();
    for _ in 0..ATTEMPTS {
        match make().send().await {
            Ok(response) => {
                let status = response.status().as_u16();
                let retry_after = response
                    .headers()
                    .get("Retry-After")
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| v.trim().parse::<u64>().ok())
                    .unwrap_or(1);
                let body = response.bytes().await.map(|b| b.to_vec()).unwrap_or_default();
                if status != 429 && status != 503 {
                    return Ok((status, body));
                }
                last = format!("answered {status}");
                tokio::time::sleep(Duration::from_secs(retry_after.clamp(1, 5))).await;
            }
            Err(error) => {
                last = error.to_string();
                tokio::time::sleep(Duration::from_millis(500)).await;
            }
        }
    }
    bail!("{url}: no answer after {ATTEMPTS} attempts ({last}); is `veil serve` running there?")
}
