//! Printers (SPEC §8): a folder, a raw TCP port 9100 (with `~HS` status read back first),
//! a USB printer device node, or an IPP printer / CUPS queue. `send` delivers one job's
//! bytes or says why not, and whether trying again later can help. A Brother QL is asked
//! its status (`ESC i S`) before a job and confirms each page it prints, and a TSPL printer
//! its status byte (`<ESC>!?`) before and after a job, where they answer (a QL always on
//! USB; over the network most stay silent, and the job is confirmed by the printer closing
//! the connection, as for other languages).

use std::io::{Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::path::PathBuf;
use std::time::{Duration, Instant};

use std::cell::Cell;

use crate::config::{LabelLanguage, PrinterConfig, PrinterConnection};
use crate::decode::ql_status::{QlStatus, STATUS_LEN, STATUS_REQUEST, StatusType};
use crate::decode::zpl_status::parse_host_status;

/// Where a printer's jobs go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    Folder(PathBuf),
    Tcp(String),
    Device(PathBuf),
    Ipp(String),
}

#[derive(Debug, Clone)]
pub struct Printer {
    pub name: String,
    pub target: Target,
    pub language: LabelLanguage,
    /// a Brother QL's roll or labels
    pub media: crate::label::raster::BrotherMedia,
    pub dpi: u32,
    /// connect, status and write timeout
    pub timeout: Duration,
    /// the longest pause between attempts while it is not ready
    pub retry_max: Duration,
    /// whether a Brother QL or TSPL printer answers its status request on this connection:
    /// unknown until asked once
    status_answers: Cell<Option<bool>>,
}

/// Why a job did not reach the printer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SendError {
    /// the printer is unreachable, busy or in error: keep the job and try again
    #[error("{0}")]
    NotReady(String),
    /// the job itself cannot be printed (bad template, refused format): do not retry
    #[error("{0}")]
    Rejected(String),
    /// the whole job was written but the printer did not confirm taking it (it stalled,
    /// hung up, or never answered the status asked after the job): it has most likely not
    /// printed; try again, a few times
    #[error("{0}")]
    Unconfirmed(String),
    /// the printer took the job but then reported a problem (paused, out of labels): it may
    /// print when the problem is fixed, or not; sending it again could print it twice
    #[error("{0}")]
    Uncertain(String),
}

impl Printer {
    pub fn from_config(config: &PrinterConfig) -> Printer {
        let target = match &config.connection {
            PrinterConnection::File { path } => Target::Folder(path.clone()),
            PrinterConnection::Tcp { address } => Target::Tcp(address.clone()),
            PrinterConnection::Device { path } => Target::Device(path.clone()),
            PrinterConnection::Ipp { uri } => Target::Ipp(uri.clone()),
        };
        Printer {
            name: config.name.clone(),
            target,
            language: config.language,
            media: config.media,
            dpi: config.dpi,
            timeout: Duration::from_millis(config.timeout_ms),
            retry_max: Duration::from_millis(config.retry_max_ms),
            status_answers: Cell::new(None),
        }
    }

