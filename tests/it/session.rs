//! A full stdin session through all three workflows: receiving, production with a
//! sub-assembly, packing; then the records, the feedback and `journal verify`.

use crate::support::Shop;

#[test]
fn a_day_at_the_bench_through_stdin() {
    let shop = Shop::new();
    let today = crate::support::today();
    let yymm = crate::support::yymm();
    let gs1_lavender = "]C1010950110153000317271231310300150010SL-LAV-1";
    let scans = [
        "OP:rosa",
        "@RECEIVE",
        "SUP:bramble",
        "INV-2026-77",
        gs1_lavender,
        "@DONE",
        "@DONE",
        "SUP:COASTAL",
        "INV:C-9",
        "ITEM:OLIVE",
        "SL-OL-5",
        "@QTY:20",
        "@DONE",
        "ITEM:LYE",
        "SL-NA-1",
        "@QTY:2.5kg",
        "@DONE",
        "@DONE",
        "OP:sam",
        "@MAKE",
        "ITEM:BLEND",
        "(01)09501101530003(10)SL-LAV-1",
        "@QTY:1000",
        "@YIELD:1kg",
        "@DONE",
        "ITEM:SOAP",
        &format!("OLV-{yymm}-001"),
        "@QTY:3kg",
        &format!("NAOH-{yymm}-001"),
        "@QTY:400g",
        "MFG-0001",
        "@QTY:100g",
        "@YIELD:12",
        "@DONE",
        "@PACK",
        "ORD:1001",
        "MFG-0002",
        "MFG-0002",
        "@DONE",
        "ORD:1002",
        "MFG-0002",
        "@DONE",
    ];
    let feedback = shop.session(&scans);
    assert_eq!(
        feedback.len(),
        scans.len(),
        "one feedback line per scan: {feedback:#?}"
    );
    for (scan, line) in scans.iter().zip(&feedback) {
        assert!(line.starts_with("ok: "), "{scan:?} -> {line}");
        assert!(
            line.contains(" | next: "),
            "every line says what comes next: {line}"
        );
    }
    let lav = format!("LAV-{yymm}-001");
    assert_eq!(
        feedback[5],
        format!(
            "ok: lot {lav} created: 1500 g LAV-EO, supplier lot SL-LAV-1, expires 2027-12-31 | next: scan the next item (ITEM:... or its barcode), or @DONE to close the receipt"
        )
    );
    assert!(
        feedback[21].contains(&format!("lot {lav}: Lavender essential oil")),
        "{}",
        feedback[21]
    );
    assert!(
        feedback[33].contains("batch MFG-0002 closed: 12 each SOAP from 3 ingredient lines"),
        "{}",
        feedback[33]
    );
    assert!(
        feedback[33].contains("printing 12 labels"),
        "{}",
        feedback[33]
    );
    assert!(
        feedback[38].contains("shipment SHP-00001 recorded: order 1001 to C001, 2 units"),
        "{}",
        feedback[38]
    );

    // the records
    assert_eq!(
        shop.query_strings("SELECT code || ' ' || item_sku || ' ' || supplier_lot || ' ' || quantity || ' ' || COALESCE(expiry, '-') FROM lots ORDER BY code"),
        vec![
            format!("{lav} LAV-EO SL-LAV-1 1500000 2027-12-31"),
            format!("NAOH-{yymm}-001 LYE SL-NA-1 2500000 -"),
            format!("OLV-{yymm}-001 OLIVE SL-OL-5 20000000 {}", today.checked_add(jiff::Span::new().days(365)).unwrap()),
        ]
    );
    assert_eq!(
        shop.query_strings("SELECT batch_code || ' <- ' || input_code || ' ' || quantity FROM consumptions ORDER BY id"),
        vec![
            format!("MFG-0001 <- {lav} 1000000"),
            format!("MFG-0002 <- OLV-{yymm}-001 3000000"),
            format!("MFG-0002 <- NAOH-{yymm}-001 400000"),
            "MFG-0002 <- MFG-0001 100000".to_string(),
        ]
    );
    assert_eq!(
        shop.query_strings(
            "SELECT batch_code || ' ' || yield_quantity FROM batch_closures ORDER BY batch_code"
        ),
        vec!["MFG-0001 1000000", "MFG-0002 12"]
    );
    assert_eq!(
        shop.query_strings(
            "SELECT s.code || ' ' || s.order_number || ' ' || s.customer_code || ' ' || l.batch_code || ' x' || l.quantity
             FROM shipments s JOIN shipment_lines l ON l.shipment_code = s.code ORDER BY s.code"
        ),
        vec!["SHP-00001 1001 C001 MFG-0002 x2", "SHP-00002 1002 C002 MFG-0002 x1"]
    );
    assert_eq!(
        shop.query_strings(
            "SELECT label || ' ' || code || ' x' || copies FROM print_jobs ORDER BY id"
        ),
        vec![
            format!("lot {lav} x1"),
            format!("lot OLV-{yymm}-001 x1"),
            format!("lot NAOH-{yymm}-001 x1"),
            "batch MFG-0001 x1".to_string(),
            "batch MFG-0002 x12".to_string(),
            "shipment SHP-00001 x1".to_string(),
            "shipment SHP-00002 x1".to_string(),
        ]
    );
    // every scan is journaled with its raw text, bench, device and operator
    let raws = shop.query_strings(
        "SELECT json_extract(body, '$.raw') FROM journal WHERE kind = 'scan' ORDER BY seq",
    );
    assert_eq!(
        raws,
        scans.iter().map(|s| s.to_string()).collect::<Vec<_>>()
    );
    assert_eq!(
        shop.query_strings(
            "SELECT DISTINCT COALESCE(operator, '-') FROM journal WHERE kind = 'consumption'"
        ),
        vec!["sam"]
    );
    assert_eq!(
        shop.query_i64("SELECT COUNT(*) FROM journal WHERE kind = 'scan' AND bench = 'bench-1' AND device = 'stdin'"),
        scans.len() as i64
    );
    let (code, out) = shop.verify();
    assert_eq!(code, 0, "{out}");
    assert!(out.starts_with("journal ok: "), "{out}");
}

