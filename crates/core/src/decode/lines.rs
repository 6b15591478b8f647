//! Line framing for text scanners (stdin, serial): CR, LF or CRLF end a scan; a scan that
//! grows past the limit without a terminator is cut off and reported, never buffered forever.

/// One framed scan, or the report of one that was too long.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Frame {
    Line(Vec<u8>),
    /// this many bytes arrived without a terminator and were dropped
    Overlong(usize),
}

#[derive(Debug, Clone)]
pub struct LineFramer {
    buffer: Vec<u8>,
    max: usize,
    /// bytes dropped from the current overlong line
    dropping: Option<usize>,
    last_was_cr: bool,
}

impl LineFramer {
    pub fn new(max: usize) -> LineFramer {
        LineFramer {
            buffer: Vec::new(),
            max,
            dropping: None,
            last_was_cr: false,
        }
    }

    /// Feeds bytes; returns the frames they complete.
    pub fn push(&mut self, bytes: &[u8]) -> Vec<Frame> {
        let mut frames = Vec::new();
        for &b in bytes {
            let was_cr = std::mem::replace(&mut self.last_was_cr, b == b'\r');
            if b == b'\n' && was_cr {
                continue; // the LF of a CRLF
            }
            if b == b'\r' || b == b'\n' {
                if let Some(dropped) = self.dropping.take() {
                    frames.push(Frame::Overlong(dropped));
                } else if !self.buffer.is_empty() {
                    frames.push(Frame::Line(std::mem::take(&mut self.buffer)));
                }
                continue;
            }
            match &mut self.dropping {
                Some(dropped) => *dropped += 1,
                None if self.buffer.len() >= self.max => {
                    self.dropping = Some(self.buffer.len() + 1);
                    self.buffer.clear();
                }
                None => self.buffer.push(b),
            }
        }
        frames
    }

    /// At end of input: what is left, as a final frame.
    pub fn finish(&mut self) -> Option<Frame> {
        if let Some(dropped) = self.dropping.take() {
            return Some(Frame::Overlong(dropped));
        }
        (!self.buffer.is_empty()).then(|| Frame::Line(std::mem::take(&mut self.buffer)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Feeds `input` in every possible split into two chunks and in single bytes.
    fn check(input: &[u8], max: usize, expected: &[Frame]) {
        let mut splits: Vec<Vec<&[u8]>> = (0..=input.len())
            .map(|i| vec![&input[..i], &input[i..]])
            .collect();
        splits.push(input.chunks(1).collect());
        for chunks in splits {
            let mut framer = LineFramer::new(max);
            let mut frames: Vec<Frame> = chunks.iter().flat_map(|c| framer.push(c)).collect();
            frames.extend(framer.finish());
            assert_eq!(frames, expected, "{chunks:?}");
        }
    }

    fn line(s: &str) -> Frame {
        Frame::Line(s.as_bytes().to_vec())
    }

    #[test]
    fn frames() {
        check(
            b"A\nB\r\nC\rD",
            10,
            &[line("A"), line("B"), line("C"), line("D")],
        );
        check(b"\r\n\r\nA\n\n", 10, &[line("A")]);
        check(b"0123456789X\nB\n", 10, &[Frame::Overlong(11), line("B")]);
        check(b"0123456789XYZ", 10, &[Frame::Overlong(13)]);
        check(b"", 10, &[]);
    }
}
