//! Every label kind on every built-in stock (issue 29), with what makes labels break: a long
//! Greek name, a long English name, a long Cyrillic name and a three-line address. Read back
//! by tools we did not write: `pdftotext -bbox` (every word on the label, no two words'
//! boxes overlapping, no "?" for a line break, names whole or ending in "…"), zxing-cpp on
//! the PNG, the `zpl` crate's renderer on the ZPL, the TSPL job's own bitmap and
//! `brother_ql analyze` for the DK rolls; GS1 symbols parsed again by biip.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::labels::{Decoded, python, python_on, tspl_to_pbm, zpl_to_png};
use crate::support::Shop;

const GREEK: &str = "Αιθέριο έλαιο λεβάντας βιολογικής καλλιέργειας από την Προβηγκία";
const ENGLISH: &str =
    "Lavender & cedar cold process soap bar with goat milk, oatmeal and shea butter";
const CYRILLIC: &str = "Лавандовое мыло ручной работы на козьем молоке, весовое";
const CUSTOMER: &str = "Theodora Papadopoulou-Konstantinidou";
const ADDRESS: [&str; 3] = ["12 High St", "Unit 2", "Burlington VT 05401"];

/// The stocks, as `lotstation label stocks` names them, and whether a Brother QL prints on
/// them (a QL renders at 300 dpi).
const STOCKS: [(&str, bool); 10] = [
    ("2x1in", false),
    ("2.25x1.25in", false),
    ("3x2in", false),
    ("100x60mm", false),
    ("4x6in", false),
    ("62mm", true),
    ("62x29mm", true),
    ("29x90mm", true),
    ("30252", false),
    ("30336", false),
];

/// The labels that may not fit a stock (refused with the reason, never drawn wrong): a
/// shipment's three-line address and a pack's weights need more than the smallest rolls.
fn may_not_fit(kind: &str, stock: &str) -> bool {
    matches!(
        (kind, stock),
        ("shipment" | "pack", "2x1in" | "30336" | "62x29mm")
    )
}

/// A shop whose names and addresses are as long as real ones: a lot of a Greek-named oil
/// (GS1 DataMatrix), a batch of an English-named soap (GS1-128, QR), a shipment to a
/// customer with a three-line address, and a weighed pack of a Cyrillic-named bulk soap.
fn long_names_shop() -> (Shop, [(&'static str, String, &'static str); 4]) {
    let shop = Shop::new();
    shop.import_csv(
        "items",
        &format!(
            "sku,name,kind,unit,lot_prefix,gtin,shelf_life_days,net_content\n\
             LAV-EO,{GREEK},material,g,LAV,09501101530003,730,\n\
             SOAP,\"{ENGLISH}\",product,each,,09501101530010,540,110 g\n\
             BULK,\"{CYRILLIC}\",product,kg,BLK,09501101530027,365,\n"
        ),
    );
    shop.import_csv(
        "customers",
        &format!(
            "code,name,email,phone,address\nC001,{CUSTOMER},theo@example.com,555-0001,\"{}\"\n",
            ADDRESS.join("\n")
        ),
    );
    shop.import_csv(
        "orders",
        "order_number,customer_code,ordered_at,sku,quantity\n5004,C001,2026-11-20,BULK,1.5\n",
    );
    let mut bench = shop.bench();
    bench.script(
        "@RECEIVE | SUP:BRAMBLE | INV-1 | (01)09501101530003(17)271130(3103)001250(10)BO-LAV-5521
         | @DONE | ITEM:OLIVE | SL-OL-5 | @QTY:20kg | @DONE | @DONE
         | @MAKE | ITEM:SOAP | @YIELD:3 | @DONE
         | ITEM:BULK | OLV-2611-001 | @QTY:2kg | @YIELD:2kg | @DONE
         | @PACK | ORD:1001 | MFG-0001 | @DONE
         | ORD:5004 | MFG-0002 | @QTY:750g | @DONE",
    );
    bench.finish();
    let lot = shop
        .query_strings("SELECT code FROM lots WHERE item_sku = 'LAV-EO'")
        .remove(0);
    (
        shop,
        [
            ("lot", lot, GREEK),
            ("batch", "MFG-0001".to_string(), ENGLISH),
            ("shipment", "SHP-00001".to_string(), CUSTOMER),
            ("pack", "SHP-00002/1".to_string(), CYRILLIC),
        ],
    )
}

