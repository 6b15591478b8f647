//! EPCIS 2.0: a day's events exported as a document, checked against the standard's
//! structure (event types, required fields, GS1 Digital Link identifiers, UN/CEFACT units),
//! and a round trip: one shop's shipping events imported by its customer, whose receiving
//! bench then fills in the lot from them.

use crate::support::{Shop, today};

fn export(shop: &Shop, extra: &[&str]) -> serde_json::Value {
    let day = today().to_string();
    let mut args = vec!["export", "epcis", "--from", &day, "--to", &day, "-o", "-"];
    args.extend_from_slice(extra);
    serde_json::from_str(&shop.cli_ok(&args)).expect("json")
}

#[test]
fn a_days_events_as_an_epcis_document() {
    let shop = Shop::new();
    shop.soap_day();
    let doc = export(&shop, &[]);
    assert_eq!(
        doc["@context"][0],
        "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"
    );
    assert_eq!(doc["type"], "EPCISDocument");
    assert_eq!(doc["schemaVersion"], "2.0");
    assert!(
        doc["creationDate"]
            .as_str()
            .expect("creationDate")
            .parse::<jiff::Timestamp>()
            .is_ok()
    );
    let events = doc["epcisBody"]["eventList"].as_array().expect("events");
    // written to a file, the count said is of the events written (one EPCIS event may be
    // several rows of the FDA's spreadsheet)
    let day = today().to_string();
    let file = shop.path("day.jsonld");
    let out = shop.cli(&[
        "export",
        "epcis",
        "--from",
        &day,
        "--to",
        &day,
        "-o",
        file.to_str().expect("utf8"),
    ]);
    assert!(out.status.success());
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(
        said.contains(&format!(
            ": {} EPCIS events from {day} to {day}",
            events.len()
        )),
        "{said}"
    );
    // what the standard requires of each event type, and the CBV words we use
    for e in events {
        let kind = e["type"].as_str().expect("type");
        assert!(
            e["eventTime"]
                .as_str()
                .expect("eventTime")
                .parse::<jiff::Timestamp>()
                .is_ok()
        );
        assert_eq!(e["eventTimeZoneOffset"], "+00:00");
        match kind {
            "ObjectEvent" => {
                assert_eq!(e["action"], "OBSERVE");
                assert!(["receiving", "shipping"].contains(&e["bizStep"].as_str().unwrap_or("")));
                assert!(!e["quantityList"].as_array().expect("quantities").is_empty());
            }
            "TransformationEvent" => {
                assert!(e.get("action").is_none(), "a transformation has no action");
                assert!(
                    !e["outputQuantityList"]
                        .as_array()
                        .expect("outputs")
                        .is_empty()
                );
            }
            other => panic!("unexpected event type {other}"),
        }
        for list in ["quantityList", "inputQuantityList", "outputQuantityList"] {
            for q in e[list].as_array().into_iter().flatten() {
                assert!(q["quantity"].as_f64().is_some_and(|n| n > 0.0), "{q}");
                if let Some(uom) = q.get("uom") {
                    assert!(
                        ["GRM", "KGM", "MLT", "LTR", "LBR", "ONZ"]
                            .contains(&uom.as_str().unwrap_or(""))
                    );
                }
            }
        }
    }
    let summary: Vec<String> = events
        .iter()
        .map(|e| {
            let q = |list: &str| -> String {
                e[list]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|q| {
                        format!(
                            "{} {}{}",
                            q["epcClass"].as_str().unwrap_or(""),
                            q["quantity"],
                            q["uom"]
                                .as_str()
                                .map(|u| format!(" {u}"))
                                .unwrap_or_default()
                        )
                    })
                    .collect::<Vec<_>>()
                    .join(" + ")
            };
            match e["type"].as_str().unwrap_or("") {
                "TransformationEvent" => format!(
                    "transform {} -> {}",
                    q("inputQuantityList"),
                    q("outputQuantityList")
                ),
                _ => format!(
                    "{} {} {}{}",
                    e["bizStep"].as_str().unwrap_or(""),
                    q("quantityList"),
                    e["sourceList"][0]["source"].as_str().unwrap_or(""),
                    e["destinationList"][0]["destination"]
                        .as_str()
                        .unwrap_or("")
                ),
            }
        })
        .collect();
    assert_eq!(
        summary,
        [
            "receiving urn:lotstation:class:OLIVE:SL-OL-5 20.0 KGM urn:lotstation:party:supplier:COASTAL",
            "receiving urn:lotstation:class:LYE:SL-NA-1 2000.0 GRM urn:lotstation:party:supplier:COASTAL",
            "receiving https://id.gs1.org/01/09501101530003/10/SL-LAV-1 1500.0 GRM urn:lotstation:party:supplier:BRAMBLE",
            "transform https://id.gs1.org/01/09501101530003/10/SL-LAV-1 1000.0 GRM -> urn:lotstation:class:BLEND:MFG-0001 1000.0 GRM",
            "transform urn:lotstation:class:OLIVE:SL-OL-5 3.0 KGM + urn:lotstation:class:LYE:SL-NA-1 400.0 GRM -> https://id.gs1.org/01/09501101530010/10/MFG-0002 12.0",
            "shipping https://id.gs1.org/01/09501101530010/10/MFG-0002 2.0 urn:lotstation:party:customer:C001",
            "shipping https://id.gs1.org/01/09501101530010/10/MFG-0002 1.0 urn:lotstation:party:customer:C002",
        ]
    );
    // each batch's expiry travels with its transformation, as instance master data
    let expiries = shop.query_strings("SELECT expiry FROM batch_closures ORDER BY batch_code");
    assert_eq!(expiries.len(), 2, "both batches have an expiry to carry");
    for (event, expiry) in [&events[3], &events[4]].into_iter().zip(&expiries) {
        assert_eq!(event["ilmd"]["cbvmda:itemExpirationDate"], expiry.as_str());
    }
    // the orders travel with the shipments
    assert_eq!(events[5]["bizTransactionList"][0]["type"], "po");
    assert_eq!(
        events[5]["bizTransactionList"][0]["bizTransaction"],
        "urn:lotstation:po:1001"
    );
}

