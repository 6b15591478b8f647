//! Moving up: a SQLite station's records copied, row for row, into an empty PostgreSQL
//! database (`lotstation migrate --to`), in one transaction, then both journals verified.
//! The journal's entries keep their sequence numbers and hashes, so the chain the stations
//! go on appending to is the same chain, and every witnessed head is still in it.

use crate::store::sql::{ToDb, Value, params};
use crate::store::{Location, Store, StoreError, TABLES, VerifyReport};

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
        // every table with rows to carry, parents before children
        for table in TABLES.iter().map(|t| t.name) {
            let columns = self.db.columns(table)?;
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
        for table in TABLES.iter().filter(|t| t.ids) {
            tx.db.continue_ids(table.name)?;
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
