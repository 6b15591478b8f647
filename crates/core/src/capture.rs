//! Auto-capture from the scale: a stable, non-zero weight held for the settle time becomes
//! the pending quantity, once; the next capture waits until the pan is cleared. Time is an
//! input (milliseconds from any fixed start).

use crate::codes::Quantity;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AutoCapture {
    settle_ms: u64,
    /// a stable weight and since when it has been shown
    candidate: Option<(Quantity, u64)>,
    /// false after a capture, until the pan shows zero (or less) again
    armed: bool,
}

impl AutoCapture {
    pub fn new(settle_ms: u64) -> AutoCapture {
        AutoCapture {
            settle_ms,
            candidate: None,
            armed: true,
        }
    }

    /// Feeds the scale's latest state: `Some(weight)` when it settled, `None` while moving
    /// or in any error state. Returns the weight to capture, at most once per load.
    pub fn feed(&mut self, stable: Option<Quantity>, now_ms: u64) -> Option<Quantity> {
        let Some(weight) = stable else {
            self.candidate = None;
            return None;
        };
        if weight.base <= 0 {
            self.armed = true;
            self.candidate = None;
            return None;
        }
        if !self.armed {
            return None;
        }
        match self.candidate {
            Some((held, since)) if held == weight => {
                if now_ms.saturating_sub(since) >= self.settle_ms {
                    self.armed = false;
                    self.candidate = None;
                    return Some(weight);
                }
            }
            _ => self.candidate = Some((weight, now_ms)),
        }
        None
    }

    /// Forget the current load (after `@WEIGH` took it by hand).
    pub fn taken(&mut self) {
        self.armed = false;
        self.candidate = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(mg: i64) -> Option<Quantity> {
        Some(Quantity::from_base(mg))
    }

    #[test]
    fn captures_once_per_load() {
        let mut c = AutoCapture::new(1000);
        let script: &[(Option<Quantity>, u64, Option<Quantity>)] = &[
            (None, 0, None),                // moving
            (q(500_000), 100, None),        // settles
            (q(500_000), 600, None),        // not long enough
            (q(500_000), 1100, q(500_000)), // held for the settle time: captured
            (q(500_000), 3000, None),       // still on the pan: not again
            (None, 3100, None),
            (q(600_000), 3200, None), // more added, pan not cleared: not again
            (q(600_000), 5000, None),
            (q(0), 5100, None), // cleared
            (q(200_000), 5200, None),
            (q(210_000), 5300, None), // changed: the clock restarts
            (q(210_000), 6300, q(210_000)),
            (q(-5_000), 7000, None), // pan lifted: re-armed
            (q(300_000), 7100, None),
            (None, 7500, None), // moved before settling
            (q(300_000), 7600, None),
            (q(300_000), 8600, q(300_000)),
        ];
        for (i, (reading, at, expected)) in script.iter().enumerate() {
            assert_eq!(c.feed(*reading, *at), *expected, "step {i}");
        }
    }
}
