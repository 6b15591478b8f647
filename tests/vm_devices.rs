//! The daemon's own scanner read loops against real kernel devices made with uhid: a HID
//! POS scanner (hidraw) and a keyboard-wedge scanner (evdev), each enumerated, opened (and
//! grabbed), read, unplugged and plugged back. Runs inside the small VM of
//! `vm/test-in-vm.sh` (this machine has no uhid); elsewhere it returns at once.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use lotstation::decode::hidpos::ReportLayout;
use lotstation::decode::keys::{Layout, Suffix};
use lotstation::events::Event;
use tokio::sync::mpsc;

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
