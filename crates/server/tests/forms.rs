//! Form analytics end to end (issue 15): visits made here fill a checkout
//! form field by field over two batches each, leaving, correcting,
//! erroring, submitting or abandoning it; every figure of
//! `GET /v1/sites/{site}/forms` is computed again here from the events
//! sent and compared. `k_min` hides a field too few visitors used, the
//! device filter keeps to its visits, and a value typed next to the form
//! reaches no table.

#![allow(missing_docs, clippy::unwrap_used, clippy::disallowed_methods)]

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use common::server_with_k_min;
use common::{ANALYST_KEY, api, urlencode, visitor_token, wait_for_query};
use serde_json::{Value, json};
use veil_test_support::VeilProcess;

const PAGE: &str = "http://127.0.0.1:8080/checkout";
const FORM: &str = "form#checkout";
const FIELDS: [&str; 5] = ["input#name", "input#email", "input#phone", "select.country", "input#card"];
/// Used by one visitor only: under `k_min = 2`.
const RARE: &str = "input#coupon";
const SECRET: &str = "typed secret 4111111111111111";

/// (form, field, position, action, ms, refill, error) of one event.
type FormEvent = (String, String, u16, &'static str, u32, bool, bool);

/// What one visit did, as sent.
struct Visit {
    page_view: usize,
    mobile: bool,
    events: Vec<FormEvent>,
}

/// A small deterministic generator: the test must be the same every run.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, below: u64) -> u64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (self.0 >> 33) % below
    }
}

fn visits() -> Vec<Visit> {
    let mut rng = Lcg(15);
    (0..30)
        .map(|page_view| {
            let mut events: Vec<FormEvent> = Vec::new();
            let reach = 1 + rng.next(FIELDS.len() as u64) as usize;
            for (position, field) in FIELDS.iter().enumerate().take(reach) {
                // Some fields are visited twice (tabbing back).
                for _ in 0..1 + rng.next(2) {
                    let ms = 200 + rng.next(20_000) as u32;
                    let refill = rng.next(4) == 0;
                    let error = rng.next(5) == 0;
                    events.push((FORM.into(), (*field).into(), position as u16, "field", ms, refill, error));
                }
            }
            if page_view == 7 {
                events.push((FORM.into(), RARE.into(), 5, "field", 900, false, false));
            }
            // A search box outside any form.
            if rng.next(3) == 0 {
                events.push((String::new(), "input#search".into(), 0, "field", 1500, false, false));
            }
            let last = events.iter().rev().find(|e| e.0 == FORM).map(|e| (e.1.clone(), e.2)).unwrap();
            if reach == FIELDS.len() && rng.next(3) != 0 {
                events.push((FORM.into(), String::new(), 0, "submit", 0, false, false));
            } else {
                events.push((FORM.into(), last.0, last.1, "abandon", 0, false, false));
            }
            Visit { page_view, mobile: page_view % 4 == 0, events }
        })
        .collect()
}

fn form_event(ts: i64, e: &FormEvent) -> Value {
    let payload = match e.3 {
        "field" => json!({"action": "field", "form": e.0, "field": e.1, "index": e.2, "ms": e.4,
            "refill": e.5, "error": e.6}),
        "submit" => json!({"action": "submit", "form": e.0}),
        _ => json!({"action": "abandon", "form": e.0, "field": e.1, "index": e.2}),
    };
    json!({"type": 5, "timestamp": ts, "data": {"tag": "veil.form", "payload": payload}})
}

/// Sends a visit as two batches of one session; the second carries the
/// end of the form (submit or abandon) and a typed value next to it.
fn send(veil: &VeilProcess, visit: &Visit) {
    let token = visitor_token(&format!("{:032x}", 0xf0_0000 + visit.page_view), &["recording", "heatmaps"]);
    let session = format!("f0f0f0f0-0000-4000-8000-{:012}", visit.page_view);
    let width = if visit.mobile { 390 } else { 1280 };
    let ts = common::now() as i64 * 1000;
    let half = visit.events.len() / 2;
    for (seq, part) in [&visit.events[..half], &visit.events[half..]].into_iter().enumerate() {
        let mut events: Vec<Value> =
            part.iter().enumerate().map(|(i, e)| form_event(ts + (seq * 100 + i) as i64, e)).collect();
        events.push(json!({"type": 3, "timestamp": ts + 99, "data": {"source": 5, "id": 42, "text": SECRET,
            "isChecked": false}}));
        let batch = json!({"v": 1, "site": "demo", "session": session, "seq": seq,
            "page": {"url": PAGE}, "viewport": {"w": width, "h": 800}, "events": events});
        let answer = common::ingest(veil, &token, &batch);
        assert_eq!(answer.status, 202, "{}", String::from_utf8_lossy(&answer.body));
    }
}

/// ClickHouse's `quantile(0.5)` of a few values: linear interpolation.
fn median(values: &mut [u32]) -> u64 {
    values.sort_unstable();
    let position = (values.len() - 1) as f64 * 0.5;
    let (low, high) = (values[position.floor() as usize], values[position.ceil() as usize]);
    (f64::from(low) + (f64::from(high) - f64::from(low)) * position.fract()).round() as u64
}

