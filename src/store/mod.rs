//! The only place with SQL. SQLite (bundled) in WAL mode with `synchronous=FULL` and
//! foreign keys on; append-only migrations; the hash-chained journal; the record tables;
//! master-data imports. No rusqlite type leaves this module: a second backend
//! (PostgreSQL) implements the same `Store`/`StoreTx` surface.

mod crosscheck;
mod history;
mod import;
mod journal;
mod labels;
mod schema;
mod summary;
mod trace;
pub mod witness;
mod world;

pub use history::HistorySummary;
pub use import::{ImportSummary, sha256_hex};
pub use journal::{JournalEntry, NewEntry, VerifyReport};
pub use summary::StationSummary;
pub use trace::Target;

use std::path::{Path, PathBuf};

use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};

use crate::core::workflow::{BenchState, PrintRequest, Record, Status};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database {path}: {source}")]
    Open {
        path: PathBuf,
        source: rusqlite::Error,
    },
    #[error("database {path} does not exist")]
    Missing { path: PathBuf },
    #[error(
        "database {path} was written by a newer lotstation (schema {found}, this one knows {known})"
    )]
    TooNew {
        path: PathBuf,
        found: i64,
        known: i64,
    },
    #[error("database: {0}")]
    Sql(#[from] rusqlite::Error),
    #[error("journal witness {path}: {source}")]
    Witness {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("database holds a value it cannot read: {0}")]
    Corrupt(String),
    #[error("{0}")]
    NotFound(String),
    /// a supplier lot number that names several lots: the caller must choose
    #[error("{0}")]
    Ambiguous(String),
    /// a request the records cannot answer as asked (a forward trace from an order)
    #[error("{0}")]
    Refused(String),
    #[error(transparent)]
    Import(#[from] crate::masterdata::ImportError),
}

/// How a print job ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PrintOutcome {
    /// the printer took the whole job and confirmed it
    Printed,
    /// it cannot print (a template that does not render, a printer that refuses it)
    Failed,
    /// the whole job was sent but the printer did not confirm it, or took it and then
    /// reported a problem: it may or may not have printed; a person must look
    Uncertain,
}

impl PrintOutcome {
    pub fn as_str(self) -> &'static str {
        match self {
            PrintOutcome::Printed => "printed",
            PrintOutcome::Failed => "failed",
            PrintOutcome::Uncertain => "uncertain",
        }
    }
}

/// A print job waiting for its printer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrintJob {
    pub id: i64,
    pub bench: String,
    pub printer: String,
    pub label: crate::label::LabelKind,
    pub code: String,
    pub copies: u32,
}

/// One open database.
pub struct Store {
    conn: Connection,
    path: PathBuf,
    /// where each commit's head is witnessed (none on a read-only store)
    witness: Option<witness::Witness>,
}

/// Prepared statements kept per connection (rusqlite keeps 16 unless told).
const STATEMENT_CACHE: usize = 256;

/// `query_row` and `execute` through the connection's statement cache: the bench runs the
/// same statements on every scan, and preparing one costs more than running it.
pub(crate) trait Cached {
    fn cached_row<T, P, F>(&self, sql: &str, params: P, f: F) -> rusqlite::Result<T>
    where
        P: rusqlite::Params,
        F: FnOnce(&rusqlite::Row<'_>) -> rusqlite::Result<T>;
    fn cached_execute<P: rusqlite::Params>(&self, sql: &str, params: P) -> rusqlite::Result<usize>;
}

impl Cached for Connection {
    fn cached_row<T, P, F>(&self, sql: &str, params: P, f: F) -> rusqlite::Result<T>
    where
        P: rusqlite::Params,
        F: FnOnce(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
    {
        self.prepare_cached(sql)?.query_row(params, f)
    }

    fn cached_execute<P: rusqlite::Params>(&self, sql: &str, params: P) -> rusqlite::Result<usize> {
        self.prepare_cached(sql)?.execute(params)
    }
}

impl Store {
    /// Opens (creating if needed) and migrates the database.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        if let Some(parent) = path.parent()
            && !parent.as_os_str().is_empty()
            && !parent.exists()
        {
            std::fs::create_dir_all(parent).map_err(|e| StoreError::Open {
                path: path.to_path_buf(),
                source: rusqlite::Error::InvalidPath(PathBuf::from(e.to_string())),
            })?;
        }
        let conn = Connection::open(path).map_err(|source| StoreError::Open {
            path: path.to_path_buf(),
            source,
        })?;
        let witness = open_witness(&witness::Witness::default_path(path))?;
        let mut store = Store {
            conn,
            path: path.to_path_buf(),
            witness: Some(witness),
        };
        store.configure()?;
        store.migrate()?;
        Ok(store)
    }

