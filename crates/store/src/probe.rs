//! A sample row and representative queries for every table, so the test
//! suite can prove the schema and the queries on every ClickHouse we
//! support: the private 18.16 server in the Rust tests, current ClickHouse
//! through chdb-core (`tests/chdb_probe.py`).
//!
//! Queries are the very constants the code runs, with their `?` bind
//! parameters filled with sample literals, so the probe cannot drift from
//! the code.

use serde::Serialize;

use crate::migrations::MIGRATIONS;
use crate::runner::{INSERT_APPLIED, MIGRATIONS_TABLE, SELECT_APPLIED};

/// Chunk hashes as the code binds them.
const CHUNK_HASHES: &str = "['af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262']";

/// One table's probe.
#[derive(Debug, Clone, Serialize)]
pub struct TableProbe {
    /// Table name.
    pub table: &'static str,
    /// An `INSERT … VALUES` of one realistic row.
    pub sample_insert: String,
    /// Queries the code runs against this table, parameters filled in.
    pub queries: Vec<String>,
}

/// Everything a foreign engine needs to replay our schema: the bootstrap
/// table, every migration's statements, then the probes.
#[derive(Debug, Clone, Serialize)]
pub struct Catalog {
    /// Statements creating the bookkeeping table.
    pub bootstrap: Vec<String>,
    /// Migrations in order, split into statements.
    pub migrations: Vec<CatalogMigration>,
    /// One probe per table.
    pub tables: Vec<TableProbe>,
}

/// One migration of the [`Catalog`].
#[derive(Debug, Clone, Serialize)]
pub struct CatalogMigration {
    /// Its version.
    pub version: u32,
    /// Its name.
    pub name: &'static str,
    /// Its statements.
    pub statements: Vec<String>,
    /// Per statement, its column guard if it is a guarded `ALTER`:
    /// `[table, column, runs_when_present]`; the runner runs a drop only
    /// while the column exists and an addition only while it does not.
    pub guards: Vec<Option<(String, String, bool)>>,
}

/// Fills `?` placeholders in order with SQL literals.
///
/// # Panics
/// When the number of literals does not match the placeholders: a bug in a
/// probe, caught by the unit tests.
pub fn render(sql: &str, literals: &[&str]) -> String {
    let mut out = String::with_capacity(sql.len() + 16 * literals.len());
    let mut rest = literals.iter();
    for ch in sql.chars() {
        if ch == '?' {
            let literal = rest.next().unwrap_or_else(|| panic!("too few literals for {sql}"));
            out.push_str(literal);
        } else {
            out.push(ch);
        }
    }
    assert!(rest.next().is_none(), "too many literals for {sql}");
    out
}

