//! The HTTP server inside `lotstation run`: the API's refusals and answers over a plain
//! socket, an event stream held open while others are served, and the station screen in a
//! real headless Chromium.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::time::Duration;

use crate::support::{Bench, Shop};

/// A station with the screen on a port the system chooses (announced on standard error).
fn config(scale: Option<&std::path::Path>) -> String {
    let mut config = format!(
        "[[bench]]\nname = \"bench-1\"\nscanners = [\"stdin\"]\n{}\
         [[scanner]]\nname = \"stdin\"\nkind = \"stdin\"\n\
         [http]\nlisten = \"127.0.0.1:0\"\ntoken = \"t0ken\"\n",
        if scale.is_some() {
            "scale = \"scale-1\"\n"
        } else {
            ""
        }
    );
    if let Some(link) = scale {
        config.push_str(&format!(
            "[[scale]]\nname = \"scale-1\"\npath = \"{}\"\nprotocol = \"mt-sics\"\npoll_ms = 100\n",
            link.display()
        ));
    }
    config
}

/// One HTTP/1.1 request: (status, body).
pub fn http(port: u16, method: &str, path: &str, token: Option<&str>, body: &str) -> (u16, String) {
    let auth = token.map(|t| format!("Bearer {t}"));
    let mut headers = vec![("Content-Type", "application/json")];
    if let Some(auth) = &auth {
        headers.push(("Authorization", auth.as_str()));
    }
    let (status, _, body) = request(port, method, path, &headers, body);
    (status, body)
}

