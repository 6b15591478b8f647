//! The one SQL surface both backends answer: a connection (`Db`), parameters (`ToDb`,
//! `params!`), rows (`Row::get`), and errors that say what happened in the domain's words.
//!
//! Statements are written once, in the SQL both SQLite and PostgreSQL speak, with `?N`
//! placeholders; for PostgreSQL they are rewritten once (`?N` → `$N`, `json_each(?N)` →
//! `jsonb_array_elements_text`) and kept prepared per connection, as rusqlite keeps
//! SQLite's. Schema, triggers and the few statements that differ (`PRAGMA`, the journal's
//! write lock) are per backend, in `schema.rs`, `schema_pg.rs` and `Db`'s methods.
//! No rusqlite or postgres type leaves this file except inside `DbError`, which `StoreError`
//! turns into its own kinds.

use std::cell::RefCell;
use std::collections::HashMap;

use bytes::BufMut;
use postgres::types::{IsNull, Type, to_sql_checked};

pub(crate) type Result<T> = std::result::Result<T, DbError>;

#[derive(Debug, thiserror::Error)]
pub(crate) enum DbError {
    #[error("the query returned no row")]
    NoRows,
    #[error("{0}")]
    Lite(#[from] rusqlite::Error),
    #[error("{}", pg_message(.0))]
    Pg(#[from] postgres::Error),
    #[error("{0}")]
    Value(String),
}

/// PostgreSQL's own message (its `Display` says only "db error").
fn pg_message(e: &postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => db.message().to_string(),
        None => {
            let mut text = e.to_string();
            let mut source = std::error::Error::source(e);
            while let Some(cause) = source {
                text.push_str(": ");
                text.push_str(&cause.to_string());
                source = cause.source();
            }
            text
        }
    }
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

/// `params![a, b, c]`: the statement's parameters in order (`?1`, `?2`, …).
macro_rules! params {
    () => {
        &[] as &[&dyn $crate::store::db::ToDb]
    };
    ($($p:expr),+ $(,)?) => {
        &[$(&$p as &dyn $crate::store::db::ToDb),+] as &[&dyn $crate::store::db::ToDb]
    };
}
pub(crate) use params;

impl rusqlite::ToSql for Param<'_> {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        use rusqlite::types::{ToSqlOutput, Value, ValueRef};
        Ok(match *self {
            Param::Null => ToSqlOutput::Owned(Value::Null),
            Param::Int(i) => ToSqlOutput::Owned(Value::Integer(i)),
            Param::Text(s) => ToSqlOutput::Borrowed(ValueRef::Text(s.as_bytes())),
        })
    }
}

type BoxError = Box<dyn std::error::Error + Sync + Send>;

impl postgres::types::ToSql for Param<'_> {
    fn to_sql(
        &self,
        ty: &Type,
        out: &mut bytes::BytesMut,
    ) -> std::result::Result<IsNull, BoxError> {
        let int = |i: i64, out: &mut bytes::BytesMut| -> std::result::Result<(), BoxError> {
            match *ty {
                Type::INT8 => out.put_i64(i),
                Type::INT4 => out.put_i32(i32::try_from(i)?),
                Type::INT2 => out.put_i16(i16::try_from(i)?),
                Type::BOOL => out.put_u8(u8::from(i != 0)),
                _ => out.put_slice(i.to_string().as_bytes()),
            }
            Ok(())
        };
        match *self {
            Param::Null => return Ok(IsNull::Yes),
            Param::Int(i) => int(i, out)?,
            Param::Text(s) => match *ty {
                Type::INT8 | Type::INT4 | Type::INT2 => int(s.trim().parse()?, out)?,
                Type::JSONB => {
                    out.put_u8(1);
                    out.put_slice(s.as_bytes());
                }
                _ => out.put_slice(s.as_bytes()),
            },
        }
        Ok(IsNull::No)
    }

    fn accepts(_: &Type) -> bool {
        true
    }

    to_sql_checked!();
}

/// One value of a row, borrowed from it.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Cell<'a> {
    Null,
    Int(i64),
    Real(f64),
    Text(&'a str),
}

