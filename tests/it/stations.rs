//! Several stations, one PostgreSQL database: a receiving dock, a kitchen and a packing
//! table, each its own `lotstation run`, scanning at the same time into one shared journal;
//! a station that is not alone (same names, same SQLite file) is refused; PostgreSQL
//! restarted or stopped under a running station loses nothing acknowledged.

use std::path::{Path, PathBuf};

use crate::cluster::{Cluster, cluster};
use crate::support::{Bench, Scans, Shop, code_after, command};

/// A station's configuration: one bench with a fixed workflow, standard input as its
/// scanner, labels into a folder; optionally the screen on a kernel-chosen port.
fn station_config(station: &str, bench: &str, workflow: &str, http: bool) -> String {
    format!(
        "[station]\nname = \"{station}\"\ntimezone = \"UTC\"\n\
         [[bench]]\nname = \"{bench}\"\nworkflow = \"{workflow}\"\nscanners = [\"stdin\"]\nprinter = \"labels\"\n\
         [[scanner]]\nname = \"stdin\"\nkind = \"stdin\"\n\
         [[printer]]\nname = \"labels\"\nkind = \"file\"\npath = \"labels\"\n{}",
        if http {
            "[http]\nlisten = \"127.0.0.1:0\"\n"
        } else {
            ""
        }
    )
}

/// A station's own folder (its witness file and labels), its config, its daemon.
fn start_station(db: &str, root: &Path, station: &str, bench: &str, workflow: &str) -> Bench {
    let dir = station_dir(root, station);
    let config = dir.join("station.toml");
    std::fs::write(&config, station_config(station, bench, workflow, false)).expect("config");
    Bench::start(db, &dir, &["--config", config.to_str().expect("utf8")])
}

fn station_dir(root: &Path, station: &str) -> PathBuf {
    let dir = root.join(station);
    std::fs::create_dir_all(&dir).expect("station dir");
    dir
}

fn receive(bench: &mut Bench, item: &str, supplier_lot: &str, quantity: &str) -> String {
    bench.ok(&format!("ITEM:{item}"));
    bench.ok(supplier_lot);
    bench.confirmed(&format!("@QTY:{quantity}"));
    code_after(&bench.ok("@DONE"), "lot ")
}

/// A lavender blend from one lavender lot, then a batch of soap from it: (blend, soap).
fn make_soap(bench: &mut Bench, lavender: &str, olive: &str, lye: &str) -> (String, String) {
    bench.ok("ITEM:BLEND");
    bench.ok(lavender);
    bench.ok("@QTY:1000");
    bench.ok("@YIELD:1kg");
    let blend = code_after(&bench.ok("@DONE"), "batch ");
    bench.ok("ITEM:SOAP");
    bench.ok(olive);
    bench.ok("@QTY:3kg");
    bench.ok(lye);
    bench.ok("@QTY:400g");
    bench.ok(&blend);
    bench.ok("@QTY:100g");
    bench.ok("@YIELD:12");
    let soap = code_after(&bench.ok("@DONE"), "batch ");
    (blend, soap)
}