    /// Opens an existing database for reading only: no migration, no schema statements,
    /// `query_only` set so that no statement can write through it. A database written by
    /// an older lotstation is migrated once first, through a write connection.
    pub fn open_read_only(path: &Path) -> Result<Store, StoreError> {
        if !path.exists() {
            return Err(StoreError::Missing {
                path: path.to_path_buf(),
            });
        }
        let open = || {
            Connection::open_with_flags(
                path,
                rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY
                    | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
            )
            .map_err(|source| StoreError::Open {
                path: path.to_path_buf(),
                source,
            })
        };
        let conn = open()?;
        let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        let known = schema::MIGRATIONS.len() as i64;
        if version > known {
            return Err(StoreError::TooNew {
                path: path.to_path_buf(),
                found: version,
                known,
            });
        }
        let conn = if version < known {
            drop(conn);
            drop(Store::open(path)?);
            open()?
        } else {
            conn
        };
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
        conn.execute_batch(
            "PRAGMA query_only=ON; PRAGMA mmap_size=268435456; PRAGMA cache_size=-16384;",
        )?;
        Ok(Store {
            conn,
            path: path.to_path_buf(),
            witness: None,
        })
    }

    /// Opens a database that must already exist (for commands that only read or check).
    pub fn open_existing(path: &Path) -> Result<Store, StoreError> {
        if !path.exists() {
            return Err(StoreError::Missing {
                path: path.to_path_buf(),
            });
        }
        Store::open(path)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn configure(&mut self) -> Result<(), StoreError> {
        let open_err = |source| StoreError::Open {
            path: self.path.clone(),
            source,
        };
        self.conn
            .busy_timeout(std::time::Duration::from_secs(10))
            .map_err(open_err)?;
        // a scan runs a few dozen distinct statements; all stay prepared
        self.conn
            .set_prepared_statement_cache_capacity(STATEMENT_CACHE);
        self.conn
            .execute_batch(
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;
                 PRAGMA mmap_size=268435456; PRAGMA cache_size=-16384;",
            )
            .map_err(|source| StoreError::Open {
                path: self.path.clone(),
                source,
            })?;
        Ok(())
    }

    fn migrate(&mut self) -> Result<(), StoreError> {
        let version: i64 = self
            .conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))?;
        let known = schema::MIGRATIONS.len() as i64;
        if version > known {
            return Err(StoreError::TooNew {
                path: self.path.clone(),
                found: version,
                known,
            });
        }
        for (index, sql) in schema::MIGRATIONS.iter().enumerate().skip(version as usize) {
            let tx = self
                .conn
                .transaction_with_behavior(TransactionBehavior::Immediate)?;
            tx.execute_batch(sql)?;
            tx.execute_batch(&format!("PRAGMA user_version = {}", index + 1))?;
            tx.commit()?;
        }
        for table in schema::APPEND_ONLY_TABLES {
            self.conn.execute_batch(&format!(
                "CREATE TRIGGER IF NOT EXISTS {table}_no_update BEFORE UPDATE ON {table} \
                 BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END; \
                 CREATE TRIGGER IF NOT EXISTS {table}_no_delete BEFORE DELETE ON {table} \
                 BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END;"
            ))?;
        }
        for table in schema::APPEND_ONLY_TABLES.iter().chain(&["journal"]) {
            self.refuse_replace(table)?;
        }
        Ok(())
    }

