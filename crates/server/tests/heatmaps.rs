//! Heatmaps end to end (SPEC §6): clicks at known document coordinates for
//! several pages, devices and days go through `/v1/ingest`; every cell,
//! total and visitor count of `/v1/sites/{site}/heatmaps` is checked
//! against an independent computation here; `k_min` hides cells; fixed
//! clicks come back apart; scroll depth and the pages list add up.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::str::FromStr;
use std::time::Duration;

use common::{ORIGIN, keyring, msgpack, zstd};
use serde_json::{Value, json};
use veil_consent::{ClaimsInput, ConsentId, Purposes, SiteId, VisitorId};
use veil_test_support::{TestDatabase, VeilOptions, VeilProcess};

const ANALYST_KEY: &str = "veil_test_analyst";
const COLS: f64 = 64.0;
const ROW_PX: f64 = 16.0;

/// The test's days, four to two days ago: (date, midnight in Unix ms).
fn days() -> Vec<(String, i64)> {
    let today = (common::now() / 86_400) as i64;
    (2..=4)
        .rev()
        .map(|ago| {
            let day = today - ago;
            let date =
                humantime::format_rfc3339(std::time::UNIX_EPOCH + Duration::from_secs(day as u64 * 86_400))
                    .to_string()[..10]
                    .to_owned();
            (date, day * 86_400_000)
        })
        .collect()
}

/// `from=…&to=…` covering the test's days.
fn range() -> String {
    let days = days();
    format!("from={}&to={}", days[0].0, days[2].0)
}

/// (path, page key).
const PAGES: [(&str, &str); 3] = [
    ("/", "http://127.0.0.1:8080/"),
    ("/product/12345?utm_source=mail", "http://127.0.0.1:8080/product/:id"),
    ("/cart/", "http://127.0.0.1:8080/cart"),
];

/// (viewport width, device class, document width).
const DEVICES: [(u32, &str, f64); 3] =
    [(1280, "desktop", 1280.0), (800, "tablet", 800.0), (375, "mobile", 375.0)];

fn server(extra_site_config: &str) -> (TestDatabase, VeilProcess) {
    let db = TestDatabase::new();
    common::migrate(&db);
    let hash = blake3::hash(ANALYST_KEY.as_bytes()).to_hex();
    let config = format!(
        "{}{extra_site_config}\n[[api_keys]]\nname = \"ana\"\nrole = \"analyst\"\nhash = \"blake3:{hash}\"\n",
        common::config_for(&db.url(), db.name())
    );
    let mut veil = VeilProcess::start(common::VEIL.as_ref(), VeilOptions { config, ..Default::default() });
    common::wait_ready(&mut veil);
    (db, veil)
}

fn token_for(site: &str, visitor: usize) -> String {
    keyring().mint(ClaimsInput {
        site: SiteId::from_str(site).expect("site"),
        consent_id: ConsentId::generate(),
        visitor: VisitorId::from_str(&format!("{visitor:032x}")).expect("visitor"),
        purposes: Purposes::from_names(["recording", "heatmaps"]).expect("purposes"),
        issued_at: common::now(),
        ttl: Duration::from_secs(3600),
    })
}

/// A deterministic pseudo-random sequence.
struct Rng(u64);

impl Rng {
    fn next(&mut self, below: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % below
    }
}

/// Expected click cells: (page key, device, layer) → (col, row) → (clicks, visitors).
type Expected = BTreeMap<(String, String, String), BTreeMap<(u64, u64), (u64, BTreeSet<usize>)>>;

struct Sent {
    expected: Expected,
    /// (page key, device) → page views reaching each 5 % bucket.
    scroll: BTreeMap<(String, String), [u64; 21]>,
}

