//! PostgreSQL (several stations on one database): tokio-postgres driven by a
//! current-thread runtime of this connection's own (the store is synchronous code on
//! blocking threads, as with SQLite), statements kept prepared per connection, every value
//! a bound parameter. Round trips are what PostgreSQL costs, so writes whose answer is not
//! needed wait in a queue (`insert_later`, `execute_later`) and go out pipelined with the
//! next statement that must be sent anyway: a read, a savepoint, the commit. A pipeline is
//! one round trip however many statements it holds; rows of one plain insert go as
//! multi-row inserts when they are many (a history import).

use std::collections::HashMap;
use std::future::Future;
use std::path::PathBuf;
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::BufMut;
use tokio_postgres::types::{IsNull, ToSql, Type, to_sql_checked};

use super::schema_pg as schema;
use super::{
    Access, Cell, Claim, DbError, Location, OpenError, Param, PgUrl, Result, ToDb, WRITE_LOCK,
};

/// Statements kept prepared per connection; past this the cache starts over.
const STATEMENTS: usize = 512;

/// Rows of one plain insert from which they go as multi-row inserts.
const BULK: usize = 100;

/// Rows per multi-row insert (PostgreSQL takes at most 65,535 parameters a statement).
const ROWS_PER_INSERT: usize = 1000;

/// PostgreSQL's own message (its `Display` says only "db error").
pub(super) fn message(e: &tokio_postgres::Error) -> String {
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

type BoxError = Box<dyn std::error::Error + Sync + Send>;

impl ToSql for Param<'_> {
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
                _ => {
                    if s.contains('\0') {
                        return Err("text with a NUL character cannot be stored".into());
                    }
                    out.put_slice(s.as_bytes())
                }
            },
        }
        Ok(IsNull::No)
    }

    fn accepts(_: &Type) -> bool {
        true
    }

    to_sql_checked!();
}

impl<'a> tokio_postgres::types::FromSql<'a> for Cell<'a> {
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

/// A parameter kept until a queued write is sent.
#[derive(Debug, Clone)]
enum Owned {
    Null,
    Int(i64),
    Text(String),
}

impl Owned {
    fn of(value: &dyn ToDb) -> Owned {
        match value.param() {
            Param::Null => Owned::Null,
            Param::Int(i) => Owned::Int(i),
            Param::Text(s) => Owned::Text(s.to_string()),
        }
    }

    fn param(&self) -> Param<'_> {
        match self {
            Owned::Null => Param::Null,
            Owned::Int(i) => Param::Int(*i),
            Owned::Text(s) => Param::Text(s),
        }
    }
}

/// A write waiting to be sent.
enum Pending {
    /// rows of one plain insert (`INSERT INTO t (…) VALUES ($1, …, $n)`)
    Rows(String, Vec<Vec<Owned>>),
    /// any other statement with its values
    Statement(String, Vec<Owned>),
}

/// `INSERT INTO t (a, b) VALUES ($1, $2)` as its head (`INSERT INTO t (a, b) VALUES `) and
/// its number of parameters, when the tuple is nothing but `$1`…`$n` in order.
fn plain_insert(sql: &str) -> Option<(&str, usize)> {
    let at = sql.find(" VALUES (")? + " VALUES ".len();
    let (head, tuple) = sql.split_at(at);
    let inner = tuple.trim_end().strip_prefix('(')?.strip_suffix(')')?;
    let mut n = 0;
    for (i, part) in inner.split(',').enumerate() {
        if part.trim() != format!("${}", i + 1) {
            return None;
        }
        n = i + 1;
    }
    (head.starts_with("INSERT INTO ") && n > 0).then_some((head, n))
}

/// `head` with `rows` tuples of `width` numbered parameters.
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

/// One statement of a pipeline: its text and its values.
struct Step<'a> {
    sql: std::borrow::Cow<'a, str>,
    values: Vec<Param<'a>>,
}

/// What a pipeline's statement answers.
enum Answer {
    Count(u64),
    Rows(Vec<tokio_postgres::Row>),
}

type StepFuture<'a> =
    Pin<Box<dyn Future<Output = std::result::Result<Answer, tokio_postgres::Error>> + 'a>>;

/// Futures polled in the order given, each first polled before the next: each statement
/// goes to the server in that order, all before the first answer comes back. The first
/// failure ends it (the transaction is then aborted, and every later statement with it).
struct InOrder<'a> {
    futures: Vec<Option<StepFuture<'a>>>,
    answers: Vec<Option<Answer>>,
}

