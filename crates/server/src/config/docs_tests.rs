//! Keeps docs/configuration.md in step with the code: every key is
//! documented, no documented key is stale, and every documented default is
//! the default the code applies.

use std::collections::BTreeMap;

use super::{Config, from_toml};

const DOC: &str = include_str!("../../../../docs/configuration.md");

/// Fields that are never serialized (secrets), so the walk cannot see them.
const SECRET_KEYS: &[&str] = &["clickhouse.password", "consent.keys[].secret", "sites[].user_id_secret"];

/// A configuration with every list non-empty, so every key shows up.
/// Keys absent by default (documented default `none`), which a default
/// configuration does not serialise.
const OPTIONAL_KEYS: &[&str] = &["clickhouse.cluster", "server.demo_site"];

const FULL: &str = r#"
[[consent.keys]]
id = "k1"
secret = "hex:0000000000000000000000000000000000000000000000000000000000000000"
[[sites]]
id = "demo"
origins = ["http://127.0.0.1:8080"]
[sites.masking]
patterns = [{ name = "order_id", regex = "ORD-[0-9]{8}" }]
[sites.page_keys]
groups = [{ regex = "^/product/[^/]+$", key = "/product/:slug" }]
[[api_keys]]
name = "alice"
role = "analyst"
hash = "blake3:0000000000000000000000000000000000000000000000000000000000000000"
"#;

/// `| `key` | default | meaning |` rows of the table.
fn documented() -> BTreeMap<String, String> {
    DOC.lines()
        .filter_map(|line| {
            let mut cells = line.strip_prefix("| `")?.splitn(3, '|');
            let key = cells.next()?.trim().trim_end_matches('`').to_owned();
            let default = cells.next()?.trim().trim_matches('`').to_owned();
            Some((key, default))
        })
        .collect()
}

fn walk(prefix: &str, value: &toml::Value, out: &mut BTreeMap<String, toml::Value>) {
    if let toml::Value::Table(table) = value {
        for (key, child) in table {
            let path = if prefix.is_empty() { key.clone() } else { format!("{prefix}.{key}") };
            out.insert(path.clone(), child.clone());
            match child {
                toml::Value::Table(_) => walk(&path, child, out),
                toml::Value::Array(items) if items.first().is_some_and(toml::Value::is_table) => {
                    walk(&format!("{path}[]"), &items[0], out);
                }
                _ => {}
            }
        }
    }
}

fn keys_of(config: &Config) -> BTreeMap<String, toml::Value> {
    let mut out = BTreeMap::new();
    walk("", &toml::Value::try_from(config).expect("config serialises"), &mut out);
    out
}

#[test]
fn every_key_is_documented_and_no_documented_key_is_stale() {
    let full = from_toml(FULL).expect("full config is valid");
    let mut code: Vec<String> = keys_of(&full).into_keys().collect();
    code.extend(SECRET_KEYS.iter().map(|k| (*k).to_owned()));
    code.extend(OPTIONAL_KEYS.iter().map(|k| (*k).to_owned()));
    // Sections themselves (`server`, `sites[].masking`) need no row.
    let sections = [
        "server",
        "clickhouse",
        "consent",
        "ingest",
        "queue",
        "compaction",
        "sites[].masking",
        "sites[].page_keys",
        "sites[].segments",
    ];
    code.retain(|k| !sections.contains(&k.as_str()));
    let docs = documented();
    for key in &code {
        assert!(docs.contains_key(key), "docs/configuration.md has no row for `{key}`");
    }
    for key in docs.keys() {
        assert!(code.contains(key), "docs/configuration.md documents `{key}`, which the code does not know");
    }
}

#[test]
fn documented_defaults_are_the_code_defaults() {
    let actual = keys_of(&from_toml(FULL).expect("full config is valid"));
    // Lists FULL fills in on purpose; their documented default is `[]`.
    let filled =
        ["consent.keys", "sites", "api_keys", "sites[].masking.patterns", "sites[].page_keys.groups"];
    for (key, documented_default) in documented() {
        if documented_default == "required"
            || SECRET_KEYS.contains(&key.as_str())
            || (OPTIONAL_KEYS.contains(&key.as_str()) && documented_default == "none")
            || filled.contains(&key.as_str())
        {
            continue;
        }
        let documented: toml::Table = toml::from_str(&format!("v = {documented_default}"))
            .unwrap_or_else(|e| panic!("default of `{key}` is not a TOML value: {e}"));
        let code = actual.get(&key).unwrap_or_else(|| panic!("`{key}` has no value in the code"));
        assert!(
            same(&documented["v"], code),
            "docs/configuration.md says `{key}` defaults to {documented_default}, the code says {code}"
        );
    }
}

/// Equal as TOML values, durations compared as durations (`"180d"` is the
/// code's `"5months 27days 19h 12m"`).
fn same(documented: &toml::Value, code: &toml::Value) -> bool {
    match (documented, code) {
        (toml::Value::String(a), toml::Value::String(b)) => {
            a == b
                || matches!((humantime::parse_duration(a), humantime::parse_duration(b)), (Ok(x), Ok(y)) if x == y)
        }
        _ => documented == code,
    }
}
