//! Shared pieces of the server's end-to-end tests.
#![allow(dead_code)]

pub mod browser;

use std::process::{Command, Output};
use std::str::FromStr;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde_json::{Value, json};
use veil_consent::{ClaimsInput, ConsentId, Keyring, Purposes, SecretKey, SigningKey, SiteId, VisitorId};
use veil_test_support::{TestDatabase, VeilOptions, VeilProcess};

/// The `veil` binary under test.
pub const VEIL: &str = env!("CARGO_BIN_EXE_veil");

/// The origin the test site `demo` accepts.
pub const ORIGIN: &str = "http://127.0.0.1:8080";

/// The signing secret of every test configuration.
pub fn secret() -> String {
    "ab".repeat(32)
}

/// A valid configuration: sites `demo` and `other`, fast shipping.
pub fn config_for(url: &str, database: &str) -> String {
    format!(
        r#"
[clickhouse]
url = "{url}"
database = "{database}"
probe_interval = "200ms"
probe_timeout = "1s"

[queue]
ship_interval = "200ms"

[consent]
revocation_poll_interval = "1s"

[[consent.keys]]
id = "k1"
secret = "hex:{secret}"

[[sites]]
id = "demo"
origins = ["{ORIGIN}"]

[[sites]]
id = "other"
origins = ["https://other.example"]
purposes = ["heatmaps"]
"#,
        secret = secret()
    )
}

/// Runs `veil <args>` with `config` written to a file passed as `--config`.
pub fn veil_with_config(config: &str, args: &[&str], env: &[(&str, &str)]) -> Output {
    let dir = veil_test_support::TempDir::new("veil-cli");
    let path = dir.path().join("veil.toml");
    std::fs::write(&path, config).expect("writing config");
    // `timeout`: a config that is wrongly accepted must fail the test, not
    // leave `veil serve` running forever.
    let mut command = Command::new("timeout");
    command.arg("20").arg(VEIL).args(args).arg("--config").arg(&path).env_remove("VEIL_CONFIG");
    for (key, value) in env {
        command.env(key, value);
    }
    command.output().expect("running veil")
}