/// `label render KIND CODE --stock STOCK --format FORMAT`: the file, or why it was refused.
fn render(
    shop: &Shop,
    kind: &str,
    code: &str,
    stock: &str,
    format: &str,
) -> Result<PathBuf, String> {
    render_at(shop, kind, code, stock, format, None)
}

/// `render`, at a resolution of its own (`--dpi`) where one is given.
fn render_at(
    shop: &Shop,
    kind: &str,
    code: &str,
    stock: &str,
    format: &str,
    dpi: Option<&str>,
) -> Result<PathBuf, String> {
    let path = shop.path(&format!(
        "{kind}-{}-{stock}-{}.{format}",
        code.replace('/', "_"),
        dpi.unwrap_or("default")
    ));
    let mut args = vec![
        "label",
        "render",
        kind,
        code,
        "--stock",
        stock,
        "--format",
        format,
        "-o",
        path.to_str().expect("utf8"),
    ];
    if let Some(dpi) = dpi {
        args.extend(["--dpi", dpi]);
    }
    let out = shop.cli(&args);
    if out.status.success() {
        Ok(path)
    } else {
        Err(String::from_utf8_lossy(&out.stderr).into_owned())
    }
}

/// How many barcodes the label has at `dpi` on `stock`: the barcode fields of its ZPL
/// (`^BC`, `^BX`, `^BQ`), the same marks every language draws.
fn symbols(shop: &Shop, kind: &str, code: &str, stock: &str, dpi: &str) -> usize {
    let path = render_at(shop, kind, code, stock, "zpl", Some(dpi)).expect("zpl");
    let zpl = std::fs::read_to_string(&path).expect("zpl");
    ["^BC", "^BX", "^BQ"]
        .iter()
        .map(|f| zpl.matches(f).count())
        .sum()
}

/// A word as `pdftotext -bbox` places it: its box in points and its text.
#[derive(Debug)]
struct Word {
    x0: f32,
    y0: f32,
    x1: f32,
    y1: f32,
    text: String,
}

/// The page size and the words of a one-page PDF, by poppler's `pdftotext -bbox`.
fn words(pdf: &Path) -> (f32, f32, Vec<Word>) {
    let out = Command::new("pdftotext")
        .arg("-bbox")
        .arg(pdf)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils)");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let html = String::from_utf8_lossy(&out.stdout).into_owned();
    let attr = |tag: &str, name: &str| -> f32 {
        let start = tag.find(&format!("{name}=\"")).expect(name) + name.len() + 2;
        tag[start..]
            .split('"')
            .next()
            .expect("value")
            .parse()
            .expect("number")
    };
    let page = html.split("<page ").nth(1).expect("a page");
    let (width, height) = (attr(page, "width"), attr(page, "height"));
    let words = html
        .split("<word ")
        .skip(1)
        .map(|w| {
            let (tag, rest) = w.split_once('>').expect("word tag");
            let text = rest.split("</word>").next().expect("word text");
            Word {
                x0: attr(tag, "xMin"),
                y0: attr(tag, "yMin"),
                x1: attr(tag, "xMax"),
                y1: attr(tag, "yMax"),
                text: text
                    .replace("&amp;", "&")
                    .replace("&lt;", "<")
                    .replace("&gt;", ">")
                    .replace("&quot;", "\"")
                    .replace("&apos;", "'"),
            }
        })
        .collect();
    (width, height, words)
}

