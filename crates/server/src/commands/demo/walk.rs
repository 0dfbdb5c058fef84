//! The demo's visitors: walks through the demo shop made of its pages as
//! Chromium recorded them with rrweb (`pages.json`, kept true by
//! `tests/demo_fixtures.rs`), one batch per page view.

use anyhow::Context;
use serde::Deserialize;
use serde_json::{Value, json};
use veil_recording::Rng;

use super::{DemoOptions, Visit};

/// The demo pages as recorded ([`crate::commands::demo`]'s fixtures).
const PAGES: &str = include_str!("pages.json");

#[derive(Debug, Deserialize)]
struct Pages {
    pages: Vec<PageFixture>,
}

#[derive(Debug, Clone, Copy, Deserialize)]
struct Size {
    w: f64,
    h: f64,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct PageFixture {
    path: String,
    title: String,
    viewport: Size,
    document: Size,
    document_id: u64,
    meta: Value,
    snapshot: Value,
    targets: Vec<Target>,
}

#[derive(Debug, Deserialize)]
struct Target {
    id: u64,
    selector: String,
    /// `link`, `button`, `field` or `menu` (in the sticky header).
    kind: String,
    href: Option<String>,
    x: f64,
    y: f64,
    w: f64,
    h: f64,
}

/// The demo shop for one origin: its pages with URLs on that origin.
pub(crate) struct Shop {
    origin: String,
    pages: Vec<PageFixture>,
}

impl Shop {
    /// The committed fixtures, moved to `origin`.
    pub(crate) fn load(origin: &str) -> anyhow::Result<Shop> {
        #[allow(clippy::disallowed_methods, reason = "the demo's own fixture, embedded at build time")]
        let pages: Pages = serde_json::from_str(&PAGES.replace("{origin}", origin))
            .context("reading the demo's page fixtures")?;
        Ok(Shop { origin: origin.to_owned(), pages: pages.pages })
    }

    fn page(&self, path: &str) -> Option<&PageFixture> {
        let path = path.split(['?', '#']).next().unwrap_or(path);
        self.pages.iter().find(|page| page.path == path)
    }
}

impl PageFixture {
    fn targets<'p>(&'p self, pick: impl Fn(&Target) -> bool + 'p) -> impl Iterator<Item = &'p Target> + 'p {
        self.targets.iter().filter(move |target| pick(target))
    }

    fn target(&self, selector: &str) -> Option<&Target> {
        self.targets.iter().find(|t| t.selector == selector)
    }
}

/// One visitor's walk through the shop, as rrweb and Veil's recorder
/// would have sent it: one batch per page view.
struct Walk<'s> {
    shop: &'s Shop,
    rng: Rng,
    t: i64,
    scroll_y: f64,
    deepest: f64,
    mouse: (f64, f64),
    events: Vec<Value>,
    batches: Vec<(&'s PageFixture, Vec<Value>)>,
}

impl<'s> Walk<'s> {
    fn new(shop: &'s Shop, rng: Rng) -> Self {
        Walk {
            shop,
            rng,
            t: 0,
            scroll_y: 0.0,
            deepest: 0.0,
            mouse: (640.0, 400.0),
            events: Vec::new(),
            batches: Vec::new(),
        }
    }

    fn wait(&mut self, lo: i64, hi: i64) {
        self.t += self.rng.range(lo, hi);
    }

    fn push(&mut self, kind: u8, data: Value) {
        self.events.push(json!({"type": kind, "timestamp": self.t, "data": data}));
    }

    fn custom(&mut self, tag: &str, payload: Value) {
        self.push(5, json!({"tag": tag, "payload": payload}));
    }

    /// A page load: Meta, FullSnapshot at the top, the first depth reading.
    fn open(&mut self, page: &'s PageFixture) {
        self.close();
        self.scroll_y = 0.0;
        self.deepest = 0.0;
        let mut meta = page.meta.clone();
        meta["timestamp"] = json!(self.t);
        self.events.push(meta);
        self.t += 20;
        let mut snapshot = page.snapshot.clone();
        snapshot["timestamp"] = json!(self.t);
        self.events.push(snapshot);
        self.reading(page);
        self.batches.push((page, Vec::new()));
    }

    /// Ends the current page view's batch.
    fn close(&mut self) {
        if let Some((_, events)) = self.batches.last_mut() {
            events.append(&mut self.events);
        }
    }

