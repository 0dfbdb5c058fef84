//! Deployment artefacts in deploy/ are checked as far as this machine can:
//! the systemd unit passes `systemd-analyze verify` with the real binary
//! in place of the installed path, and starts no command Veil lacks.

use std::process::Command;

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