/// The probes of every table the migrations create.
pub fn table_probes() -> Vec<TableProbe> {
    vec![
        TableProbe {
            table: "schema_migrations",
            sample_insert: render(INSERT_APPLIED, &["0", "'0000_probe'", "'probe'"]),
            queries: vec![SELECT_APPLIED.to_owned()],
        },
        TableProbe {
            table: "consent_log",
            sample_insert: "INSERT INTO consent_log (site, consent_id, visitor, action, purposes, \
                cmp_framework, cmp_proof, erase, key_id, expires_at, at, at_ms) VALUES \
                ('demo', '8d6f0a3c2b1e4f5a9c7d6e5f4a3b2c1d', '9f1c2b3a4d5e6f708192a3b4c5d6e7f8', 'withdraw', \
                ['recording', 'heatmaps'], 'tcf', 'CPXxRfAPXxRfAAfKABENB-CgAAAAAAAAAAYgAAAAAAAA', 1, 'k1', \
                toDateTime('2027-05-20 10:00:00'), toDateTime('2026-11-24 10:00:00'), 125)"
                .to_owned(),
            queries: vec![
                render(crate::consent_log::SELECT_WITHDRAWALS, &["0", "0"]),
                render(crate::erasure::SELECT_VISITOR_CONSENTS, &["'demo'", VISITOR]),
                render(crate::erasure::SELECT_VISITOR_CONSENT_LOG, &["'demo'", VISITOR]),
                crate::erasure::SELECT_PENDING_ERASURES.to_owned(),
                render(
                    crate::consent_log::SELECT_SITE_CONSENTS,
                    &["'demo'", "'2026-11-01'", "'2026-11-30'", "100", "0"],
                ),
            ],
        },
        TableProbe {
            table: "recordings",
            sample_insert: "INSERT INTO recordings (site, session, seq, visitor, consent_id, day, \
                received_at, first_ts, last_ts, event_count, payload) VALUES ('demo', \
                '3f2b1c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d', 7, '9f1c2b3a4d5e6f708192a3b4c5d6e7f8', \
                '8d6f0a3c2b1e4f5a9c7d6e5f4a3b2c1d', toDate('2026-11-24'), toDateTime('2026-11-24 10:00:00'), \
                1795514400000, 1795514405000, 12, 'zstd bytes')"
                .to_owned(),
            queries: vec![
                render(crate::recordings::COUNT_BATCHES, &["'demo'"]),
                render(crate::compaction::SELECT_IDLE_SESSIONS, &["1795600000", "200"]),
                render(crate::compaction::SELECT_SESSION_ROWS, &["'demo'", "'3f2b1c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d'"]),
                render(
                    crate::sessions::SELECT_BATCH_PAYLOAD,
                    &["'demo'", "'3f2b1c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d'", "7"],
                ),
                render(
                    crate::recordings::SELECT_SESSION_PAYLOADS,
                    &["'demo'", "'3f2b1c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d'", "'2026-10-25'"],
                ),
            ],
        },
        TableProbe {
            table: "recording_archives",
            sample_insert: "INSERT INTO recording_archives (site, session, first_seq, archive_id, seqs, visitor, \
                consent_ids, day, compacted_at, chunks, payload) \
                VALUES ('demo', '3f2b1c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d', 0, '6c1f0e', [0, 1, 2], \
                '9f1c2b3a4d5e6f708192a3b4c5d6e7f8', ['8d6f0a3c2b1e4f5a9c7d6e5f4a3b2c1d'], toDate('2026-11-24'), \
                toDateTime('2026-11-24 11:00:00'), \
                ['af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262'], 'archive bytes')"
                .to_owned(),
            queries: vec![
                render(
                    crate::archives::SELECT_SESSION_ARCHIVES,
                    &["'demo'", "'3f2b1c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d'", "'2026-10-25'"],
                ),
                render(crate::archives::SELECT_BATCH_ARCHIVES, &["'demo'", "'3f2b1c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d'", "1"]),
                render(crate::compaction::SELECT_ARCHIVED_SEQS, &["'demo'", "'3f2b1c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d'"]),
                render(crate::compaction::SELECT_REFERENCED_CHUNKS, &["'demo'"]),
                render(crate::compaction::SELECT_EXPIRING_CHUNKS, &["'demo'", "'2026-12-25'"]),
                render(crate::compaction::SELECT_VISITOR_CHUNKS, &["'demo'", VISITOR]),
                render(crate::compaction::SELECT_SESSION_CHUNKS, &["'demo'", "'3f2b1c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d'"]),
            ],
        },
        TableProbe {
            table: "recording_chunks",
            sample_insert: "INSERT INTO recording_chunks (site, hash, stored_at, body) VALUES ('demo', \
                'af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262', \
                toDateTime('2026-11-24 11:00:00'), 'zstd bytes')"
                .to_owned(),
            queries: vec![
                render(crate::archives::SELECT_CHUNKS, &["'demo'", CHUNK_HASHES]),
                render(crate::compaction::COUNT_CHUNKS, &["'demo'", CHUNK_HASHES]),
                render(crate::compaction::COUNT_UNREFERENCED_CHUNKS, &["'demo'", "1795514400"]),
            ],
        },
        TableProbe {
            table: "session_index",
            sample_insert: "INSERT INTO session_index (site, session, seq, visitor, user_hash, day, received_at, \
                first_ts, last_ts, active_ms, entry_page, page_keys, device, browser, clicks, rage_clicks, \
                dead_clicks, errors, event_count, source, campaign) VALUES ('demo', \
                '3f2b1c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d', 7, '9f1c2b3a4d5e6f708192a3b4c5d6e7f8', '', \
                toDate('2026-11-24'), toDateTime('2026-11-24 10:00:00'), 1795514400000, 1795514405000, 3000, \
                'https://shop.example/cart', ['https://shop.example/cart', 'https://shop.example/checkout'], \
                'desktop', 'firefox', 4, 3, 1, 0, 12, 'search', 'utm_medium=cpc&utm_source=google')"
                .to_owned(),
            queries: vec![
                render(crate::sessions::SELECT_SESSIONS_BY_START, &[SESSION_FILTER, "50", "0"].concat_literals()),
                render(crate::sessions::SELECT_SESSIONS_BY_DURATION, &[SESSION_FILTER, "50", "0"].concat_literals()),
                render(crate::sessions::COUNT_SESSIONS, &[SESSION_FILTER].concat_literals()),
                render(
                    &segmented(crate::sessions::COUNT_SESSIONS),
                    &[SESSION_FILTER_HEAD, SEGMENT, SESSION_FILTER_TAIL].concat_literals(),
                ),
                render(
                    &crate::sessions::COUNT_SESSIONS.replacen("/*signals*/", crate::sessions::SIGNAL_CONDITION, 1),
                    &[SESSION_FILTER_HEAD, "'demo'|'2026-10-31'|'2026-12-01'|'quick_back'", SESSION_FILTER_TAIL]
                        .concat_literals(),
                ),
                render(
                    crate::sessions::SELECT_SESSION_DETAILS,
                    &["'demo'", "'2026-10-31'", "'2026-12-01'", "'2026-10-25'", "['3f2b1c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d']"],
                ),
                render(
                    crate::sessions::SELECT_SESSION_OWNER,
                    &["'demo'", "'3f2b1c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d'", "'2026-10-25'"],
                ),
                render(crate::erasure::SELECT_VISITOR_SESSIONS, &["'demo'", VISITOR]),
                render(
                    crate::sessions::SELECT_PAGE_BATCHES,
                    &["'demo'", "'https://shop.example/cart'", "1", "1", "'2026-10-25'", "20"],
                ),
                render(
                    &crate::erasure::COUNT_PENDING_MUTATIONS.replace("{mutations}", "system.mutations"),
                    &["'veil'", "'session_index'"],
                ),
            ],
        },
        TableProbe {
            table: "console_logouts",
            sample_insert: render(
                crate::console_logouts::INSERT_LOGOUT,
                &["'0123456789abcdef0123456789abcdef'", "1795514400", "1795470000"],
            ),
            queries: vec![render(crate::console_logouts::SELECT_LOGOUTS, &["1795470000", "1795470000"])],
        },
        TableProbe {
            table: "audit_log",
            sample_insert: "INSERT INTO audit_log (at, at_ms, actor, role, action, site, subject, detail) VALUES \
                (toDateTime('2026-11-24 10:00:00'), 5, 'alice', 'analyst', 'recording.read', 'demo', \
                'session:0123456789abcdef0123456789abcdef', '{}')"
                .to_owned(),
            queries: vec![render(
                crate::audit::SELECT_AUDIT,
                &["'2026-11-01'", "'2026-11-30'", "'demo'", "'demo'", "''", "''", "''", "''", "''", "''", "100", "0"],
            )],
        },
        TableProbe {
            table: "session_reports",
            sample_insert: "INSERT INTO session_reports (site, session, visitor, action, actor, reason, at, at_ms) \
                VALUES ('demo', '3f2b1c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d', '9f1c2b3a4d5e6f708192a3b4c5d6e7f8', \
                'reported', 'alice', 'e-mail visible at 00:42', toDateTime('2026-11-24 10:00:00'), 5)"
                .to_owned(),
            queries: vec![
                render(crate::reports::SELECT_PENDING_REPORTS, &["'demo'"]),
                render(crate::sessions::SELECT_REPORT_STATE, &["'demo'", "'3f2b1c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d'"]),
            ],
        },
        TableProbe { table: "heatmap_clicks_input", sample_insert: CLICK_SAMPLE.to_owned(), queries: vec![] },
        TableProbe {
            table: "heatmap_clicks",
            sample_insert: CLICK_SAMPLE.to_owned(),
            queries: vec![
                render(crate::heatmaps::SELECT_CELLS, &[FILTER, "'document'", "1"].concat_literals()),
                render(crate::heatmaps::SELECT_CELLS_UNFILTERED, &[FILTER, "'document'"].concat_literals()),
                render(crate::heatmaps::SELECT_CLICK_TOTALS, &[FILTER, "'document'"].concat_literals()),
                render(&segmented(crate::heatmaps::SELECT_CELLS), &[FILTER, SEGMENT, "'document'", "1"].concat_literals()),
            ],
        },
        TableProbe {
            table: "heatmap_elements_input",
            sample_insert: ELEMENT_SAMPLE.to_owned(),
            queries: vec![],
        },
        TableProbe {
            table: "heatmap_elements",
            sample_insert: ELEMENT_SAMPLE.to_owned(),
            queries: vec![render(crate::heatmaps::SELECT_ELEMENTS, &[FILTER, "1", "100"].concat_literals())],
        },
        TableProbe {
            table: "heatmap_scroll_input",
            sample_insert: SCROLL_SAMPLE.to_owned(),
            queries: vec![],
        },
        TableProbe {
            table: "heatmap_scroll",
            sample_insert: SCROLL_SAMPLE.to_owned(),
            queries: vec![
                render(crate::heatmaps::SELECT_SCROLL, &[FILTER].concat_literals()),
                render(&segmented(crate::heatmaps::SELECT_SCROLL), &[FILTER, SEGMENT].concat_literals()),
            ],
        },
        TableProbe { table: "page_stats_input", sample_insert: PAGE_SAMPLE.to_owned(), queries: vec![] },
        TableProbe {
            table: "page_stats",
            sample_insert: PAGE_SAMPLE.to_owned(),
            queries: vec![
                render(
                    crate::heatmaps::SELECT_PAGES,
                    &["'demo'", "'desktop'", "'desktop'", "'2026-11-01'", "'2026-11-30'", "1", "50"],
                ),
                render(
                    &segmented(crate::heatmaps::SELECT_PAGES),
                    &["'demo'|'desktop'|'desktop'|'2026-11-01'|'2026-11-30'", SEGMENT, "1|50"].concat_literals(),
                ),
                render(crate::segments::SELECT_SOURCES, &[SEGMENTS_QUERY, "1"].concat_literals()),
                render(crate::segments::SELECT_CAMPAIGNS, &[SEGMENTS_QUERY, "1|100"].concat_literals()),
            ],
        },
        TableProbe {
            table: "page_signals",
            sample_insert: SIGNAL_SAMPLE.to_owned(),
            queries: vec![
                render(crate::signals::SELECT_SIGNALS, &[SIGNAL_FILTER, "1|50"].concat_literals()),
                render(
                    crate::signals::SELECT_EXAMPLES,
                    &[SIGNAL_FILTER, "['/checkout']|['rage_clicks']"].concat_literals(),
                ),
                render(crate::signals::SELECT_VISITOR_SIGNALS, &["'demo'", VISITOR, "100"]),
            ],
        },
        TableProbe { table: "form_events_input", sample_insert: FORM_SAMPLE.to_owned(), queries: vec![] },
        TableProbe {
            table: "form_fields",
            sample_insert: FORM_SAMPLE.to_owned(),
            queries: vec![
                render(crate::forms::SELECT_FORMS, &[FILTER, "1|20"].concat_literals()),
                render(crate::forms::SELECT_FIELDS, &[FILTER, "1|500"].concat_literals()),
                render(&segmented(crate::forms::SELECT_FIELDS), &[FILTER, SEGMENT, "1|500"].concat_literals()),
            ],
        },
    ]
}