fn rate(part: usize, whole: usize) -> f64 {
    ((part as f64 / whole as f64).min(1.0) * 10_000.0).round() / 10_000.0
}

/// Of one field: page views that left it, every time spent in it, page
/// views that refilled it, that saw an error in it, and abandonments at it.
type FieldSeen = (BTreeSet<usize>, Vec<u32>, BTreeSet<usize>, BTreeSet<usize>, usize);

/// The answer for `FORM`, computed from the visits sent.
fn expected(visits: &[&Visit], k_min: usize) -> Value {
    let started = visits.iter().filter(|v| v.events.iter().any(|e| e.0 == FORM)).count();
    let did = |action: &str| {
        visits.iter().filter(|v| v.events.iter().any(|e| e.0 == FORM && e.3 == action)).count()
    };
    let mut fields: BTreeMap<(u16, String), FieldSeen> = BTreeMap::new();
    for visit in visits {
        for e in visit.events.iter().filter(|e| e.0 == FORM && !e.1.is_empty()) {
            let entry = fields.entry((e.2, e.1.clone())).or_default();
            match e.3 {
                "field" => {
                    entry.0.insert(visit.page_view);
                    entry.1.push(e.4);
                    if e.5 {
                        entry.2.insert(visit.page_view);
                    }
                    if e.6 {
                        entry.3.insert(visit.page_view);
                    }
                }
                _ => entry.4 += 1,
            }
        }
    }
    let mut last: Option<(usize, u16, String)> = None;
    let mut out = Vec::new();
    for ((position, field), (reached, mut times, refilled, errored, abandoned)) in fields {
        // One visitor per page view here.
        if reached.len() < k_min {
            continue;
        }
        if abandoned > 0 && last.as_ref().is_none_or(|(n, _, _)| abandoned > *n) {
            last = Some((abandoned, position, field.clone()));
        }
        out.push(json!({
            "field": field, "position": position, "reached": reached.len(),
            "reach_rate": rate(reached.len(), started),
            "drop_off": ((1.0 - rate(reached.len(), started)) * 10_000.0).round() / 10_000.0,
            "median_ms": median(&mut times),
            "refilled": refilled.len(), "refill_rate": rate(refilled.len(), reached.len()),
            "errored": errored.len(), "error_rate": rate(errored.len(), reached.len()),
            "abandoned": abandoned, "visitors": reached.len(),
        }));
    }
    json!({
        "form": FORM, "started": started, "submitted": did("submit"),
        "submit_rate": rate(did("submit"), started), "abandoned": did("abandon"),
        "abandon_rate": rate(did("abandon"), started), "last_field": last.map(|(_, _, f)| f),
        "visitors": started, "fields": out,
    })
}

fn forms(veil: &VeilProcess, device: &str) -> Value {
    let path = format!("/v1/sites/demo/forms?page={}&device={device}", urlencode(PAGE));
    let answer = api(veil, "GET", &path, Some(ANALYST_KEY), b"");
    assert_eq!(answer.status, 200, "{}", String::from_utf8_lossy(&answer.body));
    answer.json()
}

#[test]
fn form_figures_match_what_the_visits_did() {
    let (db, veil) = server_with_k_min(2);
    let visits = visits();
    for visit in &visits {
        send(&veil, visit);
    }
    let sent: usize = visits.iter().map(|v| v.events.len()).sum();
    wait_for_query(
        &db,
        "SELECT count() FROM session_index",
        &(2 * visits.len()).to_string(),
        Duration::from_secs(20),
    );
    let stored = db.query("SELECT uniqIfMerge(reached) > 0 FROM form_fields");
    assert_eq!(stored.trim(), "1", "no form rows after {sent} events");

    let all: Vec<&Visit> = visits.iter().collect();
    let answer = forms(&veil, "all");
    assert_eq!(answer["k_min"], 2);
    let checkout = answer["forms"].as_array().unwrap().iter().find(|f| f["form"] == FORM).unwrap();
    assert_eq!(*checkout, expected(&all, 2), "{answer:#}");
    assert!(
        !checkout["fields"].as_array().unwrap().iter().any(|f| f["field"] == RARE),
        "a field of one visitor is under k_min"
    );
    assert!(checkout["submitted"].as_u64().unwrap() > 0 && checkout["abandoned"].as_u64().unwrap() > 0);
    // Fields outside any form are their own form, with no submit.
    let loose = answer["forms"].as_array().unwrap().iter().find(|f| f["form"] == "");
    if let Some(loose) = loose {
        assert_eq!(loose["fields"][0]["field"], "input#search");
        assert_eq!(loose["submitted"], 0);
    }

    let mobile: Vec<&Visit> = visits.iter().filter(|v| v.mobile).collect();
    let answer = forms(&veil, "mobile");
    let checkout = answer["forms"].as_array().unwrap().iter().find(|f| f["form"] == FORM).unwrap();
    assert_eq!(*checkout, expected(&mobile, 2), "{answer:#}");

    // With k_min 1 the rare field shows.
    let (db1, veil1) = server_with_k_min(1);
    for visit in &visits {
        send(&veil1, visit);
    }
    wait_for_query(
        &db1,
        "SELECT count() FROM session_index",
        &(2 * visits.len()).to_string(),
        Duration::from_secs(20),
    );
    let answer = forms(&veil1, "all");
    let checkout = answer["forms"].as_array().unwrap().iter().find(|f| f["form"] == FORM).unwrap();
    assert_eq!(*checkout, expected(&all, 1), "{answer:#}");

    // Nothing typed reached any table.
    let tables = common::dump_all_tables(&db);
    assert!(
        !tables.contains("typed secret") && !tables.contains("4111111111111111"),
        "a typed value was stored"
    );
}