impl<'a> postgres::types::FromSql<'a> for Cell<'a> {
    fn from_sql(ty: &Type, raw: &'a [u8]) -> std::result::Result<Self, BoxError> {
        Ok(match *ty {
            Type::INT8 => Cell::Int(i64::from_be_bytes(raw.try_into()?)),
            Type::INT4 => Cell::Int(i64::from(i32::from_be_bytes(raw.try_into()?))),
            Type::INT2 => Cell::Int(i64::from(i16::from_be_bytes(raw.try_into()?))),
            Type::BOOL => Cell::Int(i64::from(raw.first().copied().unwrap_or(0) != 0)),
            Type::FLOAT8 => Cell::Real(f64::from_be_bytes(raw.try_into()?)),
            Type::NUMERIC => Cell::Int(numeric_to_i64(raw)?),
            Type::JSONB => Cell::Text(std::str::from_utf8(raw.get(1..).unwrap_or_default())?),
            _ => Cell::Text(std::str::from_utf8(raw)?),
        })
    }

    fn from_sql_null(_: &Type) -> std::result::Result<Self, BoxError> {
        Ok(Cell::Null)
    }

    fn accepts(_: &Type) -> bool {
        true
    }
}

/// PostgreSQL's binary NUMERIC (what `SUM` of a `BIGINT` gives) as a whole number.
fn numeric_to_i64(raw: &[u8]) -> std::result::Result<i64, BoxError> {
    let word = |i: usize| -> std::result::Result<i16, BoxError> {
        Ok(i16::from_be_bytes(
            raw.get(i * 2..i * 2 + 2)
                .ok_or("short numeric")?
                .try_into()?,
        ))
    };
    let digits = word(0)? as usize;
    let weight = word(1)? as i32;
    let sign = word(2)? as u16;
    if sign == 0xC000 {
        return Err("NaN where a number was expected".into());
    }
    let mut value: i128 = 0;
    for i in 0..digits {
        let power = weight - i as i32;
        if power < 0 {
            continue; // a fraction: whole quantities only
        }
        value += i128::from(word(4 + i)?) * 10_000i128.pow(power as u32);
    }
    if sign == 0x4000 {
        value = -value;
    }
    Ok(i64::try_from(value)?)
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
    Pg(&'a postgres::Row),
}

impl<'a> Row<'a> {
    /// Text borrowed from the row, without a copy.
    pub(crate) fn str(&self, index: usize) -> Result<&'a str> {
        let text = match self {
            Row::Lite(row) => row
                .get_ref(index)?
                .as_str()
                .map_err(rusqlite::Error::from)?,
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
            Row::Lite(row) => {
                use rusqlite::types::ValueRef;
                match row.get_ref(index)? {
                    ValueRef::Null => Cell::Null,
                    ValueRef::Integer(i) => Cell::Int(i),
                    ValueRef::Real(r) => Cell::Real(r),
                    ValueRef::Text(t) | ValueRef::Blob(t) => Cell::Text(
                        std::str::from_utf8(t)
                            .map_err(|e| DbError::Value(format!("column {index}: {e}")))?,
                    ),
                }
            }
            Row::Pg(row) => row.try_get::<usize, Cell<'_>>(index)?,
        };
        T::from_cell(cell).map_err(|e| DbError::Value(format!("column {index}: {e}")))
    }
}

/// Which database a store talks to.
pub(crate) enum Db {
    Lite(rusqlite::Connection),
    Pg(Box<RefCell<PgConn>>),
}

pub(crate) struct PgConn {
    /// always `Some` until dropped
    client: Option<postgres::Client>,
    statements: HashMap<String, postgres::Statement>,
    /// writes not sent yet (`Db::insert_later`, `Db::execute_later`), in order
    pending: Vec<Pending>,
}

/// A write waiting to be sent.
enum Pending {
    /// rows of one plain insert (shared dialect), sent as multi-row inserts
    Rows(String, Vec<Vec<OwnedParam>>),
    /// a statement with its values written in (PostgreSQL's dialect)
    Text(String),
}