    fn reading(&mut self, page: &PageFixture) {
        let bottom = self.scroll_y + page.viewport.h;
        if bottom <= self.deepest {
            return;
        }
        self.deepest = bottom;
        let (w, h, vw, vh) = (page.document.w, page.document.h, page.viewport.w, page.viewport.h);
        self.custom(
            "veil.scroll",
            json!({"x": 0, "y": self.scroll_y.round(), "w": w, "h": h, "vw": vw, "vh": vh, "fixed": false}),
        );
    }

    /// Scrolls to `top` in a few steps, as a wheel does.
    fn scroll_to(&mut self, page: &PageFixture, top: f64) {
        let top = top.clamp(0.0, (page.document.h - page.viewport.h).max(0.0)).round();
        let steps = self.rng.range(2, 5);
        let from = self.scroll_y;
        for step in 1..=steps {
            self.wait(90, 220);
            self.scroll_y = (from + (top - from) * step as f64 / steps as f64).round();
            self.push(3, json!({"source": 3, "id": page.document_id, "x": 0, "y": self.scroll_y}));
        }
        self.reading(page);
    }

    /// Moves the mouse to viewport (`x`, `y`): rrweb batches positions.
    fn move_to(&mut self, x: f64, y: f64) {
        let (fx, fy) = self.mouse;
        let positions: Vec<Value> = (1..=4)
            .map(|i| {
                let f = f64::from(i) / 4.0;
                json!({"x": (fx + (x - fx) * f).round(), "y": (fy + (y - fy) * f).round(), "id": 1, "timeOffset": -150 + i * 40})
            })
            .collect();
        self.wait(300, 900);
        self.push(3, json!({"source": 1, "positions": positions}));
        self.mouse = (x, y);
    }

    /// Clicks `target` (scrolling it into view first); `dead` when the
    /// page does nothing on it; `times` > 1 for a burst (rage).
    fn click(&mut self, page: &'s PageFixture, target: &Target, dead: bool, times: usize) {
        let fixed = target.kind == "menu";
        if !fixed {
            let centre = target.y + target.h / 2.0;
            if centre < self.scroll_y + 60.0 || centre > self.scroll_y + page.viewport.h - 40.0 {
                let top = centre - page.viewport.h * (0.3 + 0.3 * self.rng.unit());
                self.scroll_to(page, top);
            }
        }
        let x = target.x + target.w * (0.2 + 0.6 * self.rng.unit());
        let y = target.y + target.h * (0.25 + 0.5 * self.rng.unit());
        let view_y = if fixed { y } else { y - self.scroll_y };
        self.move_to(x, view_y);
        for i in 0..times.max(1) {
            self.wait(if i == 0 { 150 } else { 60 }, if i == 0 { 600 } else { 180 });
            let (x, view_y) = (x + self.rng.range(-3, 3) as f64, view_y + self.rng.range(-3, 3) as f64);
            self.push(
                3,
                json!({"source": 2, "type": 2, "id": target.id, "x": x.round(), "y": view_y.round()}),
            );
            let (cx, cy) = if fixed { (x, view_y) } else { (x, view_y + self.scroll_y) };
            self.custom(
                "veil.click",
                json!({
                    "x": cx.round(), "y": cy.round(), "w": page.document.w, "h": page.document.h,
                    "vw": page.viewport.w, "vh": page.viewport.h, "fixed": fixed,
                    "selector": target.selector, "rage": times >= 3, "dead": dead,
                }),
            );
        }
    }

    /// Clicks a field and types `len` characters, masked as the recorder
    /// sends them.
    fn type_into(&mut self, page: &'s PageFixture, target: &Target, len: usize) {
        self.click(page, target, false, 1);
        self.wait(600, 2_500);
        self.push(3, json!({"source": 5, "id": target.id, "text": "*".repeat(len), "isChecked": false}));
    }

