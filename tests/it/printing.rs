//! The print queue against real transports: a folder, a raw TCP "printer" on loopback that
//! refuses, stays silent, reports paper out and drops a job half way, and a real IPP
//! printer (CUPS' ippeveprinter). Every job arrives complete, in order, exactly once.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use lotstation::decode::zpl_status::{HostStatus, host_status_answer};

use crate::ql::{self, ENDLESS_62, REPLY, ql_status};

/// A QL's status of 29 × 90 mm die-cut labels loaded (width, type, length).
const DIE_CUT_29X90: (u8, u8, u8) = (29, 0x0B, 90);
use crate::support::{Bench, Scans, Shop, code_after};

const OK: HostStatus = HostStatus {
    paper_out: false,
    paused: false,
    head_open: false,
    ribbon_out: false,
    formats_in_buffer: 0,
    labels_remaining: 0,
};

/// How the fake printer treats one connection.
#[derive(Debug, Clone, Copy)]
enum Behaviour {
    /// reads `~HS` and never answers (a Zebra out of media says nothing)
    Silent,
    /// answers `~HS` with these flags and takes nothing
    Status(HostStatus),
    /// answers OK, reads this many bytes of the job, then hangs up
    DropAfter(usize),
    /// answers OK, reads this many bytes of the job, stalls past the station's timeout,
    /// then hangs up (the drill's printer that lost a label journaled as printed)
    Stall(usize),
    /// takes the job, then answers the ~HS after it with this status (paused, out of labels)
    TakeThenReport(HostStatus),
    /// takes the job into its buffer and says so when asked (one format in the buffer, one
    /// label to go), then loses its power before printing it
    TakeThenLosePower,
    /// a healthy printer that is slow: the first ~HS after a job finds it still in the
    /// buffer, the next finds it printed
    Slow,
    /// a healthy printer
    Good,
}

/// A port-9100 printer on loopback with a script of behaviours, one per connection (the
/// last one repeats). Complete formats (`^XA…^XZ`) are what "printed".
struct FakePrinter {
    /// the formats printed, and a signal for each one added
    printed: Arc<(Mutex<Vec<String>>, Condvar)>,
    connections: Arc<Mutex<usize>>,
}

impl FakePrinter {
    fn start_on(listener: TcpListener, script: Vec<Behaviour>) -> FakePrinter {
        let printed = Arc::new((Mutex::new(Vec::new()), Condvar::new()));
        let connections = Arc::new(Mutex::new(0));
        let (p, c) = (printed.clone(), connections.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { continue };
                let n = {
                    let mut c = c.lock().expect("lock");
                    *c += 1;
                    *c
                };
                let behaviour = script
                    .get(n - 1)
                    .or(script.last())
                    .copied()
                    .unwrap_or(Behaviour::Good);
                let p = p.clone();
                std::thread::spawn(move || serve(stream, behaviour, &p));
            }
        });
        FakePrinter {
            printed,
            connections,
        }
    }

    fn printed(&self) -> Vec<String> {
        self.printed.0.lock().expect("lock").clone()
    }

    /// Waits (up to 10 s) until at least `count` formats have printed.
    fn wait_printed(&self, count: usize) -> Vec<String> {
        let (printed, added) = &*self.printed;
        let guard = printed.lock().expect("lock");
        let (guard, _) = added
            .wait_timeout_while(guard, Duration::from_secs(10), |p| p.len() < count)
            .expect("lock");
        guard.clone()
    }
}

