//! A deterministic, realistic rrweb 2.x recording of one visitor, for
//! benchmarks whose result depends on what the events look like (storage
//! size, compression, masking cost). Hand-written fixtures are too small
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
//! use veil_benches::recording::{Recording, RecordingOptions};
//!
//! let recording = Recording::generate(&RecordingOptions { minutes: 1.0, ..Default::default() });
//! let batches = recording.batches("shop", "3f2c1a9e-7b4d-4c2a-9e1f-0a1b2c3d4e5f");
//! assert!(recording.event_count() > 100);
//! assert_eq!(batches[0]["seq"], 0);
//! ```

use std::collections::HashMap;

use serde_json::{Value, json};

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
    /// Length of the visit in minutes; the checkout starts halfway.
    pub minutes: f64,
    /// PRNG seed.
    pub seed: u64,
    /// Unix milliseconds of the first event.
    pub start_ms: i64,
}

impl Default for RecordingOptions {
    fn default() -> Self {
        RecordingOptions { minutes: 10.0, seed: 42, start_ms: 1_795_514_400_000 }
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
        let checkout_at = start + total / 2;
        let end = start + total;

        let mut builder = Dom::default();
        let product = product_page(&mut rng, &mut builder);
        let mut sim = Sim::new(&mut rng, start, VIEWPORT, product.doc_h, product.regions.clone());
        sim.next_id = product.next_id;
        let first = sim.product_visit(&product, start, checkout_at);
        let next_id = sim.next_id;
        let checkout_start = sim.t;

        let checkout = checkout_page(&mut rng, &product, next_id);
        let mut sim = Sim::new(&mut rng, checkout_start, VIEWPORT, checkout.doc_h, checkout.regions.clone());
        sim.next_id = checkout.next_id;
        let second = sim.checkout_visit(&checkout, checkout_start, end.max(checkout_start + 1_000));
        Recording { views: vec![first, second] }
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

const VIEWPORT: (i64, i64) = (1440, 789);
const DOC_W: i64 = 1440;
const ORIGIN: &str = "https://www.noorderlicht-outdoor.example";
const CDN: &str = "https://cdn.noorderlicht-outdoor.example/media/catalog/product";
const PLACEHOLDER: &str = "data:image/gif;base64,R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7";

// ---------------------------------------------------------------------------
// Text

#[rustfmt::skip]
const WORDS: &[&str] = &[
    "de", "het", "een", "en", "van", "voor", "met", "op", "in", "is", "niet", "maar", "ook", "dat", "zeer",
    "jas", "winter", "warm", "licht", "waterdicht", "ademend", "comfortabel", "stevig", "zacht", "ruim",
    "pasvorm", "maat", "kraag", "capuchon", "rits", "zakken", "mouwen", "voering", "dons", "isolatie",
    "materiaal", "kwaliteit", "prijs", "levering", "snel", "goed", "prima", "mooi", "kleur", "donker",
    "blauw", "groen", "zwart", "grijs", "rood", "beige", "wandelen", "fietsen", "stad", "bergen", "regen",
    "wind", "sneeuw", "koud", "graden", "dagen", "gebruik", "gedragen", "gekocht", "besteld", "geleverd",
    "retour", "klantenservice", "vriendelijk", "aanrader", "verwacht", "klein", "groot", "normaal", "valt",
    "zit", "voelt", "houdt", "droog", "buiten", "binnen", "lang", "kort", "model", "stof", "naden", "getapet",
    "gerecycled", "polyester", "nylon", "wol", "katoen", "duurzaam", "gecertificeerd", "elke", "dag",
    "weekend", "vakantie", "Noorwegen", "Schotland", "Alpen", "tocht", "rugzak", "schouders", "heupen",
    "lengte", "verstelbaar", "elastisch", "manchetten", "klittenband", "drukknopen", "binnenzak", "telefoon",
    "sleutels", "handschoenen", "muts", "sjaal", "laag", "onder", "boven", "combinatie", "perfect", "fijn",
    "helaas", "jammer", "tevreden", "blij", "echt", "heel", "best", "redelijk", "iets", "beetje", "veel",
    "weinig", "meer", "minder", "zonder", "tijdens", "na", "voor", "sinds", "jaar", "seizoen", "maanden",
    "weken", "eerste", "tweede", "keer", "opnieuw", "zeker", "misschien", "altijd", "nooit", "soms", "vaak",
    "gewicht", "gram", "compact", "opvouwbaar", "reflecterend", "details", "afwerking", "stiksels", "logo",
    "borst", "rug", "voorkant", "achterkant", "zijkant", "onderkant",
];

#[rustfmt::skip]
const NOUNS: &[&str] = &[
    "winterjas", "softshell", "fleecevest", "donsjack", "regenjas", "parka", "bodywarmer", "wandelbroek",
    "merino shirt", "thermolegging", "wandelschoen", "trailrunner", "rugzak", "muts", "handschoenen", "sjaal",
    "sokken", "hardshell", "anorak", "windjack",
];
#[rustfmt::skip]
const ADJECTIVES: &[&str] = &[
    "Gewatteerde", "Lichtgewicht", "Waterdichte", "Ademende", "Warme", "Gerecyclede", "Compacte", "Stevige",
    "Technische", "Klassieke", "Wollen", "Geïsoleerde",
];
#[rustfmt::skip]
const MODELS: &[&str] = &[
    "Oslo", "Bergen", "Tromsø", "Lofoten", "Narvik", "Alta", "Voss", "Geiranger", "Femund", "Rondane",
    "Jotun", "Hardanger", "Sarek", "Abisko", "Kebne",
];
#[rustfmt::skip]
const COLOURS: &[&str] = &[
    "donkerblauw", "zwart", "olijfgroen", "antraciet", "bordeaux", "zand", "oker", "petrol", "steengrijs",
];
#[rustfmt::skip]
const FIRST_NAMES: &[&str] = &[
    "Sanne", "Daan", "Lotte", "Bram", "Femke", "Jeroen", "Anouk", "Ruben", "Iris", "Thijs", "Noor", "Joris",
];
#[rustfmt::skip]
const MONTHS: &[&str] = &[
    "januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september", "oktober",
    "november", "december",
];

fn sentence(rng: &mut Rng, min: i64, max: i64) -> String {
    let n = rng.range(min, max);
    let mut text = String::new();
    for i in 0..n {
        let word = *rng.pick(WORDS);
        if i == 0 {
            let mut chars = word.chars();
            if let Some(first) = chars.next() {
                text.extend(first.to_uppercase());
                text.push_str(chars.as_str());
            }
        } else {
            text.push(' ');
            text.push_str(word);
            if rng.chance(0.06) {
                text.push(',');
            }
        }
    }
    text.push('.');
    text
}

fn paragraph(rng: &mut Rng, min: i64, max: i64) -> String {
    let sentences = rng.range(min, max);
    (0..sentences).map(|_| sentence(rng, 6, 18)).collect::<Vec<_>>().join(" ")
}

fn price(cents: i64) -> String {
    let euros = cents / 100;
    let euros =
        if euros >= 1000 { format!("{}.{:03}", euros / 1000, euros % 1000) } else { euros.to_string() };
    format!("€ {euros},{:02}", cents % 100)
}

fn product_name(rng: &mut Rng) -> String {
    format!("{} {} {}", rng.pick(ADJECTIVES), rng.pick(NOUNS), rng.pick(MODELS))
}

fn slug(name: &str) -> String {
    name.to_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect::<String>()
        .split('-')
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join("-")
}

fn image(rng: &mut Rng, slug: &str, n: i64) -> (String, String) {
    let dir = format!("{}/{}", rng.hex(1), rng.hex(1));
    let version = rng.hex(8);
    let url = |w: i64| format!("{CDN}/{dir}/{slug}-{n}.jpg?w={w}&q=80&v={version}");
    let srcset = format!("{} 400w, {} 800w, {} 1200w", url(400), url(800), url(1200));
    (url(800), srcset)
}

fn masked(len: usize) -> String {
    "*".repeat(len)
}

/// A minified style sheet of `rules` rules: rrweb inlines linked sheets as
/// `_cssText`, and on a real shop they are most of a FullSnapshot's bytes.
fn stylesheet(rng: &mut Rng, rules: usize) -> String {
    const BLOCKS: &[&str] = &[
        "header",
        "nav",
        "mega-menu",
        "breadcrumb",
        "gallery",
        "slide",
        "thumb",
        "product",
        "price",
        "rating",
        "swatch",
        "size-select",
        "btn",
        "usp",
        "accordion",
        "review",
        "card",
        "badge",
        "footer",
        "newsletter",
        "toast",
        "drawer",
        "cart-item",
        "checkout",
        "field",
        "radio",
        "summary",
        "stepper",
    ];
    const ELEMENTS: &[&str] =
        &["", "", "__inner", "__title", "__img", "__label", "__icon", "__meta", "__list", "__item", "__link"];
    const STATES: &[&str] =
        &["", "", "", ":hover", ":focus-visible", ".is-active", ".is-open", "::before", "::after", "--large"];
    const PALETTE: &[&str] = &[
        "#1b2a3a",
        "#ffffff",
        "#f4f1ec",
        "#c8462b",
        "#2f6b4f",
        "#6b7785",
        "#e2ded6",
        "#0f1720",
        "#f9c74f",
        "#3b82c4",
        "rgba(15,23,32,.08)",
        "rgba(15,23,32,.64)",
        "var(--color-accent)",
        "currentColor",
    ];
    let sizes =
        ["0", "2px", "4px", "6px", "8px", "12px", "16px", "20px", "24px", "32px", "48px", ".5rem", "1rem"];
    let mut css = String::from(
        ":root{--color-accent:#c8462b;--color-ink:#1b2a3a;--radius:6px;--gap:16px;\
         --font:\"Inter\",system-ui,sans-serif}",
    );
    let mut in_media = false;
    for i in 0..rules {
        if i % 45 == 36 {
            css.push_str(&format!("@media (min-width:{}px){{", rng.pick(&[576, 768, 992, 1200, 1400])));
            in_media = true;
        }
        let block = rng.pick(BLOCKS);
        css.push_str(&format!(".{block}{}{}", rng.pick(ELEMENTS), rng.pick(STATES)));
        if rng.chance(0.2) {
            css.push_str(&format!(",.{}{}", rng.pick(BLOCKS), rng.pick(ELEMENTS)));
        }
        css.push('{');
        let declarations = rng.range(1, 6);
        for d in 0..declarations {
            if d > 0 {
                css.push(';');
            }
            let declaration = match rng.below(16) {
                0 => format!("display:{}", rng.pick(&["block", "flex", "grid", "none", "inline-flex"])),
                1 => format!("margin:{} {}", rng.pick(&sizes), rng.pick(&sizes)),
                2 => format!("padding:{} {}", rng.pick(&sizes), rng.pick(&sizes)),
                3 => format!("color:{}", rng.pick(PALETTE)),
                4 => format!("background-color:{}", rng.pick(PALETTE)),
                5 => format!(
                    "font-size:{}",
                    rng.pick(&["12px", "13px", "14px", "16px", "18px", "1.25rem", "2rem"])
                ),
                6 => format!("line-height:{}", rng.pick(&["1", "1.2", "1.4", "1.5", "24px"])),
                7 => format!("font-weight:{}", rng.pick(&["400", "500", "600", "700"])),
                8 => format!("border:1px solid {}", rng.pick(PALETTE)),
                9 => format!("border-radius:{}", rng.pick(&["var(--radius)", "50%", "2px", "999px"])),
                10 => format!("gap:{}", rng.pick(&sizes)),
                11 => format!(
                    "transition:{} {}ms ease",
                    rng.pick(&["opacity", "transform", "color", "all"]),
                    rng.range(1, 6) * 50
                ),
                12 => format!("transform:translate{}({}%)", rng.pick(&["X", "Y"]), rng.range(-100, 100)),
                13 => format!("grid-template-columns:repeat({},minmax(0,1fr))", rng.range(1, 6)),
                14 => {
                    format!("box-shadow:0 {}px {}px {}", rng.range(0, 4), rng.range(2, 24), rng.pick(PALETTE))
                }
                _ => format!(
                    "{}:{}",
                    rng.pick(&["width", "height", "max-width", "min-height", "top", "left", "z-index"]),
                    rng.range(0, 1200)
                ),
            };
            css.push_str(&declaration);
        }
        css.push('}');
        if i % 45 == 44 && in_media {
            css.push('}');
            in_media = false;
        }
    }
    if in_media {
        css.push('}');
    }
    css
}

// ---------------------------------------------------------------------------
// DOM

/// A box in document coordinates (or viewport coordinates when `fixed`).
#[derive(Debug, Clone, Copy)]
struct Rect {
    x: i64,
    y: i64,
    w: i64,
    h: i64,
}

/// Something under the cursor: an element's id, its box, and the masked
/// selector the recorder would report for a click on it.
#[derive(Debug, Clone)]
struct Region {
    id: i64,
    rect: Rect,
    fixed: bool,
    selector: String,
}

/// Builds serialized rrweb nodes. Ids are provisional (negative) while a
/// tree is built bottom-up and renumbered in document order afterwards, as
/// rrweb assigns them while walking the DOM.
#[derive(Debug, Default)]
struct Dom {
    provisional: i64,
    regions: Vec<Region>,
}

impl Dom {
    fn next(&mut self) -> i64 {
        self.provisional -= 1;
        self.provisional
    }

    fn text(&mut self, text: impl Into<String>) -> Value {
        json!({"type": 3, "textContent": text.into(), "id": self.next()})
    }

    /// Inter-element whitespace, which rrweb keeps as text nodes.
    fn ws(&mut self, depth: usize) -> Value {
        self.text(format!("\n{}", "  ".repeat(depth)))
    }

    fn el(&mut self, tag: &str, attrs: &[(&str, &str)], children: Vec<Value>) -> Value {
        let attributes: serde_json::Map<String, Value> =
            attrs.iter().map(|(k, v)| ((*k).to_owned(), Value::from(*v))).collect();
        let id = self.next();
        json!({"type": 2, "tagName": tag, "attributes": attributes, "childNodes": children, "id": id})
    }

    /// Block children separated by whitespace text nodes, as in served HTML.
    fn block(&mut self, tag: &str, attrs: &[(&str, &str)], children: Vec<Value>, depth: usize) -> Value {
        let mut spaced = Vec::with_capacity(children.len() * 2 + 1);
        for child in children {
            spaced.push(self.ws(depth + 1));
            spaced.push(child);
        }
        spaced.push(self.ws(depth));
        self.el(tag, attrs, spaced)
    }

    /// Registers `node` as something the cursor can be over.
    fn region(&mut self, node: &Value, rect: Rect, selector: &str) -> i64 {
        let id = node["id"].as_i64().unwrap_or(0);
        self.regions.push(Region { id, rect, fixed: false, selector: selector.to_owned() });
        id
    }

    fn fixed_region(&mut self, node: &Value, rect: Rect, selector: &str) -> i64 {
        let id = self.region(node, rect, selector);
        if let Some(region) = self.regions.last_mut() {
            region.fixed = true;
        }
        id
    }
}

/// One element's entry in a mutation's `attributes` (`null` removes an
/// attribute; `style` is a map of changed properties, as rrweb 2.x sends).
fn attr(id: i64, attributes: Value) -> Value {
    json!({"id": id, "attributes": attributes})
}

fn id_of(node: &Value) -> i64 {
    node["id"].as_i64().unwrap_or(0)
}

/// Gives every provisional (negative) id in `node` the next id in document
/// order, recording old → new in `map`.
fn renumber(node: &mut Value, next: &mut i64, map: &mut HashMap<i64, i64>) {
    if let Some(old) = node["id"].as_i64().filter(|id| *id < 0) {
        *next += 1;
        map.insert(old, *next);
        node["id"] = json!(*next);
    }
    if let Some(children) = node.get_mut("childNodes").and_then(Value::as_array_mut) {
        for child in children {
            renumber(child, next, map);
        }
    }
}

fn count_nodes(node: &Value) -> usize {
    1 + node["childNodes"].as_array().map_or(0, |children| children.iter().map(count_nodes).sum())
}

fn find_mut(node: &mut Value, id: i64) -> Option<&mut Value> {
    if node["id"].as_i64() == Some(id) {
        return Some(node);
    }
    node.get_mut("childNodes")?.as_array_mut()?.iter_mut().find_map(|child| find_mut(child, id))
}

/// A subtree as rrweb's mutation observer reports an insertion: one flat
/// `adds` entry per node, each without children, parents first.
fn flat_adds(node: &Value, parent_id: i64, next_id: Option<i64>, out: &mut Vec<Value>) {
    let mut own = node.clone();
    if own.get("childNodes").is_some() {
        own["childNodes"] = json!([]);
    }
    out.push(json!({"parentId": parent_id, "nextId": next_id, "node": own}));
    if let Some(children) = node["childNodes"].as_array() {
        for (i, child) in children.iter().enumerate() {
            let next = children.get(i + 1).map(id_of);
            flat_adds(child, id_of(node), next, out);
        }
    }
}

/// Ids the product page's behaviour needs after renumbering.
#[derive(Debug, Clone, Default)]
struct ProductPage {
    url: String,
    title: String,
    name: String,
    price_cents: i64,
    doc_h: i64,
    snapshot: Value,
    head: Value,
    header: Value,
    footer: Value,
    title_text: i64,
    body: i64,
    nodes: usize,
    next_id: i64,
    regions: Vec<Region>,
    nav_items: Vec<i64>,
    mega_menus: Vec<i64>,
    cart_count_text: i64,
    cart_link: i64,
    slides: Vec<i64>,
    slide_imgs: Vec<i64>,
    dots: Vec<i64>,
    track: i64,
    thumbs: Vec<i64>,
    swatches: Vec<i64>,
    colour_text: i64,
    size_select: i64,
    add_button: i64,
    accordions: Vec<(i64, i64)>,
    viewers_text: i64,
    reviews_more: Vec<(i64, i64)>,
    cards: Vec<(i64, i64)>,
    card_buttons: Vec<i64>,
    lazy: Vec<(i64, i64, String, String)>,
    dead_targets: Vec<i64>,
    drawer: i64,
    drawer_list: i64,
    drawer_close: i64,
    drawer_checkout: i64,
    toast_host: i64,
    swatch_names: Vec<String>,
}

fn head(dom: &mut Dom, rng: &mut Rng, title: &str) -> (Value, Value) {
    let title_text = dom.text(title);
    let title_el = dom.el("title", &[], vec![title_text.clone()]);
    let mut children = vec![
        dom.el("meta", &[("charset", "utf-8")], vec![]),
        title_el,
        dom.el("meta", &[("name", "viewport"), ("content", "width=device-width, initial-scale=1")], vec![]),
    ];
    let description = sentence(rng, 12, 20);
    for (name, content) in [
        ("description", description.as_str()),
        ("theme-color", "#1b2a3a"),
        ("og:type", "website"),
        ("og:site_name", "Noorderlicht Outdoor"),
        ("twitter:card", "summary_large_image"),
        ("format-detection", "telephone=no"),
    ] {
        children.push(dom.el("meta", &[("name", name), ("content", content)], vec![]));
    }
    for (rel, href) in [
        ("preconnect", "https://cdn.noorderlicht-outdoor.example"),
        ("icon", "/static/favicon-32.png"),
        ("apple-touch-icon", "/static/apple-touch-icon.png"),
        ("manifest", "/site.webmanifest"),
    ] {
        children.push(dom.el("link", &[("rel", rel), ("href", href)], vec![]));
    }
    let sheet = stylesheet(rng, 700);
    let version = rng.hex(10);
    let href = format!("/static/css/app.{version}.css");
    children.push(dom.el("link", &[("rel", "stylesheet"), ("href", &href), ("_cssText", &sheet)], vec![]));
    let inline = stylesheet(rng, 40);
    let inline_text = json!({"type": 3, "textContent": inline, "isStyle": true, "id": dom.next()});
    children.push(dom.el("style", &[("data-emotion", "css")], vec![inline_text]));
    for name in ["runtime", "vendors", "app", "product", "analytics-consent"] {
        let src = format!("/static/js/{name}.{}.js", rng.hex(8));
        let script_text = dom.text("SCRIPT_PLACEHOLDER");
        children.push(dom.el("script", &[("src", &src), ("defer", "")], vec![script_text]));
    }
    let head = dom.block("head", &[], children, 1);
    (head, title_text)
}

fn header(dom: &mut Dom, rng: &mut Rng, page: &mut ProductPage) -> Value {
    let logo = dom.el(
        "img",
        &[
            ("src", "/static/img/logo.svg"),
            ("alt", "Noorderlicht Outdoor"),
            ("width", "168"),
            ("height", "32"),
        ],
        vec![],
    );
    let logo_link = dom.el("a", &[("href", "/"), ("class", "header__logo")], vec![logo]);
    dom.fixed_region(&logo_link, Rect { x: 40, y: 18, w: 168, h: 36 }, "header > a.header__logo");
    let search_input = dom.el(
        "input",
        &[
            ("type", "search"),
            ("name", "q"),
            ("placeholder", "Zoek in 4.000+ producten"),
            ("class", "search__input"),
        ],
        vec![],
    );
    dom.fixed_region(&search_input, Rect { x: 420, y: 16, w: 520, h: 40 }, "header form.search > input");
    let search_button_text = dom.text("Zoeken");
    let search_button =
        dom.el("button", &[("type", "submit"), ("class", "search__btn")], vec![search_button_text]);
    let search = dom.el(
        "form",
        &[("class", "search"), ("action", "/zoeken"), ("role", "search")],
        vec![search_input, search_button],
    );
    let count_text = dom.text("0");
    page.cart_count_text = id_of(&count_text);
    let count = dom.el("span", &[("class", "cart__count"), ("aria-live", "polite")], vec![count_text]);
    let cart_label = dom.text("Winkelmand");
    let cart = dom.el("a", &[("href", "/winkelmand"), ("class", "header__cart")], vec![cart_label, count]);
    page.cart_link =
        dom.fixed_region(&cart, Rect { x: 1260, y: 18, w: 140, h: 36 }, "header > a.header__cart");
    let account_text = dom.text("Inloggen");
    let account = dom.el("a", &[("href", "/account"), ("class", "header__account")], vec![account_text]);
    dom.fixed_region(&account, Rect { x: 1120, y: 18, w: 110, h: 36 }, "header > a.header__account");

    let categories =
        ["Heren", "Dames", "Kinderen", "Schoenen", "Rugzakken", "Kamperen", "Accessoires", "Sale"];
    let mut items = Vec::new();
    for (i, category) in categories.iter().enumerate() {
        let mut links = Vec::new();
        for _ in 0..rng.range(6, 9) {
            let noun = *rng.pick(NOUNS);
            let href = format!("/{}/{}", slug(category), slug(noun));
            let label = dom.text(format!("{}{}", noun[..1].to_uppercase(), &noun[1..]));
            let a = dom.el("a", &[("href", &href)], vec![label]);
            links.push(dom.el("li", &[("class", "mega-menu__item")], vec![a]));
        }
        let list = dom.block("ul", &[("class", "mega-menu__list")], links, 6);
        let menu = dom.el("div", &[("class", "mega-menu"), ("hidden", "")], vec![list]);
        page.mega_menus.push(id_of(&menu));
        let label = dom.text(*category);
        let href = format!("/{}", slug(category));
        let a =
            dom.el("a", &[("href", &href), ("class", "nav__link"), ("aria-expanded", "false")], vec![label]);
        let x = 200 + i as i64 * 130;
        let selector = format!("header nav > ul > li:nth-child({}) > a.nav__link", i + 1);
        page.nav_items.push(dom.fixed_region(&a, Rect { x, y: 72, w: 110, h: 44 }, &selector));
        items.push(dom.block("li", &[("class", "nav__item")], vec![a, menu], 5));
    }
    let list = dom.block("ul", &[("class", "nav__list")], items, 4);
    let nav = dom.block("nav", &[("class", "nav"), ("aria-label", "Hoofdmenu")], vec![list], 3);
    let top = dom.block("div", &[("class", "header__top")], vec![logo_link, search, account, cart], 3);
    let usp_texts = ["Gratis verzending vanaf € 50", "Morgen in huis", "30 dagen bedenktijd"];
    let usps: Vec<Value> = usp_texts
        .iter()
        .map(|text| {
            let t = dom.text(*text);
            dom.el("li", &[], vec![t])
        })
        .collect();
    let usp = dom.block("ul", &[("class", "usp-bar")], usps, 3);
    let header = dom.block("header", &[("class", "header header--sticky")], vec![usp, top, nav], 2);
    dom.fixed_region(&header, Rect { x: 0, y: 0, w: DOC_W, h: 120 }, "header");
    header
}

fn footer(dom: &mut Dom, rng: &mut Rng, top: i64) -> Value {
    let mut columns = Vec::new();
    for heading in ["Klantenservice", "Over ons", "Inspiratie", "Volg ons"] {
        let heading_text = dom.text(heading);
        let h = dom.el("h4", &[], vec![heading_text]);
        let mut links = Vec::new();
        for _ in 0..6 {
            let label = sentence(rng, 1, 3);
            let label = label.trim_end_matches('.');
            let href = format!("/{}", slug(label));
            let text = dom.text(label);
            let a = dom.el("a", &[("href", &href)], vec![text]);
            links.push(dom.el("li", &[], vec![a]));
        }
        let ul = dom.block("ul", &[], links, 5);
        columns.push(dom.block("div", &[("class", "footer__col")], vec![h, ul], 4));
    }
    let email = dom.el(
        "input",
        &[("type", "email"), ("name", "email"), ("placeholder", "Je e-mailadres"), ("autocomplete", "email")],
        vec![],
    );
    dom.region(&email, Rect { x: 80, y: top + 380, w: 360, h: 44 }, "footer form.newsletter > input");
    let subscribe_text = dom.text("Aanmelden");
    let subscribe = dom.el("button", &[("type", "submit")], vec![subscribe_text]);
    let pitch = dom.text(sentence(rng, 8, 14));
    let p = dom.el("p", &[], vec![pitch]);
    let newsletter = dom.block("form", &[("class", "newsletter")], vec![p, email, subscribe], 3);
    let legal_text = dom.text(format!(
        "© 2026 Noorderlicht Outdoor B.V. · KvK 8{} · Alle prijzen zijn inclusief btw.",
        rng.range(1_000_000, 9_999_999)
    ));
    let legal = dom.el("p", &[("class", "footer__legal")], vec![legal_text]);
    let cols = dom.block("div", &[("class", "footer__cols")], columns, 3);
    let footer = dom.block("footer", &[("class", "footer")], vec![cols, newsletter, legal], 2);
    dom.region(&footer, Rect { x: 0, y: top, w: DOC_W, h: 600 }, "footer");
    footer
}

fn product_page(rng: &mut Rng, dom: &mut Dom) -> ProductPage {
    let mut page = ProductPage::default();
    let name = product_name(rng);
    let colour = *rng.pick(COLOURS);
    let product_slug = slug(&name);
    page.name = format!("{name} {colour}");
    page.price_cents = rng.range(60, 400) * 100 - 5;
    page.url =
        format!("{ORIGIN}/products/{product_slug}-{}?kleur={}", rng.range(100_000, 999_999), slug(colour));
    page.title = format!("{} – Noorderlicht Outdoor", page.name);
    page.doc_h = 5160;

    let (head_el, title_text) = head(dom, rng, &page.title);
    let header_el = header(dom, rng, &mut page);

    // Breadcrumb.
    let mut crumbs = Vec::new();
    for label in ["Home", "Heren", "Jassen", &name] {
        let text = dom.text(label);
        let href = format!("/{}", slug(label));
        let a = dom.el("a", &[("href", &href)], vec![text]);
        crumbs.push(dom.el("li", &[("class", "breadcrumb__item")], vec![a]));
    }
    let breadcrumb = dom.block("ol", &[("class", "breadcrumb")], crumbs, 3);

    // Gallery: a carousel of six slides with thumbnails.
    let mut slides = Vec::new();
    let mut thumbs = Vec::new();
    let mut dots = Vec::new();
    for i in 0..6 {
        let (src, srcset) = image(rng, &product_slug, i + 1);
        let alt = format!("{} – afbeelding {}", page.name, i + 1);
        let img = dom.el(
            "img",
            &[
                ("src", &src),
                ("srcset", &srcset),
                ("sizes", "(min-width: 992px) 680px, 100vw"),
                ("alt", &alt),
            ],
            vec![],
        );
        page.slide_imgs.push(id_of(&img));
        let class = if i == 0 { "slide is-active" } else { "slide" };
        let slide = dom.el(
            "div",
            &[("class", class), ("role", "group"), ("aria-roledescription", "slide")],
            vec![img],
        );
        page.slides.push(id_of(&slide));
        let (thumb_src, _) = image(rng, &product_slug, i + 1);
        let thumb_src = thumb_src.replace("w=800", "w=120");
        let thumb_img = dom.el("img", &[("src", &thumb_src), ("alt", ""), ("loading", "lazy")], vec![]);
        let thumb = dom.el("button", &[("class", "thumb"), ("type", "button")], vec![thumb_img]);
        let selector = format!("main .gallery__thumbs > button.thumb:nth-child({})", i + 1);
        page.thumbs.push(dom.region(&thumb, Rect { x: 80 + i * 112, y: 880, w: 100, h: 80 }, &selector));
        let dot = dom.el("button", &[("class", if i == 0 { "dot is-active" } else { "dot" })], vec![]);
        page.dots.push(id_of(&dot));
        dots.push(dot);
        thumbs.push(thumb);
        slides.push(slide);
    }
    let track = dom.block(
        "div",
        &[("class", "gallery__track"), ("style", "transform: translate3d(0px, 0px, 0px);")],
        slides,
        5,
    );
    page.track = dom.region(&track, Rect { x: 80, y: 180, w: 680, h: 680 }, "main .gallery__track");
    page.dead_targets.push(page.track);
    let dots = dom.block("div", &[("class", "gallery__dots")], dots, 5);
    let thumbs = dom.block("div", &[("class", "gallery__thumbs")], thumbs, 5);
    let gallery = dom.block(
        "section",
        &[("class", "gallery"), ("aria-label", "Productafbeeldingen")],
        vec![track, dots, thumbs],
        4,
    );

    // Buy box.
    let h1_text = dom.text(page.name.clone());
    let h1 = dom.el("h1", &[("class", "product__title")], vec![h1_text]);
    let price_text = dom.text(price(page.price_cents));
    let price_el = dom.el("span", &[("class", "price price--current")], vec![price_text]);
    page.dead_targets.push(dom.region(
        &price_el,
        Rect { x: 800, y: 260, w: 160, h: 36 },
        "main .product .price",
    ));
    let was_text = dom.text(price(page.price_cents + rng.range(2, 8) * 1000));
    let was = dom.el("s", &[("class", "price price--was")], vec![was_text]);
    let reviews_count = rng.range(12, 480);
    let rating_text = dom.text(format!("{},{} ({reviews_count} reviews)", rng.range(3, 4), rng.range(0, 9)));
    let rating = dom.el("div", &[("class", "rating"), ("aria-label", "Beoordeling")], vec![rating_text]);
    let viewers = dom.text(format!("{} mensen bekijken dit product nu", rng.range(3, 40)));
    page.viewers_text = id_of(&viewers);
    let viewers = dom.el("p", &[("class", "product__social-proof")], vec![viewers]);
    let colour_label = dom.text(format!("Kleur: {colour}"));
    page.colour_text = id_of(&colour_label);
    let colour_label = dom.el("p", &[("class", "swatch__label")], vec![colour_label]);
    let mut swatches = Vec::new();
    for (i, c) in COLOURS.iter().take(6).enumerate() {
        let class = if *c == colour { "swatch is-active" } else { "swatch" };
        let label = format!("Kleur {c}");
        let swatch =
            dom.el("button", &[("class", class), ("aria-label", &label), ("data-colour", c)], vec![]);
        let selector = format!("main .product .swatch:nth-child({})", i + 1);
        page.swatches.push(dom.region(
            &swatch,
            Rect { x: 800 + i as i64 * 52, y: 370, w: 40, h: 40 },
            &selector,
        ));
        page.swatch_names.push((*c).to_owned());
        swatches.push(swatch);
    }
    let swatches = dom.block("div", &[("class", "swatch__list"), ("role", "radiogroup")], swatches, 5);
    let mut options = Vec::new();
    for size in ["Kies je maat", "XS", "S", "M", "L", "XL", "XXL", "3XL"] {
        let text = dom.text(size);
        let value = if size.starts_with("Kies") { "" } else { size };
        options.push(dom.el("option", &[("value", value)], vec![text]));
    }
    let select =
        dom.block("select", &[("name", "size"), ("id", "size"), ("class", "size-select")], options, 5);
    page.size_select =
        dom.region(&select, Rect { x: 800, y: 450, w: 300, h: 44 }, "main .product select#size");
    let add_text = dom.text("In winkelmand");
    let add = dom.el("button", &[("class", "btn btn--primary btn--add"), ("type", "submit")], vec![add_text]);
    page.add_button =
        dom.region(&add, Rect { x: 800, y: 520, w: 400, h: 56 }, "main .product button.btn--add");
    let form = dom.block(
        "form",
        &[("class", "product__form"), ("action", "/cart/add")],
        vec![colour_label, swatches, select, add],
        4,
    );
    let mut accordion = Vec::new();
    for (i, heading) in ["Productinformatie", "Materiaal en onderhoud", "Maattabel", "Verzending en retour"]
        .iter()
        .enumerate()
    {
        let label = dom.text(*heading);
        let button =
            dom.el("button", &[("class", "accordion__toggle"), ("aria-expanded", "false")], vec![label]);
        let selector = format!("main .accordion > div:nth-child({}) > button", i + 1);
        let toggle = dom.region(&button, Rect { x: 800, y: 740 + i as i64 * 56, w: 560, h: 48 }, &selector);
        let mut paragraphs = Vec::new();
        for _ in 0..rng.range(1, 3) {
            let text = dom.text(paragraph(rng, 2, 4));
            paragraphs.push(dom.el("p", &[], vec![text]));
        }
        let panel = dom.block("div", &[("class", "accordion__panel"), ("hidden", "")], paragraphs, 6);
        page.accordions.push((toggle, id_of(&panel)));
        accordion.push(dom.block("div", &[("class", "accordion__item")], vec![button, panel], 5));
    }
    let accordion = dom.block("div", &[("class", "accordion")], accordion, 4);
    let buy = dom.block(
        "section",
        &[("class", "product")],
        vec![h1, price_el, was, rating, viewers, form, accordion],
        3,
    );

    // Description.
    let mut description = Vec::new();
    for _ in 0..4 {
        let text = dom.text(paragraph(rng, 3, 6));
        description.push(dom.el("p", &[], vec![text]));
    }
    let mut specs = Vec::new();
    for spec in ["Waterkolom", "Ademend vermogen", "Gewicht", "Vulling", "Buitenstof", "Pasvorm"] {
        let dt_text = dom.text(spec);
        let dd_text =
            dom.text(format!("{} {}", rng.range(2, 30) * 1000, rng.pick(&["mm", "g/m²/24u", "gram", "%"])));
        let dt = dom.el("dt", &[], vec![dt_text]);
        let dd = dom.el("dd", &[], vec![dd_text]);
        specs.push(dt);
        specs.push(dd);
    }
    description.push(dom.block("dl", &[("class", "specs")], specs, 4));
    let description = dom.block("section", &[("class", "description")], description, 3);
    dom.region(&description, Rect { x: 80, y: 1000, w: 1280, h: 520 }, "main section.description");

    // Reviews.
    let mut reviews = Vec::new();
    for i in 0..8 {
        let author = dom.text(format!("{} uit {}", rng.pick(FIRST_NAMES), rng.pick(MODELS)));
        let date = dom.text(format!("{} {} 2026", rng.range(1, 28), rng.pick(MONTHS)));
        let stars = dom.el(
            "span",
            &[("class", "rating__stars"), ("style", &format!("--rating: {}", rng.range(2, 5)))],
            vec![],
        );
        let body = dom.text(paragraph(rng, 1, 4));
        let body = dom.el("p", &[("class", "review__body review__body--clamped")], vec![body]);
        let more_text = dom.text("Lees meer");
        let more = dom.el("button", &[("class", "review__more")], vec![more_text]);
        let y = 1550 + i * 115;
        let selector = format!("main .reviews > article:nth-child({}) button.review__more", i + 1);
        let more_id = dom.region(&more, Rect { x: 80, y: y + 80, w: 90, h: 24 }, &selector);
        reviews.push(dom.block(
            "article",
            &[("class", "review")],
            vec![stars, author, date, body.clone(), more],
            4,
        ));
        page.reviews_more.push((more_id, id_of(&body)));
    }
    let reviews = dom.block("section", &[("class", "reviews")], reviews, 3);
    dom.region(&reviews, Rect { x: 80, y: 1550, w: 1280, h: 950 }, "main section.reviews");

    // Related products: sixteen lazy-loaded cards.
    let mut cards = Vec::new();
    for i in 0..16 {
        let (col, row) = (i % 4, i / 4);
        let (x, y) = (80 + col * 330, 2600 + row * 450);
        let card_name = format!("{} {}", product_name(rng), rng.pick(COLOURS));
        let card_slug = slug(&card_name);
        let (src, srcset) = image(rng, &card_slug, 1);
        let img = dom.el(
            "img",
            &[
                ("src", PLACEHOLDER),
                ("data-src", &src),
                ("data-srcset", &srcset),
                ("alt", &card_name),
                ("class", "lazy"),
            ],
            vec![],
        );
        page.lazy.push((id_of(&img), y, src, srcset));
        let href = format!("/products/{card_slug}-{}", rng.range(100_000, 999_999));
        let title_text = dom.text(card_name.clone());
        let title = dom.el("h3", &[("class", "card__title")], vec![title_text]);
        let link = dom.el("a", &[("href", &href), ("class", "card__link")], vec![img, title]);
        let cents = rng.range(15, 300) * 100 - 5;
        let price_text = dom.text(price(cents));
        let price_el = dom.el("span", &[("class", "price")], vec![price_text]);
        let mut children = vec![link, price_el];
        if rng.chance(0.3) {
            let badge_text = dom.text(*rng.pick(&["Nieuw", "-20%", "Bestseller", "Laatste stuks"]));
            children.push(dom.el("span", &[("class", "badge")], vec![badge_text]));
        }
        let button_text = dom.text("In winkelmand");
        let button = dom.el("button", &[("class", "btn btn--small"), ("type", "button")], vec![button_text]);
        let selector = format!("main .related article.card:nth-child({}) button.btn", i + 1);
        page.card_buttons.push(dom.region(&button, Rect { x: x + 10, y: y + 390, w: 290, h: 40 }, &selector));
        children.push(button);
        let card = dom.block("article", &[("class", "card")], children, 5);
        let selector = format!("main .related article.card:nth-child({})", i + 1);
        let card_id = dom.region(&card, Rect { x, y, w: 310, h: 440 }, &selector);
        page.cards.push((card_id, page.lazy.last().map_or(0, |l| l.0)));
        cards.push(card);
    }
    let related_title_text = dom.text("Anderen bekeken ook");
    let related_title = dom.el("h2", &[], vec![related_title_text]);
    let grid = dom.block("div", &[("class", "related__grid")], cards, 4);
    let related = dom.block("section", &[("class", "related")], vec![related_title, grid], 3);

    let main = dom.block(
        "main",
        &[("id", "main"), ("class", "page page--product")],
        vec![breadcrumb, gallery, buy, description, reviews, related],
        2,
    );
    let footer_el = footer(dom, rng, 4560);

    // The cart drawer and toast host: empty and hidden until used.
    let drawer_title_text = dom.text("Je winkelmand");
    let drawer_title = dom.el("h2", &[], vec![drawer_title_text]);
    let drawer_list = dom.el("ul", &[("class", "drawer__list")], vec![]);
    let close_text = dom.text("Sluiten");
    let close = dom.el("button", &[("class", "drawer__close"), ("aria-label", "Sluiten")], vec![close_text]);
    let checkout_text = dom.text("Afrekenen");
    let checkout = dom.el(
        "a",
        &[("class", "btn btn--primary drawer__checkout"), ("href", "/checkout")],
        vec![checkout_text],
    );
    let drawer = dom.block(
        "aside",
        &[("class", "drawer"), ("aria-hidden", "true")],
        vec![drawer_title, close.clone(), drawer_list.clone(), checkout.clone()],
        2,
    );
    page.drawer = id_of(&drawer);
    page.drawer_list = id_of(&drawer_list);
    page.drawer_close = id_of(&close);
    page.drawer_checkout = id_of(&checkout);
    let toast_host = dom.el("div", &[("class", "toast-host"), ("aria-live", "polite")], vec![]);
    page.toast_host = id_of(&toast_host);

    let body = dom.block(
        "body",
        &[("class", "template-product")],
        vec![header_el.clone(), main, footer_el.clone(), drawer, toast_host],
        1,
    );
    page.body = id_of(&body);
    let html = dom.block("html", &[("lang", "nl")], vec![head_el.clone(), body], 0);
    let doctype = json!({"type": 1, "name": "html", "publicId": "", "systemId": "", "id": dom.next()});
    let mut document = json!({"type": 0, "childNodes": [doctype, html], "id": dom.next()});

    // rrweb numbers the document 1 and then walks down.
    let mut map = HashMap::new();
    let mut next = 0;
    renumber(&mut document, &mut next, &mut map);
    let fix = |id: &mut i64| *id = map.get(id).copied().unwrap_or(*id);
    page.regions = dom.regions.drain(..).collect();
    for region in &mut page.regions {
        fix(&mut region.id);
    }
    for id in [
        &mut page.cart_count_text,
        &mut page.cart_link,
        &mut page.track,
        &mut page.colour_text,
        &mut page.size_select,
        &mut page.add_button,
        &mut page.viewers_text,
        &mut page.drawer,
        &mut page.drawer_list,
        &mut page.drawer_close,
        &mut page.drawer_checkout,
        &mut page.toast_host,
        &mut page.body,
    ] {
        fix(id);
    }
    for list in [
        &mut page.nav_items,
        &mut page.mega_menus,
        &mut page.slides,
        &mut page.slide_imgs,
        &mut page.dots,
        &mut page.thumbs,
        &mut page.swatches,
        &mut page.card_buttons,
        &mut page.dead_targets,
    ] {
        list.iter_mut().for_each(fix);
    }
    for pair in page.accordions.iter_mut().chain(page.reviews_more.iter_mut()).chain(page.cards.iter_mut()) {
        fix(&mut pair.0);
        fix(&mut pair.1);
    }
    for lazy in &mut page.lazy {
        fix(&mut lazy.0);
    }
    page.title_text = map.get(&id_of(&title_text)).copied().unwrap_or(0);
    // Keep the renumbered head, header and footer: the checkout's snapshot
    // serializes the same nodes with the same ids (rrweb's mirror keeps them).
    let html = &document["childNodes"][1];
    page.head = html["childNodes"][1].clone();
    let body = &html["childNodes"][3];
    page.header = body["childNodes"][1].clone();
    page.footer = body["childNodes"][5].clone();
    page.nodes = count_nodes(&document);
    page.next_id = next;
    page.snapshot = document;
    page
}

/// Ids the checkout's behaviour needs after renumbering.
#[derive(Debug, Clone, Default)]
struct CheckoutPage {
    url: String,
    title: String,
    doc_h: i64,
    snapshot: Value,
    nodes: usize,
    next_id: i64,
    regions: Vec<Region>,
    body: i64,
    cart_count_text: i64,
    fields: Vec<Field>,
    delivery: Vec<i64>,
    payment: Vec<i64>,
    bank_select: i64,
    terms: i64,
    submit: i64,
    shipping_text: i64,
    total_text: i64,
    timer_text: i64,
    address_lookup: i64,
    discount_input: i64,
    discount_apply: i64,
    summary_list: i64,
    errors: Vec<i64>,
    qty_buttons: Vec<(i64, i64)>,
}

/// A text field of the checkout form and what a visitor types into it.
#[derive(Debug, Clone)]
struct Field {
    id: i64,
    length: (i64, i64),
    filled_by_lookup: bool,
}

fn checkout_page(rng: &mut Rng, product: &ProductPage, first_free_id: i64) -> CheckoutPage {
    let mut dom = Dom::default();
    let mut page = CheckoutPage {
        url: format!("{ORIGIN}/checkout"),
        title: "Afrekenen – Noorderlicht Outdoor".to_owned(),
        doc_h: 2300,
        cart_count_text: product.cart_count_text,
        body: product.body,
        ..Default::default()
    };
    let steps: Vec<Value> = ["Winkelmand", "Gegevens", "Betalen", "Bevestiging"]
        .iter()
        .enumerate()
        .map(|(i, step)| {
            let text = dom.text(*step);
            let class = if i == 1 { "stepper__step is-current" } else { "stepper__step" };
            dom.el("li", &[("class", class)], vec![text])
        })
        .collect();
    let stepper = dom.block("ol", &[("class", "stepper")], steps, 3);

    let fields = [
        ("email", "E-mailadres", "email", "email", (16, 30), false),
        ("phone", "Telefoonnummer", "tel", "tel", (10, 12), false),
        ("given-name", "Voornaam", "text", "given-name", (3, 9), false),
        ("family-name", "Achternaam", "text", "family-name", (4, 14), false),
        ("postcode", "Postcode", "text", "postal-code", (6, 7), false),
        ("house-number", "Huisnummer", "text", "address-line2", (1, 3), false),
        ("street", "Straat", "text", "address-line1", (8, 18), true),
        ("city", "Plaats", "text", "address-level2", (5, 12), true),
    ];
    let mut groups = Vec::new();
    for (i, (name, label, kind, autocomplete, length, lookup)) in fields.iter().enumerate() {
        let label_text = dom.text(*label);
        let label_el = dom.el("label", &[("for", name)], vec![label_text]);
        let input = dom.el(
            "input",
            &[
                ("id", name),
                ("name", name),
                ("type", kind),
                ("autocomplete", autocomplete),
                ("required", ""),
                ("value", ""),
            ],
            vec![],
        );
        let y = 260 + i as i64 * 84;
        let selector = format!("form#checkout input#{name}");
        let id = dom.region(&input, Rect { x: 80, y, w: 760, h: 44 }, &selector);
        page.fields.push(Field { id, length: *length, filled_by_lookup: *lookup });
        let error = dom.el("p", &[("class", "field__error"), ("hidden", "")], vec![]);
        page.errors.push(id_of(&error));
        groups.push(dom.block("div", &[("class", "field")], vec![label_el, input, error], 5));
    }
    let lookup = dom.el("span", &[("class", "address-lookup"), ("aria-busy", "false")], vec![]);
    page.address_lookup = id_of(&lookup);
    groups.push(lookup);
    let mut countries = Vec::new();
    for (code, country) in [("NL", "Nederland"), ("BE", "België"), ("DE", "Duitsland"), ("LU", "Luxemburg")]
    {
        let text = dom.text(country);
        countries.push(dom.el("option", &[("value", code)], vec![text]));
    }
    let country = dom.block("select", &[("name", "country"), ("autocomplete", "country")], countries, 5);
    groups.push(country);
    let address = dom.block("fieldset", &[("class", "checkout__address")], groups, 4);

    let mut delivery = Vec::new();
    for (i, (option, cost)) in [
        ("Morgen bezorgd", "Gratis"),
        ("Avondlevering 18–22 uur", "€ 3,95"),
        ("Ophalen bij een afhaalpunt", "Gratis"),
    ]
    .iter()
    .enumerate()
    {
        let radio =
            dom.el("input", &[("type", "radio"), ("name", "delivery"), ("value", &i.to_string())], vec![]);
        let selector = format!("form#checkout .delivery label:nth-child({}) > input", i + 1);
        page.delivery.push(dom.region(
            &radio,
            Rect { x: 80, y: 1010 + i as i64 * 56, w: 760, h: 48 },
            &selector,
        ));
        let text = dom.text(format!("{option} · {cost}"));
        delivery.push(dom.el("label", &[("class", "radio")], vec![radio, text]));
    }
    let delivery = dom.block("fieldset", &[("class", "delivery")], delivery, 4);
    let mut payment = Vec::new();
    for (i, method) in ["iDEAL", "Creditcard", "PayPal", "Klarna – achteraf betalen"].iter().enumerate() {
        let radio =
            dom.el("input", &[("type", "radio"), ("name", "payment"), ("value", &slug(method))], vec![]);
        let selector = format!("form#checkout .payment label:nth-child({}) > input", i + 1);
        page.payment.push(dom.region(
            &radio,
            Rect { x: 80, y: 1230 + i as i64 * 56, w: 760, h: 48 },
            &selector,
        ));
        let text = dom.text(*method);
        let logo =
            dom.el("img", &[("src", &format!("/static/img/pay/{}.svg", slug(method))), ("alt", "")], vec![]);
        payment.push(dom.el("label", &[("class", "radio")], vec![radio, logo, text]));
    }
    let mut banks = Vec::new();
    for bank in [
        "Kies je bank",
        "ABN AMRO",
        "ASN Bank",
        "bunq",
        "ING",
        "Knab",
        "Rabobank",
        "RegioBank",
        "SNS",
        "Triodos Bank",
        "Van Lanschot",
    ] {
        let text = dom.text(bank);
        banks.push(dom.el("option", &[("value", &slug(bank))], vec![text]));
    }
    let bank = dom.block("select", &[("name", "issuer"), ("class", "issuer")], banks, 5);
    page.bank_select =
        dom.region(&bank, Rect { x: 120, y: 1460, w: 400, h: 44 }, "form#checkout select.issuer");
    payment.push(bank);
    let payment = dom.block("fieldset", &[("class", "payment")], payment, 4);
    let terms = dom.el("input", &[("type", "checkbox"), ("name", "terms"), ("id", "terms")], vec![]);
    page.terms = dom.region(&terms, Rect { x: 80, y: 1540, w: 24, h: 24 }, "form#checkout input#terms");
    let terms_text = dom.text("Ik ga akkoord met de algemene voorwaarden en het privacybeleid");
    let terms = dom.el("label", &[("class", "checkbox")], vec![terms, terms_text]);
    let submit_text = dom.text("Bestelling plaatsen");
    let submit =
        dom.el("button", &[("type", "submit"), ("class", "btn btn--primary btn--large")], vec![submit_text]);
    page.submit =
        dom.region(&submit, Rect { x: 80, y: 1600, w: 760, h: 60 }, "form#checkout button[type=submit]");
    let form = dom.block(
        "form",
        &[("id", "checkout"), ("novalidate", "")],
        vec![address, delivery, payment, terms, submit],
        3,
    );
    dom.region(&form, Rect { x: 60, y: 220, w: 800, h: 1480 }, "form#checkout");

    // Order summary.
    let mut items = Vec::new();
    let (src, _) = image(rng, &slug(&product.name), 1);
    let thumb = src.replace("w=800", "w=120");
    let img = dom.el("img", &[("src", &thumb), ("alt", "")], vec![]);
    let name_text = dom.text(product.name.clone());
    let name = dom.el("p", &[("class", "cart-item__name")], vec![name_text]);
    let minus_text = dom.text("−");
    let minus = dom.el("button", &[("class", "qty__btn"), ("aria-label", "Minder")], vec![minus_text]);
    let qty_text = dom.text("1");
    let qty = dom.el("span", &[("class", "qty__value")], vec![qty_text.clone()]);
    let plus_text = dom.text("+");
    let plus = dom.el("button", &[("class", "qty__btn"), ("aria-label", "Meer")], vec![plus_text]);
    let plus_id =
        dom.region(&plus, Rect { x: 1200, y: 300, w: 32, h: 32 }, "aside.summary .qty__btn[aria-label=Meer]");
    dom.region(&minus, Rect { x: 1110, y: 300, w: 32, h: 32 }, "aside.summary .qty__btn[aria-label=Minder]");
    page.qty_buttons.push((plus_id, id_of(&qty_text)));
    let line_text = dom.text(price(product.price_cents));
    let line = dom.el("span", &[("class", "price")], vec![line_text]);
    let qty_box = dom.el("div", &[("class", "qty")], vec![minus, qty, plus]);
    items.push(dom.block("li", &[("class", "cart-item")], vec![img, name, qty_box, line], 5));
    let list = dom.block("ul", &[("class", "summary__list")], items, 4);
    page.summary_list = id_of(&list);
    let mut rows = Vec::new();
    for (label, value) in [
        ("Subtotaal", price(product.price_cents)),
        ("Verzending", "Gratis".to_owned()),
        ("Totaal", price(product.price_cents)),
    ] {
        let dt_text = dom.text(label);
        let dd_text = dom.text(value);
        if label == "Verzending" {
            page.shipping_text = id_of(&dd_text);
        }
        if label == "Totaal" {
            page.total_text = id_of(&dd_text);
        }
        let dt = dom.el("dt", &[], vec![dt_text]);
        let dd = dom.el("dd", &[], vec![dd_text]);
        rows.push(dt);
        rows.push(dd);
    }
    let totals = dom.block("dl", &[("class", "summary__totals")], rows, 4);
    let code =
        dom.el("input", &[("name", "discount"), ("placeholder", "Kortingscode"), ("value", "")], vec![]);
    page.discount_input =
        dom.region(&code, Rect { x: 940, y: 520, w: 280, h: 44 }, "aside.summary input[name=discount]");
    let apply_text = dom.text("Toepassen");
    let apply = dom.el("button", &[("type", "button"), ("class", "btn btn--secondary")], vec![apply_text]);
    page.discount_apply =
        dom.region(&apply, Rect { x: 1230, y: 520, w: 130, h: 44 }, "aside.summary button.btn--secondary");
    let timer = dom.text("Je winkelmand is nog 15 minuten gereserveerd");
    page.timer_text = id_of(&timer);
    let timer = dom.el("p", &[("class", "summary__timer")], vec![timer]);
    let summary = dom.block("aside", &[("class", "summary")], vec![list, totals, code, apply, timer], 3);
    dom.region(&summary, Rect { x: 920, y: 220, w: 460, h: 500 }, "aside.summary");

    let h1_text = dom.text("Afrekenen");
    let h1 = dom.el("h1", &[], vec![h1_text]);
    let main = dom.block(
        "main",
        &[("id", "main"), ("class", "page page--checkout")],
        vec![h1, stepper, form, summary],
        2,
    );

    // Head, header and footer are the product page's nodes (same ids);
    // the title text changed in place.
    let mut head_el = product.head.clone();
    if let Some(title) = find_mut(&mut head_el, product.title_text) {
        title["textContent"] = json!(page.title);
    }
    let toast_host = dom.el("div", &[("class", "toast-host"), ("aria-live", "polite")], vec![]);
    let mut body = dom.block(
        "body",
        &[("class", "template-checkout")],
        vec![product.header.clone(), main, product.footer.clone(), toast_host],
        1,
    );
    body["id"] = json!(product.body);
    let mut html = dom.block("html", &[("lang", "nl")], vec![head_el, body], 0);
    html["id"] = json!(product.snapshot["childNodes"][1]["id"]);
    let mut document =
        json!({"type": 0, "childNodes": [product.snapshot["childNodes"][0].clone(), html], "id": 1});

    let mut map = HashMap::new();
    let mut next = first_free_id;
    renumber(&mut document, &mut next, &mut map);
    let fix = |id: &mut i64| *id = map.get(id).copied().unwrap_or(*id);
    // Header and footer regions carry over from the product page.
    page.regions = product
        .regions
        .iter()
        .filter(|r| r.fixed || r.rect.y >= 4560)
        .cloned()
        .map(|mut r| {
            if !r.fixed {
                r.rect.y = r.rect.y - 4560 + 1720;
            }
            r
        })
        .collect();
    let mut own: Vec<Region> = dom.regions.drain(..).collect();
    for region in &mut own {
        fix(&mut region.id);
    }
    page.regions.extend(own);
    for field in &mut page.fields {
        fix(&mut field.id);
    }
    for list in [&mut page.delivery, &mut page.payment, &mut page.errors] {
        list.iter_mut().for_each(fix);
    }
    for id in [
        &mut page.bank_select,
        &mut page.terms,
        &mut page.submit,
        &mut page.shipping_text,
        &mut page.total_text,
        &mut page.timer_text,
        &mut page.address_lookup,
        &mut page.discount_input,
        &mut page.discount_apply,
        &mut page.summary_list,
    ] {
        fix(id);
    }
    for pair in &mut page.qty_buttons {
        fix(&mut pair.0);
        fix(&mut pair.1);
    }
    page.nodes = count_nodes(&document);
    page.next_id = next;
    page.snapshot = document;
    page
}

// ---------------------------------------------------------------------------
// Behaviour

/// One sampled cursor position, viewport coordinates.
#[derive(Debug, Clone, Copy)]
struct Position {
    t: i64,
    x: i64,
    y: i64,
    id: i64,
}

/// A visitor on one page: moves, scrolls, clicks and types, while the page
/// changes by itself; every action advances the clock.
struct Sim<'r> {
    rng: &'r mut Rng,
    t: i64,
    events: Vec<Value>,
    positions: Vec<Position>,
    mouse: (f64, f64),
    scroll_y: i64,
    viewport: (i64, i64),
    doc_h: i64,
    regions: Vec<Region>,
    next_id: i64,
    /// What the cursor is over when no known region is under it.
    body: i64,
    background: Vec<Background>,
    /// Images not loaded yet: id, document y, `src`, `srcset`.
    lazy: Vec<(i64, i64, String, String)>,
    carousel: Option<Carousel>,
}

/// Something the page does on a timer.
struct Background {
    next: i64,
    every: (i64, i64),
    kind: BackgroundKind,
}

enum BackgroundKind {
    /// The "n mensen bekijken dit product" counter (its text node).
    Viewers(i64),
    /// The checkout's reservation countdown (its text node, page start).
    Timer(i64, i64),
    /// Gallery autoplay, while the gallery is in view and not paused.
    Carousel,
}

struct Carousel {
    slides: Vec<i64>,
    dots: Vec<i64>,
    track: i64,
    current: usize,
    paused: bool,
}

impl<'r> Sim<'r> {
    fn new(rng: &'r mut Rng, t: i64, viewport: (i64, i64), doc_h: i64, regions: Vec<Region>) -> Sim<'r> {
        Sim {
            rng,
            t,
            events: Vec::new(),
            positions: Vec::new(),
            mouse: (viewport.0 as f64 * 0.6, viewport.1 as f64 * 0.4),
            scroll_y: 0,
            viewport,
            doc_h,
            regions,
            next_id: 0,
            body: 1,
            background: Vec::new(),
            lazy: Vec::new(),
            carousel: None,
        }
    }

    fn push(&mut self, t: i64, kind: i64, data: Value) {
        self.events.push(json!({"type": kind, "data": data, "timestamp": t}));
    }

    fn incremental(&mut self, t: i64, data: Value) {
        self.push(t, 3, data);
    }

    fn mutation(
        &mut self,
        t: i64,
        texts: Vec<Value>,
        attributes: Vec<Value>,
        removes: Vec<Value>,
        adds: Vec<Value>,
    ) {
        self.incremental(
            t,
            json!({"source": 0, "texts": texts, "attributes": attributes, "removes": removes, "adds": adds}),
        );
    }

    /// Waits a random time in `lo..=hi` ms.
    fn wait(&mut self, lo: i64, hi: i64) {
        let ms = self.rng.range(lo, hi);
        self.advance(ms);
    }

    /// A random time `lo..=hi` ms from now.
    fn soon(&mut self, lo: i64, hi: i64) -> i64 {
        self.t + self.rng.range(lo, hi)
    }

    /// An Input event: the control's whole (masked) value or checked state.
    fn input(&mut self, t: i64, id: i64, text: impl Into<String>, checked: bool) {
        self.incremental(t, json!({"source": 5, "text": text.into(), "isChecked": checked, "id": id}));
    }

    /// A mutation that only changes one element's attributes.
    fn attributes(&mut self, t: i64, id: i64, attributes: Value) {
        self.mutation(t, vec![], vec![attr(id, attributes)], vec![], vec![]);
    }

    /// Moves the clock, letting the page's own timers fire on the way.
    fn advance(&mut self, ms: i64) {
        let until = self.t + ms.max(0);
        loop {
            let due = self
                .background
                .iter()
                .enumerate()
                .filter(|(_, b)| b.next < until)
                .min_by_key(|(_, b)| b.next);
            let Some((index, _)) = due else { break };
            let at = self.background[index].next;
            let (lo, hi) = self.background[index].every;
            let every = self.rng.range(lo, hi);
            self.background[index].next = at + every;
            match self.background[index].kind {
                BackgroundKind::Viewers(text) => {
                    let viewers = self.rng.range(3, 40);
                    self.mutation(
                        at,
                        vec![
                            json!({"id": text, "value": format!("{viewers} mensen bekijken dit product nu")}),
                        ],
                        vec![],
                        vec![],
                        vec![],
                    );
                }
                BackgroundKind::Timer(text, started) => {
                    let left = 15 - (at - started) / 60_000;
                    let value = if left > 0 {
                        format!("Je winkelmand is nog {left} minuten gereserveerd")
                    } else {
                        "Je reservering is verlopen, de voorraad kan wijzigen".to_owned()
                    };
                    self.mutation(at, vec![json!({"id": text, "value": value})], vec![], vec![], vec![]);
                }
                BackgroundKind::Carousel => {
                    let visible = self.scroll_y < 700;
                    if visible && self.carousel.as_ref().is_some_and(|c| !c.paused) {
                        let next = self.carousel.as_ref().map_or(0, |c| (c.current + 1) % c.slides.len());
                        self.show_slide(at, next);
                    }
                }
            }
        }
        self.t = until;
    }

    fn show_slide(&mut self, t: i64, next: usize) {
        let Some(carousel) = self.carousel.as_mut() else { return };
        if carousel.current == next {
            return;
        }
        let previous = carousel.current;
        carousel.current = next;
        let (track, slides, dots) = (carousel.track, &carousel.slides, &carousel.dots);
        let offset = next as i64 * 680;
        let attributes = vec![
            attr(
                track,
                json!({"style": {
                    "transform": format!("translate3d(-{offset}px, 0px, 0px)"),
                    "transition-duration": "350ms",
                }}),
            ),
            attr(slides[previous], json!({"class": "slide", "aria-hidden": "true"})),
            attr(slides[next], json!({"class": "slide is-active", "aria-hidden": null})),
            attr(dots[previous], json!({"class": "dot"})),
            attr(dots[next], json!({"class": "dot is-active"})),
        ];
        self.mutation(t, vec![], attributes, vec![], vec![]);
        // The transition ends and its inline duration is removed.
        let settled = vec![attr(track, json!({"style": {"transition-duration": false}}))];
        self.mutation(t + 360, vec![], settled, vec![], vec![]);
    }

    /// The element under a viewport point: the smallest known region.
    fn id_at(&self, x: i64, y: i64) -> i64 {
        let doc_y = y + self.scroll_y;
        self.regions
            .iter()
            .filter(|r| {
                let py = if r.fixed { y } else { doc_y };
                x >= r.rect.x && x < r.rect.x + r.rect.w && py >= r.rect.y && py < r.rect.y + r.rect.h
            })
            .min_by_key(|r| r.rect.w * r.rect.h)
            .map_or(self.body, |r| r.id)
    }

    /// Moves the cursor to a viewport point along a curved, slightly shaky
    /// path, one sample per ~50 ms (rrweb's mousemove throttle).
    fn move_to(&mut self, tx: f64, ty: f64) {
        let (sx, sy) = self.mouse;
        let distance = ((tx - sx).powi(2) + (ty - sy).powi(2)).sqrt();
        if distance < 2.0 {
            return;
        }
        let duration = 180.0 + distance * self.rng.range(45, 110) as f64 / 100.0;
        let steps = (duration / 50.0).ceil().max(1.0) as i64;
        let bend = (self.rng.unit() - 0.5) * 0.4 * distance;
        let (nx, ny) = (-(ty - sy) / distance, (tx - sx) / distance);
        for step in 1..=steps {
            self.wait(48, 66);
            let f = step as f64 / steps as f64;
            let ease = f * f * (3.0 - 2.0 * f);
            let arc = (f * std::f64::consts::PI).sin() * bend;
            let shake = if step == steps { 0.0 } else { 2.0 };
            let x = sx + (tx - sx) * ease + nx * arc + (self.rng.unit() - 0.5) * shake;
            let y = sy + (ty - sy) * ease + ny * arc + (self.rng.unit() - 0.5) * shake;
            let (x, y) =
                (x.clamp(0.0, self.viewport.0 as f64 - 1.0), y.clamp(0.0, self.viewport.1 as f64 - 1.0));
            self.mouse = (x, y);
            let id = self.id_at(x as i64, y as i64);
            self.positions.push(Position { t: self.t, x: x.round() as i64, y: y.round() as i64, id });
        }
    }

    /// Small movements of a resting hand for `ms`.
    fn fidget(&mut self, ms: i64) {
        let until = self.t + ms;
        while self.t < until {
            if self.rng.chance(0.15) {
                // Following the text, or drifting to another part of the page.
                let (x, y) = (self.rng.range(120, 1_320) as f64, self.rng.range(140, 760) as f64);
                self.move_to(x, y);
            } else if self.rng.chance(0.6) {
                let (x, y) = self.mouse;
                let dx = self.rng.range(-90, 90) as f64;
                let dy = self.rng.range(-50, 50) as f64;
                self.move_to(x + dx, y + dy);
            }
            let pause = self.rng.range(300, 2_500).min((until - self.t).max(0));
            self.advance(pause);
        }
    }

    /// Wheel or trackpad scroll to `target`: smooth-scroll positions every
    /// ~100 ms (rrweb's scroll throttle), then the recorder's `veil.scroll`.
    fn scroll_to(&mut self, target: i64) {
        let max = (self.doc_h - self.viewport.1).max(0);
        let target = target.clamp(0, max);
        let start = self.scroll_y;
        let distance = target - start;
        if distance.abs() < 20 {
            return;
        }
        let duration = 250 + distance.abs() * self.rng.range(40, 90) / 100;
        let steps = (duration / 100).max(1);
        for step in 1..=steps {
            self.wait(95, 125);
            let f = step as f64 / steps as f64;
            let ease = 1.0 - (1.0 - f).powi(3);
            self.scroll_y = start + (distance as f64 * ease).round() as i64;
            let y = self.scroll_y;
            self.incremental(self.t, json!({"source": 3, "id": 1, "x": 0, "y": y}));
            self.lazy_load();
        }
        self.scroll_y = target;
        let (vw, vh) = self.viewport;
        let (t, y, h) = (self.soon(150, 300), self.scroll_y, self.doc_h);
        let payload = json!({"x": 0, "y": y, "w": DOC_W, "h": h, "vw": vw, "vh": vh, "fixed": false});
        self.push(t, 5, json!({"tag": "veil.scroll", "payload": payload}));
    }

    /// Lazy images entering the viewport get their real `src`.
    fn lazy_load(&mut self) {
        let bottom = self.scroll_y + self.viewport.1 + 300;
        let (due, rest): (Vec<_>, Vec<_>) =
            std::mem::take(&mut self.lazy).into_iter().partition(|l| l.1 < bottom);
        self.lazy = rest;
        for (id, _, src, srcset) in due {
            let t = self.soon(40, 600);
            let loaded = json!({
                "src": src, "srcset": srcset, "class": "lazy is-loaded",
                "data-src": null, "data-srcset": null,
            });
            self.attributes(t, id, loaded);
        }
    }

    /// Scrolls so that a document-relative box is comfortably in view.
    fn reveal(&mut self, region: &Region) {
        if region.fixed {
            return;
        }
        let top = self.scroll_y + 130;
        let bottom = self.scroll_y + self.viewport.1 - 40;
        if region.rect.y < top || region.rect.y + region.rect.h > bottom {
            let target = region.rect.y - self.rng.range(160, 320);
            self.scroll_to(target);
            self.wait(200, 900);
        }
    }

    fn region(&self, id: i64) -> Option<Region> {
        self.regions.iter().find(|r| r.id == id).cloned()
    }

    /// Moves onto `id` (scrolling first if needed) and returns the viewport
    /// point the cursor rests on.
    fn point_at(&mut self, id: i64) -> Option<(i64, i64, Region)> {
        let region = self.region(id)?;
        self.reveal(&region);
        let x = region.rect.x + self.rng.range(region.rect.w / 5, region.rect.w * 4 / 5);
        let y = region.rect.y + self.rng.range(region.rect.h / 4, region.rect.h * 3 / 4);
        let vy = if region.fixed { y } else { y - self.scroll_y };
        self.move_to(x as f64, vy as f64);
        Some((x, vy, region))
    }

    /// A click on `id` as rrweb and the recorder report it: MouseDown,
    /// MouseUp, Click and a `veil.click`; `clicks` > 2 makes a rage click.
    fn click(&mut self, id: i64, dead: bool, clicks: usize) {
        let Some((x, vy, region)) = self.point_at(id) else { return };
        self.wait(80, 350);
        for n in 0..clicks.max(1) {
            let interaction =
                |kind: i64| json!({"source": 2, "type": kind, "id": id, "x": x, "y": vy, "pointerType": 0});
            self.incremental(self.t, interaction(1));
            self.wait(60, 130);
            self.incremental(self.t, interaction(0));
            self.incremental(self.t + 1, interaction(2));
            let (vw, vh) = self.viewport;
            let doc_y = if region.fixed { vy } else { vy + self.scroll_y };
            let rage = n >= 2;
            self.push(
                self.t + 2,
                5,
                json!({"tag": "veil.click", "payload": {
                "x": x, "y": doc_y, "w": DOC_W, "h": self.doc_h, "vw": vw, "vh": vh, "fixed": region.fixed,
                "selector": region.selector, "rage": rage, "dead": dead}}),
            );
            if n + 1 < clicks {
                self.wait(90, 180);
            }
        }
        self.wait(20, 80);
    }

    /// Focus follows a click on a form control; rrweb reports it without
    /// coordinates.
    fn focus(&mut self, id: i64) {
        self.incremental(self.t + 1, json!({"source": 2, "type": 5, "id": id}));
    }

    fn blur(&mut self, id: i64) {
        self.incremental(self.t, json!({"source": 2, "type": 6, "id": id}));
    }

    /// Typing `len` characters: one Input event per keystroke carrying the
    /// whole (masked) value, with the odd correction and thinking pause.
    fn type_text(&mut self, id: i64, len: i64) -> usize {
        let mut value = 0usize;
        while (value as i64) < len {
            self.wait(70, 260);
            if self.rng.chance(0.05) {
                self.wait(500, 2_500);
            }
            if value > 0 && self.rng.chance(0.04) {
                value -= 1;
            } else {
                value += 1;
            }
            self.input(self.t, id, masked(value), false);
        }
        value
    }

    /// Idle: reading (a resting hand now and then) or away (nothing at all).
    fn idle(&mut self, ms: i64, away: bool) {
        if away {
            self.advance(ms);
        } else {
            self.fidget(ms);
        }
    }

    /// Cursor positions as rrweb emits them: the first of a burst at once,
    /// then the rest every 500 ms with offsets relative to the emit time.
    fn flush_positions(&mut self) {
        let emit = |events: &mut Vec<Value>, at: i64, batch: &[Position]| {
            let positions: Vec<Value> = batch
                .iter()
                .map(|p| json!({"x": p.x, "y": p.y, "id": p.id, "timeOffset": p.t - at}))
                .collect();
            events.push(json!({"type": 3, "data": {"source": 1, "positions": positions}, "timestamp": at}));
        };
        let mut pending: Vec<Position> = Vec::new();
        let mut last_emit = i64::MIN / 2;
        let positions = std::mem::take(&mut self.positions);
        for p in positions {
            if !pending.is_empty() && p.t >= last_emit + 500 {
                last_emit += 500;
                emit(&mut self.events, last_emit, &pending);
                pending.clear();
            }
            if pending.is_empty() && p.t >= last_emit + 500 {
                emit(&mut self.events, p.t, &[p]);
                last_emit = p.t;
            } else {
                pending.push(p);
            }
        }
        if !pending.is_empty() {
            emit(&mut self.events, last_emit + 500, &pending);
        }
    }

    /// Meta and FullSnapshot at the start of a page view.
    fn open(&mut self, url: &str, snapshot: &Value) {
        let (w, h) = self.viewport;
        self.push(self.t, 4, json!({"href": url, "width": w, "height": h}));
        let t = self.soon(8, 40);
        self.push(t, 2, json!({"node": snapshot, "initialOffset": {"left": 0, "top": 0}}));
        self.wait(150, 600);
    }

    fn finish(&mut self, url: &str, title: &str, nodes: usize) -> PageView {
        self.flush_positions();
        let mut events = std::mem::take(&mut self.events);
        events.sort_by_key(|e| e["timestamp"].as_i64().unwrap_or(0));
        PageView {
            url: url.to_owned(),
            title: title.to_owned(),
            viewport: self.viewport,
            document: (DOC_W, self.doc_h),
            snapshot_nodes: nodes,
            events,
        }
    }
}

/// Product-page actions and their weights.
const PRODUCT_ACTIONS: &[(ProductAction, u64)] = &[
    (ProductAction::Read, 5),
    (ProductAction::Away, 1),
    (ProductAction::Scroll, 6),
    (ProductAction::Gallery, 2),
    (ProductAction::Swatch, 2),
    (ProductAction::Size, 1),
    (ProductAction::Accordion, 2),
    (ProductAction::Related, 3),
    (ProductAction::Review, 2),
    (ProductAction::Menu, 2),
    (ProductAction::AddToCart, 1),
    (ProductAction::Dead, 1),
];

#[derive(Debug, Clone, Copy, PartialEq)]
enum ProductAction {
    Read,
    Away,
    Scroll,
    Gallery,
    Swatch,
    Size,
    Accordion,
    Related,
    Review,
    Menu,
    AddToCart,
    Dead,
}

fn weighted<T: Copy>(rng: &mut Rng, choices: &[(T, u64)]) -> T {
    let total: u64 = choices.iter().map(|(_, w)| w).sum();
    let mut pick = rng.below(total);
    for (choice, weight) in choices {
        if pick < *weight {
            return *choice;
        }
        pick -= weight;
    }
    choices[0].0
}

impl Sim<'_> {
    fn product_visit(&mut self, page: &ProductPage, start: i64, until: i64) -> PageView {
        self.body = page.body;
        self.open(&page.url, &page.snapshot);
        self.lazy = page.lazy.clone();
        self.carousel = Some(Carousel {
            slides: page.slides.clone(),
            dots: page.dots.clone(),
            track: page.track,
            current: 0,
            paused: false,
        });
        self.background.push(Background {
            next: start + 6_000,
            every: (6_000, 6_000),
            kind: BackgroundKind::Carousel,
        });
        self.background.push(Background {
            next: start + 20_000,
            every: (18_000, 45_000),
            kind: BackgroundKind::Viewers(page.viewers_text),
        });
        self.lazy_load();

        let mut in_cart = 0;
        let mut drawer_open = false;
        // Leave time for the last add-to-cart and the walk to the checkout;
        // idling stops when the visitor's time on the page is up.
        while self.t < until - 15_000 {
            if drawer_open && self.rng.chance(0.6) {
                self.wait(1_500, 6_000);
                self.click(page.drawer_close, false, 1);
                self.mutation(
                    self.t + 20,
                    vec![],
                    vec![attr(page.drawer, json!({"class": "drawer", "aria-hidden": "true"}))],
                    vec![],
                    vec![],
                );
                self.drawer(page, false);
                drawer_open = false;
                continue;
            }
            match weighted(self.rng, PRODUCT_ACTIONS) {
                ProductAction::Read => {
                    let ms = self.rng.range(3_000, 20_000).min(until - self.t);
                    self.idle(ms, false);
                }
                ProductAction::Away => {
                    let ms = self.rng.range(20_000, 75_000).min(until - self.t);
                    self.idle(ms, true);
                }
                ProductAction::Scroll => {
                    let down = self.scroll_y < 300 || self.rng.chance(0.65);
                    let by = self.rng.range(250, 1_400);
                    let target = if down { self.scroll_y + by } else { self.scroll_y - by };
                    if self.rng.chance(0.5) {
                        let (x, y) = (self.rng.range(200, 1_300) as f64, self.rng.range(150, 700) as f64);
                        self.move_to(x, y);
                    }
                    self.scroll_to(target);
                    let ms = self.rng.range(800, 6_000);
                    self.idle(ms, false);
                }
                ProductAction::Gallery => {
                    for _ in 0..self.rng.range(1, 4) {
                        let index = self.rng.below(page.thumbs.len() as u64) as usize;
                        self.click(page.thumbs[index], false, 1);
                        if let Some(carousel) = self.carousel.as_mut() {
                            carousel.paused = true;
                        }
                        self.show_slide(self.t + 10, index);
                        let ms = self.rng.range(1_000, 5_000);
                        self.fidget(ms);
                    }
                }
                ProductAction::Swatch => {
                    let index = self.rng.below(page.swatches.len() as u64) as usize;
                    self.click(page.swatches[index], false, 1);
                    let name = page.swatch_names[index].clone();
                    let mut attributes: Vec<Value> = page
                        .swatches
                        .iter()
                        .enumerate()
                        .map(|(i, id)| {
                            attr(
                                *id,
                                json!({"class": if i == index { "swatch is-active" } else { "swatch" }}),
                            )
                        })
                        .collect();
                    for (i, img) in page.slide_imgs.iter().enumerate() {
                        let (src, srcset) =
                            image(self.rng, &slug(&format!("{} {name}", page.name)), i as i64 + 1);
                        attributes.push(attr(*img, json!({"src": src, "srcset": srcset})));
                    }
                    let texts = vec![json!({"id": page.colour_text, "value": format!("Kleur: {name}")})];
                    let t = self.soon(10, 60);
                    self.mutation(t, texts, attributes, vec![], vec![]);
                    let ms = self.rng.range(1_500, 6_000);
                    self.fidget(ms);
                }
                ProductAction::Size => {
                    self.click(page.size_select, false, 1);
                    self.focus(page.size_select);
                    self.wait(600, 2_500);
                    let size = *self.rng.pick(&["S", "M", "L", "XL"]);
                    self.input(self.t, page.size_select, masked(size.len()), false);
                    self.wait(300, 2_000);
                    self.blur(page.size_select);
                }
                ProductAction::Accordion => {
                    let (toggle, panel) = *self.rng.pick(&page.accordions);
                    self.click(toggle, false, 1);
                    let open = self.rng.chance(0.8);
                    // An open panel gets its measured height; closing removes it.
                    let hidden = if open { Value::Null } else { json!("") };
                    let height =
                        if open { json!(format!("{}px", self.rng.range(120, 420))) } else { json!(false) };
                    let attributes = vec![
                        attr(toggle, json!({"aria-expanded": if open { "true" } else { "false" }})),
                        attr(panel, json!({"hidden": hidden, "style": {"height": height}})),
                    ];
                    self.mutation(self.t + 5, vec![], attributes, vec![], vec![]);
                    let ms = self.rng.range(2_000, 12_000);
                    self.idle(ms, false);
                }
                ProductAction::Related => {
                    let first = self.rng.below(12) as usize;
                    for card in first..first + self.rng.range(2, 5) as usize {
                        let Some(&(card_id, img)) = page.cards.get(card) else { break };
                        self.point_at(card_id);
                        let (hover_src, _) = image(self.rng, &format!("related-{card}"), 2);
                        self.mutation(
                            self.t + 30,
                            vec![],
                            vec![attr(img, json!({"src": hover_src}))],
                            vec![],
                            vec![],
                        );
                        let ms = self.rng.range(600, 3_000);
                        self.fidget(ms);
                        let (back_src, _) = image(self.rng, &format!("related-{card}"), 1);
                        self.mutation(
                            self.t,
                            vec![],
                            vec![attr(img, json!({"src": back_src}))],
                            vec![],
                            vec![],
                        );
                    }
                }
                ProductAction::Review => {
                    let (more, body) = *self.rng.pick(&page.reviews_more);
                    self.click(more, false, 1);
                    let attributes = vec![attr(body, json!({"class": "review__body"}))];
                    // The label is the button's only child, numbered right after it.
                    let text = vec![json!({"id": more + 1, "value": "Lees minder"})];
                    self.mutation(self.t + 5, text, attributes, vec![], vec![]);
                    let ms = self.rng.range(4_000, 15_000);
                    self.idle(ms, false);
                }
                ProductAction::Menu => {
                    let index = self.rng.below(page.nav_items.len() as u64) as usize;
                    self.point_at(page.nav_items[index]);
                    let open = vec![
                        attr(page.nav_items[index], json!({"aria-expanded": "true"})),
                        attr(page.mega_menus[index], json!({"hidden": null, "class": "mega-menu is-open"})),
                    ];
                    self.mutation(self.t + 150, vec![], open, vec![], vec![]);
                    let ms = self.rng.range(800, 4_000);
                    self.fidget(ms);
                    let (x, y) = (self.rng.range(300, 1_200) as f64, self.rng.range(400, 700) as f64);
                    self.move_to(x, y);
                    let close = vec![
                        attr(page.nav_items[index], json!({"aria-expanded": "false"})),
                        attr(page.mega_menus[index], json!({"hidden": "", "class": "mega-menu"})),
                    ];
                    self.mutation(self.t + 200, vec![], close, vec![], vec![]);
                }
                ProductAction::AddToCart => {
                    in_cart += 1;
                    self.add_to_cart(page, in_cart);
                    drawer_open = true;
                }
                ProductAction::Dead => {
                    let target = *self.rng.pick(&page.dead_targets);
                    let clicks = if self.rng.chance(0.25) { self.rng.range(3, 5) as usize } else { 1 };
                    self.click(target, true, clicks);
                    let ms = self.rng.range(1_000, 4_000);
                    self.fidget(ms);
                }
            }
        }
        if in_cart == 0 {
            self.add_to_cart(page, 1);
            drawer_open = true;
        }
        if !drawer_open {
            self.click(page.cart_link, false, 1);
            self.attributes(
                self.t + 20,
                page.drawer,
                json!({"class": "drawer is-open", "aria-hidden": "false"}),
            );
            self.drawer(page, true);
            let ms = self.rng.range(1_000, 3_000);
            self.advance(ms);
        }
        let remaining = (until - self.t - 1_500).max(0);
        self.fidget(remaining);
        self.click(page.drawer_checkout, false, 1);
        self.finish(&page.url, &page.title, page.nodes)
    }

