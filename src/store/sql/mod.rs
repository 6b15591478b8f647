//! The storage engine: every difference between SQLite and PostgreSQL lives in this folder,
//! and nothing outside it asks which backend answers.
//!
//! - `mod.rs` (here): the one vocabulary both backends answer (`Db`: `row`, `rows`,
//!   `each`, `execute`, the writes that may wait, transactions and savepoints), parameters
//!   (`ToDb`, `params!`), rows (`Row::get`), and errors in the domain's kinds.
//! - `lite.rs`: the SQLite connection (open, pragmas, migrations, the append-only triggers,
//!   the station's lock file); `pg.rs`: the PostgreSQL connection (tokio-postgres on a
//!   runtime of its own, statements kept prepared, queued writes pipelined, migrations,
//!   the stations' advisory locks).
//! - `schema_lite.rs`, `schema_pg.rs`: each backend's migrations; `tables.rs`: the one
//!   list of tables both schemas, `migrate`, the crosscheck and the tests read. (A database
//!   named by one string, `Location`, is the core's: the configuration reads it.)
//!
//! Statements are written once, in SQL both speak as written: `$N` parameters (PostgreSQL's
//! own; SQLite takes `$1` as a named parameter, and `lite.rs` binds by name), `ON CONFLICT`,
//! `RETURNING`, `IS DISTINCT FROM`, `CAST`, `COALESCE`, and SQLite's JSON functions
//! (`json_each` for a list parameter, `json_extract`, `json_type`, `json_array_length`),
//! which PostgreSQL's schema defines as SQL functions. No statement is rewritten at run
//! time and no value is ever written into a statement's text: every value is a bound
//! parameter. No rusqlite or postgres type leaves this folder except inside `DbError`,
//! which `StoreError` turns into its own kinds.

mod lite;
mod pg;
pub(crate) mod schema_lite;
pub(crate) mod schema_pg;
pub mod tables;

use std::cell::RefCell;

pub use crate::core::location::{Location, PgUrl};
pub(crate) use lite::disk_commit_time;
pub(crate) use pg::{create_scratch_database, drop_scratch_database};

pub(crate) type Result<T> = std::result::Result<T, DbError>;

#[derive(Debug, thiserror::Error)]
pub(crate) enum DbError {
    #[error("the query returned no row")]
    NoRows,
    #[error("{0}")]
    Lite(#[from] rusqlite::Error),
    #[error("{}", pg::message(.0))]
    Pg(#[from] tokio_postgres::Error),
    #[error("{0}")]
    Value(String),
    /// the connection was lost while committing: the commit may or may not have taken place
    #[error("{0}")]
    OutcomeUnknown(Box<DbError>),
    /// this station's claim on its names is held by another daemon now (PostgreSQL): it
    /// records nothing until it has them again
    #[error("{0}")]
    ClaimLost(String),
}

/// What kind of failure, for `StoreError`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Failure {
    /// the database cannot be reached or is busy: try again later, nothing was written
    Unavailable,
    /// a row conflicts with one already there (a key, an append-only table)
    Conflict,
    /// the database's content is damaged
    Corrupt,
    /// anything else (a statement the schema does not support, a bug)
    Other,
}

impl DbError {
    pub(crate) fn failure(&self) -> Failure {
        use rusqlite::ErrorCode as C;
        match self {
            DbError::Lite(rusqlite::Error::SqliteFailure(e, _)) => match e.code {
                C::ConstraintViolation => Failure::Conflict,
                C::DatabaseBusy
                | C::DatabaseLocked
                | C::CannotOpen
                | C::SystemIoFailure
                | C::DiskFull
                | C::ReadOnly
                | C::OutOfMemory
                | C::FileLockingProtocolFailed => Failure::Unavailable,
                C::DatabaseCorrupt | C::NotADatabase => Failure::Corrupt,
                _ => Failure::Other,
            },
            DbError::OutcomeUnknown(_) | DbError::ClaimLost(_) => Failure::Unavailable,
            DbError::Pg(e) => match e.code() {
                None => Failure::Unavailable,
                Some(code) => {
                    let code = code.code();
                    if code.starts_with("23") || code == "P0001" {
                        Failure::Conflict
                    } else if code.starts_with("08")
                        || code.starts_with("53")
                        || code.starts_with("57P")
                        || code == "40001"
                        || code == "40P01"
                    {
                        Failure::Unavailable
                    } else if code.starts_with("XX") {
                        Failure::Corrupt
                    } else {
                        Failure::Other
                    }
                }
            },
            _ => Failure::Other,
        }
    }
}

/// `Option` from a query that may find nothing.
pub(crate) trait Optional<T> {
    fn optional(self) -> Result<Option<T>>;
}

impl<T> Optional<T> for Result<T> {
    fn optional(self) -> Result<Option<T>> {
        match self {
            Ok(value) => Ok(Some(value)),
            Err(DbError::NoRows) => Ok(None),
            Err(e) => Err(e),
        }
    }
}

/// A statement parameter, as both backends take it.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Param<'a> {
    Null,
    Int(i64),
    Text(&'a str),
}

pub(crate) trait ToDb {
    fn param(&self) -> Param<'_>;
}

macro_rules! int_param {
    ($($t:ty),*) => {$(
        impl ToDb for $t {
            fn param(&self) -> Param<'_> {
                Param::Int(*self as i64)
            }
        }
    )*};
}
int_param!(i64, i32, u32, u16, u8, usize, u64);

