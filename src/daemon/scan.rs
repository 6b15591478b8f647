//! One scan, end to end: parse, step the bench's state machine inside a store transaction,
//! journal the raw scan with what it did, commit, and only then say `ok:` or `error:` and
//! carry out the step's effects (labels to the printers, a tare to the scale).

use std::collections::HashMap;

use super::state::{Bench, Daemon, DaemonError, input_bench};
use crate::config::Station;
use crate::core::scan;
use crate::core::workflow::{self, BenchState, Effect, Input, Outcome, StepContext};
use crate::devices::scale::ScaleCommand;
use crate::events::{Feedback, ScanInput};
use crate::store::{NewEntry, PrintJob, StoreError, StoreTx};

/// What one input became inside the group's transaction.
struct Stepped {
    feedback: Feedback,
    /// the bench's new state, if the step was accepted
    state: Option<BenchState>,
    /// the step's effects, carried out after the commit
    effects: Vec<Effect>,
    /// the print jobs journaled for it, sent to the printers after the commit
    jobs: Vec<PrintJob>,
    at: jiff::Timestamp,
}

impl Daemon {
    /// Handles one scan (see `handle_scans`).
    pub fn handle_scan(&mut self, scanner: &str, raw: &[u8]) -> Feedback {
        let input = ScanInput::Scan {
            scanner: scanner.to_string(),
            raw: raw.to_vec(),
        };
        self.handle_scans(vec![input]).remove(0)
    }

    /// Handles scans that arrived together in one transaction (group commit): each scan
    /// runs in its own savepoint, so a refused scan leaves only its own journal entry; one
    /// commit makes them all durable; only then is any of them answered, and only then are
    /// their effects carried out. If the store fails, none is acknowledged.
    pub fn handle_scans(&mut self, inputs: Vec<ScanInput>) -> Vec<Feedback> {
        let mut tentative: HashMap<usize, BenchState> = HashMap::new();
        let (station, benches, clock, last_reads) = (
            &self.station,
            &self.benches,
            &mut self.clock,
            &mut self.last_reads,
        );
        // the steps, and their last entry's (seq, hash) when the commit's answer was lost
        type Outcome = (Vec<(usize, Stepped)>, Option<((i64, String), StoreError)>);
        let result = (|| -> Result<Outcome, DaemonError> {
            let mut tx = self.store.begin()?;
            let mut stepped = Vec::new();
            for input in &inputs {
                let index = input_bench(benches, input);
                let state = tentative.get(&index).unwrap_or(&benches[index].state);
                let scope = Scope {
                    station,
                    bench: &benches[index],
                    state,
                    now: clock.now(),
                    by: input.operator(),
                };
                let one = match double_read(station, last_reads, input, scope.now) {
                    Some(ms) => scope.double_read(&mut tx, input, ms)?,
                    None => scope.one_scan(&mut tx, input)?,
                };
                if let Some(new_state) = &one.state {
                    tentative.insert(index, new_state.clone());
                }
                stepped.push((index, one));
            }
            match tx.commit() {
                Ok(()) => Ok((stepped, None)),
                Err(StoreError::CommitUnknown { seq, hash, reason }) => Ok((
                    stepped,
                    Some((
                        (seq, hash.clone()),
                        StoreError::CommitUnknown { seq, hash, reason },
                    )),
                )),
                Err(e) => Err(e.into()),
            }
        })();
        // a commit whose answer was lost: the journal, once reachable, says whether it
        // took place (then the scans are answered as committed; else as not recorded)
        let result = match result {
            Ok((stepped, None)) => Ok(stepped),
            Ok((stepped, Some(((seq, hash), lost)))) => match self.store.committed(seq, &hash) {
                Ok(true) => {
                    tracing::warn!(
                        "a commit's answer was lost with the connection; the journal has it"
                    );
                    Ok(stepped)
                }
                Ok(false) => Err(DaemonError::Store(lost)),
                Err(e) => Err(DaemonError::Store(e)),
            },
            Err(e) => Err(e),
        };
        match &result {
            Ok(_) => self.database_ok(),
            Err(DaemonError::Store(e)) => self.database_failed(e),
        }
        match result {
            Ok(stepped) => {
                for (index, state) in tentative {
                    self.benches[index].state = state;
                }
                stepped
                    .into_iter()
                    .map(|(index, one)| self.after_commit(index, one))
                    .collect()
            }
            Err(e) => {
                tracing::error!(error = %e, scans = inputs.len(), "scans could not be recorded");
                inputs
                    .iter()
                    .map(|input| Feedback {
                        bench: self.benches[input_bench(&self.benches, input)].name.clone(),
                        scanner: input.scanner().to_string(),
                        raw: input.raw_text(),
                        accepted: false,
                        line: format!(
                            "error: the station could not record this scan ({e}): not recorded, scan it again"
                        ),
                        journal_seq: None,
                    })
                    .collect()
            }
        }
    }

