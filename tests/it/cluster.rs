//! A throwaway PostgreSQL cluster for the tests: Debian's own server binaries, `initdb` into
//! a temporary folder as an unprivileged user, a loopback port chosen by the kernel, and a
//! supervisor that stops the server when this test process ends (its standard input is a
//! pipe from this process: when the process exits, however it exits, the pipe closes and
//! the supervisor runs `pg_ctl stop`). Nothing is assumed running.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Mutex, OnceLock};

/// The role the stations connect as: not a superuser, owner of its databases (so it may
/// create the trusted `citext` extension, as a shop's own role would).
pub const ROLE: &str = "lotstation";
pub const PASSWORD: &str = "bench-secret";

pub struct Cluster {
    pub port: u16,
    pub socket_dir: PathBuf,
    pub data: PathBuf,
    bin: PathBuf,
    options: String,
    run_as: Option<String>,
    /// holding its standard input keeps the server running
    supervisor: Mutex<Child>,
    _dir: tempfile::TempDir,
}

impl Drop for Cluster {
    /// Stops the server and waits until it has (the supervisor then removes its folder).
    fn drop(&mut self) {
        let supervisor = self
            .supervisor
            .get_mut()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        drop(supervisor.stdin.take());
        let _ = supervisor.wait();
    }
}

static CLUSTER: OnceLock<Cluster> = OnceLock::new();
static DATABASES: AtomicU32 = AtomicU32::new(0);

/// The test process's cluster, started on first use.
pub fn cluster() -> &'static Cluster {
    CLUSTER.get_or_init(Cluster::start)
}

/// Debian keeps the server's programs under /usr/lib/postgresql/<version>/bin.
fn bin_dir() -> PathBuf {
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let version = e.file_name().to_str()?.parse().ok()?;
            let bin = e.path().join("bin");
            bin.join("initdb").exists().then_some((version, bin))
        })
        .collect();
    versions.sort();
    versions.pop().map(|(_, bin)| bin).unwrap_or_else(|| {
        panic!("no PostgreSQL server: install Debian's postgresql (the test command does)")
    })
}

fn is_root() -> bool {
    std::env::var("USER").is_ok_and(|u| u == "root")
        || Command::new("id")
            .arg("-u")
            .output()
            .is_ok_and(|o| o.stdout.trim_ascii() == b"0")
}

impl Cluster {
    /// A cluster of its own (the shared one is `cluster()`), stopped when dropped.
    pub fn start() -> Cluster {
        let bin = bin_dir();
        let dir = tempfile::Builder::new()
            .prefix("lotstation-pg-")
            .tempdir()
            .expect("temp dir");
        let data = dir.path().join("data");
        let socket_dir = dir.path().join("socket");
        std::fs::create_dir_all(&socket_dir).expect("socket dir");
        // initdb refuses to run as root: the server runs as Debian's postgres user then
        let run_as = is_root().then(|| "postgres".to_string());
        if let Some(user) = &run_as {
            let status = Command::new("chown")
                .args(["-R", &format!("{user}:"), &dir.path().display().to_string()])
                .status()
                .expect("chown");
            assert!(status.success(), "chown the cluster's folder to {user}");
            make_traversable(dir.path());
        }
        let pwfile = dir.path().join("pw");
        std::fs::write(&pwfile, "admin-secret\n").expect("password file");
        let initdb = as_user(&run_as, bin.join("initdb"))
            .arg("-D")
            .arg(&data)
            .args([
                "-U",
                "postgres",
                "--auth-local=trust",
                "--auth-host=scram-sha-256",
                "--encoding=UTF8",
                "--locale=C.UTF-8",
            ])
            .arg(format!("--pwfile={}", pwfile.display()))
            .stdout(Stdio::null())
            .output()
            .expect("run initdb");
        assert!(
            initdb.status.success(),
            "initdb: {}",
            String::from_utf8_lossy(&initdb.stderr)
        );
        let port = free_port();
        let options = format!(
            "-p {port} -k {} -c listen_addresses=127.0.0.1 -c max_connections=200",
            socket_dir.display()
        );
        let log = dir.path().join("server.log");
        let pg_ctl = bin.join("pg_ctl");
        // the supervisor: start, say so, and stop when our end of its stdin closes. The
        // cluster is thrown away, so `immediate` (no shutdown checkpoint): a `fast` stop on
        // a loaded machine could outlast pg_ctl's minute and leave the server running
        let script = "\"$0\" start -w -D \"$1\" -l \"$2\" -o \"$3\" >/dev/null || exit 1; echo ready; \
                      cat >/dev/null; \"$0\" stop -w -t 120 -D \"$1\" -m immediate >/dev/null; rm -rf \"$4\"";
        let mut supervisor = as_user(&run_as, "sh")
            .arg("-c")
            .arg(script)
            .arg(&pg_ctl)
            .arg(&data)
            .arg(&log)
            .arg(&options)
            .arg(dir.path())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start the PostgreSQL supervisor");
        let mut ready = String::new();
        BufReader::new(supervisor.stdout.take().expect("stdout"))
            .read_line(&mut ready)
            .expect("read the supervisor");
        assert_eq!(
            ready.trim(),
            "ready",
            "PostgreSQL did not start: {}",
            std::fs::read_to_string(&log).unwrap_or_default()
        );
        let cluster = Cluster {
            port,
            socket_dir,
            data,
            bin,
            options,
            run_as,
            supervisor: Mutex::new(supervisor),
            _dir: dir,
        };
        cluster.admin(&format!(
            "CREATE ROLE {ROLE} LOGIN PASSWORD '{PASSWORD}' CREATEDB"
        ));
        cluster
    }