fn serve(mut stream: TcpStream, behaviour: Behaviour, printed: &(Mutex<Vec<String>>, Condvar)) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    let mut hs = [0u8; 3];
    if stream.read_exact(&mut hs).is_err() || &hs != b"~HS" {
        return;
    }
    match behaviour {
        Behaviour::Silent => {
            std::thread::sleep(Duration::from_secs(2));
            return;
        }
        Behaviour::Status(status) => {
            let _ = stream.write_all(&host_status_answer(status));
            std::thread::sleep(Duration::from_millis(200));
            return;
        }
        Behaviour::DropAfter(_)
        | Behaviour::Stall(_)
        | Behaviour::TakeThenReport(_)
        | Behaviour::TakeThenLosePower
        | Behaviour::Slow
        | Behaviour::Good => {
            if stream.write_all(&host_status_answer(OK)).is_err() {
                return;
            }
        }
    }
    if let Behaviour::DropAfter(limit) | Behaviour::Stall(limit) = behaviour {
        // take the first bytes of the job, then hang up with the rest unread (a reset),
        // or first stall past the station's timeout (400 ms in these configs)
        let mut part = vec![0u8; limit];
        let _ = stream.read_exact(&mut part);
        if let Behaviour::Stall(_) = behaviour {
            std::thread::sleep(Duration::from_millis(1200));
        }
        return;
    }
    // as a Zebra does: read the stream in order, answer each ~HS where it comes
    let after_job = match behaviour {
        Behaviour::TakeThenReport(status) => status,
        _ => OK,
    };
    let in_buffer = HostStatus {
        formats_in_buffer: 1,
        labels_remaining: 1,
        ..OK
    };
    // each format prints when its ^XZ is read, before any ~HS after it is answered (a
    // slow printer: at the second ~HS after it)
    let mut pending = Vec::new();
    let mut buffer = [0u8; 4096];
    let mut waiting = false;
    loop {
        match stream.read(&mut buffer) {
            Ok(0) | Err(_) => break,
            Ok(n) => {
                pending.extend_from_slice(&buffer[..n]);
                if !pending.ends_with(b"~HS") {
                    continue;
                }
                let answer = match behaviour {
                    Behaviour::TakeThenLosePower => {
                        // the job sits in the buffer; then the power goes, nothing printed
                        let _ = stream.write_all(&host_status_answer(in_buffer));
                        return;
                    }
                    Behaviour::Slow if !waiting && pending.len() > 3 => {
                        waiting = true;
                        pending.truncate(pending.len() - 3);
                        in_buffer
                    }
                    _ => {
                        waiting = false;
                        print_complete_formats(&mut pending, printed);
                        pending.clear();
                        after_job
                    }
                };
                if stream.write_all(&host_status_answer(answer)).is_err() {
                    break;
                }
            }
        }
    }
}

/// Takes every complete `^XA…^XZ` from the front of `pending` as printed.
fn print_complete_formats(pending: &mut Vec<u8>, printed: &(Mutex<Vec<String>>, Condvar)) {
    let (list, added) = printed;
    loop {
        let text = String::from_utf8_lossy(pending).into_owned();
        let (Some(start), Some(end)) = (text.find("^XA"), text.find("^XZ")) else {
            return;
        };
        if end < start {
            pending.drain(..end + 3);
            continue;
        }
        list.lock()
            .expect("lock")
            .push(text[start..end + 3].to_string());
        added.notify_all();
        pending.drain(..end + 3);
    }
}

fn tcp_config(port: u16, drain: u64) -> String {
    format!(
        "[station]\nprint_drain_seconds = {drain}\n\
         [[bench]]\nname = \"bench-1\"\nworkflow = \"receive\"\nscanners = [\"stdin\"]\nprinter = \"zebra\"\n\
         [[scanner]]\nname = \"stdin\"\nkind = \"stdin\"\n\
         [[printer]]\nname = \"zebra\"\nkind = \"tcp\"\naddress = \"127.0.0.1:{port}\"\ntimeout_ms = 400\nretry_max_ms = 500\n"
    )
}

fn receive_lots(bench: &mut Bench, n: usize) -> Vec<String> {
    bench.ok("SUP:BRAMBLE");
    bench.ok("INV-1");
    let lots = (0..n)
        .map(|i| {
            bench.ok("ITEM:LAV-EO");
            bench.ok(&format!("SL-{i}"));
            bench.ok("@QTY:100g");
            code_after(&bench.ok("@DONE"), "lot ")
        })
        .collect();
    bench.ok("@DONE");
    lots
}

fn lot_in(format: &str) -> String {
    let start = format.find("^FDLOT ").map(|i| i + 7).unwrap_or(0);
    format[start..].split('^').next().unwrap_or("").to_string()
}

