//! Trace, recall, stock and history import. Random histories are checked against a brute
//! force graph closure computed here, independently of the store's queries.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::Path;

use lotstation::store::{Store, Target};
use proptest::prelude::*;

use crate::support::{Shop, fixture};

/// One consumption in a generated past: (is a batch, index, quantity in g).
type Input = (bool, usize, i64);

/// A generated past: lots, batches consuming lots and earlier batches, shipments.
#[derive(Debug, Clone)]
struct Past {
    lots: Vec<i64>,
    /// per batch: (inputs, yield)
    batches: Vec<(Vec<Input>, i64)>,
    /// (order, customer, batch, units)
    shipments: Vec<(usize, usize, usize, i64)>,
}

fn arb_past() -> impl Strategy<Value = Past> {
    (1usize..6, 1usize..10).prop_flat_map(|(n_lots, n_batches)| {
        let lots = proptest::collection::vec(100i64..5000, n_lots);
        let batches = (0..n_batches)
            .map(|b| {
                let input = (any::<bool>(), 0usize..64, 1i64..50).prop_map(move |(batch, i, q)| {
                    if batch && b > 0 {
                        (true, i % b, q)
                    } else {
                        (false, i % n_lots, q)
                    }
                });
                (proptest::collection::vec(input, 1..4), 1i64..100)
            })
            .collect::<Vec<_>>();
        let shipments =
            proptest::collection::vec((0usize..12, 0usize..5, 0usize..n_batches, 1i64..4), 0..25);
        (lots, batches, shipments).prop_map(|(lots, batches, shipments)| {
            possible(Past {
                lots,
                batches,
                shipments,
            })
        })
    })
}

/// The same past, made possible: each lot holds and each batch yields at least what is
/// used of it (the import refuses a history that uses more than there was).
fn possible(mut past: Past) -> Past {
    let mut lot_use = vec![0i64; past.lots.len()];
    let mut batch_use = vec![0i64; past.batches.len()];
    for (inputs, _) in &past.batches {
        for (is_batch, i, q) in inputs {
            if *is_batch {
                batch_use[*i] += q;
            } else {
                lot_use[*i] += q;
            }
        }
    }
    for (_, _, batch, units) in &past.shipments {
        batch_use[*batch] += units;
    }
    for (q, used) in past.lots.iter_mut().zip(lot_use) {
        *q = (*q).max(used);
    }
    for ((_, yield_q), used) in past.batches.iter_mut().zip(batch_use) {
        *yield_q = (*yield_q).max(used);
    }
    past
}

fn lot_code(i: usize) -> String {
    format!("L{i:03}")
}

fn batch_code(i: usize) -> String {
    format!("B{i:03}")
}

/// Writes the past as history CSVs (blend products in g, consumed by weight).
fn write_history(dir: &Path, past: &Past) {
    let mut receipts = String::from(
        "lot_code,item_sku,supplier_code,supplier_lot,invoice,quantity,unit,received_at,expiry\n",
    );
    for (i, q) in past.lots.iter().enumerate() {
        let _ = writeln!(
            receipts,
            "{},LAV-EO,BRAMBLE,S{i},INV-{i},{q},g,2025-01-{:02},",
            lot_code(i),
            i % 28 + 1
        );
    }
    let mut batches = String::from("batch_code,product_sku,produced_at,yield,expiry\n");
    let mut consumptions = String::from("batch_code,input_code,quantity,unit\n");
    for (b, (inputs, yield_q)) in past.batches.iter().enumerate() {
        let _ = writeln!(
            batches,
            "{},BLEND,2025-02-01T10:00:00Z,{yield_q},",
            batch_code(b)
        );
        for (is_batch, i, q) in inputs {
            let input = if *is_batch {
                batch_code(*i)
            } else {
                lot_code(*i)
            };
            let _ = writeln!(consumptions, "{},{input},{q},g", batch_code(b));
        }
    }
    let mut shipments = String::from("order_number,customer_code,shipped_at,batch_code,quantity\n");
    for (order, customer, batch, units) in &past.shipments {
        // C003 spelled as a person might, not as the master data has it (its key ignores
        // case): recorded under the master data's spelling, traced with its contacts
        let customer = ["C001", "C002", "c003", "C004", "C005"][*customer];
        let _ = writeln!(
            shipments,
            "{},{customer},2025-03-01T12:00:00Z,{},{units}",
            5000 + order,
            batch_code(*batch)
        );
    }
    for (name, content) in [
        ("receipts.csv", receipts),
        ("batches.csv", batches),
        ("consumptions.csv", consumptions),
        ("shipments.csv", shipments),
    ] {
        std::fs::write(dir.join(name), content).expect("write history");
    }
}

/// A store with the fixture master data plus customers C003..C005 and `past` imported.
fn store_with(past: &Past) -> (tempfile::TempDir, Store) {
    // the suite's backend: a SQLite file, or a new PostgreSQL database per case
    let dir = tempfile::tempdir().expect("tmp");
    let location = if crate::support::postgres() {
        lotstation::store::Location::parse(&crate::cluster::cluster().new_database())
            .expect("a database")
    } else {
        lotstation::store::Location::sqlite(dir.path().join("db.sqlite"))
    };
    let mut store = Store::open(&location).expect("open");
    for (kind, name) in [
        (lotstation::masterdata::MasterKind::Items, "items"),
        (lotstation::masterdata::MasterKind::Suppliers, "suppliers"),
        (lotstation::masterdata::MasterKind::Customers, "customers"),
    ] {
        let path = fixture(&format!("shop/{name}.csv"));
        let data = lotstation::masterdata::parse(&lotstation::clock::Disk, kind, Path::new(&path))
            .expect("parse");
        store
            .import_master(name, "-", &data, crate::support::start())
            .expect("import");
    }
    let extra = dir.path().join("more.csv");
    std::fs::write(
        &extra,
        "code,name,email,phone,address\nC003,C3,c3@x.example,,\nC004,C4,,,\nC005,C5,,,\n",
    )
    .expect("w");
    let data = lotstation::masterdata::parse(
        &lotstation::clock::Disk,
        lotstation::masterdata::MasterKind::Customers,
        &extra,
    )
    .expect("parse");
    store
        .import_master("more", "-", &data, crate::support::start())
        .expect("import");
    let history_dir = dir.path().join("history");
    std::fs::create_dir(&history_dir).expect("mkdir");
    write_history(&history_dir, past);
    let tz = jiff::tz::TimeZone::UTC;
    let history =
        lotstation::masterdata::parse_history(&lotstation::clock::Disk, &history_dir, &tz)
            .expect("parse history");
    let format = lotstation::core::codes::CodeFormat::parse("SHP-{seq:05}").expect("format");
    store
        .import_history(&history, &format, &tz, crate::support::start(), false)
        .expect("import history");
    (dir, store)
}