    /// The open drawer covers the right of the viewport; its buttons can
    /// be clicked only while it is open.
    fn drawer(&mut self, page: &ProductPage, open: bool) {
        self.regions
            .retain(|r| r.id != page.drawer_close && r.id != page.drawer_checkout && r.id != page.drawer);
        if open {
            let fixed =
                |id, rect, selector: &str| Region { id, rect, fixed: true, selector: selector.to_owned() };
            self.regions.push(fixed(page.drawer, Rect { x: 1040, y: 0, w: 400, h: 789 }, "aside.drawer"));
            self.regions.push(fixed(
                page.drawer_close,
                Rect { x: 1380, y: 16, w: 40, h: 40 },
                "aside.drawer button.drawer__close",
            ));
            self.regions.push(fixed(
                page.drawer_checkout,
                Rect { x: 1060, y: 700, w: 340, h: 56 },
                "aside.drawer a.drawer__checkout",
            ));
        }
    }

    fn add_to_cart(&mut self, page: &ProductPage, in_cart: i64) {
        let clicks = if self.rng.chance(0.1) { 3 } else { 1 };
        self.click(page.add_button, false, clicks);
        let loading = self.t + 10;
        self.attributes(
            loading,
            page.add_button,
            json!({"class": "btn btn--primary btn--add is-loading", "disabled": ""}),
        );
        let done = loading + self.rng.range(300, 1_200);
        // The drawer gets a line item; a toast appears and goes again.
        let mut dom = Dom::default();
        let (src, _) = image(self.rng, &slug(&page.name), 1);
        let img = dom.el("img", &[("src", &src.replace("w=800", "w=120")), ("alt", "")], vec![]);
        let name_text = dom.text(page.name.clone());
        let name = dom.el("p", &[("class", "cart-item__name")], vec![name_text]);
        let price_text = dom.text(price(page.price_cents));
        let price_el = dom.el("span", &[("class", "price")], vec![price_text]);
        let remove_text = dom.text("Verwijderen");
        let remove = dom.el("button", &[("class", "cart-item__remove")], vec![remove_text]);
        let mut item = dom.block("li", &[("class", "cart-item")], vec![img, name, price_el, remove], 4);
        let mut toast_text_node = dom.text(format!("{} is toegevoegd aan je winkelmand", page.name));
        let mut toast = dom.el("div", &[("class", "toast toast--success"), ("role", "status")], vec![]);
        let mut map = HashMap::new();
        renumber(&mut item, &mut self.next_id, &mut map);
        renumber(&mut toast, &mut self.next_id, &mut map);
        renumber(&mut toast_text_node, &mut self.next_id, &mut map);
        toast["childNodes"] = json!([toast_text_node]);
        let mut adds = Vec::new();
        flat_adds(&item, page.drawer_list, None, &mut adds);
        flat_adds(&toast, page.toast_host, None, &mut adds);
        let texts = vec![json!({"id": page.cart_count_text, "value": in_cart.to_string()})];
        let attributes = vec![
            attr(page.add_button, json!({"class": "btn btn--primary btn--add", "disabled": null})),
            attr(page.drawer, json!({"class": "drawer is-open", "aria-hidden": "false"})),
        ];
        self.mutation(done, texts, attributes, vec![], adds);
        self.drawer(page, true);
        let toast_id = id_of(&toast);
        let gone = done + self.rng.range(3_000, 4_500);
        self.mutation(
            gone,
            vec![],
            vec![attr(toast_id, json!({"class": "toast toast--success is-leaving"}))],
            vec![],
            vec![],
        );
        self.mutation(
            gone + 300,
            vec![],
            vec![],
            vec![json!({"parentId": page.toast_host, "id": toast_id})],
            vec![],
        );
        self.advance(done - self.t + 200);
    }

