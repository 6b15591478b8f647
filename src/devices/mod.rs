//! Device adapters: each turns a device into `Event`s for the event loop. A device that
//! fails becomes an event, never a crash.

pub mod printer;
pub mod scale;
pub mod scanners;

use tokio::io::AsyncReadExt;
use tokio::sync::mpsc;

use crate::core::scan::MAX_SCAN_CHARS;
use crate::decode::lines::{Frame, LineFramer};
use crate::events::Event;

/// The longest line a text scanner may send before it is cut off (bytes).
pub const MAX_LINE_BYTES: usize = MAX_SCAN_CHARS * 4;

/// An input the daemon reads scans from.
pub enum Source {
    /// standard input, one scan per line (a terminal or a script driving a bench)
    Stdin { scanner: String },
    /// scans given by the program itself (the demo's scripted day)
    Script { scanner: String, lines: Vec<String> },
    /// a keyboard-wedge scanner's event node
    Evdev {
        scanner: String,
        path: String,
        layout: crate::decode::keys::Layout,
        suffix: crate::decode::keys::Suffix,
        timeout_ms: u64,
    },
    /// a HID POS scanner's hidraw node
    Hidraw {
        scanner: String,
        path: String,
        layout: crate::decode::hidpos::ReportLayout,
    },
    /// an RS-232 or CDC-ACM scanner
    Serial {
        scanner: String,
        path: String,
        baud: u32,
    },
}

impl Source {
    /// Whether this input comes to an end (and the daemon with it).
    pub fn ends(&self) -> bool {
        matches!(self, Source::Stdin { .. } | Source::Script { .. })
    }
}

/// Reads one source until it ends, sending its scans.
pub async fn read(source: Source, tx: mpsc::Sender<Event>) {
    match source {
        Source::Stdin { scanner } => read_lines(tokio::io::stdin(), scanner, tx).await,
        Source::Evdev {
            scanner,
            path,
            layout,
            suffix,
            timeout_ms,
        } => blocking(move || scanners::evdev(scanner, path, layout, suffix, timeout_ms, tx)).await,
        Source::Hidraw {
            scanner,
            path,
            layout,
        } => blocking(move || scanners::hidraw(scanner, path, layout, tx)).await,
        Source::Serial {
            scanner,
            path,
            baud,
        } => blocking(move || scanners::serial(scanner, path, baud, tx)).await,
        Source::Script { scanner, lines } => {
            for line in lines {
                let event = Event::Scan {
                    scanner: scanner.clone(),
                    raw: line.into_bytes(),
                };
                if tx.send(event).await.is_err() {
                    return;
                }
            }
            let _ = tx.send(Event::InputClosed { scanner }).await;
        }
    }
}

/// Runs a device's blocking read loop on its own thread, detached: a device loop never ends
/// by itself, and must not hold up the runtime's shutdown.
async fn blocking(work: impl FnOnce() + Send + 'static) {
    if let Err(e) = std::thread::Builder::new()
        .name("device".into())
        .spawn(work)
    {
        tracing::error!(error = %e, "device thread not started");
    }
}

/// Frames lines from a byte stream; a read error ends the input like end of file does.
async fn read_lines(
    mut input: impl tokio::io::AsyncRead + Unpin,
    scanner: String,
    tx: mpsc::Sender<Event>,
) {
    let mut framer = LineFramer::new(MAX_LINE_BYTES);
    let mut buffer = vec![0u8; 4096];
    loop {
        let n = match input.read(&mut buffer).await {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) => {
                tracing::error!(scanner, error = %e, "reading scans failed");
                break;
            }
        };
        for frame in framer.push(&buffer[..n]) {
            if send_frame(&tx, &scanner, frame).await.is_err() {
                return;
            }
        }
    }
    if let Some(frame) = framer.finish() {
        let _ = send_frame(&tx, &scanner, frame).await;
    }
    let _ = tx.send(Event::InputClosed { scanner }).await;
}

async fn send_frame(tx: &mpsc::Sender<Event>, scanner: &str, frame: Frame) -> Result<(), ()> {
    let event = match frame {
        Frame::Line(raw) => Event::Scan {
            scanner: scanner.to_string(),
            raw,
        },
        Frame::Overlong(bytes) => Event::Overlong {
            scanner: scanner.to_string(),
            bytes,
        },
    };
    tx.send(event).await.map_err(|_| ())
}
