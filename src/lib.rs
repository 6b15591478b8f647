//! lotstation: a lot-traceability station. Modules in reading order: the pure `core`
//! (codes, GS1, scans, the bench state machine), `config`, the `store` (SQLite, the
//! hash-chained journal, imports), the `daemon` (the event loop and its inputs), and the
//! `cli` subcommands.

pub mod bench;
pub mod cli;
pub mod clock;
pub mod config;
pub mod core;
pub mod daemon;
pub mod decode;
pub mod devices;
pub mod epcis;
pub mod events;
pub mod history_check;
pub mod http;
pub mod label;
pub mod masterdata;
pub mod pdf;
pub mod report;
pub mod shops;
pub mod store;
