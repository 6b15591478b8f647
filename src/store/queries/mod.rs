//! The queries: what the records answer, computed on every call. What a code names and
//! what traces share (`trace.rs`), the forward trace (`forward.rs`), the backward trace
//! (`backward.rs`), stock and recalls (`stock.rs`), the records as FSMA 204 events
//! (`compliance.rs`), a label's facts (`labels.rs`), master data as the console lists it
//! (`master.rs`), counts (`summary.rs`), and what the
//! benchmark asks of a generated history (`samples.rs`).

mod backward;
pub(crate) mod compliance;
mod forward;
mod labels;
pub(crate) mod master;
mod samples;
mod stock;
pub(crate) mod summary;
pub(crate) mod trace;
