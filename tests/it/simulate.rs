//! Workflow cases in-process: scripted scans through the daemon's scan path with a scripted
//! clock (from `support::START`, one second per reading), each transcript pinned by an insta
//! snapshot in `tests/it/snapshots/`. A change in what a bench says shows up as a diff.

use crate::support::Shop;

/// A receiving bench's morning: a GS1 label carrying lot, expiry and weight; free-text
/// invoice and supplier lot; a unit conversion; a refused scan in between; undo and cancel.
#[test]
fn receiving_a_delivery() {
    let shop = Shop::new();
    let mut bench = shop.bench();
    let transcript = bench.script(
        "OP:rosa | @RECEIVE | SUP:BRAMBLE | INV-2026-77
         | ]C1010950110153000317271231310300150010SL-LAV-1 | @DONE
         | ITEM:OLIVE | SL-OL-5 | @QTY:20 | @DONE
         | ITEM:LYE | MFG-9999 | SL-NA-1 | @QTY:2.5kg | @UNDO
         | ITEM:BOX | @CANCEL | @DONE",
    );
    insta::assert_snapshot!(transcript);
    assert_eq!(
        shop.query_strings("SELECT code FROM lots ORDER BY code"),
        ["LAV-2611-001", "OLV-2611-001"]
    );
    assert_eq!(shop.verify().0, 0);
}

/// A mis-keyed quantity on a messy day: a zero too many, then one too few, against what
/// this item usually comes in, said while @QTY can still correct it; the lot is recorded
/// with the number set right.
#[test]
fn a_mis_keyed_quantity_is_questioned_before_the_lot_is_made() {
    let shop = Shop::new();
    let mut bench = shop.bench();
    let transcript = bench.script(
        "OP:rosa | @RECEIVE | SUP:COASTAL | INV-1
         | ITEM:OLIVE | SL-OL-5 | @QTY:20 | @DONE
         | ITEM:OLIVE | SL-OL-6 | @QTY:250 | @QTY:1.5 | @QTY:25 | @DONE | @DONE",
    );
    insta::assert_snapshot!(transcript);
    assert_eq!(
        shop.query_strings("SELECT supplier_lot || ' ' || quantity FROM lots ORDER BY code"),
        ["SL-OL-5 20000000", "SL-OL-6 25000000"]
    );
    assert_eq!(shop.verify().0, 0);
}

/// A making bench: a sub-assembly (the blend) consumed into soap, the recipe's extra
/// material warned about, a quantity above the balance refused, @WEIGH without a scale.
#[test]
fn making_soap_from_a_blend() {
    let shop = Shop::new();
    let mut bench = shop.bench();
    bench.script(
        "@RECEIVE | SUP:BRAMBLE | INV-1 | ITEM:LAV-EO | SL-LAV-1 | @QTY:1500g | @DONE
         | ITEM:OLIVE | SL-OL-5 | @QTY:20kg | @DONE | ITEM:LYE | SL-NA-1 | @QTY:2kg | @DONE
         | ITEM:BOX | SL-BOX | @QTY:50 | @DONE | @DONE",
    );
    let transcript = bench.script(
        "OP:sam | @MAKE | ITEM:BLEND | LAV-2611-001 | @WEIGH | @QTY:2000g | @QTY:1000g
         | @YIELD:1kg | @DONE
         | ITEM:SOAP | OLV-2611-001 | @QTY:3kg | NAOH-2611-001 | @QTY:400g
         | MFG-0001 | @QTY:100g | BOX-2611-001 | @OK | @QTY:12 | @YIELD:12 | @DONE",
    );
    insta::assert_snapshot!(transcript);
    assert_eq!(
        shop.query_strings(
            "SELECT batch_code || ' <- ' || input_code || ' ' || quantity FROM consumptions ORDER BY id"
        ),
        [
            "MFG-0001 <- LAV-2611-001 1000000",
            "MFG-0002 <- OLV-2611-001 3000000",
            "MFG-0002 <- NAOH-2611-001 400000",
            "MFG-0002 <- MFG-0001 100000",
            "MFG-0002 <- BOX-2611-001 12",
        ]
    );
}

