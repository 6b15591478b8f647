//! The only place with SQL: the storage engine (`sql/`, where SQLite and PostgreSQL
//! differ and nothing else does), the `Store` and its write transaction `StoreTx` (the
//! journal, record rows, the witness, the crosscheck, master state), and the queries
//! (traces, stock, compliance, labels, summary). No rusqlite or postgres type leaves it.

mod ledger;
mod queries;
pub(crate) mod sql;

pub use ledger::history::HistorySummary;
pub use ledger::import::{ImportSummary, sha256_hex};
pub use ledger::journal::{JournalEntry, NewEntry, VerifyReport};
pub use ledger::migrate::Migrated;
pub use ledger::shop_orders::{ShopImportSummary, SkippedLine, SkuMap};
pub use ledger::witness;
pub use queries::compliance::EventFilter;
pub use queries::master::{ItemRow, RecipeLineRow, RecipeRow};
pub use queries::summary::StationSummary;
pub use queries::trace::Target;
pub use sql::tables::{Holds, TABLES, Table};
pub use sql::{Location, PgUrl};

use std::path::{Path, PathBuf};

use sql::{Access, Claim, Db, DbError, Failure, OpenError, Optional, params};

use crate::core::workflow::{BenchState, PrintRequest, Record, Status};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database {location}: {reason}")]
    Open { location: String, reason: String },
    #[error("database {location} does not exist (no records there yet)")]
    Missing { location: String },
    #[error(
        "database {location} was written by a newer lotstation (schema {found}, this one knows {known})"
    )]
    TooNew {
        location: String,
        found: i64,
        known: i64,
    },
    /// the database cannot be reached, is busy or full: nothing was written; try again
    #[error("database unavailable: {0}")]
    Unavailable(String),
    /// the connection was lost while committing: it may or may not have committed
    /// (`Store::committed` tells, once the database is back)
    #[error("database unavailable while committing: {reason}")]
    CommitUnknown {
        seq: i64,
        hash: String,
        reason: String,
    },
    /// a row conflicts with one already there (a key taken, an append-only table)
    #[error("database refused a conflicting row: {0}")]
    Conflict(String),
    /// any other failure of a statement
    #[error("database: {0}")]
    Database(String),
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

impl From<DbError> for StoreError {
    fn from(e: DbError) -> Self {
        let text = e.to_string();
        match e.failure() {
            Failure::Unavailable => StoreError::Unavailable(text),
            Failure::Conflict => StoreError::Conflict(text),
            Failure::Corrupt => StoreError::Corrupt(text),
            Failure::Other => StoreError::Database(text),
        }
    }
}

impl StoreError {
    /// A failure the workflow met while reading the records (`WorldError`, written by the
    /// store's `world_err`) as the kind it was: a lost connection stays "unavailable, try
    /// again", not "a value it cannot read".
    pub fn from_world(e: crate::core::workflow::WorldError) -> StoreError {
        let text = e.0;
        for (prefix, kind) in [
            (
                "database unavailable: ",
                StoreError::Unavailable as fn(String) -> StoreError,
            ),
            ("database refused a conflicting row: ", StoreError::Conflict),
            (
                "database holds a value it cannot read: ",
                StoreError::Corrupt,
            ),
            ("database: ", StoreError::Database),
        ] {
            if let Some(rest) = text.strip_prefix(prefix) {
                return kind(rest.to_string());
            }
        }
        StoreError::Corrupt(text)
    }

