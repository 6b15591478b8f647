//! The event loop's state: the station, its store, every bench (workflow state, scale,
//! printer, last scans), the devices' and printers' states, and the snapshot published for
//! readers. The scan path is in `scan.rs`, API commands in `commands.rs`.

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;

use super::printing::PrintQueue;
use crate::clock::Clock;
use crate::config::Station;
use crate::core::capture::AutoCapture;
use crate::core::workflow::{BenchState, ScaleState};
use crate::decode::scale::Reading;
use crate::devices::scale::ScaleCommand;
use crate::events::view::{
    BenchView, LiveEvent, Metrics, PrinterView, Publisher, ScaleView, ScanView, StationView,
    Subscription,
};
use crate::events::{Event, Feedback, JobOutcome, PrinterState, ScanInput};
use crate::store::{PrintJob, PrintOutcome, Store, StoreError};

#[derive(Debug, thiserror::Error)]
pub enum DaemonError {
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// One bench as the loop holds it.
pub(super) struct Bench {
    pub(super) name: String,
    scanners: Vec<String>,
    pub(super) printer: Option<String>,
    /// the workflow's state, as last committed
    pub(super) state: BenchState,
    pub(super) scale: ScaleState,
    /// the scale's last reading as shown (state word, weight text)
    scale_shown: (String, Option<String>),
    pub(super) scale_name: Option<String>,
    pub(super) capture: AutoCapture,
    last_scans: VecDeque<ScanView>,
}

/// Scans kept per bench for the station screen.
const LAST_SCANS: usize = 12;

/// The event loop's state: the station, its store and every bench.
pub struct Daemon {
    pub(super) station: Station,
    pub(super) store: Store,
    pub(super) clock: Box<dyn Clock>,
    pub(super) benches: Vec<Bench>,
    pub(super) printing: PrintQueue,
    publisher: Option<Publisher>,
    pub(super) metrics: Metrics,
    pub(super) scales: HashMap<String, std::sync::mpsc::Sender<ScaleCommand>>,
    /// each scanner's last read and when, for its `debounce_ms`
    pub(super) last_reads: HashMap<String, (Vec<u8>, jiff::Timestamp)>,
    started: std::time::Instant,
}

impl Daemon {
    /// Loads each bench's saved state, so a restarted station carries on where it was.
    pub fn new(
        station: Station,
        store: Store,
        clock: Box<dyn Clock>,
    ) -> Result<Daemon, DaemonError> {
        let mut benches = Vec::new();
        for config in &station.config.bench {
            let state = store.bench_state(&config.name)?.unwrap_or_default();
            benches.push(Bench {
                name: config.name.clone(),
                scanners: config.scanners.clone(),
                printer: config.printer.clone(),
                state,
                scale: if config.scale.is_some() {
                    ScaleState::Lost
                } else {
                    ScaleState::NoScale
                },
                scale_shown: (
                    if config.scale.is_some() {
                        "lost"
                    } else {
                        "none"
                    }
                    .to_string(),
                    None,
                ),
                scale_name: config.scale.clone(),
                capture: AutoCapture::new(
                    config
                        .scale
                        .as_ref()
                        .and_then(|name| station.config.scale.iter().find(|s| &s.name == name))
                        .map(|s| s.settle_ms)
                        .unwrap_or(1500),
                ),
                last_scans: VecDeque::new(),
            });
        }
        Ok(Daemon {
            station,
            store,
            clock,
            benches,
            printing: PrintQueue::none(),
            publisher: None,
            metrics: Metrics::default(),
            scales: HashMap::new(),
            last_reads: HashMap::new(),
            started: std::time::Instant::now(),
        })
    }

    /// Starts a thread for each scale a bench uses.
    pub fn start_scales(&mut self, events: tokio::sync::mpsc::Sender<Event>) {
        for config in &self.station.config.scale {
            if !self
                .benches
                .iter()
                .any(|b| b.scale_name.as_deref() == Some(config.name.as_str()))
            {
                continue;
            }
            match crate::devices::scale::spawn(config.clone(), events.clone()) {
                Ok(commands) => {
                    self.scales.insert(config.name.clone(), commands);
                }
                Err(e) => {
                    tracing::error!(scale = %config.name, error = %e, "scale thread not started")
                }
            }
        }
    }