/// A packing bench: two imported orders, a batch on hold refused, a line's count changed.
#[test]
fn packing_two_orders() {
    let shop = Shop::new();
    let mut bench = shop.bench();
    bench.script(
        "@RECEIVE | SUP:COASTAL | INV-2 | ITEM:OLIVE | SL-OL-5 | @QTY:20kg | @DONE | @DONE
         | @MAKE | ITEM:SOAP | OLV-2611-001 | @QTY:3kg | @YIELD:12 | @DONE
         | ITEM:SOAP | OLV-2611-001 | @QTY:3kg | @YIELD:6 | @DONE
         | @HOLD | MFG-0002 | NOTE:smells off",
    );
    let transcript = bench.script(
        "@PACK | ORD:1001 | MFG-0001 | MFG-0002 | MFG-0001 | @DONE
         | ORD:1002 | MFG-0001 | @QTY:3 | @QTY:3 | @DONE | MFG-0001",
    );
    insta::assert_snapshot!(transcript);
    assert_eq!(
        shop.query_strings(
            "SELECT s.order_number || ' ' || l.batch_code || ' ' || l.quantity FROM shipment_lines l JOIN shipments s ON s.code = l.shipment_code ORDER BY s.code"
        ),
        ["1001 MFG-0001 2", "1002 MFG-0001 3"]
    );
}

/// A batch label's QR code, its GS1 Digital Link, finds the batch at packing as its Code 128
/// and its GS1-128 do (a phone's camera reads the QR first).
#[test]
fn packing_by_the_batch_labels_digital_link() {
    let shop = Shop::new();
    let mut bench = shop.bench();
    bench.script(
        "@RECEIVE | SUP:COASTAL | INV-2 | ITEM:OLIVE | SL-OL-5 | @QTY:20kg | @DONE | @DONE
         | @MAKE | ITEM:SOAP | OLV-2611-001 | @QTY:3kg | @YIELD:12 | @DONE | @PACK | ORD:1001",
    );
    let line = bench.ok("]Q1https://id.gs1.org/01/09501101530010/10/MFG-0001");
    assert!(line.contains("MFG-0001"), "{line}");
    bench.ok("https://example.com/01/9501101530010/10/MFG-0001");
    bench.ok("@DONE");
    assert_eq!(
        shop.query_strings(
            "SELECT s.order_number || ' ' || l.batch_code || ' ' || l.quantity FROM shipment_lines l JOIN shipments s ON s.code = l.shipment_code"
        ),
        ["1001 MFG-0001 2"]
    );
}

/// Waste: a lot, its quantity, the reason; a waste without a reason is not closed.
#[test]
fn writing_off_waste() {
    let shop = Shop::new();
    let mut bench = shop.bench();
    bench.script("@RECEIVE | SUP:BRAMBLE | INV-1 | ITEM:LAV-EO | SL-1 | @QTY:500g | @DONE | @DONE");
    let transcript =
        bench.script("@WASTE | LAV-2611-001 | @QTY:40g | @DONE | NOTE:bottle dropped | @DONE");
    insta::assert_snapshot!(transcript);
    assert_eq!(shop.query_i64("SELECT COUNT(*) FROM wastes"), 1);
}

/// The last scan before the input ends may come without its terminator (a script whose last
/// line has no newline): it is still answered and recorded, as standard input's end does.
#[test]
fn a_last_scan_without_its_terminator_is_answered() {
    let shop = Shop::new();
    let mut bench = shop.bench();
    assert!(bench.send_raw(b"@RECEIVE\nSUP:BRAMBLE").len() == 1);
    let last = bench.finish();
    assert_eq!(
        last.as_deref(),
        Some(
            "ok: receiving from Bramble Oils (BRAMBLE) | next: scan or type the supplier's invoice number"
        )
    );
    assert_eq!(
        shop.query_i64("SELECT COUNT(*) FROM journal WHERE kind = 'scan'"),
        2
    );
}

/// Packing against the order: its lines and what shipped before are shown, a short box is
/// a partial shipment that says what is still owed, an order shipped in full waits for a
/// second scan of the order before it is packed again, and a box holding more than the
/// order asks for is warned about.
#[test]
fn packing_against_the_order() {
    let shop = Shop::new();
    let mut bench = shop.bench();
    bench.script("@MAKE | ITEM:SOAP | @YIELD:12 | @DONE");
    let transcript = bench.script(
        "@PACK | ORD:1001 | MFG-0001 | @DONE
         | ORD:1001 | MFG-0001 | @DONE
         | ORD:1001 | MFG-0001 | ORD:1001 | MFG-0001 | @DONE | MFG-0001 | @OK | @DONE",
    );
    insta::assert_snapshot!(transcript);
    assert_eq!(
        shop.query_strings(
            "SELECT s.code || ' ' || l.quantity FROM shipment_lines l JOIN shipments s ON s.code = l.shipment_code ORDER BY s.code"
        ),
        ["SHP-00001 1", "SHP-00002 1", "SHP-00003 1"],
        "three boxes of one: a partial shipment, the rest, and a confirmed re-pack"
    );
}