#[test]
fn a_restarted_bench_carries_on_with_its_open_batch() {
    let shop = Shop::new();
    let mut bench = shop.bench();
    bench.ok("@MAKE");
    let line = bench.ok("ITEM:BLEND");
    assert!(line.contains("batch MFG-0001 opened"), "{line}");
    bench.finish();
    let mut bench = shop.bench();
    let line = bench.scan("@YIELD:1kg");
    assert!(line.starts_with("ok: yield of MFG-0001"), "{line}");
    let line = bench.ok("@DONE");
    assert!(line.contains("batch MFG-0001 closed"), "{line}");
    bench.finish();
}

#[test]
fn cancelled_batch_codes_are_never_reused() {
    let shop = Shop::new();
    let mut bench = shop.bench();
    bench.ok("@MAKE");
    bench.ok("ITEM:BLEND");
    let line = bench.ok("@CANCEL");
    assert!(
        line.contains("batch MFG-0001 dropped; nothing recorded"),
        "{line}"
    );
    let line = bench.ok("ITEM:BLEND");
    assert!(line.contains("batch MFG-0002 opened"), "{line}");
    bench.finish();
    assert_eq!(shop.query_i64("SELECT COUNT(*) FROM batches"), 0);
}

#[test]
fn undo_reverses_a_consumption_by_a_correction() {
    let shop = Shop::new();
    let mut bench = shop.bench();
    let lot = crate::support::receive(&mut bench, "BRAMBLE", "ITEM:LAV-EO", Some("SL-1"), "500g");
    bench.ok("@MAKE");
    bench.ok("ITEM:BLEND");
    bench.ok(&lot);
    bench.ok("@QTY:200g");
    let line = bench.ok("@UNDO");
    assert!(
        line.contains(&format!(
            "undone: 200 g of {lot} no longer counts in MFG-0001"
        )),
        "{line}"
    );
    bench.ok(&lot);
    let line = bench.ok("@QTY:500g");
    assert!(
        line.contains("500 g of lot"),
        "the undone 200 g is back on the lot: {line}"
    );
    bench.ok("@YIELD:500g");
    bench.ok("@DONE");
    bench.finish();
    assert_eq!(
        shop.query_i64("SELECT COUNT(*) FROM consumptions"),
        2,
        "the undone line stays in the records"
    );
    assert_eq!(
        shop.query_strings(
            "SELECT target_kind || ' ' || target_code || ' ' || target_line FROM corrections"
        ),
        vec!["consumption MFG-0001 1"]
    );
    assert_eq!(shop.verify().0, 0);
}

