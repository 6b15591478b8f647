//! Every rejection rule of SPEC §5: the person gets a clear reason, the bench still waits
//! for the same thing, and the journal gains exactly one entry: the rejected scan itself.

use crate::support::{Scans, Shop, Sim, receive};

/// Scans `scan`, expects a rejection containing `expected`, and checks that nothing but the
/// scan was recorded and that the bench's state did not move.
fn rejected(shop: &Shop, bench: &mut Sim, scan: &str, expected: &str) {
    let prompt_before = bench.prompt();
    let before = shop.counts();
    let line = bench.scan(scan);
    assert!(
        line.starts_with("error: "),
        "{scan:?} should be rejected: {line}"
    );
    assert!(
        line.contains(expected),
        "{scan:?}: expected {expected:?} in {line:?}"
    );
    assert_eq!(
        bench.prompt(),
        prompt_before,
        "a rejected scan leaves the bench where it was"
    );
    let mut after = shop.counts();
    *after.get_mut("journal").expect("journal") -= 1;
    assert_eq!(
        after, before,
        "only the journal gains an entry for {scan:?}"
    );
    let (kind, body) = shop.last_entries(1).pop().expect("an entry");
    assert_eq!(kind, "scan");
    assert_eq!(body["accepted"], false);
    assert_eq!(body["raw"], scan.trim_end_matches(['\r', '\n']));
    assert!(
        body["reason"].as_str().unwrap_or("").contains(expected),
        "{body}"
    );
}

fn yesterday_yymmdd() -> String {
    let d = crate::support::today().yesterday().expect("yesterday");
    format!("{:02}{:02}{:02}", d.year() % 100, d.month(), d.day())
}

/// A shop with a lavender lot received and a production bench with a blend batch open.
fn making() -> (Shop, Sim, String) {
    let shop = Shop::new();
    let mut bench = shop.bench();
    let lot = receive(&mut bench, "BRAMBLE", "ITEM:LAV-EO", Some("SL-1"), "500g");
    bench.ok("@MAKE");
    bench.ok("ITEM:BLEND");
    (shop, bench, lot)
}

#[test]
fn expired_lot_is_refused_in_production() {
    let shop = Shop::new();
    let mut bench = shop.bench();
    bench.ok("@RECEIVE");
    bench.ok("SUP:BRAMBLE");
    bench.ok("INV-1");
    bench.ok(&format!(
        "(01)09501101530003(10)OLD-1(17){}(3103)000500",
        yesterday_yymmdd()
    ));
    let line = bench.ok("@DONE");
    assert!(
        line.contains("(note: lot") && line.contains("is already expired"),
        "{line}"
    );
    bench.ok("@DONE");
    bench.ok("@MAKE");
    bench.ok("ITEM:BLEND");
    let lot = shop.query_strings("SELECT code FROM lots").remove(0);
    rejected(&shop, &mut bench, &lot, &format!("lot {lot} expired on"));
    // the supplier's label finds the same lot, and is refused the same way
    rejected(
        &shop,
        &mut bench,
        "(01)09501101530003(10)OLD-1",
        "expired on",
    );
}

#[test]
fn held_lot_is_refused() {
    let (shop, mut bench, lot) = making();
    bench.ok("@CANCEL");
    let out = shop.cli(&["hold", &lot, "--reason", "awaiting certificate"]);
    assert!(out.status.success());
    bench.ok("ITEM:BLEND");
    rejected(
        &shop,
        &mut bench,
        &lot,
        &format!("lot {lot} is on hold (awaiting certificate)"),
    );
}

#[test]
fn quarantined_lot_is_refused() {
    let (shop, mut bench, lot) = making();
    let out = shop.cli(&["hold", &lot, "--reason", "mould found", "--quarantine"]);
    assert!(out.status.success());
    rejected(
        &shop,
        &mut bench,
        &lot,
        &format!("lot {lot} is in quarantine (mould found)"),
    );
}

#[test]
fn recalled_lot_is_refused() {
    let (shop, mut bench, lot) = making();
    let mut store = lotstation::store::Store::open(&shop.location()).expect("open");
    store
        .change_status(
            &lot,
            lotstation::core::workflow::Status::Recalled,
            "supplier recall notice 42",
            crate::support::start(),
            None,
        )
        .expect("recall");
    drop(store);
    rejected(
        &shop,
        &mut bench,
        &lot,
        &format!("lot {lot} is recalled (supplier recall notice 42)"),
    );
}