    /// A scale's reading: shown on its benches, and taken as the pending quantity when it has
    /// settled and the bench waits for one.
    pub fn handle_scale_reading(&mut self, scale: &str, reading: Reading) -> Vec<Feedback> {
        let now_ms = self.started.elapsed().as_millis() as u64;
        tracing::debug!(
            scale,
            state = reading.status.word(),
            weight = reading.display().as_deref().unwrap_or("-"),
            "scale reading"
        );
        let mut captured = Vec::new();
        for bench in &mut self.benches {
            if bench.scale_name.as_deref() != Some(scale) {
                continue;
            }
            bench.scale = match reading.stable_weight() {
                Some(weight) => ScaleState::Stable(weight),
                None => ScaleState::Unstable,
            };
            bench.scale_shown = (reading.status.word().to_string(), reading.display());
            let default_mode = self.station.bench(&bench.name).and_then(|c| c.workflow);
            if let Some(weight) = bench.capture.feed(reading.stable_weight(), now_ms)
                && bench.state.wants_quantity(default_mode)
            {
                captured.push(ScanInput::Weight {
                    bench: bench.name.clone(),
                    scale: scale.to_string(),
                    quantity: weight,
                });
            }
        }
        if captured.is_empty() {
            return Vec::new();
        }
        self.handle_scans(captured)
    }

    pub fn handle_device_state(&mut self, device: &str, up: bool, detail: &str) {
        self.metrics.devices.insert(device.to_string(), up);
        for bench in &mut self.benches {
            if bench.scale_name.as_deref() == Some(device) && !up {
                bench.scale = ScaleState::Lost;
                bench.scale_shown = ("lost".to_string(), None);
            }
        }
        tracing::info!(device, up, detail, "device state");
    }

    /// The read side of the station's live state, for the HTTP server.
    pub fn subscribe(&mut self) -> Subscription {
        let (publisher, subscription) = crate::events::view::channels();
        self.publisher = Some(publisher);
        self.publish();
        subscription
    }

    /// Ends the published view: the screen's event streams close.
    pub fn stop_publishing(&mut self) {
        self.publisher = None;
    }

    /// Publishes the current snapshot (after every event).
    pub fn publish(&mut self) {
        if self.publisher.is_none() {
            return;
        }
        match self.store.head() {
            Ok(Some((seq, hash))) => {
                self.metrics.journal_entries = seq;
                self.metrics.journal_head = hash;
            }
            Ok(None) => {}
            Err(e) => self.database_failed(&e),
        }
        let Some(publisher) = &self.publisher else {
            return;
        };
        let benches = self
            .benches
            .iter()
            .map(|b| {
                let default_mode = self.station.bench(&b.name).and_then(|c| c.workflow);
                BenchView {
                    name: b.name.clone(),
                    mode: b.state.mode.or(default_mode).map(|m| m.verb().to_string()),
                    operator: b.state.operator.clone(),
                    prompt: b.state.prompt(default_mode),
                    document: b.state.doc.summary(),
                    parked: b
                        .state
                        .parked
                        .iter()
                        .filter_map(|d| {
                            Some(format!(
                                "{} (scan {})",
                                d.describe_open()?,
                                d.resume_hint()?
                            ))
                        })
                        .collect(),
                    last_scans: b.last_scans.clone(),
                    scale: ScaleView {
                        state: b.scale_shown.0.clone(),
                        weight: b.scale_shown.1.clone(),
                    },
                    printer: b.printer.as_ref().map(|name| {
                        let state = self.printing.state(name);
                        PrinterView {
                            name: name.clone(),
                            ok: state.is_none_or(|s| s.problem.is_none()),
                            problem: state.and_then(|s| s.problem.clone()),
                            waiting: self.printing.waiting(),
                        }
                    }),
                    last_label: b.state.last_print.as_ref().map(|p| {
                        crate::events::view::LabelView {
                            kind: p.label.name().to_string(),
                            code: p.code.clone(),
                        }
                    }),
                }
            })
            .collect();
        publisher.view.send_replace(Arc::new(StationView {
            benches,
            metrics: self.metrics.clone(),
            database: crate::events::view::DatabaseView {
                up: self.metrics.database_down.is_none(),
                problem: self.metrics.database_down.clone(),
            },
        }));
    }

