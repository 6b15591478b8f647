//! Pure byte decoders: bytes in, frames or readings out. No IO, no clock.

pub mod hidpos;
pub mod keys;
pub mod lines;
pub mod ql_status;
pub mod scale;
pub mod tspl_status;
pub mod zpl_status;
