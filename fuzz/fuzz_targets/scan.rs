//! The scan grammar: any text a scanner or a person sends is a scan or a clear refusal, and a
//! scan's description never panics.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let patterns = [lotstation::core::scan::Pattern {
            regex: regex::Regex::new(r"^#(\d+)$").expect("pattern"),
            kind: lotstation::core::scan::PrefixKind::Order,
        }];
        if let Ok(scan) = lotstation::core::scan::parse(text, &patterns) {
            let _ = scan.describe();
        }
    }
});
