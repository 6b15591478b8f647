//! The messages between the rooms: what devices and the HTTP server send the event loop
//! (`Event`), what the loop answers (`Feedback`, `CommandReply`) and the snapshot it
//! publishes for readers (`view`). It sits below `devices`, `http` and `daemon`, so each
//! imports it and none imports another to talk.

pub mod view;

use tokio::sync::{mpsc, oneshot};

use crate::core::codes::Quantity;
use crate::core::print::PrintJob;
use crate::decode::scale::Reading;

/// Where device and HTTP sources send their events; the event loop owns the receiver.
pub type EventSink = mpsc::Sender<Event>;

/// Everything that reaches the event loop.
#[derive(Debug)]
pub enum Event {
    /// one framed scan from the named scanner (raw bytes: a scanner may send garbage)
    Scan { scanner: String, raw: Vec<u8> },
    /// a scanner sent more than a scan may hold without a terminator
    Overlong { scanner: String, bytes: usize },
    /// the scanner's input ended (stdin at end of file, a script at its end)
    InputClosed { scanner: String },
    /// a scan sent over HTTP to a bench; answered once committed
    ApiScan {
        bench: String,
        raw: String,
        /// read by a phone's camera on the bench's page (else a script's scan)
        camera: Option<CameraRead>,
        reply: oneshot::Sender<Feedback>,
    },
    /// a state-changing request from the HTTP API (hold, release, recall)
    ApiCommand {
        /// boxed: the largest command would make every event as large
        command: Box<ApiCommand>,
        /// who asked: a console account's name, or `http` for the station's token
        operator: String,
        reply: oneshot::Sender<Result<ApiReply, CommandError>>,
    },
    /// a printer worker finished a job (printed, or refused for good)
    PrintOutcome { job: PrintJob, outcome: JobOutcome },
    /// a printer became ready or not ready
    PrinterState(PrinterState),
    /// a scale's reading
    ScaleReading { scale: String, reading: Reading },
    /// a device was connected, or lost (with why)
    DeviceState {
        device: String,
        up: bool,
        detail: String,
    },
    /// time to tell systemd's watchdog that the loop is alive
    Watchdog,
    /// time to renew the station's claim on its names (a third of its lease has passed)
    KeepClaims,
    /// SIGTERM or SIGINT
    Shutdown,
}

/// Who read a code with a camera: the bench's camera scanner (the device journaled) and
/// the signed-in account holding the phone (the operator journaled).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CameraRead {
    pub camera: String,
    pub operator: Option<String>,
}

/// A scan as the loop steps it: from a scanner (or the API, as scanner `http@<bench>`), an
/// overlong line, or a settled weight taken for a bench.
#[derive(Debug, Clone)]
pub enum ScanInput {
    Scan {
        scanner: String,
        raw: Vec<u8>,
    },
    Overlong {
        scanner: String,
        bytes: usize,
    },
    /// a code read by a camera on a bench's page: the bench is named (one camera scanner
    /// may serve several benches), and so is the account that read it
    Camera {
        bench: String,
        read: CameraRead,
        raw: Vec<u8>,
    },
    /// a settled weight taken automatically for a bench
    Weight {
        bench: String,
        scale: String,
        quantity: Quantity,
    },
}

impl ScanInput {
    /// The scanner it came from; a weight belongs to the bench it was taken for.
    pub fn scanner(&self) -> &str {
        match self {
            ScanInput::Scan { scanner, .. } | ScanInput::Overlong { scanner, .. } => scanner,
            ScanInput::Camera { read, .. } => &read.camera,
            ScanInput::Weight { bench, .. } => bench,
        }
    }

    /// The account that made it, when it says (a camera's read by a signed-in account).
    pub fn operator(&self) -> Option<&str> {
        match self {
            ScanInput::Camera { read, .. } => read.operator.as_deref(),
            _ => None,
        }
    }

    /// What is journaled as the scan's text when nothing better can be.
    pub fn raw_text(&self) -> String {
        match self {
            ScanInput::Scan { raw, .. } | ScanInput::Camera { raw, .. } => {
                String::from_utf8_lossy(raw).into_owned()
            }
            ScanInput::Overlong { bytes, .. } => format!("<{bytes} bytes without terminator>"),
            ScanInput::Weight {
                quantity, scale, ..
            } => format!("<{} mg from scale {scale}>", quantity.base),
        }
    }
}