/// An independent reader: GS1's community EPCIS event hash generator (PyPI
/// `epcis-event-hash-generator`) expands every event through the EPCIS 2.0 context and
/// hashes it; our CBV words must come out as the standard's vocabulary.
#[test]
fn gs1s_event_hash_generator_reads_every_event() {
    let python = std::env::var("LOTSTATION_PYTHON").unwrap_or_else(|_| "python3".into());
    let installed = std::process::Command::new(&python)
        .args(["-c", "import epcis_event_hash_generator"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !installed {
        if std::env::var("LOTSTATION_ORACLES").as_deref() == Ok("1") {
            panic!("epcis-event-hash-generator is not installed; scripts/test.sh installs it");
        }
        eprintln!("skipped: epcis-event-hash-generator not installed (run scripts/test.sh)");
        return;
    }
    let shop = Shop::new();
    shop.soap_day();
    let doc = export(&shop, &[]);
    let path = shop.path("day.jsonld");
    std::fs::write(&path, doc.to_string()).expect("write");
    let out = std::process::Command::new(&python)
        .args(["-m", "epcis_event_hash_generator", "-p"])
        .arg(&path)
        .output()
        .expect("run the hash generator");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        stdout
            .lines()
            .filter(|l| l.starts_with("ni:///sha-256;"))
            .count(),
        7,
        "{stdout}"
    );
    let count = |needle: &str| stdout.matches(needle).count();
    assert_eq!(
        count("bizStep=https://ref.gs1.org/cbv/BizStep-receiving"),
        3
    );
    assert_eq!(
        count("bizStep=https://ref.gs1.org/cbv/BizStep-commissioning"),
        2
    );
    assert_eq!(count("bizStep=https://ref.gs1.org/cbv/BizStep-shipping"), 2);
    assert_eq!(
        count("disposition=https://ref.gs1.org/cbv/Disp-in_transit"),
        2
    );
    assert_eq!(count("type=https://ref.gs1.org/cbv/SDT-owning_party"), 5);
    assert_eq!(count("type=https://ref.gs1.org/cbv/BTT-po"), 2);
    assert!(
        stdout.contains("epcClass=https://id.gs1.org/01/09501101530010/10/MFG-0002quantity=12"),
        "{stdout}"
    );
    // the batches' expiry, expanded by JSON-LD (pyld, with the generator's copy of the
    // EPCIS 2.0 context) to the CBV's master data attribute
    const EXPAND: &str = "import json, sys
from pyld import jsonld
from epcis_event_hash_generator.file_document_loader import file_document_loader
jsonld.set_document_loader(file_document_loader())
print(json.dumps(jsonld.expand(json.load(open(sys.argv[1])))))";
    let out = std::process::Command::new(&python)
        .args(["-c", EXPAND])
        .arg(&path)
        .output()
        .expect("run pyld");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let expanded = String::from_utf8_lossy(&out.stdout);
    let expiries = shop.query_strings("SELECT expiry FROM batch_closures ORDER BY batch_code");
    assert_eq!(expiries.len(), 2, "both batches have an expiry to carry");
    for expiry in &expiries {
        assert!(
            expanded.contains(&format!(
                r#"{{"urn:epcglobal:cbv:mda:itemExpirationDate": [{{"@value": "{expiry}"}}]"#
            )),
            "{expanded}"
        );
    }
}

#[test]
fn a_suppliers_shipping_events_fill_in_the_receiving_bench() {
    // the soap maker ships order 1001 and sends its customer the events of that order
    let maker = Shop::new();
    maker.soap_day();
    let doc = export(&maker, &["--code", "1001"]);
    // the customer, a shop that buys the soap in, by its GTIN
    let shop = Shop::empty();
    let file = |name: &str, text: &str| {
        let path = shop.path(name);
        std::fs::write(&path, text).expect("write");
        path.display().to_string()
    };
    shop.import_csv(
        "items",
        "sku,name,kind,unit,lot_prefix,gtin,shelf_life_days\nBAR,Lavender soap bar (bought in),material,each,BAR,09501101530010,\n",
    );
    shop.import_csv("suppliers", "code,name\nLAVLANE,Lavender Lane Soap\n");
    let events = file("events.jsonld", &doc.to_string());
    let out = shop.cli_ok(&["import", "epcis", &events, "--supplier", "LAVLANE"]);
    assert!(
        out.contains("1 lot shipped by LAVLANE is awaited at receiving"),
        "{out}"
    );
    let mut bench = shop.bench();
    bench.ok("@RECEIVE");
    bench.ok("SUP:LAVLANE");
    bench.ok("INV-1001");
    // the maker's batch expiry travels in its commissioning event's instance master data
    let expiry =
        maker.query_strings("SELECT expiry FROM batch_closures WHERE batch_code = 'MFG-0002'");
    let filled = bench.ok("MFG-0002");
    assert!(
        filled.contains(&format!(
            "Lavender soap bar (bought in) (BAR), supplier lot MFG-0002, expires {}, 2 each as",
            expiry[0]
        )) && filled.contains("as the supplier's shipping notice says"),
        "{filled}"
    );
    bench.ok("@DONE");
    bench.ok("@DONE");
    drop(bench);
    assert_eq!(
        shop.query_strings(
            "SELECT item_sku || ' ' || supplier_lot || ' ' || quantity || ' ' || expiry FROM lots"
        ),
        [format!("BAR MFG-0002 2 {}", expiry[0])]
    );

    // a document that is not one, or names what the shop does not stock, imports nothing
    let journal = shop.query_i64("SELECT COUNT(*) FROM journal");
    let before = shop.query_i64("SELECT COUNT(*) FROM expected_receipts");
    let unknown = doc.to_string().replace("09501101530010", "09501101530003");
    let undated = doc.to_string().replace(&expiry[0], "soon");
    // lot numbers nobody could scan again: a NUL, a right-to-left override, 100 characters
    let with_nul = doc.to_string().replace("MFG-0002", "MFG\\u00000002");
    let reversed = doc.to_string().replace("MFG-0002", "MFG-\u{202E}0002");
    let long = doc.to_string().replace("MFG-0002", &"7".repeat(100));
    let not_gs1 = doc.to_string().replace("MFG-0002", "MFG 0002");
    for (text, expected) in [
        (
            with_nul.as_str(),
            "the lot number holds an invisible character (U+0000)",
        ),
        (
            reversed.as_str(),
            "the lot number holds an invisible character (U+202E)",
        ),
        (
            long.as_str(),
            "the lot number is 100 characters long; at most 64 are kept",
        ),
        (
            not_gs1.as_str(),
            "lot number \"MFG 0002\" is not a GS1 batch/lot: at most 20 of GS1's characters",
        ),
        (
            undated.as_str(),
            "itemExpirationDate \"soon\" is not a date (YYYY-MM-DD)",
        ),
        ("{\"type\": \"EPCISDocument\"", "not JSON"),
        ("{\"type\": \"Invoice\"}", "not an EPCIS document"),
        (
            unknown.as_str(),
            "GTIN 09501101530003 (lot MFG-0002) is none of our items",
        ),
    ] {
        let path = file("bad.jsonld", text);
        let out = shop.cli(&["import", "epcis", &path, "--supplier", "LAVLANE"]);
        assert_eq!(out.status.code(), Some(1));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(expected), "{stderr}");
    }
    // a file without end is refused once it is larger than any notice, not read whole
    let out = shop.cli(&["import", "epcis", "/dev/zero", "--supplier", "LAVLANE"]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("/dev/zero: larger than 32 MiB"), "{stderr}");
    assert_eq!(shop.query_i64("SELECT COUNT(*) FROM journal"), journal);
    assert_eq!(
        shop.query_i64("SELECT COUNT(*) FROM expected_receipts"),
        before
    );
    // nor does the bench take such a lot number as typed
    let mut bench = shop.bench();
    bench.ok("@RECEIVE");
    bench.ok("SUP:LAVLANE");
    bench.ok("INV-1002");
    bench.ok("ITEM:BAR");
    for (lot, said) in [
        (
            "LOT-\u{202E}1",
            "the supplier lot holds an invisible character (U+202E)",
        ),
        (
            &"7".repeat(100),
            "the supplier lot is 100 characters long; at most 64 are kept",
        ),
    ] {
        let refused = bench.scan(lot);
        assert!(
            refused.starts_with("error: ") && refused.contains(said),
            "{refused}"
        );
    }
    bench.ok("@CANCEL");
}

