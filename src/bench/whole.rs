//! Figures as a person gets them: each command a fresh process of the binary (start-up,
//! configuration, opening the database, the answer written into a pipe that is read to
//! its end), and the station screen answering eight clients at once while a bench scans.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use super::figure::{Figure, ms, percentiles, timed};

/// What the commands are run on: codes of the imported history.
pub struct Subjects {
    /// the lot consumed most often
    pub most_used: String,
    /// a lot that reaches customers through a blend (a batch used in other batches),
    /// about 8 % of them
    pub blend: String,
    /// an order number
    pub order: String,
    /// the scale's name, for the figures' names
    pub scale: &'static str,
}

/// One command, `runs` times after a warm-up run, each a fresh process whose standard
/// output is read to the end; the times and the size of the last answer.
fn time_command(
    exe: &Path,
    db: &Path,
    args: &[&str],
    runs: usize,
) -> anyhow::Result<(Vec<Duration>, usize)> {
    let mut samples = Vec::with_capacity(runs);
    let mut size = 0;
    for run in 0..=runs {
        let started = Instant::now();
        let mut child = Command::new(exe)
            .arg("--db")
            .arg(db)
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()?;
        let mut answer = Vec::new();
        child
            .stdout
            .take()
            .ok_or_else(|| anyhow::anyhow!("no stdout"))?
            .read_to_end(&mut answer)?;
        let mut errors = String::new();
        child
            .stderr
            .take()
            .ok_or_else(|| anyhow::anyhow!("no stderr"))?
            .read_to_string(&mut errors)?;
        let status = child.wait()?;
        let took = started.elapsed();
        anyhow::ensure!(
            status.success(),
            "lotstation {} failed: {errors}",
            args.join(" ")
        );
        size = answer.len();
        if run > 0 {
            samples.push(took);
        }
    }
    Ok((samples, size))
}

fn size_text(bytes: usize) -> String {
    if bytes >= 1 << 20 {
        format!("{:.1} MB", bytes as f64 / (1 << 20) as f64)
    } else {
        format!("{:.0} KB", (bytes as f64 / 1024.0).ceil())
    }
}

/// The commands a person runs, each timed as a whole process.
pub fn command_figures(
    exe: &Path,
    db: &Path,
    dir: &Path,
    subjects: &Subjects,
) -> anyhow::Result<Vec<Figure>> {
    let scale = subjects.scale;
    let out = dir.join("recall-drills");
    let out = out.to_string_lossy();
    // (what, arguments, runs, ceiling on the median)
    let cases: Vec<(String, Vec<&str>, usize, Option<Duration>)> = vec![
        (
            format!(
                "forward trace as JSON, lot through a blend ({})",
                subjects.blend
            ),
            vec!["trace", "forward", &subjects.blend, "--format", "json"],
            21,
            Some(Duration::from_millis(10)),
        ),
        (
            format!(
                "forward trace as JSON, most-used lot ({})",
                subjects.most_used
            ),
            vec!["trace", "forward", &subjects.most_used, "--format", "json"],
            21,
            Some(Duration::from_millis(20)),
        ),
        (
            "forward trace as text, most-used lot".into(),
            vec!["trace", "forward", &subjects.most_used],
            11,
            None,
        ),
        (
            "backward trace of an order as JSON".into(),
            vec!["trace", "backward", &subjects.order, "--format", "json"],
            21,
            Some(Duration::from_millis(5)),
        ),
        (
            "backward trace of an order as text".into(),
            vec!["trace", "backward", &subjects.order],
            11,
            None,
        ),
        (
            "recall --mock, most-used lot (writes its three files)".into(),
            vec!["recall", &subjects.most_used, "--mock", "--out", &out],
            7,
            Some(Duration::from_millis(300)),
        ),
        ("stock (everything on hand)".into(), vec!["stock"], 7, None),
    ];
    let mut figures = Vec::new();
    for (what, args, runs, ceiling) in cases {
        let (mut samples, size) = time_command(exe, db, &args, runs)?;
        let name = format!("whole command: {what}, {scale} ({} out)", size_text(size));
        figures.push(match ceiling {
            Some(ceiling) => timed(&name, &mut samples, ceiling, "median"),
            None => {
                let (median, p99) = percentiles(&mut samples);
                Figure {
                    name,
                    median: ms(median),
                    p99: ms(p99),
                    target: "-".into(),
                    ratio: None,
                }
            }
        });
    }
    Ok(figures)
}

