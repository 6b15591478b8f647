//! SQLite (one station): the file in WAL mode with `synchronous=FULL` and foreign keys on,
//! its migrations and append-only triggers, the station's lock file, and statements run as
//! written. A statement's `$N` is a named parameter to SQLite; values are bound by those
//! names, so a statement may use them in any order and more than once.

use std::path::{Path, PathBuf};

use super::schema_lite as schema;
use super::{Access, Cell, Claim, DbError, Location, OpenError, Param, Result, ToDb};

/// Statements kept prepared per connection: a scan runs a few dozen distinct ones, a trace
/// a few more; all stay prepared.
const STATEMENT_CACHE: usize = 256;

/// The names of the first parameters, so that binding one allocates nothing.
const NAMES: [&str; 16] = [
    "$1", "$2", "$3", "$4", "$5", "$6", "$7", "$8", "$9", "$10", "$11", "$12", "$13", "$14", "$15",
    "$16",
];

pub(crate) struct LiteConn {
    conn: rusqlite::Connection,
    /// the station's lock file, held while the station runs (`claim`)
    claim: Option<std::fs::File>,
}

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

/// Binds `params` to the statement's `$1`…`$n`, by name; a statement that names other
/// parameters, or fewer or more, is refused before it runs.
fn bind(statement: &mut rusqlite::CachedStatement<'_>, params: &[&dyn ToDb]) -> Result<()> {
    let wanted = statement.parameter_count();
    if wanted != params.len() {
        return Err(DbError::Value(format!(
            "the statement takes {wanted} values, {} were given",
            params.len()
        )));
    }
    for (i, value) in params.iter().enumerate() {
        let owned;
        let name = match NAMES.get(i) {
            Some(name) => *name,
            None => {
                owned = format!("${}", i + 1);
                &owned
            }
        };
        let index = statement
            .parameter_index(name)?
            .ok_or_else(|| DbError::Value(format!("the statement has no parameter {name}")))?;
        statement.raw_bind_parameter(index, value.param())?;
    }
    Ok(())
}

/// Text borrowed from a row, without a copy.
pub(super) fn str<'a>(row: &'a rusqlite::Row<'a>, index: usize) -> Result<&'a str> {
    Ok(row
        .get_ref(index)?
        .as_str()
        .map_err(rusqlite::Error::from)?)
}

/// One value of a row.
pub(super) fn cell<'a>(row: &'a rusqlite::Row<'a>, index: usize) -> Result<Cell<'a>> {
    use rusqlite::types::ValueRef;
    Ok(match row.get_ref(index)? {
        ValueRef::Null => Cell::Null,
        ValueRef::Integer(i) => Cell::Int(i),
        ValueRef::Real(r) => Cell::Real(r),
        ValueRef::Text(t) | ValueRef::Blob(t) => Cell::Text(
            std::str::from_utf8(t).map_err(|e| DbError::Value(format!("column {index}: {e}")))?,
        ),
    })
}

impl LiteConn {
    pub(super) fn open(path: &Path, access: Access) -> std::result::Result<LiteConn, OpenError> {
        let conn = match access {
            Access::Write => open_write(path)?,
            Access::ReadOnly => open_read_only(path)?,
        };
        Ok(LiteConn { conn, claim: None })
    }

    pub(super) fn execute(&self, sql: &str, params: &[&dyn ToDb]) -> Result<u64> {
        let mut statement = self.conn.prepare_cached(sql)?;
        bind(&mut statement, params)?;
        Ok(statement.raw_execute()? as u64)
    }

