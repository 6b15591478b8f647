//! The pure core: no IO, no clock, no database. Time, records and ids come in as inputs.

pub mod capture;
pub mod codes;
pub mod gs1;
pub mod scan;
pub mod trace;
pub mod workflow;