impl ToDb for bool {
    fn param(&self) -> Param<'_> {
        Param::Int(i64::from(*self))
    }
}
impl ToDb for str {
    fn param(&self) -> Param<'_> {
        Param::Text(self)
    }
}
impl ToDb for String {
    fn param(&self) -> Param<'_> {
        Param::Text(self)
    }
}
impl<T: ToDb + ?Sized> ToDb for &T {
    fn param(&self) -> Param<'_> {
        (**self).param()
    }
}
impl<T: ToDb> ToDb for Option<T> {
    fn param(&self) -> Param<'_> {
        match self {
            Some(value) => value.param(),
            None => Param::Null,
        }
    }
}

/// `params![a, b, c]`: the statement's parameters in order (`$1`, `$2`, …).
macro_rules! params {
    () => {
        &[] as &[&dyn $crate::store::sql::ToDb]
    };
    ($($p:expr),+ $(,)?) => {
        &[$(&$p as &dyn $crate::store::sql::ToDb),+] as &[&dyn $crate::store::sql::ToDb]
    };
}
pub(crate) use params;

/// One value of a row, borrowed from it.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Cell<'a> {
    Null,
    Int(i64),
    Real(f64),
    Text(&'a str),
}

/// A value read from a row.
pub(crate) trait FromDb: Sized {
    fn from_cell(cell: Cell<'_>) -> std::result::Result<Self, String>;
}

impl FromDb for i64 {
    fn from_cell(cell: Cell<'_>) -> std::result::Result<Self, String> {
        match cell {
            Cell::Int(i) => Ok(i),
            Cell::Text(t) => t.parse().map_err(|_| format!("{t:?} is not a number")),
            Cell::Real(r) if r.fract() == 0.0 => Ok(r as i64),
            other => Err(format!("{other:?} is not a whole number")),
        }
    }
}

macro_rules! int_from {
    ($($t:ty),*) => {$(
        impl FromDb for $t {
            fn from_cell(cell: Cell<'_>) -> std::result::Result<Self, String> {
                let i = i64::from_cell(cell)?;
                <$t>::try_from(i).map_err(|_| format!("{i} is out of range"))
            }
        }
    )*};
}
int_from!(i32, u32, u16, u8, usize, u64);

impl FromDb for bool {
    fn from_cell(cell: Cell<'_>) -> std::result::Result<Self, String> {
        Ok(i64::from_cell(cell)? != 0)
    }
}

impl FromDb for String {
    fn from_cell(cell: Cell<'_>) -> std::result::Result<Self, String> {
        match cell {
            Cell::Text(t) => Ok(t.to_string()),
            Cell::Int(i) => Ok(i.to_string()),
            other => Err(format!("{other:?} is not text")),
        }
    }
}

impl<T: FromDb> FromDb for Option<T> {
    fn from_cell(cell: Cell<'_>) -> std::result::Result<Self, String> {
        match cell {
            Cell::Null => Ok(None),
            other => T::from_cell(other).map(Some),
        }
    }
}

/// A value of any column, owned (for copying rows between databases).
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Value {
    Null,
    Int(i64),
    Text(String),
}

impl FromDb for Value {
    fn from_cell(cell: Cell<'_>) -> std::result::Result<Self, String> {
        Ok(match cell {
            Cell::Null => Value::Null,
            Cell::Int(i) => Value::Int(i),
            Cell::Text(t) => Value::Text(t.to_string()),
            Cell::Real(r) => return Err(format!("{r} is not a whole number")),
        })
    }
}

impl ToDb for Value {
    fn param(&self) -> Param<'_> {
        match self {
            Value::Null => Param::Null,
            Value::Int(i) => Param::Int(*i),
            Value::Text(t) => Param::Text(t),
        }
    }
}