    /// Whether trying again later may succeed (the database was unreachable or busy).
    pub fn is_unavailable(&self) -> bool {
        matches!(
            self,
            StoreError::Unavailable(_) | StoreError::CommitUnknown { .. }
        )
    }
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

pub use crate::core::print::PrintJob;

/// A shipment `s` that was not voided (SQL; `s` is the shipments table).
pub(crate) const LIVE_SHIPMENT: &str = "NOT EXISTS (SELECT 1 FROM corrections k WHERE k.target_kind = 'shipment' AND k.target_code = s.code)";

/// One open database.
pub struct Store {
    db: Db,
    location: Location,
    /// where each commit's head is witnessed (none on a read-only store)
    witness: Option<witness::Witness>,
    /// the station that writes through this store, named in every journal entry
    station: Option<String>,
}

impl StoreError {
    /// The engine's refusal to open `location`, in the store's words.
    fn opening(location: &Location, e: OpenError) -> StoreError {
        match e {
            OpenError::Missing => StoreError::Missing {
                location: location.to_string(),
            },
            OpenError::TooNew { found, known } => StoreError::TooNew {
                location: location.to_string(),
                found,
                known,
            },
            OpenError::Unavailable(reason) => StoreError::Unavailable(reason),
            OpenError::Failed(reason) => StoreError::Open {
                location: location.to_string(),
                reason,
            },
            OpenError::Db(e) => e.into(),
        }
    }
}

impl Store {
    /// Opens (creating if needed) and migrates the database.
    pub fn open(location: &Location) -> Result<Store, StoreError> {
        let db = Db::open(location, Access::Write).map_err(|e| StoreError::opening(location, e))?;
        // beside a SQLite file by default; a PostgreSQL database has no "beside", so its
        // stations say where (`set_witness`: `[station] witness`, or the default in the
        // station's working directory)
        let witness = match location.witness_beside() {
            Some(path) => Some(open_witness(&path)?),
            None => None,
        };
        Ok(Store {
            db,
            location: location.clone(),
            witness,
            station: None,
        })
    }

    /// Opens an existing database for reading only: no migration, no schema statements,
    /// and nothing can write through it (SQLite `query_only`; PostgreSQL read-only
    /// transactions). A database written by an older lotstation is migrated once first,
    /// through a write connection.
    pub fn open_read_only(location: &Location) -> Result<Store, StoreError> {
        let db =
            Db::open(location, Access::ReadOnly).map_err(|e| StoreError::opening(location, e))?;
        Ok(Store {
            db,
            location: location.clone(),
            witness: None,
            station: None,
        })
    }

    /// Opens a database that must already exist (for commands that only read or check).
    pub fn open_existing(location: &Location) -> Result<Store, StoreError> {
        if !Db::exists(location).map_err(|e| StoreError::opening(location, e))? {
            return Err(StoreError::Missing {
                location: location.to_string(),
            });
        }
        Store::open(location)
    }

    /// Runs `read` in one read transaction: every statement sees the same snapshot (a
    /// consistent answer while stations write), and SQLite takes its shared lock once
    /// instead of once per statement. Ends the transaction whatever `read` returns.
    pub fn snapshot<T, E: From<StoreError>>(
        &self,
        read: impl FnOnce(&Store) -> Result<T, E>,
    ) -> Result<T, E> {
        self.begin_read()?;
        let result = read(self);
        let end = self.end_read();
        let value = result?;
        end?;
        Ok(value)
    }

    fn begin_read(&self) -> Result<(), StoreError> {
        Ok(self.db.begin_read()?)
    }

    /// Nothing was written: ending the transaction either way only lets go of the snapshot.
    fn end_read(&self) -> Result<(), StoreError> {
        Ok(self.db.commit()?)
    }

    pub fn location(&self) -> &Location {
        &self.location
    }

    /// Names the station in every journal entry this store appends.
    pub fn set_station(&mut self, station: Option<&str>) {
        self.station = station.map(str::to_string);
    }

    /// Whether the connection is known to be gone (PostgreSQL closed it, or went away).
    pub fn is_disconnected(&self) -> bool {
        self.db.is_closed()
    }

    /// Claims the station's name and its benches' for as long as this store is open: a
    /// second daemon with the same station or bench name on the same PostgreSQL database,
    /// or any second daemon on the same SQLite file, is refused with a reason.
    pub fn claim_station(
        &mut self,
        station: &str,
        benches: &[&str],
        lease: std::time::Duration,
    ) -> Result<(), StoreError> {
        self.db
            .claim(&self.location, station, benches, lease)
            .map_err(|e| match e {
                Claim::Taken(why) => StoreError::Conflict(why),
                Claim::Failed(reason) => StoreError::Open {
                    location: self.location.to_string(),
                    reason,
                },
                Claim::Db(e) => e.into(),
            })
    }