/// A parameter kept until a queued insert is sent.
#[derive(Debug, Clone)]
enum OwnedParam {
    Null,
    Int(i64),
    Text(String),
}

impl OwnedParam {
    fn of(param: Param<'_>) -> OwnedParam {
        match param {
            Param::Null => OwnedParam::Null,
            Param::Int(i) => OwnedParam::Int(i),
            Param::Text(s) => OwnedParam::Text(s.to_string()),
        }
    }

    fn param(&self) -> Param<'_> {
        match self {
            OwnedParam::Null => Param::Null,
            OwnedParam::Int(i) => Param::Int(*i),
            OwnedParam::Text(s) => Param::Text(s),
        }
    }
}

/// Rows per multi-row insert (PostgreSQL takes at most 65,535 parameters a statement).
const ROWS_PER_INSERT: usize = 1000;

/// `INSERT INTO t (a, b) VALUES (?1, ?2)` as its head (`INSERT INTO t (a, b) VALUES `) and
/// its number of parameters, when the tuple is nothing but `?1`…`?n` in order.
fn plain_insert(sql: &str) -> Option<(&str, usize)> {
    let at = sql.find(" VALUES (")? + " VALUES ".len();
    let (head, tuple) = sql.split_at(at);
    let inner = tuple.trim_end().strip_prefix('(')?.strip_suffix(')')?;
    let mut n = 0;
    for (i, part) in inner.split(',').enumerate() {
        if part.trim() != format!("?{}", i + 1) {
            return None;
        }
        n = i + 1;
    }
    (head.starts_with("INSERT INTO ") && n > 0).then_some((head, n))
}

/// `head` with `rows` tuples of `width` numbered parameters, in PostgreSQL's dialect.
fn multi_row_insert(head: &str, width: usize, rows: usize) -> String {
    let mut sql = String::with_capacity(head.len() + rows * width * 6);
    sql.push_str(head);
    for row in 0..rows {
        sql.push_str(if row == 0 { "(" } else { ", (" });
        for column in 0..width {
            if column > 0 {
                sql.push_str(", ");
            }
            sql.push('$');
            sql.push_str(&(row * width + column + 1).to_string());
        }
        sql.push(')');
    }
    sql
}

impl Drop for PgConn {
    /// The client runs its own small runtime, which may not be dropped on an async task's
    /// thread (the HTTP server's read pool ends there): such a drop goes to its own thread.
    fn drop(&mut self) {
        if let Some(client) = self.client.take()
            && tokio::runtime::Handle::try_current().is_ok()
        {
            let _ = std::thread::Builder::new()
                .name("pg-close".into())
                .spawn(move || drop(client));
        }
    }
}

/// Statements kept prepared per PostgreSQL connection; past this the cache starts over.
const PG_STATEMENTS: usize = 512;

impl PgConn {
    pub(crate) fn new(client: postgres::Client) -> PgConn {
        PgConn {
            client: Some(client),
            statements: HashMap::new(),
            pending: Vec::new(),
        }
    }

    pub(crate) fn client(&mut self) -> &mut postgres::Client {
        self.client
            .as_mut()
            .expect("the client lives as long as its connection")
    }

    fn prepare(&mut self, sql: &str) -> Result<postgres::Statement> {
        if let Some(statement) = self.statements.get(sql) {
            return Ok(statement.clone());
        }
        let statement = self.client().prepare(&pg_sql(sql))?;
        if self.statements.len() >= PG_STATEMENTS {
            self.statements.clear();
        }
        self.statements.insert(sql.to_string(), statement.clone());
        Ok(statement)
    }

    /// Queues a plain insert (see `Db::insert_later`); rows of the same statement since the
    /// last other queued statement go together.
    fn insert_later(&mut self, sql: &str, params: &[&dyn ToDb]) -> Result<()> {
        if plain_insert(sql).is_none() {
            return self.execute_later(sql, params);
        }
        let row = params.iter().map(|p| OwnedParam::of(p.param())).collect();
        let since_text = self
            .pending
            .iter()
            .rposition(|p| matches!(p, Pending::Text(_)))
            .map_or(0, |i| i + 1);
        match self.pending[since_text..].iter_mut().find_map(|p| match p {
            Pending::Rows(queued, rows) if queued == sql => Some(rows),
            _ => None,
        }) {
            Some(rows) => rows.push(row),
            None => self.pending.push(Pending::Rows(sql.to_string(), vec![row])),
        }
        Ok(())
    }

