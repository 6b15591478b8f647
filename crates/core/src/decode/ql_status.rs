//! A Brother QL printer's status: the 32 bytes it sends in answer to `ESC i S`, and on its
//! own when a page has printed, when an error stops it, or when its phase changes (Brother's
//! "QL-800/810W/820NWB Raster Command Reference", section 4: status information). Read:
//! what stops printing (the two error bytes), which media is loaded (width, endless or
//! die-cut, length), and what the message is about (status type).

/// The documented error bits of error information 1 (byte 8) and 2 (byte 9), in the words
/// of the person who must fix them.
const ERRORS_1: [(u8, &str); 8] = [
    (0x01, "no labels loaded"),
    (0x02, "end of the labels"),
    (0x04, "cutter jammed"),
    (0x08, "battery weak"),
    (0x10, "printer in use"),
    (0x20, "printer switched off"),
    (0x40, "high-voltage adapter"),
    (0x80, "fan motor error"),
];
const ERRORS_2: [(u8, &str); 8] = [
    (0x01, "the wrong labels are loaded: replace the roll"),
    (0x02, "expansion buffer full"),
    (0x04, "communication error"),
    (0x08, "communication buffer full"),
    (0x10, "cover open"),
    (0x20, "cancelled on the printer"),
    (0x40, "labels cannot be fed (or their end was reached)"),
    (0x80, "system error"),
];

/// What a status message is about (byte 18).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusType {
    /// the answer to `ESC i S`
    Reply,
    /// a page has printed
    PrintingCompleted,
    /// an error stopped the printer
    ErrorOccurred,
    /// the printer was switched off, or another notification
    Notification,
    /// it started or finished printing
    PhaseChange,
    Other(u8),
}

/// The loaded media (bytes 10, 11, 17).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoadedMedia {
    pub width_mm: u8,
    /// 0x0A endless tape, 0x0B die-cut labels, 0x00 none
    pub kind: u8,
    /// die-cut labels' length; 0 for endless tape
    pub length_mm: u8,
}

impl LoadedMedia {
    pub fn describe(&self) -> String {
        match self.kind {
            0x0A => format!("{} mm endless tape", self.width_mm),
            0x0B => format!("{} × {} mm labels", self.width_mm, self.length_mm),
            _ => "no labels".to_string(),
        }
    }
}

/// One status message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QlStatus {
    pub status_type: StatusType,
    /// error information 1 and 2
    pub errors: [u8; 2],
    pub media: LoadedMedia,
    /// printing (phase type 1) rather than waiting to receive
    pub printing: bool,
}

/// The size of one status message.
pub const STATUS_LEN: usize = 32;

/// `ESC i S`: asks for the status.
pub const STATUS_REQUEST: &[u8] = b"\x1biS";

impl QlStatus {
    /// Parses one 32-byte message (print head mark 0x80, size 0x20, 'B'); `None` for bytes
    /// that are not one.
    pub fn parse(bytes: &[u8]) -> Option<QlStatus> {
        if bytes.len() < STATUS_LEN || !bytes.starts_with(&[0x80, 0x20, b'B']) {
            return None;
        }
        let status_type = match bytes[18] {
            0x00 => StatusType::Reply,
            0x01 => StatusType::PrintingCompleted,
            0x02 => StatusType::ErrorOccurred,
            0x05 => StatusType::Notification,
            0x06 => StatusType::PhaseChange,
            other => StatusType::Other(other),
        };
        Some(QlStatus {
            status_type,
            errors: [bytes[8], bytes[9]],
            media: LoadedMedia {
                width_mm: bytes[10],
                kind: bytes[11],
                length_mm: bytes[17],
            },
            printing: bytes[19] == 0x01,
        })
    }

    /// Every error the message reports, in words (empty when there is none).
    pub fn errors(&self) -> Vec<&'static str> {
        ERRORS_1
            .iter()
            .filter(|(bit, _)| self.errors[0] & bit != 0)
            .chain(ERRORS_2.iter().filter(|(bit, _)| self.errors[1] & bit != 0))
            .map(|(_, words)| *words)
            .collect()
    }

    /// Why the printer cannot print now, if it cannot.
    pub fn problem(&self) -> Option<String> {
        let errors = self.errors();
        (!errors.is_empty()).then(|| errors.join(", "))
    }

    /// A status message with these fields (what a printer sends; for fakes and tests).
    pub fn to_bytes(&self) -> [u8; STATUS_LEN] {
        let mut b = [0u8; STATUS_LEN];
        b[..8].copy_from_slice(&[0x80, 0x20, b'B', b'4', b'8', b'0', 0x00, 0x00]);
        b[8] = self.errors[0];
        b[9] = self.errors[1];
        b[10] = self.media.width_mm;
        b[11] = self.media.kind;
        b[17] = self.media.length_mm;
        b[18] = match self.status_type {
            StatusType::Reply => 0x00,
            StatusType::PrintingCompleted => 0x01,
            StatusType::ErrorOccurred => 0x02,
            StatusType::Notification => 0x05,
            StatusType::PhaseChange => 0x06,
            StatusType::Other(other) => other,
        };
        b[19] = u8::from(self.printing);
        b
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_status_reads_back_as_written() {
        let status = QlStatus {
            status_type: StatusType::ErrorOccurred,
            errors: [0x01, 0x10],
            media: LoadedMedia {
                width_mm: 62,
                kind: 0x0A,
                length_mm: 0,
            },
            printing: false,
        };
        let bytes = status.to_bytes();
        assert_eq!(QlStatus::parse(&bytes), Some(status.clone()));
        assert_eq!(
            status.problem().as_deref(),
            Some("no labels loaded, cover open")
        );
        assert_eq!(status.media.describe(), "62 mm endless tape");
        assert_eq!(QlStatus::parse(&bytes[..31]), None);
        assert_eq!(QlStatus::parse(&[0u8; 32]), None);
    }
}