    /// Counts a device coming and going (for `/metrics` and the screen).
    pub fn set_device_up(&mut self, device: &str, up: bool) {
        self.metrics.devices.insert(device.to_string(), up);
    }

    /// Starts the printer workers and queues the jobs left over from the last run.
    pub fn start_printing(
        &mut self,
        events: tokio::sync::mpsc::Sender<Event>,
    ) -> Result<(), DaemonError> {
        let pending = self.store.pending_print_jobs()?;
        if !pending.is_empty() {
            tracing::info!(
                jobs = pending.len(),
                "labels left from the last run are queued again"
            );
        }
        self.printing = PrintQueue::start(
            &self.station,
            self.store.location().clone(),
            events,
            pending,
        );
        Ok(())
    }

    pub fn printing_idle(&self) -> bool {
        self.printing.idle()
    }

    /// How long this station's claim on its names lasts unrenewed.
    pub fn claim_lease(&self) -> std::time::Duration {
        self.station.claim_lease()
    }

    /// Renews the station's claim on its names; what went wrong is logged (the next scan
    /// is refused with it too, "not recorded").
    pub fn keep_claims(&mut self) {
        if let Err(e) = self.store.keep_claims() {
            tracing::error!(error = %e, "the station's claim on its names");
        }
    }

    /// How long the end of input waits for queued labels.
    pub fn drain_time(&self) -> std::time::Duration {
        std::time::Duration::from_secs(
            self.station
                .config
                .station
                .print_drain_seconds
                .unwrap_or(15),
        )
    }

    /// Journals what became of a print job.
    pub fn handle_print_outcome(
        &mut self,
        job: &PrintJob,
        outcome: &JobOutcome,
    ) -> Result<(), DaemonError> {
        let now = self.clock.now();
        let (kind, detail) = match outcome {
            JobOutcome::Printed { bytes } => (
                PrintOutcome::Printed,
                format!("{bytes} bytes taken by {}", job.printer),
            ),
            JobOutcome::Failed { reason } => (PrintOutcome::Failed, reason.clone()),
            JobOutcome::Uncertain { reason } => (PrintOutcome::Uncertain, reason.clone()),
        };
        let printed = kind == PrintOutcome::Printed;
        let journaled = (|| -> Result<(), StoreError> {
            let mut tx = self.store.begin()?;
            tx.append_print_outcome(job, kind, &detail, now)?;
            tx.commit()
        })();
        if let Err(e) = journaled {
            // the label's fate is not lost with the database: its job has no outcome, so
            // it is queued again at the next start (a printed label may come out twice;
            // none is missing)
            self.database_failed(&e);
            tracing::error!(job = job.id, code = %job.code, outcome = kind.as_str(), error = %e, "the print outcome could not be journaled");
            self.printing.finished(job.id);
            return Ok(());
        }
        self.printing.finished(job.id);
        let counts = self
            .metrics
            .print_jobs
            .entry(job.printer.clone())
            .or_default();
        if printed {
            counts.0 += 1;
        } else {
            counts.1 += 1;
        }
        if !printed {
            tracing::error!(job = job.id, code = %job.code, %detail, "label not printed");
        }
        Ok(())
    }

    pub fn handle_printer_state(&mut self, state: PrinterState) {
        self.printing.set_state(state);
    }

    /// The printer problem to tell a bench about, if its printer has one.
    pub(super) fn printer_warning(&self, printer: Option<&str>) -> Option<String> {
        let state = self.printing.state(printer?)?;
        let problem = state.problem.as_ref()?;
        Some(format!(
            "printer {} is not printing ({problem}); {} label job{} waiting",
            state.printer,
            self.printing.waiting(),
            if self.printing.waiting() == 1 {
                ""
            } else {
                "s"
            }
        ))
    }

