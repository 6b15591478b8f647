//! The daemon's own scanner read loops against real kernel devices made with uhid: a HID
//! POS scanner (hidraw) and a keyboard-wedge scanner (evdev), each enumerated, opened (and
//! grabbed), read, unplugged and plugged back. Runs inside the small VM of
//! `vm/test-in-vm.sh` (this machine has no uhid); elsewhere it returns at once.

use std::fs::{File, OpenOptions};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use lotstation::decode::hidpos::ReportLayout;
use lotstation::decode::keys::{Layout, Suffix};
use lotstation::events::Event;
use tokio::sync::mpsc;

const EVENT_SIZE: usize = 4376;
const UHID_DESTROY: u32 = 1;
const UHID_GET_REPORT: u32 = 9;
const UHID_GET_REPORT_REPLY: u32 = 10;
const UHID_CREATE2: u32 = 11;
const UHID_INPUT2: u32 = 12;
const UHID_SET_REPORT: u32 = 13;
const UHID_SET_REPORT_REPLY: u32 = 14;

const POS_DESCRIPTOR: &[u8] = &[
    0x05, 0x8C, 0x09, 0x02, 0xA1, 0x01, 0x85, 0x02, 0x15, 0x00, 0x26, 0xFF, 0x00, 0x75, 0x08, 0x95,
    0x3F, 0x09, 0xFE, 0x82, 0x02, 0x01, 0xC0,
];

const KEYBOARD_DESCRIPTOR: &[u8] = &[
    0x05, 0x01, 0x09, 0x06, 0xA1, 0x01, 0x05, 0x07, 0x19, 0xE0, 0x29, 0xE7, 0x15, 0x00, 0x25, 0x01,
    0x75, 0x01, 0x95, 0x08, 0x81, 0x02, 0x95, 0x01, 0x75, 0x08, 0x81, 0x01, 0x95, 0x05, 0x75, 0x01,
    0x05, 0x08, 0x19, 0x01, 0x29, 0x05, 0x91, 0x02, 0x95, 0x01, 0x75, 0x03, 0x91, 0x01, 0x95, 0x06,
    0x75, 0x08, 0x15, 0x00, 0x25, 0x65, 0x05, 0x07, 0x19, 0x00, 0x29, 0x65, 0x81, 0x00, 0xC0,
];

/// A device made through /dev/uhid; dropping the handle unplugs it.
struct Uhid {
    file: Arc<Mutex<File>>,
}

impl Uhid {
    fn create(name: &str, vendor: u32, product: u32, descriptor: &[u8]) -> Uhid {
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .open("/dev/uhid")
            .expect("open /dev/uhid");
        let mut event = vec![0u8; EVENT_SIZE];
        event[0..4].copy_from_slice(&UHID_CREATE2.to_ne_bytes());
        event[4..4 + name.len()].copy_from_slice(name.as_bytes());
        event[260..262].copy_from_slice(&(descriptor.len() as u16).to_ne_bytes());
        event[262..264].copy_from_slice(&3u16.to_ne_bytes()); // BUS_USB
        event[264..268].copy_from_slice(&vendor.to_ne_bytes());
        event[268..272].copy_from_slice(&product.to_ne_bytes());
        event[280..280 + descriptor.len()].copy_from_slice(descriptor);
        let mut writer = file.try_clone().expect("clone");
        writer.write_all(&event).expect("UHID_CREATE2");
        let file = Arc::new(Mutex::new(writer));
        // answer the kernel's report requests, or a driver waits seconds for them
        let answers = file.clone();
        let mut read_side = file_reader(&answers);
        std::thread::spawn(move || {
            let mut buffer = vec![0u8; EVENT_SIZE];
            while let Ok(n) = read_side.read(&mut buffer) {
                if n < 8 {
                    break;
                }
                let kind = u32::from_ne_bytes(buffer[0..4].try_into().unwrap_or([0; 4]));
                let id = &buffer[4..8];
                let reply_kind = match kind {
                    UHID_GET_REPORT => UHID_GET_REPORT_REPLY,
                    UHID_SET_REPORT => UHID_SET_REPORT_REPLY,
                    _ => continue,
                };
                let mut reply = vec![0u8; EVENT_SIZE];
                reply[0..4].copy_from_slice(&reply_kind.to_ne_bytes());
                reply[4..8].copy_from_slice(id);
                reply[8..10].copy_from_slice(&5u16.to_ne_bytes()); // EIO
                if let Ok(mut f) = answers.lock() {
                    let _ = f.write_all(&reply);
                }
            }
        });
        Uhid { file }
    }

    fn input(&self, report: &[u8]) {
        let mut event = vec![0u8; EVENT_SIZE];
        event[0..4].copy_from_slice(&UHID_INPUT2.to_ne_bytes());
        event[4..6].copy_from_slice(&(report.len() as u16).to_ne_bytes());
        event[6..6 + report.len()].copy_from_slice(report);
        self.file
            .lock()
            .expect("lock")
            .write_all(&event)
            .expect("UHID_INPUT2");
    }

    fn destroy(self) {
        let mut event = vec![0u8; 4];
        event[0..4].copy_from_slice(&UHID_DESTROY.to_ne_bytes());
        self.file
            .lock()
            .expect("lock")
            .write_all(&event)
            .expect("UHID_DESTROY");
    }
}

fn file_reader(file: &Arc<Mutex<File>>) -> File {
    file.lock().expect("lock").try_clone().expect("clone")
}

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

/// Boot-keyboard usage and shift for a character (US layout).
fn usage(c: char) -> (u8, bool) {
    match c {
        'a'..='z' => (0x04 + (c as u8 - b'a'), false),
        'A'..='Z' => (0x04 + (c as u8 - b'A'), true),
        '1'..='9' => (0x1E + (c as u8 - b'1'), false),
        '0' => (0x27, false),
        '-' => (0x2D, false),
        ':' => (0x33, true),
        '@' => (0x1F, true),
        '\n' => (0x28, false),
        _ => (0x2C, false),
    }
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
    let type_text = |device: &Uhid, text: &str| {
        for c in text.chars() {
            let (key, shift) = usage(c);
            device.input(&[if shift { 0x02 } else { 0 }, 0, key, 0, 0, 0, 0, 0]);
            std::thread::sleep(Duration::from_millis(2));
            device.input(&[0; 8]);
            std::thread::sleep(Duration::from_millis(2));
        }
    };
    type_text(&device, "LAV-2611-001\n");
    assert_eq!(expect_scan(&mut rx), b"LAV-2611-001".to_vec());
    // GS as Ctrl+] inside a GS1 scan
    type_text(&device, "0109501101530003");
    device.input(&[0x01, 0, 0x30, 0, 0, 0, 0, 0]);
    std::thread::sleep(Duration::from_millis(2));
    device.input(&[0; 8]);
    std::thread::sleep(Duration::from_millis(2));
    type_text(&device, "10A\n");
    assert_eq!(expect_scan(&mut rx), b"0109501101530003\x1d10A".to_vec());
    device.destroy();
    expect_state(&mut rx, false);
    let device = Uhid::create("VM Wedge Scanner", 0x0c2e, 0x0204, KEYBOARD_DESCRIPTOR);
    let again = find_node("input", "event", "VM Wedge Scanner", Duration::from_secs(5));
    assert_eq!(again, path);
    expect_state(&mut rx, true);
    type_text(&device, "SUP:BRAMBLE\n");
    assert_eq!(expect_scan(&mut rx), b"SUP:BRAMBLE".to_vec());
    device.destroy();
}