fn send_clicks(veil: &VeilProcess, site: &str, visitors: usize) -> Sent {
    let mut rng = Rng(0x5eed_1234_abcd_ef01);
    let mut expected = Expected::new();
    let mut scroll: BTreeMap<(String, String), [u64; 21]> = BTreeMap::new();
    let mut seq = 0;
    for visitor in 0..visitors {
        let token = token_for(site, visitor);
        for (_, midnight) in days() {
            for (path, key) in PAGES {
                for (vw, device, doc_w) in DEVICES {
                    // Not every visitor sees every page on every device.
                    if rng.next(3) == 0 {
                        continue;
                    }
                    let doc_h = 3000.0;
                    let session = format!("{visitor:08x}-0000-4000-8000-{seq:012x}");
                    let mut events = vec![json!({"type": 4, "timestamp": midnight + 3_600_000,
                        "data": {"href": format!("http://127.0.0.1:8080{path}"), "width": vw, "height": 700}})];
                    for i in 0..(1 + rng.next(6)) {
                        let fixed = rng.next(5) == 0;
                        let (x, y) = if fixed {
                            (rng.next(u64::from(vw)) as f64 + 0.5, rng.next(700) as f64)
                        } else {
                            (rng.next(doc_w as u64) as f64 + 0.25, rng.next(3000) as f64 + 0.5)
                        };
                        let width = if fixed { f64::from(vw) } else { doc_w };
                        let cell = ((x / width * COLS).floor() as u64, (y / ROW_PX).floor() as u64);
                        let layer = if fixed { "fixed" } else { "document" };
                        let entry = expected
                            .entry((key.to_owned(), device.to_owned(), layer.to_owned()))
                            .or_default()
                            .entry(cell)
                            .or_insert((0, BTreeSet::new()));
                        entry.0 += 1;
                        entry.1.insert(visitor);
                        events.push(
                            json!({"type": 5, "timestamp": midnight + 3_600_000 + 10_000 * (i as i64 + 1),
                            "data": {"tag": "veil.click", "payload": {"x": x, "y": y, "w": doc_w, "h": doc_h,
                                "vw": vw, "vh": 700, "fixed": fixed, "selector": "main > button.buy",
                                "rage": false, "dead": false}}}),
                        );
                    }
                    // Scroll: the deepest point of this page view.
                    let top = rng.next(2300) as f64;
                    events.push(json!({"type": 5, "timestamp": midnight + 3_700_000,
                        "data": {"tag": "veil.scroll", "payload": {"x": 0, "y": top, "w": doc_w, "h": doc_h, "vw": vw, "vh": 700}}}));
                    let deepest = ((top + 700.0) / doc_h).min(1.0);
                    let bucket = (deepest * 20.0).floor() as usize;
                    let counts = scroll.entry((key.to_owned(), device.to_owned())).or_insert([0; 21]);
                    for reached in counts.iter_mut().take(bucket + 1) {
                        *reached += 1;
                    }
                    let batch = json!({"v": 1, "site": site, "session": session, "seq": 0,
                        "page": {"url": format!("http://127.0.0.1:8080{path}")},
                        "viewport": {"w": vw, "h": 700}, "document": {"w": doc_w, "h": doc_h}, "events": events});
                    let origin = if site == "demo" { ORIGIN } else { "https://other.example" };
                    let response = veil.post(
                        "/v1/ingest",
                        &[
                            ("Origin", origin),
                            ("X-Consent-Token", &token),
                            ("Content-Type", "application/msgpack"),
                            ("Content-Encoding", "zstd"),
                        ],
                        &zstd(&msgpack(&batch)),
                    );
                    assert_eq!(response.status, 202, "{}", String::from_utf8_lossy(&response.body));
                    seq += 1;
                }
            }
        }
    }
    Sent { expected, scroll }
}

fn get(veil: &VeilProcess, path: &str) -> Value {
    let response = veil.request("GET", path, &[("Authorization", &format!("Bearer {ANALYST_KEY}"))], b"");
    assert_eq!(response.status, 200, "{path}: {}", String::from_utf8_lossy(&response.body));
    response.json()
}

