//! Proves the schema and the queries on current ClickHouse, run in-process
//! by chdb-core (PyPI), since production runs current releases while the
//! Debian package we test against is 18.16.

use std::io::Write;
use std::process::{Command, Stdio};

/// `CHDB_PYTHON` (set by deploy/local/test.sh to its virtualenv), else
/// `python3`.
fn python() -> String {
    std::env::var("CHDB_PYTHON").unwrap_or_else(|_| "python3".to_owned())
}

#[test]
fn schema_and_queries_run_on_current_clickhouse() {
    let has_chdb = Command::new(python())
        .args(["-c", "import chdb"])
        .output()
        .map(|out| out.status.success())
        .unwrap_or(false);
    assert!(
        has_chdb,
        "chdb-core is missing for {}: install it with `python3 -m pip install chdb-core` \
         (deploy/local/test.sh does this for you)",
        python()
    );
    let catalog = serde_json::to_vec(&veil_store::probe::catalog()).expect("catalog serialises");
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/chdb_probe.py");
    let mut child = Command::new(python())
        .arg(script)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("starting {}: {e}", python()));
    child.stdin.take().expect("stdin").write_all(&catalog).expect("writing the catalog");
    let output = child.wait_with_output().expect("waiting for python3");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "chdb probe failed:\n{stdout}\n{stderr}");
    assert!(stdout.contains("tables probed:"), "{stdout}");
}
