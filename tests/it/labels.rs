//! Every label kind, as ZPL and as PDF, read back by independent decoders: PDF through
//! poppler's pdftoppm, ZPL through the `zpl` crate's renderer (Labelary-class), then
//! zxing-cpp (and zbarimg as a second opinion); GS1 content is parsed again by biip.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::support::Shop;

/// One decoded barcode.
#[derive(Debug, Clone)]
pub(crate) struct Decoded {
    pub format: String,
    pub symbology_identifier: String,
    pub text: String,
    pub bytes: Vec<u8>,
}

pub fn python() -> Option<String> {
    let python = std::env::var("LOTSTATION_PYTHON").unwrap_or_else(|_| "python3".into());
    let ok = Command::new(&python)
        .args(["-c", "import zxingcpp, PIL"])
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false);
    if ok {
        return Some(python);
    }
    if std::env::var("LOTSTATION_ORACLES").as_deref() == Ok("1") {
        panic!("zxing-cpp is not installed; the test command (scripts/test.sh) installs it");
    }
    eprintln!("skipped: zxing-cpp not installed (run scripts/test.sh)");
    None
}

fn decode(python: &str, png: &Path) -> Vec<Decoded> {
    let out = Command::new(python)
        .arg(crate::support::fixture("../oracles/decode.py"))
        .arg(png)
        .output()
        .expect("run decode.py");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).expect("json");
            let hex = v["bytes"].as_str().unwrap_or("");
            Decoded {
                format: v["format"].as_str().unwrap_or("").to_string(),
                symbology_identifier: v["symbology_identifier"].as_str().unwrap_or("").to_string(),
                text: v["text"].as_str().unwrap_or("").to_string(),
                bytes: (0..hex.len() / 2)
                    .map(|i| u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).unwrap_or(0))
                    .collect(),
            }
        })
        .collect()
}

/// ZPL to PNG with the `zpl` crate, an independent renderer of the ZPL II language.
pub(crate) fn zpl_to_png(zpl: &[u8], png: &Path) {
    use zpl::output::Adapter;
    let document = zpl::render(zpl, zpl::render::profiles::ZD621_203_DPI)
        .expect("the zpl renderer reads our ZPL");
    // (its note that resident fonts are bitmap approximations is about text, not barcodes)
    let warnings: Vec<&String> = document
        .warnings
        .iter()
        .filter(|w| !w.starts_with("Resident fonts"))
        .collect();
    assert!(warnings.is_empty(), "renderer warnings: {warnings:?}");
    assert_eq!(document.labels.len(), 1);
    let bytes = zpl::output::Png.encode(&document.labels[0]).expect("png");
    std::fs::write(png, bytes).expect("write png");
}

fn pdf_to_png(pdf: &Path, png_base: &Path) -> PathBuf {
    pdf_page_to_png(pdf, png_base, 1)
}

/// One page of a PDF at 300 dpi, as `png_base`.png.
fn pdf_page_to_png(pdf: &Path, png_base: &Path, page: u32) -> PathBuf {
    let page = page.to_string();
    let out = Command::new("pdftoppm")
        .args(["-r", "300", "-png", "-f", &page, "-l", &page, "-singlefile"])
        .arg(pdf)
        .arg(png_base)
        .output()
        .expect("pdftoppm (poppler-utils)");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    png_base.with_extension("png")
}

fn zbar(png: &Path) -> Vec<String> {
    let out = Command::new("zbarimg")
        .args(["--nodbus", "-q"])
        .arg(png)
        .output();
    match out {
        Ok(out) => String::from_utf8_lossy(&out.stdout)
            .lines()
            .map(str::to_string)
            .collect(),
        Err(_) if std::env::var("LOTSTATION_ORACLES").as_deref() == Ok("1") => {
            panic!("zbarimg (zbar-tools) is needed")
        }
        Err(_) => Vec::new(),
    }
}