/// One row of an answer.
pub(crate) enum Row<'a> {
    Lite(&'a rusqlite::Row<'a>),
    Pg(&'a tokio_postgres::Row),
}

impl<'a> Row<'a> {
    /// Text borrowed from the row, without a copy.
    pub(crate) fn str(&self, index: usize) -> Result<&'a str> {
        let text = match self {
            Row::Lite(row) => lite::str(row, index)?,
            Row::Pg(row) => match row.try_get::<usize, Cell<'a>>(index)? {
                Cell::Text(t) => t,
                other => {
                    return Err(DbError::Value(format!(
                        "column {index}: {other:?} is not text"
                    )));
                }
            },
        };
        Ok(text)
    }

    pub(crate) fn get<T: FromDb>(&self, index: usize) -> Result<T> {
        let cell = match self {
            Row::Lite(row) => lite::cell(row, index)?,
            Row::Pg(row) => row.try_get::<usize, Cell<'_>>(index)?,
        };
        T::from_cell(cell).map_err(|e| DbError::Value(format!("column {index}: {e}")))
    }
}

/// Which database a store talks to (chosen by its `Location` when it is opened; nothing
/// outside this folder looks inside).
pub(crate) enum Db {
    Lite(lite::LiteConn),
    Pg(Box<RefCell<pg::PgConn>>),
}

/// Opened for writing (migrated to the current schema) or for reading only.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Access {
    Write,
    ReadOnly,
}

/// Why a database could not be opened, before `StoreError` names it.
#[derive(Debug)]
pub(crate) enum OpenError {
    /// it is not there (a read of a database that was never written)
    Missing,
    /// written by a newer lotstation
    TooNew {
        found: i64,
        known: i64,
    },
    /// it cannot be reached now
    Unavailable(String),
    /// anything else, in words
    Failed(String),
    Db(DbError),
}

impl From<DbError> for OpenError {
    fn from(e: DbError) -> Self {
        OpenError::Db(e)
    }
}

impl Db {
    /// Opens the database `location` names: SQLite's file (made, with its folder, when
    /// writing) or a PostgreSQL connection; brought to the current schema first.
    pub(crate) fn open(location: &Location, access: Access) -> std::result::Result<Db, OpenError> {
        match location {
            Location::Sqlite(path) => Ok(Db::Lite(lite::LiteConn::open(path, access)?)),
            Location::Postgres(url) => Ok(Db::Pg(Box::new(RefCell::new(pg::PgConn::open(
                url, access,
            )?)))),
        }
    }