/// Recipes at the making bench: a bill of materials with its batch size (`per`) scaled to
/// the plan (`@PLAN`, else the first `@YIELD`); each weighing says how far it is from its
/// target; `@DONE` with an ingredient missing or off by more than the tolerance says what
/// is off and closes only when scanned again.
#[test]
fn making_to_a_recipe() {
    let shop = Shop::new();
    shop.import_soap_recipe();
    let mut bench = shop.bench();
    bench.script(
        "@RECEIVE | SUP:COASTAL | INV-2 | ITEM:OLIVE | SL-OL-5 | @QTY:20kg | @DONE
         | ITEM:LYE | SL-NA-1 | @QTY:2kg | @DONE | @DONE",
    );
    let transcript = bench.script(
        "@MAKE | ITEM:SOAP | @PLAN:24 | OLV-2611-001 | @QTY:5kg | @YIELD:24 | @DONE
         | NAOH-2611-001 | @QTY:800g | OLV-2611-001 | @QTY:1kg | @DONE
         | ITEM:SOAP | @YIELD:12 | OLV-2611-001 | @QTY:2.5kg | @DONE | @DONE",
    );
    insta::assert_snapshot!(transcript);
    assert_eq!(
        shop.query_strings(
            "SELECT batch_code || ' ' || yield_quantity FROM batch_closures ORDER BY batch_code"
        ),
        ["MFG-0001 24", "MFG-0002 12"]
    );
}

/// `@REPRINT` prints the bench's last label once (a batch of 12 printed 12 at `@DONE`), or
/// as many as `@REPRINT:<n>` asks; a count out of range is refused.
#[test]
fn reprint_prints_one_copy_unless_asked() {
    let shop = Shop::new();
    let mut bench = shop.bench();
    bench.script("@MAKE | ITEM:SOAP | @YIELD:12 | @DONE");
    assert!(
        bench
            .ok("@REPRINT")
            .contains("reprinting the batch label of MFG-0001 (1 copy)")
    );
    assert!(bench.ok("@REPRINT:3").contains("(3 copies)"));
    assert!(
        bench
            .scan("@REPRINT:0")
            .starts_with("error: unknown command @REPRINT:0 (copies are 1 to 500)")
    );
    assert_eq!(
        shop.query_strings(
            "SELECT label || ' ' || code || ' ' || copies FROM print_jobs ORDER BY id"
        ),
        ["batch MFG-0001 12", "batch MFG-0001 1", "batch MFG-0001 3"]
    );
}

/// Sold by weight: bulk soap kept in kilograms, an order for 1.5 kg packed as two packs
/// (one given in grams, one in the product's own kilograms), no SHORT, 500 g left of the
/// 2 kg batch and 1.5 kg to the customer in the trace; what cannot be packed (nothing, a
/// volume, more than the batch has, an unweighed pack at @DONE) refused, nothing recorded.
#[test]
fn packing_an_order_by_weight() {
    let shop = Shop::new();
    shop.import_bulk_soap();
    let mut bench = shop.bench();
    bench.script(
        "@RECEIVE | SUP:COASTAL | INV-2 | ITEM:OLIVE | SL-OL-5 | @QTY:20kg | @DONE | @DONE
         | @MAKE | ITEM:BULK | OLV-2611-001 | @QTY:2kg | @YIELD:2kg | @DONE",
    );
    let transcript = bench.script(
        "@PACK | ORD:5004 | MFG-0001 | @QTY:0 | @QTY:1l | @QTY:2.5kg | @DONE | @QTY:750g
         | MFG-0001 | @WEIGH | @QTY:0.75 | @DONE",
    );
    insta::assert_snapshot!(transcript);
    assert_eq!(
        shop.query_strings(
            "SELECT l.batch_code || ' ' || l.quantity FROM shipment_lines l ORDER BY l.line_no"
        ),
        ["MFG-0001 750000", "MFG-0001 750000"]
    );
    let stock: serde_json::Value =
        serde_json::from_str(&shop.cli_ok(&["stock", "--item", "BULK", "--format", "json"]))
            .expect("stock json");
    assert_eq!(stock[0]["code"], "MFG-0001", "{stock}");
    assert_eq!(
        (stock[0]["quantity"].as_f64(), stock[0]["unit"].as_str()),
        (Some(0.5), Some("kg")),
        "{stock}"
    );
    // the customer's two packs, each in the product's unit
    let trace = shop.cli_ok(&["trace", "forward", "MFG-0001"]);
    assert_eq!(
        trace
            .lines()
            .filter(|l| l.contains("C001") && l.ends_with("0.75 kg"))
            .count(),
        2,
        "{trace}"
    );
    // the recall's customer list says what the customer got with its unit
    let customers = shop.cli_ok(&["recall", "MFG-0001", "--mock", "--format", "csv"]);
    let row = customers
        .lines()
        .find(|l| l.contains("C001"))
        .unwrap_or_else(|| panic!("{customers}"));
    assert!(row.ends_with(",1.5 kg"), "{customers}");
    assert_eq!(shop.verify().0, 0);
}

