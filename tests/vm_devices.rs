//! The daemon's own device code against real kernel devices: scanners made with uhid (a HID
//! POS scanner on hidraw, a keyboard-wedge scanner on evdev), each enumerated, opened (and
//! grabbed), read, unplugged and plugged back; and a Brother QL on a real `/dev/usb/lp0`
//! (usblp, over the dummy USB host controller, the printer being the kernel's own gadget
//! printer function). Runs inside the small VM of `vm/test-in-vm.sh` (this machine has no
//! uhid or dummy_hcd); elsewhere it returns at once.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use lotstation::decode::hidpos::ReportLayout;
use lotstation::decode::keys::{Layout, Suffix};
use lotstation::events::Event;
use tokio::sync::mpsc;

mod ql;
mod uhid;
use uhid::{KEYBOARD_DESCRIPTOR, POS_DESCRIPTOR, Uhid};

/// The device node of the kernel device whose name is `name` (hidraw or input event).
fn find_node(class: &str, prefix: &str, name: &str, timeout: Duration) -> PathBuf {
    let started = Instant::now();
    loop {
        if let Ok(entries) = std::fs::read_dir(format!("/sys/class/{class}")) {
            for entry in entries.filter_map(|e| e.ok()) {
                let node = entry.file_name().to_string_lossy().into_owned();
                if !node.starts_with(prefix) {
                    continue;
                }
                let uevent =
                    std::fs::read_to_string(entry.path().join("device/uevent")).unwrap_or_default();
                let input_name =
                    std::fs::read_to_string(entry.path().join("device/name")).unwrap_or_default();
                if uevent.contains(name) || input_name.trim() == name {
                    let path = PathBuf::from(format!(
                        "/dev/{}{node}",
                        if class == "input" { "input/" } else { "" }
                    ));
                    if path.exists() {
                        return path;
                    }
                }
            }
        }
        assert!(started.elapsed() < timeout, "no {class} node for {name}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn next(rx: &mut mpsc::Receiver<Event>, what: &str) -> Event {
    let started = Instant::now();
    loop {
        if let Ok(event) = rx.try_recv() {
            return event;
        }
        assert!(
            started.elapsed() < Duration::from_secs(15),
            "no event: {what}"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
}

fn expect_state(rx: &mut mpsc::Receiver<Event>, up: bool) {
    loop {
        match next(rx, if up { "device found" } else { "device lost" }) {
            Event::DeviceState { up: got, .. } if got == up => return,
            _ => continue,
        }
    }
}

fn expect_scan(rx: &mut mpsc::Receiver<Event>) -> Vec<u8> {
    loop {
        if let Event::Scan { raw, .. } = next(rx, "a scan") {
            return raw;
        }
    }
}

fn have_uhid() -> bool {
    let present = Path::new("/dev/uhid").exists();
    if !present && std::env::var("LOTSTATION_VM").as_deref() == Ok("1") {
        panic!("no /dev/uhid inside the test VM: the uhid module did not load");
    }
    if !present {
        eprintln!("skipped: no /dev/uhid (this runs inside vm/test-in-vm.sh)");
    }
    present
}

#[test]
fn hid_pos_scanner_over_hidraw() {
    if !have_uhid() {
        return;
    }
    let device = Uhid::create("VM POS Scanner", 0x05e0, 0x1300, POS_DESCRIPTOR);
    let path = find_node("hidraw", "hidraw", "VM POS Scanner", Duration::from_secs(5));
    let (tx, mut rx) = mpsc::channel(64);
    let node = path.display().to_string();
    std::thread::spawn(move || {
        lotstation::devices::scanners::hidraw("pos".into(), node, ReportLayout::HONEYWELL, tx)
    });
    expect_state(&mut rx, true);
    let data = b"]C10109501101530003\x1d10LOT-42";
    for report in lotstation::decode::hidpos::reports_for(ReportLayout::HONEYWELL, data) {
        device.input(&report);
    }
    assert_eq!(expect_scan(&mut rx), data.to_vec());
    // unplugged: lost; plugged back: found again and read
    device.destroy();
    expect_state(&mut rx, false);
    let device = Uhid::create("VM POS Scanner", 0x05e0, 0x1300, POS_DESCRIPTOR);
    let again = find_node("hidraw", "hidraw", "VM POS Scanner", Duration::from_secs(5));
    assert_eq!(
        again, path,
        "the same node comes back (udev gives a stable name on a real machine)"
    );
    expect_state(&mut rx, true);
    let long: Vec<u8> = b"]d2"
        .iter()
        .copied()
        .chain(std::iter::repeat_n(b'7', 130))
        .collect();
    for report in lotstation::decode::hidpos::reports_for(ReportLayout::HONEYWELL, &long) {
        device.input(&report);
    }
    assert_eq!(expect_scan(&mut rx), long);
    device.destroy();
}

#[test]
fn keyboard_wedge_scanner_over_evdev() {
    if !have_uhid() {
        return;
    }
    let device = Uhid::create("VM Wedge Scanner", 0x0c2e, 0x0204, KEYBOARD_DESCRIPTOR);
    let path = find_node("input", "event", "VM Wedge Scanner", Duration::from_secs(5));
    let (tx, mut rx) = mpsc::channel(64);
    let node = path.display().to_string();
    std::thread::spawn(move || {
        lotstation::devices::scanners::evdev(
            "wedge".into(),
            node,
            Layout::Us,
            Suffix::Enter,
            80,
            tx,
        )
    });
    expect_state(&mut rx, true);
    // grabbed: nobody else can read its keys
    let mut other = evdev::raw_stream::RawDevice::open(&path).expect("open");
    assert!(other.grab().is_err(), "the station holds the grab");
    drop(other);
    device.type_text("LAV-2611-001\n");
    assert_eq!(expect_scan(&mut rx), b"LAV-2611-001".to_vec());
    // GS as Ctrl+] inside a GS1 scan
    device.type_text("0109501101530003");
    device.input(&[0x01, 0, 0x30, 0, 0, 0, 0, 0]);
    std::thread::sleep(Duration::from_millis(2));
    device.input(&[0; 8]);
    std::thread::sleep(Duration::from_millis(2));
    device.type_text("10A\n");
    assert_eq!(expect_scan(&mut rx), b"0109501101530003\x1d10A".to_vec());
    device.destroy();
    expect_state(&mut rx, false);
    let device = Uhid::create("VM Wedge Scanner", 0x0c2e, 0x0204, KEYBOARD_DESCRIPTOR);
    let again = find_node("input", "event", "VM Wedge Scanner", Duration::from_secs(5));
    assert_eq!(again, path);
    expect_state(&mut rx, true);
    device.type_text("SUP:BRAMBLE\n");
    assert_eq!(expect_scan(&mut rx), b"SUP:BRAMBLE".to_vec());
    device.destroy();
}

/// Waits for a device node to appear.
/// Waits up to ten seconds for lp0's IEEE 1284 device id to name `what`.
fn printer_id_names(what: &str) {
    let started = Instant::now();
    loop {
        let id = std::fs::read_to_string("/sys/class/usbmisc/lp0/device/ieee1284_id")
            .unwrap_or_default();
        if id.contains(what) {
            return;
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "lp0's IEEE 1284 id does not name {what}: {id:?}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn wait_for(path: &Path, timeout: Duration) {
    let started = Instant::now();
    while !path.exists() {
        assert!(
            started.elapsed() < timeout,
            "no {} (in /dev/usb: {:?})",
            path.display(),
            std::fs::read_dir("/dev/usb")
                .map(|d| d
                    .filter_map(|e| e.ok())
                    .map(|e| e.file_name())
                    .collect::<Vec<_>>())
                .unwrap_or_default()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// A Brother QL-800 on USB: the kernel's gadget printer function, with the QL's ids and
/// IEEE 1284 id, plugged into the dummy host controller, where usblp makes `/dev/usb/lp0`;
/// the gadget's own side (`/dev/g_printer0`) is the printer, answered by `ql::serve`. The
/// station's printer code asks its status through usblp (a cover left open: not ready),
/// sends a real label, and reads each page's "printing completed" back. Then the same for a
/// TSC TSPL printer plugged in instead (its status byte before and after the job).
#[test]
fn label_printers_over_usblp() {
    let udc = std::fs::read_dir("/sys/class/udc")
        .ok()
        .and_then(|mut d| d.next())
        .and_then(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned());
    let Some(udc) = udc else {
        if std::env::var("LOTSTATION_VM").as_deref() == Ok("1") {
            panic!("no USB device controller inside the test VM: dummy_hcd did not load");
        }
        eprintln!("skipped: no dummy USB controller (this runs inside vm/test-in-vm.sh)");
        return;
    };
    let gadget = Path::new("/sys/kernel/config/usb_gadget/ql");
    let write = |path: &str, value: &str| {
        std::fs::write(gadget.join(path), value).unwrap_or_else(|e| panic!("{path}: {e}"))
    };
    std::fs::create_dir(gadget).expect("a gadget in configfs");
    write("idVendor", "0x04f9");
    write("idProduct", "0x209b");
    std::fs::create_dir_all(gadget.join("strings/0x409")).expect("strings");
    write("strings/0x409/manufacturer", "Brother");
    write("strings/0x409/product", "QL-800");
    write("strings/0x409/serialnumber", "000G8Z123456");
    std::fs::create_dir(gadget.join("functions/printer.usb0")).expect("printer function");
    write(
        "functions/printer.usb0/pnp_string",
        "MFG:Brother;CMD:PT-CBP;MDL:QL-800;CLS:PRINTER;",
    );
    std::fs::create_dir_all(gadget.join("configs/c.1")).expect("config");
    std::os::unix::fs::symlink(
        gadget.join("functions/printer.usb0"),
        gadget.join("configs/c.1/printer.usb0"),
    )
    .expect("link");
    write("UDC", &udc);
    let lp = Path::new("/dev/usb/lp0");
    wait_for(lp, Duration::from_secs(10));
    wait_for(Path::new("/dev/g_printer0"), Duration::from_secs(10));
    // what `lotstation devices` reads to suggest the language (usblp adds the attribute
    // after `/dev/usb/lp0` is there)
    printer_id_names("MDL:QL-800");

    // the printer: cover open at first, then ready
    let printer_side = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open("/dev/g_printer0")
        .expect("the gadget printer");
    let output = printer_side.try_clone().expect("clone");
    let seen = ql::Seen::default();
    let fake = seen.clone();
    let answers = vec![
        ql::ql_status(ql::REPLY, [0, 0x10], ql::ENDLESS_62),
        ql::ql_status(ql::REPLY, [0, 0], ql::ENDLESS_62),
    ];
    std::thread::spawn(move || ql::serve(printer_side, output, answers, None, fake));

    let config: lotstation::config::PrinterConfig = toml::from_str(
        "name = \"ql\"\nkind = \"device\"\npath = \"/dev/usb/lp0\"\nlanguage = \"brother-ql\"\nmedia = \"62\"\ntimeout_ms = 5000\n",
    )
    .expect("printer config");
    let printer = lotstation::devices::printer::Printer::from_config(&config);
    use lotstation::label::{LabelKind, LabelLanguage, LoadedTemplate, raster::BrotherMedia};
    let template = LoadedTemplate::builtin(LabelKind::Lot).expect("template");
    let values = lotstation::label::sample_data(LabelKind::Lot);
    let job = |copies| {
        lotstation::label::render_for(
            &template,
            &values,
            LabelLanguage::BrotherQl,
            300,
            BrotherMedia::Endless62,
            copies,
        )
        .expect("render")
    };
    match printer.send("000001-lot", &job(1), 1) {
        Err(lotstation::devices::printer::SendError::NotReady(reason)) => {
            assert!(reason.contains("cover open"), "{reason}")
        }
        other => panic!("a cover open is not ready: {other:?}"),
    }
    printer
        .send("000001-lot", &job(1), 1)
        .expect("printed, confirmed by the printer");
    printer
        .send("000002-lot", &job(2), 2)
        .expect("both pages printed");
    assert_eq!(*seen.jobs.lock().expect("lock"), [1, 2]);
    assert_eq!(
        *seen.requests.lock().expect("lock"),
        3,
        "asked before every job"
    );

    // unplugged, and a TSC TSPL printer plugged in instead: a second printer function
    // (`/dev/g_printer1`), the same `/dev/usb/lp0` on the host side
    write("UDC", "\n");
    std::fs::remove_file(gadget.join("configs/c.1/printer.usb0")).expect("unlink");
    std::fs::create_dir(gadget.join("functions/printer.usb1")).expect("printer function");
    write(
        "functions/printer.usb1/pnp_string",
        "MFG:TSC;CMD:TSPL2;MDL:TE200;CLS:PRINTER;",
    );
    write("idVendor", "0x1203");
    write("idProduct", "0x0230");
    write("strings/0x409/product", "TE200");
    std::os::unix::fs::symlink(
        gadget.join("functions/printer.usb1"),
        gadget.join("configs/c.1/printer.usb1"),
    )
    .expect("link");
    write("UDC", &udc);
    printer_id_names("TSPL2");
    wait_for(lp, Duration::from_secs(10));
    // the printer: out of labels at first; then it answers each status request before a
    // job "ready" and after it "printing"
    let mut printer_side = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open("/dev/g_printer1")
        .expect("the gadget printer");
    let jobs = std::sync::Arc::new(std::sync::Mutex::new(Vec::<Vec<u8>>::new()));
    let seen_jobs = jobs.clone();
    std::thread::spawn(move || {
        use std::io::{Read, Write};
        let (mut pending, mut job, mut asked) = (Vec::new(), Vec::new(), 0);
        let mut buffer = [0u8; 4096];
        while let Ok(n @ 1..) = printer_side.read(&mut buffer) {
            pending.extend_from_slice(&buffer[..n]);
            while let Some(at) = pending.windows(3).position(|w| w == b"\x1b!?") {
                job.extend(pending.drain(..at));
                pending.drain(..3);
                asked += 1;
                let answer: u8 = match (asked, job.is_empty()) {
                    (1, _) => 0x04,
                    (_, true) => 0x00,
                    (_, false) => 0x20,
                };
                // recorded before the answer: the station returns on it, and the test
                // looks at once
                if !job.is_empty() {
                    seen_jobs
                        .lock()
                        .expect("lock")
                        .push(std::mem::take(&mut job));
                }
                printer_side.write_all(&[answer]).expect("answer");
            }
        }
    });
    let config: lotstation::config::PrinterConfig = toml::from_str(
        "name = \"tsc\"\nkind = \"device\"\npath = \"/dev/usb/lp0\"\nlanguage = \"tspl\"\ntimeout_ms = 5000\n",
    )
    .expect("printer config");
    let printer = lotstation::devices::printer::Printer::from_config(&config);
    let job = lotstation::label::render_for(
        &template,
        &values,
        LabelLanguage::Tspl,
        203,
        BrotherMedia::Endless62,
        1,
    )
    .expect("render");
    match printer.send("000003-lot", &job, 1) {
        Err(lotstation::devices::printer::SendError::NotReady(reason)) => {
            assert!(reason.contains("out of labels"), "{reason}")
        }
        other => panic!("out of labels is not ready: {other:?}"),
    }
    printer
        .send("000003-lot", &job, 1)
        .expect("taken whole, confirmed by the answer after it");
    assert_eq!(*jobs.lock().expect("lock"), [job]);
}