    /// Queues a statement whose answer is not needed (see `Db::execute_later`).
    fn execute_later(&mut self, sql: &str, params: &[&dyn ToDb]) -> Result<()> {
        let values: Vec<Param<'_>> = params.iter().map(|p| p.param()).collect();
        let text = with_literals(&pg_sql(sql), &values)?;
        self.pending.push(Pending::Text(text));
        Ok(())
    }

    /// Sends every queued write, then `last` if given, in as few round trips as it takes:
    /// small inserts and queued statements go as one string of statements with their
    /// values written in; a bulk of rows goes as prepared multi-row inserts, a thousand
    /// rows each. A table's rows go before rows queued after them that refer to them.
    fn flush_with(&mut self, last: Option<&str>) -> Result<()> {
        /// rows of one insert from which prepared statements pay off
        const BULK: usize = 100;
        /// statements sent at once: up to about this many bytes
        const BATCH_BYTES: usize = 1 << 20;
        if self.pending.is_empty() && last.is_none() {
            return Ok(());
        }
        let pending = std::mem::take(&mut self.pending);
        let mut text = String::new();
        for item in &pending {
            match item {
                Pending::Rows(sql, rows) if rows.len() >= BULK => {
                    if !text.is_empty() {
                        self.client().batch_execute(&std::mem::take(&mut text))?;
                    }
                    self.insert_rows(sql, rows)?;
                }
                Pending::Rows(sql, rows) => {
                    let (head, _) = plain_insert(sql).expect("queued as a plain insert");
                    text.push_str(head);
                    for (i, row) in rows.iter().enumerate() {
                        text.push_str(if i == 0 { "(" } else { ", (" });
                        for (j, value) in row.iter().enumerate() {
                            if j > 0 {
                                text.push_str(", ");
                            }
                            push_literal(&mut text, value.param())?;
                        }
                        text.push(')');
                    }
                    text.push_str(";\n");
                }
                Pending::Text(statement) => {
                    text.push_str(statement);
                    text.push_str(";\n");
                }
            }
            if text.len() >= BATCH_BYTES {
                self.client().batch_execute(&std::mem::take(&mut text))?;
            }
        }
        if let Some(last) = last {
            text.push_str(last);
        }
        if !text.is_empty() {
            self.client().batch_execute(&text)?;
        }
        Ok(())
    }

    fn flush(&mut self) -> Result<()> {
        self.flush_with(None)
    }

    /// Rows of one plain insert as prepared multi-row inserts.
    fn insert_rows(&mut self, sql: &str, rows: &[Vec<OwnedParam>]) -> Result<()> {
        let (head, width) = plain_insert(sql).expect("queued as a plain insert");
        let per = ROWS_PER_INSERT.min(65_535 / width);
        for chunk in rows.chunks(per) {
            let values: Vec<Param<'_>> = chunk.iter().flatten().map(OwnedParam::param).collect();
            let statement = self.prepare_pg(&multi_row_insert(head, width, chunk.len()))?;
            self.client().execute(&statement, &pg_params(&values))?;
        }
        Ok(())
    }

    /// A statement already in PostgreSQL's dialect, kept prepared.
    fn prepare_pg(&mut self, sql: &str) -> Result<postgres::Statement> {
        if let Some(statement) = self.statements.get(sql) {
            return Ok(statement.clone());
        }
        let statement = self.client().prepare(sql)?;
        if self.statements.len() >= PG_STATEMENTS {
            self.statements.clear();
        }
        self.statements.insert(sql.to_string(), statement.clone());
        Ok(statement)
    }