/// Every word lies on the label, no two words' boxes overlap, no "?" stands for a line
/// break, and the name is whole or ends in "…".
fn check_words(what: &str, pdf: &Path, name: &str, address: bool) {
    let (width, height, words) = words(pdf);
    assert!(!words.is_empty(), "{what}: no text");
    for w in &words {
        assert!(
            w.x0 >= -0.01 && w.y0 >= -0.01 && w.x1 <= width + 0.01 && w.y1 <= height + 0.01,
            "{what}: {w:?} leaves the {width} × {height} pt label"
        );
        assert!(!w.text.contains('?'), "{what}: {w:?}");
    }
    for (i, a) in words.iter().enumerate() {
        for b in &words[i + 1..] {
            let across = a.x1.min(b.x1) - a.x0.max(b.x0);
            let down = a.y1.min(b.y1) - a.y0.max(b.y0);
            assert!(
                across <= 0.05 || down <= 0.05,
                "{what}: {a:?} and {b:?} overlap"
            );
        }
    }
    let text: Vec<&str> = words.iter().map(|w| w.text.as_str()).collect();
    let text = text.join(" ");
    let whole = text.contains(name);
    let cut = text.split('…').next().is_some_and(|before| {
        // the name's start, then "…" (where the template lets it end so)
        (10..name.len())
            .filter(|i| name.is_char_boundary(*i))
            .any(|i| before.ends_with(name[..i].trim_end()) && text.contains('…'))
    });
    assert!(whole || cut, "{what}: the name {name:?} in {text:?}");
    if address {
        for line in ADDRESS {
            assert!(text.contains(line), "{what}: {line:?} in {text:?}");
        }
    }
}

/// zxing-cpp's reading of each image, by file.
fn decode_all(python: &str, images: &[PathBuf]) -> BTreeMap<PathBuf, Vec<Decoded>> {
    let out = Command::new(python)
        .arg(crate::support::fixture("../oracles/decode.py"))
        .args(images)
        .output()
        .expect("decode.py");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut found: BTreeMap<PathBuf, Vec<Decoded>> =
        images.iter().map(|p| (p.clone(), Vec::new())).collect();
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        let v: serde_json::Value = serde_json::from_str(line).expect("json");
        let hex = v["bytes"].as_str().unwrap_or("");
        found
            .entry(PathBuf::from(v["file"].as_str().expect("file")))
            .or_default()
            .push(Decoded {
                format: v["format"].as_str().unwrap_or("").to_string(),
                symbology_identifier: v["symbology_identifier"].as_str().unwrap_or("").to_string(),
                text: v["text"].as_str().unwrap_or("").to_string(),
                bytes: (0..hex.len() / 2)
                    .map(|i| u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).unwrap_or(0))
                    .collect(),
            });
    }
    found
}

/// biip's reading of GS1 element strings: the GTIN of each, or its error.
fn biip_gtins(python: &str, element_strings: &[Vec<u8>]) -> Vec<String> {
    let script = "import sys, biip\nfor line in sys.stdin.read().split('\\n'):\n    \
                  if not line: continue\n    m = biip.parse(bytes.fromhex(line).decode()).gs1_message\n    \
                  print([e.value for e in m.element_strings if e.ai.ai == '01'][0])";
    let input: String = element_strings
        .iter()
        .map(|b| b.iter().map(|x| format!("{x:02x}")).collect::<String>() + "\n")
        .collect();
    python_on(python, script, input.as_bytes())
        .lines()
        .map(str::to_string)
        .collect()
}

