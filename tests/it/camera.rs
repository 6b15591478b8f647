//! A phone is a scanner (issue 35): the bench's page reads codes with the camera and sends
//! them as a scanner would. Chromium's fake camera plays a video made from our own label
//! PNGs; the journal must show the camera's reads exactly as a USB scanner's, under the
//! camera's name and the signed-in account's.

use std::process::Command;

use crate::http::http;
use crate::support::Shop;

const CONFIG: &str = "[[bench]]\nname = \"receiving\"\nworkflow = \"receive\"\nscanners = [\"camera\"]\n\
     [[bench]]\nname = \"dock\"\nworkflow = \"receive\"\nscanners = [\"stdin\"]\n\
     [[scanner]]\nname = \"camera\"\nkind = \"camera\"\n\
     [[scanner]]\nname = \"stdin\"\nkind = \"stdin\"\n\
     [http]\nlisten = \"127.0.0.1:0\"\ntoken = \"t0ken\"\n";

/// (device, operator, raw, aim, interpretation, accepted, message) of a bench's scans.
fn scans_of(shop: &Shop, bench: &str) -> Vec<Vec<String>> {
    let mut rows = shop.sql().rows(&format!(
        "SELECT device AS device, COALESCE(operator, '-') AS operator, json_extract(body, '$.raw') AS raw, \
         COALESCE(json_extract(body, '$.aim'), '-') AS aim, json_extract(body, '$.interpretation') AS interpretation, \
         json_extract(body, '$.accepted') AS accepted, \
         COALESCE(json_extract(body, '$.message'), json_extract(body, '$.reason')) AS said \
         FROM journal WHERE kind = 'scan' AND bench = '{bench}' ORDER BY seq"
    ));
    // SQLite's JSON true is 1, PostgreSQL's reads true
    for row in &mut rows {
        row[5] = if matches!(row[5].as_str(), "1" | "true") {
            "1"
        } else {
            "0"
        }
        .into();
    }
    rows
}

/// A video of our labels for Chromium's fake camera (the lavender oil's lot: its Code 128 and
/// its GS1 DataMatrix with GTIN, expiry and weight; the soap's batch: its Digital Link QR;
/// and a supplier's GS1 DataMatrix whose lot comes before the expiry), and what a USB scanner
/// with AIM identifiers on sends for each, as zxing-cpp reads them.
fn labels_video(shop: &Shop, python: &str) -> (std::path::PathBuf, Vec<String>) {
    let lot = crate::labels::render(shop, "lot", "LAV-2611-001", "png");
    let batch = crate::labels::render(shop, "batch", "MFG-0002", "png");
    let video = shop.path("labels.y4m");
    let script =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/oracles/camera_video.py");
    let out = Command::new(python)
        .arg(script)
        .arg(&video)
        .arg(format!("{}:Code128", lot.display()))
        .arg(format!("{}:QRCode", batch.display()))
        .arg(format!("{}:DataMatrix", lot.display()))
        .arg("gs1=(01)09501101530003(10)SL-LAV-7(17)281120(3103)001500:DataMatrix")
        .output()
        .expect("python");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let expected: Vec<String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).expect("json");
            v["scan"].as_str().expect("scan").to_string()
        })
        .collect();
    assert_eq!(expected.len(), 4);
    assert_eq!(expected[0], "]C0LAV-2611-001");
    assert!(
        expected[1].starts_with("]Q1https://id.gs1.org/01/09501101530010/10/MFG-0002"),
        "{expected:?}"
    );
    assert!(
        expected[2].starts_with("]d20109501101530003") && expected[2].contains("10LAV-2611-001"),
        "{expected:?}"
    );
    // a supplier's: its lot before the expiry, FNC1 between them sent as GS
    assert_eq!(
        expected[3],
        "]d2010950110153000310SL-LAV-7\u{1d}172811203103001500"
    );

    (video, expected)
}