    pub fn extension(&self) -> &'static str {
        match self.language {
            LabelLanguage::Zpl => "zpl",
            LabelLanguage::Pdf => "pdf",
            LabelLanguage::Tspl => "tspl",
            LabelLanguage::BrotherQl => "ql",
            LabelLanguage::Png => "png",
        }
    }

    /// Delivers one job of `pages` labels. `name` is unique per job (used for file names
    /// and job titles).
    pub fn send(&self, name: &str, bytes: &[u8], pages: u32) -> Result<(), SendError> {
        match &self.target {
            Target::Folder(dir) => send_file(dir, &format!("{name}.{}", self.extension()), bytes),
            Target::Tcp(address) => self.send_tcp(address, bytes, pages),
            Target::Device(path) => self.send_device(path, bytes, pages),
            Target::Ipp(uri) => self.send_ipp(uri, name, bytes, pages),
        }
    }

    /// The job through the printer's own status, for the languages that have one besides
    /// ZPL (whose `~HS` is asked in `send_tcp`); `Ok(false)` when the job was not sent: no
    /// status in this language, or none answered on this connection (the caller then sends
    /// it as to a printer without status).
    fn send_with_status(
        &self,
        channel: &mut dyn Answering,
        who: &str,
        bytes: &[u8],
        pages: u32,
    ) -> Result<bool, SendError> {
        if !self.has_status() || self.status_answers.get() == Some(false) {
            return Ok(false);
        }
        // what the printer said after an earlier job (its phase changing back to waiting,
        // a page confirmed too late) is not an answer to this one
        let mut stale = [0u8; 256];
        while let Ok(Some(n)) = channel.read_within(&mut stale, Duration::ZERO) {
            if n == 0 {
                break;
            }
        }
        match self.language {
            LabelLanguage::BrotherQl => self.send_ql(channel, who, bytes, pages),
            LabelLanguage::Tspl => self.send_tspl(channel, who, bytes),
            _ => Ok(false),
        }
    }

    /// Whether this printer's language has a status to ask besides ZPL's `~HS`: a Brother
    /// QL's `ESC i S`, a TSPL printer's `<ESC>!?`.
    fn has_status(&self) -> bool {
        matches!(
            self.language,
            LabelLanguage::BrotherQl | LabelLanguage::Tspl
        )
    }

    /// The first status request on a connection went unanswered: remembered (jobs then go
    /// without), or, if it answered before, the printer is not ready. A Brother QL on USB
    /// always answers (its status comes back on the same cable): silence there is a
    /// printer busy or switched off, never remembered, and the job waits.
    fn silent(&self, who: &str) -> Result<bool, SendError> {
        let always_answers =
            matches!(self.target, Target::Device(_)) && self.language == LabelLanguage::BrotherQl;
        if self.status_answers.get().is_none() && !always_answers {
            tracing::info!(printer = %self.name, "the printer does not answer a status request here; jobs are sent without it");
            self.status_answers.set(Some(false));
            return Ok(false);
        }
        Err(SendError::NotReady(format!(
            "printer {who}: did not answer the status request (switched off, or busy with another job?)"
        )))
    }

    /// A TSPL job with the printer's status byte: asked first (head open, out of labels or
    /// ribbon, jammed, paused: the job waits), and again after the job. `<ESC>!?` is
    /// answered as soon as it is read, and the printer reads in order, so an answer after
    /// the job means it has the whole job; a problem then makes the job uncertain.
    fn send_tspl(
        &self,
        channel: &mut dyn Answering,
        who: &str,
        bytes: &[u8],
    ) -> Result<bool, SendError> {
        use crate::decode::tspl_status::{STATUS_REQUEST as ASK, problem};
        let not_ready = |what: String| SendError::NotReady(format!("printer {who}: {what}"));
        channel
            .write_all(ASK)
            .and_then(|()| channel.flush())
            .map_err(|e| not_ready(format!("connection lost: {e}")))?;
        let status = match last_byte(channel, self.timeout) {
            Ok(Some(status)) => status,
            Ok(None) => return self.silent(who),
            Err(e) => return Err(not_ready(e)),
        };
        self.status_answers.set(Some(true));
        if let Some(problem) = problem(status) {
            return Err(not_ready(problem));
        }
        let unconfirmed = |why: String| {
            SendError::Unconfirmed(format!("printer {who} did not confirm the job ({why})"))
        };
        channel
            .write_all(bytes)
            .and_then(|()| channel.flush())
            .map_err(|e| not_ready(format!("connection lost while sending: {e}")))?;
        channel
            .write_all(ASK)
            .and_then(|()| channel.flush())
            .map_err(|e| unconfirmed(format!("connection lost: {e}")))?;
        match last_byte(channel, self.timeout) {
            Ok(Some(status)) => match problem(status) {
                Some(problem) => Err(SendError::Uncertain(format!(
                    "printer {who} took the job and then reported: {problem}; check whether the label came out"
                ))),
                None => Ok(true),
            },
            Ok(None) => Err(unconfirmed(
                "no answer to the status request after it".into(),
            )),
            Err(e) => Err(unconfirmed(e)),
        }
    }

    /// A Brother QL job with its status read back: asked first (out of labels, cover
    /// open, the wrong roll: the job waits), then each page confirmed as printed.
    fn send_ql(
        &self,
        channel: &mut dyn Answering,
        who: &str,
        bytes: &[u8],
        pages: u32,
    ) -> Result<bool, SendError> {
        let not_ready = |what: String| SendError::NotReady(format!("printer {who}: {what}"));
        // invalidate whatever half a command was left, initialise, ask
        let mut ask = vec![0u8; 200];
        ask.extend_from_slice(b"\x1b@");
        ask.extend_from_slice(STATUS_REQUEST);
        channel
            .write_all(&ask)
            .and_then(|()| channel.flush())
            .map_err(|e| not_ready(format!("connection lost: {e}")))?;
        let mut answers = QlAnswers::default();
        let asked = Instant::now();
        let reply = loop {
            // the reply to the request (a notification may come first)
            match answers.next(channel, self.timeout.saturating_sub(asked.elapsed())) {
                Ok(Some(status)) if status.status_type != StatusType::Reply => continue,
                other => break other,
            }
        };
        let status = match reply {
            Ok(Some(status)) => status,
            Ok(None) => return self.silent(who),
            Err(e) => return Err(not_ready(e)),
        };
        self.status_answers.set(Some(true));
        if let Some(problem) = status.problem() {
            return Err(not_ready(problem));
        }
        let loaded = status.media;
        if !self
            .media
            .is_loaded(loaded.width_mm, loaded.kind, loaded.length_mm)
        {
            return Err(not_ready(format!(
                "{} is loaded, and its [[printer]] media is {}: load that, or change `media` in the config",
                loaded.describe(),
                self.media.the_label()
            )));
        }
        channel
            .write_all(bytes)
            .and_then(|()| channel.flush())
            .map_err(|e| not_ready(format!("connection lost while sending: {e}")))?;
        // a page prints in a second or two: each must follow the last within the timeout
        // (ten seconds at least)
        let wait = self.timeout.max(Duration::from_secs(10));
        let mut printed = 0;
        while printed < pages.max(1) {
            let status = match answers.next(channel, wait) {
                Ok(Some(status)) => status,
                Ok(None) if printed == 0 => {
                    return Err(SendError::Unconfirmed(format!(
                        "printer {who} did not say the label printed"
                    )));
                }
                Ok(None) | Err(_) => {
                    return Err(SendError::Uncertain(format!(
                        "printer {who} printed {printed} of {} labels and then went silent; check how many came out",
                        pages.max(1)
                    )));
                }
            };
            if let Some(problem) = status.problem() {
                return Err(SendError::Uncertain(format!(
                    "printer {who} took the job and then reported: {problem} ({printed} of {} labels printed); check whether the labels came out",
                    pages.max(1)
                )));
            }
            if status.status_type == StatusType::PrintingCompleted {
                printed += 1;
            }
        }
        Ok(true)
    }

    fn send_tcp(&self, address: &str, bytes: &[u8], pages: u32) -> Result<(), SendError> {
        let not_ready = |what: String| SendError::NotReady(format!("printer {address}: {what}"));
        let addr = address
            .to_socket_addrs()
            .map_err(|e| not_ready(format!("cannot resolve: {e}")))?
            .next()
            .ok_or_else(|| not_ready("no address".into()))?;
        let mut stream = TcpStream::connect_timeout(&addr, self.timeout)
            .map_err(|e| not_ready(format!("cannot connect: {e}")))?;
        // the status asked after a job is 3 bytes: sent at once, not held back waiting for
        // the printer to acknowledge the job (Nagle), which costs 40 ms a label
        stream
            .set_nodelay(true)
            .map_err(|e| not_ready(e.to_string()))?;
        stream
            .set_read_timeout(Some(self.timeout))
            .map_err(|e| not_ready(e.to_string()))?;
        stream
            .set_write_timeout(Some(self.timeout))
            .map_err(|e| not_ready(e.to_string()))?;
        if self.language == LabelLanguage::Zpl {
            // ask first: a printer that is out of labels or open takes the job and loses it
            stream
                .write_all(b"~HS")
                .map_err(|e| not_ready(format!("connection lost: {e}")))?;
            let status = read_host_status(&mut stream, self.timeout).map_err(not_ready)?;
            if let Some(problem) = status.problem() {
                return Err(not_ready(problem));
            }
        }
        if self.send_with_status(&mut stream, address, bytes, pages)? {
            return Ok(());
        }
        // a job cut short is not a label: ZPL prints a format only at its ^XZ
        stream
            .write_all(bytes)
            .map_err(|e| not_ready(format!("connection lost while sending: {e}")))?;
        stream
            .flush()
            .map_err(|e| not_ready(format!("connection lost while sending: {e}")))?;
        let unconfirmed = |why: String| {
            SendError::Unconfirmed(format!("printer {address} did not confirm the job ({why})"))
        };
        if self.language == LabelLanguage::Zpl {
            return self.zpl_printed(&mut stream, address, pages);
        }
        // another language has no status to ask: the job counts as taken when the printer
        // closes its side after reading ours; silence or a reset is not a confirmation
        let _ = stream.shutdown(std::net::Shutdown::Write);
        let mut sink = [0u8; 512];
        loop {
            match stream.read(&mut sink) {
                Ok(0) => return Ok(()),
                Ok(_) => continue,
                Err(e)
                    if matches!(
                        e.kind(),
                        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                    ) =>
                {
                    return Err(unconfirmed(
                        "it kept the connection open without closing it".into(),
                    ));
                }
                // a reset is a printer that closed with our bytes unread: the job's end (its
                // print command) never reached it, so it printed nothing and goes again
                Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => {
                    return Err(not_ready(format!(
                        "hung up before reading the whole job ({e}); it is sent again"
                    )));
                }
                Err(e) => return Err(unconfirmed(format!("connection dropped: {e}"))),
            }
        }
    }

    /// After a ZPL job is written: `~HS` asked until the printer says nothing is left to
    /// print (no format in its buffer, no label of the batch to go), which is when the
    /// labels came out. An answer that the job is in the buffer is not that: a printer that
    /// then stops answering (its power cut, the cable pulled) or reports a problem has taken
    /// the job and may or may not print it, so it is uncertain, never sent again.
    fn zpl_printed(
        &self,
        stream: &mut TcpStream,
        address: &str,
        pages: u32,
    ) -> Result<(), SendError> {
        let started = Instant::now();
        // long enough for the labels to come out at a slow speed (2 in/s, 2 s a label)
        let deadline =
            self.timeout.max(Duration::from_secs(1)) * 4 + Duration::from_secs(2) * pages.max(1);
        let mut pause = Duration::from_millis(20);
        loop {
            let asked = stream
                .write_all(b"~HS")
                .map_err(|e| e.to_string())
                .and_then(|()| read_host_status(stream, self.timeout));
            let status = asked.map_err(|why| {
                SendError::Uncertain(format!(
                    "printer {address} took the job but did not say it printed ({why}): check whether the labels came out, and @REPRINT if not"
                ))
            })?;
            if let Some(problem) = status.problem() {
                return Err(SendError::Uncertain(format!(
                    "printer {address} took the job and then reported: {problem}; check whether the label came out"
                )));
            }
            if status.idle() {
                return Ok(());
            }
            if started.elapsed() > deadline {
                return Err(SendError::Uncertain(format!(
                    "printer {address} took the job but after {} s still has {} to print: check whether the labels came out",
                    started.elapsed().as_secs(),
                    crate::core::counted(
                        i64::from(status.labels_remaining.max(status.formats_in_buffer)),
                        "label"
                    )
                )));
            }
            std::thread::sleep(pause);
            pause = (pause * 2).min(Duration::from_millis(250));
        }
    }

    /// An IPP job's state asked until the printer says it is `completed` (9); `canceled`
    /// (7) or `aborted` (8), silence, or a job still processing after the labels' time is
    /// uncertain (the printer took it; it is not sent again).
    fn ipp_completed(
        &self,
        client: &ipp::client::blocking::IppClient,
        printer: &ipp::prelude::Uri,
        uri: &str,
        job: i32,
        pages: u32,
    ) -> Result<(), SendError> {
        use ipp::prelude::*;
        let started = Instant::now();
        // a print server queues jobs (other people's too) and a printer warms up: a minute,
        // and five seconds a label
        let deadline = Duration::from_secs(60) + Duration::from_secs(5) * pages.max(1);
        let mut pause = Duration::from_millis(50);
        let uncertain = |why: String| {
            SendError::Uncertain(format!(
                "IPP printer {uri} took job {job} but {why}: check whether the labels came out, and @REPRINT if not"
            ))
        };
        loop {
            let asked = IppOperationBuilder::get_job_attributes(printer.clone(), job)
                .build()
                .map_err(|e| uncertain(format!("cannot be asked about it ({e})")))?;
            let answer = client
                .send(asked)
                .map_err(|e| uncertain(format!("stopped answering ({e})")))?;
            let state = answer
                .attributes()
                .groups_of(DelimiterTag::JobAttributes)
                .find_map(|g| g.get("job-state"))
                .and_then(|a| match a.value() {
                    IppValue::Enum(state) | IppValue::Integer(state) => Some(*state),
                    _ => None,
                });
            match state {
                Some(9) => return Ok(()),
                Some(7) => return Err(uncertain("says it was canceled".into())),
                Some(8) => return Err(uncertain("says it was aborted".into())),
                Some(_) if started.elapsed() <= deadline => {}
                Some(_) => {
                    return Err(uncertain(format!(
                        "has not finished it after {} s",
                        started.elapsed().as_secs()
                    )));
                }
                None => return Err(uncertain("does not say the job's state".into())),
            }
            std::thread::sleep(pause);
            pause = (pause * 2).min(Duration::from_millis(500));
        }
    }

    fn send_ipp(&self, uri: &str, name: &str, bytes: &[u8], pages: u32) -> Result<(), SendError> {
        use ipp::prelude::*;
        let parsed: Uri = uri
            .parse()
            .map_err(|e| SendError::Rejected(format!("printer uri {uri:?}: {e}")))?;
        let format = match self.language {
            LabelLanguage::Pdf => "application/pdf",
            LabelLanguage::Zpl => "application/vnd.zebra-zpl",
            LabelLanguage::Png => "image/png",
            LabelLanguage::Tspl | LabelLanguage::BrotherQl => "application/octet-stream",
        };
        let payload = IppPayload::new(std::io::Cursor::new(bytes.to_vec()));
        let operation = IppOperationBuilder::print_job(parsed.clone(), payload)
            .document_format(format)
            .job_title(name)
            .user_name("lotstation")
            .build()
            .map_err(|e| SendError::Rejected(format!("IPP request: {e}")))?;
        let client = IppClient::builder(parsed.clone())
            .request_timeout(self.timeout * 4)
            .build();
        let response = client
            .send(operation)
            .map_err(|e| SendError::NotReady(format!("IPP printer {uri}: {e}")))?;
        let status = response.header().status_code();
        if status.is_success() {
            // taken is not printed: the job's state is asked until it is completed
            let job_id = response
                .attributes()
                .groups_of(DelimiterTag::JobAttributes)
                .find_map(|g| g.get("job-id"))
                .and_then(|a| match a.value() {
                    IppValue::Integer(id) => Some(id),
                    _ => None,
                });
            return match job_id {
                Some(id) => self.ipp_completed(&client, &parsed, uri, *id, pages),
                // a printer that names no job cannot be asked about it
                None => Ok(()),
            };
        }
        let text = format!("IPP printer {uri} answered {status:?}");
        // 0x0507 server-error-busy, 0x0506 not-accepting-jobs, 0x0502 service-unavailable
        let code = status as u16;
        if code >= 0x0500 {
            Err(SendError::NotReady(text))
        } else {
            Err(SendError::Rejected(text))
        }
    }
}

