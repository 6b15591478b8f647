//! HID point-of-sale scanners (usage page 0x8C) through hidraw: input reports of a fixed
//! size, a length byte, the AIM symbology identifier, the data, and a "more follows" flag.
//! Long scans arrive in several reports and are put back together. Vendors lay the report
//! out differently, so the layout is configuration.

/// Where things are in one report (byte offsets include the report id at byte 0).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportLayout {
    pub report_id: u8,
    /// the byte holding the number of payload bytes in this report
    pub length_at: usize,
    /// the first payload byte
    pub payload_at: usize,
    /// the payload of a scan's first report starts with the 3-byte AIM identifier
    pub aim_in_payload: bool,
    /// the byte and bit saying another report of the same scan follows
    pub more_at: usize,
    pub more_bit: u8,
}

impl ReportLayout {
    /// Honeywell / Access-IS style: id 2, length at 1, AIM + data from 2, more flag at 63.
    pub const HONEYWELL: ReportLayout = ReportLayout {
        report_id: 2,
        length_at: 1,
        payload_at: 2,
        aim_in_payload: true,
        more_at: 63,
        more_bit: 0,
    };

    /// Newland / ID TECH style: id 2, length at 1, data from 2 (no AIM), more flag at 63.
    pub const NEWLAND: ReportLayout = ReportLayout {
        report_id: 2,
        length_at: 1,
        payload_at: 2,
        aim_in_payload: false,
        more_at: 63,
        more_bit: 0,
    };

    pub fn named(name: &str) -> Option<ReportLayout> {
        match name {
            "honeywell" => Some(ReportLayout::HONEYWELL),
            "newland" => Some(ReportLayout::NEWLAND),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HidOutput {
    /// a whole scan, the AIM identifier first when the scanner sends one
    Scan(Vec<u8>),
    /// a report that does not fit the layout (too short, wrong id, bad length)
    Garbage(String),
}

/// The longest scan put back together before it is reported as garbage.
const MAX_SCAN: usize = 4096;

#[derive(Debug, Clone)]
pub struct HidPosDecoder {
    layout: ReportLayout,
    assembled: Vec<u8>,
}

impl HidPosDecoder {
    pub fn new(layout: ReportLayout) -> HidPosDecoder {
        HidPosDecoder {
            layout,
            assembled: Vec::new(),
        }
    }

    /// One input report as hidraw returns it (report id first).
    pub fn report(&mut self, report: &[u8]) -> Option<HidOutput> {
        let l = self.layout;
        let garbage = |why: String| Some(HidOutput::Garbage(why));
        if report.first() != Some(&l.report_id) {
            return garbage(format!(
                "report id {:?}, expected {}",
                report.first(),
                l.report_id
            ));
        }
        let Some(&length) = report.get(l.length_at) else {
            return garbage(format!("a {}-byte report has no length byte", report.len()));
        };
        let end = l.payload_at + usize::from(length);
        let Some(payload) = report.get(l.payload_at..end) else {
            return garbage(format!(
                "length {length} runs past the {}-byte report",
                report.len()
            ));
        };
        self.assembled.extend_from_slice(payload);
        if self.assembled.len() > MAX_SCAN {
            self.assembled.clear();
            return garbage(format!("a scan longer than {MAX_SCAN} bytes"));
        }
        let more = report
            .get(l.more_at)
            .is_some_and(|b| b & (1 << l.more_bit) != 0);
        if more {
            return None;
        }
        let mut scan = std::mem::take(&mut self.assembled);
        while scan.last().is_some_and(|b| *b == b'\r' || *b == b'\n') {
            scan.pop();
        }
        if scan.is_empty() {
            return None;
        }
        Some(HidOutput::Scan(scan))
    }
}

/// Splits `data` (AIM first if the layout has it) into 64-byte reports, for tests and
/// device simulators.
pub fn reports_for(layout: ReportLayout, data: &[u8]) -> Vec<Vec<u8>> {
    let room = (layout.more_at.min(64) - layout.payload_at).min(255);
    let chunks: Vec<&[u8]> = data.chunks(room).collect();
    chunks
        .iter()
        .enumerate()
        .map(|(i, chunk)| {
            let mut report = vec![0u8; 64];
            report[0] = layout.report_id;
            report[layout.length_at] = chunk.len() as u8;
            report[layout.payload_at..layout.payload_at + chunk.len()].copy_from_slice(chunk);
            if i + 1 < chunks.len() {
                report[layout.more_at] |= 1 << layout.more_bit;
            }
            report
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn decode(layout: ReportLayout, reports: &[Vec<u8>]) -> Vec<HidOutput> {
        let mut decoder = HidPosDecoder::new(layout);
        reports.iter().filter_map(|r| decoder.report(r)).collect()
    }

    #[test]
    fn reports_to_scans() {
        let gs1 = b"]C10109501101530003\x1d10LOT-42".to_vec();
        // the probe's report: [0x02, len, AIM + data, zero padding]
        let mut report = vec![0u8; 64];
        report[0] = 2;
        report[1] = gs1.len() as u8;
        report[2..2 + gs1.len()].copy_from_slice(&gs1);
        assert_eq!(
            decode(ReportLayout::HONEYWELL, &[report]),
            vec![HidOutput::Scan(gs1.clone())]
        );
        // a long scan over several reports, with a trailing CR
        let mut long = b"]d2".to_vec();
        long.extend(std::iter::repeat_n(b'7', 150));
        long.push(b'\r');
        let reports = reports_for(ReportLayout::HONEYWELL, &long);
        assert_eq!(reports.len(), 3);
        assert_eq!(
            decode(ReportLayout::HONEYWELL, &reports),
            vec![HidOutput::Scan(long[..long.len() - 1].to_vec())]
        );
        // Newland style, no AIM
        let reports = reports_for(ReportLayout::NEWLAND, b"LAV-2611-001");
        assert_eq!(
            decode(ReportLayout::NEWLAND, &reports),
            vec![HidOutput::Scan(b"LAV-2611-001".to_vec())]
        );
        // bad reports are reported, and the next scan is fine
        let mut bad = vec![0u8; 64];
        bad[0] = 2;
        bad[1] = 200;
        let out = decode(
            ReportLayout::HONEYWELL,
            &[
                vec![9, 1, 2],
                bad,
                vec![2],
                reports_for(ReportLayout::HONEYWELL, b"]C0OK")[0].clone(),
            ],
        );
        assert!(
            matches!(&out[0], HidOutput::Garbage(why) if why.contains("report id")),
            "{out:?}"
        );
        assert!(
            matches!(&out[1], HidOutput::Garbage(why) if why.contains("runs past")),
            "{out:?}"
        );
        assert!(
            matches!(&out[2], HidOutput::Garbage(why) if why.contains("no length byte")),
            "{out:?}"
        );
        assert_eq!(out[3], HidOutput::Scan(b"]C0OK".to_vec()));
    }

    proptest! {
        #[test]
        fn random_reports_never_panic(reports in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..80), 0..50)) {
            for layout in [ReportLayout::HONEYWELL, ReportLayout::NEWLAND] {
                let mut decoder = HidPosDecoder::new(layout);
                for report in &reports {
                    let _ = decoder.report(report);
                }
                prop_assert!(decoder.assembled.len() <= MAX_SCAN + 64);
            }
        }

        #[test]
        fn what_we_split_we_put_back(data in proptest::collection::vec(32u8..127, 1..600)) {
            let reports = reports_for(ReportLayout::NEWLAND, &data);
            prop_assert_eq!(decode(ReportLayout::NEWLAND, &reports), vec![HidOutput::Scan(data.clone())]);
        }
    }
}
