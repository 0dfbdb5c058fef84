//! Segments end to end (issue 15): visits sent here come from search,
//! e-mail, social, direct and unknown sources with UTM parameters, some of
//! them personal or not allow-listed. Every segment-filtered figure of the
//! heatmap, scroll, forms, pages, sessions and segments endpoints is
//! computed again here from what was sent and compared; `k_min` holds
//! within a segment; the full referrer, personal UTM values and parameters
//! the site does not keep reach no table.

#![allow(missing_docs, clippy::unwrap_used, clippy::disallowed_methods)]

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use common::{ANALYST_KEY, api, server_with_k_min, urlencode, visitor_token, wait_for_query};
use serde_json::{Value, json};
use veil_test_support::VeilProcess;

const PAGE: &str = "http://127.0.0.1:8080/landing";
const FORM: &str = "form#signup";
const K_MIN: usize = 2;
/// Visits per common segment.
const PER_SEGMENT: usize = 6;

/// What must never be stored: a full referrer, a personal UTM value, a
/// parameter the site does not keep.
const NEVER_STORED: [&str; 6] =
    ["evil.example", "jan+de+vries", "jan.devries", "0612345678", "private-term-xyz", "Spring Sale"];

/// One way of arriving: the envelope's `source` as the recorder sends it
/// (`None`: an old recorder), and the class and UTM pairs Veil keeps.
struct Arrival {
    source: Option<Value>,
    class: &'static str,
    kept: &'static [(&'static str, &'static str)],
}

fn arrivals() -> Vec<Arrival> {
    vec![
        Arrival {
            source: Some(json!({"referrer": "search",
                "utm": {"utm_source": "Google", "utm_medium": "cpc", "utm_campaign": "Spring Sale"}})),
            class: "search",
            kept: &[("utm_campaign", "spring-sale"), ("utm_medium", "cpc"), ("utm_source", "google")],
        },
        Arrival {
            source: Some(json!({"referrer": "email",
                "utm": {"utm_source": "newsletter", "utm_medium": "email", "utm_term": "private-term-xyz"}})),
            class: "email",
            kept: &[("utm_medium", "email"), ("utm_source", "newsletter")],
        },
        Arrival {
            source: Some(json!({"referrer": "social",
                "utm": {"utm_source": "jan.devries@example.com", "utm_campaign": "Spring Sale"}})),
            class: "social",
            kept: &[("utm_campaign", "spring-sale")],
        },
        Arrival { source: Some(json!({"referrer": "direct", "utm": {}})), class: "direct", kept: &[] },
        Arrival { source: None, class: "unknown", kept: &[] },
        Arrival {
            source: Some(json!({"referrer": "https://evil.example/?q=jan+de+vries",
                "utm": {"utm_source": "0612345678"}})),
            class: "unknown",
            kept: &[],
        },
    ]
}

/// A small deterministic generator: the test must be the same every run.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, below: u64) -> u64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (self.0 >> 33) % below
    }
}

/// What one visit did, as sent.
struct Visit {
    visitor: usize,
    arrival: usize,
    mobile: bool,
    /// (col, row) of each click.
    cells: Vec<(u64, u64)>,
    /// Deepest scroll bucket.
    bucket: usize,
    submitted: bool,
}

impl Visit {
    fn class<'a>(&self, arrivals: &'a [Arrival]) -> &'a str {
        arrivals[self.arrival].class
    }

    fn has(&self, arrivals: &[Arrival], param: &str, value: &str) -> bool {
        arrivals[self.arrival].kept.iter().any(|(p, v)| *p == param && *v == value)
    }
}