    /// A committed step's effects, then its answer (with a printer's trouble on the line of
    /// a scan that made a label).
    fn after_commit(&mut self, index: usize, one: Stepped) -> Feedback {
        let Stepped {
            mut feedback,
            effects,
            jobs,
            at,
            ..
        } = one;
        for effect in &effects {
            match effect {
                Effect::Tare => {
                    if let Some(commands) = self.benches[index]
                        .scale_name
                        .as_ref()
                        .and_then(|s| self.scales.get(s))
                    {
                        let _ = commands.send(ScaleCommand::Tare);
                    }
                }
                Effect::WeightTaken => self.benches[index].capture.taken(),
                // journaled with the scan; its job is in `jobs`
                Effect::Print(_) => {}
            }
        }
        let made_labels = !jobs.is_empty();
        for job in jobs {
            self.printing.enqueue(job);
        }
        if made_labels
            && let Some(warning) = self.printer_warning(self.benches[index].printer.as_deref())
        {
            let at = feedback
                .line
                .find(" | next: ")
                .unwrap_or(feedback.line.len());
            feedback
                .line
                .insert_str(at, &format!(" (warning: {warning})"));
        }
        tracing::info!(bench = %feedback.bench, scanner = %feedback.scanner, seq = ?feedback.journal_seq, "{}", feedback.line);
        self.record_answer(&feedback, at);
        feedback
    }
}

/// What one scan in a group may read: the station, its bench and state, the time.
struct Scope<'a> {
    station: &'a Station,
    bench: &'a Bench,
    /// the bench's state before this scan (earlier scans of the group included)
    state: &'a BenchState,
    now: jiff::Timestamp,
    /// who made the input when it says so (a camera's read by a signed-in account); else
    /// the bench's operator
    by: Option<&'a str>,
}

/// An input as it is journaled.
struct Journaled<'a> {
    /// "scan" or "weight"
    kind: &'static str,
    /// the scanner or scale it came from
    device: &'a str,
    raw: &'a str,
    /// the bytes, when they were not text
    raw_hex: Option<&'a str>,
    /// what the scan was read as
    interpretation: &'a str,
    /// the AIM symbology identifier it carried
    aim: Option<&'a str>,
}

