//! The print queue: one worker thread per printer renders each journaled job from the
//! records and sends it, in order. A printer that is off, unplugged or out of labels keeps
//! its jobs and is retried with a growing pause; each outcome comes back to the event loop
//! as an `Event` and is journaled there. Jobs still pending at start-up are queued again.

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::mpsc as std_mpsc;
use std::time::Duration;

use tokio::sync::mpsc;

use crate::config::Station;
use crate::devices::printer::{Printer, SendError};
use crate::events::{Event, JobOutcome, PrinterState};
use crate::label;
use crate::store::{PrintJob, Store};

/// The daemon's handle on the printer workers.
pub struct PrintQueue {
    workers: HashMap<String, std_mpsc::Sender<PrintJob>>,
    in_flight: HashSet<i64>,
    states: HashMap<String, PrinterState>,
}

/// Longest pause between two attempts at a printer that is not ready.
const MAX_RETRY_PAUSE: Duration = Duration::from_secs(10);

impl PrintQueue {
    /// No printers (the demo, or before `start`).
    pub fn none() -> PrintQueue {
        PrintQueue {
            workers: HashMap::new(),
            in_flight: HashSet::new(),
            states: HashMap::new(),
        }
    }

    /// Starts one worker per configured printer and queues the jobs left from last time.
    pub fn start(
        station: &Station,
        db: crate::store::Location,
        events: mpsc::Sender<Event>,
        pending: Vec<PrintJob>,
    ) -> PrintQueue {
        let mut queue = PrintQueue::none();
        for config in &station.config.printer {
            let printer = Printer::from_config(config);
            let (tx, rx) = std_mpsc::channel();
            let station = station.clone();
            let db = db.clone();
            let events = events.clone();
            let name = printer.name.clone();
            let spawned = std::thread::Builder::new()
                .name(format!("printer-{name}"))
                .spawn(move || worker(printer, station, db, rx, events));
            match spawned {
                Ok(_) => {
                    queue.workers.insert(name, tx);
                }
                Err(e) => {
                    tracing::error!(printer = %name, error = %e, "printer thread not started")
                }
            }
        }
        for job in pending {
            queue.enqueue(job);
        }
        queue
    }

    /// Hands a committed job to its printer's worker.
    pub fn enqueue(&mut self, job: PrintJob) {
        match self.workers.get(&job.printer) {
            Some(worker) => {
                let id = job.id;
                if worker.send(job).is_ok() {
                    self.in_flight.insert(id);
                }
            }
            None => {
                tracing::warn!(printer = %job.printer, job = job.id, "no such printer running; the job stays queued")
            }
        }
    }

    pub fn finished(&mut self, job_id: i64) {
        self.in_flight.remove(&job_id);
    }

    pub fn set_state(&mut self, state: PrinterState) {
        self.states.insert(state.printer.clone(), state);
    }

    pub fn state(&self, printer: &str) -> Option<&PrinterState> {
        self.states.get(printer)
    }

    pub fn idle(&self) -> bool {
        self.in_flight.is_empty()
    }

    pub fn waiting(&self) -> usize {
        self.in_flight.len()
    }
}

/// The bytes of one job, for this printer's language and resolution.
pub fn render_job(
    store: &Store,
    station: &Station,
    printer: &Printer,
    job: &PrintJob,
) -> Result<Vec<u8>, RenderError> {
    let template = station.templates_for(Some(&printer.name)).get(job.label);
    let data = store
        .label_facts(job.label, &job.code)
        .map_err(RenderError::Store)?;
    let data = station.label_words(&data);
    label::render_for(
        template,
        &data,
        printer.language,
        printer.dpi,
        printer.media,
        job.copies,
    )
    .map_err(|e| RenderError::Label(e.to_string()))
}

/// Why a job's label could not be made.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    /// its record could not be read
    #[error(transparent)]
    Store(crate::store::StoreError),
    /// the template would not render it
    #[error("{0}")]
    Label(String),
}