    fn checkout_visit(&mut self, page: &CheckoutPage, start: i64, until: i64) -> PageView {
        self.body = page.body;
        self.open(&page.url, &page.snapshot);
        self.background.push(Background {
            next: start + 60_000,
            every: (60_000, 60_000),
            kind: BackgroundKind::Timer(page.timer_text, start),
        });
        let ms = self.rng.range(2_000, 6_000);
        self.fidget(ms);

        let mut step = 0;
        let steps = page.fields.len() + 5;
        let mut submitted = false;
        while self.t < until - 5_000 {
            if step < steps && self.rng.chance(0.8) {
                self.checkout_step(page, step);
                step += 1;
                continue;
            }
            match self.rng.below(10) {
                0..=3 => {
                    let ms = self.rng.range(3_000, 15_000).min(until - self.t);
                    self.idle(ms, false);
                }
                4 => {
                    let ms = self.rng.range(15_000, 50_000).min(until - self.t);
                    self.idle(ms, true);
                }
                5 | 6 => {
                    let target = self.rng.range(0, page.doc_h);
                    self.scroll_to(target);
                }
                7 => self.discount(page),
                8 => {
                    let (plus, qty) = page.qty_buttons[0];
                    self.click(plus, false, 1);
                    let n = self.rng.range(1, 3);
                    let t = self.soon(200, 700);
                    self.mutation(
                        t,
                        vec![
                            json!({"id": qty, "value": n.to_string()}),
                            json!({"id": page.cart_count_text, "value": n.to_string()}),
                        ],
                        vec![],
                        vec![],
                        vec![],
                    );
                }
                _ => {
                    if step >= steps && !submitted {
                        self.submit(page);
                        submitted = true;
                    } else if let Some(field) =
                        page.fields.get(self.rng.below(page.fields.len() as u64) as usize)
                    {
                        // Going back to correct a field.
                        self.click(field.id, false, 1);
                        self.focus(field.id);
                        let len = self.rng.range(field.length.0, field.length.1);
                        self.type_text(field.id, len);
                        self.blur(field.id);
                    }
                }
            }
        }
        let remaining = (until - self.t - 1_000).max(0);
        self.fidget(remaining);
        // The cursor leaves for the tab bar: the last thing recorded.
        let x = self.mouse.0;
        self.move_to(x, 0.0);
        self.finish(&page.url, &page.title, page.nodes)
    }

