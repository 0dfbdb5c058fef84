//! Many recorder-like clients against one `veil serve`: each takes the
//! next visit, asks for consent, then posts the visit's batches in order,
//! retrying as the recorder does (503/429 after `Retry-After`, connection
//! errors after a short pause) until a deadline. What it keeps is the
//! evidence the chaos tests check: which (session, seq) were answered 202.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::corpus::{Body, Visit};

/// Where visits come from: prepared up front (bounded runs) or made as
/// the run goes (soak), by index.
pub type VisitSource = Arc<dyn Fn(usize) -> Option<Arc<Visit>> + Send + Sync>;

/// A source over a prepared corpus.
pub fn prepared(visits: Vec<Visit>) -> VisitSource {
    let visits: Vec<Arc<Visit>> = visits.into_iter().map(Arc::new).collect();
    Arc::new(move |index| visits.get(index).cloned())
}

/// How the clients behave.
#[derive(Debug, Clone)]
pub struct LoadOptions {
    /// `http://127.0.0.1:PORT` of `veil serve`; several servers share the
    /// load by visit.
    pub base_urls: Vec<String>,
    /// The site's allowed origin, sent as `Origin`.
    pub origin: String,
    /// The site id of the consent grants.
    pub site: String,
    /// Concurrent clients.
    pub clients: usize,
    /// No new visit starts after this; batches of started visits go on.
    pub duration: Duration,
    /// How long one batch is retried before it counts as given up.
    pub retry_for: Duration,
    /// Longest pause honoured from a `Retry-After`.
    pub max_retry_pause: Duration,
    /// Pause of each client between two batches (0: as fast as answers
    /// come; a soak uses a steady pace).
    pub pace: Duration,
    /// Per-request timeout.
    pub request_timeout: Duration,
}

impl Default for LoadOptions {
    fn default() -> Self {
        LoadOptions {
            base_urls: Vec::new(),
            origin: String::new(),
            site: String::new(),
            clients: 16,
            duration: Duration::from_secs(30),
            retry_for: Duration::from_secs(120),
            max_retry_pause: Duration::from_secs(2),
            pace: Duration::ZERO,
            request_timeout: Duration::from_secs(30),
        }
    }
}

/// What the clients saw.
#[derive(Debug, Default, Clone)]
pub struct Outcome {
    /// (session, seq) of every batch answered 202, with the answer's
    /// `accepted` and `dropped`.
    pub acknowledged: Vec<Acknowledged>,
    /// (session, seq) of batches given up on (never answered 202).
    pub given_up: Vec<(String, u64)>,
    /// Milliseconds of each request answered 202 (the final attempt).
    pub latencies_ms: Vec<f64>,
    /// Answers by status, every attempt counted (consent included).
    pub statuses: BTreeMap<u16, u64>,
    /// Attempts that got no HTTP answer (refused, reset, timed out).
    pub transport_errors: u64,
    /// Attempts after the first of a batch or grant.
    pub retries: u64,
    /// Visits started.
    pub visits: usize,
    /// Decompressed bytes of the acknowledged batches.
    pub plain_bytes: u64,
    /// Wire bytes of the acknowledged batches.
    pub wire_bytes: u64,
    /// Events in the acknowledged batches.
    pub events: u64,
    /// From the first request to the last answer.
    pub elapsed: Duration,
}

/// One batch answered 202.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Acknowledged {
    /// Session id.
    pub session: String,
    /// Batch seq.
    pub seq: u64,
    /// `accepted` of the answer.
    pub accepted: u64,
    /// `dropped` of the answer.
    pub dropped: u64,
}

impl Outcome {
    /// Statuses other than 201/202 that the recorder does not retry: each
    /// is a batch or grant the server refused.
    pub fn refusals(&self) -> u64 {
        self.statuses.iter().filter(|(s, _)| !matches!(s, 201 | 202 | 429 | 503)).map(|(_, n)| n).sum()
    }
}

/// A handle to a running load: stop it early, or wait for the outcome.
pub struct Load {
    stop: Arc<AtomicBool>,
    sent: Arc<AtomicU64>,
    handle: Option<std::thread::JoinHandle<Outcome>>,
}