/// What the person at a bench is told about one scan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Feedback {
    pub bench: String,
    pub scanner: String,
    pub raw: String,
    pub accepted: bool,
    /// `ok: …`, `warning: …` or `error: …`, one line
    pub line: String,
    /// the journal entry of the scan (None if it could not be journaled)
    pub journal_seq: Option<i64>,
}

impl Feedback {
    /// A probable mistake: nothing recorded, the bench waits for the same scan or `@OK`.
    pub fn is_warning(&self) -> bool {
        self.line.starts_with("warning: ")
    }
}

/// A state-changing request from the HTTP API, carried out by the event loop.
#[derive(Debug, Clone)]
pub enum ApiCommand {
    Hold {
        code: String,
        reason: String,
        quarantine: bool,
    },
    Release {
        code: String,
        reason: String,
    },
    Recall {
        code: String,
        supplier: Option<String>,
        /// the notice's words for this recall (the config's `[recall]` gives the rest)
        hazard: Option<String>,
        remedy: Option<String>,
    },
    /// print a lot's, batch's or shipment's label on a printer (by name, else the only one)
    Print {
        label: crate::core::workflow::LabelKind,
        code: String,
        printer: Option<String>,
        copies: u32,
    },
    /// a correction: void a document or set what a lot or batch says
    Correct {
        code: String,
        asked: crate::core::workflow::Asked,
        reason: String,
    },
    /// master data from the console: a file's rows (a form's one row, or an uploaded CSV),
    /// parsed and checked as `lotstation import` does, imported all or nothing
    ImportMaster {
        file: String,
        sha256: String,
        data: Box<crate::masterdata::MasterFile>,
    },
    /// a shop's order export uploaded in the console, parsed as `import orders --from`
    ImportShop {
        shop: crate::shops::Shop,
        files: String,
        sha256: String,
        orders: Vec<crate::shops::ShopOrder>,
    },
    /// an item, supplier or customer retired (or brought back) in the console
    RetireMaster {
        kind: crate::masterdata::MasterKind,
        key: String,
        retire: bool,
    },
    /// an item, supplier or customer no record names, deleted in the console
    DeleteMaster {
        kind: crate::masterdata::MasterKind,
        key: String,
    },
    /// a recall drill made in the console (its package made by a reader): journaled as
    /// `recall --mock` journals one
    Drill {
        body: serde_json::Value,
    },
    /// a customer's complaint (an adverse event when `serious`)
    Complaint {
        customer: String,
        code: String,
        text: String,
        serious: bool,
    },
}

/// What an API command did.
pub enum ApiReply {
    Done(String),
    Recall(Box<crate::report::RecallFiles>),
}

impl std::fmt::Debug for ApiReply {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ApiReply::Done(message) => write!(f, "Done({message:?})"),
            ApiReply::Recall(files) => write!(f, "Recall({})", files.package.trace.root.code),
        }
    }
}

/// Why the loop did not carry out a command. Each kind has one HTTP status, chosen by
/// kind and never by the message's words.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CommandError {
    /// no record has that code (404)
    #[error("{0}")]
    NotFound(String),
    /// the records say no: an ambiguous supplier lot number, a status that cannot change (409)
    #[error("{0}")]
    Conflict(String),
    /// the request cannot be carried out as asked: a recall of a shipment (422)
    #[error("{0}")]
    Invalid(String),
    /// the station cannot answer now: the database failed or is away (503)
    #[error("{0}")]
    Unavailable(String),
}

/// What became of a print job, reported by a printer worker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JobOutcome {
    /// the printer took all of it and confirmed it (a ZPL printer: that it came out)
    Printed { bytes: usize },
    /// it cannot be printed
    Failed { reason: String },
    /// it may or may not have printed: a person must look
    Uncertain { reason: String },
}

/// A printer's state as its worker last saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrinterState {
    pub printer: String,
    /// why the printer cannot print, or None when it took the last job
    pub problem: Option<String>,
    pub waiting: usize,
}