    fn checkout_step(&mut self, page: &CheckoutPage, step: usize) {
        let fields = page.fields.len();
        if let Some(field) = page.fields.get(step) {
            if field.filled_by_lookup {
                // Street and city come from the postcode lookup: the page
                // sets them and rrweb's hooked value setter reports it.
                let len = self.rng.range(field.length.0, field.length.1);
                self.input(self.t, field.id, masked(len as usize), false);
                self.wait(5, 30);
                return;
            }
            self.click(field.id, false, 1);
            self.focus(field.id);
            let len = self.rng.range(field.length.0, field.length.1);
            self.type_text(field.id, len);
            self.wait(200, 1_200);
            self.blur(field.id);
            let valid = self.rng.chance(0.9);
            let class = if valid { "field__input is-valid" } else { "field__input is-invalid" };
            let mut attributes = vec![attr(
                field.id,
                json!({"class": class, "aria-invalid": if valid { "false" } else { "true" }}),
            )];
            let mut texts = vec![];
            if let Some(&error) = page.errors.get(step) {
                attributes.push(attr(error, json!({"hidden": if valid { json!("") } else { Value::Null }})));
                if !valid {
                    texts.push(json!({"id": error, "value": "Controleer dit veld"}));
                }
            }
            self.mutation(self.t + 5, texts, attributes, vec![], vec![]);
            if step == 5 {
                // House number entered: the address lookup runs.
                let lookup = page.address_lookup;
                self.attributes(
                    self.t + 10,
                    lookup,
                    json!({"aria-busy": "true", "class": "address-lookup is-busy"}),
                );
                let t = self.soon(300, 900);
                self.attributes(t, lookup, json!({"aria-busy": "false", "class": "address-lookup"}));
            }
            return;
        }
        match step - fields {
            0 => {
                let index = self.rng.below(page.delivery.len() as u64) as usize;
                self.click(page.delivery[index], false, 1);
                for (i, radio) in page.delivery.iter().enumerate() {
                    self.input(self.t + 2, *radio, i.to_string(), i == index);
                }
                let (shipping, total) = if index == 1 { ("€ 3,95", 395) } else { ("Gratis", 0) };
                let total = price(self.rng.range(60, 400) * 100 - 5 + total);
                let t = self.soon(100, 400);
                self.mutation(
                    t,
                    vec![
                        json!({"id": page.shipping_text, "value": shipping}),
                        json!({"id": page.total_text, "value": total}),
                    ],
                    vec![],
                    vec![],
                    vec![],
                );
            }
            1 => {
                self.click(page.payment[0], false, 1);
                for (i, radio) in page.payment.iter().enumerate() {
                    self.input(self.t + 2, *radio, i.to_string(), i == 0);
                }
            }
            2 => {
                self.click(page.bank_select, false, 1);
                self.focus(page.bank_select);
                self.wait(800, 3_000);
                let bank = self.rng.range(3, 12) as usize;
                self.input(self.t, page.bank_select, masked(bank), false);
                self.blur(page.bank_select);
            }
            3 => {
                self.click(page.terms, false, 1);
                self.input(self.t + 2, page.terms, "on", true);
            }
            _ => self.submit(page),
        }
    }

