//! A deterministic, realistic rrweb 2.x recording of one visitor, for
//! benchmarks whose result depends on what the events look like (storage
//! size, compression, masking cost); `veil demo` uses its seeded [`Rng`]. Hand-written fixtures are too small
//! and too regular for that: compression ratios measured on them say
//! little about a real visit.
//!
//! The visit: a product page of a webshop (sticky header with a mega menu,
//! gallery carousel, swatches, size select, accordion, reviews, a grid of
//! lazy-loaded related products, footer), then, midway, an SPA navigation
//! to the checkout (a second Meta and FullSnapshot) where the visitor fills
//! in a form. Mouse moves are sampled and batched as rrweb does (a position
//! per 50 ms, flushed every 500 ms), scrolls are throttled to 100 ms, the
//! page itself mutates (carousel autoplay, viewer counter, lazy images,
//! cart drawer, toasts, validation), the recorder adds `veil.click` and
//! `veil.scroll` custom events (SPEC §4), typed text is already masked
//! with `*` as the recorder sends it, and there are idle stretches.
//!
//! Everything comes from one seeded PRNG: the same seed and start time give
//! the same bytes, so runs are comparable.
//!
//! ```
//! use veil_recording::{Recording, RecordingOptions};
//!
//! let recording = Recording::generate(&RecordingOptions { minutes: 1.0, ..Default::default() });
//! let batches = recording.batches("shop", "3f2c1a9e-7b4d-4c2a-9e1f-0a1b2c3d4e5f");
//! assert!(recording.event_count() > 100);
//! assert_eq!(batches[0]["seq"], 0);
//! ```

mod dom;
mod pages;
mod sim;
#[cfg(test)]
mod tests;
mod text;

use serde_json::{Value, json};

use dom::*;
use pages::*;
use sim::*;

/// How often the recorder flushes its buffer.
pub const BATCH_INTERVAL_MS: i64 = 5_000;

/// Buffered event JSON that makes the recorder flush before its timer.
pub const BATCH_MAX_BYTES: usize = 64 * 1024;

/// SplitMix64: tiny, seedable and good enough for test data, so the
/// generator needs no dependency and its output never changes with one.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator for `seed`.
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (0 when `n` is 0).
    pub fn below(&mut self, n: u64) -> u64 {
        if n == 0 { 0 } else { self.next_u64() % n }
    }

    /// Uniform in `lo..=hi`.
    pub fn range(&mut self, lo: i64, hi: i64) -> i64 {
        lo + self.below((hi - lo + 1).max(1) as u64) as i64
    }

    /// Uniform in `[0, 1)`.
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// True with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    /// One element of a non-empty slice.
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }

    /// `n` lower-case hex digits.
    pub fn hex(&mut self, n: usize) -> String {
        (0..n).map(|_| char::from(b"0123456789abcdef"[self.below(16) as usize])).collect()
    }
}

/// What to generate.
#[derive(Debug, Clone)]
pub struct RecordingOptions {
    /// Length of the visit in minutes; the checkout starts halfway, a
    /// browsing visit's pages share it equally.
    pub minutes: f64,
    /// PRNG seed.
    pub seed: u64,
    /// Unix milliseconds of the first event.
    pub start_ms: i64,
    /// Seed of what the site serves every visitor alike (its style sheets
    /// and asset names); `None`: drawn from `seed`, so every visit is of
    /// a different site.
    pub site_seed: Option<u64>,
    /// Which pages the visit goes through.
    pub journey: Journey,
}

impl Default for RecordingOptions {
    fn default() -> Self {
        RecordingOptions {
            minutes: 10.0,
            seed: 42,
            start_ms: 1_795_514_400_000,
            site_seed: None,
            journey: Journey::Checkout,
        }
    }
}

/// The pages of a visit. Real traffic is mostly visitors who leave after
/// one page or look at a few products; few reach the checkout. Each kind
/// stores differently (one snapshot, several full page loads sharing the
/// site's head, header and footer, or an SPA navigation), so a storage
/// figure measured on one kind only says little about a site's mix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Journey {
    /// One product page for the whole visit.
    Bounce,
    /// `n` product pages, each a full page load (a new Meta and
    /// FullSnapshot with ids from 1, as rrweb restarts on a page load).
    Browse(usize),
    /// A product page, then halfway an SPA navigation to the checkout,
    /// where the visitor fills in the form.
    Checkout,
}

impl Journey {
    /// The share of each journey in a webshop's visits, as a weighted
    /// draw: 40 % leave after one page, 45 % browse two to four products,
    /// 15 % reach the checkout.
    pub fn draw(rng: &mut Rng) -> Journey {
        match rng.below(100) {
            0..40 => Journey::Bounce,
            40..85 => Journey::Browse(rng.range(2, 4) as usize),
            _ => Journey::Checkout,
        }
    }
}

