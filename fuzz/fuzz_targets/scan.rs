//! The scan grammar: any text a scanner or a person sends is a scan or a clear refusal, and a
//! scan's description never panics.
#![no_main]
use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use lotstation_core::scan::{Pattern, PrefixKind};

/// A shop's packing-slip pattern, compiled once.
static PATTERNS: LazyLock<[Pattern; 1]> = LazyLock::new(|| {
    [Pattern {
        regex: regex::Regex::new(r"^#(\d+)$").expect("pattern"),
        kind: PrefixKind::Order,
    }]
});

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data)
        && let Ok(scan) = lotstation_core::scan::parse(text, &*PATTERNS)
    {
        let _ = scan.describe();
    }
});
