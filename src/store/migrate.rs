//! Moving up: a SQLite station's records copied, row for row, into an empty PostgreSQL
//! database (`lotstation migrate --to`), in one transaction, then both journals verified.
//! The journal's entries keep their sequence numbers and hashes, so the chain the stations
//! go on appending to is the same chain, and every witnessed head is still in it.

use super::sql::{ToDb, Value, params};
use super::{Location, Store, StoreError, VerifyReport};

/// Every table with rows to carry, parents before children. `shipment_index` is derived
/// (its trigger fills it as shipment lines arrive); `lotstation_meta` is the target's own.
const TABLES: &[&str] = &[
    "items",
    "suppliers",
    "customers",
    "boms",
    "orders",
    "order_lines",
    "journal",
    "codes",
    "code_counters",
    "lots",
    "batches",
    "batch_closures",
    "consumptions",
    "shipments",
    "shipment_lines",
    "wastes",
    "status_changes",
    "corrections",
    "adjustments",
    "print_jobs",
    "print_outcomes",
    "bench_state",
    "expected_receipts",
];

/// Tables whose `id` the target numbers itself from now on.
const WITH_IDS: &[&str] = &[
    "consumptions",
    "wastes",
    "status_changes",
    "corrections",
    "adjustments",
    "print_jobs",
    "print_outcomes",
];

/// Rows per INSERT (PostgreSQL takes at most 65,535 parameters in one statement).
const ROWS_PER_INSERT: usize = 500;

/// What `migrate` did.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Migrated {
    /// (table, rows copied)
    pub tables: Vec<(String, u64)>,
    pub source: VerifyReport,
    pub target: VerifyReport,
}

impl Store {
    /// Copies every record of this (SQLite) store into `target`, which must be a
    /// PostgreSQL database with no records yet; then verifies both journals.
    pub fn migrate_to(&self, target: &mut Store) -> Result<Migrated, StoreError> {
        if !matches!(self.location, Location::Sqlite(_)) {
            return Err(StoreError::Refused(
                "migrate copies a SQLite station's records (--db names the file)".into(),
            ));
        }
        if !matches!(target.location, Location::Postgres(_)) {
            return Err(StoreError::Refused(format!(
                "migrate copies into a PostgreSQL database (postgresql://user@host/database), not {}",
                target.location
            )));
        }
        for table in ["journal", "items", "suppliers", "customers", "orders"] {
            let rows: i64 =
                target
                    .db
                    .row(&format!("SELECT COUNT(*) FROM {table}"), params![], |r| {
                        r.get(0)
                    })?;
            if rows > 0 {
                return Err(StoreError::Refused(format!(
                    "{} already holds records ({rows} in {table}): migrate fills an empty database only",
                    target.location
                )));
            }
        }
        let mut copied = Vec::new();
        let tx = target.begin()?;
        for table in TABLES {
            let columns: Vec<String> = self.db.rows(
                "SELECT name FROM pragma_table_info($1) ORDER BY cid",
                params![table],
                |r| r.get(0),
            )?;
            let list = columns.join(", ");
            let rows: Vec<Vec<Value>> = self.db.rows(
                &format!("SELECT {list} FROM {table} ORDER BY 1"),
                params![],
                |r| (0..columns.len()).map(|i| r.get(i)).collect(),
            )?;
            for chunk in rows.chunks(ROWS_PER_INSERT) {
                let mut sql = format!("INSERT INTO {table} ({list}) VALUES ");
                let mut n = 0;
                for (i, _) in chunk.iter().enumerate() {
                    if i > 0 {
                        sql.push_str(", ");
                    }
                    sql.push('(');
                    for c in 0..columns.len() {
                        n += 1;
                        if c > 0 {
                            sql.push_str(", ");
                        }
                        sql.push_str(&format!("${n}"));
                    }
                    sql.push(')');
                }
                let values: Vec<&dyn ToDb> = chunk
                    .iter()
                    .flat_map(|row| row.iter().map(|v| v as &dyn ToDb))
                    .collect();
                tx.db.execute(&sql, &values)?;
            }
            copied.push((table.to_string(), rows.len() as u64));
        }
        for table in WITH_IDS {
            tx.db.row(
                &format!(
                    "SELECT setval(pg_get_serial_sequence('{table}', 'id'), COALESCE(MAX(id), 0) + 1, false) FROM {table}"
                ),
                params![],
                |_| Ok(()),
            )?;
        }
        tx.commit()?;
        target.analyze()?;
        let source = self.verify(&self.location.default_witness())?;
        let target_report = target.verify(&target.location.default_witness())?;
        Ok(Migrated {
            tables: copied,
            source,
            target: target_report,
        })
    }
}
