//! A fake Brother QL for tests: the status messages it sends (written byte by byte from
//! Brother's raster command reference, not by the station's code), a reader of the commands
//! a job is made of, and the printer's side of a conversation over any byte stream (a
//! pseudo-terminal in the integration tests; the kernel's USB gadget printer, the other end
//! of a real `/dev/usb/lp0`, in the device VM).

use std::io::{Read, Write};
use std::sync::{Arc, Mutex};

/// A status message as a Brother QL sends it (Brother's raster command reference, section
/// 4: print head mark, size 32, 'B', model bytes, errors at 8 and 9, media width at 10,
/// media type at 11, media length at 17, status type at 18, phase at 19). Written here
/// byte by byte, not by the station's code, and read back by `brother_ql` in the test.
pub fn ql_status(status_type: u8, errors: [u8; 2], media: (u8, u8, u8)) -> [u8; 32] {
    let mut b = [0u8; 32];
    b[..6].copy_from_slice(&[0x80, 0x20, b'B', b'4', b'8', b'0']);
    b[8] = errors[0];
    b[9] = errors[1];
    b[10] = media.0;
    b[11] = media.1;
    b[17] = media.2;
    b[18] = status_type;
    b
}

pub const ENDLESS_62: (u8, u8, u8) = (62, 0x0A, 0);
pub const REPLY: u8 = 0x00;
pub const COMPLETED: u8 = 0x01;
pub const ERROR_OCCURRED: u8 = 0x02;
pub const PHASE_CHANGE: u8 = 0x06;

/// The length of the next Brother QL command at the start of `bytes`, and whether it is
/// the status request or a print (end of a page); `None` until it has all arrived.
pub fn ql_command(bytes: &[u8]) -> Option<(usize, Option<&'static str>)> {
    let len = match bytes {
        [] => return None,
        [0x00, ..] | [b'Z', ..] => 1,
        [0x0C, ..] => return Some((1, Some("page"))),
        [0x1A, ..] => return Some((1, Some("last page"))),
        [0x1B, b'@', ..] => 2,
        [0x1B, b'i', b'S', ..] => return Some((3, Some("status request"))),
        [0x1B, b'i', b'a', ..] | [0x1B, b'i', b'M' | b'A' | b'K', ..] => 4,
        [0x1B, b'i', b'd', ..] => 5,
        [0x1B, b'i', b'z', ..] => 13,
        [b'M', ..] => 2,
        [b'g', _, n, ..] => 3 + *n as usize,
        [0x1B] | [0x1B, b'i'] | [b'g'] | [b'g', _] => return None,
        other => panic!(
            "not a Brother QL command: {:02x?}",
            &other[..other.len().min(8)]
        ),
    };
    (bytes.len() >= len).then_some((len, None))
}

/// What the fake printer has seen.
#[derive(Clone, Default)]
pub struct Seen {
    /// complete jobs, with their page count
    pub jobs: Arc<Mutex<Vec<usize>>>,
    /// status requests answered
    pub requests: Arc<Mutex<usize>>,
}

/// The printer's side: reads commands from `input`, answers each status request with the
/// next of `answers` (the last repeats), and after each page "printing completed", or for
/// the job numbered `fail_job` "error occurred: no labels". A QL's phase change back to
/// waiting after a job is said late, just before the next answer, and with the cover-open
/// bit, so a station that takes it for that answer shows it. Returns when `input` ends.
pub fn serve(
    mut input: impl Read,
    mut output: impl Write,
    answers: Vec<[u8; 32]>,
    fail_job: Option<usize>,
    seen: Seen,
) {
    let mut pending = Vec::new();
    let mut pages = 0;
    let mut late: Option<[u8; 32]> = None;
    let mut buffer = [0u8; 4096];
    loop {
        let n = match input.read(&mut buffer) {
            Ok(0) | Err(_) => return,
            Ok(n) => n,
        };
        pending.extend_from_slice(&buffer[..n]);
        while let Some((len, what)) = ql_command(&pending) {
            pending.drain(..len);
            let answer = match what {
                None => continue,
                Some("status request") => {
                    if let Some(message) = late.take() {
                        output.write_all(&message).expect("late message");
                    }
                    let mut r = seen.requests.lock().expect("lock");
                    *r += 1;
                    answers[(*r - 1).min(answers.len() - 1)]
                }
                Some(end) => {
                    pages += 1;
                    let job = seen.jobs.lock().expect("lock").len() + 1;
                    if end == "last page" {
                        seen.jobs.lock().expect("lock").push(pages);
                        pages = 0;
                        late = Some(ql_status(PHASE_CHANGE, [0, 0x10], ENDLESS_62));
                    }
                    if fail_job == Some(job) {
                        ql_status(ERROR_OCCURRED, [0x01, 0], ENDLESS_62)
                    } else {
                        ql_status(COMPLETED, [0, 0], ENDLESS_62)
                    }
                }
            };
            output.write_all(&answer).expect("answer");
            let _ = output.flush();
        }
    }
}