/// biip's view of a GS1 element string: (GTIN, lot, expiry ISO date).
fn biip(python: &str, element_string: &[u8]) -> (String, String, String) {
    let script = "import sys, biip\nr = biip.parse(sys.stdin.read())\nm = r.gs1_message\n\
                  g = {e.ai.ai: e for e in m.element_strings}\n\
                  print(g['01'].value, g['10'].value, g['17'].date.isoformat() if '17' in g else '-')";
    let text = python_on(python, script, element_string);
    let parts: Vec<&str> = text.split_whitespace().collect();
    assert_eq!(parts.len(), 3, "biip: {text}");
    (parts[0].into(), parts[1].into(), parts[2].into())
}

/// What a Python script prints given `input` on its standard input (its errors, if it
/// printed nothing).
pub(crate) fn python_on(python: &str, script: &str, input: &[u8]) -> String {
    let mut child = Command::new(python)
        .args(["-c", script])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("python");
    use std::io::Write;
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input)
        .expect("write");
    let out = child.wait_with_output().expect("python");
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    if text.trim().is_empty() {
        return String::from_utf8_lossy(&out.stderr).to_string();
    }
    text
}

/// A shop with a lot (GTIN item, by weight), a batch (GTIN product) and a shipment.
fn shop_with_labels() -> (Shop, String) {
    let shop = Shop::new();
    let mut bench = shop.bench();
    bench.ok("@RECEIVE");
    bench.ok("SUP:BRAMBLE");
    bench.ok("INV-1");
    bench.ok("(01)09501101530003(17)271130(3103)001250(10)BO-LAV-5521");
    let line = bench.ok("@DONE");
    let lot = crate::support::code_after(&line, "lot ");
    bench.ok("@DONE");
    bench.ok("@MAKE");
    bench.ok("ITEM:SOAP");
    bench.ok("@YIELD:3");
    bench.ok("@DONE");
    bench.ok("@PACK");
    bench.ok("ORD:1001");
    bench.ok("MFG-0001");
    bench.ok("@DONE");
    bench.finish();
    (shop, lot)
}

pub(crate) fn render(shop: &Shop, kind: &str, code: &str, format: &str) -> PathBuf {
    let path = shop.path(&format!("{kind}.{format}"));
    shop.cli_ok(&[
        "label",
        "render",
        kind,
        code,
        "--format",
        format,
        "-o",
        path.to_str().expect("utf8"),
    ]);
    path
}

/// The picture in a TSPL job's `BITMAP x,y,width_bytes,height,mode,data` command, as a
/// PBM file (TSPL: a 0 bit prints; PBM: a 1 bit is black). Also checks the job's frame.
pub(crate) fn tspl_to_pbm(job: &[u8], path: &Path) -> PathBuf {
    let text = String::from_utf8_lossy(job);
    assert!(text.starts_with("SIZE "), "{}", &text[..40.min(text.len())]);
    assert!(text.contains("\r\nCLS\r\n") && text.ends_with("\r\nPRINT 1,1\r\n"));
    let start = job
        .windows(7)
        .position(|w| w == b"BITMAP ")
        .expect("a BITMAP command");
    let fields: Vec<usize> = job[start + 7..]
        .split(|b| *b == b',')
        .take(5)
        .map(|f| String::from_utf8_lossy(f).parse().expect("a number"))
        .collect();
    let (bytes, height) = (fields[2], fields[3]);
    let header_len = job[start..]
        .iter()
        .enumerate()
        .filter(|(_, b)| **b == b',')
        .nth(4)
        .map(|(i, _)| i + 1)
        .expect("five fields");
    let data = &job[start + header_len..start + header_len + bytes * height];
    let mut pbm = format!("P4\n{} {height}\n", bytes * 8).into_bytes();
    pbm.extend(data.iter().map(|b| !b));
    std::fs::write(path, pbm).expect("write pbm");
    path.to_path_buf()
}

fn find<'a>(decoded: &'a [Decoded], identifier: &str) -> &'a Decoded {
    decoded
        .iter()
        .find(|d| d.symbology_identifier == identifier)
        .unwrap_or_else(|| panic!("no {identifier} symbol in {decoded:#?}"))
}

