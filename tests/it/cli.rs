//! Command-line contract: exit codes and messages (SPEC §7).

use crate::support::{BIN, Shop};

#[test]
fn exit_codes() {
    let shop = Shop::empty();
    let usage = std::process::Command::new(BIN)
        .arg("frobnicate")
        .output()
        .expect("run");
    assert_eq!(usage.status.code(), Some(2), "usage error");
    let missing = shop.cli(&["journal", "verify"]);
    assert_eq!(missing.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("does not exist"));
    let shop = Shop::new();
    let out = shop.cli(&["hold", "NOPE-1", "--reason", "x"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no lot or batch has the code NOPE-1"));
    let bad_config = shop.path("bad.toml");
    std::fs::write(&bad_config, "[[bench]]\nname='a'\nscanners=['nope']\n").expect("write");
    let out = shop.cli(&["--config", bad_config.to_str().expect("utf8"), "run"]);
    assert_eq!(
        out.status.code(),
        Some(2),
        "a wrong config is a usage error"
    );
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains("uses scanner \"nope\", which no [[scanner]] defines")
    );
}

#[test]
fn run_check_refuses_each_mistake_with_file_and_key() {
    let shop = Shop::empty();
    let bench = "[[bench]]\nname='pack'\nscanners=['s1']\nprinter='zebra'\n[[scanner]]\nname='s1'\nkind='stdin'\n";
    let cases = [
        ("[[printer]]\nname='zebra'\nkind='tcp'\n", "needs address ="),
        (
            "[[printer]]\nname='zebra'\nkind='file'\npath='l'\n[[scanner]]\nname='spare'\nkind='stdin'\n",
            "scanner \"spare\" is not in any bench's scanners",
        ),
        (
            "[[printer]]\nname='zebra'\nkind='file'\npath='l'\n[[scale]]\nname='s'\npath='/dev/x'\nprotocol='mt-sics'\nunit='stone'\n",
            "unknown variant `stone`, expected `kg` or `lb`",
        ),
    ];
    for (rest, expected) in cases {
        let path = shop.path("station.toml");
        std::fs::write(&path, format!("{bench}{rest}")).expect("write");
        let out = shop.cli(&["--config", path.to_str().expect("utf8"), "run", "--check"]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{stderr}");
        assert!(stderr.contains("station.toml"), "names the file: {stderr}");
        assert!(stderr.contains(expected), "{expected:?} in {stderr}");
    }
    let path = shop.path("station.toml");
    std::fs::write(
        &path,
        format!("{bench}[[printer]]\nname='zebra'\nkind='file'\npath='labels'\n"),
    )
    .expect("write");
    let out = shop.cli(&["--config", path.to_str().expect("utf8"), "run", "--check"]);
    assert_eq!(out.status.code(), Some(0));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("is valid: 1 bench, 1 scanner, 0 scales, 1 printer"),
        "{stdout}"
    );
    assert!(
        !shop.path("lotstation.db").exists(),
        "a check opens no database"
    );
    // the configuration the service ships with is valid as it stands
    let shipped = crate::support::fixture("../../systemd/lotstation.toml");
    let out = shop.cli(&["--config", &shipped, "run", "--check"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn journal_show_prints_json_lines() {
    let shop = Shop::new();
    let out = shop.cli(&["journal", "show", "--limit", "2"]);
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).expect("json"))
        .collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["seq"], 1);
    assert_eq!(lines[0]["kind"], "import");
    assert_eq!(lines[1]["prev_hash"], lines[0]["hash"]);
}

#[test]
fn the_demo_runs_and_verifies() {
    let dir = tempfile::tempdir().expect("tmp");
    let demo_dir = dir.path().join("demo");
    let out = std::process::Command::new(BIN)
        .args(["demo", "--quiet", "--dir"])
        .arg(&demo_dir)
        .output()
        .expect("run demo");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        text.contains("received    8 lots from 3 suppliers"),
        "{text}"
    );
    assert!(
        text.contains("made        5 batches (1 of them used as a sub-assembly in other batches)"),
        "{text}"
    );
    assert!(
        text.contains("shipped     31 shipments, 64 units, to 31 customers"),
        "{text}"
    );
    assert!(text.contains("4 refused with a reason"), "{text}");
    assert!(text.contains("hash chain and database verified"), "{text}");
    // `journal show | head -1`: the reader goes away after one line of a journal larger
    // than a pipe holds; the command ends quietly (it panicked with exit 101)
    let mut show = std::process::Command::new(BIN)
        .arg("--db")
        .arg(demo_dir.join("lotstation.db"))
        .args(["journal", "show"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("journal show");
    let mut first = String::new();
    std::io::BufRead::read_line(
        &mut std::io::BufReader::new(show.stdout.take().expect("stdout")),
        &mut first,
    )
    .expect("a line");
    assert!(first.starts_with("{\"seq\":1,"), "{first}");
    let shown = show.wait_with_output().expect("wait");
    assert_eq!(
        shown.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&shown.stderr)
    );
    assert!(
        shown.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&shown.stderr)
    );
    // `demo | head`: the reader gone before the demo has said much (every later line
    // finds the pipe closed); the demo stops quietly (it panicked)
    let mut piped = std::process::Command::new(BIN)
        .args(["demo", "--dir"])
        .arg(dir.path().join("piped"))
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("demo");
    drop(piped.stdout.take());
    let piped = piped.wait_with_output().expect("wait");
    assert_eq!(
        (
            piped.status.code(),
            String::from_utf8_lossy(&piped.stderr).as_ref()
        ),
        (Some(0), "")
    );
    // a second run replaces the demo's own folder, and refuses anyone else's
    let again = std::process::Command::new(BIN)
        .args(["demo", "--quiet", "--dir"])
        .arg(&demo_dir)
        .output()
        .expect("run");
    assert!(again.status.success());
    let other = dir.path().join("mine");
    std::fs::create_dir(&other).expect("mkdir");
    std::fs::write(other.join("precious.txt"), "keep").expect("write");
    let refused = std::process::Command::new(BIN)
        .args(["demo", "--dir"])
        .arg(&other)
        .output()
        .expect("run");
    assert_eq!(refused.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("is not a lotstation demo folder"));
}