/// A visitor id literal.
const VISITOR: &str = "'9f1c2b3a4d5e6f708192a3b4c5d6e7f8'";

/// Literals of the sessions filter, in `sessions::bind_filter` order.
const SESSION_FILTER: &str = "'demo'|'2026-10-31'|'2026-12-01'|'2026-10-25'|''|''|0|'demo'|1793491200000|\
    1796169600000|'https://shop.example/cart'|'https://shop.example/cart'|1|1|1000|1|0|0|''|''";
/// The same, split where a segment's literals go.
const SESSION_FILTER_HEAD: &str = "'demo'|'2026-10-31'|'2026-12-01'|'2026-10-25'";
const SESSION_FILTER_TAIL: &str = "''|''|0|'demo'|1793491200000|\
    1796169600000|'https://shop.example/cart'|'https://shop.example/cart'|1|1|1000|1|0|0|''|''";

/// Literals of [`probe_segment`]'s conditions.
const SEGMENT: &str = "'search'|'&utm_source=google&'";

/// Literals of the segments list: site, page key twice, device twice,
/// from, to.
const SEGMENTS_QUERY: &str = "'demo'|''|''|''|''|'2026-11-01'|'2026-11-30'";

/// The segment the probes filter by, as the API would ask for it.
fn probe_segment() -> crate::segments::SegmentFilter {
    crate::segments::SegmentFilter { source: "search".into(), campaign: vec!["utm_source=google".into()] }
}

