//! The answer of a ZPL printer to `~HS` (host status): three `<STX>…<ETX>` lines of
//! comma-separated fields. Read: what stops printing (paper out, paused, head open, ribbon
//! out) and what is still to print (formats in the receive buffer, labels remaining in the
//! batch), which tells a job taken from a job printed.

/// What a `~HS` answer says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HostStatus {
    pub paper_out: bool,
    pub paused: bool,
    pub head_open: bool,
    pub ribbon_out: bool,
    /// formats received and not yet processed (line 1, field 5)
    pub formats_in_buffer: u32,
    /// labels of the batch being printed still to come out (line 2, field 9)
    pub labels_remaining: u32,
}

impl HostStatus {
    /// Why the printer cannot print now, in the words of the person who must fix it.
    pub fn problem(&self) -> Option<String> {
        let mut problems = Vec::new();
        if self.paper_out {
            problems.push("out of labels");
        }
        if self.head_open {
            problems.push("print head open");
        }
        if self.ribbon_out {
            problems.push("out of ribbon");
        }
        if self.paused {
            problems.push("paused");
        }
        (!problems.is_empty()).then(|| problems.join(", "))
    }

    /// Whether everything the printer was sent has come out: no format waiting, no label
    /// of a batch to go.
    pub fn idle(&self) -> bool {
        self.formats_in_buffer == 0 && self.labels_remaining == 0
    }
}

/// Parses a complete answer; `None` while fewer than two status lines have arrived or if
/// they are not `~HS` lines.
pub fn parse_host_status(bytes: &[u8]) -> Option<HostStatus> {
    let text = String::from_utf8_lossy(bytes);
    let lines: Vec<Vec<&str>> = text
        .split('\u{2}')
        .filter_map(|part| {
            part.split_once('\u{3}')
                .map(|(line, _)| line.split(',').map(str::trim).collect())
        })
        .collect();
    let (first, second) = (lines.first()?, lines.get(1)?);
    if first.len() < 12 || second.len() < 11 {
        return None;
    }
    let flag = |field: &str| field == "1";
    let count = |field: &str| field.parse::<u32>().ok();
    Some(HostStatus {
        paper_out: flag(first[1]),
        paused: flag(first[2]),
        head_open: flag(second[2]),
        ribbon_out: flag(second[3]),
        formats_in_buffer: count(first[4])?,
        labels_remaining: count(second[8])?,
    })
}

/// A `~HS` answer with the given flags (what a healthy or troubled printer sends).
pub fn host_status_answer(status: HostStatus) -> Vec<u8> {
    let b = |f: bool| if f { '1' } else { '0' };
    format!(
        "\u{2}030,{},{},1245,{:03},0,0,0,000,0,0,0\u{3}\r\n\u{2}000,0,{},{},0,2,4,0,{:08},1,000\u{3}\r\n\u{2}1234,0\u{3}\r\n",
        b(status.paper_out),
        b(status.paused),
        status.formats_in_buffer,
        b(status.head_open),
        b(status.ribbon_out),
        status.labels_remaining
    )
    .into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    const OK: HostStatus = HostStatus {
        paper_out: false,
        paused: false,
        head_open: false,
        ribbon_out: false,
        formats_in_buffer: 0,
        labels_remaining: 0,
    };

    #[test]
    fn reads_flags() {
        let answer = host_status_answer(OK);
        assert_eq!(parse_host_status(&answer), Some(OK));
        assert_eq!(OK.problem(), None);
        let out = HostStatus {
            paper_out: true,
            head_open: true,
            ..OK
        };
        assert_eq!(parse_host_status(&host_status_answer(out)), Some(out));
        assert_eq!(
            out.problem().as_deref(),
            Some("out of labels, print head open")
        );
        // in every chunking, only a complete answer parses
        for cut in 0..answer.len() {
            let parsed = parse_host_status(&answer[..cut]);
            assert!(parsed.is_none() || parsed == Some(OK), "{cut}");
        }
        // a job taken and not yet out: one format in the buffer, three labels to go
        let busy = HostStatus {
            formats_in_buffer: 1,
            labels_remaining: 3,
            ..OK
        };
        assert_eq!(parse_host_status(&host_status_answer(busy)), Some(busy));
        assert!(!busy.idle() && OK.idle());
        // as the ZPL manual prints an answer
        let manual = b"\x02030,0,0,1245,002,0,0,0,000,0,0,0\x03\r\n\x02001,0,0,0,1,2,4,0,00000012,1,000\x03\r\n\x021234,0\x03\r\n";
        let read = parse_host_status(manual).expect("the manual's answer");
        assert_eq!((read.formats_in_buffer, read.labels_remaining), (2, 12));
        assert_eq!(parse_host_status(b"garbage"), None);
        assert_eq!(parse_host_status(b"\x02a,b\x03\x02c\x03"), None);
    }
}