#[test]
fn hold_and_release_by_scan_and_by_command() {
    let shop = Shop::new();
    let mut bench = shop.bench();
    let lot = crate::support::receive(&mut bench, "BRAMBLE", "ITEM:LAV-EO", Some("SL-1"), "500g");
    bench.ok("@HOLD");
    bench.ok(&lot);
    let line = bench.ok("NOTE:smells off");
    assert!(
        line.contains(&format!("{lot} put on hold (smells off)")),
        "{line}"
    );
    bench.ok("@MAKE");
    bench.ok("ITEM:BLEND");
    let line = bench.scan(&lot);
    assert!(
        line.starts_with(&format!("error: lot {lot} is on hold (smells off)")),
        "{line}"
    );
    bench.ok("@CANCEL");
    bench.finish();
    let out = shop.cli(&["release", &lot, "--reason", "certificate arrived"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut bench = shop.bench();
    bench.ok("ITEM:BLEND");
    bench.ok(&lot);
    bench.finish();
    assert_eq!(
        shop.query_strings("SELECT status || ': ' || reason FROM status_changes ORDER BY id"),
        vec!["hold: smells off", "available: certificate arrived"]
    );
}

#[test]
fn waste_is_recorded_with_its_reason() {
    let shop = Shop::new();
    let mut bench = shop.bench();
    let lot = crate::support::receive(&mut bench, "COASTAL", "ITEM:OLIVE", Some("SL-1"), "20kg");
    bench.ok("@WASTE");
    bench.ok(&lot);
    bench.ok("@QTY:1.5kg");
    let line = bench.scan("@DONE");
    assert!(
        line.starts_with("error: the waste needs a reason first"),
        "{line}"
    );
    bench.ok("NOTE:spilled");
    let line = bench.ok("@DONE");
    assert!(
        line.contains(&format!("waste recorded: 1.5 kg of lot {lot} (spilled)")),
        "{line}"
    );
    bench.ok("@MAKE");
    bench.ok("ITEM:SOAP");
    let line = bench.ok(&lot);
    assert!(line.contains("18.5 kg left"), "{line}");
    bench.finish();
}

#[test]
fn a_burst_of_scans_is_committed_together_and_refusals_stay_alone() {
    let shop = Shop::new();
    let mut bench = shop.bench();
    let lot = crate::support::receive(&mut bench, "BRAMBLE", "ITEM:LAV-EO", Some("SL-1"), "500g");
    bench.ok("@MAKE");
    let journal_before =
        shop.query_i64("SELECT COUNT(*) FROM journal WHERE kind <> 'print_outcome'");
    let burst = [
        "ITEM:BLEND",
        "NOPE-1",
        &lot,
        "@QTY:99999g",
        "@QTY:100g",
        "@YIELD:100g",
        "@DONE",
    ];
    let text: String = burst.iter().map(|s| format!("{s}\n")).collect();
    let lines = bench.send_raw(text.as_bytes());
    let verdicts: Vec<&str> = lines
        .iter()
        .map(|l| &l[..l.find(':').unwrap_or(0)])
        .collect();
    assert_eq!(
        verdicts,
        ["ok", "error", "ok", "error", "ok", "ok", "ok"],
        "{lines:#?}"
    );
    assert!(
        lines[4].contains("100 g of lot"),
        "the scan after a refusal sees the state before it: {}",
        lines[4]
    );
    bench.finish();
    // 7 scans; records: batch opened, consumption, batch closed; one print job
    assert_eq!(
        shop.query_i64("SELECT COUNT(*) FROM journal WHERE kind <> 'print_outcome'"),
        journal_before + 7 + 3 + 1
    );
    assert_eq!(shop.query_i64("SELECT COUNT(*) FROM consumptions"), 1);
    assert_eq!(shop.verify().0, 0);
}
