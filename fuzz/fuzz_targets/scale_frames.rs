//! Scale protocols: any bytes on the serial line, in any chunks, give readings or nothing.
#![no_main]
use libfuzzer_sys::fuzz_target;
use lotstation_core::codes::Unit;
use lotstation_core::decode::scale::{Protocol, ScaleDecoder};

fuzz_target!(|data: &[u8]| {
    let Some((&selector, bytes)) = data.split_first() else {
        return;
    };
    let protocol = match selector % 5 {
        0 => Protocol::MtSics,
        1 => Protocol::Toledo8217,
        2 => Protocol::ToledoContinuous,
        3 => Protocol::AndD,
        _ => Protocol::Cas,
    };
    let mut decoder = ScaleDecoder::new(protocol, Unit::Kg);
    let chunk = usize::from(selector / 5).max(1);
    for piece in bytes.chunks(chunk) {
        for reading in decoder.push(piece) {
            let _ = reading.display();
        }
    }
});