impl Future for InOrder<'_> {
    type Output = std::result::Result<Vec<Answer>, tokio_postgres::Error>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = &mut *self;
        let mut pending = false;
        for (slot, answer) in this.futures.iter_mut().zip(this.answers.iter_mut()) {
            if let Some(future) = slot {
                match future.as_mut().poll(cx) {
                    Poll::Ready(Ok(a)) => {
                        *answer = Some(a);
                        *slot = None;
                    }
                    Poll::Ready(Err(e)) => return Poll::Ready(Err(e)),
                    Poll::Pending => pending = true,
                }
            }
        }
        if pending {
            return Poll::Pending;
        }
        Poll::Ready(Ok(this
            .answers
            .iter_mut()
            .filter_map(Option::take)
            .collect()))
    }
}

/// A connection: its runtime, its client, what it keeps prepared and what waits to be sent.
pub(crate) struct PgConn {
    /// always `Some` until dropped
    runtime: Option<tokio::runtime::Runtime>,
    client: Option<tokio_postgres::Client>,
    /// the task that drives the connection, which ends once the client is gone
    driver: Option<tokio::task::JoinHandle<()>>,
    url: PgUrl,
    read_only: bool,
    statements: HashMap<String, tokio_postgres::Statement>,
    pending: Vec<Pending>,
    /// (what, key) of the names this station holds (`claim`), taken again on reconnecting
    claims: Vec<(String, String)>,
    /// this process, as `station_claims` names the holder of a name
    holder: String,
    /// how long a claim lasts unrenewed
    lease: std::time::Duration,
    /// when the leases were last renewed (or taken)
    renewed: Option<std::time::Instant>,
}

/// The claim refused, as opening a connection fails.
fn claim_lost(e: Claim) -> OpenError {
    match e {
        Claim::Taken(why) => OpenError::Failed(format!(
            "this station's names were taken while it was away: {why}; this station records nothing until the other one stops"
        )),
        Claim::Failed(why) => OpenError::Failed(why),
        Claim::Db(e) => OpenError::Db(e),
    }
}

/// This machine's name and this process, as a claim names its holder's host.
fn host_name() -> String {
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|h| h.trim().to_string())
        .unwrap_or_default();
    format!(
        "host {} (process {})",
        if host.is_empty() { "unknown" } else { &host },
        std::process::id()
    )
}

/// A claim's holder: this process, unlike any other (its host, its id, the nanosecond it
/// opened the connection).
fn new_holder() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    format!("{} {nanos}", host_name())
}

impl Drop for PgConn {
    /// The connection is told goodbye and its runtime stopped; on an async task's thread
    /// (the HTTP server's read pool ends there), where a runtime may not be waited for,
    /// that happens on a thread of its own.
    fn drop(&mut self) {
        let (Some(runtime), client, driver) =
            (self.runtime.take(), self.client.take(), self.driver.take())
        else {
            return;
        };
        let close = move || {
            // without its client the connection says goodbye to the server and ends
            drop(client);
            if let Some(driver) = driver {
                let _ = runtime.block_on(async move {
                    tokio::time::timeout(std::time::Duration::from_secs(1), driver).await
                });
            }
        };
        if tokio::runtime::Handle::try_current().is_ok() {
            let _ = std::thread::Builder::new()
                .name("pg-close".into())
                .spawn(close);
        } else {
            close();
        }
    }
}

/// The connection settings: the address's, with the password from `PGPASSWORD` or
/// `~/.pgpass` when the address has none, a 5 s connect timeout and TCP keepalives.
/// The server's keepalives for a station's sessions: probe after 10 s of silence, every
/// 5 s, give up after 3 unanswered (and after 30 s of unacknowledged data).
const SERVER_KEEPALIVES: &str = "-c tcp_keepalives_idle=10 -c tcp_keepalives_interval=5 -c tcp_keepalives_count=3 -c tcp_user_timeout=30000";