/// Requests each client makes (at tiny scale, a look for CI, fewer: the rows are there, the
/// figures are the small scale's to give).
const REQUESTS: usize = 24;
const TINY_REQUESTS: usize = 6;

/// One GET over a new connection, read to its end; the time and the status line.
fn get(address: std::net::SocketAddr, path: &str) -> anyhow::Result<(Duration, String)> {
    let started = Instant::now();
    let mut stream = std::net::TcpStream::connect(address)?;
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n"
    )?;
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer)?;
    let took = started.elapsed();
    let status =
        String::from_utf8_lossy(answer.split(|&b| b == b'\r').next().unwrap_or(&[])).into_owned();
    Ok((took, status))
}

/// The daemon, with its screen, on the imported history: the trace page and the trace
/// API under eight clients at once, then fifty with recall packages among them, and one
/// bench's scans answered meanwhile (scans first: within 2x and 5x of the idle p99).
pub fn http_figures(
    exe: &Path,
    db: &Path,
    dir: &Path,
    subjects: &Subjects,
    supplier: &str,
    item: &str,
    quantity: &str,
) -> anyhow::Result<Vec<Figure>> {
    let config = dir.join("http-bench.toml");
    std::fs::write(
        &config,
        "[station]\ntimezone = \"UTC\"\n[http]\nlisten = \"127.0.0.1:0\"\n\
         [[bench]]\nname = \"bench-0\"\nworkflow = \"receive\"\nscanners = [\"scanner-0\"]\n\
         [[scanner]]\nname = \"scanner-0\"\nkind = \"stdin\"\n",
    )?;
    let mut child = Command::new(exe)
        .arg("--db")
        .arg(db)
        .arg("--config")
        .arg(&config)
        .arg("run")
        .current_dir(dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()?;
    let result = (|| -> anyhow::Result<Vec<Figure>> {
        let mut stderr = BufReader::new(
            child
                .stderr
                .take()
                .ok_or_else(|| anyhow::anyhow!("no stderr"))?,
        );
        let mut address = None;
        let mut line = String::new();
        while address.is_none() {
            line.clear();
            anyhow::ensure!(
                stderr.read_line(&mut line)? > 0,
                "the daemon ended before its screen listened"
            );
            if let Some(rest) = line
                .trim()
                .strip_prefix("lotstation: station screen on http://")
            {
                address = Some(rest.trim_end_matches('/').parse::<std::net::SocketAddr>()?);
            }
        }
        let address = address.ok_or_else(|| anyhow::anyhow!("no address"))?;
        // the rest of its log is read (and dropped) so it never blocks on a full pipe
        std::thread::spawn(move || std::io::copy(&mut stderr, &mut std::io::sink()));
        let mut stdin = child
            .stdin
            .take()
            .ok_or_else(|| anyhow::anyhow!("no stdin"))?;
        let mut answers = BufReader::new(
            child
                .stdout
                .take()
                .ok_or_else(|| anyhow::anyhow!("no stdout"))?,
        );
        let mut next = 0usize;
        let mut scan_once = |stdin: &mut std::process::ChildStdin| -> anyhow::Result<Duration> {
            // a delivery of one lot: supplier, invoice, item, lot, quantity, done, done
            let scan = match next % 7 {
                0 => format!("SUP:{supplier}"),
                1 => format!("INV-HTTP-{next}"),
                2 => format!("ITEM:{item}"),
                3 => format!("SL-HTTP-{next}"),
                4 => format!("@QTY:{quantity}"),
                _ => "@DONE".to_string(),
            };
            next += 1;
            let started = Instant::now();
            writeln!(stdin, "{scan}")?;
            stdin.flush()?;
            let mut answer = String::new();
            answers.read_line(&mut answer)?;
            let took = started.elapsed();
            anyhow::ensure!(
                answer.starts_with("ok: "),
                "bench scan {scan} refused: {answer}"
            );
            Ok(took)
        };
        let mut quiet = Vec::new();
        for _ in 0..60 {
            quiet.push(scan_once(&mut stdin)?);
        }
        let mut quiet_sorted = quiet.clone();
        let (_, idle_p99) = percentiles(&mut quiet_sorted);
        let scale = subjects.scale;
        let mut figures = Vec::new();
        let mut figure = |name: String, samples: &mut Vec<Duration>, ceiling: Option<Duration>| {
            let (median, p99) = percentiles(samples);
            figures.push(Figure {
                name,
                median: ms(median),
                p99: ms(p99),
                target: ceiling.map_or("-".into(), |c| format!("p99 ≤ {}", ms(c))),
                ratio: ceiling.map(|c| c.as_secs_f64() / p99.as_secs_f64().max(1e-9)),
            });
        };
        figure(
            "scan answered at the bench, screen idle".into(),
            &mut quiet,
            None,
        );
        // eight clients reading traces; then fifty, recall packages (PDF) among them: the
        // scan's p99 within 2x and 5x of the idle one (a floor of 2 ms for a noisy machine)
        let requests = if scale == "tiny" {
            TINY_REQUESTS
        } else {
            REQUESTS
        };
        for (clients, factor) in [(8usize, 2u32), (50, 5)] {
            let mut paths = vec![
                format!("/trace?code={}&direction=forward", subjects.most_used),
                format!("/api/trace/forward/{}", subjects.most_used),
            ];
            if clients > 8 {
                paths.push(format!("/api/recall/{}?format=pdf", subjects.blend));
            }
            // the clients: each its own thread and connections, started together
            let (done_tx, done_rx) = mpsc::channel();
            let start = std::sync::Arc::new(std::sync::Barrier::new(clients + 1));
            let mut threads = Vec::new();
            for c in 0..clients {
                let paths = paths.clone();
                let start = start.clone();
                let done = done_tx.clone();
                threads.push(std::thread::spawn(
                    move || -> anyhow::Result<Vec<(usize, Duration, bool)>> {
                        start.wait();
                        let mut times = Vec::new();
                        for r in 0..requests {
                            let which = (c + r) % paths.len();
                            let (took, status) = get(address, &paths[which])?;
                            // a heavy report while another is made is put off (503)
                            let busy = status.contains(" 503 ");
                            anyhow::ensure!(
                                status.contains(" 200 ") || busy,
                                "{}: {status}",
                                paths[which]
                            );
                            times.push((which, took, busy));
                        }
                        let _ = done.send(());
                        Ok(times)
                    },
                ));
            }
            drop(done_tx);
            start.wait();
            let started = Instant::now();
            let mut busy = Vec::new();
            let mut finished = 0;
            while finished < clients {
                busy.push(scan_once(&mut stdin)?);
                while done_rx.try_recv().is_ok() {
                    finished += 1;
                }
                if busy.len() > 100_000 {
                    break;
                }
            }
            let wall = started.elapsed();
            let mut by_path: Vec<Vec<Duration>> = vec![Vec::new(); paths.len()];
            let mut put_off = 0;
            for thread in threads {
                let times = thread
                    .join()
                    .map_err(|_| anyhow::anyhow!("a client panicked"))??;
                for (which, took, was_busy) in times {
                    if was_busy {
                        put_off += 1;
                    } else {
                        by_path[which].push(took);
                    }
                }
            }
            let rate = (clients * requests) as f64 / wall.as_secs_f64().max(1e-9);
            let names = [
                "trace page of the most-used lot",
                "/api/trace (JSON)",
                "recall package (PDF) of a lot through a blend",
            ];
            for (n, samples) in by_path.iter_mut().enumerate() {
                if samples.is_empty() {
                    continue;
                }
                let extra = match n {
                    0 => format!(" ({rate:.0} requests/s in all)"),
                    2 => format!(" ({put_off} put off with 503 while another was made)"),
                    _ => String::new(),
                };
                figure(
                    format!(
                        "station screen, {}, {clients} clients at once, {scale}{extra}",
                        names[n]
                    ),
                    samples,
                    None,
                );
            }
            let ceiling = (idle_p99 * factor).max(Duration::from_millis(2) * factor);
            figure(
                format!(
                    "scan answered at the bench while the screen serves {clients} clients ({} scans; target {factor}x the idle p99)",
                    busy.len()
                ),
                &mut busy,
                Some(ceiling),
            );
        }
        drop(stdin);
        Ok(figures)
    })();
    let _ = child.kill();
    let _ = child.wait();
    result
}
