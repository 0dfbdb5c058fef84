//! Heatmap query latency (issue 5): 10 million clicks over 100 pages and
//! 30 days are loaded through the real ingest tables (the materialized
//! views fold them into cells), then the heatmap of one page, one month
//! and one device is fetched through `veil serve`'s HTTP API, as the
//! console does. Reports median and p99 against a baseline in the same
//! run (the same API call for a page without data: fixed cost of HTTP,
//! auth and five ClickHouse round trips), and the rows ClickHouse read.
//!
//! The same data set then gets `FORM_EVENTS` form events (issue 15; 2
//! million by default: three forms of eight fields on every page, from
//! 300,000 page views) and the forms API of the busiest page is measured
//! the same way; then `SIGNAL_ROWS` frustration signals (1 million by
//! default, from 200,000 sessions) and the insights API, site-wide and for
//! that page. Every row carries a traffic-source segment (a referrer class
//! and a campaign), so the segment-filtered heatmap, forms and pages and
//! the segments list (1 million page views) are measured on the same data.
//!
//! ```text
//! cargo build --release --bin veil
//! cargo run --release -p veil-benches --bin heatmap-query -- [CLICKS] [REQUESTS] [FORM_EVENTS] [SIGNAL_ROWS] [PAGE_VIEWS]
//! ```
//! `BENCH_VEIL_BIN` names the veil binary (default target/release/veil).

use std::time::Instant;

use veil_benches::percentiles;

const KEY: &str = "veil_bench_analyst_key";

/// A visitor's referrer class (by visitor, as a session keeps one):
/// search and direct the most common.
const SOURCE: &str = "CAST(['search', 'search', 'search', 'direct', 'direct', 'social', 'email', 'other', 'unknown'] \
    [intHash64(number + 6) % 500000 % 9 + 1] AS Enum8('unknown' = 0, 'direct' = 1, 'search' = 2, 'social' = 3, \
    'email' = 4, 'other' = 5))";

/// A visitor's campaign: most have none, a few campaigns share the rest.
const CAMPAIGN: &str = "['', '', '', 'utm_medium=cpc&utm_source=google', 'utm_medium=cpc&utm_source=google', \
    'utm_campaign=spring-sale&utm_medium=email&utm_source=newsletter', 'utm_source=facebook', \
    'utm_campaign=black-friday&utm_medium=cpc&utm_source=bing'][intHash64(number + 6) % 500000 % 8 + 1]";

