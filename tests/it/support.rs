//! Test helpers: a shop folder with master data, a bench driven through the real binary's
//! stdin, and direct reads of the database the binary wrote.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

pub const BIN: &str = env!("CARGO_BIN_EXE_lotstation");

/// The time every test runs at: the simulation's clock starts here, and the binary reads it
/// from `LOTSTATION_CLOCK`, so no test depends on today's date.
pub const START: &str = "2026-11-21T14:00:00Z";

/// The shop's date at `START` (the station's time zone is UTC in tests).
pub fn today() -> jiff::civil::Date {
    start().to_zoned(jiff::tz::TimeZone::UTC).date()
}

pub fn start() -> jiff::Timestamp {
    START.parse().expect("START is a time")
}

/// `yymm` of `today()`, as lot codes carry it.
pub fn yymm() -> String {
    let d = today();
    format!("{:02}{:02}", d.year() % 100, d.month())
}

/// A `Command` for the binary with the fixed clock and time zone.
pub fn command() -> Command {
    let mut command = Command::new(BIN);
    command.env("LOTSTATION_CLOCK", START).env("TZ", "UTC");
    command
}

/// Whether this run of the suite stores in PostgreSQL (`LOTSTATION_TEST_BACKEND=postgres`,
/// set by the test command for its second pass) instead of SQLite files.
pub fn postgres() -> bool {
    std::env::var("LOTSTATION_TEST_BACKEND").is_ok_and(|b| b == "postgres")
}

/// A temporary shop: a folder with a database and the fixture master data imported.
pub struct Shop {
    pub dir: tempfile::TempDir,
    /// the database as `--db` names it: the folder's SQLite file, or a new database in the
    /// test cluster
    database: String,
}

impl Shop {
    pub fn empty() -> Shop {
        let dir = tempfile::tempdir().expect("temp dir");
        let database = if postgres() {
            crate::cluster::cluster().new_database()
        } else {
            dir.path().join("lotstation.db").display().to_string()
        };
        Shop { dir, database }
    }

    /// A shop on SQLite whichever backend the suite runs on (for what only a file has).
    pub fn sqlite() -> Shop {
        let dir = tempfile::tempdir().expect("temp dir");
        let database = dir.path().join("lotstation.db").display().to_string();
        Shop { dir, database }
    }

    pub fn is_postgres(&self) -> bool {
        self.database.starts_with("postgresql://")
    }

    /// A shop with items, suppliers, customers, BOMs and orders imported (in-process, as
    /// `lotstation import` does; the CLI's import has its own tests).
    pub fn new() -> Shop {
        Shop::with_master_data(Shop::empty())
    }

    /// `Shop::new()` in a new database of the test cluster, whichever backend the suite
    /// runs on (for what only PostgreSQL has: several stations on one database).
    pub fn postgres_with_master_data() -> Shop {
        Shop::with_master_data(Shop::on_database(crate::cluster::cluster().new_database()))
    }

    /// An empty shop whose records are in `database`.
    pub fn on_database(database: String) -> Shop {
        Shop {
            dir: tempfile::tempdir().expect("temp dir"),
            database,
        }
    }

    /// `Shop::new()` on a SQLite file, whichever backend the suite runs on.
    pub fn sqlite_with_master_data() -> Shop {
        Shop::with_master_data(Shop::sqlite())
    }

    pub fn with_master_data(shop: Shop) -> Shop {
        use lotstation::masterdata::{self, MasterKind};
        let mut store = lotstation::store::Store::open(&shop.location()).expect("open store");
        for (kind, name) in [
            (MasterKind::Items, "items"),
            (MasterKind::Suppliers, "suppliers"),
            (MasterKind::Customers, "customers"),
            (MasterKind::Boms, "boms"),
            (MasterKind::Orders, "orders"),
        ] {
            let file = fixture(&format!("shop/{name}.csv"));
            let data = masterdata::parse(&lotstation::clock::Disk, kind, Path::new(&file))
                .expect("fixture parses");
            store
                .import_master(&file, "fixture", &data, start())
                .expect("fixture imports");
        }
        shop
    }