/// Reads the three `~HS` lines; a printer that says nothing is in error (Zebra printers do
/// not answer while out of media, head open or overheated).
fn read_host_status(
    stream: &mut TcpStream,
    timeout: Duration,
) -> Result<crate::decode::zpl_status::HostStatus, String> {
    let start = Instant::now();
    let mut answer = Vec::new();
    let mut buffer = [0u8; 512];
    while start.elapsed() < timeout && answer.len() < 4096 {
        match stream.read(&mut buffer) {
            Ok(0) => return Err("closed the connection without a status".into()),
            Ok(n) => {
                answer.extend_from_slice(&buffer[..n]);
                if answer.iter().filter(|b| **b == 0x03).count() >= 3
                    && let Some(status) = parse_host_status(&answer)
                {
                    return Ok(status);
                }
            }
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) =>
            {
                break;
            }
            Err(e) => return Err(format!("connection lost: {e}")),
        }
    }
    parse_host_status(&answer)
        .ok_or_else(|| "no answer to ~HS: the printer is in error (out of labels, head open, overheated) or not a ZPL printer".into())
}

/// Writes the job into the folder atomically (a temporary name, then a rename).
fn send_file(dir: &std::path::Path, name: &str, bytes: &[u8]) -> Result<(), SendError> {
    std::fs::create_dir_all(dir)
        .map_err(|e| SendError::NotReady(format!("label folder {}: {e}", dir.display())))?;
    let temporary = dir.join(format!(".{name}.part"));
    let path = dir.join(name);
    std::fs::write(&temporary, bytes)
        .and_then(|()| std::fs::rename(&temporary, &path))
        .map_err(|e| SendError::NotReady(format!("label folder {}: {e}", dir.display())))
}