    /// Whether the database holds lotstation's tables (without making them).
    pub(crate) fn exists(location: &Location) -> std::result::Result<bool, OpenError> {
        match location {
            Location::Sqlite(path) => Ok(path.exists()),
            Location::Postgres(url) => pg::exists(url),
        }
    }

    /// Runs a statement that returns no rows; the number of rows it changed.
    pub(crate) fn execute(&self, sql: &str, params: &[&dyn ToDb]) -> Result<u64> {
        match self {
            Db::Lite(conn) => conn.execute(sql, params),
            Db::Pg(conn) => conn.borrow_mut().execute(sql, params),
        }
    }

    /// An `INSERT` whose result is not needed now: SQLite runs it at once (it is in this
    /// process); PostgreSQL queues it, and the queue goes out with the next statement that
    /// must be sent anyway (a read, a savepoint, the commit), pipelined in one round trip,
    /// rows of one plain insert together as multi-row inserts. A failure surfaces at that
    /// next statement, inside the same transaction.
    pub(crate) fn insert_later(&self, sql: &str, params: &[&dyn ToDb]) -> Result<()> {
        match self {
            Db::Lite(conn) => conn.execute(sql, params).map(|_| ()),
            Db::Pg(conn) => conn.borrow_mut().insert_later(sql, params),
        }
    }

    /// A statement whose answer is not needed now (an upsert of state): SQLite runs it at
    /// once; PostgreSQL queues it with the inserts (see `insert_later`).
    pub(crate) fn execute_later(&self, sql: &str, params: &[&dyn ToDb]) -> Result<()> {
        match self {
            Db::Lite(conn) => conn.execute(sql, params).map(|_| ()),
            Db::Pg(conn) => conn.borrow_mut().execute_later(sql, params),
        }
    }

    /// Sends what `insert_later` and `execute_later` queued.
    pub(crate) fn flush(&self) -> Result<()> {
        match self {
            Db::Lite(_) => Ok(()),
            Db::Pg(conn) => conn.borrow_mut().flush(),
        }
    }