    /// Follows `target`'s link: the next page view.
    fn follow(&mut self, page: &'s PageFixture, target: &Target) -> Option<&'s PageFixture> {
        self.click(page, target, false, 1);
        let next = self.shop.page(target.href.as_deref()?)?;
        self.wait(400, 1_200);
        self.open(next);
        Some(next)
    }

    fn pick<'p>(&mut self, options: Vec<&'p Target>) -> Option<&'p Target> {
        if options.is_empty() { None } else { Some(*self.rng.pick(&options)) }
    }

    /// The walk, from the landing page (or a product from a search).
    fn run(&mut self) {
        let shop = self.shop;
        let entry = if self.rng.chance(0.3) { "/products/trail-jacket" } else { "/" };
        let Some(mut page) = shop.page(entry) else { return };
        self.open(page);
        for _ in 0..8 {
            self.wait(1_500, 6_000);
            let next = match page.path.as_str() {
                "/" => self.landing(page),
                "/products" => self.list(page),
                "/checkout" => {
                    self.checkout(page);
                    None
                }
                "/contact" => {
                    self.contact(page);
                    None
                }
                _ => self.product(page),
            };
            match next {
                Some(next) => page = next,
                None => break,
            }
        }
        self.wait(1_000, 4_000);
        self.close();
    }

    fn landing(&mut self, page: &'s PageFixture) -> Option<&'s PageFixture> {
        let roll = self.rng.below(100);
        if roll < 20 {
            self.scroll_to(page, page.document.h);
            return None;
        }
        let target = match roll {
            20..70 => page.target("a#shop-now"),
            70..92 => {
                let cards = page.targets(|t| t.selector.ends_with("a.card")).collect();
                self.pick(cards)
            }
            _ => page.targets(|t| t.href.as_deref() == Some("/contact")).next(),
        }?;
        self.follow(page, target)
    }

    fn list(&mut self, page: &'s PageFixture) -> Option<&'s PageFixture> {
        if self.rng.chance(0.35) {
            // The filter chips do nothing in the demo: dead clicks.
            let chips = page.targets(|t| t.selector.contains("chip")).collect();
            if let Some(chip) = self.pick(chips) {
                let times = if self.rng.chance(0.25) { 3 } else { 1 };
                self.click(page, chip, true, times);
            }
        }
        if self.rng.chance(0.15) {
            return None;
        }
        let cards: Vec<&Target> = page.targets(|t| t.selector.ends_with("a.card")).collect();
        // The first row is clicked more.
        let card = if self.rng.chance(0.6) {
            self.pick(cards.iter().take(3).copied().collect())
        } else {
            self.pick(cards)
        }?;
        self.follow(page, card)
    }

    fn product(&mut self, page: &'s PageFixture) -> Option<&'s PageFixture> {
        if self.rng.chance(0.5) {
            let swatches = page.targets(|t| t.selector.contains("swatch")).collect();
            if let Some(swatch) = self.pick(swatches) {
                self.click(page, swatch, false, 1);
            }
        }
        if self.rng.chance(0.3)
            && let Some(size) = page.target("select#size")
        {
            self.click(page, size, false, 1);
        }
        if self.rng.chance(0.3) {
            let details = page.targets(|t| t.selector.ends_with("summary")).collect();
            if let Some(summary) = self.pick(details) {
                self.click(page, summary, false, 1);
            }
        }
        let roll = self.rng.below(100);
        if roll < 38 {
            let cart = page.target("a#add-to-cart")?;
            // Impatient visitors click twice before the page changes.
            if self.rng.chance(0.1) {
                self.click(page, cart, false, 3);
            }
            return self.follow(page, cart);
        }
        if roll < 58 {
            let related = page.targets(|t| t.selector.ends_with("a.card")).collect();
            let card = self.pick(related)?;
            return self.follow(page, card);
        }
        let depth = page.document.h * self.rng.unit();
        self.scroll_to(page, depth);
        None
    }

    fn checkout(&mut self, page: &'s PageFixture) {
        let fields: Vec<&Target> = page.targets(|t| t.kind == "field").collect();
        for field in fields {
            // Most who leave do so at the payment fields.
            let leave = if field.selector.contains("card") { 0.2 } else { 0.06 };
            if self.rng.chance(leave) {
                return;
            }
            if field.selector.contains("password") && self.rng.chance(0.6) {
                continue;
            }
            let len = self.rng.range(4, 24) as usize;
            self.type_into(page, field, len);
        }
        if let Some(order) = page.target("button#place-order")
            && self.rng.chance(0.8)
        {
            self.click(page, order, false, 1);
        }
    }

    fn contact(&mut self, page: &'s PageFixture) {
        let fields: Vec<&Target> = page.targets(|t| t.kind == "field").collect();
        for field in fields {
            if self.rng.chance(0.1) {
                return;
            }
            let len = self.rng.range(5, 60) as usize;
            self.type_into(page, field, len);
        }
        if let Some(send) = page.target("button#contact-send") {
            self.click(page, send, false, 1);
        }
    }
}

/// Visit `index`: a third of visitors come back; spread over the last
/// hours so the console's default range holds them.
pub(super) fn make_visit(
    shop: &Shop,
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
    let user_agent = *rng.pick(&USER_AGENTS);
    let mut walk = Walk::new(shop, Rng::new(rng.next_u64()));
    walk.run();
    let start = now_ms - (options.visits - index) as i64 * 20_000 - walk.t;
    let mut bodies = Vec::new();
    for (seq, (page, events)) in walk.batches.iter().enumerate() {
        let events: Vec<Value> = events
            .iter()
            .map(|event| {
                let mut event = event.clone();
                let t = event["timestamp"].as_i64().unwrap_or(0);
                event["timestamp"] = json!(start + t);
                event
            })
            .collect();
        let batch = json!({
            "v": 1, "site": options.site, "session": session, "seq": seq,
            "page": {"url": format!("{}{}", shop.origin, page.path), "title": page.title},
            "viewport": {"w": page.viewport.w, "h": page.viewport.h},
            "document": {"w": page.document.w, "h": page.document.h},
            "events": events,
        });
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

#[cfg(test)]
mod tests {
    use super::*;

    fn walks(n: u64) -> Vec<Vec<(String, Vec<Value>)>> {
        let shop = Shop::load("http://127.0.0.1:8080").expect("fixtures");
        (0..n)
            .map(|seed| {
                let mut walk = Walk::new(&shop, Rng::new(seed));
                walk.run();
                walk.batches.into_iter().map(|(page, events)| (page.path.clone(), events)).collect()
            })
            .collect()
    }

    #[test]
    fn the_fixtures_cover_every_demo_page_on_the_given_origin() {
        let shop = Shop::load("https://shop.example").expect("fixtures");
        let mut paths = vec!["/".to_owned(), "/products".into(), "/contact".into(), "/checkout".into()];
        paths.extend(crate::http::demo_site::CATALOGUE.iter().map(|p| format!("/products/{}", p.slug)));
        for path in paths {
            let page = shop.page(&path).unwrap_or_else(|| panic!("no fixture for {path}"));
            assert_eq!(page.meta["data"]["href"], format!("https://shop.example{path}"));
            assert!(!page.targets.is_empty(), "{path}");
        }
        assert!(!PAGES.contains("127.0.0.1"), "a capture address was left in the fixtures");
    }

    #[test]
    fn every_page_view_starts_with_its_snapshot_and_clicks_stay_on_the_page() {
        let shop = Shop::load("http://127.0.0.1:8080").expect("fixtures");
        let mut reached = std::collections::BTreeSet::new();
        for visit in walks(200) {
            assert!(!visit.is_empty());
            for (path, events) in visit {
                reached.insert(path.clone());
                assert_eq!(
                    (events[0]["type"].as_u64(), events[1]["type"].as_u64()),
                    (Some(4), Some(2)),
                    "{path}"
                );
                let page = shop.page(&path).expect("page");
                let times: Vec<i64> = events.iter().map(|e| e["timestamp"].as_i64().unwrap_or(-1)).collect();
                assert!(times.windows(2).all(|w| w[0] <= w[1]), "{path}: out of order");
                for event in &events {
                    if event["data"]["tag"] == "veil.click" {
                        let payload = &event["data"]["payload"];
                        let (x, y) =
                            (payload["x"].as_f64().unwrap_or(-1.0), payload["y"].as_f64().unwrap_or(-1.0));
                        assert!(
                            (0.0..=page.document.w).contains(&x) && (0.0..=page.document.h).contains(&y),
                            "{payload}"
                        );
                        let selector = payload["selector"].as_str().unwrap_or_default();
                        assert!(page.target(selector).is_some(), "{path}: {selector} is not on the page");
                    }
                    if event["data"]["source"] == 5 {
                        let text = event["data"]["text"].as_str().unwrap_or_default();
                        assert!(text.chars().all(|c| c == '*'), "typed text not masked: {text}");
                    }
                }
            }
        }
        assert!(reached.contains("/checkout") && reached.contains("/products"), "{reached:?}");
        assert!(reached.len() >= 8, "the walks reach too few pages: {reached:?}");
    }

    #[test]
    fn the_same_seed_walks_the_same_way() {
        assert_eq!(walks(5), walks(5));
    }
}
