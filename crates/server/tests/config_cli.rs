//! The configuration contract (SPEC §2): TOML plus `VEIL_…` overrides, and
//! an invalid value stops start-up with a message naming the key.

mod common;

use common::{VEIL, veil_with_config};

/// A valid configuration whose last table is the one site `demo`, so
/// cases can append site keys.
fn valid() -> String {
    let full = common::config_for("http://127.0.0.1:8123", "veil");
    let demo_only = full.split("\n[[sites]]\nid = \"other\"").next().expect("split");
    demo_only.to_owned()
}

#[test]
fn environment_overrides_the_file() {
    let out = veil_with_config(
        &valid(),
        &["config", "check"],
        &[
            ("VEIL_CLICKHOUSE__URL", "http://clickhouse.internal:8123"),
            ("VEIL_CLICKHOUSE__DATABASE", "veil_prod"),
            // A numeric password must stay a string.
            ("VEIL_CLICKHOUSE__PASSWORD", "1234"),
            ("VEIL_SERVER__LISTEN", "0.0.0.0:9999"),
            ("VEIL_CONSENT__TOKEN_TTL", "30d"),
        ],
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    for expected in [
        "url = \"http://clickhouse.internal:8123\"",
        "database = \"veil_prod\"",
        "listen = \"0.0.0.0:9999\"",
        "token_ttl = \"30days\"",
    ] {
        assert!(stdout.contains(expected), "missing {expected} in:\n{stdout}");
    }
    assert!(!stdout.contains("1234"), "the password must not be printed:\n{stdout}");
    assert!(!stdout.contains(&"ab".repeat(32)), "the signing secret must not be printed:\n{stdout}");
}

/// A configuration text, extra environment, and the key its error names.
type Case = (String, Vec<(&'static str, &'static str)>, &'static str);

/// Each case: a change to a valid file (appended TOML or a replacement),
/// extra environment, and the key the error must name.
#[test]
fn invalid_values_stop_start_up_naming_the_key() {
    let base = valid();
    let cases: Vec<Case> = vec![
        (format!("{base}\n[server]\nlisten = \"localhost\"\n"), vec![], "server.listen"),
        (format!("{base}\n[server]\nlisen = \"127.0.0.1:1\"\n"), vec![], "lisen"),
        (base.clone(), vec![("VEIL_SERVER__LISTEN", "nope")], "VEIL_SERVER__LISTEN"),
        (base.clone(), vec![("VEIL_CLICKHOUSE__URL", "tcp://x:9000")], "clickhouse.url"),
        (base.clone(), vec![("VEIL_INGEST__SESSION_IDLE_TIMEOUT", "0s")], "ingest.session_idle_timeout"),
        (base.clone(), vec![("VEIL_CLICKHOUSE__URLL", "http://x:8123")], "VEIL_CLICKHOUSE__URLL"),
        (base.replace("[consent]\n", "[consent]\ntoken_ttl = \"soon\"\n"), vec![], "consent.token_ttl"),
        (base.replace(&"ab".repeat(32), "abc"), vec![], "consent.keys[0].secret"),
        (base.replace("hex:", ""), vec![], "consent.keys[0].secret"),
        (base.replace("id = \"k1\"", "id = \"k 1\""), vec![], "consent.keys[0].id"),
        (base.replace("id = \"demo\"", "id = \"Demo!\""), vec![], "sites[0].id"),
        (
            format!("{base}\n[[sites]]\nid = \"demo\"\norigins = [\"https://a.example\"]\n"),
            vec![],
            "sites[1].id",
        ),
        (
            base.replace("\"http://127.0.0.1:8080\"", "\"http://127.0.0.1:8080/shop\""),
            vec![],
            "sites[0].origins[0]",
        ),
        (base.replace("\"http://127.0.0.1:8080\"", "\"ftp://files.example\""), vec![], "sites[0].origins[0]"),
        (base.replace("origins = [\"http://127.0.0.1:8080\"]", "origins = []"), vec![], "sites[0].origins"),
        (format!("{base}purposes = [\"recording\", \"ads\"]\n"), vec![], "sites[0].purposes"),
        (format!("{base}retention_days = 0\n"), vec![], "sites[0].retention_days"),
        (format!("{base}heatmap_retention_days = 100000\n"), vec![], "sites[0].heatmap_retention_days"),
        (format!("{base}k_min = 0\n"), vec![], "sites[0].k_min"),
        (
            format!("{base}[sites.masking]\npatterns = [{{ name = \"order\", regex = \"ORD-[0-9\" }}]\n"),
            vec![],
            "sites[0].masking.patterns[0].regex",
        ),
        (
            format!("{base}[sites.masking]\npatterns = [{{ name = \"Order Id\", regex = \"x\" }}]\n"),
            vec![],
            "sites[0].masking.patterns[0].name",
        ),
        (
            format!("{base}[sites.masking]\ndetectors = [\"postcode\", \"zipcode\"]\n"),
            vec![],
            "sites[0].masking.detectors[1]",
        ),
        (
            format!("{base}\n[[api_keys]]\nname = \"alice\"\nrole = \"analyst\"\nhash = \"sha256:00\"\n"),
            vec![],
            "api_keys[0].hash",
        ),
        (
            format!(
                "{base}\n[[api_keys]]\nname = \"alice\"\nrole = \"owner\"\nhash = \"blake3:{}\"\n",
                "0".repeat(64)
            ),
            vec![],
            "api_keys[0].role",
        ),
        (base.replace("[[sites]]", "[[sitez]]"), vec![], "sitez"),
    ];
    for (config, env, key) in cases {
        for command in [&["config", "check"][..], &["migrate"][..], &["serve"][..]] {
            let out = veil_with_config(&config, command, &env);
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert!(!out.status.success(), "{command:?} accepted a config with a bad {key}:\n{config}");
            assert!(stderr.contains(key), "{command:?}: error does not name {key}:\n{stderr}");
            assert!(!stderr.contains(&"ab".repeat(32)), "secret leaked into:\n{stderr}");
        }
    }
}

#[test]
fn variables_outside_the_configuration_sections_are_ignored() {
    // What Kubernetes injects for a Service named `veil`, and a tool's own.
    let out = veil_with_config(
        &valid(),
        &["config", "check"],
        &[
            ("VEIL_PORT", "tcp://10.0.0.1:8080"),
            ("VEIL_SERVICE_HOST", "10.0.0.1"),
            ("VEIL_PORT_8080_TCP_ADDR", "10.0.0.1"),
            ("VEIL_CLICKHOUSE__DATABASE", "still_read"),
        ],
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains("database = \"still_read\""), "{stdout}");
}

#[test]
fn serve_needs_a_signing_key_and_a_site() {
    let out = veil_with_config("[clickhouse]\nurl = \"http://127.0.0.1:1\"\n", &["serve"], &[]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(stderr.contains("consent.keys") && stderr.contains("sites"), "{stderr}");
}

#[test]
fn a_missing_explicit_config_file_is_an_error() {
    let out = std::process::Command::new(VEIL)
        .args(["migrate", "--config", "/nonexistent/veil.toml"])
        .output()
        .expect("running veil");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(stderr.contains("/nonexistent/veil.toml") && stderr.contains("not found"), "{stderr}");
}

#[test]
fn keys_generate_prints_a_usable_secret() {
    let out = std::process::Command::new(VEIL).args(["keys", "generate"]).output().expect("running veil");
    let secret = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    assert!(out.status.success());
    let config = valid().replace(&format!("hex:{}", "ab".repeat(32)), &secret);
    let check = veil_with_config(&config, &["config", "check"], &[]);
    assert!(check.status.success(), "{}", String::from_utf8_lossy(&check.stderr));
}