fn config(url: &PgUrl) -> std::result::Result<tokio_postgres::Config, String> {
    let mut config: tokio_postgres::Config = url
        .as_str()
        .parse()
        .map_err(|e| format!("database {url}: not a PostgreSQL address ({e})"))?;
    if config.get_dbname().is_none() {
        return Err(format!(
            "database {url}: name the database (postgresql://user@host/database)"
        ));
    }
    if config.get_user().is_none() {
        return Err(format!(
            "database {url}: name the user (postgresql://user@host/database)"
        ));
    }
    if config.get_hosts().is_empty() {
        config.host("localhost");
    }
    if config.get_connect_timeout().is_none() {
        config.connect_timeout(std::time::Duration::from_secs(5));
    }
    config.keepalives(true);
    config.keepalives_idle(std::time::Duration::from_secs(10));
    // and the server's side: a station that lost power or its cable never closes its
    // connection, and its claim (a session lock) would last until the server's default
    // keepalives give up, two hours on; with these it ends within about half a minute
    let options = format!(
        "{} {SERVER_KEEPALIVES}",
        config.get_options().unwrap_or_default()
    );
    config.options(options.trim());
    config.application_name("lotstation");
    if config.get_password().is_none()
        && let Some(password) = password_from_environment(&config)
    {
        config.password(password);
    }
    Ok(config)
}

fn password_from_environment(config: &tokio_postgres::Config) -> Option<String> {
    if let Ok(password) = std::env::var("PGPASSWORD") {
        return Some(password);
    }
    let file = std::env::var_os("PGPASSFILE")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".pgpass")))?;
    let text = std::fs::read_to_string(file).ok()?;
    let host = match config.get_hosts().first()? {
        tokio_postgres::config::Host::Tcp(name) => name.clone(),
        tokio_postgres::config::Host::Unix(_) => "localhost".to_string(),
    };
    let port = config
        .get_ports()
        .first()
        .copied()
        .unwrap_or(5432)
        .to_string();
    let wanted = [
        host.as_str(),
        port.as_str(),
        config.get_dbname()?,
        config.get_user()?,
    ];
    pgpass_lookup(&text, wanted)
}

/// The password of the first `host:port:database:user:password` line that matches (`*`
/// matches anything; `\:` and `\\` are escapes), as libpq reads `~/.pgpass`.
fn pgpass_lookup(text: &str, wanted: [&str; 4]) -> Option<String> {
    for line in text.lines() {
        if line.trim_start().starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let mut fields = Vec::new();
        let mut field = String::new();
        let mut chars = line.chars();
        while let Some(c) = chars.next() {
            match c {
                '\\' => field.extend(chars.next()),
                ':' if fields.len() < 4 => fields.push(std::mem::take(&mut field)),
                _ => field.push(c),
            }
        }
        fields.push(field);
        if fields.len() == 5
            && fields[..4]
                .iter()
                .zip(wanted)
                .all(|(have, want)| have == "*" || have == want)
        {
            return Some(fields[4].clone());
        }
    }
    None
}

/// A new connection to `url`: its runtime and client, the connection driven by the
/// runtime whenever this connection waits for an answer.
type Connected = (
    tokio::runtime::Runtime,
    tokio_postgres::Client,
    tokio::task::JoinHandle<()>,
);

fn connect(url: &PgUrl) -> std::result::Result<Connected, OpenError> {
    let config = config(url).map_err(OpenError::Failed)?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| OpenError::Failed(format!("cannot start the PostgreSQL client: {e}")))?;
    let (client, connection) = runtime
        .block_on(config.connect(tokio_postgres::NoTls))
        .map_err(|e| {
            let e = DbError::from(e);
            match e.failure() {
                super::Failure::Unavailable => {
                    OpenError::Unavailable(format!("cannot reach {url}: {e}"))
                }
                _ => OpenError::Failed(e.to_string()),
            }
        })?;
    let driver = runtime.spawn(async move {
        if let Err(e) = connection.await {
            tracing::debug!(error = %message(&e), "PostgreSQL connection ended");
        }
    });
    Ok((runtime, client, driver))
}

/// Whether the database holds lotstation's tables.
pub(super) fn exists(url: &PgUrl) -> std::result::Result<bool, OpenError> {
    Ok(PgConn::connect(url, false)?.version()? > 0)
}

impl PgConn {
    fn connect(url: &PgUrl, read_only: bool) -> std::result::Result<PgConn, OpenError> {
        let (runtime, client, driver) = connect(url)?;
        Ok(PgConn {
            runtime: Some(runtime),
            client: Some(client),
            driver: Some(driver),
            url: url.clone(),
            read_only,
            statements: HashMap::new(),
            pending: Vec::new(),
            claims: Vec::new(),
            holder: new_holder(),
            lease: std::time::Duration::from_secs(30),
            renewed: None,
        })
    }

