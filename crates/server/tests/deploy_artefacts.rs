//! Deployment artefacts are checked as far as this machine can (no
//! container engine runs here): the systemd unit passes `systemd-analyze
//! verify` with the real binary in place of the installed path; the
//! compose file and the Kubernetes manifests parse as YAML (PyYAML) and
//! hold what docs/deploy.md promises: probes on /readyz and /healthz, the
//! queue on a volume, a non-root user, the configuration from a Secret;
//! the Dockerfile builds the binary in one stage and runs it unprivileged
//! in another. Every veil command they run exists.

use std::path::PathBuf;
use std::process::Command;

use serde_json::Value;

const VEIL: &str = env!("CARGO_BIN_EXE_veil");

#[test]
fn the_systemd_unit_verifies_and_runs_real_commands() {
    let unit =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../deploy/systemd/veil.service"))
            .expect("deploy/systemd/veil.service");
    let dir = veil_test_support::TempDir::new("veil-unit");
    let path = dir.path().join("veil.service");
    std::fs::write(&path, unit.replace("/usr/local/bin/veil", VEIL)).expect("writing the unit");
    let out =
        Command::new("systemd-analyze").args(["verify", "--man=no"]).arg(&path).output().expect(
            "systemd-analyze is missing: `apt-get install systemd` (deploy/local/test.sh installs it)",
        );
    let said = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    // Units it pulls in (clickhouse-server.service) need not exist here.
    let complaints: Vec<&str> = said.lines().filter(|l| !l.contains("clickhouse-server.service")).collect();
    assert!(out.status.success() && complaints.is_empty(), "systemd-analyze verify:\n{said}");

    // Every veil subcommand the unit runs exists (`--help` exits 0).
    for line in unit.lines().filter(|l| l.starts_with("ExecStart")) {
        let command = line.split_once('=').map_or("", |(_, c)| c);
        let mut words = command.split_whitespace();
        assert_eq!(words.next(), Some("/usr/local/bin/veil"), "{line}");
        let args: Vec<&str> = words.collect();
        let status = Command::new(VEIL).args(&args).arg("--help").output().expect("running veil");
        assert!(status.status.success(), "`veil {} --help` fails", args.join(" "));
    }
}

fn deploy(path: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..").join(path)
}