#[test]
fn three_stations_one_day_one_journal() {
    let shop = Shop::postgres_with_master_data();
    let db = shop.db();
    let root = shop.dir.path();
    let mut dock = start_station(&db, root, "dock", "receiving", "receive");
    let mut kitchen = start_station(&db, root, "kitchen", "making", "make");
    let mut front = start_station(&db, root, "front", "packing", "pack");

    // the morning delivery, before anyone makes anything
    dock.ok("SUP:BRAMBLE");
    dock.ok("INV-1");
    let lavender = receive(&mut dock, "LAV-EO", "SL-LAV-1", "10000g");
    dock.ok("@DONE");
    dock.ok("SUP:COASTAL");
    dock.ok("INV-C-1");
    let olive = receive(&mut dock, "OLIVE", "SL-OL-1", "100kg");
    let lye = receive(&mut dock, "LYE", "SL-NA-1", "10000g");
    dock.ok("@DONE");

    // then all three at once: the dock keeps receiving while the kitchen makes soap and
    // the packing table ships it
    let (dock, kitchen, front, more_lots, soaps) = std::thread::scope(|scope| {
        let receiving = scope.spawn(move || {
            dock.ok("SUP:BRAMBLE");
            dock.ok("INV-2");
            let lots: Vec<String> = (0..25)
                .map(|i| receive(&mut dock, "LAV-EO", &format!("SL-LAV-2-{i}"), "500g"))
                .collect();
            dock.ok("@DONE");
            (dock, lots)
        });
        let (lavender, olive, lye) = (&lavender, &olive, &lye);
        let making = scope.spawn(move || {
            let soaps: Vec<String> = (0..3)
                .map(|_| make_soap(&mut kitchen, lavender, olive, lye).1)
                .collect();
            (kitchen, soaps)
        });
        let (kitchen, soaps) = making.join().expect("kitchen");
        let packing = {
            let soaps = soaps.clone();
            scope.spawn(move || {
                front.ok("ORD:1001");
                front.ok(&soaps[0]);
                front.ok(&soaps[0]);
                front.ok("@DONE");
                front.ok("ORD:1002");
                front.ok(&soaps[1]);
                front.ok("@DONE");
                front
            })
        };
        let (dock, lots) = receiving.join().expect("dock");
        (dock, kitchen, packing.join().expect("front"), lots, soaps)
    });
    for bench in [dock, kitchen, front] {
        bench.finish();
    }

    // one chain, written by all three, every code issued once
    assert_eq!(
        shop.query_i64("SELECT COUNT(*) - COUNT(DISTINCT code) FROM codes"),
        0,
        "no code issued twice"
    );
    assert_eq!(
        shop.query_i64("SELECT COUNT(*) FROM lots"),
        3 + more_lots.len() as i64
    );
    assert_eq!(
        shop.query_strings(
            "SELECT DISTINCT station FROM journal WHERE station IS NOT NULL ORDER BY station"
        ),
        ["dock", "front", "kitchen"]
    );
    for station in ["dock", "kitchen", "front"] {
        // each station's own witness: every head it saw is in the one chain
        let out = command()
            .args(["--db", &db, "journal", "verify"])
            .current_dir(station_dir(root, station))
            .output()
            .expect("verify");
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(out.status.success(), "{station}: {text}");
        assert!(text.contains("journal ok: "), "{text}");
        assert!(text.contains("heads witnessed in"), "{station}: {text}");
    }
    // a lot received at the dock reaches the customers packed at the front
    let out = shop.cli(&["trace", "forward", &lavender, "--format", "json"]);
    assert!(out.status.success(), "{out:?}");
    let trace: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let customers: Vec<&str> = trace["customers"]
        .as_array()
        .expect("customers")
        .iter()
        .filter_map(|c| c["code"].as_str())
        .collect();
    assert_eq!(customers, ["C001", "C002"], "{trace}");
    assert_eq!(soaps.len(), 3);
}

#[test]
fn a_second_station_with_a_taken_name_is_refused() {
    let shop = Shop::postgres_with_master_data();
    let db = shop.db();
    let root = shop.dir.path();
    let mut dock = start_station(&db, root, "dock", "receiving", "receive");
    dock.ok("SUP:BRAMBLE");
    let run_again = |station: &str, bench: &str| {
        let dir = station_dir(root, &format!("{station}-{bench}-again"));
        let config = dir.join("station.toml");
        std::fs::write(&config, station_config(station, bench, "receive", false)).expect("config");
        command()
            .args([
                "--db",
                &db,
                "--config",
                config.to_str().expect("utf8"),
                "run",
            ])
            .current_dir(&dir)
            .stdin(std::process::Stdio::null())
            .output()
            .expect("run")
    };
    let same_station = run_again("dock", "receiving-2");
    assert_eq!(same_station.status.code(), Some(1));
    let said = String::from_utf8_lossy(&same_station.stderr);
    assert!(
        said.contains("station dock is already running on postgresql://lotstation@127.0.0.1:"),
        "{said}"
    );
    let same_bench = run_again("back-door", "receiving");
    assert_eq!(same_bench.status.code(), Some(1));
    let said = String::from_utf8_lossy(&same_bench.stderr);
    assert!(
        said.contains("bench receiving is already running"),
        "{said}"
    );
    // the running one was not disturbed
    dock.ok("INV-9");
    dock.finish();
    // and once it has stopped, the name is free again
    let mut dock = start_station(&db, root, "dock", "receiving", "receive");
    dock.ok("@DONE");
    dock.finish();
}

