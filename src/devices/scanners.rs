//! Scanner adapters, each on its own thread: keyboard-wedge scanners through evdev
//! (grabbed, so keystrokes never reach a console), HID POS scanners through hidraw, and
//! RS-232 / CDC-ACM scanners through the serial port. A scanner that disappears is reported
//! lost and reopened by its (stable udev) path when it returns; a scan already read is
//! never lost.

use std::io::Read;
use std::time::{Duration, UNIX_EPOCH};

use tokio::sync::mpsc;

use crate::decode::hidpos::{HidOutput, HidPosDecoder, ReportLayout};
use crate::decode::keys::{KeyDecoder, KeyOutput, Layout, Suffix};
use crate::decode::lines::{Frame, LineFramer};
use crate::events::Event;

/// Pause between attempts to reopen a lost scanner.
const REOPEN: Duration = Duration::from_millis(500);

/// How a thread reports what it read; false when the daemon is gone.
struct Reporter {
    scanner: String,
    events: mpsc::Sender<Event>,
    up: Option<bool>,
}

impl Reporter {
    fn scan(&self, raw: Vec<u8>) -> bool {
        self.events
            .blocking_send(Event::Scan {
                scanner: self.scanner.clone(),
                raw,
            })
            .is_ok()
    }

    fn overlong(&self, bytes: usize) -> bool {
        self.events
            .blocking_send(Event::Overlong {
                scanner: self.scanner.clone(),
                bytes,
            })
            .is_ok()
    }

    fn state(&mut self, up: bool, detail: String) -> bool {
        if self.up == Some(up) {
            return true;
        }
        self.up = Some(up);
        if up {
            tracing::info!(scanner = %self.scanner, %detail, "scanner connected");
        } else {
            tracing::warn!(scanner = %self.scanner, %detail, "scanner lost");
        }
        self.events
            .blocking_send(Event::DeviceState {
                device: self.scanner.clone(),
                up,
                detail,
            })
            .is_ok()
    }

    fn key_output(&self, output: KeyOutput) -> bool {
        match output {
            KeyOutput::Scan(text) => self.scan(text.into_bytes()),
            KeyOutput::Broken(reason) => {
                tracing::warn!(scanner = %self.scanner, %reason, "scan lost");
                // a broken scan is answered like garbage: the person scans again
                self.scan(vec![0xff])
            }
        }
    }
}

