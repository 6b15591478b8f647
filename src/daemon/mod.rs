//! The only place that spawns tasks: device sources send `Event`s on one channel, and one
//! event loop, the single owner of every bench's state and of the store's write
//! connection, turns each into journal entries, records and feedback. A scan is committed
//! before its feedback is given.
//!
//! `state.rs` holds the loop's state, `scan.rs` the scan path (group commit, effects),
//! `commands.rs` the API's commands, `printing.rs` the printer workers.

mod commands;
pub mod printing;
mod scan;
mod state;

pub use crate::clock::{Clock, ScriptedClock, SystemClock};
pub use state::{Daemon, DaemonError};

use tokio::sync::{mpsc, oneshot};

use crate::devices::{self, Source};
use crate::events::{Event, Feedback, ScanInput};

/// The HTTP server to run beside the loop (bound by the caller).
pub struct HttpService {
    pub listener: std::net::TcpListener,
    pub settings: crate::http::Settings,
}

/// Most scans committed together.
const MAX_GROUP: usize = 256;

/// Runs the event loop until every input that ends has ended, or until `shutdown`
/// completes (the station passes `shutdown_signal()`: SIGTERM or SIGINT). `feedback`
/// receives one line per scan from a scanner, after the scan is committed.
pub async fn run(
    daemon: Daemon,
    sources: Vec<Source>,
    http: Option<HttpService>,
    feedback: impl FnMut(&Feedback) + Send + 'static,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> anyhow::Result<Daemon> {
    let (tx, mut rx) = mpsc::channel::<Event>(1024);
    let mut daemon = daemon;
    daemon.start_scales(tx.clone());
    let printing_tx = tx.clone();
    // the server stops with the loop: told by `stop_http`, it finishes what is in flight
    let (stop_http, http_stopped) = oneshot::channel::<()>();
    let server = match http {
        Some(http) => {
            // the first snapshot reads the store, which may block (PostgreSQL)
            let subscription = match tokio::runtime::Handle::current().runtime_flavor() {
                tokio::runtime::RuntimeFlavor::MultiThread => {
                    tokio::task::block_in_place(|| daemon.subscribe())
                }
                _ => daemon.subscribe(),
            };
            http.listener.set_nonblocking(true)?;
            let listener = tokio::net::TcpListener::from_std(http.listener)?;
            Some(tokio::spawn(crate::http::serve(
                listener,
                http.settings,
                subscription,
                tx.clone(),
                async move {
                    let _ = http_stopped.await;
                },
            )))
        }
        None => None,
    };
    let mut ending_inputs = 0;
    for source in sources {
        if source.ends() {
            ending_inputs += 1;
        }
        tokio::spawn(devices::read(source, tx.clone()));
    }
    // systemd's watchdog is fed from the event loop itself, so a stuck loop gets restarted
    if let Some(period) = sd_notify::watchdog_enabled() {
        let watchdog_tx = tx.clone();
        tokio::spawn(async move {
            let mut interval = tokio::time::interval(period / 2);
            loop {
                interval.tick().await;
                if watchdog_tx.send(Event::Watchdog).await.is_err() {
                    break;
                }
            }
        });
    }
    // the station's claim on its names is renewed every third of its lease, busy or not
    let claims_tx = tx.clone();
    let renew_every = daemon.claim_lease() / 3;
    tokio::spawn(async move {
        let mut interval = tokio::time::interval(renew_every);
        interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        interval.tick().await;
        loop {
            interval.tick().await;
            if claims_tx.send(Event::KeepClaims).await.is_err() {
                break;
            }
        }
    });
    let signal_tx = tx.clone();
    let signals = tokio::spawn(async move {
        shutdown.await;
        let _ = signal_tx.send(Event::Shutdown).await;
    });
    drop(tx);

    // ready: the configuration is loaded, the store open, the screen listening (devices come
    // and go on their own)
    let _ = sd_notify::notify(&[
        sd_notify::NotifyState::Ready,
        sd_notify::NotifyState::Status("scanning"),
    ]);
    let handle = tokio::runtime::Handle::current();
    let event_loop = tokio::task::spawn_blocking(move || -> anyhow::Result<Daemon> {
        let mut daemon = daemon;
        // the store is only ever used off the async threads (a PostgreSQL client blocks)
        daemon.start_printing(printing_tx)?;
        let mut looping = EventLoop {
            daemon,
            feedback,
            open_inputs: ending_inputs,
            draining: None,
        };
        let mut carried: std::collections::VecDeque<Event> = std::collections::VecDeque::new();
        loop {
            let event = if let Some(event) = carried.pop_front() {
                event
            } else {
                match looping.draining {
                    None => match rx.blocking_recv() {
                        Some(event) => event,
                        None => break,
                    },
                    Some(deadline) => {
                        if looping.daemon.printing_idle() {
                            break;
                        }
                        let left = deadline.saturating_duration_since(std::time::Instant::now());
                        match handle.block_on(tokio::time::timeout(left, rx.recv())) {
                            Ok(Some(event)) => event,
                            _ => break,
                        }
                    }
                }
            };
            let flow = match as_scan(event) {
                Ok(first) => {
                    // group commit: every scan already waiting goes into the same transaction
                    let mut group = vec![first];
                    while group.len() < MAX_GROUP {
                        let Ok(next) = rx.try_recv() else { break };
                        match as_scan(next) {
                            Ok(scan) => group.push(scan),
                            Err(other) => {
                                carried.push_back(other);
                                break;
                            }
                        }
                    }
                    looping.scans(group);
                    Flow::Continue
                }
                Err(event) => looping.dispatch(event)?,
            };
            if flow == Flow::Stop {
                break;
            }
        }
        let mut daemon = looping.daemon;
        daemon.finish()?;
        // readers' event streams end when nothing is published any more
        daemon.stop_publishing();
        Ok(daemon)
    });
    let result = event_loop.await?;
    signals.abort();
    let _ = stop_http.send(());
    if let Some(server) = server
        && tokio::time::timeout(std::time::Duration::from_secs(5), server)
            .await
            .is_err()
    {
        tracing::warn!("the HTTP server did not finish its requests within 5 s");
    }
    result
}

