//! Serial devices end to end through pseudo-terminals: a scripted MT-SICS scale on one end,
//! `lotstation run` on the other, opening the pty exactly as it opens a USB-serial scale.
//! Settled weights become quantities; unplugging and replugging is survived.

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use crate::support::{Shop, code_after};

pub(crate) struct FakeScale {
    child: Child,
    stdin: ChildStdin,
    lines: mpsc::Receiver<String>,
}

impl FakeScale {
    pub(crate) fn start(link: &std::path::Path) -> FakeScale {
        let python = std::env::var("LOTSTATION_PYTHON").unwrap_or_else(|_| "python3".into());
        let mut child = Command::new(python)
            .arg(crate::support::fixture("../oracles/fake_scale.py"))
            .arg(link)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("start the fake scale");
        let stdin = child.stdin.take().expect("stdin");
        let stdout = child.stdout.take().expect("stdout");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let mut scale = FakeScale {
            child,
            stdin,
            lines: rx,
        };
        assert_eq!(scale.next(), "ready");
        scale
    }

    fn next(&mut self) -> String {
        self.lines
            .recv_timeout(Duration::from_secs(20))
            .expect("the fake scale answers")
    }

    /// Waits until the scale prints `notice` (`tare`, `zero`): the station's command reached it.
    pub(crate) fn wait_for(&mut self, notice: &str) {
        while self.next() != notice {}
    }

    /// Sends a command and waits for its `ack` (skipping `tare`/`zero` notices into `seen`).
    pub(crate) fn say(&mut self, command: &str) -> Vec<String> {
        writeln!(self.stdin, "{command}").expect("write");
        let mut seen = Vec::new();
        loop {
            let line = self.next();
            if line == "ack" {
                return seen;
            }
            seen.push(line);
        }
    }
}