impl Load {
    /// Starts the clients on a runtime of their own (one thread, so the
    /// generator takes as little CPU from the server as it can).
    pub fn start(source: VisitSource, options: LoadOptions) -> Load {
        let stop = Arc::new(AtomicBool::new(false));
        let sent = Arc::new(AtomicU64::new(0));
        let (stop_in, sent_in) = (stop.clone(), sent.clone());
        let handle = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build();
            match runtime {
                Ok(runtime) => runtime.block_on(run(source, options, stop_in, sent_in)),
                Err(error) => panic!("cannot start the load generator's runtime: {error}"),
            }
        });
        Load { stop, sent, handle: Some(handle) }
    }

    /// Batches answered 202 so far.
    pub fn acknowledged_so_far(&self) -> u64 {
        self.sent.load(Ordering::Relaxed)
    }

    /// True once every client has finished.
    pub fn is_finished(&self) -> bool {
        self.handle.as_ref().is_none_or(|h| h.is_finished())
    }

    /// Starts no new visit from now on; started ones finish.
    pub fn stop_new_visits(&self) {
        self.stop.store(true, Ordering::Relaxed);
    }

    /// Waits for every client to finish.
    pub fn wait(mut self) -> Outcome {
        let handle = self.handle.take();
        handle.map(|h| h.join().unwrap_or_else(|_| panic!("the load generator panicked"))).unwrap_or_default()
    }
}

async fn run(
    source: VisitSource,
    options: LoadOptions,
    stop: Arc<AtomicBool>,
    sent: Arc<AtomicU64>,
) -> Outcome {
    let http = reqwest::Client::builder()
        .timeout(options.request_timeout)
        .pool_max_idle_per_host(options.clients)
        .build()
        .unwrap_or_else(|error| panic!("HTTP client: {error}"));
    let shared = Arc::new(Shared {
        http,
        options,
        source,
        next: AtomicUsize::new(0),
        stop,
        sent,
        outcome: Mutex::new(Outcome::default()),
        started: Instant::now(),
    });
    let clients: Vec<_> = (0..shared.options.clients).map(|_| tokio::spawn(client(shared.clone()))).collect();
    for client in clients {
        if let Err(error) = client.await {
            panic!("a load client failed: {error}");
        }
    }
    let mut outcome = shared.outcome.lock().map(|o| o.clone()).unwrap_or_default();
    outcome.elapsed = shared.started.elapsed();
    outcome
}

struct Shared {
    http: reqwest::Client,
    options: LoadOptions,
    source: VisitSource,
    next: AtomicUsize,
    stop: Arc<AtomicBool>,
    sent: Arc<AtomicU64>,
    outcome: Mutex<Outcome>,
    started: Instant,
}

impl Shared {
    fn record(&self, f: impl FnOnce(&mut Outcome)) {
        if let Ok(mut outcome) = self.outcome.lock() {
            f(&mut outcome);
        }
    }

    fn over(&self) -> bool {
        self.stop.load(Ordering::Relaxed) || self.started.elapsed() >= self.options.duration
    }
}

async fn client(shared: Arc<Shared>) {
    loop {
        if shared.over() {
            return;
        }
        let index = shared.next.fetch_add(1, Ordering::Relaxed);
        let Some(visit) = (shared.source)(index) else { return };
        shared.record(|o| o.visits += 1);
        let base = &shared.options.base_urls[index % shared.options.base_urls.len()];
        let Some(token) = consent(&shared, base, &visit).await else {
            shared
                .record(|o| o.given_up.extend(visit.batches.iter().map(|b| (visit.session.clone(), b.seq))));
            continue;
        };
        for body in &visit.batches {
            post_batch(&shared, base, &token, &visit, body).await;
            if !shared.options.pace.is_zero() {
                tokio::time::sleep(shared.options.pace).await;
            }
        }
    }
}

/// What one attempt got.
enum Attempt {
    Answer { status: u16, retry_after: Option<u64>, body: Vec<u8>, took: Duration },
    NoAnswer,
}