#[test]
fn every_label_decodes_in_zpl_and_pdf() {
    let Some(python) = python() else { return };
    let (shop, lot) = shop_with_labels();
    let lot_gs1 = format!("010950110153000317271130310512500010{lot}");
    let batch_gs1 = "010950110153001017".to_string();
    for format in ["pdf", "zpl", "png", "tspl"] {
        let png_of = |kind: &str, code: &str| {
            let file = render(&shop, kind, code, format);
            let png = shop.path(&format!("{kind}-{format}.png"));
            match format {
                "pdf" => pdf_to_png(&file, &png.with_extension("")),
                "zpl" => {
                    zpl_to_png(&std::fs::read(&file).expect("zpl"), &png);
                    png
                }
                // our own picture, read as it is
                "png" => file,
                // the printer's bitmap, taken out of the TSPL by the test
                _ => tspl_to_pbm(
                    &std::fs::read(&file).expect("tspl"),
                    &png.with_extension("pbm"),
                ),
            }
        };
        // lot label: Code 128 of the code, GS1 DataMatrix with GTIN, expiry, weight and lot
        let png = png_of("lot", &lot);
        let decoded = decode(&python, &png);
        assert_eq!(find(&decoded, "]C0").text, lot, "{format}");
        let dm = find(&decoded, "]d2");
        assert_eq!(dm.format, "Data Matrix");
        assert_eq!(
            String::from_utf8_lossy(&dm.bytes),
            lot_gs1,
            "{format}: exact element string"
        );
        assert_eq!(
            biip(&python, &dm.bytes),
            ("09501101530003".into(), lot.clone(), "2027-11-30".into())
        );
        if format == "pdf" {
            assert!(
                zbar(&png).contains(&format!("CODE-128:{lot}")),
                "zbarimg reads the lot code"
            );
        }
        // batch label: Code 128, GS1-128 and a QR code of the GS1 Digital Link
        let png = png_of("batch", "MFG-0001");
        let decoded = decode(&python, &png);
        assert_eq!(find(&decoded, "]C0").text, "MFG-0001", "{format}");
        let gs1_128 = find(&decoded, "]C1");
        let element_string = String::from_utf8_lossy(&gs1_128.bytes).to_string();
        assert!(
            element_string.starts_with(&batch_gs1) && element_string.ends_with("10MFG-0001"),
            "{format}: {element_string}"
        );
        let (gtin, lot_value, _) = biip(&python, &gs1_128.bytes);
        assert_eq!(
            (gtin.as_str(), lot_value.as_str()),
            ("09501101530010", "MFG-0001")
        );
        if format == "pdf" {
            let text = crate::trace::pdftotext(&render(&shop, "batch", "MFG-0001", "pdf"))
                .expect("pdftotext");
            assert!(
                text.contains("Net wt 110 g (3.88 oz)"),
                "the item's net content, in both systems: {text}"
            );
        }
        if format == "zpl" {
            let zpl = std::fs::read_to_string(render(&shop, "batch", "MFG-0001", "zpl")).unwrap();
            assert!(zpl.contains("^FDNet wt 110 g (3.88 oz)^FS"), "{zpl}");
        }
        let qr = find(&decoded, "]Q1");
        assert!(
            qr.text
                .starts_with("https://id.gs1.org/01/09501101530010/10/MFG-0001?17="),
            "{format}: {}",
            qr.text
        );
        // shipment label
        let png = png_of("shipment", "SHP-00001");
        let decoded = decode(&python, &png);
        assert_eq!(find(&decoded, "]C0").text, "SHP-00001", "{format}");
    }
    // what we print scans back to the same lot at the bench
    let mut bench = shop.bench();
    bench.ok("@MAKE");
    bench.ok("ITEM:BLEND");
    let line = bench.ok(&format!("]d2{lot_gs1}"));
    assert!(
        line.contains(&format!("lot {lot}: Lavender essential oil")),
        "{line}"
    );
    bench.finish();
}