    fn submit(&mut self, page: &CheckoutPage) {
        self.click(page.submit, false, 1);
        self.attributes(
            self.t + 10,
            page.submit,
            json!({"class": "btn btn--primary btn--large is-loading", "disabled": ""}),
        );
        self.wait(600, 1_800);
        // The payment provider answers slowly; the visitor is told to wait.
        self.attributes(
            self.t,
            page.submit,
            json!({"class": "btn btn--primary btn--large", "disabled": null}),
        );
    }

    fn discount(&mut self, page: &CheckoutPage) {
        self.click(page.discount_input, false, 1);
        self.focus(page.discount_input);
        let len = self.rng.range(6, 10);
        self.type_text(page.discount_input, len);
        self.click(page.discount_apply, false, 1);
        let mut dom = Dom::default();
        let label = dom.text(format!("Kortingscode WINTER{}", self.rng.range(10, 30)));
        let amount = dom.text(format!("− {}", price(self.rng.range(5, 40) * 100)));
        let dt = dom.el("dt", &[], vec![label]);
        let dd = dom.el("dd", &[("class", "price price--discount")], vec![amount]);
        let mut row = dom.el("div", &[("class", "summary__discount")], vec![dt, dd]);
        let mut map = HashMap::new();
        renumber(&mut row, &mut self.next_id, &mut map);
        let mut adds = Vec::new();
        flat_adds(&row, page.summary_list, None, &mut adds);
        let t = self.soon(300, 1_000);
        let total = price(self.rng.range(60, 400) * 100 - 5);
        self.mutation(t, vec![json!({"id": page.total_text, "value": total})], vec![], vec![], adds);
        self.advance(t - self.t + 100);
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use std::collections::{BTreeMap, HashSet};

    use super::*;

    fn ten_minutes() -> Recording {
        Recording::generate(&RecordingOptions::default())
    }

    fn snapshot_ids(node: &Value, ids: &mut HashSet<i64>) {
        assert!(ids.insert(id_of(node)), "duplicate id {}", id_of(node));
        for child in node["childNodes"].as_array().into_iter().flatten() {
            snapshot_ids(child, ids);
        }
    }

    #[test]
    fn the_same_seed_gives_the_same_bytes() {
        let a = serde_json::to_string(&ten_minutes().events().collect::<Vec<_>>()).unwrap();
        let b = serde_json::to_string(&ten_minutes().events().collect::<Vec<_>>()).unwrap();
        assert_eq!(a, b);
        let other = Recording::generate(&RecordingOptions { seed: 7, ..Default::default() });
        assert_ne!(a, serde_json::to_string(&other.events().collect::<Vec<_>>()).unwrap());
    }

    /// Every id an incremental event names exists in the page's snapshot or
    /// was added by an earlier mutation: a player would otherwise drop it.
    #[test]
    fn events_are_ordered_and_refer_to_known_nodes() {
        let recording = ten_minutes();
        let minutes = recording.duration_ms() as f64 / 60_000.0;
        assert!((9.8..=10.2).contains(&minutes), "{minutes} minutes");
        let mut kinds: BTreeMap<String, usize> = BTreeMap::new();
        for view in &recording.views {
            let mut ids = HashSet::new();
            let mut last = 0;
            assert!((300..=1500).contains(&view.snapshot_nodes), "{} nodes", view.snapshot_nodes);
            for event in &view.events {
                let ts = event["timestamp"].as_i64().unwrap();
                assert!(ts >= last, "timestamps go back: {event}");
                last = ts;
                let data = &event["data"];
                let key = format!("{}/{}", event["type"], data["source"]);
                *kinds.entry(key).or_default() += 1;
                match (event["type"].as_i64(), data["source"].as_i64()) {
                    (Some(2), _) => snapshot_ids(&data["node"], &mut ids),
                    (Some(3), Some(0)) => {
                        for add in data["adds"].as_array().unwrap() {
                            assert!(ids.contains(&add["parentId"].as_i64().unwrap()), "{add}");
                            assert!(ids.insert(id_of(&add["node"])), "{add}");
                        }
                        for list in ["texts", "attributes", "removes"] {
                            for change in data[list].as_array().unwrap() {
                                assert!(ids.contains(&change["id"].as_i64().unwrap()), "{list}: {change}");
                            }
                        }
                    }
                    (Some(3), Some(1)) => {
                        for position in data["positions"].as_array().unwrap() {
                            assert!(ids.contains(&position["id"].as_i64().unwrap()), "{position}");
                            assert!(position["timeOffset"].as_i64().unwrap() <= 0);
                        }
                    }
                    (Some(3), Some(2 | 3 | 5)) => {
                        assert!(ids.contains(&data["id"].as_i64().unwrap()), "{event}");
                    }
                    _ => {}
                }
            }
        }
        for kind in ["4/null", "2/null", "3/0", "3/1", "3/2", "3/3", "3/5", "5/null"] {
            assert!(kinds.get(kind).is_some_and(|n| *n > 0), "no {kind} events: {kinds:?}");
        }
    }

    #[test]
    fn batches_follow_the_recorder_rules() {
        let recording = ten_minutes();
        let batches = recording.batches("shop", "3f2c1a9e-7b4d-4c2a-9e1f-0a1b2c3d4e5f");
        let mut all = Vec::new();
        for (seq, batch) in batches.iter().enumerate() {
            assert_eq!(batch["seq"], seq);
            let events = batch["events"].as_array().unwrap();
            let ts: Vec<i64> = events.iter().map(|e| e["timestamp"].as_i64().unwrap()).collect();
            let size = serde_json::to_vec(events).unwrap().len();
            let span = ts.last().unwrap() - ts.first().unwrap();
            assert!(span < BATCH_INTERVAL_MS, "batch {seq} spans {span} ms");
            assert!(size < BATCH_MAX_BYTES * 2 || events.len() <= 2, "batch {seq}: {size} bytes");
            all.extend(events.iter().cloned());
        }
        assert_eq!(all, recording.events().cloned().collect::<Vec<_>>());
    }
}