async fn attempt(request: reqwest::RequestBuilder) -> Attempt {
    let started = Instant::now();
    match request.send().await {
        Ok(response) => {
            let status = response.status().as_u16();
            let retry_after = response
                .headers()
                .get("retry-after")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.parse().ok());
            match response.bytes().await {
                Ok(body) => {
                    Attempt::Answer { status, retry_after, body: body.to_vec(), took: started.elapsed() }
                }
                Err(_) => Attempt::NoAnswer,
            }
        }
        Err(_) => Attempt::NoAnswer,
    }
}

/// Retries `make` until it is answered with neither 429 nor 503 (or the
/// retry window closes): the recorder's policy.
async fn with_retries(
    shared: &Shared,
    make: impl Fn() -> reqwest::RequestBuilder,
) -> Option<(u16, Vec<u8>, Duration)> {
    let deadline = Instant::now() + shared.options.retry_for;
    let mut first = true;
    loop {
        if !first {
            shared.record(|o| o.retries += 1);
        }
        first = false;
        let pause = match attempt(make()).await {
            Attempt::Answer { status, retry_after, body, took } => {
                shared.record(|o| *o.statuses.entry(status).or_default() += 1);
                if status != 429 && status != 503 {
                    return Some((status, body, took));
                }
                Duration::from_secs(retry_after.unwrap_or(1)).min(shared.options.max_retry_pause)
            }
            Attempt::NoAnswer => {
                shared.record(|o| o.transport_errors += 1);
                Duration::from_millis(200)
            }
        };
        if Instant::now() + pause > deadline {
            return None;
        }
        tokio::time::sleep(pause).await;
    }
}

async fn consent(shared: &Shared, base: &str, visit: &Visit) -> Option<String> {
    let grant = serde_json::json!({
        "site": shared.options.site, "purposes": ["recording", "heatmaps"], "visitor": visit.visitor,
    })
    .to_string();
    let url = format!("{base}/v1/consent");
    let (status, body, _) = with_retries(shared, || {
        shared
            .http
            .post(&url)
            .header("Origin", &shared.options.origin)
            .header("Content-Type", "application/json")
            .body(grant.clone())
    })
    .await?;
    if status != 201 {
        return None;
    }
    #[allow(clippy::disallowed_methods, reason = "a small consent answer from our own server")]
    let answer: serde_json::Value = serde_json::from_slice(&body).ok()?;
    answer["token"].as_str().map(str::to_owned)
}

async fn post_batch(shared: &Shared, base: &str, token: &str, visit: &Visit, body: &Body) {
    let ingest = format!("{base}/v1/ingest");
    let token_param = percent_encoding::utf8_percent_encode(token, percent_encoding::NON_ALPHANUMERIC);
    let beacon = format!("{base}/v1/ingest?consent={token_param}&format=msgpack&encoding=zstd");
    let answer = with_retries(shared, || {
        let request = if body.beacon {
            shared.http.post(&beacon).header("Content-Type", "text/plain")
        } else {
            shared
                .http
                .post(&ingest)
                .header("X-Consent-Token", token)
                .header("Content-Type", "application/msgpack")
                .header("Content-Encoding", "zstd")
        };
        request.header("Origin", &shared.options.origin).body(body.wire.clone())
    })
    .await;
    match answer {
        Some((202, answer, took)) => {
            #[allow(clippy::disallowed_methods, reason = "a small 202 answer from our own server")]
            let answer: serde_json::Value = serde_json::from_slice(&answer).unwrap_or_default();
            shared.sent.fetch_add(1, Ordering::Relaxed);
            shared.record(|o| {
                o.acknowledged.push(Acknowledged {
                    session: visit.session.clone(),
                    seq: body.seq,
                    accepted: answer["accepted"].as_u64().unwrap_or(0),
                    dropped: answer["dropped"].as_u64().unwrap_or(0),
                });
                o.latencies_ms.push(took.as_secs_f64() * 1000.0);
                o.plain_bytes += body.plain_len as u64;
                o.wire_bytes += body.wire.len() as u64;
                o.events += body.events as u64;
            });
        }
        // Refused (counted in `statuses`) or never answered in time.
        _ => shared.record(|o| o.given_up.push((visit.session.clone(), body.seq))),
    }
}
