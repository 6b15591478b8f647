//! The ledger: what a write transaction appends and how it is checked. The journal and its
//! hash chain (`journal.rs`), the head's witness outside the database (`witness.rs`), the
//! record tables against the journal (`crosscheck.rs`), master data against its imports
//! (`masterstate.rs`), the workflow's view of the records inside a scan's transaction
//! (`world.rs`), the console's accounts (`accounts.rs`), and what goes in through imports: master data (`import.rs`), a shop's
//! orders (`shop_orders.rs`), past records (`history.rs`), a SQLite station moved up
//! into PostgreSQL (`migrate.rs`). `Store` and `StoreTx` themselves are in `store/mod.rs`.

pub(crate) mod accounts;
pub(crate) mod crosscheck;
pub(crate) mod history;
pub(crate) mod import;
pub(crate) mod journal;
pub(crate) mod masterstate;
pub(crate) mod migrate;
pub(crate) mod shop_orders;
pub mod witness;
pub(crate) mod world;