    /// `INSERT OR REPLACE` (and an upsert) over an existing row deletes it without firing
    /// delete triggers unless a connection sets `recursive_triggers`, which a person with
    /// the sqlite3 shell would not. So: a row whose rowid or unique key is already taken is
    /// refused before it is inserted, whoever inserts it.
    fn refuse_replace(&self, table: &str) -> Result<(), StoreError> {
        let mut keys: Vec<Vec<String>> = vec![vec!["rowid".to_string()]];
        let unique_indexes: Vec<String> = {
            let mut stmt = self
                .conn
                .prepare("SELECT name FROM pragma_index_list(?1) WHERE \"unique\" = 1")?;
            stmt.query_map([table], |r| r.get(0))?
                .collect::<Result<_, _>>()?
        };
        for index in unique_indexes {
            let mut stmt = self
                .conn
                .prepare("SELECT name FROM pragma_index_info(?1) ORDER BY seqno")?;
            let columns: Vec<String> = stmt
                .query_map([&index], |r| r.get(0))?
                .collect::<Result<_, _>>()?;
            if !columns.is_empty() {
                keys.push(columns);
            }
        }
        for (n, key) in keys.iter().enumerate() {
            let matches = key
                .iter()
                .map(|c| format!("old.{c} = NEW.{c}"))
                .collect::<Vec<_>>()
                .join(" AND ");
            self.conn.execute_batch(&format!(
                "CREATE TRIGGER IF NOT EXISTS {table}_no_replace_{n} BEFORE INSERT ON {table} \
                 WHEN EXISTS (SELECT 1 FROM {table} AS old WHERE {matches}) \
                 BEGIN SELECT RAISE(ABORT, '{table} is append-only: a row with this key exists'); END;"
            ))?;
        }
        Ok(())
    }

    /// Starts a write transaction that holds the write lock from its first statement.
    pub fn begin(&mut self) -> Result<StoreTx<'_>, StoreError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        Ok(StoreTx {
            tx,
            witness: self.witness.as_ref(),
        })
    }

    /// Moves everything in the write-ahead log into the database file and empties the log
    /// (at a clean stop, so the database file alone holds every record).
    pub fn checkpoint(&self) -> Result<(), StoreError> {
        self.conn
            .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
        Ok(())
    }

    /// Witnesses this database's heads in `path` instead of the default file beside it.
    pub fn set_witness(&mut self, path: &Path) -> Result<(), StoreError> {
        self.witness = Some(open_witness(path)?);
        Ok(())
    }

    /// Print jobs with a printer and no outcome yet, oldest first.
    pub fn pending_print_jobs(&self) -> Result<Vec<PrintJob>, StoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT j.id, j.bench, j.printer, j.label, j.code, j.copies FROM print_jobs j
             WHERE j.printer IS NOT NULL AND NOT EXISTS (SELECT 1 FROM print_outcomes o WHERE o.job_id = j.id)
             ORDER BY j.id",
        )?;
        let rows = stmt.query_map([], |r| {
            let label: String = r.get(3)?;
            Ok(PrintJob {
                id: r.get(0)?,
                bench: r.get(1)?,
                printer: r.get(2)?,
                label: match label.as_str() {
                    "lot" => crate::label::LabelKind::Lot,
                    "batch" => crate::label::LabelKind::Batch,
                    _ => crate::label::LabelKind::Shipment,
                },
                code: r.get(4)?,
                copies: r.get(5)?,
            })
        })?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }

    /// The bench's saved state, if it has one.
    pub fn bench_state(&self, bench: &str) -> Result<Option<BenchState>, StoreError> {
        let text: Option<String> = self
            .conn
            .cached_row(
                "SELECT state FROM bench_state WHERE bench = ?1",
                [bench],
                |r| r.get(0),
            )
            .optional()?;
        match text {
            Some(text) => serde_json::from_str(&text)
                .map(Some)
                .map_err(|e| StoreError::Corrupt(format!("bench state of {bench}: {e}"))),
            None => Ok(None),
        }
    }

    /// Records a status change made outside a bench (the `hold`/`release` commands).
    pub fn change_status(
        &mut self,
        code: &str,
        status: Status,
        reason: &str,
        at: jiff::Timestamp,
        operator: Option<&str>,
    ) -> Result<i64, StoreError> {
        let mut tx = self.begin()?;
        if tx.stock_exists(code)?.is_none() {
            return Err(StoreError::NotFound(format!(
                "no lot or batch has the code {code}"
            )));
        }
        let record = Record::StatusChange {
            code: code.to_string(),
            status,
            reason: reason.to_string(),
            at,
        };
        let seq = tx.append_record(&record, None, operator, at, None)?;
        tx.commit()?;
        Ok(seq)
    }
}