impl Scope<'_> {
    /// One input inside the group's transaction.
    fn one_scan(&self, tx: &mut StoreTx<'_>, input: &ScanInput) -> Result<Stepped, DaemonError> {
        let scanner = input.scanner();
        let raw = match input {
            ScanInput::Overlong { bytes, .. } => {
                let reason = format!(
                    "the scanner sent {bytes} characters without an end of line; nothing was read from it (check the scanner's suffix setting)"
                );
                let raw = input.raw_text();
                let journaled = Journaled::scan(scanner, &raw, "");
                return self.rejected(tx, &journaled, &reason);
            }
            ScanInput::Scan { raw, .. } | ScanInput::Camera { raw, .. } => raw,
            ScanInput::Weight {
                scale, quantity, ..
            } => {
                let raw = input.raw_text();
                let journaled = Journaled {
                    kind: "weight",
                    ..Journaled::scan(scale, &raw, "settled scale weight")
                };
                return self.step(tx, &journaled, Input::Weight(*quantity));
            }
        };
        let raw_text = match std::str::from_utf8(raw) {
            Ok(text) => text,
            Err(_) => {
                let lossy = String::from_utf8_lossy(raw);
                let hex = crate::core::hex(raw);
                let journaled = Journaled {
                    raw_hex: Some(&hex),
                    ..Journaled::scan(scanner, &lossy, "")
                };
                let reason = "the scan is not readable text (garbage from the scanner or a wrong keyboard layout); scan it again";
                return self.rejected(tx, &journaled, reason);
            }
        };
        match scan::parse(raw_text, &self.station.patterns) {
            Ok(scan) => {
                let interpretation = scan.describe();
                let aim = scan.aim.clone();
                let journaled = Journaled {
                    aim: aim.as_deref(),
                    ..Journaled::scan(scanner, raw_text, &interpretation)
                };
                self.step(tx, &journaled, Input::Scan(scan))
            }
            Err(e) => {
                let journaled = Journaled::scan(scanner, raw_text, "");
                self.rejected(tx, &journaled, &e.to_string())
            }
        }
    }

    /// A parsed scan or a scale weight, stepped in a savepoint and journaled.
    fn step(
        &self,
        tx: &mut StoreTx<'_>,
        journaled: &Journaled<'_>,
        input: Input,
    ) -> Result<Stepped, DaemonError> {
        let now = self.now;
        let bench_name = &self.bench.name;
        let bench_config = self
            .station
            .bench(bench_name)
            .ok_or_else(|| StoreError::NotFound(format!("bench {bench_name} is not configured")))?;
        let ctx = StepContext {
            bench: bench_name,
            now,
            today: now.to_zoned(self.station.timezone.clone()).date(),
            default_mode: bench_config.workflow,
            allow_overdraw: bench_config.allow_overdraw,
            recipe_tolerance_percent: bench_config.recipe_tolerance_percent,
            pack_tolerance_percent: bench_config.pack_tolerance_percent,
            batch_labels: bench_config.batch_labels,
            lot_format: &self.station.lot_format,
            batch_format: &self.station.batch_format,
            shipment_format: &self.station.shipment_format,
            scale: self.bench.scale,
        };
        tx.savepoint()?;
        let outcome =
            workflow::step(self.state, &ctx, &input, tx).map_err(StoreError::from_world)?;
        let accepted = match outcome {
            Outcome::Rejected { reason } => {
                tx.rollback_to_savepoint()?;
                return self.rejected(tx, journaled, &reason);
            }
            Outcome::Warned(warned) => {
                tx.rollback_to_savepoint()?;
                let workflow::Warned {
                    state,
                    warning,
                    effects,
                } = *warned;
                return self.warned(tx, journaled, state, &warning, effects);
            }
            Outcome::Accepted(accepted) => *accepted,
        };
        let operator = self
            .by
            .map(str::to_string)
            .or(accepted.state.operator.clone())
            .or(self.state.operator.clone());
        let body = serde_json::json!({
            "raw": journaled.raw,
            "aim": journaled.aim,
            "interpretation": journaled.interpretation,
            "accepted": true,
            "message": accepted.message,
            "warnings": accepted.warnings,
            "confirmed": accepted.confirmed,
        });
        let scan_seq = tx.append(&NewEntry {
            at: now,
            kind: journaled.kind,
            bench: Some(bench_name),
            device: Some(journaled.device),
            operator: operator.as_deref(),
            body: &body,
        })?;
        for record in &accepted.records {
            tx.append_record(
                record,
                Some(bench_name),
                operator.as_deref(),
                now,
                Some(scan_seq),
            )?;
        }
        let printer = self.bench.printer.as_deref();
        let mut jobs = Vec::new();
        for print in accepted.prints() {
            let (_, id) = tx.append_print_job(
                print,
                bench_name,
                printer,
                operator.as_deref(),
                now,
                Some(scan_seq),
            )?;
            if let Some(printer) = printer {
                jobs.push(PrintJob {
                    id,
                    bench: bench_name.clone(),
                    printer: printer.to_string(),
                    label: print.label,
                    code: print.code.clone(),
                    copies: print.copies,
                });
            }
        }
        // a scan that leaves the bench as it was (a weight, a repeated lookup) writes no state
        if accepted.state != *self.state {
            tx.save_bench_state(bench_name, &accepted.state)?;
        }
        tx.release_savepoint()?;
        let mut line = format!("ok: {}", accepted.message);
        for confirmed in &accepted.confirmed {
            line.push_str(&format!(" (confirmed: {confirmed})"));
        }
        for note in &accepted.warnings {
            line.push_str(&format!(" (note: {note})"));
        }
        line.push_str(&format!(
            " | next: {}",
            accepted.state.prompt(bench_config.workflow)
        ));
        Ok(Stepped {
            feedback: Feedback {
                bench: bench_name.clone(),
                scanner: journaled.device.to_string(),
                raw: journaled.raw.to_string(),
                accepted: true,
                line,
                journal_seq: Some(scan_seq),
            },
            state: Some(accepted.state),
            effects: accepted.effects,
            jobs,
            at: now,
        })
    }

    /// The bench's own workflow, if it has one.
    fn default_mode(&self) -> Option<workflow::Mode> {
        self.station
            .bench(&self.bench.name)
            .and_then(|c| c.workflow)
    }

    /// Journals a scan that recorded nothing (refused, or warned about), as the bench's
    /// operator: its sequence number.
    fn append_unrecorded(
        &self,
        tx: &mut StoreTx<'_>,
        journaled: &Journaled<'_>,
        body: &serde_json::Value,
    ) -> Result<i64, DaemonError> {
        Ok(tx.append(&NewEntry {
            at: self.now,
            kind: journaled.kind,
            bench: Some(&self.bench.name),
            device: Some(journaled.device),
            operator: self.by.or(self.state.operator.as_deref()),
            body,
        })?)
    }

    /// A probable mistake: the scan is journaled with its warning, nothing is recorded,
    /// and the bench (its state saved) waits for the same scan again or `@OK`.
    fn warned(
        &self,
        tx: &mut StoreTx<'_>,
        journaled: &Journaled<'_>,
        state: workflow::BenchState,
        warning: &str,
        effects: Vec<workflow::Effect>,
    ) -> Result<Stepped, DaemonError> {
        let default_mode = self.default_mode();
        let body = serde_json::json!({
            "raw": journaled.raw,
            "aim": journaled.aim,
            "interpretation": journaled.interpretation,
            "accepted": false,
            "warning": warning,
        });
        let seq = self.append_unrecorded(tx, journaled, &body)?;
        tx.save_bench_state(&self.bench.name, &state)?;
        Ok(Stepped {
            feedback: Feedback {
                bench: self.bench.name.clone(),
                scanner: journaled.device.to_string(),
                raw: journaled.raw.to_string(),
                accepted: false,
                line: format!(
                    "warning: {warning}; nothing recorded | next: {}",
                    state.prompt(default_mode)
                ),
                journal_seq: Some(seq),
            },
            state: Some(state),
            effects,
            jobs: Vec::new(),
            at: self.now,
        })
    }

    /// A scanner's double read: journaled as one, answered, counted nowhere.
    fn double_read(
        &self,
        tx: &mut StoreTx<'_>,
        input: &ScanInput,
        debounce_ms: u64,
    ) -> Result<Stepped, DaemonError> {
        let raw = input.raw_text();
        let reason = format!(
            "the scanner read {raw} twice within {debounce_ms} ms (its debounce_ms): counted once"
        );
        let body = serde_json::json!({
            "raw": raw,
            "interpretation": "",
            "accepted": false,
            "duplicate": true,
            "reason": reason,
        });
        let seq = tx.append(&NewEntry {
            at: self.now,
            kind: "scan",
            bench: Some(&self.bench.name),
            device: Some(input.scanner()),
            operator: self.by.or(self.state.operator.as_deref()),
            body: &body,
        })?;
        let default_mode = self.default_mode();
        Ok(Stepped {
            feedback: Feedback {
                bench: self.bench.name.clone(),
                scanner: input.scanner().to_string(),
                raw,
                accepted: false,
                line: format!("ok: {reason} | next: {}", self.state.prompt(default_mode)),
                journal_seq: Some(seq),
            },
            state: None,
            effects: Vec::new(),
            jobs: Vec::new(),
            at: self.now,
        })
    }

    /// Journals a refused input on its own and says why.
    fn rejected(
        &self,
        tx: &mut StoreTx<'_>,
        journaled: &Journaled<'_>,
        reason: &str,
    ) -> Result<Stepped, DaemonError> {
        let default_mode = self.default_mode();
        let mut body = serde_json::json!({
            "raw": journaled.raw,
            "interpretation": journaled.interpretation,
            "accepted": false,
            "reason": reason,
        });
        if let (Some(hex), Some(map)) = (journaled.raw_hex, body.as_object_mut()) {
            map.insert("raw_hex".into(), hex.into());
        }
        let seq = self.append_unrecorded(tx, journaled, &body)?;
        // a warning waits for the next scan only: a refused one leaves it too
        let state = match &self.state.confirm {
            Some(_) => {
                let mut state = self.state.clone();
                state.confirm = None;
                tx.save_bench_state(&self.bench.name, &state)?;
                Some(state)
            }
            None => None,
        };
        let prompt = state.as_ref().unwrap_or(self.state).prompt(default_mode);
        Ok(Stepped {
            feedback: Feedback {
                bench: self.bench.name.clone(),
                scanner: journaled.device.to_string(),
                raw: journaled.raw.to_string(),
                accepted: false,
                line: format!("error: {reason} | next: {prompt}"),
                journal_seq: Some(seq),
            },
            state,
            effects: Vec::new(),
            jobs: Vec::new(),
            at: self.now,
        })
    }
}