/// `veil migrate` on the test database; panics with its output on failure.
pub fn migrate(db: &TestDatabase) -> String {
    let out = veil_with_config(&config_for(&db.url(), db.name()), &["migrate"], &[]);
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(out.status.success(), "migrate failed: {stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    stdout
}

/// A migrated database and a ready server on it.
pub fn migrated_server() -> (TestDatabase, VeilProcess) {
    migrated_server_with(&[])
}

/// The same with extra environment (config overrides).
pub fn migrated_server_with(env: &[(&str, &str)]) -> (TestDatabase, VeilProcess) {
    let db = TestDatabase::new();
    migrate(&db);
    let env = env.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
    let mut veil = VeilProcess::start(
        VEIL.as_ref(),
        VeilOptions { config: config_for(&db.url(), db.name()), env, port: None },
    );
    wait_ready(&mut veil);
    (db, veil)
}

/// The analyst's API key of [`server_with_keys`].
pub const ANALYST_KEY: &str = "veil_test_analyst_key";
/// The admin's API key of [`server_with_keys`].
pub const ADMIN_KEY: &str = "veil_test_admin_key";
/// The `user_id_secret` of site `demo` in [`server_with_keys`] (hex).
pub fn user_id_secret() -> String {
    "5a".repeat(32)
}

/// A migrated database and a ready server whose configuration also has an
/// analyst key (`ana`), an admin key (`root`) and a `user_id_secret` for
/// site `demo`; `env` adds overrides.
pub fn server_with_keys(env: &[(&str, &str)]) -> (TestDatabase, VeilProcess) {
    server_with_keys_for(ORIGIN, env)
}

/// The same, with site `demo` accepting `origin` instead of [`ORIGIN`].
pub fn server_with_keys_for(origin: &str, env: &[(&str, &str)]) -> (TestDatabase, VeilProcess) {
    let db = TestDatabase::new();
    migrate(&db);
    let config = config_with_keys(&db, origin);
    let env = env.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
    let mut veil = VeilProcess::start(VEIL.as_ref(), VeilOptions { config, env, port: None });
    wait_ready(&mut veil);
    (db, veil)
}

/// [`server_with_keys`] with site `demo`'s `k_min` set.
pub fn server_with_k_min(k_min: u32) -> (TestDatabase, VeilProcess) {
    let db = TestDatabase::new();
    migrate(&db);
    let config = config_with_keys(&db, ORIGIN).replacen(
        &format!("origins = [\"{ORIGIN}\"]\n"),
        &format!("origins = [\"{ORIGIN}\"]\nk_min = {k_min}\n"),
        1,
    );
    let mut veil = VeilProcess::start(VEIL.as_ref(), VeilOptions { config, env: Vec::new(), port: None });
    wait_ready(&mut veil);
    (db, veil)
}

/// The configuration of [`server_with_keys_for`], for tests that start
/// several nodes on one database.
pub fn config_with_keys(db: &TestDatabase, origin: &str) -> String {
    let hash = |key: &str| blake3::hash(key.as_bytes()).to_hex().to_string();
    config_for(&db.url(), db.name()).replacen(
        &format!("origins = [\"{ORIGIN}\"]\n"),
        &format!("origins = [\"{origin}\"]\nuser_id_secret = \"hex:{}\"\n", user_id_secret()),
        1,
    ) + &format!(
        "\n[[api_keys]]\nname = \"ana\"\nrole = \"analyst\"\nhash = \"blake3:{}\"\n\
         \n[[api_keys]]\nname = \"root\"\nrole = \"admin\"\nhash = \"blake3:{}\"\n",
        hash(ANALYST_KEY),
        hash(ADMIN_KEY)
    )
}

/// A request with an API key (`None`: without one).
pub fn api(
    veil: &VeilProcess,
    method: &str,
    path: &str,
    key: Option<&str>,
    body: &[u8],
) -> veil_test_support::Response {
    let auth = key.map(|k| format!("Bearer {k}"));
    let mut headers: Vec<(&str, &str)> = vec![("Content-Type", "application/json")];
    if let Some(auth) = &auth {
        headers.push(("Authorization", auth));
    }
    veil.request(method, path, &headers, body)
}

/// A token of site `demo` for a given visitor.
pub fn visitor_token(visitor: &str, purposes: &[&str]) -> String {
    keyring().mint(ClaimsInput {
        site: SiteId::from_str("demo").expect("site id"),
        consent_id: ConsentId::generate(),
        visitor: VisitorId::from_str(visitor).expect("visitor"),
        purposes: Purposes::from_names(purposes.iter().copied()).expect("purposes"),
        issued_at: now(),
        ttl: Duration::from_secs(3600),
    })
}

/// Every row of every table of the test database, as text, for scans
/// ("nothing of this visitor is left anywhere").
pub fn dump_all_tables(db: &TestDatabase) -> String {
    let tables = db.query("SELECT name FROM system.tables WHERE database = currentDatabase() ORDER BY name");
    let mut out = String::new();
    for table in tables.lines().map(str::trim).filter(|t| !t.is_empty()) {
        let engine = db.query(&format!(
            "SELECT engine FROM system.tables WHERE database = currentDatabase() AND name = '{table}'"
        ));
        // Null tables hold nothing; views are read through their targets.
        if matches!(engine.trim(), "Null" | "MaterializedView" | "View") {
            continue;
        }
        out.push_str(&format!("== {table}\n"));
        out.push_str(&db.query(&format!("SELECT * FROM `{table}` FORMAT TSV")));
    }
    out
}

/// Waits until `/readyz` answers 200.
pub fn wait_ready(veil: &mut VeilProcess) {
    veil.wait_until(Duration::from_secs(15), |v| v.get("/readyz").is_ok_and(|(s, _)| s == 200));
}

/// The keyring of the test configuration.
pub fn keyring() -> Keyring {
    let key = SigningKey {
        id: "k1".parse().expect("key id"),
        secret: SecretKey::from_str(&format!("hex:{}", secret())).expect("secret"),
        retired: false,
    };
    Keyring::new([key]).expect("keyring")
}

/// Unix seconds now.
pub fn now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0)
}

/// A token for `site` and `purposes`, issued `age` seconds ago, valid for
/// `ttl` seconds from issue.
pub fn token(site: &str, purposes: &[&str], age: u64, ttl: u64) -> String {
    keyring().mint(ClaimsInput {
        site: SiteId::from_str(site).expect("site id"),
        consent_id: ConsentId::generate(),
        visitor: VisitorId::from_str(&format!("{:032x}", rand_u128())).expect("visitor"),
        purposes: Purposes::from_names(purposes.iter().copied()).expect("purposes"),
        issued_at: now() - age,
        ttl: Duration::from_secs(ttl),
    })
}

/// A fresh token for site `demo`, both purposes.
pub fn demo_token() -> String {
    token("demo", &["recording", "heatmaps"], 0, 3600)
}

fn rand_u128() -> u128 {
    rand::random()
}