fn main() {
    let mut args = std::env::args().skip(1);
    let clicks: u64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(10_000_000);
    let requests: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(200);
    let form_events: u64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(2_000_000);
    let signal_rows: u64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(1_000_000);
    let page_views: u64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(1_000_000);
    let bin = veil_benches::veil_bin();
    let hash = format!("blake3:{}", blake3_hex(KEY));
    let (db, config) = veil_benches::migrated_database(
        &bin,
        "bench",
        "https://bench.example",
        &format!("[[api_keys]]\nname = \"bench\"\nrole = \"analyst\"\nhash = \"{hash}\"\n"),
    );

    // Skewed like real pages: clicks crowd the top of the page and a few
    // columns (buttons, menus), and a few pages get most traffic.
    let started = Instant::now();
    let load = format!(
        "INSERT INTO heatmap_clicks_input (site, page_key, device, layer, day, col, row, clicks, rage, dead, visitor, \
         source, campaign) SELECT 'bench', concat('/page/', toString(intHash32(number) % 100 * (intHash32(number) % 100) % 100)), \
         CAST(['desktop', 'tablet', 'mobile'][intHash32(number + 1) % 3 + 1] AS Enum8('desktop' = 1, 'tablet' = 2, 'mobile' = 3)), \
         'document', toDate('2026-11-01') + intHash32(number + 2) % 30, \
         toUInt16(intHash32(number + 3) % 64), toUInt32((intHash32(number + 4) % 300) * (intHash32(number + 5) % 300) / 300), \
         1, intHash32(number) % 50 = 0, intHash32(number) % 40 = 0, toString(intHash64(number + 6) % 500000), \
         {SOURCE}, {CAMPAIGN} FROM numbers({clicks})"
    );
    db.query(&load);
    let load_time = started.elapsed();
    let cells = db.query("SELECT count() FROM heatmap_clicks").trim().to_owned();
    println!("loaded {clicks} clicks in {:.1} s into {cells} aggregated rows", load_time.as_secs_f64());

    let veil = veil_benches::ready_server(&bin, config);

    let busiest = db.query(
        "SELECT page_key FROM heatmap_clicks WHERE site = 'bench' GROUP BY page_key ORDER BY sum(1) DESC LIMIT 1",
    );
    let busiest = busiest.trim().to_owned();
    let path = |page: &str| {
        format!(
            "/v1/sites/bench/heatmaps?page={page}&kind=click&device=desktop&from=2026-11-01&to=2026-11-30"
        )
    };
    let auth = format!("Bearer {KEY}");
    let measure = |page: &str| -> Vec<f64> {
        (0..requests)
            .map(|_| {
                let started = Instant::now();
                let response = veil.request("GET", &path(page), &[("Authorization", &auth)], b"");
                assert_eq!(response.status, 200, "{}", String::from_utf8_lossy(&response.body));
                started.elapsed().as_secs_f64() * 1000.0
            })
            .collect()
    };
    let _warm = measure(&busiest);
    let (median, p99) = percentiles(measure(&busiest));
    let (base_median, base_p99) = percentiles(measure("/no-such-page"));

    let stats = db.query(&format!(
        "SELECT col, row, sumMerge(clicks), uniqMerge(visitors) AS v FROM heatmap_clicks WHERE site = 'bench' \
         AND page_key = '{busiest}' AND toString(device) = 'desktop' AND day >= toDate('2026-11-01') \
         AND day <= toDate('2026-11-30') AND layer = 'document' GROUP BY col, row HAVING v >= 1 FORMAT JSON"
    ));
    let stats: serde_json::Value = serde_json::from_str(&stats).expect("JSON output");
    let cells_returned = stats["rows"].as_u64().unwrap_or(0);
    let rows_read = stats["statistics"]["rows_read"].as_u64().unwrap_or(0);
    let clicks_on_page = db.query(&format!(
        "SELECT sumMerge(clicks) FROM heatmap_clicks WHERE site = 'bench' AND page_key = '{busiest}' AND toString(device) = 'desktop'"
    ));
    println!("page {busiest}, desktop, November: {} clicks in {cells_returned} cells", clicks_on_page.trim());
    println!("heatmap API: median {median:.1} ms, p99 {p99:.1} ms over {requests} requests");
    println!("baseline (same call, page without data): median {base_median:.1} ms, p99 {base_p99:.1} ms");
    println!("ratio to baseline: median {:.2}x, p99 {:.2}x", median / base_median, p99 / base_p99);
    println!("ClickHouse rows read by the cells query: {rows_read} of {cells} aggregated rows");

    // Forms: fields left (most), submits and abandons, skewed like the
    // clicks: early fields and busy pages get most.
    let started = Instant::now();
    db.query(&format!(
        "INSERT INTO form_events_input (site, page_key, device, day, form, field, position, kind, ms, refill, error, \
         page_view, visitor, source, campaign) \
         SELECT 'bench', concat('/page/', toString(intHash32(number) % 100 * (intHash32(number) % 100) % 100)), \
         CAST(['desktop', 'tablet', 'mobile'][intHash32(number + 1) % 3 + 1] AS Enum8('desktop' = 1, 'tablet' = 2, 'mobile' = 3)), \
         toDate('2026-11-01') + intHash32(number + 2) % 30, concat('form#f', toString(intHash32(number + 7) % 3)), \
         if(kind = 2, '', concat('input#field', toString(position))), position, kind, \
         if(kind = 1, toUInt32(200 + intHash32(number + 8) % 30000), 0), toUInt8(intHash32(number + 9) % 7 = 0), \
         toUInt8(intHash32(number + 10) % 11 = 0), toString(intHash64(number + 11) % 300000), \
         toString(intHash64(number + 6) % 500000), {SOURCE}, {CAMPAIGN} \
         FROM (SELECT number, toUInt16((intHash32(number + 3) % 8) * (intHash32(number + 4) % 8) / 8) AS position, \
         toUInt8(multiIf(intHash32(number + 5) % 20 = 0, 2, intHash32(number + 5) % 20 = 1, 3, 1)) AS kind \
         FROM numbers({form_events}))"
    ));
    let form_rows = db.query("SELECT count() FROM form_fields").trim().to_owned();
    println!(
        "loaded {form_events} form events in {:.1} s into {form_rows} aggregated rows",
        started.elapsed().as_secs_f64()
    );
    let forms_path = |page: &str| {
        format!("/v1/sites/bench/forms?page={page}&device=desktop&from=2026-11-01&to=2026-11-30")
    };
    let measure_forms = |page: &str| -> Vec<f64> {
        (0..requests)
            .map(|_| {
                let started = Instant::now();
                let response = veil.request("GET", &forms_path(page), &[("Authorization", &auth)], b"");
                assert_eq!(response.status, 200, "{}", String::from_utf8_lossy(&response.body));
                started.elapsed().as_secs_f64() * 1000.0
            })
            .collect()
    };
    let _warm = measure_forms(&busiest);
    let (median, p99) = percentiles(measure_forms(&busiest));
    let (base_median, base_p99) = percentiles(measure_forms("/no-such-page"));
    println!("forms API: median {median:.1} ms, p99 {p99:.1} ms over {requests} requests");
    println!("baseline (same call, page without data): median {base_median:.1} ms, p99 {base_p99:.1} ms");
    println!("ratio to baseline: median {:.2}x, p99 {:.2}x", median / base_median, p99 / base_p99);

    // Segments: the same calls narrowed to a segment, page views for the
    // segments list, and the list itself.
    let started = Instant::now();
    db.query(&format!(
        "INSERT INTO page_stats_input (site, page_key, device, day, page_view, visitor, clicks, source, campaign) \
         SELECT 'bench', concat('/page/', toString(intHash32(number) % 100 * (intHash32(number) % 100) % 100)), \
         CAST(['desktop', 'tablet', 'mobile'][intHash32(number + 1) % 3 + 1] AS Enum8('desktop' = 1, 'tablet' = 2, 'mobile' = 3)), \
         toDate('2026-11-01') + intHash32(number + 2) % 30, toString(number), toString(intHash64(number + 6) % 500000), \
         intHash32(number + 3) % 12, {SOURCE}, {CAMPAIGN} FROM numbers({page_views})"
    ));
    println!("loaded {page_views} page views in {:.1} s", started.elapsed().as_secs_f64());
    let measure_path = |path: &str| -> Vec<f64> {
        (0..requests)
            .map(|_| {
                let started = Instant::now();
                let response = veil.request("GET", path, &[("Authorization", &auth)], b"");
                assert_eq!(response.status, 200, "{path}: {}", String::from_utf8_lossy(&response.body));
                started.elapsed().as_secs_f64() * 1000.0
            })
            .collect()
    };
    let november = "from=2026-11-01&to=2026-11-30";
    let segmented = [
        ("heatmap, busiest page, desktop, source=search", format!("{}&source=search", path(&busiest))),
        (
            "heatmap, busiest page, desktop, utm_source=google",
            format!("{}&utm_source=google", path(&busiest)),
        ),
        ("forms, busiest page, desktop, source=search", format!("{}&source=search", forms_path(&busiest))),
        (
            "pages, desktop, source=search",
            format!("/v1/sites/bench/pages?device=desktop&{november}&source=search"),
        ),
        ("segments, busiest page", format!("/v1/sites/bench/segments?page={busiest}&{november}")),
        ("segments, whole site", format!("/v1/sites/bench/segments?{november}")),
    ];
    let _warm = measure_path(&segmented[0].1);
    let (base_median, base_p99) =
        percentiles(measure_path(&format!("/v1/sites/bench/segments?page=/no-such-page&{november}")));
    for (what, path) in &segmented {
        let (median, p99) = percentiles(measure_path(path));
        println!(
            "{what}: median {median:.1} ms, p99 {p99:.1} ms, {:.2}x baseline (median)",
            median / base_median
        );
    }
    println!("baseline (segments of a page without data): median {base_median:.1} ms, p99 {base_p99:.1} ms");

    // Insights: signals of recorded sessions, rage clicks the most common.
    let started = Instant::now();
    db.query(&format!(
        "INSERT INTO page_signals (site, page_key, device, day, signal, session, seq, visitor, at, count) \
         SELECT 'bench', concat('/page/', toString(intHash32(number) % 100 * (intHash32(number) % 100) % 100)), \
         CAST(['desktop', 'tablet', 'mobile'][intHash32(number + 1) % 3 + 1] AS Enum8('desktop' = 1, 'tablet' = 2, 'mobile' = 3)), \
         toDate('2026-11-01') + intHash32(number + 2) % 30, \
         CAST(['rage_clicks', 'rage_clicks', 'dead_clicks', 'quick_back', 'excessive_scrolling'][intHash32(number + 3) % 5 + 1] \
         AS Enum8('rage_clicks' = 1, 'dead_clicks' = 2, 'quick_back' = 3, 'excessive_scrolling' = 4)), \
         toString(intHash64(number + 4) % 200000), number % 20, toString(intHash64(number + 4) % 200000 % 150000), \
         1793491200000 + number, 1 + intHash32(number + 5) % 4 FROM numbers({signal_rows})"
    ));
    println!("loaded {signal_rows} signal rows in {:.1} s", started.elapsed().as_secs_f64());
    let measure_insights = |query: &str| -> Vec<f64> {
        let path = format!("/v1/sites/bench/insights?from=2026-11-01&to=2026-11-30{query}");
        (0..requests)
            .map(|_| {
                let started = Instant::now();
                let response = veil.request("GET", &path, &[("Authorization", &auth)], b"");
                assert_eq!(response.status, 200, "{}", String::from_utf8_lossy(&response.body));
                started.elapsed().as_secs_f64() * 1000.0
            })
            .collect()
    };
    let _warm = measure_insights("");
    let (site_median, site_p99) = percentiles(measure_insights(""));
    let (page_median, page_p99) = percentiles(measure_insights(&format!("&page={busiest}")));
    let (base_median, base_p99) = percentiles(measure_insights("&page=/no-such-page"));
    println!("insights API, whole site: median {site_median:.1} ms, p99 {site_p99:.1} ms");
    println!("insights API, one page: median {page_median:.1} ms, p99 {page_p99:.1} ms");
    println!("baseline (page without data): median {base_median:.1} ms, p99 {base_p99:.1} ms");
    println!(
        "ratio to baseline: site {:.2}x, page {:.2}x (median)",
        site_median / base_median,
        page_median / base_median
    );
}

/// The key's hash for the config, as `veil apikey create` computes it.
fn blake3_hex(text: &str) -> String {
    blake3::hash(text.as_bytes()).to_hex().to_string()
}