    /// The database as `--db` takes it.
    pub fn db(&self) -> String {
        self.database.clone()
    }

    /// The shop's database as the store names it.
    pub fn location(&self) -> lotstation::store::Location {
        lotstation::store::Location::parse(&self.database).expect("a database")
    }

    /// The journal head's witness file the station keeps by default.
    pub fn witness(&self) -> PathBuf {
        let default = self.location().default_witness();
        if default.is_absolute() {
            default
        } else {
            self.dir.path().join(default)
        }
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Runs `lotstation --db <db> ARGS`.
    pub fn cli(&self, args: &[&str]) -> std::process::Output {
        command()
            .arg("--db")
            .arg(self.db())
            .args(args)
            .current_dir(self.dir.path())
            .output()
            .expect("run lotstation")
    }

    /// Runs `lotstation --db <db> ARGS`, which must succeed; its standard output.
    pub fn cli_ok(&self, args: &[&str]) -> String {
        let out = self.cli(args);
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).to_string()
    }

    /// Writes `text` as `KIND.csv` in the shop's folder and imports it (`lotstation import
    /// KIND`), which must succeed.
    pub fn import_csv(&self, kind: &str, text: &str) {
        let path = self.path(&format!("{kind}.csv"));
        std::fs::write(&path, text).expect("write csv");
        self.cli_ok(&["import", kind, path.to_str().expect("utf8")]);
    }

    /// The soap's recipe with its batch size: 3 kg of olive oil and 400 g of lye for 12
    /// bars.
    /// Bulk lavender soap kept in kilograms (BULK), and order 5004 asking 1.5 kg of it.
    pub fn import_bulk_soap(&self) {
        self.import_csv(
            "items",
            "sku,name,kind,unit\nBULK,Bulk lavender soap,product,kg\n",
        );
        self.import_csv(
            "orders",
            "order_number,customer_code,ordered_at,sku,quantity\n5004,C001,2026-11-20,BULK,1.5\n",
        );
    }

    pub fn import_soap_recipe(&self) {
        self.import_csv(
            "boms",
            "product_sku,material_sku,quantity,unit,per\nSOAP,OLIVE,3,kg,12\nSOAP,LYE,400,g,12\n",
        );
    }

    /// A soap maker's day at the simulated bench: two deliveries (olive oil and lye from
    /// COASTAL, lavender oil from BRAMBLE), a blend (MFG-0001) and a soap (MFG-0002) made,
    /// orders 1001 (2 bars) and 1002 (1 bar) packed.
    pub fn soap_day(&self) {
        let mut bench = self.bench();
        bench.script(
            "@RECEIVE | SUP:COASTAL | INV-7 | ITEM:OLIVE | SL-OL-5 | @QTY:20kg | @DONE
             | ITEM:LYE | SL-NA-1 | @QTY:2kg | @DONE | @DONE
             | @RECEIVE | SUP:BRAMBLE | INV-8 | ITEM:LAV-EO | SL-LAV-1 | @QTY:1500g | @DONE | @DONE
             | @MAKE | ITEM:BLEND | LAV-2611-001 | @QTY:1000g | @YIELD:1kg | @DONE
             | ITEM:SOAP | OLV-2611-001 | @QTY:3kg | NAOH-2611-001 | @QTY:400g | @YIELD:12 | @DONE
             | @PACK | ORD:1001 | MFG-0002 | MFG-0002 | @DONE | ORD:1002 | MFG-0002 | @DONE",
        );
    }