impl Drop for FakeScale {
    fn drop(&mut self) {
        let _ = writeln!(self.stdin, "quit");
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn config(link: &std::path::Path) -> String {
    format!(
        "[[bench]]\nname = \"bench-1\"\nscanners = [\"stdin\"]\nscale = \"scale-1\"\n\
         [[scanner]]\nname = \"stdin\"\nkind = \"stdin\"\n\
         [[scale]]\nname = \"scale-1\"\npath = \"{}\"\nprotocol = \"mt-sics\"\nsettle_ms = 300\npoll_ms = 100\n",
        link.display()
    )
}

#[test]
fn a_serial_scale_through_a_pty_weighs_and_survives_unplugging() {
    let shop = Shop::new();
    let link = shop.path("scale-1");
    let mut scale = FakeScale::start(&link);
    let mut bench = shop.bench_with_config(&config(&link));
    bench.ok("@RECEIVE");
    bench.ok("SUP:BRAMBLE");
    bench.ok("INV-1");
    bench.ok("ITEM:LAV-EO");
    let line = bench.ok("SL-7");
    assert!(
        line.ends_with("next: weigh LAV-EO or scan @QTY:<n>"),
        "{line}"
    );
    // the clerk puts the drum on the pan: it moves, then settles and is taken, once
    scale.say("weight 250.40 g moving");
    scale.say("weight 250.50 g stable");
    let line = bench.read();
    assert_eq!(
        line, "ok: 250.5 g of LAV-EO | next: @DONE to create the lot",
        "taken automatically"
    );
    let line = bench.ok("@DONE");
    let lot = code_after(&line, "lot ");
    assert!(line.contains("250.5 g LAV-EO"), "{line}");
    bench.ok("@DONE");
    // a load put on while nothing waits for a weight is not taken later: @WEIGH takes it
    scale.say("weight 0.00 g stable");
    scale.say("weight 100.00 g stable");
    bench.wait_log(&["scale reading", "stable", "100 g"]);
    bench.ok("@MAKE");
    bench.ok("ITEM:BLEND");
    bench.ok(&lot);
    // readings past the settle time (300 ms at one per 100 ms) while the bench waits: the
    // load that was already on the pan is still not taken by itself
    for _ in 0..5 {
        bench.wait_log(&["scale reading", "stable", "100 g"]);
    }
    let line = bench.ok("@WEIGH");
    assert!(
        line.contains(&format!("100 g of lot {lot} used in MFG-0001")),
        "{line}"
    );
    // moving is not a weight
    scale.say("weight 12.00 g moving");
    bench.wait_log(&["scale reading", "unstable", "12 g"]);
    bench.ok(&lot);
    let line = bench.scan("@WEIGH");
    assert!(
        line.starts_with("error: the scale is not stable yet"),
        "{line}"
    );
    // @TARE reaches the scale
    bench.ok("@TARE");
    scale.wait_for("tare");
    // unplugged: the station says so, and keeps working
    scale.say("unplug");
    bench.wait_log(&["device state", "scale-1", "up=false"]);
    let line = bench.scan("@WEIGH");
    assert!(
        line.starts_with("error: the scale is not connected"),
        "{line}"
    );
    let line = bench.ok("@QTY:1g");
    assert!(line.contains("1 g of lot"), "{line}");
    // plugged back in: readings come again, and a new load is taken for the next lot
    scale.say("replug");
    scale.say("weight 0.00 g stable");
    bench.wait_log(&["device state", "scale-1", "up=true"]);
    bench.wait_log(&["scale reading", "stable", "weight=\"0 g\""]);
    bench.ok(&lot);
    scale.say("weight 30.00 g stable");
    let line = bench.read();
    assert!(
        line.starts_with("ok: 30 g of lot"),
        "taken after the replug: {line}"
    );
    bench.finish();
    assert_eq!(shop.query_i64("SELECT COUNT(*) FROM consumptions"), 3);
    assert_eq!(
        shop.query_i64("SELECT COUNT(*) FROM journal WHERE kind = 'weight' AND json_extract(body, '$.accepted') = 1"),
        2,
        "automatic weights are journaled"
    );
    assert_eq!(shop.verify().0, 0);
}

#[test]
fn a_serial_scanner_through_a_pty_survives_unplugging() {
    let shop = Shop::new();
    let link = shop.path("scanner-1");
    let mut device = FakeScale::start(&link);
    let config = format!(
        "[[bench]]\nname = \"bench-1\"\nworkflow = \"receive\"\nscanners = [\"stdin\", \"wand\"]\n\
         [[scanner]]\nname = \"stdin\"\nkind = \"stdin\"\n\
         [[scanner]]\nname = \"wand\"\nkind = \"serial\"\npath = \"{}\"\n",
        link.display()
    );
    let mut bench = shop.bench_with_config(&config);
    bench.wait_log(&["device state", "wand", "up=true"]);
    device.say("send SUP:BRAMBLE");
    let line = bench.read();
    assert!(
        line.starts_with("ok: receiving from Bramble Oils"),
        "{line}"
    );
    device.say("unplug");
    bench.wait_log(&["device state", "wand", "up=false"]);
    // the bench goes on with its other scanner meanwhile
    bench.ok("INV-1");
    device.say("replug");
    bench.wait_log(&["device state", "wand", "up=true"]);
    device.say("send ITEM:LAV-EO");
    let line = bench.read();
    assert!(
        line.starts_with("ok: Lavender essential oil (LAV-EO)"),
        "{line}"
    );
    bench.finish();
    assert_eq!(
        shop.query_strings("SELECT device FROM journal WHERE kind = 'scan' ORDER BY seq"),
        vec!["wand", "stdin", "wand"]
    );
}

#[test]
fn devices_are_listed_and_recorded() {
    let shop = Shop::new();
    let out = shop.cli(&["devices"]);
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    for section in [
        "Serial ports",
        "Keyboard-wedge scanners (evdev)",
        "HID POS scanners",
        "USB printers",
    ] {
        assert!(text.contains(section), "{text}");
    }
    let link = shop.path("scanner-rec");
    let mut device = FakeScale::start(&link);
    let fixture = shop.path("fixture.hex");
    let mut recorder = crate::support::command()
        .args(["devices", "record", "serial"])
        .arg(&link)
        .args(["--seconds", "2", "-o"])
        .arg(&fixture)
        .stderr(Stdio::piped())
        .spawn()
        .expect("record");
    // it says when it has the device open
    let mut said = String::new();
    let mut stderr = BufReader::new(recorder.stderr.take().expect("stderr"));
    stderr.read_line(&mut said).expect("the recorder speaks");
    assert!(said.starts_with("recording "), "{said}");
    device.say("send LAV-2611-001");
    let mut rest = String::new();
    stderr
        .read_to_string(&mut rest)
        .expect("the recorder's last words");
    assert!(recorder.wait().expect("wait").success(), "{rest}");
    let hex = std::fs::read_to_string(&fixture).expect("fixture");
    assert!(
        hex.replace('\n', "").contains("4c41562d323631312d3030310d"),
        "{hex}"
    );
}

/// Sold by weight on the packing bench's scale (a fake MT-SICS scale on a pty): each pack
/// of the bulk soap is put on the pan and taken when it settles, the pan emptied between
/// packs; a moving pan is no weight; the order of 1.5 kg ships in full as two packs.
#[test]
fn packs_weighed_on_the_packing_benchs_scale() {
    let shop = Shop::new();
    shop.import_bulk_soap();
    let link = shop.path("scale-1");
    let mut scale = FakeScale::start(&link);
    let mut bench = shop.bench_with_config(&config(&link));
    for scan in [
        "@RECEIVE",
        "SUP:COASTAL",
        "INV-2",
        "ITEM:OLIVE",
        "SL-OL-5",
        "@QTY:20kg",
        "@DONE",
        "@DONE",
        "@MAKE",
        "ITEM:BULK",
        "OLV-2611-001",
        "@QTY:2kg",
        "@YIELD:2kg",
        "@DONE",
        "@PACK",
        "ORD:5004",
    ] {
        bench.ok(scan);
    }
    let line = bench.ok("MFG-0001");
    assert!(line.contains("weigh it (@WEIGH)"), "{line}");
    // the first pack on the pan: moving, then settled and taken
    scale.say("weight 749.80 g moving");
    bench.wait_log(&["scale reading", "unstable"]);
    let line = bench.scan("@WEIGH");
    assert!(
        line.starts_with("error: the scale is not stable yet"),
        "{line}"
    );
    scale.say("weight 750.00 g stable");
    let line = bench.read();
    assert!(
        line.starts_with("ok: 750 g of MFG-0001 (BULK) packed on order 5004"),
        "taken automatically: {line}"
    );
    // the pan emptied, the second pack's label scanned, the second pack weighed
    scale.say("weight 0.00 g stable");
    bench.wait_log(&["scale reading", "stable", "weight=\"0 g\""]);
    bench.ok("MFG-0001");
    scale.say("weight 750.00 g stable");
    let line = bench.read();
    assert!(line.starts_with("ok: 750 g of MFG-0001"), "{line}");
    let line = bench.ok("@DONE");
    assert!(!line.contains("SHORT"), "{line}");
    assert!(line.contains("1.5 kg of BULK in 2 packs"), "{line}");
    bench.finish();
    assert_eq!(
        shop.query_strings("SELECT quantity FROM shipment_lines ORDER BY line_no"),
        ["750000", "750000"]
    );
    assert_eq!(shop.verify().0, 0);
}