#[test]
fn forms_need_a_page_and_an_analyst() {
    let (_db, veil) = server_with_k_min(1);
    let no_key = api(&veil, "GET", &format!("/v1/sites/demo/forms?page={}", urlencode(PAGE)), None, b"");
    assert_eq!(no_key.status, 401);
    let no_page = api(&veil, "GET", "/v1/sites/demo/forms", Some(ANALYST_KEY), b"");
    assert_eq!((no_page.status, no_page.error_code().as_str()), (400, "bad_request"));
    let bad_device = api(&veil, "GET", "/v1/sites/demo/forms?page=x&device=tv", Some(ANALYST_KEY), b"");
    assert_eq!(bad_device.status, 400);
    let empty = forms(&veil, "all");
    assert_eq!(empty["forms"], json!([]));
}

/// Splits a CSV export (no quoted commas in this data) into its header
/// and rows.
fn csv_rows(text: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let mut lines = text.split("\r\n").filter(|l| !l.is_empty());
    let header = lines.next().unwrap().split(',').map(str::to_owned).collect();
    (header, lines.map(|l| l.split(',').map(str::to_owned).collect()).collect())
}

#[test]
fn csv_exports_carry_the_json_figures() {
    let (db, veil) = server_with_k_min(1);
    let visits = visits();
    for visit in visits.iter().take(10) {
        send(&veil, visit);
    }
    let clicks = common::batch("demo", "c1c1c1c1-0000-4000-8000-000000000001", 0);
    assert_eq!(common::ingest(&veil, &common::demo_token(), &clicks).status, 202);
    wait_for_query(&db, "SELECT count() FROM session_index", "21", Duration::from_secs(20));

    let json = forms(&veil, "all");
    let path = format!("/v1/sites/demo/forms?page={}&format=csv", urlencode(PAGE));
    let export = api(&veil, "GET", &path, Some(ANALYST_KEY), b"");
    assert_eq!(export.status, 200);
    assert_eq!(export.header("content-type"), Some("text/csv; charset=utf-8"));
    assert_eq!(export.header("content-disposition"), Some("attachment; filename=\"forms.csv\""));
    let (header, rows) = csv_rows(&String::from_utf8_lossy(&export.body));
    assert_eq!(header[..3], ["form", "started", "submitted"]);
    let expected: Vec<(String, String, String, String)> = json["forms"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|form| {
            form["fields"].as_array().unwrap().iter().map(move |field| {
                let text = |v: &Value| v.as_str().map_or_else(|| v.to_string(), str::to_owned);
                (
                    text(&form["form"]),
                    text(&field["field"]),
                    text(&field["reached"]),
                    text(&field["median_ms"]),
                )
            })
        })
        .collect();
    let column = |name: &str| header.iter().position(|h| h == name).unwrap();
    let got: Vec<(String, String, String, String)> = rows
        .iter()
        .map(|r| {
            (
                r[column("form")].clone(),
                r[column("field")].clone(),
                r[column("reached")].clone(),
                r[column("median_ms")].clone(),
            )
        })
        .collect();
    assert_eq!(got, expected);

    let heatmap = |format: &str| {
        let path = format!("/v1/sites/demo/heatmaps?page={}&kind=click{format}", urlencode(PAGE));
        api(&veil, "GET", &path, Some(ANALYST_KEY), b"")
    };
    let cells: Value = heatmap("").json();
    let export = heatmap("&format=csv");
    assert_eq!(export.header("content-disposition"), Some("attachment; filename=\"heatmap.csv\""));
    let (header, rows) = csv_rows(&String::from_utf8_lossy(&export.body));
    assert_eq!(header, ["layer", "x", "y", "count", "rage", "dead"]);
    let expected: Vec<Vec<String>> = cells["cells"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            vec![
                "document".to_owned(),
                c["x"].to_string(),
                c["y"].to_string(),
                c["count"].to_string(),
                c["rage"].to_string(),
                c["dead"].to_string(),
            ]
        })
        .collect();
    assert!(!expected.is_empty());
    assert_eq!(rows, expected);
    let bad = api(&veil, "GET", "/v1/sites/demo/forms?page=x&format=xlsx", Some(ANALYST_KEY), b"");
    assert_eq!(bad.status, 400);
}