    /// Runs a whole stdin session and returns the feedback lines.
    pub fn session(&self, scans: &[&str]) -> Vec<String> {
        let mut child = command()
            .arg("--db")
            .arg(self.db())
            .arg("--config")
            .arg(self.config_file(SIM_CONFIG))
            .arg("run")
            .current_dir(self.dir.path())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn lotstation run");
        let mut stdin = child.stdin.take().expect("stdin");
        for scan in scans {
            stdin.write_all(scan.as_bytes()).expect("write");
            stdin.write_all(b"\n").expect("write");
        }
        drop(stdin);
        let out = child.wait_with_output().expect("wait");
        assert!(
            out.status.success(),
            "lotstation run exited with {}",
            out.status
        );
        String::from_utf8(out.stdout)
            .expect("utf8")
            .lines()
            .map(str::to_string)
            .collect()
    }

    /// A bench in this process, driven scan by scan through the daemon's own scan path with
    /// a scripted clock (one second per reading from `START`).
    pub fn bench(&self) -> Sim {
        Sim::start(self, SIM_CONFIG)
    }

    /// The real binary's bench (`lotstation run` on stdin), for the process's own contract.
    pub fn process_bench(&self) -> Bench {
        let config = self.config_file(SIM_CONFIG);
        Bench::start(
            &self.db(),
            self.dir.path(),
            &["--config", config.to_str().expect("utf8 path")],
        )
    }

    /// Writes `station.toml` into the shop's folder.
    pub fn config_file(&self, text: &str) -> PathBuf {
        let path = self.path("station.toml");
        std::fs::write(&path, text).expect("write config");
        path
    }

    pub fn bench_with_config(&self, config: &str) -> Bench {
        let path = self.path("station.toml");
        std::fs::write(&path, config).expect("write config");
        Bench::start(
            &self.db(),
            self.dir.path(),
            &["--config", path.to_str().expect("utf8 path")],
        )
    }

    /// A plain SQLite connection to the file (tests that tamper with it as a person with
    /// the sqlite3 shell could).
    pub fn conn(&self) -> rusqlite::Connection {
        assert!(!self.is_postgres(), "a SQLite-only check");
        rusqlite::Connection::open(&self.database).expect("open db")
    }

    /// A plain connection to whichever database the shop has.
    pub fn sql(&self) -> Sql {
        if self.is_postgres() {
            Sql::Pg(Box::new(
                postgres::Client::connect(&self.database, postgres::NoTls).expect("connect"),
            ))
        } else {
            Sql::Lite(self.conn())
        }
    }

    /// Row counts of the journal and every record table. Print outcomes are left out: the
    /// printer worker journals them whenever the printer takes a label, between scans.
    pub fn counts(&self) -> BTreeMap<&'static str, i64> {
        let mut conn = self.sql();
        tables()
            .into_iter()
            .map(|t| {
                let sql = match t {
                    "journal" => {
                        "SELECT COUNT(*) FROM journal WHERE kind <> 'print_outcome'".to_string()
                    }
                    other => format!("SELECT COUNT(*) FROM {other}"),
                };
                (t, conn.int(&sql))
            })
            .collect()
    }

    /// The newest journal entries' (kind, body), oldest first (print outcomes left out).
    pub fn last_entries(&self, n: i64) -> Vec<(String, serde_json::Value)> {
        let rows = self.sql().rows(&format!(
            "SELECT kind, body FROM (SELECT seq, kind, body FROM journal WHERE kind <> 'print_outcome' ORDER BY seq DESC LIMIT {n}) AS last ORDER BY seq"
        ));
        rows.into_iter()
            .map(|mut row| {
                let body = row.pop().expect("body");
                (
                    row.pop().expect("kind"),
                    serde_json::from_str(&body).expect("json body"),
                )
            })
            .collect()
    }

    pub fn query_i64(&self, sql: &str) -> i64 {
        self.sql().int(sql)
    }

    pub fn query_strings(&self, sql: &str) -> Vec<String> {
        self.sql()
            .rows(sql)
            .into_iter()
            .map(|mut row| row.remove(0))
            .collect()
    }

    /// `journal verify`: (exit code, stdout).
    pub fn verify(&self) -> (i32, String) {
        let out = self.cli(&["journal", "verify"]);
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned(),
        )
    }
}