#[test]
fn a_second_daemon_on_one_sqlite_file_is_refused() {
    let shop = Shop::sqlite_with_master_data();
    let mut first = shop.process_bench();
    first.ok("@RECEIVE");
    let out = shop.cli(&[
        "--config",
        shop.path("station.toml").to_str().expect("utf8"),
        "run",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(
        said.contains("is in use by another station (process ")
            && said.contains("a SQLite file serves one station"),
        "{said}"
    );
    // by another name: a symbolic link is the same file, and is refused the same way; a
    // second name (a hard link) is refused outright, before and after the first stops
    let run_as = |db: &Path| {
        command()
            .args([
                "--db",
                db.to_str().expect("utf8"),
                "--config",
                shop.path("station.toml").to_str().expect("utf8"),
                "run",
            ])
            .current_dir(shop.dir.path())
            .stdin(std::process::Stdio::null())
            .output()
            .expect("run")
    };
    let linked = shop.path("linked.db");
    std::os::unix::fs::symlink(shop.db(), &linked).expect("symlink");
    let out = run_as(&linked);
    assert_eq!(out.status.code(), Some(1));
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(said.contains("is in use by another station"), "{said}");
    let second_name = shop.path("second-name.db");
    std::fs::hard_link(shop.db(), &second_name).expect("hard link");
    let out = run_as(&second_name);
    assert_eq!(out.status.code(), Some(1));
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(
        said.contains("has 2 names (hard links)") && said.contains("keep one name"),
        "{said}"
    );
    std::fs::remove_file(&second_name).expect("one name again");
    // nor is it copied into PostgreSQL while it records: what it made during and after
    // the copy would stay behind (refused before the target is even reached)
    let out = shop.cli(&[
        "migrate",
        "--to",
        "postgresql://lotstation@127.0.0.1:1/none",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(
        said.contains("is in use by another station") && said.contains("Stop the station first"),
        "{said}"
    );
    first.ok("SUP:BRAMBLE");
    first.finish();
}

/// `pg_ctl restart -m fast` in the middle of a session, then PostgreSQL stopped for a while:
/// no scan is answered `ok:` without its commit, the station says the database is down (on
/// `/metrics`) and carries on by itself when it is back, and every acknowledged scan is in
/// the journal.
#[test]
fn postgresql_restarted_or_stopped_under_a_station_loses_nothing() {
    let own = Cluster::start();
    let shop = Shop::with_master_data(Shop::on_database(own.new_database()));
    let db = shop.db();
    let dir = station_dir(shop.dir.path(), "dock");
    let config = dir.join("station.toml");
    std::fs::write(
        &config,
        station_config("dock", "receiving", "receive", true),
    )
    .expect("config");
    let mut dock = Bench::start(&db, &dir, &["--config", config.to_str().expect("utf8")]);
    let port = dock.http_address().port();
    let mut acknowledged = Vec::new();
    // a scan until it is answered ok (an error says it was not recorded: scan it again)
    let mut scan = |dock: &mut Bench, text: &str| loop {
        let line = dock.scan(text);
        if line.starts_with("ok: ") {
            acknowledged.push(text.to_string());
            return line;
        }
        assert!(line.contains("not recorded, scan it again"), "{line}");
    };
    scan(&mut dock, "SUP:BRAMBLE");
    scan(&mut dock, "INV-1");
    for i in 0..10 {
        if i == 5 {
            own.restart();
        }
        scan(&mut dock, "ITEM:LAV-EO");
        scan(&mut dock, &format!("SL-R-{i}"));
        scan(&mut dock, "@QTY:100g");
        scan(&mut dock, "@DONE");
    }
    // down: the scan is refused, and the station says why
    own.stop();
    let line = dock.scan("ITEM:LAV-EO");
    assert!(
        line.starts_with("error: ") && line.contains("not recorded, scan it again"),
        "{line}"
    );
    let (_, metrics) = crate::http::http(port, "GET", "/metrics", None, "");
    assert!(metrics.contains("lotstation_database_up 0"), "{metrics}");
    // back: the same scan goes through, with no one restarting the station
    own.start_again();
    scan(&mut dock, "ITEM:LAV-EO");
    scan(&mut dock, "SL-R-back");
    scan(&mut dock, "@QTY:100g");
    scan(&mut dock, "@DONE");
    let (_, metrics) = crate::http::http(port, "GET", "/metrics", None, "");
    assert!(metrics.contains("lotstation_database_up 1"), "{metrics}");
    dock.finish();

    let journaled = shop.query_strings(
        "SELECT json_extract(body, '$.raw') FROM journal WHERE kind = 'scan' AND json_extract(body, '$.accepted') = 1 ORDER BY seq",
    );
    assert_eq!(
        journaled, acknowledged,
        "every ok is journaled, once, in order"
    );
    assert_eq!(shop.query_i64("SELECT COUNT(*) FROM lots"), 11);
    let out = command()
        .args(["--db", &db, "journal", "verify"])
        .current_dir(&dir)
        .output()
        .expect("verify");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

/// A restart releases every session's locks, a station's claim on its names among them: a
/// second daemon with the same names may start then, and the first, back on a new
/// connection, must record nothing under names it no longer holds (both used to record on
/// one bench, their scans interleaved); once the other has stopped, it records again.
#[test]
fn a_station_whose_names_were_taken_while_postgresql_restarted_records_nothing() {
    let own = Cluster::start();
    let shop = Shop::with_master_data(Shop::on_database(own.new_database()));
    let db = shop.db();
    let root = shop.dir.path();
    let mut first = start_station(&db, root, "solo", "bench-solo", "receive");
    first.ok("SUP:BRAMBLE");
    own.restart();
    let mut second = start_station(&db, &root.join("again"), "solo", "bench-solo", "receive");
    second.ok("SUP:COASTAL");
    for _ in 0..3 {
        let line = first.scan("INV-FIRST");
        assert!(
            line.starts_with("error: ")
                && line.contains("this station's names were taken while it was away")
                && line.contains("not recorded"),
            "{line}"
        );
    }
    second.ok("INV-SECOND");
    second.finish();
    // the other one stopped: the next scan takes the names back and is recorded
    first.ok("INV-FIRST");
    first.finish();
    assert_eq!(
        shop.query_strings(
            "SELECT json_extract(body, '$.raw') FROM journal WHERE kind = 'scan' AND json_extract(body, '$.accepted') = 1 ORDER BY seq",
        ),
        ["SUP:BRAMBLE", "SUP:COASTAL", "INV-SECOND", "INV-FIRST"]
    );
}

/// A TCP proxy in front of PostgreSQL that can be frozen: from then on it forwards nothing
/// and closes nothing, so the server keeps believing in the connections behind it (as a
/// network does when a station loses its power: nobody says goodbye).
struct FreezingProxy {
    port: u16,
    frozen: std::sync::Arc<std::sync::atomic::AtomicBool>,
}

impl FreezingProxy {
    fn start(server: u16) -> FreezingProxy {
        use std::sync::atomic::Ordering;
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let frozen = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let flag = frozen.clone();
        std::thread::spawn(move || {
            for down in listener.incoming() {
                let Ok(down) = down else { continue };
                let Ok(up) = std::net::TcpStream::connect(("127.0.0.1", server)) else {
                    continue;
                };
                for (mut from, mut to) in [
                    (
                        down.try_clone().expect("clone"),
                        up.try_clone().expect("clone"),
                    ),
                    (up, down),
                ] {
                    let flag = flag.clone();
                    std::thread::spawn(move || {
                        use std::io::{Read, Write};
                        let _ = from.set_read_timeout(Some(std::time::Duration::from_millis(20)));
                        let mut buffer = [0u8; 16384];
                        loop {
                            if flag.load(Ordering::SeqCst) {
                                // frozen: both sockets kept open, for as long as the test runs
                                std::thread::park();
                                continue;
                            }
                            match from.read(&mut buffer) {
                                Ok(0) => return,
                                Ok(n) => {
                                    if to.write_all(&buffer[..n]).is_err() {
                                        return;
                                    }
                                }
                                Err(e)
                                    if matches!(
                                        e.kind(),
                                        std::io::ErrorKind::WouldBlock
                                            | std::io::ErrorKind::TimedOut
                                    ) => {}
                                Err(_) => return,
                            }
                        }
                    });
                }
            }
        });
        FreezingProxy { port, frozen }
    }

    fn freeze(&self) {
        self.frozen.store(true, std::sync::atomic::Ordering::SeqCst);
    }
}

/// A station whose power is cut behind a connection the network keeps half open: the
/// server believes in its session for hours, but its claim on its names is a lease it no
/// longer renews, so the same station starting again is told who holds the names and until
/// when, and starts once the lease has run out (3 s here; 30 s by default).
#[test]
fn a_station_cut_off_behind_a_half_open_connection_lets_go_of_its_names() {
    let own = Cluster::start();
    let shop = Shop::with_master_data(Shop::on_database(own.new_database()));
    let db = shop.db();
    let proxy = FreezingProxy::start(own.port);
    let through_proxy = db.replace(&format!(":{}/", own.port), &format!(":{}/", proxy.port));
    assert_ne!(through_proxy, db);
    let root = shop.dir.path();
    let config = |name: &str| {
        let dir = station_dir(root, name);
        let path = dir.join("station.toml");
        std::fs::write(
            &path,
            station_config("solo", "bench-solo", "receive", false)
                .replace("[station]\n", "[station]\nclaim_seconds = 3\n"),
        )
        .expect("config");
        (dir, path)
    };
    let (dir, path) = config("first");
    let mut first = Bench::start(
        &through_proxy,
        &dir,
        &["--config", path.to_str().expect("utf8")],
    );
    first.ok("SUP:BRAMBLE");
    // the power goes: the network keeps the server's side open, the station is gone
    proxy.freeze();
    let _ = first.child.kill();
    let _ = first.child.wait();
    let (dir, path) = config("again");
    let start_again = || {
        command()
            .args(["--db", &db, "--config", path.to_str().expect("utf8"), "run"])
            .current_dir(&dir)
            .stdin(std::process::Stdio::null())
            .output()
            .expect("run")
    };
    let refused = start_again();
    assert_eq!(refused.status.code(), Some(1));
    let said = String::from_utf8_lossy(&refused.stderr);
    assert!(
        said.contains("station solo is already running on")
            && said.contains("(process ")
            && said.contains("has held it since")
            && said.contains("and keeps it until")
            && said.contains("unless it renews it"),
        "{said}"
    );
    // a bounded wait for the lease to run out: the station starts well within a minute
    let cut = std::time::Instant::now();
    loop {
        let out = start_again();
        if out.status.success() {
            break;
        }
        assert!(
            cut.elapsed() < std::time::Duration::from_secs(20),
            "still refused: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        std::thread::sleep(std::time::Duration::from_millis(250));
    }
    assert!(
        cut.elapsed() >= std::time::Duration::from_secs(1),
        "not before the lease ran out"
    );
    let mut again = Bench::start(&db, &dir, &["--config", path.to_str().expect("utf8")]);
    again.ok("SUP:COASTAL");
    again.finish();
}

/// Moving up: the demo's SQLite records copied into PostgreSQL answer every trace the same,
/// with the same journal head; a second copy into the filled database is refused.
#[test]
fn migrate_moves_a_sqlite_station_into_postgresql_unchanged() {
    let dir = tempfile::tempdir().expect("temp dir");
    let demo = command()
        .args(["demo", "--quiet", "--dir"])
        .arg(dir.path().join("demo"))
        .current_dir(dir.path())
        .output()
        .expect("demo");
    assert!(demo.status.success(), "{demo:?}");
    let sqlite = dir.path().join("demo/lotstation.db").display().to_string();
    let postgres = cluster().new_database();
    let migrate = |to: &str| {
        command()
            .args(["--db", &sqlite, "migrate", "--to", to])
            .current_dir(dir.path())
            .output()
            .expect("migrate")
    };
    let out = migrate(&postgres);
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{said}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(said.contains("both journals verify: "), "{said}");
    assert!(
        said.contains("database = \"postgresql://lotstation@127.0.0.1:"),
        "the password stays out: {said}"
    );
    assert!(!said.contains(crate::cluster::PASSWORD), "{said}");

    let run = |db: &str, args: &[&str]| {
        let out = command()
            .arg("--db")
            .arg(db)
            .args(args)
            .current_dir(dir.path())
            .output()
            .expect("run");
        assert!(out.status.success(), "{args:?}: {out:?}");
        String::from_utf8(out.stdout).expect("utf8")
    };
    let head = |db: &str| {
        let text = run(db, &["journal", "verify"]);
        text.split(" head ")
            .nth(1)
            .and_then(|t| t.split(';').next())
            .expect("a head")
            .to_string()
    };
    assert_eq!(head(&sqlite), head(&postgres));
    let sqlite_shop = Shop::on_database(sqlite.clone());
    let lots = sqlite_shop.query_strings("SELECT code FROM lots ORDER BY code");
    let shipments = sqlite_shop.query_strings("SELECT code FROM shipments ORDER BY code");
    assert!(!lots.is_empty() && !shipments.is_empty());
    for lot in &lots {
        let args = ["trace", "forward", lot.as_str(), "--format", "json"];
        assert_eq!(
            run(&sqlite, &args),
            run(&postgres, &args),
            "forward from {lot}"
        );
    }
    for shipment in &shipments {
        let args = ["trace", "backward", shipment.as_str(), "--format", "json"];
        assert_eq!(
            run(&sqlite, &args),
            run(&postgres, &args),
            "backward from {shipment}"
        );
    }
    let stock = ["stock", "--all", "--format", "json"];
    assert_eq!(run(&sqlite, &stock), run(&postgres, &stock));

    // the filled database is not filled twice
    let again = migrate(&postgres);
    assert_eq!(again.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&again.stderr).contains("migrate fills an empty database only"),
        "{again:?}"
    );
    // and a station goes on appending to the same chain there
    let mut station = Bench::start(&postgres, dir.path(), &[]);
    station.ok("@RECEIVE");
    station.finish();
    let text = run(&postgres, &["journal", "verify"]);
    assert!(text.starts_with("journal ok: "), "{text}");
}
