//! Keeps docs/privacy.md, the record of processing a site's lawyer reads,
//! in step with the code: every fact in its last table is computed here
//! from the code's own defaults and lists, and must match word for word.

use std::collections::BTreeMap;

use crate::config::from_toml;

const DOC: &str = include_str!("../../../docs/privacy.md");

/// The `| `fact` | value |` rows of the facts table.
fn documented() -> BTreeMap<String, String> {
    let table = DOC.split("## Facts checked against the code").nth(1).expect("the facts section");
    table
        .lines()
        .filter_map(|line| {
            let mut cells = line.strip_prefix("| `")?.splitn(2, '|');
            let fact = cells.next()?.trim().trim_end_matches('`').to_owned();
            let value = cells.next()?.trim().trim_end_matches('|').trim().to_owned();
            Some((fact, value))
        })
        .collect()
}

fn days(duration: std::time::Duration) -> String {
    format!("{} days", duration.as_secs() / 86_400)
}

/// The same facts, from the code.
fn actual() -> BTreeMap<String, String> {
    let config = from_toml(
        r#"
[[consent.keys]]
id = "k1"
secret = "hex:0000000000000000000000000000000000000000000000000000000000000000"
[[sites]]
id = "demo"
origins = ["https://shop.example"]
"#,
    )
    .expect("minimal config");
    let site = &config.sites[0];
    let detectors: Vec<&str> = veil_masking::Builtin::COMMON.iter().map(|b| b.rule_name()).collect();
    [
        ("purposes", site.purposes.join(", ")),
        ("legal basis", "consent".to_owned()),
        ("sites[].retention_days default", format!("{} days", site.retention_days)),
        ("sites[].heatmap_retention_days default", format!("{} days", site.heatmap_retention_days)),
        ("sites[].k_min default", site.k_min.to_string()),
        ("sites[].honor_gpc default", site.honor_gpc.to_string()),
        ("consent.token_ttl default", days(config.consent.token_ttl)),
        (
            "consent.revocation_poll_interval default",
            format!("{} seconds", config.consent.revocation_poll_interval.as_secs()),
        ),
        ("retention job interval", format!("{} seconds", crate::retention::INTERVAL.as_secs())),
        ("erasure second pass after", format!("{} seconds", crate::privacy::SECOND_PASS_DELAY.as_secs())),
        ("tables holding a visitor id", veil_store::erasure::VISITOR_TABLES.join(", ")),
        ("server-side detectors", detectors.join(", ")),
        ("browser families", veil_ingest::browser::FAMILIES.join(", ")),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect()
}

#[test]
fn the_record_of_processing_states_the_codes_defaults() {
    let documented = documented();
    for (fact, value) in actual() {
        match documented.get(&fact) {
            Some(doc) => {
                assert_eq!(doc, &value, "docs/privacy.md says `{fact}` is {doc}; the code says {value}")
            }
            None => panic!("docs/privacy.md has no row for `{fact}` (the code says {value})"),
        }
    }
    let known = actual();
    for fact in documented.keys() {
        assert!(known.contains_key(fact), "docs/privacy.md states `{fact}`, which no test checks");
    }
}

#[test]
fn every_table_with_a_visitor_column_is_erased() {
    // A new table holding visitor ids must be added to VISITOR_TABLES, or
    // erasure would leave it behind (the end-to-end test scans data; this
    // catches the schema).
    let mut with_visitor = Vec::new();
    for migration in veil_store::migrations::MIGRATIONS {
        for statement in migration.statements() {
            let Some(rest) = statement.strip_prefix("CREATE TABLE IF NOT EXISTS ") else { continue };
            let name = rest.split_whitespace().next().unwrap_or_default();
            let is_input = statement.contains("ENGINE = Null");
            if statement.contains("\n    visitor String") && !is_input {
                with_visitor.push(name.to_owned());
            }
        }
    }
    with_visitor.sort();
    let mut erased: Vec<String> =
        veil_store::erasure::VISITOR_TABLES.iter().map(|t| (*t).to_owned()).collect();
    erased.sort();
    assert_eq!(with_visitor, erased);
}
