//! A TSPL printer's status: the one byte it answers to `<ESC>!?` (an immediate command, so
//! answered at once, even in an error), one bit per condition (TSC's TSPL/TSPL2
//! programming manual, "status polling commands").

/// `<ESC>!?`: asks for the status byte.
pub const STATUS_REQUEST: &[u8] = b"\x1b!?";

/// The bits that stop printing, in the words of the person who must fix them. Bit 5
/// ("printing") is not a problem: the printer is busy with labels it already has.
const PROBLEMS: [(u8, &str); 7] = [
    (0x01, "print head open"),
    (0x02, "labels jammed"),
    (0x04, "out of labels"),
    (0x08, "out of ribbon"),
    (0x10, "paused"),
    (0x40, "cover open"),
    (0x80, "too hot or too cold to print"),
];

/// Why a printer answering `status` cannot print now, if it cannot.
pub fn problem(status: u8) -> Option<String> {
    let words: Vec<&str> = PROBLEMS
        .iter()
        .filter(|(bit, _)| status & bit != 0)
        .map(|(_, words)| *words)
        .collect();
    (!words.is_empty()).then(|| words.join(", "))
}

#[cfg(test)]
mod tests {
    use super::problem;

    #[test]
    fn status_bits_in_words() {
        assert_eq!(problem(0x00), None);
        assert_eq!(problem(0x20), None, "printing is not a problem");
        assert_eq!(
            problem(0x05).as_deref(),
            Some("print head open, out of labels")
        );
        assert_eq!(problem(0x30).as_deref(), Some("paused"));
    }
}