/// A realistic small batch: Meta, an Input with a typed value, a click.
pub fn batch(site: &str, session: &str, seq: u64) -> Value {
    let ts = now() * 1000;
    json!({
        "v": 1, "site": site, "session": session, "seq": seq,
        "page": {"url": "http://127.0.0.1:8080/checkout", "title": "Checkout"},
        "viewport": {"w": 1280, "h": 720}, "document": {"w": 1280, "h": 2400},
        "events": [
            {"type": 4, "timestamp": ts, "data": {"href": "http://127.0.0.1:8080/checkout", "width": 1280, "height": 720}},
            {"type": 3, "timestamp": ts + 500, "data": {"source": 5, "id": 42, "text": "typed secret value", "isChecked": false}},
            {"type": 5, "timestamp": ts + 900, "data": {"tag": "veil.click", "payload": {
                "x": 100, "y": 200, "w": 1280, "h": 2400, "vw": 1280, "vh": 720, "fixed": false,
                "selector": "button.pay", "rage": false, "dead": false}}}
        ]
    })
}

/// MessagePack of a JSON value.
pub fn msgpack(value: &Value) -> Vec<u8> {
    rmp_serde::to_vec_named(value).expect("msgpack")
}

/// zstd of bytes.
pub fn zstd(bytes: &[u8]) -> Vec<u8> {
    zstd::encode_all(bytes, 3).expect("zstd")
}

/// gzip of bytes.
pub fn gzip(bytes: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(bytes).expect("gzip");
    encoder.finish().expect("gzip")
}

/// Polls a ClickHouse query until it returns `expected` (trimmed).
pub fn wait_for_query(db: &TestDatabase, sql: &str, expected: &str, timeout: Duration) {
    let started = Instant::now();
    loop {
        let got = db.query(sql);
        if got.trim() == expected {
            return;
        }
        assert!(
            started.elapsed() < timeout,
            "`{sql}` gave {got:?}, expected {expected:?} within {timeout:?}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Polls `/metrics` until every expected line is there and returns the text.
/// Counters the shipper keeps move after its insert returns, so a row can
/// already be in ClickHouse while its counter has not yet been bumped.
pub fn wait_for_metrics(veil: &VeilProcess, expected: &[&str], timeout: Duration) -> String {
    let started = Instant::now();
    loop {
        let metrics = veil.get("/metrics").expect("metrics").1;
        let missing: Vec<&&str> = expected.iter().filter(|line| !metrics.contains(**line)).collect();
        if missing.is_empty() {
            return metrics;
        }
        assert!(started.elapsed() < timeout, "missing {missing:?} within {timeout:?} in\n{metrics}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// POSTs a body to `/v1/ingest` as the recorder does for the `demo` site:
/// from its origin, MessagePack compressed with zstd.
pub fn ingest_body(veil: &VeilProcess, token: &str, body: &[u8]) -> veil_test_support::Response {
    ingest_body_with(veil, token, body, &[])
}

/// [`ingest_body`] with more headers (e.g. `X-Forwarded-For`).
pub fn ingest_body_with(
    veil: &VeilProcess,
    token: &str,
    body: &[u8],
    extra: &[(&str, &str)],
) -> veil_test_support::Response {
    let mut headers = vec![
        ("Origin", ORIGIN),
        ("X-Consent-Token", token),
        ("Content-Type", "application/msgpack"),
        ("Content-Encoding", "zstd"),
        ("User-Agent", USER_AGENT),
    ];
    headers.extend_from_slice(extra);
    veil.post("/v1/ingest", &headers, body)
}

/// `POST /console/login` with `key`, as the console sends it.
pub fn console_login(veil: &VeilProcess, key: &str) -> veil_test_support::Response {
    veil.post(
        "/console/login",
        &[("Content-Type", "application/json")],
        json!({"key": key}).to_string().as_bytes(),
    )
}

/// The `name=value` part of a response's Set-Cookie header.
pub fn cookie_of(response: &veil_test_support::Response) -> String {
    let set = response.header("set-cookie").expect("a cookie");
    set.split(';').next().unwrap_or_default().to_owned()
}

/// The browser every test batch comes from.
pub const USER_AGENT: &str = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0";

/// The same for a batch given as JSON.
pub fn ingest(veil: &VeilProcess, token: &str, batch: &Value) -> veil_test_support::Response {
    ingest_body(veil, token, &zstd(&msgpack(batch)))
}

/// The stored recordings' payloads (zstd JSON arrays of events),
/// decompressed, in `seq` order.
pub fn stored_payloads(db: &TestDatabase) -> Vec<String> {
    db.query("SELECT hex(payload) FROM recordings ORDER BY seq")
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .map(|line| {
            let bytes: Vec<u8> = (0..line.len())
                .step_by(2)
                .filter_map(|i| u8::from_str_radix(&line[i..i + 2], 16).ok())
                .collect();
            String::from_utf8(zstd::decode_all(&bytes[..]).expect("zstd payload")).expect("UTF-8 payload")
        })
        .collect()
}

/// Percent-encodes a query parameter value (unreserved bytes kept).
pub fn urlencode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}