    /// Calls `f` with each row, in order.
    pub(crate) fn each(
        &self,
        sql: &str,
        params: &[&dyn ToDb],
        mut f: impl FnMut(&Row<'_>) -> Result<()>,
    ) -> Result<()> {
        match self {
            Db::Lite(conn) => conn.each(sql, params, |row| f(&Row::Lite(row))),
            Db::Pg(conn) => {
                let rows = conn.borrow_mut().query(sql, params)?;
                for row in &rows {
                    f(&Row::Pg(row))?;
                }
                Ok(())
            }
        }
    }

    /// Every row, each turned into a `T` by `f`.
    pub(crate) fn rows<T>(
        &self,
        sql: &str,
        params: &[&dyn ToDb],
        mut f: impl FnMut(&Row<'_>) -> Result<T>,
    ) -> Result<Vec<T>> {
        let mut out = Vec::new();
        self.each(sql, params, |row| {
            out.push(f(row)?);
            Ok(())
        })?;
        Ok(out)
    }

    /// The first row, turned into a `T`; `DbError::NoRows` when there is none.
    pub(crate) fn row<T>(
        &self,
        sql: &str,
        params: &[&dyn ToDb],
        f: impl FnOnce(&Row<'_>) -> Result<T>,
    ) -> Result<T> {
        match self {
            Db::Lite(conn) => conn.row(sql, params, |row| f(&Row::Lite(row))),
            Db::Pg(conn) => {
                let rows = conn.borrow_mut().query(sql, params)?;
                match rows.first() {
                    Some(row) => f(&Row::Pg(row)),
                    None => Err(DbError::NoRows),
                }
            }
        }
    }

    /// Starts the write transaction: it holds the database's write lock from its first
    /// statement (SQLite `BEGIN IMMEDIATE`; PostgreSQL a transaction-scoped advisory lock
    /// every writer takes first), so appends to the journal are serialized and the chain
    /// never forks, whichever station appends.
    pub(crate) fn begin_write(&self) -> Result<()> {
        match self {
            Db::Lite(conn) => conn.execute("BEGIN IMMEDIATE", &[]).map(|_| ()),
            Db::Pg(conn) => conn.borrow_mut().begin_write(),
        }
    }

    /// Starts a read transaction: one snapshot for every statement until `commit`
    /// (SQLite takes its shared lock once; PostgreSQL a repeatable-read, read-only
    /// transaction).
    pub(crate) fn begin_read(&self) -> Result<()> {
        match self {
            Db::Lite(conn) => conn.batch("BEGIN DEFERRED"),
            Db::Pg(conn) => conn
                .borrow_mut()
                .batch("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY"),
        }
    }

    /// Marks the point a scan's writes start from (one per scan in a group commit).
    pub(crate) fn savepoint(&self) -> Result<()> {
        match self {
            Db::Lite(conn) => conn.execute("SAVEPOINT scan", &[]).map(|_| ()),
            // with whatever is queued, in one round trip
            Db::Pg(conn) => conn.borrow_mut().flush_with("SAVEPOINT scan"),
        }
    }

    /// Undoes everything since `savepoint`, which is then let go.
    pub(crate) fn rollback_to_savepoint(&self) -> Result<()> {
        match self {
            Db::Lite(conn) => {
                conn.execute("ROLLBACK TO scan", &[])?;
                conn.execute("RELEASE scan", &[]).map(|_| ())
            }
            Db::Pg(conn) => conn.borrow_mut().rollback_to_savepoint(),
        }
    }

    /// Keeps what was written since `savepoint`.
    pub(crate) fn release_savepoint(&self) -> Result<()> {
        self.execute_later("RELEASE scan", &[])
    }

    /// Commits, durably (SQLite: WAL with `synchronous=FULL`; PostgreSQL:
    /// `synchronous_commit=on`). `DbError::OutcomeUnknown` when the connection was lost
    /// while committing: the transaction may have committed before the answer was lost.
    pub(crate) fn commit(&self) -> Result<()> {
        match self {
            Db::Lite(conn) => conn.execute("COMMIT", &[]).map(|_| ()),
            Db::Pg(conn) => conn.borrow_mut().commit(),
        }
    }

    /// Ends the transaction without keeping anything (what is queued is dropped).
    pub(crate) fn rollback(&self) -> Result<()> {
        match self {
            Db::Lite(conn) => conn.execute("ROLLBACK", &[]).map(|_| ()),
            Db::Pg(conn) => conn.borrow_mut().rollback(),
        }
    }

    /// A table's columns, in the order it was made.
    pub(crate) fn columns(&self, table: &str) -> Result<Vec<String>> {
        match self {
            Db::Lite(_) => self.rows(
                "SELECT name FROM pragma_table_info($1) ORDER BY cid",
                &[&table],
                |r| r.get(0),
            ),
            Db::Pg(_) => self.rows(
                "SELECT column_name FROM information_schema.columns
                 WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position",
                &[&table],
                |r| r.get(0),
            ),
        }
    }

    /// After rows were copied in with their ids: the table's next id follows the largest
    /// (PostgreSQL's sequence set; SQLite numbers from the largest rowid by itself).
    pub(crate) fn continue_ids(&self, table: &str) -> Result<()> {
        match self {
            Db::Lite(_) => Ok(()),
            Db::Pg(_) => self.row(
                &format!(
                    "SELECT setval(pg_get_serial_sequence($1, 'id'), COALESCE(MAX(id), 0) + 1, false) FROM {table}"
                ),
                &[&table],
                |_| Ok(()),
            ),
        }
    }

    /// Whether the connection is gone (PostgreSQL: the server closed it or went away).
    pub(crate) fn is_closed(&self) -> bool {
        match self {
            Db::Lite(_) => false,
            Db::Pg(conn) => conn.borrow().is_closed(),
        }
    }

    /// Whether every statement crosses a network (PostgreSQL): a read of many keys is then
    /// best one statement with a list, where SQLite, in this process, answers many prepared
    /// lookups faster than one statement with a list.
    pub(crate) fn statements_cost_round_trips(&self) -> bool {
        matches!(self, Db::Pg(_))
    }

    /// The database's own check of its pages: SQLite's `integrity_check` ("ok" when whole);
    /// PostgreSQL keeps its pages' checksums itself (a damaged page fails the reads).
    pub(crate) fn integrity_check(&self) -> Result<Vec<String>> {
        match self {
            Db::Lite(conn) => conn.integrity_check(),
            Db::Pg(_) => Ok(vec!["ok".to_string()]),
        }
    }

    /// After a bulk import: PostgreSQL's statistics and visibility maps brought up to date,
    /// so that covering indexes answer without visiting the table (SQLite plans from its
    /// indexes alone: nothing to do).
    pub(crate) fn analyze(&self) -> Result<()> {
        match self {
            Db::Lite(_) => Ok(()),
            Db::Pg(conn) => conn.borrow_mut().analyze(),
        }
    }

    /// At a clean stop: SQLite moves its write-ahead log into the database file, so that
    /// the file alone holds every record (PostgreSQL keeps its own log: nothing to do).
    pub(crate) fn checkpoint(&self) -> Result<()> {
        match self {
            Db::Lite(conn) => conn.checkpoint(),
            Db::Pg(_) => Ok(()),
        }
    }

    /// Holds the station's name and its benches' for as long as this connection lives: a
    /// second daemon with one of them (PostgreSQL), or any second daemon on the same file
    /// (SQLite), is refused with `Claim::Taken`. Taken again after a reconnection.
    pub(crate) fn claim(
        &mut self,
        location: &Location,
        station: &str,
        benches: &[&str],
        lease: std::time::Duration,
    ) -> std::result::Result<(), Claim> {
        match self {
            Db::Lite(conn) => conn.claim(location, station),
            Db::Pg(conn) => conn.get_mut().claim(station, benches, lease),
        }
    }

    /// Renews the claims' leases (PostgreSQL; a file lock needs nothing), opening a closed
    /// connection again first.
    pub(crate) fn keep_claims(&mut self) -> std::result::Result<(), OpenError> {
        match self {
            Db::Lite(_) => Ok(()),
            Db::Pg(conn) => conn.get_mut().keep_claims(),
        }
    }

    /// Lets go of the claims at once (a stopping daemon), rather than at the connection's
    /// end.
    pub(crate) fn release_claims(&mut self) {
        match self {
            Db::Lite(conn) => conn.release_claims(),
            Db::Pg(conn) => conn.get_mut().release_claims(),
        }
    }

    /// Opens a PostgreSQL connection the server closed again, and takes its claims again
    /// (SQLite's connection cannot be lost: nothing to do).
    pub(crate) fn reconnect(&mut self) -> std::result::Result<(), OpenError> {
        match self {
            Db::Lite(_) => Ok(()),
            Db::Pg(conn) => conn.get_mut().reconnect(),
        }
    }
}

/// A SQLite database copied by SQLite's online backup (see `lite::backup`).
pub(crate) fn sqlite_backup(path: &std::path::Path) -> std::result::Result<Vec<u8>, String> {
    lite::backup(path)
}

/// Why a claim was refused.
#[derive(Debug)]
pub(crate) enum Claim {
    /// another daemon holds it: the message says which name, or which process
    Taken(String),
    /// the claim could not be asked for
    Failed(String),
    Db(DbError),
}

impl From<DbError> for Claim {
    fn from(e: DbError) -> Self {
        Claim::Db(e)
    }
}

/// The advisory lock every writer to a shared database takes first ("LOTS" in ASCII).
pub(crate) const WRITE_LOCK: i64 = 0x4C4F_5453;