    /// Renews the station's claims (the event loop's heartbeat, every third of the
    /// lease): a station that lost its connection has it again, and a station whose names
    /// another took says so.
    pub fn keep_claims(&mut self) -> Result<(), StoreError> {
        self.db
            .keep_claims()
            .map_err(|e| StoreError::opening(&self.location, e))
    }

    /// Lets go of the station's names at once (a stopping daemon), rather than when the
    /// server notices the connection gone.
    pub fn release_claims(&mut self) {
        self.db.release_claims();
    }

    /// A connection the server closed (a restart, a network cut) is opened again, and the
    /// station's claims taken again.
    fn reconnect(&mut self) -> Result<(), StoreError> {
        self.db
            .reconnect()
            .map_err(|e| StoreError::opening(&self.location, e))?;
        tracing::warn!(database = %self.location, "reconnected to the database");
        Ok(())
    }

    /// Whether the entry `seq` with this hash is in the journal: after a commit whose
    /// answer was lost (`StoreError::CommitUnknown`), it tells whether that commit took
    /// place. The connection is opened again first if it has to be.
    pub fn committed(&mut self, seq: i64, hash: &str) -> Result<bool, StoreError> {
        if self.db.is_closed() {
            self.reconnect()?;
        }
        Ok(self.db.row(
            "SELECT EXISTS(SELECT 1 FROM journal WHERE seq = $1 AND hash = $2)",
            params![seq, hash],
            |r| r.get(0),
        )?)
    }

    /// Starts a write transaction that holds the write lock from its first statement.
    /// A PostgreSQL connection found closed is opened again first (nothing was written
    /// through it since, so nothing is lost or doubled).
    pub fn begin(&mut self) -> Result<StoreTx<'_>, StoreError> {
        if self.db.is_closed() {
            self.reconnect()?;
        }
        if let Err(e) = self.db.begin_write() {
            if !self.db.is_closed() {
                return Err(e.into());
            }
            // the server went away since the last transaction: once more, on a new connection
            self.reconnect()?;
            self.db.begin_write()?;
        }
        Ok(StoreTx {
            db: &self.db,
            witness: self.witness.as_ref(),
            station: self.station.as_deref(),
            open: true,
            counters: Default::default(),
            saved_counters: Default::default(),
            head: None,
            saved_head: None,
            issued: None,
        })
    }

    /// Moves everything in the write-ahead log into the database file and empties the log
    /// (at a clean stop, so the database file alone holds every record). PostgreSQL
    /// keeps its own log: nothing to do.
    pub fn checkpoint(&self) -> Result<(), StoreError> {
        Ok(self.db.checkpoint()?)
    }

    /// Brings the planner's statistics up to date after a bulk import, and the record
    /// tables' visibility maps, so that covering indexes answer without visiting the
    /// table (PostgreSQL; SQLite plans from its indexes alone).
    pub fn analyze(&self) -> Result<(), StoreError> {
        Ok(self.db.analyze()?)
    }

    /// Witnesses this database's heads in `path` instead of the default file.
    pub fn set_witness(&mut self, path: &Path) -> Result<(), StoreError> {
        self.witness = Some(open_witness(path)?);
        Ok(())
    }

    /// Print jobs with a printer and no outcome yet, oldest first.
    pub fn pending_print_jobs(&self) -> Result<Vec<PrintJob>, StoreError> {
        Ok(self.db.rows(
            "SELECT j.id, j.bench, j.printer, j.label, j.code, j.copies FROM print_jobs j
             WHERE j.printer IS NOT NULL AND NOT EXISTS (SELECT 1 FROM print_outcomes o WHERE o.job_id = j.id)
             ORDER BY j.id",
            params![],
            |r| {
                let label: String = r.get(3)?;
                Ok(PrintJob {
                    id: r.get(0)?,
                    bench: r.get(1)?,
                    printer: r.get(2)?,
                    label: crate::core::workflow::LabelKind::record(&label).ok_or_else(|| {
                        DbError::Value(format!("print job of an unknown label {label:?}"))
                    })?,
                    code: r.get(4)?,
                    copies: r.get(5)?,
                })
            },
        )?)
    }