fn ms(time: std::time::SystemTime) -> u64 {
    time.duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

/// A keyboard-wedge scanner's event node, grabbed.
pub fn evdev(
    scanner: String,
    path: String,
    layout: Layout,
    suffix: Suffix,
    timeout_ms: u64,
    events: mpsc::Sender<Event>,
) {
    let mut reporter = Reporter {
        scanner,
        events,
        up: None,
    };
    loop {
        let mut device = match evdev::raw_stream::RawDevice::open(&path) {
            Ok(device) => device,
            Err(e) => {
                if !reporter.state(false, format!("cannot open {path}: {e}")) {
                    return;
                }
                std::thread::sleep(REOPEN);
                continue;
            }
        };
        if let Err(e) = device.grab() {
            // another program holds it: reading would type into its screen too
            if !reporter.state(
                false,
                format!("cannot grab {path}: {e} (is another program using the scanner?)"),
            ) {
                return;
            }
            std::thread::sleep(REOPEN);
            continue;
        }
        let name = device.name().unwrap_or("?").to_string();
        if !reporter.state(true, format!("{path} ({name}) grabbed")) {
            return;
        }
        let mut decoder = KeyDecoder::new(layout, suffix, timeout_ms);
        let lost = loop {
            let batch: Vec<(u16, u16, i32, u64)> = match device.fetch_events() {
                Ok(events) => events
                    .map(|e| (e.event_type().0, e.code(), e.value(), ms(e.timestamp())))
                    .collect(),
                Err(e) => break format!("{path}: {e} (unplugged?)"),
            };
            for (kind, code, value, at) in batch {
                let output = match (kind, code) {
                    (1, _) => decoder.key(code, value, at), // EV_KEY
                    (0, 3) => {
                        // EV_SYN / SYN_DROPPED
                        decoder.dropped();
                        None
                    }
                    _ => decoder.tick(at),
                };
                if let Some(output) = output
                    && !reporter.key_output(output)
                {
                    return;
                }
            }
        };
        // close the node before saying so: a replugged device can take the same name
        drop(device);
        // what was typed before the scanner vanished, if it was ended by a pause
        if let Some(output) = decoder.tick(u64::MAX)
            && !reporter.key_output(output)
        {
            return;
        }
        if !reporter.state(false, lost) {
            return;
        }
        std::thread::sleep(REOPEN);
    }
}

/// A HID POS scanner's hidraw node.
pub fn hidraw(scanner: String, path: String, layout: ReportLayout, events: mpsc::Sender<Event>) {
    let mut reporter = Reporter {
        scanner,
        events,
        up: None,
    };
    loop {
        let api = match hidapi::HidApi::new() {
            Ok(api) => api,
            Err(e) => {
                if !reporter.state(false, format!("hidapi: {e}")) {
                    return;
                }
                std::thread::sleep(REOPEN * 4);
                continue;
            }
        };
        let Ok(c_path) = std::ffi::CString::new(path.clone()) else {
            let _ = reporter.state(false, format!("{path:?} is not a usable path"));
            return;
        };
        let device = match api.open_path(&c_path) {
            Ok(device) => device,
            Err(e) => {
                if !reporter.state(false, format!("cannot open {path}: {e}")) {
                    return;
                }
                std::thread::sleep(REOPEN);
                continue;
            }
        };
        if !reporter.state(true, format!("{path} open")) {
            return;
        }
        let mut decoder = HidPosDecoder::new(layout);
        let mut report = [0u8; 64];
        let lost = loop {
            match device.read_timeout(&mut report, 250) {
                Ok(0) => {}
                Ok(n) => match decoder.report(&report[..n]) {
                    Some(HidOutput::Scan(raw)) => {
                        let sent = reporter.scan(raw);
                        if !sent {
                            return;
                        }
                    }
                    Some(HidOutput::Garbage(why)) => {
                        tracing::warn!(scanner = %reporter.scanner, %why, "report dropped")
                    }
                    None => {}
                },
                Err(e) => break format!("{path}: {e} (unplugged?)"),
            }
        };
        drop(device);
        drop(api);
        if !reporter.state(false, lost) {
            return;
        }
        std::thread::sleep(REOPEN);
    }
}

/// An RS-232 or CDC-ACM scanner: one scan per line.
pub fn serial(scanner: String, path: String, baud: u32, events: mpsc::Sender<Event>) {
    let mut reporter = Reporter {
        scanner,
        events,
        up: None,
    };
    loop {
        let mut port = match serialport::new(&path, baud)
            .timeout(Duration::from_millis(250))
            .open()
        {
            Ok(port) => port,
            Err(e) => {
                if !reporter.state(false, format!("cannot open {path}: {e}")) {
                    return;
                }
                std::thread::sleep(REOPEN);
                continue;
            }
        };
        if !reporter.state(true, format!("{path} open")) {
            return;
        }
        let mut framer = LineFramer::new(super::MAX_LINE_BYTES);
        let mut buffer = [0u8; 512];
        let lost = loop {
            match port.read(&mut buffer) {
                Ok(0) => break format!("{path} closed"),
                Ok(n) => {
                    for frame in framer.push(&buffer[..n]) {
                        let sent = match frame {
                            Frame::Line(raw) => reporter.scan(raw),
                            Frame::Overlong(bytes) => reporter.overlong(bytes),
                        };
                        if !sent {
                            return;
                        }
                    }
                }
                Err(e) if e.kind() == std::io::ErrorKind::TimedOut => {}
                Err(e) => break format!("{path}: {e} (unplugged?)"),
            }
        };
        drop(port);
        // a last scan the scanner did not end before it vanished
        if let Some(Frame::Line(raw)) = framer.finish()
            && !reporter.scan(raw)
        {
            return;
        }
        if !reporter.state(false, lost) {
            return;
        }
        std::thread::sleep(REOPEN);
    }
}