/// `sql` narrowed to [`probe_segment`].
fn segmented(sql: &str) -> String {
    probe_segment().apply(sql)
}

/// Literals of the heatmap page filter: site, page key, device (twice),
/// from, to.
const FILTER: &str = "'demo'|'/checkout'|''|''|'2026-11-01'|'2026-11-30'";

const CLICK_SAMPLE: &str = "INSERT INTO heatmap_clicks_input (site, page_key, device, layer, day, col, row, \
    clicks, rage, dead, visitor, source, campaign) VALUES ('demo', '/checkout', 'desktop', 'document', \
    toDate('2026-11-24'), 12, 40, 3, 1, 0, '9f1c2b3a4d5e6f708192a3b4c5d6e7f8', 'search', \
    'utm_medium=cpc&utm_source=google')";

const ELEMENT_SAMPLE: &str = "INSERT INTO heatmap_elements_input (site, page_key, device, day, selector, \
    clicks, rage, dead, visitor, source, campaign) VALUES ('demo', '/checkout', 'mobile', toDate('2026-11-24'), \
    'button.pay', 2, 0, 1, '9f1c2b3a4d5e6f708192a3b4c5d6e7f8', 'search', 'utm_medium=cpc&utm_source=google')";

const SCROLL_SAMPLE: &str = "INSERT INTO heatmap_scroll_input (site, page_key, device, day, bucket, page_view, \
    source, campaign) VALUES ('demo', '/checkout', 'tablet', toDate('2026-11-24'), 7, \
    '3f2c1a9e-7b4d-4c2a-9e1f-0a1b2c3d4e5f/0', 'search', 'utm_medium=cpc&utm_source=google')";

