//! The station configuration: any text is a checked station or an error naming the key.
#![no_main]
use libfuzzer_sys::fuzz_target;
use lotstation_core::host::InMemory;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = lotstation_core::config::Station::from_toml(
            &InMemory::default(),
            text,
            std::path::Path::new("fuzz.toml"),
        );
    }
});