impl Printer {
    /// A USB printer's device node (`/dev/usb/lp0`): written, and for a Brother QL or a
    /// TSPL printer also read, its status the answer.
    fn send_device(
        &self,
        path: &std::path::Path,
        bytes: &[u8],
        pages: u32,
    ) -> Result<(), SendError> {
        let answers = self.has_status();
        // read too where the printer answers its status
        let mut device = std::fs::OpenOptions::new()
            .read(answers)
            .write(true)
            .open(path)
            .map_err(|e| {
                SendError::NotReady(format!(
                    "printer {}: {e} (unplugged or switched off?)",
                    path.display()
                ))
            })?;
        if answers
            && self.send_with_status(&mut device, &path.display().to_string(), bytes, pages)?
        {
            return Ok(());
        }
        device
            .write_all(bytes)
            .and_then(|()| device.flush())
            .map_err(|e| SendError::NotReady(format!("printer {}: {e}", path.display())))
    }
}

/// A printer connection that can be read with a deadline.
trait Answering: Write {
    /// What the printer sent within `wait`: `Ok(None)` when nothing came in time,
    /// `Ok(Some(0))` when it hung up.
    fn read_within(&mut self, buffer: &mut [u8], wait: Duration) -> std::io::Result<Option<usize>>;
}

impl Answering for TcpStream {
    fn read_within(&mut self, buffer: &mut [u8], wait: Duration) -> std::io::Result<Option<usize>> {
        self.set_read_timeout(Some(wait.max(Duration::from_millis(1))))?;
        match self.read(buffer) {
            Ok(n) => Ok(Some(n)),
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) =>
            {
                Ok(None)
            }
            Err(e) => Err(e),
        }
    }
}