/// Brute force: batches reachable downstream of `root` by repeated passes over all edges.
fn downstream(past: &Past, root: &str) -> BTreeSet<String> {
    let mut reached: BTreeSet<String> = BTreeSet::new();
    loop {
        let before = reached.len();
        for (b, (inputs, _)) in past.batches.iter().enumerate() {
            for (is_batch, i, _) in inputs {
                let input = if *is_batch {
                    batch_code(*i)
                } else {
                    lot_code(*i)
                };
                if input == root || reached.contains(&input) {
                    reached.insert(batch_code(b));
                }
            }
        }
        if reached.len() == before {
            return reached;
        }
    }
}

/// Brute force: (batches, lots with quantities) upstream of a set of batches.
fn upstream(past: &Past, start: &BTreeSet<String>) -> (BTreeSet<String>, BTreeMap<String, i64>) {
    let mut batches = start.clone();
    loop {
        let before = batches.len();
        for (b, (inputs, _)) in past.batches.iter().enumerate() {
            if batches.contains(&batch_code(b)) {
                for (is_batch, i, _) in inputs {
                    if *is_batch {
                        batches.insert(batch_code(*i));
                    }
                }
            }
        }
        if batches.len() == before {
            break;
        }
    }
    let mut lots = BTreeMap::new();
    for (b, (inputs, _)) in past.batches.iter().enumerate() {
        if batches.contains(&batch_code(b)) {
            for (is_batch, i, q) in inputs {
                if !is_batch {
                    *lots.entry(lot_code(*i)).or_default() += q * 1000;
                }
            }
        }
    }
    (batches, lots)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, .. ProptestConfig::default() })]

    #[test]
    fn traces_equal_the_brute_force_closure(past in arb_past()) {
        let (_dir, store) = store_with(&past);
        // forward from every lot and batch
        let roots = (0..past.lots.len()).map(|i| Target::Lot(lot_code(i)))
            .chain((0..past.batches.len()).map(|i| Target::Batch(batch_code(i))));
        for root in roots {
            let trace = store.trace_forward(&root).expect("forward");
            let expected = downstream(&past, root.code());
            let got: BTreeSet<String> = trace.batches.iter().map(|b| b.code.clone()).collect();
            prop_assert_eq!(&got, &expected, "batches downstream of {}", root.code());
            let mut shipped = expected.clone();
            if let Target::Batch(code) = &root { shipped.insert(code.clone()); }
            let customers: BTreeSet<&str> = past.shipments.iter()
                .filter(|s| shipped.contains(&batch_code(s.2)))
                .map(|s| ["C001", "C002", "C003", "C004", "C005"][s.1]).collect();
            let got_customers: BTreeSet<&str> = trace.customers.iter().map(|c| c.code.as_str()).collect();
            prop_assert_eq!(got_customers, customers, "customers of {}", root.code());
            // each with the master data's contacts
            for c in &trace.customers {
                let (name, email) = match c.code.as_str() {
                    "C001" => ("Jo Smith", "jo@example.com"),
                    "C002" => ("Ana Ruiz", "ana@example.com"),
                    "C003" => ("C3", "c3@x.example"),
                    "C004" => ("C4", ""),
                    _ => ("C5", ""),
                };
                prop_assert_eq!((c.name.as_str(), c.email.as_str()), (name, email));
            }
            // shipment lines oldest first
            prop_assert!(trace.shipments.windows(2).all(|w| w[0].shipped_at <= w[1].shipped_at));
            let lines = past.shipments.iter().filter(|s| shipped.contains(&batch_code(s.2))).count();
            prop_assert_eq!(trace.shipments.len(), lines);
            // depth is the shortest path length
            for b in &trace.batches {
                prop_assert_eq!(b.path.len() as u32, b.depth + 1);
                prop_assert_eq!(b.path.first().map(String::as_str), Some(root.code()));
            }
        }
        // backward from every order
        let orders: BTreeSet<usize> = past.shipments.iter().map(|s| s.0).collect();
        for order in orders {
            let number = (5000 + order).to_string();
            let trace = store.trace_backward(&Target::Order(number.clone())).expect("backward");
            let shipped: BTreeSet<String> = past.shipments.iter().filter(|s| s.0 == order).map(|s| batch_code(s.2)).collect();
            let (batches, lots) = upstream(&past, &shipped);
            let got: BTreeSet<String> = trace.batches.iter().map(|b| b.code.clone()).collect();
            prop_assert_eq!(got, batches, "batches upstream of order {}", number);
            let got_lots: BTreeMap<String, i64> = trace.lots.iter().map(|l| (l.code.clone(), l.quantity_consumed.base)).collect();
            prop_assert_eq!(got_lots, lots, "lots upstream of order {}", number);
        }
    }
}

