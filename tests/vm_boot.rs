//! The Debian package on a booted Debian: runs inside the bookworm VM of `vm/boot-test.sh`
//! (systemd as PID 1, udev, Debian's kernel), as root, and checks what an owner would see:
//! `apt install ./lotstation_…deb` starts the service; its exposure as systemd scores it;
//! a keyboard-wedge scanner plugged in is found through its `/dev/lotstation/` link, its
//! scans answered and recorded, the screen answering on loopback; `apt remove` keeps the
//! records and a second install carries on with the same journal; `apt purge` says what it
//! keeps. Elsewhere (no `LOTSTATION_BOOT_VM`) it returns at once.

mod uhid;

use std::io::{Read, Write};
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use uhid::{KEYBOARD_DESCRIPTOR, Uhid};

const DEB: &str = "/root/lotstation.deb";
const DB: &str = "/var/lib/lotstation/lotstation.db";
const CONFIG: &str = "/etc/lotstation/lotstation.toml";

fn run(program: &str, args: &[&str]) -> String {
    let out = Command::new(program)
        .args(args)
        .env("DEBIAN_FRONTEND", "noninteractive")
        .output()
        .unwrap_or_else(|e| panic!("{program}: {e}"));
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{program} {args:?} failed: {text}");
    text
}

/// Waits up to `limit` for `done`, checking every 100 ms (the VM is emulated: slow).
fn wait_for(what: &str, limit: Duration, mut done: impl FnMut() -> bool) {
    let started = Instant::now();
    while !done() {
        assert!(started.elapsed() < limit, "{what}: not within {limit:?}");
        std::thread::sleep(Duration::from_millis(100));
    }
    println!("{what}: after {:.1} s", started.elapsed().as_secs_f64());
}

fn service_active() -> bool {
    Command::new("systemctl")
        .args(["is-active", "--quiet", "lotstation.service"])
        .status()
        .is_ok_and(|s| s.success())
}

/// GET `path` from the station's screen on loopback: the status line and the body.
fn get(path: &str) -> Option<(String, String)> {
    let mut stream = std::net::TcpStream::connect("127.0.0.1:8077").ok()?;
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .ok()?;
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1:8077\r\nConnection: close\r\n\r\n"
    )
    .ok()?;
    let mut text = String::new();
    stream.read_to_string(&mut text).ok()?;
    let (head, body) = text.split_once("\r\n\r\n")?;
    Some((head.lines().next()?.to_string(), body.to_string()))
}

