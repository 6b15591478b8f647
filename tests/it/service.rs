//! The service files: `systemd-analyze verify` accepts the unit, and udev parses the rules
//! (`udevadm test` reads every rules file and names the lines it cannot use).

use std::process::Command;

fn required(tool: &str) -> bool {
    let found = Command::new(tool).arg("--version").output().is_ok();
    if !found && std::env::var("LOTSTATION_ORACLES").as_deref() == Ok("1") {
        panic!("{tool} is needed (scripts/test.sh installs it)");
    }
    found
}

#[test]
fn systemd_accepts_the_unit() {
    if !required("systemd-analyze") {
        return;
    }
    let dir = tempfile::tempdir().expect("tmp");
    let unit = std::fs::read_to_string(crate::support::fixture("../../systemd/lotstation.service"))
        .expect("unit");
    assert!(
        unit.contains("Type=notify")
            && unit.contains("WatchdogSec=")
            && unit.contains("StateDirectory=lotstation")
    );
    // verify checks that ExecStart can run: point it at the binary under test
    let path = dir.path().join("lotstation.service");
    std::fs::write(
        &path,
        unit.replace("/usr/local/bin/lotstation", crate::support::BIN),
    )
    .expect("write");
    let out = Command::new("systemd-analyze")
        .arg("verify")
        .arg(&path)
        .output()
        .expect("systemd-analyze");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        !stderr.contains("lotstation.service"),
        "warnings about the unit: {stderr}"
    );
    // and its exposure, as systemd scores it, stays at most 2.5
    let out = Command::new("systemd-analyze")
        .args(["security", "--offline=true", "--no-pager"])
        .arg(&path)
        .output()
        .expect("systemd-analyze security");
    let text = String::from_utf8_lossy(&out.stdout);
    let exposure: f64 = text
        .lines()
        .find_map(|l| {
            l.split("Overall exposure level for lotstation.service: ")
                .nth(1)
        })
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no exposure level in {text}"));
    assert!(exposure <= 2.5, "exposure {exposure}: {text}");
}

#[test]
fn udev_parses_the_rules() {
    if !required("udevadm") || !std::path::Path::new("/etc/udev/rules.d").exists() {
        return;
    }
    let rules = std::fs::read_to_string(crate::support::fixture("../../udev/70-lotstation.rules"))
        .expect("rules");
    assert!(
        rules.contains("ID_MM_DEVICE_IGNORE"),
        "ModemManager is kept away"
    );
    assert!(!rules.contains("GROUP=\"input\""), "no blanket input group");
    // udevadm reads rules only from its system folders: the rules are put there inside a
    // private mount namespace over a temporary folder, so nothing is written to this
    // machine's /etc
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("70-lotstation-test.rules"), &rules).expect("write rules");
    let script = format!(
        "mount --bind {} /etc/udev/rules.d && udevadm test /sys/class/tty/ttyS0",
        dir.path().display()
    );
    let out = Command::new("unshare")
        .args(["--mount", "--propagation", "private", "sh", "-c", &script])
        .output()
        .expect("unshare");
    let text =
        String::from_utf8_lossy(&out.stderr).into_owned() + &String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("Reading rules file: /etc/udev/rules.d/70-lotstation-test.rules"),
        "{text}"
    );
    let complaints: Vec<&str> = text
        .lines()
        .filter(|l| l.contains("70-lotstation-test.rules:"))
        // the group is made by systemd/lotstation.sysusers when the package is installed
        .filter(|l| !l.contains("Unknown group 'lotstation'"))
        .collect();
    assert!(
        complaints.is_empty(),
        "udev cannot use these rules: {complaints:#?}"
    );
}

/// The configuration the Debian package installs is a working one: checked whole as the
/// service would at start, with the screen on loopback only.
#[test]
fn the_packaged_configuration_is_valid() {
    let path = crate::support::fixture("../../packaging/lotstation.toml");
    let out = crate::support::command()
        .args(["--config", &path, "run", "--check"])
        .output()
        .expect("run --check");
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{said}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        said.contains(
            "1 bench, 2 scanners, 0 scales, 1 printer; database /var/lib/lotstation/lotstation.db"
        ),
        "{said}"
    );
    let text = std::fs::read_to_string(&path).expect("config");
    assert!(text.contains("listen = \"127.0.0.1:8077\""));
    assert!(text.contains("path = \"/dev/lotstation/scanner\""));
}