    /// Replaces the time source (the demo's day moving on to its next phase).
    pub fn set_clock(&mut self, clock: Box<dyn Clock>) {
        self.clock = clock;
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    pub fn station(&self) -> &Station {
        &self.station
    }

    /// The prompt of a bench, for a station screen or a start-up line.
    pub fn prompt(&self, bench: &str) -> Option<String> {
        let b = self.benches.iter().find(|b| b.name == bench)?;
        let default_mode = self.station.bench(bench).and_then(|c| c.workflow);
        Some(b.state.prompt(default_mode))
    }

    pub fn bench_names(&self) -> Vec<String> {
        self.benches.iter().map(|b| b.name.clone()).collect()
    }

    /// End of the loop: says what is still waiting to print (it prints on the next run), and
    /// leaves the database file whole (the write-ahead log checkpointed and emptied).
    /// A store failure that says the database is unreachable marks it down (on the screen
    /// and in `/metrics`) until a commit succeeds again.
    pub(super) fn database_failed(&mut self, e: &StoreError) {
        if e.is_unavailable() {
            if self.metrics.database_down.is_none() {
                tracing::error!(error = %e, "the database is unreachable; scans are refused until it is back");
            }
            self.metrics.database_down = Some(e.to_string());
        }
    }

    pub(super) fn database_ok(&mut self) {
        if self.metrics.database_down.take().is_some() {
            tracing::warn!("the database is reachable again");
        }
    }

    pub fn finish(&mut self) -> Result<(), DaemonError> {
        self.store.release_claims();
        if let Err(e) = self.store.checkpoint() {
            tracing::warn!(error = %e, "the write-ahead log was not checkpointed at the stop");
        }
        if !self.printing.idle() {
            let waiting = self.printing.waiting();
            let message = format!(
                "{} still queued; {} when the station next runs",
                crate::core::counted(waiting, "label job"),
                if waiting == 1 {
                    "it prints"
                } else {
                    "they print"
                }
            );
            tracing::warn!("{message}");
            eprintln!("lotstation: {message}");
        }
        Ok(())
    }

    /// Counts an answered scan, keeps it for the screen and streams it.
    pub(super) fn record_answer(&mut self, answer: &Feedback, at: jiff::Timestamp) {
        let counts = self.metrics.scans.entry(answer.bench.clone()).or_default();
        if answer.accepted {
            counts.0 += 1;
        } else {
            counts.1 += 1;
        }
        let scan = ScanView {
            at: at
                .to_zoned(self.station.timezone.clone())
                .strftime("%Y-%m-%d %H:%M:%S")
                .to_string(),
            raw: answer.raw.replace('\u{1d}', "<GS>"),
            accepted: answer.accepted,
            warning: answer.is_warning(),
            message: crate::events::view::message_of(&answer.line),
        };
        let index = self
            .benches
            .iter()
            .position(|b| b.name == answer.bench)
            .unwrap_or_else(|| bench_index(&self.benches, &answer.scanner));
        let bench = &mut self.benches[index];
        bench.last_scans.push_front(scan.clone());
        bench.last_scans.truncate(LAST_SCANS);
        let prompt = answer
            .line
            .split(" | next: ")
            .nth(1)
            .unwrap_or_default()
            .to_string();
        if let Some(publisher) = &self.publisher {
            publisher.send_live(&LiveEvent::Scan {
                bench: answer.bench.clone(),
                scan,
                prompt,
            });
        }
    }
}

/// The bench an input is for: the one it names (a camera's read), else its scanner's.
pub(super) fn input_bench(benches: &[Bench], input: &crate::events::ScanInput) -> usize {
    if let crate::events::ScanInput::Camera { bench, .. } = input
        && let Some(index) = benches.iter().position(|b| &b.name == bench)
    {
        return index;
    }
    bench_index(benches, input.scanner())
}

/// The bench a scanner feeds. Scans injected over HTTP come from `http@<bench>`; the
/// configuration is checked at start so that every scanner feeds exactly one bench.
pub(super) fn bench_index(benches: &[Bench], scanner: &str) -> usize {
    if let Some(name) = scanner.strip_prefix("http@")
        && let Some(index) = benches.iter().position(|b| b.name == name)
    {
        return index;
    }
    benches
        .iter()
        .position(|b| b.scanners.iter().any(|s| s == scanner))
        .or_else(|| benches.iter().position(|b| b.name == scanner))
        .unwrap_or(0)
}
