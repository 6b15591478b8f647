//! One scan, end to end: parse, step the bench's state machine inside a store transaction,
//! journal the raw scan with what it did, commit, and only then say `ok:` or `error:`.

use super::printing::{JobOutcome, PrintQueue, PrinterState};
use crate::config::{Station, batch_labels};
use crate::core::scan::{self, Scan};
use crate::core::workflow::{self, BenchState, Input, Outcome, ScaleState, StepContext};
use crate::store::{NewEntry, PrintJob, Store, StoreError};

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
}

/// The event loop's state: the station, its store and every bench.
pub struct Daemon {
    station: Station,
    store: Store,
    clock: Box<dyn Clock>,
    benches: Vec<Bench>,
    printing: PrintQueue,
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
            });
        }
        Ok(Daemon {
            station,
            store,
            clock,
            benches,
            printing: PrintQueue::none(),
        })
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
        self.benches
            .iter()
            .position(|b| b.scanners.iter().any(|s| s == scanner))
            .unwrap_or(0)
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
        let reason = format!(
            "the scanner sent {bytes} characters without an end of line; nothing was read from it (check the scanner's suffix setting)"
        );
        self.journal_rejected(
            scanner,
            &format!("<{bytes} bytes without terminator>"),
            None,
            "",
            &reason,
        )
    }

    /// Handles one scan. Returns `Err` only when the store fails; then the scan is not
    /// acknowledged and the person must scan again.
    pub fn handle_scan(&mut self, scanner: &str, raw: &[u8]) -> Result<Feedback, DaemonError> {
        let index = self.bench_index(scanner);
        let (raw_text, raw_hex) = match std::str::from_utf8(raw) {
            Ok(text) => (text.to_string(), None),
            Err(_) => (
                String::from_utf8_lossy(raw).into_owned(),
                Some(raw.iter().map(|b| format!("{b:02x}")).collect::<String>()),
            ),
        };
        if raw_hex.is_some() {
            return self.journal_rejected(
                scanner,
                &raw_text,
                raw_hex.as_deref(),
                "",
                "the scan is not readable text (garbage from the scanner or a wrong keyboard layout); scan it again",
            );
        }
        let scan = match scan::parse(&raw_text, &self.station.patterns) {
            Ok(scan) => scan,
            Err(e) => return self.journal_rejected(scanner, &raw_text, None, "", &e.to_string()),
        };
        match self.step(index, scanner, &raw_text, &scan) {
            Ok(feedback) => Ok(feedback),
            Err(e) => {
                tracing::error!(bench = %self.benches[index].name, error = %e, "scan could not be recorded");
                Ok(Feedback {
                    bench: self.benches[index].name.clone(),
                    scanner: scanner.to_string(),
                    raw: raw_text,
                    accepted: false,
                    line: format!(
                        "error: the station could not record this scan ({e}); scan it again"
                    ),
                    journal_seq: None,
                })
            }
        }
    }

    fn step(
        &mut self,
        index: usize,
        scanner: &str,
        raw: &str,
        scan: &Scan,
    ) -> Result<Feedback, DaemonError> {
        let now = self.clock.now();
        let today = now.to_zoned(self.station.timezone.clone()).date();
        let bench_name = self.benches[index].name.clone();
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
        let bench = &self.benches[index];
        let operator = bench.state.operator.clone();
        let mut tx = self.store.begin()?;
        let outcome = workflow::step(&bench.state, &ctx, &Input::Scan(scan.clone()), &mut tx)
            .map_err(|e| StoreError::Corrupt(e.0))?;
        match outcome {
            Outcome::Rejected { reason } => {
                tx.rollback()?;
                self.journal_rejected(scanner, raw, None, &scan.describe(), &reason)
            }
            Outcome::Accepted(accepted) => {
                let accepted = *accepted;
                let body = serde_json::json!({
                    "raw": raw,
                    "aim": scan.aim,
                    "interpretation": scan.describe(),
                    "accepted": true,
                    "message": accepted.message,
                    "warnings": accepted.warnings,
                });
                let operator = accepted.state.operator.clone().or(operator);
                let scan_seq = tx.append(&NewEntry {
                    at: now,
                    kind: "scan",
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
                let mut jobs = Vec::new();
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
                tx.commit()?;
                // only committed jobs reach a printer: no label without its record
                let printing = !jobs.is_empty();
                for job in jobs {
                    self.printing.enqueue(job);
                }
                let prompt = accepted.state.prompt(bench_config.workflow);
                self.benches[index].state = accepted.state;
                let mut line = format!("ok: {}", accepted.message);
                let printer_warning = if printing {
                    self.printer_warning(printer.as_deref())
                } else {
                    None
                };
                for warning in accepted.warnings.iter().chain(&printer_warning) {
                    line.push_str(&format!(" (warning: {warning})"));
                }
                line.push_str(&format!(" | next: {prompt}"));
                tracing::info!(bench = %bench_name, scanner, seq = scan_seq, "{line}");
                Ok(Feedback {
                    bench: bench_name,
                    scanner: scanner.to_string(),
                    raw: raw.to_string(),
                    accepted: true,
                    line,
                    journal_seq: Some(scan_seq),
                })
            }
        }
    }

    /// Journals a rejected scan on its own and says why.
    fn journal_rejected(
        &mut self,
        scanner: &str,
        raw: &str,
        raw_hex: Option<&str>,
        interpretation: &str,
        reason: &str,
    ) -> Result<Feedback, DaemonError> {
        let index = self.bench_index(scanner);
        let now = self.clock.now();
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
        let mut tx = self.store.begin()?;
        let seq = tx.append(&NewEntry {
            at: now,
            kind: "scan",
            bench: Some(&bench.name),
            device: Some(scanner),
            operator: bench.state.operator.as_deref(),
            body: &body,
        })?;
        tx.commit()?;
        let line = format!(
            "error: {reason} | next: {}",
            bench.state.prompt(default_mode)
        );
        tracing::info!(bench = %bench.name, scanner, seq, "{line}");
        Ok(Feedback {
            bench: bench.name.clone(),
            scanner: scanner.to_string(),
            raw: raw.to_string(),
            accepted: false,
            line,
            journal_seq: Some(seq),
        })
    }
}