    fn query(&mut self, sql: &str, params: &[&dyn ToDb]) -> Result<Vec<postgres::Row>> {
        self.flush()?;
        let statement = self.prepare(sql)?;
        let values: Vec<Param<'_>> = params.iter().map(|p| p.param()).collect();
        Ok(self.client().query(&statement, &pg_params(&values))?)
    }

    fn execute(&mut self, sql: &str, params: &[&dyn ToDb]) -> Result<u64> {
        if sql.starts_with("ROLLBACK") {
            // what is queued was written after the savepoint or transaction being undone
            self.pending.clear();
        } else if params.is_empty() && (sql.starts_with("SAVEPOINT ") || sql == "COMMIT") {
            // with whatever is queued, in one round trip
            self.flush_with(Some(sql))?;
            return Ok(0);
        } else {
            self.flush()?;
        }
        let statement = self.prepare(sql)?;
        let values: Vec<Param<'_>> = params.iter().map(|p| p.param()).collect();
        Ok(self.client().execute(&statement, &pg_params(&values))?)
    }
}

/// A value written into a statement: numbers as they are, text as an escape string
/// (`E'…'`, backslashes and quotes doubled, whatever the server's
/// `standard_conforming_strings`). Text with a NUL cannot be stored and is refused, so
/// that no value can end the statement early.
fn push_literal(out: &mut String, value: Param<'_>) -> Result<()> {
    match value {
        Param::Null => out.push_str("NULL"),
        Param::Int(i) if i < 0 => {
            out.push('(');
            out.push_str(&i.to_string());
            out.push(')');
        }
        Param::Int(i) => out.push_str(&i.to_string()),
        Param::Text(s) => {
            if s.contains('\0') {
                return Err(DbError::Value(
                    "text with a NUL character cannot be stored".into(),
                ));
            }
            out.push_str("E'");
            for c in s.chars() {
                match c {
                    '\'' => out.push_str("''"),
                    '\\' => out.push_str("\\\\"),
                    c => out.push(c),
                }
            }
            out.push('\'');
        }
    }
    Ok(())
}

/// A statement in PostgreSQL's dialect with `$N` replaced by its value (quoted text is
/// left alone).
fn with_literals(sql: &str, values: &[Param<'_>]) -> Result<String> {
    let mut out = String::with_capacity(sql.len() + 64);
    let mut chars = sql.chars().peekable();
    let mut quoted = false;
    while let Some(c) = chars.next() {
        if quoted {
            quoted = c != '\'';
            out.push(c);
            continue;
        }
        match c {
            '\'' => {
                quoted = true;
                out.push(c);
            }
            '$' if chars.peek().is_some_and(char::is_ascii_digit) => {
                let mut number = String::new();
                while let Some(d) = chars.peek().filter(|d| d.is_ascii_digit()) {
                    number.push(*d);
                    chars.next();
                }
                let index: usize = number.parse().unwrap_or(0);
                let value = index
                    .checked_sub(1)
                    .and_then(|i| values.get(i))
                    .ok_or_else(|| DbError::Value(format!("no value for ${index}")))?;
                push_literal(&mut out, *value)?;
            }
            c => out.push(c),
        }
    }
    Ok(out)
}

/// Parameters as the postgres client takes them.
fn pg_params<'a>(values: &'a [Param<'_>]) -> Vec<&'a (dyn postgres::types::ToSql + Sync)> {
    values
        .iter()
        .map(|v| v as &(dyn postgres::types::ToSql + Sync))
        .collect()
}

/// A statement in the shared dialect as PostgreSQL takes it: `?N` → `$N` (a bare `?` is
/// numbered in order), `json_each(?N)` (a JSON array of text) → `jsonb_array_elements_text`.
/// Quoted text is left alone.
pub(crate) fn pg_sql(sql: &str) -> String {
    // `x IN (SELECT value FROM json_each(?N))` as `x = ANY(ARRAY(…))`: the planner takes
    // an array for what it is (an index lookup per code), where it guesses a set-returning
    // function at a hundred rows and may scan the whole table instead
    static IN_LIST: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(r"IN \((SELECT (?:value|CAST\(value AS \w+\)) FROM json_each\(\?\d+\))\)")
            .expect("pattern")
    });
    let sql = IN_LIST.replace_all(sql, "= ANY(ARRAY($1))");
    let sql = sql.replace("json_each(", "jsonb_array_elements_text(CAST_JSONB(");
    let mut out = String::with_capacity(sql.len() + 16);
    let mut chars = sql.chars().peekable();
    let mut quoted = false;
    let mut bare = 0;
    let mut json_open = false;
    while let Some(c) = chars.next() {
        if quoted {
            out.push(c);
            if c == '\'' {
                quoted = false;
            }
            continue;
        }
        match c {
            '\'' => {
                quoted = true;
                out.push(c);
            }
            '?' => {
                let mut number = String::new();
                while let Some(d) = chars.peek().filter(|d| d.is_ascii_digit()) {
                    number.push(*d);
                    chars.next();
                }
                if number.is_empty() {
                    bare += 1;
                    number = bare.to_string();
                }
                out.push('$');
                out.push_str(&number);
                if json_open {
                    out.push_str(" AS jsonb)");
                    json_open = false;
                }
            }
            _ => {
                out.push(c);
                if out.ends_with("CAST_JSONB(") {
                    out.truncate(out.len() - "CAST_JSONB(".len());
                    out.push_str("CAST(");
                    json_open = true;
                }
            }
        }
    }
    out
}

