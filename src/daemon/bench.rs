//! One scan, end to end: parse, step the bench's state machine inside a store transaction,
//! journal the raw scan with what it did, commit, and only then say `ok:` or `error:`.

use std::sync::Arc;

use super::printing::{JobOutcome, PrintQueue, PrinterState};
use super::view::{
    BenchView, LiveEvent, Metrics, PrinterView, Publisher, ScaleView, ScanView, StationView,
    Subscription,
};
use crate::config::{Station, batch_labels};
use crate::core::scan;
use crate::core::workflow::{self, BenchState, Input, Outcome, ScaleState, StepContext};
use std::collections::{HashMap, HashSet};

use crate::core::capture::AutoCapture;
use crate::decode::scale::Reading;
use crate::devices::scale::ScaleCommand;
use crate::store::{NewEntry, PrintJob, Store, StoreError, StoreTx};

/// Where the daemon gets the time from.
pub trait Clock: Send {
    fn now(&mut self) -> jiff::Timestamp;
}

/// The machine's clock.
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&mut self) -> jiff::Timestamp {
        jiff::Timestamp::now()
    }
}

/// A clock that starts at a given time and advances a fixed step per reading (the demo's
/// scripted day).
pub struct ScriptedClock {
    pub next: jiff::Timestamp,
    pub step: jiff::SignedDuration,
}

impl Clock for ScriptedClock {
    fn now(&mut self) -> jiff::Timestamp {
        let now = self.next;
        self.next = self.next.checked_add(self.step).unwrap_or(self.next);
        now
    }
}

