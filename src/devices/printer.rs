//! Printers (SPEC §8): a folder, a raw TCP port 9100 (with `~HS` status read back first),
//! a USB printer device node, or an IPP printer / CUPS queue. `send` delivers one job's
//! bytes or says why not, and whether trying again later can help.

use std::io::{Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::path::PathBuf;
use std::time::{Duration, Instant};

use crate::config::{LabelLanguage, PrinterConfig, PrinterConnection};
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

    /// Delivers one job. `name` is unique per job (used for file names and job titles).
    pub fn send(&self, name: &str, bytes: &[u8]) -> Result<(), SendError> {
        match &self.target {
            Target::Folder(dir) => send_file(dir, &format!("{name}.{}", self.extension()), bytes),
            Target::Tcp(address) => self.send_tcp(address, bytes),
            Target::Device(path) => send_device(path, bytes),
            Target::Ipp(uri) => self.send_ipp(uri, name, bytes),
        }
    }

    fn send_tcp(&self, address: &str, bytes: &[u8]) -> Result<(), SendError> {
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
            // bytes in our socket buffer are not bytes in the printer. A printer reads its
            // input in order, so an answer to ~HS sent after the job means it read the job.
            stream
                .write_all(b"~HS")
                .map_err(|e| unconfirmed(format!("connection lost: {e}")))?;
            let status = read_host_status(&mut stream, self.timeout).map_err(unconfirmed)?;
            if let Some(problem) = status.problem() {
                return Err(SendError::Uncertain(format!(
                    "printer {address} took the job and then reported: {problem}; check whether the label came out"
                )));
            }
            return Ok(());
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
                Err(e) => return Err(unconfirmed(format!("connection dropped: {e}"))),
            }
        }
    }

    fn send_ipp(&self, uri: &str, name: &str, bytes: &[u8]) -> Result<(), SendError> {
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
        let client = IppClient::builder(parsed)
            .request_timeout(self.timeout * 4)
            .build();
        let response = client
            .send(operation)
            .map_err(|e| SendError::NotReady(format!("IPP printer {uri}: {e}")))?;
        let status = response.header().status_code();
        if status.is_success() {
            return Ok(());
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

fn send_device(path: &std::path::Path, bytes: &[u8]) -> Result<(), SendError> {
    let mut device = std::fs::OpenOptions::new()
        .write(true)
        .open(path)
        .map_err(|e| {
            SendError::NotReady(format!(
                "printer {}: {e} (unplugged or switched off?)",
                path.display()
            ))
        })?;
    device
        .write_all(bytes)
        .and_then(|()| device.flush())
        .map_err(|e| SendError::NotReady(format!("printer {}: {e}", path.display())))
}
