//! lotstation: a lot-traceability station. Modules in reading order: the pure `core`
//! (codes, GS1, scans, the bench state machine), `config`, the `store` (SQLite, the
//! hash-chained journal, imports), the `daemon` (the event loop and its inputs), and the
//! `cli` subcommands.

pub use lotstation_core as core;
pub use lotstation_core::{config, decode, epcis, history_check, label, masterdata, pdf, shops};

pub mod accounts;
pub mod bench;
pub mod cli;
pub mod clock;
pub mod daemon;
pub mod devices;
pub mod events;
pub mod http;
pub mod report;
pub mod store;