/// One page as the recorder sees it: from a Meta + FullSnapshot to the
/// next navigation. Envelopes of its batches carry its URL and sizes.
#[derive(Debug, Clone)]
pub struct PageView {
    /// `location.href`.
    pub url: String,
    /// `document.title`.
    pub title: String,
    /// Viewport width and height in CSS px.
    pub viewport: (i64, i64),
    /// Document width and height in CSS px.
    pub document: (i64, i64),
    /// Serialized nodes in the FullSnapshot.
    pub snapshot_nodes: usize,
    /// rrweb events in timestamp order.
    pub events: Vec<Value>,
}

/// A generated visit.
#[derive(Debug, Clone)]
pub struct Recording {
    /// The page views in order.
    pub views: Vec<PageView>,
}

impl Recording {
    /// Generates a visit of `options.minutes` minutes.
    pub fn generate(options: &RecordingOptions) -> Recording {
        let mut rng = Rng::new(options.seed);
        let total = (options.minutes * 60_000.0).round() as i64;
        let start = options.start_ms;
        let end = start + total;
        let product_pages = match options.journey {
            Journey::Bounce => 1,
            Journey::Browse(n) => n.max(1),
            Journey::Checkout => 1,
        };
        let product_share = match options.journey {
            Journey::Checkout => total / 2,
            _ => total / product_pages as i64,
        };

        let mut views = Vec::new();
        let mut t = start;
        let mut last_product = None;
        for i in 0..product_pages {
            let until = if i + 1 == product_pages && options.journey != Journey::Checkout {
                end
            } else {
                start + product_share * (i as i64 + 1)
            };
            let mut builder = Dom { site: options.site_seed, ..Dom::default() };
            let product = product_page(&mut rng, &mut builder);
            let mut sim = Sim::new(&mut rng, t, VIEWPORT, product.doc_h, product.regions.clone());
            sim.next_id = product.next_id;
            views.push(sim.product_visit(&product, t, until.max(t + 1_000)));
            t = sim.t;
            last_product = Some((product, sim.next_id));
        }

        if options.journey == Journey::Checkout
            && let Some((product, next_id)) = last_product
        {
            let checkout = checkout_page(&mut rng, &product, next_id);
            let mut sim = Sim::new(&mut rng, t, VIEWPORT, checkout.doc_h, checkout.regions.clone());
            sim.next_id = checkout.next_id;
            views.push(sim.checkout_visit(&checkout, t, end.max(t + 1_000)));
        }
        Recording { views }
    }

    /// All events of all page views, in order.
    pub fn events(&self) -> impl Iterator<Item = &Value> {
        self.views.iter().flat_map(|view| view.events.iter())
    }

    /// How many events.
    pub fn event_count(&self) -> usize {
        self.views.iter().map(|view| view.events.len()).sum()
    }

    /// Milliseconds from the first to the last event.
    pub fn duration_ms(&self) -> i64 {
        let ts = |e: &Value| e["timestamp"].as_i64().unwrap_or(0);
        let first = self.events().next().map_or(0, ts);
        let last = self.events().last().map_or(0, ts);
        last - first
    }

    /// The recording split as the recorder posts it: a batch whenever the
    /// 5 s flush timer fires with events buffered, when 64 KB of events are
    /// buffered, and at every navigation (the envelope names one page);
    /// `seq` counts from 0. Each batch is the SPEC §4 envelope.
    pub fn batches(&self, site: &str, session: &str) -> Vec<Value> {
        let mut batches = Vec::new();
        let start = self.events().next().and_then(|e| e["timestamp"].as_i64()).unwrap_or(0);
        for view in &self.views {
            let mut buffer: Vec<Value> = Vec::new();
            let mut buffered_bytes = 0;
            let mut tick = start + BATCH_INTERVAL_MS;
            let mut flush = |buffer: &mut Vec<Value>| {
                if buffer.is_empty() {
                    return;
                }
                batches.push(json!({
                    "v": 1, "site": site, "session": session, "seq": batches.len(),
                    "page": {"url": view.url, "title": view.title},
                    "viewport": {"w": view.viewport.0, "h": view.viewport.1},
                    "document": {"w": view.document.0, "h": view.document.1},
                    "events": std::mem::take(buffer),
                }));
            };
            for event in &view.events {
                let ts = event["timestamp"].as_i64().unwrap_or(0);
                if ts >= tick {
                    flush(&mut buffer);
                    buffered_bytes = 0;
                    tick += (ts - tick) / BATCH_INTERVAL_MS * BATCH_INTERVAL_MS + BATCH_INTERVAL_MS;
                }
                buffered_bytes += serde_json::to_vec(event).map_or(0, |v| v.len()) + 1;
                buffer.push(event.clone());
                if buffered_bytes >= BATCH_MAX_BYTES {
                    flush(&mut buffer);
                    buffered_bytes = 0;
                }
            }
            flush(&mut buffer);
        }
        batches
    }
}

pub(crate) const VIEWPORT: (i64, i64) = (1440, 789);
pub(crate) const DOC_W: i64 = 1440;
/// Where the generated shop lives; `veil demo` rewrites it to the demo
/// site's origin.
pub const ORIGIN: &str = "https://www.noorderlicht-outdoor.example";
pub(crate) const CDN: &str = "https://cdn.noorderlicht-outdoor.example/media/catalog/product";
pub(crate) const PLACEHOLDER: &str =
    "data:image/gif;base64,R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7";