/// SPEC's seed example: a fragrance lot used in 3 batches reaches exactly the 34 customers who
/// received those batches, out of 420 customers of that product.
#[test]
fn a_fragrance_lot_reaches_exactly_its_34_customers() {
    let shop = Shop::new();
    let dir = shop.path("seed");
    std::fs::create_dir(&dir).expect("mkdir");
    let mut customers = String::from("code,name,email,phone,address\n");
    for c in 1..=420 {
        let _ = writeln!(
            customers,
            "K{c:03},Customer {c},k{c}@mail.example,555-{c:04},{c} Long Rd"
        );
    }
    std::fs::write(shop.path("customers420.csv"), customers).expect("write");
    assert!(
        shop.cli(&[
            "import",
            "customers",
            shop.path("customers420.csv").to_str().expect("utf8")
        ])
        .status
        .success()
    );
    let mut receipts = String::from(
        "lot_code,item_sku,supplier_code,supplier_lot,invoice,quantity,unit,received_at,expiry\n",
    );
    receipts.push_str("FRAG-1,LAV-EO,BRAMBLE,BR-777,INV-1,5000,g,2026-01-05,2028-01-05\n");
    receipts.push_str("FRAG-2,LAV-EO,BRAMBLE,BR-778,INV-2,5000,g,2026-02-05,2028-02-05\n");
    receipts.push_str("OIL-1,OLIVE,COASTAL,CO-1,INV-3,500,kg,2026-01-05,\n");
    let mut batches = String::from("batch_code,product_sku,produced_at,yield,expiry\n");
    let mut consumptions = String::from("batch_code,input_code,quantity,unit\n");
    for b in 1..=20 {
        let _ = writeln!(batches, "SOAP-B{b:02},SOAP,2026-03-{b:02},100,");
        let frag = if b <= 3 { "FRAG-1" } else { "FRAG-2" };
        let _ = writeln!(consumptions, "SOAP-B{b:02},{frag},150,g");
        let _ = writeln!(consumptions, "SOAP-B{b:02},OIL-1,3,kg");
    }
    // customers K001..K034 got units of batches 1-3 (some also of others); everyone else only others
    let mut shipments = String::from("order_number,customer_code,shipped_at,batch_code,quantity\n");
    let mut order = 10_000;
    for c in 1..=420 {
        order += 1;
        let batch = if c <= 34 { (c - 1) % 3 + 1 } else { 4 + c % 17 };
        let _ = writeln!(
            shipments,
            "{order},K{c:03},2026-04-01T10:00:00Z,SOAP-B{batch:02},1"
        );
        if c % 5 == 0 {
            let _ = writeln!(
                shipments,
                "{order},K{c:03},2026-04-01T10:00:00Z,SOAP-B{:02},2",
                4 + c % 13
            );
        }
    }
    for (name, content) in [
        ("receipts.csv", receipts),
        ("batches.csv", batches),
        ("consumptions.csv", consumptions),
        ("shipments.csv", shipments),
    ] {
        std::fs::write(dir.join(name), content).expect("write");
    }
    let out = shop.cli(&["import", "history", dir.to_str().expect("utf8")]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        String::from_utf8_lossy(&out.stdout)
            .contains("3 lots, 20 batches, 40 consumptions, 420 shipments (504 lines)")
    );

    // the supplier's recall notice names their lot number
    let out = shop.cli(&[
        "recall",
        "BR-777",
        "--mock",
        "--out",
        shop.path("drill").to_str().expect("utf8"),
        "--format",
        "json",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let package: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(package["root"]["code"], "FRAG-1");
    assert_eq!(package["mock"], true);
    let batches: Vec<&str> = package["batches"]
        .as_array()
        .expect("batches")
        .iter()
        .map(|b| b["code"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(batches, ["SOAP-B01", "SOAP-B02", "SOAP-B03"]);
    let customers: BTreeSet<String> = package["customers"]
        .as_array()
        .expect("customers")
        .iter()
        .map(|c| c["code"].as_str().unwrap_or("").to_string())
        .collect();
    let expected: BTreeSet<String> = (1..=34).map(|c| format!("K{c:03}")).collect();
    assert_eq!(customers, expected);
    assert_eq!(package["customers"][0]["email"], "k1@mail.example");
    assert_eq!(
        package["on_hand"].as_array().map(Vec::len),
        Some(4),
        "the lot and three part-shipped batches"
    );
    let csv = std::fs::read_to_string(shop.path("drill/customers.csv")).expect("customers.csv");
    assert_eq!(csv.lines().count(), 35, "header and 34 customers");
    assert!(csv.lines().nth(1).unwrap_or("").starts_with(
        "k1@mail.example,Customer,1,K001,Customer 1,555-0001,1 Long Rd,10001,SOAP-B01,1"
    ));
    // a drill changes no record, and is journaled for an auditor
    assert_eq!(shop.query_i64("SELECT COUNT(*) FROM status_changes"), 0);
    let out = shop.cli(&["drills", "--format", "json"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let drills: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let drill = &drills[0];
    assert_eq!(drills.as_array().map(Vec::len), Some(1), "{drills}");
    assert_eq!(drill["code"], "FRAG-1");
    assert_eq!(drill["kind"], "lot");
    assert_eq!(drill["batches"], 3);
    assert_eq!(drill["customers"], 34);
    assert!(
        drill["seconds"].as_f64().is_some_and(|s| s >= 0.0),
        "{drill}"
    );
    assert_eq!(drill["journal_head"], package["journal_head"]);
    let out = shop.cli(&["drills"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("lot FRAG-1: 3 batches, 34 shipment lines, 34 customers, answered in "),
        "{text}"
    );
    let (code, verified) = shop.verify();
    assert_eq!(code, 0, "{verified}");

    // the other fragrance lot reaches most of the customers (the trace then reads the
    // customer table in one pass): every one of them, each with their own contacts
    let out = shop.cli(&["trace", "forward", "FRAG-2", "--format", "json"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let trace: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let got: Vec<(String, String, String)> = trace["customers"]
        .as_array()
        .expect("customers")
        .iter()
        .map(|c| {
            let field = |k: &str| c[k].as_str().unwrap_or("").to_string();
            (field("code"), field("name"), field("email"))
        })
        .collect();
    let mut expected: Vec<(String, String, String)> = (1..=420)
        .filter(|c| *c > 34 || c % 5 == 0)
        .map(|c| {
            (
                format!("K{c:03}"),
                format!("Customer {c}"),
                format!("k{c}@mail.example"),
            )
        })
        .collect();
    expected.sort();
    assert_eq!(got.len(), 392);
    assert_eq!(got, expected, "codes in order, each with its contacts");
}

#[test]
fn a_real_recall_blocks_the_lot_and_holds_downstream_batches() {
    let shop = Shop::new();
    let mut bench = shop.bench();
    let lot = crate::support::receive(&mut bench, "BRAMBLE", "ITEM:LAV-EO", Some("BR-9"), "2kg");
    bench.ok("@MAKE");
    bench.ok("ITEM:BLEND");
    bench.ok(&lot);
    bench.ok("@QTY:1kg");
    bench.ok("@YIELD:1kg");
    bench.ok("@DONE");
    bench.ok("ITEM:SOAP");
    bench.ok("MFG-0001");
    bench.ok("@QTY:100g");
    bench.ok("@YIELD:10");
    bench.ok("@DONE");
    bench.ok("@PACK");
    bench.ok("ORD:1001");
    bench.ok("MFG-0002");
    bench.ok("@DONE");
    bench.finish();
    let journal_before = shop.query_i64("SELECT COUNT(*) FROM journal");
    let out_dir = shop.path("recall");
    let out = shop.cli(&[
        "recall",
        &lot,
        "--yes",
        "--hazard",
        "the oil may be rancid",
        "--remedy",
        "a full refund",
        "--out",
        out_dir.to_str().expect("utf8"),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains(&format!(
            "RECALL recorded of lot {lot}: 2 batches, 1 shipment line, 1 customer, 3 stock items to quarantine"
        )),
        "{text}"
    );
    assert_eq!(
        shop.query_strings("SELECT code || ' ' || status FROM status_changes ORDER BY id"),
        vec![
            format!("{lot} recalled"),
            "MFG-0001 hold".into(),
            "MFG-0002 hold".into()
        ]
    );
    assert_eq!(
        shop.query_i64("SELECT COUNT(*) FROM journal"),
        journal_before + 3
    );
    let head = shop
        .query_strings("SELECT hash FROM journal ORDER BY seq DESC LIMIT 1")
        .remove(0);
    let package: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out_dir.join("recall.json")).expect("json"))
            .expect("parse");
    assert_eq!(
        package["journal_head"],
        head.as_str(),
        "stamped with the head after the recall"
    );
    assert_eq!(package["mock"], false);
    for key in [
        "root",
        "batches",
        "shipments",
        "customers",
        "on_hand",
        "generated_at",
    ] {
        assert!(package.get(key).is_some(), "{key}");
    }
    assert_eq!(package["shipments"][0]["order_number"], "1001");
    assert_eq!(package["shipments"][0]["customer_code"], "C001");
    assert_eq!(package["shipments"][0]["batch_code"], "MFG-0002");
    assert_eq!(package["shipments"][0]["quantity"], 1);
    assert_eq!(package["customers"][0]["name"], "Jo Smith");
    // the report, read back by an independent tool
    if let Some(text) = pdftotext(&out_dir.join("recall.pdf")) {
        assert!(text.contains(&format!("RECALL: lot {lot}")), "{text}");
        assert!(
            text.contains("Jo Smith") && text.contains("jo@example.com"),
            "{text}"
        );
        assert!(text.contains("MFG-0002"), "{text}");
        assert!(text.contains(&head), "the journal head is printed: {text}");
    }
    // blocked everywhere: production refuses the lot, packing the batch
    let mut bench = shop.bench();
    bench.ok("ORD:1002");
    let line = bench.scan("MFG-0002");
    assert!(
        line.contains("batch MFG-0002 is on hold (downstream of recalled lot"),
        "{line}"
    );
    bench.ok("@CANCEL");
    bench.ok("@MAKE");
    bench.ok("ITEM:BLEND");
    let line = bench.scan(&lot);
    assert!(line.contains(&format!("lot {lot} is recalled")), "{line}");
    bench.finish();
    let stock = shop.cli(&["stock", "--format", "json", "--all"]);
    let rows: serde_json::Value = serde_json::from_slice(&stock.stdout).expect("json");
    let status = |code: &str| {
        rows.as_array()
            .and_then(|r| r.iter().find(|r| r["code"] == code))
            .map(|r| r["status"].as_str().unwrap_or("").to_string())
    };
    assert_eq!(status(&lot).as_deref(), Some("recalled"));
    assert_eq!(status("MFG-0002").as_deref(), Some("hold"));
    assert_eq!(shop.verify().0, 0);
}

/// Text of a PDF by poppler's pdftotext (installed by the test command).
pub fn pdftotext(path: &Path) -> Option<String> {
    match std::process::Command::new("pdftotext")
        .args(["-layout"])
        .arg(path)
        .arg("-")
        .output()
    {
        Ok(out) if out.status.success() => Some(String::from_utf8_lossy(&out.stdout).into_owned()),
        _ if std::env::var("LOTSTATION_ORACLES").as_deref() == Ok("1") => {
            panic!("pdftotext (poppler-utils) is needed")
        }
        _ => None,
    }
}

#[test]
fn ambiguous_supplier_lot_numbers_list_the_candidates() {
    let shop = Shop::new();
    let mut bench = shop.bench();
    crate::support::receive(&mut bench, "BRAMBLE", "ITEM:LAV-EO", Some("X-1"), "1kg");
    crate::support::receive(&mut bench, "COASTAL", "ITEM:OLIVE", Some("X-1"), "1kg");
    bench.finish();
    let out = shop.cli(&["trace", "forward", "X-1"]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("supplier lot number X-1 names lots of several suppliers"),
        "{err}"
    );
    assert!(
        err.contains("(supplier BRAMBLE") && err.contains("(supplier COASTAL"),
        "{err}"
    );
    let out = shop.cli(&[
        "trace",
        "forward",
        "X-1",
        "--supplier",
        "coastal",
        "--format",
        "json",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let trace: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert!(
        trace["root"]["code"]
            .as_str()
            .unwrap_or("")
            .starts_with("OLV-")
    );
    let journal = shop.query_i64("SELECT COUNT(*) FROM journal");
    let out = shop.cli(&["recall", "X-1"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        shop.query_i64("SELECT COUNT(*) FROM journal"),
        journal,
        "an ambiguous recall changes nothing"
    );
}

/// One supplier lot in two deliveries (two internal lots): the supplier's recall names
/// their lot, so ours covers both lots' customers in one package; holds take the number
/// too; at the making bench the number alone is refused (which jar is it?) and nothing is
/// recorded; the second receipt is warned about.
#[test]
fn a_supplier_lot_received_twice_is_recalled_as_one() {
    let shop = Shop::new();
    let mut bench = shop.bench();
    let first =
        crate::support::receive(&mut bench, "BRAMBLE", "ITEM:LAV-EO", Some("SL-446"), "1kg");
    bench.ok("@RECEIVE");
    bench.ok("SUP:BRAMBLE");
    bench.ok("INV-2");
    bench.ok("ITEM:LAV-EO");
    bench.ok("SL-446");
    bench.ok("@QTY:1kg");
    let line = bench.ok("@DONE");
    assert!(
        line.contains(&format!(
            "(note: supplier lot SL-446 of LAV-EO was received before as {first}"
        )),
        "{line}"
    );
    let second = crate::support::code_after(&line, "lot ");
    bench.ok("@DONE");

    // the making bench will not guess which of the two jars it is
    bench.ok("@MAKE");
    bench.ok("ITEM:BLEND");
    let before = shop.counts();
    let refused = bench.scan("SL-446");
    assert!(
        refused.starts_with("error: supplier lot SL-446 was received as 2 lots")
            && refused.contains(&format!("{first} of LAV-EO"))
            && refused.contains(&format!("{second} of LAV-EO"))
            && refused.contains("scan the lot label we printed"),
        "{refused}"
    );
    // nor the supplier's GS1 label on the jar, whose (10) is their lot number
    let refused_gs1 = bench.scan("]C1010950110153000310SL-446");
    assert!(
        refused_gs1.starts_with("error: supplier lot SL-446 was received as 2 lots"),
        "{refused_gs1}"
    );
    let after = shop.counts();
    assert_eq!(before.get("consumptions"), after.get("consumptions"));
    assert_eq!(before.get("batches"), after.get("batches"));
    // each lot goes into a batch shipped to its own customer
    bench.ok(&first);
    bench.ok("@QTY:500g");
    bench.ok("@YIELD:500g");
    bench.ok("@DONE");
    bench.ok("ITEM:BLEND");
    bench.ok(&second);
    bench.ok("@QTY:500g");
    bench.ok("@YIELD:500g");
    bench.ok("@DONE");
    bench.ok("@PACK");
    bench.ok("ORD:5001");
    bench.ok("CUS:C001");
    // the blend is kept in grams: each label scanned is a pack, weighed or given
    bench.ok("MFG-0001");
    bench.ok("@QTY:1g");
    bench.ok("@DONE");
    bench.ok("ORD:5002");
    bench.ok("CUS:C002");
    bench.ok("MFG-0002");
    bench.ok("@QTY:1g");
    bench.ok("@DONE");
    bench.finish();

    let out = shop.cli(&["trace", "forward", "SL-446", "--format", "json"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let trace: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(trace["root"]["kind"], "supplier lot");
    assert_eq!(trace["root"]["supplier"], "BRAMBLE");
    assert_eq!(trace["root"]["lots"], serde_json::json!([first, second]));
    let customers: Vec<&str> = trace["customers"]
        .as_array()
        .expect("customers")
        .iter()
        .filter_map(|c| c["code"].as_str())
        .collect();
    assert_eq!(customers.len(), 2, "{customers:?}");

    // the recall: both lots recalled, both batches held, both customers in the package
    let dir = shop.path("recall-SL-446");
    let out = shop.cli(&[
        "recall",
        "SL-446",
        "--supplier",
        "bramble",
        "--yes",
        "--hazard",
        "the oil may be rancid",
        "--remedy",
        "a full refund",
        "--out",
        dir.to_str().expect("utf-8"),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let csv = std::fs::read_to_string(dir.join("customers.csv")).expect("customers.csv");
    assert_eq!(csv.lines().count(), 3, "{csv}");
    for lot in [&first, &second] {
        assert_eq!(
            shop.query_strings(&format!(
                "SELECT status FROM status_changes WHERE code = '{lot}' ORDER BY id DESC LIMIT 1"
            )),
            ["recalled"]
        );
    }
    assert_eq!(
        shop.query_i64("SELECT COUNT(*) FROM status_changes WHERE status = 'hold' AND code IN ('MFG-0001', 'MFG-0002')"),
        2
    );

    // release and hold by the supplier's number, as the supplier's letter names it
    let out = shop.cli(&["release", "SL-446", "--reason", "supplier cleared it"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        String::from_utf8_lossy(&out.stdout).starts_with(&format!(
            "SL-446 (lots {first}, {second}) is released (supplier cleared it)"
        )),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let (code, out) = shop.verify();
    assert_eq!(code, 0, "{out}");
}

/// A supplier lot number that names one lot works wherever our lot code does.
#[test]
fn a_unique_supplier_lot_number_stands_for_its_lot() {
    let shop = Shop::new();
    let mut bench = shop.bench();
    let lot = crate::support::receive(&mut bench, "BRAMBLE", "ITEM:LAV-EO", Some("SL-77"), "1kg");
    bench.ok("@MAKE");
    bench.ok("ITEM:BLEND");
    let line = bench.ok("SL-77");
    assert!(line.contains(&lot), "{line}");
    bench.ok("@QTY:100g");
    bench.finish();
    assert_eq!(
        shop.query_strings("SELECT input_code FROM consumptions"),
        [lot.as_str()]
    );
    let out = shop.cli(&["hold", "SL-77", "--reason", "supplier letter"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        String::from_utf8_lossy(&out.stdout).starts_with(&format!("SL-77 (lot {lot}) is on hold")),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let out = shop.cli(&["hold", "SL-NOPE", "--reason", "x"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains(
            "no lot or batch has the code SL-NOPE, and no lot the supplier lot number SL-NOPE"
        ),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn backward_trace_from_an_order_reaches_suppliers() {
    let shop = Shop::new();
    let mut bench = shop.bench();
    let lot = crate::support::receive(&mut bench, "BRAMBLE", "ITEM:LAV-EO", Some("BR-1"), "2kg");
    let oil = crate::support::receive(&mut bench, "COASTAL", "ITEM:OLIVE", Some("CO-1"), "20kg");
    bench.ok("@MAKE");
    bench.ok("ITEM:BLEND");
    bench.ok(&lot);
    bench.ok("@QTY:1kg");
    bench.ok("@YIELD:1kg");
    bench.ok("@DONE");
    bench.ok("ITEM:SOAP");
    bench.ok("MFG-0001");
    bench.ok("@QTY:100g");
    bench.ok(&oil);
    bench.ok("@QTY:3kg");
    bench.ok("@YIELD:10");
    bench.ok("@DONE");
    bench.ok("@PACK");
    bench.ok("ORD:1002");
    bench.ok("MFG-0002");
    bench.ok("@DONE");
    bench.finish();
    let out = shop.cli(&["trace", "backward", "1002", "--format", "json"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let trace: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(trace["root"]["kind"], "order");
    assert_eq!(trace["batches"][0]["code"], "MFG-0002");
    assert_eq!(trace["batches"][0]["depth"], 1);
    assert_eq!(trace["batches"][1]["code"], "MFG-0001");
    assert_eq!(trace["batches"][1]["depth"], 2);
    let lots = trace["lots"].as_array().expect("lots");
    assert_eq!(lots.len(), 2);
    let lav = lots
        .iter()
        .find(|l| l["code"] == lot.as_str())
        .expect("lavender lot");
    assert_eq!(lav["supplier_lot"], "BR-1");
    assert_eq!(lav["invoice"], "INV-1");
    assert_eq!(lav["quantity_consumed"], 1000);
    assert_eq!(lav["unit"], "g");
    let olive = lots
        .iter()
        .find(|l| l["code"] == oil.as_str())
        .expect("olive lot");
    assert_eq!(olive["quantity_consumed"], 3);
    assert_eq!(olive["unit"], "kg");
    // which lots each batch took, and the share that reached this order: one bar of ten,
    // so a tenth of the soap's 3 kg of oil and 100 g of blend, and a hundredth of the blend
    let soap = &trace["batches"][0];
    assert_eq!(soap["yield_quantity"], 10);
    assert_eq!(soap["reached"], 1);
    assert_eq!(soap["share"], 0.1);
    let took: Vec<(&str, &str)> = soap["inputs"]
        .as_array()
        .expect("inputs")
        .iter()
        .map(|i| {
            (
                i["code"].as_str().unwrap_or(""),
                i["kind"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(took, [("MFG-0001", "batch"), (oil.as_str(), "lot")]);
    assert_eq!(soap["inputs"][0]["quantity"], 100);
    assert_eq!(trace["batches"][1]["share"], 0.01);
    assert_eq!(trace["batches"][1]["reached"], 10);
    assert_eq!(olive["reached"], 0.3);
    assert_eq!(lav["reached"], 10);
    let text =
        String::from_utf8_lossy(&shop.cli(&["trace", "backward", "1002"]).stdout).into_owned();
    assert!(
        text.contains("1 each (10% of the batch) reached it"),
        "{text}"
    );
    assert!(text.contains(&format!("took {oil} 3 kg (lot)")), "{text}");
    // a worked-out share as a person writes it: 300 g, not 0.3 kg
    assert!(
        text.contains("; 300 g of it in what this received"),
        "{text}"
    );
    let suppliers: Vec<&str> = trace["suppliers"]
        .as_array()
        .expect("s")
        .iter()
        .map(|s| s["code"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(suppliers, ["BRAMBLE", "COASTAL"]);
    assert_eq!(trace["suppliers"][0]["contact"], "Ann Bramble");
    let csv = shop.cli(&["trace", "backward", "MFG-0002", "--format", "csv"]);
    let text = String::from_utf8_lossy(&csv.stdout);
    assert!(text.starts_with("lot_code,item_sku,supplier_code,supplier_name,supplier_lot,invoice,received_at,quantity_consumed,unit"));
    assert!(
        text.contains(&format!("{lot},LAV-EO,BRAMBLE,Bramble Oils,BR-1,INV-1,")),
        "{text}"
    );
}

#[test]
fn history_import_is_all_or_nothing_with_located_errors() {
    let shop = Shop::new();
    let dir = shop.path("hist");
    std::fs::create_dir(&dir).expect("mkdir");
    let receipts = "lot_code,item_sku,supplier_code,supplier_lot,invoice,quantity,unit,received_at,expiry\nH-1,LAV-EO,BRAMBLE,S1,I1,100,g,2025-01-01,2026-01-01\n";
    let check = |files: &[(&str, &str)], expected: &str| {
        for name in [
            "receipts.csv",
            "batches.csv",
            "consumptions.csv",
            "shipments.csv",
            "wastes.csv",
            "holds.csv",
        ] {
            let _ = std::fs::remove_file(dir.join(name));
        }
        for (name, content) in files {
            std::fs::write(dir.join(name), content).expect("write");
        }
        let before = shop.query_i64("SELECT COUNT(*) FROM journal");
        let lots = shop.query_i64("SELECT COUNT(*) FROM lots");
        let out = shop.cli(&["import", "history", dir.to_str().expect("utf8")]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{err}");
        assert!(err.contains(expected), "expected {expected:?} in {err}");
        assert_eq!(
            shop.query_i64("SELECT COUNT(*) FROM journal"),
            before,
            "nothing imported"
        );
        assert_eq!(shop.query_i64("SELECT COUNT(*) FROM lots"), lots);
    };
    check(
        &[("receipts.csv", &receipts.replace("LAV-EO", "NOPE"))],
        "receipts.csv line 2, column item_sku: unknown item NOPE",
    );
    check(
        &[("receipts.csv", &receipts.replace("BRAMBLE", "NOBODY"))],
        "column supplier_code: unknown supplier NOBODY",
    );
    check(
        &[("receipts.csv", &receipts.replace(",g,", ",ml,"))],
        "column unit: ml cannot be converted to g",
    );
    check(
        &[(
            "receipts.csv",
            &receipts.replace("2025-01-01,", "yesterday,"),
        )],
        "column received_at: \"yesterday\" is not an ISO 8601 date",
    );
    let batches = "batch_code,product_sku,produced_at,yield,expiry\nHB-1,BLEND,2025-02-01,1000,\nHB-2,BLEND,2025-02-02,1000,\n";
    check(
        &[
            ("receipts.csv", receipts),
            ("batches.csv", &batches.replace("HB-2,BLEND", "HB-2,LAV-EO")),
        ],
        "batches.csv line 3, column product_sku: LAV-EO is a material",
    );
    let loop_ =
        "batch_code,input_code,quantity,unit\nHB-1,H-1,10,g\nHB-2,HB-1,10,g\nHB-1,HB-2,5,g\n";
    check(
        &[
            ("receipts.csv", receipts),
            ("batches.csv", batches),
            ("consumptions.csv", loop_),
        ],
        "consumptions.csv line 3, column input_code: this consumption closes a loop",
    );
    check(
        &[
            ("receipts.csv", receipts),
            ("batches.csv", batches),
            (
                "consumptions.csv",
                "batch_code,input_code,quantity,unit\nHB-1,GHOST,1,g\n",
            ),
        ],
        "consumptions.csv line 2, column input_code: unknown lot or batch GHOST",
    );
    check(
        &[
            ("receipts.csv", receipts),
            ("batches.csv", batches),
            (
                "shipments.csv",
                "order_number,customer_code,shipped_at,batch_code,quantity\n1,C001,2025-03-01,H-1,1\n",
            ),
        ],
        "shipments.csv line 2, column batch_code: unknown batch H-1",
    );
    check(
        &[
            ("receipts.csv", receipts),
            ("batches.csv", batches),
            (
                "shipments.csv",
                "order_number,customer_code,shipped_at,batch_code,quantity\n1,NOBODY,2025-03-01,HB-1,1\n",
            ),
        ],
        "column customer_code: unknown customer NOBODY",
    );
    check(
        &[
            ("receipts.csv", receipts),
            (
                "wastes.csv",
                "code,quantity,unit,reason,wasted_at\nH-1,5,ml,spilled,2025-01-05\n",
            ),
        ],
        "wastes.csv line 2, column unit: ml cannot be converted to g",
    );
    check(
        &[
            ("receipts.csv", receipts),
            (
                "holds.csv",
                "code,status,reason,at\nH-1,hold,no COA,2025-01-02\nH-1,lost,?,2025-01-03\n",
            ),
        ],
        "holds.csv line 3, column status: \"lost\" must be hold, quarantine, recalled or available",
    );
    check(
        &[(
            "holds.csv",
            "code,status,reason,at\nGHOST,hold,no COA,2025-01-02\n",
        )],
        "holds.csv line 2, column code: unknown lot or batch GHOST",
    );
    check(&[], "holds none of receipts.csv");
    // and a good one goes in, journaled as imported, then its codes are taken
    std::fs::write(dir.join("receipts.csv"), receipts).expect("write");
    let out = shop.cli(&["import", "history", dir.to_str().expect("utf8")]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        shop.query_i64(
            "SELECT json_extract(body, '$.imported.line') FROM journal WHERE kind = 'lot_received'"
        ),
        2
    );
    check(
        &[("receipts.csv", receipts)],
        "column lot_code: code H-1 is already in use",
    );
    // past waste and holds on an imported lot land in the journal and in stock
    std::fs::remove_file(dir.join("receipts.csv")).expect("rm");
    std::fs::write(
        dir.join("wastes.csv"),
        "code,quantity,unit,reason,wasted_at\nH-1,0.01,kg,spilled,2025-01-05\n",
    )
    .expect("write");
    std::fs::write(
        dir.join("holds.csv"),
        "code,status,reason,at\nH-1,hold,no COA,2025-01-02\nH-1,Quarantine,mould seen,2025-01-06\n",
    )
    .expect("write");
    let out = shop.cli(&["import", "history", dir.to_str().expect("utf8")]);
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(said.contains("1 write-off, 2 status changes"), "{said}");
    assert_eq!(
        shop.query_i64("SELECT SUM(quantity) FROM wastes WHERE code = 'H-1'"),
        10_000,
        "0.01 kg is 10 000 mg"
    );
    assert_eq!(
        shop.query_i64(
            "SELECT json_extract(body, '$.imported.line') FROM journal WHERE kind = 'status_change' ORDER BY seq DESC LIMIT 1"
        ),
        3
    );
    let stock = shop.cli(&["stock", "--format", "json", "--all"]);
    let rows: serde_json::Value = serde_json::from_slice(&stock.stdout).expect("json");
    let h1 = rows
        .as_array()
        .and_then(|r| r.iter().find(|r| r["code"] == "H-1"))
        .cloned()
        .expect("H-1 in stock");
    assert_eq!(h1["status"], "quarantine");
    assert_eq!(shop.verify().0, 0);
}

#[test]
fn stock_shows_status_expiry_and_days_of_cover() {
    let shop = Shop::new();
    let dir = shop.path("hist");
    std::fs::create_dir(&dir).expect("mkdir");
    let today = crate::support::today();
    let days_ago = |n: i64| today.checked_sub(jiff::Span::new().days(n)).expect("date");
    std::fs::write(
        dir.join("receipts.csv"),
        format!(
            "lot_code,item_sku,supplier_code,supplier_lot,invoice,quantity,unit,received_at,expiry\n\
             OL-1,OLIVE,COASTAL,C1,I1,30,kg,{},\n\
             OL-2,OLIVE,COASTAL,C2,I2,10,kg,{},{}\n\
             LV-1,LAV-EO,BRAMBLE,B1,I3,100,g,{},\n",
            days_ago(100),
            days_ago(100),
            days_ago(1),
            days_ago(100)
        ),
    )
    .expect("write");
    std::fs::write(
        dir.join("batches.csv"),
        format!(
            "batch_code,product_sku,produced_at,yield,expiry\nSB-1,SOAP,{},10,\n",
            days_ago(30)
        ),
    )
    .expect("w");
    // 9 kg of olive oil used, first 30 days ago: averaged over the 31 days it has been in
    // use (not 90: the shop's records start there), 0.29 kg a day; 21 kg left on hand
    std::fs::write(
        dir.join("consumptions.csv"),
        "batch_code,input_code,quantity,unit\nSB-1,OL-1,9,kg\nSB-1,LV-1,100,g\n",
    )
    .expect("w");
    let out = shop.cli(&["import", "history", dir.to_str().expect("utf8")]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = shop.cli(&["stock", "--format", "json", "--all"]);
    let rows: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let row = |code: &str| {
        rows.as_array()
            .and_then(|r| r.iter().find(|r| r["code"] == code))
            .cloned()
            .expect(code)
    };
    assert_eq!(row("OL-1")["status"], "available");
    assert_eq!(row("OL-1")["quantity"], 21);
    assert_eq!(row("OL-1")["unit"], "kg");
    assert_eq!(row("OL-1")["days_of_cover"], 72);
    assert_eq!(row("OL-1")["supplier_lot"], "C1");
    assert_eq!(row("OL-2")["status"], "expired");
    assert_eq!(row("LV-1")["status"], "depleted");
    assert_eq!(row("SB-1")["kind"], "batch");
    assert_eq!(row("SB-1")["quantity"], 10);
    let out = shop.cli(&["stock", "--format", "json"]);
    let rows: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert!(
        rows.as_array()
            .expect("rows")
            .iter()
            .all(|r| r["code"] != "LV-1"),
        "used-up lots hidden by default"
    );
    let out = shop.cli(&["stock", "--item", "OLIVE", "--format", "csv"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(text.lines().count(), 3, "{text}");
    assert!(
        text.lines()
            .nth(1)
            .unwrap_or("")
            .starts_with("OL-1,lot,OLIVE,available,21,kg,,COASTAL,C1,72"),
        "{text}"
    );
}

/// Names in Polish, Czech, Greek and Cyrillic come back exactly, through poppler's
/// `pdftotext`, from the recall report and from a shipment's PDF label (the fonts are
/// embedded, with their ToUnicode maps); the recall report's pages are numbered, and its
/// tables keep their columns apart.
#[test]
fn names_in_every_script_print_exactly() {
    let shop = Shop::new();
    shop.import_csv(
        "customers",
        "code,name,email,phone,address\n\
         C001,Łukasz Dvořák,lukasz@example.pl,555-0001,\"ul. Żółta 5, Łódź\"\n\
         C002,Νίκος Παπαδόπουλος,nikos@example.gr,555-0002,\"Ирина Петрова, ул. Ленина 1, Москва\"\n",
    );
    shop.soap_day();
    let out_dir = shop.path("recall");
    shop.cli_ok(&[
        "recall",
        "OLV-2611-001",
        "--mock",
        "--out",
        out_dir.to_str().expect("utf8"),
    ]);
    let Some(text) = pdftotext(&out_dir.join("recall.pdf")) else {
        return;
    };
    for name in [
        "Łukasz Dvořák",
        "ul. Żółta 5, Łódź",
        "Νίκος Παπαδόπουλος",
        "Ирина Петрова",
    ] {
        assert!(text.contains(name), "{name} not in\n{text}");
    }
    assert!(text.contains("page 1 of "), "{text}");
    // a shipment line's local time and its shipment code stay apart
    let line = text
        .lines()
        .find(|l| l.contains("SHP-00001"))
        .expect("the shipment's row");
    let between = line
        .split_once("UTC")
        .and_then(|(_, rest)| rest.split_once("SHP-00001"))
        .map(|(gap, _)| gap.to_string())
        .expect("time, then shipment");
    assert!(between.len() >= 2 && between.trim().is_empty(), "{line}");

    let label = shop.path("shipment.pdf");
    shop.cli_ok(&[
        "label",
        "render",
        "shipment",
        "SHP-00001",
        "--format",
        "pdf",
        "-o",
        label.to_str().expect("utf8"),
    ]);
    let text = pdftotext(&label).expect("pdftotext");
    assert!(text.contains("Łukasz Dvořák"), "{text}");
    assert!(text.contains("ul. Żółta 5, Łódź"), "{text}");
    assert!(text.contains("2 units"), "{text}");
}

/// A real recall asks first: without a terminal and without `--yes` it says what it would do
/// and changes nothing. A supplier lot number the supplier used for two items is narrowed to
/// one with `--item`; after the recall the station says what it did.
#[test]
fn a_real_recall_asks_first_and_item_narrows_a_shared_supplier_lot() {
    let shop = Shop::new();
    let mut bench = shop.bench();
    bench.script(
        "@RECEIVE | SUP:BRAMBLE | INV-12 | ITEM:LAV-EO | SL-SHARED | @QTY:500g | @DONE
         | ITEM:LYE | SL-SHARED | @QTY:1kg | @DONE | @DONE",
    );
    drop(bench);
    let statuses = || {
        shop.query_strings(
            "SELECT l.item_sku || ' ' || COALESCE((SELECT s.status FROM status_changes s WHERE s.code = l.code ORDER BY s.id DESC LIMIT 1), 'available') FROM lots l ORDER BY l.item_sku",
        )
    };
    let journal = shop.query_i64("SELECT COUNT(*) FROM journal");
    // a real recall's notice needs its words
    let out = shop.cli(&["recall", "SL-SHARED", "--yes"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains(
            "a real recall's notice to consumers needs the hazard (--hazard \"what the danger is\") and the remedy"
        ),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = shop.cli(&[
        "recall",
        "SL-SHARED",
        "--supplier",
        "BRAMBLE",
        "--hazard",
        "x",
        "--remedy",
        "y",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(
        said.contains("A real recall of supplier lot SL-SHARED marks 2 lots or batches recalled")
            && said.contains("nothing changed: run it again with --yes"),
        "{said}"
    );
    assert_eq!(shop.query_i64("SELECT COUNT(*) FROM journal"), journal);
    assert_eq!(statuses(), ["LAV-EO available", "LYE available"]);
    let out = shop.cli(&["recall", "SL-SHARED", "--item", "BOX", "--mock"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains("supplier lot SL-SHARED has no lot of BOX; its lots are of LAV-EO, LYE"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // the drill's report names the roles right: the supplier's number, then our lots and
    // each item
    let drill = shop.path("shared-drill");
    shop.cli_ok(&[
        "recall",
        "SL-SHARED",
        "--mock",
        "--out",
        drill.to_str().expect("utf8"),
    ]);
    if let Some(text) = pdftotext(&drill.join("recall.pdf")) {
        let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(
            text.contains(
                "MOCK RECALL (drill, nothing changed): supplier lot SL-SHARED: our lots LAV-"
            ) && text.contains("LAV-EO Lavender essential oil; LYE Sodium hydroxide"),
            "{text}"
        );
    }
    let dir = shop.path("lye-recall");
    let out = shop.cli_ok(&[
        "recall",
        "SL-SHARED",
        "--item",
        "LYE",
        "--yes",
        "--hazard",
        "the wrong concentration: burns",
        "--remedy",
        "a replacement",
        "--out",
        dir.to_str().expect("utf8"),
    ]);
    assert!(
        out.contains("RECALL recorded of lot NAOH-")
            && out.contains("recalled: NAOH-")
            && out.contains("on hold: 0 batches; customers to contact: 0"),
        "{out}"
    );
    assert_eq!(statuses(), ["LAV-EO available", "LYE recalled"]);
    // the notice to consumers, in the template's sections, and the gateway's fields
    let notice = std::fs::read_to_string(dir.join("notice.txt")).expect("notice.txt");
    let mut at = 0;
    for section in [
        "PRODUCT SAFETY RECALL",
        "PRODUCT\nLYE Sodium hydroxide\nRecalled: lot NAOH-",
        "PICTURE OF THE PRODUCT",
        "THE HAZARD\nthe wrong concentration: burns",
        "WHAT YOU SHOULD DO\nStop using the product at once",
        "WHAT WE OFFER\na replacement",
        "CONTACT\n",
        "0 customers to contact directly are in customers.csv.",
    ] {
        let found = notice[at..]
            .find(section)
            .unwrap_or_else(|| panic!("{section:?} in order in {notice}"));
        at += found;
    }
    if let Some(text) = pdftotext(&dir.join("notice.pdf")) {
        for said in [
            "PRODUCT SAFETY RECALL",
            "The hazard",
            "the wrong concentration: burns",
            "What we offer",
        ] {
            assert!(text.contains(said), "{said} in {text}");
        }
    }
    // in the shop's language, with its own words: a drill's notice in German
    let config = shop.path("de.toml");
    std::fs::write(
        &config,
        "[recall]\nlanguage = \"de\"\ncontact = \"Telefon 030 1234567, rueckruf@example.de\"\n[[bench]]\nname = \"b\"\n",
    )
    .expect("config");
    let drill = shop.path("de-drill");
    shop.cli_ok(&[
        "--config",
        config.to_str().expect("utf8"),
        "recall",
        "SL-SHARED",
        "--item",
        "LAV-EO",
        "--mock",
        "--out",
        drill.to_str().expect("utf8"),
    ]);
    let notice = std::fs::read_to_string(drill.join("notice.txt")).expect("notice.txt");
    for said in [
        "PRODUKTRÜCKRUF (ÜBUNG: NICHT VERSANDT)",
        "DIE GEFAHR\n[to be stated by the business: the hazard]",
        "WAS SIE TUN SOLLTEN\nVerwenden Sie das Produkt nicht mehr",
        "KONTAKT\n",
        "Telefon 030 1234567, rueckruf@example.de",
    ] {
        assert!(notice.contains(said), "{said} in {notice}");
    }
    let gateway: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.join("gateway.json")).expect("gateway.json"),
    )
    .expect("json");
    assert_eq!(gateway["hazard"], "the wrong concentration: burns");
    assert_eq!(gateway["measures"]["remedy"], "a replacement");
    assert_eq!(gateway["drill"], false);
}