/// The phone: Chromium with the video as its camera on the bench's page, until `reads`
/// reads are answered. What it sent, in order, and everything it said.
fn phone(
    base: &str,
    bench: &str,
    account: (&str, &str),
    video: &std::path::Path,
    reads: usize,
    env: &[(&str, &str)],
) -> (Vec<String>, String) {
    let shot = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/screenshots");
    std::fs::create_dir_all(&shot).expect("mkdir");
    let node = Command::new("node")
        .arg(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser/camera.mjs"))
        .arg(base)
        .arg(bench)
        .arg(account.0)
        .arg(account.1)
        .arg(video)
        .arg(reads.to_string())
        .arg(shot.join(if env.is_empty() {
            "camera.png"
        } else {
            "camera-token.png"
        }))
        .envs(env.iter().copied())
        .output()
        .expect("node");
    let said = String::from_utf8_lossy(&node.stdout).into_owned();
    assert!(
        node.status.success() && said.lines().last() == Some("DONE"),
        "{said}\n{}",
        String::from_utf8_lossy(&node.stderr)
    );
    // the decoder's time over one frame in this Chromium, for the record
    if let Some(decode) = said.lines().find(|l| l.starts_with("DECODE ")) {
        eprintln!("{decode}");
    }
    let sent = said
        .lines()
        .filter_map(|l| l.strip_prefix("ANSWER "))
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).expect("json");
            v["sent"]["scan"].as_str().expect("scan").to_string()
        })
        .collect();
    (sent, said)
}

#[test]
fn a_phone_camera_scans_our_labels_into_receiving_as_a_usb_scanner_would() {
    if !crate::http::browser_ready() {
        eprintln!("skipped: no Chromium/playwright-core");
        return;
    }
    let Some(python) = crate::labels::python() else {
        return;
    };
    let shop = Shop::new();
    shop.soap_day();
    crate::console::add_rosa_and_ana(&shop);
    let (video, expected) = labels_video(&shop, &python);

    let mut bench = shop.bench_with_config(CONFIG);
    let port = bench.http_address().port();
    // both benches at one delivery: the supplier's card and the invoice
    for scan in ["SUP:BRAMBLE", "INV-9"] {
        let (status, body) = http(
            port,
            "POST",
            "/api/scan",
            Some("t0ken"),
            &serde_json::json!({ "bench": "receiving", "scan": scan }).to_string(),
        );
        assert_eq!(status, 200, "{body}");
        bench.ok(scan);
    }
    // a bench that lists no camera takes none
    let (status, body) = http(
        port,
        "POST",
        "/api/scan",
        Some("t0ken"),
        r#"{"bench":"dock","scan":"]C0LAV-2611-001","camera":true}"#,
    );
    assert_eq!(status, 409, "{body}");
    assert!(body.contains("takes no camera scans"), "{body}");

    // the decoder's licences are served beside it, and a client that takes no gzip gets
    // the decoder inflated
    let (status, _, licence) = crate::http::request(
        port,
        "GET",
        "/assets/zxing-wasm-3.1.8/LICENSE-zxing-cpp",
        &[],
        "",
    );
    assert_eq!(status, 200);
    assert!(licence.contains("Apache License"), "{licence}");
    let (status, head, _) = crate::http::request(
        port,
        "GET",
        "/assets/zxing-wasm-3.1.8/zxing_reader.wasm",
        &[],
        "",
    );
    assert_eq!(status, 200, "{head}");
    let head = head.to_ascii_lowercase();
    assert!(
        head.contains("content-length: 946307") && !head.contains("content-encoding"),
        "{head}"
    );
    assert!(head.contains("content-type: application/wasm"), "{head}");

    // the owner's Camera page on plain http: each camera bench's address as a QR code, and
    // why a phone needs https
    let session = crate::console::sign_in(port, "rosa", "lavender fields").expect("rosa");
    let (status, _, page) = crate::http::request(
        port,
        "GET",
        "/camera",
        &[("Cookie", &format!("lotstation_session={session}"))],
        "",
    );
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("only over https"), "{page}");
    assert!(
        page.contains("aria-label=\"QR code of http://localhost/bench/receiving\""),
        "{page}"
    );
    assert!(
        !page.contains("Bench dock"),
        "the dock takes no camera scans: {page}"
    );

    let (sent, said) = phone(
        &format!("http://127.0.0.1:{port}"),
        "receiving",
        ("ana", "rosemary hills"),
        &video,
        4,
        &[],
    );
    // each code was taken once, in the video's order, as the scanner would send it
    assert_eq!(sent, expected, "{said}");

    // the USB scanner at the other bench sends the same four
    for scan in &expected {
        bench.send_raw(format!("{scan}\n").as_bytes());
        bench.read();
    }
    let camera = scans_of(&shop, "receiving");
    let usb = scans_of(&shop, "dock");
    let (camera, usb) = (&camera[camera.len() - 4..], &usb[usb.len() - 4..]);
    eprintln!("the camera's scans as journaled: {camera:#?}");
    for (phone, scanner) in camera.iter().zip(usb) {
        assert_eq!(phone[..2], ["camera", "ana"], "{phone:?}");
        assert_eq!(scanner[..2], ["stdin", "-"], "{scanner:?}");
        assert_eq!(
            phone[2..],
            scanner[2..],
            "the camera's read journaled as the scanner's"
        );
    }
    // our own labels are refused at receiving as our own, whichever symbol was read (the
    // Code 128, the DataMatrix, the Digital Link QR); the supplier's DataMatrix filled the
    // receipt: the item, its lot, expiry and weight, the GS come through as the scanner's
    for own in &camera[..3] {
        assert_eq!(own[5], "0", "{own:?}");
        assert!(own[6].contains("is our own"), "{own:?}");
    }
    assert_eq!(camera[1][4], "GS1 (01)09501101530010(10)MFG-0002(17)271121");
    let supplier = &camera[3];
    assert_eq!(
        (supplier[3].as_str(), supplier[5].as_str()),
        ("]d2", "1"),
        "{supplier:?}"
    );
    assert!(supplier[2].contains('\u{1d}'), "{supplier:?}");
    assert!(
        supplier[6].contains(
            "Lavender essential oil (LAV-EO), supplier lot SL-LAV-7, expires 2028-11-20, 1500 g"
        ),
        "{supplier:?}"
    );
    bench.finish();
}