/// GS1's own example documents (vendored in tests/fixtures/gs1-epcis, with their licence and
/// source): serialised shipments, receiving-only and transformation-only documents take
/// nothing, say why for each event, exit 1 and journal nothing; a shipping TransactionEvent
/// with a lot ("all possible fields") is awaited; a query document's results are read.
#[test]
fn gs1s_example_documents_import_what_they_ship_and_say_why_not() {
    let shop = Shop::empty();
    shop.import_csv(
        "items",
        "sku,name,kind,unit,lot_prefix,gtin\nGS1-ITEM,GS1 example item,material,kg,GSX,04012345111118\n",
    );
    shop.import_csv("suppliers", "code,name\nACME,Acme Corporation\n");
    let fixture = |name: &str| {
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/gs1-epcis")
            .join(name)
            .display()
            .to_string()
    };
    let journal = || shop.query_i64("SELECT COUNT(*) FROM journal");
    let before = journal();
    for (file, said) in [
        (
            "Example_9.6.1-ObjectEvent.jsonld",
            &[
                "no lot to await at receiving in 2 events, so nothing was imported",
                "event 1 (ObjectEvent): it names serialised items (urn:epc:id:sgtin, or a Digital Link with /21/) and no lot",
                "event 2 (ObjectEvent): its step is receiving, not shipping",
            ][..],
        ),
        (
            "Example_9.6.1-ObjectEventWithDigitalLink.jsonld",
            &["event 1 (ObjectEvent): it names serialised items"][..],
        ),
        (
            "Example_9.6.2-ObjectEvent.jsonld",
            &["event 1 (ObjectEvent): its step is receiving, not shipping"][..],
        ),
        (
            "Example_9.6.4-TransformationEvent.jsonld",
            &["event 1 (TransformationEvent): an event of this type ships nothing"][..],
        ),
        (
            "EPCISQueryDocument.jsonld",
            &[
                "no lot to await at receiving in 2 events",
                "event 1 (ObjectEvent): it names serialised items",
            ][..],
        ),
    ] {
        let out = shop.cli(&["import", "epcis", &fixture(file), "--supplier", "ACME"]);
        assert_eq!(out.status.code(), Some(1), "{file}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        for s in said {
            assert!(stderr.contains(s), "{file}: {s} not in {stderr}");
        }
    }
    assert_eq!(journal(), before, "nothing journaled");
    let out = shop.cli_ok(&[
        "import",
        "epcis",
        &fixture("transaction_event_all_possible_fields.jsonld"),
        "--supplier",
        "ACME",
    ]);
    assert!(
        out.contains("1 lot shipped by ACME is awaited at receiving"),
        "{out}"
    );
    assert_eq!(
        shop.query_strings(
            "SELECT item_sku || ' ' || supplier_lot || ' ' || CAST(quantity AS TEXT) FROM expected_receipts"
        ),
        ["GS1-ITEM 4444 10000000"]
    );
    assert_eq!(journal(), before + 1);
}

