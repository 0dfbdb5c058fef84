//! `veil demo`: realistic visits of a webshop sent through a running
//! server's real consent and ingest endpoints, so a first run's console
//! shows pages, heatmaps, scroll maps, sessions and replays at once.
//!
//! The visits come from `veil-recording` (the benches' generator: rrweb
//! 2.x events of a product page, browsing and a checkout form, typed
//! text already masked as the recorder sends it). Their URLs are moved to
//! the demo site's origin and their products to the demo shop's catalogue
//! (`server.demo_site`), so a few hundred visits give every page enough
//! clicks for a heatmap.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use anyhow::{Context, anyhow, bail};
use serde_json::Value;
use veil_recording::{Journey, ORIGIN, Recording, RecordingOptions, Rng};

use crate::config::Config;
use crate::http::demo_site::CATALOGUE;

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
struct Visit {
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
    let mut tasks = Vec::new();
    for _ in 0..options.clients.max(1) {
        let (options, http, next, batches, events, visitors) =
            (options.clone(), http.clone(), next.clone(), batches.clone(), events.clone(), visitors.clone());
        tasks.push(tokio::spawn(async move {
            let mut sent = 0;
            loop {
                let index = next.fetch_add(1, Ordering::Relaxed);
                if index >= options.visits {
                    return Ok::<usize, anyhow::Error>(sent);
                }
                let visit = {
                    let mut known = visitors.lock().map_err(|_| anyhow!("visitor list poisoned"))?;
                    make_visit(&options, index, now_ms, &mut known)?
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

/// Visit `index`: a third of visitors come back, journeys as a webshop's
/// (mostly one page or a few products, some checkouts), 0.5 to 3 minutes,
/// spread over the last hours so the console's default range holds them.
fn make_visit(
    options: &DemoOptions,
    index: usize,
    now_ms: i64,
    visitors: &mut Vec<String>,
) -> anyhow::Result<Visit> {
    let mut rng = Rng::new(options.seed ^ (index as u64 + 1).wrapping_mul(0x9e37_79b9_7f4a_7c15));
    let visitor = if !visitors.is_empty() && rng.chance(0.3) {
        rng.pick(visitors).clone()
    } else {
        let id = rng.hex(32);
        visitors.push(id.clone());
        id
    };
    let session = format!("{}-{}-4{}-a{}-{}", rng.hex(8), rng.hex(4), rng.hex(3), rng.hex(3), rng.hex(12));
    let minutes = 0.5 + 2.5 * rng.unit();
    let behind_ms = (options.visits - index) as i64 * 20_000 + (minutes * 60_000.0) as i64;
    let recording = Recording::generate(&RecordingOptions {
        minutes,
        seed: rng.next_u64(),
        start_ms: now_ms - behind_ms,
        site_seed: Some(options.seed),
        journey: Journey::draw(&mut rng),
    });
    let user_agent = *rng.pick(&USER_AGENTS);
    let mut bodies = Vec::new();
    for mut batch in recording.batches(&options.site, &session) {
        rewrite_urls(&mut batch, &options.origin);
        let plain = rmp_serde::to_vec_named(&batch).context("encoding a demo batch")?;
        bodies.push(zstd::encode_all(&plain[..], 3).context("compressing a demo batch")?);
    }
    Ok(Visit { visitor, user_agent, bodies })
}

/// Browsers of the demo's visitors (only the family is kept).
const USER_AGENTS: [&str; 3] = [
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_6) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15",
];

/// Moves every absolute URL of the generated shop to `origin`, and every
/// product page to its catalogue product.
fn rewrite_urls(value: &mut Value, origin: &str) {
    match value {
        Value::String(text) => {
            if let Some(path) = text.strip_prefix(ORIGIN) {
                *text = format!("{origin}{}", demo_path(path));
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|item| rewrite_urls(item, origin)),
        Value::Object(fields) => fields.values_mut().for_each(|field| rewrite_urls(field, origin)),
        _ => {}
    }
}

/// `/products/<generated slug>-<id>?kleur=…` becomes `/products/<one of
/// the catalogue>`, chosen by the generated path; other paths stay.
fn demo_path(path: &str) -> String {
    match path.strip_prefix("/products/") {
        Some(product) => {
            let hash = blake3::hash(product.as_bytes());
            let index = usize::from(hash.as_bytes()[0]) % CATALOGUE.len();
            format!("/products/{}", CATALOGUE[index].slug)
        }
        None => path.to_owned(),
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_urls_move_to_the_demo_origin_and_catalogue() {
        let mut batch = serde_json::json!({
            "page": {"url": format!("{ORIGIN}/products/alpine-jas-482913?kleur=rood")},
            "events": [{"type": 4, "data": {"href": format!("{ORIGIN}/checkout")}},
                       {"type": 2, "data": {"href": "/relative", "src": "https://cdn.example/x.png"}}],
        });
        rewrite_urls(&mut batch, "http://127.0.0.1:8080");
        let page = batch["page"]["url"].as_str().unwrap_or_default();
        let product = page.strip_prefix("http://127.0.0.1:8080/products/").unwrap_or_default();
        assert!(CATALOGUE.iter().any(|p| p.slug == product), "{page}");
        assert_eq!(batch["events"][0]["data"]["href"], "http://127.0.0.1:8080/checkout");
        assert_eq!(batch["events"][1]["data"]["href"], "/relative");
        assert_eq!(batch["events"][1]["data"]["src"], "https://cdn.example/x.png");
    }

    #[test]
    fn the_catalogue_is_reached_by_many_generated_products() {
        let products: std::collections::BTreeSet<String> =
            (0..200).map(|i| demo_path(&format!("/products/item-{i}?kleur=x"))).collect();
        assert_eq!(products.len(), CATALOGUE.len());
    }
}