/// A plain connection of either backend, for reading what the binary wrote.
pub enum Sql {
    Lite(rusqlite::Connection),
    Pg(Box<postgres::Client>),
}

impl Sql {
    /// The first column of the first row, a whole number.
    pub fn int(&mut self, sql: &str) -> i64 {
        match self {
            Sql::Lite(conn) => conn.query_row(sql, [], |r| r.get(0)).expect(sql),
            Sql::Pg(_) => {
                let rows = self.rows(sql);
                let first = rows.first().and_then(|r| r.first()).expect(sql);
                first.parse().expect(sql)
            }
        }
    }

    /// Every row, each column as text (NULL as an empty string).
    pub fn rows(&mut self, sql: &str) -> Vec<Vec<String>> {
        match self {
            Sql::Lite(conn) => {
                let mut stmt = conn.prepare(sql).expect(sql);
                let columns = stmt.column_count();
                stmt.query_map([], |r| {
                    (0..columns)
                        .map(|i| {
                            Ok(match r.get_ref(i)? {
                                rusqlite::types::ValueRef::Null => String::new(),
                                rusqlite::types::ValueRef::Integer(n) => n.to_string(),
                                rusqlite::types::ValueRef::Real(x) => x.to_string(),
                                rusqlite::types::ValueRef::Text(t)
                                | rusqlite::types::ValueRef::Blob(t) => {
                                    String::from_utf8_lossy(t).into_owned()
                                }
                            })
                        })
                        .collect()
                })
                .expect(sql)
                .map(|r| r.expect("row"))
                .collect()
            }
            Sql::Pg(client) => {
                let sql = &pg_dialect(sql);
                // every column read as text, whatever its type
                let wrapped = format!("SELECT * FROM ({sql}) AS q");
                let statement = client.prepare(&wrapped).expect(sql);
                let casts: Vec<String> = statement
                    .columns()
                    .iter()
                    .map(|c| format!("CAST(q.\"{}\" AS TEXT)", c.name()))
                    .collect();
                let text = format!("SELECT {} FROM ({sql}) AS q", casts.join(", "));
                client
                    .query(&text, &[])
                    .expect(sql)
                    .iter()
                    .map(|row| {
                        (0..row.len())
                            .map(|i| row.get::<_, Option<String>>(i).unwrap_or_default())
                            .collect()
                    })
                    .collect()
            }
        }
    }

    /// Runs a statement; the database's refusal as text.
    pub fn execute(&mut self, sql: &str) -> Result<u64, String> {
        match self {
            Sql::Lite(conn) => conn
                .execute(sql, [])
                .map(|n| n as u64)
                .map_err(|e| e.to_string()),
            Sql::Pg(client) => client.execute(sql, &[]).map_err(|e| {
                e.as_db_error()
                    .map(|d| d.message().to_string())
                    .unwrap_or_else(|| e.to_string())
            }),
        }
    }
}

/// The tests' few SQLite-isms as PostgreSQL says them: a JSON field of a journal body
/// (`json_extract(body, '$.a.b')`), a JSON true (`= 1`).
fn pg_dialect(sql: &str) -> String {
    let field =
        regex::Regex::new(r"json_extract\((\w+), '\$\.([\w.]+)'\)( = 1)?").expect("pattern");
    field
        .replace_all(sql, |c: &regex::Captures<'_>| {
            let path = c[2].replace('.', ",");
            let text = format!("(CAST({} AS jsonb) #>> '{{{path}}}')", &c[1]);
            match c.get(3) {
                Some(_) => format!("{text} = 'true'"),
                None => text,
            }
        })
        .into_owned()
}