#[test]
fn every_kind_fits_every_stock_in_every_script() {
    let Some(python) = python() else { return };
    let (shop, labels) = long_names_shop();
    let mut pictures: Vec<(String, String, PathBuf, usize)> = Vec::new();
    let mut refused = Vec::new();
    for (stock, ql) in STOCKS {
        for (kind, code, name) in &labels {
            let what = format!("{kind} {code} on {stock}");
            let pdf = match render(&shop, kind, code, stock, "pdf") {
                Ok(pdf) => pdf,
                Err(why) => {
                    assert!(may_not_fit(kind, stock), "{what} is refused: {why}");
                    assert!(
                        why.contains(&format!("does not fit stock {stock}")),
                        "{what}: a refusal says the stock and why: {why}"
                    );
                    refused.push(what);
                    continue;
                }
            };
            check_words(&what, &pdf, name, *kind == "shipment");
            // the same marks as a picture at the printer's resolution, as ZPL drawn by
            // another renderer, and in the printer languages the stock is for
            let dpi = if ql { "300" } else { "203" };
            let png = shop.path(&format!("{kind}-{stock}-{}.png", code.replace('/', "_")));
            let out = shop.cli(&[
                "label",
                "render",
                kind,
                code,
                "--stock",
                stock,
                "--format",
                "png",
                "--dpi",
                dpi,
                "-o",
                png.to_str().expect("utf8"),
            ]);
            assert!(
                out.status.success(),
                "{what}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            // how many symbols the label has at this resolution: its ZPL's barcode fields
            let drawn = symbols(&shop, kind, code, stock, dpi);
            pictures.push((what.clone(), code.clone(), png, drawn));
            if ql {
                let job = render(&shop, kind, code, stock, "brother-ql")
                    .unwrap_or_else(|e| panic!("{what} as Brother QL raster: {e}"));
                let dir = shop.path(&format!("ql-{kind}-{stock}"));
                std::fs::create_dir_all(&dir).expect("dir");
                let analyze = Path::new(&python).with_file_name("brother_ql");
                let out = Command::new(&analyze)
                    .arg("analyze")
                    .arg(&job)
                    .current_dir(&dir)
                    .output()
                    .expect("brother_ql analyze");
                assert!(
                    out.status.success(),
                    "{what}: {}",
                    String::from_utf8_lossy(&out.stderr)
                );
                pictures.push((
                    format!("{what} (QL raster)"),
                    code.clone(),
                    dir.join("label0001.png"),
                    drawn,
                ));
            } else {
                let zpl = std::fs::read(
                    render(&shop, kind, code, stock, "zpl").expect("zpl renders where pdf does"),
                )
                .expect("zpl");
                // no text outside Latin goes to the printer's font 0
                let text = String::from_utf8_lossy(&zpl);
                for field in text.split("^A0N").skip(1) {
                    let data = field.split("^FS").next().unwrap_or_default();
                    assert!(
                        !["_CE", "_CF", "_D0", "_D1", "_E2_80_A6"]
                            .iter()
                            .any(|b| data.contains(b)),
                        "{what}: non-Latin text in font 0: {data}"
                    );
                }
                let zpng = shop.path(&format!("{kind}-{stock}-zpl.png"));
                zpl_to_png(&zpl, &zpng);
                pictures.push((format!("{what} (ZPL)"), code.clone(), zpng, drawn));
                let tspl = std::fs::read(
                    render(&shop, kind, code, stock, "tspl").expect("tspl renders where pdf does"),
                )
                .expect("tspl");
                let pbm = tspl_to_pbm(&tspl, &shop.path(&format!("{kind}-{stock}-tspl.pbm")));
                let png = shop.path(&format!("{kind}-{stock}-tspl.png"));
                let converted = Command::new(&python)
                    .args(["-c", "import sys\nfrom PIL import Image\nImage.open(sys.argv[1]).save(sys.argv[2])"])
                    .arg(&pbm)
                    .arg(&png)
                    .status()
                    .expect("python");
                assert!(converted.success());
                pictures.push((format!("{what} (TSPL)"), code.clone(), png, drawn));
            }
        }
    }
    // every picture's barcodes: the code itself in Code 128, and each GS1 symbol read by biip
    let images: Vec<PathBuf> = pictures.iter().map(|(_, _, p, _)| p.clone()).collect();
    let decoded = decode_all(&python, &images);
    let mut gs1 = Vec::new();
    for (what, code, png, drawn) in &pictures {
        let found = &decoded[png];
        assert_eq!(
            found.len(),
            *drawn,
            "{what}: every symbol drawn decodes: {found:#?}"
        );
        let scan_code = code.split('/').next().unwrap_or(code);
        let plain: Vec<&str> = found
            .iter()
            .filter(|d| d.symbology_identifier == "]C0")
            .map(|d| d.text.as_str())
            .collect();
        // a pack's label scans as its batch
        assert!(
            plain.contains(&scan_code) || plain.iter().any(|t| t.starts_with("MFG-")),
            "{what}: the code in Code 128: {found:#?}"
        );
        gs1.extend(
            found
                .iter()
                .filter(|d| matches!(d.symbology_identifier.as_str(), "]C1" | "]d2"))
                .map(|d| d.bytes.clone()),
        );
    }
    assert!(!gs1.is_empty(), "GS1 symbols on the larger stocks");
    for gtin in biip_gtins(&python, &gs1) {
        assert!(
            ["09501101530003", "09501101530010", "09501101530027"].contains(&gtin.as_str()),
            "biip: {gtin}"
        );
    }
    assert!(
        refused.len() < 8,
        "most labels fit most stocks; refused: {refused:?}"
    );
}

/// Greek on a Zebra (issue 29): the lot label's ZPL carries the Greek name as graphic fields
/// (`^GFA`), not as text for font 0, and each field's bitmap, decoded back from its hex, is
/// the picture the PNG renderer draws at the same dots.
#[test]
fn greek_travels_to_a_zebra_as_the_picture_the_png_shows() {
    let Some(python) = python() else { return };
    let (shop, labels) = long_names_shop();
    let (_, lot, _) = &labels[0];
    let zpl = String::from_utf8(
        std::fs::read(render(&shop, "lot", lot, "100x60mm", "zpl").expect("zpl")).expect("utf8"),
    )
    .expect("ascii");
    let png = shop.path("lot-greek.png");
    shop.cli_ok(&[
        "label",
        "render",
        "lot",
        lot,
        "--stock",
        "100x60mm",
        "--format",
        "png",
        "--dpi",
        "203",
        "-o",
        png.to_str().expect("utf8"),
    ]);
    // each graphic field: where it is, its row length in bytes, its rows in hex
    let fields: Vec<(u32, u32, usize, String)> = zpl
        .split("^FO")
        .filter(|f| f.contains("^GFA,"))
        .map(|f| {
            let (at, rest) = f.split_once("^GFA,").expect("gf");
            let mut xy = at.split(',').map(|n| n.parse::<u32>().expect("dots"));
            let parts: Vec<&str> = rest.trim_end_matches("^FS").splitn(4, ',').collect();
            (
                xy.next().expect("x"),
                xy.next().expect("y"),
                parts[2].parse().expect("bytes a row"),
                parts[3].trim_end_matches("^FS").to_string(),
            )
        })
        .collect();
    assert!(
        fields.len() >= 2,
        "the Greek name's lines as graphic fields: {zpl}"
    );
    // compared by Pillow, dot for dot
    let script = "import sys, json\nfrom PIL import Image\n\
                  img = Image.open(sys.argv[1]).convert('1')\n\
                  out = []\n\
                  for x, y, per_row, hexrows in json.load(sys.stdin):\n    \
                  data = bytes.fromhex(hexrows)\n    rows = len(data) // per_row\n    \
                  diff = ink = 0\n    \
                  for r in range(rows):\n        \
                  for c in range(per_row * 8):\n            \
                  bit = (data[r * per_row + c // 8] >> (7 - c % 8)) & 1\n            \
                  px = 1 if img.getpixel((x + c, y + r)) == 0 else 0 if x + c < img.width and y + r < img.height else 0\n            \
                  ink += bit\n            \
                  diff += bit != px\n    \
                  out.append((ink, diff))\n\
                  print(json.dumps(out))";
    let input = serde_json::to_string(&fields).expect("json");
    let out = Command::new(&python)
        .args(["-c", script])
        .arg(&png)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut child| {
            use std::io::Write;
            child
                .stdin
                .take()
                .expect("stdin")
                .write_all(input.as_bytes())?;
            child.wait_with_output()
        })
        .expect("python");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let counts: Vec<(u32, u32)> = serde_json::from_slice(&out.stdout).expect("counts");
    for (ink, diff) in counts {
        assert!(ink > 200, "the field draws the text: {ink} dots");
        assert_eq!(
            diff, 0,
            "the field is the PNG's picture, dot for dot ({diff} of {ink})"
        );
    }
}