/// One HTTP/1.1 request with the given headers: (status, head, body).
pub fn request(
    port: u16,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> (u16, String, String) {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .expect("timeout");
    let extra: String = headers
        .iter()
        .map(|(k, v)| format!("{k}: {v}\r\n"))
        .collect();
    let request = format!(
        "{method} {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n{extra}Content-Length: {}\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).expect("write");
    let mut response = Vec::new();
    let _ = stream.read_to_end(&mut response);
    let text = String::from_utf8_lossy(&response).into_owned();
    let status = text
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    (status, head.to_string(), body.to_string())
}

#[test]
fn the_api_answers_and_refuses_clearly() {
    let shop = Shop::new();
    let mut bench = shop.bench_with_config(&config(None));
    let port = bench.http_address().port();
    let (status, body) = http(port, "GET", "/api/status", None, "");
    assert_eq!(status, 200, "{body}");
    let json: serde_json::Value = serde_json::from_str(&body).expect("json");
    assert_eq!(json["benches"][0]["name"], "bench-1");

    // an event stream held open the whole time
    let mut events = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    events
        .set_read_timeout(Some(Duration::from_secs(20)))
        .expect("timeout");
    events
        .write_all(b"GET /api/events HTTP/1.1\r\nHost: localhost\r\n\r\n")
        .expect("write");
    let mut events = BufReader::new(events);
    let mut first = String::new();
    while !first.starts_with("data: ") {
        first.clear();
        events.read_line(&mut first).expect("the stream speaks");
    }
    assert!(first.contains("\"type\":\"view\""), "{first}");

    // writes need the token
    let scan = r#"{"bench":"bench-1","scan":"@RECEIVE"}"#;
    let (status, body) = http(port, "POST", "/api/scan", None, scan);
    assert_eq!(status, 401, "{body}");
    assert!(body.contains("Authorization: Bearer"), "{body}");
    let (status, _) = http(port, "POST", "/api/scan", Some("wrong"), scan);
    assert_eq!(status, 401);
    let (status, _) = http(
        port,
        "POST",
        "/api/hold",
        None,
        r#"{"code":"X","reason":"y"}"#,
    );
    assert_eq!(status, 401);
    // bad input gets a clear 4xx
    let (status, body) = http(
        port,
        "POST",
        "/api/scan",
        Some("t0ken"),
        r#"{"bench":"bench-1","scan":"#,
    );
    assert_eq!(status, 400, "{body}");
    assert!(
        body.contains("Failed to parse the request body as JSON"),
        "{body}"
    );
    let (status, body) = http(
        port,
        "POST",
        "/api/scan",
        Some("t0ken"),
        r#"{"bench":"bench-1"}"#,
    );
    assert_eq!(status, 422, "{body}");
    assert!(body.contains("missing field `scan`"), "{body}");
    let big = format!(r#"{{"bench":"bench-1","scan":"{}"}}"#, "x".repeat(20_000));
    let (status, body) = http(port, "POST", "/api/scan", Some("t0ken"), &big);
    assert_eq!(status, 413, "{body}");
    assert!(body.contains("larger than"), "{body}");
    let (status, body) = http(
        port,
        "POST",
        "/api/scan",
        Some("t0ken"),
        r#"{"bench":"nope","scan":"@RECEIVE"}"#,
    );
    assert_eq!(status, 404, "{body}");
    // and a good scan is answered once committed, while the stream stays open
    let (status, body) = http(port, "POST", "/api/scan", Some("t0ken"), scan);
    assert_eq!(status, 200, "{body}");
    let answer: serde_json::Value = serde_json::from_str(&body).expect("json");
    assert_eq!(answer["accepted"], true);
    assert_eq!(answer["prompt"], "scan the supplier card (SUP:...)");
    let (status, body) = http(
        port,
        "POST",
        "/api/scan",
        Some("t0ken"),
        r#"{"bench":"bench-1","scan":"SUP:NOBODY"}"#,
    );
    assert_eq!(status, 422, "{body}");
    assert!(body.contains("unknown supplier NOBODY"), "{body}");
    let mut saw_scan = false;
    for _ in 0..50 {
        let mut line = String::new();
        events.read_line(&mut line).expect("the stream goes on");
        if line.contains("\"type\":\"scan\"") && line.contains("SUP:NOBODY") {
            saw_scan = true;
            break;
        }
    }
    assert!(saw_scan, "the refused scan was streamed");
    // reads
    let lot = crate::support::receive(&mut bench, "BRAMBLE", "ITEM:LAV-EO", Some("SL-1"), "500g");
    let (status, body) = http(port, "GET", &format!("/api/trace/forward/{lot}"), None, "");
    assert_eq!(status, 200, "{body}");
    assert!(body.contains(&format!("\"code\":\"{lot}\"")), "{body}");
    let (status, body) = http(
        port,
        "GET",
        "/api/trace/forward/..%2F..%2Fetc%2Fpasswd",
        None,
        "",
    );
    assert_eq!(status, 404, "{body}");
    let (status, body) = http(port, "GET", "/api/trace/sideways/X", None, "");
    assert_eq!(status, 404, "{body}");
    let (status, body) = http(port, "GET", "/api/stock?format=csv", None, "");
    assert_eq!(status, 200);
    assert!(body.starts_with("code,kind,item_sku,status"), "{body}");
    let (status, body) = http(
        port,
        "GET",
        &format!("/api/recall/{lot}?format=csv"),
        None,
        "",
    );
    assert_eq!(status, 200, "{body}");
    assert!(
        body.starts_with("Email Address,First Name,Last Name,code,name"),
        "{body}"
    );
    let (status, body) = http(
        port,
        "POST",
        "/api/hold",
        Some("t0ken"),
        &format!(r#"{{"code":"{lot}","reason":"lab test"}}"#),
    );
    assert_eq!(status, 200, "{body}");
    let (status, body) = http(
        port,
        "POST",
        "/api/hold",
        Some("t0ken"),
        r#"{"code":"NOPE-1","reason":"x"}"#,
    );
    assert_eq!(status, 404, "{body}");
    let (status, body) = http(
        port,
        "POST",
        "/api/release",
        Some("t0ken"),
        &format!(r#"{{"code":"{lot}","reason":""}}"#),
    );
    assert_eq!(status, 400, "{body}");
    // corrections: one change at a time, a count, a yield refused for a lot, a void
    let post = |path: &str, body: &str| http(port, "POST", path, Some("t0ken"), body);
    let (status, body) = post(
        "/api/adjust",
        &format!(r#"{{"code":"{lot}","reason":"count","quantity":"450g","expiry":"271231"}}"#),
    );
    assert_eq!(status, 400, "{body}");
    assert!(
        body.contains("exactly one of quantity, yield or expiry"),
        "{body}"
    );
    let (status, body) = post(
        "/api/adjust",
        &format!(r#"{{"code":"{lot}","reason":"count","quantity":"450g"}}"#),
    );
    assert_eq!(status, 200, "{body}");
    assert!(
        body.contains("counted: 450 g on hand (the records said 500 g, -50 g) (count)"),
        "{body}"
    );
    let (status, body) = post(
        "/api/adjust",
        &format!(r#"{{"code":"{lot}","reason":"count","yield":"1"}}"#),
    );
    assert_eq!(status, 422, "{body}");
    assert!(body.contains("a yield belongs to a batch"), "{body}");
    let (status, body) = post("/api/void", r#"{"code":"NOPE-1","reason":"x"}"#);
    assert_eq!(status, 404, "{body}");
    let (status, body) = post(
        "/api/void",
        &format!(r#"{{"code":"{lot}","reason":"delivery refused"}}"#),
    );
    assert_eq!(status, 200, "{body}");
    assert!(
        body.contains(&format!("lot {lot} is void (delivery refused)")),
        "{body}"
    );
    for page in [
        "/",
        "/trace",
        &format!("/trace?code={lot}"),
        "/recall",
        &format!("/recall?code={lot}"),
        "/stock",
    ] {
        let (status, body) = http(port, "GET", page, None, "");
        assert!(status == 200 || status == 303, "{page}: {status} {body}");
    }
    let (_, body) = http(port, "GET", &format!("/trace?code={lot}"), None, "");
    assert!(body.contains("<svg"), "the trace page draws the graph");
    assert!(
        body.contains(&format!("Print the lot label of {lot}")) && body.contains("/record/print"),
        "the trace page prints the label"
    );
    assert!(
        body.contains(&format!("/api/label/lot/{lot}.png")),
        "and shows it"
    );
    let (status, png) = http(port, "GET", &format!("/api/label/lot/{lot}.png"), None, "");
    assert_eq!(status, 200);
    assert!(png.contains("PNG") && png.contains("IHDR") && png.contains("IEND"));
    let (status, _) = http(port, "GET", "/api/label/lot/NOPE-1.png", None, "");
    assert_eq!(status, 404);
    let (status, _) = http(port, "GET", "/api/label/cup/X.png", None, "");
    assert_eq!(status, 404);
    let (status, _) = http(port, "GET", "/api/label/card/X.png", None, "");
    assert_eq!(status, 404, "a card is not a record's label");
    let (status, body) = post("/api/print", r#"{"label":"card","code":"X"}"#);
    assert_eq!(status, 400, "{body}");
    assert!(
        body.contains("cards are printed by `lotstation sheet`"),
        "{body}"
    );
    let (status, metrics) = http(port, "GET", "/metrics", None, "");
    assert_eq!(status, 200);
    assert!(
        metrics.contains("lotstation_scans_total{bench=\"bench-1\",result=\"rejected\"} 1"),
        "{metrics}"
    );
    assert!(metrics.contains("lotstation_journal_entries "), "{metrics}");
    assert!(
        metrics.contains("# HELP lotstation_scans_total Scans answered, by bench and result.\n# TYPE lotstation_scans_total counter\n"),
        "{metrics}"
    );
    // every sample line is `name{labels} number` or `name number`, as Prometheus reads it
    for line in metrics.lines().filter(|l| !l.starts_with('#')) {
        let (name, value) = line.rsplit_once(' ').expect("name and value");
        assert!(value.parse::<f64>().is_ok(), "{line}");
        assert!(
            name.starts_with("lotstation_") && (!name.contains('{') || name.ends_with('}')),
            "{line}"
        );
    }
    bench.finish();
    // the server stopped with the loop: the event stream held open all along was ended
    // with its last chunk, not cut off
    let mut rest = Vec::new();
    events
        .read_to_end(&mut rest)
        .expect("the stream ends, not times out");
    assert!(
        rest.ends_with(b"0\r\n\r\n"),
        "the event stream's last chunk: {:?}",
        String::from_utf8_lossy(&rest[rest.len().saturating_sub(80)..])
    );
    assert_eq!(
        shop.query_strings(
            "SELECT operator || ' ' || json_extract(body, '$.reason') FROM journal WHERE kind = 'status_change'"
        ),
        vec!["http lab test"]
    );
}

pub(crate) fn browser_ready() -> bool {
    let modules = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/browser/node_modules/playwright-core");
    let ok = modules.exists() && std::path::Path::new("/usr/bin/chromium").exists();
    if !ok && std::env::var("LOTSTATION_ORACLES").as_deref() == Ok("1") {
        panic!("Chromium and playwright-core are needed (scripts/test.sh installs them)");
    }
    ok
}

#[test]
fn the_station_screen_in_a_real_browser() {
    if !browser_ready() {
        eprintln!("skipped: no Chromium/playwright-core");
        return;
    }
    let shop = Shop::new();
    let link = shop.path("scale-1");
    let mut scale = crate::devices::FakeScale::start(&link);
    // a bench with a scale, the screen on a free port
    std::fs::write(shop.path("station.toml"), config(Some(&link))).expect("config");
    let mut bench = Bench::start(
        &shop.db(),
        shop.dir.path(),
        &[
            "--config",
            shop.path("station.toml").to_str().expect("utf8"),
        ],
    );
    let port = bench.http_address().port();
    let screenshot = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/screenshots");
    std::fs::create_dir_all(&screenshot).expect("mkdir");
    let screenshot = screenshot.join("station-screen.png");
    let mut node = Command::new("node")
        .arg(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser/screen.mjs"))
        .arg(format!("http://127.0.0.1:{port}"))
        .arg("bench-1")
        .arg(&screenshot)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("node");
    let mut to_node = node.stdin.take().expect("stdin");
    let from_node = BufReader::new(node.stdout.take().expect("stdout"));
    let mut transcript = Vec::new();
    for line in from_node.lines() {
        let line = line.expect("node output");
        transcript.push(line.clone());
        let Some(step) = line.strip_prefix("STEP ") else {
            continue;
        };
        match step {
            "stdin @RECEIVE" => {
                bench.ok("@RECEIVE");
            }
            "api SUP:NOBODY" => {
                let (status, _) = http(
                    port,
                    "POST",
                    "/api/scan",
                    Some("t0ken"),
                    r#"{"bench":"bench-1","scan":"SUP:NOBODY"}"#,
                );
                assert_eq!(status, 422);
            }
            "api @YIELD:60" => {
                let (status, body) = http(
                    port,
                    "POST",
                    "/api/scan",
                    Some("t0ken"),
                    r#"{"bench":"bench-1","scan":"@YIELD:60"}"#,
                );
                assert_eq!(status, 409, "{body}");
                assert!(body.contains(r#""warning":true"#), "{body}");
            }
            "api @PACK" => {
                let (status, body) = http(
                    port,
                    "POST",
                    "/api/scan",
                    Some("t0ken"),
                    r#"{"bench":"bench-1","scan":"@PACK"}"#,
                );
                assert_eq!(status, 200, "{body}");
            }
            "api SUP:BRAMBLE" => {
                let (status, _) = http(
                    port,
                    "POST",
                    "/api/scan",
                    Some("t0ken"),
                    r#"{"bench":"bench-1","scan":"SUP:BRAMBLE"}"#,
                );
                assert_eq!(status, 200);
            }
            "scale 123.45 moving" => {
                scale.say("weight 123.45 g moving");
            }
            "scale 321.5 stable" => {
                scale.say("weight 321.50 g stable");
            }
            "pack order 1001" => {
                for scan in [
                    "@CANCEL",
                    "@MAKE",
                    "ITEM:SOAP",
                    "@YIELD:12",
                    "@DONE",
                    "@PACK",
                    "ORD:1001",
                    "MFG-0001",
                ] {
                    bench.ok(scan);
                }
            }
            "make soap" => {
                // the soap's recipe with its batch size, imported while the station runs
                shop.import_soap_recipe();
                for scan in ["@CANCEL", "@CANCEL", "@MAKE", "ITEM:SOAP", "@YIELD:6"] {
                    bench.ok(scan);
                }
            }
            other => panic!("unknown step {other}"),
        }
        writeln!(to_node, "go").expect("to node");
    }
    drop(to_node);
    let status = node.wait().expect("node");
    assert!(
        status.success(),
        "the browser script failed:\n{}",
        transcript.join("\n")
    );
    assert_eq!(
        transcript.last().map(String::as_str),
        Some("DONE"),
        "{transcript:#?}"
    );
    assert!(screenshot.exists(), "a screenshot for people to look at");
    assert!(
        transcript
            .iter()
            .any(|l| l == "LABEL last label: batch MFG-0001"),
        "the screen shows the last label: {transcript:#?}"
    );
    for what in ["warning", "refusal", "parked"] {
        for size in ["800x480", "1280x800"] {
            assert!(
                transcript.contains(&format!("FITS {what} {size}")),
                "{what} at {size}: {transcript:#?}"
            );
        }
    }
    bench.finish();
}

/// One request with the given `Host` and `Origin`: the status.
fn status_for(port: u16, path: &str, host: &str, origin: Option<&str>) -> u16 {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .expect("timeout");
    let origin = origin
        .map(|o| format!("Origin: {o}\r\n"))
        .unwrap_or_default();
    let request =
        format!("GET {path} HTTP/1.1\r\nHost: {host}\r\n{origin}Connection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).expect("write");
    let mut response = String::new();
    let _ = stream.read_to_string(&mut response);
    response
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0)
}

/// DNS rebinding: a page of evil.example that points its name at this machine gets nothing;
/// nor does a page of another site that reaches the station by its real name.
#[test]
fn a_foreign_host_or_origin_reads_nothing() {
    let shop = Shop::new();
    let mut bench = shop.bench_with_config(&config(None));
    let port = bench.http_address().port();
    let reads = [
        "/",
        "/bench/bench-1",
        "/trace?code=X",
        "/recall",
        "/stock",
        "/api/status",
        "/api/benches",
        "/api/stock?format=csv",
        "/api/recall/X?format=csv",
        "/api/trace/forward/X",
        "/metrics",
    ];
    for path in reads {
        assert_eq!(
            status_for(port, path, "evil.example", None),
            421,
            "{path} for Host evil.example"
        );
        assert_eq!(
            status_for(port, path, &format!("evil.example:{port}"), None),
            421,
            "{path}"
        );
        assert_eq!(
            status_for(
                port,
                path,
                &format!("127.0.0.1:{port}"),
                Some("http://evil.example")
            ),
            403,
            "{path} from a page of evil.example"
        );
    }
    assert_eq!(
        status_for(port, "/api/status", &format!("localhost:{port}"), None),
        200
    );
    assert_eq!(
        status_for(
            port,
            "/api/status",
            &format!("127.0.0.1:{port}"),
            Some(&format!("http://127.0.0.1:{port}"))
        ),
        200,
        "the station's own screen"
    );
    bench.finish();
}

/// 1,100 clients that open a connection and never finish their request, against a station
/// limited to 1,024 descriptors: the excess is closed at once, the rest time out, and the
/// bench keeps recording scans meanwhile (the database never runs out of descriptors).
#[test]
fn idle_connections_do_not_starve_the_station() {
    let shop = Shop::new();
    let config_path = shop.config_file(&config(None));
    let mut bench = crate::support::Bench::start_with_fd_limit(
        1024,
        &shop.db(),
        shop.dir.path(),
        &["--config", config_path.to_str().expect("utf8")],
    );
    let port = bench.http_address().port();
    let python = std::env::var("LOTSTATION_PYTHON").unwrap_or_else(|_| "python3".into());
    let flood = format!(
        r#"
import resource, socket, sys
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 4096), hard))
held = []
for i in range(1100):
    s = socket.socket()
    s.settimeout(2)
    try:
        s.connect(("127.0.0.1", {port}))
        s.sendall(b"GET /api/status HTTP/1.1\r\nHost: localhost\r\n")
        held.append(s)
    except OSError:
        s.close()
print(len(held), flush=True)
sys.stdin.read()
"#
    );
    let mut flooder = Command::new(python)
        .arg("-c")
        .arg(&flood)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("start the flood");
    let mut opened = String::new();
    BufReader::new(flooder.stdout.take().expect("stdout"))
        .read_line(&mut opened)
        .expect("the flood says how many it opened");
    let opened: usize = opened.trim().parse().expect("a count");
    assert!(opened >= 1000, "the clients opened {opened} connections");
    // the station holds at most its connection cap (256) of them, whatever the clients do
    let descriptors = std::fs::read_dir(format!("/proc/{}/fd", bench.child.id()))
        .expect("the daemon's descriptors")
        .count();
    assert!(
        descriptors < 256 + 64,
        "the station holds {descriptors} descriptors with {opened} idle clients"
    );
    // while they hang on: scans are recorded and answered
    bench.ok("@RECEIVE");
    bench.ok("SUP:BRAMBLE");
    bench.ok("INV-9");
    bench.ok("ITEM:LAV-EO");
    bench.ok("SL-9");
    bench.ok("@QTY:10g");
    let line = bench.ok("@DONE");
    assert!(line.contains("lot LAV-2611-001 created"), "{line}");
    drop(flooder.stdin.take());
    let _ = flooder.wait();
    // and once they are gone the screen answers again
    let (status, body) = http(port, "GET", "/api/status", None, "");
    assert_eq!(status, 200, "{body}");
    bench.finish();
    assert_eq!(shop.verify().0, 0);
}

/// Two benches share one printer: `/metrics` still has one series per printer, and
/// Prometheus' own checker (`promtool check metrics`) accepts the whole page.
#[test]
fn metrics_of_a_two_bench_station_pass_promtool() {
    let promtool = Command::new("promtool").arg("--version").output().is_ok();
    if !promtool {
        assert!(
            std::env::var("LOTSTATION_ORACLES").as_deref() != Ok("1"),
            "promtool is needed (scripts/test.sh installs Debian's prometheus)"
        );
        eprintln!("skipped: no promtool");
        return;
    }
    let shop = Shop::new();
    let config = "[[bench]]\nname = \"receiving\"\nscanners = [\"stdin\"]\nprinter = \"labels\"\n\
         [[bench]]\nname = \"packing\"\nworkflow = \"pack\"\nprinter = \"labels\"\n\
         [[scanner]]\nname = \"stdin\"\nkind = \"stdin\"\n\
         [[printer]]\nname = \"labels\"\nkind = \"file\"\npath = \"labels\"\n\
         [http]\nlisten = \"127.0.0.1:0\"\ntoken = \"t0ken\"\n";
    let mut bench = shop.bench_with_config(config);
    let port = bench.http_address().port();
    bench.ok("@RECEIVE");
    let scan = r#"{"bench":"packing","scan":"ORD:1001"}"#;
    let (status, body) = http(port, "POST", "/api/scan", Some("t0ken"), scan);
    assert_eq!(status, 200, "{body}");
    let (status, metrics) = http(port, "GET", "/metrics", None, "");
    assert_eq!(status, 200);
    bench.finish();
    let ready: Vec<&str> = metrics
        .lines()
        .filter(|l| l.starts_with("lotstation_printer_ready{"))
        .collect();
    assert_eq!(
        ready,
        ["lotstation_printer_ready{printer=\"labels\"} 1"],
        "{metrics}"
    );
    // no series twice anywhere (promtool's lint does not look for that; a scrape fails on it)
    let mut series = std::collections::BTreeSet::new();
    for line in metrics
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
    {
        let (name, _) = line.rsplit_once(' ').expect("name and value");
        assert!(series.insert(name.to_string()), "repeated series {name}");
    }
    let mut check = Command::new("promtool")
        .args(["check", "metrics"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("promtool");
    check
        .stdin
        .take()
        .expect("stdin")
        .write_all(metrics.as_bytes())
        .expect("write");
    let out = check.wait_with_output().expect("promtool");
    assert!(
        out.status.success(),
        "promtool: {}{}\n{metrics}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// `lotstation label print` asks the running station to print a label through its queue:
/// journaled as a print job (by name, no scan), printed by the printer's worker, confirmed;
/// a wrong code or printer, or a station without a token, is refused with what to do.
#[test]
fn a_label_printed_by_name_goes_through_the_queue() {
    let shop = Shop::new();
    let config = "[[bench]]\nname = \"receiving\"\nscanners = [\"stdin\"]\nprinter = \"labels\"\n\
         [[scanner]]\nname = \"stdin\"\nkind = \"stdin\"\n\
         [[printer]]\nname = \"labels\"\nkind = \"file\"\npath = \"labels\"\n\
         [http]\nlisten = \"127.0.0.1:0\"\ntoken = \"t0ken\"\n";
    let mut bench = shop.bench_with_config(config);
    let port = bench.http_address().port();
    let lot = crate::support::receive(&mut bench, "BRAMBLE", "ITEM:LAV-EO", Some("SL-9"), "500g");
    // the CLI reads the station's address and token from its config
    let cli_config = shop.config_file(&config.replace("127.0.0.1:0", &format!("127.0.0.1:{port}")));
    let cli = |args: &[&str]| {
        let mut all = vec![
            "--config",
            cli_config.to_str().expect("utf8"),
            "label",
            "print",
        ];
        all.extend_from_slice(args);
        shop.cli(&all)
    };
    let out = cli(&["lot", &lot, "--copies", "2"]);
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{said}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        said.starts_with(&format!(
            "lot label of {lot} (2 copies) queued on labels; journal entry "
        )),
        "{said}"
    );
    let out = cli(&["lot", "NOPE-1"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("NOPE-1"));
    let out = cli(&["lot", &lot, "--printer", "zebra"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "error: no printer zebra; this station has: labels\n"
    );
    let no_token = shop.config_file(&config.replace("token = \"t0ken\"\n", ""));
    let out = shop.cli(&[
        "--config",
        no_token.to_str().expect("utf8"),
        "label",
        "print",
        "lot",
        &lot,
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("set [http] token"));
    bench.finish();
    // printed and confirmed, as a bench's label is
    assert_eq!(
        shop.query_strings(
            "SELECT j.bench || ' ' || j.code || ' ' || j.copies || ' ' || o.outcome FROM print_jobs j
             JOIN print_outcomes o ON o.job_id = j.id ORDER BY j.id"
        ),
        [format!("receiving {lot} 1 printed"), format!("http {lot} 2 printed")]
    );
    let files = std::fs::read_dir(shop.path("labels"))
        .expect("labels")
        .count();
    assert_eq!(files, 2, "one file per job");
    assert_eq!(shop.verify().0, 0);
}

/// The owner's backward trace of an order answers "which lots went into this customer's
/// jar?": how much of each batch and lot is inside what the order received, as a person
/// writes it.
#[test]
fn the_backward_trace_page_says_what_reached_the_order() {
    let shop = Shop::new();
    shop.soap_day();
    let mut bench = shop.bench_with_config(&config(None));
    let port = bench.http_address().port();
    let (status, body) = http(port, "GET", "/trace?code=1001&direction=backward", None, "");
    assert_eq!(status, 200, "{body}");
    for said in [
        "1 batch, 2 lots, 1 supplier.",
        "<th>in what it received</th>",
        "<td>MFG-0002</td><td>SOAP</td><td>2 each (16.7% of the batch)</td>",
        "<td>500 g</td></tr>",
        "<td>66.7 g</td></tr>",
    ] {
        assert!(body.contains(said), "{said} not in {body}");
    }
    bench.finish();
}
