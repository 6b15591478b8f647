//! The one list of tables: what each holds, whether it is append-only and whether the
//! database numbers its rows. Both schemas' append-only triggers, `migrate` (which copies
//! them in this order, parents first), `Store::analyze` and the tests read it; a new table
//! is one line here beside its `CREATE TABLE` in each schema.

/// What a table holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Holds {
    /// master data: items, suppliers, customers, recipes, orders; re-imports change it
    /// (each import journaled with the digest of the tables it left)
    Master,
    /// the hash-chained journal (append-only; its chain says what changed)
    Journal,
    /// records: append-only, refusing UPDATE and DELETE by trigger
    Record,
    /// state that changes as work goes on: code counters, what each bench has open
    State,
}

/// One table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Table {
    pub name: &'static str,
    pub holds: Holds,
    /// its `id` is numbered by the database (a copy lets the target number its own next)
    pub ids: bool,
}

const fn table(name: &'static str, holds: Holds, ids: bool) -> Table {
    Table { name, holds, ids }
}

/// Every table with rows to keep, parents before children. `shipment_index` is derived
/// (a trigger fills it as shipment lines arrive), `lotstation_meta` is PostgreSQL's schema
/// version and `station_claims` its running stations' leases: none is listed.
pub const TABLES: &[Table] = &[
    table("items", Holds::Master, false),
    table("suppliers", Holds::Master, false),
    table("customers", Holds::Master, false),
    table("boms", Holds::Master, false),
    table("orders", Holds::Master, false),
    table("order_lines", Holds::Master, false),
    table("journal", Holds::Journal, false),
    table("codes", Holds::Record, false),
    table("code_counters", Holds::State, false),
    table("lots", Holds::Record, false),
    table("batches", Holds::Record, false),
    table("batch_closures", Holds::Record, false),
    table("consumptions", Holds::Record, true),
    table("shipments", Holds::Record, false),
    table("shipment_lines", Holds::Record, false),
    table("wastes", Holds::Record, true),
    table("status_changes", Holds::Record, true),
    table("corrections", Holds::Record, true),
    table("adjustments", Holds::Record, true),
    table("print_jobs", Holds::Record, true),
    table("print_outcomes", Holds::Record, true),
    table("bench_state", Holds::State, false),
    table("expected_receipts", Holds::Master, false),
    table("users", Holds::State, false),
];

/// The record tables, which refuse UPDATE and DELETE (the journal has its own triggers).
pub fn append_only() -> impl Iterator<Item = &'static str> {
    TABLES
        .iter()
        .filter(|t| t.holds == Holds::Record)
        .map(|t| t.name)
}

/// The tables of one kind.
pub fn holding(holds: Holds) -> impl Iterator<Item = &'static str> {
    TABLES
        .iter()
        .filter(move |t| t.holds == holds)
        .map(|t| t.name)
}