/// An address with line breaks (issue 29): one line with ", " in the text trace's table and
/// the recall PDF's, never "?"; the CSV keeps it as it was written.
#[test]
fn an_address_with_line_breaks_keeps_the_tables_whole() {
    let (shop, _) = long_names_shop();
    let one_line = ADDRESS.join(", ");
    let text = shop.cli_ok(&["trace", "forward", "MFG-0001"]);
    let row = text
        .lines()
        .find(|l| l.trim_start().starts_with("C001"))
        .unwrap_or_else(|| panic!("the customer's row: {text}"));
    assert!(row.ends_with(&one_line), "{row}");
    let csv = shop.cli_ok(&["trace", "forward", "MFG-0001", "--format", "csv"]);
    assert!(
        csv.contains(&format!("\"{}\"", ADDRESS.join("\n"))),
        "{csv}"
    );
    let out = shop.path("drill");
    shop.cli_ok(&[
        "recall",
        "MFG-0001",
        "--mock",
        "--format",
        "pdf",
        "--out",
        out.to_str().expect("utf8"),
    ]);
    let pdf = std::fs::read_dir(&out)
        .expect("drill folder")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|e| e == "pdf"))
        .expect("the recall PDF");
    let Some(text) = crate::trace::pdftotext(&pdf) else {
        return;
    };
    // the table wraps a long cell onto lines of its own; the breaks read ", "
    assert!(text.contains("12 High St, Unit 2, Burlington"), "{text}");
    assert!(text.contains("VT 05401") && !text.contains('?'), "{text}");
}