/// One write transaction: everything a scan changes commits together or not at all.
pub struct StoreTx<'a> {
    tx: rusqlite::Transaction<'a>,
    witness: Option<&'a witness::Witness>,
}

impl StoreTx<'_> {
    /// Marks a point to roll back to (one per scan in a group commit).
    pub fn savepoint(&mut self) -> Result<(), StoreError> {
        self.tx.prepare_cached("SAVEPOINT scan")?.execute([])?;
        Ok(())
    }

    /// Undoes everything since `savepoint` (and keeps the savepoint's place released).
    pub fn rollback_to_savepoint(&mut self) -> Result<(), StoreError> {
        self.tx.prepare_cached("ROLLBACK TO scan")?.execute([])?;
        self.tx.prepare_cached("RELEASE scan")?.execute([])?;
        Ok(())
    }

    pub fn release_savepoint(&mut self) -> Result<(), StoreError> {
        self.tx.prepare_cached("RELEASE scan")?.execute([])?;
        Ok(())
    }

    /// Commits (durably), then witnesses the new head outside the database.
    pub fn commit(self) -> Result<(), StoreError> {
        let head: Option<(i64, String, String)> = match self.witness {
            Some(_) => self
                .tx
                .cached_row(
                    "SELECT seq, hash, at FROM journal ORDER BY seq DESC LIMIT 1",
                    [],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
                )
                .optional()?,
            None => None,
        };
        self.tx.commit()?;
        if let (Some(witness), Some((seq, hash, at))) = (self.witness, head) {
            witness.record(seq, &hash, &at);
        }
        Ok(())
    }

    pub fn rollback(self) -> Result<(), StoreError> {
        self.tx.rollback()?;
        Ok(())
    }

    /// Journals a record and writes its rows; returns the journal sequence number.
    pub fn append_record(
        &mut self,
        record: &Record,
        bench: Option<&str>,
        operator: Option<&str>,
        at: jiff::Timestamp,
        scan_seq: Option<i64>,
    ) -> Result<i64, StoreError> {
        let extra = scan_seq.map(|seq| ("scan_seq", serde_json::Value::from(seq)));
        self.append_record_with(record, bench, operator, at, extra)
    }

    /// Journals a record with one extra field in its body (`scan_seq`, `imported`).
    pub fn append_record_with(
        &mut self,
        record: &Record,
        bench: Option<&str>,
        operator: Option<&str>,
        at: jiff::Timestamp,
        extra: Option<(&str, serde_json::Value)>,
    ) -> Result<i64, StoreError> {
        let mut body =
            serde_json::to_value(record).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        if let (Some((key, value)), Some(map)) = (extra, body.as_object_mut()) {
            map.insert(key.into(), value);
        }
        let seq = self.append(&NewEntry {
            at,
            kind: record.kind(),
            bench,
            device: None,
            operator,
            body: &body,
        })?;
        self.write_record_rows(seq, record)?;
        Ok(seq)
    }

    fn write_record_rows(&mut self, seq: i64, record: &Record) -> Result<(), StoreError> {
        let tx = &self.tx;
        match record {
            Record::LotReceived {
                code,
                item_sku,
                supplier_code,
                supplier_lot,
                invoice,
                quantity,
                received_at,
                expiry,
                note,
                ..
            } => {
                tx.prepare_cached(
                    "INSERT INTO lots (code, item_sku, supplier_code, supplier_lot, invoice, quantity, received_at, expiry, note, journal_seq)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                    )?.execute(
                    params![
                        code,
                        item_sku,
                        supplier_code,
                        supplier_lot,
                        invoice,
                        quantity,
                        received_at.to_string(),
                        expiry.map(|d| d.to_string()),
                        note,
                        seq
                    ],
                )?;
            }
            Record::BatchOpened {
                code,
                product_sku,
                opened_at,
                production_date,
            } => {
                tx.prepare_cached(
                    "INSERT INTO batches (code, product_sku, opened_at, production_date, journal_seq) VALUES (?1, ?2, ?3, ?4, ?5)",
                    )?.execute(
                    params![code, product_sku, opened_at.to_string(), production_date.to_string(), seq],
                )?;
            }
            Record::Consumption {
                batch_code,
                line_no,
                input_code,
                input_kind,
                quantity,
                warning,
                ..
            } => {
                tx.prepare_cached(
                    "INSERT INTO consumptions (batch_code, line_no, input_code, input_kind, quantity, warning, journal_seq)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                    )?.execute(
                    params![batch_code, line_no, input_code, input_kind.noun(), quantity, warning, seq],
                )?;
            }
            Record::BatchClosed {
                code,
                yield_quantity,
                expiry,
                closed_at,
                note,
                ..
            } => {
                tx.prepare_cached(
                    "INSERT INTO batch_closures (batch_code, yield_quantity, expiry, closed_at, note, journal_seq)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                    )?.execute(
                    params![code, yield_quantity, expiry.map(|d| d.to_string()), closed_at.to_string(), note, seq],
                )?;
            }
            Record::Shipment {
                code,
                order_number,
                customer_code,
                shipped_at,
                lines,
            } => {
                tx.prepare_cached(
                    "INSERT INTO shipments (code, order_number, customer_code, shipped_at, journal_seq) VALUES (?1, ?2, ?3, ?4, ?5)",
                    )?.execute(
                    params![code, order_number, customer_code, shipped_at.to_string(), seq],
                )?;
                let mut insert = tx.prepare_cached(
                    "INSERT INTO shipment_lines (shipment_code, line_no, batch_code, quantity) VALUES (?1, ?2, ?3, ?4)",
                )?;
                for (i, line) in lines.iter().enumerate() {
                    insert.execute(params![code, i as i64 + 1, line.batch_code, line.quantity])?;
                }
            }
            Record::Waste {
                code,
                quantity,
                reason,
                at,
                ..
            } => {
                tx.prepare_cached(
                    "INSERT INTO wastes (code, quantity, reason, at, journal_seq) VALUES (?1, ?2, ?3, ?4, ?5)",
                    )?.execute(
                    params![code, quantity, reason, at.to_string(), seq],
                )?;
            }
            Record::StatusChange {
                code,
                status,
                reason,
                at,
            } => {
                tx.prepare_cached(
                    "INSERT INTO status_changes (code, status, reason, at, journal_seq) VALUES (?1, ?2, ?3, ?4, ?5)",
                    )?.execute(
                    params![code, status.as_str(), reason, at.to_string(), seq],
                )?;
            }
            Record::Correction { target, reason, at } => {
                use crate::core::workflow::CorrectionTarget;
                let (kind, code, line) = match target {
                    CorrectionTarget::Lot { code } => ("lot", code, None),
                    CorrectionTarget::Consumption {
                        batch_code,
                        line_no,
                    } => ("consumption", batch_code, Some(i64::from(*line_no))),
                    CorrectionTarget::Batch { code } => ("batch", code, None),
                };
                tx.prepare_cached(
                    "INSERT INTO corrections (target_kind, target_code, target_line, reason, at, journal_seq)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                    )?.execute(
                    params![kind, code, line, reason, at.to_string(), seq],
                )?;
            }
        }
        Ok(())
    }

    /// Journals what became of a print job.
    pub fn append_print_outcome(
        &mut self,
        job: &PrintJob,
        outcome: PrintOutcome,
        detail: &str,
        at: jiff::Timestamp,
    ) -> Result<i64, StoreError> {
        let outcome = outcome.as_str();
        let body = serde_json::json!({
            "job_id": job.id,
            "label": job.label,
            "code": job.code,
            "copies": job.copies,
            "outcome": outcome,
            "detail": detail,
        });
        let seq = self.append(&NewEntry {
            at,
            kind: "print_outcome",
            bench: Some(&job.bench),
            device: Some(&job.printer),
            operator: None,
            body: &body,
        })?;
        self.tx
            .prepare_cached("INSERT INTO print_outcomes (job_id, outcome, detail, journal_seq) VALUES (?1, ?2, ?3, ?4)")?
            .execute(params![job.id, outcome, detail, seq])?;
        Ok(seq)
    }

    /// Journals a print job (before anything is sent to a printer); returns the journal
    /// sequence number and the job's id.
    pub fn append_print_job(
        &mut self,
        print: &PrintRequest,
        bench: &str,
        printer: Option<&str>,
        operator: Option<&str>,
        at: jiff::Timestamp,
        scan_seq: i64,
    ) -> Result<(i64, i64), StoreError> {
        let body = serde_json::json!({
            "label": print.label,
            "code": print.code,
            "copies": print.copies,
            "printer": printer,
            "scan_seq": scan_seq,
        });
        let seq = self.append(&NewEntry {
            at,
            kind: "print_job",
            bench: Some(bench),
            device: printer,
            operator,
            body: &body,
        })?;
        self.tx.prepare_cached(
            "INSERT INTO print_jobs (bench, printer, label, code, copies, journal_seq) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?.execute(
            params![
                bench,
                printer,
                print.label.noun(),
                print.code,
                print.copies,
                seq
            ],
        )?;
        Ok((seq, self.tx.last_insert_rowid()))
    }

    /// Saves what the bench has open, with the scan that changed it.
    pub fn save_bench_state(&mut self, bench: &str, state: &BenchState) -> Result<(), StoreError> {
        let text = serde_json::to_string(state).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        self.tx
            .prepare_cached(
                "INSERT INTO bench_state (bench, state) VALUES (?1, ?2)
             ON CONFLICT(bench) DO UPDATE SET state = excluded.state",
            )?
            .execute(params![bench, text])?;
        Ok(())
    }

    /// The kind of the lot or batch with this code, if any.
    fn stock_exists(&self, code: &str) -> Result<Option<&'static str>, StoreError> {
        let lot: bool = self.tx.cached_row(
            "SELECT EXISTS(SELECT 1 FROM lots WHERE code = ?1)",
            [code],
            |r| r.get(0),
        )?;
        if lot {
            return Ok(Some("lot"));
        }
        let batch: bool = self.tx.cached_row(
            "SELECT EXISTS(SELECT 1 FROM batches WHERE code = ?1)",
            [code],
            |r| r.get(0),
        )?;
        Ok(batch.then_some("batch"))
    }
}