#[test]
fn unknown_lot_is_refused() {
    let (shop, mut bench, _) = making();
    rejected(
        &shop,
        &mut bench,
        "LAV-0001-999",
        "unknown lot or batch LAV-0001-999",
    );
    rejected(
        &shop,
        &mut bench,
        "(01)09501101530003(10)NOPE",
        "unknown lot or batch NOPE of LAV-EO",
    );
}

#[test]
fn more_than_the_remaining_balance_is_refused() {
    let (shop, mut bench, lot) = making();
    bench.ok(&lot);
    rejected(
        &shop,
        &mut bench,
        "@QTY:501g",
        &format!("501 g is more than the 500 g left of lot {lot}"),
    );
    rejected(
        &shop,
        &mut bench,
        "@QTY:1.2lb",
        "544.3 g is more than the 500 g left",
    );
    bench.ok("@QTY:300g");
    bench.ok(&lot);
    rejected(
        &shop,
        &mut bench,
        "@QTY:0.3kg",
        "300 g is more than the 200 g left",
    );
    bench.ok("@QTY:200g");
    rejected(
        &shop,
        &mut bench,
        &lot,
        &format!("lot {lot} is used up (0 g left)"),
    );
}

#[test]
fn overdraw_is_allowed_where_the_bench_allows_it() {
    let shop = Shop::new();
    let mut bench = shop.bench();
    let lot = receive(&mut bench, "BRAMBLE", "ITEM:LAV-EO", Some("SL-1"), "500g");
    bench.finish();
    let mut bench = shop.bench_with_config(
        "[[bench]]\nname = \"bench-1\"\nworkflow = \"make\"\nscanners = [\"stdin\"]\nallow_overdraw = true\n\
         [[scanner]]\nname = \"stdin\"\nkind = \"stdin\"\n",
    );
    bench.ok("@MAKE");
    bench.ok("ITEM:BLEND");
    bench.ok(&lot);
    let line = bench.ok("@QTY:600g");
    assert!(line.contains("600 g of lot"), "{line}");
    bench.finish();
}

#[test]
fn wrong_kind_of_code_for_the_step_is_refused() {
    let (shop, mut bench, lot) = making();
    rejected(
        &shop,
        &mut bench,
        "ITEM:LAV-EO",
        "scan the lot label of the ingredient, not the item LAV-EO",
    );
    rejected(&shop, &mut bench, "09501101530003", "is an item, not a lot");
    rejected(
        &shop,
        &mut bench,
        "SUP:BRAMBLE",
        "supplier BRAMBLE does not apply while making a batch",
    );
    rejected(
        &shop,
        &mut bench,
        "MFG-0001",
        "batch MFG-0001 cannot be an ingredient of itself",
    );
    bench.ok("@CANCEL");
    // waiting for a product
    rejected(
        &shop,
        &mut bench,
        &lot,
        "no batch is open: scan the product to make before its ingredients",
    );
    rejected(
        &shop,
        &mut bench,
        "ITEM:LAV-EO",
        "LAV-EO (Lavender essential oil) is a material, not a product",
    );
    rejected(&shop, &mut bench, "@DONE", "no batch is open");
    // packing: a lot is not a product, an open batch cannot ship
    bench.ok("ITEM:BLEND");
    bench.ok("@CANCEL");
    bench.ok("@PACK");
    bench.ok("ORD:1001");
    rejected(
        &shop,
        &mut bench,
        &lot,
        &format!("{lot} is a lot of LAV-EO (a material); scan the batch label"),
    );
    rejected(&shop, &mut bench, "@DONE", "nothing packed on order 1001");
    rejected(
        &shop,
        &mut bench,
        "@YIELD:3",
        "@YIELD does not apply while packing",
    );
    bench.ok("@CANCEL");
    // receiving: our own label is not an item
    bench.ok("@RECEIVE");
    rejected(
        &shop,
        &mut bench,
        "ITEM:LAV-EO",
        "scan the supplier card (SUP:...) first",
    );
    rejected(&shop, &mut bench, "SUP:NOBODY", "unknown supplier NOBODY");
    bench.ok("SUP:BRAMBLE");
    bench.ok("INV-9");
    rejected(&shop, &mut bench, &lot, "is our own lot label");
    rejected(&shop, &mut bench, "ITEM:NOPE", "unknown item NOPE");
    bench.ok("ITEM:LAV-EO");
    rejected(
        &shop,
        &mut bench,
        "@DONE",
        "LAV-EO still needs a supplier lot number and a quantity",
    );
    rejected(
        &shop,
        &mut bench,
        "@QTY:2ml",
        "2ml: ml cannot be converted to g",
    );
}