impl Db {
    pub(crate) fn is_pg(&self) -> bool {
        matches!(self, Db::Pg(_))
    }

    /// Runs a statement that returns no rows; the number of rows it changed.
    pub(crate) fn execute(&self, sql: &str, params: &[&dyn ToDb]) -> Result<u64> {
        match self {
            Db::Lite(conn) => {
                let mut statement = conn.prepare_cached(sql)?;
                let n = statement
                    .execute(rusqlite::params_from_iter(params.iter().map(|p| p.param())))?;
                Ok(n as u64)
            }
            Db::Pg(conn) => conn.borrow_mut().execute(sql, params),
        }
    }

    /// An `INSERT` whose result is not needed now: SQLite runs it at once (it is in this
    /// process); PostgreSQL queues it and sends the queue as multi-row inserts before the
    /// next statement of any other kind (so every read and the commit see it), which turns
    /// a bulk import's million round trips into a thousand. A failure surfaces at that
    /// next statement, inside the same transaction.
    pub(crate) fn insert_later(&self, sql: &str, params: &[&dyn ToDb]) -> Result<()> {
        match self {
            Db::Lite(_) => self.execute(sql, params).map(|_| ()),
            Db::Pg(conn) => conn.borrow_mut().insert_later(sql, params),
        }
    }

    /// A statement whose answer is not needed now (an upsert of state, `RELEASE`): SQLite
    /// runs it at once; PostgreSQL sends it, with its values written in, together with
    /// the next statements it has to send anyway.
    pub(crate) fn execute_later(&self, sql: &str, params: &[&dyn ToDb]) -> Result<()> {
        match self {
            Db::Lite(_) => self.execute(sql, params).map(|_| ()),
            Db::Pg(conn) => conn.borrow_mut().execute_later(sql, params),
        }
    }