impl Answering for std::fs::File {
    fn read_within(&mut self, buffer: &mut [u8], wait: Duration) -> std::io::Result<Option<usize>> {
        use rustix::event::{PollFd, PollFlags, Timespec, poll};
        let timeout = Timespec::try_from(wait).unwrap_or(Timespec {
            tv_sec: 60,
            tv_nsec: 0,
        });
        let mut fds = [PollFd::new(self, PollFlags::IN)];
        match poll(&mut fds, Some(&timeout)) {
            Ok(0) => return Ok(None),
            Ok(_) => {}
            Err(rustix::io::Errno::INTR) => return Ok(None),
            Err(e) => return Err(e.into()),
        }
        let events = fds[0].revents();
        if !events.contains(PollFlags::IN) && events.intersects(PollFlags::HUP | PollFlags::ERR) {
            return Ok(Some(0));
        }
        self.read(buffer).map(Some)
    }
}

/// The printer's answer within `wait`: the last byte of what it sent (one status byte; a
/// byte before it would be an answer to a request it read in a job's data); `Ok(None)` if
/// nothing came.
fn last_byte(channel: &mut dyn Answering, wait: Duration) -> Result<Option<u8>, String> {
    let mut buffer = [0u8; 64];
    match channel.read_within(&mut buffer, wait) {
        Ok(None) => Ok(None),
        Ok(Some(0)) => Err("closed the connection".into()),
        Ok(Some(n)) => Ok(Some(buffer[n - 1])),
        Err(e) => Err(format!("connection lost: {e}")),
    }
}

