//! A HID device made through /dev/uhid, as a USB scanner would appear to the kernel: the
//! keyboard-wedge and HID POS descriptors, and the keys a wedge scanner types. Shared by
//! the VM tests (`vm_devices.rs`, `vm_boot.rs`).
#![allow(dead_code)]

use std::fs::{File, OpenOptions};
use std::io::{Read, Write};
use std::sync::{Arc, Mutex};
use std::time::Duration;

const EVENT_SIZE: usize = 4376;
const UHID_DESTROY: u32 = 1;
const UHID_GET_REPORT: u32 = 9;
const UHID_GET_REPORT_REPLY: u32 = 10;
const UHID_CREATE2: u32 = 11;
const UHID_INPUT2: u32 = 12;
const UHID_SET_REPORT: u32 = 13;
const UHID_SET_REPORT_REPLY: u32 = 14;

pub const POS_DESCRIPTOR: &[u8] = &[
    0x05, 0x8C, 0x09, 0x02, 0xA1, 0x01, 0x85, 0x02, 0x15, 0x00, 0x26, 0xFF, 0x00, 0x75, 0x08, 0x95,
    0x3F, 0x09, 0xFE, 0x82, 0x02, 0x01, 0xC0,
];

pub const KEYBOARD_DESCRIPTOR: &[u8] = &[
    0x05, 0x01, 0x09, 0x06, 0xA1, 0x01, 0x05, 0x07, 0x19, 0xE0, 0x29, 0xE7, 0x15, 0x00, 0x25, 0x01,
    0x75, 0x01, 0x95, 0x08, 0x81, 0x02, 0x95, 0x01, 0x75, 0x08, 0x81, 0x01, 0x95, 0x05, 0x75, 0x01,
    0x05, 0x08, 0x19, 0x01, 0x29, 0x05, 0x91, 0x02, 0x95, 0x01, 0x75, 0x03, 0x91, 0x01, 0x95, 0x06,
    0x75, 0x08, 0x15, 0x00, 0x25, 0x65, 0x05, 0x07, 0x19, 0x00, 0x29, 0x65, 0x81, 0x00, 0xC0,
];

/// A device made through /dev/uhid; dropping the handle unplugs it.
pub struct Uhid {
    file: Arc<Mutex<File>>,
}

impl Uhid {
    pub fn create(name: &str, vendor: u32, product: u32, descriptor: &[u8]) -> Uhid {
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

    pub fn input(&self, report: &[u8]) {
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

    pub fn destroy(self) {
        let mut event = vec![0u8; 4];
        event[0..4].copy_from_slice(&UHID_DESTROY.to_ne_bytes());
        self.file
            .lock()
            .expect("lock")
            .write_all(&event)
            .expect("UHID_DESTROY");
    }
}

pub fn file_reader(file: &Arc<Mutex<File>>) -> File {
    file.lock().expect("lock").try_clone().expect("clone")
}

/// Boot-keyboard usage and shift for a character (US layout).
pub fn usage(c: char) -> (u8, bool) {
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

impl Uhid {
    /// Types `text` as a keyboard-wedge scanner does: a key down and up per character.
    pub fn type_text(&self, text: &str) {
        for c in text.chars() {
            let (key, shift) = usage(c);
            self.input(&[if shift { 0x02 } else { 0 }, 0, key, 0, 0, 0, 0, 0]);
            std::thread::sleep(Duration::from_millis(2));
            self.input(&[0; 8]);
            std::thread::sleep(Duration::from_millis(2));
        }
    }
}
