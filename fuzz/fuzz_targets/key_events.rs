//! Keyboard-wedge key events: any sequence of (code, value, time) from evdev, in any
//! layout, gives scans or nothing.
#![no_main]
use libfuzzer_sys::fuzz_target;
use lotstation_core::decode::keys::{KeyDecoder, Layout, Suffix};

fuzz_target!(|data: &[u8]| {
    let Some((&selector, events)) = data.split_first() else {
        return;
    };
    let layout = [Layout::Us, Layout::De, Layout::Fr][usize::from(selector % 3)];
    let suffix = [Suffix::Enter, Suffix::Tab, Suffix::None][usize::from(selector / 3 % 3)];
    let mut decoder = KeyDecoder::new(layout, suffix, 80);
    let mut now = 0u64;
    for event in events.chunks_exact(4) {
        let code = u16::from_le_bytes([event[0], event[1]]);
        let value = i32::from(event[2] % 3);
        now += u64::from(event[3]);
        let _ = decoder.key(code, value, now);
        let _ = decoder.tick(now);
    }
});