#[test]
fn held_and_recalled_batches_are_refused_at_packing() {
    let shop = Shop::new();
    let mut bench = shop.bench();
    bench.ok("@MAKE");
    bench.ok("ITEM:SOAP");
    bench.ok("@YIELD:2");
    bench.ok("@DONE");
    bench.ok("ITEM:SOAP");
    bench.ok("@YIELD:2");
    bench.ok("@DONE");
    bench.ok("@PACK");
    bench.ok("ORD:1001");
    bench.ok("@HOLD");
    bench.ok("MFG-0001");
    bench.ok("NOTE:label misprint");
    rejected(
        &shop,
        &mut bench,
        "MFG-0001",
        "batch MFG-0001 is on hold (label misprint)",
    );
    let mut store = lotstation::store::Store::open(&shop.location()).expect("open");
    store
        .change_status(
            "MFG-0002",
            lotstation::core::workflow::Status::Recalled,
            "recall R-1",
            crate::support::start(),
            None,
        )
        .expect("recall");
    drop(store);
    rejected(
        &shop,
        &mut bench,
        "MFG-0002",
        "batch MFG-0002 is recalled (recall R-1)",
    );
    // more units than were made
    bench.finish();
    let out = shop.cli(&["release", "MFG-0001", "--reason", "relabelled"]);
    assert!(out.status.success());
    let mut bench = shop.bench();
    bench.ok("MFG-0001");
    bench.ok("MFG-0001");
    rejected(
        &shop,
        &mut bench,
        "MFG-0001",
        "batch MFG-0001 has no units left to ship",
    );
    rejected(
        &shop,
        &mut bench,
        "@QTY:3",
        "batch MFG-0001 has only 2 units left to ship",
    );
}

#[test]
fn unreadable_scans_are_refused_and_journaled() {
    let (shop, mut bench, _) = making();
    rejected(
        &shop,
        &mut bench,
        "@FROBNICATE",
        "unknown command @FROBNICATE",
    );
    rejected(
        &shop,
        &mut bench,
        "]C10109501101530004",
        "check digit 4, it should be 3",
    );
    rejected(
        &shop,
        &mut bench,
        "(01)0950110153000",
        "AI (01) needs 14 characters",
    );
    rejected(&shop, &mut bench, "@QTY", "@QTY needs a value");
    rejected(&shop, &mut bench, "NOTE:", "NOTE: needs a value");
    // garbage bytes: not text
    let before = shop.counts();
    let line = bench.send_raw(b"\xff\xfe\x80garbage\n").remove(0);
    assert!(
        line.starts_with("error: the scan is not readable text"),
        "{line}"
    );
    let (_, body) = shop.last_entries(1).pop().expect("entry");
    assert_eq!(body["raw_hex"], "fffe80676172626167 65".replace(' ', ""));
    assert_eq!(shop.counts()["journal"], before["journal"] + 1);
    // a scanner that never sends its terminator is cut off, reported and journaled
    assert!(bench.send_raw(&vec![b'7'; 5000]).is_empty());
    let line = bench.send_raw(b"\n").remove(0);
    assert!(
        line.starts_with("error: the scanner sent 5000 characters without an end of line"),
        "{line}"
    );
    // and the bench still works
    bench.ok("@CANCEL");
}

/// A shipment's own code scanned where the packer should scan an order is not taken as a
/// new order number: the bench says what it is and records nothing but the scan.
#[test]
fn a_shipment_code_is_not_a_new_order() {
    let shop = Shop::new();
    let mut bench = shop.bench();
    bench.ok("@MAKE");
    bench.ok("ITEM:SOAP");
    bench.ok("@YIELD:2");
    bench.ok("@DONE");
    bench.ok("@PACK");
    bench.ok("ORD:5001");
    bench.ok("CUS:C001");
    bench.ok("MFG-0001");
    let done = bench.ok("@DONE");
    let shipment = crate::support::code_after(&done, "shipment ");
    assert!(shipment.starts_with("SHP-"), "{done}");
    rejected(
        &shop,
        &mut bench,
        &shipment,
        &format!("{shipment} is a shipment already made (order 5001, customer C001, shipped "),
    );
    rejected(
        &shop,
        &mut bench,
        &format!("ORD:{shipment}"),
        "scan the order number to pack",
    );
}