    pub(super) fn each(
        &self,
        sql: &str,
        params: &[&dyn ToDb],
        mut f: impl FnMut(&rusqlite::Row<'_>) -> Result<()>,
    ) -> Result<()> {
        let mut statement = self.conn.prepare_cached(sql)?;
        bind(&mut statement, params)?;
        let mut rows = statement.raw_query();
        while let Some(row) = rows.next()? {
            f(row)?;
        }
        Ok(())
    }

    pub(super) fn row<T>(
        &self,
        sql: &str,
        params: &[&dyn ToDb],
        f: impl FnOnce(&rusqlite::Row<'_>) -> Result<T>,
    ) -> Result<T> {
        let mut statement = self.conn.prepare_cached(sql)?;
        bind(&mut statement, params)?;
        let mut rows = statement.raw_query();
        match rows.next()? {
            Some(row) => f(row),
            None => Err(DbError::NoRows),
        }
    }

    pub(super) fn batch(&self, sql: &str) -> Result<()> {
        Ok(self.conn.execute_batch(sql)?)
    }

    pub(super) fn integrity_check(&self) -> Result<Vec<String>> {
        let mut out = Vec::new();
        self.each("PRAGMA integrity_check", &[], |r| {
            out.push(r.get::<_, String>(0)?);
            Ok(())
        })?;
        Ok(out)
    }

    pub(super) fn checkpoint(&self) -> Result<()> {
        self.row("PRAGMA wal_checkpoint(TRUNCATE)", &[], |_| Ok(()))
    }

    /// A lock file beside the database (`<db>-station.lock`, naming the process that holds
    /// it): a SQLite file serves one station.
    pub(super) fn claim(
        &mut self,
        location: &Location,
        station: &str,
    ) -> std::result::Result<(), Claim> {
        let Location::Sqlite(path) = location else {
            return Err(Claim::Failed(format!("{location} is not a SQLite file")));
        };
        // one lock per file, whatever name it was opened by: a symlink's target, and a file
        // with a second name (a hard link) refused, as SQLite itself cannot keep one
        // journal for two names
        let path = std::fs::canonicalize(path)
            .map_err(|e| Claim::Failed(format!("{}: {e}", path.display())))?;
        {
            use std::os::unix::fs::MetadataExt;
            let names = std::fs::metadata(&path)
                .map_err(|e| Claim::Failed(format!("{}: {e}", path.display())))?
                .nlink();
            if names > 1 {
                return Err(Claim::Failed(format!(
                    "{} has {names} names (hard links): SQLite would keep a journal per name and could lose records; keep one name (a symbolic link is fine)",
                    path.display()
                )));
            }
        }
        let mut name = path.as_os_str().to_owned();
        name.push("-station.lock");
        let lock_path = PathBuf::from(name);
        let mut file = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&lock_path)
            .map_err(|e| Claim::Failed(format!("{}: {e}", lock_path.display())))?;
        if file.try_lock().is_err() {
            let holder = std::fs::read_to_string(&lock_path).unwrap_or_default();
            return Err(Claim::Taken(format!(
                "{} is in use by another station ({}); a SQLite file serves one station: stations that share their records share a PostgreSQL database",
                path.display(),
                match holder.trim() {
                    "" => "a process that did not say which".to_string(),
                    holder => holder.to_string(),
                }
            )));
        }
        use std::io::Write;
        let _ = file.set_len(0);
        let _ = writeln!(file, "process {} (station {station})", std::process::id());
        self.claim = Some(file);
        Ok(())
    }

    pub(super) fn release_claims(&mut self) {
        self.claim = None;
    }
}

/// The database at `path` copied by SQLite's online backup API (consistent while it is
/// written), through a temporary file beside it.
pub(crate) fn backup(path: &Path) -> std::result::Result<Vec<u8>, String> {
    let source = rusqlite::Connection::open_with_flags(
        path,
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|e| e.to_string())?;
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let target_path = path.with_extension(format!("backup-{}-{nanos}", std::process::id()));
    let result = (|| {
        let mut target = rusqlite::Connection::open(&target_path).map_err(|e| e.to_string())?;
        rusqlite::backup::Backup::new(&source, &mut target)
            .and_then(|b| b.run_to_completion(256, std::time::Duration::from_millis(5), None))
            .map_err(|e| e.to_string())?;
        drop(target);
        std::fs::read(&target_path).map_err(|e| e.to_string())
    })();
    let _ = std::fs::remove_file(&target_path);
    result
}

fn open_write(path: &Path) -> std::result::Result<rusqlite::Connection, OpenError> {
    let failed = |e: &dyn std::fmt::Display| OpenError::Failed(e.to_string());
    if let Some(parent) = path.parent()
        && !parent.as_os_str().is_empty()
        && !parent.exists()
    {
        std::fs::create_dir_all(parent).map_err(|e| failed(&e))?;
    }
    let conn = rusqlite::Connection::open(path).map_err(|e| failed(&e))?;
    conn.busy_timeout(std::time::Duration::from_secs(10))
        .map_err(|e| failed(&e))?;
    conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
    conn.execute_batch(
        "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;
         PRAGMA mmap_size=2147418112; PRAGMA cache_size=-16384;",
    )
    .map_err(|e| failed(&e))?;
    add_functions(&conn)?;
    migrate(&conn)?;
    Ok(conn)
}

fn open_read_only(path: &Path) -> std::result::Result<rusqlite::Connection, OpenError> {
    if !path.exists() {
        return Err(OpenError::Missing);
    }
    let open = || {
        rusqlite::Connection::open_with_flags(
            path,
            rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|e| OpenError::Failed(e.to_string()))
    };
    let conn = open()?;
    let version: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .map_err(DbError::from)?;
    let known = schema_known(version)?;
    let conn = if version < known {
        // written by an older lotstation: migrated once, through a write connection
        drop(conn);
        drop(open_write(path)?);
        open()?
    } else {
        conn
    };
    conn.busy_timeout(std::time::Duration::from_secs(10))
        .map_err(DbError::from)?;
    conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
    conn.execute_batch(
        // the file mapped up to SQLite's ceiling (2 GB): a page past the map costs a system
        // call and a copy, and a large history is past 256 MB
        "PRAGMA query_only=ON; PRAGMA mmap_size=2147418112; PRAGMA cache_size=-16384;",
    )
    .map_err(DbError::from)?;
    add_functions(&conn)?;
    Ok(conn)
}

/// What the shared statements use that SQLite does not have: the byte-wise collation
/// PostgreSQL calls "C" (SQLite's BINARY).
fn add_functions(conn: &rusqlite::Connection) -> std::result::Result<(), OpenError> {
    conn.create_collation("C", |a: &str, b: &str| a.as_bytes().cmp(b.as_bytes()))
        .map_err(DbError::from)?;
    Ok(())
}

/// The schema version this lotstation knows; a file written by a newer one is refused.
fn schema_known(version: i64) -> std::result::Result<i64, OpenError> {
    let known = schema::MIGRATIONS.len() as i64;
    if version > known {
        return Err(OpenError::TooNew {
            found: version,
            known,
        });
    }
    Ok(known)
}

fn migrate(conn: &rusqlite::Connection) -> std::result::Result<(), OpenError> {
    let batch = |sql: &str| conn.execute_batch(sql).map_err(DbError::from);
    let version: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .map_err(DbError::from)?;
    schema_known(version)?;
    for (index, sql) in schema::MIGRATIONS.iter().enumerate().skip(version as usize) {
        let rebuild = schema::REBUILDS_REFERENCED_TABLE.contains(&(index + 1));
        if rebuild {
            batch("PRAGMA foreign_keys = OFF")?;
        }
        batch("BEGIN IMMEDIATE")?;
        let migrated =
            batch(sql).and_then(|()| batch(&format!("PRAGMA user_version = {}", index + 1)));
        let migrated = match migrated {
            Ok(()) => batch("COMMIT"),
            Err(e) => {
                let _ = batch("ROLLBACK");
                Err(e)
            }
        };
        if rebuild {
            batch("PRAGMA foreign_keys = ON")?;
        }
        migrated?;
        if rebuild {
            let broken: i64 = conn
                .query_row("SELECT COUNT(*) FROM pragma_foreign_key_check", [], |r| {
                    r.get(0)
                })
                .map_err(DbError::from)?;
            if broken > 0 {
                return Err(OpenError::Failed(format!(
                    "after migration {}: {broken} records refer to rows that are not there",
                    index + 1
                )));
            }
        }
    }
    for table in super::tables::append_only() {
        batch(&format!(
            "CREATE TRIGGER IF NOT EXISTS {table}_no_update BEFORE UPDATE ON {table} \
             BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END; \
             CREATE TRIGGER IF NOT EXISTS {table}_no_delete BEFORE DELETE ON {table} \
             BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END;"
        ))?;
    }
    // (the journal's own UPDATE and DELETE triggers are in its migration)
    for table in
        super::tables::append_only().chain(super::tables::holding(super::tables::Holds::Journal))
    {
        refuse_replace(conn, table)?;
    }
    Ok(())
}

/// `INSERT OR REPLACE` (and an upsert) over an existing row deletes it without firing
/// delete triggers unless a connection sets `recursive_triggers`, which a person with
/// the sqlite3 shell would not. So: a row whose rowid or unique key is already taken is
/// refused before it is inserted, whoever inserts it. (PostgreSQL has no `REPLACE`, and
/// its upsert is an UPDATE, which the append-only triggers refuse.)
fn refuse_replace(conn: &rusqlite::Connection, table: &str) -> std::result::Result<(), DbError> {
    let names = |sql: &str, arg: &str| -> std::result::Result<Vec<String>, DbError> {
        let mut statement = conn.prepare(sql)?;
        let rows = statement.query_map([arg], |r| r.get::<_, String>(0))?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    };
    let mut keys: Vec<Vec<String>> = vec![vec!["rowid".to_string()]];
    for index in names(
        "SELECT name FROM pragma_index_list(?1) WHERE \"unique\" = 1",
        table,
    )? {
        let columns = names(
            "SELECT name FROM pragma_index_info(?1) ORDER BY seqno",
            &index,
        )?;
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
        conn.execute_batch(&format!(
            "CREATE TRIGGER IF NOT EXISTS {table}_no_replace_{n} BEFORE INSERT ON {table} \
             WHEN EXISTS (SELECT 1 FROM {table} AS old WHERE {matches}) \
             BEGIN SELECT RAISE(ABORT, '{table} is append-only: a row with this key exists'); END;"
        ))?;
    }
    Ok(())
}

/// The time the disk takes for `rows` single-row durable commits, with the store's journal
/// mode and sync level, on a scratch database at `path` (created on the first call, grown
/// by each): the ceiling of one bench's scans, for the benchmark to compare against.
pub(crate) fn disk_commit_time(
    path: &Path,
    rows: usize,
) -> std::result::Result<std::time::Duration, DbError> {
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