/// Sends every visit as two batches of one session, each with the
/// session's source; returns what was sent.
fn send_visits(veil: &VeilProcess, arrivals: &[Arrival]) -> Vec<Visit> {
    let mut rng = Lcg(0x5e6);
    let now = common::now() as i64 * 1000;
    let mut plan: Vec<(usize, Option<Value>)> = Vec::new();
    for visitor in 0..arrivals.len() * PER_SEGMENT {
        plan.push((visitor % arrivals.len(), None));
    }
    // One visitor of a segment nobody else is in: below k_min.
    plan.push((usize::MAX, Some(json!({"referrer": "other", "utm": {"utm_campaign": "tiny"}}))));
    let mut visits = Vec::new();
    for (visitor, (arrival, lone)) in plan.into_iter().enumerate() {
        let mobile = (visitor / arrivals.len()) % 2 == 1;
        let (vw, doc_w, doc_h): (u32, f64, f64) =
            if mobile { (390, 390.0, 3000.0) } else { (1280, 1280.0, 3000.0) };
        let source = if arrival == usize::MAX { lone } else { arrivals[arrival].source.clone() };
        let token = visitor_token(&format!("{:032x}", 0x5e9_0000 + visitor), &["recording", "heatmaps"]);
        let session = format!("5e95e95e-0000-4000-8000-{visitor:012}");
        let mut cells = Vec::new();
        let top = rng.next(2300) as f64;
        let bucket = (((top + 700.0) / doc_h).min(1.0) * 20.0).floor() as usize;
        let submitted = rng.next(2) == 0;
        for seq in 0..2u64 {
            let base = now + seq as i64 * 10_000;
            let mut events = Vec::new();
            if seq == 0 {
                events.push(
                    json!({"type": 4, "timestamp": base, "data": {"href": PAGE, "width": vw, "height": 700}}),
                );
            }
            for i in 0..1 + rng.next(3) {
                // Few distinct spots, so cells are shared by several visitors.
                let x = [0.1, 0.4, 0.75][rng.next(3) as usize] * doc_w + 0.5;
                let y: f64 = [120.5, 420.5][rng.next(2) as usize];
                cells.push(((x / doc_w * 64.0).floor() as u64, (y / 16.0).floor() as u64));
                events.push(json!({"type": 5, "timestamp": base + 100 + i as i64,
                    "data": {"tag": "veil.click", "payload": {"x": x, "y": y, "w": doc_w, "h": doc_h,
                        "vw": vw, "vh": 700, "fixed": false, "selector": "main > a.cta",
                        "rage": false, "dead": false}}}));
            }
            if seq == 0 {
                events.push(json!({"type": 5, "timestamp": base + 500, "data": {"tag": "veil.scroll",
                    "payload": {"x": 0, "y": top, "w": doc_w, "h": doc_h, "vw": vw, "vh": 700}}}));
                events.push(
                    json!({"type": 5, "timestamp": base + 600, "data": {"tag": "veil.form", "payload":
                    {"action": "field", "form": FORM, "field": "input#email", "index": 0, "ms": 1200,
                     "refill": false, "error": false}}}),
                );
            } else {
                let end = if submitted {
                    json!({"action": "submit", "form": FORM})
                } else {
                    json!({"action": "abandon", "form": FORM, "field": "input#email", "index": 0})
                };
                events.push(
                    json!({"type": 5, "timestamp": base + 600, "data": {"tag": "veil.form", "payload": end}}),
                );
            }
            let mut batch = json!({"v": 1, "site": "demo", "session": session, "seq": seq,
                "page": {"url": PAGE}, "viewport": {"w": vw, "h": 700}, "document": {"w": doc_w, "h": doc_h},
                "events": events});
            if let Some(source) = &source {
                batch["source"] = source.clone();
            }
            let answer = common::ingest(veil, &token, &batch);
            assert_eq!(answer.status, 202, "{}", String::from_utf8_lossy(&answer.body));
        }
        visits.push(Visit { visitor, arrival, mobile, cells, bucket, submitted });
    }
    visits
}

fn get(veil: &VeilProcess, path: &str) -> Value {
    let answer = api(veil, "GET", path, Some(ANALYST_KEY), b"");
    assert_eq!(answer.status, 200, "{path}: {}", String::from_utf8_lossy(&answer.body));
    answer.json()
}