fn worker(
    printer: Printer,
    station: Station,
    db: crate::store::Location,
    jobs: std_mpsc::Receiver<PrintJob>,
    events: mpsc::Sender<Event>,
) {
    let span = tracing::info_span!("printer", name = %printer.name);
    let _enter = span.enter();
    let mut queue: VecDeque<PrintJob> = VecDeque::new();
    let mut store: Option<Store> = None;
    let mut pause = Duration::from_millis(250);
    let mut problem: Option<String> = None;
    let report = |event: Event| events.blocking_send(event).is_ok();
    loop {
        if queue.is_empty() {
            match jobs.recv() {
                Ok(job) => queue.push_back(job),
                Err(_) => return, // the daemon is gone
            }
        }
        queue.extend(jobs.try_iter());
        let Some(job) = queue.front().cloned() else {
            continue;
        };
        if store.is_none() {
            // it only reads the records a label shows
            match Store::open_read_only(&db) {
                Ok(opened) => store = Some(opened),
                Err(e) => {
                    tracing::error!(error = %e, "cannot read the database; retrying");
                    std::thread::sleep(MAX_RETRY_PAUSE);
                    continue;
                }
            }
        }
        let Some(reader) = store.as_ref() else {
            continue;
        };
        let bytes = match render_job(reader, &station, &printer, &job) {
            Ok(bytes) => bytes,
            // the database out of reach is not the label's fault: the job waits for it
            Err(RenderError::Store(e)) if e.is_unavailable() => {
                tracing::warn!(job = job.id, error = %e, "cannot read the label's record; the job waits");
                store = None;
                std::thread::sleep(pause);
                pause = (pause * 2).min(MAX_RETRY_PAUSE);
                continue;
            }
            Err(e) => {
                let reason = e.to_string();
                queue.pop_front();
                tracing::error!(job = job.id, %reason, "label could not be rendered");
                if !report(Event::PrintOutcome {
                    job,
                    outcome: JobOutcome::Failed { reason },
                }) {
                    return;
                }
                continue;
            }
        };
        let name = format!("{:06}-{}-{}", job.id, job.label.name(), job.code);
        // the whole job written and not confirmed: it may have printed, so it is never
        // sent again (that printed labels twice); a person looks, and @REPRINTs
        let sent = match printer.send(&name, &bytes, job.copies) {
            Err(SendError::Unconfirmed(reason)) => Err(SendError::Uncertain(format!(
                "{reason}; it is not sent again: check whether the label came out, and @REPRINT it if not"
            ))),
            other => other,
        };
        match sent {
            Ok(()) => {
                queue.pop_front();
                pause = Duration::from_millis(250);
                if problem.take().is_some() {
                    tracing::info!("printer is back");
                }
                let waiting = queue.len();
                let ok = report(Event::PrintOutcome {
                    job,
                    outcome: JobOutcome::Printed { bytes: bytes.len() },
                }) && report(Event::PrinterState(PrinterState {
                    printer: printer.name.clone(),
                    problem: None,
                    waiting,
                }));
                if !ok {
                    return;
                }
            }
            Err(SendError::Rejected(reason)) => {
                queue.pop_front();
                tracing::error!(job = job.id, %reason, "printer refused the job");
                if !report(Event::PrintOutcome {
                    job,
                    outcome: JobOutcome::Failed { reason },
                }) {
                    return;
                }
            }
            Err(SendError::Uncertain(reason)) => {
                queue.pop_front();
                tracing::error!(job = job.id, %reason, "label may not have printed");
                let waiting = queue.len();
                let ok = report(Event::PrintOutcome {
                    job,
                    outcome: JobOutcome::Uncertain {
                        reason: reason.clone(),
                    },
                }) && report(Event::PrinterState(PrinterState {
                    printer: printer.name.clone(),
                    problem: Some(reason.clone()),
                    waiting,
                }));
                if !ok {
                    return;
                }
                problem = Some(reason);
            }
            Err(error @ (SendError::NotReady(_) | SendError::Unconfirmed(_))) => {
                let reason = error.to_string();
                if problem.as_deref() != Some(reason.as_str()) {
                    // the loop is told first, then the log says so
                    if !report(Event::PrinterState(PrinterState {
                        printer: printer.name.clone(),
                        problem: Some(reason.clone()),
                        waiting: queue.len(),
                    })) {
                        return;
                    }
                    tracing::warn!(%reason, waiting = queue.len(), "printer not ready; labels stay queued");
                    problem = Some(reason);
                }
                std::thread::sleep(pause);
                pause = (pause * 2).min(printer.retry_max);
            }
        }
    }
}