    /// Opens `url`: for writing, brought to the current schema; for reading, the
    /// database must exist (one written by an older lotstation is migrated first), and
    /// every transaction is read-only.
    pub(super) fn open(url: &PgUrl, access: Access) -> std::result::Result<PgConn, OpenError> {
        let mut conn = PgConn::connect(url, access == Access::ReadOnly)?;
        match access {
            Access::Write => conn.migrate()?,
            Access::ReadOnly => {
                let version = conn.version()?;
                if version == 0 {
                    return Err(OpenError::Missing);
                }
                if version < schema::MIGRATIONS.len() as i64 {
                    conn.migrate()?;
                }
                conn.batch("SET default_transaction_read_only = on")?;
            }
        }
        Ok(conn)
    }

    fn parts(&self) -> (&tokio::runtime::Runtime, &tokio_postgres::Client) {
        (
            self.runtime
                .as_ref()
                .expect("the runtime lives as long as its connection"),
            self.client
                .as_ref()
                .expect("the client lives as long as its connection"),
        )
    }

    pub(super) fn is_closed(&self) -> bool {
        self.parts().1.is_closed()
    }

    /// Makes sure every statement in `texts` is prepared, preparing those that are not
    /// (once per connection and statement, one round trip each).
    fn prepare_all(&mut self, texts: &[&str]) -> Result<()> {
        let mut missing: Vec<&str> = texts
            .iter()
            .copied()
            .filter(|t| !self.statements.contains_key(*t))
            .collect();
        missing.sort_unstable();
        missing.dedup();
        if missing.is_empty() {
            return Ok(());
        }
        if self.statements.len() + missing.len() > STATEMENTS {
            self.statements.clear();
        }
        let (runtime, client) = self.parts();
        let prepared = runtime.block_on(async {
            let mut out = Vec::with_capacity(missing.len());
            let futures: Vec<_> = missing.iter().map(|sql| client.prepare(sql)).collect();
            for future in futures {
                out.push(future.await?);
            }
            Ok::<_, tokio_postgres::Error>(out)
        })?;
        for (sql, statement) in missing.into_iter().zip(prepared) {
            self.statements.insert(sql.to_string(), statement);
        }
        Ok(())
    }