#[test]
fn tcp_printer_troubles_lose_and_double_nothing() {
    let shop = Shop::new();
    // reserve a port but do not listen yet: the printer is switched off
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    drop(listener);
    let mut bench = shop.bench_with_config(&tcp_config(port, 30));
    let lots = receive_lots(&mut bench, 2);
    // it comes on, but is out of labels, then says nothing, then drops a job half way
    let listener = TcpListener::bind(("127.0.0.1", port)).expect("rebind the printer's port");
    let printer = FakePrinter::start_on(
        listener,
        vec![
            Behaviour::Status(HostStatus {
                paper_out: true,
                ..OK
            }),
            Behaviour::Silent,
            Behaviour::Status(HostStatus {
                head_open: true,
                ..OK
            }),
            Behaviour::DropAfter(40),
            Behaviour::Stall(30),
            Behaviour::Good,
        ],
    );
    let mut more = receive_lots(&mut bench, 1);
    let mut all = lots.clone();
    all.append(&mut more);
    // asked for again: printed again, once
    let line = bench.ok("@REPRINT");
    assert!(
        line.contains(&format!("reprinting the lot label of {}", all[2])),
        "{line}"
    );
    bench.finish();
    let printed: Vec<String> = printer.printed().iter().map(|f| lot_in(f)).collect();
    // each job one outcome: printed when the printer said it came out; a job the printer
    // took and then hung up on or stalled with is uncertain, and never sent again
    let outcomes = shop.query_strings("SELECT outcome FROM print_outcomes ORDER BY job_id");
    let jobs = [&all[0], &all[1], &all[2], &all[2]];
    assert_eq!(outcomes.len(), jobs.len(), "{outcomes:?}");
    let expected: Vec<String> = jobs
        .iter()
        .zip(&outcomes)
        .filter(|(_, outcome)| *outcome == "printed")
        .map(|(lot, _)| lot.to_string())
        .collect();
    assert_eq!(
        printed, expected,
        "what printed is what was journaled printed, each once, in order: {outcomes:?}"
    );
    assert!(
        outcomes.iter().all(|o| o == "printed" || o == "uncertain")
            && outcomes.iter().any(|o| o == "uncertain")
            && outcomes.iter().any(|o| o == "printed"),
        "{outcomes:?}"
    );
    assert!(
        *printer.connections.lock().expect("lock") >= 6,
        "the troubles were met"
    );
    for detail in shop.query_strings(
        "SELECT detail FROM print_outcomes WHERE outcome = 'uncertain' ORDER BY job_id",
    ) {
        assert!(
            detail.contains("@REPRINT") || detail.contains("check whether"),
            "{detail}"
        );
    }
    assert_eq!(
        shop.query_i64("SELECT COUNT(*) FROM journal WHERE kind = 'print_outcome'"),
        4
    );
    assert_eq!(shop.verify().0, 0);
}

/// "Printed" means the label came out: a Zebra that took the job into its buffer (its `~HS`
/// says one format in the buffer, one label to go) and then lost its power never printed
/// it, so the job is uncertain, not printed, and not sent again; a slow printer that says
/// the label is still to come is asked again until it is out, and is printed once.
#[test]
fn a_zebra_that_loses_power_with_the_job_in_its_buffer_is_uncertain() {
    let shop = Shop::new();
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let printer = FakePrinter::start_on(
        listener,
        vec![Behaviour::TakeThenLosePower, Behaviour::Slow],
    );
    let mut bench = shop.bench_with_config(&tcp_config(port, 10));
    let lots = receive_lots(&mut bench, 2);
    bench.finish();
    assert_eq!(
        shop.query_strings("SELECT outcome FROM print_outcomes ORDER BY job_id"),
        ["uncertain", "printed"]
    );
    let printed: Vec<String> = printer.printed().iter().map(|f| lot_in(f)).collect();
    assert_eq!(
        printed,
        [lots[1].clone()],
        "the first never came out, nor went again"
    );
    assert_eq!(*printer.connections.lock().expect("lock"), 2);
    let detail = shop
        .query_strings("SELECT detail FROM print_outcomes ORDER BY job_id")
        .remove(0);
    assert!(
        detail.contains("took the job but did not say it printed") && detail.contains("@REPRINT"),
        "{detail}"
    );
}

#[test]
fn jobs_left_queued_print_on_the_next_run() {
    let shop = Shop::new();
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    drop(listener);
    let mut bench = shop.bench_with_config(&tcp_config(port, 1));
    let lots = receive_lots(&mut bench, 2);
    bench.ok("SUP:BRAMBLE");
    bench.ok("INV-2");
    bench.ok("ITEM:LAV-EO");
    bench.ok("SL-X");
    bench.confirmed("@QTY:1g");
    // the printer's worker has found it switched off (its word reaches the loop before
    // the next scan does)
    bench.wait_log(&["printer not ready"]);
    let line = bench.ok("@DONE");
    assert!(
        line.contains("(warning: printer zebra is not printing (printer 127.0.0.1:"),
        "the bench is told: {line}"
    );
    bench.finish();
    assert_eq!(
        shop.query_i64("SELECT COUNT(*) FROM print_outcomes"),
        0,
        "nothing printed, nothing lost"
    );
    let printer = FakePrinter::start_on(
        TcpListener::bind(("127.0.0.1", port)).expect("rebind"),
        vec![Behaviour::Good],
    );
    let bench = shop.bench_with_config(&tcp_config(port, 10));
    let printed = printer.wait_printed(3);
    bench.finish();
    let printed: Vec<String> = printed.iter().map(|f| lot_in(f)).collect();
    assert_eq!(printed.len(), 3);
    assert_eq!(printed[..2], lots[..]);
}