/// The journal and every record table, from the store's own list of tables (print
/// outcomes left out: the printer worker journals them whenever a printer takes a label).
pub fn tables() -> Vec<&'static str> {
    use lotstation::store::{Holds, TABLES};
    TABLES
        .iter()
        .filter(|t| matches!(t.holds, Holds::Journal | Holds::Record) && t.name != "print_outcomes")
        .map(|t| t.name)
        .collect()
}

pub fn fixture(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
        .display()
        .to_string()
}

/// A running `lotstation run` driven one scan at a time.
pub struct Bench {
    pub child: Child,
    stdin: Option<ChildStdin>,
    lines: mpsc::Receiver<String>,
    /// what the daemon says on standard error, line by line
    errors: mpsc::Receiver<String>,
    /// the last feedback line read
    pub last: String,
}

impl Bench {
    pub fn start(db: &str, dir: &Path, extra: &[&str]) -> Bench {
        Bench::start_with(command(), db, dir, extra)
    }

    /// `lotstation run` with at most `limit` open descriptors (as a service's LimitNOFILE).
    pub fn start_with_fd_limit(limit: u32, db: &str, dir: &Path, extra: &[&str]) -> Bench {
        let mut limited = Command::new("sh");
        limited
            .arg("-c")
            .arg(format!("ulimit -n {limit} && exec \"$0\" \"$@\""))
            .arg(BIN)
            .env("LOTSTATION_CLOCK", START)
            .env("TZ", "UTC");
        Bench::start_with(limited, db, dir, extra)
    }

    fn start_with(mut command: Command, db: &str, dir: &Path, extra: &[&str]) -> Bench {
        let mut child = command
            // the loop's own word on devices and readings, for `wait_log`
            .env("LOTSTATION_LOG", "info,lotstation::daemon=debug")
            .arg("--db")
            .arg(db)
            .args(extra)
            .arg("run")
            .current_dir(dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn lotstation run");
        let stdout = child.stdout.take().expect("stdout");
        let stderr = child.stderr.take().expect("stderr");
        let stdin = child.stdin.take();
        let (error_tx, errors) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines() {
                let Ok(line) = line else { break };
                if error_tx.send(line).is_err() {
                    break;
                }
            }
        });
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        Bench {
            child,
            stdin,
            lines: rx,
            errors,
            last: String::new(),
        }
    }

    /// Waits until the daemon logs a line containing every one of `needles` (a device
    /// connected or lost, a scale reading seen by the loop) and returns it.
    pub fn wait_log(&mut self, needles: &[&str]) -> String {
        loop {
            let line = self
                .errors
                .recv_timeout(Duration::from_secs(30))
                .unwrap_or_else(|_| panic!("no log line with {needles:?} within 30 s"));
            if needles.iter().all(|n| line.contains(n)) {
                return line;
            }
        }
    }

    /// The address the station screen listens on, as the daemon announces it at start
    /// (configs in tests listen on port 0).
    pub fn http_address(&mut self) -> std::net::SocketAddr {
        loop {
            let line = self
                .errors
                .recv_timeout(Duration::from_secs(30))
                .expect("the daemon announces its screen within 30 s");
            if let Some(rest) = line
                .strip_prefix("lotstation: station screen on http://")
                .or_else(|| line.strip_prefix("lotstation: station screen on https://"))
            {
                return rest.trim_end_matches('/').parse().expect("an address");
            }
        }
    }

    /// Sends raw bytes (no newline added).
    pub fn send_raw(&mut self, bytes: &[u8]) {
        let stdin = self.stdin.as_mut().expect("stdin open");
        stdin.write_all(bytes).expect("write");
        stdin.flush().expect("flush");
    }

    pub fn send(&mut self, scan: &str) {
        self.send_raw(format!("{scan}\n").as_bytes());
    }

    /// The next feedback line.
    pub fn read(&mut self) -> String {
        let line = self
            .lines
            .recv_timeout(Duration::from_secs(30))
            .expect("a feedback line within 30 s");
        self.last = line.clone();
        line
    }

    /// Sends one scan and returns its feedback line.
    pub fn scan(&mut self, scan: &str) -> String {
        self.send(scan);
        self.read()
    }

    /// Sends a scan that must be accepted.
    pub fn ok(&mut self, scan: &str) -> String {
        Scans::ok(self, scan)
    }

    /// Closes stdin and waits for a clean exit.
    pub fn finish(mut self) {
        drop(self.stdin.take());
        let status = self.child.wait().expect("wait");
        assert!(status.success(), "lotstation run exited with {status}");
    }

    /// Closes stdin, waits for a clean exit, and gives what the daemon said on standard
    /// error, every line.
    pub fn finish_with_log(mut self) -> Vec<String> {
        drop(self.stdin.take());
        let status = self.child.wait().expect("wait");
        assert!(status.success(), "lotstation run exited with {status}");
        // the reader ends at the pipe's end, which the exit closed
        self.errors.iter().collect()
    }
}