const PAGE_SAMPLE: &str = "INSERT INTO page_stats_input (site, page_key, device, day, page_view, visitor, clicks, \
    source, campaign) VALUES ('demo', '/checkout', 'desktop', toDate('2026-11-24'), \
    '3f2c1a9e-7b4d-4c2a-9e1f-0a1b2c3d4e5f/0', '9f1c2b3a4d5e6f708192a3b4c5d6e7f8', 4, 'search', \
    'utm_medium=cpc&utm_source=google')";

/// Literals of the signals window: site, page key twice, device twice,
/// from, to.
const SIGNAL_FILTER: &str = "'demo'|'/checkout'|'/checkout'|''|''|'2026-11-01'|'2026-11-30'";

const SIGNAL_SAMPLE: &str = "INSERT INTO page_signals (site, page_key, device, day, signal, session, seq, visitor, \
    at, count) VALUES ('demo', '/checkout', 'mobile', toDate('2026-11-24'), 'rage_clicks', \
    '3f2c1a9e-7b4d-4c2a-9e1f-0a1b2c3d4e5f', 2, '9f1c2b3a4d5e6f708192a3b4c5d6e7f8', 1795000000000, 4)";

const FORM_SAMPLE: &str = "INSERT INTO form_events_input (site, page_key, device, day, form, field, position, \
    kind, ms, refill, error, page_view, visitor, source, campaign) VALUES ('demo', '/checkout', 'desktop', \
    toDate('2026-11-24'), 'form#checkout', 'input#email', 1, 1, 4200, 1, 0, \
    '3f2c1a9e-7b4d-4c2a-9e1f-0a1b2c3d4e5f/0', '9f1c2b3a4d5e6f708192a3b4c5d6e7f8', 'search', \
    'utm_medium=cpc&utm_source=google')";

/// Splits `|`-joined literal groups into one list.
trait ConcatLiterals {
    fn concat_literals(&self) -> Vec<&'static str>;
}

impl ConcatLiterals for [&'static str] {
    fn concat_literals(&self) -> Vec<&'static str> {
        self.iter().flat_map(|group| group.split('|')).collect()
    }
}

/// The whole catalog, for `tests/chdb_probe.py`.
pub fn catalog() -> Catalog {
    Catalog {
        bootstrap: vec![MIGRATIONS_TABLE.to_owned()],
        migrations: MIGRATIONS
            .iter()
            .map(|m| {
                let statements = m.statements();
                let guards = statements
                    .iter()
                    .map(|s| {
                        crate::migrations::ColumnGuard::of(s)
                            .map(|g| (g.table().to_owned(), g.column().to_owned(), g.runs_when(true)))
                    })
                    .collect();
                CatalogMigration { version: m.version, name: m.name, statements, guards }
            })
            .collect(),
        tables: table_probes(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::migrations;

    #[test]
    fn every_table_has_a_probe() {
        let probed: Vec<_> = table_probes().iter().map(|p| p.table.to_owned()).collect();
        for table in migrations::tables() {
            assert!(probed.contains(&table), "table {table} has no probe in store::probe");
        }
        assert!(probed.contains(&"schema_migrations".to_owned()));
    }

    #[test]
    fn the_split_sessions_filter_is_the_whole_one() {
        assert_eq!(format!("{SESSION_FILTER_HEAD}|{SESSION_FILTER_TAIL}"), SESSION_FILTER);
    }

    #[test]
    fn render_fills_placeholders_in_order() {
        assert_eq!(render("a = ? AND b = ?", &["1", "'x'"]), "a = 1 AND b = 'x'");
    }

    #[test]
    #[should_panic(expected = "too few literals")]
    fn render_refuses_missing_literals() {
        render("a = ? AND b = ?", &["1"]);
    }
}