/// The time the disk takes for `rows` single-row durable commits, with the store's journal
/// mode and sync level, on a scratch database at `path` (created on the first call, grown
/// by each): the ceiling of one bench's scans, for the benchmark to compare against.
pub fn disk_commit_time(path: &Path, rows: usize) -> Result<std::time::Duration, StoreError> {
    let conn = rusqlite::Connection::open(path)?;
    conn.execute_batch(
        "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; CREATE TABLE IF NOT EXISTS t (x INTEGER);",
    )?;
    let started = std::time::Instant::now();
    for i in 0..rows {
        conn.execute("INSERT INTO t (x) VALUES (?1)", [i as i64])?;
    }
    Ok(started.elapsed())
}

/// A few read-only connections, opened once and lent out one query at a time (the HTTP
/// server's reads): no connection, PRAGMA or schema check per request.
pub struct ReadPool {
    path: PathBuf,
    idle: std::sync::Mutex<Vec<Store>>,
    max_idle: usize,
}

impl ReadPool {
    pub fn new(path: &Path, max_idle: usize) -> ReadPool {
        ReadPool {
            path: path.to_path_buf(),
            idle: std::sync::Mutex::new(Vec::new()),
            max_idle,
        }
    }

    /// Runs `read` on an idle connection (opening one when none is idle) and keeps the
    /// connection for the next read.
    pub fn with<T>(&self, read: impl FnOnce(&mut Store) -> T) -> Result<T, StoreError> {
        let idle = self.lock().pop();
        let mut store = match idle {
            Some(store) => store,
            None => Store::open_read_only(&self.path)?,
        };
        let result = read(&mut store);
        let mut idle = self.lock();
        if idle.len() < self.max_idle {
            idle.push(store);
        }
        Ok(result)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Store>> {
        // a reader that panicked leaves only whole connections behind
        self.idle
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

fn open_witness(path: &Path) -> Result<witness::Witness, StoreError> {
    witness::Witness::open(path).map_err(|source| StoreError::Witness {
        path: path.to_path_buf(),
        source,
    })
}