impl Drop for Bench {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        // a failed test shows what the daemon said
        if std::thread::panicking() {
            for line in self.errors.try_iter() {
                eprintln!("daemon: {line}");
            }
        }
    }
}

/// The simulation's station: one bench on a stdin-like scanner, labels to a folder.
pub const SIM_CONFIG: &str = r#"
[station]
timezone = "UTC"
[[bench]]
name = "bench-1"
scanners = ["stdin"]
printer = "labels"
[[scanner]]
name = "stdin"
kind = "stdin"
[[printer]]
name = "labels"
kind = "file"
path = "labels"
"#;

/// A station in this process: the daemon's scan path with a scripted clock, the same line
/// framing as standard input, and no printer workers (print jobs stay journaled).
pub struct Sim {
    daemon: lotstation::daemon::Daemon,
    framer: lotstation::decode::lines::LineFramer,
    /// the last feedback line
    pub last: String,
}

impl Sim {
    pub fn start(shop: &Shop, config: &str) -> Sim {
        let station = lotstation::config::Station::from_toml(
            &lotstation::clock::Disk,
            config,
            Path::new("sim.toml"),
        )
        .expect("simulation config");
        let store = lotstation::store::Store::open(&shop.location()).expect("open store");
        let clock = lotstation::daemon::ScriptedClock {
            next: start(),
            step: jiff::SignedDuration::from_secs(1),
        };
        Sim {
            daemon: lotstation::daemon::Daemon::new(station, store, Box::new(clock))
                .expect("daemon"),
            framer: lotstation::decode::lines::LineFramer::new(lotstation::devices::MAX_LINE_BYTES),
            last: String::new(),
        }
    }

    /// Bytes as a scanner sends them: the framed lines (or overlong runs) are stepped
    /// together in one group commit, as the event loop does with scans that arrive together,
    /// and each is answered.
    pub fn send_raw(&mut self, bytes: &[u8]) -> Vec<String> {
        let frames = self.framer.push(bytes);
        self.answer(frames)
    }

    /// Steps framed input in one group commit and answers each.
    fn answer(&mut self, frames: Vec<lotstation::decode::lines::Frame>) -> Vec<String> {
        use lotstation::decode::lines::Frame;
        use lotstation::events::ScanInput;
        let inputs: Vec<ScanInput> = frames
            .into_iter()
            .map(|frame| match frame {
                Frame::Line(raw) => ScanInput::Scan {
                    scanner: "stdin".into(),
                    raw,
                },
                Frame::Overlong(bytes) => ScanInput::Overlong {
                    scanner: "stdin".into(),
                    bytes,
                },
            })
            .collect();
        if inputs.is_empty() {
            return Vec::new();
        }
        let lines: Vec<String> = self
            .daemon
            .handle_scans(inputs)
            .into_iter()
            .map(|answer| answer.line)
            .collect();
        if let Some(last) = lines.last() {
            self.last = last.clone();
        }
        lines
    }