/// Every YAML document of `path`, as JSON values.
fn yaml(path: &str) -> Vec<Value> {
    let python = std::env::var("CHDB_PYTHON").unwrap_or_else(|_| "python3".to_owned());
    let out = Command::new(&python)
        .args([
            "-c",
            "import json, sys, yaml; print(json.dumps(list(yaml.safe_load_all(open(sys.argv[1])))))",
        ])
        .arg(deploy(path))
        .output()
        .unwrap_or_else(|e| panic!("running {python}: {e}"));
    assert!(
        out.status.success(),
        "{path} does not parse as YAML (or PyYAML is missing: `pip install pyyaml`, deploy/local/test.sh does it):\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    #[allow(clippy::disallowed_methods, reason = "our own manifests, converted by python")]
    serde_json::from_slice(&out.stdout).expect("python printed JSON")
}

/// `veil <args> --help` succeeds: the subcommand exists.
fn assert_veil_command(args: &[Value], what: &str) {
    let args: Vec<&str> = args.iter().map(|a| a.as_str().expect("string argument")).collect();
    let status = Command::new(VEIL).args(&args).arg("--help").output().expect("running veil");
    assert!(status.status.success(), "{what}: `veil {}` is no veil command", args.join(" "));
}

#[test]
fn the_compose_file_runs_migrate_then_serve_with_the_queue_on_a_volume() {
    let compose = &yaml("deploy/compose/compose.yaml")[0];
    let services = &compose["services"];
    assert_veil_command(services["migrate"]["command"].as_array().expect("command"), "migrate");
    assert_veil_command(services["veil"]["command"].as_array().expect("command"), "veil");
    assert_eq!(services["veil"]["depends_on"]["migrate"]["condition"], "service_completed_successfully");
    let volumes: Vec<&str> =
        services["veil"]["volumes"].as_array().expect("volumes").iter().filter_map(Value::as_str).collect();
    assert!(volumes.contains(&"queue:/var/lib/veil"), "{volumes:?}");
    assert!(compose["volumes"].get("queue").is_some());
    // Files the compose file mounts exist.
    for service in ["prometheus", "grafana"] {
        for volume in services[service]["volumes"].as_array().expect("volumes") {
            let source = volume.as_str().expect("volume").split(':').next().expect("source");
            assert!(deploy("deploy/compose").join(source).exists(), "{service} mounts missing {source}");
        }
    }
    yaml("deploy/compose/prometheus.yml");
    yaml("deploy/compose/grafana-provisioning/datasources/prometheus.yaml");
    yaml("deploy/compose/grafana-provisioning/dashboards/veil.yaml");
}

#[test]
fn the_kubernetes_manifests_probe_veil_and_keep_a_queue_per_pod() {
    let documents = yaml("deploy/k8s/veil.yaml");
    let kind = |k: &str| documents.iter().find(|d| d["kind"] == k).unwrap_or_else(|| panic!("no {k}"));
    let set = kind("StatefulSet");
    let pod = &set["spec"]["template"]["spec"];
    assert_eq!(pod["securityContext"]["runAsNonRoot"], true);
    let veil = &pod["containers"][0];
    assert_veil_command(veil["args"].as_array().expect("args"), "container");
    assert_veil_command(pod["initContainers"][0]["args"].as_array().expect("args"), "init container");
    assert_eq!(veil["readinessProbe"]["httpGet"]["path"], "/readyz");
    assert_eq!(veil["livenessProbe"]["httpGet"]["path"], "/healthz");
    let grace = pod["terminationGracePeriodSeconds"].as_u64().expect("grace period");
    assert!(grace > 30, "longer than server.shutdown_timeout: {grace}");
    let mounts = veil["volumeMounts"].as_array().expect("mounts");
    assert!(mounts.iter().any(|m| m["name"] == "queue" && m["mountPath"] == "/var/lib/veil"));
    assert_eq!(set["spec"]["volumeClaimTemplates"][0]["metadata"]["name"], "queue");
    let config =
        pod["volumes"].as_array().expect("volumes").iter().find(|v| v["name"] == "config").expect("config");
    assert_eq!(config["secret"]["secretName"], "veil-config");
    assert_eq!(kind("Service")["spec"]["selector"]["app"], "veil");
}

#[test]
fn the_dockerfile_builds_in_one_stage_and_runs_unprivileged_in_another() {
    let dockerfile = std::fs::read_to_string(deploy("Dockerfile")).expect("Dockerfile");
    let stages: Vec<&str> = dockerfile.lines().filter(|l| l.starts_with("FROM ")).collect();
    assert_eq!(stages.len(), 2, "{stages:?}");
    assert!(dockerfile.contains("cargo build --release --locked --bin veil"));
    assert!(dockerfile.contains("COPY --from=build /src/target/release/veil /usr/local/bin/veil"));
    let user = dockerfile.lines().rfind(|l| l.starts_with("USER ")).expect("a USER line");
    assert!(!user.contains("root") && user != "USER 0", "{user}");
    assert!(dockerfile.contains("VEIL_QUEUE__DIR=/var/lib/veil/queue"));
    // The embedded assets are committed, so the build needs no Node.js.
    for asset in ["sdk-js/dist/veil.min.js", "crates/server/console/dist"] {
        assert!(deploy(asset).exists(), "{asset} is not in the checkout");
    }
    let ignored = std::fs::read_to_string(deploy(".dockerignore")).expect(".dockerignore");
    assert!(ignored.lines().any(|l| l == "target/"), "the build context leaves target/ out");
}