    /// Runs a statement as the superuser, over the socket.
    pub fn admin(&self, sql: &str) {
        let mut client = postgres::Config::new()
            .host_path(&self.socket_dir)
            .port(self.port)
            .user("postgres")
            .dbname("postgres")
            .connect(postgres::NoTls)
            .expect("connect as the superuser");
        client.batch_execute(sql).expect(sql);
    }

    /// A new empty database owned by the stations' role; its address.
    pub fn new_database(&self) -> String {
        let name = format!(
            "shop_{}_{}",
            std::process::id(),
            DATABASES.fetch_add(1, Ordering::Relaxed)
        );
        self.admin(&format!("CREATE DATABASE {name} OWNER {ROLE}"));
        self.url(&name)
    }

    pub fn url(&self, database: &str) -> String {
        format!(
            "postgresql://{ROLE}:{PASSWORD}@127.0.0.1:{}/{database}",
            self.port
        )
    }

    /// `pg_ctl restart -m fast`: every connection is cut, the server comes back.
    pub fn restart(&self) {
        let out = as_user(&self.run_as, self.bin.join("pg_ctl"))
            .args(["restart", "-w", "-m", "fast", "-D"])
            .arg(&self.data)
            .stdout(Stdio::null())
            .output()
            .expect("pg_ctl restart");
        assert!(
            out.status.success(),
            "pg_ctl restart: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// `pg_ctl stop -m fast` (the server is down until `start`).
    pub fn stop(&self) {
        let out = as_user(&self.run_as, self.bin.join("pg_ctl"))
            .args(["stop", "-w", "-m", "fast", "-D"])
            .arg(&self.data)
            .stdout(Stdio::null())
            .output()
            .expect("pg_ctl stop");
        assert!(out.status.success(), "pg_ctl stop");
    }

    pub fn start_again(&self) {
        let out = as_user(&self.run_as, self.bin.join("pg_ctl"))
            .args(["start", "-w", "-D"])
            .arg(&self.data)
            .arg("-o")
            .arg(&self.options)
            .arg("-l")
            .arg(self.data.parent().expect("cluster dir").join("server.log"))
            .stdout(Stdio::null())
            .output()
            .expect("pg_ctl start");
        assert!(out.status.success(), "pg_ctl start");
    }
}

fn as_user(user: &Option<String>, program: impl AsRef<std::ffi::OsStr>) -> Command {
    match user {
        Some(user) => {
            let mut command = Command::new("runuser");
            command.args(["-u", user, "--"]).arg(program);
            command
        }
        None => Command::new(program),
    }
}

/// The folders above the cluster's must let its user through (a temporary folder is 0700).
fn make_traversable(dir: &Path) {
    use std::os::unix::fs::PermissionsExt;
    let _ = std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o755));
}

/// A loopback port no one listens on, chosen by the kernel.
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}