    /// Sends one scan and returns its feedback line.
    pub fn scan(&mut self, scan: &str) -> String {
        let mut lines = self.send_raw(format!("{scan}\n").as_bytes());
        assert_eq!(lines.len(), 1, "one answer for {scan:?}: {lines:?}");
        lines.remove(0)
    }

    /// Sends a scan that must be accepted.
    pub fn ok(&mut self, scan: &str) -> String {
        Scans::ok(self, scan)
    }

    /// What the bench said it waits for, after its last line.
    pub fn prompt(&self) -> String {
        self.last
            .split(" | next: ")
            .nth(1)
            .unwrap_or_default()
            .to_string()
    }

    /// Scans separated by `|` (a script, as a person would scan them); the transcript,
    /// one `> scan` and one `< answer` line each, for a snapshot.
    pub fn script(&mut self, script: &str) -> String {
        let mut out = String::new();
        for scan in script.split('|').map(str::trim).filter(|s| !s.is_empty()) {
            let answer = self.scan(scan);
            out.push_str(&format!("> {scan}\n< {answer}\n"));
        }
        out
    }

    /// The end of input: a partial line left in the framer is answered like stdin's last.
    /// The end of input: a last line without its terminator is answered, as standard input's
    /// reader does at end of file; returns its answer, if there was one.
    pub fn finish(mut self) -> Option<String> {
        let last = self.framer.finish()?;
        self.answer(vec![last]).pop()
    }
}

/// A bench that takes scans: the simulation or the real binary.
pub trait Scans {
    fn scan(&mut self, scan: &str) -> String;

    /// Sends a scan that must be accepted, confirming it with `@OK` if it is warned about
    /// (a setup that means an unusual quantity).
    fn confirmed(&mut self, scan: &str) -> String {
        let line = self.scan(scan);
        if line.starts_with("warning: ") {
            return self.ok("@OK");
        }
        assert!(
            line.starts_with("ok: "),
            "{scan:?} was not accepted: {line}"
        );
        line
    }

    /// Sends a scan that must be answered with a warning (a probable mistake, nothing
    /// recorded until it is confirmed).
    fn warned(&mut self, scan: &str) -> String {
        let line = self.scan(scan);
        assert!(
            line.starts_with("warning: "),
            "{scan:?} was not warned about: {line}"
        );
        line
    }

    fn ok(&mut self, scan: &str) -> String {
        let line = self.scan(scan);
        assert!(
            line.starts_with("ok: "),
            "{scan:?} was not accepted: {line}"
        );
        line
    }
}

impl Scans for Sim {
    fn scan(&mut self, scan: &str) -> String {
        Sim::scan(self, scan)
    }
}

impl Scans for Bench {
    fn scan(&mut self, scan: &str) -> String {
        Bench::scan(self, scan)
    }
}

/// Receives one lot at a fresh bench and returns its code.
pub fn receive(
    bench: &mut impl Scans,
    supplier: &str,
    item_scan: &str,
    supplier_lot: Option<&str>,
    qty: &str,
) -> String {
    bench.ok("@RECEIVE");
    bench.ok(&format!("SUP:{supplier}"));
    bench.ok("INV-1");
    bench.ok(item_scan);
    if let Some(lot) = supplier_lot {
        bench.ok(lot);
    }
    if !qty.is_empty() {
        // a quantity far from the item's recent deliveries is questioned: these setups mean it
        bench.confirmed(&format!("@QTY:{qty}"));
    }
    let line = bench.ok("@DONE");
    bench.ok("@DONE");
    code_after(&line, "lot ")
}

/// The code that follows `marker` in a feedback line (`lot LAV-2611-001 created`).
pub fn code_after(line: &str, marker: &str) -> String {
    let start = line
        .find(marker)
        .unwrap_or_else(|| panic!("{marker:?} in {line:?}"))
        + marker.len();
    line[start..]
        .split(|c: char| c.is_whitespace() || c == ':' || c == ',')
        .next()
        .unwrap_or_default()
        .to_string()
}