/// A printer that takes the job and then reports a problem may print it later or never:
/// the job is journaled uncertain (not printed, not sent again), and the bench is told.
#[test]
fn a_job_taken_then_paused_is_uncertain_not_printed() {
    let shop = Shop::new();
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let printer = FakePrinter::start_on(
        listener,
        vec![
            Behaviour::TakeThenReport(HostStatus { paused: true, ..OK }),
            Behaviour::Good,
        ],
    );
    let mut bench = shop.bench_with_config(&tcp_config(port, 10));
    let lots = receive_lots(&mut bench, 1);
    bench.finish();
    assert_eq!(printer.printed().len(), 1, "sent once, never twice");
    assert_eq!(
        shop.query_strings("SELECT outcome FROM print_outcomes"),
        vec!["uncertain"]
    );
    let detail = shop
        .query_strings("SELECT detail FROM print_outcomes")
        .remove(0);
    assert!(
        detail.contains("took the job and then reported") && detail.contains("paused"),
        "{detail}"
    );
    assert_eq!(
        shop.query_strings(
            "SELECT json_extract(body, '$.code') || ' ' || json_extract(body, '$.outcome') FROM journal WHERE kind = 'print_outcome'"
        ),
        vec![format!("{} uncertain", lots[0])]
    );
    assert_eq!(shop.verify().0, 0);
}

#[test]
fn the_file_printer_writes_each_job_once() {
    let shop = Shop::new();
    let mut bench = shop.process_bench();
    bench.ok("@RECEIVE");
    let lots = receive_lots(&mut bench, 2);
    bench.finish();
    let mut files: Vec<String> = std::fs::read_dir(shop.path("labels"))
        .expect("labels folder")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    files.sort();
    assert_eq!(
        files,
        vec![
            format!("000001-lot-{}.zpl", lots[0]),
            format!("000002-lot-{}.zpl", lots[1])
        ]
    );
    let zpl = std::fs::read_to_string(shop.path("labels").join(&files[0])).expect("zpl");
    let rendered = shop.cli(&["label", "render", "lot", &lots[0], "--format", "zpl"]);
    assert_eq!(
        zpl.as_bytes(),
        rendered.stdout,
        "the queue prints what `label render` shows"
    );
}

/// A real IPP printer on loopback: CUPS' ippeveprinter (it needs D-Bus and Avahi running).
struct IppPrinter {
    child: std::process::Child,
    port: u16,
    spool: tempfile::TempDir,
}