/// Visible cells and the click total of some visits, as the heatmap
/// endpoint must answer them.
fn expected_heatmap(visits: &[&Visit]) -> (BTreeMap<(u64, u64), u64>, u64) {
    let mut cells: BTreeMap<(u64, u64), (u64, BTreeSet<usize>)> = BTreeMap::new();
    for visit in visits {
        for cell in &visit.cells {
            let entry = cells.entry(*cell).or_default();
            entry.0 += 1;
            entry.1.insert(visit.visitor);
        }
    }
    let total = cells.values().map(|(count, _)| count).sum();
    let visible = cells
        .into_iter()
        .filter(|(_, (_, who))| who.len() >= K_MIN)
        .map(|(cell, (count, _))| (cell, count))
        .collect();
    (visible, total)
}

fn heatmap_of(answer: &Value) -> (BTreeMap<(u64, u64), u64>, u64) {
    let cells = answer["cells"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| ((c["x"].as_u64().unwrap(), c["y"].as_u64().unwrap()), c["count"].as_u64().unwrap()))
        .collect();
    (cells, answer["total"].as_u64().unwrap())
}

/// Which visits a filter selects.
type Selects<'a> = Box<dyn Fn(&Visit) -> bool + 'a>;

#[test]
fn every_figure_narrows_to_its_segment() {
    let (db, veil) = server_with_k_min(K_MIN as u32);
    let arrivals = arrivals();
    let visits = send_visits(&veil, &arrivals);
    wait_for_query(
        &db,
        "SELECT count() FROM session_index",
        &(2 * visits.len()).to_string(),
        Duration::from_secs(30),
    );
    let page = urlencode(PAGE);
    let known: Vec<&Visit> = visits.iter().filter(|v| v.arrival != usize::MAX).collect();
    let lone = visits.iter().find(|v| v.arrival == usize::MAX).unwrap();
    let class = |v: &Visit| if v.arrival == usize::MAX { "other" } else { v.class(&arrivals) };

    // Heatmaps: each filter against the visits it names.
    let filters: Vec<(&str, Selects<'_>)> = vec![
        ("", Box::new(|_| true)),
        ("&source=search", Box::new(|v| class(v) == "search")),
        ("&source=unknown", Box::new(|v| class(v) == "unknown")),
        (
            "&utm_campaign=Spring%20Sale",
            Box::new(|v| v.arrival != usize::MAX && v.has(&arrivals, "utm_campaign", "spring-sale")),
        ),
        (
            "&source=social&utm_campaign=spring-sale",
            Box::new(|v| class(v) == "social" && v.has(&arrivals, "utm_campaign", "spring-sale")),
        ),
        (
            "&utm_source=newsletter&utm_medium=email",
            Box::new(|v| v.arrival != usize::MAX && v.has(&arrivals, "utm_source", "newsletter")),
        ),
        ("&source=search&device=mobile", Box::new(|v| class(v) == "search" && v.mobile)),
        ("&source=other", Box::new(|v| class(v) == "other")),
    ];
    for (filter, selects) in &filters {
        let chosen: Vec<&Visit> = visits.iter().filter(|v| selects(v)).collect();
        assert!(!chosen.is_empty(), "{filter} selects nothing");
        let answer = get(&veil, &format!("/v1/sites/demo/heatmaps?page={page}{filter}"));
        assert_eq!(heatmap_of(&answer), expected_heatmap(&chosen), "heatmap {filter}");

        // Scroll: page views of the segment that reached each depth.
        let scroll = get(&veil, &format!("/v1/sites/demo/heatmaps?page={page}&kind=scroll{filter}"));
        let reached: Vec<u64> =
            scroll["depth"].as_array().unwrap().iter().map(|d| d["reached"].as_u64().unwrap()).collect();
        let expected: Vec<u64> =
            (0..=20).map(|b| chosen.iter().filter(|v| v.bucket >= b).count() as u64).collect();
        assert_eq!(reached, expected, "scroll {filter}");

        // Forms: started and submitted page views, hidden below k_min.
        let forms = get(&veil, &format!("/v1/sites/demo/forms?page={page}{filter}"));
        let listed = forms["forms"].as_array().unwrap();
        if chosen.len() >= K_MIN {
            assert_eq!(listed.len(), 1, "forms {filter}: {forms}");
            assert_eq!(listed[0]["started"], chosen.len(), "forms {filter}");
            assert_eq!(
                listed[0]["submitted"],
                chosen.iter().filter(|v| v.submitted).count(),
                "forms {filter}"
            );
        } else {
            assert!(listed.is_empty(), "forms {filter} under k_min: {forms}");
        }

        // Pages: views, visitors and clicks of the landing page.
        let pages = get(&veil, &format!("/v1/sites/demo/pages?x=1{filter}"));
        let listed = pages["pages"].as_array().unwrap();
        if chosen.len() >= K_MIN {
            let clicks: usize = chosen.iter().map(|v| v.cells.len()).sum();
            assert_eq!(
                (&listed[0]["views"], &listed[0]["visitors"], &listed[0]["clicks"]),
                (&json!(chosen.len()), &json!(chosen.len()), &json!(clicks)),
                "pages {filter}"
            );
        } else {
            assert!(listed.is_empty(), "pages {filter} under k_min: {pages}");
        }

        // Sessions: the segment's sessions, each saying where it came from.
        let sessions = get(&veil, &format!("/v1/sites/demo/sessions?limit=500{filter}"));
        assert_eq!(sessions["total"], chosen.len(), "sessions {filter}");
        let listed: BTreeSet<String> = sessions["sessions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["session"].as_str().unwrap().to_owned())
            .collect();
        let expected: BTreeSet<String> =
            chosen.iter().map(|v| format!("5e95e95e-0000-4000-8000-{:012}", v.visitor)).collect();
        assert_eq!(listed, expected, "sessions {filter}");
        for session in sessions["sessions"].as_array().unwrap() {
            let visitor: usize = session["session"].as_str().unwrap()[24..].parse().unwrap();
            assert_eq!(session["source"], class(&visits[visitor]), "{session}");
        }
    }

    // The segments list: classes and pairs with at least k_min visitors.
    let segments = get(&veil, &format!("/v1/sites/demo/segments?page={page}"));
    let sources: BTreeMap<String, u64> = segments["sources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["source"].as_str().unwrap().to_owned(), s["visitors"].as_u64().unwrap()))
        .collect();
    let mut expected_sources: BTreeMap<String, u64> = BTreeMap::new();
    for visit in &known {
        *expected_sources.entry(visit.class(&arrivals).to_owned()).or_default() += 1;
    }
    assert_eq!(sources, expected_sources, "the lone `other` visitor is under k_min");
    let campaigns: BTreeMap<String, u64> = segments["campaigns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                format!("{}={}", c["param"].as_str().unwrap(), c["value"].as_str().unwrap()),
                c["visitors"].as_u64().unwrap(),
            )
        })
        .collect();
    let mut expected_campaigns: BTreeMap<String, u64> = BTreeMap::new();
    for visit in &known {
        for (param, value) in arrivals[visit.arrival].kept {
            *expected_campaigns.entry(format!("{param}={value}")).or_default() += 1;
        }
    }
    assert_eq!(campaigns, expected_campaigns);
    assert!(!campaigns.contains_key("utm_campaign=tiny"), "{lone:?}", lone = lone.visitor);

    // Filters Veil cannot answer are refused, saying why.
    for (query, says) in [
        ("source=referral", "source must be"),
        ("utm_term=shoes", "utm_term is not kept"),
        ("utm_source=jan%40example.com", "never stored"),
    ] {
        let answer = api(
            &veil,
            "GET",
            &format!("/v1/sites/demo/heatmaps?page={page}&{query}"),
            Some(ANALYST_KEY),
            b"",
        );
        assert_eq!(answer.status, 400, "{query}");
        assert!(
            String::from_utf8_lossy(&answer.body).contains(says),
            "{query}: {}",
            String::from_utf8_lossy(&answer.body)
        );
    }

    // Nothing personal of the sources was stored, in any table or payload.
    let everything = common::dump_all_tables(&db) + &common::stored_payloads(&db).join("\n");
    for secret in NEVER_STORED {
        assert!(!everything.contains(secret), "{secret} was stored");
    }
    assert!(everything.contains("utm_source=google"), "kept pairs are stored");
}
