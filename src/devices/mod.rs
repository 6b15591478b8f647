//! Device adapters: each turns a device into `Event`s for the event loop. A device that
//! fails becomes an event, never a crash.

pub mod printer;
pub mod scale;

use tokio::io::AsyncReadExt;
use tokio::sync::mpsc;

use crate::core::scan::MAX_SCAN_CHARS;
use crate::daemon::Event;
use crate::decode::lines::{Frame, LineFramer};

/// The longest line a text scanner may send before it is cut off (bytes).
pub const MAX_LINE_BYTES: usize = MAX_SCAN_CHARS * 4;

/// An input the daemon reads scans from.
pub enum Source {
    /// standard input, one scan per line (a terminal or a script driving a bench)
    Stdin { scanner: String },
    /// scans given by the program itself (the demo's scripted day)
    Script { scanner: String, lines: Vec<String> },
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