/// Status messages as they arrive, 32 bytes each (bytes before a message's header, which
/// a printer does not send, are skipped).
#[derive(Default)]
struct QlAnswers {
    pending: Vec<u8>,
}

impl QlAnswers {
    /// The next message within `wait`; `Ok(None)` if none came in time.
    fn next(
        &mut self,
        channel: &mut dyn Answering,
        wait: Duration,
    ) -> Result<Option<QlStatus>, String> {
        let start = Instant::now();
        loop {
            while let Some(at) = self
                .pending
                .windows(3)
                .position(|w| w == [0x80, 0x20, b'B'])
            {
                if self.pending.len() < at + STATUS_LEN {
                    self.pending.drain(..at);
                    break;
                }
                let message: Vec<u8> = self.pending.drain(..at + STATUS_LEN).skip(at).collect();
                if let Some(status) = QlStatus::parse(&message) {
                    return Ok(Some(status));
                }
            }
            let left = wait.saturating_sub(start.elapsed());
            if left.is_zero() {
                return Ok(None);
            }
            let mut buffer = [0u8; 256];
            match channel.read_within(&mut buffer, left) {
                Ok(None) => return Ok(None),
                Ok(Some(0)) => return Err("closed the connection".into()),
                Ok(Some(n)) => {
                    self.pending.extend_from_slice(&buffer[..n]);
                    if self.pending.len() > 4096 {
                        let keep = self.pending.len() - STATUS_LEN;
                        self.pending.drain(..keep);
                    }
                }
                Err(e) => return Err(format!("connection lost: {e}")),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A printer's answers arriving in pieces, after a stray byte.
    struct Pieces(std::collections::VecDeque<Vec<u8>>);

    impl Write for Pieces {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    impl Answering for Pieces {
        fn read_within(
            &mut self,
            buffer: &mut [u8],
            _: Duration,
        ) -> std::io::Result<Option<usize>> {
            Ok(self.0.pop_front().map(|piece| {
                buffer[..piece.len()].copy_from_slice(&piece);
                piece.len()
            }))
        }
    }

    #[test]
    fn status_messages_are_framed_from_pieces() {
        use crate::decode::ql_status::LoadedMedia;
        let message = |status_type| {
            QlStatus {
                status_type,
                errors: [0, 0],
                media: LoadedMedia {
                    width_mm: 62,
                    kind: 0x0A,
                    length_mm: 0,
                },
                printing: false,
            }
            .to_bytes()
        };
        let (a, b) = (
            message(StatusType::Reply),
            message(StatusType::PrintingCompleted),
        );
        let mut stream = vec![0x55];
        stream.extend_from_slice(&a);
        stream.extend_from_slice(&b);
        let mut pieces = Pieces(stream.chunks(7).map(<[u8]>::to_vec).collect());
        let mut answers = QlAnswers::default();
        let wait = Duration::from_millis(10);
        let first = answers.next(&mut pieces, wait).unwrap().unwrap();
        assert_eq!(first.status_type, StatusType::Reply);
        let second = answers.next(&mut pieces, wait).unwrap().unwrap();
        assert_eq!(second.status_type, StatusType::PrintingCompleted);
        assert_eq!(answers.next(&mut pieces, wait), Ok(None));
    }

    /// A status request nobody answers: a Brother QL on USB is busy or off (the job waits,
    /// asked again next time); on the network it is one of the many that never answer,
    /// remembered, and the job goes without.
    #[test]
    fn a_silent_usb_brother_ql_is_not_taken_for_one_without_status() {
        let printer = |connection: &str| {
            let config: crate::config::PrinterConfig = toml::from_str(&format!(
                "name = \"ql\"\n{connection}\nlanguage = \"brother-ql\"\ntimeout_ms = 10\n"
            ))
            .expect("config");
            Printer::from_config(&config)
        };
        let usb = printer("kind = \"device\"\npath = \"/dev/usb/lp0\"");
        for _ in 0..2 {
            match usb.send_with_status(&mut Pieces(Default::default()), "ql", b"job", 1) {
                Err(SendError::NotReady(reason)) => {
                    assert!(reason.contains("did not answer"), "{reason}")
                }
                other => panic!("a silent USB QL is not ready: {other:?}"),
            }
            assert_eq!(usb.status_answers.get(), None, "not remembered");
        }
        let network = printer("kind = \"tcp\"\naddress = \"192.0.2.1:9100\"");
        let sent = network.send_with_status(&mut Pieces(Default::default()), "ql", b"job", 1);
        assert!(matches!(sent, Ok(false)), "{sent:?}");
        assert_eq!(network.status_answers.get(), Some(false), "remembered");
    }
}