impl Drop for IppPrinter {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn ipp_printer() -> Option<IppPrinter> {
    use std::process::Command;
    if Command::new("ippeveprinter")
        .arg("--version")
        .output()
        .is_err()
    {
        if std::env::var("LOTSTATION_ORACLES").as_deref() == Ok("1") {
            panic!("ippeveprinter (cups-ipp-utils) is needed");
        }
        eprintln!("skipped: ippeveprinter not installed");
        return None;
    }
    // ippeveprinter will not start without DNS-SD, even with `-r off`: a live system bus
    // and a live avahi-daemon must run. A machine can carry a dead bus's socket and pid file
    // (or a dead avahi's pid file), so liveness is checked, never mere existence.
    ensure_system_bus();
    ensure_avahi();
    let port = TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port();
    let spool = tempfile::tempdir().expect("spool");
    let log_path = spool.path().join(".ippeveprinter.log");
    let log = std::fs::File::create(&log_path).expect("log");
    let mut child = Command::new("ippeveprinter")
        .args([
            "-n",
            "localhost",
            "-p",
            &port.to_string(),
            "-r",
            "off",
            "-k",
            "-s",
            "600,600",
        ])
        .args([
            "-f",
            "application/pdf,application/vnd.zebra-zpl",
            "-F",
            "application/vnd.zebra-zpl",
        ])
        .arg("-d")
        .arg(spool.path())
        .arg(format!("lotstation-test-{port}"))
        .stdout(std::process::Stdio::null())
        .stderr(log)
        .spawn()
        .expect("start ippeveprinter");
    let started = Instant::now();
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        let said = || std::fs::read_to_string(&log_path).unwrap_or_default();
        if let Ok(Some(status)) = child.try_wait() {
            panic!(
                "ippeveprinter exited ({status}) before listening: {}",
                said()
            );
        }
        if started.elapsed() > Duration::from_secs(20) {
            let _ = child.kill();
            panic!("ippeveprinter did not listen within 20 s: {}", said());
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    Some(IppPrinter { child, port, spool })
}

/// Waits for `ready` up to `limit`; true once it holds.
fn wait_until(limit: Duration, mut ready: impl FnMut() -> bool) -> bool {
    let started = Instant::now();
    loop {
        if ready() {
            return true;
        }
        if started.elapsed() > limit {
            return false;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

const SYSTEM_BUS: &str = "/run/dbus/system_bus_socket";

fn system_bus_answers() -> bool {
    std::os::unix::net::UnixStream::connect(SYSTEM_BUS).is_ok()
}

/// Starts the D-Bus system bus unless one answers, clearing a dead bus's socket and pid file.
fn ensure_system_bus() {
    if system_bus_answers() {
        return;
    }
    let _ = std::fs::create_dir_all("/run/dbus");
    let _ = std::fs::remove_file(SYSTEM_BUS);
    let _ = std::fs::remove_file("/run/dbus/pid");
    let status = std::process::Command::new("dbus-daemon")
        .args(["--system", "--fork"])
        .status();
    assert!(
        wait_until(Duration::from_secs(10), system_bus_answers),
        "the D-Bus system bus did not start (dbus-daemon: {status:?})"
    );
}

fn avahi_runs() -> bool {
    std::process::Command::new("avahi-daemon")
        .arg("--check")
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Starts avahi-daemon unless one runs; a dead one's pid file is cleared first.
fn ensure_avahi() {
    if avahi_runs() {
        return;
    }
    let _ = std::fs::remove_file("/run/avahi-daemon/pid");
    let output = std::process::Command::new("avahi-daemon")
        .args(["--daemonize", "--no-drop-root", "--no-rlimits"])
        .output();
    assert!(
        wait_until(Duration::from_secs(10), avahi_runs),
        "avahi-daemon did not start: {output:?}"
    );
}

fn spooled(dir: &std::path::Path, count: usize) -> Vec<std::path::PathBuf> {
    let started = Instant::now();
    loop {
        let mut files: Vec<_> = std::fs::read_dir(dir)
            .expect("spool")
            .map(|e| e.expect("entry").path())
            .filter(|p| {
                !p.file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with('.'))
            })
            .collect();
        if files.len() >= count || started.elapsed() > Duration::from_secs(20) {
            files.sort();
            return files;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn ipp_printer_takes_pdf_and_zpl() {
    let Some(ipp) = ipp_printer() else { return };
    let shop = Shop::new();
    for (language, extension) in [("pdf", "pdf"), ("zpl", "")] {
        let config = format!(
            "[station]\nprint_drain_seconds = 30\n\
             [[bench]]\nname = \"bench-1\"\nworkflow = \"receive\"\nscanners = [\"stdin\"]\nprinter = \"office\"\n\
             [[scanner]]\nname = \"stdin\"\nkind = \"stdin\"\n\
             [[printer]]\nname = \"office\"\nkind = \"ipp\"\nuri = \"ipp://localhost:{}/ipp/print\"\nlanguage = \"{language}\"\n",
            ipp.port
        );
        let mut bench = shop.bench_with_config(&config);
        let lots = receive_lots(&mut bench, 1);
        bench.finish();
        let expected = if language == "pdf" { 1 } else { 2 };
        let files = spooled(ipp.spool.path(), expected);
        assert_eq!(files.len(), expected, "{files:?}");
        let file = &files[expected - 1];
        if !extension.is_empty() {
            assert_eq!(
                file.extension().and_then(|e| e.to_str()),
                Some(extension),
                "{file:?}"
            );
            let text = std::process::Command::new("pdftotext")
                .arg(file)
                .arg("-")
                .output()
                .expect("pdftotext");
            assert!(String::from_utf8_lossy(&text.stdout).contains(&format!("LOT {}", lots[0])));
        } else {
            let rendered = shop.cli(&["label", "render", "lot", &lots[0], "--format", "zpl"]);
            assert_eq!(
                std::fs::read(file).expect("spooled zpl"),
                rendered.stdout,
                "byte-identical ZPL"
            );
        }
    }
    assert_eq!(
        shop.query_strings("SELECT outcome FROM print_outcomes ORDER BY id"),
        vec!["printed", "printed"],
        "{:?}",
        shop.query_strings("SELECT detail FROM print_outcomes ORDER BY id")
    );
}

/// A raw port-9100 printer of a language without a status to ask (TSPL, Brother QL): one
/// connection per script entry, each either hanging up after some bytes or taking the whole
/// job (it closes when the station has said all); the complete jobs are what printed.
fn raw_printer(listener: TcpListener, drops: Vec<Option<usize>>) -> Arc<Mutex<Vec<Vec<u8>>>> {
    let jobs = Arc::new(Mutex::new(Vec::new()));
    let out = jobs.clone();
    std::thread::spawn(move || {
        for (n, stream) in listener.incoming().enumerate() {
            let Ok(mut stream) = stream else { continue };
            let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
            let drop_after = drops.get(n).copied().flatten();
            let mut job = Vec::new();
            let mut buffer = [0u8; 4096];
            loop {
                match stream.read(&mut buffer) {
                    Ok(0) => {
                        jobs.lock().expect("lock").push(job);
                        break;
                    }
                    Ok(k) => {
                        job.extend_from_slice(&buffer[..k]);
                        if drop_after.is_some_and(|limit| job.len() >= limit) {
                            // the printer goes away mid-job: closed with the rest of the
                            // job unread, which resets the connection; nothing printed
                            jobs.lock().expect("lock").push(Vec::new());
                            break;
                        }
                    }
                    Err(_) => break,
                }
            }
        }
    });
    out
}

/// TSPL and Brother QL printers on the network take their labels through the queue: a
/// printer that goes away in the middle of a job gets it again whole, and every label
/// arrives once, complete (TSPL's `PRINT` at its end, the QL's final 0x1A).
#[test]
fn tspl_and_brother_ql_printers_take_jobs_through_the_queue() {
    for (language, extra) in [("tspl", ""), ("brother-ql", "media = \"62\"\n")] {
        let shop = Shop::new();
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let jobs = raw_printer(listener, vec![Some(100), None]);
        let config = format!(
            "[[bench]]\nname = \"bench-1\"\nscanners = [\"stdin\"]\nprinter = \"thermal\"\n\
             [[scanner]]\nname = \"stdin\"\nkind = \"stdin\"\n\
             [[printer]]\nname = \"thermal\"\nkind = \"tcp\"\naddress = \"127.0.0.1:{port}\"\n\
             language = \"{language}\"\n{extra}timeout_ms = 2000\nretry_max_ms = 500\n\
             [station]\nprint_drain_seconds = 30\n"
        );
        let mut bench = shop.bench_with_config(&config);
        bench.ok("@RECEIVE");
        let lots = receive_lots(&mut bench, 2);
        bench.finish();
        let jobs = jobs.lock().expect("lock").clone();
        let complete: Vec<&Vec<u8>> = jobs.iter().filter(|j| !j.is_empty()).collect();
        assert_eq!(jobs.len(), 3, "{language}: the dropped job was sent again");
        assert_eq!(
            complete.len(),
            2,
            "{language}: two labels, each once: {:?} {:?}",
            jobs.iter().map(Vec::len).collect::<Vec<_>>(),
            shop.query_strings(
                "SELECT outcome || ' ' || detail FROM print_outcomes ORDER BY job_id"
            )
        );
        for job in &complete {
            match language {
                "tspl" => {
                    assert!(job.starts_with(b"SIZE 100 mm,60 mm\r\n"), "{language}");
                    assert!(job.ends_with(b"\r\nPRINT 1,1\r\n"), "{language}");
                }
                _ => {
                    assert!(job[..200].iter().all(|b| *b == 0), "{language}: invalidate");
                    assert_eq!(&job[200..202], b"\x1b@", "{language}: initialise");
                    assert_eq!(job.last(), Some(&0x1A), "{language}: print");
                }
            }
        }
        assert_eq!(
            shop.query_strings("SELECT outcome FROM print_outcomes ORDER BY job_id"),
            ["printed", "printed"],
            "{language}: {lots:?}"
        );
    }
}

/// A Brother QL on USB as the station sees `/dev/usb/lp0`: a pseudo-terminal in raw mode
/// whose other end `ql::serve` holds.
struct UsbQl {
    path: std::path::PathBuf,
    seen: ql::Seen,
    _slave: std::fs::File,
}

impl UsbQl {
    fn start(answers: Vec<[u8; 32]>, fail_job: Option<usize>) -> UsbQl {
        use rustix::pty::{OpenptFlags, grantpt, openpt, ptsname, unlockpt};
        use std::os::unix::fs::OpenOptionsExt;
        let master = openpt(OpenptFlags::RDWR | OpenptFlags::NOCTTY).expect("a pseudo-terminal");
        grantpt(&master).expect("grantpt");
        unlockpt(&master).expect("unlockpt");
        let path = std::path::PathBuf::from(
            ptsname(&master, Vec::new())
                .expect("ptsname")
                .into_string()
                .expect("utf8"),
        );
        // held open so the terminal stays up between the station's opens; raw, so bytes
        // pass as they are
        let slave = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .custom_flags(rustix::fs::OFlags::NOCTTY.bits() as i32)
            .open(&path)
            .expect("open the terminal");
        let mut termios = rustix::termios::tcgetattr(&slave).expect("tcgetattr");
        termios.make_raw();
        rustix::termios::tcsetattr(&slave, rustix::termios::OptionalActions::Now, &termios)
            .expect("raw");
        let master = std::fs::File::from(master);
        let output = master.try_clone().expect("clone");
        let seen = ql::Seen::default();
        let fake = seen.clone();
        std::thread::spawn(move || ql::serve(master, output, answers, fail_job, fake));
        UsbQl {
            path,
            seen,
            _slave: slave,
        }
    }
}

/// A Brother QL on USB is asked its status before each job and confirms each page: a
/// cover left open and the wrong roll keep the label queued (the log says which), a job
/// the printer reports an error for after taking it is journaled uncertain (never sent
/// twice), and `@REPRINT:2` waits for both pages.
#[test]
fn a_usb_brother_ql_reports_its_status() {
    let answers = vec![
        ql_status(REPLY, [0, 0x10], ENDLESS_62),
        ql_status(REPLY, [0, 0], DIE_CUT_29X90),
        ql_status(REPLY, [0, 0], ENDLESS_62),
    ];
    if let Some(python) = crate::labels::python() {
        // what these bytes say, read by brother_ql's own reader
        let hex: Vec<String> = answers.iter().map(|a| lotstation::core::hex(a)).collect();
        let out = std::process::Command::new(&python)
            .args([
                "-c",
                "import sys\nfrom brother_ql.reader import interpret_response\nfor h in sys.argv[1:]:\n    r = interpret_response(bytes.fromhex(h))\n    print(r['status_type'], '|', r['media_type'], r['media_width'], r['media_length'], '|', ';'.join(r['errors']))",
            ])
            .args(&hex)
            .output()
            .expect("python");
        let said = String::from_utf8_lossy(&out.stdout);
        assert_eq!(
            said.lines().collect::<Vec<_>>(),
            [
                "Reply to status request | Continuous length tape 62 0 | Cover opened while printing (Except QL-500)",
                "Reply to status request | Die-cut labels 29 90 | ",
                "Reply to status request | Continuous length tape 62 0 | ",
            ],
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let printer = UsbQl::start(answers, Some(2));
    let shop = Shop::new();
    let config = format!(
        "[[bench]]\nname = \"bench-1\"\nscanners = [\"stdin\"]\nprinter = \"ql\"\n\
         [[scanner]]\nname = \"stdin\"\nkind = \"stdin\"\n\
         [[printer]]\nname = \"ql\"\nkind = \"device\"\npath = \"{}\"\n\
         language = \"brother-ql\"\nmedia = \"62\"\ntimeout_ms = 10000\nretry_max_ms = 500\n\
         [station]\nprint_drain_seconds = 30\n",
        printer.path.display()
    );
    let mut bench = shop.bench_with_config(&config);
    bench.ok("@RECEIVE");
    let lots = receive_lots(&mut bench, 2);
    bench.ok("@REPRINT:2");
    let log = bench.finish_with_log();
    let log = log.join("\n");
    // the printer worker's own lines (a scan's answer may quote the printer's state too,
    // whenever it comes: that depends on how far the worker has got)
    assert_eq!(
        log.lines()
            .filter(|l| l.contains("printer not ready") && l.contains("cover open"))
            .count(),
        1,
        "the first answer only, not a message left from an earlier job: {log}"
    );
    assert!(
        log.contains(
            "29 × 90 mm labels is loaded, and its [[printer]] media is 62 mm endless tape"
        ),
        "{log}"
    );
    assert_eq!(
        *printer.seen.jobs.lock().expect("lock"),
        [1, 1, 2],
        "each job once, the reprint with both its pages"
    );
    assert_eq!(
        shop.query_strings("SELECT outcome FROM print_outcomes ORDER BY job_id"),
        ["printed", "uncertain", "printed"],
        "{lots:?}"
    );
    let detail = shop.query_strings("SELECT detail FROM print_outcomes ORDER BY job_id");
    assert!(
        detail[1]
            .contains("took the job and then reported: no labels loaded (0 of 1 labels printed)"),
        "{detail:?}"
    );
    assert!(
        *printer.seen.requests.lock().expect("lock") >= 5,
        "asked before every attempt"
    );
    assert_eq!(shop.verify().0, 0);
}

/// A TSPL printer on port 9100 that answers `<ESC>!?` with its status byte: on each
/// connection (the last entry repeats), the byte it answers before the job and the one
/// after it. Complete jobs (up to their `PRINT`) are what printed.
fn tspl_printer(listener: TcpListener, script: Vec<(u8, u8)>) -> Arc<Mutex<Vec<Vec<u8>>>> {
    let jobs = Arc::new(Mutex::new(Vec::new()));
    let out = jobs.clone();
    std::thread::spawn(move || {
        for (n, stream) in listener.incoming().enumerate() {
            let Ok(mut stream) = stream else { continue };
            let (before, after) = script[n.min(script.len() - 1)];
            let mut pending: Vec<u8> = Vec::new();
            let mut job: Vec<u8> = Vec::new();
            let mut buffer = [0u8; 4096];
            loop {
                let k = match stream.read(&mut buffer) {
                    Ok(0) | Err(_) => break,
                    Ok(k) => k,
                };
                pending.extend_from_slice(&buffer[..k]);
                while let Some(at) = pending.windows(3).position(|w| w == b"\x1b!?") {
                    job.extend(pending.drain(..at));
                    pending.drain(..3);
                    let answer = if job.is_empty() { before } else { after };
                    // recorded before the answer: the station returns on it, and the test
                    // may look at once
                    if !job.is_empty() {
                        jobs.lock().expect("lock").push(std::mem::take(&mut job));
                    }
                    stream.write_all(&[answer]).expect("answer");
                }
            }
        }
    });
    out
}

/// A TSPL printer that answers its status byte: out of labels keeps the label queued (the
/// log says so), the answer after a job confirms it whole, and a problem reported then
/// makes the job uncertain, never sent twice.
#[test]
fn a_tspl_printer_reports_its_status() {
    let shop = Shop::new();
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let jobs = tspl_printer(listener, vec![(0x04, 0x00), (0x00, 0x20), (0x00, 0x04)]);
    let config = format!(
        "[[bench]]\nname = \"bench-1\"\nscanners = [\"stdin\"]\nprinter = \"thermal\"\n\
         [[scanner]]\nname = \"stdin\"\nkind = \"stdin\"\n\
         [[printer]]\nname = \"thermal\"\nkind = \"tcp\"\naddress = \"127.0.0.1:{port}\"\n\
         language = \"tspl\"\ntimeout_ms = 10000\nretry_max_ms = 500\n\
         [station]\nprint_drain_seconds = 30\n"
    );
    let mut bench = shop.bench_with_config(&config);
    bench.ok("@RECEIVE");
    let lots = receive_lots(&mut bench, 2);
    let log = bench.finish_with_log().join("\n");
    assert!(log.contains("out of labels"), "{log}");
    let jobs = jobs.lock().expect("lock").clone();
    assert_eq!(jobs.len(), 2, "each label sent once");
    for job in &jobs {
        assert!(job.starts_with(b"SIZE 100 mm,60 mm\r\n"), "whole");
        assert!(job.ends_with(b"\r\nPRINT 1,1\r\n"), "whole");
    }
    assert_eq!(
        shop.query_strings("SELECT outcome FROM print_outcomes ORDER BY job_id"),
        ["printed", "uncertain"],
        "{lots:?}"
    );
    let detail = shop.query_strings("SELECT detail FROM print_outcomes ORDER BY job_id");
    assert!(
        detail[1].contains("took the job and then reported: out of labels"),
        "{detail:?}"
    );
    assert_eq!(shop.verify().0, 0);
}