/// What labels must say where the maker sells (issue 29): a cosmetic's period after
/// opening in the open-jar symbol (items.csv's `pao_months`), the EU responsible person, the
/// manufacturer's postal and electronic address (GPSR), the US adverse-event contact and a
/// food lot's "L", from `[station]` and `[labels]`; on a stock too small for them they are
/// the last rows left off.
#[test]
fn a_label_says_what_the_law_asks_where_the_maker_sells() {
    let shop = Shop::new();
    shop.import_csv(
        "items",
        "sku,name,kind,unit,gtin,shelf_life_days,net_content,pao_months\n\
         SOAP,Lavender face cream,product,each,09501101530010,540,50 ml,12M\n",
    );
    let mut bench = shop.bench();
    bench.script("@MAKE | ITEM:SOAP | @YIELD:3 | @DONE");
    bench.finish();
    let config = shop.path("station.toml");
    std::fs::write(
        &config,
        "[station]\n\
         responsible_person = \"RP: Lavande SARL, 4 rue des Fleurs, 13001 Marseille, FR\"\n\
         manufacturer = \"Made by Bramble Soap Co, 12 Mill St, Springfield IL 62701, hello@bramble.example\"\n\
         adverse_event_contact = \"Report reactions: 1-555-0100, bramble.example/safety\"\n\
         [labels]\nlot_mark = \"L\"\n\
         [[bench]]\nname = \"b\"\nscanners = [\"s\"]\n[[scanner]]\nname = \"s\"\nkind = \"stdin\"\n",
    )
    .expect("config");
    let pdf = shop.path("cream.pdf");
    shop.cli_ok(&[
        "--config",
        config.to_str().expect("utf8"),
        "label",
        "render",
        "batch",
        "MFG-0001",
        "--stock",
        "100x60mm",
        "--format",
        "pdf",
        "-o",
        pdf.to_str().expect("utf8"),
    ]);
    check_words(
        "the cream's batch label",
        &pdf,
        "Lavender face cream",
        false,
    );
    let (_, _, found) = words(&pdf);
    let text: Vec<&str> = found.iter().map(|w| w.text.as_str()).collect();
    let text = text.join(" ");
    for said in [
        "L MFG-0001",
        "12M",
        "RP: Lavande SARL, 4 rue des Fleurs, 13001 Marseille, FR",
        "hello@bramble.example",
        "Report reactions: 1-555-0100",
    ] {
        assert!(text.contains(said), "{said:?} in {text:?}");
    }
    // the 2 × 1 in label keeps the product, its lot and its code, and leaves the rest off
    let small = shop.path("cream-2x1.pdf");
    shop.cli_ok(&[
        "--config",
        config.to_str().expect("utf8"),
        "label",
        "render",
        "batch",
        "MFG-0001",
        "--stock",
        "2x1in",
        "--format",
        "pdf",
        "-o",
        small.to_str().expect("utf8"),
    ]);
    check_words(
        "the cream on 2 × 1 in",
        &small,
        "Lavender face cream",
        false,
    );
    let (_, _, found) = words(&small);
    assert!(found.iter().any(|w| w.text == "MFG-0001"));
}