/// Leaving a batch with ingredients recorded parks it (nothing is lost, nothing undone);
/// its code resumes it, after a restart too, and `@MAKE` resumes the one parked batch.
#[test]
fn switching_away_from_a_batch_parks_it_and_its_code_resumes_it() {
    let shop = Shop::new();
    let mut bench = shop.bench();
    let lot = receive(&mut bench, "BRAMBLE", "ITEM:LAV-EO", Some("SL-9"), "1kg");
    bench.ok("@MAKE");
    bench.ok("ITEM:BLEND");
    bench.ok(&lot);
    bench.ok("@QTY:100g");
    let parked = bench.ok("@RECEIVE");
    assert!(
        parked.contains("batch MFG-0001 parked (MFG-0001 resumes it); bench is now receiving")
            || parked
                .contains("bench is now receiving; batch MFG-0001 parked (MFG-0001 resumes it)"),
        "{parked}"
    );
    let second = receive(&mut bench, "BRAMBLE", "ITEM:LAV-EO", Some("SL-10"), "1kg");
    // a restart keeps the parked batch with its line
    drop(bench);
    let mut bench = shop.bench();
    bench.ok("@PACK");
    assert!(
        bench.prompt().ends_with("parked: MFG-0001"),
        "{}",
        bench.prompt()
    );
    let resumed = bench.ok("MFG-0001");
    assert!(
        resumed.contains("batch MFG-0001 resumed with 1 line"),
        "{resumed}"
    );
    // another product while it is open is a probable mistake: asked, nothing recorded
    let before = shop.counts();
    let asked = bench.warned("ITEM:SOAP");
    assert!(
        asked.contains("batch MFG-0001 is open: item SOAP starts another batch and parks it"),
        "{asked}"
    );
    let mut after = shop.counts();
    *after.get_mut("journal").expect("journal") -= 1;
    assert_eq!(after, before, "a warning records only its scan");
    bench.ok(&second);
    bench.ok("@QTY:50g");
    bench.ok("@YIELD:10");
    let closed = bench.ok("@DONE");
    assert!(closed.contains("from 2 ingredient lines"), "{closed}");
    assert_eq!(
        shop.query_strings("SELECT input_code FROM consumptions ORDER BY id"),
        vec![lot, second]
    );
}

/// A scanner that reads a label twice (`debounce_ms`): the second read is journaled as a
/// double read and answered, and the box gets one unit; the same label read again later
/// counts (a second unit is a second scan).
#[test]
fn a_double_read_is_counted_once() {
    let shop = Shop::new();
    let config = crate::support::SIM_CONFIG
        .replace("kind = \"stdin\"", "kind = \"stdin\"\ndebounce_ms = 1500");
    let mut bench = Sim::start(&shop, &config);
    bench.ok("@MAKE");
    bench.ok("ITEM:SOAP");
    bench.ok("@YIELD:5");
    bench.ok("@DONE");
    bench.ok("@PACK");
    bench.ok("ORD:5001");
    bench.ok("CUS:C001");
    // the scripted clock moves a second per read: the two reads are 1 s apart
    let answers = bench.send_raw(b"MFG-0001\nMFG-0001\n");
    assert!(answers[0].starts_with("ok: "), "{answers:?}");
    assert!(
        answers[1].starts_with(
            "ok: the scanner read MFG-0001 twice within 1500 ms (its debounce_ms): counted once"
        ),
        "{answers:?}"
    );
    // two seconds later (a refused scan in between), the label counts again
    bench.scan("@YIELD:3");
    bench.ok("MFG-0001");
    bench.ok("@DONE");
    assert_eq!(
        shop.query_i64("SELECT SUM(quantity) FROM shipment_lines"),
        2,
        "one unit from the double read, one from the later scan"
    );
    assert_eq!(
        shop.query_i64(
            "SELECT COUNT(*) FROM journal WHERE kind = 'scan' AND body LIKE '%\"duplicate\":true%'"
        ),
        1
    );
}