/// What the person at a bench is told about one scan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Feedback {
    pub bench: String,
    pub scanner: String,
    pub raw: String,
    pub accepted: bool,
    /// `ok: …` or `error: …`, one line
    pub line: String,
    /// the journal entry of the scan (None if it could not be journaled)
    pub journal_seq: Option<i64>,
    /// the scan queued labels
    pub made_labels: bool,
    /// the scan asked the bench's scale to tare
    pub tare: bool,
    /// the scan took the scale's weight by hand (`@WEIGH`)
    pub weighed: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum DaemonError {
    #[error(transparent)]
    Store(#[from] StoreError),
}

struct Bench {
    name: String,
    scanners: Vec<String>,
    printer: Option<String>,
    state: BenchState,
    scale: ScaleState,
    /// the scale's last reading as shown (state word, weight text)
    scale_shown: (String, Option<String>),
    scale_name: Option<String>,
    capture: AutoCapture,
    last_scans: std::collections::VecDeque<ScanView>,
}

/// Scans kept per bench for the station screen.
const LAST_SCANS: usize = 12;

/// The event loop's state: the station, its store and every bench.
pub struct Daemon {
    station: Station,
    store: Store,
    clock: Box<dyn Clock>,
    benches: Vec<Bench>,
    printing: PrintQueue,
    publisher: Option<Publisher>,
    metrics: Metrics,
    scales: HashMap<String, std::sync::mpsc::Sender<ScaleCommand>>,
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
                last_scans: std::collections::VecDeque::new(),
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
            started: std::time::Instant::now(),
        })
    }

    /// Starts a thread for each scale a bench uses.
    pub fn start_scales(&mut self, events: tokio::sync::mpsc::Sender<super::Event>) {
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
        let (publisher, subscription) = super::view::channels();
        self.publisher = Some(publisher);
        self.publish();
        subscription
    }

    /// Publishes the current snapshot (after every event).
    pub fn publish(&mut self) {
        let Some(publisher) = &self.publisher else {
            return;
        };
        if let Ok(Some((seq, hash))) = self.store.head() {
            self.metrics.journal_entries = seq;
            self.metrics.journal_head = hash;
        }
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
                }
            })
            .collect();
        publisher.view.send_replace(Arc::new(StationView {
            benches,
            metrics: self.metrics.clone(),
        }));
    }

    /// Counts a device coming and going (for `/metrics` and the screen).
    pub fn set_device_up(&mut self, device: &str, up: bool) {
        self.metrics.devices.insert(device.to_string(), up);
    }

    /// Starts the printer workers and queues the jobs left over from the last run.
    pub fn start_printing(
        &mut self,
        events: tokio::sync::mpsc::Sender<super::Event>,
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
            self.store.path().to_path_buf(),
            events,
            pending,
        );
        Ok(())
    }

    pub fn printing_idle(&self) -> bool {
        self.printing.idle()
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
        let (printed, detail) = match outcome {
            JobOutcome::Printed { bytes } => {
                (true, format!("{bytes} bytes sent to {}", job.printer))
            }
            JobOutcome::Failed { reason } => (false, reason.clone()),
        };
        let mut tx = self.store.begin()?;
        tx.append_print_outcome(job, printed, &detail, now)?;
        tx.commit()?;
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
    fn printer_warning(&self, printer: Option<&str>) -> Option<String> {
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

    fn bench_index(&self, scanner: &str) -> usize {
        bench_index(&self.benches, scanner)
    }

    /// End of the loop: says what is still waiting to print (it prints on the next run).
    pub fn finish(&mut self) -> Result<(), DaemonError> {
        if !self.printing.idle() {
            let message = format!(
                "{} label job(s) still queued; they print when the station next runs",
                self.printing.waiting()
            );
            tracing::warn!("{message}");
            eprintln!("lotstation: {message}");
        }
        Ok(())
    }

    /// A scanner sent too many bytes without a terminator.
    pub fn handle_overlong(
        &mut self,
        scanner: &str,
        bytes: usize,
    ) -> Result<Feedback, DaemonError> {
        let input = ScanInput::Overlong {
            scanner: scanner.to_string(),
            bytes,
        };
        Ok(self.handle_scans(vec![input]).remove(0))
    }

    /// Counts an answered scan, keeps it for the screen and streams it.
    fn record_answer(&mut self, answer: &Feedback) {
        let counts = self.metrics.scans.entry(answer.bench.clone()).or_default();
        if answer.accepted {
            counts.0 += 1;
        } else {
            counts.1 += 1;
        }
        let scan = ScanView {
            at: jiff::Timestamp::now().to_string(),
            raw: answer.raw.replace('\u{1d}', "<GS>"),
            accepted: answer.accepted,
            message: super::view::message_of(&answer.line),
        };
        let index = bench_index(&self.benches, &answer.scanner);
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

    /// Handles one scan (see `handle_scans`).
    pub fn handle_scan(&mut self, scanner: &str, raw: &[u8]) -> Result<Feedback, DaemonError> {
        let input = ScanInput::Scan {
            scanner: scanner.to_string(),
            raw: raw.to_vec(),
        };
        Ok(self.handle_scans(vec![input]).remove(0))
    }

    /// Handles scans that arrived together in one transaction (group commit): each scan
    /// runs in its own savepoint, so a refused scan leaves only its own journal entry; one
    /// commit makes them all durable; only then is any of them answered, and only then do
    /// their labels go to the printers. If the store fails, none is acknowledged.
    pub fn handle_scans(&mut self, inputs: Vec<ScanInput>) -> Vec<Feedback> {
        let mut tentative: HashMap<usize, BenchState> = HashMap::new();
        let mut jobs: Vec<PrintJob> = Vec::new();
        let (station, benches, clock) = (&self.station, &self.benches, &mut self.clock);
        let result = (|| -> Result<Vec<Feedback>, DaemonError> {
            let mut tx = self.store.begin()?;
            let mut answers = Vec::new();
            for input in &inputs {
                let index = bench_index(benches, input.scanner());
                let state = tentative.get(&index).unwrap_or(&benches[index].state);
                let scope = Scope {
                    station,
                    benches,
                    now: clock.now(),
                };
                let answer = scope.one_scan(&mut tx, index, state, input, &mut jobs)?;
                if let Some(new_state) = answer.1 {
                    tentative.insert(index, new_state);
                }
                answers.push(answer.0);
            }
            tx.commit()?;
            Ok(answers)
        })();
        match result {
            Ok(mut answers) => {
                for (index, state) in tentative {
                    self.benches[index].state = state;
                }
                for answer in &answers {
                    let index = bench_index(&self.benches, &answer.scanner);
                    if answer.tare
                        && let Some(commands) = self.benches[index]
                            .scale_name
                            .as_ref()
                            .and_then(|s| self.scales.get(s))
                    {
                        let _ = commands.send(ScaleCommand::Tare);
                    }
                    if answer.weighed {
                        self.benches[index].capture.taken();
                    }
                }
                let printing: HashSet<String> = jobs.iter().map(|j| j.bench.clone()).collect();
                for job in jobs {
                    self.printing.enqueue(job);
                }
                // a printer in trouble is said on the line of the scan that made a label
                for answer in &mut answers {
                    if answer.accepted
                        && printing.contains(&answer.bench)
                        && answer.made_labels
                        && let Some(warning) = self.printer_warning(
                            self.benches[self.bench_index(&answer.scanner)]
                                .printer
                                .as_deref(),
                        )
                    {
                        let at = answer.line.find(" | next: ").unwrap_or(answer.line.len());
                        answer
                            .line
                            .insert_str(at, &format!(" (warning: {warning})"));
                    }
                }
                for answer in &answers {
                    tracing::info!(bench = %answer.bench, scanner = %answer.scanner, seq = ?answer.journal_seq, "{}", answer.line);
                    self.record_answer(answer);
                }
                answers
            }
            Err(e) => {
                tracing::error!(error = %e, scans = inputs.len(), "scans could not be recorded");
                inputs
                    .iter()
                    .map(|input| {
                        let index = self.bench_index(input.scanner());
                        Feedback {
                            bench: self.benches[index].name.clone(),
                            scanner: input.scanner().to_string(),
                            raw: input.raw_text(),
                            accepted: false,
                            line: format!(
                                "error: the station could not record this scan ({e}); scan it again"
                            ),
                            journal_seq: None,
                            made_labels: false,
                            tare: false,
                            weighed: false,
                        }
                    })
                    .collect()
            }
        }
    }
}

/// What one scan in a group may read: the station, the benches, the time.
struct Scope<'a> {
    station: &'a Station,
    benches: &'a [Bench],
    now: jiff::Timestamp,
}

/// The bench a scanner feeds. Scans injected over HTTP come from `http@<bench>`.
fn bench_index(benches: &[Bench], scanner: &str) -> usize {
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

impl Scope<'_> {
    /// One scan inside the group's transaction: the answer, and the bench's new state if the
    /// scan was accepted.
    fn one_scan(
        &self,
        tx: &mut StoreTx<'_>,
        index: usize,
        state: &BenchState,
        input: &ScanInput,
        jobs: &mut Vec<PrintJob>,
    ) -> Result<(Feedback, Option<BenchState>), DaemonError> {
        let now = self.now;
        let scanner = input.scanner();
        let raw = match input {
            ScanInput::Overlong { bytes, .. } => {
                let reason = format!(
                    "the scanner sent {bytes} characters without an end of line; nothing was read from it (check the scanner's suffix setting)"
                );
                let raw = format!("<{bytes} bytes without terminator>");
                return Ok((
                    self.journal_rejected(tx, index, state, scanner, &raw, None, "", &reason, now)?,
                    None,
                ));
            }
            ScanInput::Scan { raw, .. } => raw,
            ScanInput::Weight {
                scale, quantity, ..
            } => {
                let raw = format!("<{} mg from scale {scale}>", quantity.base);
                return self.one_input(
                    tx,
                    index,
                    state,
                    scale,
                    &raw,
                    "settled scale weight",
                    Input::Weight(*quantity),
                    "weight",
                    None,
                    jobs,
                );
            }
        };
        let raw_text = match std::str::from_utf8(raw) {
            Ok(text) => text.to_string(),
            Err(_) => {
                let lossy = String::from_utf8_lossy(raw).into_owned();
                let hex: String = crate::core::hex(raw);
                let reason = "the scan is not readable text (garbage from the scanner or a wrong keyboard layout); scan it again";
                return Ok((
                    self.journal_rejected(
                        tx,
                        index,
                        state,
                        scanner,
                        &lossy,
                        Some(&hex),
                        "",
                        reason,
                        now,
                    )?,
                    None,
                ));
            }
        };
        let scan = match scan::parse(&raw_text, &self.station.patterns) {
            Ok(scan) => scan,
            Err(e) => {
                return Ok((
                    self.journal_rejected(
                        tx,
                        index,
                        state,
                        scanner,
                        &raw_text,
                        None,
                        "",
                        &e.to_string(),
                        now,
                    )?,
                    None,
                ));
            }
        };
        let interpretation = scan.describe();
        let aim = scan.aim.clone();
        self.one_input(
            tx,
            index,
            state,
            scanner,
            &raw_text,
            &interpretation,
            Input::Scan(scan),
            "scan",
            aim,
            jobs,
        )
    }

    /// A parsed scan or a scale weight, stepped and journaled (`kind` "scan" or "weight").
    #[allow(clippy::too_many_arguments)]
    fn one_input(
        &self,
        tx: &mut StoreTx<'_>,
        index: usize,
        state: &BenchState,
        scanner: &str,
        raw_text: &str,
        interpretation: &str,
        input: Input,
        kind: &str,
        aim: Option<String>,
        jobs: &mut Vec<PrintJob>,
    ) -> Result<(Feedback, Option<BenchState>), DaemonError> {
        let now = self.now;
        let bench_name = self.benches[index].name.clone();
        let today = now.to_zoned(self.station.timezone.clone()).date();
        let bench_config =
            self.station.bench(&bench_name).cloned().ok_or_else(|| {
                StoreError::NotFound(format!("bench {bench_name} is not configured"))
            })?;
        let ctx = StepContext {
            bench: &bench_name,
            now,
            today,
            default_mode: bench_config.workflow,
            allow_overdraw: bench_config.allow_overdraw,
            batch_labels: batch_labels(&bench_config.batch_labels)
                .unwrap_or(workflow::BatchLabels::PerUnit),
            lot_format: &self.station.lot_format,
            batch_format: &self.station.batch_format,
            shipment_format: &self.station.shipment_format,
            scale: self.benches[index].scale,
        };
        tx.savepoint()?;
        let outcome =
            workflow::step(state, &ctx, &input, tx).map_err(|e| StoreError::Corrupt(e.0))?;
        let accepted = match outcome {
            Outcome::Rejected { reason } => {
                tx.rollback_to_savepoint()?;
                let answer = self.journal_rejected(
                    tx,
                    index,
                    state,
                    scanner,
                    raw_text,
                    None,
                    interpretation,
                    &reason,
                    now,
                )?;
                return Ok((answer, None));
            }
            Outcome::Accepted(accepted) => *accepted,
        };
        let operator = accepted.state.operator.clone().or(state.operator.clone());
        let body = serde_json::json!({
            "raw": raw_text,
            "aim": aim,
            "interpretation": interpretation,
            "accepted": true,
            "message": accepted.message,
            "warnings": accepted.warnings,
        });
        let scan_seq = tx.append(&NewEntry {
            at: now,
            kind,
            bench: Some(&bench_name),
            device: Some(scanner),
            operator: operator.as_deref(),
            body: &body,
        })?;
        for record in &accepted.records {
            tx.append_record(
                record,
                Some(&bench_name),
                operator.as_deref(),
                now,
                Some(scan_seq),
            )?;
        }
        let printer = self.benches[index].printer.clone();
        for print in &accepted.prints {
            let (_, id) = tx.append_print_job(
                print,
                &bench_name,
                printer.as_deref(),
                operator.as_deref(),
                now,
                scan_seq,
            )?;
            if let Some(printer) = &printer {
                jobs.push(PrintJob {
                    id,
                    bench: bench_name.clone(),
                    printer: printer.clone(),
                    label: match print.label {
                        workflow::LabelKind::Lot => crate::label::LabelKind::Lot,
                        workflow::LabelKind::Batch => crate::label::LabelKind::Batch,
                        workflow::LabelKind::Shipment => crate::label::LabelKind::Shipment,
                    },
                    code: print.code.clone(),
                    copies: print.copies,
                });
            }
        }
        tx.save_bench_state(&bench_name, &accepted.state)?;
        tx.release_savepoint()?;
        let mut line = format!("ok: {}", accepted.message);
        for warning in &accepted.warnings {
            line.push_str(&format!(" (warning: {warning})"));
        }
        line.push_str(&format!(
            " | next: {}",
            accepted.state.prompt(bench_config.workflow)
        ));
        let answer = Feedback {
            bench: bench_name,
            scanner: scanner.to_string(),
            raw: raw_text.to_string(),
            accepted: true,
            line,
            journal_seq: Some(scan_seq),
            made_labels: !accepted.prints.is_empty(),
            tare: accepted.tare,
            weighed: matches!(&input, Input::Scan(s) if s.kind == crate::core::scan::ScanKind::Command(crate::core::scan::Command::Weigh)),
        };
        Ok((answer, Some(accepted.state)))
    }

    /// Journals a refused scan on its own and says why.
    #[allow(clippy::too_many_arguments)]
    fn journal_rejected(
        &self,
        tx: &mut StoreTx<'_>,
        index: usize,
        state: &BenchState,
        scanner: &str,
        raw: &str,
        raw_hex: Option<&str>,
        interpretation: &str,
        reason: &str,
        now: jiff::Timestamp,
    ) -> Result<Feedback, DaemonError> {
        let bench = &self.benches[index];
        let default_mode = self.station.bench(&bench.name).and_then(|c| c.workflow);
        let mut body = serde_json::json!({
            "raw": raw,
            "interpretation": interpretation,
            "accepted": false,
            "reason": reason,
        });
        if let (Some(hex), Some(map)) = (raw_hex, body.as_object_mut()) {
            map.insert("raw_hex".into(), hex.into());
        }
        let seq = tx.append(&NewEntry {
            at: now,
            kind: "scan",
            bench: Some(&bench.name),
            device: Some(scanner),
            operator: state.operator.as_deref(),
            body: &body,
        })?;
        Ok(Feedback {
            bench: bench.name.clone(),
            scanner: scanner.to_string(),
            raw: raw.to_string(),
            accepted: false,
            line: format!("error: {reason} | next: {}", state.prompt(default_mode)),
            journal_seq: Some(seq),
            made_labels: false,
            tare: false,
            weighed: false,
        })
    }
}

/// A scan as it reaches the event loop.
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
    /// a settled weight taken automatically for a bench
    Weight {
        bench: String,
        scale: String,
        quantity: crate::core::codes::Quantity,
    },
}

