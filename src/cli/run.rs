//! `lotstation run`: the daemon, with the sources its configuration names.

use crate::store::Location;
use std::io::Write;

use crate::config::{ScannerKind, Station};
use crate::core::{counted, counted_as};
use crate::daemon::{self, Daemon};
use crate::devices::Source;

/// `run --check`: the configuration loaded, its templates rendered; say what it sets up.
pub fn check(station: &Station, db: &Location) -> anyhow::Result<i32> {
    let config = &station.config;
    say!(
        "config {} is valid: {}, {}, {}, {}; database {}",
        station.source.display(),
        counted_as(config.bench.len(), "bench", "benches"),
        counted(config.scanner.len(), "scanner"),
        counted(config.scale.len(), "scale"),
        counted(config.printer.len(), "printer"),
        db
    );
    for bench in &config.bench {
        say!(
            "bench {}: workflow {}, scanners [{}], scale {}, printer {}",
            bench.name,
            bench.workflow.map(|m| m.verb()).unwrap_or("chosen by scan"),
            bench.scanners.join(", "),
            bench.scale.as_deref().unwrap_or("none"),
            bench.printer.as_deref().unwrap_or("none"),
        );
    }
    Ok(0)
}

/// The station's name: the configured one, else the machine's.
fn station_name(station: &Station) -> String {
    station.name().map(str::to_string).unwrap_or_else(|| {
        std::fs::read_to_string("/proc/sys/kernel/hostname")
            .map(|h| h.trim().to_string())
            .ok()
            .filter(|h| !h.is_empty())
            .unwrap_or_else(|| "station".to_string())
    })
}

pub fn run(station: Station, db: &Location) -> anyhow::Result<i32> {
    let mut store = super::open_store(db, &station)?;
    // one daemon per station and bench name (PostgreSQL), one per SQLite file
    let name = station_name(&station);
    let benches: Vec<&str> = station
        .config
        .bench
        .iter()
        .map(|b| b.name.as_str())
        .collect();
    if let Err(e) = store.claim_station(&name, &benches, station.claim_lease()) {
        eprintln!("error: {e}");
        return Ok(1);
    }
    if matches!(db, Location::Postgres(_)) {
        // where stations share a journal, every entry says which one wrote it
        store.set_station(Some(&name));
    }
    let mut sources = Vec::new();
    for scanner in &station.config.scanner {
        match scanner.kind {
            ScannerKind::Stdin => sources.push(Source::Stdin {
                scanner: scanner.name.clone(),
            }),
            ScannerKind::Evdev => sources.push(Source::Evdev {
                scanner: scanner.name.clone(),
                path: scanner.path.clone().unwrap_or_default(),
                layout: scanner.layout,
                suffix: scanner.suffix,
                timeout_ms: scanner.timeout_ms,
            }),
            ScannerKind::Hidraw => sources.push(Source::Hidraw {
                scanner: scanner.name.clone(),
                path: scanner.path.clone().unwrap_or_default(),
                layout: scanner.report_layout.unwrap_or(
                    crate::decode::hidpos::ReportLayout::named(&scanner.report)
                        .unwrap_or(crate::decode::hidpos::ReportLayout::HONEYWELL),
                ),
            }),
            ScannerKind::Serial => sources.push(Source::Serial {
                scanner: scanner.name.clone(),
                path: scanner.path.clone().unwrap_or_default(),
                baud: scanner.baud,
            }),
            // its reads come over HTTP from the bench's page
            ScannerKind::Camera => {}
        }
    }
    if sources
        .iter()
        .filter(|s| matches!(s, Source::Stdin { .. }))
        .count()
        > 1
    {
        anyhow::bail!("only one scanner can read standard input");
    }
    let http = match &station.config.http {
        None => None,
        Some(config) => match std::net::TcpListener::bind(&config.listen) {
            Ok(listener) => {
                let tls = if config.tls {
                    let names = crate::http::tls::names(&config.listen, &config.hosts);
                    Some(
                        crate::http::tls::load_or_make(&config.tls_dir, &names)
                            .map_err(|e| anyhow::anyhow!("https ([http] tls): {e}"))?,
                    )
                } else {
                    None
                };
                eprintln!(
                    "lotstation: station screen on {}://{}/",
                    if tls.is_some() { "https" } else { "http" },
                    listener.local_addr()?
                );
                if let Some(tls) = &tls {
                    eprintln!(
                        "lotstation: its certificate's SHA-256 fingerprint is {}",
                        tls.certificate.fingerprint
                    );
                }
                // where a phone opens a camera bench (the Camera page has them as QR codes)
                let address = listener.local_addr()?;
                let host = if address.ip().is_unspecified() {
                    let names = crate::http::tls::names(&config.listen, &config.hosts);
                    names
                        .into_iter()
                        .find(|n| n != "localhost" && n != "127.0.0.1")
                        .unwrap_or_else(|| "localhost".into())
                } else {
                    address.ip().to_string()
                };
                for bench in station.config.bench.iter().map(|b| &b.name) {
                    if station.camera_of(bench).is_some() {
                        eprintln!(
                            "lotstation: a phone's camera scans for bench {bench} at {}://{host}:{}{}{}",
                            if tls.is_some() { "https" } else { "http" },
                            address.port(),
                            crate::http::bench_path(bench),
                            if tls.is_none() {
                                " (a phone needs [http] tls = true; a webcam on this computer works)"
                            } else {
                                ""
                            }
                        );
                    }
                }
                Some(crate::daemon::HttpService {
                    listener,
                    settings: crate::http::Settings {
                        token: config.token.clone(),
                        db: db.clone(),
                        station: station.clone(),
                        tls,
                    },
                })
            }
            // the embedded default's port may be taken by another station on this machine
            Err(e) if station.source.to_string_lossy().contains("embedded") => {
                eprintln!("lotstation: no station screen ({}: {e})", config.listen);
                None
            }
            Err(e) => anyhow::bail!("cannot listen on {}: {e}", config.listen),
        },
    };
    let daemon = Daemon::new(
        station,
        store,
        crate::clock::from_environment().map_err(anyhow::Error::msg)?,
    )?;
    for bench in daemon.bench_names() {
        eprintln!(
            "lotstation: bench {bench} ready ({}); {}",
            db,
            daemon.prompt(&bench).unwrap_or_default()
        );
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    runtime.block_on(daemon::run(
        daemon,
        sources,
        http,
        |feedback| {
            let mut out = std::io::stdout().lock();
            let _ = writeln!(out, "{}", feedback.line);
            let _ = out.flush();
        },
        daemon::shutdown_signal(),
    ))?;
    // a scanner still reading (standard input at a terminal) is a thread blocked in a read
    // that only the end of input would end: the station has finished, so it is not waited for
    runtime.shutdown_timeout(std::time::Duration::from_millis(100));
    Ok(0)
}