/// A bench that forgives (issue 30's smaller cases): a decimal comma, a supplier lot
/// received twice held and released whole at the bench, a @RELEASE waiting for its label
/// dropped (and said) when the bench turns to packing.
#[test]
fn a_bench_that_forgives_small_slips() {
    let shop = Shop::new();
    let mut bench = shop.bench();
    let transcript = bench.script(
        "@RECEIVE | SUP:BRAMBLE | INV-7 | ITEM:LAV-EO | SL-445 | @QTY:0,1kg | @DONE
         | ITEM:LAV-EO | SL-445 | @QTY:200g | @DONE | @DONE
         | @HOLD | SL-445 | NOTE:smells off | @RELEASE | NOTE:checked | SL-445
         | @RELEASE | @PACK | ORD:1001",
    );
    insta::assert_snapshot!(transcript);
    assert_eq!(
        shop.query_strings("SELECT code || ' ' || status FROM status_changes ORDER BY id"),
        [
            "LAV-2611-001 hold",
            "LAV-2611-002 hold",
            "LAV-2611-001 available",
            "LAV-2611-002 available"
        ]
    );
    assert_eq!(shop.verify().0, 0);
}

/// A bench that stops and asks (issue 30): a product that is not on the order and a yield
/// far from the plan answer `warning:` and record nothing; the same scan again or `@OK`
/// records them, `@CANCEL` drops one, a refused scan leaves one. A batch left open while an
/// ingredient is fetched is parked by `@RECEIVE` and resumed by its code; a shipment parked
/// for a batch to finish is resumed by its order.
#[test]
fn a_bench_that_asks_before_a_probable_mistake_and_parks_a_batch() {
    let shop = Shop::new();
    let mut bench = shop.bench();
    bench.script(
        "@RECEIVE | SUP:COASTAL | INV-2 | ITEM:OLIVE | SL-OL-5 | @QTY:20kg | @DONE | @DONE",
    );
    let transcript = bench.script(
        "@MAKE | ITEM:SOAP | @PLAN:12 | OLV-2611-001 | @QTY:3kg | @RECEIVE
         | SUP:COASTAL | INV-3 | ITEM:LYE | SL-NA-1 | @QTY:2kg | @DONE | @DONE
         | MFG-0001 | NAOH-2611-001 | @QTY:400g | @YIELD:60 | @CANCEL | @YIELD:60 | @FLY
         | @YIELD:60 | @YIELD:60 | @YIELD:12 | @DONE
         | @PACK | ORD:1002 | MFG-0001 | @MAKE | ITEM:BLEND | OLV-2611-001 | @OK | @QTY:1kg
         | @YIELD:1kg | @DONE | ORD:1002 | MFG-0002 | MFG-0002 | @QTY:100g | @DONE",
    );
    insta::assert_snapshot!(transcript);
    // the warned scans are in the journal, refused and with their warning; what was
    // confirmed is journaled with the scan that recorded it
    assert_eq!(
        shop.query_strings(
            "SELECT json_extract(body, '$.raw') FROM journal WHERE kind = 'scan' AND json_extract(body, '$.warning') IS NOT NULL ORDER BY seq"
        ),
        ["@YIELD:60", "@YIELD:60", "@YIELD:60", "OLV-2611-001", "MFG-0002"]
    );
    assert_eq!(
        shop.query_strings(
            "SELECT json_extract(body, '$.raw') FROM journal WHERE json_extract(body, '$.confirmed[0]') IS NOT NULL ORDER BY seq"
        ),
        ["@YIELD:60", "@OK", "MFG-0002"]
    );
    assert_eq!(
        shop.query_strings(
            "SELECT s.order_number || ' ' || l.batch_code || ' ' || l.quantity FROM shipment_lines l JOIN shipments s ON s.code = l.shipment_code ORDER BY l.line_no"
        ),
        ["1002 MFG-0001 1", "1002 MFG-0002 100000"]
    );
    assert_eq!(shop.verify().0, 0);
}
