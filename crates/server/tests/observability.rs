//! The observability kit in deploy/observability stays true: the alert
//! rules pass `promtool check rules` and their unit tests, and every metric
//! and label the rules and the Grafana dashboard use is one Veil documents
//! (docs/operations.md, whose table a server test keeps equal to what
//! `/metrics` exports).

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::process::Command;

fn kit() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../deploy/observability")
}

fn promtool(args: &[&str]) {
    let out = Command::new("promtool")
        .args(args)
        .current_dir(kit())
        .output()
        .expect("promtool is missing: `apt-get install prometheus` (deploy/local/test.sh installs it)");
    assert!(
        out.status.success(),
        "promtool {} failed:\n{}{}",
        args.join(" "),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn alert_rules_pass_promtool_and_their_unit_tests() {
    promtool(&["check", "rules", "alerts.yml"]);
    promtool(&["test", "rules", "alerts_test.yml"]);
}

/// Documented metrics and their labels, from the table of
/// docs/operations.md (`| `name` | type | `label`, … | meaning |`).
fn documented() -> BTreeMap<String, BTreeSet<String>> {
    let doc = std::fs::read_to_string(kit().join("../../docs/operations.md")).expect("docs/operations.md");
    doc.lines()
        .filter_map(|line| {
            let mut cells = line.strip_prefix("| `veil_")?.split('|');
            let name = format!("veil_{}", cells.next()?.trim().trim_end_matches('`'));
            let _kind = cells.next()?;
            let labels = cells
                .next()?
                .split(',')
                .map(|l| l.trim().trim_matches('`').to_owned())
                .filter(|l| !l.is_empty())
                .collect();
            Some((name, labels))
        })
        .collect()
}

/// Checks one PromQL expression: its Veil metrics are documented, and the
/// labels it groups by are theirs (or Prometheus' own).
fn check_expr(expr: &str, documented: &BTreeMap<String, BTreeSet<String>>, what: &str) {
    let metric = regex::Regex::new(r"veil_[a-z0-9_]+").expect("regex");
    let grouping = regex::Regex::new(r"by \(([^)]*)\)").expect("regex");
    let mut labels: BTreeSet<String> = ["instance", "job", "le"].map(str::to_owned).into();
    for found in metric.find_iter(expr) {
        let name = found.as_str();
        let base = ["_bucket", "_sum", "_count"]
            .iter()
            .find_map(|suffix| name.strip_suffix(suffix).filter(|b| documented.contains_key(*b)))
            .unwrap_or(name);
        let own =
            documented.get(base).unwrap_or_else(|| panic!("{what}: `{name}` is not a documented metric"));
        labels.extend(own.iter().cloned());
    }
    for group in grouping.captures_iter(expr) {
        for label in group[1].split(',').map(str::trim).filter(|l| !l.is_empty()) {
            assert!(
                labels.contains(label),
                "{what}: `{expr}` groups by `{label}`, which its metrics do not have"
            );
        }
    }
}

#[test]
fn the_dashboard_and_the_rules_use_documented_metrics_and_labels() {
    let documented = documented();
    assert!(documented.len() > 20, "the metrics table was not found: {documented:?}");
    let dashboard: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(kit().join("grafana-dashboard.json")).expect("dashboard"),
    )
    .expect("the dashboard is JSON");
    let panels = dashboard["panels"].as_array().expect("panels");
    assert!(panels.len() >= 10);
    let mut exprs = 0;
    for panel in panels {
        for target in panel["targets"].as_array().expect("targets") {
            let expr = target["expr"].as_str().expect("expr");
            check_expr(expr, &documented, &format!("dashboard panel `{}`", panel["title"]));
            exprs += 1;
        }
    }
    assert!(exprs >= panels.len());

    let rules = std::fs::read_to_string(kit().join("alerts.yml")).expect("alerts.yml");
    let mut alerts = 0;
    // Each rule's expression: the `expr:` line, or the indented block under
    // `expr: |`.
    let lines: Vec<&str> = rules.lines().collect();
    for (i, line) in lines.iter().enumerate() {
        let Some(expr) = line.trim_start().strip_prefix("expr:") else { continue };
        let expr = if expr.trim() == "|" {
            lines[i + 1..]
                .iter()
                .take_while(|l| l.starts_with("          "))
                .map(|l| l.trim())
                .collect::<Vec<_>>()
                .join(" ")
        } else {
            expr.trim().to_owned()
        };
        check_expr(&expr, &documented, "alerts.yml");
        alerts += 1;
    }
    assert!(alerts >= 10, "{alerts} rules read");
}