    /// The bench's saved state, if it has one.
    pub fn bench_state(&self, bench: &str) -> Result<Option<BenchState>, StoreError> {
        let text: Option<String> = self
            .db
            .row(
                "SELECT state FROM bench_state WHERE bench = $1",
                params![bench],
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
    ) -> Result<StatusChanged, StoreError> {
        // a lot or batch code, else a supplier's lot number: every lot received under it
        let codes = match self.resolve(code, None) {
            Ok(target) if target.is_stock() => target.stock_codes(),
            Ok(_) | Err(StoreError::NotFound(_)) => {
                return Err(StoreError::NotFound(format!(
                    "no lot or batch has the code {code}, and no lot the supplier lot number {code}"
                )));
            }
            Err(e) => return Err(e),
        };
        let mut tx = self.begin()?;
        let mut seq = 0;
        for code in &codes {
            let record = Record::StatusChange {
                code: code.clone(),
                status,
                reason: reason.to_string(),
                at,
            };
            seq = tx.append_record(&record, None, operator, at, None)?;
        }
        tx.commit()?;
        Ok(StatusChanged { codes, seq })
    }
}

impl Store {
    /// A correction asked for whole (`lotstation void|adjust`, the API): the same rules
    /// as `@VOID`/`@ADJUST` at a bench, in one transaction. Returns the last journal entry
    /// and what was done, in words; a refusal is `Refused` with its reason.
    pub fn correct(
        &mut self,
        code: &str,
        asked: &crate::core::workflow::Asked,
        reason: &str,
        at: jiff::Timestamp,
        today: jiff::civil::Date,
        operator: Option<&str>,
    ) -> Result<(i64, String), StoreError> {
        let mut tx = self.begin()?;
        let made = crate::core::workflow::correct(code, asked, reason, at, today, &mut tx)
            .map_err(StoreError::from_world)?;
        let (records, message) = match made {
            Ok(made) => made,
            Err(why) if why.starts_with("no lot") || why.starts_with("unknown") => {
                return Err(StoreError::NotFound(why));
            }
            Err(why) => return Err(StoreError::Refused(why)),
        };
        let mut seq = 0;
        for record in &records {
            seq = tx.append_record(record, None, operator, at, None)?;
        }
        tx.commit()?;
        Ok((seq, message))
    }

    /// What `correct` would say, read and written nowhere: the console's
    /// confirmation page shows it before the owner confirms (or why it would be refused).
    pub fn preview_correction(
        &self,
        code: &str,
        asked: &crate::core::workflow::Asked,
        reason: &str,
        at: jiff::Timestamp,
        today: jiff::civil::Date,
    ) -> Result<Result<String, String>, StoreError> {
        // the rules read through a transaction's view that never writes nor commits: in
        // the read pool's snapshot (or statement by statement outside one)
        let mut tx = StoreTx {
            db: &self.db,
            witness: None,
            station: self.station.as_deref(),
            open: false,
            counters: Default::default(),
            saved_counters: Default::default(),
            head: None,
            saved_head: None,
            issued: None,
        };
        let made = crate::core::workflow::correct(code, asked, reason, at, today, &mut tx)
            .map_err(StoreError::from_world)?;
        Ok(made.map(|(_, message)| message))
    }
}

/// What `change_status` changed: the lots and batches, and the last journal entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusChanged {
    pub codes: Vec<String>,
    pub seq: i64,
}

impl StatusChanged {
    /// `SL-446 (lots A, B)` when a supplier lot number named several lots, else the code.
    pub fn describe(&self, asked: &str) -> String {
        match self.codes.as_slice() {
            [one] if one == asked => one.clone(),
            [one] => format!("{asked} (lot {one})"),
            many => format!("{asked} (lots {})", many.join(", ")),
        }
    }
}