/// `[http] tls = true`: the station makes its own certificate on first start (for the names
/// phones use), keeps it across restarts, serves the pages over https that OpenSSL (Python's
/// `ssl`) verifies against it, sends a plain-http request to the https address, and offers
/// the certificate for a phone to install.
#[test]
fn a_station_serves_https_with_a_certificate_of_its_own() {
    let Some(python) = crate::labels::python() else {
        return;
    };
    let shop = Shop::new();
    shop.soap_day();
    let tls_dir = shop.path("tls");
    let config = format!(
        "{CONFIG}tls = true\ntls_dir = \"{}\"\nhosts = [\"station.lan\"]\n",
        tls_dir.display()
    );
    let fingerprint_of = |bench: &mut crate::support::Bench| -> String {
        bench
            .wait_log(&["its certificate's SHA-256 fingerprint is"])
            .rsplit(' ')
            .next()
            .expect("a fingerprint")
            .to_string()
    };
    let mut bench = shop.bench_with_config(&config);
    let port = bench.http_address().port();
    let fingerprint = fingerprint_of(&mut bench);
    // the start says where a phone opens each camera bench
    bench.wait_log(&[&format!(
        "a phone's camera scans for bench receiving at https://127.0.0.1:{port}/bench/receiving"
    )]);
    for file in ["cert.pem", "key.pem"] {
        assert!(tls_dir.join(file).exists(), "{file}");
    }
    // OpenSSL checks the chain and the name against the station's certificate
    let script = format!(
        r#"
import hashlib, ssl, urllib.request, sys
context = ssl.create_default_context(cafile={cafile:?})
for host in ["localhost", "127.0.0.1"]:
    with urllib.request.urlopen(f"https://{{host}}:{port}/bench/receiving", context=context) as r:
        page = r.read().decode()
        print(host, r.status, "data-camera=\"camera\"" in page, "data-by-token=\"1\"" in page)
pem = ssl.get_server_certificate(("127.0.0.1", {port}))
print("fingerprint", ":".join(f"{{b:02X}}" for b in hashlib.sha256(ssl.PEM_cert_to_DER_cert(pem)).digest()))
# a station without accounts: the phone's reads carry the station's token, and no name
for code in ["]C0SUP:BRAMBLE", "]C0INV-9"]:
    scan = urllib.request.Request(f"https://localhost:{port}/api/scan", method="POST",
        data=('{{"bench":"receiving","scan":"' + code + '","camera":true}}').encode(),
        headers={{"Content-Type": "application/json", "Authorization": "Bearer t0ken"}})
    with urllib.request.urlopen(scan, context=context) as r:
        print("camera scan", code, r.status)
with urllib.request.urlopen(f"https://localhost:{port}/camera", context=context) as r:
    page = r.read().decode()
    print("camera page", page.count("<svg"), "https://localhost:{port}/bench/receiving" in page, "only over https" in page)
    print("shown", page.split('class="fingerprint">')[1].split("<")[0])
with urllib.request.urlopen(f"https://localhost:{port}/camera/certificate.crt", context=context) as r:
    print("download", r.headers["Content-Type"], r.read().decode() == open({cafile:?}).read())
"#,
        cafile = tls_dir.join("cert.pem").display().to_string(),
    );
    let said = crate::labels::python_on(&python, &script, b"");
    assert!(said.contains("localhost 200 True True"), "{said}");
    assert!(said.contains("127.0.0.1 200 True True"), "{said}");
    assert!(said.contains("camera scan ]C0SUP:BRAMBLE 200"), "{said}");
    assert!(said.contains("camera scan ]C0INV-9 200"), "{said}");
    assert_eq!(
        scans_of(&shop, "receiving")
            .iter()
            .map(|r| r[..3].join(" "))
            .collect::<Vec<_>>(),
        ["camera - ]C0SUP:BRAMBLE", "camera - ]C0INV-9"]
    );
    assert!(
        said.contains(&format!("fingerprint {fingerprint}")),
        "{said}"
    );
    // the Camera page over https: one QR code (one camera bench) and the fingerprint to compare
    assert!(said.contains("camera page 1 True False"), "{said}");
    assert!(said.contains(&format!("shown {fingerprint}")), "{said}");
    assert!(
        said.contains("download application/x-x509-ca-cert True"),
        "{said}"
    );
    // http:// typed for the https port: sent to the same page over https
    let (status, head, _) = crate::http::request(port, "GET", "/bench/receiving", &[], "");
    assert_eq!(status, 308, "{head}");
    assert!(
        head.contains("Location: https://localhost/bench/receiving"),
        "{head}"
    );
    // a phone over https, on a station without accounts (its token asked once), whose
    // browser has a BarcodeDetector: the same reads as a USB scanner's
    if crate::http::browser_ready() {
        let (video, expected) = labels_video(&shop, &python);
        let (sent, said) = phone(
            &format!("https://localhost:{port}"),
            "receiving",
            ("-", "-"),
            &video,
            4,
            &[("CAMERA_TOKEN", "t0ken"), ("CAMERA_NATIVE", "1")],
        );
        assert_eq!(sent, expected, "{said}");
        assert!(said.contains("NATIVE "), "{said}");
        let camera = scans_of(&shop, "receiving");
        let last = &camera[camera.len() - 4..];
        assert!(last.iter().all(|r| r[..2] == ["camera", "-"]), "{last:?}");
        assert_eq!(last[3][5], "1", "{last:?}");
    }
    bench.finish();
    // the next start keeps the certificate a phone may have trusted
    let mut again = shop.bench_with_config(&config);
    again.http_address();
    assert_eq!(fingerprint_of(&mut again), fingerprint);
    again.finish();
}