/// The scanner's `debounce_ms` when `input` is the same code it read less than that long
/// ago (remembering this read either way).
fn double_read(
    station: &Station,
    last_reads: &mut HashMap<String, (Vec<u8>, jiff::Timestamp)>,
    input: &ScanInput,
    now: jiff::Timestamp,
) -> Option<u64> {
    let (scanner, raw) = match input {
        ScanInput::Scan { scanner, raw } => (scanner.clone(), raw),
        // the camera's name serves several benches: each bench's reads are its own
        ScanInput::Camera { bench, read, raw } => (format!("{}@{bench}", read.camera), raw),
        _ => return None,
    };
    let debounce = station
        .config
        .scanner
        .iter()
        .find(|s| s.name == input.scanner())
        .map_or(0, |s| s.debounce_ms);
    if debounce == 0 {
        return None;
    }
    let previous = last_reads.insert(scanner, (raw.clone(), now));
    let (last, at) = previous?;
    let within = now.duration_since(at).as_millis() < i128::from(debounce);
    (last == *raw && within).then_some(debounce)
}

impl<'a> Journaled<'a> {
    fn scan(device: &'a str, raw: &'a str, interpretation: &'a str) -> Journaled<'a> {
        Journaled {
            kind: "scan",
            device,
            raw,
            raw_hex: None,
            interpretation,
            aim: None,
        }
    }
}