#[test]
fn the_command_sheet_scans() {
    let Some(python) = python() else { return };
    let shop = Shop::new();
    let pdf = shop.path("sheet.pdf");
    let out = shop.cli(&["sheet", "-o", pdf.to_str().expect("utf8")]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("40 cards"));
    // the cards fill the first page and go on to a second
    let png = pdf_to_png(&pdf, &shop.path("sheet"));
    let mut texts: Vec<String> = decode(&python, &png).into_iter().map(|d| d.text).collect();
    let second = pdf_page_to_png(&pdf, &shop.path("sheet-2"), 2);
    texts.extend(decode(&python, &second).into_iter().map(|d| d.text));
    assert_eq!(texts.len(), 40, "every card decodes: {texts:?}");
    for expected in [
        "@OK",
        "@YIELD:12",
        "NOTE:customer complaint",
        "NOTE:damaged",
        "@RECEIVE",
        "@DONE",
        "@UNDO",
        "ITEM:LAV-EO",
        "ITEM:SOAP",
        "SUP:BRAMBLE",
        "@QTY:12",
        "@PLAN:24",
        "@VOID",
        "@ADJUST",
        "@QTY:0",
    ] {
        assert!(
            texts.iter().any(|t| t == expected),
            "{expected} not on the sheet: {texts:?}"
        );
    }
}

