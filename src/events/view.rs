//! What the event loop shows the outside: a read-only snapshot of every bench (prompt, open
//! document, last scans, scale, printer) and the counters for `/metrics`, published after
//! each event on a watch channel, and each scan's answer on a broadcast channel (the station
//! screen's live stream). Readers never touch the loop's state.

use std::collections::{BTreeMap, VecDeque};
use std::sync::Arc;

use tokio::sync::{broadcast, watch};

use crate::core::workflow::DocSummary;

/// One scan as a screen shows it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ScanView {
    pub at: String,
    pub raw: String,
    pub accepted: bool,
    /// a probable mistake waiting for the same scan again or `@OK` (nothing recorded)
    pub warning: bool,
    /// what the station said, without the `ok:`/`warning:`/`error:` word and the prompt
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ScaleView {
    /// none | lost | unstable | stable | overload | underload
    pub state: String,
    /// the last weight shown, in the scale's unit (`1.234 kg`)
    pub weight: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PrinterView {
    pub name: String,
    pub ok: bool,
    pub problem: Option<String>,
    pub waiting: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct BenchView {
    pub name: String,
    pub mode: Option<String>,
    pub operator: Option<String>,
    pub prompt: String,
    pub document: Option<DocSummary>,
    /// documents set aside by a switch of workflow: what each is and what resumes it
    pub parked: Vec<String>,
    /// newest first
    pub last_scans: VecDeque<ScanView>,
    pub scale: ScaleView,
    pub printer: Option<PrinterView>,
    /// the label this bench printed last (its picture: `/api/label/{kind}/{code}.png`)
    pub last_label: Option<LabelView>,
}

/// A label by what it is for.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct LabelView {
    /// lot, batch or shipment
    pub kind: String,
    pub code: String,
}

/// Counters since the daemon started (Prometheus counters reset with the process).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Metrics {
    /// bench -> (accepted, rejected)
    pub scans: BTreeMap<String, (u64, u64)>,
    /// printer -> (printed, failed)
    pub print_jobs: BTreeMap<String, (u64, u64)>,
    /// device -> up
    pub devices: BTreeMap<String, bool>,
    pub journal_entries: i64,
    pub journal_head: String,
    /// why the database cannot be reached, while it cannot (scans are refused meanwhile)
    pub database_down: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct StationView {
    pub benches: Vec<BenchView>,
    pub metrics: Metrics,
    /// the database as the station last found it
    pub database: DatabaseView,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct DatabaseView {
    pub up: bool,
    /// what is wrong, while it is down
    pub problem: Option<String>,
}

impl Default for DatabaseView {
    fn default() -> Self {
        DatabaseView {
            up: true,
            problem: None,
        }
    }
}

/// One message of the live stream.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum LiveEvent {
    Scan {
        bench: String,
        scan: ScanView,
        prompt: String,
    },
}

/// The sending side, held by the daemon.
#[derive(Debug, Clone)]
pub struct Publisher {
    pub view: watch::Sender<Arc<StationView>>,
    pub live: broadcast::Sender<Arc<str>>,
}

/// The receiving side, handed to the HTTP server. It holds no sender, so every stream
/// made from it ends when the daemon stops publishing.
#[derive(Debug, Clone)]
pub struct Subscription {
    pub view: watch::Receiver<Arc<StationView>>,
    live: Arc<broadcast::Receiver<Arc<str>>>,
}

impl Subscription {
    /// A receiver of the answered scans from now on.
    pub fn live(&self) -> broadcast::Receiver<Arc<str>> {
        self.live.resubscribe()
    }
}

pub fn channels() -> (Publisher, Subscription) {
    let (view_tx, view_rx) = watch::channel(Arc::new(StationView::default()));
    let (live_tx, live_rx) = broadcast::channel(256);
    (
        Publisher {
            view: view_tx,
            live: live_tx,
        },
        Subscription {
            view: view_rx,
            live: Arc::new(live_rx),
        },
    )
}

impl Publisher {
    pub fn send_live(&self, event: &LiveEvent) {
        if let Ok(text) = serde_json::to_string(event) {
            // no subscriber is fine: nobody is looking at a screen
            let _ = self.live.send(Arc::from(text.as_str()));
        }
    }
}

/// Splits a feedback line into its message (no verdict word, no prompt).
pub fn message_of(line: &str) -> String {
    let body = line
        .strip_prefix("ok: ")
        .or_else(|| line.strip_prefix("warning: "))
        .or_else(|| line.strip_prefix("error: "))
        .unwrap_or(line);
    body.split(" | next: ").next().unwrap_or(body).to_string()
}