/// The export is valid against GS1's EPCIS 2.0 JSON Schema (vendored with the examples), with
/// formats checked, by the validator GS1's own scripts use (ajv with ajv-formats); a document
/// spoiled on purpose is not, so the check is a real one.
#[test]
fn the_export_is_valid_against_gs1s_json_schema() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    if !root.join("tests/browser/node_modules/ajv-formats").exists() {
        assert!(
            std::env::var("LOTSTATION_ORACLES").as_deref() != Ok("1"),
            "ajv is needed (scripts/test.sh installs it)"
        );
        return;
    }
    let shop = Shop::new();
    shop.soap_day();
    let doc = export(&shop, &[]);
    let good = shop.path("export.jsonld");
    std::fs::write(&good, doc.to_string()).expect("write");
    let spoiled = shop.path("spoiled.jsonld");
    std::fs::write(
        &spoiled,
        doc.to_string()
            .replacen("\"eventTime\":\"", "\"eventTime\":\"yesterday, ", 1),
    )
    .expect("write");
    let validate = |file: &std::path::Path| {
        std::process::Command::new("node")
            .arg(root.join("tests/browser/epcis-schema.mjs"))
            .arg(root.join("tests/fixtures/gs1-epcis/schema"))
            .arg(file)
            .output()
            .expect("node")
    };
    let out = validate(&good);
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success() && said.starts_with("VALID "), "{said}");
    let out = validate(&spoiled);
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        !out.status.success() && said.contains("INVALID") && said.contains("eventTime"),
        "{said}"
    );
}