/// One write transaction: everything a scan changes commits together or not at all.
/// Dropped without `commit`, it rolls back.
pub struct StoreTx<'a> {
    db: &'a Db,
    witness: Option<&'a witness::Witness>,
    station: Option<&'a str>,
    open: bool,
    /// code counters moved in this transaction, written at the commit
    counters: std::collections::BTreeMap<String, i64>,
    /// the counters at the last savepoint
    saved_counters: std::collections::BTreeMap<String, i64>,
    /// the journal's head as this transaction left it, once read (the transaction holds
    /// the write lock: nobody else appends), and at the last savepoint
    head: Option<(i64, String, String)>,
    saved_head: Option<(i64, String, String)>,
    /// every issued code, when a bulk import loaded them (`load_issued_codes`): codes are
    /// then checked in memory (one read instead of one per code)
    issued: Option<std::collections::HashSet<String>>,
}

impl Drop for StoreTx<'_> {
    fn drop(&mut self) {
        if self.open {
            let _ = self.db.rollback();
        }
    }
}

impl StoreTx<'_> {
    /// Marks a point to roll back to (one per scan in a group commit).
    pub fn savepoint(&mut self) -> Result<(), StoreError> {
        self.db.savepoint()?;
        self.saved_counters.clone_from(&self.counters);
        self.saved_head.clone_from(&self.head);
        Ok(())
    }

    /// Undoes everything since `savepoint` (and keeps the savepoint's place released).
    pub fn rollback_to_savepoint(&mut self) -> Result<(), StoreError> {
        self.db.rollback_to_savepoint()?;
        self.counters.clone_from(&self.saved_counters);
        self.head.clone_from(&self.saved_head);
        Ok(())
    }

    pub fn release_savepoint(&mut self) -> Result<(), StoreError> {
        Ok(self.db.release_savepoint()?)
    }

    /// Loads every issued code, so that a bulk import checks and issues codes in memory
    /// (one read instead of one per code).
    pub(crate) fn load_issued_codes(&mut self) -> Result<(), StoreError> {
        let mut issued = std::collections::HashSet::new();
        self.db.each("SELECT code FROM codes", params![], |r| {
            issued.insert(r.get::<String>(0)?);
            Ok(())
        })?;
        self.issued = Some(issued);
        Ok(())
    }

    /// Whether `code` was ever issued.
    pub(crate) fn code_issued(&self, code: &str) -> Result<bool, StoreError> {
        if let Some(issued) = &self.issued {
            return Ok(issued.contains(code));
        }
        Ok(self.db.row(
            "SELECT EXISTS(SELECT 1 FROM codes WHERE code = $1)",
            params![code],
            |r| r.get(0),
        )?)
    }

    /// Records `code` as issued.
    pub(crate) fn issue_code(&mut self, code: &str, at: &str) -> Result<(), StoreError> {
        if let Some(issued) = &mut self.issued {
            issued.insert(code.to_string());
        }
        // (the next check of a code sends it first)
        self.db.insert_later(
            "INSERT INTO codes (code, issued_at) VALUES ($1, $2)",
            params![code, at],
        )?;
        Ok(())
    }

    /// Commits (durably), then witnesses the new head outside the database.
    pub fn commit(mut self) -> Result<(), StoreError> {
        for (key, last) in &self.counters {
            self.db.execute_later(
                "INSERT INTO code_counters (key, last_seq) VALUES ($1, $2)
                 ON CONFLICT(key) DO UPDATE SET last_seq = excluded.last_seq",
                params![key, last],
            )?;
        }
        // the head this transaction appended, if it did
        let head = self.head.take();
        self.open = false;
        match self.db.commit() {
            Ok(()) => {}
            // the connection lost while committing: it may have committed before the answer
            // was lost; whoever holds the store can ask (`Store::committed`)
            Err(DbError::OutcomeUnknown(e)) if head.is_some() => {
                let (seq, hash, _) = head.expect("checked");
                return Err(StoreError::CommitUnknown {
                    seq,
                    hash,
                    reason: e.to_string(),
                });
            }
            Err(e) => {
                let _ = self.db.rollback();
                return Err(e.into());
            }
        }
        if let (Some(witness), Some((seq, hash, at))) = (self.witness, head) {
            witness.record(seq, &hash, &at);
        }
        Ok(())
    }

    pub fn rollback(mut self) -> Result<(), StoreError> {
        self.open = false;
        Ok(self.db.rollback()?)
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
        let db = self.db;
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
                db.insert_later("INSERT INTO lots (code, item_sku, supplier_code, supplier_lot, invoice, quantity, received_at, expiry, note, journal_seq)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)", params![
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
                db.insert_later("INSERT INTO batches (code, product_sku, opened_at, production_date, journal_seq) VALUES ($1, $2, $3, $4, $5)", params![code, product_sku, opened_at.to_string(), production_date.to_string(), seq],
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
                db.insert_later("INSERT INTO consumptions (batch_code, line_no, input_code, input_kind, quantity, warning, journal_seq)
                     VALUES ($1, $2, $3, $4, $5, $6, $7)", params![batch_code, line_no, input_code, input_kind.noun(), quantity, warning, seq],
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
                db.insert_later("INSERT INTO batch_closures (batch_code, yield_quantity, expiry, closed_at, note, journal_seq)
                     VALUES ($1, $2, $3, $4, $5, $6)", params![code, yield_quantity, expiry.map(|d| d.to_string()), closed_at.to_string(), note, seq],
                )?;
            }
            Record::Shipment {
                code,
                order_number,
                customer_code,
                shipped_at,
                lines,
            } => {
                db.insert_later("INSERT INTO shipments (code, order_number, customer_code, shipped_at, journal_seq) VALUES ($1, $2, $3, $4, $5)", params![code, order_number, customer_code, shipped_at.to_string(), seq],
                )?;
                for (i, line) in lines.iter().enumerate() {
                    db.insert_later(
                        "INSERT INTO shipment_lines (shipment_code, line_no, batch_code, quantity) VALUES ($1, $2, $3, $4)",
                        params![code, i as i64 + 1, line.batch_code, line.quantity],
                    )?;
                }
            }
            Record::Waste {
                code,
                quantity,
                reason,
                at,
                ..
            } => {
                db.insert_later(
                    "INSERT INTO wastes (code, quantity, reason, at, journal_seq) VALUES ($1, $2, $3, $4, $5)", params![code, quantity, reason, at.to_string(), seq],
                )?;
            }
            Record::StatusChange {
                code,
                status,
                reason,
                at,
            } => {
                db.insert_later("INSERT INTO status_changes (code, status, reason, at, journal_seq) VALUES ($1, $2, $3, $4, $5)", params![code, status.as_str(), reason, at.to_string(), seq],
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
                    CorrectionTarget::Shipment { code } => ("shipment", code, None),
                };
                db.insert_later("INSERT INTO corrections (target_kind, target_code, target_line, reason, at, journal_seq)
                     VALUES ($1, $2, $3, $4, $5, $6)", params![kind, code, line, reason, at.to_string(), seq],
                )?;
            }
            Record::Adjustment {
                code,
                kind,
                field,
                value,
                delta,
                reason,
                at,
                ..
            } => {
                db.insert_later(
                    "INSERT INTO adjustments (target_kind, code, field, delta, value, reason, at, journal_seq)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                    params![kind.noun(), code, field.as_str(), delta, value, reason, at.to_string(), seq],
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
        self.db.insert_later("INSERT INTO print_outcomes (job_id, outcome, detail, journal_seq) VALUES ($1, $2, $3, $4)", params![job.id, outcome, detail, seq])?;
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
        scan_seq: Option<i64>,
    ) -> Result<(i64, i64), StoreError> {
        let mut body = serde_json::json!({
            "label": print.label,
            "code": print.code,
            "copies": print.copies,
            "printer": printer,
        });
        // the scan that asked for it; none when asked for by name (CLI, the owner's pages)
        if let Some(scan_seq) = scan_seq {
            body["scan_seq"] = scan_seq.into();
        }
        let seq = self.append(&NewEntry {
            at,
            kind: "print_job",
            bench: Some(bench),
            device: printer,
            operator,
            body: &body,
        })?;
        let id: i64 = self.db.row("INSERT INTO print_jobs (bench, printer, label, code, copies, journal_seq) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id", params![
                bench,
                printer,
                print.label.name(),
                print.code,
                print.copies,
                seq
            ],
            |r| r.get(0),
        )?;
        Ok((seq, id))
    }

    /// Saves what the bench has open, with the scan that changed it.
    pub fn save_bench_state(&mut self, bench: &str, state: &BenchState) -> Result<(), StoreError> {
        let text = serde_json::to_string(state).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        self.db.execute_later(
            "INSERT INTO bench_state (bench, state) VALUES ($1, $2)
             ON CONFLICT(bench) DO UPDATE SET state = excluded.state",
            params![bench, text],
        )?;
        Ok(())
    }
}

/// The time the disk takes for `rows` single-row durable commits (SQLite, with the
/// store's journal mode and sync level, at `path`): the benchmark's ceiling of one bench.
pub fn disk_commit_time(path: &Path, rows: usize) -> Result<std::time::Duration, StoreError> {
    Ok(sql::disk_commit_time(path, rows)?)
}

/// A new, empty PostgreSQL database beside the one `base` names (same server and role,
/// which needs CREATEDB), for the benchmark's fresh starts; its address.
pub fn create_scratch_database(base: &Location, name: &str) -> Result<Location, StoreError> {
    sql::create_scratch_database(base, name).map_err(|e| StoreError::opening(base, e))
}

/// Drops a database `create_scratch_database` made (nothing else may be connected to it).
pub fn drop_scratch_database(base: &Location, name: &str) -> Result<(), StoreError> {
    sql::drop_scratch_database(base, name).map_err(|e| StoreError::opening(base, e))
}

/// A consistent copy of a SQLite station's database, made with SQLite's online backup
/// while the station writes (a temporary file beside it, read and removed): the console's
/// download.
pub fn backup_sqlite(path: &std::path::Path) -> Result<Vec<u8>, StoreError> {
    sql::sqlite_backup(path).map_err(|reason| StoreError::Open {
        location: path.display().to_string(),
        reason,
    })
}

/// A few read-only connections, opened once and lent out one query at a time (the HTTP
/// server's reads): no connection, PRAGMA or schema check per request.
pub struct ReadPool {
    location: Location,
    idle: std::sync::Mutex<Vec<Store>>,
    max_idle: usize,
}

impl ReadPool {
    pub fn new(location: &Location, max_idle: usize) -> ReadPool {
        ReadPool {
            location: location.clone(),
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
            None => Store::open_read_only(&self.location)?,
        };
        // one snapshot per request (see `Store::snapshot`)
        let begun = store.begin_read().is_ok();
        let result = read(&mut store);
        if begun && store.end_read().is_err() {
            // a connection that cannot end its transaction is not kept
            return Ok(result);
        }
        let mut idle = self.lock();
        // a connection the server closed is dropped; the next read opens a new one
        if idle.len() < self.max_idle && !store.is_disconnected() {
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

#[cfg(test)]
mod world_error_tests {
    use super::StoreError;
    use crate::core::workflow::WorldError;

    /// A connection the server ended while a scan read the records is said as what it
    /// is, something to try again, not a value the database cannot read (issue 32).
    #[test]
    fn a_lost_connection_met_by_the_workflow_stays_unavailable() {
        let lost =
            StoreError::Unavailable("terminating connection due to administrator command".into());
        let back = StoreError::from_world(WorldError(lost.to_string()));
        assert!(back.is_unavailable(), "{back}");
        assert_eq!(
            back.to_string(),
            "database unavailable: terminating connection due to administrator command"
        );
        let other = StoreError::from_world(WorldError("bench state: not JSON".into()));
        assert!(matches!(other, StoreError::Corrupt(_)), "{other}");
        let failed = StoreError::from_world(WorldError(
            StoreError::Database("syntax error".into()).to_string(),
        ));
        assert!(matches!(failed, StoreError::Database(_)), "{failed}");
    }
}