/// Whether the loop goes on after an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Flow {
    Continue,
    Stop,
}

/// The loop's own state beside the daemon's: where scanners' answers go, how many inputs
/// are still open, and when a draining loop gives up waiting for its printers.
struct EventLoop<F> {
    daemon: Daemon,
    feedback: F,
    open_inputs: usize,
    draining: Option<std::time::Instant>,
}

impl<F: FnMut(&Feedback)> EventLoop<F> {
    /// A group of scans in one transaction, each answered after the commit: an API scan on
    /// its reply channel, a scanner's through `feedback`.
    fn scans(&mut self, group: Vec<ScanWithReply>) {
        let (inputs, replies): (Vec<ScanInput>, Vec<Option<oneshot::Sender<Feedback>>>) =
            group.into_iter().unzip();
        let lines = self.daemon.handle_scans(inputs);
        // the screen and /metrics show what the answers say before they are given
        self.daemon.publish();
        for (line, reply) in lines.into_iter().zip(replies) {
            match reply {
                Some(reply) => {
                    let _ = reply.send(line);
                }
                None => (self.feedback)(&line),
            }
        }
    }

    /// Any event but a scan; then the snapshot is published again.
    fn dispatch(&mut self, event: Event) -> anyhow::Result<Flow> {
        let daemon = &mut self.daemon;
        match event {
            // scans come through `scans`
            Event::Scan { .. } | Event::Overlong { .. } | Event::ApiScan { .. } => {}
            Event::ApiCommand {
                command,
                operator,
                reply,
            } => {
                let _ = reply.send(daemon.handle_api(*command, &operator));
            }
            Event::PrintOutcome { job, outcome } => daemon.handle_print_outcome(&job, &outcome)?,
            Event::PrinterState(state) => daemon.handle_printer_state(state),
            Event::ScaleReading { scale, reading } => {
                for line in daemon.handle_scale_reading(&scale, reading) {
                    (self.feedback)(&line);
                }
            }
            Event::DeviceState { device, up, detail } => {
                daemon.handle_device_state(&device, up, &detail)
            }
            Event::InputClosed { scanner } => {
                tracing::info!(scanner, "input ended");
                self.open_inputs -= 1;
                if self.open_inputs == 0 {
                    self.draining = Some(std::time::Instant::now() + daemon.drain_time());
                }
            }
            Event::Watchdog => {
                let _ = sd_notify::notify(&[sd_notify::NotifyState::Watchdog]);
            }
            Event::KeepClaims => daemon.keep_claims(),
            Event::Shutdown => {
                tracing::info!("shutting down on signal");
                let _ = sd_notify::notify(&[sd_notify::NotifyState::Stopping]);
                return Ok(Flow::Stop);
            }
        }
        daemon.publish();
        Ok(Flow::Continue)
    }
}

/// A scan and where its answer goes (the feedback channel, or an API request's reply);
/// any other event is given back.
type ScanWithReply = (ScanInput, Option<oneshot::Sender<Feedback>>);

fn as_scan(event: Event) -> Result<ScanWithReply, Event> {
    match event {
        Event::Overlong { scanner, bytes } => Ok((ScanInput::Overlong { scanner, bytes }, None)),
        Event::Scan { scanner, raw } => Ok((ScanInput::Scan { scanner, raw }, None)),
        Event::ApiScan {
            bench,
            raw,
            camera: Some(read),
            reply,
        } => Ok((
            ScanInput::Camera {
                bench,
                read,
                raw: raw.into_bytes(),
            },
            Some(reply),
        )),
        Event::ApiScan {
            bench,
            raw,
            camera: None,
            reply,
        } => Ok((
            ScanInput::Scan {
                scanner: format!("http@{bench}"),
                raw: raw.into_bytes(),
            },
            Some(reply),
        )),
        other => Err(other),
    }
}

/// SIGTERM or SIGINT: what stops a running station.
pub async fn shutdown_signal() {
    use tokio::signal::unix::{SignalKind, signal};
    let (Ok(mut term), Ok(mut int)) = (
        signal(SignalKind::terminate()),
        signal(SignalKind::interrupt()),
    ) else {
        std::future::pending::<()>().await;
        return;
    };
    tokio::select! {
        _ = term.recv() => {}
        _ = int.recv() => {}
    }
}