fn encode(key: &str) -> String {
    key.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// Cells as the API returns them: (x, y) → count.
fn cells_of(layer: &Value) -> BTreeMap<(u64, u64), u64> {
    layer["cells"]
        .as_array()
        .expect("cells")
        .iter()
        .map(|c| {
            ((c["x"].as_u64().expect("x"), c["y"].as_u64().expect("y")), c["count"].as_u64().expect("count"))
        })
        .collect()
}

/// Expected cells of a page for a device (None: all devices) and layer,
/// with at least `k_min` visitors; and (total clicks, distinct visitors)
/// over all cells.
fn expected_cells(
    sent: &Sent,
    key: &str,
    device: Option<&str>,
    layer: &str,
    k_min: usize,
) -> (BTreeMap<(u64, u64), u64>, u64, usize) {
    let mut merged: BTreeMap<(u64, u64), (u64, BTreeSet<usize>)> = BTreeMap::new();
    for ((k, d, l), cells) in &sent.expected {
        if k != key || l != layer || device.is_some_and(|device| device != d) {
            continue;
        }
        for (cell, (count, visitors)) in cells {
            let entry = merged.entry(*cell).or_insert((0, BTreeSet::new()));
            entry.0 += count;
            entry.1.extend(visitors);
        }
    }
    let total = merged.values().map(|(c, _)| c).sum();
    let visitors = merged.values().flat_map(|(_, v)| v.iter()).collect::<BTreeSet<_>>().len();
    let visible =
        merged.into_iter().filter(|(_, (_, v))| v.len() >= k_min).map(|(cell, (c, _))| (cell, c)).collect();
    (visible, total, visitors)
}

#[test]
fn every_cell_total_and_visitor_count_matches_an_independent_computation() {
    let (db, veil) = server("");
    let sent = send_clicks(&veil, "demo", 6);
    let total_clicks: u64 = sent.expected.values().flat_map(|cells| cells.values()).map(|(c, _)| c).sum();
    common::wait_for_query(
        &db,
        "SELECT sumMerge(clicks) FROM heatmap_clicks",
        &total_clicks.to_string(),
        Duration::from_secs(20),
    );
    // A batch's rows go in one insert per table, clicks first and page
    // stats after scroll depth: once page stats have every click, scroll
    // depth is complete too.
    common::wait_for_query(
        &db,
        "SELECT sumMerge(clicks) FROM page_stats",
        &total_clicks.to_string(),
        Duration::from_secs(20),
    );
    for (_, key) in PAGES {
        for device in [None, Some("desktop"), Some("tablet"), Some("mobile")] {
            let device_param = device.unwrap_or("all");
            let answer = get(
                &veil,
                &format!(
                    "/v1/sites/demo/heatmaps?page={}&kind=click&device={device_param}&{}",
                    encode(key),
                    range()
                ),
            );
            assert_eq!(answer["page"], key);
            assert_eq!(answer["grid"], json!({"cols": 64, "row_px": 16}));
            for (layer, json_layer) in [("document", &answer), ("fixed", &answer["fixed"])] {
                let (cells, total, visitors) = expected_cells(&sent, key, device, layer, 1);
                assert_eq!(cells_of(json_layer), cells, "{key} {device_param} {layer}: cells");
                assert_eq!(json_layer["total"].as_u64(), Some(total), "{key} {device_param} {layer}: total");
                assert_eq!(
                    json_layer["visitors"].as_u64(),
                    Some(visitors as u64),
                    "{key} {device_param} {layer}: visitors"
                );
            }
            // One day only: a subset.
            let one_day = get(
                &veil,
                &format!(
                    "/v1/sites/demo/heatmaps?page={}&device={device_param}&from={d}&to={d}",
                    encode(key),
                    d = days()[1].0
                ),
            );
            assert!(one_day["total"].as_u64() <= answer["total"].as_u64());

            // Scroll depth.
            let scroll = get(
                &veil,
                &format!(
                    "/v1/sites/demo/heatmaps?page={}&kind=scroll&device={device_param}&{}",
                    encode(key),
                    range()
                ),
            );
            let mut expected = [0u64; 21];
            for ((k, d), counts) in &sent.scroll {
                if k == key && device.is_none_or(|device| device == d) {
                    for (sum, count) in expected.iter_mut().zip(counts) {
                        *sum += count;
                    }
                }
            }
            let depth: Vec<u64> = scroll["depth"]
                .as_array()
                .expect("depth")
                .iter()
                .map(|d| d["reached"].as_u64().unwrap_or(0))
                .collect();
            assert_eq!(depth, expected.to_vec(), "{key} {device_param}: scroll depth");
            assert_eq!(scroll["depth"][20]["pct"], 100);
        }
    }
    // Pages, most viewed first.
    let pages = get(&veil, &format!("/v1/sites/demo/pages?{}", range()));
    let listed: Vec<&str> =
        pages["pages"].as_array().expect("pages").iter().filter_map(|p| p["page"].as_str()).collect();
    assert_eq!(listed.len(), 3, "{pages}");
    let views: Vec<u64> =
        pages["pages"].as_array().expect("pages").iter().filter_map(|p| p["views"].as_u64()).collect();
    assert!(views.windows(2).all(|w| w[0] >= w[1]), "{pages}");
    let clicks: u64 =
        pages["pages"].as_array().expect("pages").iter().filter_map(|p| p["clicks"].as_u64()).sum();
    assert_eq!(clicks, total_clicks);
}

#[test]
fn k_min_hides_cells_seen_by_fewer_visitors() {
    let (db, veil) = server("k_min = 3\n");
    // `k_min = 3` was appended to the last site table: `other`.
    let sent = send_clicks(&veil, "other", 5);
    let total_clicks: u64 = sent.expected.values().flat_map(|cells| cells.values()).map(|(c, _)| c).sum();
    common::wait_for_query(
        &db,
        "SELECT sumMerge(clicks) FROM heatmap_clicks",
        &total_clicks.to_string(),
        Duration::from_secs(20),
    );
    let mut hidden = 0;
    for (_, key) in PAGES {
        let answer = get(&veil, &format!("/v1/sites/other/heatmaps?page={}&{}", encode(key), range()));
        let (cells, total, _) = expected_cells(&sent, key, None, "document", 3);
        let (all, _, _) = expected_cells(&sent, key, None, "document", 1);
        hidden += all.len() - cells.len();
        assert_eq!(cells_of(&answer), cells, "{key}");
        assert!(cells_of(&answer).len() < all.len() || all.is_empty(), "{key}: nothing hidden");
        assert_eq!(answer["total"].as_u64(), Some(total));
    }
    assert!(hidden > 0, "the test data must have cells under k_min");
}

#[test]
fn the_heatmap_api_needs_an_api_key() {
    let (_db, veil) = server("");
    let path = "/v1/sites/demo/heatmaps?page=%2F";
    let no_key = veil.request("GET", path, &[], b"");
    assert_eq!((no_key.status, no_key.error_code().as_str()), (401, "unauthorized"));
    assert_eq!(no_key.header("www-authenticate"), Some("Bearer"));
    let wrong = veil.request("GET", path, &[("Authorization", "Bearer veil_nope")], b"");
    assert_eq!(wrong.status, 401);
    let unknown_site = veil.request(
        "GET",
        "/v1/sites/nosuch/heatmaps?page=%2F",
        &[("Authorization", &format!("Bearer {ANALYST_KEY}"))],
        b"",
    );
    assert_eq!(unknown_site.status, 404);
    let bad = veil.request(
        "GET",
        "/v1/sites/demo/heatmaps?page=%2F&device=watch",
        &[("Authorization", &format!("Bearer {ANALYST_KEY}"))],
        b"",
    );
    assert_eq!((bad.status, bad.error_code().as_str()), (400, "bad_request"));
    for range in ["to=9999-12-31", "from=2149-06-06&to=2149-06-07"] {
        let far = veil.request(
            "GET",
            &format!("/v1/sites/demo/heatmaps?page=%2F&{range}"),
            &[("Authorization", &format!("Bearer {ANALYST_KEY}"))],
            b"",
        );
        assert_eq!((far.status, far.error_code().as_str()), (400, "bad_request"), "{range}");
    }
}

#[test]
fn clicks_of_a_plain_rrweb_recorder_are_derived_from_mouse_interactions() {
    let (db, veil) = server("");
    let midnight = days()[1].1;
    let token = token_for("demo", 1);
    // A FullSnapshot whose document node is id 1, a scroll of the document
    // to y = 400, then a click at viewport (100, 50): document (100, 450).
    let batch = json!({"v": 1, "site": "demo", "session": "00000001-0000-4000-8000-0000000000aa", "seq": 0,
    "page": {"url": "http://127.0.0.1:8080/plain"}, "viewport": {"w": 1280, "h": 700},
    "document": {"w": 1280, "h": 3000},
    "events": [
        {"type": 4, "timestamp": midnight + 1000, "data": {"href": "http://127.0.0.1:8080/plain", "width": 1280, "height": 700}},
        {"type": 2, "timestamp": midnight + 1001, "data": {"node": {"type": 0, "id": 1, "childNodes": []},
            "initialOffset": {"left": 0, "top": 0}}},
        {"type": 3, "timestamp": midnight + 2000, "data": {"source": 3, "id": 1, "x": 0, "y": 400}},
        {"type": 3, "timestamp": midnight + 3000, "data": {"source": 2, "type": 2, "id": 5, "x": 100, "y": 50}}
    ]});
    let response = veil.post(
        "/v1/ingest",
        &[("Origin", ORIGIN), ("X-Consent-Token", &token), ("Content-Type", "application/json")],
        &serde_json::to_vec(&batch).expect("json"),
    );
    assert_eq!(response.status, 202, "{}", String::from_utf8_lossy(&response.body));
    common::wait_for_query(&db, "SELECT sumMerge(clicks) FROM heatmap_clicks", "1", Duration::from_secs(10));
    let answer = get(
        &veil,
        &format!("/v1/sites/demo/heatmaps?page={}&{}", encode("http://127.0.0.1:8080/plain"), range()),
    );
    let expected: BTreeMap<(u64, u64), u64> =
        [(((100.0 / 1280.0 * COLS) as u64, (450.0 / ROW_PX) as u64), 1)].into();
    assert_eq!(cells_of(&answer), expected, "{answer}");
}