/// A packing bench's own sheet: its workflow's cards, the shop's reasons, its products; no
/// receiving or making cards, no suppliers, no materials.
#[test]
fn a_benchs_sheet_holds_its_workflows_cards() {
    let Some(python) = python() else { return };
    let shop = Shop::new();
    let config = shop.path("station.toml");
    std::fs::write(
        &config,
        "[[bench]]\nname = \"packing\"\nworkflow = \"pack\"\nscanners = [\"stdin\"]\n\
         [[scanner]]\nname = \"stdin\"\nkind = \"stdin\"\n\
         [[reason]]\ntext = \"leaking\"\n[[reason]]\ntext = \"wrong scent\"\n",
    )
    .expect("config");
    let pdf = shop.path("packing.pdf");
    let out = shop.cli(&[
        "--config",
        config.to_str().expect("utf8"),
        "sheet",
        "--bench",
        "packing",
        "-o",
        pdf.to_str().expect("utf8"),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let png = pdf_to_png(&pdf, &shop.path("packing"));
    let texts: Vec<String> = decode(&python, &png).into_iter().map(|d| d.text).collect();
    for expected in [
        "@PACK",
        "@OK",
        "@DONE",
        "NOTE:leaking",
        "NOTE:wrong scent",
        "ITEM:SOAP",
    ] {
        assert!(texts.iter().any(|t| t == expected), "{expected}: {texts:?}");
    }
    for absent in [
        "@RECEIVE",
        "@MAKE",
        "@YIELD:12",
        "SUP:BRAMBLE",
        "ITEM:LAV-EO",
        "NOTE:damaged",
    ] {
        assert!(!texts.iter().any(|t| t == absent), "{absent}: {texts:?}");
    }
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(said.contains(&format!("{} cards", texts.len())), "{said}");
    // an unknown bench is refused with the benches there are
    let out = shop.cli(&[
        "--config",
        config.to_str().expect("utf8"),
        "sheet",
        "--bench",
        "dock",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("no bench \"dock\"")
            && String::from_utf8_lossy(&out.stderr).contains("the benches are packing"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn hostile_field_values_cannot_inject_zpl() {
    let shop = Shop::new();
    let mut bench = shop.bench();
    bench.ok("@RECEIVE");
    bench.ok("SUP:BRAMBLE");
    bench.ok("INV^XZ~JA");
    bench.ok("ITEM:LAV-EO");
    bench.ok("LOT^FDX~JA\\_é");
    bench.ok("@QTY:1kg");
    let line = bench.ok("@DONE");
    let lot = crate::support::code_after(&line, "lot ");
    bench.finish();
    let zpl = std::fs::read_to_string(render(&shop, "lot", &lot, "zpl")).expect("zpl");
    assert_eq!(zpl.matches("^XA").count(), 1, "{zpl}");
    assert_eq!(zpl.matches("^XZ").count(), 1, "{zpl}");
    assert!(!zpl.contains("~JA"), "{zpl}");
    assert!(!zpl.contains("LOT^FD"), "{zpl}");
    assert!(
        zpl.contains("LOT_5EFDX_7EJA_5C_5F_C3_A9"),
        "hex-escaped under ^FH: {zpl}"
    );
    // the independent renderer draws it as one label, without warnings
    zpl_to_png(zpl.as_bytes(), &shop.path("hostile.png"));
}

/// Brother QL raster read back by `brother_ql analyze` (PyPI `brother_ql`, which decodes
/// the command stream into a PNG of what the head prints), and that picture decoded by
/// zxing-cpp to the exact codes and GS1 string; a label too big for the media is refused
/// with its sizes, and nothing is written.
#[test]
fn brother_ql_raster_reads_back() {
    let Some(python) = python() else { return };
    let analyze = std::path::Path::new(&python).with_file_name("brother_ql");
    if !analyze.exists() {
        assert!(
            std::env::var("LOTSTATION_ORACLES").as_deref() != Ok("1"),
            "brother_ql is needed (scripts/test.sh installs it)"
        );
        return;
    }
    let (shop, lot) = shop_with_labels();
    // each kind on each DK roll, laid out on that roll (brother_ql's reader shows the
    // length byte of `ESC i z` times 256: 29 mm reads 7424)
    let rolls = [
        ("62", "media width: 62 mm, media length: 0 mm"),
        ("62x29", "media width: 62 mm, media length: 7424 mm"),
        ("29x90", "media width: 29 mm, media length: 23040 mm"),
    ];
    for ((kind, code), (media, media_said)) in [("lot", lot.as_str()), ("batch", "MFG-0001")]
        .into_iter()
        .flat_map(|k| rolls.map(|r| (k, r)))
    {
        let file = shop.path(&format!("{kind}-{media}.ql"));
        shop.cli_ok(&[
            "label",
            "render",
            kind,
            code,
            "--format",
            "brother-ql",
            "--media",
            media,
            "-o",
            file.to_str().expect("utf8"),
        ]);
        let dir = shop.path(&format!("ql-{kind}-{media}"));
        std::fs::create_dir_all(&dir).expect("dir");
        let out = Command::new(&analyze)
            .arg("analyze")
            .arg(&file)
            .current_dir(&dir)
            .output()
            .expect("brother_ql analyze");
        let said = String::from_utf8_lossy(&out.stdout).into_owned()
            + &String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{said}");
        assert!(said.contains(media_said), "{said}");
        let decoded = decode(&python, &dir.join("label0001.png"));
        assert_eq!(find(&decoded, "]C0").text, code, "{kind} on {media}");
        // the GS1 symbols where the roll has room for them
        if media != "62" {
            continue;
        }
        if kind == "lot" {
            let dm = find(&decoded, "]d2");
            assert_eq!(
                String::from_utf8_lossy(&dm.bytes),
                format!("010950110153000317271130310512500010{lot}")
            );
        } else {
            let gs1 = find(&decoded, "]C1");
            assert!(String::from_utf8_lossy(&gs1.bytes).ends_with("10MFG-0001"));
        }
    }
    // a label too big for the media is refused with both sizes; a Brother QL prints at
    // 300 dpi only, and another resolution is refused as in the config; nothing is written
    let out_path = shop.path("refused.ql");
    for (options, said) in [
        (
            ["--media", "29x90", "--stock", "62x29mm"],
            "--media 29x90 is not stock 62x29mm (the 62 × 29 mm label)",
        ),
        (
            ["--stock", "4x6in", "--copies", "1"],
            "stock 4x6in (101.6 × 152.4 mm) is not a Brother DK roll",
        ),
        (
            ["--dpi", "203", "--copies", "1"],
            "a Brother QL prints at 300 dpi, not 203 (leave dpi out)",
        ),
    ] {
        let mut args = vec![
            "label",
            "render",
            "lot",
            &lot,
            "--format",
            "brother-ql",
            "-o",
            out_path.to_str().expect("utf8"),
        ];
        args.extend(options);
        let out = shop.cli(&args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{stderr}");
        assert!(stderr.contains(said), "{stderr}");
        assert!(!out_path.exists());
    }
}

/// The 4 × 6 in shipping label (`label-templates/4x6/`) for TSPL printers: chosen by the
/// config's `[labels] templates`, drawn at 203 dpi, its barcode decoded from the job.
#[test]
fn a_four_by_six_shipping_label_in_tspl_decodes() {
    let Some(python) = python() else { return };
    let (shop, _) = shop_with_labels();
    let templates = crate::support::fixture("../../label-templates/4x6");
    let config = shop.config_file(&format!(
        "[[bench]]\nname = \"bench-1\"\nscanners = [\"stdin\"]\n\
         [[scanner]]\nname = \"stdin\"\nkind = \"stdin\"\n\
         [labels]\ntemplates = \"{templates}\"\n"
    ));
    let job = shop.path("4x6.tspl");
    shop.cli_ok(&[
        "--config",
        config.to_str().expect("utf8"),
        "label",
        "render",
        "shipment",
        "SHP-00001",
        "--format",
        "tspl",
        "-o",
        job.to_str().expect("utf8"),
    ]);
    let bytes = std::fs::read(&job).expect("job");
    assert!(bytes.starts_with(b"SIZE 101.6 mm,152.4 mm\r\n"));
    let pbm = tspl_to_pbm(&bytes, &shop.path("4x6.pbm"));
    let decoded = decode(&python, &pbm);
    assert_eq!(find(&decoded, "]C0").text, "SHP-00001");
}

/// A weighed pack's label (sold by weight): rendered by the station as PNG and decoded by
/// zxing-cpp, its Code 128 is the batch's code and its GS1-128, read by biip, carries the
/// item's GTIN, the batch, its expiry and the pack's net weight, 0.750 kg; each pack of
/// the shipment has its own label job, named by the shipment and its line.
#[test]
fn a_weighed_packs_label_carries_its_weight() {
    let shop = Shop::new();
    shop.import_csv(
        "items",
        "sku,name,kind,unit,gtin,shelf_life_days\nBULK,Bulk lavender soap,product,kg,09501101530027,365\n",
    );
    shop.import_csv(
        "orders",
        "order_number,customer_code,ordered_at,sku,quantity\n5004,C001,2026-11-20,BULK,1.5\n",
    );
    let mut bench = shop.bench();
    bench.script(
        "@RECEIVE | SUP:COASTAL | INV-2 | ITEM:OLIVE | SL-OL-5 | @QTY:20kg | @DONE | @DONE
         | @MAKE | ITEM:BULK | OLV-2611-001 | @QTY:2kg | @YIELD:2kg | @DONE
         | @PACK | ORD:5004 | MFG-0001 | @QTY:750g | MFG-0001 | @QTY:0.75 | @DONE",
    );
    bench.finish();
    assert_eq!(
        shop.query_strings("SELECT code FROM print_jobs WHERE label = 'pack' ORDER BY id"),
        ["SHP-00001/1", "SHP-00001/2"]
    );
    let Some(python) = python() else { return };
    for code in ["SHP-00001/1", "SHP-00001/2"] {
        let png = render(&shop, "pack", code, "png");
        check_pack_label(&python, &decode(&python, &png));
    }
}

/// A pack label's symbols: the batch's Code 128, and a GS1-128 biip reads as the item's
/// GTIN, the batch, its expiry and 0.75 kg.
fn check_pack_label(python: &str, decoded: &[Decoded]) {
    let python = python.to_string();
    assert_eq!(find(decoded, "]C0").text, "MFG-0001");
    let gs1 = find(decoded, "]C1");
    let (gtin, lot, expiry) = biip(&python, &gs1.bytes);
    assert_eq!(
        (gtin.as_str(), lot.as_str()),
        ("09501101530027", "MFG-0001")
    );
    assert_eq!(
        expiry,
        (crate::support::today() + jiff::ToSpan::days(365)).to_string()
    );
    // biip's net weight, whichever (310n) the label chose
    let script = "import sys, biip\nm = biip.parse(sys.stdin.read()).gs1_message\n\
                  print([str(e.decimal) + ' kg' for e in m.element_strings if e.ai.ai.startswith('310')][0])";
    let weight = python_on(&python, script, &gs1.bytes).trim().to_string();
    let kg: f64 = weight.trim_end_matches(" kg").parse().expect("a number");
    assert!((kg - 0.75).abs() < 1e-9, "{weight}");
}