#[test]
fn the_benchmark_runs_at_tiny_scale() {
    // it measures SQLite files of its own whatever the suite's backend: the PostgreSQL pass
    // would run the same minute again
    if crate::support::postgres() {
        return;
    }
    let dir = tempfile::tempdir().expect("tmp");
    let out = std::process::Command::new(BIN)
        .args(["bench", "run", "--scale", "tiny", "--dir"])
        .arg(dir.path())
        .output()
        .expect("run bench");
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{table}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for figure in [
        "history import, tiny",
        "forward trace, most-used lot",
        "backward trace of an order",
        "recall package (JSON + CSV + PDF)",
        "render one label: ZPL",
        "render one label: PDF",
        "scans through parse, workflow and durable commit, one bench",
        "same, 8 benches at once (group commit)",
        "scan in to label bytes at a TCP printer",
        "daemon idle memory (RSS)",
        "daemon start to ready",
        "whole command: forward trace as JSON, lot through a blend",
        "whole command: forward trace as JSON, most-used lot",
        "whole command: backward trace of an order as JSON",
        "whole command: recall --mock, most-used lot",
        "whole command: stock",
        "scan answered at the bench, screen idle",
        "station screen, trace page of the most-used lot, 8 clients at once",
        "station screen, /api/trace (JSON), 8 clients at once",
        "scan answered at the bench while the screen serves 8 clients",
        "station screen, trace page of the most-used lot, 50 clients at once",
        "station screen, recall package (PDF) of a lot through a blend, 50 clients at once",
        "scan answered at the bench while the screen serves 50 clients",
    ] {
        assert!(
            table.lines().any(|l| l.starts_with(&format!("| {figure}"))),
            "{figure} missing from\n{table}"
        );
    }
}

/// Ctrl-C (SIGINT) or a supervisor's SIGTERM stops a station whose scanner is standard input
/// still open, as at a terminal: within a second, with what was scanned recorded (it used to
/// wait for Ctrl-D).
#[test]
fn a_signal_stops_a_station_reading_an_open_terminal() {
    for signal in ["-INT", "-TERM"] {
        let shop = Shop::new();
        let mut bench = shop.process_bench();
        bench.ok("@RECEIVE");
        bench.ok("SUP:BRAMBLE");
        let sent = std::time::Instant::now();
        let status = std::process::Command::new("kill")
            .args([signal, &bench.child.id().to_string()])
            .status()
            .expect("kill");
        assert!(status.success());
        // the station's exit is the condition; bounded, since a station that ignores the
        // signal would never give one
        let exited = loop {
            if let Some(exited) = bench.child.try_wait().expect("wait") {
                break Some(exited);
            }
            if sent.elapsed() > std::time::Duration::from_secs(5) {
                break None;
            }
            std::thread::sleep(std::time::Duration::from_millis(10));
        };
        let exited = exited.unwrap_or_else(|| panic!("{signal}: still running after 5 s"));
        assert!(exited.success(), "{signal}: {exited}");
        assert!(
            sent.elapsed() < std::time::Duration::from_secs(1),
            "{signal}: {:?}",
            sent.elapsed()
        );
        assert_eq!(
            shop.query_i64("SELECT COUNT(*) FROM journal WHERE kind = 'scan'"),
            2,
            "{signal}: what was scanned is recorded"
        );
    }
}