    /// Sends what `insert_later` queued.
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
            Db::Lite(conn) => {
                let mut statement = conn.prepare_cached(sql)?;
                let mut rows = statement
                    .query(rusqlite::params_from_iter(params.iter().map(|p| p.param())))?;
                while let Some(row) = rows.next()? {
                    f(&Row::Lite(row))?;
                }
                Ok(())
            }
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
            Db::Lite(conn) => {
                let mut statement = conn.prepare_cached(sql)?;
                let mut rows = statement
                    .query(rusqlite::params_from_iter(params.iter().map(|p| p.param())))?;
                match rows.next()? {
                    Some(row) => f(&Row::Lite(row)),
                    None => Err(DbError::NoRows),
                }
            }
            Db::Pg(conn) => {
                let rows = conn.borrow_mut().query(sql, params)?;
                match rows.first() {
                    Some(row) => f(&Row::Pg(row)),
                    None => Err(DbError::NoRows),
                }
            }
        }
    }

    /// `row` by rusqlite's name.
    pub(crate) fn query_row<T>(
        &self,
        sql: &str,
        params: &[&dyn ToDb],
        f: impl FnOnce(&Row<'_>) -> Result<T>,
    ) -> Result<T> {
        self.row(sql, params, f)
    }

    /// Statements without parameters, separated by `;` (schema work), not kept prepared.
    pub(crate) fn batch(&self, sql: &str) -> Result<()> {
        match self {
            Db::Lite(conn) => Ok(conn.execute_batch(sql)?),
            Db::Pg(conn) => {
                let mut conn = conn.borrow_mut();
                conn.flush()?;
                Ok(conn.client().batch_execute(sql)?)
            }
        }
    }

    /// Starts the write transaction: it holds the database's write lock from its first
    /// statement (SQLite `BEGIN IMMEDIATE`; PostgreSQL a transaction-scoped advisory lock
    /// every writer takes first), so appends to the journal are serialized and the chain
    /// never forks, whichever station appends.
    pub(crate) fn begin_write(&self) -> Result<()> {
        match self {
            Db::Lite(conn) => {
                conn.prepare_cached("BEGIN IMMEDIATE")?.execute([])?;
                Ok(())
            }
            Db::Pg(conn) => {
                // one round trip for both (a string of statements is sent at once)
                let mut conn = conn.borrow_mut();
                conn.flush()?;
                if let Err(e) = conn.client().batch_execute(&format!(
                    "BEGIN; SELECT pg_advisory_xact_lock({WRITE_LOCK})"
                )) {
                    let _ = conn.client().batch_execute("ROLLBACK");
                    return Err(e.into());
                }
                Ok(())
            }
        }
    }

    /// Whether the connection is gone (PostgreSQL: the server closed it or went away).
    pub(crate) fn is_closed(&self) -> bool {
        match self {
            Db::Lite(_) => false,
            Db::Pg(conn) => conn.borrow_mut().client().is_closed(),
        }
    }
}

/// What `Stmt::query_map` gives: the rows, each a result.
pub(crate) type RowsOf<T> = std::iter::Map<std::vec::IntoIter<T>, fn(T) -> Result<T>>;

/// A statement kept by its text, run as often as needed (`Db::prepare_cached`): both
/// backends keep it prepared per connection.
pub(crate) struct Stmt<'a> {
    db: &'a Db,
    sql: String,
}

impl Db {
    pub(crate) fn prepare(&self, sql: &str) -> Result<Stmt<'_>> {
        self.prepare_cached(sql)
    }

    pub(crate) fn prepare_cached(&self, sql: &str) -> Result<Stmt<'_>> {
        Ok(Stmt {
            db: self,
            sql: sql.to_string(),
        })
    }
}

