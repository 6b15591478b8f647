//! HID POS reports: any report a scanner sends becomes a scan, garbage said as such, or
//! nothing yet.
#![no_main]
use libfuzzer_sys::fuzz_target;
use lotstation_core::decode::hidpos::{HidPosDecoder, ReportLayout};

fuzz_target!(|data: &[u8]| {
    let Some((&selector, bytes)) = data.split_first() else {
        return;
    };
    let layout = if selector % 2 == 0 {
        ReportLayout::HONEYWELL
    } else {
        ReportLayout::named("newland").unwrap_or(ReportLayout::HONEYWELL)
    };
    let mut decoder = HidPosDecoder::new(layout);
    let size = usize::from(selector / 2).clamp(1, 64);
    for report in bytes.chunks(size) {
        let _ = decoder.report(report);
    }
});