    /// Sends the queued writes and then `last` (if any) in one pipeline; `last`'s answer.
    fn pipeline(&mut self, last: Option<(&str, &[&dyn ToDb], bool)>) -> Result<Option<Answer>> {
        let pending = std::mem::take(&mut self.pending);
        if pending.is_empty() && last.is_none() {
            return Ok(None);
        }
        let mut steps: Vec<Step<'_>> = Vec::new();
        for item in &pending {
            match item {
                Pending::Rows(sql, rows) if rows.len() >= BULK => {
                    let (head, width) = plain_insert(sql).expect("queued as a plain insert");
                    let per = ROWS_PER_INSERT.min(65_535 / width);
                    for chunk in rows.chunks(per) {
                        steps.push(Step {
                            sql: multi_row_insert(head, width, chunk.len()).into(),
                            values: chunk.iter().flatten().map(Owned::param).collect(),
                        });
                    }
                }
                Pending::Rows(sql, rows) => {
                    for row in rows {
                        steps.push(Step {
                            sql: sql.as_str().into(),
                            values: row.iter().map(Owned::param).collect(),
                        });
                    }
                }
                Pending::Statement(sql, values) => steps.push(Step {
                    sql: sql.as_str().into(),
                    values: values.iter().map(Owned::param).collect(),
                }),
            }
        }
        let wants_rows = last.is_some_and(|l| l.2);
        if let Some((sql, params, _)) = last {
            steps.push(Step {
                sql: sql.into(),
                values: params.iter().map(|p| p.param()).collect(),
            });
        }
        let texts: Vec<&str> = steps.iter().map(|s| s.sql.as_ref()).collect();
        self.prepare_all(&texts)?;
        let (runtime, client) = self.parts();
        let count = steps.len();
        let futures: Vec<Option<StepFuture<'_>>> = steps
            .iter()
            .enumerate()
            .map(|(i, step)| {
                let statement = &self.statements[step.sql.as_ref()];
                let values: Vec<&(dyn ToSql + Sync)> = step
                    .values
                    .iter()
                    .map(|v| v as &(dyn ToSql + Sync))
                    .collect();
                let future: StepFuture<'_> = if i + 1 == count && wants_rows {
                    Box::pin(
                        async move { client.query(statement, &values).await.map(Answer::Rows) },
                    )
                } else {
                    Box::pin(
                        async move { client.execute(statement, &values).await.map(Answer::Count) },
                    )
                };
                Some(future)
            })
            .collect();
        let answers = runtime.block_on(InOrder {
            answers: (0..futures.len()).map(|_| None).collect(),
            futures,
        })?;
        Ok(if last.is_some() {
            answers.into_iter().last()
        } else {
            None
        })
    }

    /// Queues a plain insert; rows of the same statement since the last other queued
    /// statement go together.
    pub(super) fn insert_later(&mut self, sql: &str, params: &[&dyn ToDb]) -> Result<()> {
        if plain_insert(sql).is_none() {
            return self.execute_later(sql, params);
        }
        let row = params.iter().map(|p| Owned::of(*p)).collect();
        let since_other = self
            .pending
            .iter()
            .rposition(|p| matches!(p, Pending::Statement(..)))
            .map_or(0, |i| i + 1);
        match self.pending[since_other..]
            .iter_mut()
            .find_map(|p| match p {
                Pending::Rows(queued, rows) if queued == sql => Some(rows),
                _ => None,
            }) {
            Some(rows) => rows.push(row),
            None => self.pending.push(Pending::Rows(sql.to_string(), vec![row])),
        }
        Ok(())
    }

    pub(super) fn execute_later(&mut self, sql: &str, params: &[&dyn ToDb]) -> Result<()> {
        self.pending.push(Pending::Statement(
            sql.to_string(),
            params.iter().map(|p| Owned::of(*p)).collect(),
        ));
        Ok(())
    }

    pub(super) fn flush(&mut self) -> Result<()> {
        self.pipeline(None).map(|_| ())
    }

    /// The queued writes and `sql` (no parameters), in one round trip.
    pub(super) fn flush_with(&mut self, sql: &str) -> Result<()> {
        self.pipeline(Some((sql, &[], false))).map(|_| ())
    }

    pub(super) fn query(
        &mut self,
        sql: &str,
        params: &[&dyn ToDb],
    ) -> Result<Vec<tokio_postgres::Row>> {
        match self.pipeline(Some((sql, params, true)))? {
            Some(Answer::Rows(rows)) => Ok(rows),
            _ => Ok(Vec::new()),
        }
    }

    pub(super) fn execute(&mut self, sql: &str, params: &[&dyn ToDb]) -> Result<u64> {
        match self.pipeline(Some((sql, params, false)))? {
            Some(Answer::Count(n)) => Ok(n),
            _ => Ok(0),
        }
    }

    /// Statements without parameters, after what is queued, not kept prepared.
    pub(super) fn batch(&mut self, sql: &str) -> Result<()> {
        self.flush()?;
        let (runtime, client) = self.parts();
        Ok(runtime.block_on(client.batch_execute(sql))?)
    }

    /// `BEGIN` and the writers' lock, in one round trip; then, when a third of the lease
    /// has passed, this station's claim renewed (a lapsed one taken again if it is free):
    /// nothing is written under a name another station holds.
    pub(super) fn begin_write(&mut self) -> Result<()> {
        self.pending
            .push(Pending::Statement("BEGIN".to_string(), Vec::new()));
        if let Err(e) = self.execute("SELECT pg_advisory_xact_lock($1)", &[&WRITE_LOCK]) {
            let _ = self.rollback();
            return Err(e);
        }
        match self.renew_claims(false) {
            Ok(()) => Ok(()),
            Err(Claim::Failed(_)) => {
                // lapsed (a long pause): taken again where nobody took it meanwhile
                let _ = self.rollback();
                self.take_claims().map_err(|e| match e {
                    Claim::Db(e) => e,
                    Claim::Taken(why) | Claim::Failed(why) => DbError::ClaimLost(why),
                })?;
                self.begin_write()
            }
            Err(Claim::Taken(why)) => {
                let _ = self.rollback();
                Err(DbError::ClaimLost(why))
            }
            Err(Claim::Db(e)) => {
                let _ = self.rollback();
                Err(e)
            }
        }
    }

    pub(super) fn rollback_to_savepoint(&mut self) -> Result<()> {
        // what is queued was written after the savepoint
        self.pending.clear();
        self.execute("ROLLBACK TO scan", &[])?;
        self.execute_later("RELEASE scan", &[])
    }

    pub(super) fn commit(&mut self) -> Result<()> {
        match self.execute("COMMIT", &[]) {
            Ok(_) => Ok(()),
            // the connection lost on the way: it may have committed before the answer was
            Err(e) if e.failure() == super::Failure::Unavailable => {
                Err(DbError::OutcomeUnknown(Box::new(e)))
            }
            Err(e) => Err(e),
        }
    }

    pub(super) fn rollback(&mut self) -> Result<()> {
        // what is queued belongs to the transaction being undone
        self.pending.clear();
        self.batch("ROLLBACK")
    }

    /// Statistics and visibility maps of every table brought up to date after a bulk
    /// import (one statement each: VACUUM refuses to run in a transaction block).
    pub(super) fn analyze(&mut self) -> Result<()> {
        if self.read_only {
            return Ok(());
        }
        use super::tables::{Holds, holding};
        let written: Vec<&str> = holding(Holds::Journal)
            .chain(holding(Holds::Record))
            .chain(["shipment_index"])
            .collect();
        self.batch(&format!("VACUUM (ANALYZE) {}", written.join(", ")))?;
        let master: Vec<&str> = holding(Holds::Master).collect();
        self.batch(&format!("ANALYZE {}", master.join(", ")))
    }

    /// The station's and its benches' names, held as leases in `station_claims`: each row
    /// names this process (`holder`), its host, since when, until when (renewed while it
    /// runs), and the server session that holds it. A name is free when its row's lease has
    /// run out, or the session that took it is gone (a stopped or killed station, a server
    /// restart); a session the server still believes in (a station whose power was cut
    /// behind a connection the network keeps half open) holds it until its lease ends.
    pub(super) fn claim(
        &mut self,
        station: &str,
        benches: &[&str],
        lease: std::time::Duration,
    ) -> std::result::Result<(), Claim> {
        let mut names = vec![(format!("station {station}"), format!("station:{station}"))];
        names.extend(
            benches
                .iter()
                .map(|b| (format!("bench {b}"), format!("bench:{b}"))),
        );
        self.claims = names;
        self.lease = lease;
        self.take_claims()
    }

    /// Takes every name, all or none, in a transaction behind the writers' lock (so no
    /// write of the station it takes a lapsed name from is half way).
    fn take_claims(&mut self) -> std::result::Result<(), Claim> {
        if self.claims.is_empty() {
            return Ok(());
        }
        self.batch("BEGIN")?;
        let taken = (|| -> std::result::Result<(), Claim> {
            self.execute("SELECT pg_advisory_xact_lock($1)", &[&WRITE_LOCK])?;
            let seconds = self.lease.as_secs() as i64;
            let (holder, host) = (self.holder.clone(), host_name());
            for (what, key) in self.claims.clone() {
                let rows = self.query(
                    "INSERT INTO station_claims (name, holder, host, since, expires_at, backend_pid, backend_start)
                     SELECT CAST($1 AS TEXT), CAST($2 AS TEXT), CAST($3 AS TEXT), now(),
                            now() + make_interval(secs => CAST($4 AS BIGINT)), pg_backend_pid(),
                            (SELECT backend_start FROM pg_stat_activity WHERE pid = pg_backend_pid())
                     ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, host = excluded.host,
                         since = CASE WHEN station_claims.holder = excluded.holder
                                      THEN station_claims.since ELSE excluded.since END,
                         expires_at = excluded.expires_at, backend_pid = excluded.backend_pid,
                         backend_start = excluded.backend_start
                     WHERE station_claims.holder = excluded.holder
                        OR station_claims.expires_at < now()
                        OR NOT EXISTS (SELECT 1 FROM pg_stat_activity a
                                        WHERE a.pid = station_claims.backend_pid
                                          AND a.backend_start = station_claims.backend_start)
                     RETURNING holder",
                    &[&key, &holder, &host, &seconds],
                )?;
                if !rows.is_empty() {
                    continue;
                }
                let held = self.query(
                    "SELECT host, to_char(since AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS'),
                            to_char(expires_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS')
                     FROM station_claims WHERE name = $1",
                    &[&key],
                )?;
                let said = match held.first() {
                    Some(row) => {
                        let row = super::Row::Pg(row);
                        format!(
                            "{} has held it since {} UTC, and keeps it until {} UTC unless it renews it (a running station renews it every few seconds)",
                            row.get::<String>(0)?,
                            row.get::<String>(1)?,
                            row.get::<String>(2)?
                        )
                    }
                    None => "another daemon holds it".to_string(),
                };
                return Err(Claim::Taken(format!(
                    "{what} is already running on {}: {said}; give each station and bench its own name",
                    self.url
                )));
            }
            Ok(())
        })();
        match taken {
            Ok(()) => {
                self.execute("COMMIT", &[])?;
                self.renewed = Some(std::time::Instant::now());
                Ok(())
            }
            Err(e) => {
                let _ = self.rollback();
                Err(e)
            }
        }
    }

    /// Renews this station's leases (when a third of one has passed since the last
    /// renewal, or `always`), or takes them again where they lapsed and nobody took them;
    /// `Err` says who holds what this station no longer does. Inside a write transaction
    /// it runs after the writers' lock; outside one, on its own.
    fn renew_claims(&mut self, always: bool) -> std::result::Result<(), Claim> {
        if self.claims.is_empty() {
            return Ok(());
        }
        if !always && self.renewed.is_some_and(|at| at.elapsed() < self.lease / 3) {
            return Ok(());
        }
        let seconds = self.lease.as_secs() as i64;
        let renewed = self.execute(
            "UPDATE station_claims SET expires_at = now() + make_interval(secs => CAST($2 AS BIGINT))
             WHERE holder = $1 AND expires_at > now()",
            &[&self.holder.clone(), &seconds],
        )?;
        if renewed as usize == self.claims.len() {
            self.renewed = Some(std::time::Instant::now());
            return Ok(());
        }
        Err(Claim::Failed(
            "the station's lease on its names lapsed".into(),
        ))
    }

    /// The heartbeat's renewal (outside any transaction): a closed connection is opened
    /// again (its claims taken again), a lapsed lease taken again where it is free.
    pub(super) fn keep_claims(&mut self) -> std::result::Result<(), OpenError> {
        if self.claims.is_empty() {
            return Ok(());
        }
        if self.is_closed() {
            return self.reconnect();
        }
        match self.renew_claims(true) {
            Ok(()) => Ok(()),
            Err(Claim::Failed(_)) => self.take_claims().map_err(claim_lost),
            Err(e) => Err(claim_lost(e)),
        }
    }

    pub(super) fn release_claims(&mut self) {
        if !self.claims.is_empty() && !self.is_closed() {
            let holder = self.holder.clone();
            let _ = self.execute("DELETE FROM station_claims WHERE holder = $1", &[&holder]);
        }
        self.claims.clear();
    }

    /// A new connection in place of this one, with its claims taken again.
    ///
    /// The claims are taken on the new connection before it replaces the closed one: when
    /// another daemon took this station's names while the server was away (a restart
    /// releases every session's locks), the new connection is dropped and this one stays
    /// closed, so every later write tries again and is refused the same way, and nothing
    /// is recorded under a name another station holds.
    pub(super) fn reconnect(&mut self) -> std::result::Result<(), OpenError> {
        let mut fresh = PgConn::connect(&self.url, self.read_only)?;
        if self.read_only {
            fresh.batch("SET default_transaction_read_only = on")?;
        }
        fresh.claims = self.claims.clone();
        fresh.lease = self.lease;
        fresh.holder = self.holder.clone();
        match fresh.take_claims() {
            Ok(()) => {
                *self = fresh;
                Ok(())
            }
            Err(e) => Err(claim_lost(e)),
        }
    }

    /// The schema version recorded in the database; 0 when it has no tables of ours.
    fn version(&mut self) -> Result<i64> {
        let exists = self.query(
            "SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_tables WHERE schemaname = current_schema() AND tablename = 'lotstation_meta')",
            &[],
        )?;
        let exists = match exists.first() {
            Some(row) => super::Row::Pg(row).get::<bool>(0)?,
            None => false,
        };
        if !exists {
            return Ok(0);
        }
        let rows = self.query(
            "SELECT value FROM lotstation_meta WHERE key = 'schema'",
            &[],
        )?;
        Ok(match rows.first() {
            Some(row) => super::Row::Pg(row).get::<String>(0)?.parse().unwrap_or(0),
            None => 0,
        })
    }

    /// Brings the database to the current schema, under the writers' lock so that two
    /// stations starting at once do not both migrate.
    fn migrate(&mut self) -> std::result::Result<(), OpenError> {
        let known = schema::MIGRATIONS.len() as i64;
        let version = self.version()?;
        if version > known {
            return Err(OpenError::TooNew {
                found: version,
                known,
            });
        }
        if version == known {
            return Ok(());
        }
        self.begin_write()?;
        let migrated = (|| -> Result<()> {
            self.batch("CREATE TABLE IF NOT EXISTS lotstation_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")?;
            let version = self.version()?;
            for index in version as usize..schema::MIGRATIONS.len() {
                self.batch(&schema::migration(index))?;
            }
            self.execute(
                "INSERT INTO lotstation_meta (key, value) VALUES ('schema', $1)
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                &[&known.to_string()],
            )?;
            Ok(())
        })();
        match migrated {
            Ok(()) => Ok(self.batch("COMMIT")?),
            Err(e) => {
                let _ = self.rollback();
                Err(e.into())
            }
        }
    }
}