impl Stmt<'_> {
    /// Every row through `f`, as an iterator of results (as rusqlite's `query_map`).
    pub(crate) fn query_map<T>(
        &mut self,
        params: &[&dyn ToDb],
        f: impl FnMut(&Row<'_>) -> Result<T>,
    ) -> Result<RowsOf<T>> {
        let rows = self.db.rows(&self.sql, params, f)?;
        Ok(rows.into_iter().map(Ok as fn(T) -> Result<T>))
    }

    pub(crate) fn query_row<T>(
        &mut self,
        params: &[&dyn ToDb],
        f: impl FnOnce(&Row<'_>) -> Result<T>,
    ) -> Result<T> {
        self.db.row(&self.sql, params, f)
    }
}

/// The advisory lock every writer to a shared database takes first ("LOTS" in ASCII).
pub(crate) const WRITE_LOCK: i64 = 0x4C4F_5453;

#[cfg(test)]
mod tests {
    use super::pg_sql;

    #[test]
    fn plain_inserts_become_multi_row_inserts() {
        use super::{multi_row_insert, plain_insert};
        let (head, width) =
            plain_insert("INSERT INTO codes (code, issued_at) VALUES (?1, ?2)").expect("plain");
        assert_eq!(
            (head, width),
            ("INSERT INTO codes (code, issued_at) VALUES ", 2)
        );
        assert_eq!(
            multi_row_insert(head, width, 3),
            "INSERT INTO codes (code, issued_at) VALUES ($1, $2), ($3, $4), ($5, $6)"
        );
        // anything but parameters in order is sent as it is
        for sql in [
            "INSERT INTO t (a, b) VALUES (?2, ?1)",
            "INSERT INTO t (a) VALUES (?1) ON CONFLICT DO NOTHING",
            "INSERT INTO t (a, b) VALUES (?1, 'x')",
            "INSERT INTO t (a) VALUES (?1) RETURNING id",
            "UPDATE t SET a = 1",
        ] {
            assert_eq!(plain_insert(sql), None, "{sql}");
        }
    }

    #[test]
    fn values_written_into_statements_cannot_escape_their_quotes() {
        use super::{Param, with_literals};
        let sql = pg_sql(
            "INSERT INTO t (a, b, c, d) VALUES (?1, ?2, ?3, ?4) ON CONFLICT(a) DO UPDATE SET b = '$1'",
        );
        assert_eq!(
            with_literals(
                &sql,
                &[
                    Param::Text(r"it's \'; DROP TABLE t; --"),
                    Param::Int(-5),
                    Param::Null,
                    Param::Int(7)
                ]
            )
            .expect("written"),
            r"INSERT INTO t (a, b, c, d) VALUES (E'it''s \\''; DROP TABLE t; --', (-5), NULL, 7) ON CONFLICT(a) DO UPDATE SET b = '$1'"
        );
        assert!(with_literals("SELECT $1", &[Param::Text("a\0b")]).is_err());
        assert!(with_literals("SELECT $2", &[Param::Int(1)]).is_err());
    }

    #[test]
    fn statements_in_postgresql_dialect() {
        assert_eq!(
            pg_sql("SELECT a FROM t WHERE b = ?1 AND c = ?2 AND d = '?' AND e = ?1"),
            "SELECT a FROM t WHERE b = $1 AND c = $2 AND d = '?' AND e = $1"
        );
        assert_eq!(
            pg_sql("INSERT INTO t VALUES (?, ?)"),
            "INSERT INTO t VALUES ($1, $2)"
        );
        assert_eq!(
            pg_sql("SELECT x FROM t WHERE c IN (SELECT value FROM json_each(?3))"),
            "SELECT x FROM t WHERE c = ANY(ARRAY(SELECT value FROM jsonb_array_elements_text(CAST($3 AS jsonb))))"
        );
        assert_eq!(
            pg_sql(
                "SELECT x FROM t WHERE c IN (SELECT CAST(value AS citext) FROM json_each(?1)) ORDER BY x"
            ),
            "SELECT x FROM t WHERE c = ANY(ARRAY(SELECT CAST(value AS citext) FROM jsonb_array_elements_text(CAST($1 AS jsonb)))) ORDER BY x"
        );
        assert_eq!(
            pg_sql("SELECT value FROM json_each(?1)"),
            "SELECT value FROM jsonb_array_elements_text(CAST($1 AS jsonb))"
        );
    }

    #[test]
    fn numeric_sums_read_as_whole_numbers() {
        // 123456789 = 1,2345,6789 in base 10000: three digits, weight 2
        let raw: Vec<u8> = [3i16, 2, 0, 0, 1, 2345, 6789]
            .iter()
            .flat_map(|w| w.to_be_bytes())
            .collect();
        assert_eq!(super::numeric_to_i64(&raw).unwrap(), 123_456_789);
        let negative: Vec<u8> = [1i16, 0, 0x4000, 0, 42]
            .iter()
            .flat_map(|w| w.to_be_bytes())
            .collect();
        assert_eq!(super::numeric_to_i64(&negative).unwrap(), -42);
        let zero: Vec<u8> = [0i16, 0, 0, 0]
            .iter()
            .flat_map(|w| w.to_be_bytes())
            .collect();
        assert_eq!(super::numeric_to_i64(&zero).unwrap(), 0);
    }
}