/// The station says its scanner is open (and grabbed).
fn scanner_up() -> bool {
    get("/api/status").is_some_and(|(_, body)| body.contains(r#""scanner-1":true"#))
}

/// The journal's entries as the station's own command reads them (read-only).
fn journal() -> Vec<serde_json::Value> {
    run(
        "lotstation",
        &["--config", CONFIG, "journal", "show", "--limit", "100000"],
    )
    .lines()
    .filter(|l| l.starts_with('{'))
    .map(|l| serde_json::from_str(l).expect("json"))
    .collect()
}

fn scans_with(entries: &[serde_json::Value], raw: &str) -> usize {
    entries
        .iter()
        .filter(|e| e["kind"] == "scan" && e["body"]["raw"] == raw)
        .count()
}

/// Types `text` and waits until the journal has recorded it as a scan.
fn scan(scanner: &Uhid, text: &str) {
    scanner.type_text(&format!("{text}\n"));
    wait_for(
        &format!("scan {text} recorded"),
        Duration::from_secs(60),
        || scans_with(&journal(), text) > 0,
    );
}

#[test]
fn the_package_installs_runs_and_keeps_the_records() {
    if std::env::var("LOTSTATION_BOOT_VM").is_err() {
        return;
    }
    // the kernel's HID modules (the VM's root has no module tree of its own)
    for module in ["hid", "uhid", "hid-generic", "evdev"] {
        let path = format!("/root/modules/{module}.ko");
        let _ = Command::new("insmod").arg(&path).status();
    }
    assert!(Path::new("/dev/uhid").exists(), "uhid loaded");

    run("apt-get", &["install", "-y", DEB]);
    wait_for("service active", Duration::from_secs(120), service_active);
    let security = run(
        "systemd-analyze",
        &["security", "--no-pager", "lotstation.service"],
    );
    let exposure: f64 = security
        .lines()
        .find_map(|l| {
            l.split("Overall exposure level for lotstation.service: ")
                .nth(1)
        })
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no exposure level in {security}"));
    assert!(exposure <= 2.5, "exposure {exposure}");
    println!("systemd-analyze security lotstation: exposure {exposure}");

    // a scanner plugged in after the service started: found through its link, grabbed
    let scanner = Uhid::create(
        "Symbol Bar Code Scanner",
        0x05e0,
        0x1200,
        KEYBOARD_DESCRIPTOR,
    );
    wait_for("/dev/lotstation/scanner", Duration::from_secs(30), || {
        Path::new("/dev/lotstation/scanner").exists()
    });
    println!("{}", run("ls", &["-l", "/dev/lotstation/"]));
    wait_for(
        "the station took the scanner",
        Duration::from_secs(60),
        scanner_up,
    );
    // `lotstation devices` names it by its link, in a block to copy into the config
    let devices = run("lotstation", &["devices"]);
    println!("{devices}");
    assert!(
        devices.contains("[[scanner]]")
            && devices.contains("kind = \"evdev\"")
            && devices.contains("path = \"/dev/lotstation/scanner"),
        "{devices}"
    );
    scan(&scanner, "OP:rosa");
    scan(&scanner, "@RECEIVE");
    let entries = journal();
    let receive = entries
        .iter()
        .find(|e| e["kind"] == "scan" && e["body"]["raw"] == "@RECEIVE")
        .expect("the scan");
    assert_eq!(receive["body"]["accepted"], true, "{receive}");
    assert_eq!(receive["bench"], "bench-1");
    // the screen, on loopback, shows the bench and what it answered
    let (status, _) = get("/").expect("the screen answers");
    assert!(
        status.contains("303"),
        "one bench: straight to its screen ({status})"
    );
    let (status, page) = get("/bench/bench-1").expect("the bench's screen");
    assert!(status.contains("200"), "{status}");
    assert!(page.contains("bench-1"), "{page}");
    let (status, benches) = get("/api/benches").expect("the API answers");
    assert!(status.contains("200"), "{status} {benches}");
    assert!(benches.contains("bench is now receiving"), "{benches}");
    let before = entries.len();

    // remove: the service stops, the records stay
    run("apt-get", &["remove", "-y", "lotstation"]);
    assert!(!service_active());
    assert!(!Path::new("/usr/bin/lotstation").exists());
    assert!(Path::new(DB).exists(), "the database is kept");

    // installed again: the same journal carries on
    run("apt-get", &["install", "-y", DEB]);
    wait_for(
        "service active again",
        Duration::from_secs(120),
        service_active,
    );
    wait_for(
        "the scanner taken again",
        Duration::from_secs(60),
        scanner_up,
    );
    scan(&scanner, "@MAKE");
    let after = journal();
    assert!(
        after.len() > before,
        "{} entries, then {}",
        before,
        after.len()
    );
    assert_eq!(
        after[..before],
        entries[..],
        "the earlier entries are untouched"
    );
    let verified = run("lotstation", &["--config", CONFIG, "journal", "verify"]);
    assert!(verified.contains("journal ok"), "{verified}");

    // purge: says what it keeps, and keeps it
    let purged = run("apt-get", &["purge", "-y", "lotstation"]);
    println!("{purged}");
    assert!(purged.contains("KEPT /var/lib/lotstation"), "{purged}");
    assert!(Path::new(DB).exists());
    assert!(!Path::new("/etc/lotstation").exists());
    scanner.destroy();
}