/// A new, empty database beside the one `base` names (same server and role, which needs
/// CREATEDB), for the benchmark's fresh starts; its address.
pub(crate) fn create_scratch_database(
    base: &Location,
    name: &str,
) -> std::result::Result<Location, OpenError> {
    let url = scratch(base, name)?;
    let mut conn = PgConn::connect(url, false)?;
    // (a database's name is an identifier, which cannot be a parameter: `scratch` allows
    // letters, digits and `_` only)
    conn.batch(&format!("DROP DATABASE IF EXISTS {name}"))?;
    conn.batch(&format!("CREATE DATABASE {name}"))?;
    Ok(Location::Postgres(url.with_database(name)))
}

/// Drops a database `create_scratch_database` made (nothing else may be connected to it).
pub(crate) fn drop_scratch_database(
    base: &Location,
    name: &str,
) -> std::result::Result<(), OpenError> {
    let url = scratch(base, name)?;
    PgConn::connect(url, false)?.batch(&format!("DROP DATABASE IF EXISTS {name}"))?;
    Ok(())
}

fn scratch<'a>(base: &'a Location, name: &str) -> std::result::Result<&'a PgUrl, OpenError> {
    let Location::Postgres(url) = base else {
        return Err(OpenError::Failed(
            "scratch databases are PostgreSQL's".into(),
        ));
    };
    if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return Err(OpenError::Failed(format!(
            "{name:?} is not a plain database name"
        )));
    }
    Ok(url)
}