impl ScanInput {
    pub fn scanner(&self) -> &str {
        match self {
            ScanInput::Scan { scanner, .. } | ScanInput::Overlong { scanner, .. } => scanner,
            // a weight belongs to the bench it was taken for
            ScanInput::Weight { bench, .. } => bench,
        }
    }

    fn raw_text(&self) -> String {
        match self {
            ScanInput::Scan { raw, .. } => String::from_utf8_lossy(raw).into_owned(),
            ScanInput::Overlong { bytes, .. } => format!("<{bytes} bytes without terminator>"),
            ScanInput::Weight {
                quantity, scale, ..
            } => format!("<{} mg from scale {scale}>", quantity.base),
        }
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

impl Daemon {
    /// Carries out a hold, release or recall asked for over HTTP (the loop owns the writer).
    pub fn handle_api(&mut self, command: ApiCommand) -> Result<ApiReply, String> {
        let now = self.clock.now();
        let operator = Some("http");
        let result = match command {
            ApiCommand::Hold {
                code,
                reason,
                quarantine,
            } => {
                let status = if quarantine {
                    crate::core::workflow::Status::Quarantine
                } else {
                    crate::core::workflow::Status::Hold
                };
                self.store
                    .change_status(&code, status, &reason, now, operator)
                    .map(|seq| {
                        ApiReply::Done(format!(
                            "{code} is {} ({reason}); journal entry {seq}",
                            status.as_str()
                        ))
                    })
                    .map_err(|e| e.to_string())
            }
            ApiCommand::Release { code, reason } => self
                .store
                .change_status(
                    &code,
                    crate::core::workflow::Status::Available,
                    &reason,
                    now,
                    operator,
                )
                .map(|seq| {
                    ApiReply::Done(format!(
                        "{code} is released ({reason}); journal entry {seq}"
                    ))
                })
                .map_err(|e| e.to_string()),
            ApiCommand::Recall { code, supplier } => {
                let target = self
                    .store
                    .resolve(&code, supplier.as_deref())
                    .map_err(|e| e.to_string())?;
                if !matches!(
                    target,
                    crate::store::Target::Lot(_) | crate::store::Target::Batch(_)
                ) {
                    return Err(format!(
                        "a recall starts at a lot or a batch; {} is a {}",
                        target.code(),
                        target.kind()
                    ));
                }
                crate::report::recall_package(&mut self.store, &target, false, now, operator)
                    .map(|files| ApiReply::Recall(Box::new(files)))
                    .map_err(|e| e.to_string())
            }
        };
        if let Ok(reply) = &result {
            tracing::info!(?reply, "API command carried out");
        }
        result
    }
}
