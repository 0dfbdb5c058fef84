//! The visitor's behaviour over the pages, as rrweb events.
use std::collections::HashMap;

use serde_json::{Value, json};

use super::dom::*;
use super::pages::*;
use super::text::*;
use super::*;

/// One sampled cursor position, viewport coordinates.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Position {
    pub(crate) t: i64,
    pub(crate) x: i64,
    pub(crate) y: i64,
    pub(crate) id: i64,
}

/// A visitor on one page: moves, scrolls, clicks and types, while the page
/// changes by itself; every action advances the clock.
pub(crate) struct Sim<'r> {
    pub(crate) rng: &'r mut Rng,
    pub(crate) t: i64,
    pub(crate) events: Vec<Value>,
    pub(crate) positions: Vec<Position>,
    pub(crate) mouse: (f64, f64),
    pub(crate) scroll_y: i64,
    pub(crate) viewport: (i64, i64),
    pub(crate) doc_h: i64,
    pub(crate) regions: Vec<Region>,
    pub(crate) next_id: i64,
    /// What the cursor is over when no known region is under it.
    pub(crate) body: i64,
    pub(crate) background: Vec<Background>,
    /// Images not loaded yet: id, document y, `src`, `srcset`.
    pub(crate) lazy: Vec<(i64, i64, String, String)>,
    pub(crate) carousel: Option<Carousel>,
}

/// Something the page does on a timer.
pub(crate) struct Background {
    pub(crate) next: i64,
    pub(crate) every: (i64, i64),
    pub(crate) kind: BackgroundKind,
}

pub(crate) enum BackgroundKind {
    /// The "n mensen bekijken dit product" counter (its text node).
    Viewers(i64),
    /// The checkout's reservation countdown (its text node, page start).
    Timer(i64, i64),
    /// Gallery autoplay, while the gallery is in view and not paused.
    Carousel,
}

pub(crate) struct Carousel {
    pub(crate) slides: Vec<i64>,
    pub(crate) dots: Vec<i64>,
    pub(crate) track: i64,
    pub(crate) current: usize,
    pub(crate) paused: bool,
}

impl<'r> Sim<'r> {
    pub(crate) fn new(
        rng: &'r mut Rng,
        t: i64,
        viewport: (i64, i64),
        doc_h: i64,
        regions: Vec<Region>,
    ) -> Sim<'r> {
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

    pub(crate) fn push(&mut self, t: i64, kind: i64, data: Value) {
        self.events.push(json!({"type": kind, "data": data, "timestamp": t}));
    }

    pub(crate) fn incremental(&mut self, t: i64, data: Value) {
        self.push(t, 3, data);
    }

    pub(crate) fn mutation(
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
    pub(crate) fn wait(&mut self, lo: i64, hi: i64) {
        let ms = self.rng.range(lo, hi);
        self.advance(ms);
    }

    /// A random time `lo..=hi` ms from now.
    pub(crate) fn soon(&mut self, lo: i64, hi: i64) -> i64 {
        self.t + self.rng.range(lo, hi)
    }

    /// An Input event: the control's whole (masked) value or checked state.
    pub(crate) fn input(&mut self, t: i64, id: i64, text: impl Into<String>, checked: bool) {
        self.incremental(t, json!({"source": 5, "text": text.into(), "isChecked": checked, "id": id}));
    }

    /// A mutation that only changes one element's attributes.
    pub(crate) fn attributes(&mut self, t: i64, id: i64, attributes: Value) {
        self.mutation(t, vec![], vec![attr(id, attributes)], vec![], vec![]);
    }

    /// Moves the clock, letting the page's own timers fire on the way.
    pub(crate) fn advance(&mut self, ms: i64) {
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

    pub(crate) fn show_slide(&mut self, t: i64, next: usize) {
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
    pub(crate) fn id_at(&self, x: i64, y: i64) -> i64 {
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
    pub(crate) fn move_to(&mut self, tx: f64, ty: f64) {
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
    pub(crate) fn fidget(&mut self, ms: i64) {
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
    pub(crate) fn scroll_to(&mut self, target: i64) {
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
    pub(crate) fn lazy_load(&mut self) {
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
    pub(crate) fn reveal(&mut self, region: &Region) {
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

    pub(crate) fn region(&self, id: i64) -> Option<Region> {
        self.regions.iter().find(|r| r.id == id).cloned()
    }

    /// Moves onto `id` (scrolling first if needed) and returns the viewport
    /// point the cursor rests on.
    pub(crate) fn point_at(&mut self, id: i64) -> Option<(i64, i64, Region)> {
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
    pub(crate) fn click(&mut self, id: i64, dead: bool, clicks: usize) {
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
    pub(crate) fn focus(&mut self, id: i64) {
        self.incremental(self.t + 1, json!({"source": 2, "type": 5, "id": id}));
    }

    pub(crate) fn blur(&mut self, id: i64) {
        self.incremental(self.t, json!({"source": 2, "type": 6, "id": id}));
    }

    /// Typing `len` characters: one Input event per keystroke carrying the
    /// whole (masked) value, with the odd correction and thinking pause.
    pub(crate) fn type_text(&mut self, id: i64, len: i64) -> usize {
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
    pub(crate) fn idle(&mut self, ms: i64, away: bool) {
        if away {
            self.advance(ms);
        } else {
            self.fidget(ms);
        }
    }

    /// Cursor positions as rrweb emits them: the first of a burst at once,
    /// then the rest every 500 ms with offsets relative to the emit time.
    pub(crate) fn flush_positions(&mut self) {
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
    pub(crate) fn open(&mut self, url: &str, snapshot: &Value) {
        let (w, h) = self.viewport;
        self.push(self.t, 4, json!({"href": url, "width": w, "height": h}));
        let t = self.soon(8, 40);
        self.push(t, 2, json!({"node": snapshot, "initialOffset": {"left": 0, "top": 0}}));
        self.wait(150, 600);
    }

    pub(crate) fn finish(&mut self, url: &str, title: &str, nodes: usize) -> PageView {
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
pub(crate) const PRODUCT_ACTIONS: &[(ProductAction, u64)] = &[
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
pub(crate) enum ProductAction {
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

pub(crate) fn weighted<T: Copy>(rng: &mut Rng, choices: &[(T, u64)]) -> T {
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
    pub(crate) fn product_visit(&mut self, page: &ProductPage, start: i64, until: i64) -> PageView {
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
    pub(crate) fn drawer(&mut self, page: &ProductPage, open: bool) {
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

    pub(crate) fn add_to_cart(&mut self, page: &ProductPage, in_cart: i64) {
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

    pub(crate) fn checkout_visit(&mut self, page: &CheckoutPage, start: i64, until: i64) -> PageView {
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

    pub(crate) fn checkout_step(&mut self, page: &CheckoutPage, step: usize) {
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

    pub(crate) fn submit(&mut self, page: &CheckoutPage) {
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

    pub(crate) fn discount(&mut self, page: &CheckoutPage) {
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