#[cfg(test)]
mod tests {
    /// The server is asked to notice a station gone without a word (power cut) within
    /// half a minute, beside any options the address already carries.
    #[test]
    fn a_station_asks_the_server_for_short_keepalives() {
        let location = super::Location::parse(
            "postgresql://shop@db.local/lots?options=-c%20search_path%3Dshop",
        )
        .expect("an address");
        let super::Location::Postgres(url) = location else {
            panic!("a PostgreSQL address");
        };
        let config = super::config(&url).expect("a config");
        assert_eq!(
            config.get_options(),
            Some(
                "-c search_path=shop -c tcp_keepalives_idle=10 -c tcp_keepalives_interval=5 -c tcp_keepalives_count=3 -c tcp_user_timeout=30000"
            )
        );
    }

    #[test]
    fn plain_inserts_become_multi_row_inserts() {
        use super::{multi_row_insert, plain_insert};
        let (head, width) =
            plain_insert("INSERT INTO codes (code, issued_at) VALUES ($1, $2)").expect("plain");
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
            "INSERT INTO t (a, b) VALUES ($2, $1)",
            "INSERT INTO t (a) VALUES ($1) ON CONFLICT DO NOTHING",
            "INSERT INTO t (a, b) VALUES ($1, 'x')",
            "INSERT INTO t (a) VALUES ($1) RETURNING id",
            "UPDATE t SET a = 1",
        ] {
            assert_eq!(plain_insert(sql), None, "{sql}");
        }
    }

    #[test]
    fn pgpass_lines_as_libpq_reads_them() {
        let text = "# comment\nother:5432:lots:shop:no\n*:5432:lots:shop:pa\\:ss\n";
        assert_eq!(
            super::pgpass_lookup(text, ["db.local", "5432", "lots", "shop"]).as_deref(),
            Some("pa:ss")
        );
        assert_eq!(
            super::pgpass_lookup(text, ["db.local", "5433", "lots", "shop"]),
            None
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
